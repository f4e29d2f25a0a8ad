//! The bot-feature file model: plain data types. The rules a file must follow are in
//! [`validate`](crate::validate); how each format reads and writes it, in `format/`.

use std::fmt;
use std::net::IpAddr;

/// The only format version this build reads and writes, in every encoding.
pub const FORMAT_VERSION: u16 = 1;

/// A validated (or, from the `*_unchecked` writers' point of view, candidate) feature file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureFile {
    /// Grows with every generated file; the rollout guard refuses one that does not.
    pub serial: u64,
    /// The features, in file order.
    pub features: Vec<Feature>,
}

/// A feature name. Names up to 24 bytes (every generated name we have seen) are stored inline,
/// so decoding a 200-feature file does not make 200 small allocations; longer ones spill to the
/// heap.
pub type Name = compact_str::CompactString;

/// One feature: a name, a type and an optional default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feature {
    /// `[a-z][a-z0-9_]*`, at most [`Limits::max_name_len`] bytes, unique in its file.
    pub name: Name,
    /// The type of the feature's values.
    pub ty: FeatureType,
    /// The value used when a request sets none.
    pub default: Option<Value>,
}

/// The type of a feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, bincode::Encode, bincode::Decode)]
pub enum FeatureType {
    /// `bool`
    Bool,
    /// `u8`
    U8,
    /// `u16`
    U16,
    /// `u32`
    U32,
    /// `u64`
    U64,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `ip`: IPv4 or IPv6.
    Ip,
    /// `str(N)`: UTF-8 of at most N bytes, 1 ≤ N ≤ [`Limits::max_string_len`].
    Str(u16),
}

impl fmt::Display for FeatureType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool => f.write_str("bool"),
            Self::U8 => f.write_str("u8"),
            Self::U16 => f.write_str("u16"),
            Self::U32 => f.write_str("u32"),
            Self::U64 => f.write_str("u64"),
            Self::I64 => f.write_str("i64"),
            Self::F32 => f.write_str("f32"),
            Self::F64 => f.write_str("f64"),
            Self::Ip => f.write_str("ip"),
            Self::Str(n) => write!(f, "str({n})"),
        }
    }
}

/// A value of some [`FeatureType`].
///
/// Equality is bit for bit on floats, so `-0.0 != 0.0` and a roundtrip that loses the sign of
/// zero is caught. (NaN never gets this far: every format refuses it.)
#[derive(Clone, Debug)]
pub enum Value {
    /// A `bool` value.
    Bool(bool),
    /// A `u8` value.
    U8(u8),
    /// A `u16` value.
    U16(u16),
    /// A `u32` value.
    U32(u32),
    /// A `u64` value.
    U64(u64),
    /// An `i64` value.
    I64(i64),
    /// An `f32` value.
    F32(f32),
    /// An `f64` value.
    F64(f64),
    /// An `ip` value.
    Ip(IpAddr),
    /// A `str(N)` value.
    Str(String),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Bool(a), Self::Bool(b)) => a == b,
            (Self::U8(a), Self::U8(b)) => a == b,
            (Self::U16(a), Self::U16(b)) => a == b,
            (Self::U32(a), Self::U32(b)) => a == b,
            (Self::U64(a), Self::U64(b)) => a == b,
            (Self::I64(a), Self::I64(b)) => a == b,
            (Self::F32(a), Self::F32(b)) => a.to_bits() == b.to_bits(),
            (Self::F64(a), Self::F64(b)) => a.to_bits() == b.to_bits(),
            (Self::Ip(a), Self::Ip(b)) => a == b,
            (Self::Str(a), Self::Str(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Value {
    /// Whether this value is of type `ty` (for strings: ignoring the length bound).
    pub fn has_type(&self, ty: FeatureType) -> bool {
        self.as_value_ref().has_type(ty)
    }

    /// The value, borrowed.
    pub fn as_value_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Bool(v) => ValueRef::Bool(*v),
            Value::U8(v) => ValueRef::U8(*v),
            Value::U16(v) => ValueRef::U16(*v),
            Value::U32(v) => ValueRef::U32(*v),
            Value::U64(v) => ValueRef::U64(*v),
            Value::I64(v) => ValueRef::I64(*v),
            Value::F32(v) => ValueRef::F32(*v),
            Value::F64(v) => ValueRef::F64(*v),
            Value::Ip(v) => ValueRef::Ip(*v),
            Value::Str(v) => ValueRef::Str(v),
        }
    }
}

/// A value borrowing its string: what a request sets and reads, and what the binary decoder
/// reads before it copies anything. Same variants, in the same order, as [`Value`]; the order is
/// the binary format's value tag.
#[derive(Clone, Copy, Debug, PartialEq, bincode::Encode, bincode::BorrowDecode)]
pub enum ValueRef<'a> {
    /// `bool`
    Bool(bool),
    /// `u8`
    U8(u8),
    /// `u16`
    U16(u16),
    /// `u32`
    U32(u32),
    /// `u64`
    U64(u64),
    /// `i64`
    I64(i64),
    /// `f32`
    F32(f32),
    /// `f64`
    F64(f64),
    /// `ip`
    Ip(IpAddr),
    /// `str(N)`
    Str(&'a str),
}

impl ValueRef<'_> {
    /// An owned copy.
    pub fn to_value(self) -> Value {
        match self {
            Self::Bool(v) => Value::Bool(v),
            Self::U8(v) => Value::U8(v),
            Self::U16(v) => Value::U16(v),
            Self::U32(v) => Value::U32(v),
            Self::U64(v) => Value::U64(v),
            Self::I64(v) => Value::I64(v),
            Self::F32(v) => Value::F32(v),
            Self::F64(v) => Value::F64(v),
            Self::Ip(v) => Value::Ip(v),
            Self::Str(v) => Value::Str(v.to_owned()),
        }
    }

    /// The same value with no borrow, unless it is a string.
    pub fn scalar(self) -> Option<ValueRef<'static>> {
        Some(match self {
            Self::Bool(v) => ValueRef::Bool(v),
            Self::U8(v) => ValueRef::U8(v),
            Self::U16(v) => ValueRef::U16(v),
            Self::U32(v) => ValueRef::U32(v),
            Self::U64(v) => ValueRef::U64(v),
            Self::I64(v) => ValueRef::I64(v),
            Self::F32(v) => ValueRef::F32(v),
            Self::F64(v) => ValueRef::F64(v),
            Self::Ip(v) => ValueRef::Ip(v),
            Self::Str(_) => return None,
        })
    }

    /// Whether this value is of type `ty` (for strings: ignoring the length bound).
    pub fn has_type(self, ty: FeatureType) -> bool {
        matches!(
            (self, ty),
            (Self::Bool(_), FeatureType::Bool)
                | (Self::U8(_), FeatureType::U8)
                | (Self::U16(_), FeatureType::U16)
                | (Self::U32(_), FeatureType::U32)
                | (Self::U64(_), FeatureType::U64)
                | (Self::I64(_), FeatureType::I64)
                | (Self::F32(_), FeatureType::F32)
                | (Self::F64(_), FeatureType::F64)
                | (Self::Ip(_), FeatureType::Ip)
                | (Self::Str(_), FeatureType::Str(_))
        )
    }
}

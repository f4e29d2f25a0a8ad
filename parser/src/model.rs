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

/// A value of some [`FeatureType`], generic over how it holds its string: owned in [`Value`]
/// (a file's defaults), borrowed in [`ValueRef`] (what a request sets and reads, and what the
/// binary decoder reads before it copies anything). One enum, so the two cannot drift apart; the
/// order of the variants is the binary format's value tag.
///
/// Equality is bit for bit on floats, so `-0.0 != 0.0` and a roundtrip that loses the sign of
/// zero is caught. (NaN never gets this far: every format refuses it.)
#[derive(Clone, Copy, Debug, bincode::Encode, bincode::BorrowDecode)]
pub enum Scalar<S> {
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
    Str(S),
}

/// A value owning its string: a feature's default.
pub type Value = Scalar<String>;

/// A value borrowing its string.
pub type ValueRef<'a> = Scalar<&'a str>;

impl<S: PartialEq> PartialEq for Scalar<S> {
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

impl<S: Eq> Eq for Scalar<S> {}

impl<S> Scalar<S> {
    /// The same value with its string (if it is one) passed through `f`: the one conversion
    /// between the owned and the borrowed form.
    pub fn map_str<'a, T>(&'a self, f: impl FnOnce(&'a S) -> T) -> Scalar<T> {
        match self {
            Self::Bool(v) => Scalar::Bool(*v),
            Self::U8(v) => Scalar::U8(*v),
            Self::U16(v) => Scalar::U16(*v),
            Self::U32(v) => Scalar::U32(*v),
            Self::U64(v) => Scalar::U64(*v),
            Self::I64(v) => Scalar::I64(*v),
            Self::F32(v) => Scalar::F32(*v),
            Self::F64(v) => Scalar::F64(*v),
            Self::Ip(v) => Scalar::Ip(*v),
            Self::Str(s) => Scalar::Str(f(s)),
        }
    }

    /// Whether this value is of type `ty` (for strings: ignoring the length bound).
    pub fn has_type(&self, ty: FeatureType) -> bool {
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

impl Value {
    /// The value, borrowed.
    pub fn as_value_ref(&self) -> ValueRef<'_> {
        self.map_str(String::as_str)
    }
}

impl ValueRef<'_> {
    /// An owned copy.
    pub fn to_value(self) -> Value {
        self.map_str(|s| (*s).to_owned())
    }

    /// The same value with no borrow, unless it is a string.
    pub fn scalar(self) -> Option<ValueRef<'static>> {
        match self {
            Self::Str(_) => None,
            // Not a string: `map_str` never calls its function.
            other => Some(other.map_str(|_| "")),
        }
    }
}

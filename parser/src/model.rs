//! The bot-feature file model and the checks every format shares.

use std::fmt;
use std::net::IpAddr;

use crate::error::{ErrorKind, Problem};
use crate::limits::Limits;

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

impl std::str::FromStr for FeatureType {
    type Err = crate::Error;

    /// A type as the text format spells it (`u32`, `str(36)`), under the default limits.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        crate::text::parse::parse_type(text, &Limits::DEFAULT)
            .map_err(|p| p.at(crate::Position::File))
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

/// The bytes a name may hold after its first: `[a-z0-9_]`.
// Evaluated at compile time: an index out of range would fail the build, never a parse.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
static NAME_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0u8;
    loop {
        table[b as usize] = b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
        if b == u8::MAX {
            break table;
        }
        b += 1;
    }
};

/// Checks a name: `[a-z][a-z0-9_]*`, 1 to `limits.max_name_len` bytes.
pub(crate) fn check_name(name: &str, limits: &Limits) -> Result<(), Problem> {
    if name.len() > limits.max_name_len {
        return Err(Problem::new(
            ErrorKind::NameTooLong,
            format!(
                "feature name is {} bytes long: the limit is {} bytes",
                name.len(),
                limits.max_name_len
            ),
        ));
    }
    let mut bytes = name.bytes();
    let starts_well = bytes.next().is_some_and(|b| b.is_ascii_lowercase());
    // One table lookup per byte, no early exit: names are short and almost always good.
    let rest_ok = bytes.fold(true, |ok, b| {
        ok & NAME_BYTE.get(usize::from(b)).copied().unwrap_or(false)
    });
    if !starts_well || !rest_ok {
        return Err(Problem::new(
            ErrorKind::BadName,
            format!(
                "bad feature name {:?}: expected [a-z][a-z0-9_]* (a lowercase letter, then lowercase letters, digits or '_')",
                truncate_for_message(name)
            ),
        ));
    }
    Ok(())
}

/// Checks the `N` of `str(N)`.
pub(crate) fn check_string_size(n: u64, limits: &Limits) -> Result<u16, Problem> {
    let max = limits.max_string_len.min(usize::from(u16::MAX));
    match usize::try_from(n) {
        Ok(n_usize) if n_usize >= 1 && n_usize <= max => u16::try_from(n_usize).map_err(|_| {
            Problem::new(
                ErrorKind::BadStringSize,
                format!("str({n}): expected str(1) to str({max})"),
            )
        }),
        _ => Err(Problem::new(
            ErrorKind::BadStringSize,
            format!("str({n}): expected str(1) to str({max})"),
        )),
    }
}

/// Checks that a default fits its feature's type: matching variant, finite floats, string
/// length within `N`. Takes the borrowed form so a decoder checks a value before copying it.
#[inline]
pub(crate) fn check_value(value: ValueRef<'_>, ty: FeatureType) -> Result<(), Problem> {
    if !value.has_type(ty) {
        return Err(Problem::new(
            ErrorKind::InvalidValue,
            format!("default is not a value of type {ty}"),
        ));
    }
    match (value, ty) {
        (ValueRef::F32(v), _) if !v.is_finite() => Err(non_finite(ty)),
        (ValueRef::F64(v), _) if !v.is_finite() => Err(non_finite(ty)),
        (ValueRef::Str(s), FeatureType::Str(n)) => check_string_len(s, n),
        _ => Ok(()),
    }
}

pub(crate) fn check_string_len(s: &str, n: u16) -> Result<(), Problem> {
    if s.len() > usize::from(n) {
        return Err(Problem::new(
            ErrorKind::StringTooLong,
            format!(
                "string default is {} bytes long: the type str({n}) allows at most {n}",
                s.len()
            ),
        ));
    }
    Ok(())
}

#[cold]
pub(crate) fn non_finite(ty: FeatureType) -> Problem {
    Problem::new(
        ErrorKind::NonFiniteFloat,
        format!(
            "{ty} default is not finite: expected a finite number (no NaN, no infinity, within the range of {ty})"
        ),
    )
}

/// At most 80 characters of `s`, for messages about input that may be huge.
pub(crate) fn truncate_for_message(s: &str) -> String {
    const SHOWN: usize = 80;
    let mut out: String = s.chars().take(SHOWN).collect();
    if s.chars().nth(SHOWN).is_some() {
        out.push('…');
    }
    out
}

impl FeatureFile {
    /// Checks everything every parser checks: 1 to `max_features` features, names, uniqueness,
    /// types and defaults. Writers call it so that they never emit a file the parsers refuse.
    pub fn validate(&self, limits: &Limits) -> Result<(), crate::Error> {
        let mut set = crate::collect::FeatureSet::new(limits, self.features.len());
        for (index, feature) in self.features.iter().enumerate() {
            set.admit(
                feature.name.as_str(),
                crate::Position::File,
                None,
                &self.features,
            )
            .map_err(|p| feature_problem(p, index))?;
            if let FeatureType::Str(n) = feature.ty {
                check_string_size(u64::from(n), limits).map_err(|p| feature_problem(p, index))?;
            }
            if let Some(value) = &feature.default {
                check_value(value.as_value_ref(), feature.ty)
                    .map_err(|p| feature_problem(p, index))?;
            }
        }
        set.finish().map_err(|p| p.at(crate::Position::File))
    }
}

/// Errors from [`FeatureFile::validate`] have no position in any input, so they name the
/// feature's index in the message.
fn feature_problem(p: Problem, index: usize) -> crate::Error {
    crate::Error::new(
        p.kind,
        crate::Position::File,
        format!("feature #{index}: {}", p.message),
    )
}

//! The model's rules, as docs/FORMAT.md states them ("The model and its limits"), and the
//! verdict every reference reader gives.
//!
//! The numbers are written here again on purpose, not imported from `botfeat::limits`: a parser
//! whose limit drifts must disagree with the reference.

use std::collections::HashSet;

use botfeat::{ErrorKind, Feature, FeatureFile, FeatureType, Position, Value};

/// Most features in a file.
pub const MAX_FEATURES: usize = 200;
/// Largest file, in every format.
pub const MAX_FILE_SIZE: usize = 1_048_576;
/// Longest name, in bytes.
pub const MAX_NAME_LEN: usize = 64;
/// Largest `N` of `str(N)`.
pub const MAX_STRING_LEN: u64 = 4096;
/// Longest text line, in bytes, without its ending.
pub const MAX_LINE_LEN: usize = 4096;

/// Why a file is refused: the kind and where (a line and column, a row, a byte offset, or the
/// file as a whole).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The error kind the format page names.
    pub kind: ErrorKind,
    /// Where, as the format page positions it.
    pub position: Position,
}

impl Refusal {
    /// A refusal of `kind` at `position`.
    pub fn new(kind: ErrorKind, position: Position) -> Self {
        Refusal { kind, position }
    }
}

/// What a reader must do with an input: accept it as this model, or refuse it.
pub type Verdict = Result<FeatureFile, Refusal>;

/// The names seen so far in a file, to refuse the next feature past the limit and any name seen
/// before, wherever it was (not only the one just before it). A hash set with foldhash's fixed
/// fast hasher: SipHash cost more than the names' own checks, and a sorted Vec searched by
/// halving calls `memcmp` at every step, which libFuzzer intercepts and records.
#[derive(Default)]
pub struct Names {
    seen: HashSet<String, foldhash::fast::FixedState>,
}

impl Names {
    /// The feature about to start would be one too many.
    pub fn check_room(&self) -> Result<(), ErrorKind> {
        if self.seen.len() >= MAX_FEATURES {
            return Err(ErrorKind::TooManyFeatures);
        }
        Ok(())
    }

    /// Room, then the name's length, spelling and uniqueness; admits it.
    pub fn admit(&mut self, name: &str) -> Result<(), ErrorKind> {
        self.check_room()?;
        check_name(name)?;
        if self.seen.contains(name) {
            return Err(ErrorKind::DuplicateName);
        }
        self.seen.insert(name.to_owned());
        Ok(())
    }

    /// How many were admitted.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// `[a-z][a-z0-9_]*`, 1 to 64 bytes; the length is checked first.
pub fn check_name(name: &str) -> Result<(), ErrorKind> {
    if name.len() > MAX_NAME_LEN {
        return Err(ErrorKind::NameTooLong);
    }
    let mut chars = name.chars();
    let first_ok = matches!(chars.next(), Some('a'..='z'));
    if !first_ok || !chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_')) {
        return Err(ErrorKind::BadName);
    }
    Ok(())
}

/// `str(N)` with 1 ≤ N ≤ 4096.
pub fn check_string_size(n: u64) -> Result<u16, ErrorKind> {
    if (1..=MAX_STRING_LEN).contains(&n) {
        u16::try_from(n).map_err(|_| ErrorKind::BadStringSize)
    } else {
        Err(ErrorKind::BadStringSize)
    }
}

/// `PREFIX(N)` (`str(N)`, `FixedString(N)`) with N all decimal digits: the string type, or a bad
/// size; anything else is `not_this` (an unknown type of that format).
pub fn sized_string(
    text: &str,
    prefix: &str,
    not_this: ErrorKind,
) -> Result<FeatureType, ErrorKind> {
    let digits = text
        .strip_prefix(prefix)
        .and_then(|t| t.strip_suffix(')'))
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .ok_or(not_this)?;
    let significant = digits.trim_start_matches('0');
    let n = if significant.len() > 5 {
        u64::MAX
    } else {
        significant.parse().unwrap_or(0)
    };
    check_string_size(n).map(FeatureType::Str)
}

/// A default of the feature's type: the same variant, a finite float, a string within `N`.
pub fn check_value(value: &Value, ty: FeatureType) -> Result<(), ErrorKind> {
    let same_type = matches!(
        (value, ty),
        (Value::Bool(_), FeatureType::Bool)
            | (Value::U8(_), FeatureType::U8)
            | (Value::U16(_), FeatureType::U16)
            | (Value::U32(_), FeatureType::U32)
            | (Value::U64(_), FeatureType::U64)
            | (Value::I64(_), FeatureType::I64)
            | (Value::F32(_), FeatureType::F32)
            | (Value::F64(_), FeatureType::F64)
            | (Value::Ip(_), FeatureType::Ip)
            | (Value::Str(_), FeatureType::Str(_))
    );
    if !same_type {
        return Err(ErrorKind::InvalidValue);
    }
    match (value, ty) {
        (Value::F32(v), _) if !v.is_finite() => Err(ErrorKind::NonFiniteFloat),
        (Value::F64(v), _) if !v.is_finite() => Err(ErrorKind::NonFiniteFloat),
        (Value::Str(s), FeatureType::Str(n)) if s.len() > usize::from(n) => {
            Err(ErrorKind::StringTooLong)
        }
        _ => Ok(()),
    }
}

/// Where [`validate`] found a model invalid: the kind and the index of the feature (`None` for
/// the file as a whole: no features).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelError {
    /// The kind.
    pub kind: ErrorKind,
    /// The feature concerned.
    pub feature: Option<usize>,
}

/// Whether a model is a valid feature file: every rule of the format page, feature by feature in
/// order (room, name, uniqueness, string size, default), then at least one feature.
pub fn validate(file: &FeatureFile) -> Result<(), ModelError> {
    let mut names = Names::default();
    for (index, feature) in file.features.iter().enumerate() {
        check_feature(&mut names, feature).map_err(|kind| ModelError {
            kind,
            feature: Some(index),
        })?;
    }
    if names.is_empty() {
        return Err(ModelError {
            kind: ErrorKind::NoFeatures,
            feature: None,
        });
    }
    Ok(())
}

/// One feature of a model, after those already in `names`.
pub fn check_feature(names: &mut Names, feature: &Feature) -> Result<(), ErrorKind> {
    names.admit(&feature.name)?;
    if let FeatureType::Str(n) = feature.ty {
        check_string_size(u64::from(n))?;
    }
    if let Some(value) = &feature.default {
        check_value(value, feature.ty)?;
    }
    Ok(())
}

/// A non-string value from its text spelling (the text format's `default=`, a JSON string holding
/// it, or a bare JSON literal), as the format page gives it:
/// - `bool`: `true` or `false`;
/// - integers: `-?[0-9]+`, leading zeros allowed, the value must fit (`-0` is 0, so it fits an
///   unsigned type);
/// - floats: `-?(D+(.D*)?|.D+)([eE][+-]?D+)?`, finite once rounded to the type; `nan`, `inf`,
///   `infinity` in any case (and signed) are non-finite;
/// - `ip`: IPv4 dotted quad or IPv6 text form.
pub fn parse_scalar(ty: FeatureType, text: &str) -> Result<Value, ErrorKind> {
    match ty {
        FeatureType::Bool => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(ErrorKind::InvalidValue),
        },
        FeatureType::U8 => {
            unsigned(text, u64::from(u8::MAX)).map(|v| Value::U8(u8::try_from(v).unwrap_or(0)))
        }
        FeatureType::U16 => {
            unsigned(text, u64::from(u16::MAX)).map(|v| Value::U16(u16::try_from(v).unwrap_or(0)))
        }
        FeatureType::U32 => {
            unsigned(text, u64::from(u32::MAX)).map(|v| Value::U32(u32::try_from(v).unwrap_or(0)))
        }
        FeatureType::U64 => unsigned(text, u64::MAX).map(Value::U64),
        FeatureType::I64 => signed(text).map(Value::I64),
        FeatureType::F32 => float(text)?
            .parse::<f32>()
            .map_err(|_| ErrorKind::InvalidValue)
            .and_then(|v| finite(v.is_finite()).map(|()| Value::F32(v))),
        FeatureType::F64 => float(text)?
            .parse::<f64>()
            .map_err(|_| ErrorKind::InvalidValue)
            .and_then(|v| finite(v.is_finite()).map(|()| Value::F64(v))),
        FeatureType::Ip => text
            .parse::<std::net::IpAddr>()
            .map(Value::Ip)
            .map_err(|_| ErrorKind::InvalidValue),
        FeatureType::Str(_) => Err(ErrorKind::InvalidValue),
    }
}

fn finite(ok: bool) -> Result<(), ErrorKind> {
    if ok {
        Ok(())
    } else {
        Err(ErrorKind::NonFiniteFloat)
    }
}

/// `-?[0-9]+` as a sign and a magnitude (at most 2^64 + something, saturated above u64::MAX).
fn integer(text: &str) -> Result<(bool, u128), ErrorKind> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ErrorKind::InvalidValue);
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > 20 {
        return Ok((negative, u128::MAX));
    }
    let mut magnitude = 0u128;
    for b in significant.bytes() {
        magnitude = magnitude
            .saturating_mul(10)
            .saturating_add(u128::from(b.saturating_sub(b'0')));
    }
    Ok((negative, magnitude))
}

fn unsigned(text: &str, max: u64) -> Result<u64, ErrorKind> {
    match integer(text)? {
        (_, 0) => Ok(0),
        (true, _) => Err(ErrorKind::ValueOutOfRange),
        (false, m) if m <= u128::from(max) => {
            u64::try_from(m).map_err(|_| ErrorKind::ValueOutOfRange)
        }
        _ => Err(ErrorKind::ValueOutOfRange),
    }
}

fn signed(text: &str) -> Result<i64, ErrorKind> {
    let (negative, m) = integer(text)?;
    let limit = if negative {
        1u128 << 63
    } else {
        (1u128 << 63).saturating_sub(1)
    };
    if m > limit {
        return Err(ErrorKind::ValueOutOfRange);
    }
    let m = i128::try_from(m).map_err(|_| ErrorKind::ValueOutOfRange)?;
    i64::try_from(if negative { m.saturating_neg() } else { m })
        .map_err(|_| ErrorKind::ValueOutOfRange)
}

/// Checks the float grammar; returns the text to convert.
fn float(text: &str) -> Result<&str, ErrorKind> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    if ["nan", "inf", "infinity"]
        .iter()
        .any(|s| unsigned.eq_ignore_ascii_case(s))
    {
        return Err(ErrorKind::NonFiniteFloat);
    }
    let b = unsigned.as_bytes();
    let mut i = 0usize;
    let digits_from = |i: usize| b.iter().skip(i).take_while(|c| c.is_ascii_digit()).count();
    let int_digits = digits_from(i);
    i = i.saturating_add(int_digits);
    let mut frac_digits = 0usize;
    let mut dot = false;
    if b.get(i) == Some(&b'.') {
        dot = true;
        i = i.saturating_add(1);
        frac_digits = digits_from(i);
        i = i.saturating_add(frac_digits);
    }
    // D+(.D*)? or .D+
    let mantissa = int_digits > 0 || (dot && frac_digits > 0);
    if !mantissa {
        return Err(ErrorKind::InvalidValue);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i = i.saturating_add(1);
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i = i.saturating_add(1);
        }
        let exp_digits = digits_from(i);
        if exp_digits == 0 {
            return Err(ErrorKind::InvalidValue);
        }
        i = i.saturating_add(exp_digits);
    }
    if i != b.len() {
        return Err(ErrorKind::InvalidValue);
    }
    Ok(text)
}

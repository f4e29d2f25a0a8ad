//! Reading and writing scalar values as text, shared by the text format and JSON rows so that
//! both accept exactly the same spellings.

use std::fmt::Write as _;
use std::net::IpAddr;

use crate::error::{ErrorKind, Problem};
use crate::model::{FeatureType, Value};
use crate::validate::non_finite;

/// Reads a value of any non-string type from its text spelling.
pub(crate) fn parse_scalar(ty: FeatureType, text: &str) -> Result<Value, Problem> {
    match ty {
        FeatureType::Bool => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(invalid(ty, text, "true or false")),
        },
        FeatureType::U8 => parse_int(ty, text).map(Value::U8),
        FeatureType::U16 => parse_int(ty, text).map(Value::U16),
        FeatureType::U32 => parse_int(ty, text).map(Value::U32),
        FeatureType::U64 => parse_int(ty, text).map(Value::U64),
        FeatureType::I64 => parse_int(ty, text).map(Value::I64),
        FeatureType::F32 => parse_float::<f32>(ty, text).map(Value::F32),
        FeatureType::F64 => parse_float::<f64>(ty, text).map(Value::F64),
        FeatureType::Ip => text.parse::<IpAddr>().map(Value::Ip).map_err(|_| {
            invalid(
                ty,
                text,
                "an IPv4 address (1.2.3.4) or an IPv6 address (::1)",
            )
        }),
        FeatureType::Str(_) => Err(invalid(ty, text, "a quoted string")),
    }
}

trait Int: std::str::FromStr + std::fmt::Display {
    const MIN: Self;
    const MAX: Self;
}
macro_rules! int {
    ($($t:ty)*) => {$(impl Int for $t { const MIN: Self = <$t>::MIN; const MAX: Self = <$t>::MAX; })*};
}
int!(u8 u16 u32 u64 i64);

/// Integers are decimal, `-?[0-9]+`: no `+`, no hex, no `_`; they must fit without wrapping or
/// saturating.
fn parse_int<T: Int>(ty: FeatureType, text: &str) -> Result<T, Problem> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            ty,
            text,
            &format!("an integer from {} to {}", T::MIN, T::MAX),
        ));
    }
    // `-0` is 0, which every integer type holds: Rust's parser refuses a sign on an unsigned
    // type, so an all-zero magnitude is read without it.
    let text = if digits.bytes().all(|b| b == b'0') {
        "0"
    } else {
        text
    };
    text.parse::<T>().map_err(|_| {
        Problem::new(
            ErrorKind::ValueOutOfRange,
            format!(
                "{} is out of range for {ty}: expected an integer from {} to {}",
                crate::shown::cut(text),
                T::MIN,
                T::MAX
            ),
        )
    })
}

trait Float: std::str::FromStr {
    fn finite(&self) -> bool;
}
impl Float for f32 {
    fn finite(&self) -> bool {
        self.is_finite()
    }
}
impl Float for f64 {
    fn finite(&self) -> bool {
        self.is_finite()
    }
}

/// Floats are `-?(D+(.D*)?|.D+)([eE][+-]?D+)?`, parsed straight into the target type (no detour
/// through f64 for f32, which could round twice). A value that overflows the type is refused as
/// non-finite, as are the spellings of NaN and infinity.
fn parse_float<T: Float>(ty: FeatureType, text: &str) -> Result<T, Problem> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let lower = unsigned.to_ascii_lowercase();
    if matches!(lower.as_str(), "nan" | "inf" | "infinity") {
        return Err(non_finite(ty));
    }
    if !is_float_syntax(unsigned.as_bytes()) {
        return Err(invalid(
            ty,
            text,
            "a decimal number such as 0.5, -3 or 1e-7",
        ));
    }
    match text.parse::<T>() {
        Ok(v) if v.finite() => Ok(v),
        Ok(_) => Err(non_finite(ty)),
        Err(_) => Err(invalid(
            ty,
            text,
            "a decimal number such as 0.5, -3 or 1e-7",
        )),
    }
}

fn is_float_syntax(s: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let int_len = digits(s);
    // Each `get` below cuts after digits just counted, so it is always in range; were it not,
    // the text is refused rather than judged on what is left.
    let Some(rest) = s.get(int_len..) else {
        return false;
    };
    let (frac_len, rest) = match rest.split_first() {
        Some((b'.', after)) => {
            let n = digits(after);
            let Some(rest) = after.get(n..) else {
                return false;
            };
            (Some(n), rest)
        }
        _ => (None, rest),
    };
    let mantissa_ok = int_len > 0 || frac_len.is_some_and(|n| n > 0);
    let rest = match rest.split_first() {
        Some((b'e' | b'E', after)) => {
            let after = match after.split_first() {
                Some((b'+' | b'-', a)) => a,
                _ => after,
            };
            let n = digits(after);
            if n == 0 {
                return false;
            }
            let Some(rest) = after.get(n..) else {
                return false;
            };
            rest
        }
        _ => rest,
    };
    mantissa_ok && rest.is_empty()
}

#[cold]
fn invalid(ty: FeatureType, text: &str, expected: &str) -> Problem {
    Problem::new(
        ErrorKind::InvalidValue,
        format!(
            "{:?} is not a {ty} value: expected {expected}",
            crate::shown::cut(text)
        ),
    )
}

/// Writes a scalar in its canonical spelling: floats in the shortest form that reads back to the
/// same bits (`-0.0` stays `-0.0`). Strings are the caller's business (each format quotes its own).
pub(crate) fn write_scalar(out: &mut String, value: &Value) {
    // Writing into a String cannot fail.
    let _ = match value {
        Value::Bool(v) => write!(out, "{v}"),
        Value::U8(v) => write!(out, "{v}"),
        Value::U16(v) => write!(out, "{v}"),
        Value::U32(v) => write!(out, "{v}"),
        Value::U64(v) => write!(out, "{v}"),
        Value::I64(v) => write!(out, "{v}"),
        Value::F32(v) => write!(out, "{v:?}"),
        Value::F64(v) => write!(out, "{v:?}"),
        Value::Ip(v) => write!(out, "{v}"),
        Value::Str(v) => write!(out, "{v}"),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_need_digits_and_minus_zero_is_zero() {
        for ty in [FeatureType::U8, FeatureType::U64, FeatureType::I64] {
            for bad in ["", "-", "+1", "1_0", "0x1", " 1", "1 ", "--1", "1-"] {
                let e = parse_scalar(ty, bad).unwrap_err();
                assert_eq!(e.kind, ErrorKind::InvalidValue, "{ty} {bad:?}");
            }
        }
        assert_eq!(parse_scalar(FeatureType::U8, "-000").unwrap(), Value::U8(0));
        assert_eq!(
            parse_scalar(FeatureType::U8, "0255").unwrap(),
            Value::U8(255)
        );
        assert_eq!(
            parse_scalar(FeatureType::U8, "-1").unwrap_err().kind,
            ErrorKind::ValueOutOfRange
        );
        assert_eq!(
            parse_scalar(FeatureType::I64, "-9223372036854775808").unwrap(),
            Value::I64(i64::MIN)
        );
    }

    #[test]
    fn float_syntax() {
        for ok in ["0", "-0.0", "1.", ".5", "1e5", "1E-5", "2.5e+3", "123"] {
            assert!(
                is_float_syntax(ok.trim_start_matches('-').as_bytes()),
                "{ok}"
            );
        }
        for bad in [
            "", ".", "e5", "1e", "1e+", "1.2.3", "0x10", "1_0", "+1", " 1",
        ] {
            assert!(!is_float_syntax(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn shortest_float_spelling_reads_back_to_the_same_bits() {
        for v in [0.1f32, -0.0, f32::MAX, f32::MIN_POSITIVE, 1e-45, 16777217.0] {
            let mut s = String::new();
            write_scalar(&mut s, &Value::F32(v));
            assert_eq!(
                parse_scalar(FeatureType::F32, &s).unwrap(),
                Value::F32(v),
                "{s}"
            );
        }
    }
}

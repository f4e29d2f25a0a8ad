//! ClickHouse `JSONEachRow` rows, as the feature-file generator's query emits them:
//! `SELECT name, type FROM system.columns WHERE table = 'http_requests_features'
//! ORDER BY name FORMAT JSONEachRow`.
//!
//! The serial is not in the rows; the caller supplies it.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{Error, ErrorKind, Position, Problem};
use crate::limits::Limits;
use crate::model::{Feature, FeatureFile, FeatureType, Value};
use crate::scalar::{parse_scalar, write_scalar};
use crate::validate::FeatureSet;
use crate::validate::{check_string_len, check_string_size};

/// One row. Keys other than these are refused (`deny_unknown_fields`), so a renamed or added
/// column in the generator's query is caught, not ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Row<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    ty: Cow<'a, str>,
    #[serde(borrow, default)]
    database: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    #[allow(dead_code)] // informational: read so that it is an allowed key
    table: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    default: Option<&'a RawValue>,
}

/// Reads JSONEachRow under the default limits; the file gets `serial`.
pub fn parse(input: &[u8], serial: u64) -> Result<FeatureFile, Error> {
    parse_with(input, serial, &Limits::DEFAULT)
}

/// Reads JSONEachRow under `limits`; the file gets `serial`.
///
/// Rows are numbered by line, from 1; blank lines are skipped (but counted).
pub fn parse_with(input: &[u8], serial: u64, limits: &Limits) -> Result<FeatureFile, Error> {
    if input.len() > limits.max_file_size {
        return Err(Error::file_too_large(
            crate::error::len64(input.len()),
            limits,
        ));
    }
    // One row a line: the line count (bounded by the limit) sizes what is reserved.
    let rows = memchr::memchr_iter(b'\n', input)
        .count()
        .saturating_add(1)
        .min(limits.max_features);
    let mut set = FeatureSet::new(limits, rows);
    let mut features = Vec::with_capacity(rows);
    let mut last_row = 0u64;
    // memchr finds the line ends a word at a time; a byte-by-byte split was a tenth of the time.
    let ends = memchr::memchr_iter(b'\n', input).chain(std::iter::once(input.len()));
    let mut line_start = 0usize;
    for (index, end) in ends.enumerate() {
        let row = u64::try_from(index).unwrap_or(u64::MAX).saturating_add(1);
        // The line ends come from memchr over this input: always in range. Were they not, the
        // row is refused, not skipped.
        let raw = input.get(line_start..end).ok_or_else(|| {
            Error::internal(Position::Row(row), "a row's bounds are outside the input")
        })?;
        line_start = end.saturating_add(1);
        last_row = row;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let at = Position::Row(row);
        // The 201st row is refused before it is even decoded.
        set.check_room().map_err(|p| p.at(at))?;
        if index == 0 && line.starts_with(super::BOM) {
            return Err(Error::new(
                ErrorKind::Syntax,
                at,
                "the file starts with a UTF-8 byte order mark (U+FEFF): expected `{`; save it without the mark",
            ));
        }
        // serde's derived reader also takes a struct from a JSON array of its fields in order;
        // a row is an object, so an array is refused as the wrong type of value.
        if line
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            == Some(&b'[')
        {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                at,
                "found a JSON array: expected one JSON object per line",
            ));
        }
        let parsed: Row<'_> = serde_json::from_slice(line).map_err(|e| json_error(&e, at))?;
        // Name, then type, then default: the order every format checks a feature in, so the
        // same bad model gets the same error kind from each.
        let name = crate::Name::from(&*parsed.name);
        set.admit(&parsed.name, at, parsed.database, &features)
            .map_err(|p| p.at(at))?;
        let ty = clickhouse_type(&parsed.ty, limits).map_err(|p| p.at(at))?;
        let default = match parsed.default {
            None => None,
            Some(raw) => json_default(ty, raw).map_err(|p| p.at(at))?,
        };
        features.push(Feature { name, ty, default });
    }
    set.finish()
        .map_err(|p| p.at(Position::Row(last_row.max(1))))?;
    Ok(FeatureFile { serial, features })
}

/// Maps a ClickHouse column type to a feature type.
///
/// `LowCardinality(T)` and `Nullable(T)` unwrap to `T` (in a loop: no recursion on input).
pub fn clickhouse_type_of(name: &str) -> Result<FeatureType, Error> {
    clickhouse_type(name, &Limits::DEFAULT).map_err(|p| p.at(Position::File))
}

fn clickhouse_type(name: &str, limits: &Limits) -> Result<FeatureType, Problem> {
    // Exactly as ClickHouse spells types: no spaces (docs/FORMAT.md), so `"UInt8 "` is refused
    // rather than guessed at.
    let mut inner = name;
    loop {
        let unwrapped = ["LowCardinality(", "Nullable("]
            .iter()
            .find_map(|w| inner.strip_prefix(w).and_then(|t| t.strip_suffix(')')));
        match unwrapped {
            Some(t) => inner = t,
            None => break,
        }
    }
    Ok(match inner {
        "Bool" => FeatureType::Bool,
        "UInt8" => FeatureType::U8,
        "UInt16" => FeatureType::U16,
        "UInt32" => FeatureType::U32,
        "UInt64" => FeatureType::U64,
        "Int64" => FeatureType::I64,
        "Float32" => FeatureType::F32,
        "Float64" => FeatureType::F64,
        "IPv4" | "IPv6" => FeatureType::Ip,
        // The format fixes what `String` means; the limits only decide whether it is allowed.
        "String" => FeatureType::Str(check_string_size(
            u64::try_from(crate::limits::MAX_STRING_LEN).unwrap_or(u64::MAX),
            limits,
        )?),
        _ => match inner
            .strip_prefix("FixedString(")
            .and_then(|t| t.strip_suffix(')'))
        {
            Some(d) if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()) => FeatureType::Str(
                check_string_size(d.parse::<u64>().unwrap_or(u64::MAX), limits)?,
            ),
            _ => {
                return Err(Problem::new(
                    ErrorKind::UnsupportedClickHouseType,
                    format!(
                        "unsupported ClickHouse type `{}`: expected Bool, UInt8, UInt16, UInt32, UInt64, Int64, Float32, Float64, IPv4, IPv6, String or FixedString(N), optionally in LowCardinality(…) or Nullable(…)",
                        crate::shown::cut(name)
                    ),
                ));
            }
        },
    })
}

/// A default is the JSON value of its type, or a JSON string holding the text-format spelling
/// (ClickHouse quotes 64-bit integers by default). Numbers are read from their JSON text, not via
/// f64, so `UInt64` and `f32` defaults are exact. `null` means no default.
fn json_default(ty: FeatureType, raw: &RawValue) -> Result<Option<Value>, Problem> {
    let text = raw.get();
    if text == "null" {
        return Ok(None);
    }
    if text.starts_with('"') {
        // Borrowed when the string has no escapes (the common case), decoded otherwise.
        let s: Cow<'_, str> = match serde_json::from_str::<&str>(text) {
            Ok(borrowed) => Cow::Borrowed(borrowed),
            Err(_) => Cow::Owned(serde_json::from_str::<String>(text).map_err(|e| {
                Problem::new(
                    ErrorKind::Syntax,
                    format!("bad JSON string in `default`: {e}"),
                )
            })?),
        };
        return match ty {
            FeatureType::Str(n) => {
                check_string_len(&s, n)?;
                Ok(Some(Value::Str(s.into_owned())))
            }
            _ => parse_scalar(ty, &s).map(Some),
        };
    }
    match ty {
        FeatureType::Str(n) => Err(Problem::new(
            ErrorKind::InvalidValue,
            format!(
                "`default` of a str({n}) feature must be a JSON string, found {}",
                crate::shown::cut(text)
            ),
        )),
        _ => parse_scalar(ty, text).map(Some),
    }
}

fn json_error(e: &serde_json::Error, at: Position) -> Error {
    // Each row is parsed alone, so serde_json's "at line 1 column N" would mislead: keep the column.
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(cut) => format!(
            "{} (column {})",
            full.get(..cut).unwrap_or(&full),
            e.column()
        ),
        None => full,
    };
    // serde words these through `de::Error::unknown_field` / `missing_field`; the wording is
    // serde's own and stable.
    if message.starts_with("duplicate field") {
        return Error::new(
            ErrorKind::InvalidValue,
            at,
            format!("{message}: each key may appear once in a row"),
        );
    }
    let kind = if message.starts_with("unknown field") {
        ErrorKind::UnknownKey
    } else if message.starts_with("missing field") {
        ErrorKind::MissingKey
    } else if e.is_data() {
        ErrorKind::InvalidValue
    } else {
        ErrorKind::Syntax
    };
    let expected = match kind {
        ErrorKind::UnknownKey | ErrorKind::MissingKey => {
            "; a row has keys `name` and `type`, and optionally `database`, `table` and `default`"
        }
        _ => "; expected one JSON object per line",
    };
    Error::new(kind, at, format!("{message}{expected}"))
}

/// Writes a valid `file` as JSONEachRow rows, one per feature, each with `database` (when given)
/// and the ClickHouse type, as the generator's query emits them; refuses a file that
/// [`FeatureFile::validate`] refuses. The serial is not written: rows do not carry it.
pub fn write(file: &FeatureFile, database: Option<&str>) -> Result<String, Error> {
    file.validate(&Limits::DEFAULT)?;
    Ok(write_any(file, database))
}

/// [`write`] without validating: the hostile writer tests use. Test-only API: feature `testing`.
#[cfg(feature = "testing")]
pub fn write_unchecked(file: &FeatureFile, database: Option<&str>) -> String {
    write_any(file, database)
}

fn write_any(file: &FeatureFile, database: Option<&str>) -> String {
    let mut out = String::new();
    for feature in &file.features {
        out.push_str("{\"name\":");
        push_json_string(&mut out, &feature.name);
        let _ = write!(out, ",\"type\":\"{}\"", clickhouse_name(feature.ty));
        if let Some(db) = database {
            out.push_str(",\"database\":");
            push_json_string(&mut out, db);
        }
        if let Some(value) = &feature.default {
            out.push_str(",\"default\":");
            match value {
                Value::Str(s) => push_json_string(&mut out, s),
                Value::Bool(_) => write_scalar(&mut out, value),
                // Quoted: exact for 64-bit integers and floats, as ClickHouse does.
                other => {
                    let mut text = String::new();
                    write_scalar(&mut text, other);
                    push_json_string(&mut out, &text);
                }
            }
        }
        out.push_str("}\n");
    }
    out
}

fn push_json_string(out: &mut String, s: &str) {
    // JSON escapes only `"`, `\` and control characters below 0x20 (serde_json escapes exactly
    // those): a string without them is written as is, the rest by serde_json.
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    // Serializing a str to JSON cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// The ClickHouse column type that maps to `ty`.
pub fn clickhouse_name(ty: FeatureType) -> String {
    match ty {
        FeatureType::Bool => "Bool".into(),
        FeatureType::U8 => "UInt8".into(),
        FeatureType::U16 => "UInt16".into(),
        FeatureType::U32 => "UInt32".into(),
        FeatureType::U64 => "UInt64".into(),
        FeatureType::I64 => "Int64".into(),
        FeatureType::F32 => "Float32".into(),
        FeatureType::F64 => "Float64".into(),
        FeatureType::Ip => "IPv6".into(),
        FeatureType::Str(n) => format!("FixedString({n})"),
    }
}

#[cfg(test)]
mod tests {
    use super::push_json_string;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for s in [
            "",
            "plain",
            "t13d1516h2_8daaf6152771",
            "quote \" backslash \\",
            "tab\tnewline\n\u{1}\u{1f}",
            "del \u{7f} c1 \u{85} é ✓ 😀",
        ] {
            let mut out = String::new();
            push_json_string(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }
}

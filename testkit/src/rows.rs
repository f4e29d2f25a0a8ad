//! ClickHouse JSONEachRow rows from docs/FORMAT.md: a reference reader and a writer that spells
//! numbers both ways ClickHouse does (bare, or quoted as 64-bit integers are by default) and
//! types with or without `LowCardinality(…)`/`Nullable(…)`.
//!
//! A row is read as a streaming JSON reader meets it: the object's keys in order, each checked
//! when it is read (an unknown key, a key given twice, a `name` or `type` that is not a string),
//! the missing keys at the closing brace, then what follows the object. Then, as in every format,
//! the name, the type and the default, in that order.

use std::fmt::Write as _;

use botfeat::{ErrorKind, Feature, FeatureFile, FeatureType, Position, Value};

use crate::json::Reader;
use crate::spec::{self, MAX_FILE_SIZE, MAX_STRING_LEN, Names, Refusal, Verdict};

/// One row's fields.
#[derive(Default)]
struct Row {
    name: Option<String>,
    ty: Option<String>,
    database: Option<Option<String>>,
    table: Option<Option<String>>,
    /// Given (`Some`), and then `None` for `null`, or the raw JSON text.
    default: Option<Option<String>>,
}

/// What a reader of `input` must do with it, the file getting `serial`.
pub fn read(input: &[u8], serial: u64) -> Verdict {
    if input.len() > MAX_FILE_SIZE {
        return Err(Refusal::new(ErrorKind::FileTooLarge, Position::File));
    }
    let mut names = Names::default();
    let mut features = Vec::new();
    let mut last = 1u64;
    for (index, raw) in input.split(|&b| b == b'\n').enumerate() {
        let row = u64::try_from(index).unwrap_or(u64::MAX).saturating_add(1);
        last = row;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        // Blank: nothing but ASCII whitespace (space, tab, CR, LF, form feed).
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let at = |kind| Refusal::new(kind, Position::Row(row));
        names.check_room().map_err(at)?;
        let fields = read_row(line).map_err(at)?;
        let (Some(name), Some(ty)) = (fields.name, fields.ty) else {
            return Err(at(ErrorKind::MissingKey));
        };
        names.admit(&name).map_err(at)?;
        let ty = clickhouse_type(&ty).map_err(at)?;
        let default = match fields.default.flatten() {
            None => None,
            Some(raw) => Some(default(ty, &raw).map_err(at)?),
        };
        features.push(Feature {
            name: name.into(),
            ty,
            default,
        });
    }
    if names.is_empty() {
        return Err(Refusal::new(ErrorKind::NoFeatures, Position::Row(last)));
    }
    Ok(FeatureFile { serial, features })
}

fn syntax(_: crate::json::Fault) -> ErrorKind {
    ErrorKind::Syntax
}

/// A JSON value where a string is wanted: a string; an array or object is the wrong type without
/// reading further; any other well-formed scalar is the wrong type; anything else is not JSON.
fn string_field(r: &mut Reader<'_>) -> Result<String, ErrorKind> {
    r.ws();
    match r.peek() {
        Some(b'"') => r.string(true).map_err(syntax),
        Some(b'[' | b'{') => Err(ErrorKind::InvalidValue),
        Some(b'-' | b'0'..=b'9') => {
            let n = r.number().map_err(syntax)?;
            // A number too large for a double is refused as malformed before its type is seen.
            if n.parse::<f64>().is_ok_and(f64::is_infinite) {
                return Err(ErrorKind::Syntax);
            }
            Err(ErrorKind::InvalidValue)
        }
        _ => {
            r.word().map_err(syntax)?;
            Err(ErrorKind::InvalidValue)
        }
    }
}

/// `null`, or a string.
fn optional_string(r: &mut Reader<'_>) -> Result<Option<String>, ErrorKind> {
    r.ws();
    if r.peek() == Some(b'n') {
        r.word().map_err(syntax)?;
        // `n` that spelled `null`: anything else starting with `n` fails `word`.
        return Ok(None);
    }
    string_field(r).map(Some)
}

fn read_row(line: &[u8]) -> Result<Row, ErrorKind> {
    let mut r = Reader::new(line);
    r.ws();
    match r.peek() {
        Some(b'{') => {}
        // Not an object: a row is refused as the wrong type of value (arrays included: a row
        // is an object, not a list of columns), or as not JSON.
        None => return Err(ErrorKind::Syntax),
        Some(_) => return string_field(&mut r).and(Err(ErrorKind::InvalidValue)),
    }
    r.eat(b'{').map_err(syntax)?;
    let mut row = Row::default();
    r.ws();
    if r.peek() == Some(b'}') {
        r.eat(b'}').map_err(syntax)?;
    } else {
        loop {
            r.ws();
            if r.peek() != Some(b'"') {
                return Err(ErrorKind::Syntax);
            }
            let key = r.string(true).map_err(syntax)?;
            let given = match key.as_str() {
                "name" => row.name.is_some(),
                "type" => row.ty.is_some(),
                "database" => row.database.is_some(),
                "table" => row.table.is_some(),
                "default" => row.default.is_some(),
                _ => return Err(ErrorKind::UnknownKey),
            };
            if given {
                // A key given twice.
                return Err(ErrorKind::InvalidValue);
            }
            r.ws();
            r.eat(b':').map_err(syntax)?;
            match key.as_str() {
                "name" => row.name = Some(string_field(&mut r)?),
                "type" => row.ty = Some(string_field(&mut r)?),
                "database" => row.database = Some(optional_string(&mut r)?),
                "table" => row.table = Some(optional_string(&mut r)?),
                _ => {
                    r.ws();
                    row.default = Some(if r.peek() == Some(b'n') {
                        r.word().map_err(syntax)?;
                        None
                    } else {
                        let raw = r.raw_value().map_err(syntax)?;
                        Some(String::from_utf8_lossy(raw).into_owned())
                    });
                }
            }
            r.ws();
            match r.peek() {
                Some(b',') => r.eat(b',').map_err(syntax)?,
                Some(b'}') => {
                    r.eat(b'}').map_err(syntax)?;
                    break;
                }
                _ => return Err(ErrorKind::Syntax),
            }
        }
    }
    if row.name.is_none() || row.ty.is_none() {
        return Err(ErrorKind::MissingKey);
    }
    r.ws();
    if r.peek().is_some() {
        return Err(ErrorKind::Syntax);
    }
    Ok(row)
}

/// The type mapping of the format page. `LowCardinality(T)` and `Nullable(T)` in any order and
/// depth map to `T`; no spaces anywhere.
fn clickhouse_type(text: &str) -> Result<FeatureType, ErrorKind> {
    let mut t = text;
    loop {
        if let Some(inner) = t
            .strip_prefix("LowCardinality(")
            .and_then(|x| x.strip_suffix(')'))
        {
            t = inner;
        } else if let Some(inner) = t
            .strip_prefix("Nullable(")
            .and_then(|x| x.strip_suffix(')'))
        {
            t = inner;
        } else {
            break;
        }
    }
    Ok(match t {
        "Bool" => FeatureType::Bool,
        "UInt8" => FeatureType::U8,
        "UInt16" => FeatureType::U16,
        "UInt32" => FeatureType::U32,
        "UInt64" => FeatureType::U64,
        "Int64" => FeatureType::I64,
        "Float32" => FeatureType::F32,
        "Float64" => FeatureType::F64,
        "IPv4" | "IPv6" => FeatureType::Ip,
        "String" => FeatureType::Str(u16::try_from(MAX_STRING_LEN).unwrap_or(4096)),
        _ => spec::sized_string(t, "FixedString(", ErrorKind::UnsupportedClickHouseType)?,
    })
}

/// A default from its raw JSON: a string holds the value (for `str(N)`) or its text spelling;
/// anything else is the text spelling itself, and not allowed for `str(N)`.
fn default(ty: FeatureType, raw: &str) -> Result<Value, ErrorKind> {
    if raw.starts_with('"') {
        let mut r = Reader::new(raw.as_bytes());
        let s = r.string(true).map_err(syntax)?;
        return match ty {
            FeatureType::Str(n) if s.len() > usize::from(n) => Err(ErrorKind::StringTooLong),
            FeatureType::Str(_) => Ok(Value::Str(s)),
            _ => spec::parse_scalar(ty, &s),
        };
    }
    match ty {
        FeatureType::Str(_) => Err(ErrorKind::InvalidValue),
        _ => spec::parse_scalar(ty, raw),
    }
}

/// How the writer spells a row.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// Numbers as bare JSON numbers (`255`) instead of quoted (`"255"`).
    pub bare_numbers: bool,
    /// Types wrapped in `LowCardinality(…)` (and `Nullable(…)` around that), and `str(4096)`
    /// written as `String`.
    pub wrapped_types: bool,
    /// Each row with `"database":"default"` and `"table":…` as the generator's query emits.
    pub database: bool,
}

/// A JSON string literal: quote and backslash escaped, the short escapes for backspace, form
/// feed, LF, CR and tab, `\\u00xx` for the other control characters, everything else as is.
pub fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The ClickHouse type of `ty`.
pub fn clickhouse_name(ty: FeatureType, style: Style) -> String {
    let base = match ty {
        FeatureType::Bool => "Bool".to_string(),
        FeatureType::U8 => "UInt8".into(),
        FeatureType::U16 => "UInt16".into(),
        FeatureType::U32 => "UInt32".into(),
        FeatureType::U64 => "UInt64".into(),
        FeatureType::I64 => "Int64".into(),
        FeatureType::F32 => "Float32".into(),
        FeatureType::F64 => "Float64".into(),
        FeatureType::Ip => "IPv6".into(),
        FeatureType::Str(4096) if style.wrapped_types => "String".into(),
        FeatureType::Str(n) => format!("FixedString({n})"),
    };
    if style.wrapped_types {
        format!("Nullable(LowCardinality({base}))")
    } else {
        base
    }
}

/// Any model as rows (the serial is not written: rows do not carry it).
pub fn write(file: &FeatureFile, style: Style) -> String {
    let mut out = String::new();
    for f in &file.features {
        let _ = write!(
            out,
            "{{\"name\":{},\"type\":{}",
            json_string(&f.name),
            json_string(&clickhouse_name(f.ty, style))
        );
        if style.database {
            out.push_str(",\"database\":\"default\",\"table\":\"http_requests_features\"");
        }
        if let Some(v) = &f.default {
            let spelled = crate::text::spell(v);
            let literal = match v {
                Value::Str(s) => json_string(s),
                Value::Bool(_) => spelled,
                Value::Ip(_) => json_string(&spelled),
                _ if style.bare_numbers => spelled,
                _ => json_string(&spelled),
            };
            let _ = write!(out, ",\"default\":{literal}");
        }
        out.push_str("}\n");
    }
    out
}

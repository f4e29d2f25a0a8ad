//! The text format (`.features`) from docs/FORMAT.md: a reference reader and the canonical
//! writer.
//!
//! The reader goes line by line and, within a line, token by token, checking each piece when it
//! is reached — the order the format page's rules come in. So for a line with two faults the
//! earlier piece's fault is the one reported.

use std::fmt::Write as _;

use botfeat::{ErrorKind, Feature, FeatureFile, FeatureType, Position, Value};

use crate::spec::{self, MAX_FILE_SIZE, MAX_LINE_LEN, Names, Refusal, Verdict};

/// A refusal at byte `byte` of line `line` (whose text is `text`): the column counts characters.
fn refusal(kind: ErrorKind, line: usize, text: &str, byte: usize) -> Refusal {
    let before = text.get(..byte).map_or(byte, |s| s.chars().count());
    Refusal::new(
        kind,
        Position::LineCol {
            line: u64::try_from(line).unwrap_or(u64::MAX),
            column: u64::try_from(before.saturating_add(1)).unwrap_or(u64::MAX),
        },
    )
}

/// What a reader of `input` must do, decided from the format page.
pub fn read(input: &[u8]) -> Verdict {
    if input.len() > MAX_FILE_SIZE {
        return Err(Refusal::new(ErrorKind::FileTooLarge, Position::File));
    }
    let text = match std::str::from_utf8(input) {
        Ok(t) => t,
        Err(e) => {
            let bad = e.valid_up_to();
            let before = input.get(..bad).unwrap_or_default();
            let line = before
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                .saturating_add(1);
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p.saturating_add(1));
            // Everything before the bad byte is valid UTF-8.
            let prefix =
                std::str::from_utf8(input.get(line_start..bad).unwrap_or_default()).unwrap_or("");
            return Err(refusal(ErrorKind::InvalidUtf8, line, prefix, prefix.len()));
        }
    };
    let mut serial: Option<u64> = None;
    let mut header = false;
    let mut names = Names::default();
    let mut features = Vec::new();
    let mut last = 1usize;
    for (index, raw) in text.split('\n').enumerate() {
        let number = index.saturating_add(1);
        last = number;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.len() > MAX_LINE_LEN {
            return Err(refusal(ErrorKind::LineTooLong, number, line, 0));
        }
        let err = |kind: ErrorKind, byte: usize| refusal(kind, number, line, byte);
        let mut tokens = Tokens { line, pos: 0 };
        let Some((keyword, kw_at)) = tokens.next().map_err(|(k, at)| err(k, at))? else {
            continue;
        };
        match (header, serial, keyword) {
            (false, _, "botfeat") => {
                let (version, v_at) = tokens.expect().map_err(|(k, at)| err(k, at))?;
                if version != "1" {
                    let kind = if version.bytes().all(|b| b.is_ascii_digit()) {
                        ErrorKind::UnsupportedVersion
                    } else {
                        ErrorKind::Syntax
                    };
                    return Err(err(kind, v_at));
                }
                tokens.end().map_err(|(k, at)| err(k, at))?;
                header = true;
            }
            (false, _, _) => return Err(err(ErrorKind::Syntax, kw_at)),
            (true, None, "serial") => {
                let (s, s_at) = tokens.expect().map_err(|(k, at)| err(k, at))?;
                let Value::U64(s) =
                    spec::parse_scalar(FeatureType::U64, s).map_err(|k| err(k, s_at))?
                else {
                    return Err(err(ErrorKind::Syntax, s_at));
                };
                tokens.end().map_err(|(k, at)| err(k, at))?;
                serial = Some(s);
            }
            (true, None, "feature") => return Err(err(ErrorKind::MissingSerial, kw_at)),
            (true, Some(_), "feature") => {
                names.check_room().map_err(|k| err(k, kw_at))?;
                let (name, name_at) = tokens.expect().map_err(|(k, at)| err(k, at))?;
                names.admit(name).map_err(|k| err(k, name_at))?;
                let (ty, ty_at) = tokens.expect().map_err(|(k, at)| err(k, at))?;
                let ty = parse_type(ty).map_err(|k| err(k, ty_at))?;
                let default = match tokens.next().map_err(|(k, at)| err(k, at))? {
                    None => None,
                    Some((token, at)) => {
                        let Some(value) = token.strip_prefix("default=") else {
                            return Err(err(ErrorKind::Syntax, at));
                        };
                        let value_at = at.saturating_add("default=".len());
                        let value = parse_default(ty, value)
                            .map_err(|(k, off)| err(k, value_at.saturating_add(off)))?;
                        tokens.end().map_err(|(k, at)| err(k, at))?;
                        Some(value)
                    }
                };
                features.push(Feature {
                    name: name.into(),
                    ty,
                    default,
                });
            }
            // `botfeat` again, `serial` again, or any other word.
            (true, _, _) => return Err(err(ErrorKind::Syntax, kw_at)),
        }
    }
    let end = |kind| Err(refusal(kind, last, "", 0));
    match (header, serial) {
        (false, _) => end(ErrorKind::Syntax),
        (true, None) => end(ErrorKind::MissingSerial),
        (true, Some(_)) if features.is_empty() => end(ErrorKind::NoFeatures),
        (true, Some(serial)) => Ok(FeatureFile { serial, features }),
    }
}

/// `bool u8 u16 u32 u64 i64 f32 f64 ip str(N)`; `str(` digits `)` with a bad N is a bad size,
/// anything else an unknown type.
fn parse_type(text: &str) -> Result<FeatureType, ErrorKind> {
    Ok(match text {
        "bool" => FeatureType::Bool,
        "u8" => FeatureType::U8,
        "u16" => FeatureType::U16,
        "u32" => FeatureType::U32,
        "u64" => FeatureType::U64,
        "i64" => FeatureType::I64,
        "f32" => FeatureType::F32,
        "f64" => FeatureType::F64,
        "ip" => FeatureType::Ip,
        _ => spec::sized_string(text, "str(", ErrorKind::UnknownType)?,
    })
}

/// The value after `default=`; on error the kind and the byte offset within `text`.
fn parse_default(ty: FeatureType, text: &str) -> Result<Value, (ErrorKind, usize)> {
    let FeatureType::Str(n) = ty else {
        return spec::parse_scalar(ty, text).map_err(|k| (k, 0));
    };
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|_| text.len() >= 2)
        .ok_or((ErrorKind::InvalidValue, 0))?;
    let s = unescape(inner).map_err(|at| (ErrorKind::BadEscape, at.saturating_add(1)))?;
    if s.len() > usize::from(n) {
        return Err((ErrorKind::StringTooLong, 0));
    }
    Ok(Value::Str(s))
}

/// `\\ \" \n \t \r \u{X}` (1 to 6 hex digits, a scalar value); a raw control character is
/// refused. On error: the byte offset of the backslash (or of the raw control character).
fn unescape(s: &str) -> Result<String, usize> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((at, c)) = chars.next() {
        if c.is_control() {
            return Err(at);
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next().map(|(_, c)| c) {
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('u') => {
                if chars.next().map(|(_, c)| c) != Some('{') {
                    return Err(at);
                }
                let mut hex = String::new();
                loop {
                    match chars.next().map(|(_, c)| c) {
                        Some('}') => break,
                        Some(c) if c.is_ascii_hexdigit() && hex.len() < 6 => hex.push(c),
                        _ => return Err(at),
                    }
                }
                let c = u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or(at)?;
                out.push(c);
            }
            _ => return Err(at),
        }
    }
    Ok(out)
}

/// A line's tokens: runs of characters other than space and tab; a `"` opens a quoted section
/// (where `\` takes the next character as is) that must close on the line and be followed by a
/// blank, `#` or the end; an unquoted `#` ends the line.
struct Tokens<'a> {
    line: &'a str,
    pos: usize,
}

type TokenError = (ErrorKind, usize);

impl<'a> Tokens<'a> {
    fn next(&mut self) -> Result<Option<(&'a str, usize)>, TokenError> {
        let bytes = self.line.as_bytes();
        let mut i = self.pos;
        while matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i = i.saturating_add(1);
        }
        if matches!(bytes.get(i), None | Some(b'#')) {
            self.pos = bytes.len();
            return Ok(None);
        }
        let start = i;
        loop {
            match bytes.get(i) {
                None | Some(b' ' | b'\t' | b'#') => break,
                Some(b'"') => {
                    let quote = i;
                    i = i.saturating_add(1);
                    loop {
                        match bytes.get(i) {
                            None => {
                                self.pos = bytes.len();
                                return Err((ErrorKind::Syntax, quote));
                            }
                            Some(b'\\') => i = i.saturating_add(2),
                            Some(b'"') => break,
                            Some(_) => i = i.saturating_add(1),
                        }
                    }
                    i = i.saturating_add(1);
                    if !matches!(bytes.get(i), None | Some(b' ' | b'\t' | b'#')) {
                        self.pos = bytes.len();
                        return Err((ErrorKind::Syntax, i));
                    }
                    break;
                }
                Some(_) => i = i.saturating_add(1),
            }
        }
        self.pos = i;
        Ok(self.line.get(start..i).map(|t| (t, start)))
    }

    /// A token that must be there: at the end of the line, a syntax error where it ends.
    fn expect(&mut self) -> Result<(&'a str, usize), TokenError> {
        self.next()?.ok_or((ErrorKind::Syntax, self.pos))
    }

    /// Nothing more on the line.
    fn end(&mut self) -> Result<(), TokenError> {
        match self.next()? {
            None => Ok(()),
            Some((_, at)) => Err((ErrorKind::Syntax, at)),
        }
    }
}

/// The canonical text of any model (valid or not, as long as its names and defaults can be
/// spelled): `botfeat 1`, `serial S`, one `feature` line each, single spaces, LF endings.
pub fn write(file: &FeatureFile) -> String {
    let mut out = String::with_capacity(file.features.len().saturating_mul(32).saturating_add(32));
    let _ = write!(out, "botfeat 1\nserial {}\n", file.serial);
    for f in &file.features {
        out.push_str("feature ");
        out.push_str(&f.name);
        out.push(' ');
        push_type(&mut out, f.ty);
        if let Some(v) = &f.default {
            out.push_str(" default=");
            spell_into(&mut out, v);
        }
        out.push('\n');
    }
    out
}

/// The type as the text format spells it.
pub fn type_name(ty: FeatureType) -> String {
    let mut out = String::new();
    push_type(&mut out, ty);
    out
}

fn push_type(out: &mut String, ty: FeatureType) {
    match ty {
        FeatureType::Bool => out.push_str("bool"),
        FeatureType::U8 => out.push_str("u8"),
        FeatureType::U16 => out.push_str("u16"),
        FeatureType::U32 => out.push_str("u32"),
        FeatureType::U64 => out.push_str("u64"),
        FeatureType::I64 => out.push_str("i64"),
        FeatureType::F32 => out.push_str("f32"),
        FeatureType::F64 => out.push_str("f64"),
        FeatureType::Ip => out.push_str("ip"),
        FeatureType::Str(n) => {
            let _ = write!(out, "str({n})");
        }
    }
}

/// A value's canonical spelling: floats as Rust's `{:?}` (shortest, with `.` or an exponent),
/// strings quoted with `\\ \" \n \t \r` and `\u{x}` for other control characters.
pub fn spell(v: &Value) -> String {
    let mut out = String::new();
    spell_into(&mut out, v);
    out
}

/// [`spell`], appended to `out` (the writer spells every default into one string).
fn spell_into(out: &mut String, v: &Value) {
    let _ = match v {
        Value::Bool(b) => write!(out, "{b}"),
        Value::U8(n) => write!(out, "{n}"),
        Value::U16(n) => write!(out, "{n}"),
        Value::U32(n) => write!(out, "{n}"),
        Value::U64(n) => write!(out, "{n}"),
        Value::I64(n) => write!(out, "{n}"),
        Value::F32(x) => write!(out, "{x:?}"),
        Value::F64(x) => write!(out, "{x:?}"),
        Value::Ip(a) => write!(out, "{a}"),
        Value::Str(s) => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' => out.push_str("\\\""),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    '\r' => out.push_str("\\r"),
                    c if c.is_control() => {
                        let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            Ok(())
        }
    };
}

/// Whether the text format can carry this model exactly: names the tokenizer reads as one token
/// and lines within the limit (the format page: a long string default cannot be written as text).
pub fn can_carry(file: &FeatureFile) -> bool {
    carried(file).is_some()
}

/// The model written as text ([`write`]) when the text format can carry it ([`can_carry`]):
/// one writing for the check and the bytes.
pub fn carried(file: &FeatureFile) -> Option<String> {
    let names_and_values = file.features.iter().all(|f| {
        !f.name.is_empty()
            && !f.name.contains([' ', '\t', '#', '"', '\n', '\r'])
            && f.default
                .as_ref()
                .is_none_or(|v| spec::check_value(v, f.ty) != Err(botfeat::ErrorKind::InvalidValue))
    });
    if !names_and_values {
        return None;
    }
    let text = write(file);
    (text.len() <= MAX_FILE_SIZE && text.split('\n').all(|l| l.len() <= MAX_LINE_LEN))
        .then_some(text)
}

//! The text parser: one pass over the lines, nothing allocated beyond the features it keeps.

use super::tokens::{Token, Tokens};
use crate::error::{Error, ErrorKind, Position, Problem};
use crate::limits::Limits;
use crate::model::{Feature, FeatureFile, FeatureType, Value};
use crate::scalar::parse_scalar;
use crate::validate::FeatureSet;
use crate::validate::{check_string_len, check_string_size};

/// Parses a text feature file under the default limits.
pub fn parse(input: &[u8]) -> Result<FeatureFile, Error> {
    parse_with(input, &Limits::DEFAULT)
}

/// Parses a text feature file under `limits`.
pub fn parse_with(input: &[u8], limits: &Limits) -> Result<FeatureFile, Error> {
    if input.len() > limits.max_file_size {
        return Err(Error::file_too_large(
            crate::error::len64(input.len()),
            limits,
        ));
    }
    let text = std::str::from_utf8(input).map_err(|e| {
        let (line, column) = line_col_of(input, e.valid_up_to());
        Error::new(
            ErrorKind::InvalidUtf8,
            Position::LineCol { line, column },
            "invalid UTF-8: the text format must be UTF-8",
        )
    })?;
    // Feature lines are most of the lines: their count (bounded by the limit) sizes what is
    // reserved.
    let lines = memchr::memchr_iter(b'\n', input)
        .count()
        .saturating_add(1)
        .min(limits.max_features);
    Parser::new(limits, lines).run(text)
}

enum Stage {
    Header,
    Serial,
    Features { serial: u64 },
}

struct Parser<'a> {
    limits: Limits,
    stage: Stage,
    set: FeatureSet<'a>,
    features: Vec<Feature>,
}

/// One line being parsed: its number and text, to turn byte offsets into positions.
#[derive(Clone, Copy)]
struct Line<'a> {
    number: u64,
    text: &'a str,
}

impl Line<'_> {
    fn at(&self, byte: usize) -> Position {
        let column = self
            .text
            .get(..byte)
            .map_or(byte, |s| s.chars().count())
            .saturating_add(1);
        Position::LineCol {
            line: self.number,
            column: u64::try_from(column).unwrap_or(u64::MAX),
        }
    }

    /// The line alone (column 1), for what names only the line: where a duplicate was first
    /// defined. Saves counting characters on every feature line.
    fn start(&self) -> Position {
        Position::LineCol {
            line: self.number,
            column: 1,
        }
    }

    fn error(&self, problem: Problem, byte: usize) -> Error {
        problem.at(self.at(byte))
    }

    fn syntax(&self, byte: usize, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Syntax, self.at(byte), message)
    }
}

impl<'a> Parser<'a> {
    fn new(limits: &Limits, expected: usize) -> Self {
        Parser {
            limits: *limits,
            stage: Stage::Header,
            set: FeatureSet::new(limits, expected),
            features: Vec::with_capacity(expected),
        }
    }

    fn run(mut self, text: &'a str) -> Result<FeatureFile, Error> {
        let mut last = 0u64;
        for (index, raw) in text.split('\n').enumerate() {
            let number = u64::try_from(index).unwrap_or(u64::MAX).saturating_add(1);
            last = number;
            let line = Line {
                number,
                text: raw.strip_suffix('\r').unwrap_or(raw),
            };
            if line.text.len() > self.limits.max_line_len {
                return Err(line.error(
                    Problem::new(
                        ErrorKind::LineTooLong,
                        format!(
                            "line is {} bytes long: the limit is {} bytes",
                            line.text.len(),
                            self.limits.max_line_len
                        ),
                    ),
                    0,
                ));
            }
            self.line(line)?;
        }
        // Errors about what is missing point at the last line, where more was expected.
        let end = Line {
            number: last.max(1),
            text: "",
        };
        match self.stage {
            Stage::Header => {
                Err(end.syntax(0, "empty file: expected `botfeat 1` as the first line"))
            }
            Stage::Serial => Err(end.error(missing_serial(), 0)),
            Stage::Features { serial } => {
                self.set.finish().map_err(|p| end.error(p, 0))?;
                Ok(FeatureFile {
                    serial,
                    features: self.features,
                })
            }
        }
    }

    fn line(&mut self, line: Line<'a>) -> Result<(), Error> {
        let mut tokens = Tokens::new(line.text);
        let Some(keyword) = next_token(&mut tokens, line)? else {
            return Ok(()); // blank or comment
        };
        match (&self.stage, keyword.text) {
            (Stage::Header, "botfeat") => {
                let version = expect_token(&mut tokens, line, "a format version after `botfeat`")?;
                if version.text != "1" {
                    let problem = if version.text.bytes().all(|b| b.is_ascii_digit()) {
                        Problem::new(
                            ErrorKind::UnsupportedVersion,
                            format!(
                                "unsupported format version {}: this build reads version 1",
                                crate::shown::cut(version.text)
                            ),
                        )
                    } else {
                        Problem::new(
                            ErrorKind::Syntax,
                            format!(
                                "`{}` is not a format version: expected `botfeat 1`",
                                crate::shown::cut(version.text)
                            ),
                        )
                    };
                    return Err(line.error(problem, version.start));
                }
                expect_end(&mut tokens, line)?;
                self.stage = Stage::Serial;
            }
            (Stage::Header, bom) if bom.starts_with('\u{feff}') => {
                return Err(line.syntax(
                    keyword.start,
                    "the file starts with a UTF-8 byte order mark (U+FEFF): expected `botfeat 1`; save it without the mark",
                ));
            }
            (Stage::Header, _) => {
                return Err(line.syntax(
                    keyword.start,
                    format!(
                        "expected `botfeat 1` as the first line, found `{}`",
                        crate::shown::cut(keyword.text)
                    ),
                ));
            }
            (Stage::Serial, "serial") => {
                let value = expect_token(&mut tokens, line, "a serial number after `serial`")?;
                let serial = match parse_scalar(FeatureType::U64, value.text) {
                    Ok(Value::U64(serial)) => serial,
                    Ok(_) => return Err(line.syntax(value.start, "expected a serial number")),
                    Err(problem) => return Err(line.error(problem, value.start)),
                };
                expect_end(&mut tokens, line)?;
                self.stage = Stage::Features { serial };
            }
            (Stage::Serial, "feature") => return Err(line.error(missing_serial(), keyword.start)),
            (Stage::Features { .. }, "feature") => {
                self.set
                    .check_room()
                    .map_err(|p| line.error(p, keyword.start))?;
                let feature = self.feature(&mut tokens, line)?;
                self.features.push(feature);
            }
            (Stage::Features { .. }, "serial") => {
                return Err(line.syntax(
                    keyword.start,
                    "`serial` given twice: a file has exactly one serial line",
                ));
            }
            (_, "botfeat") => {
                return Err(line.syntax(
                    keyword.start,
                    "`botfeat` header given twice: it must be the first line only",
                ));
            }
            (_, other) => {
                let expected = match self.stage {
                    Stage::Serial => "`serial`",
                    _ => "`feature`",
                };
                return Err(line.syntax(
                    keyword.start,
                    format!(
                        "unknown keyword `{}`: expected {expected}",
                        crate::shown::cut(other)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `feature NAME TYPE [default=VALUE]`, after the keyword.
    fn feature(&mut self, tokens: &mut Tokens<'a>, line: Line<'a>) -> Result<Feature, Error> {
        let name = expect_token(tokens, line, "a feature name after `feature`")?;
        self.set
            .admit(name.text, line.start(), None, &self.features)
            .map_err(|p| line.error(p, name.start))?;
        let ty_token = expect_token(tokens, line, "a type after the feature name")?;
        let ty =
            parse_type(ty_token.text, &self.limits).map_err(|p| line.error(p, ty_token.start))?;
        let default = match next_token(tokens, line)? {
            None => None,
            Some(token) => {
                let Some(text) = token.text.strip_prefix("default=") else {
                    return Err(line.syntax(
                        token.start,
                        format!(
                            "unexpected `{}`: expected `default=VALUE` or the end of the line",
                            crate::shown::cut(token.text)
                        ),
                    ));
                };
                let value_start = token.start.saturating_add("default=".len());
                let value = parse_default(ty, text, line, value_start)?;
                expect_end(tokens, line)?;
                Some(value)
            }
        };
        Ok(Feature {
            name: name.text.into(),
            ty,
            default,
        })
    }
}

fn parse_default(
    ty: FeatureType,
    text: &str,
    line: Line<'_>,
    start: usize,
) -> Result<Value, Error> {
    match ty {
        FeatureType::Str(n) => {
            let Some(inner) = text
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .filter(|_| text.len() >= 2)
            else {
                return Err(line.error(
                    Problem::new(
                        ErrorKind::InvalidValue,
                        format!("a str({n}) default must be quoted: expected default=\"…\""),
                    ),
                    start,
                ));
            };
            let inner_start = start.saturating_add(1);
            let s =
                unescape(inner).map_err(|(p, at)| line.error(p, inner_start.saturating_add(at)))?;
            check_string_len(&s, n).map_err(|p| line.error(p, start))?;
            Ok(Value::Str(s))
        }
        _ => parse_scalar(ty, text).map_err(|p| line.error(p, start)),
    }
}

/// `bool u8 u16 u32 u64 i64 f32 f64 ip str(N)`.
pub(crate) fn parse_type(text: &str, limits: &Limits) -> Result<FeatureType, Problem> {
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
        _ => {
            let digits = text.strip_prefix("str(").and_then(|t| t.strip_suffix(')'));
            match digits {
                Some(d) if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()) => {
                    // Too many digits for u64 is just a very large N.
                    let n = d.parse::<u64>().unwrap_or(u64::MAX);
                    FeatureType::Str(check_string_size(n, limits)?)
                }
                _ => {
                    return Err(Problem::new(
                        ErrorKind::UnknownType,
                        format!(
                            "unknown type `{}`: expected one of bool, u8, u16, u32, u64, i64, f32, f64, ip, str(N)",
                            crate::shown::cut(text)
                        ),
                    ));
                }
            }
        }
    })
}

/// Undoes `\\ \" \n \t \r \u{X}`. On error: the problem and the byte offset of the backslash.
fn unescape(s: &str) -> Result<String, (Problem, usize)> {
    // Most strings hold no escape and no control character (every one of which starts with a
    // byte below 0x20, 0x7F, or 0xC2 for U+0080–U+009F): copy those whole.
    if !s
        .bytes()
        .any(|b| b < 0x20 || b == 0x7f || b == b'\\' || b == 0xc2)
    {
        return Ok(s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices();
    while let Some((at, c)) = chars.next() {
        if c.is_control() {
            // Escaped on output, so accepting it raw would let the canonical line outgrow the
            // line limit the input met: text accepted must always be writable again.
            return Err((
                Problem::new(
                    ErrorKind::BadEscape,
                    format!(
                        "raw control character U+{:04X} in a string: expected it escaped (\\t, \\n, \\r or \\u{{X}})",
                        u32::from(c)
                    ),
                ),
                at,
            ));
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let bad = |what: &str| {
            (
                Problem::new(
                    ErrorKind::BadEscape,
                    format!(
                        "bad escape {what}: expected \\\\, \\\", \\n, \\t, \\r or \\u{{X}} with 1 to 6 hex digits naming a Unicode scalar value"
                    ),
                ),
                at,
            )
        };
        match chars.next() {
            Some((_, '\\')) => out.push('\\'),
            Some((_, '"')) => out.push('"'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            Some((_, 'r')) => out.push('\r'),
            Some((_, 'u')) => {
                if chars.next().map(|(_, c)| c) != Some('{') {
                    return Err(bad("`\\u` without `{`"));
                }
                let mut hex = 0u32;
                let mut digits = 0u32;
                loop {
                    match chars.next().map(|(_, c)| c) {
                        Some('}') => break,
                        Some(c) => match c.to_digit(16) {
                            Some(d) if digits < 6 => {
                                hex = hex
                                    .checked_mul(16)
                                    .and_then(|h| h.checked_add(d))
                                    .ok_or_else(|| bad("`\\u{…}` out of range"))?;
                                digits = digits.saturating_add(1);
                            }
                            _ => return Err(bad("in `\\u{…}`")),
                        },
                        None => return Err(bad("`\\u{` without `}`")),
                    }
                }
                if digits == 0 {
                    return Err(bad("`\\u{}` with no digits"));
                }
                out.push(char::from_u32(hex).ok_or_else(|| {
                    bad(&format!(
                        "`\\u{{{hex:x}}}`, which is not a Unicode scalar value"
                    ))
                })?);
            }
            Some((_, other)) => return Err(bad(&format!("`\\{other}`"))),
            None => return Err(bad("at the end of the string")),
        }
    }
    Ok(out)
}

#[inline(always)]
fn next_token<'a>(tokens: &mut Tokens<'a>, line: Line<'_>) -> Result<Option<Token<'a>>, Error> {
    tokens.next().transpose().map_err(|e| {
        let (p, at) = e.problem();
        line.error(p, at)
    })
}

#[inline(always)]
fn expect_token<'a>(
    tokens: &mut Tokens<'a>,
    line: Line<'_>,
    what: &str,
) -> Result<Token<'a>, Error> {
    next_token(tokens, line)?.ok_or_else(|| {
        line.syntax(
            tokens.pos(),
            format!("expected {what}, found the end of the line"),
        )
    })
}

#[inline(always)]
fn expect_end(tokens: &mut Tokens<'_>, line: Line<'_>) -> Result<(), Error> {
    match next_token(tokens, line)? {
        None => Ok(()),
        Some(extra) => Err(line.syntax(
            extra.start,
            format!(
                "unexpected `{}`: expected the end of the line",
                crate::shown::cut(extra.text)
            ),
        )),
    }
}

#[cold]
fn missing_serial() -> Problem {
    Problem::new(
        ErrorKind::MissingSerial,
        "missing `serial` line: expected `serial N` right after `botfeat 1`",
    )
}

/// Line and column (both 1-based, column in characters) of byte `offset` of possibly invalid
/// UTF-8.
fn line_col_of(input: &[u8], offset: usize) -> (u64, u64) {
    let before = input.get(..offset).unwrap_or(input);
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p.saturating_add(1));
    let line = before
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        .saturating_add(1);
    let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default())
        .chars()
        .count()
        .saturating_add(1);
    (
        u64::try_from(line).unwrap_or(u64::MAX),
        u64::try_from(column).unwrap_or(u64::MAX),
    )
}

impl std::str::FromStr for FeatureType {
    type Err = crate::Error;

    /// A type as the text format spells it (`u32`, `str(36)`), under the default limits.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        crate::text::parse::parse_type(text, &Limits::DEFAULT)
            .map_err(|p| p.at(crate::Position::File))
    }
}

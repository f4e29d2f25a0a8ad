//! The canonical text writer.

use std::fmt::Write as _;

use crate::error::{Error, ErrorKind, Position};
use crate::limits::Limits;
use crate::model::{FeatureFile, Value};
use crate::scalar::write_scalar;

/// Writes `file` as canonical text after validating it under the default limits.
pub fn write(file: &FeatureFile) -> Result<String, Error> {
    write_with(file, &Limits::DEFAULT)
}

/// Writes `file` as canonical text after validating it under `limits`.
///
/// Refuses a valid model that the text format cannot carry: one whose line, once escaped, would
/// be longer than `limits.max_line_len` (a long string default; the binary format carries it).
pub fn write_with(file: &FeatureFile, limits: &Limits) -> Result<String, Error> {
    file.validate(limits)?;
    let text = write_any(file);
    for (index, line) in text.lines().enumerate() {
        if line.len() > limits.max_line_len {
            return Err(Error::new(
                ErrorKind::LineTooLong,
                Position::LineCol {
                    line: u64::try_from(index).unwrap_or(u64::MAX).saturating_add(1),
                    column: 1,
                },
                format!(
                    "this model's line would be {} bytes long: the text format allows {} (use the binary format for long string defaults)",
                    line.len(),
                    limits.max_line_len
                ),
            ));
        }
    }
    if text.len() > limits.max_file_size {
        return Err(Error::file_too_large(
            crate::error::len64(text.len()),
            limits,
        ));
    }
    Ok(text)
}

/// Writes `file` as text without validating it: the hostile writer that fuzzers and tests use to
/// produce files the parser must refuse (too many features, duplicates, bad names, …). Test-only
/// API: feature `testing`.
#[cfg(feature = "testing")]
pub fn write_unchecked(file: &FeatureFile) -> String {
    write_any(file)
}

/// The text of any model, valid or not; [`write`] validates first.
pub(crate) fn write_any(file: &FeatureFile) -> String {
    let mut out =
        String::with_capacity(32usize.saturating_add(file.features.len().saturating_mul(40)));
    let _ = writeln!(out, "botfeat 1\nserial {}", file.serial);
    for feature in &file.features {
        let _ = write!(out, "feature {} {}", feature.name, feature.ty);
        if let Some(value) = &feature.default {
            out.push_str(" default=");
            match value {
                Value::Str(s) => write_quoted(&mut out, s),
                other => write_scalar(&mut out, other),
            }
        }
        out.push('\n');
    }
    out
}

fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    // Runs that need no escape are copied whole. Only `\\`, `"` and control characters are
    // escaped, and each starts with a byte this test catches: an ASCII one, or 0xC2 (the C1
    // controls U+0080–U+009F), so `at` is always a character boundary.
    let needs_escape = |b: u8| b < 0x20 || b == 0x7f || b == b'\\' || b == b'"' || b == 0xc2;
    let mut rest = s;
    while let Some(at) = rest.bytes().position(needs_escape) {
        // Were `at` ever not a character boundary, the rest is written one character at a
        // time (escaped where it must be) rather than cut.
        let (plain, tail) = rest.split_at_checked(at).unwrap_or(("", rest));
        out.push_str(plain);
        let mut chars = tail.chars();
        let Some(c) = chars.next() else { break };
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
        rest = chars.as_str();
    }
    out.push_str(rest);
    out.push('"');
}

//! Telling the three formats apart from content alone.

use crate::error::Error;
use crate::limits::Limits;
use crate::model::FeatureFile;

/// The three encodings of a feature file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Text format v1 (`.features`).
    Text,
    /// ClickHouse JSONEachRow rows.
    Rows,
    /// Binary distribution format v1 (`.bff`).
    Binary,
}

impl Format {
    /// Binary if the input starts with `BFF1` or a prefix of it (a truncated header is reported
    /// as truncated), with `BFF`, or has a NUL byte in its first 16 bytes (every binary header
    /// has some — version and flags — so a damaged magic is reported as bad magic, while text
    /// with another control byte in a comment is still read as text); rows if the first
    /// non-blank byte after an optional UTF-8 byte order mark is `{`; text otherwise.
    pub fn detect(input: &[u8]) -> Format {
        let head = input.get(..4).unwrap_or(input);
        let binary_bytes = input
            .iter()
            .take(crate::binary::HEADER_LEN)
            .any(|&b| b == 0);
        if (!head.is_empty() && crate::binary::MAGIC.starts_with(head))
            || input.starts_with(b"BFF")
            || binary_bytes
        {
            return Format::Binary;
        }
        let body = input.strip_prefix(crate::format::BOM).unwrap_or(input);
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Format::Rows,
            _ => Format::Text,
        }
    }

    /// A short lowercase name: `text`, `rows`, `binary`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Rows => "rows",
            Format::Binary => "binary",
        }
    }
}

/// Parses `input` in whichever format it is in; JSON rows get `rows_serial`.
pub fn parse_any(
    input: &[u8],
    rows_serial: u64,
    limits: &Limits,
) -> Result<(Format, FeatureFile), Error> {
    let format = Format::detect(input);
    let file = match format {
        Format::Text => crate::text::parse_with(input, limits)?,
        Format::Rows => crate::rows::parse_with(input, rows_serial, limits)?,
        Format::Binary => crate::binary::decode_with(input, limits)?,
    };
    Ok((format, file))
}

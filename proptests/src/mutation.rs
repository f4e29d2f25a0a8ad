//! Mutations of a valid file, in each format, and the outcome each one implies.
//!
//! Model-level mutations (duplicate one feature, duplicate every feature, repeat, drop, swap) are
//! written with the test kit's writers (never the parser's own), and the implied error is worked
//! out from the mutated model alone: the first index past the limit or repeating an earlier name.
//! Byte-level mutations (truncate, flip, trailing bytes, inflated length, bad CRC, an
//! out-of-range default) imply a kind and position from where they hit. Whatever a mutation
//! implies, the parser must also give exactly the test kit's reference verdict on the bytes —
//! the same model, or the same kind at the same position: no mutation allows "anything".

use botfeat::{ErrorKind, Feature, FeatureFile, FeatureType, Position, Value, binary, rows, text};
use proptest::prelude::*;
use proptest::sample::Index;
use testkit::binary::HEADER_LEN;
use testkit::spec::{MAX_FEATURES, MAX_FILE_SIZE, MAX_LINE_LEN};

/// The three encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Text.
    Text,
    /// JSONEachRow rows.
    Rows,
    /// Binary.
    Binary,
}

/// A mutation, with indices resolved against the file when applied.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// Insert a copy of one feature somewhere.
    DuplicateOne(Index, Index),
    /// Every feature again, after the last (the 18 Nov 2025 file; rows get database `r0`).
    DuplicateEvery,
    /// One feature repeated 1 to 250 more times right after itself.
    Repeat(Index, usize),
    /// Drop one feature.
    Drop(Index),
    /// Swap two features.
    Swap(Index, Index),
    /// Cut the encoding at some byte.
    Truncate(Index),
    /// Flip one bit of one byte.
    Flip(Index, u8),
    /// Append bytes.
    Trailing(Vec<u8>),
    /// Binary: declare a longer payload than there is.
    InflateLength(u32),
    /// Binary: corrupt the CRC.
    CorruptCrc(u32),
    /// One default past its type's range.
    OutOfRange(Index),
}

/// Every mutation, evenly.
pub fn mutation() -> BoxedStrategy<Mutation> {
    prop_oneof![
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::DuplicateOne(a, b)),
        Just(Mutation::DuplicateEvery),
        (any::<Index>(), 1usize..=250).prop_map(|(i, n)| Mutation::Repeat(i, n)),
        any::<Index>().prop_map(Mutation::Drop),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        prop::collection::vec(any::<u8>(), 1..16).prop_map(Mutation::Trailing),
        (1u32..=u32::MAX).prop_map(Mutation::InflateLength),
        (1u32..=u32::MAX).prop_map(Mutation::CorruptCrc),
        any::<Index>().prop_map(Mutation::OutOfRange),
    ]
    .boxed()
}

/// What a mutated input must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Implied {
    /// Parse to exactly this model.
    Accept(FeatureFile),
    /// Fail with this kind at this position.
    Reject(ErrorKind, Position),
    /// Parse (to anything), or fail on this text line: the line where the input was cut.
    OkOrErrorOnLine(u64),
    /// Parse (to anything), or fail on this text line or a later one: a flipped byte cannot break
    /// a line before its own.
    OkOrErrorFromLine(u64),
    /// Parse, or fail on this row (where the rows were cut).
    OkOrErrorOnRow(u64),
    /// Parse, or fail with any error (a byte flipped inside a JSON row can do anything to it).
    Anything,
}

fn encode(format: Format, file: &FeatureFile) -> Vec<u8> {
    match format {
        Format::Text => testkit::text::write(file).into_bytes(),
        Format::Rows => rows_with_database(file, "default").into_bytes(),
        Format::Binary => testkit::binary::encode(file),
    }
}

/// Rows as the generator's query writes them, every row naming `database`.
fn rows_with_database(file: &FeatureFile, database: &str) -> String {
    let style = testkit::rows::Style {
        database: true,
        ..testkit::rows::Style::default()
    };
    testkit::rows::write(file, style).replace(
        "\"database\":\"default\"",
        &format!("\"database\":\"{database}\""),
    )
}

fn varint_len(n: u64) -> usize {
    match n {
        0..=250 => 1,
        251..=0xFFFF => 3,
        0x1_0000..=0xFFFF_FFFF => 5,
        _ => 9,
    }
}

/// Byte offset where feature `index` of `file` starts in its binary encoding.
pub fn binary_offset(file: &FeatureFile, index: usize) -> u64 {
    let prefix = FeatureFile {
        serial: file.serial,
        features: file.features[..index].to_vec(),
    };
    let len = testkit::binary::encode(&prefix).len() - varint_len(index as u64)
        + varint_len(file.features.len() as u64);
    len as u64
}

/// Where feature `index` is, in `format`; `name` points at its name (text column 9), else at its
/// start.
fn position(format: Format, file: &FeatureFile, index: usize, name: bool) -> Position {
    match format {
        Format::Text => Position::LineCol {
            line: index as u64 + 3,
            column: if name { 9 } else { 1 },
        },
        Format::Rows => Position::Row(index as u64 + 1),
        Format::Binary => Position::Offset(binary_offset(file, index)),
    }
}

/// The outcome of a model whose features are all valid on their own: the first one past the
/// limit, or repeating an earlier name, fails; an empty model has no features.
pub fn implied_by_model(format: Format, file: &FeatureFile) -> Implied {
    let mut seen = std::collections::HashSet::new();
    for (i, f) in file.features.iter().enumerate() {
        if i >= MAX_FEATURES {
            return Implied::Reject(ErrorKind::TooManyFeatures, position(format, file, i, false));
        }
        if !seen.insert(f.name.as_str()) {
            return Implied::Reject(ErrorKind::DuplicateName, position(format, file, i, true));
        }
    }
    if file.features.is_empty() {
        let at = match format {
            Format::Text => Position::LineCol { line: 3, column: 1 },
            Format::Rows => Position::Row(1),
            Format::Binary => Position::Offset(binary_offset(file, 0)),
        };
        return Implied::Reject(ErrorKind::NoFeatures, at);
    }
    Implied::Accept(file.clone())
}

/// A default one past its type's range: its text spelling, its binary value, and the kind.
fn out_of_range(f: &Feature) -> (String, Value, ErrorKind) {
    match f.ty {
        FeatureType::U8 => ("256".into(), Value::U16(256), ErrorKind::ValueOutOfRange),
        FeatureType::U16 => (
            "65536".into(),
            Value::U32(65536),
            ErrorKind::ValueOutOfRange,
        ),
        FeatureType::U32 => (
            "4294967296".into(),
            Value::U64(1 << 32),
            ErrorKind::ValueOutOfRange,
        ),
        FeatureType::U64 => (
            "18446744073709551616".into(),
            Value::I64(-1),
            ErrorKind::ValueOutOfRange,
        ),
        FeatureType::I64 => (
            "-9223372036854775809".into(),
            Value::U64(u64::MAX),
            ErrorKind::ValueOutOfRange,
        ),
        FeatureType::F32 => (
            "1e39".into(),
            Value::F32(f32::INFINITY),
            ErrorKind::NonFiniteFloat,
        ),
        FeatureType::F64 => (
            "1e309".into(),
            Value::F64(f64::NAN),
            ErrorKind::NonFiniteFloat,
        ),
        FeatureType::Bool => ("maybe".into(), Value::U8(2), ErrorKind::InvalidValue),
        FeatureType::Ip => ("256.1.1.1".into(), Value::U32(0), ErrorKind::InvalidValue),
        FeatureType::Str(n) => {
            let s = "x".repeat(usize::from(n) + 1);
            (format!("\"{s}\""), Value::Str(s), ErrorKind::StringTooLong)
        }
    }
}

/// Applies `m` to a valid `file` in `format`: the bytes, and what they must do.
pub fn apply(format: Format, file: &FeatureFile, m: &Mutation) -> (Vec<u8>, Implied) {
    let n = file.features.len();
    let model = |features: Vec<Feature>| FeatureFile {
        serial: file.serial,
        features,
    };
    // The size check comes before anything in the file is read: a mutated model too large for
    // the file limit implies that, whatever else it breaks.
    let by_model = |mutated: FeatureFile| {
        let bytes = encode(format, &mutated);
        let implied = if bytes.len() > MAX_FILE_SIZE {
            Implied::Reject(ErrorKind::FileTooLarge, Position::File)
        } else {
            implied_by_model(format, &mutated)
        };
        (bytes, implied)
    };
    let bytes = encode(format, file);
    match m {
        Mutation::DuplicateOne(from, to) => {
            let mut features = file.features.clone();
            features.insert(to.index(n + 1), file.features[from.index(n)].clone());
            by_model(model(features))
        }
        Mutation::DuplicateEvery => {
            let doubled = model([file.features.clone(), file.features.clone()].concat());
            if format == Format::Rows {
                let mut b = bytes.clone();
                b.extend_from_slice(rows_with_database(file, "r0").as_bytes());
                let implied = if b.len() > MAX_FILE_SIZE {
                    Implied::Reject(ErrorKind::FileTooLarge, Position::File)
                } else {
                    implied_by_model(format, &doubled)
                };
                return (b, implied);
            }
            by_model(doubled)
        }
        Mutation::Repeat(i, times) => {
            let i = i.index(n);
            let mut features = file.features.clone();
            for _ in 0..*times {
                features.insert(i + 1, file.features[i].clone());
            }
            by_model(model(features))
        }
        Mutation::Drop(i) => {
            let mut features = file.features.clone();
            features.remove(i.index(n));
            by_model(model(features))
        }
        Mutation::Swap(a, b) => {
            let mut features = file.features.clone();
            features.swap(a.index(n), b.index(n));
            by_model(model(features))
        }
        Mutation::Truncate(at) => {
            let cut = at.index(bytes.len());
            let head = bytes[..cut].to_vec();
            let implied = match format {
                Format::Binary => {
                    Implied::Reject(ErrorKind::Truncated, Position::Offset(cut as u64))
                }
                Format::Text => {
                    Implied::OkOrErrorOnLine(head.split(|&b| b == b'\n').count() as u64)
                }
                Format::Rows => Implied::OkOrErrorOnRow(head.split(|&b| b == b'\n').count() as u64),
            };
            (head, implied)
        }
        Mutation::Flip(at, bit) => {
            let at = at.index(bytes.len());
            let mut b = bytes.clone();
            b[at] ^= 1 << bit;
            let implied = match format {
                Format::Binary => binary_flip(&bytes, &b, at),
                Format::Text => Implied::OkOrErrorFromLine(
                    bytes[..at].iter().filter(|&&c| c == b'\n').count() as u64 + 1,
                ),
                Format::Rows => Implied::Anything,
            };
            (b, implied)
        }
        Mutation::Trailing(extra) => {
            let mut b = bytes.clone();
            b.extend_from_slice(extra);
            let implied = match format {
                Format::Binary => Implied::Reject(
                    ErrorKind::TrailingBytes,
                    Position::Offset(bytes.len() as u64),
                ),
                Format::Text => {
                    Implied::OkOrErrorFromLine(bytes.split(|&c| c == b'\n').count() as u64)
                }
                Format::Rows => Implied::Anything,
            };
            (b, implied)
        }
        Mutation::InflateLength(extra) | Mutation::CorruptCrc(extra)
            if format != Format::Binary =>
        {
            // Only binary has a header: for the others, the same as Trailing with one byte.
            let _ = extra;
            apply(format, file, &Mutation::Trailing(vec![b'#']))
        }
        Mutation::InflateLength(extra) => {
            let mut b = bytes.clone();
            let declared =
                u32::from_le_bytes(b[8..12].try_into().unwrap()) as u64 + u64::from(*extra);
            let declared_u32 = declared.min(u64::from(u32::MAX)) as u32;
            b[8..12].copy_from_slice(&declared_u32.to_le_bytes());
            let implied = if declared_u32 as usize > MAX_FILE_SIZE - HEADER_LEN {
                Implied::Reject(ErrorKind::FileTooLarge, Position::Offset(8))
            } else if declared_u32 as usize + HEADER_LEN > bytes.len() {
                Implied::Reject(ErrorKind::Truncated, Position::Offset(bytes.len() as u64))
            } else {
                Implied::Reject(ErrorKind::ChecksumMismatch, Position::Offset(12))
            };
            (b, implied)
        }
        Mutation::CorruptCrc(x) => {
            let mut b = bytes.clone();
            for (k, byte) in x.to_le_bytes().iter().enumerate() {
                b[12 + k] ^= byte;
            }
            (
                b,
                Implied::Reject(ErrorKind::ChecksumMismatch, Position::Offset(12)),
            )
        }
        Mutation::OutOfRange(i) => {
            let i = i.index(n);
            let f = &file.features[i];
            let (spelling, wire, kind) = out_of_range(f);
            match format {
                Format::Binary => {
                    let mut bad = file.clone();
                    bad.features[i].default = Some(wire);
                    // A value of another variant than its type is refused as such.
                    let kind = if matches!(kind, ErrorKind::ValueOutOfRange)
                        || f.ty == FeatureType::Bool
                        || f.ty == FeatureType::Ip
                    {
                        ErrorKind::InvalidValue
                    } else {
                        kind
                    };
                    (
                        testkit::binary::encode(&bad),
                        Implied::Reject(kind, Position::Offset(binary_offset(&bad, i))),
                    )
                }
                Format::Text => {
                    let ty = f.ty.to_string();
                    let line = format!("feature {} {ty} default={spelling}", f.name);
                    let mut lines: Vec<String> = String::from_utf8_lossy(&bytes)
                        .lines()
                        .map(str::to_string)
                        .collect();
                    let column =
                        "feature ".len() + f.name.len() + 1 + ty.len() + " default=".len() + 1;
                    let (kind, column) = if line.len() > MAX_LINE_LEN {
                        (ErrorKind::LineTooLong, 1)
                    } else {
                        (kind, column)
                    };
                    let at = Position::LineCol {
                        line: i as u64 + 3,
                        column: column as u64,
                    };
                    lines[i + 2] = line;
                    (
                        (lines.join("\n") + "\n").into_bytes(),
                        Implied::Reject(kind, at),
                    )
                }
                Format::Rows => {
                    let mut bad = file.clone();
                    bad.features[i].default = None;
                    let mut lines: Vec<String> = rows_with_database(&bad, "default")
                        .lines()
                        .map(str::to_string)
                        .collect();
                    let json = match f.ty {
                        FeatureType::Str(_) => spelling,
                        _ => format!("{spelling:?}"),
                    };
                    let row = lines[i].trim_end_matches('}').to_string();
                    lines[i] = format!("{row},\"default\":{json}}}");
                    (
                        (lines.join("\n") + "\n").into_bytes(),
                        Implied::Reject(kind, Position::Row(i as u64 + 1)),
                    )
                }
            }
        }
    }
}

fn binary_flip(before: &[u8], after: &[u8], at: usize) -> Implied {
    let reject = |kind, offset| Implied::Reject(kind, Position::Offset(offset));
    match at {
        0..=3 => reject(ErrorKind::BadMagic, 0),
        4..=5 => reject(ErrorKind::UnsupportedVersion, 4),
        6..=7 => reject(ErrorKind::BadFlags, 6),
        8..=11 => {
            let declared = u32::from_le_bytes(after[8..12].try_into().unwrap()) as usize;
            if declared > MAX_FILE_SIZE - HEADER_LEN {
                reject(ErrorKind::FileTooLarge, 8)
            } else if declared + HEADER_LEN > before.len() {
                reject(ErrorKind::Truncated, before.len() as u64)
            } else {
                reject(ErrorKind::TrailingBytes, (HEADER_LEN + declared) as u64)
            }
        }
        _ => reject(ErrorKind::ChecksumMismatch, 12),
    }
}

/// Parses `bytes` in `format` (rows get `serial`) and checks `implied`; `Err` says how not.
pub fn check(format: Format, bytes: &[u8], serial: u64, implied: &Implied) -> Result<(), String> {
    let parsed = match format {
        Format::Text => text::parse(bytes),
        Format::Rows => rows::parse(bytes, serial),
        Format::Binary => binary::decode(bytes),
    };
    let line_of = |p: Position| match p {
        Position::LineCol { line, .. } => Some(line),
        _ => None,
    };
    // First the reference: the parser's verdict on these bytes must be exactly its own.
    let reference = match format {
        Format::Text => testkit::text::read(bytes),
        Format::Rows => testkit::rows::read(bytes, serial),
        Format::Binary => testkit::binary::read(bytes),
    };
    let same = match (&reference, &parsed) {
        (Ok(want), Ok(got)) => want == got,
        (Err(r), Err(e)) => (r.kind, r.position) == (e.kind(), e.position()),
        _ => false,
    };
    if !same {
        return Err(format!(
            "the reference says {:?}, the parser {:?}",
            reference.map(crate::Model),
            parsed.map(crate::Model)
        ));
    }
    let ok = match (implied, &parsed) {
        (Implied::Accept(model), Ok(got)) => got == model,
        (Implied::Reject(kind, at), Err(e)) => e.kind() == *kind && e.position() == *at,
        (
            Implied::OkOrErrorOnLine(_)
            | Implied::OkOrErrorFromLine(_)
            | Implied::OkOrErrorOnRow(_)
            | Implied::Anything,
            Ok(_),
        ) => true,
        (Implied::OkOrErrorOnLine(line), Err(e)) => line_of(e.position()) == Some(*line),
        (Implied::OkOrErrorFromLine(line), Err(e)) => {
            line_of(e.position()).is_some_and(|l| l >= *line) || e.position() == Position::File
        }
        (Implied::OkOrErrorOnRow(row), Err(e)) => e.position() == Position::Row(*row),
        (Implied::Anything, Err(_)) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "implied {implied:?}, got {:?}",
            parsed.map(crate::Model)
        ))
    }
}

//! Binary distribution format v1 (`.bff`): a 16-byte header, then a bincode 2.0.1 payload.
//!
//! ```text
//! 0  magic        "BFF1"
//! 4  version      u16 LE (1)
//! 6  flags        u16 LE (0)
//! 8  payload_len  u32 LE
//! 12 crc32        u32 LE, CRC-32 (IEEE) of the payload
//! 16 payload      bincode standard config: serial, feature count, features
//! ```
//!
//! The payload is decoded one feature at a time with borrowed strings, so nothing is allocated
//! from a count or a length the file merely claims, and every error has the byte offset of the
//! feature it concerns. Records are read by [`wire`], a reader for bincode's format written for
//! speed; [`decode_reference_with`] reads them with bincode itself, and tests require the two to
//! agree. All bincode use is in this module and `wire`, so the serializer can be swapped.

mod wire;

use bincode::config::Config;
use bincode::error::DecodeError;
use bincode::{BorrowDecode, Encode};

use crate::error::{Error, ErrorKind, Position, Problem, len64};
use crate::limits::{Limits, MAX_FILE_SIZE};
use crate::model::{FORMAT_VERSION, Feature, FeatureFile, FeatureType, Value, ValueRef};
use crate::validate::FeatureSet;
use crate::validate::{check_string_size, check_value};

/// The first four bytes of every binary feature file.
pub const MAGIC: [u8; 4] = *b"BFF1";
/// Length of the fixed header.
pub const HEADER_LEN: usize = 16;

fn config() -> impl Config {
    // The decode limit is a second fence behind the header's length check.
    bincode::config::standard().with_limit::<MAX_FILE_SIZE>()
}

/// The payload's feature, borrowing its strings from the input.
#[derive(Encode, BorrowDecode)]
struct WireFeature<'a> {
    name: &'a str,
    ty: FeatureType,
    default: Option<ValueRef<'a>>,
}

/// Decodes a binary feature file under the default limits.
pub fn decode(input: &[u8]) -> Result<FeatureFile, Error> {
    decode_with(input, &Limits::DEFAULT)
}

/// Decodes a binary feature file under `limits`, trusting nothing the writer did.
pub fn decode_with(input: &[u8], limits: &Limits) -> Result<FeatureFile, Error> {
    decode_by(input, limits, Reader::Wire)
}

/// [`decode_with`], with every field read by bincode's own decoder: the reference the fast
/// reader is tested against. Same result, same errors (kind and position), slower. Test-only
/// API: feature `testing`.
#[cfg(feature = "testing")]
pub fn decode_reference_with(input: &[u8], limits: &Limits) -> Result<FeatureFile, Error> {
    decode_by(input, limits, Reader::Bincode)
}

/// Which decoder reads the payload's fields.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reader {
    Wire,
    // Only the test-only reference decoder reads with bincode.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    Bincode,
}

fn decode_by(input: &[u8], limits: &Limits, reader: Reader) -> Result<FeatureFile, Error> {
    if input.len() > limits.max_file_size {
        return Err(Error::file_too_large(
            crate::error::len64(input.len()),
            limits,
        ));
    }
    let payload = check_header(input, limits)?;
    Payload {
        bytes: payload,
        cursor: wire::Cursor::new(payload),
        reader,
        limits,
    }
    .decode()
}

/// Checks the header and returns the payload it frames.
fn check_header<'a>(input: &'a [u8], limits: &Limits) -> Result<&'a [u8], Error> {
    let at = |offset: u64| Position::Offset(offset);
    let field = |range: std::ops::Range<usize>| input.get(range);
    let Some(magic) = field(0..4) else {
        return Err(if MAGIC.starts_with(input) {
            Error::new(
                ErrorKind::Truncated,
                at(len64(input.len())),
                format!(
                    "file ends after {} bytes: expected a 16-byte header",
                    input.len()
                ),
            )
        } else {
            bad_magic()
        });
    };
    if magic != MAGIC {
        return Err(bad_magic());
    }
    let (Some(version), Some(flags), Some(len), Some(crc)) = (
        field(4..6)
            .and_then(|b| b.try_into().ok())
            .map(u16::from_le_bytes),
        field(6..8)
            .and_then(|b| b.try_into().ok())
            .map(u16::from_le_bytes),
        field(8..12)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes),
        field(12..16)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes),
    ) else {
        return Err(Error::new(
            ErrorKind::Truncated,
            at(len64(input.len())),
            format!(
                "file ends after {} bytes: expected a 16-byte header",
                input.len()
            ),
        ));
    };
    if version != FORMAT_VERSION {
        return Err(Error::new(
            ErrorKind::UnsupportedVersion,
            at(4),
            format!(
                "unsupported format version {version}: this build reads version {FORMAT_VERSION}"
            ),
        ));
    }
    if flags != 0 {
        return Err(Error::new(
            ErrorKind::BadFlags,
            at(6),
            format!("flags are {flags:#06x}: expected 0 (no flags are defined in version 1)"),
        ));
    }
    let max_payload = limits.max_file_size.saturating_sub(HEADER_LEN);
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if len > max_payload {
        return Err(Error::new(
            ErrorKind::FileTooLarge,
            at(8),
            format!("declared payload is {len} bytes: the limit is {max_payload} bytes"),
        ));
    }
    let rest = input.get(HEADER_LEN..).unwrap_or_default();
    if rest.len() < len {
        return Err(Error::new(
            ErrorKind::Truncated,
            at(len64(input.len())),
            format!(
                "file ends after {} bytes of payload: the header declares {len}",
                rest.len()
            ),
        ));
    }
    let (payload, trailing) = rest.split_at(len);
    if !trailing.is_empty() {
        return Err(Error::new(
            ErrorKind::TrailingBytes,
            at(len64(HEADER_LEN.saturating_add(len))),
            format!(
                "{} bytes after the {len}-byte payload: expected the end of the file",
                trailing.len()
            ),
        ));
    }
    let actual = crc32fast::hash(payload);
    if actual != crc {
        return Err(Error::new(
            ErrorKind::ChecksumMismatch,
            at(12),
            format!("payload CRC-32 is {actual:#010x}: the header says {crc:#010x}"),
        ));
    }
    Ok(payload)
}

struct Payload<'a, 'l> {
    bytes: &'a [u8],
    cursor: wire::Cursor<'a>,
    reader: Reader,
    limits: &'l Limits,
}

impl<'a> Payload<'a, '_> {
    fn offset(&self) -> Position {
        Position::Offset(len64(HEADER_LEN.saturating_add(self.cursor.pos())))
    }

    fn end(&self) -> u64 {
        len64(HEADER_LEN.saturating_add(self.bytes.len()))
    }

    /// Reads one field with bincode (the reference decoder).
    fn next_bincode<T: BorrowDecode<'a, ()>>(&mut self, what: &str) -> Result<T, Error> {
        let pos = self.cursor.pos();
        let rest = self.bytes.get(pos..).unwrap_or_default();
        let (value, used) = bincode::borrow_decode_from_slice::<T, _>(rest, config())
            .map_err(|e| decode_error(&e, what, self.offset(), self.end()))?;
        self.cursor.seek(pos.saturating_add(used));
        Ok(value)
    }

    fn next_u64(&mut self, what: &str) -> Result<u64, Error> {
        match self.reader {
            Reader::Bincode => self.next_bincode(what),
            Reader::Wire => {
                let at = self.offset();
                self.cursor
                    .u64()
                    .map_err(|e| wire_error(e, what, at, self.end()))
            }
        }
    }

    fn next_record(&mut self) -> Result<wire::Record<'a>, Error> {
        match self.reader {
            Reader::Bincode => {
                let w: WireFeature<'a> = self.next_bincode("a feature")?;
                Ok(wire::Record {
                    name: w.name,
                    ty: w.ty,
                    default: w.default,
                })
            }
            Reader::Wire => {
                let at = self.offset();
                self.cursor
                    .record()
                    .map_err(|e| wire_error(e, "a feature", at, self.end()))
            }
        }
    }

    fn decode(mut self) -> Result<FeatureFile, Error> {
        let serial = self.next_u64("the serial")?;
        let declared = self.next_u64("the feature count")?;
        // Bounded by the limit, not by the claim: a count of 2^60 reserves 200 slots.
        // And by the payload: a feature takes at least 4 bytes (name length, a name byte, type,
        // option tag), so a raised limit never sizes a reservation past the input.
        let expected = usize::try_from(declared)
            .unwrap_or(usize::MAX)
            .min(self.limits.max_features)
            .min(self.bytes.len() / 4);
        let mut set = FeatureSet::new(self.limits, expected);
        let mut features = Vec::with_capacity(expected);
        let mut index = 0u64;
        while index < declared {
            let at = self.offset();
            // The 201st feature is refused before it is decoded, whatever the count claimed.
            set.check_room().map_err(|p| p.at(at))?;
            let record = self.next_record()?;
            set.admit(record.name, at, None, &features)
                .map_err(|p| p.at(at))?;
            self.push_feature(&record, &mut features)
                .map_err(|p| p.at(at))?;
            index = index.saturating_add(1);
        }
        set.finish().map_err(|p| p.at(self.offset()))?;
        let pos = self.cursor.pos();
        if pos < self.bytes.len() {
            return Err(Error::new(
                ErrorKind::TrailingBytes,
                self.offset(),
                format!(
                    "{} bytes after the {declared} features the payload declares: expected the end of the payload",
                    self.bytes.len().saturating_sub(pos)
                ),
            ));
        }
        Ok(FeatureFile { serial, features })
    }

    /// Checks the record's type and default, then builds the feature in place at the end of
    /// `features`: built on the stack and moved, the name's inline bytes and the value's tag were
    /// re-read across partial stores, which stalled the loop.
    fn push_feature(
        &self,
        record: &wire::Record<'a>,
        features: &mut Vec<Feature>,
    ) -> Result<(), Problem> {
        if let FeatureType::Str(n) = record.ty {
            check_string_size(u64::from(n), self.limits)?;
        }
        if let Some(value) = record.default {
            check_value(value, record.ty)?;
        }
        features.push(Feature {
            name: record.name.into(),
            ty: record.ty,
            default: record.default.map(ValueRef::to_value),
        });
        Ok(())
    }
}

/// The error bincode's decoder gives for the same bytes, as [`decode_error`] maps it.
fn wire_error(e: wire::WireError, what: &str, at: Position, end: u64) -> Error {
    match e {
        wire::WireError::End => Error::new(
            ErrorKind::Truncated,
            Position::Offset(end),
            format!("payload ends inside {what}: expected more bytes"),
        ),
        wire::WireError::Utf8 => Error::new(
            ErrorKind::InvalidUtf8,
            at,
            format!("invalid UTF-8 in {what}: strings must be UTF-8"),
        ),
        wire::WireError::UnknownType(found) => Error::new(
            ErrorKind::UnknownType,
            at,
            format!("unknown type tag {found} in {what}: expected 0 to 9"),
        ),
        wire::WireError::Limit => Error::new(
            ErrorKind::FileTooLarge,
            at,
            format!("{what} claims more bytes than the file limit"),
        ),
        wire::WireError::Malformed(why) => {
            Error::new(ErrorKind::Syntax, at, format!("malformed {what}: {why}"))
        }
    }
}

fn decode_error(e: &DecodeError, what: &str, at: Position, end: u64) -> Error {
    match e {
        DecodeError::UnexpectedEnd { .. } => Error::new(
            ErrorKind::Truncated,
            Position::Offset(end),
            format!("payload ends inside {what}: expected more bytes"),
        ),
        DecodeError::Utf8 { .. } => Error::new(
            ErrorKind::InvalidUtf8,
            at,
            format!("invalid UTF-8 in {what}: strings must be UTF-8"),
        ),
        DecodeError::UnexpectedVariant {
            type_name, found, ..
        } if type_name.ends_with("FeatureType") => Error::new(
            ErrorKind::UnknownType,
            at,
            format!("unknown type tag {found} in {what}: expected 0 to 9"),
        ),
        DecodeError::LimitExceeded => Error::new(
            ErrorKind::FileTooLarge,
            at,
            format!("{what} claims more bytes than the file limit"),
        ),
        other => Error::new(ErrorKind::Syntax, at, format!("malformed {what}: {other}")),
    }
}

#[cold]
fn bad_magic() -> Error {
    Error::new(
        ErrorKind::BadMagic,
        Position::Offset(0),
        "not a binary feature file: expected the magic bytes `BFF1`",
    )
}

/// Encodes `file` after validating it under the default limits.
pub fn encode(file: &FeatureFile) -> Result<Vec<u8>, Error> {
    encode_with(file, &Limits::DEFAULT)
}

/// Encodes `file` after validating it under `limits`.
pub fn encode_with(file: &FeatureFile, limits: &Limits) -> Result<Vec<u8>, Error> {
    file.validate(limits)?;
    let bytes = encode_any(file);
    if bytes.len() > limits.max_file_size {
        return Err(Error::file_too_large(
            crate::error::len64(bytes.len()),
            limits,
        ));
    }
    Ok(bytes)
}

/// Encodes `file` without validating it, with a correct header: the hostile writer that tests and
/// fuzzers use to hand the decoder files it must refuse. Test-only API: feature `testing`.
#[cfg(feature = "testing")]
pub fn encode_unchecked(file: &FeatureFile) -> Vec<u8> {
    encode_any(file)
}

/// Wraps `payload` in a correct header. Test-only API: feature `testing`.
#[cfg(feature = "testing")]
pub fn frame(payload: &[u8]) -> Vec<u8> {
    frame_any(payload)
}

fn encode_any(file: &FeatureFile) -> Vec<u8> {
    let mut payload = Vec::with_capacity(file.features.len().saturating_mul(24).saturating_add(16));
    // Encoding into a Vec cannot fail: no limit applies to encoding.
    let _ = bincode::encode_into_std_write(file.serial, &mut payload, config());
    let _ = bincode::encode_into_std_write(len64(file.features.len()), &mut payload, config());
    for f in &file.features {
        let wire = WireFeature {
            name: &f.name,
            ty: f.ty,
            default: f.default.as_ref().map(Value::as_value_ref),
        };
        let _ = bincode::encode_into_std_write(&wire, &mut payload, config());
    }
    frame_any(&payload)
}

/// Wraps `payload` in a correct header (version 1, no flags, its length and CRC).
fn frame_any(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN.saturating_add(payload.len()));
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(
        &u32::try_from(payload.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

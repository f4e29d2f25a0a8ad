//! The binary format (`.bff`) from docs/FORMAT.md: a reference reader, and an encoder that frames
//! its payload with a CRC computed straight from the bytes (crc32fast), so a parser whose
//! checksum covers the wrong range disagrees with it on every file.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use botfeat::{ErrorKind, Feature, FeatureFile, FeatureType, Position, Value};

use crate::spec::{self, MAX_FILE_SIZE, Names, Refusal, Verdict};

/// `BFF1`.
pub const MAGIC: [u8; 4] = *b"BFF1";
/// The header's length.
pub const HEADER_LEN: usize = 16;

fn at(offset: usize) -> Position {
    Position::Offset(u64::try_from(offset).unwrap_or(u64::MAX))
}

fn refuse<T>(kind: ErrorKind, offset: usize) -> Result<T, Refusal> {
    Err(Refusal::new(kind, at(offset)))
}

/// What a reader of `input` must do, decided from the format page.
pub fn read(input: &[u8]) -> Verdict {
    if input.len() > MAX_FILE_SIZE {
        return Err(Refusal::new(ErrorKind::FileTooLarge, Position::File));
    }
    let Some(magic) = input.get(..4) else {
        return if MAGIC.starts_with(input) {
            refuse(ErrorKind::Truncated, input.len())
        } else {
            refuse(ErrorKind::BadMagic, 0)
        };
    };
    if magic != MAGIC {
        return refuse(ErrorKind::BadMagic, 0);
    }
    let Some(header) = input.get(..HEADER_LEN) else {
        return refuse(ErrorKind::Truncated, input.len());
    };
    let le16 = |i: usize| {
        header
            .get(i..i.saturating_add(2))
            .and_then(|b| b.try_into().ok())
            .map_or(0, u16::from_le_bytes)
    };
    let le32 = |i: usize| {
        header
            .get(i..i.saturating_add(4))
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    };
    if le16(4) != 1 {
        return refuse(ErrorKind::UnsupportedVersion, 4);
    }
    if le16(6) != 0 {
        return refuse(ErrorKind::BadFlags, 6);
    }
    let len = usize::try_from(le32(8)).unwrap_or(usize::MAX);
    if len > MAX_FILE_SIZE.saturating_sub(HEADER_LEN) {
        return refuse(ErrorKind::FileTooLarge, 8);
    }
    let rest = input.get(HEADER_LEN..).unwrap_or_default();
    if rest.len() < len {
        return refuse(ErrorKind::Truncated, input.len());
    }
    if rest.len() > len {
        return refuse(ErrorKind::TrailingBytes, HEADER_LEN.saturating_add(len));
    }
    if crc32fast::hash(rest) != le32(12) {
        return refuse(ErrorKind::ChecksumMismatch, 12);
    }
    Payload {
        bytes: rest,
        pos: 0,
        claimed: 0,
    }
    .file()
}

struct Payload<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Bytes claimed by the current record (FORMAT.md: bincode's limit is per decode call and
    /// counts each field's in-memory size, claimed before it is read, and each string's bytes).
    claimed: usize,
}

/// A field could not be read: the kind, and whether it is positioned at the end of the file
/// (`truncated`) rather than at the start of the field or feature.
struct Bad(ErrorKind);

impl<'a> Payload<'a> {
    fn offset(&self) -> usize {
        HEADER_LEN.saturating_add(self.pos)
    }

    /// A refusal at `start` (the field or feature), or at the end of the file for `truncated`.
    fn refusal(&self, bad: Bad, start: usize) -> Refusal {
        let offset = if bad.0 == ErrorKind::Truncated {
            HEADER_LEN.saturating_add(self.bytes.len())
        } else {
            start
        };
        Refusal::new(bad.0, at(offset))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Bad> {
        let end = self.pos.checked_add(n).ok_or(Bad(ErrorKind::Truncated))?;
        let bytes = self
            .bytes
            .get(self.pos..end)
            .ok_or(Bad(ErrorKind::Truncated))?;
        self.pos = end;
        Ok(bytes)
    }

    fn claim(&mut self, n: usize) -> Result<(), Bad> {
        self.claimed = self.claimed.saturating_add(n);
        if self.claimed > MAX_FILE_SIZE {
            return Err(Bad(ErrorKind::FileTooLarge));
        }
        Ok(())
    }

    /// A one-byte field (the option tag, a bool, a u8), claimed at its size.
    fn field_byte(&mut self) -> Result<u8, Bad> {
        self.claim(1)?;
        self.byte()
    }

    /// An integer field of `bits` bits: claimed at its size, then read as a varint.
    fn int(&mut self, bits: u32) -> Result<u64, Bad> {
        self.claim(usize::try_from(bits / 8).unwrap_or(usize::MAX))?;
        self.varint(bits)
    }

    fn byte(&mut self) -> Result<u8, Bad> {
        self.take(1)?
            .first()
            .copied()
            .ok_or(Bad(ErrorKind::Truncated))
    }

    /// bincode's varint for an integer of `bits` bits: below 251 the byte itself; 251, 252, 253
    /// announce 2, 4, 8 little-endian bytes, refused when wider than the field.
    fn varint(&mut self, bits: u32) -> Result<u64, Bad> {
        let marker = self.byte()?;
        let width = match marker {
            0..=250 => return Ok(u64::from(marker)),
            251 => 2usize,
            252 if bits >= 32 => 4,
            253 if bits >= 64 => 8,
            _ => return Err(Bad(ErrorKind::Syntax)),
        };
        let mut le = [0u8; 8];
        for (slot, b) in le.iter_mut().zip(self.take(width)?) {
            *slot = *b;
        }
        Ok(u64::from_le_bytes(le))
    }

    fn string(&mut self) -> Result<&'a str, Bad> {
        let len = usize::try_from(self.int(64)?).unwrap_or(usize::MAX);
        self.claim(len)?;
        std::str::from_utf8(self.take(len)?).map_err(|_| Bad(ErrorKind::InvalidUtf8))
    }

    fn file(mut self) -> Verdict {
        let start = self.offset();
        let serial = self.varint(64).map_err(|b| self.refusal(b, start))?;
        let start = self.offset();
        let count = self.varint(64).map_err(|b| self.refusal(b, start))?;
        let mut names = Names::default();
        let mut features = Vec::new();
        let mut index = 0u64;
        while index < count {
            let start = self.offset();
            names.check_room().map_err(|k| Refusal::new(k, at(start)))?;
            self.claimed = 0;
            let (name, ty, default) = self.record().map_err(|b| self.refusal(b, start))?;
            let feature = Feature {
                name: name.into(),
                ty,
                default,
            };
            spec::check_feature(&mut names, &feature).map_err(|k| Refusal::new(k, at(start)))?;
            features.push(feature);
            index = index.saturating_add(1);
        }
        if names.is_empty() {
            return Err(Refusal::new(ErrorKind::NoFeatures, at(self.offset())));
        }
        if self.pos < self.bytes.len() {
            return Err(Refusal::new(ErrorKind::TrailingBytes, at(self.offset())));
        }
        Ok(FeatureFile { serial, features })
    }

    fn record(&mut self) -> Result<(&'a str, FeatureType, Option<Value>), Bad> {
        let name = self.string()?;
        let ty = match self.int(32)? {
            0 => FeatureType::Bool,
            1 => FeatureType::U8,
            2 => FeatureType::U16,
            3 => FeatureType::U32,
            4 => FeatureType::U64,
            5 => FeatureType::I64,
            6 => FeatureType::F32,
            7 => FeatureType::F64,
            8 => FeatureType::Ip,
            9 => FeatureType::Str(u16::try_from(self.int(16)?).unwrap_or(u16::MAX)),
            _ => return Err(Bad(ErrorKind::UnknownType)),
        };
        let default = match self.field_byte()? {
            0 => None,
            1 => Some(self.value()?),
            _ => return Err(Bad(ErrorKind::Syntax)),
        };
        Ok((name, ty, default))
    }

    fn value(&mut self) -> Result<Value, Bad> {
        let narrow = |v: u64| Ok::<_, Bad>(v);
        Ok(match self.int(32)? {
            0 => match self.field_byte()? {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                _ => return Err(Bad(ErrorKind::Syntax)),
            },
            1 => Value::U8(self.field_byte()?),
            2 => Value::U16(u16::try_from(narrow(self.int(16)?)?).unwrap_or(u16::MAX)),
            3 => Value::U32(u32::try_from(narrow(self.int(32)?)?).unwrap_or(u32::MAX)),
            4 => Value::U64(self.int(64)?),
            5 => {
                // zigzag: 0, -1, 1, -2, …
                let z = self.int(64)?;
                let half = i64::try_from(z >> 1).unwrap_or(i64::MAX);
                Value::I64(if z & 1 == 0 { half } else { !half })
            }
            6 => Value::F32(f32::from_le_bytes(
                self.claim(4)
                    .and_then(|()| self.take(4))?
                    .try_into()
                    .map_err(|_| Bad(ErrorKind::Truncated))?,
            )),
            7 => Value::F64(f64::from_le_bytes(
                self.claim(8)
                    .and_then(|()| self.take(8))?
                    .try_into()
                    .map_err(|_| Bad(ErrorKind::Truncated))?,
            )),
            8 => match self.int(32)? {
                0 => {
                    let b: [u8; 4] = self
                        .take(4)?
                        .try_into()
                        .map_err(|_| Bad(ErrorKind::Truncated))?;
                    Value::Ip(IpAddr::V4(Ipv4Addr::from(b)))
                }
                1 => {
                    let b: [u8; 16] = self
                        .take(16)?
                        .try_into()
                        .map_err(|_| Bad(ErrorKind::Truncated))?;
                    Value::Ip(IpAddr::V6(Ipv6Addr::from(b)))
                }
                _ => return Err(Bad(ErrorKind::Syntax)),
            },
            9 => Value::Str(self.string()?.to_owned()),
            _ => return Err(Bad(ErrorKind::Syntax)),
        })
    }
}

/// Appends bincode's varint of `v` (the shortest form).
pub fn push_varint(out: &mut Vec<u8>, v: u64) {
    if v <= 250 {
        out.push(u8::try_from(v).unwrap_or(0));
    } else if let Ok(v) = u16::try_from(v) {
        out.push(251);
        out.extend_from_slice(&v.to_le_bytes());
    } else if let Ok(v) = u32::try_from(v) {
        out.push(252);
        out.extend_from_slice(&v.to_le_bytes());
    } else {
        out.push(253);
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn push_str(out: &mut Vec<u8>, s: &str) {
    push_varint(out, u64::try_from(s.len()).unwrap_or(u64::MAX));
    out.extend_from_slice(s.as_bytes());
}

/// The type's tag (and `N` for strings).
pub fn push_type(out: &mut Vec<u8>, ty: FeatureType) {
    let tag = match ty {
        FeatureType::Bool => 0,
        FeatureType::U8 => 1,
        FeatureType::U16 => 2,
        FeatureType::U32 => 3,
        FeatureType::U64 => 4,
        FeatureType::I64 => 5,
        FeatureType::F32 => 6,
        FeatureType::F64 => 7,
        FeatureType::Ip => 8,
        FeatureType::Str(n) => {
            push_varint(out, 9);
            push_varint(out, u64::from(n));
            return;
        }
    };
    push_varint(out, tag);
}

/// A value: its tag and body.
pub fn push_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Bool(v) => {
            push_varint(out, 0);
            out.push(u8::from(*v));
        }
        Value::U8(v) => {
            push_varint(out, 1);
            out.push(*v);
        }
        Value::U16(v) => {
            push_varint(out, 2);
            push_varint(out, u64::from(*v));
        }
        Value::U32(v) => {
            push_varint(out, 3);
            push_varint(out, u64::from(*v));
        }
        Value::U64(v) => {
            push_varint(out, 4);
            push_varint(out, *v);
        }
        Value::I64(v) => {
            push_varint(out, 5);
            // zigzag
            let z = if *v < 0 {
                (v.unsigned_abs() << 1).wrapping_sub(1)
            } else {
                v.unsigned_abs() << 1
            };
            push_varint(out, z);
        }
        Value::F32(v) => {
            push_varint(out, 6);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Value::F64(v) => {
            push_varint(out, 7);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Value::Ip(IpAddr::V4(a)) => {
            push_varint(out, 8);
            push_varint(out, 0);
            out.extend_from_slice(&a.octets());
        }
        Value::Ip(IpAddr::V6(a)) => {
            push_varint(out, 8);
            push_varint(out, 1);
            out.extend_from_slice(&a.octets());
        }
        Value::Str(s) => {
            push_varint(out, 9);
            push_str(out, s);
        }
    }
}

/// The payload of any model, valid or not: serial, count, then each feature.
pub fn payload(file: &FeatureFile) -> Vec<u8> {
    let mut out = Vec::new();
    push_varint(&mut out, file.serial);
    push_varint(
        &mut out,
        u64::try_from(file.features.len()).unwrap_or(u64::MAX),
    );
    for f in &file.features {
        push_feature(&mut out, f);
    }
    out
}

/// One feature record.
pub fn push_feature(out: &mut Vec<u8>, f: &Feature) {
    push_str(out, &f.name);
    push_type(out, f.ty);
    match &f.default {
        None => out.push(0),
        Some(v) => {
            out.push(1);
            push_value(out, v);
        }
    }
}

/// `payload` behind a correct header: version 1, no flags, its length, the CRC-32 of exactly
/// those bytes.
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN.saturating_add(payload.len()));
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&1u16.to_le_bytes());
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

/// Any model as a binary file (valid or not: the hostile writer).
pub fn encode(file: &FeatureFile) -> Vec<u8> {
    frame(&payload(file))
}

/// Repairs the header of a mutated file: the length and CRC of whatever follows it, so that a
/// mutation reaches the payload decoder instead of dying at the checksum.
pub fn reframe(file: &mut [u8]) {
    if file.len() < HEADER_LEN || file.get(..4) != Some(&MAGIC[..]) {
        return;
    }
    let payload = file.get(HEADER_LEN..).unwrap_or_default();
    let len = u32::try_from(payload.len())
        .unwrap_or(u32::MAX)
        .to_le_bytes();
    let crc = crc32fast::hash(payload).to_le_bytes();
    if let Some(field) = file.get_mut(8..12) {
        field.copy_from_slice(&len);
    }
    if let Some(field) = file.get_mut(12..16) {
        field.copy_from_slice(&crc);
    }
}

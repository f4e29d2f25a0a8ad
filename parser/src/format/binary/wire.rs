//! A reader for the payload's wire format — bincode 2.0.1's standard configuration (varint
//! integers, little endian), for exactly the types a feature record holds.
//!
//! bincode's generic decoder was a quarter of a decode (a `Result` of its large error per field,
//! a reader behind a trait); this reader is the same format read straight off a slice. It is
//! checked against bincode itself: [`super::decode_reference_with`] decodes with bincode, and the
//! tests and proptests require both to agree on every input, accepted or refused, to the error
//! kind and position.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::limits::MAX_FILE_SIZE;
use crate::model::{FeatureType, ValueRef};

/// A feature record as it is on the wire, its strings borrowed from the input.
pub(super) struct Record<'a> {
    pub(super) name: &'a str,
    pub(super) ty: FeatureType,
    pub(super) default: Option<ValueRef<'a>>,
}

/// Why a record could not be read. Each maps to the error bincode's decoder gives for the same
/// bytes (see `decode_error` in the parent module).
#[derive(Debug)]
pub(super) enum WireError {
    /// The payload ends inside the field.
    End,
    /// A string is not UTF-8.
    Utf8,
    /// A type tag past the last type.
    UnknownType(u32),
    /// Strings in one record claim more than the file limit (bincode's `with_limit`).
    Limit,
    /// Any other malformation; the message says what was expected.
    Malformed(String),
}

/// The integer widths a varint may be decoded into: a wider marker is refused, as bincode does.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Width {
    U16,
    U32,
    U64,
}

/// Varint markers: a first byte up to 250 is the value itself; 251–253 announce a little-endian
/// u16, u32 or u64; 254 a u128 and 255 nothing (both refused here).
const SINGLE_BYTE_MAX: u8 = 250;
const U16_MARKER: u8 = 251;
const U32_MARKER: u8 = 252;
const U64_MARKER: u8 = 253;

/// A position in the payload.
pub(super) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Bytes claimed in the current record, against bincode's limit: bincode claims each
    /// field's in-memory size before reading it (8 for a length, a u64 or an i64, 4 for a
    /// tag or a u32, …) and each string's length.
    claimed: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Cursor {
            bytes,
            pos: 0,
            claimed: 0,
        }
    }

    /// Bytes read so far.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// Continues from `pos` (after a record read by another decoder).
    pub(super) fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// Claims `n` bytes as bincode's limit does, before the field is read.
    #[inline(always)]
    fn claim(&mut self, n: usize) -> Result<(), WireError> {
        self.claimed = self.claimed.saturating_add(n);
        if self.claimed > MAX_FILE_SIZE {
            return Err(WireError::Limit);
        }
        Ok(())
    }

    /// A u8 field (a u8 value, a bool, the option tag): claimed as bincode's `u8` is.
    #[inline(always)]
    fn field_byte(&mut self) -> Result<u8, WireError> {
        self.claim(1)?;
        self.byte()
    }

    #[inline(always)]
    fn byte(&mut self) -> Result<u8, WireError> {
        let b = *self.bytes.get(self.pos).ok_or(WireError::End)?;
        self.pos = self.pos.saturating_add(1);
        Ok(b)
    }

    #[inline(always)]
    fn array<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let end = self.pos.checked_add(N).ok_or(WireError::End)?;
        let bytes = self.bytes.get(self.pos..end).ok_or(WireError::End)?;
        let array = bytes.try_into().map_err(|_| WireError::End)?;
        self.pos = end;
        Ok(array)
    }

    #[inline(always)]
    fn varint(&mut self, width: Width) -> Result<u64, WireError> {
        match self.byte()? {
            b @ 0..=SINGLE_BYTE_MAX => Ok(u64::from(b)),
            U16_MARKER => Ok(u64::from(u16::from_le_bytes(self.array()?))),
            U32_MARKER if width >= Width::U32 => Ok(u64::from(u32::from_le_bytes(self.array()?))),
            U64_MARKER if width >= Width::U64 => Ok(u64::from_le_bytes(self.array()?)),
            marker => Err(bad_marker(marker, width)),
        }
    }

    /// A u64 (the serial, the feature count).
    #[inline(always)]
    pub(super) fn u64(&mut self) -> Result<u64, WireError> {
        self.claim(8)?;
        self.varint(Width::U64)
    }

    #[inline(always)]
    fn u32(&mut self) -> Result<u32, WireError> {
        // A u32-wide varint holds a u32.
        self.claim(4)?;
        self.varint(Width::U32)
            .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
    }

    #[inline(always)]
    fn u16(&mut self) -> Result<u16, WireError> {
        self.claim(2)?;
        self.varint(Width::U16)
            .map(|v| u16::try_from(v).unwrap_or(u16::MAX))
    }

    #[inline(always)]
    fn str(&mut self) -> Result<&'a str, WireError> {
        let len = self.u64()?;
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        self.claim(len)?;
        let end = self.pos.checked_add(len).ok_or(WireError::End)?;
        let bytes = self.bytes.get(self.pos..end).ok_or(WireError::End)?;
        let s = std::str::from_utf8(bytes).map_err(|_| WireError::Utf8)?;
        self.pos = end;
        Ok(s)
    }

    /// One feature record: name, type, optional default.
    #[inline(always)]
    pub(super) fn record(&mut self) -> Result<Record<'a>, WireError> {
        self.claimed = 0;
        let name = self.str()?;
        let ty = self.feature_type()?;
        let default = match self.field_byte()? {
            0 => None,
            1 => Some(self.value()?),
            tag => {
                return Err(WireError::Malformed(format!(
                    "default tag is {tag}: expected 0 (none) or 1 (a value)"
                )));
            }
        };
        Ok(Record { name, ty, default })
    }

    #[inline(always)]
    fn feature_type(&mut self) -> Result<FeatureType, WireError> {
        Ok(match self.u32()? {
            0 => FeatureType::Bool,
            1 => FeatureType::U8,
            2 => FeatureType::U16,
            3 => FeatureType::U32,
            4 => FeatureType::U64,
            5 => FeatureType::I64,
            6 => FeatureType::F32,
            7 => FeatureType::F64,
            8 => FeatureType::Ip,
            9 => FeatureType::Str(self.u16()?),
            tag => return Err(WireError::UnknownType(tag)),
        })
    }

    #[inline(always)]
    fn value(&mut self) -> Result<ValueRef<'a>, WireError> {
        Ok(match self.u32()? {
            0 => match self.field_byte()? {
                0 => ValueRef::Bool(false),
                1 => ValueRef::Bool(true),
                b => {
                    return Err(WireError::Malformed(format!(
                        "bool value is {b}: expected 0 or 1"
                    )));
                }
            },
            1 => ValueRef::U8(self.field_byte()?),
            2 => ValueRef::U16(self.u16()?),
            3 => ValueRef::U32(self.u32()?),
            4 => ValueRef::U64(self.u64()?),
            5 => ValueRef::I64(zigzag(self.u64()?)),
            6 => {
                self.claim(4)?;
                ValueRef::F32(f32::from_le_bytes(self.array()?))
            }
            7 => {
                self.claim(8)?;
                ValueRef::F64(f64::from_le_bytes(self.array()?))
            }
            // The address's octets are read without a claim (bincode's `Ipv4Addr`).
            8 => ValueRef::Ip(match self.u32()? {
                0 => IpAddr::V4(Ipv4Addr::from(self.array::<4>()?)),
                1 => IpAddr::V6(Ipv6Addr::from(self.array::<16>()?)),
                tag => {
                    return Err(WireError::Malformed(format!(
                        "address family tag is {tag}: expected 0 (IPv4) or 1 (IPv6)"
                    )));
                }
            }),
            9 => ValueRef::Str(self.str()?),
            tag => {
                return Err(WireError::Malformed(format!(
                    "value tag is {tag}: expected 0 to 9"
                )));
            }
        })
    }
}

/// bincode's signed varint: zigzag over the unsigned one (0, -1, 1, -2, …).
fn zigzag(n: u64) -> i64 {
    let magnitude = i64::try_from(n.wrapping_shr(1)).unwrap_or(i64::MAX);
    if n & 1 == 0 { magnitude } else { !magnitude }
}

#[cold]
fn bad_marker(marker: u8, width: Width) -> WireError {
    let (max, allowed) = match width {
        Width::U16 => ("u16", "0–251"),
        Width::U32 => ("u32", "0–252"),
        Width::U64 => ("u64", "0–253"),
    };
    WireError::Malformed(format!(
        "integer starts with byte {marker}: a varint {max} starts with {allowed}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_follow_bincode() {
        let cfg = bincode::config::standard();
        for v in [
            0u64,
            250,
            251,
            255,
            65_535,
            65_536,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let bytes = bincode::encode_to_vec(v, cfg).unwrap();
            assert_eq!(Cursor::new(&bytes).u64().unwrap(), v, "{v}");
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX, -300] {
            let bytes = bincode::encode_to_vec(v, cfg).unwrap();
            let mut c = Cursor::new(&bytes);
            assert_eq!(zigzag(c.u64().unwrap()), v, "{v}");
        }
        // A u32 marker where a u16 is expected, a u128 marker, the reserved 255.
        assert!(matches!(
            Cursor::new(&[252, 0, 0, 0, 0]).u16(),
            Err(WireError::Malformed(_))
        ));
        assert!(matches!(
            Cursor::new(&[254; 17]).u64(),
            Err(WireError::Malformed(_))
        ));
        assert!(matches!(
            Cursor::new(&[255]).u32(),
            Err(WireError::Malformed(_))
        ));
        assert!(matches!(Cursor::new(&[251, 1]).u16(), Err(WireError::End)));
    }
}

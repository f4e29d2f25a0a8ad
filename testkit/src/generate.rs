//! The one model generator, for `arbitrary` (the fuzz targets) and proptest (through
//! [`from_bytes`], which the proptest strategies map byte vectors with): feature files, valid
//! and not.
//!
//! The choices are ordered so that the first (what `arbitrary` picks when the input runs out) is
//! the ordinary one; the rare states — 195 to 205 features, a duplicate, a 65-byte name, a
//! default one past its type's range — each cost the fuzzer a byte or two to reach.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use arbitrary::{Result, Unstructured};
use botfeat::{Feature, FeatureFile, FeatureType, Value};

/// A feature file that may break any rule: too many features, bad or duplicate names, strings
/// over their size, out-of-range or non-finite defaults, defaults of the wrong type.
pub fn feature_file(u: &mut Unstructured<'_>) -> Result<FeatureFile> {
    let serial = u.arbitrary()?;
    let count = match u.int_in_range(0u8..=3)? {
        0 => u.int_in_range(1..=12)?,
        1 => u.int_in_range(195..=205)?,
        2 => u.int_in_range(0..=260)?,
        _ => u.int_in_range(40..=80)?,
    };
    let mut features: Vec<Feature> = Vec::with_capacity(count);
    for i in 0..count {
        let name = name(u, i, &features)?;
        let ty = feature_type(u)?;
        let default = if u.arbitrary()? {
            Some(value(u, ty)?)
        } else {
            None
        };
        features.push(Feature {
            name: name.into(),
            ty,
            default,
        });
    }
    Ok(FeatureFile { serial, features })
}

/// A valid file: `feature_file` without the rule breaking.
pub fn valid_feature_file(u: &mut Unstructured<'_>) -> Result<FeatureFile> {
    let mut file = feature_file(u)?;
    file.features.truncate(crate::spec::MAX_FEATURES);
    if file.features.is_empty() {
        file.features.push(Feature {
            name: "only".into(),
            ty: FeatureType::Bool,
            default: None,
        });
    }
    for (i, f) in file.features.iter_mut().enumerate() {
        make_valid(f, i);
    }
    Ok(file)
}

/// Feature `i` made valid: named `f{i}` (unique), `str(N)` within 1 to 4096, a default that does
/// not fit its type dropped.
fn make_valid(f: &mut Feature, i: usize) {
    f.name = format!("f{i}").into();
    if let FeatureType::Str(n) = &mut f.ty {
        *n = (*n).clamp(1, 4096);
    }
    if f.default
        .as_ref()
        .is_some_and(|v| crate::spec::check_value(v, f.ty).is_err())
    {
        f.default = None;
    }
}

fn name(u: &mut Unstructured<'_>, i: usize, earlier: &[Feature]) -> Result<String> {
    Ok(match u.int_in_range(0u8..=19)? {
        // Duplicate an earlier name (the 18 Nov shape).
        1 if !earlier.is_empty() => u.choose(earlier)?.name.to_string(),
        // Names at the length limit and one past it.
        2 => {
            let len = u.int_in_range(63..=65)?;
            format!("n{i}_")
                .chars()
                .chain(std::iter::repeat('x'))
                .take(len)
                .collect()
        }
        // Anything at all (mostly invalid).
        3 => u.arbitrary::<String>()?,
        4 => format!("F{i}"),
        _ => format!("feature_{i}"),
    })
}

fn feature_type(u: &mut Unstructured<'_>) -> Result<FeatureType> {
    Ok(match u.int_in_range(0u8..=9)? {
        0 => FeatureType::U32,
        1 => FeatureType::Bool,
        2 => FeatureType::U8,
        3 => FeatureType::U16,
        4 => FeatureType::U64,
        5 => FeatureType::I64,
        6 => FeatureType::F32,
        7 => FeatureType::F64,
        8 => FeatureType::Ip,
        _ => FeatureType::Str(match u.int_in_range(0u8..=4)? {
            0 => u.int_in_range(1..=64)?,
            1 => 4096,
            2 => 4097,
            3 => 0,
            _ => u.arbitrary()?,
        }),
    })
}

/// A default for `ty`: mostly of that type (boundaries included), sometimes not.
fn value(u: &mut Unstructured<'_>, ty: FeatureType) -> Result<Value> {
    if u.ratio(1u8, 16)? {
        // Wrong type or non-finite: must be refused everywhere.
        return Ok(match u.int_in_range(0u8..=2)? {
            0 => Value::F32(f32::NAN),
            1 => Value::F64(f64::INFINITY),
            _ => Value::Bool(true),
        });
    }
    if u.ratio(1u8, 6)? {
        return boundary(u, ty);
    }
    Ok(match ty {
        FeatureType::Bool => Value::Bool(u.arbitrary()?),
        FeatureType::U8 => Value::U8(u.arbitrary()?),
        FeatureType::U16 => Value::U16(u.arbitrary()?),
        FeatureType::U32 => Value::U32(u.arbitrary()?),
        FeatureType::U64 => Value::U64(u.arbitrary()?),
        FeatureType::I64 => Value::I64(u.arbitrary()?),
        FeatureType::F32 => Value::F32(match u.int_in_range(0u8..=3)? {
            0 => f32::from_bits(u.arbitrary()?),
            1 => -0.0,
            2 => f32::MAX,
            _ => f32::MIN_POSITIVE,
        }),
        FeatureType::F64 => Value::F64(match u.int_in_range(0u8..=3)? {
            0 => f64::from_bits(u.arbitrary()?),
            1 => -0.0,
            2 => f64::MIN,
            _ => 5e-324,
        }),
        FeatureType::Ip => Value::Ip(if u.arbitrary()? {
            IpAddr::V4(Ipv4Addr::from(u.arbitrary::<u32>()?))
        } else {
            IpAddr::V6(Ipv6Addr::from(u.arbitrary::<u128>()?))
        }),
        FeatureType::Str(n) => {
            let len = match u.int_in_range(0u8..=3)? {
                0 => u.int_in_range(0..=8usize)?,
                1 => usize::from(n),
                2 => usize::from(n).saturating_add(1),
                _ => usize::from(n).saturating_sub(1),
            }
            // Past the global limit only the declared size matters (it is refused first);
            // filling 65,535-byte strings would only slow the fuzzer down.
            .min(
                usize::try_from(crate::spec::MAX_STRING_LEN)
                    .unwrap_or(4096)
                    .saturating_add(1),
            );
            let piece: String = u.arbitrary()?;
            let piece = if piece.is_empty() {
                "a".to_string()
            } else {
                piece
            };
            // Whole copies of the piece, then its characters while they fit: the same string as
            // cycling through its characters, without a push per character (which was the top
            // entry of a roundtrip fuzz run).
            let mut s = String::with_capacity(len);
            while s.len().saturating_add(piece.len()) <= len {
                s.push_str(&piece);
            }
            for c in piece.chars() {
                if s.len().saturating_add(c.len_utf8()) > len {
                    break;
                }
                s.push(c);
            }
            Value::Str(s)
        }
    })
}

/// A value at its type's edge, or just past it in a wider type: what a wrapping, saturating or
/// truncating reader gets wrong. Text and rows spell it as a number for the feature's type
/// (`default=256` on a `u8`), so the reader must refuse it as out of range.
fn boundary(u: &mut Unstructured<'_>, ty: FeatureType) -> Result<Value> {
    let pick =
        |u: &mut Unstructured<'_>, values: &[Value]| -> Result<Value> { u.choose(values).cloned() };
    match ty {
        FeatureType::Bool => pick(u, &[Value::Bool(false), Value::U8(1)]),
        FeatureType::U8 => pick(
            u,
            &[
                Value::U8(255),
                Value::U16(256),
                Value::I64(-1),
                Value::U16(65535),
            ],
        ),
        FeatureType::U16 => pick(
            u,
            &[
                Value::U16(65535),
                Value::U32(65536),
                Value::I64(-1),
                Value::U32(u32::MAX),
            ],
        ),
        FeatureType::U32 => pick(
            u,
            &[
                Value::U32(u32::MAX),
                Value::U64(1 << 32),
                Value::I64(-1),
                Value::U64(u64::MAX),
            ],
        ),
        FeatureType::U64 => pick(
            u,
            &[Value::U64(u64::MAX), Value::I64(-1), Value::I64(i64::MIN)],
        ),
        FeatureType::I64 => pick(
            u,
            &[
                Value::I64(i64::MIN),
                Value::I64(i64::MAX),
                Value::U64(1 << 63),
                Value::U64(u64::MAX),
            ],
        ),
        FeatureType::F32 => pick(
            u,
            &[
                Value::F32(f32::MAX),
                Value::F64(3.5e38),
                Value::F64(1e-46),
                Value::F32(-0.0),
            ],
        ),
        FeatureType::F64 => pick(
            u,
            &[Value::F64(f64::MAX), Value::F64(-0.0), Value::F64(5e-324)],
        ),
        FeatureType::Ip => pick(
            u,
            &[
                Value::Ip(IpAddr::V4(Ipv4Addr::BROADCAST)),
                Value::Ip(IpAddr::V6(Ipv6Addr::from(0xffff_0102_0304u128))),
            ],
        ),
        FeatureType::Str(n) => Ok(Value::Str("x".repeat(usize::from(n).min(4097)))),
    }
}

/// `generate` run on `bytes` as its source of choices; when the bytes run out every later choice
/// is the first one, so any byte string makes a model (and a shorter one a simpler model —
/// what lets proptest shrink through it).
pub fn from_bytes<T>(
    bytes: &[u8],
    generate: impl FnOnce(&mut Unstructured<'_>) -> Result<T>,
) -> Option<T> {
    generate(&mut Unstructured::new(bytes)).ok()
}

/// A file of `n` features named `f0`, `f1`, …, all `u32` with default 0: the fixed file that
/// seeds and limit checks count with (200 of them is the limit, 201 one over).
pub fn numbered(n: usize, serial: u64) -> FeatureFile {
    FeatureFile {
        serial,
        features: (0..n)
            .map(|i| Feature {
                name: format!("f{i}").into(),
                ty: FeatureType::U32,
                default: Some(Value::U32(0)),
            })
            .collect(),
    }
}

/// `n` valid features with distinct names (`f0`, `f1`, …), types and defaults from `u`.
pub fn valid_features(u: &mut Unstructured<'_>, n: usize) -> Result<Vec<Feature>> {
    (0..n)
        .map(|i| {
            let ty = match feature_type(u)? {
                FeatureType::Str(n) => FeatureType::Str(n.clamp(1, 4096)),
                ty => ty,
            };
            let default = if u.arbitrary()? {
                Some(value(u, ty)?)
            } else {
                None
            };
            let mut feature = Feature {
                name: Default::default(),
                ty,
                default,
            };
            make_valid(&mut feature, i);
            Ok(feature)
        })
        .collect()
}

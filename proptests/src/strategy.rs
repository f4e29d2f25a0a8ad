//! Feature files: valid ones across each type's full range, and ones at and around every limit.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use botfeat::limits::{MAX_FEATURES, MAX_NAME_LEN, MAX_STRING_LEN};
use botfeat::{Feature, FeatureFile, FeatureType, Value};
use proptest::prelude::*;

use crate::Model;

/// Characters for string values: ASCII, every escape the text format has, other control
/// characters, and multi-byte UTF-8 (2, 3 and 4 bytes).
fn string_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => proptest::char::range('a', 'z'),
        1 => Just(' '),
        1 => prop::sample::select(vec!['"', '\\', '\n', '\t', '\r', '#', '=', '\u{1}', '\u{7f}', '\u{85}']),
        1 => prop::sample::select(vec!['é', 'ß', '€', '中', '😀', '\u{10FFFF}', '\u{FEFF}']),
    ]
}

/// A string of at most `max` bytes.
pub fn string(max: usize) -> BoxedStrategy<String> {
    prop::collection::vec(string_char(), 0..=max.min(64))
        .prop_map(move |chars| {
            let mut s = String::new();
            for c in chars {
                if s.len() + c.len_utf8() > max {
                    break;
                }
                s.push(c);
            }
            s
        })
        .boxed()
}

/// A string of exactly `len` bytes (ASCII with some multi-byte characters).
pub fn string_of_len(len: usize) -> BoxedStrategy<String> {
    prop::collection::vec(
        prop_oneof![3 => Just('x'), 1 => Just('é'), 1 => Just('"')],
        0..=len.min(64),
    )
    .prop_map(move |chars| {
        let mut s = String::new();
        for c in chars {
            if s.len() + c.len_utf8() <= len {
                s.push(c);
            }
        }
        while s.len() < len {
            s.push('y');
        }
        s
    })
    .boxed()
}

/// Every type; `str(N)` mostly small, sometimes at the limit.
pub fn feature_type() -> BoxedStrategy<FeatureType> {
    prop_oneof![
        Just(FeatureType::Bool),
        Just(FeatureType::U8),
        Just(FeatureType::U16),
        Just(FeatureType::U32),
        Just(FeatureType::U64),
        Just(FeatureType::I64),
        Just(FeatureType::F32),
        Just(FeatureType::F64),
        Just(FeatureType::Ip),
        (1u16..=64).prop_map(FeatureType::Str),
        Just(FeatureType::Str(MAX_STRING_LEN as u16)),
    ]
    .boxed()
}

fn finite_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        Just(-0.0f32),
        Just(0.0),
        Just(f32::MAX),
        Just(f32::MIN),
        Just(f32::MIN_POSITIVE),
        Just(f32::from_bits(1)),
        Just(-f32::from_bits(1)),
        proptest::num::f32::POSITIVE
            | proptest::num::f32::NEGATIVE
            | proptest::num::f32::NORMAL
            | proptest::num::f32::SUBNORMAL
            | proptest::num::f32::ZERO,
    ]
}

fn finite_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(-0.0f64),
        Just(f64::MAX),
        Just(f64::MIN),
        Just(f64::MIN_POSITIVE),
        Just(f64::from_bits(1)),
        Just(0.1),
        proptest::num::f64::POSITIVE
            | proptest::num::f64::NEGATIVE
            | proptest::num::f64::NORMAL
            | proptest::num::f64::SUBNORMAL
            | proptest::num::f64::ZERO,
    ]
}

/// A valid value of `ty`, boundaries included.
pub fn value(ty: FeatureType) -> BoxedStrategy<Value> {
    match ty {
        FeatureType::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        FeatureType::U8 => prop_oneof![Just(0), Just(u8::MAX), any::<u8>()]
            .prop_map(Value::U8)
            .boxed(),
        FeatureType::U16 => prop_oneof![Just(0), Just(u16::MAX), any::<u16>()]
            .prop_map(Value::U16)
            .boxed(),
        FeatureType::U32 => prop_oneof![Just(0), Just(u32::MAX), any::<u32>()]
            .prop_map(Value::U32)
            .boxed(),
        FeatureType::U64 => prop_oneof![Just(0), Just(u64::MAX), any::<u64>()]
            .prop_map(Value::U64)
            .boxed(),
        FeatureType::I64 => prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(-1), any::<i64>()]
            .prop_map(Value::I64)
            .boxed(),
        FeatureType::F32 => finite_f32().prop_map(Value::F32).boxed(),
        FeatureType::F64 => finite_f64().prop_map(Value::F64).boxed(),
        FeatureType::Ip => prop_oneof![
            any::<u32>().prop_map(|v| IpAddr::V4(Ipv4Addr::from(v))),
            any::<u128>().prop_map(|v| IpAddr::V6(Ipv6Addr::from(v))),
            Just(IpAddr::V6(Ipv6Addr::LOCALHOST)),
            any::<u32>().prop_map(|v| IpAddr::V6(Ipv4Addr::from(v).to_ipv6_mapped())),
        ]
        .prop_map(Value::Ip)
        .boxed(),
        // Long strings make lines the text format cannot carry; keep them to a few hundred bytes.
        FeatureType::Str(n) => string(usize::from(n).min(256)).prop_map(Value::Str).boxed(),
    }
}

/// `[a-z][a-z0-9_]{0,40}`, built from samples rather than a regex: 200 of them per case.
fn name_base() -> impl Strategy<Value = String> {
    const REST: &[char] = &[
        'a', 'e', 'i', 'o', 'u', 's', 't', 'x', 'z', '0', '1', '9', '_',
    ];
    (
        proptest::char::range('a', 'z'),
        prop::collection::vec(prop::sample::select(REST), 0..=40),
    )
        .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect())
}

/// A valid feature whose name is made unique by `index`.
fn feature(index: usize) -> BoxedStrategy<Feature> {
    (name_base(), feature_type())
        .prop_flat_map(move |(base, ty)| {
            let name = format!("{base}_{index}");
            (Just(name), Just(ty), prop::option::weighted(0.8, value(ty)))
        })
        .prop_map(|(name, ty, default)| Feature {
            name: name.into(),
            ty,
            default,
        })
        .boxed()
}

/// `n` valid features with unique names.
pub fn features(n: usize) -> BoxedStrategy<Vec<Feature>> {
    (0..n).map(feature).collect::<Vec<_>>().boxed()
}

/// A valid file of 1 to 200 features (mostly few, sometimes at the limit).
pub fn valid_file() -> BoxedStrategy<Model> {
    let count = prop_oneof![6 => 1usize..=20, 2 => 21usize..=199, 1 => Just(MAX_FEATURES)];
    (any::<u64>(), count)
        .prop_flat_map(|(serial, n)| {
            features(n).prop_map(move |features| Model(FeatureFile { serial, features }))
        })
        .boxed()
}

/// A file at the edge of every limit: 195 to 205 features; names of 63 to 65 bytes; `str(N)`
/// defaults of N−1, N or N+1 bytes. Valid or not: [`FeatureFile::validate`] says which.
pub fn near_limit_file() -> BoxedStrategy<Model> {
    let count = 195usize..=205;
    (
        any::<u64>(),
        count,
        prop::collection::vec(
            (MAX_NAME_LEN - 1..=MAX_NAME_LEN + 1, 1u16..=64, 0usize..3),
            3,
        ),
    )
        .prop_flat_map(|(serial, n, edges)| {
            features(n).prop_map(move |mut features| {
                for (k, (name_len, str_n, delta)) in edges.iter().enumerate() {
                    let i = (k * 67) % features.len();
                    let f = &mut features[i];
                    let mut name = format!("e{i}_");
                    while name.len() < *name_len {
                        name.push('z');
                    }
                    f.name = name.into();
                    f.ty = FeatureType::Str(*str_n);
                    let len = (usize::from(*str_n) + *delta).saturating_sub(1);
                    f.default = Some(Value::Str("s".repeat(len)));
                }
                Model(FeatureFile { serial, features })
            })
        })
        .boxed()
}

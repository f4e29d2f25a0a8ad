//! The fast binary reader against bincode's own decoder: on every input both must accept the
//! same file or refuse it with the same error kind at the same position.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::net::IpAddr;

use botfeat::binary::{self, HEADER_LEN};
use botfeat::limits::MAX_FILE_SIZE;
use botfeat::{Feature, FeatureFile, FeatureType, Limits, Value};

/// Every type, both address families, every varint width, strings at and past their size.
fn every_shape() -> FeatureFile {
    let ip4: IpAddr = "192.0.2.1".parse().unwrap();
    let ip6: IpAddr = "2001:db8::1".parse().unwrap();
    let values = [
        (FeatureType::Bool, Some(Value::Bool(true))),
        (FeatureType::U8, Some(Value::U8(255))),
        (FeatureType::U16, Some(Value::U16(251))),
        (FeatureType::U32, Some(Value::U32(70_000))),
        (FeatureType::U64, Some(Value::U64(u64::MAX))),
        (FeatureType::I64, Some(Value::I64(-300))),
        (FeatureType::F32, Some(Value::F32(-0.0))),
        (FeatureType::F64, Some(Value::F64(1e300))),
        (FeatureType::Ip, Some(Value::Ip(ip4))),
        (FeatureType::Ip, Some(Value::Ip(ip6))),
        (FeatureType::Str(300), Some(Value::Str("é".repeat(150)))),
        (FeatureType::Str(4), None),
    ];
    FeatureFile {
        serial: 1 << 40,
        features: values
            .into_iter()
            .enumerate()
            .map(|(i, (ty, default))| Feature {
                name: format!("feature_{i}").into(),
                ty,
                default,
            })
            .collect(),
    }
}

fn assert_agree(input: &[u8], what: &str) {
    let limits = Limits::DEFAULT;
    let fast = binary::decode_with(input, &limits);
    let reference = binary::decode_reference_with(input, &limits);
    match (&fast, &reference) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}: accepted differently"),
        (Err(a), Err(b)) => assert_eq!(
            (a.kind(), a.position()),
            (b.kind(), b.position()),
            "{what}: refused differently\n  fast:      {a}\n  reference: {b}"
        ),
        _ => panic!("{what}: fast {fast:?}\n  reference {reference:?}"),
    }
}

/// Each payload byte set to the values that matter to the wire format (varint markers, tags,
/// bool and option bytes, a flipped bit), with the header repaired so the payload is read.
#[test]
fn every_byte_mutation_agrees() {
    let encoded = binary::encode(&every_shape()).unwrap();
    let payload = &encoded[HEADER_LEN..];
    let mut checked = 0;
    for i in 0..payload.len() {
        let original = payload[i];
        for value in [
            0,
            1,
            2,
            9,
            10,
            0x7f,
            0x80,
            0xc3,
            250,
            251,
            252,
            253,
            254,
            255,
            original ^ 1,
            original.wrapping_add(1),
        ] {
            let mut mutated = payload.to_vec();
            mutated[i] = value;
            assert_agree(&binary::frame(&mutated), &format!("byte {i} = {value}"));
            checked += 1;
        }
    }
    assert!(checked > 5_000, "only {checked} inputs");
}

/// Every truncation and every extension of the payload.
#[test]
fn every_length_agrees() {
    let encoded = binary::encode(&every_shape()).unwrap();
    let payload = &encoded[HEADER_LEN..];
    for len in 0..=payload.len() {
        assert_agree(
            &binary::frame(&payload[..len]),
            &format!("first {len} bytes"),
        );
    }
    for extra in [&[0u8][..], &[1, 2, 3], &[251, 0]] {
        let mut longer = payload.to_vec();
        longer.extend_from_slice(extra);
        assert_agree(&binary::frame(&longer), &format!("{extra:?} appended"));
    }
}

/// Strings that claim more than the file limit, or more than is there, and features past the
/// count limit.
#[test]
fn claims_and_limits_agree() {
    // serial 1, count 1, a name claiming 2^21 bytes (u32 marker), then nothing.
    let mut p = vec![1, 1, 252];
    p.extend_from_slice(&(1u32 << 21).to_le_bytes());
    assert_agree(&binary::frame(&p), "name claims 2 MiB");
    // A name claiming 1000 bytes that are not there.
    let mut p = vec![1, 1, 251];
    p.extend_from_slice(&1000u16.to_le_bytes());
    assert_agree(&binary::frame(&p), "name claims 1000 bytes");
    // A u64-marked name length.
    let mut p = vec![1, 1, 253];
    p.extend_from_slice(&u64::MAX.to_le_bytes());
    assert_agree(&binary::frame(&p), "name claims 2^64 bytes");
    // bincode's limit counts a field's in-memory size too (8 for the name's length): at the
    // limit and one byte past it (found by fuzzing parse_binary, where the fast reader counted
    // the strings only; the kinds are asserted in roundtrip.rs).
    let name_claiming = |len: usize| {
        let mut p = vec![1, 1, 252];
        p.extend_from_slice(&u32::try_from(len).unwrap().to_le_bytes());
        binary::frame(&p)
    };
    for len in [MAX_FILE_SIZE - 8, MAX_FILE_SIZE - 7] {
        assert_agree(&name_claiming(len), &format!("name claims {len} bytes"));
    }
    // Past the count limit, and a count claiming far more than is there.
    let many = FeatureFile {
        serial: 1,
        features: (0..201)
            .map(|i| Feature {
                name: format!("f{i}").into(),
                ty: FeatureType::Bool,
                default: None,
            })
            .collect(),
    };
    assert_agree(&binary::encode_unchecked(&many), "201 features");
    assert_agree(
        &binary::frame(&[1, 253, 255, 255, 255, 255, 255, 255, 255, 255]),
        "count 2^64",
    );
}

//! Every error kind, triggered at least once, with its position asserted.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use std::collections::HashSet;

use ErrorKind::*;
use botfeat::{ErrorKind, FeatureFile, FeatureType, Limits, Position, Value, binary, parse_any};
use common::{features, one, text};

fn lc(line: u64, column: u64) -> Position {
    Position::LineCol { line, column }
}

fn bin(file: &FeatureFile) -> Vec<u8> {
    binary::encode_unchecked(file)
}

fn bin_with(edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut b = bin(&features(1));
    edit(&mut b);
    b
}

/// (kind, input, position). Rows get serial 1.
fn cases() -> Vec<(ErrorKind, Vec<u8>, Position)> {
    let mut big = text(&["feature a bool"]);
    big.resize(Limits::DEFAULT.max_file_size + 1, b'\n');
    vec![
        (
            TooManyFeatures,
            botfeat::text::write_unchecked(&features(201)).into_bytes(),
            lc(203, 1),
        ),
        (NoFeatures, b"botfeat 1\nserial 5\n".to_vec(), lc(3, 1)),
        (
            NoFeatures,
            b"botfeat 1\nserial 5\n# only comments\n\n".to_vec(),
            lc(5, 1),
        ),
        (NoFeatures, bin(&features(0)), Position::Offset(18)),
        (Syntax, b"\n\n".to_vec(), lc(3, 1)),
        (FileTooLarge, big, Position::File),
        (
            LineTooLong,
            format!("botfeat 1\n#{}\n", "x".repeat(4096)).into_bytes(),
            lc(2, 1),
        ),
        (BadName, text(&["feature Asn u32"]), lc(3, 9)),
        (
            BadName,
            br#"{"name":"","type":"Bool"}"#.to_vec(),
            Position::Row(1),
        ),
        (
            NameTooLong,
            text(&[&format!("feature {} u32", "n".repeat(65))]),
            lc(3, 9),
        ),
        (
            DuplicateName,
            text(&["feature a u32", "feature b u32", "  feature a u32"]),
            lc(5, 11),
        ),
        (UnknownType, text(&["feature a u128"]), lc(3, 11)),
        (BadStringSize, text(&["feature a str(4097)"]), lc(3, 11)),
        (
            ValueOutOfRange,
            text(&["feature a u8 default=256"]),
            lc(3, 22),
        ),
        (
            NonFiniteFloat,
            text(&["feature a f64 default=NaN"]),
            lc(3, 23),
        ),
        (
            NonFiniteFloat,
            text(&["feature a f32 default=-inf"]),
            lc(3, 23),
        ),
        (
            InvalidValue,
            text(&["feature a bool default=yes"]),
            lc(3, 24),
        ),
        (
            InvalidValue,
            text(&["feature a ip default=1.2.3"]),
            lc(3, 22),
        ),
        (
            InvalidValue,
            text(&["feature a str(3) default=abc"]),
            lc(3, 26),
        ),
        (
            StringTooLong,
            text(&["feature a str(2) default=\"abc\""]),
            lc(3, 26),
        ),
        (
            BadEscape,
            text(&["feature a str(9) default=\"ab\\q\""]),
            lc(3, 29),
        ),
        (
            BadEscape,
            text(&["feature a str(9) default=\"\\u{d800}\""]),
            lc(3, 27),
        ),
        (
            InvalidUtf8,
            b"botfeat 1\nserial 1\nfeature \xff u32\n".to_vec(),
            lc(3, 9),
        ),
        (Syntax, b"serial 1\n".to_vec(), lc(1, 1)),
        (Syntax, text(&["feature a u32 default=1 extra"]), lc(3, 25)),
        (Syntax, text(&["feature a u32 dflt=1"]), lc(3, 15)),
        (Syntax, text(&["feature a str(3) default=\"ab"]), lc(3, 26)),
        (
            Syntax,
            b"{\"name\":\"a\",\"type\":\"Bool\"\n".to_vec(),
            Position::Row(1),
        ),
        (
            MissingSerial,
            b"botfeat 1\nfeature a u32\n".to_vec(),
            lc(2, 1),
        ),
        (MissingSerial, b"botfeat 1\n".to_vec(), lc(2, 1)),
        (
            UnsupportedVersion,
            b"botfeat 2\nserial 1\n".to_vec(),
            lc(1, 9),
        ),
        (
            UnsupportedVersion,
            bin_with(|b| b[4] = 2),
            Position::Offset(4),
        ),
        (BadMagic, b"BFF2\x01\x00".to_vec(), Position::Offset(0)),
        (BadFlags, bin_with(|b| b[6] = 1), Position::Offset(6)),
        (Truncated, b"BFF1\x01\x00".to_vec(), Position::Offset(6)),
        (
            Truncated,
            bin_with(|b| {
                b.pop();
            }),
            Position::Offset(bin(&features(1)).len() as u64 - 1),
        ),
        (
            TrailingBytes,
            bin_with(|b| b.push(0)),
            Position::Offset(bin(&features(1)).len() as u64),
        ),
        (
            ChecksumMismatch,
            bin_with(|b| {
                let last = b.len() - 1;
                b[last] ^= 1;
            }),
            Position::Offset(12),
        ),
        (
            UnknownKey,
            b"{\"name\":\"a\",\"type\":\"Bool\",\"comment\":\"x\"}\n".to_vec(),
            Position::Row(1),
        ),
        (
            MissingKey,
            b"\n{\"name\":\"a\"}\n".to_vec(),
            Position::Row(2),
        ),
        (
            UnsupportedClickHouseType,
            b"{\"name\":\"a\",\"type\":\"Array(UInt8)\"}".to_vec(),
            Position::Row(1),
        ),
        (
            UnknownType,
            bin_with(|b| {
                // features(1): payload = serial(1) count(1) name-len(1) "f0" ty … → retag the type.
                let mut payload = b[16..].to_vec();
                payload[5] = 42;
                *b = binary::frame(&payload);
            }),
            Position::Offset(18),
        ),
        (
            DuplicateName,
            bin(&FeatureFile {
                serial: 1,
                features: [features(1).features, features(1).features].concat(),
            }),
            Position::Offset(25),
        ),
        (
            InvalidValue,
            bin(&one("a", FeatureType::U8, Some(Value::Bool(true)))),
            Position::Offset(18),
        ),
    ]
}

#[test]
fn every_error_kind_has_a_case_with_kind_and_position() {
    let mut seen = HashSet::new();
    for (i, (kind, input, position)) in cases().into_iter().enumerate() {
        let err = parse_any(&input, 1, &Limits::DEFAULT).unwrap_err();
        assert_eq!(
            (err.kind(), err.position()),
            (kind, position),
            "case {i}: {err}"
        );
        assert!(!err.message().is_empty());
        seen.insert(kind);
    }
    // `internal` is botfeat's own slip: no input may produce it.
    let missing: Vec<_> = ErrorKind::ALL
        .iter()
        .filter(|k| !seen.contains(k) && **k != ErrorKind::Internal)
        .collect();
    assert!(missing.is_empty(), "kinds with no case: {missing:?}");
}

#[test]
fn kind_names_roundtrip() {
    for kind in ErrorKind::ALL {
        assert_eq!(ErrorKind::from_name(kind.name()), Some(kind));
    }
}

#[test]
fn the_18_nov_duplicate_names_both_rows_and_databases() {
    let file = features(60);
    let mut rows = botfeat::rows::write_unchecked(&file, Some("default"));
    rows.push_str(&botfeat::rows::write_unchecked(&file, Some("r0")));
    let err = botfeat::rows::parse(rows.as_bytes(), 1).unwrap_err();
    assert_eq!(
        (err.kind(), err.position()),
        (DuplicateName, Position::Row(61))
    );
    assert_eq!(
        err.to_string(),
        "row 61: duplicate feature `f0`: row 1 and row 61 define it; names must be unique (database `default`, then database `r0`)"
    );
}

#[test]
fn messages_say_what_was_expected() {
    let show = |input: &[u8]| {
        parse_any(input, 1, &Limits::DEFAULT)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        show(&text(&["feature a u128"])),
        "line 3, column 11: unknown type `u128`: expected one of bool, u8, u16, u32, u64, i64, f32, f64, ip, str(N)"
    );
    assert_eq!(
        show(&text(&["feature a u8 default=256"])),
        "line 3, column 22: 256 is out of range for u8: expected an integer from 0 to 255"
    );
    assert_eq!(
        show(b"BFF2"),
        "byte 0: not a binary feature file: expected the magic bytes `BFF1`"
    );
    assert_eq!(
        show(b"botfeat 1\nfeature a u32\n"),
        "line 2, column 1: missing `serial` line: expected `serial N` right after `botfeat 1`"
    );
}

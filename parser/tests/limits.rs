//! Every limit at N (accepted) and N+1 (refused), in every format that can reach it.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use botfeat::limits::{MAX_FEATURES, MAX_FILE_SIZE, MAX_LINE_LEN, MAX_NAME_LEN, MAX_STRING_LEN};
use botfeat::{ErrorKind, FeatureType, Position, Value, binary, rows, text};
use common::{features, one};

#[test]
fn feature_count_within_limit() {
    let file = features(MAX_FEATURES);
    assert_eq!(
        text::parse(text::write(&file).unwrap().as_bytes()).unwrap(),
        file
    );
    assert_eq!(
        binary::decode(&binary::encode(&file).unwrap()).unwrap(),
        file
    );
    assert_eq!(
        rows::parse(rows::write_unchecked(&file, None).as_bytes(), 7).unwrap(),
        file
    );
}

#[test]
fn feature_count_outside_limit_text_points_at_the_201st_line() {
    let err =
        text::parse(text::write_unchecked(&features(MAX_FEATURES + 1)).as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyFeatures);
    // botfeat 1, serial, then feature #201 on line 203.
    assert_eq!(
        err.position(),
        Position::LineCol {
            line: 203,
            column: 1
        }
    );
    assert_eq!(
        err.to_string(),
        "line 203, column 1: too many features: the limit is 200"
    );
}

#[test]
fn feature_count_outside_limit_rows_points_at_row_201() {
    let err = rows::parse(
        rows::write_unchecked(&features(MAX_FEATURES + 1), None).as_bytes(),
        1,
    )
    .unwrap_err();
    assert_eq!(
        (err.kind(), err.position()),
        (ErrorKind::TooManyFeatures, Position::Row(201))
    );
}

#[test]
fn feature_count_outside_limit_binary_points_at_the_201st_feature() {
    let file = features(MAX_FEATURES + 1);
    let bytes = binary::encode_unchecked(&file);
    let err = binary::decode(&bytes).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyFeatures);
    // The offset is where the 201st feature starts: the 200-feature file's payload end.
    let head = binary::encode_unchecked(&features(MAX_FEATURES));
    // Both payloads start with serial (1 byte) and count (1 byte vs 3 bytes varint for 200/201:
    // 200 and 201 are both ≥ 251, so both take 3 bytes).
    assert_eq!(err.position(), Position::Offset(head.len() as u64));
}

#[test]
fn binary_refuses_count_claimed_without_features_as_truncated() {
    // A count of u64::MAX with one feature behind it: nothing is allocated for the claim.
    let mut file = features(1);
    let mut bytes = binary::encode_unchecked(&file);
    // payload: serial 7 (1 byte) then count 1 (1 byte) → claim u64::MAX (0xFD + 8 bytes).
    let mut payload = bytes[16..].to_vec();
    payload.splice(1..2, [0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
    bytes = binary::frame(&payload);
    let err = binary::decode(&bytes).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Truncated);
    file.features.clear();
}

#[test]
fn name_length_within_and_outside_limit() {
    let ok = "a".repeat(MAX_NAME_LEN);
    let long = "a".repeat(MAX_NAME_LEN + 1);
    let file = one(&ok, FeatureType::Bool, None);
    assert_eq!(
        text::parse(text::write(&file).unwrap().as_bytes()).unwrap(),
        file
    );
    for bytes in [
        text::write_unchecked(&one(&long, FeatureType::Bool, None)).into_bytes(),
        binary::encode_unchecked(&one(&long, FeatureType::Bool, None)),
        rows::write_unchecked(&one(&long, FeatureType::Bool, None), None).into_bytes(),
    ] {
        let err = botfeat::parse_any(&bytes, 1, &Default::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NameTooLong, "{err}");
    }
    let err =
        text::parse(&text::write_unchecked(&one(&long, FeatureType::Bool, None)).into_bytes())
            .unwrap_err();
    assert_eq!(err.position(), Position::LineCol { line: 3, column: 9 });
}

#[test]
fn string_size_within_and_outside_limit() {
    let t = text::parse(&common::text(&[&format!(
        "feature s str({MAX_STRING_LEN})"
    )]))
    .unwrap();
    assert_eq!(t.features[0].ty, FeatureType::Str(MAX_STRING_LEN as u16));
    let err = text::parse(&common::text(&[&format!(
        "feature s str({})",
        MAX_STRING_LEN + 1
    )]))
    .unwrap_err();
    assert_eq!(
        (err.kind(), err.position()),
        (
            ErrorKind::BadStringSize,
            Position::LineCol {
                line: 3,
                column: 11
            }
        )
    );
    let err = text::parse(&common::text(&["feature s str(0)"])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadStringSize);
    let err = rows::parse(
        format!(
            "{{\"name\":\"s\",\"type\":\"FixedString({})\"}}",
            MAX_STRING_LEN + 1
        )
        .as_bytes(),
        1,
    )
    .unwrap_err();
    assert_eq!(
        (err.kind(), err.position()),
        (ErrorKind::BadStringSize, Position::Row(1))
    );
    let err = binary::decode(&binary::encode_unchecked(&one(
        "s",
        FeatureType::Str(MAX_STRING_LEN as u16 + 1),
        None,
    )))
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadStringSize);
}

#[test]
fn string_value_within_and_outside_its_declared_size() {
    let ok = common::text(&["feature s str(3) default=\"a\\u{e9}\""]); // 1 + 2 bytes
    assert_eq!(
        text::parse(&ok).unwrap().features[0].default,
        Some(Value::Str("aé".into()))
    );
    let err = text::parse(&common::text(&["feature s str(3) default=\"ab\\u{e9}\""])).unwrap_err();
    assert_eq!(
        (err.kind(), err.position()),
        (
            ErrorKind::StringTooLong,
            Position::LineCol {
                line: 3,
                column: 26
            }
        )
    );
    let long = one("s", FeatureType::Str(3), Some(Value::Str("abcd".into())));
    assert_eq!(
        binary::decode(&binary::encode_unchecked(&long))
            .unwrap_err()
            .kind(),
        ErrorKind::StringTooLong
    );
    assert_eq!(
        rows::parse(rows::write_unchecked(&long, None).as_bytes(), 1)
            .unwrap_err()
            .kind(),
        ErrorKind::StringTooLong
    );
    // At the global limit, in binary (the text line would be too long for a 4096-byte string).
    let max = one(
        "s",
        FeatureType::Str(MAX_STRING_LEN as u16),
        Some(Value::Str("x".repeat(MAX_STRING_LEN))),
    );
    assert_eq!(binary::decode(&binary::encode(&max).unwrap()).unwrap(), max);
}

#[test]
fn line_length_within_and_outside_limit() {
    let pad = |n: usize| {
        let mut s = common::text(&["feature a bool"]);
        let comment = format!("#{}\n", "x".repeat(n - 1));
        s.extend_from_slice(comment.as_bytes());
        s
    };
    assert!(text::parse(&pad(MAX_LINE_LEN)).is_ok());
    let err = text::parse(&pad(MAX_LINE_LEN + 1)).unwrap_err();
    assert_eq!(
        (err.kind(), err.position()),
        (
            ErrorKind::LineTooLong,
            Position::LineCol { line: 4, column: 1 }
        )
    );
    // CRLF does not count towards the line.
    let mut crlf = pad(MAX_LINE_LEN);
    crlf.pop();
    crlf.extend_from_slice(b"\r\n");
    assert!(text::parse(&crlf).is_ok());
}

#[test]
fn text_writer_refuses_a_model_whose_line_would_be_too_long() {
    let max = one(
        "s",
        FeatureType::Str(MAX_STRING_LEN as u16),
        Some(Value::Str("x".repeat(MAX_STRING_LEN))),
    );
    assert_eq!(
        text::write(&max).unwrap_err().kind(),
        ErrorKind::LineTooLong
    );
}

fn padded_text(total: usize) -> Vec<u8> {
    let mut s = common::text(&["feature a bool"]);
    while s.len() < total {
        let n = (total - s.len()).min(MAX_LINE_LEN + 1);
        if n == 1 {
            s.push(b'\n');
        } else {
            s.push(b'#');
            s.extend(std::iter::repeat_n(b'x', n - 2));
            s.push(b'\n');
        }
    }
    s
}

#[test]
fn file_size_within_and_outside_limit() {
    let ok = padded_text(MAX_FILE_SIZE);
    assert_eq!(ok.len(), MAX_FILE_SIZE);
    assert!(text::parse(&ok).is_ok());
    let big = padded_text(MAX_FILE_SIZE + 1);
    let err = text::parse(&big).unwrap_err();
    assert_eq!(
        (err.kind(), err.position()),
        (ErrorKind::FileTooLarge, Position::File)
    );
    assert_eq!(
        err.to_string(),
        "file is 1048577 bytes: the limit is 1048576 bytes"
    );
    let mut rows_big = rows::write_unchecked(&features(1), None).into_bytes();
    rows_big.resize(MAX_FILE_SIZE + 1, b'\n');
    assert_eq!(
        rows::parse(&rows_big, 1).unwrap_err().kind(),
        ErrorKind::FileTooLarge
    );
    let mut bin_big = binary::encode_unchecked(&features(1));
    bin_big.resize(MAX_FILE_SIZE + 1, 0);
    assert_eq!(
        binary::decode(&bin_big).unwrap_err().kind(),
        ErrorKind::FileTooLarge
    );
}

#[test]
fn binary_declared_payload_within_and_outside_limit() {
    let header = |len: u32| {
        let mut h = b"BFF1\x01\x00\x00\x00".to_vec();
        h.extend_from_slice(&len.to_le_bytes());
        h.extend_from_slice(&[0; 4]);
        h
    };
    // Declaring the largest payload the limit allows, with none present: truncated, not too large.
    let err = binary::decode(&header((MAX_FILE_SIZE - 16) as u32)).unwrap_err();
    assert_eq!(
        (err.kind(), err.position()),
        (ErrorKind::Truncated, Position::Offset(16))
    );
    let err = binary::decode(&header((MAX_FILE_SIZE - 15) as u32)).unwrap_err();
    assert_eq!(
        (err.kind(), err.position()),
        (ErrorKind::FileTooLarge, Position::Offset(8))
    );
    let err = binary::decode(&header(u32::MAX)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FileTooLarge);
}

#[test]
fn integer_ranges_at_their_edges() {
    let ok =
        |ty: &str, v: &str| text::parse(&common::text(&[&format!("feature x {ty} default={v}")]));
    assert_eq!(
        ok("u32", &u32::MAX.to_string()).unwrap().features[0].default,
        Some(Value::U32(u32::MAX))
    );
    let err = ok("u32", &(u32::MAX as u64 + 1).to_string()).unwrap_err();
    assert_eq!(
        (err.kind(), err.position()),
        (
            ErrorKind::ValueOutOfRange,
            Position::LineCol {
                line: 3,
                column: 23
            }
        )
    );
    assert_eq!(
        ok("i64", &i64::MIN.to_string()).unwrap().features[0].default,
        Some(Value::I64(i64::MIN))
    );
    assert_eq!(
        ok("i64", "-9223372036854775809").unwrap_err().kind(),
        ErrorKind::ValueOutOfRange
    );
    assert_eq!(
        ok("u8", "255").unwrap().features[0].default,
        Some(Value::U8(255))
    );
    assert_eq!(
        ok("u8", "256").unwrap_err().kind(),
        ErrorKind::ValueOutOfRange
    );
    assert_eq!(
        ok("u8", "-1").unwrap_err().kind(),
        ErrorKind::ValueOutOfRange
    );
    assert_eq!(
        ok("u16", "65536").unwrap_err().kind(),
        ErrorKind::ValueOutOfRange
    );
    assert_eq!(
        ok("u64", "18446744073709551615").unwrap().features[0].default,
        Some(Value::U64(u64::MAX))
    );
    assert_eq!(
        ok("u64", "18446744073709551616").unwrap_err().kind(),
        ErrorKind::ValueOutOfRange
    );
    let row = |ty: &str, v: &str| {
        rows::parse(
            format!("{{\"name\":\"x\",\"type\":\"{ty}\",\"default\":{v}}}").as_bytes(),
            1,
        )
    };
    assert_eq!(
        row("UInt32", "4294967295").unwrap().features[0].default,
        Some(Value::U32(u32::MAX))
    );
    assert_eq!(
        row("UInt32", "4294967296").unwrap_err().kind(),
        ErrorKind::ValueOutOfRange
    );
    assert_eq!(
        row("UInt64", "\"18446744073709551615\"").unwrap().features[0].default,
        Some(Value::U64(u64::MAX))
    );
    assert_eq!(
        row("Int64", "-9223372036854775809").unwrap_err().kind(),
        ErrorKind::ValueOutOfRange
    );
}

#[test]
fn f32_overflow_is_not_finite() {
    let ok = |v: &str| text::parse(&common::text(&[&format!("feature x f32 default={v}")]));
    assert_eq!(
        ok("3.4028235e38").unwrap().features[0].default,
        Some(Value::F32(f32::MAX))
    );
    let err = ok("1e39").unwrap_err();
    assert_eq!(
        (err.kind(), err.position()),
        (
            ErrorKind::NonFiniteFloat,
            Position::LineCol {
                line: 3,
                column: 23
            }
        )
    );
    assert!(ok("1e38").is_ok());
    let f64_ok = text::parse(&common::text(&["feature x f64 default=1e39"])).unwrap();
    assert_eq!(f64_ok.features[0].default, Some(Value::F64(1e39)));
    assert_eq!(
        text::parse(&common::text(&["feature x f64 default=1e309"]))
            .unwrap_err()
            .kind(),
        ErrorKind::NonFiniteFloat
    );
    let row = rows::parse(br#"{"name":"x","type":"Float32","default":1e39}"#, 1).unwrap_err();
    assert_eq!(row.kind(), ErrorKind::NonFiniteFloat);
    let bin =
        binary::encode_unchecked(&one("x", FeatureType::F32, Some(Value::F32(f32::INFINITY))));
    assert_eq!(
        binary::decode(&bin).unwrap_err().kind(),
        ErrorKind::NonFiniteFloat
    );
}

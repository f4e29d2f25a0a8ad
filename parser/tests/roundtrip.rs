//! Canonical forms, roundtrips and the lexical corners: CRLF, comments, escapes, `-0.0`.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use std::net::IpAddr;

use botfeat::{Feature, FeatureFile, FeatureType, Value, binary, rows, text};

fn every_type() -> FeatureFile {
    let f = |name: &str, ty, default| Feature {
        name: name.into(),
        ty,
        default,
    };
    FeatureFile {
        serial: u64::MAX,
        features: vec![
            f("b", FeatureType::Bool, Some(Value::Bool(true))),
            f("u8_max", FeatureType::U8, Some(Value::U8(u8::MAX))),
            f("u16_max", FeatureType::U16, Some(Value::U16(u16::MAX))),
            f("u32_max", FeatureType::U32, Some(Value::U32(u32::MAX))),
            f("u64_max", FeatureType::U64, Some(Value::U64(u64::MAX))),
            f("i64_min", FeatureType::I64, Some(Value::I64(i64::MIN))),
            f("f32_neg_zero", FeatureType::F32, Some(Value::F32(-0.0))),
            f("f32_max", FeatureType::F32, Some(Value::F32(f32::MAX))),
            f(
                "f32_tiny",
                FeatureType::F32,
                Some(Value::F32(f32::from_bits(1))),
            ),
            f("f64_neg_zero", FeatureType::F64, Some(Value::F64(-0.0))),
            f("f64_min", FeatureType::F64, Some(Value::F64(f64::MIN))),
            f("f64_third", FeatureType::F64, Some(Value::F64(1.0 / 3.0))),
            f(
                "v4",
                FeatureType::Ip,
                Some(Value::Ip("203.0.113.9".parse::<IpAddr>().unwrap())),
            ),
            f(
                "v6",
                FeatureType::Ip,
                Some(Value::Ip("2001:db8::1".parse::<IpAddr>().unwrap())),
            ),
            f(
                "s",
                FeatureType::Str(64),
                Some(Value::Str("q\"b\\s\n\t\r\u{1}é😀 #".into())),
            ),
            f(
                "empty",
                FeatureType::Str(1),
                Some(Value::Str(String::new())),
            ),
            f("no_default", FeatureType::U8, None),
        ],
    }
}

#[test]
fn every_type_roundtrips_in_every_format() {
    let file = every_type();
    let t = text::write(&file).unwrap();
    assert_eq!(text::parse(t.as_bytes()).unwrap(), file, "{t}");
    assert_eq!(
        binary::decode(&binary::encode(&file).unwrap()).unwrap(),
        file
    );
    let r = rows::write_unchecked(&file, Some("default"));
    assert_eq!(rows::parse(r.as_bytes(), u64::MAX).unwrap(), file, "{r}");
}

#[test]
fn negative_zero_keeps_its_sign() {
    let file = text::parse(&common::text(&[
        "feature z f64 default=-0.0",
        "feature y f32 default=-0",
    ]))
    .unwrap();
    let Some(Value::F64(z)) = file.features[0].default else {
        panic!()
    };
    let Some(Value::F32(y)) = file.features[1].default else {
        panic!()
    };
    assert!(z == 0.0 && z.is_sign_negative());
    assert!(y == 0.0 && y.is_sign_negative());
    assert_ne!(Value::F64(0.0), Value::F64(-0.0));
    let again = binary::decode(&binary::encode(&file).unwrap()).unwrap();
    assert_eq!(again, file);
}

#[test]
fn canonical_text_is_a_fixed_point() {
    let canonical = text::write(&every_type()).unwrap();
    assert_eq!(
        text::write(&text::parse(canonical.as_bytes()).unwrap()).unwrap(),
        canonical
    );
    let expected_start = "botfeat 1\nserial 18446744073709551615\nfeature b bool default=true\nfeature u8_max u8 default=255\n";
    assert!(canonical.starts_with(expected_start), "{canonical}");
    assert!(
        canonical.contains("feature s str(64) default=\"q\\\"b\\\\s\\n\\t\\r\\u{1}é😀 #\"\n"),
        "{canonical}"
    );
    assert!(canonical.contains("feature f32_neg_zero f32 default=-0.0\n"));
    assert!(canonical.ends_with("feature no_default u8\n"));
}

#[test]
fn example_from_the_format_doc_reads_as_documented() {
    let bytes = include_bytes!("fixtures/valid/example.features");
    let file = text::parse(bytes).unwrap();
    assert_eq!(file.serial, 1_732_752_000);
    assert_eq!(file.features.len(), 6);
    assert_eq!(
        file.features[1],
        Feature {
            name: "ja4".into(),
            ty: FeatureType::Str(36),
            default: None
        }
    );
    assert_eq!(
        file.features[5].default,
        Some(Value::Str("chrome \"beta\"".into()))
    );
}

#[test]
fn layout_does_not_change_the_model() {
    let loose = include_bytes!("fixtures/valid/crlf_tabs_comments.features");
    let file = text::parse(loose).unwrap();
    assert_eq!(file.serial, 42);
    assert_eq!(
        file.features[1].default,
        Some(Value::Str("a # not a comment".into()))
    );
    assert_eq!(
        file.features[2].default,
        Some(Value::Str("tab\there\nnl \\ 😀 é".into()))
    );
    let canonical = text::write(&file).unwrap();
    assert_eq!(text::parse(canonical.as_bytes()).unwrap(), file);
    assert_ne!(canonical.as_bytes(), loose);
}

#[test]
fn the_three_formats_agree_on_the_generator_rows() {
    let rows_file =
        rows::parse(include_bytes!("fixtures/valid/generator_60_rows.jsonl"), 99).unwrap();
    assert_eq!(rows_file.features.len(), 60);
    let t = text::write(&rows_file).unwrap();
    assert_eq!(text::parse(t.as_bytes()).unwrap(), rows_file);
    assert_eq!(
        binary::decode(&binary::encode(&rows_file).unwrap()).unwrap(),
        rows_file
    );
    let ua = rows_file
        .features
        .iter()
        .find(|f| f.name == "ua_family")
        .unwrap();
    assert_eq!(ua.ty, FeatureType::Str(4096));
}

#[test]
fn clickhouse_wrappers_unwrap() {
    assert_eq!(
        rows::clickhouse_type_of("LowCardinality(Nullable(FixedString(8)))").unwrap(),
        FeatureType::Str(8)
    );
    assert_eq!(
        rows::clickhouse_type_of("Nullable(IPv4)").unwrap(),
        FeatureType::Ip
    );
    assert!(rows::clickhouse_type_of("Nullable(Int32)").is_err());
}

#[test]
fn a_fixed_string_length_is_digits_or_the_type_is_unsupported() {
    // Not a size that is too large: not a size at all (a mutant that let any text through to the
    // size check reported these as limit errors).
    for bad in [
        "FixedString()",
        "FixedString(abc)",
        "FixedString(8a)",
        "FixedString(-1)",
    ] {
        let err = rows::clickhouse_type_of(bad).unwrap_err();
        assert_eq!(
            err.kind(),
            botfeat::ErrorKind::UnsupportedClickHouseType,
            "{bad}: {err}"
        );
    }
    assert_eq!(
        rows::clickhouse_type_of("FixedString(4096)").unwrap(),
        FeatureType::Str(4096)
    );
}

#[test]
fn writers_validate_and_unchecked_writers_do_not() {
    let dup = FeatureFile {
        serial: 1,
        features: [common::features(2).features, common::features(1).features].concat(),
    };
    assert!(text::write(&dup).is_err());
    assert!(binary::encode(&dup).is_err());
    assert!(
        text::write_unchecked(&dup)
            .contains("feature f0 u32 default=0\nfeature f1 u32 default=0\nfeature f0")
    );
}

#[test]
fn a_string_default_must_be_a_json_string() {
    // ClickHouse writes a String default quoted; a bare number, boolean or object is refused,
    // not read as its text.
    for bare in ["123", "true", "1.5", "{}"] {
        let row = format!("{{\"name\":\"a\",\"type\":\"String\",\"default\":{bare}}}\n");
        let err = rows::parse(row.as_bytes(), 1).unwrap_err();
        assert_eq!(
            err.kind(),
            botfeat::ErrorKind::InvalidValue,
            "{bare}: {err}"
        );
        assert!(
            err.to_string().contains("must be a JSON string"),
            "{bare}: {err}"
        );
    }
    let row = b"{\"name\":\"a\",\"type\":\"String\",\"default\":\"123\"}\n";
    assert_eq!(
        rows::parse(row, 1).unwrap().features[0].default,
        Some(botfeat::Value::Str("123".into()))
    );
}

#[test]
fn the_rows_writer_writes_a_valid_file_and_refuses_an_invalid_one() {
    let file = common::features(3);
    let written = rows::write(&file, Some("default")).unwrap();
    assert_eq!(written.lines().count(), 3, "{written}");
    assert!(
        written
            .lines()
            .all(|l| l.contains("\"database\":\"default\"") && l.contains("\"type\":\"UInt32\"")),
        "{written}"
    );
    // Rows carry no serial: it is given when they are read.
    assert_eq!(rows::parse(written.as_bytes(), file.serial).unwrap(), file);
    // Without a database the key is left out.
    assert!(!rows::write(&file, None).unwrap().contains("database"));
    // The 18 Nov file: every feature twice.
    let doubled = FeatureFile {
        serial: 1,
        features: [common::features(2).features, common::features(2).features].concat(),
    };
    assert_eq!(
        rows::write(&doubled, None).unwrap_err().kind(),
        botfeat::ErrorKind::DuplicateName
    );
}

#[test]
fn rows_escape_what_json_requires_and_only_that() {
    let mut checked = 0;
    for default in [
        "plain text",
        "a\"b",
        "back\\slash",
        "\"",
        "\\",
        "tab\there",
        "\t",
        " ",
        "é ünïcode",
    ] {
        let file = FeatureFile {
            serial: 1,
            features: vec![Feature {
                name: "s".into(),
                ty: FeatureType::Str(64),
                default: Some(Value::Str(default.into())),
            }],
        };
        let Ok(written) = rows::write(&file, None) else {
            continue; // a default the model refuses (a control byte) is not the writer's concern
        };
        let expected = serde_json::to_string(default).unwrap();
        assert!(
            written.contains(&format!("\"default\":{expected}")),
            "{default:?}: {written}"
        );
        assert_eq!(
            rows::parse(written.as_bytes(), 1).unwrap(),
            file,
            "{default:?}"
        );
        checked += 1;
    }
    assert!(checked >= 7, "only {checked} defaults were writable");
}

#[test]
fn a_wrong_first_line_is_named_and_only_a_bom_is_called_one() {
    let err = text::parse(b"hello 1\nserial 1\n").unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("expected `botfeat 1` as the first line, found `hello`"),
        "{shown}"
    );
    assert!(!shown.contains("byte order mark"), "{shown}");
    let err = text::parse("\u{feff}botfeat 1\nserial 1\n".as_bytes()).unwrap_err();
    assert!(err.to_string().contains("byte order mark"), "{err}");
}

#[test]
fn a_name_claiming_the_file_limit_with_its_length_field_is_truncated_one_more_is_too_large() {
    // features(1) in binary: payload = serial, count, name length (one byte: 2), "f0", type, ….
    // A length the file cannot hold is `truncated` up to the file limit, `file_too_large` past
    // it — counted as bincode's limit counts: the length field's 8 bytes, then the name's.
    let framed = binary::encode(&common::features(1)).unwrap();
    let with_name_len = |len: u64| {
        let mut payload = vec![framed[16], framed[17]];
        // The name length as bincode's varint (252, then four little-endian bytes), then the
        // rest as it was.
        payload.push(252);
        payload.extend_from_slice(&u32::try_from(len).unwrap().to_le_bytes());
        payload.extend_from_slice(&framed[19..]);
        binary::frame(&payload)
    };
    let limit = botfeat::Limits::DEFAULT.max_file_size as u64;
    assert_eq!(
        binary::decode(&with_name_len(limit - 8))
            .unwrap_err()
            .kind(),
        botfeat::ErrorKind::Truncated
    );
    assert_eq!(
        binary::decode(&with_name_len(limit - 7))
            .unwrap_err()
            .kind(),
        botfeat::ErrorKind::FileTooLarge
    );
}

#[test]
fn text_escapes_are_undone_and_unknown_types_named() {
    let file = text::parse(
        b"botfeat 1\nserial 1\nfeature a str(16) default=\"x\\ny\"\nfeature b str(16) default=\"q\\\"z\\\\\"\nfeature c str(16) default=\"t\\tu\\u{41}\"\n",
    )
    .unwrap();
    let defaults: Vec<_> = file.features.iter().map(|f| f.default.clone()).collect();
    assert_eq!(
        defaults,
        [
            Some(Value::Str("x\ny".into())),
            Some(Value::Str("q\"z\\".into())),
            Some(Value::Str("t\tuA".into())),
        ]
    );
    for bad in ["str()", "str(x)", "str(-1)", "str(1a)"] {
        let input = format!("botfeat 1\nserial 1\nfeature a {bad}\n");
        let err = text::parse(input.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), botfeat::ErrorKind::UnknownType, "{bad}: {err}");
    }
}

#[test]
fn an_unknown_keyword_says_what_the_line_should_hold() {
    let err = text::parse(b"botfeat 1\nfoo 1\n").unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown keyword `foo`: expected `serial`"),
        "{err}"
    );
    let err = text::parse(b"botfeat 1\nserial 1\nfoo 1\n").unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown keyword `foo`: expected `feature`"),
        "{err}"
    );
}

#[test]
fn a_raw_control_character_in_a_text_string_is_refused() {
    for raw in ['\t', '\u{1}', '\u{7f}', '\u{85}'] {
        let input = format!("botfeat 1\nserial 1\nfeature a str(16) default=\"x{raw}y\"\n");
        let err = text::parse(input.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), botfeat::ErrorKind::BadEscape, "{raw:?}: {err}");
    }
}

#[test]
fn escapes_at_their_edges() {
    let default_of = |quoted: &str| {
        let input = format!("botfeat 1\nserial 1\nfeature a str(16) default={quoted}\n");
        text::parse(input.as_bytes()).map(|f| f.features[0].default.clone())
    };
    // A string of nothing but escapes, or nothing but a control character, still goes through
    // the escape reader.
    assert_eq!(
        default_of(r#""\\""#).unwrap(),
        Some(Value::Str("\\".into()))
    );
    assert_eq!(
        default_of("\"\t\"").unwrap_err().kind(),
        botfeat::ErrorKind::BadEscape
    );
    // \u{…} takes one to six hex digits: a seventh is refused even when the value fits.
    assert_eq!(
        default_of(r#""\u{10FFFF}""#).unwrap(),
        Some(Value::Str("\u{10FFFF}".into()))
    );
    assert_eq!(
        default_of(r#""\u{010FFFF}""#).unwrap_err().kind(),
        botfeat::ErrorKind::BadEscape
    );
}

#[test]
fn a_missing_type_is_pointed_at_where_it_should_start() {
    let err = text::parse(b"botfeat 1\nserial 1\nfeature abc\n").unwrap_err();
    assert_eq!(
        err.position(),
        botfeat::Position::LineCol {
            line: 3,
            column: 12
        },
        "{err}"
    );
}

#[test]
fn the_text_writer_takes_lines_and_files_of_exactly_the_limit() {
    let file = |len: usize| FeatureFile {
        serial: 1,
        features: vec![Feature {
            name: "a".into(),
            ty: FeatureType::Str(4096),
            default: Some(Value::Str("x".repeat(len))),
        }],
    };
    // `feature a str(4096) default="…"`: 29 bytes around the string.
    let line = |len: usize| len + r#"feature a str(4096) default="""#.len();
    let exact = 4096 - line(0);
    assert!(text::write(&file(exact)).is_ok());
    assert_eq!(
        text::write(&file(exact + 1)).unwrap_err().kind(),
        botfeat::ErrorKind::LineTooLong
    );
    // The whole text at exactly a (lowered) file limit, and one byte over it.
    let written = text::write(&file(100)).unwrap();
    let at = |max_file_size: usize| botfeat::Limits {
        max_file_size,
        ..botfeat::Limits::DEFAULT
    };
    assert!(text::write_with(&file(100), &at(written.len())).is_ok());
    assert_eq!(
        text::write_with(&file(100), &at(written.len() - 1))
            .unwrap_err()
            .kind(),
        botfeat::ErrorKind::FileTooLarge
    );
}

#[test]
fn the_text_writer_escapes_controls_and_nothing_else() {
    let with = |default: &str| FeatureFile {
        serial: 1,
        features: vec![Feature {
            name: "a".into(),
            ty: FeatureType::Str(64),
            default: Some(Value::Str(default.into())),
        }],
    };
    for (default, spelled) in [
        ("a\u{7f}b", r#""a\u{7f}b""#),
        ("x\u{85}y", r#""x\u{85}y""#),
        ("deg ° § é", "\"deg ° § é\""),
        ("q\"\\\n\t\r", r#""q\"\\\n\t\r""#),
    ] {
        let written = text::write(&with(default)).unwrap();
        assert!(
            written.contains(&format!("default={spelled}")),
            "{default:?}: {written}"
        );
        assert_eq!(
            text::parse(written.as_bytes()).unwrap(),
            with(default),
            "{default:?}"
        );
    }
}

#[test]
fn detection_and_names_of_formats_and_error_kinds() {
    use botfeat::Format;
    assert_eq!(Format::detect(b""), Format::Text);
    // A prefix of the magic is a binary file cut short, not text.
    assert_eq!(Format::detect(b"B"), Format::Binary);
    assert_eq!(Format::detect(b"BF"), Format::Binary);
    assert_eq!(Format::detect(b"Bx"), Format::Text);
    assert_eq!(
        [Format::Text, Format::Rows, Format::Binary].map(Format::name),
        ["text", "rows", "binary"]
    );
    assert_eq!(
        botfeat::ErrorKind::DuplicateName.to_string(),
        "duplicate_name"
    );
    let err = text::parse(b"nonsense").unwrap_err();
    let debug = format!("{err:?}");
    assert!(
        debug.starts_with("Error(Syntax at LineCol") && debug.contains("expected `botfeat 1`"),
        "{debug}"
    );
}

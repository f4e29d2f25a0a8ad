//! The operator's safety net and the limits that cannot hurt: each test here failed before the
//! change it pins (churn, consumer contract, serial jump, rollback, kill switch, table identity,
//! raised limits, escaped messages, format detection).
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

mod common;

use botfeat::runtime::{
    ApplyError, Current, FeatureTable, LiveFeatures, Refusal, RequestBuffer, RolloutPolicy,
    RuntimeError, check_rollout,
};
use botfeat::{
    ErrorKind, Feature, FeatureFile, FeatureType, Format, Limits, Value, binary, rows, text,
};
use common::features;

fn refusals(
    running: &FeatureFile,
    candidate: &FeatureFile,
    policy: &RolloutPolicy,
) -> Vec<Refusal> {
    check_rollout(running, candidate, policy).refusals
}

#[test]
fn renaming_every_feature_is_refused_as_churn_naming_them() {
    let running = features(60);
    let mut renamed = running.clone();
    renamed.serial += 1;
    for f in &mut renamed.features {
        f.name = format!("{}_new", f.name).into();
    }
    let r = refusals(&running, &renamed, &RolloutPolicy::default());
    let [
        Refusal::Churn {
            changed,
            running: 60,
            max_change_pct: 50,
        },
    ] = r.as_slice()
    else {
        panic!("{r:?}");
    };
    assert_eq!(changed.len(), 60);
    assert!(changed.contains(&"f0".to_string()));
    // Half of them is within the limit; one more is not.
    let mut some = running.clone();
    some.serial += 1;
    for f in some.features.iter_mut().take(30) {
        f.ty = FeatureType::I64;
        f.default = None;
    }
    assert!(refusals(&running, &some, &RolloutPolicy::default()).is_empty());
    some.features[30].ty = FeatureType::I64;
    some.features[30].default = None;
    assert!(matches!(
        refusals(&running, &some, &RolloutPolicy::default()).as_slice(),
        [Refusal::Churn { .. }]
    ));
}

#[test]
fn a_candidate_that_breaks_the_consumer_contract_is_refused_even_as_the_first_file() {
    let policy = RolloutPolicy {
        required: vec![
            ("f1".into(), FeatureType::U32),
            ("asn".into(), FeatureType::U32),
        ],
        ..RolloutPolicy::default()
    };
    let live = LiveFeatures::new(Limits::DEFAULT, policy.clone());
    let err = live
        .apply(&binary::encode(&features(4)).unwrap())
        .unwrap_err();
    let ApplyError::Refused(v) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        v.refusals,
        [Refusal::Required {
            name: "asn".into(),
            expected: FeatureType::U32,
            found: None
        }]
    );
    let mut retyped = features(4);
    retyped.features.push(Feature {
        name: "asn".into(),
        ty: FeatureType::U64,
        default: None,
    });
    let r = refusals(
        &features(4),
        &{
            let mut c = retyped.clone();
            c.serial += 1;
            c
        },
        &policy,
    );
    assert!(r.contains(&Refusal::Required {
        name: "asn".into(),
        expected: FeatureType::U32,
        found: Some(FeatureType::U64)
    }));
}

#[test]
fn a_serial_typo_is_refused_and_cannot_block_later_files() {
    let running = features(10);
    let mut typo = running.clone();
    typo.serial = u64::MAX;
    assert!(matches!(
        refusals(&running, &typo, &RolloutPolicy::default()).as_slice(),
        [Refusal::SerialJump { .. }]
    ));
    let mut next = running.clone();
    next.serial += 300;
    assert!(refusals(&running, &next, &RolloutPolicy::default()).is_empty());
}

#[test]
fn the_18_nov_sequence_ends_with_a_rollback_and_a_known_good_push() {
    let live = LiveFeatures::default();
    let good = features(60);
    live.apply(&binary::encode(&good).unwrap()).unwrap();
    // A renamed-everything file that a count-only guard let through: refused now.
    let mut renamed = good.clone();
    renamed.serial += 1;
    for f in &mut renamed.features {
        f.name = format!("{}_x", f.name).into();
    }
    assert!(live.apply(&binary::encode(&renamed).unwrap()).is_err());
    // A subtly bad but guard-safe file goes live (a wrong default nobody can check) ...
    let mut subtle = good.clone();
    subtle.serial += 2;
    subtle.features[0].default = Some(Value::U32(999));
    live.apply(&binary::encode(&subtle).unwrap()).unwrap();
    // ... then the generator flaps: doubled files, refused one after another.
    let mut doubled = subtle.clone();
    doubled.serial += 1;
    doubled.features.extend(subtle.features.clone());
    for _ in 0..3 {
        assert!(live.apply(&binary::encode_unchecked(&doubled)).is_err());
    }
    // The operator rolls back to the good file: no hand-built push needed.
    let back = live.rollback().unwrap();
    assert_eq!(back.file(), &good);
    let Current::Serving(t) = live.current() else {
        panic!()
    };
    assert_eq!(t.file(), &good);
    assert_eq!(live.stats().rollbacks, 1);
    assert!(
        live.rollback().is_err(),
        "only one file was in service before"
    );
    // An older known-good file by override: validated, serial order waived.
    let mut older = good.clone();
    older.serial -= 5;
    assert!(live.apply(&binary::encode(&older).unwrap()).is_err());
    live.apply_known_good(&binary::encode(&older).unwrap())
        .unwrap();
    assert_eq!(live.serial(), Some(older.serial));
    assert_eq!(live.stats().overrides, 1);
    // The override still refuses an invalid file.
    assert!(
        live.apply_known_good(&binary::encode_unchecked(&doubled))
            .is_err()
    );
    assert_eq!(live.serial(), Some(older.serial));
}

#[test]
fn the_kill_switch_turns_the_module_off_and_on() {
    let live = LiveFeatures::default();
    live.apply(&binary::encode(&features(3)).unwrap()).unwrap();
    live.disable();
    live.disable();
    assert!(matches!(live.current(), Current::Disabled));
    let stats = live.stats();
    assert!(stats.disabled);
    assert_eq!(stats.disables, 1);
    // Files still apply while it is off; on again, the latest is served.
    let mut next = features(3);
    next.serial += 1;
    live.apply(&binary::encode(&next).unwrap()).unwrap();
    assert!(matches!(live.current(), Current::Disabled));
    live.enable();
    let Current::Serving(t) = live.current() else {
        panic!()
    };
    assert_eq!(t.serial(), next.serial);
    assert!(!live.stats().disabled);
}

#[test]
fn a_buffer_knows_its_table_by_identity_not_by_serial() {
    let a = FeatureTable::build(features(2), &Limits::DEFAULT).unwrap();
    let mut other = features(2);
    other.features[0].ty = FeatureType::Str(8);
    other.features[0].default = Some(Value::Str("x".into()));
    let b = FeatureTable::build(other, &Limits::DEFAULT).unwrap();
    assert_eq!(a.serial(), b.serial());
    let mut buf = RequestBuffer::new(&Limits::DEFAULT);
    buf.append_with_names(&a).unwrap();
    let slot = b.slot("f0").unwrap();
    assert!(matches!(
        buf.get(&b, slot),
        Err(RuntimeError::WrongTable { .. })
    ));
}

#[test]
fn limits_above_their_ceiling_are_refused_and_raised_limits_reserve_nothing_huge() {
    let e = Limits::new(usize::MAX, 1 << 20, 64, 4096, 4096).unwrap_err();
    assert_eq!(e.limit, "max_features");
    assert_eq!(
        e.to_string(),
        format!("max_features = {} is over its ceiling of 65536", usize::MAX)
    );
    for (i, name) in [
        "max_file_size",
        "max_name_len",
        "max_string_len",
        "max_line_len",
    ]
    .into_iter()
    .enumerate()
    {
        let mut v = [1usize << 10; 4];
        v[i] = usize::MAX;
        let e = Limits::new(200, v[0], v[1], v[2], v[3]).unwrap_err();
        assert_eq!(e.limit, name);
    }
    assert!(Limits::new(1 << 16, 1 << 20, 64, 4096, 4096).is_ok());
    // Raised by hand past the ceiling anyway: a 26-byte file claiming 2^60 features is refused
    // without a reservation of that size (it was a "capacity overflow" panic).
    let raised = Limits {
        max_features: usize::MAX,
        ..Limits::DEFAULT
    };
    let mut payload = vec![1u8, 253];
    payload.extend_from_slice(&(1u64 << 60).to_le_bytes());
    let file = binary::frame(&payload);
    assert!(binary::decode_with(&file, &raised).is_err());
    let _ = RequestBuffer::new(&raised);
    // A ClickHouse `String` is str(4096) whatever max_string_len says.
    let wide = Limits {
        max_string_len: 70_000,
        ..Limits::DEFAULT
    };
    let f = rows::parse_with(br#"{"name":"ua","type":"String"}"#, 1, &wide).unwrap();
    assert_eq!(f.features[0].ty, FeatureType::Str(4096));
}

#[test]
fn messages_never_carry_raw_control_or_bidi_characters() {
    let hostile = [
        b"\x1b[2J\x1b[31mfeature x u8\n".to_vec(),
        b"botfeat 1\nserial 1\nfeature a\x07b u8\n".to_vec(),
        b"botfeat 1\nserial 1\nfeature x \xe2\x80\xaeu8\n".to_vec(),
        b"botfeat 1\nserial 1\nfeature x u8 default=\x00\n".to_vec(),
        b"botfeat 1\nserial 1\nfeature x u8 default=1\r2\n".to_vec(),
        br#"{"name":"a","type":"UInt8","database":"\u001b[31mevil"}
{"name":"a","type":"UInt8","database":"\u202e"}"#
            .to_vec(),
        br#"{"name":"a","type":"UInt8","\u001b[2J":1}"#.to_vec(),
        br#"{"name":"a\u0007","type":"UInt8"}"#.to_vec(),
    ];
    for input in hostile {
        let e = botfeat::parse_any(&input, 1, &Limits::DEFAULT).unwrap_err();
        let shown = e.to_string();
        assert!(
            !shown
                .chars()
                .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{shown:?} from {input:?}"
        );
    }
}

#[test]
fn text_with_a_control_byte_in_a_comment_is_text_and_a_bom_is_named() {
    let t = b"#\x01 note\nbotfeat 1\nserial 1\nfeature a u8\n";
    assert_eq!(Format::detect(t), Format::Text);
    assert!(text::parse(t).is_ok());
    let e = text::parse(b"\xEF\xBB\xBFbotfeat 1\nserial 1\nfeature a u8\n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert!(e.message().contains("byte order mark"), "{e}");
    let bom_rows = b"\xEF\xBB\xBF{\"name\":\"a\",\"type\":\"UInt8\"}\n";
    assert_eq!(Format::detect(bom_rows), Format::Rows);
    let e = rows::parse(bom_rows, 1).unwrap_err();
    assert!(e.message().contains("byte order mark"), "{e}");
    // A JSON key given twice says so.
    let e = rows::parse(br#"{"name":"a","name":"b","type":"UInt8"}"#, 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert!(e.message().contains("each key may appear once"), "{e}");
    // -0 is 0 for an unsigned type.
    let f = text::parse(b"botfeat 1\nserial -0\nfeature a u8 default=-00\n").unwrap();
    assert_eq!((f.serial, &f.features[0].default), (0, &Some(Value::U8(0))));
}

/// ESC, BEL, CR, NUL and U+202E put into every place input text can reach a message, in every
/// format: no message carries one raw.
#[test]
fn no_place_in_any_format_lets_a_raw_control_character_into_a_message() {
    let bad_chars = [
        "\u{1b}[31m",
        "\u{7}",
        "\r",
        "\0",
        "\u{202e}",
        "\u{85}",
        "\u{2066}",
    ];
    for c in bad_chars {
        let text_places = [
            format!("{c}botfeat 1\nserial 1\nfeature a u8\n"),
            format!("botfeat {c}\nserial 1\nfeature a u8\n"),
            format!("botfeat 1\nserial {c}\nfeature a u8\n"),
            format!("botfeat 1\nserial 1\n{c}feature a u8\n"),
            format!("botfeat 1\nserial 1\nfeature a{c} u8\n"),
            format!("botfeat 1\nserial 1\nfeature a u8{c}\n"),
            format!("botfeat 1\nserial 1\nfeature a u8 default={c}\n"),
            format!("botfeat 1\nserial 1\nfeature a u8 defaul{c}=1\n"),
            format!("botfeat 1\nserial 1\nfeature a u8 default=1 {c}\n"),
            format!("botfeat 1\nserial 1\nfeature a str(4) default=\"{c}\"\n"),
            format!("botfeat 1\nserial 1\nfeature a ip default={c}::1\n"),
        ];
        let j = |s: &str| {
            s.chars()
                .map(|ch| match ch {
                    '\u{0}'..='\u{1f}' => format!("\\u{:04x}", u32::from(ch)),
                    _ => ch.to_string(),
                })
                .collect::<String>()
        };
        let e = j(c);
        let rows_places = [
            format!(r#"{{"name":"{e}","type":"UInt8"}}"#),
            format!(r#"{{"name":"a","type":"{e}"}}"#),
            format!(r#"{{"name":"a","type":"UInt8","default":"{e}"}}"#),
            format!(r#"{{"name":"a","type":"UInt8","{e}":1}}"#),
            format!(
                r#"{{"name":"a","type":"UInt8","database":"{e}"}}{}{{"name":"a","type":"UInt8","database":"{e}"}}"#,
                "\n"
            ),
            format!(r#"{{"name":"a","type":"UInt8"}} {c}"#),
            c.to_string(),
        ];
        let binary_name = botfeat::binary::encode_unchecked(&FeatureFile {
            serial: 1,
            features: vec![Feature {
                name: format!("x{c}").into(),
                ty: FeatureType::U8,
                default: None,
            }],
        });
        let inputs: Vec<(Vec<u8>, &str)> = text_places
            .iter()
            .map(|t| (t.clone().into_bytes(), "text"))
            .chain(rows_places.iter().map(|r| (r.clone().into_bytes(), "rows")))
            .chain(std::iter::once((binary_name, "binary")))
            .collect();
        for (input, format) in inputs {
            let result = match format {
                "text" => text::parse(&input),
                "rows" => rows::parse(&input, 1),
                _ => binary::decode(&input),
            };
            let Err(e) = result else { continue };
            let shown = e.to_string();
            assert!(
                !shown.chars().any(|ch| ch.is_control()
                    || ('\u{202a}'..='\u{202e}').contains(&ch)
                    || ('\u{2066}'..='\u{2069}').contains(&ch)),
                "{format} {input:?} gives {shown:?}"
            );
        }
    }
}

#[test]
fn a_value_knows_its_type() {
    let all = [
        (Value::Bool(true), FeatureType::Bool),
        (Value::U8(1), FeatureType::U8),
        (Value::U16(1), FeatureType::U16),
        (Value::U32(1), FeatureType::U32),
        (Value::U64(1), FeatureType::U64),
        (Value::I64(-1), FeatureType::I64),
        (Value::F32(0.5), FeatureType::F32),
        (Value::F64(0.5), FeatureType::F64),
        (Value::Ip("::1".parse().unwrap()), FeatureType::Ip),
        (Value::Str("x".into()), FeatureType::Str(3)),
    ];
    for (i, (value, _)) in all.iter().enumerate() {
        for (j, (_, ty)) in all.iter().enumerate() {
            assert_eq!(value.has_type(*ty), i == j, "{value:?} as {ty}");
            assert_eq!(
                value.as_value_ref().has_type(*ty),
                i == j,
                "{value:?} as {ty}"
            );
        }
        assert_eq!(value.as_value_ref().to_value(), *value);
    }
}

/// The duplicate message names the database of the very row that came first, and shows one
/// even when only one of the twins has a database.
#[test]
fn a_duplicate_names_the_databases_of_the_two_rows_themselves() {
    let rows = br#"{"name":"a","type":"UInt8","database":"x"}
{"name":"b","type":"UInt8","database":"y"}
{"name":"a","type":"UInt8","database":"z"}
"#;
    let e = rows::parse(rows, 1).unwrap_err();
    assert!(
        e.message().ends_with("(database `x`, then database `z`)"),
        "{e}"
    );
    let one_sided = br#"{"name":"a","type":"UInt8","database":"x"}
{"name":"a","type":"UInt8"}
"#;
    let e = rows::parse(one_sided, 1).unwrap_err();
    assert!(
        e.message().ends_with("(database `x`, then database `?`)"),
        "{e}"
    );
}

/// A table is laid out for the limit, as the proxy preallocates: 200 slots for a 3-feature file,
/// and no more than a slot number can address however far the limit is raised.
#[test]
fn a_table_reserves_the_limit_and_no_more_than_its_slots() {
    let t = FeatureTable::build(features(3), &Limits::DEFAULT).unwrap();
    assert_eq!(t.capacity(), 200);
    let raised = Limits {
        max_features: usize::MAX,
        ..Limits::DEFAULT
    };
    let t = FeatureTable::build(features(3), &raised).unwrap();
    assert_eq!(t.capacity(), botfeat::limits::MAX_SLOTS);
}

/// A non-finite float default is refused in a binary file (which can carry any bits), for both
/// float types, and by `validate` for a model built in code.
#[test]
fn non_finite_defaults_are_refused_in_binary_and_by_validate() {
    for value in [
        Value::F64(f64::NAN),
        Value::F64(f64::INFINITY),
        Value::F64(f64::NEG_INFINITY),
        Value::F32(f32::NAN),
        Value::F32(f32::INFINITY),
    ] {
        let ty = match value {
            Value::F64(_) => FeatureType::F64,
            _ => FeatureType::F32,
        };
        let file = FeatureFile {
            serial: 1,
            features: vec![Feature {
                name: "x".into(),
                ty,
                default: Some(value.clone()),
            }],
        };
        let e = binary::decode(&binary::encode_unchecked(&file)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NonFiniteFloat, "{value:?}");
        let e = file.validate(&Limits::DEFAULT).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NonFiniteFloat, "{value:?}");
    }
}

/// The size limit refuses files over 1 MiB, not a file of exactly 1 MiB, in binary too: that one
/// goes on to the header checks.
#[test]
fn a_binary_file_of_exactly_the_limit_is_read_not_refused_for_size() {
    let mut at_limit = botfeat::binary::MAGIC.to_vec();
    at_limit.resize(botfeat::limits::MAX_FILE_SIZE, 0);
    let e = binary::decode(&at_limit).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedVersion);
    at_limit.push(0);
    let e = binary::decode(&at_limit).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::FileTooLarge);
}

/// A payload cut inside a feature is `truncated` at the end of the file, where more was
/// expected — whichever reader reads it.
#[test]
fn a_payload_cut_inside_a_feature_is_truncated_at_the_end_of_the_file() {
    let whole = binary::encode(&features(3)).unwrap();
    let payload = &whole[botfeat::binary::HEADER_LEN..];
    for cut in [payload.len() - 1, payload.len() - 4, 4] {
        let file = binary::frame(&payload[..cut]);
        for e in [
            binary::decode(&file).unwrap_err(),
            binary::decode_reference_with(&file, &Limits::DEFAULT).unwrap_err(),
        ] {
            assert_eq!(e.kind(), ErrorKind::Truncated, "cut at {cut}");
            assert_eq!(
                e.position(),
                botfeat::Position::Offset(file.len() as u64),
                "cut at {cut}"
            );
        }
    }
}

/// The writer's size limit is the same "over N" as the readers': a file of exactly N bytes is
/// written, one byte more is refused.
#[test]
fn the_binary_writer_refuses_only_files_over_the_size_limit() {
    let file = features(3);
    let n = binary::encode(&file).unwrap().len();
    let exact = Limits {
        max_file_size: n,
        ..Limits::DEFAULT
    };
    assert_eq!(binary::encode_with(&file, &exact).unwrap().len(), n);
    let under = Limits {
        max_file_size: n - 1,
        ..Limits::DEFAULT
    };
    assert_eq!(
        binary::encode_with(&file, &under).unwrap_err().kind(),
        ErrorKind::FileTooLarge
    );
}

/// JSON rows of exactly 1 MiB are read (blank lines skipped); one byte more is refused for size.
#[test]
fn rows_of_exactly_the_limit_are_read() {
    let mut rows = br#"{"name":"a","type":"UInt8"}"#.to_vec();
    rows.resize(botfeat::limits::MAX_FILE_SIZE, b'\n');
    assert_eq!(rows::parse(&rows, 1).unwrap().features.len(), 1);
    rows.push(b'\n');
    assert_eq!(
        rows::parse(&rows, 1).unwrap_err().kind(),
        ErrorKind::FileTooLarge
    );
}

/// A JSON array is not a row, even one listing a row's fields in order (serde's derived reader
/// would take it), with blanks before it or not.
#[test]
fn a_json_array_is_not_a_row() {
    for line in [&br#"["a","UInt8"]"#[..], br#"  ["a","UInt8"]"#, b"\t[]"] {
        let e = rows::parse(line, 1).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue, "{line:?}");
    }
}

/// Bytes after the last declared feature, inside a payload the header covers, are trailing
/// bytes where they start.
#[test]
fn bytes_after_the_declared_features_are_trailing() {
    let whole = binary::encode(&features(2)).unwrap();
    let mut payload = whole[botfeat::binary::HEADER_LEN..].to_vec();
    let end = whole.len() as u64;
    payload.extend_from_slice(&[0, 0]);
    let e = binary::decode(&binary::frame(&payload)).unwrap_err();
    assert_eq!(
        (e.kind(), e.position()),
        (ErrorKind::TrailingBytes, botfeat::Position::Offset(end))
    );
}

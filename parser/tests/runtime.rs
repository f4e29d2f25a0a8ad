//! The edge runtime: table, buffer, live reload, rollout guard, and the 18 Nov 2025 replay.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use botfeat::runtime::{
    ApplyError, Current, FeatureTable, LiveFeatures, Refusal, RequestBuffer, RolloutPolicy,
    RuntimeError, ValueRef, check_rollout,
};
use botfeat::{ErrorKind, Feature, FeatureFile, FeatureType, Limits, Value, binary, rows, text};
use common::features;

fn with_serial(mut f: FeatureFile, serial: u64) -> FeatureFile {
    f.serial = serial;
    f
}

#[test]
fn buffer_sets_are_type_checked_and_defaults_show_through() {
    let file = text::parse(include_bytes!("fixtures/valid/example.features")).unwrap();
    let table = FeatureTable::build(file, &Limits::DEFAULT).unwrap();
    let mut buf = RequestBuffer::new(&Limits::DEFAULT);
    let asn = table.slot("asn").unwrap();
    let ua = table.slot("ua_family").unwrap();
    let ja4 = table.slot("ja4").unwrap();
    assert!(matches!(
        buf.set(&table, asn, ValueRef::U32(1)),
        Err(RuntimeError::WrongTable { .. })
    ));
    buf.append_with_names(&table).unwrap();
    assert_eq!(buf.get(&table, asn).unwrap(), Some(ValueRef::U32(0)));
    assert_eq!(buf.get(&table, ja4).unwrap(), None);
    buf.set(&table, asn, ValueRef::U32(13335)).unwrap();
    assert_eq!(buf.get(&table, asn).unwrap(), Some(ValueRef::U32(13335)));
    assert!(matches!(
        buf.set(&table, asn, ValueRef::U64(1)),
        Err(RuntimeError::TypeMismatch { .. })
    ));
    buf.set(&table, ua, ValueRef::Str("firefox")).unwrap();
    assert_eq!(buf.get(&table, ua).unwrap(), Some(ValueRef::Str("firefox")));
    let long = "x".repeat(33);
    assert!(matches!(
        buf.set(&table, ua, ValueRef::Str(&long)),
        Err(RuntimeError::StringTooLong { max: 32, .. })
    ));
    // The next request starts from the defaults again.
    buf.append_with_names(&table).unwrap();
    assert_eq!(buf.get(&table, asn).unwrap(), Some(ValueRef::U32(0)));
    assert_eq!(
        buf.get(&table, ua).unwrap(),
        Some(ValueRef::Str("chrome \"beta\""))
    );
}

#[test]
fn a_table_larger_than_the_buffer_is_an_error_not_a_panic() {
    // A table built under a raised limit, served by a buffer preallocated for 200: the 18 Nov
    // overflow, now a value.
    let raised = Limits {
        max_features: 400,
        ..Limits::DEFAULT
    };
    let table = FeatureTable::build(features(201), &raised).unwrap();
    let mut buf = RequestBuffer::new(&Limits::DEFAULT);
    assert_eq!(
        buf.append_with_names(&table),
        Err(RuntimeError::CapacityExceeded {
            needed: 201,
            capacity: 200
        })
    );
    assert!(buf.is_empty());
    assert!(FeatureTable::build(features(201), &Limits::DEFAULT).is_err());
}

#[test]
fn live_starts_with_no_features_then_keeps_the_last_good_file() {
    let live = LiveFeatures::default();
    assert!(matches!(live.current(), Current::NoFeaturesYet));
    assert!(live.apply(b"garbage").is_err());
    assert!(matches!(live.current(), Current::NoFeaturesYet));
    let good = binary::encode(&with_serial(features(60), 10)).unwrap();
    live.apply(&good).unwrap();
    assert_eq!(live.serial(), Some(10));
    let bad = binary::encode_unchecked(&with_serial(features(201), 11));
    let Err(ApplyError::Invalid(e)) = live.apply(&bad) else {
        panic!()
    };
    assert_eq!(e.kind(), ErrorKind::TooManyFeatures);
    assert_eq!(live.serial(), Some(10));
    let stats = live.stats();
    assert_eq!((stats.accepted, stats.rejected), (1, 2));
    assert_eq!(
        stats.last_refused_serial, None,
        "an unparsable file has no serial"
    );
    let Current::Serving(table) = live.current() else {
        panic!()
    };
    assert_eq!(table.file(), &with_serial(features(60), 10));
}

#[test]
fn rollout_guard_refuses_stale_serials_and_big_count_changes() {
    let p = RolloutPolicy::default();
    let old = with_serial(features(60), 5);
    assert!(check_rollout(&old, &with_serial(features(90), 6), &p).is_safe());
    assert!(check_rollout(&old, &with_serial(features(30), 6), &p).is_safe());
    let v = check_rollout(&old, &with_serial(features(91), 6), &p);
    assert_eq!(
        v.refusals,
        [Refusal::CountChange {
            running: 60,
            candidate: 91,
            max_change_pct: 50
        }]
    );
    assert!(!check_rollout(&old, &with_serial(features(29), 6), &p).is_safe());
    let v = check_rollout(&old, &with_serial(features(60), 5), &p);
    assert_eq!(
        v.refusals,
        [Refusal::SerialNotIncreasing {
            running: 5,
            candidate: 5
        }]
    );
    // Warning above 80 % of the limit; removed and retyped listed.
    let big_old = with_serial(features(150), 1);
    let mut big_new = with_serial(features(161), 2);
    big_new.features[0].ty = FeatureType::U64;
    big_new.features[0].default = None;
    big_new.features.remove(1);
    big_new.features.push(Feature {
        name: "extra".into(),
        ty: FeatureType::Bool,
        default: None,
    });
    let v = check_rollout(&big_old, &big_new, &p);
    assert!(v.is_safe());
    assert_eq!(v.warnings.len(), 1);
    assert_eq!(v.removed, ["f1"]);
    assert_eq!(
        v.retyped,
        [("f0".to_string(), FeatureType::U32, FeatureType::U64)]
    );
    assert!(v.added.contains(&"extra".to_string()));
    assert!(
        !check_rollout(
            &with_serial(features(160), 1),
            &with_serial(features(160), 2),
            &p
        )
        .warnings
        .iter()
        .any(|_| true)
    );
}

#[test]
fn the_18_nov_2025_replay() {
    let live = LiveFeatures::default();
    let generator_rows = include_bytes!("fixtures/valid/generator_60_rows.jsonl");
    let good = rows::parse(generator_rows, 100).unwrap();
    live.apply(&binary::encode(&good).unwrap()).unwrap();

    // 1. The doubled rows, from `default` and again from `r0`: refused, naming both databases.
    let doubled = include_bytes!("fixtures/invalid/duplicate_name-18nov_doubled_rows.jsonl");
    let e = rows::parse(doubled, 101).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DuplicateName);
    assert!(
        e.message()
            .contains("database `default`, then database `r0`"),
        "{e}"
    );

    // 2. A hostile writer's binary file with 201+ features: refused, previous serial in service.
    let mut hostile = good.clone();
    hostile.serial = 102;
    for i in 0..141 {
        hostile.features.push(Feature {
            name: format!("extra_{i}").into(),
            ty: FeatureType::F64,
            default: None,
        });
    }
    let Err(ApplyError::Invalid(e)) = live.apply(&binary::encode_unchecked(&hostile)) else {
        panic!()
    };
    assert_eq!(e.kind(), ErrorKind::TooManyFeatures);
    assert_eq!(live.serial(), Some(100));

    // 3. Doubled but unique (60 → 130), new serial: the rollout guard refuses it.
    let mut unique = good.clone();
    unique.serial = 103;
    for i in 0..70 {
        unique.features.push(Feature {
            name: format!("r0_{i}").into(),
            ty: FeatureType::F64,
            default: None,
        });
    }
    let Err(ApplyError::Refused(v)) = live.apply(&binary::encode(&unique).unwrap()) else {
        panic!()
    };
    assert!(matches!(
        v.refusals[..],
        [Refusal::CountChange {
            running: 60,
            candidate: 130,
            ..
        }]
    ));
    assert_eq!(live.serial(), Some(100));
    assert_eq!(live.stats().last_refused_serial, Some(103));

    // And the next good file goes through.
    live.apply(&binary::encode(&with_serial(good, 104)).unwrap())
        .unwrap();
    assert_eq!(live.serial(), Some(104));
}

/// The file for `serial`: its feature count is a function of the serial, so a reader can tell a
/// complete table from a mixed one.
fn file_for(serial: u64) -> FeatureFile {
    let n = 100 + (serial % 7) as usize;
    let mut f = features(n);
    f.serial = serial;
    f.features[0].default = Some(Value::U32(serial as u32));
    f
}

#[test]
fn readers_see_complete_tables_and_serials_never_go_back() {
    let live = Arc::new(LiveFeatures::default());
    live.apply(&binary::encode(&file_for(1)).unwrap()).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (live, done) = (Arc::clone(&live), Arc::clone(&done));
            std::thread::spawn(move || {
                let mut buf = RequestBuffer::new(&Limits::DEFAULT);
                let (mut last, mut reads) = (0u64, 0u64);
                while !done.load(Ordering::Relaxed) || reads == 0 {
                    let Current::Serving(table) = live.current() else {
                        panic!("no features after the first good file")
                    };
                    let serial = table.serial();
                    assert!(serial >= last, "serial went back from {last} to {serial}");
                    assert_eq!(table.file(), &file_for(serial), "a mixed table");
                    buf.append_with_names(&table).unwrap();
                    let slot = table.slot("f0").unwrap();
                    assert_eq!(
                        buf.get(&table, slot).unwrap(),
                        Some(ValueRef::U32(serial as u32))
                    );
                    last = serial;
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    let bad = binary::encode_unchecked(&with_serial(features(201), u64::MAX));
    for serial in 2..1000u64 {
        live.apply(&binary::encode(&file_for(serial)).unwrap())
            .unwrap();
        assert!(live.apply(&bad).is_err());
        assert!(
            live.apply(&binary::encode(&file_for(serial - 1)).unwrap())
                .is_err()
        ); // stale
    }
    done.store(true, Ordering::Relaxed);
    for r in readers {
        assert!(r.join().unwrap() > 0);
    }
    let stats = live.stats();
    assert_eq!((stats.accepted, stats.rejected), (999, 2 * 998));
    assert_eq!(live.serial(), Some(999));
}

#[test]
fn runtime_errors_say_what_and_by_how_much() {
    use botfeat::runtime::RuntimeError;
    let cases = [
        (
            RuntimeError::CapacityExceeded {
                needed: 201,
                capacity: 200,
            },
            vec!["201 features", "200 slots"],
        ),
        (RuntimeError::NoSuchSlot(7), vec!["no slot 7"]),
        (
            RuntimeError::WrongTable {
                filled_for: Some(3),
                table: 4,
            },
            vec!["generation Some(3)", "generation 4", "append_with_names"],
        ),
        (
            RuntimeError::TypeMismatch {
                feature: "bot_score".into(),
                expected: botfeat::FeatureType::U8,
            },
            vec!["`bot_score` is u8"],
        ),
        (
            RuntimeError::StringTooLong {
                feature: "ja4".into(),
                len: 40,
                max: 36,
            },
            vec!["`ja4` is str(36)", "40 bytes"],
        ),
    ];
    for (error, words) in cases {
        let shown = error.to_string();
        for w in words {
            assert!(shown.contains(w), "{shown:?} lacks {w:?}");
        }
    }
}

#[test]
fn a_string_of_exactly_n_bytes_fits_str_n_and_the_buffer_counts_its_slots() {
    let file = text::parse(include_bytes!("fixtures/valid/example.features")).unwrap();
    let table = FeatureTable::build(file, &Limits::DEFAULT).unwrap();
    let mut buf = RequestBuffer::new(&Limits::DEFAULT);
    assert!(buf.is_empty());
    assert_eq!(buf.len(), 0);
    buf.append_with_names(&table).unwrap();
    assert!(!buf.is_empty());
    assert_eq!(buf.len(), table.len());
    assert!(table.len() > 1);
    let ua = table.slot("ua_family").unwrap();
    // ua_family is str(32): 32 bytes fit, 33 do not.
    let exact = "x".repeat(32);
    buf.set(&table, ua, ValueRef::Str(&exact)).unwrap();
    assert_eq!(buf.get(&table, ua).unwrap(), Some(ValueRef::Str(&exact)));
    assert!(matches!(
        buf.set(&table, ua, ValueRef::Str(&"x".repeat(33))),
        Err(RuntimeError::StringTooLong {
            len: 33,
            max: 32,
            ..
        })
    ));
}

#[test]
fn a_verdict_names_the_features_it_counts() {
    let p = RolloutPolicy::default();
    let old = with_serial(features(20), 1);
    let mut new = with_serial(features(20), 2);
    new.features.remove(3);
    new.features[0].ty = FeatureType::U64;
    new.features[0].default = None;
    new.features.push(Feature {
        name: "brand_new".into(),
        ty: FeatureType::Bool,
        default: None,
    });
    let shown = check_rollout(&old, &new, &p).to_string();
    assert!(shown.contains("added: 1 (brand_new)"), "{shown}");
    assert!(shown.contains("removed: 1 (f3)"), "{shown}");
    assert!(shown.contains("retyped: 1 (f0"), "{shown}");
    // Past eight names the rest are counted.
    let many = with_serial(features(30), 2);
    let shown = check_rollout(&with_serial(features(20), 1), &many, &p).to_string();
    assert!(
        shown.contains("added: 10 (f20, f21, f22, f23, f24, f25, f26, f27 and 2 more)"),
        "{shown}"
    );
}

#[test]
fn a_serial_may_jump_by_exactly_the_limit() {
    let p = RolloutPolicy {
        max_serial_jump: 100,
        ..RolloutPolicy::default()
    };
    let old = with_serial(features(10), 1_000);
    assert!(check_rollout(&old, &with_serial(features(10), 1_100), &p).is_safe());
    let v = check_rollout(&old, &with_serial(features(10), 1_101), &p);
    assert_eq!(
        v.refusals,
        [Refusal::SerialJump {
            running: 1_000,
            candidate: 1_101,
            max_jump: 100
        }]
    );
}

#[test]
fn refusals_say_what_was_refused() {
    let shown = |r: Refusal| r.to_string();
    assert!(
        shown(Refusal::SerialNotIncreasing {
            running: 5,
            candidate: 4
        })
        .contains("serial 4 does not increase on the running serial 5")
    );
    assert!(
        shown(Refusal::CountChange {
            running: 60,
            candidate: 120,
            max_change_pct: 50
        })
        .contains("from 60 to 120")
    );
    let churn = shown(Refusal::Churn {
        changed: (0..8).map(|i| format!("f{i}")).collect(),
        running: 10,
        max_change_pct: 50,
    });
    // Exactly eight names: all shown, none counted.
    assert!(
        churn.contains(
            "8 of the 10 running features removed or retyped (f0, f1, f2, f3, f4, f5, f6, f7)"
        ),
        "{churn}"
    );
    assert!(
        shown(Refusal::SerialJump {
            running: 1,
            candidate: 5_000_000_000,
            max_jump: 1_000_000_000
        })
        .contains("5000000000")
    );
}

#[test]
fn apply_and_rollback_errors_say_why() {
    let live = LiveFeatures::default();
    assert_eq!(
        live.rollback().unwrap_err().to_string(),
        "no earlier accepted file to roll back to"
    );
    live.apply(&binary::encode(&with_serial(features(60), 10)).unwrap())
        .unwrap();
    let invalid = live
        .apply(&binary::encode_unchecked(&with_serial(features(201), 11)))
        .unwrap_err()
        .to_string();
    assert!(invalid.starts_with("invalid file: "), "{invalid}");
    assert!(invalid.contains("too many features"), "{invalid}");
    let refused = live
        .apply(&binary::encode(&with_serial(features(60), 9)).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        refused.starts_with(
            "refused by the rollout guard; serial 9 does not increase on the running serial 10"
        ),
        "{refused}"
    );
}

#[test]
fn a_table_is_never_empty() {
    // A file needs 1 to 200 features, so a table that was built has at least one.
    assert_eq!(
        FeatureTable::build(with_serial(features(0), 1), &Limits::DEFAULT)
            .unwrap_err()
            .kind(),
        ErrorKind::NoFeatures
    );
    let one = FeatureTable::build(with_serial(features(1), 1), &Limits::DEFAULT).unwrap();
    assert!(!one.is_empty());
    assert_eq!(one.len(), 1);
}

#[test]
fn each_string_slot_has_its_own_room() {
    let file = text::parse(include_bytes!("fixtures/valid/example.features")).unwrap();
    let table = FeatureTable::build(file, &Limits::DEFAULT).unwrap();
    let mut buf = RequestBuffer::new(&Limits::DEFAULT);
    buf.append_with_names(&table).unwrap();
    let ua = table.slot("ua_family").unwrap();
    let ja4 = table.slot("ja4").unwrap();
    buf.set(&table, ua, ValueRef::Str("firefox")).unwrap();
    buf.set(&table, ja4, ValueRef::Str("t13d1516h2_8daaf6152771"))
        .unwrap();
    // Neither string overwrote the other's bytes in the shared arena.
    assert_eq!(buf.get(&table, ua).unwrap(), Some(ValueRef::Str("firefox")));
    assert_eq!(
        buf.get(&table, ja4).unwrap(),
        Some(ValueRef::Str("t13d1516h2_8daaf6152771"))
    );
}

#[test]
fn history_keeps_the_last_eight_and_the_switch_counts_turns() {
    use botfeat::runtime::HISTORY;
    let live = LiveFeatures::default();
    // Serials 1..=11 applied: 10 replaced files, of which the last HISTORY are kept.
    for serial in 1..=11 {
        live.apply(&binary::encode(&with_serial(features(60), serial)).unwrap())
            .unwrap();
    }
    for back in 1..=HISTORY as u64 {
        assert_eq!(live.rollback().unwrap().file().serial, 11 - back);
    }
    assert!(live.rollback().is_err(), "only {HISTORY} kept");
    // Turning the switch off twice is one turn; off again after on is another.
    live.disable();
    live.disable();
    assert_eq!(live.stats().disables, 1);
    live.enable();
    live.disable();
    assert_eq!(live.stats().disables, 2);
    let shown = format!("{live:?}");
    assert!(
        shown.starts_with("LiveFeatures") && shown.contains("serial"),
        "{shown}"
    );
}

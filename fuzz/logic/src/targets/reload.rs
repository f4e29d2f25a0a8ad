//! `reload`: an arbitrary sequence of operations on the live runtime, judged in both directions
//! against the test kit: a candidate the reference reader accepts and the reference guard finds a
//! safe successor must go into service as exactly that file; any other (invalid, doubled, too
//! large, stale, a count jump, JSON rows) must be refused with the table in service unchanged.
//! Whatever happens it never panics, the counters add up, and the table in service answers every
//! name with its own feature and fills a request buffer with its defaults.

use arbitrary::{Arbitrary, Unstructured};
use botfeat::runtime::{Current, LiveFeatures, RequestBuffer};
use botfeat::{Feature, FeatureFile, FeatureType, Limits, Value};
use harness::{Outcome, Violation, ViolationKind};

#[derive(Arbitrary, Debug)]
enum Op {
    /// A valid successor of the running file: serial + `step`, count changed by `change_pct`.
    Next {
        step: u8,
        change_pct: i8,
        as_text: bool,
    },
    /// The running file again (a replay: the serial does not increase).
    Again,
    /// A hostile writer's file with `extra` features past the limit.
    TooMany { extra: u8 },
    /// A valid successor with every feature twice.
    Doubled,
    /// A valid successor with one byte flipped.
    Flipped { at: u16, bit: u8 },
    /// A valid successor as JSON rows, which carry no serial: the edge must refuse them.
    AsRows,
    /// A valid successor with `shift` added to every value of one feature's default, written as
    /// text (an out-of-range default when it crosses the type's edge).
    Shifted { shift: i8 },
    /// A valid successor with the first `n` features renamed (or retyped): same count, the
    /// features in service swapped out.
    Churned { n: u8, retype: bool },
    /// A valid successor whose serial jumps by `2^shift`.
    Jump { shift: u8 },
    /// An earlier accepted file (`back` files ago) put back with the operator's override.
    KnownGood { back: u8 },
    /// The operator rolls back to the file before the current one.
    Rollback,
    /// The kill switch, off or on.
    Switch { off: bool },
    /// Whatever bytes.
    Bytes(Vec<u8>),
    /// A request: fill a buffer from the current table.
    Fill,
}

fn successor(running: Option<&FeatureFile>, step: u8, change_pct: i8) -> FeatureFile {
    // Small files keep the op sequence fast; TooMany and growth reach the limit when it matters.
    let (serial, count) = running.map_or((1, 8), |f| (f.serial, f.features.len()));
    let delta = i64::try_from(count)
        .unwrap_or(0)
        .saturating_mul(i64::from(change_pct))
        / 100;
    let count = usize::try_from(
        i64::try_from(count)
            .unwrap_or(0)
            .saturating_add(delta)
            .clamp(1, 200),
    )
    .unwrap_or(1);
    FeatureFile {
        serial: serial.saturating_add(u64::from(step)),
        features: (0..count)
            .map(|i| match i {
                // A small type near its edge, for `Shifted` to push over it.
                0 => Feature {
                    name: "f0".into(),
                    ty: FeatureType::U8,
                    default: Some(Value::U8(u8::try_from(serial % 256).unwrap_or(u8::MAX))),
                },
                _ => Feature {
                    name: format!("f{i}").into(),
                    ty: FeatureType::U64,
                    default: Some(Value::U64(serial)),
                },
            })
            .collect(),
    }
}

fn fail(detail: String) -> Violation {
    Violation::new("reload", ViolationKind::Invariant, detail)
}

/// Runs up to 32 operations from `u`.
pub fn run(u: &mut Unstructured<'_>) -> Result<Outcome, Violation> {
    let live = LiveFeatures::default();
    let mut buffer = RequestBuffer::new(&Limits::DEFAULT);
    // The reference's view of the edge: the file in service, the earlier ones a rollback goes
    // back to (newest last, at most `HISTORY`), every file ever accepted, and the switch.
    let mut last_accepted: Option<FeatureFile> = None;
    let mut history: Vec<FeatureFile> = Vec::new();
    let mut ever: Vec<FeatureFile> = Vec::new();
    let mut disabled = false;
    let (mut accepted, mut rejected) = (0u64, 0u64);
    for _ in 0..32 {
        let Ok(op) = u.arbitrary::<Op>() else { break };
        let running = last_accepted.as_ref();
        let mut known_good = false;
        let bytes = match op {
            Op::Next {
                step,
                change_pct,
                as_text,
            } => {
                let f = successor(running, step, change_pct);
                if as_text {
                    testkit::text::write(&f).into_bytes()
                } else {
                    testkit::binary::encode(&f)
                }
            }
            Op::Again => running.map(testkit::binary::encode).unwrap_or_default(),
            Op::TooMany { extra } => {
                let mut f = successor(running, 1, 0);
                let n = 200usize
                    .saturating_add(usize::from(extra))
                    .saturating_add(1);
                f.features = (0..n)
                    .map(|i| Feature {
                        name: format!("g{i}").into(),
                        ty: FeatureType::Bool,
                        default: None,
                    })
                    .collect();
                testkit::binary::encode(&f)
            }
            Op::Doubled => {
                let mut f = successor(running, 1, 0);
                f.features.extend(f.features.clone());
                testkit::binary::encode(&f)
            }
            Op::Flipped { at, bit } => {
                let mut b = testkit::binary::encode(&successor(running, 1, 0));
                let len = b.len();
                if let Some(byte) = b.get_mut(usize::from(at).checked_rem(len).unwrap_or(0)) {
                    *byte ^= 1 << (bit % 8);
                }
                b
            }
            Op::AsRows => {
                testkit::rows::write(&successor(running, 1, 0), testkit::rows::Style::default())
                    .into_bytes()
            }
            Op::Shifted { shift } => {
                let f = successor(running, 1, 0);
                let text = testkit::text::write(&f);
                // `default=N` of the first feature, N moved by `shift` in the text itself.
                let moved = f
                    .features
                    .first()
                    .and_then(|first| first.default.as_ref())
                    .map(|v| {
                        let old = testkit::text::spell(v);
                        let new = old
                            .parse::<i128>()
                            .map(|n| n.saturating_add(i128::from(shift)).to_string())
                            .unwrap_or(old.clone());
                        text.replacen(&format!("default={old}"), &format!("default={new}"), 1)
                    })
                    .unwrap_or(text);
                moved.into_bytes()
            }
            Op::Churned { n, retype } => {
                let mut f = successor(running, 1, 0);
                for feature in f.features.iter_mut().take(usize::from(n)) {
                    if retype {
                        feature.ty = FeatureType::I64;
                        feature.default = None;
                    } else {
                        feature.name = format!("{}_v2", feature.name).into();
                    }
                }
                testkit::binary::encode(&f)
            }
            Op::Jump { shift } => {
                let mut f = successor(running, 0, 0);
                f.serial = f
                    .serial
                    .saturating_add(1u64.checked_shl(u32::from(shift % 64)).unwrap_or(0));
                testkit::binary::encode(&f)
            }
            Op::KnownGood { back } => {
                known_good = true;
                let at = ever
                    .len()
                    .saturating_sub(usize::from(back).saturating_add(1));
                ever.get(at)
                    .map(testkit::binary::encode)
                    .unwrap_or_default()
            }
            Op::Rollback => {
                let result = live.rollback();
                match (result, history.pop()) {
                    (Ok(table), Some(previous)) if *table.file() == previous => {
                        last_accepted = Some(previous);
                    }
                    (Err(_), None) => {}
                    (result, expected) => {
                        return Err(fail(format!(
                            "rollback gave {:?}, the reference expects {:?}",
                            result.map(|t| t.serial()),
                            expected.map(|f| f.serial)
                        )));
                    }
                }
                continue;
            }
            Op::Switch { off } => {
                if off {
                    live.disable();
                } else {
                    live.enable();
                }
                disabled = off;
                if matches!(live.current(), Current::Disabled) != disabled {
                    return Err(fail(format!("the switch is {off}, requests do not see it")));
                }
                continue;
            }
            Op::Bytes(b) => b,
            Op::Fill => {
                if let Current::Serving(table) = live.current() {
                    buffer
                        .append_with_names(&table)
                        .map_err(|e| fail(format!("the live table does not fill a buffer: {e}")))?;
                    for feature in table.features() {
                        let got = table
                            .slot(&feature.name)
                            .map(|slot| buffer.get(&table, slot));
                        let want = feature.default.as_ref().map(Value::as_value_ref);
                        if !matches!(&got, Some(Ok(v)) if *v == want) {
                            return Err(fail(format!(
                                "a fresh request reads `{}` as {got:?}, its default is {want:?}",
                                feature.name
                            )));
                        }
                    }
                }
                continue;
            }
        };
        // What the edge must do, decided without its code: read as the documented detection
        // says, validated by the reference reader, then the documented guard rules.
        let must_accept = match (testkit::guard::read_any(&bytes), running) {
            (Some(Ok(file)), None) => Some(file),
            (Some(Ok(file)), Some(_)) if known_good => Some(file),
            (Some(Ok(file)), Some(run)) if testkit::guard::safe_successor(run, &file) => Some(file),
            _ => None,
        };
        let applied = if known_good {
            live.apply_known_good(&bytes)
        } else {
            live.apply(&bytes)
        };
        match (applied, must_accept) {
            (Ok(table), Some(file)) => {
                if *table.file() != file {
                    return Err(fail(format!(
                        "put into service as {:?}, but the file is {file:?}",
                        table.file()
                    ))
                    .with_input(&bytes));
                }
                accepted = accepted.saturating_add(1);
                if let Some(previous) = last_accepted.take() {
                    if history.len() >= botfeat::runtime::HISTORY {
                        history.remove(0);
                    }
                    history.push(previous);
                }
                ever.push(file.clone());
                last_accepted = Some(file);
            }
            (Err(_), None) => rejected = rejected.saturating_add(1),
            (Ok(table), None) => {
                return Err(fail(format!(
                    "put serial {} into service, but the reference refuses it ({:?}) or the guard must (running: {:?})",
                    table.serial(),
                    testkit::guard::read_any(&bytes).map(|v| v.map(|f| f.serial)),
                    running.map(|f| (f.serial, f.features.len()))
                ))
                .with_input(&bytes));
            }
            (Err(e), Some(file)) => {
                return Err(fail(format!(
                    "refused a valid, guard-safe successor (serial {}, {} features): {e}",
                    file.serial,
                    file.features.len()
                ))
                .with_input(&bytes));
            }
        }
        let serving = match live.current() {
            Current::Serving(t) if !disabled => Some(t),
            Current::NoFeaturesYet if !disabled => None,
            Current::Disabled if disabled => continue,
            other => {
                return Err(fail(format!(
                    "requests see {other:?} with the switch {}",
                    if disabled { "off" } else { "on" }
                )));
            }
        };
        if serving.as_ref().map(|t| t.file()) != last_accepted.as_ref() {
            return Err(fail(format!(
                "serving serial {:?}, but the last accepted file has serial {:?}",
                serving.map(|t| t.serial()),
                last_accepted.as_ref().map(|f| f.serial)
            )));
        }
        if let Some(table) = &serving {
            for (index, feature) in table.file().features.iter().enumerate() {
                let slot = table.slot(&feature.name);
                let found = slot.and_then(|s| table.features().get(s.index()));
                if found.map(|f| &f.name) != Some(&feature.name)
                    || found.map(|f| f.ty) != Some(feature.ty)
                {
                    return Err(fail(format!(
                        "feature #{index} `{}` is not found by its name in the table in service",
                        feature.name
                    )));
                }
            }
        }
        let stats = live.stats();
        if (stats.accepted, stats.rejected) != (accepted, rejected) {
            return Err(fail(format!(
                "counters say {}+{}, the sequence {accepted}+{rejected}",
                stats.accepted, stats.rejected
            )));
        }
        if rejected > 0 && stats.last_error.is_none() {
            return Err(fail("a file was refused but no error was recorded".into()));
        }
    }
    Ok(Outcome::Accepted)
}

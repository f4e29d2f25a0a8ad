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
    let mut last_accepted: Option<FeatureFile> = None;
    let (mut accepted, mut rejected) = (0u64, 0u64);
    for _ in 0..32 {
        let Ok(op) = u.arbitrary::<Op>() else { break };
        let running = last_accepted.as_ref();
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
            (Some(Ok(file)), Some(run)) if testkit::guard::safe_successor(run, &file) => Some(file),
            _ => None,
        };
        match (live.apply(&bytes), must_accept) {
            (Ok(table), Some(file)) => {
                if *table.file() != file {
                    return Err(fail(format!(
                        "put into service as {:?}, but the file is {file:?}",
                        table.file()
                    ))
                    .with_input(&bytes));
                }
                accepted = accepted.saturating_add(1);
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
            Current::Serving(t) => Some(t),
            Current::NoFeaturesYet => None,
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

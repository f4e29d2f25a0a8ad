//! `reload`: an arbitrary sequence of operations on the live runtime. Whatever happens, it never
//! panics, the table in service is always the last file `apply` accepted, and the counters add up.

use arbitrary::{Arbitrary, Unstructured};
use botfeat::runtime::{Current, LiveFeatures, RequestBuffer};
use botfeat::{Feature, FeatureFile, FeatureType, Limits, Value, binary, text};
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
            .map(|i| Feature {
                name: format!("f{i}").into(),
                ty: FeatureType::U64,
                default: Some(Value::U64(serial)),
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
                    text::write_unchecked(&f).into_bytes()
                } else {
                    binary::encode_unchecked(&f)
                }
            }
            Op::Again => running.map(binary::encode_unchecked).unwrap_or_default(),
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
                binary::encode_unchecked(&f)
            }
            Op::Doubled => {
                let mut f = successor(running, 1, 0);
                f.features.extend(f.features.clone());
                binary::encode_unchecked(&f)
            }
            Op::Flipped { at, bit } => {
                let mut b = binary::encode_unchecked(&successor(running, 1, 0));
                let len = b.len();
                if let Some(byte) = b.get_mut(usize::from(at).checked_rem(len).unwrap_or(0)) {
                    *byte ^= 1 << (bit % 8);
                }
                b
            }
            Op::Bytes(b) => b,
            Op::Fill => {
                if let Current::Serving(table) = live.current() {
                    buffer
                        .append_with_names(&table)
                        .map_err(|e| fail(format!("the live table does not fill a buffer: {e}")))?;
                }
                continue;
            }
        };
        match live.apply(&bytes) {
            Ok(table) => {
                accepted = accepted.saturating_add(1);
                last_accepted = Some(table.file().clone());
            }
            Err(_) => rejected = rejected.saturating_add(1),
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

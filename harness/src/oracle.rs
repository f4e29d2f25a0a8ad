//! The oracles, each written once: no panic, bounded time and heap, roundtrip, agreement.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

pub use crate::target::Budget;
use crate::target::{Roundtrip, Target};

/// What a target did with an input that broke no oracle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Parsed.
    Accepted,
    /// Refused with an error.
    Rejected {
        /// [`Target::error_kind`].
        kind: String,
        /// [`Target::error_position`].
        position: Option<String>,
        /// The error's Display.
        message: String,
    },
}

impl Outcome {
    /// `accepted`, or `rejected KIND` with ` at POSITION` when known.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Accepted => "accepted".into(),
            Outcome::Rejected {
                kind,
                position: Some(p),
                ..
            } => format!("rejected {kind} at {p}"),
            Outcome::Rejected {
                kind,
                position: None,
                ..
            } => format!("rejected {kind}"),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

/// Which oracle an input broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ViolationKind {
    /// The parser (or encoder) panicked.
    Panic,
    /// Took longer than the budget.
    TooSlow,
    /// An accepted value could not be encoded again.
    EncodeFailed,
    /// The re-encoded value parsed to something else, or was refused.
    RoundtripMismatch,
    /// The encoder and an independent reference writer wrote different bytes for one value.
    NotCanonical,
    /// The target's verdict differs from the one an independent reference gives.
    WrongVerdict,
    /// Two formats of the same model disagree.
    Disagreement,
    /// An outcome other than the one a corpus case expects.
    UnexpectedOutcome,
    /// A target's own invariant (say: what the parser accepts, the runtime loads).
    Invariant,
}

/// A broken oracle, with what is needed to reproduce it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The target's name.
    pub target: String,
    /// Which oracle.
    pub kind: ViolationKind,
    /// What happened, in words.
    pub detail: String,
    /// The input, when it is not the fuzzer's own (an encoding made by the oracle).
    pub input: Option<Vec<u8>>,
}

impl Violation {
    /// A violation of `kind` by `target`.
    pub fn new(target: &str, kind: ViolationKind, detail: impl Into<String>) -> Self {
        Violation {
            target: target.into(),
            kind,
            detail: detail.into(),
            input: None,
        }
    }

    /// Attaches the input that shows it (when it is not the fuzzer's own).
    pub fn with_input(mut self, input: &[u8]) -> Self {
        self.input = Some(input.to_vec());
        self
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {:?}: {}", self.target, self.kind, self.detail)?;
        if let Some(input) = &self.input {
            // Ready to paste into a regression test; a long input is cut (the crash artifact
            // keeps it whole), so the report stays readable.
            const SHOWN: usize = 1024;
            let shown = input.get(..SHOWN).unwrap_or(input);
            write!(f, "\n  input: b{:?}", String::from_utf8_lossy(shown))?;
            if input.len() > SHOWN {
                write!(f, " … ({} bytes in all)", input.len())?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Violation {}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".into())
}

/// Runs `f` under the budget for an input of `len` bytes: a panic or an overrun is a violation.
pub fn guarded<R>(
    target: &str,
    budget: &Budget,
    len: usize,
    f: impl FnOnce() -> R,
) -> Result<R, Violation> {
    let start = Instant::now();
    let result = {
        let _heap = crate::alloc::limit(budget.heap_bound(len));
        catch_unwind(AssertUnwindSafe(f))
    };
    let elapsed = start.elapsed();
    let value = result.map_err(|p| {
        Violation::new(
            target,
            ViolationKind::Panic,
            format!("panicked: {}", panic_message(&*p)),
        )
    })?;
    if elapsed > budget.max_time {
        return Err(Violation::new(
            target,
            ViolationKind::TooSlow,
            format!(
                "took {elapsed:?} on {len} bytes: the budget is {:?}",
                budget.max_time
            ),
        ));
    }
    Ok(value)
}

/// Parses `input`: no panic, within budget. Returns the outcome and the value, if accepted.
pub fn check<T: Target>(
    target: &T,
    input: &[u8],
) -> Result<(Outcome, Option<T::Output>), Violation> {
    let parsed = guarded(target.name(), &target.budget(), input.len(), || {
        target.parse(input)
    })?;
    Ok(match parsed {
        Ok(value) => (Outcome::Accepted, Some(value)),
        Err(e) => (
            Outcome::Rejected {
                kind: target.error_kind(&e),
                position: target.error_position(&e),
                message: e.to_string(),
            },
            None,
        ),
    })
}

/// [`check`], and for an accepted input: it encodes, the encoding parses back to the same value,
/// and encoding that again gives the same bytes.
pub fn check_roundtrip<T: Roundtrip>(target: &T, input: &[u8]) -> Result<Outcome, Violation> {
    check_roundtrip_value(target, input).map(|(outcome, _)| outcome)
}

/// [`check_roundtrip`], also returning the accepted value for further checks.
pub fn check_roundtrip_value<T: Roundtrip>(
    target: &T,
    input: &[u8],
) -> Result<(Outcome, Option<T::Output>), Violation> {
    let (outcome, value) = check(target, input)?;
    let Some(value) = value else {
        return Ok((outcome, None));
    };
    check_reencode(target, &value, input.len())?;
    Ok((outcome, Some(value)))
}

/// The roundtrip oracle for a value a target accepted from an input of `len` bytes: it encodes,
/// the encoding parses back to the same value, and (where the target has an independent
/// reference writer) both writers give the same bytes.
pub fn check_reencode<T: Roundtrip>(
    target: &T,
    value: &T::Output,
    len: usize,
) -> Result<(), Violation> {
    let name = target.name();
    let budget = target.budget();
    let encoded = guarded(name, &budget, len, || target.encode(value))?.map_err(|why| {
        Violation::new(
            name,
            ViolationKind::EncodeFailed,
            format!("accepted, but cannot be encoded again: {why}"),
        )
    })?;
    let (_, again) = check(target, &encoded).map_err(|v| v.with_input(&encoded))?;
    let Some(again) = again else {
        let (outcome, _) = check(target, &encoded)?;
        return Err(Violation::new(
            name,
            ViolationKind::RoundtripMismatch,
            format!("its encoding is refused: {outcome}"),
        )
        .with_input(&encoded));
    };
    if !target.same(value, &again) {
        return Err(Violation::new(
            name,
            ViolationKind::RoundtripMismatch,
            format!("parsed {value:?}\n  its encoding parses to {again:?}"),
        )
        .with_input(&encoded));
    }
    if let Some(reference) = target.reference_encode(value) {
        if reference != encoded {
            return Err(Violation::new(
                name,
                ViolationKind::NotCanonical,
                format!(
                    "the encoder and the reference writer differ on the accepted value\n  encoder:   b{:?}\n  reference: b{:?}",
                    String::from_utf8_lossy(&encoded),
                    String::from_utf8_lossy(&reference)
                ),
            )
            .with_input(&encoded));
        }
    }
    Ok(())
}

/// What an independent reference (a second implementation written from the specification, or
/// the outcome a mutation implies) says a target must do with an input.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected<V> {
    /// Accept it as this value.
    Accept(V),
    /// Refuse it with this error kind, at this position when the specification fixes one.
    Refuse {
        /// [`Target::error_kind`].
        kind: String,
        /// [`Target::error_position`], or `None` to accept any position.
        position: Option<String>,
    },
}

/// [`check`], and the outcome must be what `expected` says: the same value ([`Roundtrip::same`]
/// where the target has one, `==` here), or a refusal of the same kind (at the same position,
/// when one is expected). This is the oracle that judges a target from outside: the
/// expectation never comes from the code under test.
pub fn check_expected<T>(
    target: &T,
    input: &[u8],
    expected: &Expected<T::Output>,
) -> Result<(Outcome, Option<T::Output>), Violation>
where
    T: Target,
    T::Output: PartialEq,
{
    let (outcome, value) = check(target, input)?;
    let ok = match (expected, &outcome, &value) {
        (Expected::Accept(want), Outcome::Accepted, Some(got)) => want == got,
        (
            Expected::Refuse { kind, position },
            Outcome::Rejected {
                kind: got_kind,
                position: got_position,
                ..
            },
            _,
        ) => kind == got_kind && (position.is_none() || position == got_position),
        _ => false,
    };
    if ok {
        return Ok((outcome, value));
    }
    let want = match expected {
        Expected::Accept(v) => format!("accepted as {v:?}"),
        Expected::Refuse {
            kind,
            position: Some(p),
        } => format!("rejected {kind} at {p}"),
        Expected::Refuse {
            kind,
            position: None,
        } => format!("rejected {kind}"),
    };
    let got = match &value {
        Some(v) => format!("accepted as {v:?}"),
        None => outcome.summary(),
    };
    Err(Violation::new(
        target.name(),
        ViolationKind::WrongVerdict,
        format!("the reference says: {want}\n  the target did: {got}"),
    )
    .with_input(input))
}

/// Two implementations of one format (a fast decoder and a reference one) on the same input:
/// both accept the same value, or both refuse it with the same error kind at the same position.
/// Messages may differ. Returns the first target's outcome.
pub fn check_differential<A, B>(a: &A, b: &B, input: &[u8]) -> Result<Outcome, Violation>
where
    A: Target,
    B: Target<Output = A::Output>,
    A::Output: PartialEq,
{
    let first = check(a, input)?;
    check_differential_given(a, (&first.0, first.1.as_ref()), b, input)?;
    Ok(first.0)
}

/// [`check_differential`] where `a` has already read `input` (its checked outcome and value, as
/// [`check`] or [`check_expected`] returned them): only `b` reads it again, and the verdicts must
/// agree exactly as in [`check_differential`].
pub fn check_differential_given<A, B>(
    a: &A,
    first: (&Outcome, Option<&A::Output>),
    b: &B,
    input: &[u8],
) -> Result<(), Violation>
where
    A: Target,
    B: Target<Output = A::Output>,
    A::Output: PartialEq,
{
    let second = check(b, input)?;
    same_result(
        a,
        first,
        b,
        (&second.0, second.1.as_ref()),
        Compare::KindAndPosition,
    )
    .map_err(|v| v.with_input(input))
}

/// Two encodings of one model, read by two targets: both accept the same value, or both refuse
/// with the same error kind.
pub fn check_agree<A, B>(a: &A, a_input: &[u8], b: &B, b_input: &[u8]) -> Result<Outcome, Violation>
where
    A: Target,
    B: Target<Output = A::Output>,
    A::Output: PartialEq,
{
    let first = check(a, a_input).map_err(|v| v.with_input(a_input))?;
    let second = check(b, b_input).map_err(|v| v.with_input(b_input))?;
    same_result(
        a,
        (&first.0, first.1.as_ref()),
        b,
        (&second.0, second.1.as_ref()),
        Compare::Kind,
    )?;
    Ok(first.0)
}

/// How much of a refusal two targets must share.
#[derive(Clone, Copy)]
enum Compare {
    /// The error kind (two formats: positions are in different inputs).
    Kind,
    /// The error kind and its position (two readers of the same input).
    KindAndPosition,
}

/// The shared verdict of [`check_agree`] and [`check_differential`]: the same accepted value, or
/// refusals that match as `compare` says.
fn same_result<A, B>(
    a: &A,
    (a_outcome, a_value): (&Outcome, Option<&A::Output>),
    b: &B,
    (b_outcome, b_value): (&Outcome, Option<&A::Output>),
    compare: Compare,
) -> Result<(), Violation>
where
    A: Target,
    B: Target<Output = A::Output>,
    A::Output: PartialEq,
{
    let agree = match (a_outcome, b_outcome) {
        (Outcome::Accepted, Outcome::Accepted) => a_value == b_value,
        (
            Outcome::Rejected {
                kind: ka,
                position: pa,
                ..
            },
            Outcome::Rejected {
                kind: kb,
                position: pb,
                ..
            },
        ) => ka == kb && (matches!(compare, Compare::Kind) || pa == pb),
        _ => false,
    };
    if agree {
        return Ok(());
    }
    let detail = match (a_value, b_value) {
        (Some(x), Some(y)) => format!(
            "both accept, with different values:\n  {}: {x:?}\n  {}: {y:?}",
            a.name(),
            b.name()
        ),
        _ => format!("{}: {a_outcome}\n  {}: {b_outcome}", a.name(), b.name()),
    };
    Err(Violation::new(
        &format!("{}+{}", a.name(), b.name()),
        ViolationKind::Disagreement,
        detail,
    ))
}

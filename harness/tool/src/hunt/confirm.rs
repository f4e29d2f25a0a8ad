//! Confirmation by kind: a finding is reported as a bug only when it reproduces as its kind
//! requires, away from the hunt's artificial limits.

use std::path::Path;
use std::time::{Duration, Instant};

use super::Confirmation;
use super::policy::DEFAULT_STACK;
use super::replay::{
    AMPLIFICATIONS, HUGE_RATIO, MAX_AMPLIFIED_RUNS, RAISED_HEAP_MB, Replay, TIMEOUT_SECS,
    requested_bytes,
};
use crate::logs::{Class, Ending};

impl Replay<'_> {
    /// Confirmation by kind: a panic or violation reproduces on the default stack; a stack
    /// overflow overflows the default 8 MiB stack as it is, or amplified (up to 1000×) where a
    /// unit repeats; a memory blow-up still fails with the heap cap raised 4×; a hang still hangs
    /// with ten times the time.
    pub(super) fn confirm_by_kind(&self, ending: &Ending, input: &Path) -> Confirmation {
        match ending {
            Ending::Panic { .. } | Ending::Violation(_) | Ending::Crash(_) => {
                self.confirm_panic(ending, input)
            }
            Ending::StackOverflow | Ending::Died => self.confirm_overflow(input),
            Ending::Allocation(_) | Ending::OutOfMemory(_) => self.confirm_heap(ending, input),
            Ending::Timeout => self.confirm_hang(input),
            Ending::Clean => Confirmation::Unconfirmed("no failure".into()),
        }
    }

    /// A panic, a broken oracle or another crash reproduces on the default 8 MiB stack.
    fn confirm_panic(&self, ending: &Ending, input: &Path) -> Confirmation {
        let again = self.run_once(input, DEFAULT_STACK, &[], &[]);
        if again.signature() == ending.signature() {
            Confirmation::Confirmed("reproduces on the default 8 MiB stack".into())
        } else {
            Confirmation::Unconfirmed(format!(
                "replayed on the default stack it gives {}",
                again.class()
            ))
        }
    }

    /// A stack overflow overflows the default stack as it is, or amplified (up to 1000×): each of
    /// its longest repeated runs in turn (the one that recurses need not be the longest — a run
    /// of padding can be), then prefixes of it ([`harness::stack::prefix_runs`]).
    fn confirm_overflow(&self, input: &Path) -> Confirmation {
        if self.run_once(input, DEFAULT_STACK, &[], &[]).class() == Class::StackOverflow {
            return Confirmation::Confirmed("overflows the default 8 MiB stack as it is".into());
        }
        let Ok(bytes) = std::fs::read(input) else {
            return Confirmation::Unconfirmed("cannot read the input".into());
        };
        // Each of its longest repeated runs in turn: the one that recurses need not be
        // the longest (a run of padding can be).
        let mut runs = harness::stack::repeated_units(&bytes, MAX_AMPLIFIED_RUNS);
        // Then prefixes of it as one unit (a nest grown by small steps has no regular run).
        runs.extend(harness::stack::prefix_runs(&bytes));
        if runs.is_empty() {
            return Confirmation::Unconfirmed(
                "does not overflow the default stack as it is, and is empty".into(),
            );
        }
        // Deeper by steps: most recursions overflow 8 MiB ten times deeper than they overflowed
        // the hunt's stack, and a 16 KiB input amplified 1000× first (16 MB) can run into the
        // heap cap or the time limit before its depth tells.
        let mut last = Ending::Clean;
        for factor in AMPLIFICATIONS {
            for &run in &runs {
                let Some(amplified) = harness::stack::amplify_run(&bytes, run, factor) else {
                    continue;
                };
                let path = self.work.join("amplified");
                if std::fs::write(&path, &amplified).is_err() {
                    return Confirmation::Unconfirmed("cannot write the amplified input".into());
                }
                last = self.run_once(&path, DEFAULT_STACK, &[], &[]);
                if last.class() == Class::StackOverflow {
                    return Confirmation::Confirmed(format!(
                        "amplified {factor}× ({} bytes) it overflows the default 8 MiB stack: unbounded recursion",
                        amplified.len()
                    ));
                }
            }
        }
        Confirmation::Unconfirmed(if last == Ending::Clean {
            "amplified 1000× it does not overflow the default stack: a depth limit holds".into()
        } else {
            format!(
                "amplified 1000× it does not overflow the default stack (it ends as {})",
                last.class()
            )
        })
    }

    /// A memory blow-up still fails with the heap cap raised, or is one allocation over the
    /// whole cap and many times the input (a length taken on trust).
    fn confirm_heap(&self, ending: &Ending, input: &Path) -> Confirmation {
        // On the default stack: with more heap a loader gets further, and on the hunt's small
        // stack it may overflow there first (serde_yaml 0.8.23 expanding a chain of aliases),
        // which says nothing about the memory.
        let again = self.run_once(
            input,
            DEFAULT_STACK,
            &[("HARNESS_HEAP_MB", RAISED_HEAP_MB.to_string())],
            &[
                "-rss_limit_mb=16384".to_string(),
                "-malloc_limit_mb=16384".to_string(),
            ],
        );
        let asked = match ending {
            Ending::Allocation(text) | Ending::OutOfMemory(text) => requested_bytes(text),
            _ => None,
        };
        let size = std::fs::metadata(input).map_or(0, |m| m.len());
        if again.class() == Class::Heap {
            Confirmation::Confirmed(format!(
                "still fails with the heap cap raised to {RAISED_HEAP_MB} MiB"
            ))
        } else if let Some(asked) = asked.filter(|a| {
            *a >= (harness::hunt::DEFAULT_HEAP_MB as u64) << 20
                && *a >= size.saturating_mul(HUGE_RATIO)
        }) {
            Confirmation::Confirmed(format!(
                "one allocation of {asked} bytes asked for by {size} bytes of input"
            ))
        } else {
            Confirmation::Unconfirmed(format!(
                "with the heap cap raised to {RAISED_HEAP_MB} MiB it gives {}: large, but bounded",
                again.class()
            ))
        }
    }

    /// A hang still hangs with ten times the time, ends in another failure on the way, or grows
    /// without bound with a little more of the same input.
    fn confirm_hang(&self, input: &Path) -> Confirmation {
        let raised = TIMEOUT_SECS.saturating_mul(10);
        let began = Instant::now();
        let again = self.run_once(input, self.stack, &[], &[format!("-timeout={raised}")]);
        let took = began.elapsed().as_secs_f64();
        // Cut short by the hunt's deadline after twice the first limit, still running,
        // counts as still running: the budget is the user's, not the confirmation's.
        let outlived = again == Ending::Died
            && began.elapsed() >= Duration::from_secs(TIMEOUT_SECS.saturating_mul(2));
        if again == Ending::Timeout || outlived {
            Confirmation::Confirmed(format!("still running after {took:.0} s"))
        } else if again != Ending::Clean {
            // Given more time it runs into another limit (usually memory): still a
            // denial of service, not a slow input.
            Confirmation::Confirmed(format!(
                "given {raised} s it ends as {} after {took:.0} s",
                again.class()
            ))
        } else if let Some(how) = self.grows_past(input, raised) {
            Confirmation::Confirmed(format!(
                "finishes in {took:.1} s as it is, but {how}: the time grows without bound"
            ))
        } else {
            Confirmation::Unconfirmed(format!(
                "finishes in {took:.1} s when given {raised} s, and twice the input does too: slow, not a hang"
            ))
        }
    }
}

//! How much of the hunt's time the harness's own mutations may take.
//!
//! The nesting and repeat mutations make deeper inputs than libFuzzer's, and those cost more
//! than their length and their parse: a deeper input reaches more coverage and stack-depth
//! features, which libFuzzer collects and keeps. So the share is counted in the whole time
//! from one mutation to the next — the mutant's run, libFuzzer's work on it, the next mutation
//! — not in mutations, bytes or parse time: the harness's own mutants may take at most
//! [`SHARE`] of it, so however costly they grow, the executions they cost stay bounded, and
//! while they are as cheap as libFuzzer's they keep their full count. The account only adds
//! numbers, so it is tested on numbers (`harness/tests/share.rs`), not by running libFuzzer.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The most of the time the harness's own mutants may take: a fifth, just above the one in six
/// mutations they are offered, so that only costly ones are held back.
pub const SHARE: (u64, u64) = (1, 5);

/// No mutation yet.
const NONE: u64 = u64::MAX;

/// The time (in nanoseconds) the mutants cost so far, by whose mutation made them, and the
/// mutant in progress.
#[derive(Debug)]
pub struct Account {
    /// Every mutant's.
    all: AtomicU64,
    /// Of that, the harness's own mutants'.
    own: AtomicU64,
    /// When the mutant in progress was made ([`NONE`] before the first).
    made_at: AtomicU64,
    /// Whether the harness made it.
    made_by_own: AtomicBool,
}

impl Default for Account {
    fn default() -> Self {
        Self::new()
    }
}

impl Account {
    /// An empty account.
    pub const fn new() -> Self {
        Self {
            all: AtomicU64::new(0),
            own: AtomicU64::new(0),
            made_at: AtomicU64::new(NONE),
            made_by_own: AtomicBool::new(false),
        }
    }

    /// Whether the harness may make the next mutant: its mutants so far took at most [`SHARE`]
    /// of the time.
    pub fn allows_own(&self) -> bool {
        let (num, den) = SHARE;
        let own = u128::from(self.own.load(Ordering::Relaxed));
        let all = u128::from(self.all.load(Ordering::Relaxed));
        own.saturating_mul(u128::from(den)) <= all.saturating_mul(u128::from(num))
    }

    /// A new mutant is made at `now` (nanoseconds on any monotonic clock), by the harness
    /// (`own`) or by libFuzzer: the one before it cost the time since it was made.
    pub fn made(&self, now: u64, own: bool) {
        // One thread mutates; the atomics only make a static of this safe to share.
        let before = self.made_at.swap(now, Ordering::Relaxed);
        let before_own = self.made_by_own.swap(own, Ordering::Relaxed);
        if before == NONE {
            return;
        }
        let cost = now.saturating_sub(before);
        let add = |counter: &AtomicU64| {
            counter.store(
                counter.load(Ordering::Relaxed).saturating_add(cost),
                Ordering::Relaxed,
            );
        };
        add(&self.all);
        if before_own {
            add(&self.own);
        }
    }

    /// The harness's mutants' share of the time so far (0 before any), for tests and reports.
    pub fn own_share(&self) -> f64 {
        let all = self.all.load(Ordering::Relaxed);
        if all == 0 {
            return 0.0;
        }
        self.own.load(Ordering::Relaxed) as f64 / all as f64
    }
}

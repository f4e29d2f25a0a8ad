//! The hunt's decisions, apart from any process: what the next libFuzzer round is, what a
//! round's ending calls for (confirm it, look past it, fork, a larger stack, stop). Pure state:
//! event in, next step out — unit-tested without libFuzzer (`tests/policy.rs`).

use std::collections::BTreeSet;

use crate::logs::{Class, Ending};

/// The parser's stack in the hunt target: small, so that a recursion without a depth limit
/// overflows it after a few hundred levels.
pub const SMALL_STACK: usize = harness::stack::SMALL_STACK;
/// The default main-thread stack: what a user's program has, and what confirms an overflow.
pub const DEFAULT_STACK: usize = harness::stack::DEFAULT_STACK;
/// Past this, a depth limit that holds on a larger stack is not a bug worth more doubling.
pub const MAX_HUNTED_STACK: usize = 4 * 1024 * 1024;
/// A parser whose depth limit needs N bytes of stack is hunted on with this many times N: just
/// over it, the main stack's randomized start decides whether the limit overflows.
pub const LIMIT_MARGIN: usize = 2;
/// The shortest time left for which another round of fork mode is started (a round spends a
/// second or so starting up, and the rest of what is left is held back to sort its inputs).
pub const MIN_FORK_ROUND_SECS: u64 = 3;
/// Inputs fork mode left behind that are replayed to sort them, at most, over a hunt.
pub const MAX_FORK_CANDIDATES: usize = 64;
/// When the probes run, as a share of the budget: early (the seeds and the first corpus) and
/// again once the corpus has grown. A probe repeats every short unit of its inputs far past
/// libFuzzer's lengths (`probe.rs`).
pub const PROBE_AT: [(u64, u64); 2] = [(1, 10), (1, 3)];
/// The earliest second of a hunt a probe runs at.
pub const MIN_PROBE_SECS: u64 = 3;
/// Inputs of one heap or hang signature that may fail confirmation before the signature is
/// looked past: a claimed length just over the heap cap is bounded, the next input's may not be.
pub const MAX_UNCONFIRMED: u32 = 3;

/// One libFuzzer round to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Round {
    /// Its budget, in seconds (`-max_total_time`).
    pub seconds: u64,
    /// Fork mode: goes on past crashes; what it found is sorted out after it.
    pub fork: bool,
    /// The parser's stack.
    pub stack: usize,
    /// Panics already reported, looked past (their signatures).
    pub known_panics: Vec<String>,
    /// The plain target runs beside it over the same corpus (its own mutations and length
    /// control): whatever plain finds alone, the hunt finds too.
    pub plain_side: bool,
    /// The hunt target writes down every input before running it, not only those that could
    /// overflow its stack (`harness::keep`): in fork mode, and after a round died with no input
    /// kept.
    pub keep_every: bool,
}

/// Why a hunt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The budget is spent.
    OutOfTime,
    /// The fuzzer died and left no input to confirm.
    NoInput,
    /// The plain target stops at its first finding (the baseline's behaviour).
    PlainFound,
    /// The finding the hunt was asked to look for is made (a benchmark's bug).
    Wanted,
}

/// What an in-process round's ending calls for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AfterRound {
    /// End the hunt.
    Stop(Stop),
    /// Record it as unconfirmed (no input), then end the hunt.
    Unconfirmed,
    /// Died with no input kept while only risky inputs were: on, keeping every input.
    KeepEvery,
    /// Seen already (it could not be looked past in-process): on in fork mode.
    Again,
    /// A new finding: confirm it, then tell [`Policy::after_finding`].
    Confirm,
    /// The round ended cleanly (its share of the budget spent): on to the next step.
    Next,
}

/// How the hunt goes on after a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Onward {
    /// A panic or a broken oracle: looked past in-process from now on.
    LookPast,
    /// An overflow that a depth limit explains: on with a stack that holds the parser at its
    /// limit (twice what it was measured to need there, or twice the stack when not measured).
    LargerStack,
    /// A depth limit that needs more than [`MAX_HUNTED_STACK`]: overflows are not hunted on.
    GiveUpOverflows,
    /// An unbounded recursion, reported: on in-process with the default stack, which
    /// libFuzzer's inputs seldom overflow (fork mode's every child would overflow again).
    DefaultStack,
    /// Cannot be looked past in-process (heap, hang, a crash, a second overflow): fork mode.
    Fork,
    /// Found by a probe, whose inputs are not in the corpus: nothing to look past.
    Noted,
}

/// The hunt's state.
#[derive(Clone, Debug)]
pub struct Policy {
    plain: bool,
    plain_side: bool,
    probes_done: usize,
    stack: usize,
    fork: bool,
    known_panics: Vec<String>,
    seen: BTreeSet<String>,
    /// Heap and hang findings that failed confirmation, by signature ([`MAX_UNCONFIRMED`]).
    unconfirmed: std::collections::BTreeMap<String, u32>,
    tried: BTreeSet<String>,
    wanted_found: bool,
    /// The stack the last overflow a depth limit explains ran clean on ([`Policy::depth_limit_needs`]).
    limit_needs: Option<usize>,
    /// Rounds keep every input ([`Round::keep_every`]).
    keep_every: bool,
}

impl Policy {
    /// A new hunt (`plain`: the baseline target, which stops at its first finding). With
    /// `plain_side`, the hunt target's rounds run the plain target beside them until plain's
    /// first finding, as a plain hunt would.
    pub fn new(plain: bool, plain_side: bool) -> Self {
        Policy {
            plain,
            plain_side: plain_side && !plain,
            probes_done: 0,
            // The baseline runs as cargo-fuzz would: on the default stack. On the hunt's small
            // one it died of overflows a depth limit explains (toml's), which ended its search
            // with no input to confirm.
            stack: if plain { DEFAULT_STACK } else { SMALL_STACK },
            fork: false,
            known_panics: Vec::new(),
            seen: BTreeSet::new(),
            unconfirmed: std::collections::BTreeMap::new(),
            tried: BTreeSet::new(),
            wanted_found: false,
            limit_needs: None,
            // The plain target writes nothing down: a death without an input is final there.
            keep_every: plain,
        }
    }

    /// An overflow that did not confirm (a depth limit holds) ran clean, replayed, on `needs`
    /// bytes of stack (`None`: it overflowed every stack up to [`MAX_HUNTED_STACK`]). The
    /// following [`Policy::after_finding`] moves the stack past that limit at once, with
    /// [`LIMIT_MARGIN`]: one doubling per overflow found would find the same limit again on
    /// each larger stack, and spend a round on it each time.
    pub fn depth_limit_needs(&mut self, needs: Option<usize>) {
        self.limit_needs = Some(needs.unwrap_or(usize::MAX));
    }

    /// The parser's stack now.
    pub fn stack(&self) -> usize {
        self.stack
    }

    /// Whether rounds run in fork mode now.
    pub fn forking(&self) -> bool {
        self.fork
    }

    /// Panics reported so far, looked past.
    pub fn known_panics(&self) -> &[String] {
        &self.known_panics
    }

    /// Whether the plain target still runs beside the hunt's rounds.
    pub fn plain_side(&self) -> bool {
        self.plain_side
    }

    /// The second of a `budget`-second hunt the next probe is due at, if one is left (the plain
    /// target's hunt runs none: it is the baseline).
    pub fn next_probe_at(&self, budget: u64) -> Option<u64> {
        if self.plain {
            return None;
        }
        let (num, den) = *PROBE_AT.get(self.probes_done)?;
        Some(
            budget
                .saturating_mul(num)
                .checked_div(den)
                .unwrap_or(0)
                .max(MIN_PROBE_SECS),
        )
    }

    /// Whether a probe is due, `elapsed` seconds into a `budget`-second hunt.
    pub fn probe_due(&self, elapsed: u64, budget: u64) -> bool {
        self.next_probe_at(budget).is_some_and(|at| elapsed >= at)
    }

    /// A probe ran.
    pub fn probe_done(&mut self) {
        self.probes_done = self.probes_done.saturating_add(1);
    }

    /// The next round, `elapsed` seconds into a `budget`-second hunt; `Err` says why the hunt
    /// ends instead. Fork mode holds back a third of what is left (3–30 s) to sort what it
    /// finds; a round ends at the next probe.
    pub fn next_round(&self, elapsed: u64, budget: u64) -> Result<Round, Stop> {
        let left_secs = budget.saturating_sub(elapsed);
        if self.wanted_found {
            return Err(Stop::Wanted);
        }
        let reserve = if self.fork {
            (left_secs / 3).clamp(3, 30)
        } else {
            0
        };
        let mut seconds = left_secs.saturating_sub(reserve);
        if seconds < 1 {
            return Err(Stop::OutOfTime);
        }
        if let Some(at) = self.next_probe_at(budget).filter(|at| *at > elapsed) {
            seconds = seconds.min(at.saturating_sub(elapsed));
        }
        Ok(Round {
            seconds,
            fork: self.fork,
            stack: self.stack,
            known_panics: self.known_panics.clone(),
            plain_side: self.plain_side,
            keep_every: self.keep_every || self.fork,
        })
    }

    /// What an in-process round's `ending` calls for; `has_input` is whether an input that
    /// caused it was kept.
    pub fn after_round(&mut self, ending: &Ending, has_input: bool) -> AfterRound {
        if *ending == Ending::Clean {
            return AfterRound::Next;
        }
        if !has_input {
            // An input that looked safe to run unwritten was not (a short mutation past the
            // whole stack before the watcher saw it half used): the next rounds write each.
            if !self.keep_every && !self.fork {
                self.keep_every = true;
                return AfterRound::KeepEvery;
            }
            return AfterRound::Unconfirmed;
        }
        if self.seen.contains(&ending.signature()) {
            self.fork = true;
            return AfterRound::Again;
        }
        self.seen.insert(ending.signature());
        AfterRound::Confirm
    }

    /// What the plain target's run beside a round calls for, when it failed: plain's search
    /// ends at its first finding (as a plain hunt's does); a new one is confirmed (then
    /// [`Policy::after_finding`]), anything else is left to the hunt target.
    pub fn after_plain_side(&mut self, ending: &Ending, has_input: bool) -> bool {
        self.plain_side = false;
        *ending != Ending::Clean && has_input && self.seen.insert(ending.signature())
    }

    /// Whether a probe's `ending` is a new finding to confirm (then
    /// [`Policy::after_probe_finding`]).
    pub fn probe_ending(&mut self, ending: &Ending) -> bool {
        *ending != Ending::Clean && self.seen.insert(ending.signature())
    }

    /// After a probe's finding: a panic is looked past from then on, an overflow moves the
    /// stack as an in-process one does; nothing calls for fork mode (the probe's inputs are
    /// not in the corpus). Whether the hunt ends.
    pub fn after_probe_finding(
        &mut self,
        ending: &Ending,
        confirmed: bool,
        wanted: bool,
    ) -> (Onward, Option<Stop>) {
        if matches!(
            ending.class(),
            Class::Panic | Class::Violation | Class::StackOverflow
        ) {
            return self.after_finding(ending, confirmed, wanted);
        }
        self.wanted_found |= wanted;
        (Onward::Noted, wanted.then_some(Stop::Wanted))
    }

    /// How the hunt goes on after a finding of an in-process round, and whether it ends
    /// (`wanted`: it is the finding asked for).
    pub fn after_finding(
        &mut self,
        ending: &Ending,
        confirmed: bool,
        wanted: bool,
    ) -> (Onward, Option<Stop>) {
        let onward = match ending.class() {
            Class::Panic | Class::Violation => {
                self.known_panics.push(ending.signature());
                Onward::LookPast
            }
            Class::StackOverflow if !confirmed => {
                // The same depth is not a new finding on the larger stack.
                self.seen.remove(&ending.signature());
                let doubled = self.stack.saturating_mul(2);
                let next = self.limit_needs.take().map_or(doubled, |needs| {
                    needs.saturating_mul(LIMIT_MARGIN).max(doubled)
                });
                if next > MAX_HUNTED_STACK {
                    self.stack = DEFAULT_STACK;
                    Onward::GiveUpOverflows
                } else {
                    self.stack = next;
                    Onward::LargerStack
                }
            }
            Class::StackOverflow if self.stack < DEFAULT_STACK => {
                self.stack = DEFAULT_STACK;
                Onward::DefaultStack
            }
            _ => {
                self.fork = true;
                Onward::Fork
            }
        };
        self.wanted_found |= wanted;
        let stop = if self.plain {
            Some(Stop::PlainFound)
        } else if wanted {
            Some(Stop::Wanted)
        } else {
            None
        };
        (onward, stop)
    }

    /// Whether an input fork mode left behind (named by its content) is worth a replay: not
    /// replayed before, and within [`MAX_FORK_CANDIDATES`].
    pub fn fork_candidate(&mut self, content_name: &str) -> bool {
        self.tried.len() < MAX_FORK_CANDIDATES && self.tried.insert(content_name.to_string())
    }

    /// Whether a fork-mode candidate's replayed `ending` is a new finding to confirm.
    pub fn fork_ending(&mut self, ending: &Ending) -> bool {
        *ending != Ending::Clean && self.seen.insert(ending.signature())
    }

    /// A heap or hang finding failed confirmation: its signature (the class alone) stays open
    /// for other inputs, [`MAX_UNCONFIRMED`] times — protobuf 2.5.0's claimed length fell
    /// under the raised cap in one run, and with the signature taken no later input of the
    /// class was confirmed. Other classes: nothing changes (an overflow's stack moves instead).
    pub fn unconfirmed(&mut self, ending: &Ending) {
        if !matches!(ending.class(), Class::Heap | Class::Hang) {
            return;
        }
        let signature = ending.signature();
        let tries = self.unconfirmed.entry(signature.clone()).or_insert(0);
        *tries = tries.saturating_add(1);
        if *tries < MAX_UNCONFIRMED {
            self.seen.remove(&signature);
        }
    }

    /// After a fork-mode finding: whether the hunt ends (`wanted`: it is the finding asked for).
    pub fn after_fork_finding(&mut self, wanted: bool) -> Option<Stop> {
        self.wanted_found |= wanted;
        wanted.then_some(Stop::Wanted)
    }

    /// After a fork round's sorting, with `left_secs` left: another round, or the end. Time
    /// the sorting did not need goes to another round: the budget is the wall clock.
    pub fn after_fork_round(&self, left_secs: u64) -> Option<Stop> {
        if self.wanted_found {
            Some(Stop::Wanted)
        } else if left_secs < MIN_FORK_ROUND_SECS {
            Some(Stop::OutOfTime)
        } else {
            None
        }
    }
}

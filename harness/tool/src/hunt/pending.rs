//! Findings confirmed during the hunt and saved after it: the search for the next bug does not
//! wait on the last one's minimizing.
//!
//! Minimizing replays a finding many times (libFuzzer's `-minimize_crash` runs for all the
//! time it is given; an overflow's chunks are dropped one replay at a time), and it ran where
//! the finding was confirmed, so every bug after the first was reported that much later. Now a
//! confirmed finding is checked against the cases already saved at once (a known one needs no
//! minimizing), and a new one waits here with what minimizing it needs — the stack and the
//! panics looked past when it was found — while the rounds leave its share of the budget free
//! at the end ([`reserve`]). Interrupted, the hunt saves what waits as found, without replays.

use std::path::PathBuf;
use std::time::Duration;

use super::replay::Replay;
use super::{Hunt, save};
use crate::error::Error;
use crate::logs::Ending;

/// The most minimizing one finding is given: a quarter of what was left when it was found, at
/// least a second and at most this.
pub const MAX_MINIMIZE_SECS: u64 = 20;

/// A confirmed finding not saved yet.
#[derive(Clone, Debug)]
pub(super) struct Pending {
    /// Its place in the hunt's findings.
    pub index: usize,
    pub ending: Ending,
    pub signature: String,
    /// A copy of its input in the hunt's work folder.
    pub input: PathBuf,
    /// The parser's stack it was found on (an overflow is minimized against it).
    pub stack: usize,
    /// The panics looked past when it was found (all but its own stay looked past).
    pub known_panics: Vec<String>,
    /// The seconds minimizing it may take.
    pub share: u64,
}

/// What minimizing a finding found with `left` seconds of the budget to go may take.
pub fn share(left: u64) -> u64 {
    (left / 4).clamp(1, MAX_MINIMIZE_SECS)
}

/// The seconds the rounds leave free at the end of a `budget`-second hunt for minimizing
/// findings of these `shares`: their sum, at most half the budget (the rest is the search's).
pub fn reserve(shares: impl IntoIterator<Item = u64>, budget: u64) -> u64 {
    shares
        .into_iter()
        .fold(0u64, u64::saturating_add)
        .min(budget / 2)
}

impl Hunt<'_> {
    /// The rounds' budget: the hunt's, less what waiting findings reserve.
    pub(super) fn rounds_budget(&self) -> u64 {
        let budget = self.opts.seconds;
        budget.saturating_sub(reserve(self.pending.iter().map(|p| p.share), budget))
    }

    /// Minimizes and saves every waiting finding, each within its share of what is left (as
    /// found when the hunt was interrupted).
    pub(super) fn save_pending(&mut self) -> Result<(), Error> {
        // Each leaves the list once saved: interrupted midway, the rest is saved as found.
        while let Some(p) = self.pending.front().cloned() {
            let replay = Replay {
                stack: p.stack,
                ..self.replay()
            };
            let small = if self.interrupted.is_some() {
                p.input.clone()
            } else {
                // The shares were reserved; what is left is split among those still waiting.
                let waiting = u32::try_from(self.pending.len()).unwrap_or(1).max(1);
                let within = self
                    .left()
                    .checked_div(waiting)
                    .unwrap_or_default()
                    .min(Duration::from_secs(p.share));
                replay.minimize(&p.ending, &p.input, &p.known_panics, &p.signature, within)?
            };
            let saved = if self.interrupted.is_some() {
                let stack = Some(p.stack);
                save::save_new(self.dir, &small, &p.signature, &replay, &p.ending, stack)?
            } else {
                // Checked again: a finding saved before it in this loop may fail the same way
                // (two overflows on different stacks).
                save::save(self.dir, &small, &p.signature, &replay, &p.ending)?
            };
            let reproduce = replay.reproduce_line(&p.ending, saved.stack, &saved.path);
            self.show_saved(&saved, &reproduce);
            if let Some(finding) = self.findings.get_mut(p.index) {
                finding.reproduce = reproduce;
                finding.known = saved.known;
                finding.saved = Some(saved.path);
            }
            self.pending.pop_front();
        }
        Ok(())
    }

    /// The `saved:` (or `known:`) line of a finding.
    pub(super) fn show_saved(&self, saved: &save::Saved, reproduce: &str) {
        eprintln!(
            "{}: {} ({} bytes)\n  reproduce: {}",
            if saved.known { "known" } else { "saved" },
            saved.path.display(),
            std::fs::metadata(&saved.path).map(|m| m.len()).unwrap_or(0),
            reproduce
        );
    }
}

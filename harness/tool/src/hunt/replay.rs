//! Replays of one finding within the hunt's deadline: confirmation by kind, minimizing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::Confirmation;
use super::policy::{MAX_HUNTED_STACK, Round};
use crate::error::Error;
use crate::logs::{self, Class, Ending};
use crate::process;

/// libFuzzer's per-input time limit in the hunt, and ten times it to confirm a hang. A config
/// parser reads a few KiB in microseconds: three seconds on one input is a hang, and a lower
/// limit reports it within the budget.
pub(super) const TIMEOUT_SECS: u64 = 3;
/// The hunt's `-len_control`, passed by name: libFuzzer turns its gradual length growth off for
/// a target with a custom mutator, and asked for by name it stays on and bounds what the
/// mutator may return. libFuzzer's own default, as the plain target has it: the long runs a
/// recursion or a long number needs come from the probe, by construction, and growing inputs
/// faster only makes each execution dearer (docs/HUNTING.md, "Throughput", has the measure).
const LEN_CONTROL: u32 = 100;

/// `-len_control` for the hunt: `HARNESS_LEN_CONTROL`, else [`LEN_CONTROL`]. libFuzzer grows the
/// longest input by log(length) bytes after this many times log(length) runs without new
/// coverage; lower grows faster.
fn len_control() -> u32 {
    std::env::var("HARNESS_LEN_CONTROL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(LEN_CONTROL)
}
/// One allocation over the hunt's whole heap cap, and this many times the size of the input
/// that asked for it, is a length taken on trust — a blow-up even when a machine with overcommit
/// grants it (a 32-bit claimed length asks for up to 4 GiB; a config parser reading 50 bytes
/// has no reason to ask for 300 MiB at once).
pub(super) const HUGE_RATIO: u64 = 4096;
/// How much deeper an overflowing input is made, in turn, to confirm it on the default stack: up
/// to [`harness::stack::AMPLIFICATION`], which is deeper than the stacks' ratio (128), so a
/// recursion without a bound overflows there whatever its frame size; the smaller steps first,
/// since most do ten times deeper already, in a tenth of the bytes.
pub(super) const AMPLIFICATIONS: [usize; 3] = [10, 100, harness::stack::AMPLIFICATION];
/// Repeated runs of an overflowing input amplified in turn to confirm it, at most.
pub(super) const MAX_AMPLIFIED_RUNS: usize = 4;
/// The heap cap raised this much (`HARNESS_HEAP_MB`) to confirm a memory blow-up: four times the
/// cap. An expansion without bound fails there as well; filling 4 GiB with small allocations (an
/// alias chain) took 20 s of the budget, during which the hunt found nothing else.
pub(super) const RAISED_HEAP_MB: usize = 1024;

/// What libFuzzer, the runtime and the process's arguments and environment take of the main
/// thread's stack before the parser runs.
const MAIN_STACK_OVERHEAD: usize = 32 * 1024;

/// A recursion is minimized to overflow this many times the hunt's stack. Shrunk to just
/// overflow it, a case sits at the edge, where the main stack's randomized start and the size of
/// the environment decide: it overflows one run and not the next (and a saved case then fails
/// to be recognized, or to reproduce). With the margin it overflows the hunt's stack every time.
pub(super) const OVERFLOW_MARGIN: usize = 2;

/// The command that runs `bin` with the parser on the main thread and `stack` bytes for it: the
/// process's stack limit is lowered before `exec` (`ulimit -s`), and `HARNESS_ON_MAIN_STACK`
/// tells `harness::hunt::run` to call the parser directly. No thread hand-off per input: the
/// hunt target runs at the plain target's pace.
pub(super) fn on_stack(bin: &Path, stack: usize) -> Command {
    let kib = stack.saturating_add(MAIN_STACK_OVERHEAD).div_ceil(1024);
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -s {kib} 2>/dev/null; exec \"$0\" \"$@\""))
        .arg(bin)
        .env(harness::stack::STACK_ENV, stack.to_string())
        .env(harness::hunt::ON_MAIN_STACK_ENV, "1");
    cmd
}

/// libFuzzer's arguments for one round of the hunt.
pub(super) fn round_args(round: &Round, dict: &Path, artifacts: &Path) -> Vec<String> {
    let mut args = vec![
        format!("-max_total_time={}", round.seconds),
        format!("-timeout={TIMEOUT_SECS}"),
        "-rss_limit_mb=4096".to_string(),
        "-print_final_stats=1".to_string(),
        format!("-len_control={}", len_control()),
        format!("-dict={}", dict.display()),
        format!("-artifact_prefix={}/", artifacts.display()),
        // The target's own stdout goes nowhere: a parser that prints megabytes costs nothing
        // and fills no disk (libFuzzer reports on stderr).
        "-close_fd_mask=1".to_string(),
    ];
    if round.fork {
        args.extend(
            [
                "-fork=1",
                "-ignore_crashes=1",
                "-ignore_ooms=1",
                "-ignore_timeouts=1",
            ]
            .map(String::from),
        );
    }
    args
}

/// Replays, confirmations and minimization of one finding, within the hunt's deadline.
pub(super) struct Replay<'a> {
    pub(super) bin: &'a Path,
    pub(super) work: &'a Path,
    pub(super) stack: usize,
    pub(super) deadline: Instant,
}

impl Replay<'_> {
    pub(super) fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Runs the target once on `input` with `stack` and extra env; its ending. `Err` only when
    /// the user interrupted.
    pub(super) fn once(
        &self,
        input: &Path,
        stack: usize,
        env: &[(&str, String)],
        extra: &[String],
    ) -> Result<Ending, Error> {
        let mut cmd = on_stack(self.bin, stack);
        cmd.args(extra).arg(input).env("RUST_BACKTRACE", "0");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let limit = self
            .left()
            .clamp(Duration::from_secs(2), Duration::from_secs(120));
        match process::run_logged(cmd, &self.work.join("replay.log"), limit) {
            // Still running when the hunt's time ran out: a hang as far as can be told, not
            // the death without a word that an overflow on stable is.
            Ok((ended, _)) if ended.status.is_none() => Ok(Ending::Timeout),
            Ok((ended, log)) => Ok(logs::read(&log, ended.success()).ending),
            Err(Error::Interrupted(signal)) => Err(Error::Interrupted(signal)),
            Err(_) => Ok(Ending::Died),
        }
    }

    /// [`Replay::once`] where an interruption reads as a death: the caller checks for it after.
    pub(super) fn run_once(
        &self,
        input: &Path,
        stack: usize,
        env: &[(&str, String)],
        extra: &[String],
    ) -> Ending {
        self.once(input, stack, env, extra).unwrap_or(Ending::Died)
    }

    /// The stack `input` runs on without overflowing, doubling from the hunt's up to
    /// [`MAX_HUNTED_STACK`]: what the parser needs at its depth limit. `None` when it overflows
    /// them all.
    pub(super) fn stack_needed(&self, input: &Path) -> Option<usize> {
        let mut stack = self.stack;
        while stack < MAX_HUNTED_STACK {
            stack = stack.saturating_mul(2);
            if self.run_once(input, stack, &[], &[]).class() != Class::StackOverflow {
                return Some(stack);
            }
        }
        None
    }

    /// Confirms a finding by its kind (below); `Err` when the user interrupted.
    pub(super) fn confirm(&self, ending: &Ending, input: &Path) -> Result<Confirmation, Error> {
        let confirmation = self.confirm_by_kind(ending, input);
        process::check_stop()?;
        Ok(confirmation)
    }

    /// The smallest input that fails the same way, found within a share of what is left;
    /// `Err` when the user interrupted.
    pub(super) fn minimize(
        &self,
        ending: &Ending,
        input: &Path,
        known: &[String],
        signature: &str,
        within: Duration,
    ) -> Result<PathBuf, Error> {
        let small = self.minimize_within(ending, input, known, signature, within);
        process::check_stop()?;
        Ok(small)
    }

    /// A slow input that finishes is a hang when a little more of the same makes the time
    /// explode: its longest repeated unit twice as often, or its longest number with its digits
    /// twice over (`1e99999` -> `1e9999999999`: an exponent or a count taken on trust). The input
    /// at most doubles, so a parser linear in its input takes at most twice as long; one still
    /// running after `raised` seconds (six times a first run of three seconds or more) grows
    /// faster than that. The grown input replaces `input`: it is the reproducer. Says how it
    /// grew, or `None`.
    pub(super) fn grows_past(&self, input: &Path, raised: u64) -> Option<String> {
        let bytes = std::fs::read(input).ok()?;
        let grown = [
            harness::stack::amplify(&bytes, 2)
                .map(|g| (g, "with its repeated part twice as often")),
            harness::mutate::double_longest_number(&bytes)
                .map(|g| (g, "with its longest number's digits twice over")),
        ];
        for (candidate, how) in grown.into_iter().flatten() {
            if self.left() < Duration::from_secs(raised) {
                return None;
            }
            let path = self.work.join("grown");
            std::fs::write(&path, &candidate).ok()?;
            let began = Instant::now();
            let ending = self.run_once(&path, self.stack, &[], &[format!("-timeout={raised}")]);
            if ending == Ending::Timeout
                || (ending == Ending::Died && began.elapsed() >= Duration::from_secs(raised))
            {
                std::fs::write(input, &candidate).ok()?;
                return Some(format!(
                    "{how} ({} bytes) it is still running after {raised} s",
                    candidate.len()
                ));
            }
        }
        None
    }

    /// The smallest input that fails the same way, found `within` the time given.
    fn minimize_within(
        &self,
        ending: &Ending,
        input: &Path,
        known: &[String],
        signature: &str,
        within: Duration,
    ) -> PathBuf {
        let out = self.work.join("minimized");
        // Each minimizing step replays the input, and a hang's takes the whole time limit: given
        // less than one step, the input is saved as found (the budget is the user's, and the
        // regression reproduces as it is).
        let step = if *ending == Ending::Timeout {
            TIMEOUT_SECS
        } else {
            1
        };
        if within < Duration::from_secs(step) {
            return input.to_path_buf();
        }
        let secs = within.as_secs().max(1);
        let overflow = matches!(ending, Ending::StackOverflow | Ending::Died);
        if overflow {
            // libFuzzer cannot minimize what kills its handler: drop chunks while it still
            // overflows the hunt's stack with the margin.
            let bytes = std::fs::read(input).unwrap_or_default();
            let margin = self.stack.saturating_mul(OVERFLOW_MARGIN);
            let overflows = |candidate: &[u8]| {
                let path = self.work.join("shrink-try");
                std::fs::write(&path, candidate).is_ok()
                    && self.run_once(&path, margin, &[], &[]).class() == Class::StackOverflow
            };
            // Found at the edge of the hunt's stack: start from its recursion made deeper.
            let start = if overflows(&bytes) {
                bytes
            } else {
                harness::stack::amplify(&bytes, OVERFLOW_MARGIN.saturating_mul(2))
                    .filter(|deeper| overflows(deeper))
                    .unwrap_or(bytes)
            };
            let small = shrink_while(&start, Duration::from_secs(secs), overflows);
            return if std::fs::write(&out, small).is_ok() {
                out
            } else {
                input.to_path_buf()
            };
        }
        // Every known panic but this one stays looked past while minimizing.
        let others: Vec<&str> = known
            .iter()
            .map(String::as_str)
            .filter(|k| *k != signature)
            .collect();
        let mut cmd = on_stack(self.bin, self.stack);
        cmd.arg("-minimize_crash=1")
            .arg("-runs=1000000")
            .arg(format!("-max_total_time={secs}"))
            .arg(format!("-exact_artifact_path={}", out.display()))
            .arg(format!("-timeout={TIMEOUT_SECS}"))
            .arg(input)
            .env(harness::crash::KNOWN_PANICS_ENV, others.join("\n"))
            .env("RUST_BACKTRACE", "0");
        let _ = process::run_logged(
            cmd,
            &self.work.join("minimize.log"),
            Duration::from_secs(secs.saturating_add(step).saturating_add(1)),
        );
        if out.exists() {
            out
        } else {
            input.to_path_buf()
        }
    }

    /// The command that reproduces `saved`; `stack` is the parser's stack it fails with.
    pub(super) fn reproduce_line(&self, ending: &Ending, stack: usize, saved: &Path) -> String {
        let stack = match ending {
            Ending::StackOverflow | Ending::Died => {
                format!("{}={stack} ", harness::stack::STACK_ENV)
            }
            _ => String::new(),
        };
        format!("{stack}{} {}", self.bin.display(), saved.display())
    }
}

/// Drops chunks of `input` (halves, quarters, …) while `fails` still holds, until `budget`.
pub fn shrink_while(
    input: &[u8],
    budget: Duration,
    mut fails: impl FnMut(&[u8]) -> bool,
) -> Vec<u8> {
    let start = Instant::now();
    let mut input = input.to_vec();
    let mut chunk = input.len().div_ceil(2).max(1);
    while start.elapsed() < budget && process::stop_requested().is_none() {
        let mut at = 0usize;
        let mut shrunk = false;
        while at < input.len() && start.elapsed() < budget {
            let end = at.saturating_add(chunk).min(input.len());
            let candidate: Vec<u8> = input
                .iter()
                .take(at)
                .chain(input.iter().skip(end))
                .copied()
                .collect();
            if !candidate.is_empty() && fails(&candidate) {
                input = candidate;
                shrunk = true;
            } else {
                at = end;
            }
        }
        if !shrunk {
            if chunk == 1 {
                break;
            }
            chunk = chunk.div_ceil(2);
        }
    }
    input
}

/// The `N` of `memory allocation of N bytes failed` (Rust's allocation failure) or of
/// `malloc(N)` (libFuzzer's `-malloc_limit_mb`).
pub fn requested_bytes(text: &str) -> Option<u64> {
    let (_, rest) = text
        .split_once("memory allocation of ")
        .or_else(|| text.split_once("malloc("))?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

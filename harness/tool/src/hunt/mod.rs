//! `cargo harness hunt`: run a hunt directory's target for a wall-clock budget, confirm what it finds
//! by kind, minimize and save each distinct bug, keep hunting after each, and print a table.
//!
//! A hunt directory is a cargo-fuzz directory with two targets over one parser: `hunt`
//! (`harness::hunt::run`: small stack, heap cap, nesting mutations) and `plain` (the parser on
//! raw bytes, the baseline). Both start from `DIR/seeds` with a dictionary derived from them.

mod confirm;
mod finding;
pub mod pending;
mod policy;
pub mod probe;
mod replay;
mod report;
mod round;
mod save;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::logs::Ending;
use crate::process::{self, Scratch};

pub use finding::{Confirmation, Finding, HuntOptions, HuntReport, Wanted};
pub use policy::{
    AfterRound, DEFAULT_STACK, MAX_HUNTED_STACK, MAX_UNCONFIRMED, Onward, Policy, Round,
    SMALL_STACK, Stop,
};
use replay::Replay;
pub use replay::{requested_bytes, shrink_while};
pub use report::{json_lines, table};

/// Runs a hunt, printing progress; returns what it found — when SIGINT or SIGTERM cut it
/// short too, with `interrupted` set, every child ended and every temp folder removed.
pub fn hunt(opts: &HuntOptions) -> Result<HuntReport, Error> {
    let dir = opts
        .dir
        .canonicalize()
        .map_err(|e| Error::io(&opts.dir, e))?;
    let target = if opts.plain { "plain" } else { "hunt" };
    let (bin, plain_bin) = match &opts.bin {
        Some(bin) => (bin.clone(), None),
        None => {
            // The crates only the harness brings in, built without coverage (one `cargo
            // metadata` for both targets).
            let uninstrumented = crate::wrap::harness_only(&dir)?;
            let bin = build(&dir, target, &uninstrumented)?;
            // The plain target runs beside the hunt's rounds: its own search, by construction.
            let plain = if opts.plain || !has_target(&dir, "plain") {
                None
            } else {
                Some(build(&dir, "plain", &uninstrumented)?)
            };
            (bin, plain)
        }
    };
    let work = Scratch::new("hunt")?;
    // The corpus and the input under test, which libFuzzer and the target write for every new
    // input and every input: in memory where there is room (`Scratch::in_memory`); the input
    // kept there still survives the crash.
    let memory = Scratch::in_memory("hunt")?;
    let board = crate::progress::Board::default();
    let mut hunt = Hunt::new(opts, &dir, &bin, work.path(), memory.path(), &board)?;
    hunt.plain_bin = plain_bin.as_deref();
    hunt.policy = Policy::new(opts.plain, plain_bin.is_some());
    let result = std::thread::scope(|s| {
        board.show_while(s, opts.progress);
        let result = hunt.run();
        board.close();
        result
    });
    match result {
        Ok(()) => {}
        Err(Error::Interrupted(signal)) => hunt.interrupted = Some(signal),
        Err(e) => return Err(e),
    }
    match hunt.save_pending() {
        Ok(()) => {}
        Err(Error::Interrupted(signal)) => {
            hunt.interrupted = Some(signal);
            // Interrupted while minimizing: what still waits is saved as found.
            hunt.save_pending()?;
        }
        Err(e) => return Err(e),
    }
    Ok(hunt.report(target))
}

/// Whether the hunt directory `dir` has a fuzz target named `name`.
fn has_target(dir: &Path, name: &str) -> bool {
    crate::cargo::bin_targets(dir).is_ok_and(|t| t.iter().any(|t| t == name))
}

/// Builds `target` of the hunt directory `dir`; its binary.
fn build(dir: &Path, target: &str, uninstrumented: &[String]) -> Result<PathBuf, Error> {
    crate::cargo::ensure_cargo_fuzz()?;
    eprintln!("== building '{target}' in {}", dir.display());
    // Hunt directories are separate workspaces whose binaries share their names (`hunt`,
    // `plain`): under one shared target directory (CARGO_TARGET_DIR, a config file) two hunts
    // at once would run each other's binaries, so each directory gets its own folder in it.
    let base = crate::cargo::target_dir(dir)?;
    let build_dir = if base.starts_with(dir) {
        base
    } else {
        let name = dir
            .file_name()
            .map_or_else(|| "hunt".into(), |n| n.to_string_lossy().into_owned());
        base.join(format!("hunt-{name}"))
    };
    let flavour = crate::cargo::Fuzz {
        nightly: false,
        target_dir: build_dir,
        trace_compares: true,
        release_with_assertions: false,
    };
    let mut cmd = flavour.command("build");
    cmd.args(["--fuzz-dir", "."]).arg(target).current_dir(dir);
    // The harness's own crate uninstrumented: its code runs around every input.
    crate::wrap::wrap_rustc(&mut cmd, uninstrumented)?;
    process::run_shown(cmd, &format!("cargo fuzz build in {}", dir.display()))?;
    flavour.binary(target)
}

/// One hunt in progress: the policy's state and what the loop needs around it.
struct Hunt<'a> {
    opts: &'a HuntOptions,
    dir: &'a Path,
    bin: &'a Path,
    /// The plain target, run beside the hunt's rounds until its first finding.
    plain_bin: Option<&'a Path>,
    /// What the probes ran already: each input's stages, by content.
    probed: probe::Probed,
    /// The seeds, which the first probe takes.
    seeds: Vec<Vec<u8>>,
    work: &'a Path,
    kept: PathBuf,
    corpus: PathBuf,
    artifacts: PathBuf,
    dict: PathBuf,
    policy: Policy,
    findings: Vec<Finding>,
    /// Confirmed findings to minimize and save once the rounds are over.
    pending: std::collections::VecDeque<pending::Pending>,
    runs: u64,
    /// Inputs the plain partner ran beside the rounds.
    partner_runs: u64,
    partner_seconds: f64,
    start: Instant,
    start_wall: std::time::SystemTime,
    deadline: Instant,
    fuzz_seconds: f64,
    interrupted: Option<i32>,
    board: &'a crate::progress::Board,
}

impl<'a> Hunt<'a> {
    fn new(
        opts: &'a HuntOptions,
        dir: &'a Path,
        bin: &'a Path,
        work: &'a Path,
        memory: &Path,
        board: &'a crate::progress::Board,
    ) -> Result<Self, Error> {
        let corpus = memory.join("corpus");
        let kept = memory.join("kept");
        let artifacts = work.join("artifacts");
        for d in [&corpus, &kept, &artifacts] {
            std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
        }
        let seeds = harness::corpus::read_cases(&dir.join("seeds")).unwrap_or_default();
        for seed in &seeds {
            let _ = std::fs::write(corpus.join(&seed.name), &seed.bytes);
        }
        let seed_bytes: Vec<Vec<u8>> = seeds.into_iter().map(|c| c.bytes).collect();
        let mut dict = harness::dict::to_libfuzzer(&harness::dict::derive(&seed_bytes, 64));
        for entry in std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .flatten()
        {
            if entry.path().extension().is_some_and(|e| e == "dict") {
                dict.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
        let dict_path = work.join("hunt.dict");
        std::fs::write(&dict_path, dict).map_err(|e| Error::io(&dict_path, e))?;
        let start = Instant::now();
        Ok(Hunt {
            opts,
            dir,
            bin,
            plain_bin: None,
            probed: std::collections::BTreeSet::new(),
            seeds: seed_bytes.clone(),
            work,
            kept,
            corpus,
            artifacts,
            dict: dict_path,
            policy: Policy::new(opts.plain, false),
            findings: Vec::new(),
            pending: std::collections::VecDeque::new(),
            runs: 0,
            partner_runs: 0,
            partner_seconds: 0.0,
            start,
            start_wall: std::time::SystemTime::now(),
            deadline: start
                .checked_add(Duration::from_secs(opts.seconds))
                .unwrap_or(start),
            fuzz_seconds: 0.0,
            interrupted: None,
            board,
        })
    }

    fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    fn replay(&self) -> Replay<'_> {
        Replay {
            bin: self.bin,
            work: self.work,
            stack: self.policy.stack(),
            deadline: self.deadline,
        }
    }

    fn report(self, target: &'static str) -> HuntReport {
        HuntReport {
            dir: self.dir.to_path_buf(),
            target,
            findings: self.findings,
            runs: self.runs,
            partner_runs: self.partner_runs,
            partner_seconds: self.partner_seconds,
            seconds: self.start.elapsed().as_secs_f64(),
            fuzz_seconds: self.fuzz_seconds,
            interrupted: self.interrupted,
        }
    }

    /// Rounds of libFuzzer until the policy stops the hunt.
    fn run(&mut self) -> Result<(), Error> {
        eprintln!(
            "== hunting with '{}' for {}s{}",
            if self.opts.plain { "plain" } else { "hunt" },
            self.opts.seconds,
            if self.opts.plain {
                ""
            } else {
                " (64 KiB stack, heap cap, nesting mutations)"
            }
        );
        let budget = self.opts.seconds;
        for number in 1u32.. {
            let elapsed = self.start.elapsed().as_secs();
            if self.policy.probe_due(elapsed, budget) {
                self.policy.probe_done();
                if self.probe(number)?.is_some() {
                    break;
                }
                continue;
            }
            // The rounds leave the time reserved for minimizing what was found free.
            let Ok(round) = self.policy.next_round(elapsed, self.rounds_budget()) else {
                break;
            };
            let ended = self.fuzz(number, &round)?;
            if let Some((ending, artifact)) = ended.side {
                if self.after_plain_side(number, &ending, artifact)?.is_some() {
                    break;
                }
            }
            let stop = match ended.main {
                // Cut short by the plain target's finding: the next round goes on.
                None => None,
                Some(_) if round.fork => self.sort_fork_round(number)?,
                Some((ending, artifact)) => self.after_round(number, &ending, artifact)?,
            };
            if stop.is_some() {
                break;
            }
        }
        Ok(())
    }

    /// An in-process round ended: confirm, look past, or stop, as the policy says.
    fn after_round(
        &mut self,
        number: u32,
        ending: &Ending,
        artifact: Option<PathBuf>,
    ) -> Result<Option<Stop>, Error> {
        let at = self.start.elapsed().as_secs_f64();
        // The input: libFuzzer's artifact, or the one the target kept (a stack overflow on
        // stable takes libFuzzer's handler down before it can save anything).
        let input = match artifact.filter(|p| p.exists()) {
            Some(p) => std::fs::read(p).ok(),
            None => std::fs::read(self.kept.join("last-input"))
                .ok()
                .and_then(|b| harness::keep::read_kept(&b).map(<[u8]>::to_vec)),
        };
        match self.policy.after_round(ending, input.is_some()) {
            AfterRound::Stop(stop) => return Ok(Some(stop)),
            AfterRound::Unconfirmed => {
                eprintln!(
                    "unconfirmed: the fuzzer died after {at:.1}s ({}) and left no input",
                    ending.class()
                );
                self.findings.push(Finding {
                    class: ending.class(),
                    signature: ending.signature(),
                    confirmation: Confirmation::Unconfirmed("no input was saved".into()),
                    at,
                    saved: None,
                    known: false,
                    reproduce: String::new(),
                });
                return Ok(Some(Stop::NoInput));
            }
            AfterRound::KeepEvery => {
                eprintln!(
                    "== the fuzzer died after {at:.1}s ({}) on an input it did not write down: \
                     the next rounds write every input",
                    ending.class()
                );
                return Ok(None);
            }
            AfterRound::Again => {
                eprintln!("again: {} after {at:.1}s", ending.signature());
                return Ok(None);
            }
            AfterRound::Next => return Ok(None),
            AfterRound::Confirm => {}
        }
        let found = self.work.join(format!("found-{number}"));
        let bytes = input.unwrap_or_default();
        std::fs::write(&found, &bytes).map_err(|e| Error::io(&found, e))?;
        let finding = self.report_one(ending, &found, at)?;
        let confirmed = matches!(finding.confirmation, Confirmation::Confirmed(_));
        let wanted = self.wanted(&finding);
        self.findings.push(finding);
        self.measure_limit(ending, confirmed, &found);
        let (onward, stop) = self.policy.after_finding(ending, confirmed, wanted);
        self.tell(onward);
        Ok(stop)
    }

    /// An overflow that did not confirm (a depth limit holds): the stack the parser needs at
    /// its limit, measured by replaying it, for the policy to move past at once.
    fn measure_limit(&mut self, ending: &Ending, confirmed: bool, input: &Path) {
        if !confirmed && ending.class() == crate::logs::Class::StackOverflow {
            let needs = self.replay().stack_needed(input);
            self.policy.depth_limit_needs(needs);
        }
    }

    /// Says how the hunt goes on, where that changes what it hunts.
    fn tell(&self, onward: Onward) {
        match onward {
            Onward::GiveUpOverflows => eprintln!(
                "hunt: the parser needs over 4 MiB at its depth limit; overflows are no longer hunted"
            ),
            Onward::DefaultStack => {
                eprintln!("== hunting on with the default 8 MiB stack, past the recursion")
            }
            Onward::LargerStack => eprintln!(
                "== hunting on with a {} KiB stack: twice what the parser needs at its depth limit",
                self.policy.stack() / 1024
            ),
            Onward::LookPast | Onward::Fork | Onward::Noted => {}
        }
    }

    fn wanted(&self, finding: &Finding) -> bool {
        self.opts.until.as_ref().is_some_and(|w| w.matches(finding))
    }

    /// Everything fork mode's children saved or kept, replayed once each to sort it by bug.
    fn sort_fork_round(&mut self, number: u32) -> Result<Option<Stop>, Error> {
        let mut candidates: Vec<PathBuf> = Vec::new();
        for d in [&self.artifacts, &self.kept] {
            for entry in std::fs::read_dir(d).map_err(|e| Error::io(d, e))?.flatten() {
                candidates.push(entry.path());
            }
        }
        for path in candidates {
            if self.left().as_secs() < 2 {
                break;
            }
            let Ok(raw) = std::fs::read(&path) else {
                continue;
            };
            let bytes = if path.starts_with(&self.kept) {
                match harness::keep::read_kept(&raw) {
                    Some(b) => b.to_vec(),
                    None => continue,
                }
            } else {
                raw
            };
            if !self
                .policy
                .fork_candidate(&harness::corpus::content_name(&bytes))
            {
                continue;
            }
            let input = self.work.join("candidate");
            std::fs::write(&input, &bytes).map_err(|e| Error::io(&input, e))?;
            let ending = self.replay().once(
                &input,
                self.policy.stack(),
                &[],
                &[format!("-timeout={}", replay::TIMEOUT_SECS)],
            )?;
            if !self.policy.fork_ending(&ending) {
                continue;
            }
            let found = self
                .work
                .join(format!("found-{number}-{}", self.findings.len()));
            std::fs::write(&found, &bytes).map_err(|e| Error::io(&found, e))?;
            // When the child saved or kept it: the file's time, not this replay's.
            let at = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(self.start_wall).ok())
                .map_or_else(|| self.start.elapsed().as_secs_f64(), |d| d.as_secs_f64());
            let finding = self.report_one(&ending, &found, at)?;
            let wanted = self.wanted(&finding);
            self.findings.push(finding);
            if let Some(stop) = self.policy.after_fork_finding(wanted) {
                return Ok(Some(stop));
            }
        }
        Ok(self.policy.after_fork_round(self.left().as_secs()))
    }

    /// Confirms one finding and, if it is a bug, minimizes and saves it; prints what happened.
    fn report_one(&mut self, ending: &Ending, found: &Path, at: f64) -> Result<Finding, Error> {
        let replay = self.replay();
        let signature = ending.signature();
        let confirmation = replay.confirm(ending, found)?;
        let mut finding = Finding {
            class: ending.class(),
            signature: signature.clone(),
            confirmation: confirmation.clone(),
            at,
            saved: None,
            known: false,
            reproduce: String::new(),
        };
        match &confirmation {
            Confirmation::Unconfirmed(why) => {
                eprintln!("unconfirmed: {} after {at:.1}s: {why}", finding.class);
                self.policy.unconfirmed(ending);
            }
            Confirmation::Confirmed(how) => {
                eprintln!("found: {signature} after {at:.1}s: {how}");
                if self.opts.plain || !self.opts.save {
                    return Ok(finding);
                }
                // A case already saved needs no minimizing; a new one waits for the end.
                if let Some(saved) = save::known(self.dir, &signature, &replay, ending)? {
                    finding.reproduce = replay.reproduce_line(ending, saved.stack, &saved.path);
                    self.show_saved(&saved, &finding.reproduce);
                    finding.saved = Some(saved.path);
                    finding.known = true;
                    return Ok(finding);
                }
                let input = self.work.join(format!("pending-{}", self.findings.len()));
                std::fs::copy(found, &input).map_err(|e| Error::io(found, e))?;
                let left = self.left().as_secs();
                self.pending.push_back(pending::Pending {
                    index: self.findings.len(),
                    ending: ending.clone(),
                    signature,
                    input,
                    stack: self.policy.stack(),
                    known_panics: self.policy.known_panics().to_vec(),
                    share: pending::share(left),
                });
                eprintln!("  (minimized and saved when the rounds are over)");
            }
        }
        Ok(finding)
    }
}

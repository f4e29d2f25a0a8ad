//! `harness hunt`: run a hunt directory's target for a wall-clock budget, confirm what it finds
//! by kind, minimize and save each distinct bug, keep hunting after each, and print a table.
//!
//! A hunt directory is a cargo-fuzz directory with two targets over one parser: `hunt`
//! (`harness::hunt::run`: small stack, heap cap, nesting mutations) and `plain` (the parser on
//! raw bytes, the baseline). Both start from `DIR/seeds` with a dictionary derived from them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::libfuzzer::{self, Ending};

/// What to hunt, and for how long.
#[derive(Clone, Debug)]
pub struct HuntOptions {
    /// The hunt directory.
    pub dir: PathBuf,
    /// The wall-clock budget after the build: fuzzing, confirming, minimizing and saving.
    pub seconds: u64,
    /// Run the `plain` target instead (the baseline: stops at its first finding).
    pub plain: bool,
    /// Minimize and save each confirmed bug to `DIR/regressions/` (a benchmark does not).
    pub save: bool,
    /// Stop as soon as a confirmed finding matches this (a benchmark's known bug).
    pub until: Option<Wanted>,
}

/// A known bug a hunt is looking for: its class and, optionally, words of its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    /// Any of these classes (`panic`, `stack-overflow`, `heap`, `hang`, …).
    pub classes: Vec<String>,
    /// Words the signature contains (a panic's message or place), if given; `a|b` is either.
    pub contains: Option<String>,
}

impl Wanted {
    /// Whether `finding` is this bug.
    pub fn matches(&self, finding: &Finding) -> bool {
        matches!(finding.confirmation, Confirmation::Confirmed(_))
            && self.classes.contains(&finding.class)
            && self.contains.as_ref().is_none_or(|words| {
                words
                    .split('|')
                    .any(|w| finding.signature.contains(w.trim()))
            })
    }
}

/// How sure a finding is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// Reproduced as its kind requires; the words say how.
    Confirmed(String),
    /// Not reproduced, or only on the hunt's artificial limits: never reported as a bug.
    Unconfirmed(String),
}

/// One distinct finding.
#[derive(Clone, Debug)]
pub struct Finding {
    /// `panic`, `stack-overflow`, `heap`, `hang`, …
    pub class: String,
    /// What tells it apart from other findings of its class.
    pub signature: String,
    /// Whether it is a bug.
    pub confirmation: Confirmation,
    /// Seconds into the hunt when the fuzzer hit it.
    pub at: f64,
    /// The minimized input, where it was saved (`DIR/regressions/<sha1>`), or an earlier saved
    /// case that fails the same way.
    pub saved: Option<PathBuf>,
    /// Whether `saved` was already there.
    pub known: bool,
    /// The command that reproduces it.
    pub reproduce: String,
}

/// What a hunt found.
#[derive(Clone, Debug)]
pub struct HuntReport {
    /// Distinct findings, in the order they were found.
    pub findings: Vec<Finding>,
    /// Inputs run in all.
    pub runs: u64,
    /// Wall seconds after the build.
    pub seconds: f64,
    /// Of those, the seconds libFuzzer ran (confirming and minimizing left out).
    pub fuzz_seconds: f64,
}

impl HuntReport {
    /// Confirmed findings.
    pub fn confirmed(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| matches!(f.confirmation, Confirmation::Confirmed(_)))
    }
}

const SMALL_STACK: usize = crate::stack::SMALL_STACK;
const DEFAULT_STACK: usize = crate::stack::DEFAULT_STACK;
/// libFuzzer's per-input time limit in the hunt, and ten times it to confirm a hang. A config
/// parser reads a few KiB in microseconds: three seconds on one input is a hang, and a lower
/// limit reports it within the budget.
const TIMEOUT_SECS: u64 = 3;
/// The shortest time left for which another round of fork mode is started (a fork round spends
/// a second or so starting up, and the rest of what is left is held back to sort its inputs).
const MIN_FORK_ROUND_SECS: u64 = 3;
/// The hunt's `-len_control`, passed by name so libFuzzer keeps its gradual length growth. Its
/// own default, 100, held the nesting a recursion needs back too long (yaml-rust 0.4.0's
/// overflow: median 10.6 s); 20 found it in 1.1 s but its longer inputs cost throughput
/// (serde_yaml 0.8.3: 49.6 % of plain's exec/s); 50 finds it in 3.5 s at 57–62 % (measured with
/// `HARNESS_LEN_CONTROL=N harness bench … --seconds 30 --runs 3`). With no length control at all
/// the hunt made 37–40 %.
const LEN_CONTROL: u32 = 50;

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
const HUGE_RATIO: u64 = 4096;
/// The heap cap raised this much (`HARNESS_HEAP_MB`) to confirm a memory blow-up.
const RAISED_HEAP_MB: usize = 4096;

/// Runs a hunt, printing progress; returns what it found.
pub fn hunt(opts: &HuntOptions) -> Result<HuntReport, String> {
    let dir = opts
        .dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", opts.dir.display()))?;
    let target = if opts.plain { "plain" } else { "hunt" };
    ensure_cargo_fuzz()?;
    eprintln!("== building '{target}' in {}", dir.display());
    // Hunt directories are separate workspaces whose binaries share their names (`hunt`,
    // `plain`): under one shared target directory (CARGO_TARGET_DIR, a config file) two hunts
    // at once would run each other's binaries, so each directory gets its own folder in it.
    let base = target_dir(&dir)?;
    let build_dir = if base.starts_with(&dir) {
        base
    } else {
        let name = dir
            .file_name()
            .map_or_else(|| "hunt".into(), |n| n.to_string_lossy().into_owned());
        base.join(format!("hunt-{name}"))
    };
    let status = Command::new("cargo")
        .args(["fuzz", "build", "-s", "none", "--fuzz-dir", "."])
        .arg("--target-dir")
        .arg(&build_dir)
        .arg(target)
        .current_dir(&dir)
        .status()
        .map_err(|e| {
            format!("cannot run cargo fuzz (install it: cargo install cargo-fuzz --locked): {e}")
        })?;
    if !status.success() {
        return Err(format!("cargo fuzz build failed in {}", dir.display()));
    }
    let bin = build_dir.join(host_triple()?).join("release").join(target);
    let work = scratch_dir()?;
    let result = hunt_in(opts, &dir, &bin, &work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn hunt_in(opts: &HuntOptions, dir: &Path, bin: &Path, work: &Path) -> Result<HuntReport, String> {
    let corpus = work.join("corpus");
    let artifacts = work.join("artifacts");
    for d in [&corpus, &artifacts] {
        std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
    }
    let seeds = crate::corpus::read_cases(&dir.join("seeds")).unwrap_or_default();
    for seed in &seeds {
        let _ = std::fs::write(corpus.join(&seed.name), &seed.bytes);
    }
    let seed_bytes: Vec<Vec<u8>> = seeds.into_iter().map(|c| c.bytes).collect();
    let mut dict = crate::dict::to_libfuzzer(&crate::dict::derive(&seed_bytes, 64));
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        if entry.path().extension().is_some_and(|e| e == "dict") {
            dict.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    let dict_path = work.join("hunt.dict");
    std::fs::write(&dict_path, dict).map_err(|e| e.to_string())?;

    let start = Instant::now();
    let start_wall = std::time::SystemTime::now();
    let mut fuzz_seconds = 0f64;
    let deadline = start
        .checked_add(Duration::from_secs(opts.seconds))
        .unwrap_or(start);
    let left = || deadline.saturating_duration_since(Instant::now());
    let mut stack = SMALL_STACK;
    let mut known_panics: Vec<String> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut findings = Vec::new();
    let mut runs = 0u64;
    let target = if opts.plain { "plain" } else { "hunt" };
    eprintln!(
        "== hunting with '{target}' for {}s{}",
        opts.seconds,
        if opts.plain {
            ""
        } else {
            " (64 KiB stack, heap cap, nesting mutations)"
        }
    );
    // The input under test is rewritten for every input: on tmpfs that write is a copy into
    // memory (measured: 5 % more executions than on ext4), and it still survives the crash.
    let kept_dir = memory_dir().map_or_else(|| work.join("kept"), |m| m.join(work_name(work)));
    std::fs::create_dir_all(&kept_dir).map_err(|e| e.to_string())?;
    let _cleanup = RemoveOnDrop(kept_dir.clone());
    // After a bug that cannot be looked past (heap, hang, stack overflow, a crash), the rest of
    // the budget runs in libFuzzer's fork mode, which goes on past crashes; what it found is
    // sorted out at the end, in the time held back for it.
    let mut fork = false;
    // Inputs fork mode left behind that were replayed already (by content), across rounds.
    let mut tried = BTreeSet::new();
    // The finding `opts.until` asks for has been made: the hunt ends, in either mode.
    let mut wanted_found = false;
    for round in 1u32.. {
        let reserve = if fork {
            (left().as_secs() / 3).clamp(3, 30)
        } else {
            0
        };
        let budget = left().as_secs().saturating_sub(reserve);
        if budget < 1 {
            break;
        }
        let log_path = work.join(format!("round-{round}.log"));
        let last_input = kept_dir.join("last-input");
        let mut cmd = on_stack(bin, stack);
        cmd.arg(&corpus)
            .arg(format!("-max_total_time={budget}"))
            .arg(format!("-timeout={TIMEOUT_SECS}"))
            .arg("-rss_limit_mb=4096")
            .arg("-print_final_stats=1")
            // libFuzzer turns its gradual length growth off for a target with a custom mutator;
            // asked for by name it stays on and bounds what the mutator may return. Measured on
            // json 0.11.12 (20 s): 149k exec/s without it, 193k with it (plain 294k), and more
            // coverage, since short inputs are tried first.
            .arg(format!("-len_control={}", len_control()))
            .arg(format!("-dict={}", dict_path.display()))
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .env(crate::crash::KNOWN_PANICS_ENV, known_panics.join("\n"))
            .env("RUST_BACKTRACE", "0");
        if fork {
            cmd.args([
                "-fork=1",
                "-ignore_crashes=1",
                "-ignore_ooms=1",
                "-ignore_timeouts=1",
            ])
            .env(
                crate::hunt::LAST_INPUT_ENV,
                kept_dir.join("last-%p").display().to_string(),
            );
            eprintln!("== fork mode for {budget}s: hunting on past crashes");
        } else {
            cmd.env(crate::hunt::LAST_INPUT_ENV, &last_input);
        }
        let fuzz_start = Instant::now();
        let (status, log) = run_logged(
            cmd,
            &log_path,
            left().saturating_add(Duration::from_secs(15)),
        )?;
        fuzz_seconds += fuzz_start.elapsed().as_secs_f64();
        let summary = libfuzzer::read(&log, status.is_some_and(|s| s.success()));
        runs = runs.saturating_add(summary.runs.unwrap_or(0));
        let at = start.elapsed().as_secs_f64();
        let replay = Replay {
            bin,
            work,
            stack,
            deadline,
        };
        if fork {
            // Everything the children saved or kept, replayed once each to sort it by bug.
            let mut candidates: Vec<PathBuf> = Vec::new();
            for d in [&artifacts, &kept_dir] {
                for entry in std::fs::read_dir(d).map_err(|e| e.to_string())?.flatten() {
                    candidates.push(entry.path());
                }
            }
            for path in candidates {
                if left().as_secs() < 2 {
                    break;
                }
                let Ok(raw) = std::fs::read(&path) else {
                    continue;
                };
                let bytes = if path.starts_with(&kept_dir) {
                    match crate::hunt::read_kept(&raw) {
                        Some(b) => b.to_vec(),
                        None => continue,
                    }
                } else {
                    raw
                };
                if !tried.insert(crate::corpus::content_name(&bytes)) || tried.len() > 64 {
                    continue;
                }
                let input = work.join("candidate");
                std::fs::write(&input, &bytes).map_err(|e| e.to_string())?;
                let ending = replay.once(&input, stack, &[], &[format!("-timeout={TIMEOUT_SECS}")]);
                if ending == Ending::Clean || !seen.insert(ending.signature()) {
                    continue;
                }
                let found = work.join(format!("found-{round}-{}", tried.len()));
                std::fs::write(&found, &bytes).map_err(|e| e.to_string())?;
                // When the child saved or kept it: the file's time, not this replay's.
                let at = std::fs::metadata(&path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.duration_since(start_wall).ok())
                    .map_or_else(|| start.elapsed().as_secs_f64(), |d| d.as_secs_f64());
                let finding = report_one(opts, dir, &replay, &ending, &found, at, &known_panics)?;
                wanted_found |= opts.until.as_ref().is_some_and(|w| w.matches(&finding));
                findings.push(finding);
                if wanted_found {
                    break;
                }
            }
            // Time the sorting did not need goes to another round of fork mode: the budget is
            // the wall clock, and ending early leaves it unused.
            if wanted_found || left() < Duration::from_secs(MIN_FORK_ROUND_SECS) {
                break;
            }
            continue;
        }
        if summary.ending == Ending::Clean {
            break;
        }
        // The input: libFuzzer's artifact, or the one the target kept (a stack overflow on
        // stable takes libFuzzer's handler down before it can save anything).
        let input = match summary.artifact.as_ref().filter(|p| p.exists()) {
            Some(p) => std::fs::read(p).ok(),
            None => std::fs::read(&last_input)
                .ok()
                .and_then(|b| crate::hunt::read_kept(&b).map(<[u8]>::to_vec)),
        };
        let Some(input) = input else {
            eprintln!(
                "unconfirmed: the fuzzer died after {at:.1}s ({}) and left no input",
                summary.ending.class()
            );
            findings.push(Finding {
                class: summary.ending.class().into(),
                signature: summary.ending.signature(),
                confirmation: Confirmation::Unconfirmed("no input was saved".into()),
                at,
                saved: None,
                known: false,
                reproduce: String::new(),
            });
            break;
        };
        let found = work.join(format!("found-{round}"));
        std::fs::write(&found, &input).map_err(|e| e.to_string())?;
        let signature = summary.ending.signature();
        if !seen.insert(signature.clone()) {
            eprintln!("again: {signature} after {at:.1}s");
            fork = true;
            continue;
        }
        let finding = report_one(
            opts,
            dir,
            &replay,
            &summary.ending,
            &found,
            at,
            &known_panics,
        )?;
        let confirmed = matches!(finding.confirmation, Confirmation::Confirmed(_));
        match &summary.ending {
            Ending::Panic { .. } | Ending::Violation(_) => known_panics.push(signature),
            Ending::StackOverflow | Ending::Died if !confirmed => {
                // A depth limit holds on the small stack: hunt on with more room, so the same
                // depth is not reported again.
                stack = stack.saturating_mul(2);
                if stack > 4 * 1024 * 1024 {
                    eprintln!(
                        "hunt: the parser needs over 4 MiB at its depth limit; overflows are no longer hunted"
                    );
                    stack = DEFAULT_STACK;
                }
                seen.remove(&finding.signature);
            }
            Ending::StackOverflow | Ending::Died if stack < DEFAULT_STACK => {
                // An unbounded recursion, reported. Looked past by hunting on in-process with
                // the default 8 MiB stack, which libFuzzer's inputs seldom reach (measured on
                // yaml-rust 0.4.0: fork mode, whose every child overflows again within a second,
                // made 3k exec/s); should one overflow it, it is seen again and fork mode
                // takes over.
                eprintln!("== hunting on with the default 8 MiB stack, past the recursion");
                stack = DEFAULT_STACK;
            }
            // Cannot be looked past in-process: go on in fork mode.
            _ => fork = true,
        }
        wanted_found |= opts.until.as_ref().is_some_and(|w| w.matches(&finding));
        findings.push(finding);
        if opts.plain || wanted_found {
            break;
        }
    }
    Ok(HuntReport {
        findings,
        runs,
        seconds: start.elapsed().as_secs_f64(),
        fuzz_seconds,
    })
}

/// Confirms one finding and, if it is a bug, minimizes and saves it; prints what happened.
fn report_one(
    opts: &HuntOptions,
    dir: &Path,
    replay: &Replay<'_>,
    ending: &Ending,
    found: &Path,
    at: f64,
    known_panics: &[String],
) -> Result<Finding, String> {
    let signature = ending.signature();
    let confirmation = replay.confirm(ending, found);
    let mut finding = Finding {
        class: ending.class().to_string(),
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
        }
        Confirmation::Confirmed(how) => {
            eprintln!("found: {signature} after {at:.1}s: {how}");
            if opts.plain || !opts.save {
                return Ok(finding);
            }
            let small = replay.minimize(ending, found, known_panics, &signature);
            let (saved, known) = save(dir, &small, &signature, replay, ending)?;
            finding.reproduce = replay.reproduce_line(ending, &saved);
            eprintln!(
                "{}: {} ({} bytes)\n  reproduce: {}",
                if known { "known" } else { "saved" },
                saved.display(),
                std::fs::metadata(&saved).map(|m| m.len()).unwrap_or(0),
                finding.reproduce
            );
            finding.saved = Some(saved);
            finding.known = known;
        }
    }
    Ok(finding)
}

/// Replays, confirmations and minimization of one finding, within the hunt's deadline.
struct Replay<'a> {
    bin: &'a Path,
    work: &'a Path,
    stack: usize,
    deadline: Instant,
}

impl Replay<'_> {
    fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Runs the target once on `input` with `stack` and extra env; its ending.
    fn once(&self, input: &Path, stack: usize, env: &[(&str, String)], extra: &[String]) -> Ending {
        let mut cmd = on_stack(self.bin, stack);
        cmd.args(extra).arg(input).env("RUST_BACKTRACE", "0");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let limit = self
            .left()
            .clamp(Duration::from_secs(2), Duration::from_secs(120));
        match run_logged(cmd, &self.work.join("replay.log"), limit) {
            Ok((status, log)) => libfuzzer::read(&log, status.is_some_and(|s| s.success())).ending,
            Err(_) => Ending::Died,
        }
    }

    /// Confirmation by kind: a panic or violation reproduces on the default stack; a stack
    /// overflow overflows the default 8 MiB stack as it is, or amplified 1000× where a unit
    /// repeats; a memory blow-up still fails with the heap cap raised 16×; a hang still hangs
    /// with ten times the time.
    fn confirm(&self, ending: &Ending, input: &Path) -> Confirmation {
        match ending {
            Ending::Panic { .. } | Ending::Violation(_) | Ending::Crash(_) => {
                let again = self.once(input, DEFAULT_STACK, &[], &[]);
                if again.signature() == ending.signature() {
                    Confirmation::Confirmed("reproduces on the default 8 MiB stack".into())
                } else {
                    Confirmation::Unconfirmed(format!(
                        "replayed on the default stack it gives {}",
                        again.class()
                    ))
                }
            }
            Ending::StackOverflow | Ending::Died => {
                if self.once(input, DEFAULT_STACK, &[], &[]).class() == "stack-overflow" {
                    return Confirmation::Confirmed(
                        "overflows the default 8 MiB stack as it is".into(),
                    );
                }
                let Ok(bytes) = std::fs::read(input) else {
                    return Confirmation::Unconfirmed("cannot read the input".into());
                };
                let Some(amplified) = crate::stack::amplify(&bytes, crate::stack::AMPLIFICATION)
                else {
                    return Confirmation::Unconfirmed(
                        "does not overflow the default stack as it is, and nothing in it repeats to amplify".into(),
                    );
                };
                let path = self.work.join("amplified");
                if std::fs::write(&path, &amplified).is_err() {
                    return Confirmation::Unconfirmed("cannot write the amplified input".into());
                }
                if self.once(&path, DEFAULT_STACK, &[], &[]).class() == "stack-overflow" {
                    Confirmation::Confirmed(format!(
                        "amplified 1000× ({} bytes) it overflows the default 8 MiB stack: unbounded recursion",
                        amplified.len()
                    ))
                } else {
                    Confirmation::Unconfirmed(
                        "amplified 1000× it does not overflow the default stack: a depth limit holds".into(),
                    )
                }
            }
            Ending::Allocation(_) | Ending::OutOfMemory(_) => {
                let again = self.once(
                    input,
                    self.stack,
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
                if again.class() == "heap" {
                    Confirmation::Confirmed(format!(
                        "still fails with the heap cap raised to {RAISED_HEAP_MB} MiB"
                    ))
                } else if let Some(asked) = asked.filter(|a| {
                    *a >= (crate::hunt::DEFAULT_HEAP_MB as u64) << 20
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
            Ending::Timeout => {
                let raised = TIMEOUT_SECS.saturating_mul(10);
                let began = Instant::now();
                let again = self.once(input, self.stack, &[], &[format!("-timeout={raised}")]);
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
            Ending::Clean => Confirmation::Unconfirmed("no failure".into()),
        }
    }

    /// A slow input that finishes is a hang when a little more of the same makes the time
    /// explode: its longest repeated unit twice as often, or its longest number with its digits
    /// twice over (`1e99999` -> `1e9999999999`: an exponent or a count taken on trust). The input
    /// at most doubles, so a parser linear in its input takes at most twice as long; one still
    /// running after `raised` seconds (six times a first run of three seconds or more) grows
    /// faster than that. The grown input replaces `input`: it is the reproducer. Says how it
    /// grew, or `None`.
    fn grows_past(&self, input: &Path, raised: u64) -> Option<String> {
        let bytes = std::fs::read(input).ok()?;
        let grown = [
            crate::stack::amplify(&bytes, 2).map(|g| (g, "with its repeated part twice as often")),
            crate::mutate::double_longest_number(&bytes)
                .map(|g| (g, "with its longest number's digits twice over")),
        ];
        for (candidate, how) in grown.into_iter().flatten() {
            if self.left() < Duration::from_secs(raised) {
                return None;
            }
            let path = self.work.join("grown");
            std::fs::write(&path, &candidate).ok()?;
            let began = Instant::now();
            let ending = self.once(&path, self.stack, &[], &[format!("-timeout={raised}")]);
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

    /// The smallest input that fails the same way, found within a share of what is left.
    fn minimize(
        &self,
        ending: &Ending,
        input: &Path,
        known: &[String],
        signature: &str,
    ) -> PathBuf {
        let out = self.work.join("minimized");
        // Each minimizing step replays the input, and a hang's takes the whole time limit: with
        // less left than a few steps need, the input is saved as found (the budget is the
        // user's, and the regression reproduces as it is).
        let step = if *ending == Ending::Timeout {
            TIMEOUT_SECS
        } else {
            1
        };
        if self.left() < Duration::from_secs(step.saturating_mul(4)) {
            return input.to_path_buf();
        }
        let secs = (self.left().as_secs() / 4).clamp(1, 20);
        let overflow = matches!(ending, Ending::StackOverflow | Ending::Died);
        if overflow {
            // libFuzzer cannot minimize what kills its handler: drop chunks while it still
            // overflows the small stack.
            let bytes = std::fs::read(input).unwrap_or_default();
            let small = shrink_while(&bytes, Duration::from_secs(secs), |candidate| {
                let path = self.work.join("shrink-try");
                std::fs::write(&path, candidate).is_ok()
                    && self.once(&path, self.stack, &[], &[]).class() == "stack-overflow"
            });
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
            .env(crate::crash::KNOWN_PANICS_ENV, others.join("\n"))
            .env("RUST_BACKTRACE", "0");
        let _ = run_logged(
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

    fn reproduce_line(&self, ending: &Ending, saved: &Path) -> String {
        let stack = match ending {
            Ending::StackOverflow | Ending::Died => {
                format!("{}={DEFAULT_STACK} ", crate::stack::STACK_ENV)
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
    while start.elapsed() < budget {
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

/// Saves `input` as `DIR/regressions/<sha1>` with a line in `DIR/regressions.expect`, unless a
/// case already there fails the same way (then that case is returned, and `true`).
fn save(
    dir: &Path,
    input: &Path,
    signature: &str,
    replay: &Replay<'_>,
    ending: &Ending,
) -> Result<(PathBuf, bool), String> {
    let regressions = dir.join("regressions");
    let stack = match ending {
        Ending::StackOverflow | Ending::Died => DEFAULT_STACK,
        _ => replay.stack,
    };
    for case in crate::corpus::read_cases(&regressions).unwrap_or_default() {
        let again = replay.once(&case.path, stack, &[], &[]);
        let same = again.signature() == signature
            || (ending.class() == "stack-overflow" && again.class() == "stack-overflow");
        if same {
            return Ok((case.path, true));
        }
    }
    let bytes = std::fs::read(input).map_err(|e| e.to_string())?;
    let name = crate::corpus::content_name(&bytes);
    std::fs::create_dir_all(&regressions).map_err(|e| e.to_string())?;
    let path = regressions.join(&name);
    std::fs::write(&path, &bytes).map_err(|e| e.to_string())?;
    let line = format!(
        "{name} crash  # {} found by harness hunt: {}\n",
        ending.class(),
        one_line(signature, 160)
    );
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("regressions.expect"))
        .and_then(|mut f| f.write_all(line.as_bytes()))
        .map_err(|e| e.to_string())?;
    Ok((path, false))
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

fn one_line(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// What libFuzzer, the runtime and the process's arguments and environment take of the main
/// thread's stack before the parser runs (measured: libFuzzer runs a parser with 32 KiB in all).
const MAIN_STACK_OVERHEAD: usize = 32 * 1024;

/// The command that runs `bin` with the parser on the main thread and `stack` bytes for it: the
/// process's stack limit is lowered before `exec` (`ulimit -s`), and `HARNESS_ON_MAIN_STACK`
/// tells `harness::hunt::run` to call the parser directly. No thread hand-off per input: the
/// hunt target runs at the plain target's pace.
fn on_stack(bin: &Path, stack: usize) -> Command {
    let kib = stack.saturating_add(MAIN_STACK_OVERHEAD).div_ceil(1024);
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -s {kib} 2>/dev/null; exec \"$0\" \"$@\""))
        .arg(bin)
        .env(crate::stack::STACK_ENV, stack.to_string())
        .env(crate::hunt::ON_MAIN_STACK_ENV, "1");
    cmd
}

/// Waits for `child` to exit, or kills it once `limit` has passed: its status, `None` when killed.
pub(crate) fn wait_or_kill(
    child: &mut std::process::Child,
    limit: Duration,
) -> std::io::Result<Option<ExitStatus>> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs `cmd` with stdout and stderr into `log`, killed after `limit`; the exit status (`None`
/// when killed) and the log's text.
pub(crate) fn run_logged(
    mut cmd: Command,
    log: &Path,
    limit: Duration,
) -> Result<(Option<ExitStatus>, String), String> {
    let file = std::fs::File::create(log).map_err(|e| e.to_string())?;
    let err = file.try_clone().map_err(|e| e.to_string())?;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .spawn()
        .map_err(|e| e.to_string())?;
    let status = wait_or_kill(&mut child, limit).map_err(|e| e.to_string())?;
    let text = std::fs::read(log)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    Ok((status, text))
}

/// Where cargo puts `dir`'s build output (CARGO_TARGET_DIR, a config file, or `dir/target`).
pub fn target_dir(dir: &Path) -> Result<PathBuf, String> {
    let out = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(dir)
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let key = "\"target_directory\":\"";
    text.split_once(key)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(path, _)| PathBuf::from(path.replace("\\\\", "\\")))
        .ok_or_else(|| {
            format!(
                "cargo metadata in {} did not say where the target directory is",
                dir.display()
            )
        })
}

fn host_triple() -> Result<String, String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| e.to_string())?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .ok_or_else(|| "rustc -vV did not name the host".into())
}

/// Installs cargo-fuzz when `cargo fuzz` is not there (`cargo install cargo-fuzz --locked`).
pub fn ensure_cargo_fuzz() -> Result<(), String> {
    let there = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if there {
        return Ok(());
    }
    eprintln!("== installing cargo-fuzz");
    let status = Command::new("cargo")
        .args(["install", "cargo-fuzz", "--locked"])
        .status()
        .map_err(|e| format!("cargo install cargo-fuzz: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("could not install cargo-fuzz (cargo install cargo-fuzz --locked)".into())
    }
}

/// `/dev/shm` where there is one and it can be written.
fn memory_dir() -> Option<PathBuf> {
    let shm = PathBuf::from("/dev/shm");
    let probe = shm.join(format!("harness-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").ok()?;
    let _ = std::fs::remove_file(&probe);
    Some(shm)
}

fn work_name(work: &Path) -> String {
    work.file_name().map_or_else(
        || "harness-kept".into(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Removes a directory when dropped (the kept inputs on tmpfs, whatever way the hunt ends).
pub struct RemoveOnDrop(pub PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new scratch directory under the system's temporary directory.
pub fn scratch_dir() -> Result<PathBuf, String> {
    let base = std::env::temp_dir();
    for n in 0u32..1000 {
        let dir = base.join(format!("harness-hunt-{}-{n}", std::process::id()));
        if std::fs::create_dir(&dir).is_ok() {
            return Ok(dir);
        }
    }
    Err("cannot make a scratch directory".into())
}

/// The final table, one line per distinct finding.
pub fn table(report: &HuntReport) -> String {
    let mut out = format!(
        "\n== {} distinct finding(s) in {:.1}s, {} runs ({:.0} exec/s)\n",
        report.findings.len(),
        report.seconds,
        report.runs,
        report.runs as f64 / report.seconds.max(0.001)
    );
    out.push_str(&format!(
        "{:<3} {:<15} {:<12} {:>8}  {}\n",
        "#", "kind", "confirmed", "at (s)", "what / saved"
    ));
    for (i, f) in report.findings.iter().enumerate() {
        let confirmed = match &f.confirmation {
            Confirmation::Confirmed(_) if f.known => "yes (known)",
            Confirmation::Confirmed(_) => "yes",
            Confirmation::Unconfirmed(_) => "no",
        };
        out.push_str(&format!(
            "{:<3} {:<15} {:<12} {:>8.1}  {}\n",
            i.saturating_add(1),
            f.class,
            confirmed,
            f.at,
            one_line(&f.signature, 100)
        ));
        match (&f.saved, &f.confirmation) {
            (Some(saved), _) => out.push_str(&format!(
                "{:<42}saved: {}\n{:<42}reproduce: {}\n",
                "",
                saved.display(),
                "",
                f.reproduce
            )),
            (None, Confirmation::Unconfirmed(why)) => {
                out.push_str(&format!("{:<42}{}\n", "", one_line(why, 120)))
            }
            _ => {}
        }
    }
    out
}

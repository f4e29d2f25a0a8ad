//! `cargo harness fuzz`: every cargo-fuzz target of a project for a budget each, from its saved
//! corpus, a table (or JSON lines) of the results, and for a crash the minimized input with the
//! lines that reproduce and record it. `fuzz/run` is a one-line entry point to it.
//!
//! Layout it expects (cargo-fuzz's, plus two conventions): `FUZZ_DIR/fuzz_targets/<t>.rs`, an
//! optional `FUZZ_DIR/fuzz_targets/<t>.options` (`max_len = N`, `dict = FILE` from
//! `FUZZ_DIR/dicts/`), and the saved corpus in `CORPUS/<t>/`. The corpus is fuzzed from a copy,
//! so git stays clean unless `--merge` is asked for.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::cargo::{self, Fuzz};
use crate::error::Error;
use crate::logs::{self, Stats};
use crate::process::{self, Scratch};
use crate::progress::Board;

pub mod profile;
mod report;
pub use report::{json_lines, markdown, table};

/// What to fuzz, and how.
#[derive(Clone, Debug)]
pub struct FuzzOptions {
    /// The cargo-fuzz directory.
    pub fuzz_dir: PathBuf,
    /// The saved corpus: one folder per target.
    pub corpus: PathBuf,
    /// Seconds per target.
    pub seconds: u64,
    /// Targets at a time.
    pub jobs: usize,
    /// Stable Rust without a sanitizer; else nightly with AddressSanitizer when installed.
    pub stable: bool,
    /// Add the inputs that found new coverage to the saved corpus.
    pub merge: bool,
    /// Build with libFuzzer's comparison tracing.
    pub trace_compares: bool,
    /// The targets (all when empty).
    pub targets: Vec<String>,
    /// The command that records a crash as a corpus case, `{file}` and `{target}` filled in.
    pub record: Option<String>,
    /// One JSON object per target on stdout, then a summary; no table, no progress lines.
    pub json: bool,
    /// After the table, the figures as a Markdown table stamped with the commit (for docs).
    pub markdown: bool,
    /// Record each target with `perf` and report where its time goes ([`profile`]).
    pub profile: bool,
    /// The client's parts of a profile, tried before the built-in ones.
    pub parts: Vec<profile::Part>,
}

/// One target's run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetRun {
    /// The target.
    pub target: String,
    /// libFuzzer's exit status (`None`: killed, or never started).
    pub exit: Option<i32>,
    /// What its log says.
    pub stats: Stats,
    /// Files in its corpus before.
    pub corpus_before: usize,
    /// Files after.
    pub corpus_after: usize,
    /// Wall seconds (for a crash: the time to find it).
    pub seconds: f64,
    /// Where its log is kept.
    pub log: PathBuf,
    /// For a crash: the minimized input, and the lines that reproduce and record it.
    pub crash: Option<CrashReport>,
    /// With `--profile`: each part's share of the target's samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<Vec<profile::Share>>,
}

impl TargetRun {
    /// Whether the target ran its budget out without a crash.
    pub fn ok(&self) -> bool {
        self.exit == Some(0)
    }
}

/// A crash, minimized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CrashReport {
    /// The smallest input that still crashes.
    pub input: PathBuf,
    /// The command that reproduces it.
    pub reproduce: String,
    /// The command that records it as a corpus case, if the project said how.
    pub record: Option<String>,
}

/// A value of a target's `.options` file (`key = value`, any section; libFuzzer's INI, which
/// TOML does not read: `dict = a.dict` is unquoted).
pub fn option(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == key).then(|| v.trim().to_string())
    })
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| {
        d.flatten()
            .filter(|e| e.path().is_file() && !e.file_name().to_string_lossy().starts_with('.'))
            .count()
    })
}

/// The targets to run: those named (each must exist), else all.
fn choose(all: &[String], named: &[String]) -> Result<Vec<String>, Error> {
    if let Some(bad) = named.iter().find(|t| !all.contains(t)) {
        return Err(Error::Usage(format!(
            "no target '{bad}'; targets: {}",
            all.join(" ")
        )));
    }
    Ok(if named.is_empty() {
        all.to_vec()
    } else {
        named.to_vec()
    })
}

/// Runs the campaign, printing progress; the runs, in the order of the targets (a target an
/// interruption kept from starting is left out). `Err` is a usage or setup error (exit 2).
pub fn run(opts: &FuzzOptions) -> Result<Vec<TargetRun>, Error> {
    cargo::ensure_cargo_fuzz()?;
    if opts.profile {
        profile::available()?;
    }
    let fuzz_dir = opts
        .fuzz_dir
        .canonicalize()
        .map_err(|e| Error::io(&opts.fuzz_dir, e))?;
    let all = cargo::bin_targets(&fuzz_dir)?;
    let targets = choose(&all, &opts.targets)?;
    let nightly = !opts.stable && cargo::nightly_installed();
    // The two builds live in their own target directories under the one cargo uses (so
    // CARGO_TARGET_DIR is honoured): switching between them rebuilds nothing.
    let build = Fuzz {
        nightly,
        target_dir: cargo::target_dir(&fuzz_dir)?.join(if nightly { "asan" } else { "stable" }),
        trace_compares: opts.trace_compares,
        release_with_assertions: false,
    };
    eprintln!(
        "== building {} target(s) ({}); cargo's progress follows",
        targets.len(),
        if nightly {
            "nightly, AddressSanitizer"
        } else {
            "stable, no sanitizer"
        }
    );
    if targets.len() < all.len() {
        // `cargo fuzz build` takes one target or all of them.
        for t in &targets {
            let mut one = build.command("build");
            one.arg(t).current_dir(&fuzz_dir);
            process::run_shown(one, "cargo fuzz build")?;
        }
    } else {
        let mut every = build.command("build");
        every.current_dir(&fuzz_dir);
        process::run_shown(every, "cargo fuzz build")?;
    }

    let logs = fuzz_dir.join("logs");
    std::fs::create_dir_all(&logs).map_err(|e| Error::io(&logs, e))?;
    // The live corpora, a file per new input: in memory where there is room.
    let work = Scratch::in_memory("fuzz")?;
    eprintln!(
        "== fuzzing for {}s per target, {} at a time",
        opts.seconds,
        opts.jobs.max(1)
    );
    let board = Board::default();
    let ctx = Campaign {
        opts,
        build: &build,
        fuzz_dir: &fuzz_dir,
        work: work.path(),
        logs: &logs,
        board: &board,
    };
    let mut runs: Vec<TargetRun> = std::thread::scope(|s| {
        board.show_while(s, !opts.json);
        let done = crate::pool::run_all(targets.clone(), opts.jobs, |t| ctx.fuzz_one(&t));
        board.close();
        done.into_iter().flatten().collect()
    });
    if let Some(signal) = process::stop_requested() {
        report::print(opts, &runs, &logs);
        return Err(Error::Interrupted(signal));
    }
    for r in runs.iter_mut().filter(|r| !r.ok()) {
        r.crash = ctx.report_crash(r);
    }
    report::print(opts, &runs, &logs);
    if opts.merge {
        for r in &runs {
            ctx.merge(&r.target);
        }
    }
    Ok(runs)
}

/// What every target's run shares.
struct Campaign<'a> {
    opts: &'a FuzzOptions,
    build: &'a Fuzz,
    fuzz_dir: &'a Path,
    work: &'a Path,
    logs: &'a Path,
    board: &'a Board,
}

impl Campaign<'_> {
    fn fuzz_one(&self, target: &str) -> TargetRun {
        let live = self.work.join(target);
        let log = self.logs.join(format!("{target}.log"));
        let _ = std::fs::create_dir_all(&live);
        let _ = std::fs::create_dir_all(self.fuzz_dir.join("artifacts").join(target));
        for case in harness::corpus::read_cases(&self.opts.corpus.join(target)).unwrap_or_default()
        {
            let _ = std::fs::write(live.join(&case.name), &case.bytes);
        }
        let before = files_in(&live);
        let options = std::fs::read_to_string(
            self.fuzz_dir
                .join("fuzz_targets")
                .join(format!("{target}.options")),
        )
        .unwrap_or_default();
        let mut cmd = self.build.command("run");
        cmd.arg(target).arg(&live).arg("--").args([
            format!("-max_total_time={}", self.opts.seconds),
            "-timeout=10".into(),
            "-rss_limit_mb=2048".into(),
            "-print_final_stats=1".into(),
        ]);
        if let Some(max_len) = option(&options, "max_len") {
            cmd.arg(format!("-max_len={max_len}"));
        }
        if let Some(dict) = option(&options, "dict") {
            cmd.arg(format!(
                "-dict={}",
                self.fuzz_dir.join("dicts").join(dict).display()
            ));
        }
        cmd.current_dir(self.fuzz_dir);
        if !self.opts.json {
            eprintln!("   {target}: started ({} s)", self.opts.seconds);
        }
        let budget = Duration::from_secs(self.opts.seconds);
        self.board.start(target, log.clone(), budget);
        let start = Instant::now();
        // libFuzzer stops itself at the budget; the limit only ends a run that hangs past it.
        let limit = budget
            .saturating_mul(2)
            .saturating_add(Duration::from_secs(300));
        let data = self.work.join(format!("{target}.perf.data"));
        let cmd = if self.opts.profile {
            profile::recorded(&cmd, &data)
        } else {
            cmd
        };
        let (exit, text) = match process::run_logged(cmd, &log, limit) {
            Ok((ended, text)) => (ended.status.and_then(|s| s.code()), text),
            Err(_) => (None, std::fs::read_to_string(&log).unwrap_or_default()),
        };
        self.board.finish(target);
        let seconds = start.elapsed().as_secs_f64();
        if !self.opts.json {
            eprintln!(
                "   {target}: done ({})",
                exit.map_or_else(|| "killed".into(), |c| format!("exit {c}"))
            );
        }
        TargetRun {
            target: target.to_string(),
            exit,
            stats: logs::stats(&text),
            corpus_before: before,
            corpus_after: files_in(&live),
            seconds,
            log,
            crash: None,
            profile: self.opts.profile.then(|| {
                profile::read(&data, target, &self.opts.parts).unwrap_or_else(|e| {
                    eprintln!("   {target}: no profile: {e}");
                    Vec::new()
                })
            }),
        }
    }

    fn report_crash(&self, r: &TargetRun) -> Option<CrashReport> {
        let text = std::fs::read_to_string(&r.log).unwrap_or_default();
        if !self.opts.json {
            println!("\n== {} crashed; its log ends:", r.target);
            print!("{}", logs::crash_excerpt(&text));
        }
        let crash = r.stats.crash.as_ref()?;
        let found = self.fuzz_dir.join("artifacts").join(&r.target).join(crash);
        if !found.exists() {
            return None;
        }
        if !self.opts.json {
            println!("== minimizing {}", found.display());
        }
        let input = tmin(self.build, self.fuzz_dir, &r.target, &found, 2000)
            .unwrap_or_else(|_| found.clone());
        Some(CrashReport {
            reproduce: format!(
                "(cd {} && {} {} {})",
                self.fuzz_dir.display(),
                self.build.describe("run"),
                r.target,
                input.display()
            ),
            record: self.opts.record.as_ref().map(|record| {
                record
                    .replace("{file}", &input.display().to_string())
                    .replace("{target}", &r.target)
            }),
            input,
        })
    }

    fn merge(&self, target: &str) {
        let saved = self.opts.corpus.join(target);
        let _ = std::fs::create_dir_all(&saved);
        let before = files_in(&saved);
        if let Err(e) = merge_with(
            self.build,
            self.fuzz_dir,
            target,
            &saved,
            &self.work.join(target),
        ) {
            eprintln!("{e}");
        }
        eprintln!(
            "merged into {}: {} new files",
            saved.display(),
            files_in(&saved).saturating_sub(before)
        );
    }
}

fn merge_with(
    build: &Fuzz,
    fuzz_dir: &Path,
    target: &str,
    into: &Path,
    from: &Path,
) -> Result<(), Error> {
    let mut cmd = build.command("run");
    cmd.arg(target)
        .arg(into)
        .arg(from)
        .args([
            "--",
            "-set_cover_merge=1",
            "-use_counters=0",
            "-max_len=8192",
        ])
        .current_dir(fuzz_dir);
    let out = process::run_captured(cmd, Duration::from_secs(3600))?;
    if out.ended.success() {
        Ok(())
    } else {
        Err(Error::Setup(format!("merge failed:\n{}", out.stderr)))
    }
}

/// `cargo fuzz tmin` on `file`: the smallest step it made (the others removed), or `file`.
fn tmin(
    build: &Fuzz,
    fuzz_dir: &Path,
    target: &str,
    file: &Path,
    runs: u32,
) -> Result<PathBuf, Error> {
    let artifacts = fuzz_dir.join("artifacts").join(target);
    let started = std::time::SystemTime::now();
    let mut cmd = build.command("tmin");
    cmd.arg(target)
        .arg(file)
        .args(["--", &format!("-runs={runs}")])
        .current_dir(fuzz_dir);
    let out = process::run_captured(cmd, Duration::from_secs(600))?;
    let log = format!("{}{}", out.stderr, out.stdout);
    if !log.contains("caused a crash") {
        let why = log
            .lines()
            .find(|l| l.starts_with("Error:") || l.contains("did not crash"))
            .unwrap_or("it does not crash");
        return Err(Error::Usage(format!(
            "{}: nothing to minimize: {why}",
            file.display()
        )));
    }
    // tmin leaves every step behind: keep only the smallest of this run's.
    let mut steps: Vec<(u64, PathBuf)> = std::fs::read_dir(&artifacts)
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with("minimized-from-")
                        && e.metadata()
                            .and_then(|m| m.modified())
                            .is_ok_and(|t| t >= started)
                })
                .map(|e| (e.metadata().map_or(u64::MAX, |m| m.len()), e.path()))
                .collect()
        })
        .unwrap_or_default();
    steps.sort();
    for (_, p) in steps.iter().skip(1) {
        let _ = std::fs::remove_file(p);
    }
    Ok(steps
        .into_iter()
        .next()
        .map_or_else(|| file.to_path_buf(), |(_, p)| p))
}

/// Adds to `into` the inputs of `from` that cover edges `into` does not (a set cover, hit counts
/// ignored; names stay content hashes), with the stable build `fuzz --stable` makes.
pub fn set_cover_merge(
    fuzz_dir: &Path,
    target: &str,
    into: &Path,
    from: &Path,
) -> Result<(), Error> {
    merge_with(&Fuzz::stable(fuzz_dir)?, fuzz_dir, target, into, from)
}

/// The command that runs `file` through the fuzz target `target` as `fuzz --stable` builds it.
pub fn reproduce_line(fuzz_dir: &Path, target: &str, file: &Path) -> Result<String, Error> {
    Ok(format!(
        "(cd {} && {} {target} {})",
        fuzz_dir.display(),
        Fuzz::stable(fuzz_dir)?.describe("run"),
        std::path::absolute(file)
            .unwrap_or_else(|_| file.to_path_buf())
            .display()
    ))
}

/// Minimizes the crashing `file` with `cargo fuzz tmin` (the stable build): the smallest input
/// that still crashes, in `fuzz_dir/artifacts/<target>/`, or `file` itself when nothing
/// smaller does. `Err` when it does not crash.
pub fn minimize(fuzz_dir: &Path, target: &str, file: &Path) -> Result<PathBuf, Error> {
    tmin(&Fuzz::stable(fuzz_dir)?, fuzz_dir, target, file, 5000)
}

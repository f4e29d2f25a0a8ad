//! `harness fuzz`: every cargo-fuzz target of a project for a budget each, from its saved
//! corpus, a table of the results, and for a crash the minimized input with the lines that
//! reproduce and record it. `fuzz/run` is a one-line entry point to it.
//!
//! Layout it expects (cargo-fuzz's, plus two conventions): `FUZZ_DIR/fuzz_targets/<t>.rs`, an
//! optional `FUZZ_DIR/fuzz_targets/<t>.options` (`max_len = N`, `dict = FILE` from
//! `FUZZ_DIR/dicts/`), and the saved corpus in `CORPUS/<t>/`. The corpus is fuzzed from a copy,
//! so git stays clean unless `--merge` is asked for.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
}

/// One target's run.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetRun {
    /// The target.
    pub target: String,
    /// libFuzzer's exit status (`None`: it could not be started or was killed).
    pub exit: Option<i32>,
    /// What its log says.
    pub stats: Stats,
    /// Files in its corpus before and after.
    pub corpus_before: usize,
    /// Files after.
    pub corpus_after: usize,
    /// Wall seconds (for a crash: the time to find it).
    pub seconds: f64,
    /// Where its log is kept.
    pub log: PathBuf,
}

/// What a libFuzzer log says about a run, beyond how it ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// `stat::number_of_executed_units`.
    pub runs: Option<u64>,
    /// `stat::average_exec_per_sec`.
    pub exec_per_sec: Option<u64>,
    /// The last `cov: N`.
    pub coverage: Option<u64>,
    /// The input libFuzzer saved for a crash (`crash-…`, `oom-…`, `timeout-…`, `leak-…`).
    pub crash: Option<String>,
}

/// Reads the figures of a libFuzzer log (runs and the saved input as `harness::libfuzzer` reads
/// them for the hunt).
pub fn stats(log: &str) -> Stats {
    let summary = crate::libfuzzer::read(log, true);
    let exec_per_sec = log
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("stat::average_exec_per_sec:"))
        .and_then(|v| v.trim().parse::<u64>().ok());
    let coverage = log.lines().rev().find_map(|l| {
        l.split_once("cov: ")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
    });
    Stats {
        runs: summary.runs,
        exec_per_sec,
        coverage,
        crash: summary
            .artifact
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())),
    }
}

/// A value of a target's `.options` file (`key = value`, any section).
pub fn option(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == key).then(|| v.trim().to_string())
    })
}

/// The results table (the format `ci/plant-bugs.sh` reads: one line per target, ending in `ok`
/// or `CRASH …`).
pub fn table(runs: &[TargetRun]) -> String {
    let width = runs
        .iter()
        .map(|r| r.target.len())
        .max()
        .unwrap_or(6)
        .max(18);
    let mut out = format!(
        "\n{:<width$} {:>12} {:>10} {:>8} {:>8} {:>8} {:>7}  result\n",
        "target", "runs", "exec/s", "cov", "corpus", "new", "secs"
    );
    let show = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| v.to_string());
    for r in runs {
        let result = match (r.exit, &r.stats.crash) {
            (Some(0), _) => "ok".to_string(),
            (_, Some(crash)) => format!("CRASH {crash}"),
            (Some(code), None) => format!("CRASH exit {code}"),
            (None, None) => "CRASH (killed)".to_string(),
        };
        out.push_str(&format!(
            "{:<width$} {:>12} {:>10} {:>8} {:>8} {:>8} {:>7.1}  {result}\n",
            r.target,
            show(r.stats.runs),
            show(r.stats.exec_per_sec),
            show(r.stats.coverage),
            r.corpus_after,
            r.corpus_after.saturating_sub(r.corpus_before),
            r.seconds,
        ));
    }
    out
}

/// The longest line of a crash excerpt, in characters.
const EXCERPT_LINE: usize = 240;

/// The lines of a crashed run's log worth showing: the panic or report, without a backtrace.
pub fn crash_excerpt(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    let start = lines.iter().position(|l| {
        l.contains("oracle violation")
            || l.contains("panicked at")
            || l.contains("ERROR: libFuzzer")
            || l.contains("ERROR: AddressSanitizer")
            || l.contains("memory allocation of")
    });
    let Some(start) = start else {
        return String::new();
    };
    lines
        .iter()
        .skip(start)
        // cargo-fuzz's own block after the run (the input as a byte list, its commands) repeats
        // what the table and the lines below say.
        .take_while(|l| !l.starts_with('─') && !l.starts_with("Failing input:"))
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with("at ")
                || t.starts_with('#')
                || t.starts_with("INFO:")
                || t.starts_with("MS:")
                || t.starts_with("base unit:")
                || t.split_once(": ")
                    .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit())))
        })
        .filter(|l| !l.starts_with("stat::"))
        .take(30)
        .map(|l| {
            // An input quoted in a message can be kilobytes long.
            let mut line: String = l.chars().take(EXCERPT_LINE).collect();
            if l.chars().count() > EXCERPT_LINE {
                line.push('…');
            }
            line.push('\n');
            line
        })
        .collect()
}

/// The cargo-fuzz command line: toolchain, sanitizer, target directory, tracing.
struct Cargo {
    nightly: bool,
    target_dir: PathBuf,
    trace_compares: bool,
}

impl Cargo {
    fn command(&self, sub: &str) -> Command {
        let mut cmd = Command::new("cargo");
        if self.nightly {
            cmd.arg("+nightly");
        }
        cmd.args(["fuzz", sub]);
        if !self.nightly {
            cmd.args(["-s", "none"]);
        }
        cmd.arg("--target-dir").arg(&self.target_dir);
        if !self.trace_compares {
            cmd.arg("--no-trace-compares");
        }
        cmd.env("RUST_BACKTRACE", "0");
        cmd
    }

    /// The stable build without comparison tracing, as `harness fuzz --stable` makes it.
    fn stable(fuzz_dir: &Path) -> Result<Self, String> {
        Ok(Cargo {
            nightly: false,
            target_dir: crate::tool::target_dir(fuzz_dir)?.join("stable"),
            trace_compares: false,
        })
    }

    fn merge(&self, fuzz_dir: &Path, target: &str, into: &Path, from: &Path) -> Result<(), String> {
        let mut cmd = self.command("run");
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
        let out = cmd.output().map_err(|e| format!("cargo fuzz run: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "merge failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn minimize(
        &self,
        fuzz_dir: &Path,
        target: &str,
        file: &Path,
        runs: u32,
    ) -> Result<PathBuf, String> {
        let artifacts = fuzz_dir.join("artifacts").join(target);
        let started = std::time::SystemTime::now();
        let mut tmin = self.command("tmin");
        tmin.arg(target)
            .arg(file)
            .args(["--", &format!("-runs={runs}")])
            .current_dir(fuzz_dir);
        let out = tmin.output().map_err(|e| format!("cargo fuzz tmin: {e}"))?;
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        if !log.contains("caused a crash") {
            let why = log
                .lines()
                .find(|l| l.starts_with("Error:") || l.contains("did not crash"))
                .unwrap_or("it does not crash");
            return Err(format!("{}: nothing to minimize: {why}", file.display()));
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

    fn describe(&self) -> String {
        format!(
            "cargo {}fuzz run {}--target-dir {}{}",
            if self.nightly { "+nightly " } else { "" },
            if self.nightly { "" } else { "-s none " },
            self.target_dir.display(),
            if self.trace_compares {
                ""
            } else {
                " --no-trace-compares"
            }
        )
    }
}

fn nightly_installed() -> bool {
    Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.starts_with("nightly"))
        })
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| {
        d.flatten()
            .filter(|e| e.path().is_file() && !e.file_name().to_string_lossy().starts_with('.'))
            .count()
    })
}

/// Runs the campaign, printing progress; the runs, in the order of the targets. `Err` is a
/// usage or setup error (exit 2).
pub fn run(opts: &FuzzOptions) -> Result<Vec<TargetRun>, String> {
    crate::tool::ensure_cargo_fuzz()?;
    let fuzz_dir = opts
        .fuzz_dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", opts.fuzz_dir.display()))?;
    let listed = Command::new("cargo")
        .args(["fuzz", "list"])
        .current_dir(&fuzz_dir)
        .output()
        .map_err(|e| format!("cargo fuzz list: {e}"))?;
    let all: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let targets = if opts.targets.is_empty() {
        all.clone()
    } else {
        opts.targets.clone()
    };
    if let Some(bad) = targets.iter().find(|t| !all.contains(t)) {
        return Err(format!("no target '{bad}'; targets: {}", all.join(" ")));
    }
    let nightly = !opts.stable && nightly_installed();
    // The two builds live in their own target directories under the one cargo uses (so
    // CARGO_TARGET_DIR is honoured): switching between them rebuilds nothing.
    let base = crate::tool::target_dir(&fuzz_dir)?;
    let cargo = Cargo {
        nightly,
        target_dir: base.join(if nightly { "asan" } else { "stable" }),
        trace_compares: opts.trace_compares,
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
    let mut build = cargo.command("build");
    if targets.len() < all.len() {
        // `cargo fuzz build` takes one target or all of them.
        for t in &targets {
            let mut one = cargo.command("build");
            one.arg(t).current_dir(&fuzz_dir);
            run_status(one, "cargo fuzz build")?;
        }
    } else {
        build.current_dir(&fuzz_dir);
        run_status(build, "cargo fuzz build")?;
    }

    let logs = fuzz_dir.join("logs");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let work = crate::tool::scratch_dir()?;
    let _cleanup = crate::tool::RemoveOnDrop(work.clone());
    eprintln!(
        "== fuzzing for {}s per target, {} at a time",
        opts.seconds,
        opts.jobs.max(1)
    );
    let queue = Mutex::new(targets.iter().rev().cloned().collect::<Vec<_>>());
    let done: Mutex<Vec<TargetRun>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..opts.jobs.max(1) {
            s.spawn(|| {
                while let Some(t) = queue.lock().ok().and_then(|mut q| q.pop()) {
                    let one = fuzz_one(opts, &cargo, &fuzz_dir, &work, &logs, &t);
                    if let Ok(mut d) = done.lock() {
                        d.push(one);
                    }
                }
            });
        }
    });
    let mut runs = done.into_inner().map_err(|e| e.to_string())?;
    runs.sort_by_key(|r| targets.iter().position(|t| *t == r.target));
    print!("{}", table(&runs));

    for r in runs.iter().filter(|r| r.exit != Some(0)) {
        report_crash(opts, &cargo, &fuzz_dir, r);
    }
    if opts.merge {
        for r in &runs {
            merge(opts, &cargo, &fuzz_dir, &work, &r.target);
        }
    }
    println!("\nlogs: {}/<target>.log", logs.display());
    Ok(runs)
}

fn run_status(mut cmd: Command, what: &str) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("{what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

fn fuzz_one(
    opts: &FuzzOptions,
    cargo: &Cargo,
    fuzz_dir: &Path,
    work: &Path,
    logs: &Path,
    target: &str,
) -> TargetRun {
    let live = work.join(target);
    let log = logs.join(format!("{target}.log"));
    let _ = std::fs::create_dir_all(&live);
    let _ = std::fs::create_dir_all(fuzz_dir.join("artifacts").join(target));
    for case in crate::corpus::read_cases(&opts.corpus.join(target)).unwrap_or_default() {
        let _ = std::fs::write(live.join(&case.name), &case.bytes);
    }
    let before = files_in(&live);
    let options = std::fs::read_to_string(
        fuzz_dir
            .join("fuzz_targets")
            .join(format!("{target}.options")),
    )
    .unwrap_or_default();
    let mut cmd = cargo.command("run");
    cmd.arg(target).arg(&live).arg("--").args([
        format!("-max_total_time={}", opts.seconds),
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
            fuzz_dir.join("dicts").join(dict).display()
        ));
    }
    cmd.current_dir(fuzz_dir);
    eprintln!("   {target}: started ({} s)", opts.seconds);
    let start = Instant::now();
    // libFuzzer stops itself at the budget; the limit only ends a run that hangs past it.
    let limit = Duration::from_secs(opts.seconds.saturating_mul(2).saturating_add(300));
    let (status, text) = crate::tool::run_logged(cmd, &log, limit).unwrap_or((None, String::new()));
    let exit = status.and_then(|s| s.code());
    let seconds = start.elapsed().as_secs_f64();
    eprintln!(
        "   {target}: done ({})",
        exit.map_or_else(|| "killed".into(), |c| format!("exit {c}"))
    );
    TargetRun {
        target: target.to_string(),
        exit,
        stats: stats(&text),
        corpus_before: before,
        corpus_after: files_in(&live),
        seconds,
        log,
    }
}

fn report_crash(opts: &FuzzOptions, cargo: &Cargo, fuzz_dir: &Path, r: &TargetRun) {
    let text = std::fs::read_to_string(&r.log).unwrap_or_default();
    println!("\n== {} crashed; its log ends:", r.target);
    print!("{}", crash_excerpt(&text));
    let Some(crash) = &r.stats.crash else { return };
    let artifacts = fuzz_dir.join("artifacts").join(&r.target);
    let found = artifacts.join(crash);
    if !found.exists() {
        return;
    }
    println!("== minimizing {}", found.display());
    let file = cargo
        .minimize(fuzz_dir, &r.target, &found, 2000)
        .unwrap_or_else(|_| found.clone());
    println!(
        "reproduce: (cd {} && {} {} {})",
        fuzz_dir.display(),
        cargo.describe(),
        r.target,
        file.display()
    );
    if let Some(record) = &opts.record {
        println!(
            "record:    {}",
            record
                .replace("{file}", &file.display().to_string())
                .replace("{target}", &r.target)
        );
    }
}

fn merge(opts: &FuzzOptions, cargo: &Cargo, fuzz_dir: &Path, work: &Path, target: &str) {
    let saved = opts.corpus.join(target);
    let _ = std::fs::create_dir_all(&saved);
    let before = files_in(&saved);
    if let Err(e) = cargo.merge(fuzz_dir, target, &saved, &work.join(target)) {
        eprintln!("{e}");
    }
    println!(
        "merged into {}: {} new files",
        saved.display(),
        files_in(&saved).saturating_sub(before)
    );
}

/// Adds to `into` the inputs of `from` that cover edges `into` does not (a set cover, hit counts
/// ignored; names stay content hashes), with the stable build `harness fuzz --stable` makes.
pub fn set_cover_merge(
    fuzz_dir: &Path,
    target: &str,
    into: &Path,
    from: &Path,
) -> Result<(), String> {
    Cargo::stable(fuzz_dir)?.merge(fuzz_dir, target, into, from)
}

/// The command that runs `file` through the fuzz target `target` as `harness fuzz --stable`
/// builds it.
pub fn reproduce_line(fuzz_dir: &Path, target: &str, file: &Path) -> Result<String, String> {
    Ok(format!(
        "(cd {} && {} {target} {})",
        fuzz_dir.display(),
        Cargo::stable(fuzz_dir)?.describe(),
        std::path::absolute(file)
            .unwrap_or_else(|_| file.to_path_buf())
            .display()
    ))
}

/// Minimizes the crashing `file` with `cargo fuzz tmin` (the stable build): the smallest input
/// that still crashes, in `fuzz_dir/artifacts/<target>/`, or `file` itself when nothing
/// smaller does. `Err` when it does not crash.
pub fn minimize(fuzz_dir: &Path, target: &str, file: &Path) -> Result<PathBuf, String> {
    Cargo::stable(fuzz_dir)?.minimize(fuzz_dir, target, file, 5000)
}

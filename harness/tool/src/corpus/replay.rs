//! Corpus replay and case management, with every input run in a child process: an abort, a
//! stack overflow, the heap cap or a hang kills the child, not the report, and is pinned on the
//! file that caused it.
//!
//! The child is a *judge*: an executable that runs files through a named target and prints one
//! JSON line per file as soon as it is done ([`run_one`]). A client's corpus tool is such an
//! executable (see [`crate::corpus`]); the `harness corpus --judge EXE` command drives any of
//! them. What a file *should* do is decided here, by [`harness::corpus::judge`], never by the
//! judge: it only reports what happened.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use harness::corpus::{self, Case, Expectations, Expected};
use harness::{Outcome, Violation};

/// What one input did, as the child reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Run {
    /// No oracle broken.
    Ok(Outcome),
    /// An oracle broken (a caught panic, a roundtrip mismatch, …).
    Violation(String),
    /// The child died on it: abort, signal, heap cap, stack overflow.
    Crashed(String),
    /// Still running after the time limit.
    Hung(Duration),
}

impl Run {
    /// One line for reports.
    pub fn summary(&self) -> String {
        match self {
            Run::Ok(o) => o.summary(),
            Run::Violation(v) => format!("oracle violation: {v}"),
            Run::Crashed(why) => format!("crashed: {why}"),
            Run::Hung(t) => format!("hung: still running after {t:?}"),
        }
    }
}

/// The line a judge prints for one file.
pub fn result_line(file: &Path, result: &Result<Outcome, Violation>) -> String {
    let value = match result {
        Ok(Outcome::Accepted) => serde_json::json!({ "file": file, "ok": true }),
        Ok(Outcome::Rejected { kind, position, .. }) => {
            serde_json::json!({ "file": file, "ok": true, "kind": kind, "position": position })
        }
        Err(v) => serde_json::json!({ "file": file, "ok": false, "violation": v.to_string() }),
    };
    value.to_string()
}

/// The judge's side: runs each file through `run` with the heap cap on, printing one JSON line
/// per file as soon as it is done (so a crash is pinned on the next file).
pub fn run_one(
    files: &[PathBuf],
    mut run: impl FnMut(&[u8]) -> Result<Outcome, Violation>,
) -> io::Result<()> {
    harness::alloc::enforce();
    let stdout = io::stdout();
    for file in files {
        let bytes = fs::read(file)?;
        let line = result_line(file, &run(&bytes));
        let mut out = stdout.lock();
        writeln!(out, "{line}")?;
        out.flush()?;
    }
    Ok(())
}

/// Reads one line of a judge's output; `None` for anything else it printed.
pub fn parse_line(line: &str) -> Option<(PathBuf, Run)> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let file = PathBuf::from(v.get("file")?.as_str()?);
    let run = if v.get("ok")?.as_bool()? {
        match v.get("kind").and_then(|k| k.as_str()) {
            None => Run::Ok(Outcome::Accepted),
            Some(kind) => Run::Ok(Outcome::Rejected {
                kind: kind.to_string(),
                position: v
                    .get("position")
                    .and_then(|p| p.as_str())
                    .map(str::to_string),
                message: String::new(),
            }),
        }
    } else {
        Run::Violation(
            v.get("violation")
                .and_then(|m| m.as_str())
                .unwrap_or("(the judge gave no reason)")
                .to_string(),
        )
    };
    Some((file, run))
}

/// Per-file results of a run, and how the child died if it did.
type ChildResult = (Vec<(PathBuf, Run)>, Option<Run>);

/// How to start a judge: `exe run-one --target T FILE…`.
#[derive(Clone, Debug)]
pub struct Runner {
    /// The judge executable.
    pub exe: PathBuf,
    /// Time limit for one file.
    pub per_file: Duration,
}

impl Runner {
    /// Runs `files` through `target` in one child; files it did not finish (the child died or hung
    /// on one) are re-run one per child, so the culprit is named and the rest still get a result.
    pub fn run(&self, target: &str, files: &[PathBuf]) -> io::Result<Vec<(PathBuf, Run)>> {
        let limit = self
            .per_file
            .saturating_mul(u32::try_from(files.len()).unwrap_or(u32::MAX).max(1));
        let (mut results, death) = self.child(target, files, limit)?;
        if death.is_none() {
            return Ok(results);
        }
        let missing: Vec<PathBuf> = files
            .iter()
            .filter(|f| !results.iter().any(|(r, _)| r == *f))
            .cloned()
            .collect();
        for file in missing {
            let (mut one, death) =
                self.child(target, std::slice::from_ref(&file), self.per_file)?;
            match (one.pop(), death) {
                (Some(r), _) => results.push(r),
                (None, Some(d)) => results.push((file, d)),
                (None, None) => {
                    results.push((file, Run::Crashed("exited without a result".into())))
                }
            }
        }
        Ok(results)
    }

    fn child(&self, target: &str, files: &[PathBuf], limit: Duration) -> io::Result<ChildResult> {
        let mut cmd = Command::new(&self.exe);
        cmd.env("RUST_BACKTRACE", "0")
            .arg("run-one")
            .arg("--target")
            .arg(target)
            .args(files);
        let out = crate::process::run_captured(cmd, limit)
            .map_err(|e| io::Error::other(format!("{}: {e}", self.exe.display())))?;
        let results: Vec<(PathBuf, Run)> = out.stdout.lines().filter_map(parse_line).collect();
        let death = match out.ended.status {
            None => Some(Run::Hung(limit)),
            Some(s) if s.success() => None,
            Some(s) => Some(Run::Crashed(format!(
                "{s}: {}",
                crate::logs::crash_message(&out.stderr)
            ))),
        };
        Ok((results, death))
    }
}

/// A failed case.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The target.
    pub target: String,
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub why: String,
}

/// Files replayed per target, and every failure.
pub type ReplayReport = (Vec<(String, usize)>, Vec<Failure>);

/// Replays `targets` over `root/<target>/`, checking each case's expectation. Every file is run;
/// returns per-target counts and every failure.
pub fn replay(runner: &Runner, root: &Path, targets: &[String]) -> io::Result<ReplayReport> {
    let mut counts = Vec::new();
    let mut failures = Vec::new();
    for target in targets {
        let dir = root.join(target);
        let cases = corpus::read_cases(&dir)?;
        let fail = |path: PathBuf, why: String| Failure {
            target: target.clone(),
            path,
            why,
        };
        let expectations = match Expectations::load(&dir)? {
            Ok(e) => e,
            Err(why) => {
                failures.push(fail(Expectations::path_for(&dir), why));
                Expectations::default()
            }
        };
        for name in expectations.names() {
            if !cases.iter().any(|c| c.name == name) {
                failures.push(fail(
                    dir.join(name),
                    "has an expectation but no file".into(),
                ));
            }
        }
        let paths: Vec<PathBuf> = cases.iter().map(|c| c.path.clone()).collect();
        let runs = runner.run(target, &paths)?;
        for case in &cases {
            let run = runs
                .iter()
                .find(|(p, _)| *p == case.path)
                .map_or_else(|| Run::Crashed("no result".into()), |(_, r)| r.clone());
            if let Some(why) = judge(case, &run, &expectations) {
                failures.push(fail(case.path.clone(), why));
            }
        }
        counts.push((target.clone(), cases.len()));
    }
    Ok((counts, failures))
}

/// `None` if `run` is what `case` should do: the harness's one judge.
fn judge(case: &Case, run: &Run, expectations: &Expectations) -> Option<String> {
    let summary;
    let ran = match run {
        Run::Ok(outcome) => corpus::Ran::Outcome(outcome),
        other => {
            summary = other.summary();
            corpus::Ran::Failed(&summary)
        }
    };
    corpus::judge(expectations.get(&case.name), ran)
}

/// What a new corpus case is recorded with. There is no default: a reviewer says what the case
/// must do, or says in so many words that what it does today is right.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// It must have this outcome (refused if it has another).
    Expect(Expected),
    /// Whatever it does now, shown and recorded (`--accept-current`).
    AcceptCurrent,
    /// It crashes, and CI fails until it does not (`--known-crash`).
    KnownCrash,
    /// Nothing said: run it, show what it does, add nothing.
    Ask,
}

/// Adds `file` to `root/<target>/` under its content hash, after running it in a child, and
/// appends its line to `<target>.expect`; returns that line. Refuses a file that crashes or
/// breaks an oracle unless [`Record::KnownCrash`], a file already there, and an outcome other
/// than the one expected. For a `structure_aware` target (its bytes mean what a generator
/// makes of them) what it does today is recorded only as `passes`.
pub fn add(
    runner: &Runner,
    root: &Path,
    target: &str,
    structure_aware: bool,
    file: &Path,
    record: &Record,
    note: Option<&str>,
) -> Result<String, String> {
    let bytes = fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let dir = root.join(target);
    let name = corpus::content_name(&bytes);
    let dest = dir.join(&name);
    if dest.exists() {
        return Err(format!(
            "{}: already in the corpus as {}",
            file.display(),
            dest.display()
        ));
    }
    let expectations = Expectations::load(&dir).map_err(|e| e.to_string())??;
    if expectations.get(&name).is_some() {
        return Err(format!("{name}: already has an expectation"));
    }
    let run = runner
        .run(target, &[file.to_path_buf()])
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .map_or_else(|| Run::Crashed("no result".into()), |(_, r)| r);
    let recorded = match (&run, record) {
        (Run::Ok(outcome), Record::KnownCrash) => {
            return Err(format!(
                "{}: --known-crash, but it does not crash: {outcome}",
                file.display()
            ));
        }
        (Run::Ok(outcome), Record::Expect(expect)) if !expect.matches(outcome) => {
            return Err(format!(
                "{}: expected {expect}, but it gives {outcome}",
                file.display()
            ));
        }
        (Run::Ok(_), Record::Expect(expect)) => expect.clone(),
        (Run::Ok(outcome), Record::AcceptCurrent | Record::Ask) => {
            let observed = if structure_aware {
                Expected::Passes
            } else {
                Expected::from_outcome(outcome)
            };
            if *record == Record::Ask {
                return Err(format!(
                    "{}: it gives {outcome}\n  not added: say what it must do, with --expect '{observed}' if that is right, or --accept-current",
                    file.display()
                ));
            }
            observed
        }
        (_, Record::KnownCrash) => Expected::KnownCrash,
        (other, _) => {
            return Err(format!(
                "{}: {}\n  not added: fix the bug, or record it with --known-crash (CI then fails until it is fixed)",
                file.display(),
                other.summary()
            ));
        }
    };
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    fs::write(&dest, &bytes).map_err(|e| e.to_string())?;
    let line = Expectations::line(&name, &recorded, note);
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(Expectations::path_for(&dir))
        .map_err(|e| e.to_string())?;
    f.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
    Ok(line)
}

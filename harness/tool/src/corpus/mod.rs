//! The saved corpus's command: add a case, replay, minimize, seed — for any client.
//!
//! ```text
//! CORPUS add FILE --target T (--expect OUTCOME | --accept-current | --known-crash) [--note TEXT]
//! CORPUS replay [--target T]...
//! CORPUS run-one --target T FILE...      (what replay's children run; reproduces one file)
//! CORPUS targets | seeds                  (the judge's protocol, JSON lines)
//! CORPUS seed [--first N]                 (add the client's built-in seeds that are missing)
//! CORPUS cmin --target T | tmin --target T CRASH [--note TEXT]
//! ```
//! OUTCOME is `accepted`, `passes`, `rejected KIND` or `rejected KIND at POSITION`.
//!
//! A client writes a [`Judge`] (its targets, and how one input runs through one) and a `main`
//! of one line, `harness::corpus_tool::main(&MyJudge, defaults)`; that binary is then both the
//! whole command and the judge replay runs in child processes. `harness corpus --judge EXE …`
//! runs the same command with any such binary as the judge.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

mod judge;
pub mod replay;

use judge::{External, InProcess, Source};
pub use judge::{seed_json, target_json};

use harness::corpus::{self, Expected, Judge, TargetInfo};
use replay::{Record, Runner};

/// Where a client's command finds things unless told.
#[derive(Clone, Debug)]
pub struct Defaults {
    /// The corpus root (one folder per target).
    pub root: PathBuf,
    /// The cargo-fuzz directory (for `cmin` and `tmin`).
    pub fuzz_dir: PathBuf,
    /// How a user runs this command, for the reproduce lines (`cargo run -p x --bin corpus --`).
    pub invocation: String,
}

/// The options and subcommands, for a client binary or under `harness corpus`.
#[derive(Args, Debug)]
pub struct CorpusArgs {
    /// The corpus root (one folder per target).
    #[arg(long, global = true)]
    pub root: Option<PathBuf>,
    /// The cargo-fuzz directory, for cmin and tmin.
    #[arg(long, global = true)]
    pub fuzz_dir: Option<PathBuf>,
    /// Time limit for one input, in seconds.
    #[arg(long, global = true, default_value_t = 10)]
    pub timeout: u64,
    /// What to do.
    #[command(subcommand)]
    pub command: CorpusCommand,
}

/// The corpus subcommands.
#[derive(Subcommand, Debug)]
pub enum CorpusCommand {
    /// Add files as cases of a target, recording (or checking) their outcome.
    Add {
        /// Files to add.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The target (see `targets`).
        #[arg(long)]
        target: String,
        /// The outcome the case must have: `accepted`, `passes`, `rejected KIND [at POSITION]`.
        #[arg(long)]
        expect: Option<String>,
        /// Why this case matters (kept in the expectation line).
        #[arg(long)]
        note: Option<String>,
        /// Record a crashing input as a known crash: replay (and CI) fails until it is fixed.
        #[arg(long, conflicts_with_all = ["expect", "accept_current"])]
        known_crash: bool,
        /// Record whatever the file does now (shown), instead of an outcome given with --expect.
        #[arg(long, conflicts_with = "expect")]
        accept_current: bool,
    },
    /// Replay every case of the targets (all by default) in child processes; exit 1 on any failure.
    Replay {
        /// Targets to replay.
        #[arg(long)]
        target: Vec<String>,
    },
    /// Run files through a target in this process and print one JSON line each (what replay's
    /// children do; use it to reproduce a failure).
    RunOne {
        /// The target.
        #[arg(long)]
        target: String,
        /// Files.
        files: Vec<PathBuf>,
    },
    /// Print the targets, one JSON line each.
    Targets,
    /// Print the built-in seed cases, one JSON line each.
    Seeds,
    /// Add the built-in seed cases that are missing.
    Seed {
        /// Only the first N of each target (a small start, e.g. to measure how fast the fuzzers
        /// find planted bugs without the grown corpus: `--root NEW_DIR seed --first 3`).
        #[arg(long, value_name = "N")]
        first: Option<usize>,
    },
    /// Minimize the fuzz-grown part of a target's corpus without losing coverage (a libFuzzer
    /// set-cover merge); cases with an expectation are always kept.
    Cmin {
        /// The target.
        #[arg(long)]
        target: String,
    },
    /// Minimize a crashing input (`cargo fuzz tmin`) and record it as a known-crash case.
    Tmin {
        /// The target.
        #[arg(long)]
        target: String,
        /// The crashing input.
        file: PathBuf,
        /// Why it crashes, for the expectation line.
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Parser)]
#[command(about = "Add, replay, minimize and seed the saved fuzz corpus")]
struct ClientCli {
    #[command(flatten)]
    args: CorpusArgs,
}

/// The `main` of a client's corpus command: parses the command line and runs it with `judge`.
/// Exit codes: 0 done, 1 a replay or an add failed, 2 a usage or setup error.
pub fn main(judge: &dyn Judge, defaults: &Defaults) -> ExitCode {
    let cli = ClientCli::parse();
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return error(&format!("cannot find this executable: {e}")),
    };
    exit(run(cli.args, &InProcess(judge), &exe, defaults))
}

/// Runs `args` with the judge executable `exe` (the `cargo harness corpus --judge EXE`
/// command): whether a replay or an add failed (exit 1).
pub fn run_external(
    args: CorpusArgs,
    exe: &Path,
    defaults: &Defaults,
) -> Result<bool, crate::Error> {
    run(args, &External(exe.to_path_buf()), exe, defaults)
        .map(|ok| !ok)
        .map_err(crate::Error::Usage)
}

fn exit(result: Result<bool, String>) -> ExitCode {
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => error(&e),
    }
}

fn error(e: &str) -> ExitCode {
    eprintln!("corpus: error: {e}");
    ExitCode::from(2)
}

fn find<'a>(targets: &'a [TargetInfo], name: &str) -> Result<&'a TargetInfo, String> {
    targets.iter().find(|t| t.name == name).ok_or_else(|| {
        let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
        format!("no target `{name}`: expected one of {}", names.join(", "))
    })
}

/// What every corpus subcommand works with.
struct Ctx<'a> {
    root: PathBuf,
    fuzz_dir: PathBuf,
    runner: Runner,
    source: &'a dyn Source,
    defaults: &'a Defaults,
}

fn run(
    args: CorpusArgs,
    source: &dyn Source,
    exe: &Path,
    defaults: &Defaults,
) -> Result<bool, String> {
    let ctx = Ctx {
        root: args.root.unwrap_or_else(|| defaults.root.clone()),
        fuzz_dir: args.fuzz_dir.unwrap_or_else(|| defaults.fuzz_dir.clone()),
        runner: Runner {
            exe: exe.to_path_buf(),
            per_file: Duration::from_secs(args.timeout),
        },
        source,
        defaults,
    };
    match args.command {
        CorpusCommand::RunOne { target, files } => {
            find(&source.targets()?, &target)?;
            source.run_one(&target, &files)?;
            Ok(true)
        }
        CorpusCommand::Targets => {
            for t in source.targets()? {
                println!("{}", target_json(&t));
            }
            Ok(true)
        }
        CorpusCommand::Seeds => {
            for s in source.seeds()? {
                println!("{}", seed_json(&s));
            }
            Ok(true)
        }
        CorpusCommand::Add {
            files,
            target,
            expect,
            note,
            known_crash,
            accept_current,
        } => {
            let record = match (
                expect.as_deref().map(Expected::parse).transpose()?,
                known_crash,
                accept_current,
            ) {
                (Some(e), _, _) => Record::Expect(e),
                (None, true, _) => Record::KnownCrash,
                (None, false, true) => Record::AcceptCurrent,
                // Neither: each file is run and its outcome shown, and nothing is added.
                (None, false, false) => Record::Ask,
            };
            ctx.add(&files, &target, &record, note.as_deref())
        }
        CorpusCommand::Replay { target } => ctx.replay(target),
        CorpusCommand::Cmin { target } => {
            find(&source.targets()?, &target)?;
            cmin(&ctx.root, &ctx.fuzz_dir, &target).map(|()| true)
        }
        CorpusCommand::Tmin { target, file, note } => ctx.tmin(&target, &file, note),
        CorpusCommand::Seed { first } => ctx.seed(first),
    }
}

impl Ctx<'_> {
    /// Adds `files` as cases of `target`, recorded as `record` says.
    fn add(
        &self,
        files: &[PathBuf],
        target: &str,
        record: &Record,
        note: Option<&str>,
    ) -> Result<bool, String> {
        let targets = self.source.targets()?;
        let t = find(&targets, target)?;
        let mut ok = true;
        for file in files {
            let added = replay::add(
                &self.runner,
                &self.root,
                &t.name,
                t.structure_aware,
                file,
                record,
                note,
            );
            match added {
                Ok(line) => print!("added to {}: {line}", self.root.join(&t.name).display()),
                Err(e) => {
                    eprintln!("{e}");
                    ok = false;
                }
            }
        }
        Ok(ok)
    }

    /// Replays every case of `targets` (all when empty); whether all passed.
    fn replay(&self, targets: Vec<String>) -> Result<bool, String> {
        let all = self.source.targets()?;
        let names: Vec<String> = if targets.is_empty() {
            all.iter().map(|t| t.name.clone()).collect()
        } else {
            for name in &targets {
                find(&all, name)?;
            }
            targets
        };
        let (counts, failures) =
            replay::replay(&self.runner, &self.root, &names).map_err(|e| e.to_string())?;
        let width = names.iter().map(String::len).max().unwrap_or(0);
        for (t, n) in &counts {
            let failed = failures.iter().filter(|f| f.target == *t).count();
            println!("{t:<width$} {n:>4} files replayed, {failed} failed");
        }
        for f in &failures {
            println!(
                "FAILED {}: {}\n  reproduce: {} run-one --target {} {}",
                f.path.display(),
                f.why,
                self.defaults.invocation,
                f.target,
                f.path.display()
            );
            if let Ok(line) = crate::fuzz::reproduce_line(&self.fuzz_dir, &f.target, &f.path) {
                println!("  or:        {line}");
            }
        }
        Ok(failures.is_empty())
    }

    /// Minimizes a crash of `target` and records it as a known crash.
    fn tmin(&self, target: &str, file: &Path, note: Option<String>) -> Result<bool, String> {
        let targets = self.source.targets()?;
        let t = find(&targets, target)?;
        let small = tmin(&self.fuzz_dir, &t.name, file)?;
        let note = note.unwrap_or_else(|| format!("minimized from {}", file.display()));
        let line = replay::add(
            &self.runner,
            &self.root,
            &t.name,
            t.structure_aware,
            &small,
            &Record::KnownCrash,
            Some(&note),
        )?;
        print!("added to {}: {line}", self.root.join(&t.name).display());
        println!(
            "CI fails on this case until the crash is fixed; then record its outcome instead of `crash`."
        );
        Ok(true)
    }

    /// Adds the judge's built-in seeds that are missing (of each target's first `first`).
    fn seed(&self, first: Option<usize>) -> Result<bool, String> {
        let targets = self.source.targets()?;
        let scratch = crate::process::Scratch::new("corpus").map_err(|e| e.to_string())?;
        let mut added = 0usize;
        let mut taken: std::collections::BTreeMap<String, usize> = Default::default();
        for (i, seed) in self.source.seeds()?.into_iter().enumerate() {
            let t = find(&targets, &seed.target)?;
            let count = taken.entry(t.name.clone()).or_default();
            *count = count.saturating_add(1);
            if first.is_some_and(|n| *count > n) {
                continue;
            }
            let name = corpus::content_name(&seed.bytes);
            if self.root.join(&t.name).join(&name).exists() {
                continue;
            }
            let file = scratch.path().join(format!("seed-{i}"));
            std::fs::write(&file, &seed.bytes).map_err(|e| e.to_string())?;
            let line = replay::add(
                &self.runner,
                &self.root,
                &t.name,
                t.structure_aware,
                &file,
                &Record::AcceptCurrent,
                Some(&seed.note),
            )?;
            print!("added to {}: {line}", self.root.join(&t.name).display());
            added = added.saturating_add(1);
        }
        println!("{added} seeds added");
        Ok(true)
    }
}

/// Shrinks `root/<target>/` to a set cover of its coverage, keeping every case that has an
/// expectation.
fn cmin(root: &Path, fuzz_dir: &Path, target: &str) -> Result<(), String> {
    let dir = root.join(target);
    let expectations = corpus::Expectations::load(&dir).map_err(|e| e.to_string())??;
    let cases = corpus::read_cases(&dir).map_err(|e| e.to_string())?;
    let scratch = crate::process::Scratch::new("cmin").map_err(|e| e.to_string())?;
    let work = scratch.path().to_path_buf();
    let (kept, grown) = (work.join("kept"), work.join("grown"));
    for d in [&kept, &grown] {
        std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
    }
    for c in &cases {
        let into = if expectations.get(&c.name).is_some() {
            &kept
        } else {
            &grown
        };
        std::fs::write(into.join(&c.name), &c.bytes).map_err(|e| e.to_string())?;
    }
    // Inputs from `grown` go into `kept` only if they add coverage over it — a set cover of the
    // edges (hit counts ignored), so the committed corpus stays small.
    crate::fuzz::set_cover_merge(fuzz_dir, target, &kept, &grown).map_err(|e| e.to_string())?;
    let before = cases.len();
    for c in &cases {
        if expectations.get(&c.name).is_none() {
            std::fs::remove_file(&c.path).map_err(|e| e.to_string())?;
        }
    }
    for c in corpus::read_cases(&kept).map_err(|e| e.to_string())? {
        let name = corpus::content_name(&c.bytes);
        std::fs::write(dir.join(name), &c.bytes).map_err(|e| e.to_string())?;
    }
    let after = corpus::read_cases(&dir).map_err(|e| e.to_string())?.len();
    println!(
        "{}: {before} files -> {after} (every case with an expectation kept)",
        dir.display()
    );
    Ok(())
}

/// Minimizes the crashing `file` with `cargo fuzz tmin`; the smallest input that still crashes.
fn tmin(fuzz_dir: &Path, target: &str, file: &Path) -> Result<PathBuf, String> {
    let file = std::fs::canonicalize(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let small = crate::fuzz::minimize(fuzz_dir, target, &file).map_err(|e| e.to_string())?;
    println!("minimized: {}", small.display());
    Ok(small)
}

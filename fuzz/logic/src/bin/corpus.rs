//! `corpus`: the saved corpus's tool — add a case, replay, rebuild the seeds.
//!
//! ```text
//! cargo run -p botfeat-fuzz --bin corpus -- add FILE --target T (--expect OUTCOME | --accept-current | --known-crash) [--note TEXT]
//! cargo run -p botfeat-fuzz --bin corpus -- replay [--target T]...
//! cargo run -p botfeat-fuzz --bin corpus -- run-one --target T FILE...
//! cargo run -p botfeat-fuzz --bin corpus -- seed
//! cargo run -p botfeat-fuzz --bin corpus -- cmin --target T
//! cargo run -p botfeat-fuzz --bin corpus -- tmin --target T CRASH [--note TEXT]
//! ```
//! OUTCOME is `accepted`, `rejected KIND` or `rejected KIND at POSITION`
//! (e.g. `rejected too_many_features at line 203, column 1`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use botfeat_fuzz::replay::{self, Runner};
use botfeat_fuzz::{ALL, Target};
use clap::{Parser, Subcommand};
use harness::corpus::Expected;

#[derive(Parser)]
#[command(name = "corpus", about = "Add, replay and seed the saved fuzz corpus")]
struct Cli {
    /// The corpus root (one folder per target).
    #[arg(long, global = true, default_value_os_t = default_root())]
    root: PathBuf,
    /// Time limit for one input, in seconds.
    #[arg(long, global = true, default_value_t = 10)]
    timeout: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add files as cases of a target, recording (or checking) their outcome.
    Add {
        /// Files to add.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The target: parse_text, parse_binary, ingest_rows, roundtrip, reload, toml_config.
        #[arg(long)]
        target: String,
        /// The outcome the case must have: `accepted`, `rejected KIND [at POSITION]`.
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
    /// Add the built-in seed cases that are missing.
    Seed,
    /// Minimize the fuzz-grown part of a target's corpus without losing coverage (libFuzzer
    /// merge, as `cargo fuzz cmin` does); cases with an expectation are always kept.
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

fn default_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    std::fs::canonicalize(&root).unwrap_or(root)
}

fn target(name: &str) -> Result<Target, String> {
    Target::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = ALL.iter().map(|t| t.name()).collect();
        format!("no target `{name}`: expected one of {}", names.join(", "))
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("corpus: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<bool, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let runner = Runner {
        exe,
        per_file: Duration::from_secs(cli.timeout),
    };
    match cli.command {
        Command::RunOne { target: t, files } => {
            replay::run_one(target(&t)?, &files).map_err(|e| e.to_string())?;
            Ok(true)
        }
        Command::Add {
            files,
            target: t,
            expect,
            note,
            known_crash,
            accept_current,
        } => {
            let t = target(&t)?;
            let record = match (
                expect.as_deref().map(Expected::parse).transpose()?,
                known_crash,
                accept_current,
            ) {
                (Some(e), _, _) => replay::Record::Expect(e),
                (None, true, _) => replay::Record::KnownCrash,
                (None, false, true) => replay::Record::AcceptCurrent,
                // Neither: each file is run and its outcome shown, and nothing is added.
                (None, false, false) => replay::Record::Ask,
            };
            let mut ok = true;
            for file in &files {
                match replay::add(&runner, &cli.root, t, file, &record, note.as_deref()) {
                    Ok(line) => print!("added to corpus/{}: {line}", t.name()),
                    Err(e) => {
                        eprintln!("{e}");
                        ok = false;
                    }
                }
            }
            Ok(ok)
        }
        Command::Replay { target: names } => {
            let targets = if names.is_empty() {
                ALL.to_vec()
            } else {
                names.iter().map(|n| target(n)).collect::<Result<_, _>>()?
            };
            let (counts, failures) =
                replay::replay(&runner, &cli.root, &targets).map_err(|e| e.to_string())?;
            for (t, n) in &counts {
                let failed = failures.iter().filter(|f| f.target == *t).count();
                println!("{:<12} {n:>4} files replayed, {failed} failed", t.name());
            }
            for f in &failures {
                println!(
                    "FAILED {}: {}\n  reproduce: {}",
                    f.path.display(),
                    f.why,
                    f.reproduce()
                );
            }
            Ok(failures.is_empty())
        }
        Command::Cmin { target: t } => cmin(&cli.root, target(&t)?).map(|()| true),
        Command::Tmin {
            target: t,
            file,
            note,
        } => {
            let t = target(&t)?;
            let small = tmin(t, &file)?;
            let note = note.unwrap_or_else(|| format!("minimized from {}", file.display()));
            let line = replay::add(
                &runner,
                &cli.root,
                t,
                &small,
                &replay::Record::KnownCrash,
                Some(&note),
            )?;
            print!("added to corpus/{}: {line}", t.name());
            println!(
                "CI fails on this case until the crash is fixed; then record its outcome instead of `crash`."
            );
            Ok(true)
        }
        Command::Seed => {
            let dir = tempdir()?;
            let mut added = 0usize;
            for (i, (t, bytes, note)) in botfeat_fuzz::seeds::all().into_iter().enumerate() {
                let name = harness::corpus::content_name(&bytes);
                if cli.root.join(t.name()).join(&name).exists() {
                    continue;
                }
                let file = dir.join(format!("seed-{i}"));
                std::fs::write(&file, &bytes).map_err(|e| e.to_string())?;
                let line = replay::add(
                    &runner,
                    &cli.root,
                    t,
                    &file,
                    &replay::Record::AcceptCurrent,
                    Some(note),
                )?;
                print!("added to corpus/{}: {line}", t.name());
                added = added.saturating_add(1);
            }
            println!("{added} seeds added");
            Ok(true)
        }
    }
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `cargo fuzz SUBCOMMAND …` in fuzz/, building where `fuzz/run --stable` builds (its own
/// directory under the target directory), so neither rebuilds what the other built.
fn cargo_fuzz(args: &[&std::ffi::OsStr]) -> Result<std::process::Output, String> {
    let stable = harness::tool::target_dir(&fuzz_dir())?.join("stable");
    let (subcommand, rest) = args.split_first().ok_or("no cargo fuzz subcommand")?;
    std::process::Command::new("cargo")
        .arg("fuzz")
        .arg(subcommand)
        .arg("--target-dir")
        .arg(stable)
        .args(rest)
        .current_dir(fuzz_dir())
        .output()
        .map_err(|e| {
            format!("cannot run cargo fuzz (install it: cargo install cargo-fuzz --locked): {e}")
        })
}

fn cmin(root: &Path, t: Target) -> Result<(), String> {
    let dir = root.join(t.name());
    let expectations = harness::corpus::Expectations::load(&dir).map_err(|e| e.to_string())??;
    let cases = harness::corpus::read_cases(&dir).map_err(|e| e.to_string())?;
    let work = tempdir()?;
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
    // Merge: inputs from `grown` go into `kept` only if they add coverage over it — a set cover
    // of the edges (hit counts ignored), so the committed corpus stays small (about a thousand
    // files for all targets, where a plain merge kept six thousand).
    let out = cargo_fuzz(&[
        "run".as_ref(),
        "-s".as_ref(),
        "none".as_ref(),
        // As fuzz/run builds them, so switching between the two does not rebuild.
        "--no-trace-compares".as_ref(),
        t.name().as_ref(),
        kept.as_os_str(),
        grown.as_os_str(),
        "--".as_ref(),
        "-set_cover_merge=1".as_ref(),
        "-use_counters=0".as_ref(),
        "-max_len=8192".as_ref(),
    ])?;
    if !out.status.success() {
        return Err(format!(
            "merge failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let before = cases.len();
    for c in &cases {
        if expectations.get(&c.name).is_none() {
            std::fs::remove_file(&c.path).map_err(|e| e.to_string())?;
        }
    }
    for c in harness::corpus::read_cases(&kept).map_err(|e| e.to_string())? {
        let name = harness::corpus::content_name(&c.bytes);
        std::fs::write(dir.join(name), &c.bytes).map_err(|e| e.to_string())?;
    }
    let after = harness::corpus::read_cases(&dir)
        .map_err(|e| e.to_string())?
        .len();
    println!(
        "corpus/{}: {before} files -> {after} (every case with an expectation kept)",
        t.name()
    );
    Ok(())
}

fn tmin(t: Target, file: &Path) -> Result<PathBuf, String> {
    let file = std::fs::canonicalize(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let out = cargo_fuzz(&[
        "tmin".as_ref(),
        "-s".as_ref(),
        "none".as_ref(),
        // As fuzz/run builds them, so switching between the two does not rebuild.
        "--no-trace-compares".as_ref(),
        t.name().as_ref(),
        file.as_os_str(),
        "--".as_ref(),
        "-runs=5000".as_ref(),
    ])?;
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
    // cargo fuzz names the result in `-exact_artifact_path=PATH`; when libFuzzer cannot make the
    // input any smaller, there is no such file and the input itself is the minimum.
    let token = log
        .split_whitespace()
        .rfind(|w| w.contains("minimized-from-"))
        .unwrap_or_default();
    let path = Path::new(token.rsplit('=').next().unwrap_or(token));
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        fuzz_dir().join(path)
    };
    let path = if path.is_file() { path } else { file.clone() };
    println!("minimized: {}", path.display());
    Ok(path)
}

fn tempdir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("botfeat-corpus-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

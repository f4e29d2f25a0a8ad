//! `corpus`: the saved corpus's tool — add a case, replay, rebuild the seeds.
//!
//! ```text
//! cargo run -p botfeat-fuzz --bin corpus -- add FILE --target T [--expect OUTCOME] [--note TEXT] [--known-crash]
//! cargo run -p botfeat-fuzz --bin corpus -- replay [--target T]...
//! cargo run -p botfeat-fuzz --bin corpus -- run-one --target T FILE...
//! cargo run -p botfeat-fuzz --bin corpus -- seed
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
        #[arg(long)]
        known_crash: bool,
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
}

fn default_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")
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
        } => {
            let t = target(&t)?;
            let expect = expect.as_deref().map(Expected::parse).transpose()?;
            let mut ok = true;
            for file in &files {
                match replay::add(
                    &runner,
                    &cli.root,
                    t,
                    file,
                    expect.as_ref(),
                    known_crash,
                    note.as_deref(),
                ) {
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
                let line = replay::add(&runner, &cli.root, t, &file, None, false, Some(note))?;
                print!("added to corpus/{}: {line}", t.name());
                added = added.saturating_add(1);
            }
            println!("{added} seeds added");
            Ok(true)
        }
    }
}

fn tempdir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("botfeat-corpus-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

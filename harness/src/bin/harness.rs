//! `harness`: the hunt, and its helpers for scripts.
//!
//! ```text
//! harness hunt DIR [--seconds N] [--plain]  hunt bugs in the parser of a hunt directory
//! harness fuzz [TARGET...] [--seconds N] [--stable] [--merge]   every fuzz target from the saved corpus
//! harness corpus --judge EXE (add|replay|run-one|seed|cmin|tmin) …   the saved corpus, judged by EXE
//! harness bench DIR... [--seconds N] [--runs R] [--jobs J]   hunt vs plain on published bugs
//! harness init-hunt DIR --crate NAME@VERSION|PATH --call PATH [--bytes]   scaffold a hunt directory
//! harness dict SEED_DIR [MAX]               print a libFuzzer dictionary derived from the seeds
//! harness amplify FILE FACTOR OUT           write FILE with its longest repeated unit FACTOR× as often
//! harness shrink BIN FILE OUT               shrink FILE while `BIN FILE` still dies by a signal
//! harness kept FILE OUT                     write the input a hunt kept in FILE (HARNESS_LAST_INPUT)
//! ```
//! Exit codes: 0 done (for `hunt`: nothing confirmed), 1 `hunt` confirmed a bug, 2 usage or
//! another error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "harness",
    about = "Hunt bugs in config parsers, and the hunt's helpers"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Hunt a hunt directory's parser for a wall-clock budget: every distinct bug, confirmed by
    /// kind, minimized, saved to DIR/regressions/, then a table. Exit 1 if any is confirmed.
    Hunt {
        /// The hunt directory (a cargo-fuzz directory with targets `hunt` and `plain`).
        dir: PathBuf,
        /// The budget after the build, in seconds: fuzzing, confirming, minimizing, saving.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Run the `plain` target instead, from the same seeds: the baseline.
        #[arg(long)]
        plain: bool,
    },
    /// Fuzz every cargo-fuzz target (or those named) from its saved corpus for a budget each,
    /// print a table; on a crash minimize it and print how to reproduce and record it. Exit 1
    /// on a crash.
    Fuzz {
        /// Targets to run (default: all that `cargo fuzz list` names).
        targets: Vec<String>,
        /// The cargo-fuzz directory.
        #[arg(long, default_value = "fuzz")]
        fuzz_dir: PathBuf,
        /// The saved corpus, one folder per target.
        #[arg(long, default_value = "corpus")]
        corpus: PathBuf,
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Targets at a time (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Stable Rust, no sanitizer (-s none); the default is nightly with AddressSanitizer
        /// when a nightly toolchain is installed.
        #[arg(long)]
        stable: bool,
        /// Add the inputs that found new coverage to the saved corpus (a set cover of edges).
        #[arg(long)]
        merge: bool,
        /// Build with libFuzzer's comparison tracing (off: see docs/PERFORMANCE.md).
        #[arg(long)]
        trace_compares: bool,
        /// The command that records a crash as a corpus case: `{file}` and `{target}` are
        /// filled in.
        #[arg(long)]
        record: Option<String>,
    },
    /// Hunt published bugs and the plain target side by side: each directory with a BUG file
    /// (or each such folder under a directory) RUNS times per mode; prints a Markdown table.
    Bench {
        /// Bug directories, or folders of them.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Seconds per run.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Runs per bug and mode.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Runs at a time (each takes one core while it fuzzes).
        #[arg(long, default_value_t = 1)]
        jobs: usize,
    },
    /// The saved corpus, judged by a client's judge executable (one built on
    /// `harness::corpus_tool`): add a case, replay, minimize, seed.
    Corpus {
        /// The judge: an executable that answers `targets`, `seeds` and `run-one`.
        #[arg(long)]
        judge: PathBuf,
        #[command(flatten)]
        args: harness::corpus_tool::CorpusArgs,
    },
    /// Make a new hunt directory for a parser: Cargo.toml (the harness by a relative path, the
    /// parser), the `plain` and `hunt` targets calling it, seeds/, and a fresh lockfile.
    InitHunt {
        /// The new directory.
        dir: PathBuf,
        /// The parser: NAME@VERSION from crates.io (`yaml-rust@=0.4.0`), or a path to its crate.
        #[arg(long = "crate")]
        krate: String,
        /// The function to call on each input (`yaml_rust::YamlLoader::load_from_str`).
        #[arg(long)]
        call: String,
        /// The function takes `&[u8]` (default: `&str`; inputs that are not UTF-8 are skipped).
        #[arg(long)]
        bytes: bool,
    },
    /// Print a libFuzzer dictionary derived from the seeds.
    Dict {
        /// The seed folder.
        dir: String,
        /// Most tokens.
        #[arg(default_value_t = 64)]
        max: usize,
    },
    /// Write FILE with its longest repeated unit FACTOR times as often.
    Amplify {
        file: String,
        factor: usize,
        out: String,
    },
    /// Shrink FILE while `BIN FILE` still dies by a signal.
    Shrink {
        bin: String,
        file: String,
        out: String,
    },
    /// Write the input a hunt kept in FILE (HARNESS_LAST_INPUT) to OUT.
    Kept { file: String, out: String },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Cmd::Hunt {
            dir,
            seconds,
            plain,
        } => {
            match harness::tool::hunt(&harness::tool::HuntOptions {
                dir,
                seconds,
                plain,
                save: true,
                until: None,
            }) {
                Ok(report) => {
                    eprint!("{}", harness::tool::table(&report));
                    return if report.confirmed().next().is_some() {
                        ExitCode::from(1)
                    } else {
                        ExitCode::SUCCESS
                    };
                }
                Err(e) => Err(e),
            }
        }
        Cmd::Corpus { judge, args } => {
            let defaults = harness::corpus_tool::Defaults {
                root: "corpus".into(),
                fuzz_dir: "fuzz".into(),
                invocation: format!("harness corpus --judge {}", judge.display()),
            };
            return harness::corpus_tool::run_external(args, &judge, &defaults);
        }
        Cmd::Fuzz {
            targets,
            fuzz_dir,
            corpus,
            seconds,
            jobs,
            stable,
            merge,
            trace_compares,
            record,
        } => {
            let opts = harness::campaign::FuzzOptions {
                fuzz_dir,
                corpus,
                seconds,
                jobs: jobs.unwrap_or_else(|| {
                    std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
                }),
                stable,
                merge,
                trace_compares,
                targets,
                record,
            };
            match harness::campaign::run(&opts) {
                Ok(runs) => {
                    return if runs.iter().all(|r| r.exit == Some(0)) {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    };
                }
                Err(e) => Err(e),
            }
        }
        Cmd::Bench {
            dirs,
            seconds,
            runs,
            jobs,
        } => harness::bench::find_bugs(&dirs)
            .and_then(|bugs| harness::bench::run(&bugs, seconds, runs, jobs))
            .map(|rows| print!("{}", harness::bench::table(&rows, seconds))),
        Cmd::InitHunt {
            dir,
            krate,
            call,
            bytes,
        } => init_hunt(dir, krate, call, bytes),
        Cmd::Dict { dir, max } => dict(&dir, max),
        Cmd::Amplify { file, factor, out } => amplify(&file, factor, &out),
        Cmd::Shrink { bin, file, out } => shrink(&bin, &file, &out),
        Cmd::Kept { file, out } => kept(&file, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("harness: {e}");
            ExitCode::from(2)
        }
    }
}

fn init_hunt(dir: PathBuf, krate: String, call: String, bytes: bool) -> Result<(), String> {
    let harness = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scaffold = harness::scaffold::Scaffold {
        dir: dir.clone(),
        krate,
        call,
        bytes,
        harness,
    };
    for path in harness::scaffold::write(&scaffold)? {
        eprintln!("wrote {}", path.display());
    }
    // A fresh lockfile: the parser's own transitive versions, not an example's.
    let status = std::process::Command::new("cargo")
        .arg("generate-lockfile")
        .current_dir(&dir)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!(
            "cargo generate-lockfile failed in {}",
            dir.display()
        ));
    }
    eprintln!(
        "next: put 2-3 small valid inputs in {}/seeds/, then: harness/hunt {} --seconds 60",
        dir.display(),
        dir.display()
    );
    Ok(())
}

fn dict(dir: &str, max: usize) -> Result<(), String> {
    let seeds: Vec<Vec<u8>> = harness::corpus::read_cases(std::path::Path::new(dir))
        .map_err(|e| format!("{dir}: {e}"))?
        .into_iter()
        .map(|c| c.bytes)
        .collect();
    print!(
        "{}",
        harness::dict::to_libfuzzer(&harness::dict::derive(&seeds, max))
    );
    Ok(())
}

fn amplify(file: &str, factor: usize, out: &str) -> Result<(), String> {
    let input = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let amplified = harness::stack::amplify(&input, factor)
        .ok_or_else(|| format!("{file}: no repeated part to amplify"))?;
    std::fs::write(out, &amplified).map_err(|e| format!("{out}: {e}"))?;
    eprintln!("{out}: {} bytes (from {})", amplified.len(), input.len());
    Ok(())
}

/// Whether `bin FILE` dies by a signal (a stack overflow's SIGSEGV, an abort) on `input`.
fn dies(bin: &str, input: &[u8], scratch: &std::path::Path) -> bool {
    use std::os::unix::process::ExitStatusExt;
    if std::fs::write(scratch, input).is_err() {
        return false;
    }
    std::process::Command::new(bin)
        .arg(scratch)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.signal().is_some())
}

/// Drops chunks of FILE while `bin FILE` still dies by a signal (the hunt's own shrinking).
fn shrink(bin: &str, file: &str, out: &str) -> Result<(), String> {
    let input = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let scratch = std::path::PathBuf::from(format!("{out}.try"));
    if !dies(bin, &input, &scratch) {
        return Err(format!("{file}: {bin} does not die on it"));
    }
    let small = harness::tool::shrink_while(&input, std::time::Duration::from_secs(60), |c| {
        dies(bin, c, &scratch)
    });
    let _ = std::fs::remove_file(&scratch);
    std::fs::write(out, &small).map_err(|e| format!("{out}: {e}"))?;
    eprintln!("{out}: {} bytes (from {})", small.len(), input.len());
    Ok(())
}

fn kept(file: &str, out: &str) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let input = harness::hunt::read_kept(&bytes).ok_or(format!("{file}: no kept input in it"))?;
    std::fs::write(out, input).map_err(|e| format!("{out}: {e}"))
}

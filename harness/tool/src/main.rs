//! `cargo harness`: the harness's command line — fuzz a project's targets, hunt a parser's bugs,
//! keep a saved corpus, benchmark the hunt, build for ClusterFuzzLite.
//!
//! ```text
//! cargo harness fuzz [TARGET...] [--seconds N] [--stable] [--merge] [--json] [--profile --part NAME=PREFIX]
//! cargo harness hunt DIR [--seconds N] [--plain] [--json]
//! cargo harness corpus --judge EXE (add|replay|run-one|seed|cmin|tmin) …
//! cargo harness bench DIR... [--seconds N] [--runs R] [--jobs J] [--json]
//! cargo harness init DIR --crate NAME@VERSION|PATH --call PATH [--bytes]
//! cargo harness build --out DIR
//! cargo harness dict|amplify|shrink|kept …
//! ```
//! Installed (`cargo install --path harness/tool`) it runs as `cargo harness …`; in this
//! repository `cargo run -p cargo-harness -- …`. Exit codes: 0 done (nothing found), 1 a bug
//! found (a crash, a confirmed finding), 2 usage or another error, 130/143 interrupted by
//! SIGINT/SIGTERM (every child ended, temp folders removed, the findings so far printed).

use std::path::PathBuf;
use std::process::ExitCode;

use cargo_harness::Error;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo-harness",
    bin_name = "cargo harness",
    about = "Fuzz config parsers, hunt their bugs, keep their saved corpus"
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
        /// One JSON object per finding on stdout, then a summary (no table, no progress).
        #[arg(long)]
        json: bool,
        /// Hunt this target binary, built already, instead of building the directory's.
        #[arg(long, value_name = "BINARY")]
        bin: Option<PathBuf>,
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
        /// One JSON object per target on stdout, then a summary (no table, no progress).
        #[arg(long)]
        json: bool,
        /// After the table, the figures as a Markdown table stamped with the commit.
        #[arg(long)]
        markdown: bool,
        /// Record each target with `perf` and report where its time goes, part by part (in
        /// the table with --markdown, per target with --json).
        #[arg(long)]
        profile: bool,
        /// A part of the profile, before the built-in ones: NAME=PREFIX[,PREFIX…] (functions
        /// whose path starts with a prefix, e.g. 'parser=mycrate::').
        #[arg(long = "part", value_name = "NAME=PREFIXES")]
        parts: Vec<cargo_harness::fuzz::profile::Part>,
    },
    /// Build every fuzz target into one folder with its options, dictionary and seed corpus,
    /// as ClusterFuzzLite expects (`.clusterfuzzlite/build.sh` runs it).
    Build {
        /// The output folder.
        #[arg(long)]
        out: PathBuf,
        /// The cargo-fuzz directory.
        #[arg(long, default_value = "fuzz")]
        fuzz_dir: PathBuf,
        /// The saved corpus, one folder per target.
        #[arg(long, default_value = "corpus")]
        corpus: PathBuf,
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
        /// One JSON object per bug on stdout, then a summary, instead of the Markdown table.
        #[arg(long)]
        json: bool,
    },
    /// The saved corpus, judged by a client's judge executable (one built on
    /// `harness::corpus_tool`): add a case, replay, minimize, seed.
    Corpus {
        /// The judge: an executable that answers `targets`, `seeds` and `run-one`.
        #[arg(long)]
        judge: PathBuf,
        #[command(flatten)]
        args: cargo_harness::corpus::CorpusArgs,
    },
    /// Make a new hunt directory for a parser: Cargo.toml (the harness by a relative path, the
    /// parser), the `plain` and `hunt` targets calling it, seeds/, and a fresh lockfile.
    #[command(alias = "init-hunt")]
    Init {
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
        dir: PathBuf,
        /// Most tokens.
        #[arg(default_value_t = 64)]
        max: usize,
    },
    /// Write FILE with its longest repeated unit FACTOR times as often.
    Amplify {
        file: PathBuf,
        factor: usize,
        out: PathBuf,
    },
    /// Shrink FILE while `BIN FILE` still dies by a signal.
    Shrink {
        bin: PathBuf,
        file: PathBuf,
        out: PathBuf,
    },
    /// Write the input a hunt kept in FILE (HARNESS_LAST_INPUT) to OUT.
    Kept { file: PathBuf, out: PathBuf },
}

fn main() -> ExitCode {
    // A hunt's build runs this tool as cargo's rustc wrapper (`cargo_harness::wrap`).
    if let Some(code) = cargo_harness::wrap::run_if_wrapper() {
        return ExitCode::from(code);
    }
    // `cargo harness X` runs `cargo-harness harness X`.
    let args = std::env::args_os()
        .enumerate()
        .filter(|(i, a)| !(*i == 1 && a == "harness"))
        .map(|(_, a)| a);
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if let Err(e) = cargo_harness::process::install_signal_handlers() {
        eprintln!("cargo harness: {e}");
        return ExitCode::from(2);
    }
    match run(cli.command) {
        Ok(found) => ExitCode::from(u8::from(found)),
        Err(e) => {
            eprintln!("cargo harness: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Runs one command: whether it found a bug (exit 1), or why it could not finish.
fn run(command: Cmd) -> Result<bool, Error> {
    use cargo_harness::{build, fuzz, helpers, hunt};
    match command {
        Cmd::Hunt {
            dir,
            seconds,
            plain,
            json,
            bin,
        } => hunt_command(
            hunt::HuntOptions {
                dir,
                seconds,
                plain,
                save: true,
                until: None,
                bin,
                progress: !json,
            },
            json,
        ),
        Cmd::Corpus { judge, args } => {
            let defaults = cargo_harness::corpus::Defaults {
                root: "corpus".into(),
                fuzz_dir: "fuzz".into(),
                invocation: format!("cargo harness corpus --judge {}", judge.display()),
            };
            cargo_harness::corpus::run_external(args, &judge, &defaults)
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
            json,
            markdown,
            profile,
            parts,
        } => {
            let runs = fuzz::run(&fuzz::FuzzOptions {
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
                json,
                markdown,
                profile,
                parts,
            })?;
            Ok(!runs.iter().all(fuzz::TargetRun::ok))
        }
        Cmd::Build {
            out,
            fuzz_dir,
            corpus,
        } => build::run(&build::BuildOptions {
            fuzz_dir,
            corpus,
            out,
        })
        .map(|_| false),
        Cmd::Bench {
            dirs,
            seconds,
            runs,
            jobs,
            json,
        } => bench_command(&dirs, seconds, runs, jobs, json),
        Cmd::Init {
            dir,
            krate,
            call,
            bytes,
        } => cargo_harness::init::init(dir, krate, call, bytes).map(|()| false),
        Cmd::Dict { dir, max } => helpers::dict(&dir, max).map(|()| false),
        Cmd::Amplify { file, factor, out } => helpers::amplify(&file, factor, &out).map(|()| false),
        Cmd::Shrink { bin, file, out } => helpers::shrink(&bin, &file, &out).map(|()| false),
        Cmd::Kept { file, out } => helpers::kept(&file, &out).map(|()| false),
    }
}

/// `hunt`: the report as a table on stderr (or JSON lines on stdout); whether a bug was
/// confirmed, or the signal that cut it short.
fn hunt_command(opts: cargo_harness::hunt::HuntOptions, json: bool) -> Result<bool, Error> {
    use cargo_harness::hunt;
    let report = hunt::hunt(&opts)?;
    if json {
        print!(
            "{}",
            hunt::json_lines(&report, cargo_harness::commit().as_deref())
        );
    } else {
        eprint!("{}", hunt::table(&report));
    }
    match report.interrupted {
        Some(signal) => Err(Error::Interrupted(signal)),
        None => Ok(report.confirmed().next().is_some()),
    }
}

/// `bench`: the table (or JSON lines) of the runs that finished, stamped with the commit.
fn bench_command(
    dirs: &[PathBuf],
    seconds: u64,
    runs: usize,
    jobs: usize,
    json: bool,
) -> Result<bool, Error> {
    use cargo_harness::bench;
    let bugs = bench::find_bugs(dirs)?;
    let rows = bench::run(&bugs, seconds, runs, jobs)?;
    let commit = cargo_harness::commit();
    if json {
        print!("{}", bench::json_lines(&rows, seconds, commit.as_deref()));
    } else {
        print!("{}", bench::table(&rows, seconds, commit.as_deref()));
    }
    cargo_harness::process::check_stop().map(|()| false)
}

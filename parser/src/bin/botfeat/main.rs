//! `botfeat`: check, compile, decompile and diff feature files.
//!
//! Exit codes: 0 all good; 1 a file is invalid (or, for `diff`, refused); 2 usage or I/O error.

mod io;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use botfeat::runtime::{RolloutPolicy, check_rollout};
use botfeat::{Error, FeatureFile, Format, Limits, Position, parse_any};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "botfeat",
    version,
    about = "Check, compile, decompile and diff bot-feature files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check files (format detected from content); exit 1 if any is invalid.
    Check {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON object per file instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Compile text or JSON rows to the binary format.
    Compile {
        /// Text (`.features`) or JSON rows.
        input: PathBuf,
        /// Output `.bff`; written through a temporary file and renamed, so it is never half-written.
        #[arg(short, long)]
        output: PathBuf,
        /// The serial: required for JSON rows, overrides the text file's own.
        #[arg(long)]
        serial: Option<u64>,
    },
    /// Write a binary file as canonical text.
    Decompile {
        /// Input `.bff` (text and rows are accepted too).
        input: PathBuf,
        /// Output file; standard output if absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// The rollout guard's verdict on replacing OLD with NEW: exit 0 safe, 1 refused.
    Diff {
        /// The running file.
        old: PathBuf,
        /// The candidate.
        new: PathBuf,
        /// Largest allowed change in feature count, in percent.
        #[arg(long, default_value_t = RolloutPolicy::default().max_change_pct)]
        max_change_pct: u32,
        /// Serial for OLD when it is JSON rows.
        #[arg(long, default_value_t = 0)]
        old_serial: u64,
        /// Serial for NEW when it is JSON rows.
        #[arg(long, default_value_t = 1)]
        new_serial: u64,
    },
}

/// A failure that ends the command: invalid input (exit 1) or usage/I-O (exit 2).
enum Failure {
    Invalid,
    Usage(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { files, json } => check(&files, json),
        Command::Compile {
            input,
            output,
            serial,
        } => compile(&input, &output, serial),
        Command::Decompile { input, output } => decompile(&input, output.as_deref()),
        Command::Diff {
            old,
            new,
            max_change_pct,
            old_serial,
            new_serial,
        } => diff(&old, &new, max_change_pct, old_serial, new_serial),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Invalid) => ExitCode::from(1),
        Err(Failure::Usage(message)) => {
            eprintln!("botfeat: error: {message}");
            ExitCode::from(2)
        }
    }
}

/// `FILE:LINE:COL: error: …`, `FILE: row N: error: …`, `FILE: byte N: error: …`, `FILE: error: …`.
fn report(path: &Path, e: &Error) -> String {
    let file = path.display();
    match e.position() {
        Position::LineCol { line, column } => {
            format!("{file}:{line}:{column}: error: {}", e.message())
        }
        Position::Row(row) => format!("{file}: row {row}: error: {}", e.message()),
        Position::Offset(offset) => format!("{file}: byte {offset}: error: {}", e.message()),
        Position::File => format!("{file}: error: {}", e.message()),
    }
}

fn position_json(p: Position) -> serde_json::Value {
    match p {
        Position::File => serde_json::json!(null),
        Position::LineCol { line, column } => serde_json::json!({ "line": line, "column": column }),
        Position::Row(row) => serde_json::json!({ "row": row }),
        Position::Offset(offset) => serde_json::json!({ "offset": offset }),
    }
}

fn check(files: &[PathBuf], json: bool) -> Result<(), Failure> {
    let limits = Limits::DEFAULT;
    let mut invalid = false;
    let mut io_error = false;
    for path in files {
        let outcome = io::read_bounded(path, &limits)
            .map(|bytes| bytes.and_then(|b| parse_any(&b, 0, &limits)));
        let file = path.display().to_string();
        match outcome {
            Err(io) => {
                io_error = true;
                if json {
                    println!(
                        "{}",
                        serde_json::json!({ "file": file, "ok": false, "io_error": io })
                    );
                } else {
                    eprintln!("{file}: error: {io}");
                }
            }
            Ok(Ok((format, parsed))) => {
                let (n, serial) = (parsed.features.len(), parsed.serial);
                if json {
                    let serial = (format != Format::Rows).then_some(serial);
                    println!(
                        "{}",
                        serde_json::json!({ "file": file, "ok": true, "format": format.name(), "features": n, "serial": serial })
                    );
                } else if format == Format::Rows {
                    println!("{file}: ok ({n} features, JSON rows: no serial)");
                } else {
                    println!("{file}: ok ({n} features, serial {serial})");
                }
            }
            Ok(Err(e)) => {
                invalid = true;
                if json {
                    println!(
                        "{}",
                        serde_json::json!({
                            "file": file, "ok": false, "kind": e.kind().name(),
                            "position": position_json(e.position()), "message": e.message(),
                        })
                    );
                } else {
                    println!("{}", report(path, &e));
                }
            }
        }
    }
    if io_error {
        Err(Failure::Usage("some files could not be read".into()))
    } else if invalid {
        Err(Failure::Invalid)
    } else {
        Ok(())
    }
}

/// Reads and parses one file, printing the error if it is invalid.
fn load(path: &Path, rows_serial: Option<u64>) -> Result<(Format, FeatureFile), Failure> {
    let limits = Limits::DEFAULT;
    let bytes = io::read_bounded(path, &limits)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    let parsed = bytes.and_then(|b| {
        if Format::detect(&b) == Format::Rows && rows_serial.is_none() {
            return Ok(None);
        }
        parse_any(&b, rows_serial.unwrap_or(0), &limits).map(Some)
    });
    match parsed {
        Ok(Some(ok)) => Ok(ok),
        Ok(None) => Err(Failure::Usage(format!(
            "{}: JSON rows carry no serial: give --serial N",
            path.display()
        ))),
        Err(e) => {
            eprintln!("{}", report(path, &e));
            Err(Failure::Invalid)
        }
    }
}

fn compile(input: &Path, output: &Path, serial: Option<u64>) -> Result<(), Failure> {
    let (_, mut file) = load(input, serial)?;
    if let Some(serial) = serial {
        file.serial = serial;
    }
    let bytes = botfeat::binary::encode(&file).map_err(|e| {
        eprintln!("{}", report(input, &e));
        Failure::Invalid
    })?;
    io::write_atomic(output, &bytes)
        .map_err(|e| Failure::Usage(format!("{}: {e}", output.display())))?;
    eprintln!(
        "{}: {} features, serial {}, {} bytes",
        output.display(),
        file.features.len(),
        file.serial,
        bytes.len()
    );
    Ok(())
}

fn decompile(input: &Path, output: Option<&Path>) -> Result<(), Failure> {
    let (_, file) = load(input, None)?;
    let text = botfeat::text::write(&file).map_err(|e| {
        eprintln!(
            "{}: error: cannot be written as text: {}",
            input.display(),
            e
        );
        Failure::Invalid
    })?;
    match output {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(out) => io::write_atomic(out, text.as_bytes())
            .map_err(|e| Failure::Usage(format!("{}: {e}", out.display()))),
    }
}

fn diff(
    old: &Path,
    new: &Path,
    max_change_pct: u32,
    old_serial: u64,
    new_serial: u64,
) -> Result<(), Failure> {
    let (_, running) = load(old, Some(old_serial))?;
    let (_, candidate) = load(new, Some(new_serial))?;
    let policy = RolloutPolicy {
        max_change_pct,
        ..RolloutPolicy::default()
    };
    let verdict = check_rollout(&running, &candidate, &policy);
    print!("{verdict}");
    if verdict.is_safe() {
        Ok(())
    } else {
        Err(Failure::Invalid)
    }
}

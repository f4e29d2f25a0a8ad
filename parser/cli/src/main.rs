//! `botfeat`: check, compile, decompile and diff feature files.
//!
//! Exit codes: 0 all good; 1 a file is invalid (or, for `diff`, refused); 2 usage or I/O error;
//! 141 standard output closed early (`| head`), quietly, as a Unix tool killed by SIGPIPE.
//! Streams: `check` writes one result line per file to stdout (valid and invalid alike) and I/O
//! errors to stderr; the other commands write their data (text, binary with `-o -`, the verdict)
//! to stdout and every message to stderr. `-` names standard input (and output for `-o`).

mod io;
mod out;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use botfeat::runtime::{RolloutPolicy, check_rollout};
use botfeat::{Error, FeatureFile, FeatureType, Format, Limits, Name, Position, parse_any};
use clap::{Parser, Subcommand};
use out::{Failure, Out, count, err_line, path};

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
        /// Files to check (`-`: standard input).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON object per file instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Compile text or JSON rows to the binary format.
    Compile {
        /// Text (`.features`) or JSON rows (`-`: standard input).
        input: PathBuf,
        /// Output `.bff` (`-`: standard output). A regular file is written through a temporary
        /// file and renamed, so it is never half-written; a device or FIFO is written directly.
        #[arg(short, long)]
        output: PathBuf,
        /// The serial: required for JSON rows, overrides the text file's own.
        #[arg(long)]
        serial: Option<u64>,
    },
    /// Write a file (binary, text or JSON rows) as canonical text.
    Decompile {
        /// Input (`-`: standard input).
        input: PathBuf,
        /// Output file; standard output if absent or `-`.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The serial to give JSON rows (they carry none).
        #[arg(long)]
        serial: Option<u64>,
    },
    /// The rollout guard's verdict on replacing OLD with NEW: exit 0 safe, 1 refused.
    Diff {
        /// The running file.
        old: PathBuf,
        /// The candidate.
        new: PathBuf,
        /// Largest allowed change in feature count (and churn), in percent.
        #[arg(long, default_value_t = RolloutPolicy::default().max_change_pct)]
        max_change_pct: u32,
        /// Largest allowed step up in serial.
        #[arg(long, default_value_t = RolloutPolicy::default().max_serial_jump)]
        max_serial_jump: u64,
        /// The consumer's contract: a file of `NAME TYPE` lines (`#` comments) that NEW must
        /// provide, with those types.
        #[arg(long, value_name = "FILE")]
        require: Option<PathBuf>,
        /// Serial for OLD when it is JSON rows.
        #[arg(long, default_value_t = 0)]
        old_serial: u64,
        /// Serial for NEW when it is JSON rows.
        #[arg(long, default_value_t = 1)]
        new_serial: u64,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with status 0, usage errors to stderr with 2; a
            // closed pipe is no reason to panic.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let mut stdout = Out::new();
    let result = run(cli.command, &mut stdout);
    // What was written is flushed whatever the outcome (a refused `diff` still prints its
    // verdict); a closed pipe found then ends the command as one.
    let result = match (result, stdout.finish()) {
        (_, Err(Failure::ClosedPipe)) => Err(Failure::ClosedPipe),
        (Ok(()), flushed) => flushed,
        (failed, _) => failed,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Invalid) => ExitCode::from(1),
        Err(Failure::Usage(message)) => {
            err_line(&format!("botfeat: error: {message}"));
            ExitCode::from(2)
        }
        Err(Failure::ClosedPipe) => ExitCode::from(141),
    }
}

fn run(command: Command, stdout: &mut Out) -> Result<(), Failure> {
    match command {
        Command::Check { files, json } => check(&files, json, stdout),
        Command::Compile {
            input,
            output,
            serial,
        } => compile(&input, &output, serial, stdout),
        Command::Decompile {
            input,
            output,
            serial,
        } => decompile(&input, output.as_deref(), serial, stdout),
        Command::Diff {
            old,
            new,
            max_change_pct,
            max_serial_jump,
            require,
            old_serial,
            new_serial,
        } => {
            let required = match &require {
                Some(p) => read_contract(p)?,
                None => Vec::new(),
            };
            let policy = RolloutPolicy {
                max_change_pct,
                max_serial_jump,
                required,
                ..RolloutPolicy::default()
            };
            diff(&old, &new, &policy, old_serial, new_serial, stdout)
        }
    }
}

/// `FILE:LINE:COL: error: …`, `FILE: row N: error: …`, `FILE: byte N: error: …`, `FILE: error: …`.
/// The message is already escaped by the library; the path is escaped here.
fn report(p: &Path, e: &Error) -> String {
    let file = path(p);
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

fn check(files: &[PathBuf], json: bool, stdout: &mut Out) -> Result<(), Failure> {
    let limits = Limits::DEFAULT;
    let mut invalid = false;
    let mut io_error = false;
    for p in files {
        let outcome =
            io::read_bounded(p, &limits).map(|bytes| bytes.and_then(|b| parse_any(&b, 0, &limits)));
        let file = path(p);
        match outcome {
            Err(e) => {
                io_error = true;
                let e = botfeat::shown::untrusted(&e);
                if json {
                    stdout.line(
                        &serde_json::json!({ "file": file, "ok": false, "io_error": e })
                            .to_string(),
                    )?;
                } else {
                    err_line(&format!("{file}: error: {e}"));
                }
            }
            Ok(Ok((format, parsed))) => {
                let (n, serial) = (parsed.features.len(), parsed.serial);
                let line = if json {
                    let serial = (format != Format::Rows).then_some(serial);
                    serde_json::json!({ "file": file, "ok": true, "format": format.name(), "features": n, "serial": serial }).to_string()
                } else if format == Format::Rows {
                    format!("{file}: ok ({}, JSON rows: no serial)", count(n, "feature"))
                } else {
                    format!("{file}: ok ({}, serial {serial})", count(n, "feature"))
                };
                stdout.line(&line)?;
            }
            Ok(Err(e)) => {
                invalid = true;
                let line = if json {
                    serde_json::json!({
                        "file": file, "ok": false, "kind": e.kind().name(),
                        "position": position_json(e.position()), "message": e.message(),
                    })
                    .to_string()
                } else {
                    report(p, &e)
                };
                stdout.line(&line)?;
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

/// Reads and parses one file, writing the error to stderr if it is invalid.
fn load(p: &Path, rows_serial: Option<u64>) -> Result<(Format, FeatureFile), Failure> {
    let limits = Limits::DEFAULT;
    let bytes = io::read_bounded(p, &limits).map_err(|e| io_failure(p, &e))?;
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
            path(p)
        ))),
        Err(e) => {
            err_line(&report(p, &e));
            Err(Failure::Invalid)
        }
    }
}

/// Writes `bytes` to `output` (`-`: standard output).
fn write_output(output: &Path, bytes: &[u8], stdout: &mut Out) -> Result<(), Failure> {
    if io::is_std(output) {
        return stdout.bytes(bytes);
    }
    io::write_file(output, bytes).map_err(|e| io_failure(output, &e))
}

/// An I/O error on `p`, as a usage failure (exit 2): the path and the error, both escaped.
fn io_failure(p: &Path, e: &str) -> Failure {
    Failure::Usage(format!("{}: {}", path(p), botfeat::shown::untrusted(e)))
}

/// Reads `input`; `--serial` gives JSON rows their serial and overrides any other file's.
fn load_with_serial(input: &Path, serial: Option<u64>) -> Result<FeatureFile, Failure> {
    let (_, mut file) = load(input, serial)?;
    if let Some(serial) = serial {
        file.serial = serial;
    }
    Ok(file)
}

fn compile(
    input: &Path,
    output: &Path,
    serial: Option<u64>,
    stdout: &mut Out,
) -> Result<(), Failure> {
    let file = load_with_serial(input, serial)?;
    let bytes = botfeat::binary::encode(&file).map_err(|e| {
        err_line(&report(input, &e));
        Failure::Invalid
    })?;
    write_output(output, &bytes, stdout)?;
    err_line(&format!(
        "{}: {}, serial {}, {} bytes",
        path(output),
        count(file.features.len(), "feature"),
        file.serial,
        bytes.len()
    ));
    Ok(())
}

fn decompile(
    input: &Path,
    output: Option<&Path>,
    serial: Option<u64>,
    stdout: &mut Out,
) -> Result<(), Failure> {
    let file = load_with_serial(input, serial)?;
    let text = botfeat::text::write(&file).map_err(|e| {
        err_line(&format!(
            "{}: error: cannot be written as text: {e}",
            path(input)
        ));
        Failure::Invalid
    })?;
    write_output(output.unwrap_or(Path::new("-")), text.as_bytes(), stdout)
}

/// The consumer contract: `NAME TYPE` per line, `#` comments, blank lines ignored.
fn read_contract(p: &Path) -> Result<Vec<(Name, FeatureType)>, Failure> {
    let bytes = io::read_bounded(p, &Limits::DEFAULT)
        .map_err(|e| io_failure(p, &e))?
        .map_err(|e| Failure::Usage(report(p, &e)))?;
    let text =
        String::from_utf8(bytes).map_err(|_| Failure::Usage(format!("{}: not UTF-8", path(p))))?;
    let mut required = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default();
        let words: Vec<&str> = line.split_whitespace().collect();
        let bad = || {
            Failure::Usage(format!(
                "{}:{}: expected `NAME TYPE` (a feature name and a type such as u32 or str(36)), found {:?}",
                path(p),
                i.saturating_add(1),
                botfeat::shown::untrusted(line.trim())
            ))
        };
        match words.as_slice() {
            [] => {}
            [name, ty] => required.push((
                Name::from(*name),
                ty.parse::<FeatureType>().map_err(|_| bad())?,
            )),
            _ => return Err(bad()),
        }
    }
    Ok(required)
}

fn diff(
    old: &Path,
    new: &Path,
    policy: &RolloutPolicy,
    old_serial: u64,
    new_serial: u64,
    stdout: &mut Out,
) -> Result<(), Failure> {
    let (_, running) = load(old, Some(old_serial))?;
    let (_, candidate) = load(new, Some(new_serial))?;
    let verdict = check_rollout(&running, &candidate, policy);
    stdout.bytes(verdict.to_string().as_bytes())?;
    if verdict.is_safe() {
        Ok(())
    } else {
        Err(Failure::Invalid)
    }
}

//! A hunt target traced by the tool (`cargo_harness::trace`, `HARNESS_KEEP=traced`): it writes
//! nothing per input, and the input a stack overflow killed it on is still in the keeper's file —
//! copied by the tracer from its memory; other signals reach it as they came; where no tracer
//! attaches it keeps its inputs itself. A test with its own `main`: the parser must run on the
//! process's main thread (its stack is the lowered one), which libtest never uses for tests.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use std::hint::black_box;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cargo_harness::process;
use nix::sys::signal::Signal;

/// Set in a child: the scenario it runs.
const CHILD: &str = "HARNESS_TRACE_TEST_CHILD";

/// Recursive descent over `[`, 256 bytes of frame a level, no depth limit.
fn nest(input: &[u8]) -> usize {
    let frame = black_box([input.len() as u8; 256]);
    match input.first() {
        Some(b'[') => black_box(nest(&input[1..])) + usize::from(frame[0] & 1) + 1,
        _ => 0,
    }
}

fn parse(data: &[u8]) {
    black_box(nest(data));
}

/// Deep enough to overflow the child's 128 KiB stack (2,000 levels of 256+ bytes).
fn deep() -> Vec<u8> {
    let mut input = vec![b'['; 2000];
    input.extend_from_slice(b"deep");
    input
}

/// Whether the keeper's file says the process relies on a tracer (holds its slot's address).
fn relies_on_tracer(file: &Path) -> bool {
    harness::keep::traced_slot(&std::fs::read(file).unwrap()).is_some()
}

/// The child: a few shallow inputs, a signal it handles, then what the scenario ends with.
fn child(scenario: &str) {
    let file = PathBuf::from(std::env::var(harness::keep::LAST_INPUT_ENV).unwrap());
    for input in [&b"[["[..], b"[[[[x", b""] {
        harness::hunt::run(input, parse);
    }
    // Delivered through the tracer, which stops the process at it.
    let got = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGUSR1, Arc::clone(&got)).unwrap();
    nix::sys::signal::raise(nix::sys::signal::Signal::SIGUSR1).unwrap();
    println!("signal handled: {}", got.load(Ordering::SeqCst));
    println!("relies on a tracer: {}", relies_on_tracer(&file));
    match scenario {
        "overflow" => harness::hunt::run(&deep(), parse),
        _ => std::process::exit(7),
    }
}

/// Runs `scenario` in a child on a 128 KiB stack (the parser's: 96 KiB), keeping into a file of
/// its own, traced when `traced`: how it ended, what it printed, and the input the file holds.
fn run(scenario: &str, traced: bool) -> (process::Ended, String, Option<Vec<u8>>) {
    let dir = std::env::temp_dir().join(format!(
        "harness-trace-{}-{scenario}-{traced}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("last-input");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -s 128; exec \"$0\"")
        .arg(std::env::current_exe().unwrap())
        .env(CHILD, scenario)
        .env(harness::hunt::ON_MAIN_STACK_ENV, "1")
        .env("HARNESS_STACK", (96 * 1024).to_string())
        .env(harness::keep::LAST_INPUT_ENV, &file)
        .env(harness::keep::KEEP_ENV, harness::keep::KEEP_TRACED)
        .env("RUST_BACKTRACE", "0");
    let log = dir.join("log");
    let trace = traced.then_some(file.as_path());
    let ended = process::run_pair(cmd, &log, trace, None, Duration::from_secs(60)).unwrap();
    let (status, text) = ended.main;
    let kept = std::fs::read(&file)
        .ok()
        .and_then(|bytes| harness::keep::read_kept(&bytes).map(<[u8]>::to_vec));
    std::fs::remove_dir_all(&dir).unwrap();
    (status, text, kept)
}

fn main() {
    if let Ok(scenario) = std::env::var(CHILD) {
        return child(&scenario);
    }

    // Traced: the overflow's input is in the file though the process wrote none of its inputs.
    let (ended, text, kept) = run("overflow", true);
    let traced = cargo_harness::trace::wanted();
    if !traced {
        eprintln!("note: tracing is not allowed here; the process kept its inputs itself");
    }
    // SIGSEGV in a libFuzzer binary; here Rust's runtime catches the guard page and aborts.
    let status = ended.status.unwrap();
    assert!(
        [Signal::SIGSEGV, Signal::SIGABRT]
            .map(|s| s as i32)
            .contains(&status.signal().unwrap_or(0)),
        "{status:?}\n{text}"
    );
    assert!(text.contains("signal handled: true"), "{text}");
    assert!(
        text.contains(&format!("relies on a tracer: {traced}")),
        "{text}"
    );
    assert!(
        kept.as_deref() == Some(&deep()[..]),
        "kept {:?} bytes\n{text}",
        kept.map(|k| k.len())
    );

    // A clean exit goes through the tracer with its code, and names no input.
    let (ended, text, kept) = run("exit", true);
    assert_eq!(ended.status.unwrap().code(), Some(7), "{text}");
    assert!(text.contains("signal handled: true"), "{text}");
    // Untraced, it wrote its last input (the empty one) itself.
    let expected: Option<&[u8]> = if traced { None } else { Some(b"") };
    assert_eq!(kept.as_deref(), expected, "{text}");

    // Asked to rely on a tracer that never comes, it keeps its inputs itself.
    let (ended, text, kept) = run("overflow", false);
    assert!(ended.status.unwrap().signal().is_some(), "{text}");
    assert!(text.contains("relies on a tracer: false"), "{text}");
    assert!(
        kept.as_deref() == Some(&deep()[..]),
        "kept {:?} bytes\n{text}",
        kept.map(|k| k.len())
    );
    println!("trace: ok");
}

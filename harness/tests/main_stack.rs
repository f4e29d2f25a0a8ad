//! `harness::hunt::run` on the main thread (`HARNESS_ON_MAIN_STACK`, as the hunt tool runs it):
//! the process's lowered stack limit is the small stack, a panic still reaches libFuzzer, and a
//! known panic is looked past. A test with its own `main`: the parser must run on the process's
//! main thread, which the libtest harness never uses for tests.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use std::hint::black_box;
use std::process::Command;

const CHILD: &str = "HARNESS_MAIN_STACK_TOY";
/// Set in a child that runs one of [`keep_scenario`]'s sequences instead.
const KEEP_CHILD: &str = "HARNESS_MAIN_STACK_KEEP";
/// The parser's stack in the keep scenarios, and the limit the child runs under (32 KiB more).
const KEEP_STACK: usize = 128 * 1024;
const KEEP_KIB: usize = 160;

/// Recursive descent over `[`, 256 bytes of frame a level, no depth limit.
fn nest(input: &[u8]) -> usize {
    let frame = black_box([input.len() as u8; 256]);
    match input.first() {
        Some(b'[') => black_box(nest(&input[1..])) + usize::from(frame[0] & 1) + 1,
        Some(b'!') => panic!("toy panic"),
        _ => 0,
    }
}

fn parse(data: &[u8]) {
    black_box(nest(data));
}

/// Runs this binary as a child on `input`, its stack limit lowered to `kib`; its exit status.
fn child(input: &[u8], kib: usize, known: &str) -> std::process::Output {
    let exe = std::env::current_exe().unwrap();
    let file = std::env::temp_dir().join(format!("harness-main-stack-{}", std::process::id()));
    std::fs::write(&file, input).unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -s {kib}; exec \"$0\""))
        .arg(&exe)
        .env(CHILD, &file)
        .env(harness::hunt::ON_MAIN_STACK_ENV, "1")
        .env(harness::crash::KNOWN_PANICS_ENV, known)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    out
}

/// What the keeper's file holds: the input, or `None`.
fn kept(file: &std::path::Path) -> Option<Vec<u8>> {
    let bytes = std::fs::read(file).unwrap();
    harness::keep::read_kept(&bytes).map(<[u8]>::to_vec)
}

/// Levels of [`nest`] that use more than half of [`KEEP_STACK`] and less than all of it.
const DEEP: usize = 300;
/// Levels that overflow it.
const OVERFLOW: usize = 2000;

/// One sequence of inputs under `HARNESS_KEEP=risky`, in a child; asserts what the file holds
/// between them. A scenario that ends in an overflow dies, and the parent reads the file.
fn keep_scenario(name: &str, file: &std::path::Path) {
    let shallow = b"[[[".to_vec();
    let other = b"[[[[x".to_vec();
    let run = |input: &[u8], vouched: bool| {
        if vouched {
            // What the hunt's mutator says of a mutant that grew by a few bytes.
            harness::keep::vouch(input.len().saturating_sub(2), input.len());
        }
        harness::hunt::run(input, parse);
    };
    match name {
        // An input the mutator did not make is written; a short mutant is not, and the file
        // then says so instead of naming the earlier input.
        "short-mutant" => {
            run(&shallow, false);
            assert_eq!(kept(file), Some(shallow.clone()));
            run(&other, true);
            assert_eq!(kept(file), None);
            run(&other, true);
            assert_eq!(kept(file), None);
            // A mutant that grew by more than the vouched growth is written.
            harness::keep::vouch(1, other.len() + harness::keep::VOUCHED_GROWTH);
            run(&other, false);
            assert_eq!(kept(file), Some(other.clone()));
        }
        // Once the parser has used half its stack, every input is written.
        "deep-stack" => {
            assert_eq!(harness::keep::check_stack(KEEP_STACK), Some(false));
            run(&vec![b'['; DEEP], false);
            assert_eq!(harness::keep::check_stack(KEEP_STACK), Some(true));
            run(&other, true);
            assert_eq!(kept(file), Some(other.clone()));
        }
        // A short mutant that overflows anyway (the jump the watcher could not see coming)
        // dies with the file holding no input — never the earlier one.
        "overflow-unwritten" => {
            run(&shallow, false);
            run(&vec![b'['; OVERFLOW], true);
        }
        // An overflowing input the mutator did not make is written before it runs.
        "overflow-written" => {
            run(&shallow, true);
            run(&vec![b'['; OVERFLOW], false);
        }
        _ => panic!("no keep scenario {name}"),
    }
}

/// Runs [`keep_scenario`] `name` in a child on the lowered stack; its exit status and what the
/// file holds at the end.
fn keep_child(name: &str) -> (std::process::ExitStatus, Option<Vec<u8>>) {
    let exe = std::env::current_exe().unwrap();
    let file = std::env::temp_dir().join(format!("harness-keep-{name}-{}", std::process::id()));
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -s {KEEP_KIB}; exec \"$0\""))
        .arg(&exe)
        .env(KEEP_CHILD, name)
        .env(harness::hunt::ON_MAIN_STACK_ENV, "1")
        .env(harness::stack::STACK_ENV, KEEP_STACK.to_string())
        .env(harness::keep::LAST_INPUT_ENV, &file)
        .env(harness::keep::KEEP_ENV, harness::keep::KEEP_RISKY)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let held = kept(&file);
    let _ = std::fs::remove_file(&file);
    if out.status.code().is_some_and(|c| c != 0) {
        panic!("keep scenario {name}: {out:?}");
    }
    (out.status, held)
}

fn main() {
    if let Ok(file) = std::env::var(CHILD) {
        let input = std::fs::read(file).unwrap();
        harness::hunt::run(&input, parse);
        return;
    }
    if let Ok(name) = std::env::var(KEEP_CHILD) {
        let file = std::env::var(harness::keep::LAST_INPUT_ENV).unwrap();
        keep_scenario(&name, std::path::Path::new(&file));
        return;
    }
    use std::os::unix::process::ExitStatusExt;

    // Shallow: passes within 128 KiB.
    let out = child(&[b'['; 50], 128, "");
    assert!(out.status.success(), "{out:?}");

    // 2,000 levels of 256+ bytes: over 512 KiB, so it overflows a 128 KiB main stack (killed by
    // a signal: nothing on the main thread catches the guard page), and passes with 8 MiB.
    let deep = [b'['; 2000];
    let out = child(&deep, 128, "");
    assert!(out.status.signal().is_some(), "128 KiB: {out:?}");
    let out = child(&deep, 8192, "");
    assert!(out.status.success(), "8 MiB: {out:?}");

    // A panic goes on (as libFuzzer's crash) unless it is known.
    let out = child(b"[[!", 8192, "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("toy panic"),
        "{out:?}"
    );
    let known = harness::crash::panic_signature("harness/tests/main_stack.rs:27:23", "toy panic");
    let out = child(b"[[!", 8192, &known);
    assert!(out.status.success(), "known: {out:?}");

    // Which inputs are written down (`harness::keep`).
    let (status, _) = keep_child("short-mutant");
    assert!(status.success());
    let (status, _) = keep_child("deep-stack");
    assert!(status.success());
    let (status, held) = keep_child("overflow-unwritten");
    assert!(status.signal().is_some(), "{status:?}");
    assert_eq!(held, None);
    let (status, held) = keep_child("overflow-written");
    assert!(status.signal().is_some(), "{status:?}");
    assert_eq!(held, Some(vec![b'['; OVERFLOW]));
    println!("main_stack: 9 checks passed");
}

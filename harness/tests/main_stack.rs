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

fn main() {
    if let Ok(file) = std::env::var(CHILD) {
        let input = std::fs::read(file).unwrap();
        harness::hunt::run(&input, parse);
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
    let known = harness::crash::panic_signature("harness/tests/main_stack.rs:22:23", "toy panic");
    let out = child(b"[[!", 8192, &known);
    assert!(out.status.success(), "known: {out:?}");
    println!("main_stack: 5 checks passed");
}

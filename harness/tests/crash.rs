//! A panic under the heap cap is a prompt crash report, whatever `RUST_BACKTRACE` says: the
//! crash hook lifts the cap and prints no backtrace. (Before it, printing the backtrace ran out of
//! the cap and the process hung until libFuzzer's timeout.)

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD: &str = "HARNESS_CRASH_TEST_CHILD";

harness::counting_allocator!();

fn child() {
    harness::crash::install();
    harness::alloc::install(&HARNESS_COUNTING_ALLOCATOR);
    harness::alloc::enforce();
    let _cap = harness::alloc::limit(64);
    let v: Vec<u8> = Vec::new();
    // An index panic while almost nothing may be allocated.
    let _ = std::hint::black_box(&v)[3];
}

#[test]
fn a_panic_under_the_heap_cap_reports_at_once_with_backtraces_on() {
    if std::env::var_os(CHILD).is_some() {
        child();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let start = Instant::now();
    let mut proc = Command::new(exe)
        .args([
            "a_panic_under_the_heap_cap_reports_at_once_with_backtraces_on",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("RUST_BACKTRACE", "full")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Generous for a loaded machine; a hang is stopped at 60 s and fails the test.
    let status = loop {
        if let Some(status) = proc.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            proc.kill().unwrap();
            panic!("the panicking child hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(proc.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(!status.success(), "the child's panic did not fail it");
    assert!(stderr.contains("index out of bounds"), "{stderr}");
    assert!(
        !stderr.contains("stack backtrace"),
        "a backtrace was printed: {stderr}"
    );
}

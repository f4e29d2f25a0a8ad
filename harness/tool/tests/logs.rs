//! The hunt tool reads libFuzzer's output right: recorded logs of each way a run ends.
#![allow(clippy::unwrap_used)]

use cargo_harness::logs::{Class, Ending, read};

fn log(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/logs/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn a_clean_run_gives_its_runs() {
    let s = read(&log("clean-exit.log"), true);
    assert_eq!(s.ending, Ending::Clean);
    assert_eq!(s.runs, Some(288_229));
    assert_eq!(s.artifact, None);
}

#[test]
fn a_panic_is_its_first_panic_not_the_abort_after_it() {
    let s = read(&log("panic-capacity-overflow.log"), false);
    let Ending::Panic { message, location } = &s.ending else {
        panic!("{:?}", s.ending)
    };
    assert_eq!(message, "capacity overflow");
    assert!(location.ends_with("raw_vec/mod.rs:28:5"), "{location}");
    assert_eq!(
        s.artifact.unwrap().to_str().unwrap(),
        "/tmp/logs/crash-3c26cf5a08175c33d794bedb16d9a85f80c5baed"
    );
    assert_eq!(s.runs, Some(3));
}

#[test]
fn a_plain_targets_panic_with_a_thread_id_is_a_panic() {
    // Rust's default hook (a plain target has no harness hook) names the thread's id since 1.88:
    // `thread '<unnamed>' (27744) panicked at …`. Read as a crash, plain's panics would never
    // match a benchmark's panic.
    let s = read(&log("panic-plain-thread-id.log"), false);
    let Ending::Panic { message, location } = &s.ending else {
        panic!("{:?}", s.ending)
    };
    assert_eq!(message, "called `Option::unwrap()` on a `None` value");
    assert!(
        location.ends_with("hpack-0.3.0/src/decoder.rs:453:64"),
        "{location}"
    );
}

#[test]
fn a_silent_sigsegv_is_a_death_to_replay() {
    let s = read(&log("stack-overflow-sigsegv.log"), false);
    assert_eq!(s.ending, Ending::Died);
    assert_eq!(s.ending.class(), Class::StackOverflow);
    assert_eq!(s.artifact, None);
}

#[test]
fn timeouts_and_memory_limits_are_told_apart() {
    let t = read(&log("timeout.log"), false);
    assert_eq!(t.ending, Ending::Timeout);
    assert!(t.artifact.unwrap().to_str().unwrap().contains("/timeout-"));
    let m = read(&log("oom-malloc.log"), false);
    assert_eq!(m.ending, Ending::OutOfMemory("(malloc(4294967296))".into()));
    assert_eq!(m.ending.class(), Class::Heap);
}

#[test]
fn signatures_ignore_numbers_but_not_places() {
    let a = Ending::Panic {
        message: "index out of bounds: the len is 3 but the index is 7".into(),
        location: "src/parser.rs:10:5".into(),
    };
    let b = Ending::Panic {
        message: "index out of bounds: the len is 4 but the index is 9".into(),
        location: "src/parser.rs:10:5".into(),
    };
    let c = Ending::Panic {
        message: "index out of bounds: the len is 4 but the index is 9".into(),
        location: "src/scanner.rs:88:1".into(),
    };
    assert_eq!(a.signature(), b.signature());
    assert_ne!(a.signature(), c.signature());
}

#[test]
fn the_latest_status_line_is_read_for_progress() {
    let log = "INFO: Seed: 1\n#2\tINITED cov: 10 ft: 11 corp: 3/30b exec/s: 0 rss: 30Mb\n\
               #4096\tpulse  cov: 120 ft: 300 corp: 45/1200b lim: 4 exec/s: 2048 rss: 40Mb\n\
               #8192\tNEW    cov: 121 ft: 301 corp: 46/1210b lim: 4 exec/s: 4096 rss: 41Mb L: 9/9 MS: 1 ChangeBit-\n";
    let s = cargo_harness::logs::latest_status(log).unwrap();
    assert_eq!(
        (s.runs, s.coverage, s.corpus, s.exec_per_sec),
        (8192, Some(121), Some(46), Some(4096))
    );
    assert_eq!(cargo_harness::logs::latest_status("INFO: Seed: 1\n"), None);
}

#[test]
fn a_target_that_exits_is_a_crash_libfuzzer_names() {
    let log = "#1\tINITED\n==1234== ERROR: libFuzzer: fuzz target exited\nSUMMARY: libFuzzer: fuzz target exited\n";
    let s = read(log, false);
    assert_eq!(s.ending, Ending::Crash("fuzz target exited".into()));
    assert_eq!(s.ending.class(), Class::Crash);
}

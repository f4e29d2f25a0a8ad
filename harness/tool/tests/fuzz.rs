//! `harness fuzz` (the fuzz campaign behind `fuzz/run`): what it reads from libFuzzer's logs and
//! the targets' options, and the table CI and `ci/plant-bugs.sh` read.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use cargo_harness::fuzz::{self as campaign, TargetRun};
use cargo_harness::logs::{self, Stats};

fn log(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/logs/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn target_run(target: &str, exit: Option<i32>, crash: Option<&str>) -> TargetRun {
    TargetRun {
        target: target.into(),
        exit,
        stats: Stats {
            runs: Some(1234),
            exec_per_sec: Some(567),
            coverage: Some(89),
            crash: crash.map(String::from),
        },
        corpus_before: 10,
        corpus_after: 13,
        seconds: 25.04,
        log: PathBuf::from("fuzz/logs/x.log"),
        crash: None,
        profile: None,
    }
}

#[test]
fn a_clean_runs_figures_are_read() {
    let s = logs::stats(&log("clean-exit.log"));
    assert_eq!(s.runs, Some(288_229));
    assert_eq!(s.exec_per_sec, Some(72_057));
    assert!(s.coverage.is_some_and(|c| c > 0), "{s:?}");
    assert_eq!(s.crash, None);
}

#[test]
fn a_crashs_saved_input_is_named() {
    let s = logs::stats(&log("panic-capacity-overflow.log"));
    assert_eq!(
        s.crash.as_deref(),
        Some("crash-3c26cf5a08175c33d794bedb16d9a85f80c5baed")
    );
}

#[test]
fn options_are_read_from_any_section() {
    let text = "[libfuzzer]\nmax_len = 65536\ndict = rows.dict\n";
    assert_eq!(campaign::option(text, "max_len").as_deref(), Some("65536"));
    assert_eq!(campaign::option(text, "dict").as_deref(), Some("rows.dict"));
    assert_eq!(campaign::option(text, "timeout"), None);
    // A key that only starts the same is another key.
    assert_eq!(campaign::option("max_len_x = 1\n", "max_len"), None);
}

#[test]
fn the_table_has_a_line_per_target_ending_in_its_result() {
    let table = campaign::table(&[
        target_run("parse_text", Some(0), None),
        target_run("parse_binary", Some(77), Some("crash-abc")),
        target_run("a_target_with_a_rather_long_name", None, None),
    ]);
    let lines: Vec<&str> = table.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(
        lines[1].starts_with("parse_text ") && lines[1].ends_with("  ok"),
        "{table}"
    );
    assert!(
        lines[1].contains(" 1234 ") && lines[1].contains(" 25.0 "),
        "{table}"
    );
    // corpus 13, new 3.
    assert!(
        lines[1].contains(" 13 ") && lines[1].contains(" 3 "),
        "{table}"
    );
    assert!(lines[2].ends_with("CRASH crash-abc"), "{table}");
    assert!(lines[3].ends_with("CRASH (killed)"), "{table}");
    // A long name widens the column instead of breaking it: every line's figures line up.
    let col = |l: &str| l.find(" 1234").or_else(|| l.find("runs")).unwrap();
    assert_eq!(col(lines[1]) + 4, col(lines[3]) + 4);
}

#[test]
fn a_crash_excerpt_keeps_the_panic_and_drops_the_backtrace() {
    let log = "INFO: Seed: 1\n#2 INITED cov: 3\nthread '<unnamed>' panicked at src/lib.rs:1:1:\nboom\nstack backtrace:\n   0: std::panicking::begin\n             at /rustc/x.rs:1\n==1== ERROR: libFuzzer: deadly signal\nMS: 1 ChangeBit-\n";
    let excerpt = logs::crash_excerpt(log);
    assert!(excerpt.contains("panicked at src/lib.rs:1:1"), "{excerpt}");
    assert!(excerpt.contains("boom"), "{excerpt}");
    assert!(excerpt.contains("deadly signal"), "{excerpt}");
    assert!(!excerpt.contains("std::panicking::begin"), "{excerpt}");
    assert!(!excerpt.contains("/rustc/x.rs"), "{excerpt}");
    assert!(!excerpt.contains("MS:"), "{excerpt}");
    assert_eq!(logs::crash_excerpt("all fine\n"), "");
    // cargo-fuzz's block after the run is left out, and a long quoted input is cut.
    let long = format!(
        "==== oracle violation\n  input: b\"{}\"\nSUMMARY: libFuzzer: deadly signal\nstat::peak_rss_mb: 39\n\n────\nFailing input:\n\n\tartifacts/x\nOutput of `std::fmt::Debug`:\n\n\t[1, 2, 3]\n",
        "x".repeat(5000)
    );
    let excerpt = logs::crash_excerpt(&long);
    assert!(
        excerpt.contains("oracle violation") && excerpt.contains("deadly signal"),
        "{excerpt}"
    );
    assert!(
        !excerpt.contains("Failing input") && !excerpt.contains("[1, 2, 3]"),
        "{excerpt}"
    );
    assert!(!excerpt.contains("stat::"), "{excerpt}");
    assert!(
        excerpt.lines().all(|l| l.chars().count() <= 241),
        "{excerpt}"
    );
    assert!(excerpt.contains('…'), "{excerpt}");
}

#[test]
fn json_lines_have_one_object_per_target_then_a_summary_with_the_commit() {
    let runs = vec![
        target_run("parse_text", Some(0), None),
        target_run("parse_binary", Some(1), Some("crash-ab12")),
    ];
    let json = campaign::json_lines(&runs, Some("abc1234"));
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{json}");
    assert_eq!(lines[0]["target"]["target"], "parse_text");
    assert_eq!(lines[0]["target"]["stats"]["exec_per_sec"], 567);
    assert_eq!(lines[1]["target"]["exit"], 1);
    assert_eq!(lines[1]["target"]["stats"]["crash"], "crash-ab12");
    assert_eq!(
        lines[2]["summary"],
        serde_json::json!({ "targets": 2, "crashed": ["parse_binary"], "commit": "abc1234" })
    );
}

#[test]
fn the_markdown_table_is_stamped_with_how_and_the_commit() {
    let runs = vec![target_run("parse_text", Some(0), None)];
    let md = campaign::markdown(&runs, "--seconds 30 --jobs 2 --stable", Some("abc1234"));
    assert!(md.contains("| parse_text | 567 | 1234 | 89 | ok |"), "{md}");
    assert!(
        md.contains(
            "Generated by `fuzz/run --seconds 30 --jobs 2 --stable --markdown` at commit abc1234"
        ),
        "{md}"
    );
}

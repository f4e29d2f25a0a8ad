//! `harness bench`: reading BUG files, recognizing the bug among findings, and the medians the
//! published table reports.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::PathBuf;

use cargo_harness::bench::{self, Run};
use cargo_harness::hunt::{Confirmation, Finding, Wanted};
use cargo_harness::logs::Class;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("harness-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn finding(class: Class, signature: &str, confirmed: bool) -> Finding {
    Finding {
        class,
        signature: signature.into(),
        confirmation: if confirmed {
            Confirmation::Confirmed("test".into())
        } else {
            Confirmation::Unconfirmed("test".into())
        },
        at: 1.0,
        saved: None,
        known: false,
        reproduce: String::new(),
    }
}

fn run(found_at: Option<f64>) -> Run {
    Run {
        found_at,
        exec_per_sec: 1000.0,
        partner_exec_per_sec: 0.0,
        wall: 60.0,
        fuzz_seconds: found_at.unwrap_or(60.0),
        other: Vec::new(),
    }
}

#[test]
fn a_bug_file_is_read_and_a_folder_of_them_found() {
    let root = scratch("find");
    let a = root.join("a_1_0");
    let b = root.join("b_2_0");
    let none = root.join("not_a_bug");
    for d in [&a, &b, &none] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(
        a.join("BUG"),
        "title: a 1.0: panics\nsource: https://example.org/1\nclass: panic\ncontains: index out of bounds\n",
    )
    .unwrap();
    std::fs::write(b.join("BUG"), "title: b\nclass: hang|heap\n").unwrap();
    let bugs = bench::find_bugs(std::slice::from_ref(&root)).unwrap();
    assert_eq!(bugs.len(), 2);
    assert_eq!(bugs[0].name, "a_1_0");
    assert_eq!(bugs[0].source, "https://example.org/1");
    assert_eq!(
        bugs[0].wanted,
        Wanted {
            classes: vec![Class::Panic],
            contains: Some("index out of bounds".into())
        }
    );
    assert_eq!(bugs[1].wanted.classes, vec![Class::Hang, Class::Heap]);
    assert_eq!(bugs[1].wanted.contains, None);
    // A directory given by itself.
    assert_eq!(bench::find_bugs(std::slice::from_ref(&b)).unwrap().len(), 1);
    // A folder with no bug in it is an error, not an empty benchmark.
    let err = bench::find_bugs(std::slice::from_ref(&none)).unwrap_err();
    assert!(err.contains("no BUG file"), "{err}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_bug_file_with_an_unknown_class_or_none_is_refused() {
    let root = scratch("bad");
    std::fs::write(root.join("BUG"), "title: x\nclass: segfault\n").unwrap();
    let err = bench::read_bug(&root).unwrap_err();
    assert!(
        err.contains("segfault") && err.contains("expected one of"),
        "{err}"
    );
    std::fs::write(root.join("BUG"), "title: x\n").unwrap();
    let err = bench::read_bug(&root).unwrap_err();
    assert!(err.contains("class"), "{err}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn only_a_confirmed_finding_of_the_class_and_words_is_the_bug() {
    let wanted = Wanted {
        classes: vec![Class::Panic],
        contains: Some("char boundary".into()),
    };
    assert!(wanted.matches(&finding(
        Class::Panic,
        "src/lib.rs:#:#: byte index # is not a char boundary",
        true
    )));
    // Unconfirmed never counts.
    assert!(!wanted.matches(&finding(Class::Panic, "is not a char boundary", false)));
    // Another panic of the same parser is another bug.
    assert!(!wanted.matches(&finding(Class::Panic, "index out of bounds", true)));
    assert!(!wanted.matches(&finding(Class::StackOverflow, "char boundary", true)));
    let alternatives = Wanted {
        classes: vec![Class::Heap, Class::Panic],
        contains: Some("heap|capacity overflow".into()),
    };
    assert!(alternatives.matches(&finding(Class::Heap, "heap", true)));
    assert!(alternatives.matches(&finding(
        Class::Panic,
        "raw_vec.rs:#:#: capacity overflow",
        true
    )));
    assert!(!alternatives.matches(&finding(Class::Panic, "index out of bounds", true)));
    let either = Wanted {
        classes: vec![Class::Hang, Class::Heap],
        contains: None,
    };
    assert!(either.matches(&finding(Class::Heap, "heap", true)));
    assert!(either.matches(&finding(Class::Hang, "hang", true)));
    assert!(!either.matches(&finding(Class::Panic, "x", true)));
}

#[test]
fn the_median_counts_a_miss_as_never() {
    assert_eq!(
        bench::median_time(&[run(Some(3.0)), run(Some(1.0)), run(Some(2.0))]),
        Some(2.0)
    );
    assert_eq!(
        bench::median_time(&[run(Some(3.0)), run(None), run(Some(1.0))]),
        Some(3.0)
    );
    // Found once in three: no median.
    assert_eq!(
        bench::median_time(&[run(Some(1.0)), run(None), run(None)]),
        None
    );
    assert_eq!(bench::median_time(&[]), None);
}

#[test]
fn the_table_has_a_row_per_bug_and_the_totals() {
    let root = scratch("table");
    std::fs::write(
        root.join("BUG"),
        "title: p 0.1: overflows\nsource: https://example.org/p\nclass: stack-overflow\n",
    )
    .unwrap();
    let bug = bench::read_bug(&root).unwrap().unwrap();
    let rows = vec![bench::Row {
        bug,
        hunt: vec![run(Some(0.5)), run(Some(0.7)), run(Some(0.6))],
        plain: vec![run(None), run(None), run(None)],
    }];
    let table = bench::table(&rows, 60, Some("abc1234"));
    assert!(
        table.contains("| [p 0.1: overflows](https://example.org/p) | stack-overflow | 3/3 | 0.6 | — | 0/3 | — (>60) | 1000 |"),
        "{table}"
    );
    assert!(table.contains("hunt 1/1, plain 0/1"), "{table}");
    // A hunt that fuzzed long enough shows its plain partner's rate beside its own.
    let busy = Run {
        partner_exec_per_sec: 2500.0,
        ..run(None)
    };
    let rows_busy = vec![bench::Row {
        hunt: vec![busy.clone(), busy.clone(), busy],
        ..rows[0].clone()
    }];
    let busy_table = bench::table(&rows_busy, 60, None);
    assert!(
        busy_table.contains("| 0/3 | — (>60) | 1000 (+2500; 40 %) | 0/3 |"),
        "{busy_table}"
    );
    assert!(table.contains("at commit abc1234"), "{table}");
    // The same results as JSON lines, stamped with the commit: one per bug, then the summary.
    let json = bench::json_lines(&rows, 60, Some("abc1234"));
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["bug"]["hunt"]["found"], 3);
    assert_eq!(
        lines[0]["bug"]["plain"]["median_s"],
        serde_json::Value::Null
    );
    assert_eq!(lines[0]["bug"]["classes"][0], "stack-overflow");
    assert_eq!(lines[1]["summary"]["commit"], "abc1234");
    assert_eq!(lines[1]["summary"]["hunt_found"], 1);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_parser_with_nothing_to_find_has_a_table_of_its_own() {
    let root = scratch("clean");
    std::fs::write(
        root.join("BUG"),
        "title: q 2.0 (fixed)\nsource: https://example.org/q\nclass: none\n",
    )
    .unwrap();
    let clean = bench::read_bug(&root).unwrap().unwrap();
    assert!(clean.nothing_to_find());
    // Nothing it confirms is the bug: every confirmed finding is listed as found anyway.
    assert!(
        !clean
            .wanted
            .matches(&finding(Class::Panic, "panic at x", true))
    );
    let hunt = Run {
        exec_per_sec: 900.0,
        partner_exec_per_sec: 1000.0,
        ..run(None)
    };
    let false_report = Run {
        other: vec!["panic: panic at q.rs:1:1".to_string()],
        ..run(None)
    };
    let rows = vec![bench::Row {
        bug: clean,
        hunt: vec![hunt.clone(), hunt.clone(), hunt],
        plain: vec![run(None), false_report, run(None)],
    }];
    let table = bench::table(&rows, 60, Some("abc1234"));
    // No bug rows: no bug table, and the second one says what it ran on.
    assert!(!table.contains("| bug | class"), "{table}");
    assert!(
        table.contains("Generated by `cargo harness bench` at commit abc1234"),
        "{table}"
    );
    assert!(
        table.contains(
            "| [q 2.0 (fixed)](https://example.org/q) | 900 (+1000; 90 %) | 1000 | 90 % | 0/3, 1/3 |"
        ),
        "{table}"
    );
    assert!(
        table.contains("-clean: also confirmed panic: panic at q.rs:1:1"),
        "{table}"
    );
    let json = bench::json_lines(&rows, 60, None);
    assert!(json.contains("\"nothing_to_find\":true"), "{json}");
    assert!(json.contains("\"bugs\":0"), "{json}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn the_size_of_a_failed_allocation_is_read() {
    use cargo_harness::hunt::requested_bytes;
    assert_eq!(
        requested_bytes("memory allocation of 4294967295 bytes failed"),
        Some(4_294_967_295)
    );
    assert_eq!(
        requested_bytes("==1== ERROR: libFuzzer: out-of-memory (malloc(5368709120))"),
        Some(5_368_709_120)
    );
    assert_eq!(
        requested_bytes("==1== ERROR: libFuzzer: out-of-memory (used: 4097Mb)"),
        None
    );
    assert_eq!(
        requested_bytes("memory allocation of many bytes failed"),
        None
    );
}

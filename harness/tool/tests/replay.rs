//! Corpus replay in child processes, with a stand-in judge: a crash or a hang is pinned on its
//! file and hides nothing; the `harness corpus` command reports, reproduces and exits by it.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use cargo_harness::corpus::replay::{self, Record, Run, Runner};
use harness::corpus::{Seed, TargetInfo};

/// A judge that reports every file as accepted, but aborts on a file containing CRASH, hangs on
/// one containing HANG and breaks an oracle on one containing BAD; its one target is `text`.
fn fake_judge(dir: &Path) -> PathBuf {
    let script = dir.join("fake-judge");
    std::fs::write(
        &script,
        r#"#!/bin/sh
case "$1" in
  targets) echo '{"name":"text","structure_aware":false}'; exit 0 ;;
  seeds) echo '{"target":"text","bytes":[104,105],"note":"hi"}'
         echo '{"target":"text","bytes":[121,111],"note":"yo"}'; exit 0 ;;
esac
shift 3
for f in "$@"; do
  if grep -q CRASH "$f"; then echo 'thread main panicked at x.rs:1:1: planted' >&2; kill -ABRT $$; fi
  if grep -q HANG "$f"; then exec sleep 30; fi
  if grep -q BAD "$f"; then printf '{"file":"%s","ok":false,"violation":"roundtrip differs"}\n' "$f"; continue; fi
  printf '{"file":"%s","ok":true}\n' "$f"
done
"#,
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    script
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("harness-replay-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn corpus_of(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    let corpus = dir.join("corpus").join("text");
    std::fs::create_dir_all(&corpus).unwrap();
    for (name, body) in files {
        std::fs::write(corpus.join(name), body).unwrap();
    }
    corpus
}

#[test]
fn a_crash_or_a_hang_is_pinned_on_its_file_and_hides_nothing() {
    let dir = scratch("pin");
    let corpus = corpus_of(
        &dir,
        &[
            ("a", "fine"),
            ("b", "CRASH"),
            ("c", "fine too"),
            ("d", "HANG"),
            ("e", "BAD"),
            ("f", "last"),
        ],
    );
    let runner = Runner {
        exe: fake_judge(&dir),
        per_file: Duration::from_secs(2),
    };
    let (counts, failures) =
        replay::replay(&runner, &dir.join("corpus"), &["text".to_string()]).unwrap();
    assert_eq!(counts, [("text".to_string(), 6)]);
    let failed: Vec<(String, String)> = failures
        .iter()
        .map(|f| {
            (
                f.path.file_name().unwrap().to_string_lossy().into_owned(),
                f.why.clone(),
            )
        })
        .collect();
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert_eq!(failed[0].0, "b");
    assert!(
        failed[0].1.starts_with("crashed: signal: 6"),
        "{}",
        failed[0].1
    );
    assert!(failed[0].1.contains("planted"), "{}", failed[0].1);
    assert_eq!(failed[1].0, "d");
    assert!(failed[1].1.starts_with("hung"), "{}", failed[1].1);
    assert_eq!(failed[2].0, "e");
    assert_eq!(failed[2].1, "oracle violation: roundtrip differs");
    let runs = runner
        .run("text", &[corpus.join("a"), corpus.join("f")])
        .unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|(_, r)| matches!(r, Run::Ok(_))));
}

#[test]
fn a_case_is_added_only_as_its_reviewer_says() {
    let dir = scratch("add");
    let runner = Runner {
        exe: fake_judge(&dir),
        per_file: Duration::from_secs(2),
    };
    let root = dir.join("corpus");
    let ok = dir.join("ok.txt");
    std::fs::write(&ok, "fine").unwrap();
    let crash = dir.join("crash.txt");
    std::fs::write(&crash, "CRASH").unwrap();
    let add = |file: &Path, record: &Record, aware: bool| {
        replay::add(&runner, &root, "text", aware, file, record, Some("why"))
    };
    // Nothing said: shown, not added.
    let asked = add(&ok, &Record::Ask, false).unwrap_err();
    assert!(
        asked.contains("it gives accepted") && asked.contains("--accept-current"),
        "{asked}"
    );
    assert!(!root.join("text").exists());
    // A crash is refused unless recorded as one; a known crash that does not crash is refused.
    assert!(
        add(&crash, &Record::AcceptCurrent, false)
            .unwrap_err()
            .contains("--known-crash")
    );
    assert!(
        add(&ok, &Record::KnownCrash, false)
            .unwrap_err()
            .contains("does not crash")
    );
    let line = add(&crash, &Record::KnownCrash, false).unwrap();
    assert!(line.ends_with(" crash  # why\n"), "{line}");
    // A structure-aware target's case pins only that it passes.
    let line = add(&ok, &Record::AcceptCurrent, true).unwrap();
    assert!(line.ends_with(" passes  # why\n"), "{line}");
    assert!(
        add(&ok, &Record::AcceptCurrent, true)
            .unwrap_err()
            .contains("already in the corpus")
    );
    // Replay: the known crash fails (still to fix), the passing case passes.
    let (_, failures) = replay::replay(&runner, &root, &["text".to_string()]).unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].why.starts_with("known crash, still to fix"),
        "{}",
        failures[0].why
    );
}

fn harness_corpus(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-harness"))
        .arg("corpus")
        .arg("--judge")
        .arg(fake_judge(dir))
        .arg("--root")
        .arg(dir.join("corpus"))
        .args(["--timeout", "2"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_corpus_command_reports_each_failure_with_its_reproduce_line_and_exits_1() {
    let dir = scratch("cli");
    corpus_of(&dir, &[("a", "fine"), ("b", "CRASH")]);
    let out = harness_corpus(&dir, &["replay"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("text    2 files replayed, 1 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("FAILED "), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "reproduce: cargo harness corpus --judge {} run-one --target text {}",
            dir.join("fake-judge").display(),
            dir.join("corpus/text/b").display()
        )),
        "{stdout}"
    );
    // An unknown target is a usage error naming the known ones.
    let out = harness_corpus(&dir, &["replay", "--target", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no target `nope`: expected one of text"),
        "{stderr}"
    );
    // `seed` adds the judge's seeds that are missing, once; `--first N` only each target's
    // first N.
    std::fs::remove_file(dir.join("corpus/text/b")).unwrap();
    let out = harness_corpus(&dir, &["seed", "--first", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 seeds added"));
    assert!(
        dir.join("corpus/text")
            .join(harness::corpus::content_name(b"hi"))
            .exists()
    );
    let out = harness_corpus(&dir, &["seed"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 seeds added"));
    let out = harness_corpus(&dir, &["seed"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 seeds added"));
    let out = harness_corpus(&dir, &["replay"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn targets_and_seeds_are_one_json_line_each() {
    let t = TargetInfo {
        name: "rows".into(),
        structure_aware: true,
    };
    assert_eq!(
        cargo_harness::corpus::target_json(&t),
        r#"{"name":"rows","structure_aware":true}"#
    );
    let s = Seed {
        target: "rows".into(),
        bytes: vec![0, 255, b'\n'],
        note: "edge \"bytes\"".into(),
    };
    assert_eq!(
        cargo_harness::corpus::seed_json(&s),
        r#"{"bytes":[0,255,10],"note":"edge \"bytes\"","target":"rows"}"#
    );
}

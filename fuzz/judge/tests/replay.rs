//! Corpus cases through botfeat's judge: expectations recorded and enforced. (The replay of the
//! saved corpus itself is `tests/corpus_replay.rs`; crashes and hangs pinned on their file are
//! the harness's own tests.)
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use botfeat_fuzz::Target;
use cargo_harness::corpus::replay::{self, Runner};
use harness::corpus::{Expectations, Expected};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")
}

#[test]
fn the_seed_corpus_covers_every_error_kind() {
    let mut kinds = BTreeSet::new();
    for t in [Target::ParseText, Target::ParseBinary, Target::IngestRows] {
        let e = Expectations::load(&root().join(t.name())).unwrap().unwrap();
        for name in e.names() {
            if let Expected::Rejected { kind, .. } = &e.get(name).unwrap().expected {
                kinds.insert(kind.clone());
            }
        }
    }
    let missing: Vec<&str> = botfeat::ErrorKind::ALL
        .iter()
        .map(|k| k.name())
        // `internal` is botfeat's own slip: no input may produce it.
        .filter(|k| !kinds.contains(*k) && *k != "internal")
        .collect();
    assert!(missing.is_empty(), "no corpus case for {missing:?}");
}

#[test]
fn a_wrong_expectation_fails_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("botfeat-expect-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let corpus = dir.join("parse_text");
    std::fs::create_dir_all(&corpus).unwrap();
    let runner = Runner {
        exe: PathBuf::from(env!("CARGO_BIN_EXE_corpus")),
        per_file: Duration::from_secs(10),
    };
    let input = dir.join("case.features");
    std::fs::write(
        &input,
        "botfeat 1\nserial 1\nfeature a u32\nfeature a u32\n",
    )
    .unwrap();
    // Refused when the given expectation is wrong; recorded when it is right.
    let wrong = Expected::parse("rejected too_many_features").unwrap();
    let err = replay::add(
        &runner,
        &dir,
        "parse_text",
        false,
        &input,
        &replay::Record::Expect(wrong.clone()),
        None,
    )
    .unwrap_err();
    assert!(err.contains("expected rejected too_many_features, but it gives rejected duplicate_name at line 4, column 9"), "{err}");
    // With no outcome given, the tool shows what the file does and adds nothing: a reviewer
    // never records today's behaviour by accident.
    let asked = replay::add(
        &runner,
        &dir,
        "parse_text",
        false,
        &input,
        &replay::Record::Ask,
        None,
    )
    .unwrap_err();
    assert!(
        asked.contains("it gives rejected duplicate_name at line 4, column 9")
            && asked.contains("--accept-current"),
        "{asked}"
    );
    let line = replay::add(
        &runner,
        &dir,
        "parse_text",
        false,
        &input,
        &replay::Record::AcceptCurrent,
        Some("dup"),
    )
    .unwrap();
    assert!(
        line.ends_with(" rejected duplicate_name at line 4, column 9  # dup\n"),
        "{line}"
    );
    assert!(
        replay::add(
            &runner,
            &dir,
            "parse_text",
            false,
            &input,
            &replay::Record::AcceptCurrent,
            None
        )
        .unwrap_err()
        .contains("already in the corpus")
    );
    assert!(
        replay::replay(&runner, &dir, &["parse_text".to_string()])
            .unwrap()
            .1
            .is_empty()
    );
    // A reviewer edits the expectation wrongly: replay names the file.
    let expect_path = Expectations::path_for(&corpus);
    let text = std::fs::read_to_string(&expect_path)
        .unwrap()
        .replace("line 4, column 9", "line 3, column 9");
    std::fs::write(&expect_path, text).unwrap();
    let (_, failures) = replay::replay(&runner, &dir, &["parse_text".to_string()]).unwrap();
    assert_eq!(failures.len(), 1);
    assert!(failures[0].why.contains("expected rejected duplicate_name at line 3, column 9 (line 1), got rejected duplicate_name at line 4, column 9"), "{}", failures[0].why);
    // And a known crash that no longer crashes fails too, asking for its outcome.
    let name = harness::corpus::content_name(&std::fs::read(&input).unwrap());
    std::fs::write(&expect_path, format!("{name} crash  # to fix\n")).unwrap();
    let (_, failures) = replay::replay(&runner, &dir, &["parse_text".to_string()]).unwrap();
    assert!(
        failures[0].why.contains("known crash"),
        "{}",
        failures[0].why
    );
}

//! The rustc wrapper a hunt builds through: which crates lose their coverage, and which
//! arguments go.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Path;

use cargo_harness::wrap::{crate_name, exclusive, harness_only, rustc_args};

fn args(words: &[&str]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}

/// What cargo-fuzz passes rustc for a crate (both spellings of `-C`), around the crate's own.
fn cargo_fuzz_args(name: &str) -> Vec<OsString> {
    args(&[
        "--crate-name",
        name,
        "--edition=2021",
        "src/lib.rs",
        "-C",
        "opt-level=3",
        "-Cpasses=sancov-module",
        "-Cllvm-args=-sanitizer-coverage-level=4",
        "-C",
        "llvm-args=-sanitizer-coverage-inline-8bit-counters",
        "-Cllvm-args=-sanitizer-coverage-trace-compares",
        "--cfg",
        "fuzzing",
        "-Cllvm-args=-simplifycfg-branch-fold-threshold=0",
        "-Cllvm-args=-sanitizer-coverage-stack-depth",
        "-Ccodegen-units=1",
    ])
}

#[test]
fn the_harness_crates_lose_every_coverage_option_and_nothing_else() {
    let out = rustc_args(&cargo_fuzz_args("harness"), &["harness", "fastrand"]);
    assert_eq!(
        out,
        args(&[
            "--crate-name",
            "harness",
            "--edition=2021",
            "src/lib.rs",
            "-C",
            "opt-level=3",
            "--cfg",
            "fuzzing",
            "-Cllvm-args=-simplifycfg-branch-fold-threshold=0",
            "-Ccodegen-units=1",
        ])
    );
}

#[test]
fn other_crates_keep_their_arguments_as_they_are() {
    let parser = cargo_fuzz_args("yaml_rust");
    assert_eq!(rustc_args(&parser, &["harness", "fastrand"]), parser);
    // A name that merely starts like an uninstrumented one is another crate.
    let similar = cargo_fuzz_args("harness_extra");
    assert_eq!(rustc_args(&similar, &["harness"]), similar);
    // rustc asked for its version or target info: no crate name, nothing to do.
    let query = args(&["-vV"]);
    assert_eq!(crate_name(&query), None);
    assert_eq!(rustc_args(&query, &["harness"]), query);
}

#[test]
fn only_what_the_fenced_crate_alone_reaches_is_exclusive() {
    // root → {harness, parser}; harness → {fastrand, memchr, cap}; parser → {memchr, serde};
    // cap → {libc}, serde → {libc}.
    let graph: HashMap<&str, Vec<&str>> = [
        ("root", vec!["harness", "parser"]),
        ("harness", vec!["fastrand", "memchr", "cap"]),
        ("parser", vec!["memchr", "serde"]),
        ("cap", vec!["libc"]),
        ("serde", vec!["libc"]),
    ]
    .into_iter()
    .collect();
    let mut only: Vec<&str> = exclusive(&graph, &["root"], &["harness"])
        .into_iter()
        .collect();
    only.sort_unstable();
    assert_eq!(only, ["cap", "fastrand", "harness"]);
}

#[test]
fn the_prefix_tag_toy_leaves_libfuzzer_and_the_parser_instrumented() {
    let toy = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/toys/prefix_tags");
    let only = harness_only(&toy).expect("cargo metadata on the toy");
    for name in ["harness", "fastrand", "sha1", "cap"] {
        assert!(only.iter().any(|c| c == name), "{name} not in {only:?}");
    }
    for name in ["libfuzzer_sys", "toy_prefix_tags", "arbitrary"] {
        assert!(!only.iter().any(|c| c == name), "{name} in {only:?}");
    }
}

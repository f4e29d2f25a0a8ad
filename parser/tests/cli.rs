//! The `botfeat` command line: output, exit codes, atomic writes, and no input that makes it panic.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn botfeat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_botfeat"))
        .args(args)
        .output()
        .unwrap()
}

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("botfeat-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn check_reports_each_file_and_exits_by_the_worst() {
    let good = fixture("valid/example.features");
    let o = botfeat(&["check", &good]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!("{good}: ok (6 features, serial 1732752000)\n")
    );

    let bad = fixture("invalid/unknown_type-u128.features");
    let rows = fixture("invalid/duplicate_name-18nov_doubled_rows.jsonl");
    let o = botfeat(&["check", &good, &bad, &rows]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains(&format!("{bad}:3:13: error: unknown type `u128`")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{rows}: row 61: error: duplicate feature `asn`")),
        "{out}"
    );

    let o = botfeat(&["check", "/no/such/file"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(botfeat(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn check_json_is_one_object_per_file() {
    let o = botfeat(&[
        "check",
        "--json",
        &fixture("valid/generator_60_rows.jsonl"),
        &fixture("invalid/value_out_of_range-u32.features"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(lines[0]["features"], 60);
    assert_eq!(lines[0]["serial"], serde_json::Value::Null);
    assert_eq!(lines[1]["kind"], "value_out_of_range");
    assert_eq!(lines[1]["position"]["line"], 3);
    assert_eq!(lines[1]["position"]["column"], 25);
}

#[test]
fn check_refuses_a_huge_file_without_reading_it() {
    let dir = scratch("huge");
    let huge = dir.join("huge.features");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(1 << 30).unwrap(); // sparse: 1 GiB that would take seconds to read
    let o = botfeat(&["check", huge.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("error: file is 1073741824 bytes: the limit is 1048576 bytes"));
}

#[test]
fn compile_decompile_compile_is_identical_and_writes_are_atomic() {
    let dir = scratch("compile");
    let out = dir.join("a.bff");
    let out_s = out.to_str().unwrap();
    let o = botfeat(&[
        "compile",
        &fixture("valid/crlf_tabs_comments.features"),
        "-o",
        out_s,
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let first = std::fs::read(&out).unwrap();
    let text = dir.join("a.features");
    assert_eq!(
        botfeat(&["decompile", out_s, "-o", text.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let out2 = dir.join("b.bff");
    assert_eq!(
        botfeat(&[
            "compile",
            text.to_str().unwrap(),
            "-o",
            out2.to_str().unwrap()
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(std::fs::read(&out2).unwrap(), first);
    // decompile to stdout is the canonical text.
    assert_eq!(
        stdout(&botfeat(&["decompile", out_s])).as_bytes(),
        std::fs::read(&text).unwrap()
    );

    // An invalid input leaves the existing output untouched and no temporary file behind.
    let o = botfeat(&[
        "compile",
        &fixture("invalid/too_many_features-201.features"),
        "-o",
        out_s,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read(&out).unwrap(), first);
    let new_out = dir.join("never.bff");
    botfeat(&[
        "compile",
        &fixture("invalid/bad_name-uppercase.features"),
        "-o",
        new_out.to_str().unwrap(),
    ]);
    assert!(!new_out.exists());
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names.len(),
        3,
        "only a.bff, a.features and b.bff: {names:?}"
    );
}

#[test]
fn compile_rows_needs_a_serial() {
    let dir = scratch("rows");
    let out = dir.join("g.bff");
    let rows = fixture("valid/generator_60_rows.jsonl");
    assert_eq!(
        botfeat(&["compile", &rows, "-o", out.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
    assert!(!out.exists());
    assert_eq!(
        botfeat(&[
            "compile",
            &rows,
            "-o",
            out.to_str().unwrap(),
            "--serial",
            "77"
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        stdout(&botfeat(&["check", out.to_str().unwrap()])),
        format!("{}: ok (60 features, serial 77)\n", out.display())
    );
}

#[test]
fn diff_gives_the_guard_verdict() {
    let dir = scratch("diff");
    let write = |name: &str, n: usize, serial: u64| {
        let mut f = common::features(n);
        f.serial = serial;
        let p = dir.join(name);
        std::fs::write(&p, botfeat::text::write(&f).unwrap()).unwrap();
        p.display().to_string()
    };
    let (a, b, c) = (write("a", 60, 1), write("b", 80, 2), write("c", 130, 3));
    let o = botfeat(&["diff", &a, &b]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("safe\n"));
    let o = botfeat(&["diff", &a, &c]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("refused: feature count changes from 60 to 130"));
    assert_eq!(
        botfeat(&["diff", &a, &c, "--max-change-pct", "200"])
            .status
            .code(),
        Some(0)
    );
}

/// Random and mutated files: every command exits 0, 1 or 2 — never 101 (panic) or a signal.
#[test]
fn no_input_makes_a_command_panic() {
    let dir = scratch("mutants");
    let seeds: Vec<Vec<u8>> = vec![
        std::fs::read(fixture("valid/example.features")).unwrap(),
        std::fs::read(fixture("valid/generator_60_rows.jsonl")).unwrap(),
        botfeat::binary::encode(&common::features(30)).unwrap(),
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut files = Vec::new();
    for i in 0..60 {
        let mut bytes = seeds[i % seeds.len()].clone();
        match i % 4 {
            0 => (0..1 + rand() % 8).for_each(|_| {
                let at = (rand() as usize) % bytes.len();
                bytes[at] ^= 1 << (rand() % 8);
            }),
            1 => bytes.truncate((rand() as usize) % bytes.len()),
            2 => bytes = (0..rand() % 200).map(|_| rand() as u8).collect(),
            _ => {
                let dup = bytes.clone();
                bytes.extend_from_slice(&dup);
            }
        }
        let p = dir.join(format!("m{i}"));
        std::fs::write(&p, bytes).unwrap();
        files.push(p.display().to_string());
    }
    let out = dir.join("out.bff").display().to_string();
    for f in &files {
        for args in [
            vec!["check", f.as_str()],
            vec!["compile", f.as_str(), "-o", out.as_str(), "--serial", "5"],
            vec!["decompile", f.as_str()],
            vec!["diff", files[0].as_str(), f.as_str()],
        ] {
            let o = botfeat(&args);
            assert!(
                matches!(o.status.code(), Some(0..=2)),
                "{args:?} → {:?}\n{}",
                o.status,
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
}

//! The `botfeat` command line: output, exit codes, atomic writes, and no input that makes it panic.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "../../tests/common/mod.rs"]
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
        .join("../tests/fixtures")
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
            let _ = std::fs::remove_file(&out);
            let o = botfeat(&args);
            assert!(
                matches!(o.status.code(), Some(0..=2)),
                "{args:?} → {:?}\n{}",
                o.status,
                String::from_utf8_lossy(&o.stderr)
            );
            // Nothing from the file reaches the terminal raw (decompile's stdout is canonical
            // text, which escapes control characters itself).
            for stream in [&o.stdout, &o.stderr] {
                assert!(
                    !has_raw_control(stream),
                    "{args:?} printed a raw control byte: {:?}",
                    String::from_utf8_lossy(stream)
                );
            }
            // An output file is whole (a valid binary file) or absent, never partial.
            if let Ok(written) = std::fs::read(&out) {
                assert_eq!(o.status.code(), Some(0), "{args:?} wrote but failed");
                assert!(
                    botfeat::binary::decode(&written).is_ok(),
                    "{args:?}: partial output"
                );
            }
        }
    }
}

/// A control byte other than newline, or a bidi override, in `bytes`.
fn has_raw_control(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes).chars().any(|c| {
        (c.is_control() && c != '\n')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    })
}

/// Runs `botfeat ARGS` with its standard output a pipe whose reader is already closed.
fn with_closed_stdout(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_botfeat"));
    cmd.args(args)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .stdin(if stdin.is_some() {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        });
    let mut child = cmd.spawn().unwrap();
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        let _ = pipe.write_all(input);
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let dir = scratch("pipe");
    let good = fixture("valid/example.features");
    let old = dir.join("old.bff");
    let new = dir.join("new.bff");
    std::fs::write(
        &old,
        botfeat::binary::encode(&common::features(10)).unwrap(),
    )
    .unwrap();
    let mut next = common::features(30);
    next.serial = 8;
    std::fs::write(&new, botfeat::binary::encode(&next).unwrap()).unwrap();
    let (old, new) = (old.display().to_string(), new.display().to_string());
    for args in [
        vec!["check", good.as_str()],
        vec!["check", "--json", good.as_str()],
        vec!["decompile", good.as_str()],
        vec!["decompile", good.as_str(), "-o", "-"],
        vec!["compile", good.as_str(), "-o", "-"],
        vec!["diff", old.as_str(), new.as_str()],
    ] {
        let o = with_closed_stdout(&args, None);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(141), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let o = with_closed_stdout(&["--help"], None);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
}

#[test]
fn hostile_names_and_contents_are_shown_escaped() {
    let dir = scratch("hostile");
    let evil_name = dir.join("evil\u{1b}[31m\u{202e}.features");
    std::fs::write(&evil_name, b"\x1b[2J\x1b[31mfeature x u8\n").unwrap();
    let rows = dir.join("rows.jsonl");
    std::fs::write(
        &rows,
        br#"{"name":"a","type":"UInt8","database":"\u001b[31mevil"}
{"name":"a","type":"UInt8","database":"\u202e\u0007"}
"#,
    )
    .unwrap();
    let missing = dir.join("gone\u{7}.bff");
    for args in [
        vec![
            "check".to_string(),
            evil_name.display().to_string(),
            rows.display().to_string(),
        ],
        vec![
            "check".to_string(),
            "--json".to_string(),
            evil_name.display().to_string(),
            rows.display().to_string(),
        ],
        vec!["check".to_string(), missing.display().to_string()],
        vec!["decompile".to_string(), evil_name.display().to_string()],
        vec![
            "compile".to_string(),
            rows.display().to_string(),
            "-o".to_string(),
            dir.join("o.bff").display().to_string(),
            "--serial".to_string(),
            "1".to_string(),
        ],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = botfeat(&args);
        assert!(matches!(o.status.code(), Some(1 | 2)), "{args:?}");
        for stream in [&o.stdout, &o.stderr] {
            assert!(
                !has_raw_control(stream),
                "{args:?}: {:?}",
                String::from_utf8_lossy(stream)
            );
        }
        let all = format!("{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
        assert!(
            all.contains("\\u{1b}") || all.contains("\\u{7}"),
            "{args:?}: {all}"
        );
    }
}

#[test]
fn writing_to_a_device_writes_it_and_a_directory_is_refused() {
    use std::os::unix::fs::FileTypeExt;
    let good = fixture("valid/example.features");
    let o = botfeat(&["compile", &good, "-o", "/dev/null"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    let dir = scratch("dir-out");
    let o = botfeat(&["compile", &good, "-o", &dir.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is a directory"));
    assert!(dir.is_dir());
    // A symbolic link to a file stays a link; its target gets the new content.
    let target = dir.join("real.bff");
    std::fs::write(&target, b"old").unwrap();
    let link = dir.join("link.bff");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = botfeat(&["compile", &good, "-o", &link.display().to_string()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(botfeat::binary::decode(&std::fs::read(&target).unwrap()).is_ok());
}

#[test]
fn dash_is_standard_input_and_output() {
    let text = std::fs::read(fixture("valid/example.features")).unwrap();
    let run = |args: &[&str], input: &[u8]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_botfeat"))
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        child.wait_with_output().unwrap()
    };
    let o = run(&["check", "-"], &text);
    assert_eq!(stdout(&o), "-: ok (6 features, serial 1732752000)\n");
    let bin = run(&["compile", "-", "-o", "-"], &text);
    assert_eq!(bin.status.code(), Some(0));
    assert!(botfeat::binary::decode(&bin.stdout).is_ok());
    let back = run(&["decompile", "-"], &bin.stdout);
    let canonical = botfeat::text::write(&botfeat::text::parse(&text).unwrap()).unwrap();
    assert_eq!(stdout(&back), canonical);
}

#[test]
fn decompile_takes_a_serial_for_rows_and_counts_read_well() {
    let rows = fixture("valid/generator_60_rows.jsonl");
    let o = botfeat(&["decompile", &rows, "--serial", "42"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).starts_with("botfeat 1\nserial 42\n"));
    let dir = scratch("one");
    let one = dir.join("one.features");
    std::fs::write(&one, "botfeat 1\nserial 3\nfeature a u8\n").unwrap();
    let o = botfeat(&["check", &one.display().to_string()]);
    assert!(
        stdout(&o).ends_with(": ok (1 feature, serial 3)\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn diff_refuses_what_breaks_the_contract_and_summarizes_changes() {
    let dir = scratch("contract");
    let old = dir.join("old.bff");
    let new = dir.join("new.bff");
    std::fs::write(
        &old,
        botfeat::binary::encode(&common::features(100)).unwrap(),
    )
    .unwrap();
    let mut next = common::features(140);
    next.serial = 8;
    std::fs::write(&new, botfeat::binary::encode(&next).unwrap()).unwrap();
    let contract = dir.join("needs.txt");
    std::fs::write(&contract, "# what the bot module reads\nf1 u32\nasn u32\n").unwrap();
    let (old, new, contract) = (
        old.display().to_string(),
        new.display().to_string(),
        contract.display().to_string(),
    );
    let o = botfeat(&["diff", &old, &new]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "safe\n  added: 40 (f100, f101, f102, f103, f104, f105, f106, f107 and 32 more)\n"
    );
    let o = botfeat(&["diff", &old, &new, "--require", &contract]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("refused: required feature `asn` (u32) is missing"),
        "{}",
        stdout(&o)
    );
    std::fs::write(&contract, "f1 u1024\n").unwrap();
    let o = botfeat(&["diff", &old, &new, "--require", &contract]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(":1: expected `NAME TYPE`"));
}

/// The sample session of parser/README.md, run in a copy of `examples/cli/`: every command
/// prints exactly what the README shows.
#[test]
fn the_readme_session_is_true() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("parser/README.md")).unwrap();
    let dir = scratch("readme");
    for entry in std::fs::read_dir(root.join("examples/cli")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    std::fs::File::create(dir.join("huge.bff"))
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let session = readme
        .split("```text\n$ botfeat check good.features")
        .nth(1)
        .map(|rest| {
            format!(
                "$ botfeat check good.features{}",
                rest.split("```").next().unwrap()
            )
        })
        .unwrap();
    let mut commands = 0;
    for block in session.split("$ ").filter(|b| !b.is_empty()) {
        let (command, expected) = block.split_once('\n').unwrap();
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        let o = Command::new(env!("CARGO_BIN_EXE_botfeat"))
            .args(&args)
            .current_dir(&dir)
            .output()
            .unwrap();
        let printed = format!("{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
        assert_eq!(printed, expected, "$ {command}");
        commands += 1;
    }
    assert_eq!(commands, 3);
}

//! A finding is minimized and saved once the rounds are over, so the next bug is not reported
//! later by the time the last one's minimizing takes: a stand-in for libFuzzer with two
//! panics, whose minimizing takes all the time it is given (as libFuzzer's `-minimize_crash`
//! does), is hunted; the second panic is found before the first's minimizing could have ended,
//! and both are saved minimized after.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use cargo_harness::hunt::pending::{MAX_MINIMIZE_SECS, reserve, share};

#[test]
fn minimizing_gets_a_quarter_of_what_was_left_and_the_rounds_leave_it_free() {
    assert_eq!(share(60), 15);
    assert_eq!(share(2), 1);
    assert_eq!(share(1_000), MAX_MINIMIZE_SECS);
    assert_eq!(reserve([5, 7], 60), 12);
    // Never more than half the budget: the rest is the search's.
    assert_eq!(reserve([20, 20, 20], 60), 30);
    assert_eq!(reserve([], 60), 0);
}

/// A stand-in for a hunt target. A round (`-max_total_time`) panics with "first bug", or with
/// "second bug" a second later once the first is looked past (`HARNESS_KNOWN_PANICS`), and
/// writes its input where libFuzzer would; a replay panics as the input file says;
/// `-minimize_crash` sleeps for all its `-max_total_time` and writes a smaller input.
fn stand_in(dir: &Path) -> PathBuf {
    let path = dir.join("stand-in");
    let script = r##"#!/bin/sh
prefix=""; total=""; exact=""; minimize=""; files=""
for a in "$@"; do
  case "$a" in
    -artifact_prefix=*) prefix="${a#-artifact_prefix=}" ;;
    -max_total_time=*) total="${a#-max_total_time=}" ;;
    -exact_artifact_path=*) exact="${a#-exact_artifact_path=}" ;;
    -minimize_crash=1) minimize=1 ;;
    -*) ;;
    *) files="$files $a" ;;
  esac
done
panic() {
  echo "thread '<unnamed>' panicked at src/toy.rs:7:9:" >&2
  echo "$1" >&2
  echo "==1== ERROR: libFuzzer: deadly signal" >&2
  exit 77
}
if [ -n "$minimize" ]; then
  sleep "$total"
  for f in $files; do head -c 10 "$f" > "$exact"; done
  exit 0
fi
if [ -n "$total" ]; then
  echo "#2 INITED cov: 1 ft: 1 corp: 1/1b exec/s: 0 rss: 30Mb" >&2
  case "$HARNESS_KNOWN_PANICS" in
    *"first bug"*"second bug"*|*"second bug"*"first bug"*) sleep "$total"; echo "Done 10 runs in $total second(s)" >&2; exit 0 ;;
    *"first bug"*) sleep 1; bug="second bug" ;;
    *) bug="first bug" ;;
  esac
  printf '%s, and padding to minimize away' "$bug" > "${prefix}crash-$$"
  echo "artifact_prefix='$prefix'; Test unit written to ${prefix}crash-$$" >&2
  panic "$bug"
fi
for f in $files; do
  [ -f "$f" ] || continue
  echo "Running: $f" >&2
  case "$(cat "$f")" in
    "first bug"*) panic "first bug" ;;
    "second bug"*) panic "second bug" ;;
  esac
done
exit 0
"##;
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The `at (s)` the final table gives the finding whose line mentions `what`.
fn at(stderr: &str, what: &str) -> f64 {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("found: ") && l.contains(what))
        .unwrap_or_else(|| panic!("no finding of {what}: {stderr}"));
    line.split(" after ")
        .nth(1)
        .and_then(|r| r.split('s').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no time in {line}"))
}

/// A scratch folder, the hunt directory in it (one seed), and the command that hunts it with
/// the stand-in for `seconds`.
fn hunt_of_stand_in(name: &str, seconds: u32) -> (PathBuf, PathBuf, Command) {
    let dir = std::env::temp_dir().join(format!("harness-pending-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let hunt_dir = dir.join("hunt-dir");
    std::fs::create_dir_all(hunt_dir.join("seeds")).unwrap();
    std::fs::write(hunt_dir.join("seeds/one"), b"seed").unwrap();
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-harness"));
    cmd.arg("hunt")
        .arg(&hunt_dir)
        .args(["--seconds", &seconds.to_string(), "--bin"])
        .arg(stand_in(&dir))
        .env("TMPDIR", &tmp);
    (dir, hunt_dir, cmd)
}

#[test]
fn the_next_bug_does_not_wait_for_the_last_ones_minimizing() {
    let (dir, hunt_dir, mut hunt) = hunt_of_stand_in("found", 20);
    let out = hunt.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // The first minimizing would take a quarter of the 20 s (it sleeps all of it): found
    // inline, the second bug came after it; now it comes a second after the first.
    let first = at(&stderr, "first bug");
    let second = at(&stderr, "second bug");
    assert!(
        second < first + f64::from(u32::try_from(share(20)).unwrap()),
        "the second bug waited for the first's minimizing: {stderr}"
    );
    // Both were saved after the rounds, minimized, each with its line in regressions.expect.
    let second_found = stderr
        .find("found: ")
        .and_then(|i| stderr[i + 1..].find("found: ").map(|j| i + 1 + j));
    let first_saved = stderr.find("saved: ").expect("nothing saved");
    assert!(second_found.is_some_and(|s| s < first_saved), "{stderr}");
    let saved: Vec<Vec<u8>> = std::fs::read_dir(hunt_dir.join("regressions"))
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(saved.len(), 2, "{stderr}");
    assert!(saved.iter().all(|s| s.len() == 10), "{saved:?}");
    let expect = std::fs::read_to_string(hunt_dir.join("regressions.expect")).unwrap();
    assert_eq!(expect.lines().count(), 2, "{expect}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn interrupted_the_hunt_saves_what_waits_as_found() {
    use std::io::BufRead as _;
    let (dir, hunt_dir, mut hunt) = hunt_of_stand_in("interrupted", 60);
    let mut tool = hunt.stderr(std::process::Stdio::piped()).spawn().unwrap();
    let mut lines = std::io::BufReader::new(tool.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    // Both bugs found and waiting for the end of the rounds.
    while seen
        .matches("(minimized and saved when the rounds are over)")
        .count()
        < 2
    {
        let line = lines.next().expect("the hunt ended early").unwrap();
        seen.push_str(&line);
        seen.push('\n');
    }
    let pid = nix::unistd::Pid::from_raw(i32::try_from(tool.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    for line in lines {
        seen.push_str(&line.unwrap());
        seen.push('\n');
    }
    let status = tool.wait().unwrap();
    assert_eq!(status.code(), Some(143), "{seen}");
    // Nothing found is lost: both are saved as they were found, not minimized.
    let saved: Vec<Vec<u8>> = std::fs::read_dir(hunt_dir.join("regressions"))
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(saved.len(), 2, "{seen}");
    assert!(saved.iter().all(|s| s.len() > 10), "{saved:?}");
    assert!(seen.contains("cut short by signal"), "{seen}");
    let _ = std::fs::remove_dir_all(&dir);
}

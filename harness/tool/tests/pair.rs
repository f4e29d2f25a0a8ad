//! Two runs side by side (`process::run_pair`, a hunt round and its plain partner): the side run
//! killed when the main one ends still has its log read, so the inputs it ran are counted; a
//! side run that fails first ends the pair and is reported as ended.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use cargo_harness::{logs, process};

fn sh(script: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script);
    cmd
}

fn dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("harness-pair-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits (in the script) until `log` holds `text`.
fn until(log: &Path, text: &str) -> String {
    format!(
        "while ! grep -q '{text}' '{}'; do sleep 0.02; done",
        log.display()
    )
}

#[test]
fn a_side_run_killed_with_the_main_one_still_counts_its_inputs() {
    let dir = dir("killed");
    let (main_log, side_log) = (dir.join("main.log"), dir.join("side.log"));
    // The side run prints a status line and runs on; the main one ends once it is printed.
    let main = sh(&until(&side_log, "12345"));
    let side = sh("echo '#12345\tNEW    cov: 7 ft: 9 corp: 3/9b exec/s: 0'; exec sleep 60");
    let ended = process::run_pair(
        main,
        &main_log,
        None,
        Some((side, &side_log)),
        Duration::from_secs(60),
    )
    .unwrap();
    assert!(ended.main.0.success());
    assert!(ended.side.is_none(), "killed, it did not end on its own");
    assert_eq!(logs::read(&ended.side_log, false).runs, Some(12345));
    assert!(ended.side_ran > Duration::ZERO);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_side_run_that_fails_first_ends_the_pair() {
    let dir = dir("fails");
    let (main_log, side_log) = (dir.join("main.log"), dir.join("side.log"));
    let main = sh("exec sleep 60");
    let side = sh("echo '#77 pulse'; exit 3");
    let ended = process::run_pair(
        main,
        &main_log,
        None,
        Some((side, &side_log)),
        Duration::from_secs(60),
    )
    .unwrap();
    assert!(ended.main.0.status.is_none(), "the main run was killed");
    let (side_ended, text) = ended.side.unwrap();
    assert!(!side_ended.success());
    assert!(text.contains("#77"));
    assert_eq!(logs::read(&ended.side_log, false).runs, Some(77));
    let _ = std::fs::remove_dir_all(&dir);
}

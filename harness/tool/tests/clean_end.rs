//! Clean ends: SIGINT or SIGTERM to `cargo harness hunt` ends every process it started (a
//! stand-in for libFuzzer that starts workers of its own) within a second, removes its temp
//! folders, prints the findings so far and exits 130 or 143; the process runner leaves no
//! grandchild behind, drains a child that writes megabytes, and ends one that outlives its
//! deadline.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cargo_harness::process;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("harness-clean-end-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether `pid` is a live process (a zombie counts as ended).
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().to_string())
        })
        .is_some_and(|rest| !rest.starts_with('Z') && !rest.starts_with('X'))
}

fn pids_in(file: &Path) -> Vec<i32> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(20), "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A stand-in for a libFuzzer target: starts two workers (as fork mode does), writes their
/// pids and its own, prints a status line and waits.
fn fake_fuzzer(dir: &Path) -> PathBuf {
    let path = dir.join("fake-fuzzer");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nsleep 300 & w1=$!\nsleep 300 & w2=$!\necho \"$$ $w1 $w2\" > {}/pids\n\
             echo '#2 INITED cov: 1 ft: 1 corp: 1/1b exec/s: 0 rss: 30Mb' >&2\nsleep 300\n",
            dir.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn interrupted_hunt(signal: nix::sys::signal::Signal, code: i32) {
    let dir = scratch(&format!("hunt-{code}"));
    let hunt_dir = dir.join("hunt-dir");
    std::fs::create_dir_all(hunt_dir.join("seeds")).unwrap();
    std::fs::write(hunt_dir.join("seeds/one"), b"seed").unwrap();
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let bin = fake_fuzzer(&dir);
    let mut tool = Command::new(env!("CARGO_BIN_EXE_cargo-harness"))
        .arg("hunt")
        .arg(&hunt_dir)
        .args(["--seconds", "60", "--bin"])
        .arg(&bin)
        .env("TMPDIR", &tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pids_file = dir.join("pids");
    wait_for("the stand-in fuzzer never started", || {
        pids_in(&pids_file).len() == 3
    });
    let pids = pids_in(&pids_file);
    assert!(pids.iter().all(|p| alive(*p)), "{pids:?}");
    assert!(
        std::fs::read_dir(&tmp).unwrap().next().is_some(),
        "the hunt made no scratch folder in TMPDIR"
    );

    let tool_id = tool.id();
    let tool_pid = nix::unistd::Pid::from_raw(i32::try_from(tool_id).unwrap());
    let sent = Instant::now();
    nix::sys::signal::kill(tool_pid, signal).unwrap();
    let status = loop {
        if let Some(status) = tool.try_wait().unwrap() {
            break status;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "still running 5 s after {signal}"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = sent.elapsed();
    let out = tool.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.code(), Some(code), "{stderr}");
    // Within a second of the signal, every process the hunt started is gone.
    assert!(took < Duration::from_secs(1), "took {took:?}");
    for pid in &pids {
        assert!(!alive(*pid), "process {pid} outlived the hunt");
    }
    // No temp folder is left, in TMPDIR or in /dev/shm.
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().flatten().collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    let shm: Vec<_> = std::fs::read_dir("/dev/shm")
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .contains(&format!("harness-hunt-{tool_id}-"))
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(shm.is_empty(), "left in /dev/shm: {shm:?}");
    // The findings so far (none) are printed, and that the hunt was cut short.
    assert!(stderr.contains("distinct finding(s)"), "{stderr}");
    assert!(stderr.contains("cut short by signal"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigterm_ends_the_hunt_and_every_worker_within_a_second_and_exits_143() {
    interrupted_hunt(nix::sys::signal::Signal::SIGTERM, 143);
}

#[test]
fn sigint_ends_the_hunt_and_every_worker_within_a_second_and_exits_130() {
    interrupted_hunt(nix::sys::signal::Signal::SIGINT, 130);
}

#[test]
fn a_child_that_exits_leaves_no_worker_behind() {
    let dir = scratch("leader-exits");
    let pids = dir.join("pids");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("sleep 300 & echo $! > {}; exit 0", pids.display()));
    let (ended, _) = process::run_logged(cmd, &dir.join("log"), Duration::from_secs(10)).unwrap();
    assert!(ended.success());
    let worker = pids_in(&pids)[0];
    wait_for("the worker outlived its leader", || !alive(worker));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_child_past_its_deadline_is_ended_with_its_workers() {
    let dir = scratch("deadline");
    let pids = dir.join("pids");
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(format!(
        "sleep 300 & echo $! > {}; sleep 300",
        pids.display()
    ));
    let start = Instant::now();
    let (ended, _) =
        process::run_logged(cmd, &dir.join("log"), Duration::from_millis(500)).unwrap();
    assert!(ended.status.is_none(), "{ended:?}");
    assert!(start.elapsed() < Duration::from_secs(3));
    let worker = pids_in(&pids)[0];
    wait_for("the worker outlived the deadline", || !alive(worker));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_child_that_writes_megabytes_is_drained_not_stalled() {
    // 64 MiB to stdout and 8 MiB to stderr: a pipe nobody read would stall it at 64 KiB.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("head -c 67108864 /dev/zero; head -c 8388608 /dev/zero >&2; echo done >&2; exit 3");
    let out = process::run_captured(cmd, Duration::from_secs(60)).unwrap();
    assert_eq!(out.ended.status.and_then(|s| s.code()), Some(3));
    assert_eq!(out.stdout.len(), 64 << 20);
    assert!(out.stderr.ends_with("done\n"));
}

#[test]
fn a_scratch_folder_is_removed_however_its_owner_ends() {
    let path = {
        let scratch = process::Scratch::new("drop-test").unwrap();
        std::fs::write(scratch.path().join("file"), b"x").unwrap();
        scratch.path().to_path_buf()
    };
    assert!(!path.exists());
}

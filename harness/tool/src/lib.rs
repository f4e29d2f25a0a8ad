//! The harness's command line, as a library: one module per command, and one shared module each
//! for cargo, child processes and libFuzzer's logs. What runs inside a fuzz target lives in the
//! `harness` crate, which this one depends on and never the other way round.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bench;
pub mod build;
pub mod cargo;
pub mod corpus;
pub mod error;
pub mod fuzz;
pub mod helpers;
pub mod hunt;
pub mod init;
pub mod logs;
pub mod pool;
pub mod process;
pub mod progress;
pub mod trace;
pub mod wrap;

pub use error::Error;

/// The commit the working directory is at (`git rev-parse --short HEAD`), to stamp generated
/// figures with; `None` outside a git checkout. `-dirty` when the tree has changes.
pub fn commit() -> Option<String> {
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let mut commit = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let dirty = std::process::Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
    if dirty {
        commit.push_str("-dirty");
    }
    Some(commit)
}

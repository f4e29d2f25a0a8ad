//! `corpus`: the saved corpus's command for botfeat's targets — add a case, replay, minimize,
//! seed. The command itself is the harness tool's ([`cargo_harness::corpus`]); this binary tells it
//! botfeat's targets and seeds, and is the judge replay runs in child processes.
//!
//! ```text
//! cargo run -p botfeat-corpus -- add FILE --target T (--expect OUTCOME | --accept-current | --known-crash) [--note TEXT]
//! cargo run -p botfeat-corpus -- replay [--target T]...
//! cargo run -p botfeat-corpus -- run-one --target T FILE...
//! cargo run -p botfeat-corpus -- seed | cmin --target T | tmin --target T CRASH [--note TEXT]
//! ```
//! OUTCOME is `accepted`, `rejected KIND` or `rejected KIND at POSITION`
//! (e.g. `rejected too_many_features at line 203, column 1`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

// Replay's children run each file under the heap cap, which counts with this allocator.
harness::counting_allocator!();

fn main() -> ExitCode {
    harness::alloc::install(&HARNESS_COUNTING_ALLOCATOR);
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let defaults = cargo_harness::corpus::Defaults {
        root: absolute(here.join("../../corpus")),
        fuzz_dir: absolute(here.join("..")),
        invocation: "cargo run -p botfeat-corpus --".into(),
    };
    cargo_harness::corpus::main(&botfeat_fuzz::Judge, &defaults)
}

fn absolute(path: PathBuf) -> PathBuf {
    std::fs::canonicalize(&path).unwrap_or(path)
}

//! Replays every file under `corpus/` through its target's oracles, each target's files in a
//! child process (a crash, an abort, the heap cap or a hang is pinned on its file), against the
//! expected outcomes in `corpus/<target>.expect`. Prints the count per target and every failure
//! with the command that reproduces it; exits 1 on any failure.

use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    // `cargo test -- --list` and filters: this file is one test, named `corpus_replay`.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        println!("corpus_replay: test");
        return ExitCode::SUCCESS;
    }
    if let Some(filter) = args.iter().find(|a| !a.starts_with('-')) {
        if !"corpus_replay".contains(filter.as_str()) {
            return ExitCode::SUCCESS;
        }
    }
    let start = Instant::now();
    let out = match Command::new(env!("CARGO_BIN_EXE_corpus"))
        .arg("replay")
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!("corpus replay: cannot start the corpus tool: {e}");
            return ExitCode::FAILURE;
        }
    };
    let report = String::from_utf8_lossy(&out.stdout);
    print!("{report}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    // "parse_text     21 files replayed, 0 failed": the number before a word.
    let count = |line: &str, word: &str| -> usize {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        tokens
            .windows(2)
            .find(|w| w.get(1).is_some_and(|t| t.trim_end_matches(',') == word))
            .and_then(|w| w.first().and_then(|n| n.parse().ok()))
            .unwrap_or(0)
    };
    let (mut files, mut failed) = (0usize, 0usize);
    for line in report.lines().filter(|l| l.contains("files replayed")) {
        let n = count(line, "files");
        let f = count(line, "failed");
        files = files.saturating_add(n);
        failed = failed.saturating_add(f);
    }
    let ok = out.status.success() && files > 0;
    println!(
        "corpus replay: {} passed, {failed} failed ({files} files in {:.2} s)",
        files.saturating_sub(failed),
        start.elapsed().as_secs_f64()
    );
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

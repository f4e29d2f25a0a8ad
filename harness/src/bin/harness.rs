//! `harness`: the hunt's helpers, for scripts.
//!
//! ```text
//! harness dict SEED_DIR [MAX]        print a libFuzzer dictionary derived from the seeds
//! harness amplify FILE FACTOR OUT    write FILE with its longest repeated unit FACTOR× as often
//! harness shrink BIN FILE OUT         shrink FILE while `BIN FILE` still dies by a signal
//! harness kept FILE OUT               write the input a hunt kept in FILE (HARNESS_LAST_INPUT)
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let result = match (arg(0), arg(1)) {
        (Some("dict"), Some(dir)) => dict(dir, arg(2).and_then(|m| m.parse().ok()).unwrap_or(64)),
        (Some("amplify"), Some(file)) => match (arg(2).and_then(|f| f.parse().ok()), arg(3)) {
            (Some(factor), Some(out)) => amplify(file, factor, out),
            _ => Err("usage: harness amplify FILE FACTOR OUT".into()),
        },
        (Some("shrink"), Some(bin)) => match (arg(2), arg(3)) {
            (Some(file), Some(out)) => shrink(bin, file, out),
            _ => Err("usage: harness shrink BIN FILE OUT".into()),
        },
        (Some("kept"), Some(file)) => match arg(2) {
            Some(out) => kept(file, out),
            _ => Err("usage: harness kept FILE OUT".into()),
        },
        _ => Err("usage: harness dict SEED_DIR [MAX] | harness amplify FILE FACTOR OUT | harness shrink BIN FILE OUT".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("harness: {e}");
            ExitCode::from(2)
        }
    }
}

fn dict(dir: &str, max: usize) -> Result<(), String> {
    let seeds: Vec<Vec<u8>> = harness::corpus::read_cases(std::path::Path::new(dir))
        .map_err(|e| format!("{dir}: {e}"))?
        .into_iter()
        .map(|c| c.bytes)
        .collect();
    print!(
        "{}",
        harness::dict::to_libfuzzer(&harness::dict::derive(&seeds, max))
    );
    Ok(())
}

fn amplify(file: &str, factor: usize, out: &str) -> Result<(), String> {
    let input = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let amplified = harness::stack::amplify(&input, factor)
        .ok_or_else(|| format!("{file}: no repeated part to amplify"))?;
    std::fs::write(out, &amplified).map_err(|e| format!("{out}: {e}"))?;
    eprintln!("{out}: {} bytes (from {})", amplified.len(), input.len());
    Ok(())
}

/// Whether `bin FILE` dies by a signal (a stack overflow's SIGSEGV, an abort) on `input`.
fn dies(bin: &str, input: &[u8], scratch: &std::path::Path) -> bool {
    use std::os::unix::process::ExitStatusExt;
    if std::fs::write(scratch, input).is_err() {
        return false;
    }
    std::process::Command::new(bin)
        .arg(scratch)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.signal().is_some())
}

/// Delta debugging by chunks: drop halves, quarters, … of the input while it still kills `bin`.
fn shrink(bin: &str, file: &str, out: &str) -> Result<(), String> {
    let mut input = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let scratch = std::path::PathBuf::from(format!("{out}.try"));
    if !dies(bin, &input, &scratch) {
        return Err(format!("{file}: {bin} does not die on it"));
    }
    let mut chunk = input.len().div_ceil(2).max(1);
    let mut runs = 1usize;
    while chunk >= 1 && runs < 2000 {
        let mut at = 0usize;
        let mut shrunk = false;
        while at < input.len() {
            let end = at.saturating_add(chunk).min(input.len());
            let candidate: Vec<u8> = input
                .iter()
                .take(at)
                .chain(input.iter().skip(end))
                .copied()
                .collect();
            runs = runs.saturating_add(1);
            if !candidate.is_empty() && dies(bin, &candidate, &scratch) {
                input = candidate;
                shrunk = true;
            } else {
                at = end;
            }
        }
        if !shrunk {
            if chunk == 1 {
                break;
            }
            chunk = chunk.div_ceil(2);
        }
    }
    let _ = std::fs::remove_file(&scratch);
    std::fs::write(out, &input).map_err(|e| format!("{out}: {e}"))?;
    eprintln!("{out}: {} bytes after {runs} runs", input.len());
    Ok(())
}

fn kept(file: &str, out: &str) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let input = harness::hunt::read_kept(&bytes).ok_or(format!("{file}: no kept input in it"))?;
    std::fs::write(out, input).map_err(|e| format!("{out}: {e}"))
}

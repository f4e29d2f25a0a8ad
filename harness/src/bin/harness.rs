//! `harness`: the hunt's helpers, for scripts.
//!
//! ```text
//! harness dict SEED_DIR [MAX]        print a libFuzzer dictionary derived from the seeds
//! harness amplify FILE FACTOR OUT    write FILE with its longest repeated unit FACTOR× as often
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
        _ => Err("usage: harness dict SEED_DIR [MAX] | harness amplify FILE FACTOR OUT".into()),
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

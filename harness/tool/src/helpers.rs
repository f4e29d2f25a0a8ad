//! The small helpers for scripts and people: a dictionary from seeds, an input amplified, an
//! input shrunk while a binary still dies on it, the input a hunt kept.

use std::path::Path;
use std::time::Duration;

use crate::error::Error;

/// Prints a libFuzzer dictionary derived from the seeds in `dir` (at most `max` tokens).
pub fn dict(dir: &Path, max: usize) -> Result<(), Error> {
    let seeds: Vec<Vec<u8>> = harness::corpus::read_cases(dir)
        .map_err(|e| Error::io(dir, e))?
        .into_iter()
        .map(|c| c.bytes)
        .collect();
    print!(
        "{}",
        harness::dict::to_libfuzzer(&harness::dict::derive(&seeds, max))
    );
    Ok(())
}

/// Writes `file` with its longest repeated unit `factor` times as often to `out`.
pub fn amplify(file: &Path, factor: usize, out: &Path) -> Result<(), Error> {
    let input = std::fs::read(file).map_err(|e| Error::io(file, e))?;
    let amplified = harness::stack::amplify(&input, factor)
        .ok_or_else(|| Error::Usage(format!("{}: no repeated part to amplify", file.display())))?;
    std::fs::write(out, &amplified).map_err(|e| Error::io(out, e))?;
    eprintln!(
        "{}: {} bytes (from {})",
        out.display(),
        amplified.len(),
        input.len()
    );
    Ok(())
}

/// Whether `bin FILE` dies by a signal (a stack overflow's SIGSEGV, an abort) on `input`.
fn dies(bin: &Path, input: &[u8], scratch: &Path) -> bool {
    use std::os::unix::process::ExitStatusExt as _;
    if std::fs::write(scratch, input).is_err() {
        return false;
    }
    let mut cmd = std::process::Command::new(bin);
    cmd.arg(scratch);
    crate::process::run_captured(cmd, Duration::from_secs(60))
        .is_ok_and(|c| c.ended.status.is_some_and(|s| s.signal().is_some()))
}

/// Drops chunks of `file` while `bin FILE` still dies by a signal; the result to `out`.
pub fn shrink(bin: &Path, file: &Path, out: &Path) -> Result<(), Error> {
    let input = std::fs::read(file).map_err(|e| Error::io(file, e))?;
    let scratch = out.with_extension("try");
    if !dies(bin, &input, &scratch) {
        let _ = std::fs::remove_file(&scratch);
        return Err(Error::Usage(format!(
            "{}: {} does not die on it",
            file.display(),
            bin.display()
        )));
    }
    let small =
        crate::hunt::shrink_while(&input, Duration::from_secs(60), |c| dies(bin, c, &scratch));
    let _ = std::fs::remove_file(&scratch);
    crate::process::check_stop()?;
    std::fs::write(out, &small).map_err(|e| Error::io(out, e))?;
    eprintln!(
        "{}: {} bytes (from {})",
        out.display(),
        small.len(),
        input.len()
    );
    Ok(())
}

/// Writes the input a hunt kept in `file` (`HARNESS_LAST_INPUT`) to `out`.
pub fn kept(file: &Path, out: &Path) -> Result<(), Error> {
    let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
    let input = harness::keep::read_kept(&bytes)
        .ok_or_else(|| Error::Usage(format!("{}: no kept input in it", file.display())))?;
    std::fs::write(out, input).map_err(|e| Error::io(out, e))
}

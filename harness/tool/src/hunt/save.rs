//! Saving a confirmed bug to `DIR/regressions/`, once.

use std::path::{Path, PathBuf};

use super::policy::DEFAULT_STACK;
use super::replay::Replay;
use crate::error::Error;
use crate::logs::{Class, Ending};

/// Saves `input` as `DIR/regressions/<sha1>` with a line in `DIR/regressions.expect`, unless a
/// case already there fails the same way (then that case is returned, and `true`).
pub(super) fn save(
    dir: &Path,
    input: &Path,
    signature: &str,
    replay: &Replay<'_>,
    ending: &Ending,
) -> Result<(PathBuf, bool), Error> {
    let regressions = dir.join("regressions");
    let stack = match ending {
        Ending::StackOverflow | Ending::Died => DEFAULT_STACK,
        _ => replay.stack,
    };
    for case in harness::corpus::read_cases(&regressions).unwrap_or_default() {
        let again = replay.once(&case.path, stack, &[], &[])?;
        let same = again.signature() == signature
            || (ending.class() == Class::StackOverflow && again.class() == Class::StackOverflow);
        if same {
            return Ok((case.path, true));
        }
    }
    let bytes = std::fs::read(input).map_err(|e| e.to_string())?;
    let name = harness::corpus::content_name(&bytes);
    std::fs::create_dir_all(&regressions).map_err(|e| e.to_string())?;
    let path = regressions.join(&name);
    std::fs::write(&path, &bytes).map_err(|e| e.to_string())?;
    let line = format!(
        "{name} crash  # {} found by harness hunt: {}\n",
        ending.class(),
        crate::logs::one_line(signature, 160)
    );
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("regressions.expect"))
        .and_then(|mut f| f.write_all(line.as_bytes()))
        .map_err(|e| e.to_string())?;
    Ok((path, false))
}

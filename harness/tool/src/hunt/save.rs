//! Saving a confirmed bug to `DIR/regressions/`, once.

use std::path::{Path, PathBuf};

use super::policy::{DEFAULT_STACK, SMALL_STACK};
use super::replay::Replay;
use crate::error::Error;
use crate::logs::{Class, Ending};

/// A case in `DIR/regressions/` for a finding.
pub(super) struct Saved {
    pub path: PathBuf,
    /// It was there already: a case that fails the same way.
    pub known: bool,
    /// The parser's stack it fails with: the default for a panic or a case that overflows it as
    /// it is; the hunt's small stack for a minimized recursion that overflows only amplified.
    pub stack: usize,
}

/// Saves `input` as `DIR/regressions/<sha1>` with a line in `DIR/regressions.expect`, unless a
/// case already there fails the same way (then that case is returned, known).
pub(super) fn save(
    dir: &Path,
    input: &Path,
    signature: &str,
    replay: &Replay<'_>,
    ending: &Ending,
) -> Result<Saved, Error> {
    match known(dir, signature, replay, ending)? {
        Some(saved) => Ok(saved),
        None => save_new(dir, input, signature, replay, ending, None),
    }
}

/// The case already in `DIR/regressions/` that fails the way a finding of `signature` does.
pub(super) fn known(
    dir: &Path,
    signature: &str,
    replay: &Replay<'_>,
    ending: &Ending,
) -> Result<Option<Saved>, Error> {
    let regressions = dir.join("regressions");
    let overflow = matches!(ending, Ending::StackOverflow | Ending::Died);
    // A saved recursion may be minimized at the small stack, where every overflow of the
    // default stack overflows too: known cases are matched there.
    let stack = if overflow { SMALL_STACK } else { replay.stack };
    for case in harness::corpus::read_cases(&regressions).unwrap_or_default() {
        let again = replay.once(&case.path, stack, &[], &[])?;
        let same = again.signature() == signature
            || (ending.class() == Class::StackOverflow && again.class() == Class::StackOverflow);
        if same {
            let stack = failing_stack(replay, &case.path, overflow, stack)?;
            return Ok(Some(Saved {
                path: case.path,
                known: true,
                stack,
            }));
        }
    }
    Ok(None)
}

/// Saves `input` as a new case, with its line in `DIR/regressions.expect`. `stack`: the stack
/// it fails with, when known (an interrupted hunt saves without replaying), else measured.
pub(super) fn save_new(
    dir: &Path,
    input: &Path,
    signature: &str,
    replay: &Replay<'_>,
    ending: &Ending,
    stack: Option<usize>,
) -> Result<Saved, Error> {
    let regressions = dir.join("regressions");
    let overflow = matches!(ending, Ending::StackOverflow | Ending::Died);
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
    let stack = match stack {
        Some(stack) => stack,
        None => failing_stack(replay, &path, overflow, replay.stack)?,
    };
    Ok(Saved {
        path,
        known: false,
        stack,
    })
}

/// The stack a saved case is reproduced with: an overflow at the default stack if it overflows
/// there as it is (what a user's program has), else `found_at`.
fn failing_stack(
    replay: &Replay<'_>,
    case: &Path,
    overflow: bool,
    found_at: usize,
) -> Result<usize, Error> {
    if !overflow {
        return Ok(found_at);
    }
    let at_default = replay.once(case, DEFAULT_STACK, &[], &[])?;
    Ok(if at_default.class() == Class::StackOverflow {
        DEFAULT_STACK
    } else {
        found_at.min(DEFAULT_STACK)
    })
}

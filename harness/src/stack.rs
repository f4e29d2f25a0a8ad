//! Stack depth: recursion bugs with short inputs, and telling them from a sane depth limit.
//!
//! A recursive parser overflows the default 8 MiB stack only past thousands of nesting levels —
//! more than libFuzzer's default `max_len` of 4096 bytes can hold — so a plain fuzz target never
//! sees it. On a 64 KiB stack, 128 to 256 levels do. [`run_on_stack`] runs the parser on such a
//! thread; a crash it finds is then *confirmed* by [`amplify`]ing the nesting (the repeated part
//! 100 times over) and replaying it on the default stack in a child process: only a parser whose
//! recursion has no bound overflows there too. A parser with a depth limit is not flagged.

/// The small stack fuzz targets run the parser on.
pub const SMALL_STACK: usize = 64 * 1024;
/// The stack a confirmation runs on: Linux's default main-thread stack.
pub const DEFAULT_STACK: usize = 8 * 1024 * 1024;
/// Overrides the stack size for [`run_on_stack`] (the confirmation step sets it to
/// [`DEFAULT_STACK`] when it replays an amplified input).
pub const STACK_ENV: &str = "HARNESS_STACK";

/// The stack size to use: `HARNESS_STACK` if set, else `size`.
pub fn stack_size(size: usize) -> usize {
    std::env::var(STACK_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(size)
}

/// Runs `f` on a thread with a stack of `size` bytes (or `HARNESS_STACK`). A stack overflow
/// aborts the process with `thread '…' has overflowed its stack`: libFuzzer saves the input,
/// replay pins it on the file. A panic in `f` is resumed on the caller's thread, so the
/// caller's panic handling (the no-panic oracle, libFuzzer's hook) sees it as if `f` ran there.
pub fn run_on_stack<R: Send>(size: usize, f: impl FnOnce() -> R + Send) -> R {
    let size = stack_size(size);
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("harness-small-stack".into())
            .stack_size(size)
            .spawn_scoped(scope, f);
        match handle {
            Ok(handle) => match handle.join() {
                Ok(value) => value,
                Err(payload) => std::panic::resume_unwind(payload),
            },
            // No thread to be had (out of threads or memory), and `f` went with the failed spawn:
            // end the process so the input shows as a crash instead of passing unchecked.
            Err(_) => std::process::abort(),
        }
    })
}

/// The runs of a repeated unit in `input`, longest first: `(start, unit_len, count)`, with the
/// unit 1 to 16 bytes long and repeated at least 8 times (`[[[[…`, `- - - …`, `{"a":{"a":…`), no
/// two overlapping; at most `max`.
pub fn repeated_units(input: &[u8], max: usize) -> Vec<(usize, usize, usize)> {
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    for unit in 1..=16usize {
        let mut start = 0usize;
        while start.saturating_add(unit) <= input.len() {
            let Some(piece) = input.get(start..start.saturating_add(unit)) else {
                break;
            };
            let mut count = 1usize;
            while input
                .get(
                    start.saturating_add(unit.saturating_mul(count))
                        ..start.saturating_add(unit.saturating_mul(count.saturating_add(1))),
                )
                .is_some_and(|next| next == piece)
            {
                count = count.saturating_add(1);
            }
            let covered = unit.saturating_mul(count);
            if count >= 8 {
                runs.push((start, unit, count));
            }
            start = start.saturating_add(if count > 1 { covered } else { 1 });
        }
    }
    // Longest first; among equals, the shorter unit (the same run seen as `[[` pairs is `[`).
    runs.sort_by_key(|&(start, unit, count)| {
        (std::cmp::Reverse(unit.saturating_mul(count)), unit, start)
    });
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    for run in runs {
        let end = |(s, u, c): (usize, usize, usize)| s.saturating_add(u.saturating_mul(c));
        let overlaps = out.iter().any(|&o| run.0 < end(o) && o.0 < end(run));
        if !overlaps {
            out.push(run);
        }
        if out.len() >= max {
            break;
        }
    }
    out
}

/// The longest run of a repeated unit in `input` (see [`repeated_units`]).
pub fn repeated_unit(input: &[u8]) -> Option<(usize, usize, usize)> {
    repeated_units(input, 1).into_iter().next()
}

/// `input` with the run `(start, unit_len, count)` repeated `factor` times as often: the same
/// shape, nested `factor` times deeper. `None` if the run is not in `input`.
pub fn amplify_run(
    input: &[u8],
    (start, unit, count): (usize, usize, usize),
    factor: usize,
) -> Option<Vec<u8>> {
    let end = start.checked_add(unit.checked_mul(count)?)?;
    let piece = input.get(start..start.checked_add(unit)?)?;
    let mut out = Vec::with_capacity(
        input
            .len()
            .saturating_add(unit.saturating_mul(count).saturating_mul(factor)),
    );
    out.extend_from_slice(input.get(..start)?);
    for _ in 0..count.saturating_mul(factor) {
        out.extend_from_slice(piece);
    }
    out.extend_from_slice(input.get(end..)?);
    Some(out)
}

/// Prefixes of `input` as runs of one, for [`amplify_run`]: its first half cut at four
/// neighbouring bytes (one of them falls between two tokens of a binary format whose tokens are
/// up to four bytes), then the whole of it. A nest grown by small steps (lists of lists, `02 02
/// 01 ff 02 0f …`) has no regular run, but a parser descends while it reads the front, so
/// repeating a prefix cut between tokens nests the same path again, once per copy.
pub fn prefix_runs(input: &[u8]) -> Vec<(usize, usize, usize)> {
    let half = input.len() / 2;
    let mut out: Vec<(usize, usize, usize)> = (half..half.saturating_add(4))
        .filter(|&cut| cut > 0 && cut < input.len())
        .map(|cut| (0, cut, 1))
        .collect();
    if !input.is_empty() {
        out.push((0, input.len(), 1));
    }
    out
}

/// `input` with its longest repeated unit repeated `factor` times as often. `None` if nothing
/// repeats.
pub fn amplify(input: &[u8], factor: usize) -> Option<Vec<u8>> {
    amplify_run(input, repeated_unit(input)?, factor)
}

/// Whether a child's stderr shows a stack overflow.
pub fn is_stack_overflow(stderr: &str) -> bool {
    stderr.contains("has overflowed its stack") || stderr.contains("stack-overflow")
}

/// Runs `command` (which must run the parser on one input through [`run_on_stack`]) with the
/// stack set to [`DEFAULT_STACK`], and says whether it overflowed: a confirmed, unbounded
/// recursion.
pub fn overflows_on_default_stack(mut command: std::process::Command) -> std::io::Result<bool> {
    let out = command.env(STACK_ENV, DEFAULT_STACK.to_string()).output()?;
    Ok(!out.status.success() && is_stack_overflow(&String::from_utf8_lossy(&out.stderr)))
}

/// How much deeper an amplified input is than the one that crashed on the small stack: more than
/// `DEFAULT_STACK / SMALL_STACK` (128), so a recursion with no bound overflows the default
/// stack too, whatever its frame size.
pub const AMPLIFICATION: usize = 1000;

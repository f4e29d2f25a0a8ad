//! Reading what a libFuzzer run printed: how many inputs it ran, how it ended, and where it saved
//! the input that ended it. Tested on recorded logs (`harness/tests/logs/`).

use std::path::PathBuf;

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The budget ran out, nothing found.
    Clean,
    /// A Rust panic (the first one printed): its message and where it was raised.
    Panic {
        /// The panic's message.
        message: String,
        /// `file:line:col`.
        location: String,
    },
    /// An oracle of the harness was broken (`==== oracle violation`): the violation's first line.
    Violation(String),
    /// The heap cap (or the allocator) refused an allocation: `memory allocation of N bytes failed`.
    Allocation(String),
    /// libFuzzer's `-rss_limit_mb` or `-malloc_limit_mb`.
    OutOfMemory(String),
    /// libFuzzer's `-timeout`.
    Timeout,
    /// `has overflowed its stack` (a sanitizer or Rust's own handler said so).
    StackOverflow,
    /// Killed by a signal with nothing printed (on stable: a stack overflow on the guard page,
    /// which takes libFuzzer's handler down with it), or an unexplained death.
    Died,
    /// Another crash libFuzzer reported (`deadly signal` without a Rust message, a leak, …).
    Crash(String),
}

/// What a log says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Inputs run (`stat::number_of_executed_units`, else the last `#N` line).
    pub runs: Option<u64>,
    /// The input libFuzzer saved (`Test unit written to PATH`).
    pub artifact: Option<PathBuf>,
    /// How the run ended.
    pub ending: Ending,
}

/// Reads a libFuzzer log. `exited_cleanly` is whether the process exited with status 0.
pub fn read(log: &str, exited_cleanly: bool) -> Summary {
    let stat = |name: &str| {
        log.lines()
            .rev()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let runs = stat("stat::number_of_executed_units:").or_else(|| {
        log.lines().rev().find_map(|l| {
            l.strip_prefix('#')
                .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse::<u64>().ok())
        })
    });
    let artifact = log.lines().find_map(|l| {
        l.split_once("Test unit written to ")
            .map(|(_, p)| PathBuf::from(p.trim()))
    });
    Summary {
        runs,
        artifact,
        ending: ending(log, exited_cleanly),
    }
}

fn ending(log: &str, exited_cleanly: bool) -> Ending {
    let lines: Vec<&str> = log.lines().collect();
    if let Some(i) = lines
        .iter()
        .position(|l| l.starts_with("==== oracle violation"))
    {
        return Ending::Violation(
            lines
                .get(i.saturating_add(1))
                .unwrap_or(&"")
                .trim()
                .to_string(),
        );
    }
    if crate::stack::is_stack_overflow(log) {
        return Ending::StackOverflow;
    }
    if let Some(l) = lines.iter().find(|l| l.contains("memory allocation of ")) {
        return Ending::Allocation(l.trim().to_string());
    }
    // The first panic is the cause; later ones ("panic in a function that cannot unwind") are
    // how it ended the process.
    // `thread '<unnamed>' panicked at …`, or since Rust 1.88 `thread '<unnamed>' (1234) panicked
    // at …` (the default hook of a plain target prints the thread's id).
    let is_panic_line = |l: &&str| {
        l.contains("' panicked at ") || (l.starts_with("thread '") && l.contains(") panicked at "))
    };
    if let Some(i) = lines.iter().position(is_panic_line) {
        let line = lines.get(i).copied().unwrap_or_default();
        let location = line
            .split_once(" panicked at ")
            .map(|(_, at)| at.trim_end_matches(':').to_string())
            .unwrap_or_default();
        let message = lines.get(i.saturating_add(1)).copied().unwrap_or_default();
        return Ending::Panic {
            message: message.trim().to_string(),
            location,
        };
    }
    if log.contains("ERROR: libFuzzer: timeout") {
        return Ending::Timeout;
    }
    if let Some(l) = lines
        .iter()
        .find(|l| l.contains("ERROR: libFuzzer: out-of-memory"))
    {
        let what = l
            .split_once("out-of-memory")
            .map(|(_, w)| w.trim())
            .unwrap_or_default();
        return Ending::OutOfMemory(what.to_string());
    }
    if let Some(l) = lines.iter().find(|l| l.contains("ERROR: libFuzzer:")) {
        let what = l
            .split_once("ERROR: libFuzzer:")
            .map(|(_, w)| w.trim())
            .unwrap_or_default();
        return Ending::Crash(what.to_string());
    }
    if exited_cleanly {
        Ending::Clean
    } else {
        Ending::Died
    }
}

impl Ending {
    /// A short class name: `panic`, `stack-overflow`, `heap`, `hang`, `violation`, `crash`.
    pub fn class(&self) -> &'static str {
        match self {
            Ending::Clean => "clean",
            Ending::Panic { .. } => "panic",
            Ending::Violation(_) => "violation",
            Ending::Allocation(_) | Ending::OutOfMemory(_) => "heap",
            Ending::Timeout => "hang",
            Ending::StackOverflow | Ending::Died => "stack-overflow",
            Ending::Crash(_) => "crash",
        }
    }

    /// What tells two findings of one class apart: a panic's place and message (its number
    /// literals blanked, so `index 7` and `index 9` are one bug), a violation's first line; one
    /// bug per class otherwise.
    pub fn signature(&self) -> String {
        let blank_numbers = |s: &str| -> String {
            let mut out = String::new();
            let mut in_number = false;
            for c in s.chars() {
                if c.is_ascii_digit() {
                    if !in_number {
                        out.push('N');
                    }
                    in_number = true;
                } else {
                    in_number = false;
                    out.push(c);
                }
            }
            out
        };
        match self {
            Ending::Panic { message, location } => {
                format!("panic at {location}: {}", blank_numbers(message))
            }
            Ending::Violation(first) => format!("violation: {}", blank_numbers(first)),
            other => other.class().to_string(),
        }
    }
}

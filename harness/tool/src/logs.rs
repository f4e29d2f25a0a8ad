//! The one reader of what a libFuzzer run printed: how many inputs it ran, how it ended, where it
//! saved the input that ended it, its figures, its latest status line, and the lines of a crash
//! worth showing. Tested on recorded logs (`harness/tool/tests/logs/`).

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
    if harness::stack::is_stack_overflow(log) {
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

/// A finding's class: what kind of bug, named once.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// No failure.
    Clean,
    /// A Rust panic.
    Panic,
    /// An oracle of the harness broken.
    Violation,
    /// The heap cap or libFuzzer's memory limits.
    Heap,
    /// libFuzzer's per-input time limit.
    Hang,
    /// A stack overflow (or a death by signal with nothing printed).
    StackOverflow,
    /// Any other crash libFuzzer reported.
    Crash,
}

impl Class {
    /// Its name, as tables, JSON and `BUG` files spell it.
    pub fn name(self) -> &'static str {
        match self {
            Class::Clean => "clean",
            Class::Panic => "panic",
            Class::Violation => "violation",
            Class::Heap => "heap",
            Class::Hang => "hang",
            Class::StackOverflow => "stack-overflow",
            Class::Crash => "crash",
        }
    }

    /// The class a name spells (`BUG` files), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Class::Clean,
            Class::Panic,
            Class::Violation,
            Class::Heap,
            Class::Hang,
            Class::StackOverflow,
            Class::Crash,
        ]
        .into_iter()
        .find(|c| c.name() == name)
    }
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Ending {
    /// Its class.
    pub fn class(&self) -> Class {
        match self {
            Ending::Clean => Class::Clean,
            Ending::Panic { .. } => Class::Panic,
            Ending::Violation(_) => Class::Violation,
            Ending::Allocation(_) | Ending::OutOfMemory(_) => Class::Heap,
            Ending::Timeout => Class::Hang,
            Ending::StackOverflow | Ending::Died => Class::StackOverflow,
            Ending::Crash(_) => Class::Crash,
        }
    }

    /// What tells two findings of one class apart: a panic's place and message (its number
    /// literals blanked, so `index 7` and `index 9` are one bug), a violation's first line; one
    /// bug per class otherwise.
    pub fn signature(&self) -> String {
        match self {
            Ending::Panic { message, location } => {
                harness::crash::panic_signature(location, message)
            }
            Ending::Violation(first) => {
                format!("violation: {}", harness::crash::blank_numbers(first))
            }
            other => other.class().name().to_string(),
        }
    }
}

/// What a libFuzzer log says about a run, beyond how it ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// `stat::number_of_executed_units`.
    pub runs: Option<u64>,
    /// `stat::average_exec_per_sec`.
    pub exec_per_sec: Option<u64>,
    /// The last `cov: N`.
    pub coverage: Option<u64>,
    /// The input libFuzzer saved for a crash (`crash-…`, `oom-…`, `timeout-…`, `leak-…`).
    pub crash: Option<String>,
}

/// Reads the figures of a libFuzzer log (runs and the saved input as the hunt reads them).
pub fn stats(log: &str) -> Stats {
    let summary = read(log, true);
    let exec_per_sec = log
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("stat::average_exec_per_sec:"))
        .and_then(|v| v.trim().parse::<u64>().ok());
    let coverage = log.lines().rev().find_map(|l| {
        l.split_once("cov: ")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
    });
    Stats {
        runs: summary.runs,
        exec_per_sec,
        coverage,
        crash: summary
            .artifact
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())),
    }
}

/// The longest line of a crash excerpt, in characters.
const EXCERPT_LINE: usize = 240;

/// The lines of a crashed run's log worth showing: the panic or report, without a backtrace.
pub fn crash_excerpt(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    let start = lines.iter().position(|l| starts_report(l));
    let Some(start) = start else {
        return String::new();
    };
    lines
        .iter()
        .skip(start)
        // cargo-fuzz's own block after the run (the input as a byte list, its commands) repeats
        // what the table and the lines below say.
        .take_while(|l| !l.starts_with('─') && !l.starts_with("Failing input:"))
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with("at ")
                || t.starts_with('#')
                || t.starts_with("INFO:")
                || t.starts_with("MS:")
                || t.starts_with("base unit:")
                || t.split_once(": ")
                    .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit())))
        })
        .filter(|l| !l.starts_with("stat::"))
        .take(30)
        .map(|l| {
            // An input quoted in a message can be kilobytes long.
            let mut line: String = l.chars().take(EXCERPT_LINE).collect();
            if l.chars().count() > EXCERPT_LINE {
                line.push('…');
            }
            line.push('\n');
            line
        })
        .collect()
}

/// The lines of a dead child's stderr that say why: the panic and its message, the failed
/// allocation, the stack overflow; else its last lines.
pub fn crash_message(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let why = lines.iter().position(|l| starts_report(l));
    let picked: Vec<&str> = match why {
        Some(i) => lines.iter().skip(i).take(2).copied().collect(),
        None => lines.iter().rev().take(3).rev().copied().collect(),
    };
    picked.join(" | ")
}

/// Whether a line starts the report of a failure: a panic, a broken oracle, a failed
/// allocation, a stack overflow, libFuzzer's or a sanitizer's `ERROR:`.
fn starts_report(line: &str) -> bool {
    line.contains("oracle violation")
        || line.contains("panicked at")
        || line.contains("memory allocation of")
        || line.contains("overflowed its stack")
        || line.contains("ERROR:")
}

/// libFuzzer's latest status line (`#N  NEW cov: C ft: F corp: K/… exec/s: E …`), for progress.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// Inputs run so far.
    pub runs: u64,
    /// Coverage (`cov:`).
    pub coverage: Option<u64>,
    /// Corpus entries (`corp:`).
    pub corpus: Option<u64>,
    /// Executions per second (`exec/s:`).
    pub exec_per_sec: Option<u64>,
}

/// The latest status line of a log being written, if any.
pub fn latest_status(log: &str) -> Option<Status> {
    let line = log.lines().rev().find(|l| {
        l.starts_with('#')
            && l.contains("exec/s:")
            && l.chars().nth(1).is_some_and(|c| c.is_ascii_digit())
    })?;
    let after = |key: &str| -> Option<u64> {
        let (_, rest) = line.split_once(key)?;
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    let runs = line
        .get(1..)?
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    Some(Status {
        runs,
        coverage: after("cov:"),
        corpus: after("corp:"),
        exec_per_sec: after("exec/s:"),
    })
}

/// `s` on one line for a table: control characters dropped, at most `max` characters.
pub fn one_line(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

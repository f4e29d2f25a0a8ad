//! Saved corpora: `corpus/<target>/` holds one input per file, named by the SHA-1 of its content
//! (as libFuzzer names what it saves), and `corpus/<target>.expect` holds the expected outcomes
//! of the cases people added, one line each, reviewable in a diff:
//!
//! ```text
//! # NAME OUTCOME [# why]
//! 3f786850e387550fdab836ed7e6dc881de23001b accepted
//! 89e6c98d92887913cadf06b2adb97f26cde4849b rejected duplicate_name at row 61  # 18 Nov 2025
//! a9993e364706816aba3e25717850c26c9cd0d89d crash  # known crash, fails CI until fixed
//! 4916d6bdb7f78e6803698cab32d1586ea457dfc8 passes  # any outcome, no oracle broken
//! ```
//!
//! Files with no line only need to pass the oracles (fuzzing added them).

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

use crate::oracle::Outcome;

/// The SHA-1 of `bytes`, in lowercase hex: a corpus file's name.
pub fn content_name(bytes: &[u8]) -> String {
    Sha1::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One saved input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// File name.
    pub name: String,
    /// Where it is.
    pub path: PathBuf,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// The inputs in `dir`, sorted by name. Hidden files and folders are skipped; a missing folder
/// is an empty corpus.
pub fn read_cases(dir: &Path) -> io::Result<Vec<Case>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut cases = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.file_type()?.is_file() {
            continue;
        }
        let path = entry.path();
        let bytes = fs::read(&path)?;
        cases.push(Case { name, path, bytes });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

/// The expected outcome of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Parses.
    Accepted,
    /// Refused with this kind, and at this position when given.
    Rejected {
        /// Error kind name.
        kind: String,
        /// Position as the target prints it.
        position: Option<String>,
    },
    /// A known crash, recorded to be fixed: replay fails until it no longer crashes.
    KnownCrash,
    /// Any outcome, as long as no oracle breaks: for inputs whose meaning is not pinned (a
    /// structure-aware target's bytes mean what its generator makes of them).
    Passes,
}

impl Expected {
    /// Whether `outcome` is what was expected.
    pub fn matches(&self, outcome: &Outcome) -> bool {
        match (self, outcome) {
            (Expected::Accepted, Outcome::Accepted) | (Expected::Passes, _) => true,
            (
                Expected::Rejected { kind, position },
                Outcome::Rejected {
                    kind: k,
                    position: p,
                    ..
                },
            ) => kind == k && (position.is_none() || position == p),
            _ => false,
        }
    }

    /// What `outcome` would be recorded as.
    pub fn from_outcome(outcome: &Outcome) -> Self {
        match outcome {
            Outcome::Accepted => Expected::Accepted,
            Outcome::Rejected { kind, position, .. } => Expected::Rejected {
                kind: kind.clone(),
                position: position.clone(),
            },
        }
    }

    /// Reads `accepted`, `crash`, `rejected KIND` or `rejected KIND at POSITION`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        match text
            .split_once(' ')
            .map_or((text, ""), |(a, b)| (a, b.trim()))
        {
            ("accepted", "") => Ok(Expected::Accepted),
            ("crash", "") => Ok(Expected::KnownCrash),
            ("passes", "") => Ok(Expected::Passes),
            ("rejected", rest) if !rest.is_empty() => {
                let (kind, position) = match rest.split_once(" at ") {
                    Some((k, p)) => (k.trim(), Some(p.trim().to_string())),
                    None => (rest, None),
                };
                if kind.is_empty() || kind.contains(' ') {
                    return Err(format!(
                        "`{kind}` is not an error kind: expected one word, like too_many_features"
                    ));
                }
                Ok(Expected::Rejected {
                    kind: kind.to_string(),
                    position,
                })
            }
            _ => Err(format!(
                "`{text}` is not an outcome: expected `accepted`, `passes`, `crash`, `rejected KIND` or `rejected KIND at POSITION`"
            )),
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Accepted => f.write_str("accepted"),
            Expected::KnownCrash => f.write_str("crash"),
            Expected::Passes => f.write_str("passes"),
            Expected::Rejected {
                kind,
                position: Some(p),
            } => write!(f, "rejected {kind} at {p}"),
            Expected::Rejected {
                kind,
                position: None,
            } => write!(f, "rejected {kind}"),
        }
    }
}

/// One line of an `.expect` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// The expected outcome.
    pub expected: Expected,
    /// The reviewer's note after `#`.
    pub note: Option<String>,
    /// Line number in the file, from 1.
    pub line: usize,
}

/// The `.expect` file of a target: case name → expectation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectations {
    cases: BTreeMap<String, Expectation>,
}

impl Expectations {
    /// Where the expectations of the corpus in `dir` live: beside it, `<dir>.expect`.
    pub fn path_for(dir: &Path) -> PathBuf {
        let mut p = dir.as_os_str().to_owned();
        p.push(".expect");
        PathBuf::from(p)
    }

    /// Parses an `.expect` file; errors name the line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut cases = BTreeMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index.saturating_add(1);
            let (body, note) = match raw.split_once('#') {
                Some((b, n)) => (
                    b.trim(),
                    Some(n.trim().to_string()).filter(|n| !n.is_empty()),
                ),
                None => (raw.trim(), None),
            };
            if body.is_empty() {
                continue;
            }
            let (name, outcome) = body
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("line {line}: expected `NAME OUTCOME`, found `{body}`"))?;
            let expected = Expected::parse(outcome).map_err(|e| format!("line {line}: {e}"))?;
            if cases
                .insert(
                    name.to_string(),
                    Expectation {
                        expected,
                        note,
                        line,
                    },
                )
                .is_some()
            {
                return Err(format!("line {line}: `{name}` has two expectations"));
            }
        }
        Ok(Expectations { cases })
    }

    /// Reads the expectations of the corpus in `dir` (none if the file does not exist).
    pub fn load(dir: &Path) -> io::Result<Result<Self, String>> {
        match fs::read_to_string(Self::path_for(dir)) {
            Ok(text) => Ok(Self::parse(&text)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Ok(Self::default())),
            Err(e) => Err(e),
        }
    }

    /// The expectation for case `name`.
    pub fn get(&self, name: &str) -> Option<&Expectation> {
        self.cases.get(name)
    }

    /// Every case name with an expectation.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.cases.keys().map(String::as_str)
    }

    /// The line to append for a new case.
    pub fn line(name: &str, expected: &Expected, note: Option<&str>) -> String {
        match note {
            Some(n) if !n.trim().is_empty() => format!("{name} {expected}  # {}\n", n.trim()),
            _ => format!("{name} {expected}\n"),
        }
    }
}

/// What a case did when it ran: an outcome, or a failure (an oracle broken, a crash, a hang),
/// in words.
#[derive(Clone, Copy, Debug)]
pub enum Ran<'a> {
    /// Passed every oracle with this outcome.
    Outcome(&'a Outcome),
    /// Broke an oracle or died; the summary says how.
    Failed(&'a str),
}

/// The one judge of a replayed case: `None` if it did what its expectation says (or, with no
/// expectation, passed the oracles), else why not. Replay ([`crate::replay`]) decides with this.
pub fn judge(expectation: Option<&Expectation>, ran: Ran<'_>) -> Option<String> {
    let known_crash = expectation.is_some_and(|e| e.expected == Expected::KnownCrash);
    match (ran, expectation) {
        (Ran::Outcome(outcome), Some(e)) if e.expected == Expected::KnownCrash => Some(format!(
            "recorded as a known crash (line {}), but now gives {outcome}: fixed? record its outcome instead",
            e.line
        )),
        (Ran::Outcome(outcome), Some(e)) if !e.expected.matches(outcome) => Some(format!(
            "expected {} (line {}), got {outcome}",
            e.expected, e.line
        )),
        (Ran::Outcome(_), _) => None,
        (Ran::Failed(how), _) if known_crash => Some(format!("known crash, still to fix: {how}")),
        (Ran::Failed(how), _) => Some(how.to_string()),
    }
}

/// One target a judge runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetInfo {
    /// Its name: the corpus folder's and the cargo-fuzz target's.
    pub name: String,
    /// Its bytes mean what a generator makes of them (an `arbitrary` target): a new case
    /// recorded as it is pins only that it passes.
    pub structure_aware: bool,
}

/// A built-in seed case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seed {
    /// The target.
    pub target: String,
    /// The input.
    pub bytes: Vec<u8>,
    /// Why it is there.
    pub note: String,
}

/// A client's targets: what the corpus command replays.
pub trait Judge {
    /// Every target.
    fn targets(&self) -> Vec<TargetInfo>;
    /// Runs one input through `target` (one of [`Judge::targets`]): its outcome, or the oracle
    /// it broke.
    fn run(&self, target: &str, bytes: &[u8]) -> Result<Outcome, crate::Violation>;
    /// The built-in seed cases (`seed` adds the missing ones).
    fn seeds(&self) -> Vec<Seed> {
        Vec::new()
    }
}

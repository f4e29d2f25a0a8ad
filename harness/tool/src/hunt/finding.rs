//! What a hunt is asked for and what it reports: options, findings, their confirmation.

use std::path::PathBuf;

use serde::Serialize;

use crate::logs::Class;

/// What to hunt, and for how long.
#[derive(Clone, Debug)]
pub struct HuntOptions {
    /// The hunt directory.
    pub dir: PathBuf,
    /// The wall-clock budget after the build: fuzzing, confirming, minimizing and saving.
    pub seconds: u64,
    /// Run the `plain` target instead (the baseline: stops at its first finding).
    pub plain: bool,
    /// Minimize and save each confirmed bug to `DIR/regressions/` (a benchmark does not).
    pub save: bool,
    /// Stop as soon as a confirmed finding matches this (a benchmark's known bug).
    pub until: Option<Wanted>,
    /// A target binary built already: no build (tests run the loop on a stand-in with it).
    pub bin: Option<PathBuf>,
    /// A status line every few seconds while libFuzzer runs (on a terminal).
    pub progress: bool,
}

/// A known bug a hunt is looking for: its class and, optionally, words of its signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Wanted {
    /// Any of these classes.
    pub classes: Vec<Class>,
    /// Words the signature contains (a panic's message or place), if given; `a|b` is either.
    pub contains: Option<String>,
}

impl Wanted {
    /// Whether `finding` is this bug.
    pub fn matches(&self, finding: &Finding) -> bool {
        matches!(finding.confirmation, Confirmation::Confirmed(_))
            && self.classes.contains(&finding.class)
            && self.contains.as_ref().is_none_or(|words| {
                words
                    .split('|')
                    .any(|w| finding.signature.contains(w.trim()))
            })
    }
}

/// How sure a finding is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "confirmed", content = "how")]
pub enum Confirmation {
    /// Reproduced as its kind requires; the words say how.
    Confirmed(String),
    /// Not reproduced, or only on the hunt's artificial limits: never reported as a bug.
    #[serde(rename = "no")]
    Unconfirmed(String),
}

/// One distinct finding.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// What kind of bug.
    pub class: Class,
    /// What tells it apart from other findings of its class.
    pub signature: String,
    /// Whether it is a bug.
    pub confirmation: Confirmation,
    /// Seconds into the hunt when the fuzzer hit it.
    pub at: f64,
    /// The minimized input, where it was saved (`DIR/regressions/<sha1>`), or an earlier saved
    /// case that fails the same way.
    pub saved: Option<PathBuf>,
    /// Whether `saved` was already there.
    pub known: bool,
    /// The command that reproduces it.
    pub reproduce: String,
}

/// What a hunt found.
#[derive(Clone, Debug, Serialize)]
pub struct HuntReport {
    /// The hunt directory.
    pub dir: PathBuf,
    /// `plain` or `hunt`.
    pub target: &'static str,
    /// Distinct findings, in the order they were found.
    pub findings: Vec<Finding>,
    /// Inputs the hunted target ran (`hunt`, or `plain` in a plain hunt).
    pub runs: u64,
    /// Inputs the plain target ran beside the hunt's rounds (its plain partner), on the other
    /// core.
    pub partner_runs: u64,
    /// The seconds it ran (it stops at its first finding, and runs beside in-process rounds
    /// only).
    pub partner_seconds: f64,
    /// Wall seconds after the build.
    pub seconds: f64,
    /// Of those, the seconds libFuzzer ran (confirming and minimizing left out).
    pub fuzz_seconds: f64,
    /// The signal that cut the hunt short, if one did.
    pub interrupted: Option<i32>,
}

impl HuntReport {
    /// Confirmed findings.
    pub fn confirmed(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| matches!(f.confirmation, Confirmation::Confirmed(_)))
    }
}

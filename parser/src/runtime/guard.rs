//! The rollout guard: is a new feature file a safe successor of the running one?

use std::collections::HashMap;
use std::fmt;

use crate::limits::MAX_FEATURES;
use crate::model::{FeatureFile, FeatureType};

/// What the guard allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RolloutPolicy {
    /// Largest change in feature count, in percent of the running count, up or down (50: a
    /// 60-feature file may be followed by 30 to 90 features).
    pub max_change_pct: u32,
    /// Flag a file with more than this percentage of `max_features` (80: more than 160 of 200).
    pub warn_pct_of_limit: u32,
    /// The feature limit the warning level refers to.
    pub max_features: usize,
}

impl Default for RolloutPolicy {
    fn default() -> Self {
        RolloutPolicy {
            max_change_pct: 50,
            warn_pct_of_limit: 80,
            max_features: MAX_FEATURES,
        }
    }
}

/// Why a candidate was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The serial did not strictly increase (a replayed or stale file).
    SerialNotIncreasing {
        /// Running serial.
        running: u64,
        /// Candidate serial.
        candidate: u64,
    },
    /// The feature count changed by more than the policy allows.
    CountChange {
        /// Running count.
        running: usize,
        /// Candidate count.
        candidate: usize,
        /// The policy's limit, in percent.
        max_change_pct: u32,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SerialNotIncreasing { running, candidate } => write!(
                f,
                "serial {candidate} does not increase on the running serial {running}"
            ),
            Self::CountChange {
                running,
                candidate,
                max_change_pct,
            } => write!(
                f,
                "feature count changes from {running} to {candidate}: more than the allowed {max_change_pct} %"
            ),
        }
    }
}

/// The guard's finding: refusals (any one refuses the file), warnings, and what changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Reasons to refuse; empty means safe.
    pub refusals: Vec<Refusal>,
    /// Things worth a look that do not refuse the file.
    pub warnings: Vec<String>,
    /// Features only in the candidate.
    pub added: Vec<String>,
    /// Features only in the running file.
    pub removed: Vec<String>,
    /// Features whose type changed: name, running type, candidate type.
    pub retyped: Vec<(String, FeatureType, FeatureType)>,
}

impl Verdict {
    /// Whether the candidate may replace the running file.
    pub fn is_safe(&self) -> bool {
        self.refusals.is_empty()
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", if self.is_safe() { "safe" } else { "refused" })?;
        for r in &self.refusals {
            writeln!(f, "  refused: {r}")?;
        }
        for w in &self.warnings {
            writeln!(f, "  warning: {w}")?;
        }
        for a in &self.added {
            writeln!(f, "  added: {a}")?;
        }
        for r in &self.removed {
            writeln!(f, "  removed: {r}")?;
        }
        for (name, old, new) in &self.retyped {
            writeln!(f, "  retyped: {name}: {old} -> {new}")?;
        }
        Ok(())
    }
}

/// Compares the running file with a candidate under `policy`.
pub fn check_rollout(
    running: &FeatureFile,
    candidate: &FeatureFile,
    policy: &RolloutPolicy,
) -> Verdict {
    let mut verdict = Verdict::default();
    if candidate.serial <= running.serial {
        verdict.refusals.push(Refusal::SerialNotIncreasing {
            running: running.serial,
            candidate: candidate.serial,
        });
    }
    let (old, new) = (running.features.len(), candidate.features.len());
    // |new - old| / old > pct / 100, in integers that cannot overflow for any usize count.
    let change = u128::try_from(old.abs_diff(new))
        .unwrap_or(u128::MAX)
        .saturating_mul(100);
    let allowed = u128::try_from(old)
        .unwrap_or(u128::MAX)
        .saturating_mul(u128::from(policy.max_change_pct));
    if change > allowed {
        verdict.refusals.push(Refusal::CountChange {
            running: old,
            candidate: new,
            max_change_pct: policy.max_change_pct,
        });
    }
    let level = u128::try_from(policy.max_features)
        .unwrap_or(u128::MAX)
        .saturating_mul(u128::from(policy.warn_pct_of_limit));
    if u128::try_from(new).unwrap_or(u128::MAX).saturating_mul(100) > level {
        verdict.warnings.push(format!(
            "{new} features is above {} % of the limit of {}",
            policy.warn_pct_of_limit, policy.max_features
        ));
    }
    let running_types: HashMap<&str, FeatureType> = running
        .features
        .iter()
        .map(|f| (f.name.as_str(), f.ty))
        .collect();
    let candidate_types: HashMap<&str, FeatureType> = candidate
        .features
        .iter()
        .map(|f| (f.name.as_str(), f.ty))
        .collect();
    for f in &running.features {
        match candidate_types.get(f.name.as_str()) {
            None => verdict.removed.push(f.name.to_string()),
            Some(&ty) if ty != f.ty => verdict.retyped.push((f.name.to_string(), f.ty, ty)),
            Some(_) => {}
        }
    }
    verdict.added = candidate
        .features
        .iter()
        .filter(|f| !running_types.contains_key(f.name.as_str()))
        .map(|f| f.name.to_string())
        .collect();
    verdict
}

//! The rollout guard: is a new feature file a safe successor of the running one?

use std::collections::HashMap;
use std::fmt;

use crate::limits::MAX_FEATURES;
use crate::model::{FeatureFile, FeatureType, Name};

/// What the guard allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RolloutPolicy {
    /// Largest change in feature count, in percent of the running count, up or down (50: a
    /// 60-feature file may be followed by 30 to 90 features). Also the most features that may be
    /// removed or retyped together (churn), in percent of the running count: a file that renames
    /// every feature keeps the count and still swaps out everything in service.
    pub max_change_pct: u32,
    /// Largest step up in serial (a typo of `u64::MAX` would otherwise block every later file).
    pub max_serial_jump: u64,
    /// What the module that reads the features requires: a candidate that lacks one of these
    /// names, or gives it another type, is refused (the consumer contract).
    pub required: Vec<(Name, FeatureType)>,
    /// Flag a file with more than this percentage of `max_features` (80: more than 160 of 200).
    pub warn_pct_of_limit: u32,
    /// The feature limit the warning level refers to.
    pub max_features: usize,
}

/// The default [`RolloutPolicy::max_serial_jump`]: about 31 years of seconds, for serials that
/// are Unix times, and far beyond any counter's step.
pub const DEFAULT_MAX_SERIAL_JUMP: u64 = 1_000_000_000;

impl Default for RolloutPolicy {
    fn default() -> Self {
        RolloutPolicy {
            max_change_pct: 50,
            max_serial_jump: DEFAULT_MAX_SERIAL_JUMP,
            required: Vec::new(),
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
    /// More features removed or retyped than the change limit allows.
    Churn {
        /// The running features the candidate removes or retypes, by name.
        changed: Vec<String>,
        /// Running count.
        running: usize,
        /// The policy's limit, in percent of the running count.
        max_change_pct: u32,
    },
    /// The serial jumps further than the policy allows.
    SerialJump {
        /// Running serial.
        running: u64,
        /// Candidate serial.
        candidate: u64,
        /// The policy's bound.
        max_jump: u64,
    },
    /// A feature the consumer requires is missing or has another type.
    Required {
        /// Its name.
        name: String,
        /// The type required.
        expected: FeatureType,
        /// What the candidate has: `None` if the feature is missing.
        found: Option<FeatureType>,
    },
}

/// At most this many names in one line of a verdict; the rest are counted.
const NAMES_SHOWN: usize = 8;

/// `a, b, c and 12 more`.
fn names(list: &[String]) -> String {
    let mut out = list
        .iter()
        .take(NAMES_SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > NAMES_SHOWN {
        out.push_str(&format!(
            " and {} more",
            list.len().saturating_sub(NAMES_SHOWN)
        ));
    }
    out
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
            Self::Churn {
                changed,
                running,
                max_change_pct,
            } => write!(
                f,
                "{} of the {running} running features removed or retyped ({}): more than the allowed {max_change_pct} %",
                changed.len(),
                names(changed)
            ),
            Self::SerialJump {
                running,
                candidate,
                max_jump,
            } => write!(
                f,
                "serial jumps from {running} to {candidate}: more than the allowed step of {max_jump}"
            ),
            Self::Required {
                name,
                expected,
                found: None,
            } => write!(f, "required feature `{name}` ({expected}) is missing"),
            Self::Required {
                name,
                expected,
                found: Some(found),
            } => write!(
                f,
                "required feature `{name}` is {found}: the consumer requires {expected}"
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
        if !self.added.is_empty() {
            writeln!(f, "  added: {} ({})", self.added.len(), names(&self.added))?;
        }
        if !self.removed.is_empty() {
            writeln!(
                f,
                "  removed: {} ({})",
                self.removed.len(),
                names(&self.removed)
            )?;
        }
        if !self.retyped.is_empty() {
            let retyped: Vec<String> = self
                .retyped
                .iter()
                .map(|(name, old, new)| format!("{name}: {old} -> {new}"))
                .collect();
            writeln!(f, "  retyped: {} ({})", retyped.len(), names(&retyped))?;
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
    } else if candidate.serial.saturating_sub(running.serial) > policy.max_serial_jump {
        verdict.refusals.push(Refusal::SerialJump {
            running: running.serial,
            candidate: candidate.serial,
            max_jump: policy.max_serial_jump,
        });
    }
    let (old, new) = (running.features.len(), candidate.features.len());
    if exceeds(old.abs_diff(new), old, policy.max_change_pct) {
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
    let changed: Vec<String> = verdict
        .removed
        .iter()
        .cloned()
        .chain(verdict.retyped.iter().map(|(name, _, _)| name.clone()))
        .collect();
    if exceeds(changed.len(), old, policy.max_change_pct) {
        verdict.refusals.push(Refusal::Churn {
            changed,
            running: old,
            max_change_pct: policy.max_change_pct,
        });
    }
    verdict.refusals.extend(check_contract(candidate, policy));
    verdict
}

/// Whether `changed` is more than `pct` percent of `of`, in integers that cannot overflow.
fn exceeds(changed: usize, of: usize, pct: u32) -> bool {
    let changed = u128::try_from(changed)
        .unwrap_or(u128::MAX)
        .saturating_mul(100);
    let allowed = u128::try_from(of)
        .unwrap_or(u128::MAX)
        .saturating_mul(u128::from(pct));
    changed > allowed
}

/// The consumer contract alone: every required feature is there with its type. Applies to any
/// file that would go into service, the first one included.
pub fn check_contract(candidate: &FeatureFile, policy: &RolloutPolicy) -> Vec<Refusal> {
    policy
        .required
        .iter()
        .filter_map(|(name, expected)| {
            let found = candidate
                .features
                .iter()
                .find(|f| f.name == *name)
                .map(|f| f.ty);
            (found != Some(*expected)).then(|| Refusal::Required {
                name: name.to_string(),
                expected: *expected,
                found,
            })
        })
        .collect()
}

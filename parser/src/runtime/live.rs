//! Live features: the table in service, swapped atomically only for a file that parses,
//! validates and passes the rollout guard. A refused file leaves the running table in service.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::ArcSwapOption;

use super::guard::{RolloutPolicy, Verdict, check_rollout};
use super::table::FeatureTable;
use crate::detect::Format;
use crate::error::{Error, ErrorKind, Position};
use crate::limits::Limits;

/// Why `apply` refused a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyError {
    /// It does not parse or validate.
    Invalid(Error),
    /// The rollout guard refused it.
    Refused(Box<Verdict>),
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(e) => write!(f, "invalid file: {e}"),
            Self::Refused(v) => {
                f.write_str("refused by the rollout guard")?;
                for r in &v.refusals {
                    write!(f, "; {r}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ApplyError {}

/// What requests should use right now.
#[derive(Clone, Debug)]
pub enum Current {
    /// No valid file has arrived since start. Fail open: serve requests with the feature module
    /// off (no bot scores), rather than failing them or panicking.
    NoFeaturesYet,
    /// The table in service.
    Serving(Arc<FeatureTable>),
}

/// Counters of the reload path. `accepted + rejected` is the number of `apply` calls.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReloadStats {
    /// Files put into service.
    pub accepted: u64,
    /// Files refused.
    pub rejected: u64,
    /// Why the last refused file was refused.
    pub last_error: Option<ApplyError>,
    /// The serial of the last refused file, when it parsed far enough to have one.
    pub last_refused_serial: Option<u64>,
}

/// The live feature table with hot reload. Readers call [`current`](Self::current) from any
/// thread and never wait on a writer (`arc-swap`); writers are serialized among themselves.
pub struct LiveFeatures {
    table: ArcSwapOption<FeatureTable>,
    writer: Mutex<ReloadStats>,
    limits: Limits,
    policy: RolloutPolicy,
}

impl fmt::Debug for LiveFeatures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveFeatures")
            .field("serial", &self.serial())
            .field("stats", &self.stats())
            .finish()
    }
}

impl Default for LiveFeatures {
    fn default() -> Self {
        Self::new(Limits::DEFAULT, RolloutPolicy::default())
    }
}

impl LiveFeatures {
    /// Starts with no features (see [`Current::NoFeaturesYet`]).
    pub fn new(limits: Limits, policy: RolloutPolicy) -> Self {
        LiveFeatures {
            table: ArcSwapOption::empty(),
            writer: Mutex::new(ReloadStats::default()),
            limits,
            policy,
        }
    }

    /// The table to use for a request.
    pub fn current(&self) -> Current {
        match self.table.load_full() {
            Some(table) => Current::Serving(table),
            None => Current::NoFeaturesYet,
        }
    }

    /// The serial in service, if any.
    pub fn serial(&self) -> Option<u64> {
        self.table.load().as_ref().map(|t| t.serial())
    }

    /// A copy of the counters.
    pub fn stats(&self) -> ReloadStats {
        self.lock().clone()
    }

    fn lock(&self) -> MutexGuard<'_, ReloadStats> {
        // A panic elsewhere while holding the lock leaves counters that are still consistent
        // (each update is a single assignment), so a poisoned lock is used as is.
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Parses `bytes` (binary or text), validates it, vets it against the table in service and,
    /// only if all of that passes, puts it into service. Otherwise the running table stays and
    /// the refusal is recorded.
    pub fn apply(&self, bytes: &[u8]) -> Result<Arc<FeatureTable>, ApplyError> {
        let mut stats = self.lock();
        let outcome = self.candidate(bytes);
        match outcome {
            Ok(table) => {
                self.table.store(Some(Arc::clone(&table)));
                stats.accepted = stats.accepted.saturating_add(1);
                Ok(table)
            }
            Err((error, serial)) => {
                stats.rejected = stats.rejected.saturating_add(1);
                stats.last_error = Some(error.clone());
                stats.last_refused_serial = serial;
                Err(error)
            }
        }
    }

    fn candidate(&self, bytes: &[u8]) -> Result<Arc<FeatureTable>, (ApplyError, Option<u64>)> {
        let file = match Format::detect(bytes) {
            Format::Binary => crate::binary::decode_with(bytes, &self.limits),
            Format::Text => crate::text::parse_with(bytes, &self.limits),
            Format::Rows => Err(Error::new(
                ErrorKind::Syntax,
                Position::File,
                "JSON rows carry no serial: compile them first (`botfeat compile ROWS --serial N -o OUT.bff`)",
            )),
        }
        .map_err(|e| (ApplyError::Invalid(e), None))?;
        let serial = file.serial;
        if let Some(running) = self.table.load().as_ref() {
            let verdict = check_rollout(running.file(), &file, &self.policy);
            if !verdict.is_safe() {
                return Err((ApplyError::Refused(Box::new(verdict)), Some(serial)));
            }
        }
        let table = FeatureTable::build(file, &self.limits)
            .map_err(|e| (ApplyError::Invalid(e), Some(serial)))?;
        Ok(Arc::new(table))
    }
}

//! Live features: the table in service, swapped atomically only for a file that parses,
//! validates and passes the rollout guard. A refused file leaves the running table in service.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::ArcSwapOption;

use super::guard::{RolloutPolicy, Verdict, check_contract, check_rollout};
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
    /// An operator turned the feature module off ([`LiveFeatures::disable`]): serve requests
    /// with it off until it is turned on again.
    Disabled,
}

/// Why [`LiveFeatures::rollback`] could not roll back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RollbackError {
    /// No earlier accepted file is kept.
    NothingToRollBackTo,
}

impl fmt::Display for RollbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no earlier accepted file to roll back to")
    }
}

impl std::error::Error for RollbackError {}

/// How many earlier accepted tables [`LiveFeatures`] keeps for [`LiveFeatures::rollback`].
pub const HISTORY: usize = 8;

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
    /// Files put into service by [`LiveFeatures::apply_known_good`] (also counted in `accepted`).
    pub overrides: u64,
    /// Rollbacks to an earlier file.
    pub rollbacks: u64,
    /// Times the module was turned off.
    pub disables: u64,
    /// Whether the module is off now.
    pub disabled: bool,
}

/// What the writer side keeps: the counters, and the earlier tables, newest last.
#[derive(Default)]
struct Writer {
    stats: ReloadStats,
    history: VecDeque<Arc<FeatureTable>>,
}

/// The live feature table with hot reload. Readers call [`current`](Self::current) from any
/// thread and never wait on a writer (`arc-swap`); writers are serialized among themselves.
pub struct LiveFeatures {
    table: ArcSwapOption<FeatureTable>,
    writer: Mutex<Writer>,
    disabled: AtomicBool,
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
            writer: Mutex::new(Writer::default()),
            disabled: AtomicBool::new(false),
            limits,
            policy,
        }
    }

    /// The table to use for a request.
    pub fn current(&self) -> Current {
        if self.disabled.load(Ordering::Acquire) {
            return Current::Disabled;
        }
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
        self.lock().stats.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Writer> {
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
        self.apply_checked(bytes, false)
    }

    /// Puts an older, known-good file back into service — how an operator ends an incident
    /// like 18 Nov 2025 when the generator keeps emitting bad files. The file is parsed and
    /// validated and must meet the consumer contract; only the comparisons with the running file
    /// (serial order and step, count change, churn) are waived. Counted in `overrides`.
    pub fn apply_known_good(&self, bytes: &[u8]) -> Result<Arc<FeatureTable>, ApplyError> {
        self.apply_checked(bytes, true)
    }

    fn apply_checked(
        &self,
        bytes: &[u8],
        known_good: bool,
    ) -> Result<Arc<FeatureTable>, ApplyError> {
        let mut writer = self.lock();
        match self.candidate(bytes, known_good) {
            Ok(table) => {
                self.serve(&mut writer, Arc::clone(&table));
                writer.stats.accepted = writer.stats.accepted.saturating_add(1);
                if known_good {
                    writer.stats.overrides = writer.stats.overrides.saturating_add(1);
                }
                Ok(table)
            }
            Err((error, serial)) => {
                writer.stats.rejected = writer.stats.rejected.saturating_add(1);
                writer.stats.last_error = Some(error.clone());
                writer.stats.last_refused_serial = serial;
                Err(error)
            }
        }
    }

    /// Puts `table` into service, keeping the one it replaces for a rollback.
    fn serve(&self, writer: &mut Writer, table: Arc<FeatureTable>) {
        if let Some(previous) = self.table.swap(Some(table)) {
            if writer.history.len() >= HISTORY {
                writer.history.pop_front();
            }
            writer.history.push_back(previous);
        }
    }

    /// Puts the file that was in service before the current one back into service (each call
    /// goes one further back, up to [`HISTORY`] files). The current one is dropped, not kept.
    pub fn rollback(&self) -> Result<Arc<FeatureTable>, RollbackError> {
        let mut writer = self.lock();
        let previous = writer
            .history
            .pop_back()
            .ok_or(RollbackError::NothingToRollBackTo)?;
        self.table.store(Some(Arc::clone(&previous)));
        writer.stats.rollbacks = writer.stats.rollbacks.saturating_add(1);
        Ok(previous)
    }

    /// The kill switch: requests see [`Current::Disabled`] until [`enable`](Self::enable).
    /// Files are still applied (and refused) meanwhile; turning it on serves the latest.
    pub fn disable(&self) {
        let mut writer = self.lock();
        if !self.disabled.swap(true, Ordering::AcqRel) {
            writer.stats.disables = writer.stats.disables.saturating_add(1);
        }
        writer.stats.disabled = true;
    }

    /// Turns the feature module on again after [`disable`](Self::disable).
    pub fn enable(&self) {
        let mut writer = self.lock();
        self.disabled.store(false, Ordering::Release);
        writer.stats.disabled = false;
    }

    fn candidate(
        &self,
        bytes: &[u8],
        known_good: bool,
    ) -> Result<Arc<FeatureTable>, (ApplyError, Option<u64>)> {
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
        let verdict = match self.table.load().as_ref() {
            Some(running) if !known_good => check_rollout(running.file(), &file, &self.policy),
            // The first file, or a known-good one: no running file to compare with, but the
            // consumer's contract still holds.
            _ => Verdict {
                refusals: check_contract(&file, &self.policy),
                ..Verdict::default()
            },
        };
        if !verdict.is_safe() {
            return Err((ApplyError::Refused(Box::new(verdict)), Some(serial)));
        }
        let table = FeatureTable::build(file, &self.limits)
            .map_err(|e| (ApplyError::Invalid(e), Some(serial)))?;
        Ok(Arc::new(table))
    }
}

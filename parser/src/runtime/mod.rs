//! The edge side: a preallocated feature table, a reusable per-request buffer, live reload that
//! keeps the last-known-good file, and the rollout guard that vets each new file.

mod buffer;
mod guard;
mod live;
mod table;

pub use crate::model::ValueRef;
pub use buffer::{RequestBuffer, RuntimeError};
pub use guard::{
    DEFAULT_MAX_SERIAL_JUMP, Refusal, RolloutPolicy, Verdict, check_contract, check_rollout,
};
pub use live::{ApplyError, Current, HISTORY, LiveFeatures, ReloadStats, RollbackError};
pub use table::{FeatureTable, SlotId};

//! The edge side: a preallocated feature table, a reusable per-request buffer, live reload that
//! keeps the last-known-good file, and the rollout guard that vets each new file.

mod buffer;
mod guard;
mod live;
mod table;

pub use crate::model::ValueRef;
pub use buffer::{RequestBuffer, RuntimeError};
pub use guard::{Refusal, RolloutPolicy, Verdict, check_rollout};
pub use live::{ApplyError, Current, LiveFeatures, ReloadStats};
pub use table::{FeatureTable, SlotId};

//! botfeat's test kit: an independent reference for the feature-file formats.
//!
//! Everything here is written from `docs/FORMAT.md` alone and uses nothing of the `botfeat` crate
//! but its public data types (the model, [`ErrorKind`](botfeat::ErrorKind) and
//! [`Position`](botfeat::Position), the vocabulary a verdict is given in). The oracles of every
//! fuzz target and property compare the parser with it: an oracle that asked the parser's own
//! validation what to expect would agree with any bug in it.
//!
//! - [`spec`]: the limits and the per-feature rules, and [`spec::validate`] for a whole model;
//! - [`text`], [`rows`], [`binary`]: for each format a reader that decides, for any bytes,
//!   accept (with the value) or refuse (with the kind and position), and an encoder.
//!
//! The readers are plain and slow on purpose: each is one pass written to be checked against the
//! format page line by line, not to be fast.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod binary;
pub mod generate;
pub mod guard;
mod json;
pub mod rows;
pub mod spec;
pub mod text;

pub use spec::{Refusal, Verdict};

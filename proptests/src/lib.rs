//! Strategies for botfeat property tests, composable and shared by every suite in `tests/`.
//!
//! Inputs are wrapped in [`Model`] and [`Bytes`], whose `Debug` prints Rust source: the shrunk
//! input proptest reports can be pasted into a regression test as is.
#![forbid(unsafe_code)]
// Test support: builds inputs for properties, never parses untrusted data.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used
)]

pub mod literal;
pub mod mutation;
pub mod strategy;

pub use literal::{Bytes, Model};

/// The suites' config: the default case count (override with `PROPTEST_CASES`), failures
/// persisted to `proptests/proptest-regressions/<suite>.txt` and replayed first on every run.
pub fn config(regressions: &'static str) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(regressions),
        )),
        ..proptest::test_runner::Config::default()
    }
}

//! A harness for fuzzing and property-testing config-file parsers.
//!
//! Describe the parser under test with [`Target`] (and [`Roundtrip`] if it can write what it
//! reads); the [oracles](oracle) then check, for any input: no panic, a rejected input yields an
//! error with a kind, an accepted one re-encodes and re-parses to the same value, two formats
//! agree, time and heap stay within a [`Budget`]. The same oracles run from libFuzzer
//! ([`drive::fuzz`]), from proptest ([`drive::proptest`], feature `proptest`), from saved corpus
//! files ([`corpus`]) and from a seeded RNG in plain `cargo test` ([`smoke`]).
//!
//! Nothing here knows any particular format: botfeat is this crate's first client, TOML its second.
//! This crate is what links into a fuzz target; the command line (`cargo harness fuzz|hunt|…`)
//! is the `cargo-harness` crate beside it (`harness/tool/`), so no target compiles clap or JSON.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod alloc;
pub mod corpus;
pub mod crash;
pub mod dict;
pub mod drive;
pub mod hunt;
pub mod keep;
pub mod mutate;
pub mod oracle;
pub mod share;
pub mod smoke;
pub mod stack;
mod target;

pub use oracle::{Expected, Outcome, Violation, ViolationKind};
pub use target::{Budget, Roundtrip, Target};

//! Bot-feature files, parsed as the untrusted input they are.
//!
//! On 18 Nov 2025 a generated feature file with every feature twice overflowed a proxy's 200
//! preallocated slots and the loader's `.unwrap()` took the fleet down. This crate reads the same
//! kind of file under strict [`limits`], in three encodings ([`text`], ClickHouse [`rows`],
//! [`binary`]), and never panics: a bad file is an [`Error`] with a kind, a position and a message.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod detect;
mod error;
mod format;
pub mod limits;
mod model;
pub mod runtime;
mod scalar;
pub mod shown;
mod validate;

pub use format::{binary, rows, text};

pub use detect::{Format, parse_any};
pub use error::{Error, ErrorKind, Position};
pub use limits::Limits;
pub use model::{FORMAT_VERSION, Feature, FeatureFile, FeatureType, Name, Value, ValueRef};

//! Bot-feature files, parsed as the untrusted input they are.
//!
//! On 18 Nov 2025 a generated feature file with every feature twice overflowed a proxy's 200
//! preallocated slots and the loader's `.unwrap()` took the fleet down. This crate reads the same
//! kind of file under strict [`limits`], in three encodings ([`text`], ClickHouse [`rows`],
//! [`binary`]), and never panics: a bad file is an [`Error`] with a kind, a position and a message.
//!
//! ```
//! // Any of the three formats, detected from the content, under the production limits.
//! let bytes = b"botfeat 1\nserial 7\nfeature asn u32 default=0\n";
//! let (format, file) = botfeat::parse_any(bytes, 0, &botfeat::Limits::DEFAULT)?;
//! assert_eq!((format, file.features.len(), file.serial), (botfeat::Format::Text, 1, 7));
//!
//! // A bad file is an error to match on, never a panic.
//! let e = botfeat::parse_any(b"botfeat 1\nserial 7\nfeature asn u128\n", 0, &botfeat::Limits::DEFAULT)
//!     .unwrap_err();
//! assert_eq!((e.kind(), e.position().to_string()), (botfeat::ErrorKind::UnknownType, "line 3, column 13".into()));
//! # Ok::<(), botfeat::Error>(())
//! ```
//!
//! At the edge, [`runtime::LiveFeatures`] keeps the table in service; see `ARCHITECTURE.md`.
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
pub use model::{FORMAT_VERSION, Feature, FeatureFile, FeatureType, Name, Scalar, Value, ValueRef};

// The READMEs' Rust examples run as doctests, so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ParserReadmeDoctests;

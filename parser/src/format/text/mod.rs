//! Text format v1 (`.features`): the human-editable form. See `docs/FORMAT.md`.

pub(crate) mod parse;
mod tokens;
mod write;

pub use parse::{parse, parse_with};
#[cfg(feature = "testing")]
pub use write::write_unchecked;
pub use write::{write, write_with};

//! The three encodings of the model, in the order a file travels: the generator's ClickHouse
//! [`rows`], the human-editable [`text`], the [`binary`] file distributed to the edge. Each reader
//! applies [`validate`](crate::validate)'s rules feature by feature as it reads.

pub mod binary;
pub mod rows;
pub mod text;

/// The UTF-8 byte order mark. No format allows it (each reader refuses it with a message that
/// names it); detection looks past it so the message comes from the right reader.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

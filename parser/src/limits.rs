//! Every size limit of a feature file, named once.
//!
//! Each limit is checked before anything is allocated in proportion to it: the file size before
//! parsing, a line's length before tokenizing it, the feature count when the first feature past
//! the limit arrives (never from a count the input merely claims).

/// Most features a file may hold. The edge preallocates exactly this many slots.
pub const MAX_FEATURES: usize = 200;
/// Largest file, in bytes, in every format (1 MiB).
pub const MAX_FILE_SIZE: usize = 1024 * 1024;
/// Longest feature name, in bytes.
pub const MAX_NAME_LEN: usize = 64;
/// Largest `N` in `str(N)`, and so the longest string value, in bytes.
pub const MAX_STRING_LEN: usize = 4096;
/// Longest line of the text format, in bytes, without its line ending.
pub const MAX_LINE_LEN: usize = 4096;

/// The limits a parser enforces. `Limits::default()` is the production setting; tests and
/// tools may lower (or raise) any of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// See [`MAX_FEATURES`].
    pub max_features: usize,
    /// See [`MAX_FILE_SIZE`].
    pub max_file_size: usize,
    /// See [`MAX_NAME_LEN`].
    pub max_name_len: usize,
    /// See [`MAX_STRING_LEN`].
    pub max_string_len: usize,
    /// See [`MAX_LINE_LEN`].
    pub max_line_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Limits {
    /// The production limits.
    pub const DEFAULT: Limits = Limits {
        max_features: MAX_FEATURES,
        max_file_size: MAX_FILE_SIZE,
        max_name_len: MAX_NAME_LEN,
        max_string_len: MAX_STRING_LEN,
        max_line_len: MAX_LINE_LEN,
    };
}

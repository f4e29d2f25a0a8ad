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

/// Most slots a feature table can address (slot numbers are `u16`): a [`Limits::max_features`]
/// raised past it reserves no more than this.
pub const MAX_SLOTS: usize = 1 << 16;

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

/// A [`Limits`] value that [`Limits::new`] refuses: which limit, and its ceiling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitTooHigh {
    /// The field's name.
    pub limit: &'static str,
    /// The value asked for.
    pub value: usize,
    /// The most it may be.
    pub ceiling: usize,
}

impl std::fmt::Display for LimitTooHigh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} = {} is over its ceiling of {}",
            self.limit, self.value, self.ceiling
        )
    }
}

impl std::error::Error for LimitTooHigh {}

impl Limits {
    /// The highest value each limit may be raised to: what the formats can express (`u16`
    /// string sizes and slot numbers, a `u32` payload length) — beyond them a limit would only
    /// let a claimed number size a reservation.
    pub const CEILING: Limits = Limits {
        max_features: MAX_SLOTS,
        max_file_size: u32::MAX as usize,
        max_name_len: u16::MAX as usize,
        max_string_len: u16::MAX as usize,
        max_line_len: u32::MAX as usize,
    };

    /// Limits as given, each at most its [`CEILING`](Self::CEILING): the constructor for raised
    /// limits (lowering any limit is always safe).
    pub fn new(
        max_features: usize,
        max_file_size: usize,
        max_name_len: usize,
        max_string_len: usize,
        max_line_len: usize,
    ) -> Result<Limits, LimitTooHigh> {
        let c = Self::CEILING;
        for (limit, value, ceiling) in [
            ("max_features", max_features, c.max_features),
            ("max_file_size", max_file_size, c.max_file_size),
            ("max_name_len", max_name_len, c.max_name_len),
            ("max_string_len", max_string_len, c.max_string_len),
            ("max_line_len", max_line_len, c.max_line_len),
        ] {
            if value > ceiling {
                return Err(LimitTooHigh {
                    limit,
                    value,
                    ceiling,
                });
            }
        }
        Ok(Limits {
            max_features,
            max_file_size,
            max_name_len,
            max_string_len,
            max_line_len,
        })
    }

    /// The production limits.
    pub const DEFAULT: Limits = Limits {
        max_features: MAX_FEATURES,
        max_file_size: MAX_FILE_SIZE,
        max_name_len: MAX_NAME_LEN,
        max_string_len: MAX_STRING_LEN,
        max_line_len: MAX_LINE_LEN,
    };
}

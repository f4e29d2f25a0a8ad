//! The one error type of the crate: a matchable kind, a position, and a message that says what
//! was found and what was expected.

use std::fmt;

/// What went wrong, to match on. The message of the [`Error`] gives the details.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// More features than [`Limits::max_features`](crate::Limits::max_features).
    TooManyFeatures,
    /// A file with no feature at all.
    NoFeatures,
    /// The file, or a declared payload, is over [`Limits::max_file_size`](crate::Limits::max_file_size).
    FileTooLarge,
    /// A text line is over [`Limits::max_line_len`](crate::Limits::max_line_len).
    LineTooLong,
    /// A name that is not `[a-z][a-z0-9_]*`.
    BadName,
    /// A name over [`Limits::max_name_len`](crate::Limits::max_name_len).
    NameTooLong,
    /// Two features with the same name.
    DuplicateName,
    /// A type that is not one of `bool u8 u16 u32 u64 i64 f32 f64 ip str(N)`.
    UnknownType,
    /// `str(N)` with `N` of 0 or over [`Limits::max_string_len`](crate::Limits::max_string_len).
    BadStringSize,
    /// A number that does not fit its type.
    ValueOutOfRange,
    /// A float that is NaN or infinite (for `f32`: after conversion).
    NonFiniteFloat,
    /// A default that cannot be read as its type (`default=yes` for a `bool`, say).
    InvalidValue,
    /// A string default longer than its `str(N)`.
    StringTooLong,
    /// A backslash escape that is not `\\ \" \n \t \r \u{X}`.
    BadEscape,
    /// Input that is not UTF-8 where text is required.
    InvalidUtf8,
    /// Anything else unexpected in the layout of the input.
    Syntax,
    /// The text format has no `serial` line.
    MissingSerial,
    /// A format version this build does not read.
    UnsupportedVersion,
    /// A binary file that does not start with `BFF1`.
    BadMagic,
    /// A binary header whose flags are not 0.
    BadFlags,
    /// The input ends before what it announced.
    Truncated,
    /// Bytes after the end of a binary payload or of the features it declared.
    TrailingBytes,
    /// The CRC-32 of a binary payload does not match its header.
    ChecksumMismatch,
    /// A JSON row with a key other than `name`, `type`, `database`, `table`, `default`.
    UnknownKey,
    /// A JSON row without `name` or `type`.
    MissingKey,
    /// A ClickHouse column type with no feature type.
    UnsupportedClickHouseType,
    /// A check inside the parser found its own state inconsistent (an index it had computed out
    /// of range): a bug in botfeat, never the input's fault. The file is refused rather than
    /// read wrong; please report it with the input.
    Internal,
}

impl ErrorKind {
    /// A stable snake_case name, used by the CLI's JSON output and by corpus expectations.
    pub fn name(self) -> &'static str {
        match self {
            Self::TooManyFeatures => "too_many_features",
            Self::NoFeatures => "no_features",
            Self::FileTooLarge => "file_too_large",
            Self::LineTooLong => "line_too_long",
            Self::BadName => "bad_name",
            Self::NameTooLong => "name_too_long",
            Self::DuplicateName => "duplicate_name",
            Self::UnknownType => "unknown_type",
            Self::BadStringSize => "bad_string_size",
            Self::ValueOutOfRange => "value_out_of_range",
            Self::NonFiniteFloat => "non_finite_float",
            Self::InvalidValue => "invalid_value",
            Self::StringTooLong => "string_too_long",
            Self::BadEscape => "bad_escape",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::Syntax => "syntax",
            Self::MissingSerial => "missing_serial",
            Self::UnsupportedVersion => "unsupported_version",
            Self::BadMagic => "bad_magic",
            Self::BadFlags => "bad_flags",
            Self::Truncated => "truncated",
            Self::TrailingBytes => "trailing_bytes",
            Self::ChecksumMismatch => "checksum_mismatch",
            Self::UnknownKey => "unknown_key",
            Self::MissingKey => "missing_key",
            Self::UnsupportedClickHouseType => "unsupported_clickhouse_type",
            Self::Internal => "internal",
        }
    }

    /// Every kind, in declaration order (for tests and tooling that must cover them all).
    pub const ALL: [ErrorKind; 27] = [
        Self::TooManyFeatures,
        Self::NoFeatures,
        Self::FileTooLarge,
        Self::LineTooLong,
        Self::BadName,
        Self::NameTooLong,
        Self::DuplicateName,
        Self::UnknownType,
        Self::BadStringSize,
        Self::ValueOutOfRange,
        Self::NonFiniteFloat,
        Self::InvalidValue,
        Self::StringTooLong,
        Self::BadEscape,
        Self::InvalidUtf8,
        Self::Syntax,
        Self::MissingSerial,
        Self::UnsupportedVersion,
        Self::BadMagic,
        Self::BadFlags,
        Self::Truncated,
        Self::TrailingBytes,
        Self::ChecksumMismatch,
        Self::UnknownKey,
        Self::MissingKey,
        Self::UnsupportedClickHouseType,
        Self::Internal,
    ];

    /// The kind whose [`name`](Self::name) is `name`.
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where in the input an error is. Lines, columns and rows count from 1; offsets from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Position {
    /// The input as a whole (its size, say).
    File,
    /// Text format: line and column (in characters).
    LineCol {
        /// 1-based line.
        line: u64,
        /// 1-based column, in characters.
        column: u64,
    },
    /// JSONEachRow: the 1-based line of the row.
    Row(u64),
    /// Binary format: byte offset from the start of the file.
    Offset(u64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::File => f.write_str("file"),
            Position::LineCol { line, column } => write!(f, "line {line}, column {column}"),
            Position::Row(row) => write!(f, "row {row}"),
            Position::Offset(offset) => write!(f, "byte {offset}"),
        }
    }
}

/// A rejected input: kind, position, and a message naming what was found and what was expected.
///
/// One pointer wide, so `Result<T, Error>` stays small on the happy path.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<Inner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    position: Position,
    message: String,
}

impl Error {
    /// An error of `kind` at `position`. The message usually quotes the input, so it is stored
    /// as [`shown::untrusted`](crate::shown::untrusted) makes it: no control or bidi character
    /// reaches a terminal or a log from any error of this crate.
    #[cold]
    pub fn new(kind: ErrorKind, position: Position, message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            kind,
            position,
            message: crate::shown::untrusted(&message.into()),
        }))
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// Where.
    pub fn position(&self) -> Position {
        self.0.position
    }

    /// The message without the position.
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.position {
            Position::File => f.write_str(&self.0.message),
            position => write!(f, "{position}: {}", self.0.message),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Error({:?} at {:?}: {})",
            self.0.kind, self.0.position, self.0.message
        )
    }
}

impl std::error::Error for Error {}

/// A problem found without knowing where: each format attaches its own position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) kind: ErrorKind,
    pub(crate) message: String,
}

impl Problem {
    #[cold]
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Problem {
            kind,
            message: message.into(),
        }
    }

    #[cold]
    pub(crate) fn at(self, position: Position) -> Error {
        Error::new(self.kind, position, self.message)
    }
}

impl Error {
    /// The error for an input of `size` bytes over `limits.max_file_size` (also for callers that
    /// refuse a file from its metadata, before reading it).
    #[cold]
    pub fn file_too_large(size: u64, limits: &crate::Limits) -> Error {
        Error::new(
            ErrorKind::FileTooLarge,
            Position::File,
            format!(
                "file is {size} bytes: the limit is {} bytes",
                limits.max_file_size
            ),
        )
    }
}

impl Error {
    /// The parser's own slip ([`ErrorKind::Internal`]): `what` names the check that failed.
    #[cold]
    pub(crate) fn internal(position: Position, what: &str) -> Error {
        Error::new(
            ErrorKind::Internal,
            position,
            format!(
                "internal error: {what}; this is a bug in botfeat, not in the file: please report it with the file"
            ),
        )
    }
}

/// A length as u64 (saturating on a platform where usize is wider).
pub(crate) fn len64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

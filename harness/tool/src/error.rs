//! What can stop a command, as a kind to match on: each maps to one exit code.

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a command could not do its job.
#[derive(Debug)]
pub enum Error {
    /// The user's words are off (an unknown target, a missing folder): exit 2.
    Usage(String),
    /// A tool this one needs failed or is missing (cargo, cargo fuzz, rustc, a build): exit 2.
    Setup(String),
    /// A file could not be read or written: exit 2.
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// SIGINT or SIGTERM arrived: every child was ended; exit 128 + the signal.
    Interrupted(i32),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The exit code the command ends with.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Interrupted(signal) => u8::try_from(signal.saturating_add(128)).unwrap_or(130),
            Error::Usage(_) | Error::Setup(_) | Error::Io { .. } => 2,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) | Error::Setup(m) => f.write_str(m),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Interrupted(signal) => write!(f, "interrupted by signal {signal}"),
        }
    }
}

impl std::error::Error for Error {}

/// The modules moved from the harness library still describe some failures in words.
impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::Setup(message)
    }
}

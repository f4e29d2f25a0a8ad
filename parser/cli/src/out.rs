//! Output that cannot panic: every write to stdout is checked, a closed pipe ends the command
//! quietly (as `head` expects of a Unix tool), and everything shown from a file or a path goes
//! through [`botfeat::shown::untrusted`].

use std::io::{self, BufWriter, StdoutLock, Write};
use std::path::Path;

/// Why a command ended early.
pub enum Failure {
    /// A file is invalid or refused: exit 1 (its message is already written).
    Invalid,
    /// A usage or I/O error: exit 2, with this message on stderr.
    Usage(String),
    /// Standard output was closed under us (`| head`): end quietly.
    ClosedPipe,
}

/// Buffered standard output whose errors are results.
pub struct Out {
    inner: BufWriter<StdoutLock<'static>>,
}

impl Out {
    pub fn new() -> Self {
        Out {
            inner: BufWriter::new(io::stdout().lock()),
        }
    }

    /// Writes `bytes` as they are (a file's canonical text or binary content).
    pub fn bytes(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.inner.write_all(bytes).map_err(failure)
    }

    /// Writes one line.
    pub fn line(&mut self, line: &str) -> Result<(), Failure> {
        self.bytes(line.as_bytes())?;
        self.bytes(b"\n")
    }

    /// Flushes; the command is done only when this succeeds.
    pub fn finish(mut self) -> Result<(), Failure> {
        self.inner.flush().map_err(failure)
    }
}

fn failure(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::ClosedPipe
    } else {
        Failure::Usage(format!("cannot write to standard output: {e}"))
    }
}

/// One line on standard error. If stderr itself is gone there is nobody left to tell.
pub fn err_line(line: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(line.as_bytes());
    let _ = err.write_all(b"\n");
}

/// A path as messages show it: `-` for standard input, the rest escaped.
pub fn path(p: &Path) -> String {
    botfeat::shown::untrusted(&p.display().to_string())
}

/// `1 feature`, `2 features`.
pub fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

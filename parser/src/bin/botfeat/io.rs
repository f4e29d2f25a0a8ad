//! File access that a hostile file cannot abuse: bounded reads and all-or-nothing writes.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use botfeat::{Error, ErrorKind, Limits, Position};

/// Reads `path` if it is within the file-size limit. The outer error is I/O; the inner one is a
/// file that is too large, refused from its metadata or after reading one byte past the limit
/// (a 1 GiB file, or an endless pipe, is never read into memory).
pub fn read_bounded(path: &Path, limits: &Limits) -> Result<Result<Vec<u8>, Error>, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    if let Ok(meta) = file.metadata() {
        if meta.is_file() && meta.len() > u64::try_from(limits.max_file_size).unwrap_or(u64::MAX) {
            return Ok(Err(Error::file_too_large(meta.len(), limits)));
        }
    }
    let cap = u64::try_from(limits.max_file_size)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut bytes = Vec::new();
    file.take(cap)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() > limits.max_file_size {
        // A pipe or a growing file: all we know is that it is past the limit.
        let limit = limits.max_file_size;
        return Ok(Err(Error::new(
            ErrorKind::FileTooLarge,
            Position::File,
            format!("file is more than {limit} bytes: the limit is {limit} bytes"),
        )));
    }
    Ok(Ok(bytes))
}

/// Writes `bytes` to a new temporary file beside `path`, syncs it and renames it over `path`:
/// `path` is either untouched or complete.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

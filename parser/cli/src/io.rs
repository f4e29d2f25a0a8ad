//! File access that a hostile file cannot abuse: bounded reads and writes that never destroy
//! what is there.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use botfeat::{Error, ErrorKind, Limits, Position};

/// Whether `path` means standard input or output.
pub fn is_std(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads `path` (`-`: standard input) if it is within the file-size limit. The outer error is
/// I/O; the inner one is a file that is too large, refused from its metadata or after reading
/// one byte past the limit (a 1 GiB file, or an endless pipe, is never read into memory).
pub fn read_bounded(path: &Path, limits: &Limits) -> Result<Result<Vec<u8>, Error>, String> {
    let reader: Box<dyn Read> = if is_std(path) {
        Box::new(std::io::stdin().lock())
    } else {
        let file = File::open(path).map_err(|e| e.to_string())?;
        if let Ok(meta) = file.metadata() {
            if meta.is_dir() {
                return Err("is a directory".into());
            }
            if meta.is_file()
                && meta.len() > u64::try_from(limits.max_file_size).unwrap_or(u64::MAX)
            {
                return Ok(Err(Error::file_too_large(meta.len(), limits)));
            }
        }
        Box::new(file)
    };
    let cap = u64::try_from(limits.max_file_size)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut bytes = Vec::new();
    reader
        .take(cap)
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

/// Where to write `bytes` so that `path` is either untouched or complete:
/// - a regular file (or a new name): a temporary file beside it, synced, then renamed over it —
///   beside the file a symbolic link points to, so the link stays a link;
/// - a device or a FIFO (`/dev/null`, `/dev/stdout`, a pipe): written directly — renaming over
///   it would replace the device with a regular file;
/// - a directory: refused.
pub enum Target {
    Atomic(PathBuf),
    Direct(PathBuf),
}

pub fn target(path: &Path) -> Result<Target, String> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err("is a directory: expected a file to write".into()),
        Ok(meta) if meta.is_file() => {
            let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            Ok(Target::Atomic(real))
        }
        Ok(_) => Ok(Target::Direct(path.to_path_buf())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(Target::Atomic(path.to_path_buf()))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Writes `bytes` to `path` as [`target`] says.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    match target(path)? {
        Target::Direct(p) => {
            let mut f = OpenOptions::new()
                .write(true)
                .open(&p)
                .map_err(|e| e.to_string())?;
            f.write_all(bytes).map_err(|e| e.to_string())
        }
        Target::Atomic(p) => write_atomic(&p, bytes).map_err(|e| e.to_string()),
    }
}

/// Writes `bytes` to a new temporary file beside `path`, syncs it and renames it over `path`.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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

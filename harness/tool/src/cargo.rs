//! What this tool asks of cargo and rustc: where builds go (the `cargo_metadata` crate), the host
//! triple, cargo-fuzz installed, the one `cargo fuzz` command line, a nightly toolchain.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::Error;

/// Where cargo puts `dir`'s build output (CARGO_TARGET_DIR, a config file, or `dir/target`).
pub fn target_dir(dir: &Path) -> Result<PathBuf, Error> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .current_dir(dir)
        .no_deps()
        .exec()
        .map_err(|e| Error::Setup(format!("cargo metadata in {}: {e}", dir.display())))?;
    Ok(metadata.target_directory.into_std_path_buf())
}

/// The names of `dir`'s binaries (a cargo-fuzz directory's targets), in manifest order.
pub fn bin_targets(dir: &Path) -> Result<Vec<String>, Error> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .current_dir(dir)
        .no_deps()
        .exec()
        .map_err(|e| Error::Setup(format!("cargo metadata in {}: {e}", dir.display())))?;
    Ok(metadata
        .packages
        .iter()
        .flat_map(|p| p.targets.iter())
        .filter(|t| t.is_bin())
        .map(|t| t.name.clone())
        .collect())
}

/// The host's target triple (`rustc -vV`), the folder cargo-fuzz builds into.
pub fn host_triple() -> Result<String, Error> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| Error::Setup(format!("rustc -vV: {e}")))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .ok_or_else(|| Error::Setup("rustc -vV did not name the host".into()))
}

/// Installs cargo-fuzz when `cargo fuzz` is not there (`cargo install cargo-fuzz --locked`).
pub fn ensure_cargo_fuzz() -> Result<(), Error> {
    let there = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if there {
        return Ok(());
    }
    eprintln!("== installing cargo-fuzz");
    let mut install = Command::new("cargo");
    install.args(["install", "cargo-fuzz", "--locked"]);
    crate::process::run_shown(install, "cargo install cargo-fuzz --locked")
}

/// Whether rustup has a nightly toolchain.
pub fn nightly_installed() -> bool {
    Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.starts_with("nightly"))
        })
}

/// One `cargo fuzz` build flavour: toolchain, sanitizer, target directory, tracing.
#[derive(Clone, Debug)]
pub struct Fuzz {
    /// Nightly with AddressSanitizer; else stable with `-s none`.
    pub nightly: bool,
    /// Where it builds.
    pub target_dir: PathBuf,
    /// libFuzzer's comparison tracing.
    pub trace_compares: bool,
    /// `-O -a`: release, debug assertions kept (ClusterFuzzLite's build).
    pub release_with_assertions: bool,
}

impl Fuzz {
    /// The stable build without comparison tracing, in `<target dir>/stable`.
    pub fn stable(fuzz_dir: &Path) -> Result<Self, Error> {
        Ok(Fuzz {
            nightly: false,
            target_dir: target_dir(fuzz_dir)?.join("stable"),
            trace_compares: false,
            release_with_assertions: false,
        })
    }

    /// `cargo [+nightly] fuzz SUB [-s none] --target-dir DIR [--no-trace-compares]`.
    pub fn command(&self, sub: &str) -> Command {
        let mut cmd = Command::new("cargo");
        if self.nightly {
            cmd.arg("+nightly");
        }
        cmd.args(["fuzz", sub]);
        if !self.nightly {
            cmd.args(["-s", "none"]);
        }
        if self.release_with_assertions {
            cmd.args(["-O", "-a"]);
        }
        cmd.arg("--target-dir").arg(&self.target_dir);
        if !self.trace_compares {
            cmd.arg("--no-trace-compares");
        }
        cmd.env("RUST_BACKTRACE", "0");
        cmd
    }

    /// The same command as words a user can paste, for reproduce lines.
    pub fn describe(&self, sub: &str) -> String {
        let cmd = self.command(sub);
        let mut words = vec![cmd.get_program().to_string_lossy().into_owned()];
        words.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
        words.join(" ")
    }

    /// Where a built binary is.
    pub fn binary(&self, target: &str) -> Result<PathBuf, Error> {
        Ok(self
            .target_dir
            .join(host_triple()?)
            .join("release")
            .join(target))
    }
}

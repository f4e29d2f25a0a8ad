//! `cargo harness build --out DIR`: every fuzz target into one folder with its options,
//! dictionary and seed corpus (a zip), as ClusterFuzzLite and OSS-Fuzz expect.
//!
//! Inside the ClusterFuzzLite container the base image sets `SANITIZER`, `LIB_FUZZING_ENGINE`
//! and the compiler flags, and `cargo fuzz build` picks them up (nightly, the image's
//! sanitizer). Elsewhere it builds on stable with no sanitizer. Either way: release, debug
//! assertions and overflow checks kept (`-O -a`).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::cargo::{self, Fuzz};
use crate::error::Error;

/// What to build, and where to.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// The cargo-fuzz directory.
    pub fuzz_dir: PathBuf,
    /// The saved corpus, one folder per target (zipped as each target's seed corpus).
    pub corpus: PathBuf,
    /// The output folder.
    pub out: PathBuf,
}

/// Whether this runs inside the ClusterFuzzLite (OSS-Fuzz) build container.
fn in_container() -> bool {
    std::env::var_os("SANITIZER").is_some() && std::env::var_os("LIB_FUZZING_ENGINE").is_some()
}

/// Builds every target into `opts.out`; the targets built.
pub fn run(opts: &BuildOptions) -> Result<Vec<String>, Error> {
    let fuzz_dir = opts
        .fuzz_dir
        .canonicalize()
        .map_err(|e| Error::io(&opts.fuzz_dir, e))?;
    std::fs::create_dir_all(&opts.out).map_err(|e| Error::io(&opts.out, e))?;
    let base = cargo::target_dir(&fuzz_dir)?;
    let container = in_container();
    if !container {
        cargo::ensure_cargo_fuzz()?;
    }
    let build = Fuzz {
        // In the container the image's toolchain and sanitizer flags apply as they are.
        nightly: container,
        target_dir: if container { base } else { base.join("cflite") },
        trace_compares: true,
        release_with_assertions: true,
    };
    let mut cmd = build.command("build");
    if container {
        // The image's RUSTFLAGS choose the sanitizer; `-s` would override them.
        cmd = std::process::Command::new("cargo");
        cmd.args(["fuzz", "build", "-O", "-a", "--target-dir"])
            .arg(&build.target_dir);
    }
    cmd.current_dir(&fuzz_dir);
    crate::process::run_shown(cmd, "cargo fuzz build")?;
    let targets = cargo::bin_targets(&fuzz_dir)?;
    for target in &targets {
        copy_target(&build, &fuzz_dir, &opts.corpus, &opts.out, target)?;
    }
    eprintln!("built into {}: {}", opts.out.display(), targets.join(" "));
    Ok(targets)
}

fn copy(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| Error::io(from, e))
}

/// One target's binary, options, dictionary and seed corpus into `out`.
fn copy_target(
    build: &Fuzz,
    fuzz_dir: &Path,
    corpus: &Path,
    out: &Path,
    target: &str,
) -> Result<(), Error> {
    copy(&build.binary(target)?, &out.join(target))?;
    let options = fuzz_dir
        .join("fuzz_targets")
        .join(format!("{target}.options"));
    if let Ok(text) = std::fs::read_to_string(&options) {
        copy(&options, &out.join(format!("{target}.options")))?;
        if let Some(dict) = crate::fuzz::option(&text, "dict") {
            copy(&fuzz_dir.join("dicts").join(&dict), &out.join(&dict))?;
        }
    }
    let seeds = corpus.join(target);
    if seeds.is_dir() {
        let zip = out.join(format!("{target}_seed_corpus.zip"));
        write_zip(&seeds, &zip)?;
    }
    Ok(())
}

/// The files of `dir` (flat, as libFuzzer wants a seed corpus), stored in a zip at `zip`.
fn write_zip(dir: &Path, zip: &Path) -> Result<(), Error> {
    let mut cases = harness::corpus::read_cases(dir).map_err(|e| Error::io(dir, e))?;
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    let file = std::fs::File::create(zip).map_err(|e| Error::io(zip, e))?;
    let mut writer = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for case in cases {
        writer
            .start_file(case.name.as_str(), options)
            .map_err(|e| Error::Setup(format!("{}: {e}", zip.display())))?;
        writer
            .write_all(&case.bytes)
            .map_err(|e| Error::io(zip, e))?;
    }
    writer
        .finish()
        .map_err(|e| Error::Setup(format!("{}: {e}", zip.display())))?;
    Ok(())
}

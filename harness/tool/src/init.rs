//! `cargo harness init`: a new hunt directory for a parser, so its user writes one line, or none.
//!
//! It writes what the examples in `examples/hunt/` hold — `Cargo.toml` (its own workspace, the
//! harness by a relative path, the parser as given), the `plain` target calling the parser and
//! the `hunt` target, one `harness::hunt_target!` line (counting allocator included) around the
//! same call, an empty `seeds/` and a README line — and lets cargo make a fresh lockfile (a
//! copied one would pin another project's transitive versions).

use std::path::{Path, PathBuf};

use crate::error::Error;

/// What to scaffold.
#[derive(Clone, Debug)]
pub struct Scaffold {
    /// The new hunt directory (must not exist, or be empty).
    pub dir: PathBuf,
    /// The parser: `name@version` (`yaml-rust@=0.4.0`) from crates.io, or a path to its crate.
    pub krate: String,
    /// The function to call on each input, as a path (`yaml_rust::YamlLoader::load_from_str`).
    pub call: String,
    /// Whether the function takes `&[u8]` (else `&str`: inputs that are not UTF-8 are skipped).
    pub bytes: bool,
    /// The harness crate's folder.
    pub harness: PathBuf,
}

/// The dependency line for `krate`.
fn dependency(krate: &str, base: &Path) -> Result<String, String> {
    if let Some((name, version)) = krate.split_once('@') {
        if name.is_empty() || version.is_empty() {
            return Err(format!(
                "--crate {krate:?}: expected NAME@VERSION or a path"
            ));
        }
        return Ok(format!("{name} = \"{version}\""));
    }
    let path = Path::new(krate);
    let manifest = std::fs::read_to_string(path.join("Cargo.toml")).map_err(|e| {
        format!("--crate {krate}: no Cargo.toml there ({e}); expected NAME@VERSION or a path")
    })?;
    let table: toml::Table = manifest
        .parse()
        .map_err(|e| format!("--crate {krate}: its Cargo.toml does not parse: {e}"))?;
    let name = table
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .ok_or_else(|| format!("--crate {krate}: its Cargo.toml has no package name"))?;
    let abs = path.canonicalize().map_err(|e| e.to_string())?;
    let _ = base;
    let mut dependency = toml::Table::new();
    dependency.insert("path".into(), abs.display().to_string().into());
    Ok(format!(
        "{name} = {}",
        toml::Value::Table(dependency).to_string().trim()
    ))
}

/// The target's one-line body.
fn body(call: &str, bytes: bool) -> String {
    if bytes {
        format!("let _ = {call}(data);")
    } else {
        format!("if let Ok(s) = std::str::from_utf8(data) {{ let _ = {call}(s); }}")
    }
}

/// `target` as a path relative to the directory `base` (both absolute), when they share a root.
fn relative(target: &Path, base: &Path) -> Option<PathBuf> {
    let common = target
        .components()
        .zip(base.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in base.components().skip(common) {
        out.push("..");
    }
    for part in target.components().skip(common) {
        out.push(part);
    }
    Some(out)
}

/// Writes the hunt directory; returns the files written.
pub fn write(s: &Scaffold) -> Result<Vec<PathBuf>, String> {
    if s.dir.exists()
        && std::fs::read_dir(&s.dir)
            .map_err(|e| e.to_string())?
            .next()
            .is_some()
    {
        return Err(format!("{}: exists and is not empty", s.dir.display()));
    }
    if s.call.trim().is_empty() || s.call.contains(['(', ')', ';', '{', '}']) {
        return Err(format!(
            "--call {:?}: expected the path of a function (crate_name::parse)",
            s.call
        ));
    }
    let name = s
        .dir
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        })
        .unwrap_or_else(|| "parser".into());
    let harness = s
        .harness
        .canonicalize()
        .map_err(|e| format!("{}: {e}", s.harness.display()))?;
    // Relative, so the directory can be committed and built from another checkout.
    let harness = std::fs::create_dir_all(&s.dir)
        .and_then(|()| s.dir.canonicalize())
        .ok()
        .and_then(|dir| relative(&harness, &dir))
        .unwrap_or(harness);
    let dep = dependency(&s.krate, &s.dir)?;
    let body = body(&s.call, s.bytes);
    let files: Vec<(PathBuf, String)> = vec![
        (
            s.dir.join("Cargo.toml"),
            format!(
                r#"# A hunt directory: `harness/hunt {dir} --seconds 60` (and `--plain` for the baseline).
[package]
name = "hunt-{name}"
version = "0.0.0"
publish = false
edition = "2021"

[package.metadata]
cargo-fuzz = true

# Its own workspace, outside any other.
[workspace]

[dependencies]
libfuzzer-sys = "0.4.10"
harness = {{ path = {harness:?} }}
{dep}

[[bin]]
name = "plain"
path = "fuzz_targets/plain.rs"
test = false
doc = false
bench = false

[[bin]]
name = "hunt"
path = "fuzz_targets/hunt.rs"
test = false
doc = false
bench = false
"#,
                dir = s.dir.display(),
                harness = harness.display().to_string(),
            ),
        ),
        (
            s.dir.join("fuzz_targets/plain.rs"),
            format!(
                "#![no_main]\n//! The plain raw-bytes target: the parser, nothing else (the baseline).\nlibfuzzer_sys::fuzz_target!(|data: &[u8]| {{\n    {body}\n}});\n"
            ),
        ),
        (
            s.dir.join("fuzz_targets/hunt.rs"),
            format!(
                "#![no_main]\n//! The same parser under the harness: small stack, heap cap, nesting mutations.\nharness::hunt_target!(|data| {{\n    {body}\n}});\n"
            ),
        ),
        (
            s.dir.join("seeds/README"),
            "Put two or three small, valid documents of the parser's format here (one per file): the\nhunt starts from them and derives its dictionary from them. Remove this file.\n".into(),
        ),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// `cargo harness init`: writes the directory, then a fresh lockfile.
pub fn init(dir: PathBuf, krate: String, call: String, bytes: bool) -> Result<(), Error> {
    // This crate sits in `harness/tool/`: the harness library is its parent.
    let harness = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("harness"), Path::to_path_buf);
    let scaffold = Scaffold {
        dir: dir.clone(),
        krate,
        call,
        bytes,
        harness,
    };
    for path in write(&scaffold)? {
        eprintln!("wrote {}", path.display());
    }
    // A fresh lockfile: the parser's own transitive versions, not an example's.
    let mut lock = std::process::Command::new("cargo");
    lock.arg("generate-lockfile").current_dir(&dir);
    crate::process::run_shown(
        lock,
        &format!("cargo generate-lockfile in {}", dir.display()),
    )?;
    eprintln!(
        "next: put 2-3 small valid inputs in {}/seeds/, then: cargo harness hunt {} --seconds 60",
        dir.display(),
        dir.display()
    );
    Ok(())
}

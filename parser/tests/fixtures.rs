//! Fixture files: every `valid/*` parses; every `invalid/*` fails with the kind its name starts
//! with (`<kind>-<what>.<ext>`) and exactly the message in `invalid/<name>.expected`.
//!
//! `BLESS=1 cargo test --test fixtures` rewrites the `.expected` files from what the parser says;
//! review the diff before committing it.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::fs;
use std::path::{Path, PathBuf};

use botfeat::{ErrorKind, Limits, parse_any};

fn inputs(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "expected"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

#[test]
fn valid_fixtures_parse() {
    for path in inputs("valid") {
        let bytes = fs::read(&path).unwrap();
        if let Err(e) = parse_any(&bytes, 1, &Limits::DEFAULT) {
            panic!("{}: {e}", path.display());
        }
    }
}

#[test]
fn invalid_fixtures_fail_with_the_expected_kind_and_message() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for path in inputs("invalid") {
        let bytes = fs::read(&path).unwrap();
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let kind_name = stem.split('-').next().unwrap();
        let kind = ErrorKind::from_name(kind_name)
            .unwrap_or_else(|| panic!("{stem}: no error kind `{kind_name}`"));
        let Err(err) = parse_any(&bytes, 1, &Limits::DEFAULT) else {
            failures.push(format!("{}: parsed, expected {kind}", path.display()));
            continue;
        };
        let expected_path = path.with_extension("expected");
        let shown = format!("{err}\n");
        if bless {
            fs::write(&expected_path, &shown).unwrap();
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if err.kind() != kind || shown != expected {
            failures.push(format!(
                "{}:\n  got      {:?}: {shown}  expected {kind}: {expected}",
                path.display(),
                err.kind()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

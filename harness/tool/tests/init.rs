//! `harness init-hunt` writes a hunt directory a user only adds seeds to.
#![allow(clippy::unwrap_used)]

use cargo_harness::init::{Scaffold, write};

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("harness-scaffold-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn scaffold(dir: &std::path::Path, call: &str, bytes: bool) -> Scaffold {
    Scaffold {
        dir: dir.to_path_buf(),
        krate: "yaml-rust@=0.4.0".into(),
        call: call.into(),
        bytes,
        harness: std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf(),
    }
}

#[test]
fn writes_both_targets_the_manifest_and_seeds() {
    let dir = scratch("ok");
    let files = write(&scaffold(
        &dir,
        "yaml_rust::YamlLoader::load_from_str",
        false,
    ))
    .unwrap();
    assert_eq!(files.len(), 4);
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("yaml-rust = \"=0.4.0\""), "{manifest}");
    // The harness by a relative path: the directory builds from any checkout.
    assert!(manifest.contains("harness = { path = \"../"), "{manifest}");
    assert!(manifest.contains("[workspace]"));
    let hunt = std::fs::read_to_string(dir.join("fuzz_targets/hunt.rs")).unwrap();
    assert!(hunt.contains("harness::hunt_target!(|data| {"));
    assert!(hunt.contains("let _ = yaml_rust::YamlLoader::load_from_str(s);"));
    let plain = std::fs::read_to_string(dir.join("fuzz_targets/plain.rs")).unwrap();
    assert!(plain.contains("std::str::from_utf8(data)") && !plain.contains("harness::"));
    assert!(dir.join("seeds").is_dir());
    assert!(
        !dir.join("Cargo.lock").exists(),
        "the lockfile is cargo's to make, fresh"
    );
}

#[test]
fn a_bytes_parser_gets_the_bytes() {
    let dir = scratch("bytes");
    write(&scaffold(&dir, "my_parser::parse", true)).unwrap();
    let plain = std::fs::read_to_string(dir.join("fuzz_targets/plain.rs")).unwrap();
    assert!(plain.contains("let _ = my_parser::parse(data);"), "{plain}");
}

#[test]
fn refuses_a_full_directory_and_a_call_that_is_not_a_path() {
    let dir = scratch("full");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("x"), "").unwrap();
    assert!(
        write(&scaffold(&dir, "a::b", false))
            .unwrap_err()
            .contains("not empty")
    );
    let dir = scratch("call");
    assert!(
        write(&scaffold(&dir, "a::b(x)", false))
            .unwrap_err()
            .contains("--call")
    );
}

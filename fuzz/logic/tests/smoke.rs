//! Every fuzz target, driven from a seeded RNG over its saved corpus and mutations of it, on
//! stable, in plain `cargo test` (as wasm-tools does). `SMOKE_INPUTS=N` runs more per target.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use std::path::Path;

use botfeat_fuzz::{ALL, Target};

fn seeds(target: Target) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus")
        .join(target.name());
    harness::corpus::read_cases(&dir)
        .unwrap()
        .into_iter()
        .map(|c| c.bytes)
        .collect()
}

fn smoke(target: Target, default_count: usize) {
    let count = std::env::var("SMOKE_INPUTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default_count);
    let seeds = seeds(target);
    let inputs = harness::smoke::inputs(
        0x5EED ^ target.name().len() as u64,
        count + seeds.len(),
        &seeds,
        |d, r| target.mutate(d, r),
    );
    let mut failures = Vec::new();
    for input in &inputs {
        if let Err(v) = target.run(input) {
            failures.push(v.to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs broke an oracle:\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}

#[test]
fn parse_text() {
    smoke(Target::ParseText, 300);
}

#[test]
fn parse_binary() {
    smoke(Target::ParseBinary, 300);
}

#[test]
fn ingest_rows() {
    smoke(Target::IngestRows, 300);
}

#[test]
fn roundtrip() {
    smoke(Target::Roundtrip, 200);
}

#[test]
fn reload() {
    smoke(Target::Reload, 50);
}

#[test]
fn toml_config() {
    smoke(Target::TomlConfig, 300);
}

#[test]
fn every_target_has_a_smoke_test_and_a_corpus() {
    let this = include_str!("smoke.rs");
    for t in ALL {
        assert!(
            this.contains(&format!("fn {}()", t.name())),
            "no smoke test for {}",
            t.name()
        );
        assert!(!seeds(t).is_empty(), "corpus/{} is empty", t.name());
        assert_eq!(Target::from_name(t.name()), Some(t));
    }
}

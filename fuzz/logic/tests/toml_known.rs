//! The upstream toml bug the `toml_config` target found, and how the target looks past it: toml
//! 1.2.2 reads a header of 80 keys holding an inline table, and writes it as a header of 81 keys,
//! which it refuses. When this test fails on the first assertion, toml has fixed it: drop
//! `adapters::toml_writes_past_its_key_limit`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use botfeat_fuzz::adapters::{TOML_KEY_LIMIT, toml_writes_past_its_key_limit};

fn nested(keys: usize) -> String {
    format!("[{}]\nb = {{c = 1}}\n", vec!["a"; keys].join("."))
}

#[test]
fn toml_refuses_what_it_writes_one_key_past_its_limit() {
    let doc = nested(TOML_KEY_LIMIT);
    let table: toml::Table = toml::from_str(&doc).expect("80 keys are read");
    let written = toml::to_string(&table).unwrap();
    let again = toml::from_str::<toml::Table>(&written);
    assert!(
        again.is_err_and(|e| e.to_string().contains("recursion limit")),
        "toml now reads back what it writes: drop the look-past in adapters.rs"
    );
    assert!(toml_writes_past_its_key_limit(&table));
}

#[test]
fn only_values_that_deep_are_looked_past_and_the_target_still_checks_the_rest() {
    // One key less: written as 80 keys, read back, roundtripped.
    let table: toml::Table = toml::from_str(&nested(TOML_KEY_LIMIT - 1)).unwrap();
    assert!(!toml_writes_past_its_key_limit(&table));
    let again: toml::Table = toml::from_str(&toml::to_string(&table).unwrap()).unwrap();
    assert_eq!(again, table);
    // Arrays of tables count their key, not their nesting in the array.
    let arrays: toml::Table = toml::from_str("[[a.b]]\nc = [[1], [2]]\n").unwrap();
    assert!(!toml_writes_past_its_key_limit(&arrays));
    // The target: the document that broke it passes now (parsed, under the no-panic and
    // budget oracles), as does one a key shorter (parsed and roundtripped).
    let target = botfeat_fuzz::Target::TomlConfig;
    assert!(target.run(nested(TOML_KEY_LIMIT).as_bytes()).is_ok());
    assert!(target.run(nested(TOML_KEY_LIMIT - 1).as_bytes()).is_ok());
}

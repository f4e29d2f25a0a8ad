#![no_main]
//! Raw bytes into the `toml` crate, under the harness's generic oracles, with botfeat's domain mutator beside libFuzzer's own.
botfeat_fuzz::fuzz_target!(TomlConfig);

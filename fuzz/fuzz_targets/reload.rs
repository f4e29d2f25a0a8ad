#![no_main]
//! Structure-aware: `reload` reads its input through `arbitrary`.
use botfeat_fuzz::{Target, fuzz_one};

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_one(Target::Reload, data));

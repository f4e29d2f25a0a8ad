#![no_main]
//! Structure-aware: `reload` reads its input through `arbitrary`: operations on LiveFeatures, each judged by the test kit (testkit::guard and its readers) in both directions.
use botfeat_fuzz::{Target, fuzz_one};

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_one(Target::Reload, data));

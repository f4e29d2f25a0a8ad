#![no_main]
//! Structure-aware: `roundtrip` reads its input through `arbitrary`: a model from testkit::generate, written by the test kit, read by botfeat, judged by the test kit's readers and spec validator.
botfeat_fuzz::fuzz_target!(Roundtrip, libfuzzer_mutations_only);

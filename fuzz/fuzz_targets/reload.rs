#![no_main]
//! Structure-aware: `reload` reads its input through `arbitrary`: operations on LiveFeatures, each judged by the test kit (testkit::guard and its readers) in both directions.
botfeat_fuzz::fuzz_target!(Reload, libfuzzer_mutations_only);

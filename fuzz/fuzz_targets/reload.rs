#![no_main]
//! Structure-aware: `reload` reads its input through `arbitrary`: operations on LiveFeatures, each judged by the test kit (testkit::guard and its readers) in both directions.
use botfeat_fuzz::{Target, fuzz_one};

// The heap cap counts with this allocator (installed before the first input).
harness::counting_allocator!();

libfuzzer_sys::fuzz_target!(
    init: harness::alloc::install(&HARNESS_COUNTING_ALLOCATOR),
    |data: &[u8]| fuzz_one(Target::Reload, data)
);

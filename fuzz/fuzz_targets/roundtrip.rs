#![no_main]
//! Structure-aware: `roundtrip` reads its input through `arbitrary`: a model from testkit::generate, written by the test kit, read by botfeat, judged by the test kit's readers and spec validator.
use botfeat_fuzz::{Target, fuzz_one};

// The heap cap counts with this allocator (installed before the first input).
harness::counting_allocator!();

libfuzzer_sys::fuzz_target!(
    init: harness::alloc::install(&HARNESS_COUNTING_ALLOCATOR),
    |data: &[u8]| fuzz_one(Target::Roundtrip, data)
);

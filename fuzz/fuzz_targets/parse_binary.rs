#![no_main]
//! Raw bytes into the binary decoder, judged by the test kit's reference binary reader and by bincode's decoder, with botfeat's domain mutator beside libFuzzer's own.
use botfeat_fuzz::{Target, fuzz_mutate, fuzz_one};

// The heap cap counts with this allocator (installed before the first input).
harness::counting_allocator!();

libfuzzer_sys::fuzz_target!(
    init: harness::alloc::install(&HARNESS_COUNTING_ALLOCATOR),
    |data: &[u8]| fuzz_one(Target::ParseBinary, data)
);

libfuzzer_sys::fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    fuzz_mutate(
        Target::ParseBinary,
        data,
        size,
        max_size,
        seed,
        libfuzzer_sys::fuzzer_mutate,
    )
});

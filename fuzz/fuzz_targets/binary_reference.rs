#![no_main]
//! Raw bytes into the binary decoder twice, its fast reader against bincode: they must agree to the error position.
use botfeat_fuzz::{Target, fuzz_mutate, fuzz_one};

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_one(Target::BinaryReference, data));

libfuzzer_sys::fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    fuzz_mutate(
        Target::BinaryReference,
        data,
        size,
        max_size,
        seed,
        libfuzzer_sys::fuzzer_mutate,
    )
});

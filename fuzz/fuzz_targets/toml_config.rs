#![no_main]
//! Raw bytes into the `toml` crate, under the harness's generic oracles, with botfeat's domain mutator beside libFuzzer's own.
use botfeat_fuzz::{Target, fuzz_mutate, fuzz_one};

// The heap cap counts with this allocator (installed before the first input).
harness::counting_allocator!();

libfuzzer_sys::fuzz_target!(
    init: harness::alloc::install(&HARNESS_COUNTING_ALLOCATOR),
    |data: &[u8]| fuzz_one(Target::TomlConfig, data)
);

libfuzzer_sys::fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    fuzz_mutate(
        Target::TomlConfig,
        data,
        size,
        max_size,
        seed,
        libfuzzer_sys::fuzzer_mutate,
    )
});

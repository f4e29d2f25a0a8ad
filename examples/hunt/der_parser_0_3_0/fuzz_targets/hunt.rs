#![no_main]
//! The same parser under the harness: small stack, heap cap, nesting mutations.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::hunt::run(data, |data| {
        let _ = der_parser::parse_der(data);
    })
});

libfuzzer_sys::fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    harness::hunt::mutate(data, size, max_size, seed, libfuzzer_sys::fuzzer_mutate)
});

#![no_main]
//! The plain raw-bytes target: the parser, nothing else (the baseline).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = rmpv::decode::read_value(&mut &data[..]);
});

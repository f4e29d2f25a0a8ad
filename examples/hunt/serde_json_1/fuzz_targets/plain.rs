#![no_main]
//! The plain raw-bytes target: the parser, nothing else.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<serde_json::Value>(data);
});

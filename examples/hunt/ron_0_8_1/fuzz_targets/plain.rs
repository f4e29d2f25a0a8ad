#![no_main]
//! The plain raw-bytes target: the parser, nothing else.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) { let _ = ron::from_str::<ron::Value>(s); }
});

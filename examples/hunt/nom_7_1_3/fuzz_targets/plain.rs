#![no_main]
//! The plain raw-bytes target: the parser, nothing else (the baseline).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) { let _ = hunt_nom_7_1_3::read(s); }
});

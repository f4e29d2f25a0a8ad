#![no_main]
//! The plain raw-bytes target: the parser, nothing else.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = bincode::deserialize_from::<_, String>(data);
});

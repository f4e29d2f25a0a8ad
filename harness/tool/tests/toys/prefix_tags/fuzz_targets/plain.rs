#![no_main]
//! The plain raw-bytes target: the toy parser, nothing else.
mod toy;
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = toy::value(data);
});

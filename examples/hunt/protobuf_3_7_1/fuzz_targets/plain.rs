#![no_main]
//! The plain raw-bytes target: the parser, nothing else (the baseline).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = <protobuf::well_known_types::struct_::Struct as protobuf::Message>::parse_from_bytes(data);
});

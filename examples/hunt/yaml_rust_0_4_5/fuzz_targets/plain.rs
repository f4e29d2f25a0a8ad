#![no_main]
//! The plain raw-bytes target: the parser, nothing else.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) { let _ = yaml_rust::YamlLoader::load_from_str(s); }
});

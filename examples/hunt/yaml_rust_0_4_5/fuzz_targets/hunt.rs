#![no_main]
//! The same parser under the harness: small stack, heap cap, nesting mutations.
harness::hunt_target!(|data| {
    if let Ok(s) = std::str::from_utf8(data) { let _ = yaml_rust::YamlLoader::load_from_str(s); }
});

#![no_main]
//! The same parser under the harness: small stack, heap cap, nesting mutations.
harness::hunt_target!(|data| {
    let _ = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(data));
});

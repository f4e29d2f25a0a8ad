#![no_main]
//! The same parser under the harness: small stack, heap cap, nesting mutations.
harness::hunt_target!(|data| {
    let _ = protobuf::parse_from_bytes::<protobuf::well_known_types::Any>(data);
});

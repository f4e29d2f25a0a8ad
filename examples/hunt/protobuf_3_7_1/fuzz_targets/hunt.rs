#![no_main]
//! The same parser under the harness: small stack, heap cap, nesting mutations.
harness::hunt_target!(|data| {
    let _ = <protobuf::well_known_types::struct_::Struct as protobuf::Message>::parse_from_bytes(data);
});

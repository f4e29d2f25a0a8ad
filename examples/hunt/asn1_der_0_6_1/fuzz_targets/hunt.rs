#![no_main]
//! The same parser under the harness: small stack, heap cap, nesting mutations.
harness::hunt_target!(|data| {
    let _ = asn1_der::DerObject::deserialize(data.iter());
});

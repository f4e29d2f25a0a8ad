#![no_main]
//! The same parser under the harness: small stack, heap cap, nesting mutations.
harness::hunt_target!(|data| {
    let _ = rmpv::decode::read_value(&mut &data[..]);
});

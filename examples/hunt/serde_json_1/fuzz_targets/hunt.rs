#![no_main]
//! The same parser under the harness: small stack, heap cap, nesting mutations.
harness::hunt_target!(|data| {
    let _ = serde_json::from_slice::<serde_json::Value>(data);
});

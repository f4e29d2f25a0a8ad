#![no_main]
//! The same parser under the harness: small stack, heap cap, nesting mutations.
harness::hunt_target!(|data| {
    let _ = serde_json_wasm::from_slice::<serde::de::IgnoredAny>(data);
});

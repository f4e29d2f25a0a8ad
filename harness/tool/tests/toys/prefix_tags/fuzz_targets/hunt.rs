#![no_main]
//! The toy parser under the harness.
mod toy;
harness::hunt_target!(|data| {
    let _ = toy::value(data);
});

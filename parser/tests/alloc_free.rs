//! Filling a request buffer allocates nothing once the buffer has served the table.
//!
//! The counter is process-wide, so this binary has no test harness (`harness = false`): libtest
//! runs each test on a thread of its own while its main thread waits, times and prints, and its
//! allocations on that other thread were counted here about one run in five. A plain `main`
//! runs alone in its process.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::alloc::System;

use botfeat::runtime::{FeatureTable, RequestBuffer, ValueRef};
use botfeat::{Feature, FeatureFile, FeatureType, Limits, Value};
use cap::Cap;

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

fn main() {
    filling_a_buffer_for_a_request_allocates_nothing();
    // The closing line cargo's output shows, in the form test runners report.
    println!("alloc_free: 1 passed, 0 failed");
}

fn filling_a_buffer_for_a_request_allocates_nothing() {
    let limits = Limits::DEFAULT;
    let features = (0..200)
        .map(|i| match i % 4 {
            0 => Feature {
                name: format!("s{i}").into(),
                ty: FeatureType::Str(64),
                default: Some(Value::Str("dflt".into())),
            },
            1 => Feature {
                name: format!("u{i}").into(),
                ty: FeatureType::U64,
                default: Some(Value::U64(1)),
            },
            2 => Feature {
                name: format!("f{i}").into(),
                ty: FeatureType::F32,
                default: None,
            },
            _ => Feature {
                name: format!("ip{i}").into(),
                ty: FeatureType::Ip,
                default: None,
            },
        })
        .collect();
    let table = FeatureTable::build(
        FeatureFile {
            serial: 1,
            features,
        },
        &limits,
    )
    .unwrap();
    let mut buffer = RequestBuffer::new(&limits);
    buffer.append_with_names(&table).unwrap(); // first request on this table sizes the arena
    let slots: Vec<_> = table
        .features()
        .iter()
        .map(|f| table.slot(&f.name).unwrap())
        .collect();
    let ip = "192.0.2.7".parse().unwrap();

    let before = ALLOC.total_allocated();
    let mut seen = 0usize;
    for request in 0..1000u64 {
        buffer.append_with_names(&table).unwrap();
        for (i, &slot) in slots.iter().enumerate() {
            let value = match i % 4 {
                0 => ValueRef::Str("Mozilla/5.0 (X11; Linux x86_64)"),
                1 => ValueRef::U64(request),
                2 => ValueRef::F32(0.5),
                _ => ValueRef::Ip(ip),
            };
            buffer.set(&table, slot, value).unwrap();
            if buffer.get(&table, slot).unwrap().is_some() {
                seen += 1;
            }
        }
    }
    let allocated = ALLOC.total_allocated() - before;
    assert_eq!(seen, 200 * 1000);
    assert_eq!(allocated, 0, "the request path allocated {allocated} bytes");
    // The counter does count: one small allocation shows.
    let probe = std::hint::black_box(vec![0u8; 16]);
    assert!(ALLOC.total_allocated() - before >= 16);
    drop(probe);
}

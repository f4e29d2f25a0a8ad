//! A loop over one decoder, for profilers (`perf record`, `valgrind --tool=callgrind`):
//! `cargo run --release -p botfeat --example profile_decode -- binary|text|rows [ITERATIONS]`.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::hint::black_box;

use botfeat::{binary, rows, text};

#[path = "../benches/realistic.rs"]
mod realistic;
use realistic::realistic;

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "binary".into());
    let iterations: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let file = realistic(200);
    let bin = binary::encode(&file).unwrap();
    let txt = text::write(&file).unwrap();
    let rws = rows::write_unchecked(&file, None);
    for _ in 0..iterations {
        match which.as_str() {
            "binary" => drop(black_box(binary::decode(black_box(&bin)).unwrap())),
            "text" => drop(black_box(text::parse(black_box(txt.as_bytes())).unwrap())),
            _ => drop(black_box(
                rows::parse(black_box(rws.as_bytes()), 1).unwrap(),
            )),
        }
    }
}

//! The decode goals are ratios to a baseline; on a shared virtual machine, a neighbour's burst
//! during one side's criterion run moves the ratio by 30 % or more. Here each round times a
//! batch of botfeat decodes and a batch of baseline decodes back to back, alternating which goes
//! first, and the ratio reported is the median of the per-round ratios (with its quartiles):
//! contention that lasts longer than a round hits both sides alike.
//!
//! `cargo bench -p botfeat --bench ratios` (runs in about 20 s).
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::time::{Duration, Instant};

#[path = "realistic.rs"]
mod realistic;
use realistic::{Inputs, PAIRS, realistic};

const ROUNDS: usize = 301;
/// Each batch runs about this long, so the clock's resolution does not matter.
const BATCH: Duration = Duration::from_micros(2_000);

fn batch(f: fn(&Inputs), inputs: &Inputs, iterations: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..iterations {
        f(inputs);
    }
    start.elapsed()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing: run either way.
    println!(
        "| operation | features | botfeat (median) | baseline (median) | ratio: median [q1, q3] | goal |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | --- |");
    for pair in PAIRS {
        for n in [60usize, 200] {
            let inputs = Inputs::new(&realistic(n));
            // Iterations per batch from a warm-up of the slower side.
            let one = batch(pair.theirs, &inputs, 100) / 100;
            let iterations = u32::try_from(BATCH.as_nanos() / one.as_nanos().max(1))
                .unwrap_or(u32::MAX)
                .max(1);
            let (mut ours, mut theirs, mut ratios) = (vec![], vec![], vec![]);
            for round in 0..ROUNDS {
                let (a, b) = if round % 2 == 0 {
                    let a = batch(pair.ours, &inputs, iterations);
                    (a, batch(pair.theirs, &inputs, iterations))
                } else {
                    let b = batch(pair.theirs, &inputs, iterations);
                    (batch(pair.ours, &inputs, iterations), b)
                };
                ours.push(a.as_secs_f64() / f64::from(iterations));
                theirs.push(b.as_secs_f64() / f64::from(iterations));
                ratios.push(a.as_secs_f64() / b.as_secs_f64());
            }
            for v in [&mut ours, &mut theirs, &mut ratios] {
                v.sort_by(f64::total_cmp);
            }
            let q = |v: &[f64], k: usize| v[(v.len() - 1) * k / 4];
            println!(
                "| {} | {n} | {:.2} µs | {:.2} µs ({}) | {:.2} [{:.2}, {:.2}] | {} |",
                pair.group,
                q(&ours, 2) * 1e6,
                q(&theirs, 2) * 1e6,
                pair.baseline.trim_start_matches("baseline_"),
                q(&ratios, 2),
                q(&ratios, 1),
                q(&ratios, 3),
                pair.goal
            );
        }
    }
}

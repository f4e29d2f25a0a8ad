//! Seeded smoke runs: the fuzz targets' logic on inputs from a fixed-seed RNG, so plain
//! `cargo test` on stable exercises every fuzzer (as wasm-tools does).

use fastrand::Rng;

/// `count` deterministic inputs for `seed`: each seed input as is, then seeds mutated by
/// `mutate` (1 to 4 rounds, plus a flipped byte now and then), then a few random byte strings.
pub fn inputs(
    seed: u64,
    count: usize,
    seeds: &[Vec<u8>],
    mut mutate: impl FnMut(&mut Vec<u8>, &mut Rng),
) -> Vec<Vec<u8>> {
    let mut rng = Rng::with_seed(seed);
    let mut out: Vec<Vec<u8>> = seeds.iter().take(count).cloned().collect();
    while out.len() < count {
        let from_seed = !seeds.is_empty() && rng.u8(..8) != 0;
        let input = if from_seed {
            let mut input = seeds
                .get(rng.usize(..seeds.len()))
                .cloned()
                .unwrap_or_default();
            for _ in 0..rng.usize(1..=4) {
                mutate(&mut input, &mut rng);
            }
            if !input.is_empty() && rng.u8(..4) == 0 {
                let at = rng.usize(..input.len());
                if let Some(b) = input.get_mut(at) {
                    *b ^= 1u8 << rng.u8(..8);
                }
            }
            input
        } else {
            let len = rng.usize(..512);
            std::iter::repeat_with(|| rng.u8(..)).take(len).collect()
        };
        out.push(input);
    }
    out
}

//! botfeat's fuzz targets, as library code on top of the harness.
//!
//! Each target module has a `run` function; `fuzz/fuzz_targets/<name>.rs` wraps it in
//! `fuzz_target!`, the smoke tests drive it from a seeded RNG, and corpus replay runs it on every
//! saved input. Target names are stable: they name the corpus folders.
#![forbid(unsafe_code)]

pub mod adapters;
pub mod mutators;
pub mod seeds;
pub mod targets;

pub use targets::{ALL, Target};

/// The harness, for [`fuzz_target!`]'s expansion (a target crate need not name it).
pub use harness;

/// A whole cargo-fuzz target of botfeat's, in one line: the counting allocator the heap cap
/// counts with, the target's oracles, and — unless `libfuzzer_mutations_only` is given, for the
/// structure-aware targets — botfeat's domain mutator beside libFuzzer's own.
///
/// ```ignore
/// #![no_main]
/// botfeat_fuzz::fuzz_target!(ParseBinary);
/// ```
#[macro_export]
macro_rules! fuzz_target {
    ($target:ident) => {
        $crate::fuzz_target!($target, libfuzzer_mutations_only);
        ::libfuzzer_sys::fuzz_mutator!(
            |data: &mut [u8], size: usize, max_size: usize, seed: u32| {
                $crate::fuzz_mutate(
                    $crate::Target::$target,
                    data,
                    size,
                    max_size,
                    seed,
                    ::libfuzzer_sys::fuzzer_mutate,
                )
            }
        );
    };
    ($target:ident, libfuzzer_mutations_only) => {
        $crate::harness::counting_allocator!();
        ::libfuzzer_sys::fuzz_target!(
            init: $crate::harness::alloc::install(&HARNESS_COUNTING_ALLOCATOR),
            |data: &[u8]| $crate::fuzz_one($crate::Target::$target, data)
        );
    };
}

/// botfeat's targets as the corpus command sees them: `corpus replay` runs every saved case
/// through [`Target::run`] in a child process, and the harness judges the outcome.
pub struct Judge;

impl harness::corpus::Judge for Judge {
    fn targets(&self) -> Vec<harness::corpus::TargetInfo> {
        ALL.iter()
            .map(|t| harness::corpus::TargetInfo {
                name: t.name().to_string(),
                structure_aware: t.structure_aware(),
            })
            .collect()
    }

    fn run(&self, target: &str, bytes: &[u8]) -> Result<harness::Outcome, harness::Violation> {
        match Target::from_name(target) {
            Some(t) => t.run(bytes),
            None => Err(harness::Violation {
                target: target.to_string(),
                kind: harness::ViolationKind::UnexpectedOutcome,
                detail: "no such target".into(),
                input: None,
            }),
        }
    }

    fn seeds(&self) -> Vec<harness::corpus::Seed> {
        seeds::all()
            .into_iter()
            .map(|(t, bytes, note)| harness::corpus::Seed {
                target: t.name().to_string(),
                bytes,
                note: note.to_string(),
            })
            .collect()
    }
}

/// The body of every `fuzz_target!`: run the target's oracles with the heap cap on (libFuzzer
/// runs one input at a time), and crash on a violation.
pub fn fuzz_one(target: Target, data: &[u8]) {
    harness::crash::install();
    harness::alloc::enforce();
    harness::drive::fuzz(target.run(data));
}

/// The body of every `fuzz_mutator!`: half libFuzzer's own mutation, half the target's domain
/// mutation; binary files get their length and CRC repaired.
pub fn fuzz_mutate(
    target: Target,
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
    libfuzzer_mutate: fn(&mut [u8], usize, usize) -> usize,
) -> usize {
    let mut rng = fastrand::Rng::with_seed(u64::from(seed).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut fix_rng = rng.fork();
    let mut fix_binary = |buf: &mut Vec<u8>| mutators::fix_binary(buf, &mut fix_rng);
    let fix: Option<harness::mutate::Fix<'_>> = match target {
        Target::ParseBinary => Some(&mut fix_binary),
        _ => None,
    };
    harness::mutate::custom_mutate(
        data,
        size,
        max_size,
        seed,
        libfuzzer_mutate,
        |buf, _| target.mutate(buf, &mut rng),
        fix,
    )
}

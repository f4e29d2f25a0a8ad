//! The probe's candidates, judged on toy parsers (one per class it exists for), in-process: each
//! toy's bug is reached by some candidate of a small valid input, and a parser with a depth
//! limit is left alone. The toys stand a panic in for the stack overflow (a test cannot survive
//! one): they count their depth and panic past what a small stack holds.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use cargo_harness::hunt::probe::{
    ALIAS_FAN, ALIAS_LEVELS, MAX_UNITS, PREFIX_PLACES, SIZES, STAGES, Stage, alias_chain,
    amplified, candidates, inputs, plan, prefixed, seed_candidates, stage_candidates, units,
};

/// Levels a 64 KiB stack holds for a parser with frames of a few dozen bytes.
const SMALL_STACK_LEVELS: usize = 1_000;

/// A binary format where a one-byte tag (0xA7) may precede any value, nested with no depth
/// count and no closing byte: `A7 A7 … 01`.
fn prefix_tags(data: &[u8], depth: usize) -> Result<usize, ()> {
    assert!(depth < SMALL_STACK_LEVELS, "stack overflow (toy)");
    match data.first() {
        Some(0xA7) => prefix_tags(&data[1..], depth + 1),
        Some(0x01..=0x7f) => Ok(1),
        _ => Err(()),
    }
}

/// A two-byte prefix (`!<`) that nests the same way.
fn two_byte_prefix(data: &[u8], depth: usize) -> Result<usize, ()> {
    assert!(depth < SMALL_STACK_LEVELS, "stack overflow (toy)");
    match data {
        [b'!', b'<', rest @ ..] => two_byte_prefix(rest, depth + 1),
        [b'x', ..] => Ok(1),
        _ => Err(()),
    }
}

/// json 0.11.12's class: a number of over 32,767 digits overflows an i16 exponent.
fn long_numbers(data: &[u8]) -> Result<(), ()> {
    let mut run = 0usize;
    for &b in data {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        assert!(run <= 32_767, "attempt to add with overflow (toy)");
    }
    Ok(())
}

/// A parser with a depth limit: refuses past 128 levels, whatever the input.
fn depth_limited(data: &[u8], depth: usize) -> Result<usize, ()> {
    if depth > 128 {
        return Err(());
    }
    match data.first() {
        Some(0xA7) => depth_limited(&data[1..], depth + 1),
        Some(_) => Ok(1),
        None => Err(()),
    }
}

/// A loader of `name: &anchor [items]` lines that copies what an alias names, with no budget:
/// its node count stands in for the memory of the copies (the toy panics past the heap cap's
/// worth, a million nodes).
fn expanding_loader(data: &[u8]) -> Result<usize, ()> {
    let text = std::str::from_utf8(data).map_err(|_| ())?;
    let mut anchors: std::collections::HashMap<&str, usize> = Default::default();
    let mut total = 0usize;
    for line in text.lines() {
        let (_, value) = line.split_once(": ").ok_or(())?;
        let (anchor, list) = match value.strip_prefix('&') {
            Some(rest) => rest.split_once(' ').map(|(a, l)| (Some(a), l)).ok_or(())?,
            None => (None, value),
        };
        let mut nodes = 0usize;
        for item in list.trim_matches(|c| c == '[' || c == ']').split(", ") {
            nodes += match item.strip_prefix('*') {
                Some(alias) => *anchors.get(alias).ok_or(())?,
                None => 1,
            };
            assert!(nodes < 1_000_000, "memory allocation failed (toy)");
        }
        total += nodes;
        if let Some(a) = anchor {
            anchors.insert(a, nodes);
        }
    }
    Ok(total)
}

#[test]
fn an_alias_expansion_without_a_budget_is_reached() {
    let seed = b"base: &b [k, v]\nother: *b\n";
    assert!(expanding_loader(b"base: &b [k, v]\nother: [*b]\n").is_ok());
    assert!(found(seed, |c| {
        let _ = expanding_loader(c);
    }));
    // The chain: ten levels, each an anchor used nine times by the next.
    let chain = String::from_utf8(alias_chain(seed).unwrap()).unwrap();
    assert_eq!(chain.lines().count(), ALIAS_LEVELS);
    assert_eq!(chain.matches("*l3").count(), ALIAS_FAN);
    // No chain for a seed that defines no anchor, or never uses it.
    assert_eq!(alias_chain(b"a: [1, 2]\nb: &x 3\n"), None);
    assert_eq!(alias_chain(b"a: 2 * x & y\n"), None);
}

/// Whether some candidate of `seed` makes `parse` panic.
fn found(seed: &[u8], parse: impl Fn(&[u8])) -> bool {
    // The toys' panics are expected: keep the test output quiet.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let any = seed_candidates(seed)
        .iter()
        .any(|c| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(c))).is_err());
    std::panic::set_hook(hook);
    any
}

#[test]
fn a_recursion_behind_a_one_byte_prefix_is_reached() {
    let seed = [0x10, 0xA7, 0x05, 0x22];
    // The seed parses, and libFuzzer's 4 KiB would not reach it either: 4,096 tags in 4 KiB
    // would, but its mutations grow a run a few bytes at a time.
    assert!(prefix_tags(&seed[1..], 0).is_ok());
    assert!(found(&seed, |c| {
        let _ = prefix_tags(c.get(1..).unwrap_or_default(), 0);
    }));
}

#[test]
fn a_recursion_behind_a_one_byte_prefix_the_input_lacks_is_reached() {
    // The seed holds no tag: only a run of a byte it lacks, after its header byte, recurses.
    let seed = [0x10, 0x05, 0x22];
    assert!(!seed.contains(&0xA7));
    assert!(found(&seed, |c| {
        let _ = prefix_tags(c.get(1..).unwrap_or_default(), 0);
    }));
}

#[test]
fn every_byte_value_is_put_before_each_of_the_first_places() {
    let all: Vec<Vec<u8>> = prefixed(b"abcdef").collect();
    assert_eq!(all.len(), 256 * PREFIX_PLACES);
    assert!(
        all.iter()
            .all(|c| c.len() == 6 + 8 * 1024 && c.ends_with(b"def"))
    );
    // A run of 0xA7 before the third place: `ab`, the run, `cdef`.
    assert!(all.contains(&[&b"ab"[..], &[0xA7; 8 * 1024], b"cdef"].concat()));
    // An input shorter than the places: each of its places; an empty one: the runs alone.
    assert_eq!(prefixed(b"a").count(), 256);
    assert_eq!(prefixed(b"").count(), 256);
}

#[test]
fn a_recursion_behind_a_two_byte_prefix_is_reached() {
    assert!(found(b"!<x", |c| {
        let _ = two_byte_prefix(c, 0);
    }));
}

#[test]
fn a_number_past_thirty_two_thousand_digits_is_reached() {
    assert!(found(br#"{"a": [1, 23.5e4]}"#, |c| {
        let _ = long_numbers(c);
    }));
}

#[test]
fn a_parser_with_a_depth_limit_is_left_alone() {
    assert!(!found(&[0xA7, 0x05], |c| {
        let _ = depth_limited(c, 0);
    }));
}

#[test]
fn units_are_the_longest_repeated_one_then_each_distinct_short_span() {
    let input = b"[[[[[[[[[[a]]";
    let u = units(input);
    // The longest repeated unit first: `[` ten times from 0.
    assert_eq!(u[0], (0, 1));
    // Then each distinct byte at its first three places (`[` at 1 and 2 besides 0, `a`, `]`
    // twice), each distinct pair and triple at its first: `[[`, `[a`, `a]`, `]]`, `[[[`, `[[a`,
    // `[a]`, `a]]`.
    assert_eq!(u.len(), 1 + 2 + 1 + 2 + 4 + 4);
    assert!(u.contains(&(10, 1)) && u.contains(&(9, 2)) && u.contains(&(10, 3)));
    // Never more than the cap, however long the input.
    let long: Vec<u8> = (0..=255u8).collect();
    assert_eq!(units(&long).len(), MAX_UNITS);
}

#[test]
fn a_unit_is_repeated_in_place_to_the_size_asked() {
    let out = amplified(b"ab12cd", (2, 2), 16).unwrap();
    assert_eq!(out, b"ab1212121212121212cd");
    // At least twice, even for a unit longer than the size.
    assert_eq!(amplified(b"xyz", (0, 3), 2).unwrap(), b"xyzxyz");
    assert_eq!(amplified(b"xyz", (2, 2), 16), None);
    // Every candidate is past libFuzzer's 4 KiB.
    assert!(candidates(b"ab").iter().all(|c| c.len() > 4096));
    assert_eq!(candidates(b"ab").len(), SIZES.len() * units(b"ab").len());
    // A seed's: those, then the runs of every byte before it.
    assert_eq!(
        seed_candidates(b"ab").len(),
        candidates(b"ab").len() + prefixed(b"ab").count()
    );
    assert_eq!(
        seed_candidates(b"a: &x 1\nb: *x\n").len(),
        candidates(b"a: &x 1\nb: *x\n").len() + 1 + prefixed(b"a: &x 1\nb: *x\n").count()
    );
}

#[test]
fn the_probe_takes_each_stage_for_every_input_before_the_next() {
    // Two seeds and one corpus input: each seed's short runs, each seed's alias chain, the
    // corpus input's short runs, every input's long runs, each seed's byte runs. A second
    // seed's short runs come before the first seed's slow alias chain, and the alias chains
    // before the corpus inputs' short runs.
    let steps = plan(3, 2);
    assert_eq!(
        steps,
        [
            (Stage::ShortRuns, 0),
            (Stage::ShortRuns, 1),
            (Stage::AliasChain, 0),
            (Stage::AliasChain, 1),
            (Stage::ShortRuns, 2),
            (Stage::LongRuns, 0),
            (Stage::LongRuns, 1),
            (Stage::LongRuns, 2),
            (Stage::Prefixes, 0),
            (Stage::Prefixes, 1),
        ]
    );
    assert_eq!(plan(1, 1).len(), STAGES.len());
    assert_eq!(plan(0, 0), []);
    // A seed's candidates are its stages' in order.
    let seed = b"a: &x 1\nb: *x\n";
    let staged: Vec<Vec<u8>> = STAGES
        .iter()
        .flat_map(|s| stage_candidates(seed, *s))
        .collect();
    assert_eq!(staged, seed_candidates(seed));
    assert_eq!(
        stage_candidates(seed, Stage::AliasChain),
        [alias_chain(seed).unwrap()]
    );
    assert_eq!(
        stage_candidates(b"ab", Stage::AliasChain),
        Vec::<Vec<u8>>::new()
    );
}

#[test]
fn a_stage_the_share_did_not_reach_is_taken_up_by_the_next_probe() {
    let corpus = std::env::temp_dir().join(format!("probe-inputs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&corpus);
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join("kept"), b"[[1]]").unwrap();
    let seeds = vec![b"a: &x 1\nb: *x\n".to_vec(), b"- 1\n".to_vec()];
    let name = |bytes: &[u8]| harness::corpus::content_name(bytes);
    let mut probed = cargo_harness::hunt::probe::Probed::new();
    // Nothing run yet: both seeds, then the corpus input.
    let (taken, first_seeds) = inputs(&corpus, &seeds, &probed);
    assert_eq!(first_seeds, 2);
    assert_eq!(taken.len(), 3);
    // The first probe ran the seeds' short runs and then ran out of time: the seeds come back,
    // their alias chains and the rest still to run; a corpus input done with both runs does not.
    for seed in &seeds {
        probed.insert((name(seed), Stage::ShortRuns));
    }
    probed.insert((name(b"[[1]]"), Stage::ShortRuns));
    probed.insert((name(b"[[1]]"), Stage::LongRuns));
    let (taken, again_seeds) = inputs(&corpus, &seeds, &probed);
    assert_eq!(again_seeds, 2);
    assert_eq!(taken.len(), 2);
    // Every stage of the first seed run: only the second is left.
    for stage in STAGES {
        probed.insert((name(&seeds[0]), stage));
    }
    let (taken, last_seeds) = inputs(&corpus, &seeds, &probed);
    assert_eq!(last_seeds, 1);
    assert_eq!(taken[0].1, seeds[1]);
    let _ = std::fs::remove_dir_all(&corpus);
}

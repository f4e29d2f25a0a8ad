//! Depth as feedback, on a toy with no brackets: the prefix-tag toy of `toys/prefix_tags`
//! (`A7 5A` tags the value after it, nested without a depth count), built by cargo-fuzz as the
//! hunt builds it and fuzzed by libFuzzer alone — its `plain` target, no custom mutator, no
//! probe. Coverage counters stop telling one depth from another past 128 hits of an edge (their
//! last bucket), so only the stack-depth feature (`-sanitizer-coverage-stack-depth`) keeps an
//! input that recurses deeper than any before: the corpus must hold a tag chain far past 128
//! levels. A few hundred thousand executions, well under a second; the build takes a minute on
//! a fresh machine (cargo-fuzz is installed first when missing, as the hunt does).
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use cargo_harness::cargo::{Fuzz, ensure_cargo_fuzz};

/// Levels past the counters' last bucket (128) the corpus must reach: only depth feedback keeps
/// inputs there.
const WANTED_DEPTH: usize = 256;
/// libFuzzer's executions (deterministic with `-seed`): the toy's chains pass 900 levels within
/// them; the assertion asks for 256.
const RUNS: u32 = 300_000;

fn toy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/toys/prefix_tags")
}

/// The deepest recursion the toy's parser reaches on `data` (its `value`, counted instead of
/// recursed: a chain of thousands of tags would take this test's own stack).
fn depth(data: &[u8]) -> usize {
    // Pending values to read at each depth, as the toy's frames would hold them.
    let mut pending: Vec<usize> = vec![1];
    let mut at = 0usize;
    let mut deepest = 0usize;
    while let Some(left) = pending.last_mut() {
        if *left == 0 {
            pending.pop();
            continue;
        }
        *left -= 1;
        let level = pending.len() - 1;
        // The tags before this value: one level each.
        let mut tags = 0usize;
        while data.get(at..at + 2) == Some(&[0xA7, 0x5A][..]) {
            at += 2;
            tags += 1;
        }
        deepest = deepest.max(level + tags);
        match data.get(at..at + 2) {
            Some([0x01, _]) => at += 2,
            Some([0x02, count]) => {
                at += 2;
                // A list's values are one frame below the tags' last.
                pending.extend(std::iter::repeat_n(0, tags));
                pending.push(usize::from(*count));
            }
            _ => return deepest,
        }
    }
    deepest
}

#[test]
fn the_depth_counter_reads_the_toys_format() {
    assert_eq!(depth(&[0x01, 0x09]), 0);
    assert_eq!(depth(&[0xA7, 0x5A, 0xA7, 0x5A, 0x01, 0x07]), 2);
    // A list of one tagged value under one tag: tag, list, tag.
    assert_eq!(depth(&[0xA7, 0x5A, 0x02, 0x01, 0xA7, 0x5A, 0x01, 0x00]), 3);
    let chain: Vec<u8> = [0xA7, 0x5A].repeat(500);
    assert_eq!(depth(&chain), 500);
}

#[test]
fn libfuzzer_keeps_ever_deeper_inputs_of_a_recursion_no_bracket_shows() {
    ensure_cargo_fuzz().unwrap();
    let build = Fuzz {
        nightly: false,
        target_dir: Path::new(env!("CARGO_TARGET_TMPDIR")).join("depth-feedback"),
        trace_compares: true,
        release_with_assertions: false,
    };
    let mut cmd = build.command("build");
    cmd.args(["--fuzz-dir", ".", "plain"]).current_dir(toy());
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "cargo fuzz build: {out:?}");

    let corpus = Path::new(env!("CARGO_TARGET_TMPDIR")).join("depth-feedback-corpus");
    let _ = std::fs::remove_dir_all(&corpus);
    std::fs::create_dir_all(&corpus).unwrap();
    let mut seeds_depth = 0;
    for seed in std::fs::read_dir(toy().join("seeds")).unwrap() {
        let seed = seed.unwrap().path();
        seeds_depth = seeds_depth.max(depth(&std::fs::read(&seed).unwrap()));
        std::fs::copy(&seed, corpus.join(seed.file_name().unwrap())).unwrap();
    }
    let out = Command::new(build.binary("plain").unwrap())
        .arg(&corpus)
        .arg(format!("-runs={RUNS}"))
        .args(["-seed=1", "-close_fd_mask=1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "libFuzzer: {out:?}");

    let (deepest, input) = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|f| std::fs::read(f.unwrap().path()).unwrap())
        .map(|input| (depth(&input), input))
        .max()
        .unwrap();
    assert!(
        seeds_depth < 8 && deepest >= WANTED_DEPTH,
        "the seeds reach {seeds_depth} levels, the corpus after {RUNS} runs {deepest}: \
         want {WANTED_DEPTH} or more"
    );
    // Such an input, grown by small steps, is confirmed as a recursion by repeating a prefix of
    // it (a run of one unit it need not have): of the prefixes the hunt tries, those cut
    // between two tokens nest ten times deeper, ten times over.
    let deeper = harness::stack::prefix_runs(&input)
        .into_iter()
        .filter(|&run| {
            let amplified = harness::stack::amplify_run(&input, run, 10).unwrap();
            depth(&amplified) >= 5 * deepest
        })
        .count();
    assert!(deeper >= 2, "{deeper} prefixes nest deeper");
    let _ = std::fs::remove_dir_all(&corpus);
}

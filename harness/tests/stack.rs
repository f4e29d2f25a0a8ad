//! Stack-depth hunting: a recursion bug shows on the small stack with a short input, and the
//! amplification check confirms only recursion that has no bound.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use std::hint::black_box;
use std::process::Command;

use harness::stack::{self, AMPLIFICATION, SMALL_STACK};

/// Recursive descent over `[`, a few hundred bytes of stack a level; `limit` bounds the depth.
fn nest(input: &[u8], depth: usize, limit: Option<usize>) -> Result<usize, String> {
    if limit.is_some_and(|l| depth > l) {
        return Err(format!("nesting deeper than {}", limit.unwrap()));
    }
    let frame = black_box([depth as u8; 256]);
    match input.first() {
        Some(b'[') => {
            let inner = nest(&input[1..], depth + 1, limit)?;
            Ok(black_box(inner) + usize::from(frame[0] & 1) + 1)
        }
        _ => Ok(0),
    }
}

const CHILD: &str = "HARNESS_STACK_TOY";

/// In a child: parse the file named by the env with the toy, on the small stack (or
/// HARNESS_STACK). Exits normally unless the stack overflows.
#[test]
fn child_entry() {
    let Ok(spec) = std::env::var(CHILD) else {
        return;
    };
    let (kind, file) = spec.split_once(':').unwrap();
    let input = std::fs::read(file).unwrap();
    let limit = if kind == "bounded" { Some(1000) } else { None };
    // The value after `key: ` is the nested part.
    let start = input.iter().position(|&b| b == b'[').unwrap_or(input.len());
    let _ = stack::run_on_stack(SMALL_STACK, || nest(&input[start..], 0, limit));
}

fn child(kind: &str, input: &[u8]) -> Command {
    let file = std::env::temp_dir().join(format!(
        "harness-stack-{}-{kind}-{}",
        std::process::id(),
        input.len()
    ));
    std::fs::write(&file, input).unwrap();
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args(["--exact", "child_entry", "--test-threads=1"])
        .env(CHILD, format!("{kind}:{}", file.display()));
    c
}

fn crashes_on_small_stack(kind: &str, input: &[u8]) -> bool {
    let out = child(kind, input).output().unwrap();
    !out.status.success() && stack::is_stack_overflow(&String::from_utf8_lossy(&out.stderr))
}

#[test]
fn a_short_input_overflows_the_small_stack() {
    // 600 levels: nothing on an 8 MiB stack, an overflow on 64 KiB.
    let input = b"[".repeat(600);
    assert!(crashes_on_small_stack("unbounded", &input));
    // A sane depth limit does not save a parser whose limit is deeper than the small stack…
    assert!(crashes_on_small_stack("bounded", &input));
    // …and nothing crashes with short nesting.
    assert!(!crashes_on_small_stack("unbounded", &b"[".repeat(50)));
}

#[test]
fn amplification_confirms_unbounded_recursion_only() {
    let input = [b"key: ".as_slice(), &b"[".repeat(600), b"1"].concat();
    let amplified = stack::amplify(&input, AMPLIFICATION).unwrap();
    assert_eq!(amplified.len(), input.len() + 600 * (AMPLIFICATION - 1));
    assert!(amplified.starts_with(b"key: [[[") && amplified.ends_with(b"[[1"));
    // Unbounded: overflows the default 8 MiB stack too — reported.
    assert!(stack::overflows_on_default_stack(child("unbounded", &amplified)).unwrap());
    // Bounded at 1000 levels: refuses the amplified input with an error — not reported.
    assert!(!stack::overflows_on_default_stack(child("bounded", &amplified)).unwrap());
}

#[test]
fn repeated_units_are_found() {
    assert_eq!(stack::repeated_unit(b"a: [[[[[[[[[[1"), Some((3, 1, 10)));
    assert_eq!(
        stack::repeated_unit(b"x{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1"),
        Some((1, 5, 8))
    );
    assert_eq!(stack::repeated_unit(b"no repeats here"), None);
    assert!(stack::amplify(b"abc", 10).is_none());
}

#[test]
fn dictionaries_come_from_the_seeds() {
    let seeds = vec![
        b"key: [1, 2]\nother: {a: b}\n".to_vec(),
        b"key: [3]\n".to_vec(),
    ];
    let dict = harness::dict::derive(&seeds, 10);
    let tokens: Vec<&[u8]> = dict.iter().map(|(t, _)| t.as_slice()).collect();
    assert!(tokens.contains(&b"key".as_slice()), "{tokens:?}");
    assert!(tokens.contains(&b":".as_slice()));
    let text = harness::dict::to_libfuzzer(&dict);
    assert!(text.contains("\"key\"\n# seen 2 times\n"), "{text}");
}

#[test]
fn every_long_run_is_found_longest_first_and_none_overlap() {
    // Padding (40 zero bytes) outruns the nesting that recurses (`A7 5A` ten times).
    let mut input = vec![0u8; 40];
    input.extend_from_slice(&[0xA7, 0x5A].repeat(10));
    input.push(0x01);
    let runs = harness::stack::repeated_units(&input, 4);
    assert_eq!(runs, vec![(0, 1, 40), (40, 2, 10)]);
    assert_eq!(harness::stack::repeated_unit(&input), Some((0, 1, 40)));
    let amplified = harness::stack::amplify_run(&input, runs[1], 3).unwrap();
    assert_eq!(amplified.len(), input.len() + 2 * 10 * 2);
    assert!(amplified.ends_with(&[0xA7, 0x5A, 0x01]));
    assert_eq!(harness::stack::repeated_units(b"abc", 4), vec![]);
}

#[test]
fn prefixes_are_the_first_half_cut_at_four_neighbouring_bytes_then_the_whole() {
    use harness::stack::{amplify_run, prefix_runs};
    assert_eq!(
        prefix_runs(b"0123456789"),
        vec![(0, 5, 1), (0, 6, 1), (0, 7, 1), (0, 8, 1), (0, 10, 1)]
    );
    assert_eq!(prefix_runs(b"ab"), vec![(0, 1, 1), (0, 2, 1)]);
    assert!(prefix_runs(b"").is_empty());
    // A prefix repeated in place, the rest after it once.
    assert_eq!(amplify_run(b"[[x]]", (0, 2, 1), 3).unwrap(), b"[[[[[[x]]");
}

//! libFuzzer dictionaries derived from a seed corpus: the tokens a format is made of.

use std::collections::BTreeMap;

/// Up to `max` tokens that occur in at least two seeds or twice in one: runs of punctuation
/// (`[[`, `]]`, `":`, `={`), keywords and identifiers (2 to 24 bytes), each with its count.
pub fn derive(seeds: &[Vec<u8>], max: usize) -> Vec<(Vec<u8>, usize)> {
    let mut counts: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
    for seed in seeds {
        let mut i = 0usize;
        while i < seed.len() {
            let class = |b: u8| {
                if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                    1u8
                } else if b.is_ascii_punctuation() {
                    2
                } else {
                    0
                }
            };
            let Some(&first) = seed.get(i) else { break };
            let c = class(first);
            let mut j = i.saturating_add(1);
            while seed.get(j).is_some_and(|&b| class(b) == c) && j.saturating_sub(i) < 24 {
                j = j.saturating_add(1);
            }
            if c != 0 {
                if let Some(token) = seed.get(i..j) {
                    if token.len() >= 2 || c == 2 {
                        let n = counts.entry(token.to_vec()).or_insert(0);
                        *n = n.saturating_add(1);
                    }
                }
            }
            i = j;
        }
    }
    let mut tokens: Vec<(Vec<u8>, usize)> = counts.into_iter().filter(|(_, n)| *n >= 2).collect();
    tokens.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    tokens.truncate(max);
    tokens
}

/// The tokens as a libFuzzer dictionary file.
pub fn to_libfuzzer(tokens: &[(Vec<u8>, usize)]) -> String {
    let mut out = String::from("# derived from the seed corpus by harness::dict\n");
    for (token, count) in tokens {
        out.push('"');
        for &b in token {
            match b {
                b'"' | b'\\' => {
                    out.push('\\');
                    out.push(char::from(b));
                }
                0x20..=0x7e => out.push(char::from(b)),
                _ => out.push_str(&format!("\\x{b:02x}")),
            }
        }
        // libFuzzer allows no comment after an entry: the count goes on a line of its own.
        out.push_str(&format!("\"\n# seen {count} times\n"));
    }
    out
}

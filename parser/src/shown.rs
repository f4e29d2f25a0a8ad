//! Showing untrusted text: the one function every message of the crate (and of the CLI) passes
//! input-derived text through.
//!
//! A reviewer runs `botfeat check` on hostile files in a terminal: a name holding `ESC[2J`, or a
//! JSON `database` of `"\u001b[31m"`, must not reach the terminal as escape sequences, nor a
//! right-to-left override reorder what the message says. So control characters (C0, DEL, C1),
//! the bidirectional formatting characters and the line and paragraph separators are written as
//! `\u{…}`, and an over-long text is cut with a marker.

use std::fmt::Write as _;

/// Characters shown at most, before the cut marker.
pub const MAX_SHOWN: usize = 1024;

/// Whether `c` must not reach a terminal as is.
fn must_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{2028}' | '\u{2029}'
                | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` safe to print: dangerous characters as `\u{x}`, cut after [`MAX_SHOWN`] characters
/// with `…`. Text with nothing to escape and within the limit comes back unchanged.
pub fn untrusted(text: &str) -> String {
    let fine = text.chars().all(|c| !must_escape(c));
    if fine && text.len() <= MAX_SHOWN {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len().min(MAX_SHOWN.saturating_mul(2)));
    for (shown, c) in text.chars().enumerate() {
        if shown >= MAX_SHOWN {
            out.push('…');
            break;
        }
        if must_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Bytes that may not be UTF-8, shown as [`untrusted`] text (invalid sequences as U+FFFD).
pub fn untrusted_bytes(bytes: &[u8]) -> String {
    untrusted(&String::from_utf8_lossy(bytes))
}

/// At most 80 characters of `s`, for quoting one value of an input that may be huge (the
/// message as a whole then goes through [`untrusted`]).
pub(crate) fn cut(s: &str) -> String {
    const SHOWN: usize = 80;
    let mut out: String = s.chars().take(SHOWN).collect();
    if s.chars().nth(SHOWN).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_act_on() {
        assert_eq!(untrusted("plain `name`"), "plain `name`");
        assert_eq!(untrusted("\u{1b}[2J"), "\\u{1b}[2J");
        assert_eq!(untrusted("a\u{7}b\rc\0d"), "a\\u{7}b\\u{d}c\\u{0}d");
        assert_eq!(untrusted("x\u{202e}y\u{2066}"), "x\\u{202e}y\\u{2066}");
        assert_eq!(untrusted("\u{85}"), "\\u{85}");
        assert_eq!(untrusted("é ✓"), "é ✓");
    }

    #[test]
    fn cuts_long_text_with_a_marker() {
        let long = "a".repeat(MAX_SHOWN + 5);
        let shown = untrusted(&long);
        assert!(shown.ends_with('…'));
        assert_eq!(shown.chars().count(), MAX_SHOWN + 1);
        assert_eq!(untrusted(&"a".repeat(MAX_SHOWN)), "a".repeat(MAX_SHOWN));
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(untrusted_bytes(b"a\xffb\x1b"), "a\u{fffd}b\\u{1b}");
    }
}

//! Splits one line into tokens: runs of non-blank characters, where a `"…"` section may hold
//! blanks and `#`, and an unquoted `#` starts a comment.

use crate::error::{ErrorKind, Problem};

/// A token and the byte offset in its line where it starts.
#[derive(Clone, Copy, Debug)]
pub(super) struct Token<'a> {
    pub(super) text: &'a str,
    pub(super) start: usize,
}

pub(super) struct Tokens<'a> {
    line: &'a str,
    pos: usize,
}

impl<'a> Tokens<'a> {
    pub(super) fn new(line: &'a str) -> Self {
        Tokens { line, pos: 0 }
    }

    /// Byte offset just past the last token read (where an "expected more" error points).
    pub(super) fn pos(&self) -> usize {
        self.pos
    }
}

impl<'a> Tokens<'a> {
    /// The rest of a token from its first `"` at `quote`: up to the closing quote, which must be
    /// followed by a blank, `#` or the end of the line. Returns the end of the token.
    fn quoted(&self, quote: usize) -> Result<usize, TokenError> {
        let bytes = self.line.as_bytes();
        let mut i = quote.saturating_add(1);
        while let Some(&b) = bytes.get(i) {
            match b {
                b'\\' => i = i.saturating_add(2),
                b'"' => {
                    let end = i.saturating_add(1);
                    return if matches!(bytes.get(end), None | Some(b' ' | b'\t' | b'#')) {
                        Ok(end)
                    } else {
                        Err(TokenError::AfterQuote(end))
                    };
                }
                _ => i = i.saturating_add(1),
            }
        }
        Err(TokenError::Unterminated(quote))
    }
}

/// A malformed token, with the byte offset in its line to point at. Kept small and `Copy`: the
/// tokenizer's result is moved on every token, and a `Problem` (with its message `String`) in it
/// made each move a stall.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TokenError {
    /// A closing quote followed by something other than a blank, `#` or the end of the line.
    AfterQuote(usize),
    /// A quote with no closing quote on its line.
    Unterminated(usize),
    /// The tokenizer's own slip: a token's bounds outside its line.
    Internal(usize),
}

impl TokenError {
    /// The problem, and the byte offset it points at.
    #[cold]
    pub(super) fn problem(self) -> (Problem, usize) {
        match self {
            TokenError::AfterQuote(at) => (
                Problem::new(
                    ErrorKind::Syntax,
                    "unexpected character after a closing quote: expected a space, `#` or the end of the line",
                ),
                at,
            ),
            TokenError::Internal(at) => (
                Problem::new(
                    ErrorKind::Internal,
                    "internal error: a token's bounds are outside its line; this is a bug in botfeat, not in the file: please report it with the file",
                ),
                at,
            ),
            TokenError::Unterminated(at) => (
                Problem::new(
                    ErrorKind::Syntax,
                    "unterminated string: expected a closing `\"` on the same line",
                ),
                at,
            ),
        }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Result<Token<'a>, TokenError>;

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.line.as_bytes();
        let mut i = self.pos;
        while let Some(b' ' | b'\t') = bytes.get(i) {
            i = i.saturating_add(1);
        }
        if let None | Some(b'#') = bytes.get(i) {
            self.pos = bytes.len();
            return None;
        }
        let start = i;
        // Most tokens hold no quote: one test per byte until a blank, `#` or `"`.
        let end = loop {
            match bytes.get(i) {
                None | Some(b' ' | b'\t' | b'#') => break i,
                Some(b'"') => match self.quoted(i) {
                    Ok(end) => break end,
                    Err(e) => {
                        self.pos = bytes.len();
                        return Some(Err(e));
                    }
                },
                Some(_) => i = i.saturating_add(1),
            }
        };
        let end = end.min(bytes.len());
        self.pos = end;
        // `start` and `end` sit on ASCII bytes or the line's end, so the slice is always there;
        // were it not, the line is refused rather than cut short.
        Some(
            self.line
                .get(start..end)
                .map(|text| Token { text, start })
                .ok_or(TokenError::Internal(start)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        Tokens::new(line)
            .map(|t| t.unwrap().text.to_string())
            .collect()
    }

    #[test]
    fn splits_on_blanks_and_stops_at_comments() {
        assert_eq!(texts(" a\tb  c # d e"), ["a", "b", "c"]);
        assert_eq!(texts("a#b"), ["a"]);
        assert_eq!(
            texts(r#"default="x # \" y" # z"#),
            [r#"default="x # \" y""#]
        );
        assert!(texts("   ").is_empty());
    }

    #[test]
    fn reports_unterminated_and_glued_quotes() {
        let err = Tokens::new(r#"a "open"#).next().unwrap();
        assert!(err.is_ok());
        let mut t = Tokens::new(r#"a "open"#);
        t.next();
        let (p, at) = t.next().unwrap().unwrap_err().problem();
        assert_eq!((p.kind, at), (ErrorKind::Syntax, 2));
        let (p, at) = Tokens::new(r#""x"y"#)
            .next()
            .unwrap()
            .unwrap_err()
            .problem();
        assert_eq!((p.kind, at), (ErrorKind::Syntax, 3));
    }
}

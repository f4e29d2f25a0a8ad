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

impl<'a> Iterator for Tokens<'a> {
    /// On error: the problem and the byte offset in the line it points at.
    type Item = Result<Token<'a>, (Problem, usize)>;

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.line.as_bytes();
        let mut i = self.pos;
        while bytes.get(i).is_some_and(|&b| b == b' ' || b == b'\t') {
            i = i.saturating_add(1);
        }
        match bytes.get(i) {
            None | Some(b'#') => {
                self.pos = bytes.len();
                return None;
            }
            Some(_) => {}
        }
        let start = i;
        let mut open_quote: Option<usize> = None;
        while let Some(&b) = bytes.get(i) {
            match (open_quote, b) {
                (Some(_), b'\\') => i = i.saturating_add(1),
                (Some(_), b'"') => {
                    open_quote = None;
                    let after = bytes.get(i.saturating_add(1));
                    if !matches!(after, None | Some(b' ' | b'\t' | b'#')) {
                        self.pos = bytes.len();
                        return Some(Err((
                            Problem::new(
                                ErrorKind::Syntax,
                                "unexpected character after a closing quote: expected a space, `#` or the end of the line",
                            ),
                            i.saturating_add(1),
                        )));
                    }
                }
                (Some(_), _) => {}
                (None, b'"') => open_quote = Some(i),
                (None, b' ' | b'\t' | b'#') => break,
                (None, _) => {}
            }
            i = i.saturating_add(1);
        }
        if let Some(quote) = open_quote {
            self.pos = bytes.len();
            return Some(Err((
                Problem::new(
                    ErrorKind::Syntax,
                    "unterminated string: expected a closing `\"` on the same line",
                ),
                quote,
            )));
        }
        let end = i.min(bytes.len());
        self.pos = end;
        self.line
            .get(start..end)
            .map(|text| Ok(Token { text, start }))
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
        let (p, at) = t.next().unwrap().unwrap_err();
        assert_eq!((p.kind, at), (ErrorKind::Syntax, 2));
        let (p, at) = Tokens::new(r#""x"y"#).next().unwrap().unwrap_err();
        assert_eq!((p.kind, at), (ErrorKind::Syntax, 3));
    }
}

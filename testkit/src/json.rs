//! Just enough JSON (RFC 8259) for one ClickHouse row, read the way a streaming reader meets it:
//! a value at a time, left to right, so the first fault in reading order is the one reported.
//! Iterative: a `default` nested a million deep is read without recursion.

/// Where a JSON reading stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Not JSON (or a string that cannot be a Rust string).
    Syntax,
}

pub(crate) struct Reader<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    /// Skips JSON whitespace: space, tab, LF, CR.
    pub(crate) fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    pub(crate) fn eat(&mut self, b: u8) -> Result<(), Fault> {
        if self.peek() == Some(b) {
            self.bump();
            Ok(())
        } else {
            Err(Fault::Syntax)
        }
    }

    /// A string starting at `"`, decoded. With `strict_surrogates` off, `\u` escapes are only
    /// checked for four hex digits (as a raw value is), and the result is not built.
    pub(crate) fn string(&mut self, decode: bool) -> Result<String, Fault> {
        self.eat(b'"')?;
        let start = self.pos;
        let mut out = String::new();
        let mut run_start = start;
        loop {
            let b = self.peek().ok_or(Fault::Syntax)?;
            match b {
                b'"' => {
                    let run = self.bytes.get(run_start..self.pos).unwrap_or_default();
                    let run = std::str::from_utf8(run).map_err(|_| Fault::Syntax)?;
                    out.push_str(run);
                    self.bump();
                    return Ok(out);
                }
                0..=0x1f => return Err(Fault::Syntax),
                b'\\' => {
                    let run = self.bytes.get(run_start..self.pos).unwrap_or_default();
                    let run = std::str::from_utf8(run).map_err(|_| Fault::Syntax)?;
                    out.push_str(run);
                    self.bump();
                    let e = self.peek().ok_or(Fault::Syntax)?;
                    self.bump();
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let unit = self.hex4()?;
                            if !decode {
                                // A raw value only needs the escape's shape.
                            } else if (0xD800..0xDC00).contains(&unit) {
                                // A high surrogate must be followed by `\u` and a low one.
                                if self.eat(b'\\').is_err() || self.eat(b'u').is_err() {
                                    return Err(Fault::Syntax);
                                }
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(Fault::Syntax);
                                }
                                let c = 0x10000u32
                                    .saturating_add((unit.saturating_sub(0xD800)) << 10)
                                    .saturating_add(low.saturating_sub(0xDC00));
                                out.push(char::from_u32(c).ok_or(Fault::Syntax)?);
                            } else {
                                out.push(char::from_u32(unit).ok_or(Fault::Syntax)?);
                            }
                        }
                        _ => return Err(Fault::Syntax),
                    }
                    run_start = self.pos;
                }
                _ => self.bump(),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, Fault> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or(Fault::Syntax)?;
            self.bump();
            v = (v << 4) | d;
        }
        Ok(v)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; returns its text.
    pub(crate) fn number(&mut self) -> Result<&'a str, Fault> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => {
                self.bump();
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(Fault::Syntax);
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Fault::Syntax),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(Fault::Syntax);
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.bump();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(Fault::Syntax);
            }
            self.digits();
        }
        let text = self.bytes.get(start..self.pos).unwrap_or_default();
        std::str::from_utf8(text).map_err(|_| Fault::Syntax)
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.bump();
        }
    }

    /// `null`, `true` or `false`: only the word is checked, as a streaming reader does.
    pub(crate) fn word(&mut self) -> Result<(), Fault> {
        let words: [&[u8]; 3] = [b"null", b"true", b"false"];
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        let word = words
            .iter()
            .find(|w| rest.starts_with(w))
            .ok_or(Fault::Syntax)?;
        self.pos = self.pos.saturating_add(word.len());
        Ok(())
    }

    /// Any value, nested as deep as it likes (with strings only checked for shape); returns
    /// the raw text.
    pub(crate) fn raw_value(&mut self) -> Result<&'a [u8], Fault> {
        let start = self.pos;
        // The closing bracket each open container waits for.
        let mut open: Vec<u8> = Vec::new();
        loop {
            // A value.
            self.ws();
            match self.peek() {
                Some(b'[') => {
                    self.bump();
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.bump();
                    } else {
                        open.push(b']');
                        continue;
                    }
                }
                Some(b'{') => {
                    self.bump();
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.bump();
                    } else {
                        self.string(false)?;
                        self.ws();
                        self.eat(b':')?;
                        open.push(b'}');
                        continue;
                    }
                }
                Some(b'"') => {
                    self.string(false)?;
                }
                Some(b'-' | b'0'..=b'9') => {
                    self.number()?;
                }
                _ => self.word()?,
            }
            // After a value: close containers, or go on to the next element.
            loop {
                let Some(&close) = open.last() else {
                    let raw = self.bytes.get(start..self.pos).unwrap_or_default();
                    std::str::from_utf8(raw).map_err(|_| Fault::Syntax)?;
                    return Ok(raw);
                };
                self.ws();
                match self.peek() {
                    Some(b',') => {
                        self.bump();
                        if close == b'}' {
                            self.ws();
                            self.string(false)?;
                            self.ws();
                            self.eat(b':')?;
                        }
                        break;
                    }
                    Some(b) if b == close => {
                        self.bump();
                        open.pop();
                    }
                    _ => return Err(Fault::Syntax),
                }
            }
        }
    }
}

//! A cursor over source text for the hand-written parsers (HCL 1, HOCON, CUE, EDN, VCL,
//! nginx, Groovy, SPDX): byte offsets, positioned errors, the nesting bound and the
//! escape sequences the C-family formats share.
//!
//! Every method moves forward or not at all, so a parser built on it runs in time
//! linear in its input as long as it never rescans.

use super::{SyntaxError, MAX_DEPTH};
use crate::document::Span;

/// A position in a text being parsed.
#[derive(Clone, Debug)]
pub(crate) struct Cursor<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Cursor<'t> {
    /// A cursor at the start of `text`.
    pub(crate) fn new(text: &'t str) -> Self {
        Cursor { text, pos: 0 }
    }

    /// The whole text.
    pub(crate) fn text(&self) -> &'t str {
        self.text
    }

    /// The byte offset of the cursor.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Whether the whole text has been read.
    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// The text from the cursor on.
    pub(crate) fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    /// The next byte.
    pub(crate) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// The byte `n` bytes ahead.
    pub(crate) fn peek_at(&self, n: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + n).copied()
    }

    /// The next character.
    pub(crate) fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Whether the rest starts with `s`.
    pub(crate) fn looking_at(&self, s: &str) -> bool {
        self.rest().starts_with(s)
    }

    /// Moves past the next character, returning it.
    pub(crate) fn bump(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Moves `n` bytes on (to a character boundary).
    pub(crate) fn advance(&mut self, n: usize) {
        let mut to = (self.pos + n).min(self.text.len());
        while !self.text.is_char_boundary(to) {
            to += 1;
        }
        self.pos = to;
    }

    /// Moves past `b` when it is next.
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        if found {
            self.pos += 1;
        }
        found
    }

    /// Moves past `s` when it is next.
    pub(crate) fn eat_str(&mut self, s: &str) -> bool {
        let found = self.looking_at(s);
        if found {
            self.pos += s.len();
        }
        found
    }

    /// Moves past the characters that satisfy `keep`, returning them.
    pub(crate) fn take_while(&mut self, mut keep: impl FnMut(char) -> bool) -> &'t str {
        let start = self.pos;
        let len = self
            .rest()
            .find(|c: char| !keep(c))
            .unwrap_or(self.rest().len());
        self.pos += len;
        &self.text[start..self.pos]
    }

    /// Moves to the end of the line (before its `\n`).
    pub(crate) fn skip_line(&mut self) {
        let len = self.rest().find('\n').unwrap_or(self.rest().len());
        self.pos += len;
    }

    /// Skips whitespace (newlines too when `newlines`) and comments: `//` to the end of the
    /// line, and `#` to the end of the line and `/* ... */` when the format has them.
    pub(crate) fn skip_blank(
        &mut self,
        newlines: bool,
        comments: Comments,
    ) -> Result<(), SyntaxError> {
        loop {
            self.take_while(|c| c.is_whitespace() && (newlines || c != '\n'));
            if self.looking_at("//") || (comments.hash && self.peek() == Some(b'#')) {
                self.skip_line();
            } else if comments.block && self.looking_at("/*") {
                let at = self.pos();
                self.advance(2);
                self.skip_block_comment(at)?;
            } else {
                return Ok(());
            }
        }
    }

    /// Moves past the `*/` closing a block comment opened just before the cursor.
    pub(crate) fn skip_block_comment(&mut self, opened_at: usize) -> Result<(), SyntaxError> {
        match self.rest().find("*/") {
            Some(i) => {
                self.pos += i + 2;
                Ok(())
            }
            None => Err(SyntaxError::new(
                "unterminated comment",
                Span::new(opened_at, opened_at + 2),
            )),
        }
    }

    /// The span from `start` to the cursor.
    pub(crate) fn since(&self, start: usize) -> Span {
        Span::new(start, self.pos)
    }

    /// The span of the next character (empty at the end).
    pub(crate) fn here(&self) -> Span {
        let len = self.peek_char().map_or(0, char::len_utf8);
        Span::new(self.pos, self.pos + len)
    }

    /// An error at the next character.
    pub(crate) fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError::new(message, self.here())
    }

    /// An error saying what was expected, and what was found instead.
    pub(crate) fn expected(&self, what: &str) -> SyntaxError {
        match self.peek_char() {
            Some(c) => self.error(format!("expected {what}, found `{}`", c.escape_debug())),
            None => self.error(format!("expected {what}, found the end of the file")),
        }
    }

    /// Moves past `b`, or fails saying `what` was expected.
    pub(crate) fn expect(&mut self, b: u8, what: &str) -> Result<(), SyntaxError> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    /// Reads the escape sequence after a `\` (the cursor is past the backslash): the
    /// JSON escapes, `\'`, `\0`, `\a`, `\v`, `\uXXXX` (with surrogate pairs) and
    /// `\UXXXXXXXX`.
    pub(crate) fn escape(&mut self) -> Result<char, SyntaxError> {
        let at = self.pos.saturating_sub(1);
        let bad = |cursor: &Self| {
            SyntaxError::new(
                "invalid escape sequence",
                Span::new(at, cursor.pos.max(at + 1)),
            )
        };
        let c = self.bump().ok_or_else(|| bad(self))?;
        Ok(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'a' => '\u{7}',
            'v' => '\u{b}',
            '0' => '\0',
            '"' | '\'' | '\\' | '/' | '`' | '$' | '#' | '{' | '}' => c,
            'u' | 'U' => {
                let digits = if c == 'u' { 4 } else { 8 };
                let high = self.hex(digits).ok_or_else(|| bad(self))?;
                let code = if (0xD800..0xDC00).contains(&high) && self.looking_at("\\u") {
                    self.advance(2);
                    let low = self.hex(4).ok_or_else(|| bad(self))?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(bad(self));
                    }
                    0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    high
                };
                char::from_u32(code).ok_or_else(|| bad(self))?
            }
            _ => return Err(bad(self)),
        })
    }

    fn hex(&mut self, digits: usize) -> Option<u32> {
        let text = self.rest().get(..digits)?;
        let value = u32::from_str_radix(text, 16).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += digits;
        Some(value)
    }
}

/// Fails when a collection opened at `span` would be nested `depth` levels deep (the
/// root counts as one) and that is more than [`MAX_DEPTH`].
/// The comments a format has besides `//` ([`Cursor::skip_blank`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Comments {
    /// `#` to the end of the line.
    pub hash: bool,
    /// `/* ... */`.
    pub block: bool,
}

pub(crate) fn check_depth(depth: usize, span: Span) -> Result<(), SyntaxError> {
    if depth > MAX_DEPTH {
        Err(SyntaxError::new(
            format!("nesting is deeper than {MAX_DEPTH} levels"),
            span,
        ))
    } else {
        Ok(())
    }
}

/// The 1-based line and column (in characters) of `offset` in `text`.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// The index of `text`'s lines.
    pub(crate) fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// The line and column of `offset`, both from 1; the column counts characters.
    pub(crate) fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = text
            .get(start..offset.min(text.len()))
            .map_or(0, |s| s.chars().count());
        (line, column + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        let cases = [
            ("n", Some('\n')),
            ("u00e9", Some('é')),
            ("ud83d\\ude00", Some('😀')),
            ("U0001F600", Some('😀')),
            ("ud83d", Some('\u{fffd}')),
            ("q", None),
            ("u12", None),
        ];
        for (text, want) in cases {
            let mut cursor = Cursor::new(text);
            let got = cursor.escape().ok();
            // A lone surrogate is not a character.
            let want = if want == Some('\u{fffd}') { None } else { want };
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn line_columns() {
        let text = "ab\né\nc";
        let index = LineIndex::new(text);
        assert_eq!(index.line_column(text, 0), (1, 1));
        assert_eq!(index.line_column(text, 3), (2, 1));
        assert_eq!(index.line_column(text, 5), (2, 2));
        assert_eq!(index.line_column(text, 7), (3, 2));
    }
}

//! `.env` files: `KEY=value` lines (optionally `export KEY=value` or `KEY: value`) into a
//! flat object of strings, as conftest reads them.
//!
//! Single-quoted values are literal; double-quoted values may span lines and understand
//! `\n`, `\t`, `\"` and `\\`; unquoted values end at a ` #` comment and are trimmed.
//! `$VAR` references are kept as written: goldenpath never reads the environment.

use super::object::ObjectBuilder;
use super::{lines, string_node, SyntaxError};
use crate::document::{Node, NodeKind, Span};

/// Parses a dotenv file into one object.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut members = ObjectBuilder::new();
    let mut rows = lines(text).peekable();
    while let Some((start, line)) = rows.next() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let lead = line.len() - trimmed.len();
        let body = trimmed
            .strip_prefix("export")
            .filter(|rest| rest.starts_with([' ', '\t']))
            .map_or(trimmed, str::trim_start);
        let key_at = start + line.len() - body.len();
        let key_len = body
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
            .unwrap_or(body.len());
        let line_span = Span::new(start + lead, start + line.len());
        let bad = |what: &str| SyntaxError::new(format!("{what}: expected KEY=value"), line_span);
        if key_len == 0 {
            return Err(bad("missing variable name"));
        }
        let key = &body[..key_len];
        let after_key = &body[key_len..];
        let after_sep = if let Some(rest) = after_key.trim_start().strip_prefix('=') {
            rest
        } else if let Some(rest) = after_key.strip_prefix(':') {
            rest
        } else {
            return Err(bad(&format!("no `=` after `{key}`")));
        };
        let raw = after_sep.trim_start();
        let value_at = start + line.len() - raw.len();
        let (value, value_end) = match raw.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                quoted(text, value_at, quote, &mut rows).ok_or_else(|| {
                    SyntaxError::new(
                        format!("unterminated {quote}-quoted value of `{key}`"),
                        Span::new(value_at, value_at + 1),
                    )
                })?
            }
            _ => {
                let cut = raw
                    .find(" #")
                    .or_else(|| raw.find("\t#"))
                    .unwrap_or(raw.len());
                let value = raw[..cut].trim_end();
                (value.to_string(), value_at + value.len())
            }
        };
        members.upsert(
            key.to_string(),
            Span::new(key_at, key_at + key_len),
            string_node(Span::new(value_at, value_end), value),
        );
    }
    Ok(Node::new(
        Span::new(0, text.len()),
        NodeKind::Object(members.into_members()),
    ))
}

/// Reads a quoted value starting at byte `at` (the quote), consuming further lines from
/// `rows` while the quote is open. Returns the value and the byte after the closing quote.
fn quoted<'a>(
    text: &'a str,
    at: usize,
    quote: char,
    rows: &mut std::iter::Peekable<impl Iterator<Item = (usize, &'a str)>>,
) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = text[at + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => {
                let end = at + 1 + i + 1;
                // Skip the lines the value ran over.
                while rows.peek().is_some_and(|(start, _)| *start < end) {
                    rows.next();
                }
                return Some((out, end));
            }
            '\\' if quote == '"' => match chars.next().map(|(_, e)| e) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => return None,
            },
            '\r' => {}
            '\n' if quote == '\'' => return None,
            other => out.push(other),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(node: &Node, key: &str) -> String {
        match &node.get(key).expect(key).value.kind {
            NodeKind::String(s) => s.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn quoting_export_and_comments() {
        let text = "# c\nexport A=1\nB = 'x # y'\nC=\"l1\\nl2 \\\"q\\\"\"\nD=plain # note\nE:  colon\nF=\"multi\nline\"\nG=\n";
        let node = parse(text).expect("valid");
        assert_eq!(value(&node, "A"), "1");
        assert_eq!(value(&node, "B"), "x # y");
        assert_eq!(value(&node, "C"), "l1\nl2 \"q\"");
        assert_eq!(value(&node, "D"), "plain");
        assert_eq!(value(&node, "E"), "colon");
        assert_eq!(value(&node, "F"), "multi\nline");
        assert_eq!(value(&node, "G"), "");
        let d = node.get("D").expect("D");
        assert_eq!(&text[d.value.span.start..d.value.span.end], "plain");
        assert_eq!(&text[d.key_span.start..d.key_span.end], "D");
    }

    #[test]
    fn malformed_lines_are_errors() {
        let err = parse("A=1\njust words\n").expect_err("no =");
        assert_eq!(err.span.start, 4);
        assert!(parse("A=\"open\n").is_err());
        assert!(parse("=1\n").is_err());
    }
}

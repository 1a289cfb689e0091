//! Java `.properties` files into a flat object of strings; dotted keys stay whole keys
//! (`server.port`), as conftest reads them.
//!
//! Comments start with `#` or `!`; a key ends at the first unescaped `=`, `:` or blank;
//! a line ending in an odd number of backslashes continues on the next line (whose
//! leading blanks are dropped); `\t`, `\n`, `\r`, `\f` and `\uXXXX` escapes are decoded and
//! any other escaped character stands for itself. `${key}` references are kept as written.

use super::object::ObjectBuilder;
use super::{lines, string_node, SyntaxError};
use crate::document::{Node, NodeKind, Span};

/// Parses a properties file into one object.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut members = ObjectBuilder::new();
    let mut rows = lines(text);
    while let Some((start, line)) = rows.next() {
        let trimmed = line.trim_start_matches([' ', '\t', '\u{c}']);
        if trimmed.is_empty() || trimmed.starts_with(['#', '!']) {
            continue;
        }
        // The logical line: pieces of physical lines joined at continuations.
        let mut pieces = vec![(start + line.len() - trimmed.len(), trimmed)];
        let mut end = start + line.len();
        while pieces.last().is_some_and(|(_, p)| continues(p)) {
            let Some((next_start, next)) = rows.next() else {
                break;
            };
            let kept = next.trim_start_matches([' ', '\t', '\u{c}']);
            pieces.push((next_start + next.len() - kept.len(), kept));
            end = next_start + next.len();
        }
        let logical = join(&pieces);
        let (key, key_len, value, value_offset) = split(&logical.text)
            .map_err(|message| SyntaxError::new(message, Span::new(pieces[0].0, end)))?;
        let key_start = logical.offset(0);
        let key_span = Span::new(key_start, logical.offset(key_len).max(key_start));
        let value_span = if value_offset >= logical.text.len() {
            Span::new(end, end)
        } else {
            Span::new(logical.offset(value_offset), end)
        };
        members.upsert(key, key_span, string_node(value_span, value));
    }
    Ok(Node::new(
        Span::new(0, text.len()),
        NodeKind::Object(members.into_members()),
    ))
}

/// Whether a physical line ends in an odd number of backslashes.
fn continues(line: &str) -> bool {
    line.bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1
}

/// A logical line with a map from its byte offsets back to the source.
struct Logical {
    text: String,
    /// `(offset in text, offset in source)` where each piece starts.
    starts: Vec<(usize, usize)>,
}

impl Logical {
    fn offset(&self, at: usize) -> usize {
        let (text_start, source_start) = self
            .starts
            .iter()
            .rev()
            .find(|(t, _)| *t <= at)
            .copied()
            .unwrap_or((0, 0));
        source_start + (at - text_start)
    }
}

fn join(pieces: &[(usize, &str)]) -> Logical {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(pieces.len());
    let last = pieces.len().saturating_sub(1);
    for (i, (source, piece)) in pieces.iter().enumerate() {
        starts.push((text.len(), *source));
        let piece = if i < last {
            // Drop the continuation backslash.
            &piece[..piece.len() - 1]
        } else {
            piece
        };
        text.push_str(piece);
    }
    Logical { text, starts }
}

/// Splits a logical line into the decoded key, the key's length in `line`, the decoded
/// value and the value's offset in `line`.
fn split(line: &str) -> Result<(String, usize, String, usize), String> {
    let bytes = line.as_bytes();
    let mut key_len = line.len();
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '=' | ':' | ' ' | '\t' | '\u{c}' => {
                key_len = i;
                break;
            }
            _ => {}
        }
    }
    let key = unescape(&line[..key_len])?;
    let mut j = key_len;
    while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\x0c') {
        j += 1;
    }
    if j < bytes.len() && matches!(bytes[j], b'=' | b':') {
        j += 1;
        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\x0c') {
            j += 1;
        }
    }
    let value = unescape(&line[j..])?;
    Ok((key, key_len, value, j))
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let decoded = u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 4)
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("invalid unicode escape `\\u{hex}`"))?;
                out.push(decoded);
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Ok(out)
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
    fn keys_values_continuations_escapes() {
        let text = "# c\n! c2\nserver.port=8080\nname : Jo\\u00e9\nlist = a, \\\n    b, \\\n    c\nkey\\ with\\ spaces value\nempty\npath=C:\\\\dir\n";
        let node = parse(text).expect("valid");
        assert_eq!(value(&node, "server.port"), "8080");
        assert_eq!(value(&node, "name"), "Joé");
        assert_eq!(value(&node, "list"), "a, b, c");
        assert_eq!(value(&node, "key with spaces"), "value");
        assert_eq!(value(&node, "empty"), "");
        assert_eq!(value(&node, "path"), "C:\\dir");
        let list = node.get("list").expect("list");
        assert_eq!(&text[list.key_span.start..list.key_span.end], "list");
        assert_eq!(
            &text[list.value.span.start..list.value.span.end],
            "a, \\\n    b, \\\n    c"
        );
        assert!(parse("bad=\\u12\n").is_err());
    }
}

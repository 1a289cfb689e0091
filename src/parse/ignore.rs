//! `.gitignore` / `.dockerignore` files as conftest reads them: one entry per line,
//! `{"Kind": "Path" | "NegatedPath" | "Comment" | "Empty", "Value", "Original"}`.
//!
//! Like conftest, the text is split on every newline, so a file ending in a newline has a
//! last `Empty` entry. A `\r` before the newline is dropped (conftest keeps it).

use super::{lines, string_node};
use crate::document::{Member, Node, NodeKind, Span};

/// Parses an ignore file into an array of entries. Never fails: every line is an entry.
pub fn parse(text: &str) -> Node {
    let mut entries = Vec::new();
    let mut saw_final_newline = text.is_empty();
    for (start, line) in lines(text) {
        let span = Span::new(start, start + line.len());
        entries.push(entry(line, span));
        saw_final_newline = text[start + line.len()..].starts_with(['\n', '\r']);
    }
    if saw_final_newline {
        let end = Span::new(text.len(), text.len());
        entries.push(entry("", end));
    }
    Node::new(Span::new(0, text.len()), NodeKind::Array(entries))
}

fn entry(line: &str, span: Span) -> Node {
    let stripped = trim_right_spaces(line);
    let (kind, value) = if stripped.is_empty() {
        ("Empty", line.to_string())
    } else if let Some(comment) = stripped.strip_prefix('#') {
        ("Comment", comment.trim().to_string())
    } else if line.starts_with('!') {
        ("NegatedPath", unescape(&stripped[1..]))
    } else {
        ("Path", unescape(stripped))
    };
    let member = |key: &str, value: String| Member {
        key: key.to_string(),
        key_span: span,
        value: string_node(span, value),
    };
    Node::new(
        span,
        NodeKind::Object(vec![
            member("Kind", kind.to_string()),
            member("Value", value),
            member("Original", line.to_string()),
        ]),
    )
}

/// Drops trailing spaces, except one escaped by a backslash.
fn trim_right_spaces(line: &str) -> &str {
    let trimmed = line.trim_end_matches(' ');
    if trimmed.ends_with('\\') && trimmed.len() < line.len() {
        &line[..trimmed.len() + 1]
    } else {
        trimmed
    }
}

/// Removes escaping backslashes (`\\` stands for one backslash).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(String, String, String)> {
        let NodeKind::Array(items) = parse(text).kind else {
            panic!("array")
        };
        items
            .iter()
            .map(|item| {
                let get = |k: &str| match &item.get(k).expect(k).value.kind {
                    NodeKind::String(s) => s.clone(),
                    other => panic!("{other:?}"),
                };
                (get("Kind"), get("Value"), get("Original"))
            })
            .collect()
    }

    #[test]
    fn conftest_entries() {
        let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(
            kinds("foo\n!bar\n\n# Baz\nqux/  \n\\#hash\\ \n"),
            vec![
                t("Path", "foo", "foo"),
                t("NegatedPath", "bar", "!bar"),
                t("Empty", "", ""),
                t("Comment", "Baz", "# Baz"),
                t("Path", "qux/", "qux/  "),
                t("Path", "#hash ", "\\#hash\\ "),
                t("Empty", "", ""),
            ]
        );
        assert_eq!(kinds("a"), vec![t("Path", "a", "a")]);
        assert_eq!(kinds(""), vec![t("Empty", "", "")]);
        assert_eq!(
            kinds("a\r\n"),
            vec![t("Path", "a", "a"), t("Empty", "", "")]
        );
    }
}

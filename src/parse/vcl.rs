//! Varnish configuration language, in conftest's shape for declarations.
//!
//! A declaration `type label... { body }` nests as `{"type": {"label": body}}` (one object
//! per label). A body of `.field = value;` attributes (the dot dropped) and nested
//! declarations is an object; a body of bare entries (an `acl`'s `"127.0.0.1";` and
//! `!"10.0.0.0"/8;`) is an array of them. Strings lose their quotes, integers are numbers,
//! `true`/`false` booleans, anything else (`60s`, `std.random(1, 2)`) its text.
//! A subroutine (`sub vcl_recv { ... }`) is the array of its statements' text, and
//! top-level `vcl 4.1;` / `import std;` statements are `"vcl": "4.1"` and
//! `"import": ["std"]`. Repeated declarations: the last wins, as in conftest.

use super::object::ObjectBuilder;
use super::scan::{check_depth, Comments, Cursor};
use super::{number_kind, string_node, SyntaxError};
use crate::document::{Node, NodeKind, Span};

/// A value of an object being built: a finished node, or one label level.
enum Entry {
    Value(Node),
    Level(Span, ObjectBuilder<Entry>),
    List(Span, Vec<Node>),
}

impl Entry {
    fn into_node(self) -> Node {
        match self {
            Entry::Value(node) => node,
            Entry::Level(span, members) => Node::new(
                span,
                NodeKind::Object(members.into_members_with(Entry::into_node)),
            ),
            Entry::List(span, items) => Node::new(span, NodeKind::Array(items)),
        }
    }
}

/// Parses a VCL file into one object.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut cursor = Cursor::new(text);
    let mut root: ObjectBuilder<Entry> = ObjectBuilder::new();
    loop {
        skip_blank(&mut cursor)?;
        if cursor.at_end() {
            break;
        }
        let start = cursor.pos();
        let (kind, kind_span) = word(&mut cursor)?;
        let mut labels = Vec::new();
        loop {
            skip_blank(&mut cursor)?;
            match cursor.peek() {
                Some(b'{') | Some(b';') | None => break,
                _ => labels.push(word(&mut cursor)?),
            }
        }
        if cursor.eat(b';') {
            let text: Vec<&str> = labels.iter().map(|(l, _)| l.as_str()).collect();
            let value = string_node(cursor.since(start), text.join(" "));
            if kind == "vcl" {
                root.upsert(kind, kind_span, Entry::Value(value));
            } else {
                let (_, entry) = root.get_or_insert_with(kind, kind_span, || {
                    Entry::List(Span::new(start, start), Vec::new())
                });
                if let Entry::List(span, items) = entry {
                    span.end = value.span.end;
                    items.push(value);
                }
            }
            continue;
        }
        if cursor.at_end() {
            return Err(SyntaxError::new(
                format!("`{kind}` has no body"),
                cursor.since(start),
            ));
        }
        let body = if kind == "sub" {
            subroutine(&mut cursor)?
        } else {
            body(&mut cursor, labels.len() + 2)?
        };
        let span = Span::new(start, cursor.pos());
        // `type` then each label but the last opens a level; the last holds the body.
        let mut level = &mut root;
        let mut key = (kind, kind_span);
        for (label, label_span) in labels {
            let (_, entry) =
                level.get_or_insert_with(key.0, key.1, || Entry::Level(span, ObjectBuilder::new()));
            if !matches!(entry, Entry::Level(..)) {
                *entry = Entry::Level(span, ObjectBuilder::new());
            }
            let Entry::Level(_, inner) = entry else {
                unreachable!("just made a level")
            };
            level = inner;
            key = (label, label_span);
        }
        level.upsert(key.0, key.1, Entry::Value(body));
    }
    Ok(Node::new(
        Span::new(0, text.len()),
        NodeKind::Object(root.into_members_with(Entry::into_node)),
    ))
}

/// Skips blanks and `#`, `//` and `/* */` comments.
fn skip_blank(cursor: &mut Cursor<'_>) -> Result<(), SyntaxError> {
    let comments = Comments {
        hash: true,
        block: true,
    };
    cursor.skip_blank(true, comments)
}

/// A name, label or bare value: a quoted string (without its quotes) or a run of
/// anything but blanks and punctuation.
fn word(cursor: &mut Cursor<'_>) -> Result<(String, Span), SyntaxError> {
    let start = cursor.pos();
    if cursor.peek() == Some(b'"') {
        let s = string(cursor)?;
        return Ok((s, cursor.since(start)));
    }
    let w = cursor.take_while(|c| !c.is_whitespace() && !"{};=\"".contains(c));
    if w.is_empty() {
        return Err(cursor.expected("a name"));
    }
    Ok((w.to_string(), cursor.since(start)))
}

fn string(cursor: &mut Cursor<'_>) -> Result<String, SyntaxError> {
    let start = cursor.pos();
    if cursor.looking_at("{\"") {
        // A long string, `{"..."}`.
        cursor.advance(2);
        return match cursor.rest().find("\"}") {
            Some(i) => {
                let s = cursor.rest()[..i].to_string();
                cursor.advance(i + 2);
                Ok(s)
            }
            None => Err(SyntaxError::new(
                "unterminated string",
                Span::new(start, start + 2),
            )),
        };
    }
    cursor.advance(1);
    let s = cursor.take_while(|c| c != '"' && c != '\n');
    if !cursor.eat(b'"') {
        return Err(SyntaxError::new(
            "unterminated string",
            Span::new(start, start + 1),
        ));
    }
    Ok(s.to_string())
}

/// The text of a value up to `;` (not included), strings and braces balanced.
fn value_text(cursor: &mut Cursor<'_>) -> Result<Span, SyntaxError> {
    let start = cursor.pos();
    let mut end = start;
    let mut parens = 0usize;
    loop {
        skip_blank(cursor)?;
        match cursor.peek() {
            None | Some(b'}') => return Err(cursor.expected("`;`")),
            Some(b';') if parens == 0 => return Ok(Span::new(start, end)),
            Some(b'"') => {
                string(cursor)?;
            }
            Some(b'(') => {
                parens += 1;
                cursor.advance(1);
            }
            Some(b')') => {
                parens = parens.saturating_sub(1);
                cursor.advance(1);
            }
            Some(_) => {
                cursor.bump();
            }
        }
        end = cursor.pos();
    }
}

/// A value after `=`: typed as conftest does.
fn scalar(text: &str, span: Span) -> Node {
    let inner = text.trim();
    if let Some(s) = inner
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .filter(|s| !s.contains('"'))
    {
        return string_node(span, s);
    }
    let kind = match inner {
        "true" => NodeKind::Bool(true),
        "false" => NodeKind::Bool(false),
        _ if inner.bytes().all(|b| b.is_ascii_digit()) && !inner.is_empty() => {
            number_kind(inner).unwrap_or_else(|| NodeKind::String(inner.to_string()))
        }
        // `"10.0.0.0"/8` → `10.0.0.0/8`.
        _ => NodeKind::String(inner.replace('"', "")),
    };
    Node::new(span, kind)
}

/// A `{ ... }` body of attributes, entries and nested declarations, as an object nested
/// `depth` levels deep (or an array of bare entries).
fn body(cursor: &mut Cursor<'_>, depth: usize) -> Result<Node, SyntaxError> {
    let open = cursor.pos();
    check_depth(depth, cursor.here())?;
    cursor.expect(b'{', "`{`")?;
    let mut members: ObjectBuilder<Entry> = ObjectBuilder::new();
    let mut entries = Vec::new();
    loop {
        skip_blank(cursor)?;
        let start = cursor.pos();
        match cursor.peek() {
            Some(b'}') => {
                cursor.advance(1);
                break;
            }
            None => {
                return Err(SyntaxError::new(
                    "the block is not closed",
                    Span::new(open, open + 1),
                ))
            }
            Some(b'.') => {
                cursor.advance(1);
                let (name, _) = word(cursor)?;
                let key_span = cursor.since(start);
                skip_blank(cursor)?;
                cursor.expect(b'=', "`=`")?;
                skip_blank(cursor)?;
                let value = if cursor.peek() == Some(b'{') && !cursor.looking_at("{\"") {
                    body(cursor, depth + 1)?
                } else {
                    let span = value_text(cursor)?;
                    scalar(&cursor.text()[span.start..span.end], span)
                };
                skip_blank(cursor)?;
                cursor.eat(b';');
                members.upsert(name, key_span, Entry::Value(value));
            }
            Some(b'"' | b'!') => {
                let span = value_text(cursor)?;
                cursor.advance(1);
                entries.push(scalar(&cursor.text()[span.start..span.end], span));
            }
            Some(_) => {
                let (kind, kind_span) = word(cursor)?;
                let mut labels = Vec::new();
                loop {
                    skip_blank(cursor)?;
                    match cursor.peek() {
                        Some(b'{') => break,
                        Some(b';') => {
                            cursor.advance(1);
                            break;
                        }
                        None | Some(b'}') => return Err(cursor.expected("`{` or `;`")),
                        _ => labels.push(word(cursor)?),
                    }
                }
                let value = if cursor.peek() == Some(b'{') {
                    let mut node = body(cursor, depth + labels.len() + 2)?;
                    for (label, label_span) in labels.into_iter().rev() {
                        let span = node.span;
                        node = Node::new(
                            span,
                            NodeKind::Object(vec![crate::document::Member {
                                key: label,
                                key_span: label_span,
                                value: node,
                            }]),
                        );
                    }
                    node
                } else {
                    let words: Vec<String> = labels.into_iter().map(|(l, _)| l).collect();
                    string_node(cursor.since(start), words.join(" "))
                };
                let (_, entry) = members
                    .get_or_insert_with(kind, kind_span, || Entry::List(value.span, Vec::new()));
                if let Entry::List(span, items) = entry {
                    span.end = value.span.end;
                    items.push(value);
                }
            }
        }
    }
    let span = cursor.since(open);
    let members = members.into_members_with(|entry| match entry {
        // One nested declaration of a type is an object, several an array.
        Entry::List(span, mut items) if items.len() == 1 => {
            let mut only = items.remove(0);
            only.span = Span::new(span.start.min(only.span.start), only.span.end);
            only
        }
        other => other.into_node(),
    });
    if members.is_empty() {
        Ok(Node::new(span, NodeKind::Array(entries)))
    } else {
        Ok(Node::new(span, NodeKind::Object(members)))
    }
}

/// A subroutine body: its statements' text, in order.
fn subroutine(cursor: &mut Cursor<'_>) -> Result<Node, SyntaxError> {
    let open = cursor.pos();
    cursor.expect(b'{', "`{`")?;
    let mut statements = Vec::new();
    let mut braces = 0usize;
    let mut start = None;
    loop {
        skip_blank(cursor)?;
        let at = cursor.pos();
        match cursor.peek() {
            None => {
                return Err(SyntaxError::new(
                    "the subroutine is not closed",
                    Span::new(open, open + 1),
                ))
            }
            Some(b'"') => {
                start.get_or_insert(at);
                string(cursor)?;
            }
            Some(b'{') => {
                start.get_or_insert(at);
                braces += 1;
                cursor.advance(1);
            }
            Some(b'}') if braces == 0 => {
                if let Some(s) = start.take() {
                    let span = Span::new(s, at);
                    statements.push(string_node(span, cursor.text()[s..at].trim_end()));
                }
                cursor.advance(1);
                break;
            }
            Some(b'}') => {
                braces -= 1;
                cursor.advance(1);
                if braces == 0 {
                    // The end of an `if { }` (an `else` may follow on the same statement).
                    skip_blank(cursor)?;
                    if !(cursor.looking_at("else")
                        || cursor.looking_at("elsif")
                        || cursor.looking_at("elseif"))
                    {
                        if let Some(s) = start.take() {
                            let span = Span::new(s, at + 1);
                            statements.push(string_node(span, &cursor.text()[s..at + 1]));
                        }
                    }
                }
            }
            Some(b';') if braces == 0 => {
                if let Some(s) = start.take() {
                    let span = Span::new(s, at);
                    statements.push(string_node(span, &cursor.text()[s..at]));
                }
                cursor.advance(1);
            }
            Some(_) => {
                start.get_or_insert(at);
                cursor.bump();
            }
        }
    }
    Ok(Node::new(cursor.since(open), NodeKind::Array(statements)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conftest_shape() {
        let text = r#"vcl 4.1;
import std;
# the app
backend app {
    .host = "127.0.0.1";
    .port = "8081";
    .connect_timeout = 60s;
    .max_connections = 800;
    .probe = { .url = "/"; .window = 5; }
}
acl purge {
    "127.0.0.1";
    !"10.0.0.0"/8;
}
sub vcl_recv {
    if (req.method == "PURGE") { return (purge); }
    set req.http.x = "a;b";
}
"#;
        let node = parse(text).expect("valid");
        assert_eq!(
            node.to_json(),
            json!({
                "vcl": "4.1",
                "import": ["std"],
                "backend": {"app": {
                    "host": "127.0.0.1", "port": "8081", "connect_timeout": "60s",
                    "max_connections": 800, "probe": {"url": "/", "window": 5},
                }},
                "acl": {"purge": ["127.0.0.1", "!10.0.0.0/8"]},
                "sub": {"vcl_recv": [
                    "if (req.method == \"PURGE\") { return (purge); }",
                    "set req.http.x = \"a;b\"",
                ]},
            })
        );
        let port = node.walk(&[
            crate::document::PathSeg::Key("backend".into()),
            crate::document::PathSeg::Key("app".into()),
            crate::document::PathSeg::Key("port".into()),
        ]);
        assert_eq!(&text[port.node.span.start..port.node.span.end], "\"8081\"");
    }

    #[test]
    fn errors_have_positions() {
        let cases = [
            ("backend a {", 10),
            ("backend a { .host = \"x\" ", 24),
            ("acl x", 0),
            ("sub s {", 6),
        ];
        for (text, at) in cases {
            let err = parse(text).expect_err(text);
            assert_eq!(err.span.start, at, "{text}: {err:?}");
        }
        assert!(parse(&format!("backend a {}", "{ .x = ".repeat(100_000))).is_err());
    }
}

//! nginx configuration, in conftest's shape: `{"directives": [...]}` where each
//! directive is `{"name": ..., "parameters": [...], "block": {"directives": [...]}}`,
//! `parameters` left out when there are none and `block` when the directive has no
//! `{ }`. Parameters are kept as written (quoted ones with their quotes); comments are
//! dropped; `include` is not followed.

use super::scan::{check_depth, Cursor};
use super::{string_node, SyntaxError};
use crate::document::{Member, Node, NodeKind, Span};

/// Parses an nginx configuration into one object.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut cursor = Cursor::new(text);
    let directives = directives(&mut cursor, 2)?;
    if !cursor.at_end() {
        return Err(cursor.error("unexpected `}`"));
    }
    let span = Span::new(0, text.len());
    Ok(Node::new(
        span,
        NodeKind::Object(vec![member("directives", Span::new(0, 0), directives)]),
    ))
}

fn member(key: &str, key_span: Span, value: Node) -> Member {
    Member {
        key: key.to_string(),
        key_span,
        value,
    }
}

/// Skips blanks and `#` comments.
fn skip_blank(cursor: &mut Cursor<'_>) {
    loop {
        cursor.take_while(char::is_whitespace);
        if cursor.peek() == Some(b'#') {
            cursor.skip_line();
        } else {
            return;
        }
    }
}

/// The directives up to a `}` or the end, as an array nested `depth` levels deep.
fn directives(cursor: &mut Cursor<'_>, depth: usize) -> Result<Node, SyntaxError> {
    skip_blank(cursor);
    let start = cursor.pos();
    let mut items = Vec::new();
    loop {
        skip_blank(cursor);
        if cursor.at_end() || cursor.peek() == Some(b'}') {
            let end = items.last().map_or(start, |n: &Node| n.span.end);
            return Ok(Node::new(Span::new(start, end), NodeKind::Array(items)));
        }
        items.push(directive(cursor, depth + 1)?);
    }
}

/// One directive: a name, parameters, then `;` or a block.
fn directive(cursor: &mut Cursor<'_>, depth: usize) -> Result<Node, SyntaxError> {
    let start = cursor.pos();
    let name = word(cursor)?;
    let mut parameters = Vec::new();
    loop {
        skip_blank(cursor);
        match cursor.peek() {
            Some(b';') => {
                cursor.advance(1);
                return Ok(finish(cursor, start, name, parameters, None));
            }
            Some(b'{') => {
                // The directive object, the block object and its array of directives.
                check_depth(depth + 2, cursor.here())?;
                let open = cursor.pos();
                cursor.advance(1);
                let inner = directives(cursor, depth + 1)?;
                if !cursor.eat(b'}') {
                    return Err(SyntaxError::new(
                        format!("the block of `{}` is not closed", name_text(&name)),
                        Span::new(open, open + 1),
                    ));
                }
                let block = Node::new(
                    cursor.since(open),
                    NodeKind::Object(vec![member("directives", Span::new(open, open + 1), inner)]),
                );
                return Ok(finish(cursor, start, name, parameters, Some(block)));
            }
            Some(b'}') | None => {
                return Err(SyntaxError::new(
                    format!("directive `{}` is not terminated by `;`", name_text(&name)),
                    cursor.since(start),
                ))
            }
            _ => parameters.push(word(cursor)?),
        }
    }
}

fn name_text(node: &Node) -> &str {
    match &node.kind {
        NodeKind::String(s) => s,
        _ => "",
    }
}

fn finish(
    cursor: &Cursor<'_>,
    start: usize,
    name: Node,
    parameters: Vec<Node>,
    block: Option<Node>,
) -> Node {
    let name_span = name.span;
    let mut members = vec![member("name", name_span, name)];
    if !parameters.is_empty() {
        let span = Span::new(
            parameters[0].span.start,
            parameters.last().map_or(name_span.end, |p| p.span.end),
        );
        // No key is written: an empty key span (key spans hide comments from the
        // suppression scanner, and parameters may have comments between them).
        let key_span = Span::new(span.start, span.start);
        members.push(member(
            "parameters",
            key_span,
            Node::new(span, NodeKind::Array(parameters)),
        ));
    }
    if let Some(block) = block {
        members.push(member(
            "block",
            Span::new(block.span.start, block.span.start + 1),
            block,
        ));
    }
    Node::new(cursor.since(start), NodeKind::Object(members))
}

/// A name or parameter: a quoted string (kept with its quotes) or a bare word, in which
/// `${...}` may hold braces.
fn word(cursor: &mut Cursor<'_>) -> Result<Node, SyntaxError> {
    let start = cursor.pos();
    match cursor.peek() {
        Some(quote @ (b'"' | b'\'')) => {
            cursor.advance(1);
            loop {
                match cursor.bump() {
                    Some('\\') => {
                        cursor.bump();
                    }
                    Some(c) if c as u32 == quote as u32 => break,
                    Some(_) => {}
                    None => {
                        return Err(SyntaxError::new(
                            "unterminated string",
                            Span::new(start, start + 1),
                        ))
                    }
                }
            }
        }
        _ => loop {
            match cursor.peek() {
                Some(b'$') if cursor.peek_at(1) == Some(b'{') => match cursor.rest().find('}') {
                    Some(i) => cursor.advance(i + 1),
                    None => return Err(cursor.error("unterminated `${`")),
                },
                Some(b'\\') => {
                    cursor.advance(1);
                    cursor.bump();
                }
                Some(b) if b.is_ascii_whitespace() || matches!(b, b';' | b'{' | b'}') => break,
                Some(_) => {
                    cursor.bump();
                }
                None => break,
            }
        },
    }
    let span = cursor.since(start);
    if span.is_empty() {
        return Err(cursor.expected("a directive"));
    }
    Ok(string_node(span, &cursor.text()[span.start..span.end]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conftest_shape() {
        let text = "\nworker_processes 1;\n# comment\nhttp {\n    server {\n        listen 80;\n        server_name example.com;\n        location / {\n            root /var/www/html;\n        }\n        add_header X-A \"a b\";\n        set $x ${y};\n    }\n}\n";
        let node = parse(text).expect("valid");
        assert_eq!(
            node.to_json(),
            json!({"directives": [
                {"name": "worker_processes", "parameters": ["1"]},
                {"name": "http", "block": {"directives": [
                    {"name": "server", "block": {"directives": [
                        {"name": "listen", "parameters": ["80"]},
                        {"name": "server_name", "parameters": ["example.com"]},
                        {"name": "location", "parameters": ["/"], "block": {"directives": [
                            {"name": "root", "parameters": ["/var/www/html"]},
                        ]}},
                        {"name": "add_header", "parameters": ["X-A", "\"a b\""]},
                        {"name": "set", "parameters": ["$x", "${y}"]},
                    ]}},
                ]}},
            ]})
        );
        let listen = node.walk(&[
            crate::document::PathSeg::Key("directives".into()),
            crate::document::PathSeg::Index(1),
        ]);
        assert!(listen.node.span.start > 0);
    }

    #[test]
    fn errors_have_positions() {
        let cases = [("http {", 5), ("listen 80", 0), ("a;\n}", 3), ("a \"b;", 2)];
        for (text, at) in cases {
            let err = parse(text).expect_err(text);
            assert_eq!(err.span.start, at, "{text}: {err:?}");
        }
        assert!(parse(&"a {".repeat(100_000)).is_err());
    }
}

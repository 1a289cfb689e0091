//! HCL 1, in the shape conftest's HCL 1 decoder gives it.
//!
//! At the top level and inside lists, an object is a map; anywhere else (a block, or an
//! `a = { }` value) it is a *list* of maps. A block with labels, `resource "t" "n" { }`,
//! becomes `{"resource": [{"t": [{"n": [{...}]}]}]}`, every block with that first key
//! adding one map to the list (`input.resource[1]`); a repeated `block { }` adds to its
//! list too, and so does a repeated list (`a = [1]` then `a = [2]` is `[1, 2]`); any
//! other repeated key keeps the last value. Strings keep `${...}` as written, heredocs
//! become their text, numbers are integers (`0x1F`, `017` octal) or floats.

use indexmap::IndexMap;

use super::object::ObjectBuilder;
use super::scan::{check_depth, Comments, Cursor};
use super::{string_node, SyntaxError};
use crate::document::{Node, NodeKind, Span};

/// A parsed value, before decoding.
enum Value {
    Literal(Node),
    List(Span, Vec<Value>),
    Object(Span, Vec<Item>),
}

/// `key key... = value` or `key key... { ... }`.
struct Item {
    keys: Vec<(String, Span)>,
    value: Value,
}

/// Parses an HCL 1 file into one object.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut cursor = Cursor::new(text);
    let items = items(&mut cursor, None, 1)?;
    let refs: Vec<(&[(String, Span)], &Value)> = items
        .iter()
        .map(|i| (i.keys.as_slice(), &i.value))
        .collect();
    Ok(Node::new(
        Span::new(0, text.len()),
        NodeKind::Object(decode_map(&refs)),
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

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')
}

/// Items up to `close` (or the end of the text when `None`), in an object nested
/// `depth` levels deep.
fn items(
    cursor: &mut Cursor<'_>,
    close: Option<u8>,
    depth: usize,
) -> Result<Vec<Item>, SyntaxError> {
    let mut out = Vec::new();
    loop {
        skip_blank(cursor)?;
        match (cursor.peek(), close) {
            (None, None) => return Ok(out),
            (Some(b), Some(c)) if b == c => {
                cursor.advance(1);
                return Ok(out);
            }
            (None, Some(_)) => return Err(cursor.expected("`}`")),
            _ => {}
        }
        out.push(item(cursor, depth)?);
        skip_blank(cursor)?;
        cursor.eat(b',');
    }
}

fn item(cursor: &mut Cursor<'_>, depth: usize) -> Result<Item, SyntaxError> {
    let mut keys = Vec::new();
    loop {
        let start = cursor.pos();
        let key = match cursor.peek() {
            Some(b'"') => string(cursor)?,
            Some(_) if cursor.peek_char().is_some_and(is_ident) => {
                cursor.take_while(is_ident).to_string()
            }
            _ if keys.is_empty() => return Err(cursor.expected("a key")),
            _ => return Err(cursor.expected("`=` or `{`")),
        };
        keys.push((key, cursor.since(start)));
        skip_blank(cursor)?;
        if cursor.eat(b'=') {
            skip_blank(cursor)?;
            let value = value(cursor, depth + 1)?;
            return Ok(Item { keys, value });
        }
        if cursor.peek() == Some(b'{') {
            // Each key after the first is one more level of lists and maps.
            let value = value(cursor, depth + 2 * keys.len())?;
            return Ok(Item { keys, value });
        }
    }
}

fn value(cursor: &mut Cursor<'_>, depth: usize) -> Result<Value, SyntaxError> {
    let start = cursor.pos();
    match cursor.peek() {
        Some(b'{') => {
            check_depth(depth, cursor.here())?;
            cursor.advance(1);
            let items = items(cursor, Some(b'}'), depth)?;
            Ok(Value::Object(cursor.since(start), items))
        }
        Some(b'[') => {
            check_depth(depth, cursor.here())?;
            cursor.advance(1);
            let mut list = Vec::new();
            loop {
                skip_blank(cursor)?;
                if cursor.eat(b']') {
                    return Ok(Value::List(cursor.since(start), list));
                }
                list.push(value(cursor, depth + 1)?);
                skip_blank(cursor)?;
                if !cursor.eat(b',') && cursor.peek() != Some(b']') {
                    return Err(cursor.expected("`,` or `]`"));
                }
            }
        }
        Some(b'"') => {
            let s = string(cursor)?;
            Ok(Value::Literal(string_node(cursor.since(start), s)))
        }
        Some(b'<') if cursor.looking_at("<<") => heredoc(cursor),
        Some(b) if b == b'-' || b.is_ascii_digit() => {
            let word = cursor.take_while(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            let span = cursor.since(start);
            number(word)
                .map(|kind| Value::Literal(Node::new(span, kind)))
                .ok_or_else(|| SyntaxError::new(format!("invalid number `{word}`"), span))
        }
        _ => {
            let word = cursor.take_while(is_ident);
            let span = cursor.since(start);
            match word {
                "true" => Ok(Value::Literal(Node::new(span, NodeKind::Bool(true)))),
                "false" => Ok(Value::Literal(Node::new(span, NodeKind::Bool(false)))),
                _ => Err(SyntaxError::new(
                    "expected a value",
                    if span.is_empty() { cursor.here() } else { span },
                )),
            }
        }
    }
}

fn number(word: &str) -> Option<NodeKind> {
    let (negative, digits) = match word.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, word),
    };
    let sign = if negative { -1 } else { 1 };
    if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        return i64::from_str_radix(hex, 16)
            .ok()
            .map(|i| NodeKind::Int(sign * i));
    }
    if digits.contains(['.', 'e', 'E']) {
        return word
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(NodeKind::Float);
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return i64::from_str_radix(&digits[1..], 8)
            .ok()
            .map(|i| NodeKind::Int(sign * i));
    }
    word.parse::<i64>().ok().map(NodeKind::Int)
}

/// A double-quoted string; `${...}` is kept as written (quotes and braces inside it
/// included).
fn string(cursor: &mut Cursor<'_>) -> Result<String, SyntaxError> {
    let start = cursor.pos();
    let unterminated = || SyntaxError::new("unterminated string", Span::new(start, start + 1));
    cursor.advance(1);
    let mut out = String::new();
    let mut braces = 0usize;
    loop {
        match cursor.bump() {
            None | Some('\n') if braces == 0 => return Err(unterminated()),
            None => return Err(unterminated()),
            Some('"') if braces == 0 => return Ok(out),
            Some('\\') if braces == 0 => out.push(cursor.escape()?),
            Some('$') if cursor.peek() == Some(b'{') => {
                braces += 1;
                cursor.advance(1);
                out.push_str("${");
            }
            Some('{') if braces > 0 => {
                braces += 1;
                out.push('{');
            }
            Some('}') if braces > 0 => {
                braces -= 1;
                out.push('}');
            }
            Some(c) => out.push(c),
        }
    }
}

/// `<<EOF` ... `EOF`, or `<<-EOF` with the indentation removed.
fn heredoc(cursor: &mut Cursor<'_>) -> Result<Value, SyntaxError> {
    let start = cursor.pos();
    cursor.advance(2);
    let indented = cursor.eat(b'-');
    let marker = cursor.take_while(|c| c.is_alphanumeric() || c == '_');
    if marker.is_empty() || !cursor.eat(b'\n') {
        return Err(SyntaxError::new(
            "invalid heredoc marker",
            cursor.since(start),
        ));
    }
    let mut lines = Vec::new();
    loop {
        if cursor.at_end() {
            return Err(SyntaxError::new(
                format!("heredoc `{marker}` is not closed"),
                Span::new(start, start + 2),
            ));
        }
        let line_start = cursor.pos();
        cursor.skip_line();
        let line = &cursor.text()[line_start..cursor.pos()];
        let line = line.strip_suffix('\r').unwrap_or(line);
        cursor.eat(b'\n');
        if line.trim() == marker {
            break;
        }
        lines.push(line);
    }
    let indent = if indented {
        lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0)
    } else {
        0
    };
    let mut text = String::new();
    for line in lines {
        text.push_str(line.get(indent..).unwrap_or(line.trim_start()));
        text.push('\n');
    }
    Ok(Value::Literal(string_node(cursor.since(start), text)))
}

/// Items decoded into a map, as the HCL 1 decoder does at the top level and in lists.
fn decode_map(items: &[(&[(String, Span)], &Value)]) -> Vec<crate::document::Member> {
    // Items by first key, compared without case (the decoder's filter does).
    let mut groups: IndexMap<String, Vec<usize>> = IndexMap::new();
    for (i, (keys, _)) in items.iter().enumerate() {
        if let Some((key, _)) = keys.first() {
            groups.entry(key.to_lowercase()).or_default().push(i);
        }
    }
    let mut members: ObjectBuilder<Node> = ObjectBuilder::new();
    let mut done = std::collections::HashSet::new();
    for (keys, value) in items {
        let Some((key, key_span)) = keys.first() else {
            continue;
        };
        if done.contains(key) {
            continue;
        }
        let decoded = if keys.len() > 1 {
            done.insert(key.clone());
            let group = groups
                .get(&key.to_lowercase())
                .map_or(&[][..], Vec::as_slice);
            let maps: Vec<Node> = group
                .iter()
                .filter_map(|&i| {
                    let (keys, value) = items[i];
                    let rest = keys.get(1..)?;
                    let members = decode_map(&[(rest, value)]);
                    let span = rest.first().map_or(value_span(value), |(_, s)| {
                        Span::new(s.start, value_span(value).end)
                    });
                    Some(Node::new(span, NodeKind::Object(members)))
                })
                .collect();
            list_node(maps)
        } else {
            in_map(value)
        };
        match members.get_mut(key) {
            // A list already there (a block, a list) takes the new items.
            Some(Node {
                kind: NodeKind::Array(existing),
                span,
            }) if matches!(decoded.kind, NodeKind::Array(_)) => {
                if let NodeKind::Array(more) = decoded.kind {
                    span.end = span.end.max(decoded.span.end);
                    existing.extend(more);
                }
            }
            _ => members.upsert(key.clone(), *key_span, decoded),
        }
    }
    members.into_members()
}

fn value_span(value: &Value) -> Span {
    match value {
        Value::Literal(node) => node.span,
        Value::List(span, _) | Value::Object(span, _) => *span,
    }
}

fn list_node(items: Vec<Node>) -> Node {
    let span = match (items.first(), items.last()) {
        (Some(first), Some(last)) => Span::new(first.span.start, last.span.end),
        _ => Span::default(),
    };
    Node::new(span, NodeKind::Array(items))
}

/// A value as a map member: an object becomes a list of one map.
fn in_map(value: &Value) -> Node {
    match value {
        Value::Object(span, _) => Node::new(*span, NodeKind::Array(vec![in_list(value)])),
        _ => in_list(value),
    }
}

/// A value as a list element: an object is a map.
fn in_list(value: &Value) -> Node {
    match value {
        Value::Literal(node) => node.clone(),
        Value::List(span, items) => {
            Node::new(*span, NodeKind::Array(items.iter().map(in_list).collect()))
        }
        Value::Object(span, items) => {
            let refs: Vec<(&[(String, Span)], &Value)> = items
                .iter()
                .map(|i| (i.keys.as_slice(), &i.value))
                .collect();
            Node::new(*span, NodeKind::Object(decode_map(&refs)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conftest_shape() {
        let text = r#"provider "google" {
  version = "2.5.0"
}
resource "a_type" "one" {
  count = 2
  ratio = 0.5
  mode = 0755
  master_auth {
    username = ""
  }
  master_auth {
    username = "x"
  }
  metadata = {
    disable-legacy-endpoints = "true"
  }
  scopes = ["a", {b = 1},]
  cluster = "${a.b.name}"
}
resource "b_type" "two" {
  policy = <<-EOT
    {"a": 1}
  EOT
}
"#;
        let node = parse(text).expect("valid");
        assert_eq!(
            node.to_json(),
            json!({
                "provider": [{"google": [{"version": "2.5.0"}]}],
                "resource": [
                    {"a_type": [{"one": [{
                        "count": 2, "ratio": 0.5, "mode": 493,
                        "master_auth": [{"username": ""}, {"username": "x"}],
                        "metadata": [{"disable-legacy-endpoints": "true"}],
                        "scopes": ["a", {"b": 1}],
                        "cluster": "${a.b.name}",
                    }]}]},
                    {"b_type": [{"two": [{"policy": "{\"a\": 1}\n"}]}]},
                ],
            })
        );
    }

    #[test]
    fn errors_have_positions() {
        let cases = [
            ("a = ", 4),
            ("a {", 3),
            ("a = \"x", 4),
            ("a = [1 2]", 7),
            ("= 1", 0),
            ("a = <<EOF\nx\n", 4),
        ];
        for (text, at) in cases {
            let err = parse(text).expect_err(text);
            assert_eq!(err.span.start, at, "{text}: {err:?}");
        }
        assert!(parse(&format!("a = {}", "[".repeat(100_000))).is_err());
        assert!(parse(&"a { ".repeat(100_000)).is_err());
    }
}

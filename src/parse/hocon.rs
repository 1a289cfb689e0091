//! HOCON (Lightbend config), in conftest's shape.
//!
//! Objects merge (a repeated key whose values are both objects is deep-merged; otherwise
//! the last value wins), dotted keys nest (`a.b = 1` is `{"a": {"b": 1}}`), and
//! substitutions are resolved against the document: `${path}` must exist, `${?path}`
//! leaves the earlier value of the field in place when the path does not exist
//! (environment variables are not read: the result would depend on the machine).
//! As conftest does, every scalar that reads as a number is a number and `true`/`false`
//! are booleans, whether quoted or not; `null` is the empty string; unquoted text and
//! concatenations (`75 seconds`) are strings. `include` lines are skipped.

use super::object::ObjectBuilder;
use super::scan::{check_depth, Comments, Cursor};
use super::{number_kind, string_node, SyntaxError, MAX_DEPTH};
use crate::document::{Member, Node, NodeKind, Span};

/// A value as written, before substitutions are resolved.
#[derive(Clone, Debug)]
enum Value {
    /// A quoted or unquoted piece of text.
    Text(String, Span),
    Array(Span, Vec<Value>),
    Object(Span, ObjectBuilderClone),
    /// `${path}` / `${?path}`, with the value the field had before (for `${?path}`).
    Subst {
        path: Vec<String>,
        optional: bool,
        span: Span,
        before: Option<Box<Value>>,
    },
    /// Pieces written next to each other on one line.
    Concat(Span, Vec<Value>),
}

/// The members of an object as written (an [`ObjectBuilder`] that can be cloned for
/// substitutions).
#[derive(Clone, Debug, Default)]
struct ObjectBuilderClone(
    Vec<(String, Span, Value)>,
    std::collections::HashMap<String, usize>,
);

impl ObjectBuilderClone {
    fn get(&self, key: &str) -> Option<&Value> {
        self.1.get(key).map(|&i| &self.0[i].2)
    }

    /// Sets `key`, merging objects into objects and remembering the earlier value for an
    /// optional substitution.
    fn set(&mut self, key: String, key_span: Span, value: Value) {
        match self.1.get(&key) {
            Some(&i) => {
                let slot = &mut self.0[i];
                slot.1 = key_span;
                let old = std::mem::replace(&mut slot.2, Value::Text(String::new(), key_span));
                slot.2 = merge(old, value);
            }
            None => {
                self.1.insert(key.clone(), self.0.len());
                self.0.push((key, key_span, value));
            }
        }
    }
}

fn merge(old: Value, new: Value) -> Value {
    match (old, new) {
        (Value::Object(_, mut base), Value::Object(span, over)) => {
            for (key, key_span, value) in over.0 {
                base.set(key, key_span, value);
            }
            Value::Object(span, base)
        }
        (
            old,
            Value::Subst {
                path,
                optional: true,
                span,
                ..
            },
        ) => Value::Subst {
            path,
            optional: true,
            span,
            before: Some(Box::new(old)),
        },
        (_, new) => new,
    }
}

/// Parses a HOCON file into one object.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut cursor = Cursor::new(text);
    skip_blank(&mut cursor, true)?;
    let root = if cursor.peek() == Some(b'{') {
        let start = cursor.pos();
        cursor.advance(1);
        let members = fields(&mut cursor, Some(b'}'), 1)?;
        let root = Value::Object(cursor.since(start), members);
        skip_blank(&mut cursor, true)?;
        if !cursor.at_end() {
            return Err(cursor.error("text after the root object"));
        }
        root
    } else {
        let members = fields(&mut cursor, None, 1)?;
        Value::Object(Span::new(0, text.len()), members)
    };
    let mut resolver = Resolver {
        root: &root,
        steps: 0,
    };
    let node = resolver
        .resolve(&root, 0)?
        .unwrap_or_else(|| Node::new(Span::new(0, text.len()), NodeKind::Object(Vec::new())));
    Ok(Node::new(Span::new(0, text.len()), node.kind))
}

/// Skips blanks (newlines too when `newlines`) and comments.
fn skip_blank(cursor: &mut Cursor<'_>, newlines: bool) -> Result<(), SyntaxError> {
    let comments = Comments {
        hash: true,
        block: false,
    };
    cursor.skip_blank(newlines, comments)
}

/// Characters that end an unquoted string.
const FORBIDDEN: &str = "$\"{}[]:=,+#`^?!@*&\\\n";

fn fields(
    cursor: &mut Cursor<'_>,
    close: Option<u8>,
    depth: usize,
) -> Result<ObjectBuilderClone, SyntaxError> {
    let mut object = ObjectBuilderClone::default();
    loop {
        skip_blank(cursor, true)?;
        while cursor.eat(b',') {
            skip_blank(cursor, true)?;
        }
        match (cursor.peek(), close) {
            (None, None) => return Ok(object),
            (Some(b), Some(c)) if b == c => {
                cursor.advance(1);
                return Ok(object);
            }
            (None, Some(_)) => return Err(cursor.expected("`}`")),
            _ => {}
        }
        if cursor.looking_at("include ") {
            cursor.skip_line();
            continue;
        }
        let path = key_path(cursor)?;
        skip_blank(cursor, false)?;
        let append = cursor.eat_str("+=");
        let value = if cursor.peek() == Some(b'{') {
            value(cursor, depth + path.len())?
        } else if append || cursor.eat(b'=') || cursor.eat(b':') {
            skip_blank(cursor, false)?;
            value(cursor, depth + path.len())?
        } else {
            return Err(cursor.expected("`=`, `:` or `{`"));
        };
        let value = if append {
            let key: Vec<String> = path.iter().map(|(k, _)| k.clone()).collect();
            let span = value_span(&value);
            let before = lookup_local(&object, &key).cloned();
            let mut items = match before {
                Some(Value::Array(_, items)) => items,
                _ => Vec::new(),
            };
            items.push(value);
            Value::Array(span, items)
        } else {
            value
        };
        set_path(&mut object, path, value);
    }
}

fn lookup_local<'v>(object: &'v ObjectBuilderClone, path: &[String]) -> Option<&'v Value> {
    let (first, rest) = path.split_first()?;
    let value = object.get(first)?;
    if rest.is_empty() {
        return Some(value);
    }
    match value {
        Value::Object(_, inner) => lookup_local(inner, rest),
        _ => None,
    }
}

/// Sets `a.b.c = value`: `{a: {b: {c: value}}}` merged into `object`.
fn set_path(object: &mut ObjectBuilderClone, mut path: Vec<(String, Span)>, value: Value) {
    let Some((key, key_span)) = path.pop() else {
        return;
    };
    let mut value = value;
    let mut key = (key, key_span);
    while let Some(outer) = path.pop() {
        let span = value_span(&value);
        let mut inner = ObjectBuilderClone::default();
        inner.set(key.0, key.1, value);
        value = Value::Object(Span::new(key.1.start, span.end), inner);
        key = outer;
    }
    object.set(key.0, key.1, value);
}

fn value_span(value: &Value) -> Span {
    match value {
        Value::Text(_, span)
        | Value::Array(span, _)
        | Value::Object(span, _)
        | Value::Concat(span, _)
        | Value::Subst { span, .. } => *span,
    }
}

/// A key: dot-separated parts, each quoted or not.
fn key_path(cursor: &mut Cursor<'_>) -> Result<Vec<(String, Span)>, SyntaxError> {
    let mut parts = Vec::new();
    loop {
        let start = cursor.pos();
        let part = if cursor.peek() == Some(b'"') {
            quoted(cursor)?
        } else {
            let word =
                cursor.take_while(|c| !c.is_whitespace() && c != '.' && !FORBIDDEN.contains(c));
            if word.is_empty() {
                return Err(cursor.expected("a key"));
            }
            word.to_string()
        };
        parts.push((part, cursor.since(start)));
        if !cursor.eat(b'.') {
            return Ok(parts);
        }
    }
}

fn quoted(cursor: &mut Cursor<'_>) -> Result<String, SyntaxError> {
    let start = cursor.pos();
    if cursor.eat_str("\"\"\"") {
        return match cursor.rest().find("\"\"\"") {
            Some(i) => {
                // Extra quotes before the closing three belong to the string.
                let extra = cursor.rest()[i + 3..].len()
                    - cursor.rest()[i + 3..].trim_start_matches('"').len();
                let s = cursor.rest()[..i + extra].to_string();
                cursor.advance(i + extra + 3);
                Ok(s)
            }
            None => Err(SyntaxError::new(
                "unterminated string",
                Span::new(start, start + 3),
            )),
        };
    }
    cursor.advance(1);
    let mut out = String::new();
    loop {
        out.push_str(cursor.take_while(|c| c != '"' && c != '\\' && c != '\n'));
        match cursor.bump() {
            Some('"') => return Ok(out),
            Some('\\') => out.push(cursor.escape()?),
            _ => {
                return Err(SyntaxError::new(
                    "unterminated string",
                    Span::new(start, start + 1),
                ))
            }
        }
    }
}

/// A value (possibly a concatenation) up to the end of its line, a `,`, or a closer.
fn value(cursor: &mut Cursor<'_>, depth: usize) -> Result<Value, SyntaxError> {
    let start = cursor.pos();
    let mut pieces = Vec::new();
    let mut unquoted_last = false;
    loop {
        let piece_start = cursor.pos();
        let ends = matches!(
            cursor.peek(),
            None | Some(b'\n' | b',' | b'}' | b']' | b'#')
        ) || cursor.looking_at("//");
        if ends {
            break;
        }
        unquoted_last = false;
        match cursor.peek() {
            Some(b'{') => {
                check_depth(depth, cursor.here())?;
                cursor.advance(1);
                let members = fields(cursor, Some(b'}'), depth + 1)?;
                pieces.push(Value::Object(cursor.since(piece_start), members));
            }
            Some(b'[') => {
                check_depth(depth, cursor.here())?;
                cursor.advance(1);
                let mut items = Vec::new();
                loop {
                    skip_blank(cursor, true)?;
                    while cursor.eat(b',') {
                        skip_blank(cursor, true)?;
                    }
                    if cursor.eat(b']') {
                        break;
                    }
                    if cursor.at_end() {
                        return Err(cursor.expected("`]`"));
                    }
                    items.push(value(cursor, depth + 1)?);
                }
                pieces.push(Value::Array(cursor.since(piece_start), items));
            }
            Some(b'"') => {
                let s = quoted(cursor)?;
                pieces.push(Value::Text(s, cursor.since(piece_start)));
            }
            Some(b'$') if cursor.peek_at(1) == Some(b'{') => {
                cursor.advance(2);
                let optional = cursor.eat(b'?');
                let path = key_path(cursor)?;
                if !cursor.eat(b'}') {
                    return Err(cursor.expected("`}`"));
                }
                pieces.push(Value::Subst {
                    path: path.into_iter().map(|(k, _)| k).collect(),
                    optional,
                    span: cursor.since(piece_start),
                    before: None,
                });
            }
            _ => {
                let word = cursor.take_while(|c| !FORBIDDEN.contains(c) && c != '#');
                let word = if word.is_empty() {
                    // A lone forbidden character (`?`, `!`, `@`...) in an unquoted string.
                    cursor.bump();
                    &cursor.text()[piece_start..cursor.pos()]
                } else {
                    word
                };
                pieces.push(Value::Text(word.to_string(), cursor.since(piece_start)));
                unquoted_last = true;
            }
        }
    }
    // Trailing blanks of an unquoted string are not part of it.
    if unquoted_last {
        if let Some(Value::Text(text, span)) = pieces.last_mut() {
            let trimmed = text.trim_end().len();
            span.end -= text.len() - trimmed;
            text.truncate(trimmed);
            if trimmed == 0 && pieces.len() > 1 {
                pieces.pop();
            }
        }
    }
    match pieces.len() {
        0 => Err(SyntaxError::new("expected a value", cursor.here())),
        1 => Ok(pieces.remove(0)),
        _ => Ok(Value::Concat(cursor.since(start), pieces)),
    }
}

struct Resolver<'v> {
    root: &'v Value,
    /// Substitutions followed so far, to stop cycles.
    steps: usize,
}

impl Resolver<'_> {
    fn lookup(&self, path: &[String]) -> Option<&Value> {
        let mut value = self.root;
        for key in path {
            value = match value {
                Value::Object(_, members) => members.get(key)?,
                _ => return None,
            };
        }
        Some(value)
    }

    /// The value as a node, `None` when it is an optional substitution with nothing to
    /// fall back on.
    fn resolve(&mut self, value: &Value, depth: usize) -> Result<Option<Node>, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(SyntaxError::new(
                format!("nesting is deeper than {MAX_DEPTH} levels"),
                value_span(value),
            ));
        }
        Ok(Some(match value {
            Value::Text(text, span) => scalar(text, *span),
            Value::Array(span, items) => {
                let mut out = Vec::new();
                for item in items {
                    out.extend(self.resolve(item, depth + 1)?);
                }
                Node::new(*span, NodeKind::Array(out))
            }
            Value::Object(span, members) => {
                let mut out: ObjectBuilder<Node> = ObjectBuilder::new();
                for (key, key_span, value) in &members.0 {
                    if let Some(node) = self.resolve(value, depth + 1)? {
                        out.upsert(key.clone(), *key_span, node);
                    }
                }
                Node::new(*span, NodeKind::Object(out.into_members()))
            }
            Value::Subst {
                path,
                optional,
                span,
                before,
            } => {
                self.steps += 1;
                if self.steps > 10_000 {
                    return Err(SyntaxError::new("too many substitutions (a cycle?)", *span));
                }
                match self.lookup(path).cloned() {
                    Some(Value::Subst { path: p, .. }) if &p == path => {
                        return Err(SyntaxError::new("a substitution refers to itself", *span));
                    }
                    Some(found) => match self.resolve(&found, depth + 1)? {
                        Some(mut node) => {
                            node.span = *span;
                            node
                        }
                        None => return Ok(None),
                    },
                    None if *optional => {
                        return match before {
                            Some(before) => self.resolve(before, depth),
                            None => Ok(None),
                        }
                    }
                    None => {
                        return Err(SyntaxError::new(
                            format!("substitution `${{{}}}` is not defined", path.join(".")),
                            *span,
                        ))
                    }
                }
            }
            Value::Concat(span, pieces) => {
                let mut text = String::new();
                let mut objects: Vec<Member> = Vec::new();
                let mut arrays: Vec<Node> = Vec::new();
                for piece in pieces {
                    let Some(node) = self.resolve(piece, depth + 1)? else {
                        continue;
                    };
                    match node.kind {
                        NodeKind::Object(members) => objects.extend(members),
                        NodeKind::Array(items) => arrays.extend(items),
                        NodeKind::String(s) => text.push_str(&s),
                        NodeKind::Null => {}
                        other => text.push_str(&Node::new(*span, other).to_json().to_string()),
                    }
                }
                if !objects.is_empty() {
                    let mut merged: ObjectBuilder<Node> = ObjectBuilder::new();
                    for m in objects {
                        merged.upsert(m.key, m.key_span, m.value);
                    }
                    Node::new(*span, NodeKind::Object(merged.into_members()))
                } else if !arrays.is_empty() {
                    Node::new(*span, NodeKind::Array(arrays))
                } else {
                    scalar(&text, *span)
                }
            }
        }))
    }
}

/// A scalar as conftest types it.
fn scalar(text: &str, span: Span) -> Node {
    let kind = match text {
        "true" => NodeKind::Bool(true),
        "false" => NodeKind::Bool(false),
        "null" => NodeKind::String(String::new()),
        _ => {
            let looks_numeric = text
                .trim_start_matches(['-', '+'])
                .starts_with(|c: char| c.is_ascii_digit() || c == '.');
            match looks_numeric.then(|| number_kind(text)).flatten() {
                Some(NodeKind::Float(f)) if f.fract() == 0.0 && f.abs() < 9e15 => {
                    NodeKind::Int(f as i64)
                }
                Some(kind) => kind,
                None => return string_node(span, text),
            }
        }
    };
    Node::new(span, kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conftest_shape() {
        let text = r#"# comment
play {
  server {
    dir = ${?user.dir}
    http {
      port = 9001
      port = ${?PLAY_HTTP_PORT}
      address = "0.0.0.0"
      idleTimeout = 75 seconds
    }
    https {
      idleTimeout = ${play.server.http.idleTimeout}
      flag = "true"
      list = [1, "two"
        three]
    }
  }
}
play.server.http.extra: null
a.b { c = 1 }
a.b { d = 2 }
"#;
        let node = parse(text).expect("valid");
        assert_eq!(
            node.to_json(),
            json!({
                "play": {"server": {
                    "http": {"port": 9001, "address": "0.0.0.0", "idleTimeout": "75 seconds", "extra": ""},
                    "https": {"idleTimeout": "75 seconds", "flag": true, "list": [1, "two", "three"]},
                }},
                "a": {"b": {"c": 1, "d": 2}},
            })
        );
    }

    #[test]
    fn errors_have_positions() {
        let cases = [
            ("a = ${b}", 4),
            ("a {", 3),
            ("a = \"x", 4),
            ("a", 1),
            ("a = ${x", 7),
        ];
        for (text, at) in cases {
            let err = parse(text).expect_err(text);
            assert_eq!(err.span.start, at, "{text}: {err:?}");
        }
        assert!(parse(&format!("a = {}", "[".repeat(100_000))).is_err());
        assert!(parse("a = ${b}\nb = ${a}").is_err());
    }
}

//! CUE's data subset: the JSON value of a CUE file that needs no evaluation.
//!
//! There is no complete CUE evaluator in Rust, so goldenpath reads what a CUE file
//! holds as data: structs (with or without braces at the top), lists, strings (with
//! escapes, `"""` multi-line strings and `#"..."#` raw strings), numbers, booleans,
//! `null`, the `a: b: c: 1` shorthand, `//` comments and a `package` clause. A field
//! written twice is unified as CUE does for data: structs merge, equal values agree,
//! different values conflict. Anything that needs evaluation (references, imports,
//! definitions `#D`, hidden `_x` fields, optional `x?:` and required `x!:` fields,
//! constraints and disjunctions `|` `&` `<`, arithmetic, comprehensions, `let`, `...`,
//! string interpolation `\(`) is a parse error that names the construct.

use super::object::ObjectBuilder;
use super::scan::{check_depth, Comments, Cursor};
use super::{number_kind, string_node, SyntaxError};
use crate::document::{Node, NodeKind, Span};

/// Parses a CUE file into its value (one object).
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut cursor = Cursor::new(text);
    skip_blank(&mut cursor, true)?;
    if cursor.looking_at("package ") {
        cursor.skip_line();
    }
    skip_blank(&mut cursor, true)?;
    if cursor.looking_at("import ") || cursor.looking_at("import(") {
        return Err(unsupported(&cursor, cursor.pos(), "an import"));
    }
    let members = fields(&mut cursor, None, 1)?;
    Ok(Node::new(
        Span::new(0, text.len()),
        NodeKind::Object(members.into_members()),
    ))
}

fn unsupported(cursor: &Cursor<'_>, at: usize, what: &str) -> SyntaxError {
    let end = (at + 1).min(cursor.text().len());
    SyntaxError::new(
        format!("{what} needs CUE evaluation, which goldenpath does not do (only CUE's data subset is read)"),
        Span::new(at, end),
    )
}

/// Skips blanks (newlines too when `newlines`) and `//` comments.
fn skip_blank(cursor: &mut Cursor<'_>, newlines: bool) -> Result<(), SyntaxError> {
    let comments = Comments {
        hash: false,
        block: false,
    };
    cursor.skip_blank(newlines, comments)
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$' || c == '#'
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '#'
}

/// Fields up to `close` (or the end), in a struct nested `depth` levels deep.
fn fields(
    cursor: &mut Cursor<'_>,
    close: Option<u8>,
    depth: usize,
) -> Result<ObjectBuilder<Node>, SyntaxError> {
    let mut object: ObjectBuilder<Node> = ObjectBuilder::new();
    loop {
        skip_blank(cursor, true)?;
        match (cursor.peek(), close) {
            (None, None) => return Ok(object),
            (Some(b), Some(c)) if b == c => {
                cursor.advance(1);
                return Ok(object);
            }
            (None, Some(_)) => return Err(cursor.expected("`}`")),
            _ => {}
        }
        let (key, key_span, value) = field(cursor, depth)?;
        unify_into(&mut object, key, key_span, value)?;
        skip_blank(cursor, false)?;
        if !cursor.eat(b',') && !cursor.eat(b'\n') {
            match (cursor.peek(), close) {
                (None, _) => {}
                (Some(b), Some(c)) if b == c => {}
                _ => return Err(cursor.expected("a new line or `,` after a field")),
            }
        }
    }
}

/// `label: value` or `label: label: value`.
fn field(cursor: &mut Cursor<'_>, depth: usize) -> Result<(String, Span, Node), SyntaxError> {
    let (key, key_span) = label(cursor)?;
    skip_blank(cursor, false)?;
    match cursor.peek() {
        Some(b':') => {
            cursor.advance(1);
        }
        Some(b'?') | Some(b'!') => {
            let what = if cursor.peek() == Some(b'?') {
                "an optional field"
            } else {
                "a required field"
            };
            return Err(unsupported(cursor, cursor.pos(), what));
        }
        Some(b'=') => return Err(unsupported(cursor, key_span.start, "an alias")),
        _ => return Err(cursor.expected("`:`")),
    }
    skip_blank(cursor, false)?;
    let value_start = cursor.pos();
    // The shorthand `a: b: 1`: another label followed by `:`.
    let mut probe = cursor.clone();
    if label(&mut probe).is_ok() {
        skip_blank(&mut probe, false)?;
        if probe.peek() == Some(b':') {
            check_depth(depth + 1, Span::new(value_start, value_start + 1))?;
            let (inner, inner_span, value) = field(cursor, depth + 1)?;
            let span = Span::new(value_start, value.span.end);
            let mut object = ObjectBuilder::new();
            object.upsert(inner, inner_span, value);
            return Ok((
                key,
                key_span,
                Node::new(span, NodeKind::Object(object.into_members())),
            ));
        }
    }
    let value = value(cursor, depth + 1)?;
    Ok((key, key_span, value))
}

fn label(cursor: &mut Cursor<'_>) -> Result<(String, Span), SyntaxError> {
    let start = cursor.pos();
    match cursor.peek_char() {
        Some('"') => {
            let s = string(cursor)?;
            Ok((s, cursor.since(start)))
        }
        Some('#') if cursor.peek_at(1) == Some(b'"') => {
            let s = string(cursor)?;
            Ok((s, cursor.since(start)))
        }
        Some('#') => Err(unsupported(cursor, start, "a definition")),
        Some('_') if cursor.peek_at(1) != Some(b'"') => {
            Err(unsupported(cursor, start, "a hidden field"))
        }
        Some('(') => Err(unsupported(cursor, start, "a dynamic field")),
        Some('[') => Err(unsupported(cursor, start, "a pattern constraint")),
        Some('.') if cursor.looking_at("...") => Err(unsupported(cursor, start, "`...`")),
        Some(c) if is_ident_start(c) => {
            let word = cursor.take_while(is_ident);
            match word {
                "let" => Err(unsupported(cursor, start, "`let`")),
                "for" | "if" => Err(unsupported(cursor, start, "a comprehension")),
                _ => Ok((word.to_string(), cursor.since(start))),
            }
        }
        _ => Err(cursor.expected("a field name")),
    }
}

/// Adds a field, unifying it with one already there.
fn unify_into(
    object: &mut ObjectBuilder<Node>,
    key: String,
    key_span: Span,
    value: Node,
) -> Result<(), SyntaxError> {
    match object.get_mut(&key) {
        None => {
            object.upsert(key, key_span, value);
            Ok(())
        }
        Some(existing) => unify(existing, value, &key),
    }
}

fn unify(existing: &mut Node, value: Node, key: &str) -> Result<(), SyntaxError> {
    match (&mut existing.kind, value.kind) {
        (NodeKind::Object(members), NodeKind::Object(more)) => {
            let mut object = ObjectBuilder::from_members_with(std::mem::take(members), |n| n);
            for m in more {
                unify_into(&mut object, m.key, m.key_span, m.value)?;
            }
            *members = object.into_members();
            Ok(())
        }
        (old, new) if same(old, &new) => Ok(()),
        _ => Err(SyntaxError::new(
            format!("conflicting values for `{key}` (unifying them needs CUE evaluation)"),
            value.span,
        )),
    }
}

fn same(a: &NodeKind, b: &NodeKind) -> bool {
    let json = |k: &NodeKind| Node::new(Span::default(), k.clone()).to_json();
    match (a, b) {
        (NodeKind::Array(_) | NodeKind::Object(_), _)
        | (_, NodeKind::Array(_) | NodeKind::Object(_)) => json(a) == json(b),
        _ => a == b,
    }
}

fn value(cursor: &mut Cursor<'_>, depth: usize) -> Result<Node, SyntaxError> {
    let start = cursor.pos();
    let node = match cursor.peek_char() {
        Some('{') => {
            check_depth(depth, cursor.here())?;
            cursor.advance(1);
            let members = fields(cursor, Some(b'}'), depth)?;
            Node::new(
                cursor.since(start),
                NodeKind::Object(members.into_members()),
            )
        }
        Some('[') => {
            check_depth(depth, cursor.here())?;
            cursor.advance(1);
            let mut items = Vec::new();
            loop {
                skip_blank(cursor, true)?;
                if cursor.eat(b']') {
                    break;
                }
                if cursor.looking_at("...") {
                    return Err(unsupported(cursor, cursor.pos(), "an open list `...`"));
                }
                items.push(value(cursor, depth + 1)?);
                skip_blank(cursor, true)?;
                if !cursor.eat(b',') && cursor.peek() != Some(b']') {
                    return Err(cursor.expected("`,` or `]`"));
                }
            }
            Node::new(cursor.since(start), NodeKind::Array(items))
        }
        Some('"' | '\'') | Some('#') => {
            let s = string(cursor)?;
            string_node(cursor.since(start), s)
        }
        Some(c) if c.is_ascii_digit() || c == '-' || c == '.' => {
            let word = cursor.take_while(|c| c.is_ascii_alphanumeric() || "._-+".contains(c));
            let span = cursor.since(start);
            number(word)
                .map(|kind| Node::new(span, kind))
                .ok_or_else(|| {
                    if word == "-" {
                        unsupported(cursor, start, "arithmetic")
                    } else {
                        SyntaxError::new(format!("invalid number `{word}`"), span)
                    }
                })?
        }
        Some(c) if is_ident_start(c) => {
            let word = cursor.take_while(is_ident);
            let span = cursor.since(start);
            match word {
                "true" => Node::new(span, NodeKind::Bool(true)),
                "false" => Node::new(span, NodeKind::Bool(false)),
                "null" => Node::new(span, NodeKind::Null),
                "for" | "if" => return Err(unsupported(cursor, start, "a comprehension")),
                "int" | "float" | "string" | "bool" | "bytes" | "number" | "_" => {
                    return Err(unsupported(cursor, start, &format!("the type `{word}`")))
                }
                _ => {
                    return Err(unsupported(
                        cursor,
                        start,
                        &format!("the reference `{word}`"),
                    ))
                }
            }
        }
        Some('<' | '>' | '=' | '!') => return Err(unsupported(cursor, start, "a bound")),
        Some('*') => return Err(unsupported(cursor, start, "a default `*`")),
        Some('(') => return Err(unsupported(cursor, start, "an expression")),
        _ => return Err(cursor.expected("a value")),
    };
    // An operator after a value makes it an expression.
    skip_blank(cursor, false)?;
    let op = cursor
        .peek()
        .filter(|b| b"|&+-*/".contains(b) && !cursor.looking_at("//"));
    if let Some(op) = op {
        let what = match op {
            b'|' => "a disjunction `|`",
            b'&' => "a unification `&`",
            _ => "arithmetic",
        };
        return Err(unsupported(cursor, cursor.pos(), what));
    }
    if cursor.peek() == Some(b'.') || cursor.peek() == Some(b'(') {
        return Err(unsupported(cursor, cursor.pos(), "a selector or call"));
    }
    Ok(node)
}

fn number(word: &str) -> Option<NodeKind> {
    let clean = word.replace('_', "");
    let (negative, digits) = match clean.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, clean.as_str()),
    };
    let radix = [("0x", 16), ("0X", 16), ("0o", 8), ("0b", 2)]
        .iter()
        .find_map(|(p, r)| digits.strip_prefix(p).map(|rest| (rest, *r)));
    if let Some((rest, radix)) = radix {
        let value = i64::from_str_radix(rest, radix).ok()?;
        return Some(NodeKind::Int(if negative { -value } else { value }));
    }
    let first = digits.chars().next()?;
    if !(first.is_ascii_digit() || first == '.') {
        return None;
    }
    number_kind(&clean)
}

/// A string: `"..."`, `'...'`, `"""` multi-line, or raw `#"..."#`.
fn string(cursor: &mut Cursor<'_>) -> Result<String, SyntaxError> {
    let start = cursor.pos();
    let hashes = cursor.take_while(|c| c == '#').len();
    let quote = match cursor.peek() {
        Some(q @ (b'"' | b'\'')) => q as char,
        _ => return Err(cursor.expected("a string")),
    };
    let triple: String = std::iter::repeat_n(quote, 3).collect();
    let multi = cursor.looking_at(&triple);
    let closer = format!(
        "{}{}",
        if multi {
            triple.clone()
        } else {
            quote.to_string()
        },
        "#".repeat(hashes)
    );
    cursor.advance(if multi { 3 } else { 1 });
    if multi && !cursor.eat(b'\n') {
        return Err(cursor.expected("a new line after the opening quotes"));
    }
    let escape = format!("\\{}", "#".repeat(hashes));
    let mut out = String::new();
    let unterminated = || SyntaxError::new("unterminated string", Span::new(start, start + 1));
    loop {
        if cursor.at_end() || (!multi && cursor.peek() == Some(b'\n')) {
            return Err(unterminated());
        }
        if cursor.eat_str(&closer) {
            break;
        }
        if cursor.looking_at(&escape) {
            cursor.advance(escape.len());
            if cursor.peek() == Some(b'(') {
                return Err(unsupported(
                    cursor,
                    cursor.pos() - escape.len(),
                    "string interpolation `\\(`",
                ));
            }
            out.push(cursor.escape()?);
            continue;
        }
        if let Some(c) = cursor.bump() {
            out.push(c);
        }
    }
    if multi {
        // The closing line's indentation is removed from every line; the final newline
        // before the closing quotes is not part of the string.
        let last_newline = out.rfind('\n');
        let indent = last_newline.map_or("", |i| &out[i + 1..]).to_string();
        if !indent.trim().is_empty() {
            return Err(SyntaxError::new(
                "text before the closing quotes",
                cursor.since(start),
            ));
        }
        let body = last_newline.map_or("", |i| &out[..i]);
        let lines: Vec<&str> = body
            .split('\n')
            .map(|l| l.strip_prefix(indent.as_str()).unwrap_or(l.trim_start()))
            .collect();
        return Ok(lines.join("\n"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn data_subset() {
        let text = "package x\n\n// comment\napiVersion: \"apps/v1\"\nkind:       \"Deployment\"\nmetadata: name: \"hello\"\nspec: {\n\treplicas: 3\n\tselector: matchLabels: app: \"hello\"\n\tports: [{\n\t\tcontainerPort: 8081\n\t}, 1_000, 0x10, 1.5, true, null]\n\ttext: \"\"\"\n\t\tline one\n\t\t  two\n\t\t\"\"\"\n\traw: #\"a\\b\"#\n}\nspec: replicas: 3\nspec: extra: \"x\"\n";
        let node = parse(text).expect("valid");
        assert_eq!(
            node.to_json(),
            json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "hello"},
                "spec": {
                    "replicas": 3,
                    "selector": {"matchLabels": {"app": "hello"}},
                    "ports": [{"containerPort": 8081}, 1000, 16, 1.5, true, null],
                    "text": "line one\n  two",
                    "raw": "a\\b",
                    "extra": "x",
                },
            })
        );
    }

    #[test]
    fn evaluation_is_a_named_error() {
        let cases = [
            ("a: b", "the reference `b`"),
            ("a: int", "the type `int`"),
            ("a: 1 | 2", "a disjunction"),
            ("a?: 1", "an optional field"),
            ("#D: {}", "a definition"),
            ("import \"strings\"", "an import"),
            ("a: \"\\(b)\"", "interpolation"),
            ("a: [...]", "open list"),
            ("a: >1", "a bound"),
            ("a: 1\na: 2", "conflicting values"),
        ];
        for (text, what) in cases {
            let err = parse(text).expect_err(text);
            assert!(err.message.contains(what), "{text}: {err:?}");
        }
    }

    #[test]
    fn errors_have_positions() {
        let cases = [("a: {", 4), ("a: \"x", 3), ("a 1", 2), ("a: [1 2]", 6)];
        for (text, at) in cases {
            let err = parse(text).expect_err(text);
            assert_eq!(err.span.start, at, "{text}: {err:?}");
        }
        assert!(parse(&format!("a: {}", "[".repeat(100_000))).is_err());
        assert!(parse(&"a: ".repeat(100_000)).is_err());
    }
}

//! EDN (extensible data notation), in conftest's shape.
//!
//! conftest hands policies maps with string keys, vectors and lists as arrays, strings
//! as they are, and every other scalar as its printed text: `:debug` → `":debug"`,
//! `5432` → `"5432"`, `true` → `"true"`, `nil` → `"<nil>"`, `\a` → `"97"` (the code
//! point), `#inst "2032-01-01T12:20:50.52Z"` → `"2032-01-01 12:20:50.52 +0000 UTC"`,
//! another tag `#duration "20m"` → `"{duration 20m}"`. Map keys are printed the same way
//! (`{:port 1}` → `{":port": "1"}`). Sets become arrays (conftest prints a set as one
//! string). `#_` discards the next form; `;` starts a comment; commas are blanks.

use super::object::ObjectBuilder;
use super::scan::{check_depth, Cursor};
use super::{string_node, SyntaxError};
use crate::document::{Node, NodeKind, Span};

/// Parses one EDN value.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut cursor = Cursor::new(text);
    skip_blank(&mut cursor, 1)?;
    if cursor.at_end() {
        return Err(cursor.expected("a value"));
    }
    let node = value(&mut cursor, 1)?;
    skip_blank(&mut cursor, 1)?;
    if !cursor.at_end() {
        return Err(cursor.error("more than one top-level value"));
    }
    Ok(node)
}

/// Skips blanks, commas, comments and `#_` discarded forms (read, so they must be well
/// formed, at `depth`, and dropped).
fn skip_blank(cursor: &mut Cursor<'_>, depth: usize) -> Result<(), SyntaxError> {
    let mut discards = 0usize;
    loop {
        cursor.take_while(|c| c.is_whitespace() || c == ',');
        if cursor.peek() == Some(b';') {
            cursor.skip_line();
        } else if cursor.looking_at("#_") {
            cursor.advance(2);
            discards += 1;
        } else if discards > 0 && !cursor.at_end() {
            value(cursor, depth)?;
            discards -= 1;
        } else {
            return Ok(());
        }
    }
}

fn is_symbol_char(c: char) -> bool {
    c.is_alphanumeric() || "*+!-_?<>=./:#$%&'".contains(c)
}

/// One form, nested in `depth` collections (itself included when it is one).
fn value(cursor: &mut Cursor<'_>, depth: usize) -> Result<Node, SyntaxError> {
    let start = cursor.pos();
    let open = |cursor: &mut Cursor<'_>, len: usize| {
        check_depth(depth, Span::new(start, start + len))?;
        cursor.advance(len);
        Ok::<_, SyntaxError>(())
    };
    match cursor.peek() {
        Some(b'{') => {
            open(cursor, 1)?;
            map(cursor, start, depth)
        }
        Some(b'[') => {
            open(cursor, 1)?;
            sequence(cursor, start, b']', depth)
        }
        Some(b'(') => {
            open(cursor, 1)?;
            sequence(cursor, start, b')', depth)
        }
        Some(b'#') if cursor.peek_at(1) == Some(b'{') => {
            open(cursor, 2)?;
            sequence(cursor, start, b'}', depth)
        }
        Some(b'#') => tagged(cursor, depth),
        Some(b'"') => {
            let s = string(cursor)?;
            Ok(string_node(cursor.since(start), s))
        }
        Some(b'\\') => {
            cursor.advance(1);
            let name = cursor.take_while(|c| !c.is_whitespace() && !"()[]{}\",;".contains(c));
            let name = if name.is_empty() {
                // `\(` and friends: the single character.
                cursor.bump().map(String::from).unwrap_or_default()
            } else {
                name.to_string()
            };
            let c = match name.as_str() {
                "newline" => '\n',
                "space" => ' ',
                "tab" => '\t',
                "return" => '\r',
                "formfeed" => '\u{c}',
                "backspace" => '\u{8}',
                n if n.starts_with('u') && n.len() == 5 => u32::from_str_radix(&n[1..], 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| SyntaxError::new("invalid character", cursor.since(start)))?,
                n => {
                    let mut chars = n.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => c,
                        _ => {
                            return Err(SyntaxError::new("invalid character", cursor.since(start)))
                        }
                    }
                }
            };
            Ok(string_node(cursor.since(start), (c as u32).to_string()))
        }
        Some(c) if c == b'-' || c == b'+' || c.is_ascii_digit() => {
            let word = cursor.take_while(is_symbol_char);
            let span = cursor.since(start);
            Ok(string_node(span, scalar_text(word, span)?))
        }
        Some(_) if cursor.peek_char().is_some_and(is_symbol_char) => {
            let word = cursor.take_while(is_symbol_char);
            let span = cursor.since(start);
            Ok(string_node(span, scalar_text(word, span)?))
        }
        _ => Err(cursor.expected("a value")),
    }
}

/// How conftest prints a symbol, keyword, number or literal.
fn scalar_text(word: &str, span: Span) -> Result<String, SyntaxError> {
    let numeric = word.starts_with(|c: char| c.is_ascii_digit())
        || (word.len() > 1
            && word.starts_with(['-', '+'])
            && word[1..].starts_with(|c: char| c.is_ascii_digit()));
    if !numeric {
        return Ok(match word {
            "nil" => "<nil>".to_string(),
            _ => word.to_string(),
        });
    }
    let bad = || SyntaxError::new(format!("invalid number `{word}`"), span);
    let digits = word.strip_prefix('+').unwrap_or(word);
    if let Some(int) = digits.strip_suffix('N') {
        return int
            .parse::<i128>()
            .map(|i| i.to_string())
            .map_err(|_| bad());
    }
    if let Ok(i) = digits.parse::<i64>() {
        return Ok(i.to_string());
    }
    let float = digits.strip_suffix('M').unwrap_or(digits);
    match float.parse::<f64>() {
        Ok(f) if f.is_finite() && !float.contains(['x', 'X']) => Ok(go_float(f)),
        _ => Err(bad()),
    }
}

/// A float as Go's `%v` prints it: the shortest representation, with an exponent
/// from 1e21 on and below 1e-4.
fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        let text = format!("{f:e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        format!("{mantissa}e{sign}{digits:0>2}")
    } else {
        format!("{f}")
    }
}

fn string(cursor: &mut Cursor<'_>) -> Result<String, SyntaxError> {
    let start = cursor.pos();
    cursor.advance(1);
    let mut out = String::new();
    loop {
        let chunk = cursor.take_while(|c| c != '"' && c != '\\');
        out.push_str(chunk);
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

/// The items up to `close`; the opener (at `start`) is read.
fn sequence(
    cursor: &mut Cursor<'_>,
    start: usize,
    close: u8,
    depth: usize,
) -> Result<Node, SyntaxError> {
    let mut items = Vec::new();
    loop {
        skip_blank(cursor, depth + 1)?;
        if cursor.eat(close) {
            return Ok(Node::new(cursor.since(start), NodeKind::Array(items)));
        }
        if cursor.at_end() || matches!(cursor.peek(), Some(b')' | b']' | b'}')) {
            return Err(cursor.expected(&format!("`{}`", close as char)));
        }
        items.push(value(cursor, depth + 1)?);
    }
}

fn map(cursor: &mut Cursor<'_>, start: usize, depth: usize) -> Result<Node, SyntaxError> {
    let mut members = ObjectBuilder::new();
    loop {
        skip_blank(cursor, depth + 1)?;
        if cursor.eat(b'}') {
            return Ok(Node::new(
                cursor.since(start),
                NodeKind::Object(members.into_members()),
            ));
        }
        if cursor.at_end() || matches!(cursor.peek(), Some(b')' | b']')) {
            return Err(cursor.expected("`}`"));
        }
        let key = value(cursor, depth + 1)?;
        skip_blank(cursor, depth + 1)?;
        if cursor.eat(b'}') || cursor.at_end() {
            return Err(SyntaxError::new("a map key has no value", key.span));
        }
        let value = value(cursor, depth + 1)?;
        members.upsert(key_text(&key), key.span, value);
    }
}

/// A key as conftest prints it.
fn key_text(key: &Node) -> String {
    match &key.kind {
        NodeKind::String(s) => s.clone(),
        NodeKind::Array(items) => {
            let inner: Vec<String> = items.iter().map(key_text).collect();
            format!("[{}]", inner.join(" "))
        }
        NodeKind::Object(members) => {
            let inner: Vec<String> = members
                .iter()
                .map(|m| format!("{}:{}", m.key, key_text(&m.value)))
                .collect();
            format!("map[{}]", inner.join(" "))
        }
        other => format!("{other:?}"),
    }
}

/// `#tag form`.
fn tagged(cursor: &mut Cursor<'_>, depth: usize) -> Result<Node, SyntaxError> {
    let start = cursor.pos();
    cursor.advance(1);
    let tag = cursor.take_while(is_symbol_char);
    if tag.is_empty() {
        return Err(cursor.expected("a tag name"));
    }
    // A tag counts as a level, so that chains of tags stay bounded.
    check_depth(depth, cursor.since(start))?;
    skip_blank(cursor, depth + 1)?;
    let inner = value(cursor, depth + 1)?;
    let span = cursor.since(start);
    let text = match (tag, &inner.kind) {
        ("inst", NodeKind::String(s)) => go_time(s)
            .ok_or_else(|| SyntaxError::new(format!("invalid #inst `{s}`"), inner.span))?,
        (_, NodeKind::String(s)) => format!("{{{tag} {s}}}"),
        _ => format!("{{{tag} {}}}", inner.to_json()),
    };
    Ok(string_node(span, text))
}

/// An RFC 3339 timestamp as Go prints a `time.Time`: `2032-01-01 12:20:50.52 +0000 UTC`.
fn go_time(s: &str) -> Option<String> {
    let (date, time) = s.split_once(['T', 't'])?;
    let valid_date = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !valid_date {
        return None;
    }
    let (clock, zone) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, "+0000 UTC".to_string())
    } else {
        let at = time.rfind(['+', '-'])?;
        let (clock, offset) = time.split_at(at);
        let digits = offset[1..].replace(':', "");
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let offset = format!("{}{digits}", &offset[..1]);
        (clock, format!("{offset} {offset}"))
    };
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let valid_clock = hms.len() == 8
        && hms.bytes().enumerate().all(|(i, b)| match i {
            2 | 5 => b == b':',
            _ => b.is_ascii_digit(),
        })
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if !valid_clock {
        return None;
    }
    let fraction = fraction.trim_end_matches('0');
    let fraction = if fraction.is_empty() {
        String::new()
    } else {
        format!(".{fraction}")
    };
    Some(format!("{date} {hms}{fraction} {zone}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conftest_shape() {
        let text = r#";; comment
{:sample1 "my-username",
 :sample2 false, :n nil
 :port 5432 :ratio 1.50 :big 12N :neg -3
 :tags #{:a :b} #_:discarded
 :list (1 "two") :vec [\a \newline]
 :when #inst "2032-01-01T12:20:50.520Z"
 :every #duration "20m"
 "plain" sym/bol}"#;
        let node = parse(text).expect("valid");
        assert_eq!(
            node.to_json(),
            json!({
                ":sample1": "my-username", ":sample2": "false", ":n": "<nil>",
                ":port": "5432", ":ratio": "1.5", ":big": "12", ":neg": "-3",
                ":tags": [":a", ":b"], ":list": ["1", "two"], ":vec": ["97", "10"],
                ":when": "2032-01-01 12:20:50.52 +0000 UTC",
                ":every": "{duration 20m}", "plain": "sym/bol",
            })
        );
        let port = node.get(":port").expect("port");
        assert_eq!(&text[port.key_span.start..port.key_span.end], ":port");
        assert_eq!(&text[port.value.span.start..port.value.span.end], "5432");
    }

    #[test]
    fn go_printing() {
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(2.5), "2.5");
        assert_eq!(
            go_time("2021-01-01T10:00:00+01:00").as_deref(),
            Some("2021-01-01 10:00:00 +0100 +0100")
        );
        assert_eq!(go_time("2021-01-01"), None);
    }

    #[test]
    fn errors_have_positions() {
        let cases = [
            ("{:a 1", 5),
            ("{:a}", 1),
            ("[1 2)", 4),
            ("\"abc", 0),
            ("{} {}", 3),
            ("", 0),
            ("#inst \"x\"", 6),
        ];
        for (text, at) in cases {
            let err = parse(text).expect_err(text);
            assert_eq!(err.span.start, at, "{text}: {err:?}");
        }
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).is_err());
        let discarded = "#_".repeat(1000) + &"[".repeat(1000);
        assert!(parse(&discarded).is_err());
    }
}

//! YAML 1.2 (core schema), every document of a stream, with spans from `saphyr-parser`'s
//! events. Anchors and aliases resolve; `<<` merge keys are honoured as most YAML tools do.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Tag};

use super::{number_kind, SyntaxError, MAX_DEPTH};
use crate::document::{Member, Node, NodeKind, Span};

/// Aliases may not expand to more nodes than this in one file ("billion laughs").
const MAX_ALIAS_NODES: usize = 1_000_000;

/// Parses every document in `text`; empty documents are skipped.
pub fn parse(text: &str) -> Result<Vec<Node>, SyntaxError> {
    let mut offsets = Offsets::new(text);
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(pair) => pair,
            Err(err) => {
                let at = offsets.byte(err.marker());
                return Err(SyntaxError::new(
                    err.info().to_string(),
                    Span::new(at, at + 1),
                ));
            }
        };
        let start = offsets.byte(&span.start);
        let mut end = offsets.byte(&span.end).max(start);
        if let Event::Scalar(_, style, _, _) = &event {
            end = scalar_end(text, start, end, *style);
        }
        builder.event(event, Span::new(start, end))?;
    }
    Ok(builder.roots)
}

/// The parser's end marker for a scalar can run past trailing blanks and a comment; cut
/// it back to the closing quote, or to the last non-blank character.
fn scalar_end(text: &str, start: usize, end: usize, style: ScalarStyle) -> usize {
    let quote = match style {
        ScalarStyle::DoubleQuoted => b'"',
        ScalarStyle::SingleQuoted => b'\'',
        _ => {
            let slice = text.get(start..end).unwrap_or_default();
            return start + slice.trim_end().len();
        }
    };
    let bytes = text.as_bytes();
    if bytes.get(start) != Some(&quote) {
        return end;
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    end
}

/// Converts the parser's character indices to byte offsets.
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    char_pos: usize,
    byte_pos: usize,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        Offsets {
            text,
            ascii: text.is_ascii(),
            char_pos: 0,
            byte_pos: 0,
        }
    }

    fn byte(&mut self, marker: &Marker) -> usize {
        let target = marker.index();
        if self.ascii {
            return target.min(self.text.len());
        }
        if target < self.char_pos {
            self.char_pos = 0;
            self.byte_pos = 0;
        }
        let mut chars = self.text[self.byte_pos..].chars();
        while self.char_pos < target {
            match chars.next() {
                Some(c) => {
                    self.byte_pos += c.len_utf8();
                    self.char_pos += 1;
                }
                None => break,
            }
        }
        self.byte_pos
    }
}

enum Frame {
    Seq {
        span: Span,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        span: Span,
        anchor: usize,
        members: Vec<Member>,
        key: Option<(String, Span, bool)>,
        merges: Vec<Node>,
    },
}

#[derive(Default)]
struct Builder {
    roots: Vec<Node>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
}

impl Builder {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), SyntaxError> {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                // An empty document reads as an empty plain scalar: there is nothing to check.
                if self.stack.is_empty()
                    && value.is_empty()
                    && style == ScalarStyle::Plain
                    && tag.is_none()
                    && anchor == 0
                {
                    return Ok(());
                }
                let kind = resolve_scalar(&value, style, tag.as_deref());
                let node = Node::new(span, kind);
                let plain_merge = style == ScalarStyle::Plain && value == "<<";
                self.remember(anchor, &node);
                self.complete(node, plain_merge)?;
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(SyntaxError::new("alias to an unknown anchor", span));
                };
                self.alias_nodes += count_nodes(target);
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(SyntaxError::new(
                        format!("aliases expand to more than {MAX_ALIAS_NODES} values"),
                        span,
                    ));
                }
                let mut node = target.clone();
                node.span = span;
                self.complete(node, false)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.check_depth(span)?;
                self.stack.push(Frame::Seq {
                    span,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.check_depth(span)?;
                self.stack.push(Frame::Map {
                    span,
                    anchor,
                    members: Vec::new(),
                    key: None,
                    merges: Vec::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(SyntaxError::new("unbalanced collection end", span));
                };
                let (node, anchor) = match frame {
                    Frame::Seq {
                        span: start,
                        anchor,
                        items,
                    } => {
                        let end = container_end(items.last().map(|n| n.span.end), span);
                        (
                            Node::new(
                                Span::new(start.start, end.max(start.end)),
                                NodeKind::Array(items),
                            ),
                            anchor,
                        )
                    }
                    Frame::Map {
                        span: start,
                        anchor,
                        mut members,
                        merges,
                        ..
                    } => {
                        let end = container_end(members.last().map(|m| m.value.span.end), span);
                        apply_merges(&mut members, merges);
                        (
                            Node::new(
                                Span::new(start.start, end.max(start.end)),
                                NodeKind::Object(members),
                            ),
                            anchor,
                        )
                    }
                };
                self.remember(anchor, &node);
                self.complete(node, false)?;
            }
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd
            | Event::Nothing => {}
        }
        Ok(())
    }

    fn check_depth(&self, span: Span) -> Result<(), SyntaxError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(SyntaxError::new(
                format!("nesting is deeper than {MAX_DEPTH} levels"),
                span,
            ));
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
    }

    /// Hands a finished node to its parent (or makes it a document root).
    fn complete(&mut self, node: Node, plain_merge_key: bool) -> Result<(), SyntaxError> {
        match self.stack.last_mut() {
            None => self.roots.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                members,
                key,
                merges,
                ..
            }) => match key.take() {
                None => {
                    let name = key_text(&node);
                    *key = Some((name, node.span, plain_merge_key));
                }
                Some((_, _, true)) => match node.kind {
                    NodeKind::Object(_) => merges.push(node),
                    NodeKind::Array(items) => {
                        for item in items {
                            if !matches!(item.kind, NodeKind::Object(_)) {
                                return Err(SyntaxError::new(
                                    "a `<<` merge list may only hold mappings",
                                    item.span,
                                ));
                            }
                            merges.push(item);
                        }
                    }
                    _ => {
                        return Err(SyntaxError::new(
                            "a `<<` merge key needs a mapping or a list of mappings",
                            node.span,
                        ))
                    }
                },
                Some((name, key_span, false)) => members.push(Member {
                    key: name,
                    key_span,
                    value: node,
                }),
            },
        }
        Ok(())
    }
}

/// The end of a collection: its closing bracket for flow style, else its last child.
fn container_end(last_child: Option<usize>, end_event: Span) -> usize {
    let child_end = last_child.unwrap_or(0);
    if end_event.is_empty() {
        child_end
    } else {
        child_end.max(end_event.end)
    }
}

/// Adds merged keys that the mapping does not define itself; earlier sources win.
fn apply_merges(members: &mut Vec<Member>, merges: Vec<Node>) {
    for source in merges {
        if let NodeKind::Object(extra) = source.kind {
            for member in extra {
                if !members.iter().any(|m| m.key == member.key) {
                    members.push(member);
                }
            }
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Array(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        NodeKind::Object(members) => {
            1 + members.iter().map(|m| count_nodes(&m.value)).sum::<usize>()
        }
        _ => 1,
    }
}

/// The string form of a mapping key: scalars as written, other keys as JSON.
fn key_text(node: &Node) -> String {
    match &node.kind {
        NodeKind::String(s) => s.clone(),
        NodeKind::Null => "null".to_string(),
        NodeKind::Bool(b) => b.to_string(),
        NodeKind::Int(i) => i.to_string(),
        NodeKind::UInt(u) => u.to_string(),
        NodeKind::Float(f) => f.to_string(),
        _ => node.to_json().to_string(),
    }
}

/// Applies the YAML 1.2 core schema to a scalar.
fn resolve_scalar(value: &str, style: ScalarStyle, tag: Option<&Tag>) -> NodeKind {
    let core_tag = tag.and_then(|t| {
        (t.handle == "!!" || t.handle == "tag:yaml.org,2002:").then_some(t.suffix.as_str())
    });
    // The non-specific tag `!` makes a scalar a string (YAML 1.2, 6.9.1).
    let non_specific = tag.is_some_and(|t| t.handle.is_empty() && t.suffix == "!");
    if non_specific {
        return NodeKind::String(value.to_string());
    }
    match core_tag {
        Some("str") | Some("binary") | Some("timestamp") => {
            return NodeKind::String(value.to_string())
        }
        Some("null") => return NodeKind::Null,
        Some("bool") | Some("int") | Some("float") => {
            return plain_scalar(value).unwrap_or_else(|| NodeKind::String(value.to_string()))
        }
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return NodeKind::String(value.to_string());
    }
    plain_scalar(value).unwrap_or_else(|| NodeKind::String(value.to_string()))
}

fn plain_scalar(value: &str) -> Option<NodeKind> {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return Some(NodeKind::Null),
        "true" | "True" | "TRUE" => return Some(NodeKind::Bool(true)),
        "false" | "False" | "FALSE" => return Some(NodeKind::Bool(false)),
        _ => {}
    }
    let first = value.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    if let Some(hex) = value.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(NodeKind::Int);
    }
    if let Some(oct) = value.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(NodeKind::Int);
    }
    if is_core_int(value) || is_core_float(value) {
        return number_kind(value);
    }
    None
}

fn is_core_int(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
                && !(int.is_empty() && frac.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let mut roots = parse(text).expect("valid yaml");
        assert_eq!(roots.len(), 1, "{roots:?}");
        roots.remove(0)
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn core_schema_scalars() {
        let text = "on: push\nyes: y\nn: 012\nf: 1.5e3\nq: '1'\nnul: ~\nt: True\nbig: 18446744073709551615\nhex: 0x1F\ninf: .inf\nver: 1.2.3\n";
        let node = one(text);
        let get = |k: &str| node.get(k).expect(k).value.kind.clone();
        assert!(node.get("on").is_some(), "`on` stays a string key");
        assert_eq!(get("yes"), NodeKind::String("y".into()));
        assert_eq!(get("n"), NodeKind::Int(12));
        assert_eq!(get("f"), NodeKind::Float(1500.0));
        assert_eq!(get("q"), NodeKind::String("1".into()));
        assert_eq!(get("nul"), NodeKind::Null);
        assert_eq!(get("t"), NodeKind::Bool(true));
        assert_eq!(get("big"), NodeKind::UInt(u64::MAX));
        assert_eq!(get("hex"), NodeKind::Int(31));
        assert_eq!(get("inf"), NodeKind::String(".inf".into()));
        assert_eq!(get("ver"), NodeKind::String("1.2.3".into()));
    }

    #[test]
    fn spans_of_keys_and_values() {
        let text = "a:\n  b: [1, {c: d}]\n  \"quoted key\": 'v'\n";
        let node = one(text);
        let a = node.get("a").expect("a");
        assert_eq!(at(text, a.key_span), "a");
        let b = a.value.get("b").expect("b");
        assert_eq!(at(text, b.value.span), "[1, {c: d}]");
        let q = a.value.get("quoted key").expect("quoted");
        assert_eq!(at(text, q.key_span), "\"quoted key\"");
        assert_eq!(at(text, q.value.span), "'v'");
    }

    #[test]
    fn multi_document_and_empty_documents() {
        let roots = parse("---\na: 1\n---\n---\n- x\n...\n").expect("valid");
        assert_eq!(roots.len(), 2);
        assert!(parse("# only a comment\n").expect("valid").is_empty());
    }

    #[test]
    fn anchors_aliases_and_merges() {
        let text = "base: &b\n  x: 1\n  y: 2\nother:\n  <<: *b\n  y: 3\nref: *b\n";
        let node = one(text);
        let other = &node.get("other").expect("other").value;
        assert_eq!(other.get("x").expect("x").value.kind, NodeKind::Int(1));
        assert_eq!(other.get("y").expect("y").value.kind, NodeKind::Int(3));
        assert!(other.get("<<").is_none());
        let r = &node.get("ref").expect("ref").value;
        assert_eq!(at(text, r.span), "*b");
        assert_eq!(r.get("y").expect("y").value.kind, NodeKind::Int(2));
    }

    #[test]
    fn non_ascii_offsets_are_bytes() {
        let text = "name: \"héllo wörld\"\nnext: ünïcode\n";
        let node = one(text);
        assert_eq!(
            at(text, node.get("next").expect("next").value.span),
            "ünïcode"
        );
    }

    #[test]
    fn errors_and_bombs() {
        let err = parse("a: [1, 2\nb: 3\n").expect_err("unclosed flow");
        assert!(err.span.start > 0);
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            bomb.push_str(&format!(
                "{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
                n = (b'a' + i) as char,
                p = (b'a' + i - 1) as char
            ));
        }
        assert!(parse(&bomb).is_err());
        let deep = "[".repeat(1000) + &"]".repeat(1000);
        assert!(parse(&deep).is_err());
    }
}

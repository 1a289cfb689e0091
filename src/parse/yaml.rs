//! YAML 1.2 (core schema), every document of a stream, with spans from `saphyr-parser`'s
//! events. Anchors and aliases resolve; `<<` merge keys are honoured as most YAML tools do.
//!
//! The stream is first read into an arena of nodes whose children are indices, so an
//! alias is a reference to its anchor's node and merged keys share their values: nothing
//! is copied until the documents are written out as [`Node`] trees at the end. Each arena
//! node knows how deep, how many nodes and how many bytes of text it stands for once its
//! aliases are expanded, so an alias that would nest the document deeper than
//! [`MAX_DEPTH`] or take the expansion past the budgets below ("billion laughs") is an
//! error at that alias, found before anything is expanded.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Tag};

use super::{number_kind, SyntaxError, MAX_DEPTH};
use crate::document::{Member, Node, NodeKind, Span};

/// Aliases may not expand to more nodes than this in one file.
const MAX_ALIAS_NODES: usize = 1_000_000;

/// Nor to more bytes of text (strings and keys) than this.
const MAX_ALIAS_BYTES: usize = 64 * 1024 * 1024;

/// Mapping keys that are collections are written as JSON; their text may add up to this
/// many bytes in one file (each level of such keys escapes the one below it again).
const MAX_COLLECTION_KEY_BYTES: usize = 1024 * 1024;

/// Parses every document in `text`; empty documents are skipped.
pub fn parse(text: &str) -> Result<Vec<Node>, SyntaxError> {
    let mut offsets = Offsets::new(text);
    let mut builder = Builder::new(text);
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
    Ok(builder.finish())
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

/// A node of the stream, in the builder's arena.
struct Slot {
    span: Span,
    kind: SlotKind,
    /// What the node stands for once its aliases are expanded.
    size: Size,
    /// Whether the node may be written out more than once (it has an anchor, or it is a
    /// merged value): it is then cloned rather than moved out of the arena.
    shared: bool,
}

enum SlotKind {
    /// A scalar's value (never an array or object).
    Scalar(NodeKind),
    /// Items: arena indices, in [`Builder::items`].
    Seq(Range<usize>),
    /// Members in order, in [`Builder::entries`] (a key may repeat: the last one wins).
    Map(Range<usize>),
    /// A copy of the node at this index, with the alias's span.
    Alias(usize),
}

/// A member of a mapping in the arena.
#[derive(Clone)]
struct Entry {
    key: String,
    key_span: Span,
    value: usize,
}

/// How big a node is once its aliases are expanded (32 bits each, saturating: far above
/// the budgets, and the arena holds a `Size` per node).
#[derive(Clone, Copy, Default)]
struct Size {
    /// Arrays and objects on the longest path down from the node, itself included.
    depth: u32,
    /// Nodes.
    nodes: u32,
    /// Bytes of strings and keys.
    bytes: u32,
}

/// `n` as a saturating 32-bit count.
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Size {
    fn scalar(kind: &NodeKind) -> Self {
        let bytes = match kind {
            NodeKind::String(s) => count(s.len()),
            _ => 0,
        };
        Size {
            depth: 0,
            nodes: 1,
            bytes,
        }
    }

    /// Adds a child (with the bytes of its key, for a member) to a collection's size.
    fn add_child(&mut self, child: Size, key_bytes: usize) {
        self.depth = self.depth.max(child.depth.saturating_add(1));
        self.nodes = self.nodes.saturating_add(child.nodes);
        self.bytes = self
            .bytes
            .saturating_add(child.bytes)
            .saturating_add(count(key_bytes));
    }

    /// An empty collection.
    fn collection() -> Self {
        Size {
            depth: 1,
            nodes: 1,
            bytes: 0,
        }
    }
}

/// A collection being read: its children so far, and its anchor (0 for none).
enum Frame {
    Seq {
        span: Span,
        anchor: usize,
        items: Vec<usize>,
        size: Size,
    },
    Map {
        span: Span,
        anchor: usize,
        members: Vec<Entry>,
        /// The key read and waiting for its value: text, span, whether it is `<<`.
        key: Option<(String, Span, bool)>,
        /// The mappings that `<<` keys name, in order.
        merges: Vec<usize>,
        size: Size,
    },
}

/// Reads the parser's events into the arena.
struct Builder<'t> {
    text: &'t str,
    nodes: Vec<Slot>,
    /// The items of every sequence read, each sequence's together.
    items: Vec<usize>,
    /// The members of every mapping read, each mapping's together.
    entries: Vec<Entry>,
    /// Emptied lists of open collections, kept for the next ones.
    spare_items: Vec<Vec<usize>>,
    spare_entries: Vec<Vec<Entry>>,
    roots: Vec<usize>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, usize>,
    /// Nodes and bytes that aliases expanded to so far.
    expanded_nodes: usize,
    expanded_bytes: usize,
    /// Bytes of collection keys written as JSON so far.
    key_bytes: usize,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        Builder {
            text,
            nodes: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            spare_items: Vec::new(),
            spare_entries: Vec::new(),
            roots: Vec::new(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            expanded_nodes: 0,
            expanded_bytes: 0,
            key_bytes: 0,
        }
    }

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
                let plain_merge = style == ScalarStyle::Plain && value == "<<";
                let size = Size::scalar(&kind);
                let index = self.push(span, SlotKind::Scalar(kind), size);
                self.remember(anchor, index);
                self.complete(index, plain_merge)?;
            }
            Event::Alias(id) => {
                let Some(&target) = self.anchors.get(&id) else {
                    return Err(SyntaxError::new("alias to an unknown anchor", span));
                };
                let size = self.nodes[target].size;
                self.check_alias(size, span)?;
                self.nodes[target].shared = true;
                let index = self.push(span, SlotKind::Alias(target), size);
                self.complete(index, false)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.check_depth(span)?;
                self.stack.push(Frame::Seq {
                    span,
                    anchor,
                    items: self.spare_items.pop().unwrap_or_default(),
                    size: Size::collection(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.check_depth(span)?;
                self.stack.push(Frame::Map {
                    span,
                    anchor,
                    members: self.spare_entries.pop().unwrap_or_default(),
                    key: None,
                    merges: Vec::new(),
                    size: Size::collection(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(SyntaxError::new("unbalanced collection end", span));
                };
                let (index, anchor) = match frame {
                    Frame::Seq {
                        span: start,
                        anchor,
                        mut items,
                        size,
                    } => {
                        let last = items.last().map(|&i| self.nodes[i].span.end);
                        let end = container_end(last, span);
                        let span = Span::new(start.start, end.max(start.end));
                        let first = self.items.len();
                        self.items.append(&mut items);
                        self.spare_items.push(items);
                        let range = first..self.items.len();
                        (self.push(span, SlotKind::Seq(range), size), anchor)
                    }
                    Frame::Map {
                        span: start,
                        anchor,
                        mut members,
                        merges,
                        mut size,
                        ..
                    } => {
                        let last = members.last().map(|m| self.nodes[m.value].span.end);
                        let end = container_end(last, span);
                        self.apply_merges(&mut members, &mut size, &merges);
                        let span = Span::new(start.start, end.max(start.end));
                        let first = self.entries.len();
                        self.entries.append(&mut members);
                        self.spare_entries.push(members);
                        let range = first..self.entries.len();
                        (self.push(span, SlotKind::Map(range), size), anchor)
                    }
                };
                self.remember(anchor, index);
                self.complete(index, false)?;
            }
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd
            | Event::Nothing => {}
        }
        Ok(())
    }

    fn push(&mut self, span: Span, kind: SlotKind, size: Size) -> usize {
        self.nodes.push(Slot {
            span,
            kind,
            size,
            shared: false,
        });
        self.nodes.len() - 1
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

    /// Whether an alias to a node of `size` fits here: the nesting it adds below the open
    /// collections, and the expansion budgets.
    fn check_alias(&mut self, size: Size, span: Span) -> Result<(), SyntaxError> {
        let name = self.text.get(span.start..span.end).unwrap_or("*");
        if self.stack.len() + size.depth as usize > MAX_DEPTH {
            return Err(SyntaxError::new(
                format!(
                    "alias `{name}` nests the document deeper than {MAX_DEPTH} levels \
                     (its anchor is {} levels deep, inside {} here)",
                    size.depth,
                    self.stack.len()
                ),
                span,
            ));
        }
        self.expanded_nodes = self.expanded_nodes.saturating_add(size.nodes as usize);
        self.expanded_bytes = self.expanded_bytes.saturating_add(size.bytes as usize);
        if self.expanded_nodes > MAX_ALIAS_NODES {
            return Err(SyntaxError::new(
                format!(
                    "aliases expand to more than {MAX_ALIAS_NODES} values; `{name}` crosses the limit"
                ),
                span,
            ));
        }
        if self.expanded_bytes > MAX_ALIAS_BYTES {
            return Err(SyntaxError::new(
                format!(
                    "aliases expand to more than {} MiB of text; `{name}` crosses the limit",
                    MAX_ALIAS_BYTES >> 20
                ),
                span,
            ));
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, index: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, index);
            self.nodes[index].shared = true;
        }
    }

    /// The node an alias stands for (the node itself for anything else).
    fn resolve(&self, mut index: usize) -> usize {
        while let SlotKind::Alias(target) = self.nodes[index].kind {
            index = target;
        }
        index
    }

    /// Hands a finished node to its parent (or makes it a document root).
    fn complete(&mut self, index: usize, plain_merge_key: bool) -> Result<(), SyntaxError> {
        let (child_span, child_size) = (self.nodes[index].span, self.nodes[index].size);
        let needs_key = matches!(self.stack.last(), Some(Frame::Map { key: None, .. }));
        let key_name = if needs_key {
            let name = self.key_text(index)?;
            // Only an alias could use the key's node again, through an anchor.
            if index + 1 == self.nodes.len() && !self.nodes[index].shared {
                self.nodes.pop();
            }
            Some(name)
        } else {
            None
        };
        let merge_sources = match self.stack.last() {
            Some(Frame::Map {
                key: Some((_, _, true)),
                ..
            }) => Some(self.merge_sources(index)?),
            _ => None,
        };
        match self.stack.last_mut() {
            None => self.roots.push(index),
            Some(Frame::Seq { items, size, .. }) => {
                items.push(index);
                size.add_child(child_size, 0);
            }
            Some(Frame::Map {
                members,
                key,
                merges,
                size,
                ..
            }) => match (key.take(), key_name, merge_sources) {
                (None, Some(name), _) => *key = Some((name, child_span, plain_merge_key)),
                (Some((_, _, true)), _, Some(sources)) => merges.extend(sources),
                (Some((name, key_span, _)), _, _) => {
                    size.add_child(child_size, name.len());
                    members.push(Entry {
                        key: name,
                        key_span,
                        value: index,
                    });
                }
                (None, None, _) => {}
            },
        }
        Ok(())
    }

    /// The mappings a `<<` merge key's value names: a mapping, or a list of mappings.
    fn merge_sources(&self, index: usize) -> Result<Vec<usize>, SyntaxError> {
        let target = self.resolve(index);
        match &self.nodes[target].kind {
            SlotKind::Map(_) => Ok(vec![target]),
            SlotKind::Seq(items) => self.items[items.clone()]
                .iter()
                .map(|&item| {
                    let source = self.resolve(item);
                    match self.nodes[source].kind {
                        SlotKind::Map(_) => Ok(source),
                        _ => Err(SyntaxError::new(
                            "a `<<` merge list may only hold mappings",
                            self.nodes[item].span,
                        )),
                    }
                })
                .collect(),
            _ => Err(SyntaxError::new(
                "a `<<` merge key needs a mapping or a list of mappings",
                self.nodes[index].span,
            )),
        }
    }

    /// Adds merged keys that the mapping does not define itself; earlier sources win.
    fn apply_merges(&mut self, members: &mut Vec<Entry>, size: &mut Size, merges: &[usize]) {
        if merges.is_empty() {
            return;
        }
        let mut added = Vec::new();
        {
            let mut seen: HashSet<&str> = members.iter().map(|m| m.key.as_str()).collect();
            for &source in merges {
                if let SlotKind::Map(entries) = &self.nodes[source].kind {
                    for entry in &self.entries[entries.clone()] {
                        if seen.insert(entry.key.as_str()) {
                            added.push(entry.clone());
                        }
                    }
                }
            }
        }
        for entry in &added {
            let value = &mut self.nodes[entry.value];
            value.shared = true;
            size.add_child(value.size, entry.key.len());
        }
        members.extend(added);
    }

    /// The string form of a mapping key: scalars as written, other keys as JSON.
    fn key_text(&mut self, index: usize) -> Result<String, SyntaxError> {
        let target = self.resolve(index);
        let shared = self.nodes[target].shared;
        if let SlotKind::Scalar(kind) = &mut self.nodes[target].kind {
            return Ok(match kind {
                // A key is written out only here, unless an alias may copy it.
                NodeKind::String(s) if !shared => std::mem::take(s),
                NodeKind::String(s) => s.clone(),
                NodeKind::Null => "null".to_string(),
                NodeKind::Bool(b) => b.to_string(),
                NodeKind::Int(i) => i.to_string(),
                NodeKind::UInt(u) => u.to_string(),
                NodeKind::Float(f) => f.to_string(),
                NodeKind::Array(_) | NodeKind::Object(_) => String::new(),
            });
        }
        // Checked before the copy: the text is longer than the strings it holds.
        let span = self.nodes[index].span;
        let budget = |used: usize| {
            if used > MAX_COLLECTION_KEY_BYTES {
                Err(SyntaxError::new(
                    format!(
                        "mapping keys that are collections add up to more than {} MiB of text",
                        MAX_COLLECTION_KEY_BYTES >> 20
                    ),
                    span,
                ))
            } else {
                Ok(used)
            }
        };
        budget(
            self.key_bytes
                .saturating_add(self.nodes[index].size.bytes as usize),
        )?;
        let text = self.write_out(index, true).to_json().to_string();
        self.key_bytes = budget(self.key_bytes.saturating_add(text.len()))?;
        Ok(text)
    }

    /// The documents, written out as trees.
    fn finish(mut self) -> Vec<Node> {
        let roots = std::mem::take(&mut self.roots);
        roots
            .into_iter()
            .map(|root| self.write_out(root, false))
            .collect()
    }

    /// The tree of the node at `index`, with aliases expanded. Nodes that are written out
    /// more than once are cloned; the rest are moved out of the arena. The recursion is
    /// as deep as the node's [`Size::depth`], which the checks keep within [`MAX_DEPTH`].
    fn write_out(&mut self, index: usize, inside_shared: bool) -> Node {
        let slot = &mut self.nodes[index];
        let shared = inside_shared || slot.shared;
        let span = slot.span;
        let kind = match &mut slot.kind {
            // What is written out once is moved out of the arena; the rest is cloned.
            SlotKind::Scalar(kind) if shared => kind.clone(),
            SlotKind::Scalar(kind) => std::mem::replace(kind, NodeKind::Null),
            SlotKind::Seq(range) => {
                let range = range.clone();
                NodeKind::Array(
                    range
                        .map(|i| {
                            let item = self.items[i];
                            self.write_out(item, shared)
                        })
                        .collect(),
                )
            }
            SlotKind::Map(range) => {
                let range = range.clone();
                NodeKind::Object(
                    range
                        .map(|i| {
                            let entry = &mut self.entries[i];
                            let key = if shared {
                                entry.key.clone()
                            } else {
                                std::mem::take(&mut entry.key)
                            };
                            let (key_span, value) = (entry.key_span, entry.value);
                            Member {
                                key,
                                key_span,
                                value: self.write_out(value, shared),
                            }
                        })
                        .collect(),
                )
            }
            SlotKind::Alias(target) => {
                let target = *target;
                let mut node = self.write_out(target, true);
                node.span = span;
                return node;
            }
        };
        Node::new(span, kind)
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

    fn nested(levels: usize, inner: &str) -> String {
        "[".repeat(levels) + inner + &"]".repeat(levels)
    }

    /// The error's message and the text at its span.
    fn error_at(text: &str) -> (String, &str) {
        let err = parse(text).expect_err("too deep");
        (err.message, at(text, err.span))
    }

    #[test]
    fn depth_counts_through_aliases() {
        // Each anchor nests the previous one 250 levels further down: 10,000 levels.
        let mut text = format!("a0: &a0 {}\n", nested(250, "1"));
        for k in 1..40 {
            text.push_str(&format!(
                "a{k}: &a{k} {}\n",
                nested(250, &format!("*a{}", k - 1))
            ));
        }
        let (message, alias) = error_at(&text);
        assert_eq!(alias, "*a0");
        assert!(message.contains("deeper than 256 levels"), "{message}");

        // The same through merge keys: each mapping merges one that is 251 levels deep.
        let mut text = format!("a0: &a0 {{k: {}}}\n", nested(250, "1"));
        for k in 1..40 {
            let merge = format!("{{<<: *a{}}}", k - 1);
            text.push_str(&format!("a{k}: &a{k} {{k: {}}}\n", nested(250, &merge)));
        }
        assert_eq!(error_at(&text).1, "*a0");

        // An alias may reach the limit exactly: 1 (the root) + 5 + 250 levels.
        let anchor = format!("a: &a {}\n", nested(250, "1"));
        let fits = one(&format!("{anchor}b: {}\n", nested(5, "*a")));
        assert!(fits.get("b").is_some());
        let over = format!("{anchor}b: {}\n", nested(6, "*a"));
        assert_eq!(error_at(&over).1, "*a");
    }

    #[test]
    fn alias_budgets_count_nodes_and_bytes() {
        // Ten aliases of a 1 MiB string are fine; 65 are over the 64 MiB budget.
        let big = format!("a: &a \"{}\"\n", "x".repeat(1 << 20));
        let list = |n: usize| format!("{big}b: [{}]\n", vec!["*a"; n].join(", "));
        assert!(parse(&list(10)).is_ok());
        let over = list(65);
        let (message, alias) = error_at(&over);
        assert_eq!(alias, "*a");
        assert!(message.contains("64 MiB"), "{message}");

        // Few bytes but many nodes: the classic bomb fails at the alias that crosses.
        let mut bomb = String::from("l0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
        for k in 1..8 {
            let items = vec![format!("*l{}", k - 1); 10].join(", ");
            bomb.push_str(&format!("l{k}: &l{k} [{items}]\n"));
        }
        let (message, alias) = error_at(&bomb);
        assert!(alias.starts_with("*l"), "{alias}");
        assert!(message.contains("1000000 values"), "{message}");
    }

    #[test]
    fn collection_keys_are_bounded() {
        // Each level writes the key below it as JSON again, escaping its quotes: without a
        // budget 40 levels would take 2^40 bytes.
        let mut key = String::from("a");
        for _ in 0..40 {
            key = format!("{{{key}: 1}}");
        }
        let (message, _) = error_at(&format!("x: {key}\n"));
        assert!(message.contains("keys that are collections"), "{message}");
        let node = one("? [1, {a: b}]\n: v\n");
        assert!(node.get("[1,{\"a\":\"b\"}]").is_some());
    }

    #[test]
    fn aliases_and_merges_share_without_losing_values() {
        // A merged value and the anchor it came from are both written out in full, and a
        // mapping that is merged twice keeps the first source's keys.
        let text =
            "a: &a {x: [1, 2], y: {z: 3}}\nb: {<<: [*a, {x: 0, w: 4}]}\nc: *a\nd: {<<: *a}\n";
        let node = one(text);
        let json = node.to_json();
        let a = serde_json::json!({"x": [1, 2], "y": {"z": 3}});
        assert_eq!(json["a"], a);
        assert_eq!(json["c"], a);
        assert_eq!(json["d"], a);
        assert_eq!(
            json["b"],
            serde_json::json!({"x": [1, 2], "y": {"z": 3}, "w": 4})
        );
        let b = &node.get("b").expect("b").value;
        assert_eq!(at(text, b.get("x").expect("x").value.span), "[1, 2]");
    }
}

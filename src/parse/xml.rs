//! XML as conftest reads it (goxml2json's mapping): each element becomes a member named by
//! its local name; attributes become `-name` members; text next to attributes or child
//! elements becomes `#content`; repeated sibling elements become an array; an element with
//! only text (or nothing) becomes that text, trimmed. Namespace prefixes are dropped from
//! names, as conftest drops them.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::object::ObjectBuilder;
use super::{string_node, SyntaxError, MAX_DEPTH};
use crate::document::{Member, Node, NodeKind, Span};

/// An element being read.
struct Frame {
    name: String,
    name_span: Span,
    start: usize,
    attrs: Vec<Member>,
    children: Vec<Member>,
    text: String,
    text_span: Option<Span>,
}

/// Parses an XML document into one object holding its root element.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Frame> = Vec::new();
    let mut roots: Vec<Member> = Vec::new();
    loop {
        let before = position(reader.buffer_position(), text);
        let event = reader.read_event().map_err(|e| {
            let at = position(reader.error_position(), text);
            SyntaxError::new(e.to_string(), Span::new(at, (at + 1).min(text.len())))
        })?;
        let after = position(reader.buffer_position(), text);
        let span = Span::new(before, after);
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(SyntaxError::new(
                        format!("nesting is deeper than {MAX_DEPTH} levels"),
                        span,
                    ));
                }
                stack.push(open(&start, text, span)?);
            }
            Event::Empty(start) => {
                let frame = open(&start, text, span)?;
                close(frame, after, &mut stack, &mut roots);
            }
            Event::End(_) => {
                if let Some(frame) = stack.pop() {
                    close(frame, after, &mut stack, &mut roots);
                }
            }
            Event::Text(t) => {
                let content = t
                    .xml10_content()
                    .map_err(|e| SyntaxError::new(e.to_string(), span))?;
                add_text(&mut stack, &content, span, text);
            }
            Event::CData(c) => {
                let content = c
                    .decode()
                    .map_err(|e| SyntaxError::new(e.to_string(), span))?;
                add_text(&mut stack, &content, span, text);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r
                            .decode()
                            .map_err(|e| SyntaxError::new(e.to_string(), span))?;
                        predefined(&name)
                            .ok_or_else(|| {
                                SyntaxError::new(format!("unknown entity `&{name};`"), span)
                            })?
                            .to_string()
                    }
                    Err(e) => return Err(SyntaxError::new(e.to_string(), span)),
                };
                add_text(&mut stack, &resolved, span, text);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(frame) = stack.last() {
        return Err(SyntaxError::new(
            format!("element `{}` is never closed", frame.name),
            frame.name_span,
        ));
    }
    Ok(Node::new(
        Span::new(0, text.len()),
        NodeKind::Object(group(roots)),
    ))
}

fn position(at: u64, text: &str) -> usize {
    usize::try_from(at).map_or(text.len(), |at| at.min(text.len()))
}

fn predefined(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

fn local(qname: &[u8]) -> String {
    let name = String::from_utf8_lossy(qname);
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_string(),
        None => name.into_owned(),
    }
}

/// Starts an element: its name and attributes, with spans found in the tag's text.
fn open(start: &BytesStart<'_>, text: &str, span: Span) -> Result<Frame, SyntaxError> {
    let tag = text.get(span.start..span.end).unwrap_or_default();
    let raw_name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let name_at = span.start + tag.find(raw_name.as_str()).unwrap_or(0);
    let name_span = Span::new(name_at, name_at + raw_name.len());
    let mut cursor = name_span.end - span.start;
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| SyntaxError::new(e.to_string(), span))?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| SyntaxError::new(e.to_string(), span))?;
        let key_raw = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let key_at = tag
            .get(cursor..)
            .and_then(|rest| rest.find(key_raw.as_str()))
            .map_or(span.start, |i| span.start + cursor + i);
        let key_span = Span::new(key_at, key_at + key_raw.len());
        let value_at = text
            .get(key_span.end..span.end)
            .and_then(|rest| rest.find(['"', '\'']))
            .map_or(key_span.end, |i| key_span.end + i);
        let value_len = attr.value.len() + 2;
        cursor = (value_at + value_len).saturating_sub(span.start);
        attrs.push(Member {
            key: format!("-{}", local(attr.key.as_ref())),
            key_span,
            value: string_node(
                Span::new(value_at, value_at + value_len),
                value.into_owned(),
            ),
        });
    }
    Ok(Frame {
        name: local(start.name().as_ref()),
        name_span,
        start: span.start,
        attrs,
        children: Vec::new(),
        text: String::new(),
        text_span: None,
    })
}

fn add_text(stack: &mut [Frame], content: &str, span: Span, source: &str) {
    let Some(frame) = stack.last_mut() else {
        return;
    };
    frame.text.push_str(content);
    // The span covers the text without surrounding blanks.
    let raw = source.get(span.start..span.end).unwrap_or_default();
    if raw.trim().is_empty() {
        return;
    }
    let start = span.start + (raw.len() - raw.trim_start().len());
    let end = span.start + raw.trim_end().len();
    frame.text_span = Some(match frame.text_span {
        Some(previous) => Span::new(previous.start, end),
        None => Span::new(start, end),
    });
}

/// Finishes an element and adds it to its parent (or to the roots).
fn close(frame: Frame, end: usize, stack: &mut [Frame], roots: &mut Vec<Member>) {
    let element_span = Span::new(frame.start, end);
    let text = frame.text.trim().to_string();
    let value = if frame.attrs.is_empty() && frame.children.is_empty() {
        string_node(frame.text_span.unwrap_or(element_span), text)
    } else {
        let mut members = frame.attrs;
        members.extend(group(frame.children));
        if !text.is_empty() {
            let span = frame.text_span.unwrap_or(element_span);
            members.push(Member {
                key: "#content".to_string(),
                key_span: span,
                value: string_node(span, text),
            });
        }
        Node::new(element_span, NodeKind::Object(members))
    };
    let member = Member {
        key: frame.name,
        key_span: frame.name_span,
        value,
    };
    match stack.last_mut() {
        Some(parent) => parent.children.push(member),
        None => roots.push(member),
    }
}

/// Repeated names become one member holding an array, at the first one's position.
fn group(children: Vec<Member>) -> Vec<Member> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for child in &children {
        *counts.entry(child.key.as_str()).or_insert(0) += 1;
    }
    let repeated: Vec<bool> = children
        .iter()
        .map(|c| counts[c.key.as_str()] > 1)
        .collect();
    let mut out = ObjectBuilder::new();
    for (child, repeated) in children.into_iter().zip(repeated) {
        if !repeated {
            out.upsert(child.key, child.key_span, child.value);
            continue;
        }
        let (_, array) = out.get_or_insert_with(child.key, child.key_span, || {
            Node::new(child.value.span, NodeKind::Array(Vec::new()))
        });
        array.span.end = array.span.end.max(child.value.span.end);
        if let NodeKind::Array(items) = &mut array.kind {
            items.push(child.value);
        }
    }
    out.into_members()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_repeats_and_content() {
        let text = "<?xml version=\"1.0\"?>\n<project xmlns:x=\"urn:x\" id=\"p&amp;1\">\n  <dep scope=\"test\">junit</dep>\n  <dep>core</dep>\n  <name>demo &lt;app&gt;</name>\n  <empty/>\n  <x:tag>ns</x:tag>\n</project>\n";
        let node = parse(text).expect("valid");
        let json = node.to_json();
        assert_eq!(
            json,
            serde_json::json!({"project": {
                "-x": "urn:x",
                "-id": "p&1",
                "dep": [{"-scope": "test", "#content": "junit"}, "core"],
                "name": "demo <app>",
                "empty": "",
                "tag": "ns",
            }})
        );
        let project = &node.get("project").expect("project").value;
        let id = project.get("-id").expect("-id");
        assert_eq!(&text[id.key_span.start..id.key_span.end], "id");
        assert_eq!(&text[id.value.span.start..id.value.span.end], "\"p&amp;1\"");
        let name = project.get("name").expect("name");
        assert_eq!(
            &text[name.value.span.start..name.value.span.end],
            "demo &lt;app&gt;"
        );
    }

    #[test]
    fn errors() {
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a>").is_err());
        assert!(parse("<a>&nope;</a>").is_err());
        let deep = "<a>".repeat(300) + &"</a>".repeat(300);
        assert!(parse(&deep).is_err());
    }
}

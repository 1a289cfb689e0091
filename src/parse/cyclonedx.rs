//! CycloneDX software bills of materials, JSON or XML, in CycloneDX's JSON shape (what
//! conftest hands policies for both).
//!
//! A JSON BOM is its JSON value (a `specVersion` must be one CycloneDX has). An XML BOM
//! (anything that starts with `<`) is read as XML and mapped to the JSON field names:
//! attributes become fields, a list element (`<components>`, `<hashes>`, `<tools>`...)
//! becomes an array of its children, a hash's or property's text becomes its `content` or
//! `value`, each license is wrapped as `{"license": {...}}`, and the root gains
//! `bomFormat` and the `specVersion` its namespace names. Spans are the XML's.

use super::{json, xml, SyntaxError};
use crate::document::{Member, Node, NodeKind, Span};

/// The spec versions CycloneDX has published.
const SPEC_VERSIONS: &[&str] = &["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

/// Elements whose children are the items of a list.
const LISTS: &[&str] = &[
    "components",
    "tools",
    "hashes",
    "licenses",
    "externalReferences",
    "dependencies",
    "properties",
    "services",
    "authors",
    "vulnerabilities",
    "references",
    "compositions",
    "assemblies",
    "endpoints",
    "data",
    "advisories",
    "ratings",
    "cwes",
    "affects",
    "versions",
    "patches",
    "contacts",
    "url",
];

/// Parses a CycloneDX BOM into one object.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if text.trim_start().starts_with('<') {
        return from_xml(text);
    }
    let node = json::parse(text)?;
    if !matches!(node.kind, NodeKind::Object(_)) {
        return Err(SyntaxError::new(
            "a CycloneDX BOM is a JSON object",
            node.span,
        ));
    }
    if let Some(version) = node.get("specVersion") {
        let known = matches!(&version.value.kind, NodeKind::String(v) if SPEC_VERSIONS.contains(&v.as_str()));
        if !known {
            return Err(SyntaxError::new(
                format!(
                    "`specVersion` is not a CycloneDX version (one of {})",
                    SPEC_VERSIONS.join(", ")
                ),
                version.value.span,
            ));
        }
    }
    Ok(node)
}

fn from_xml(text: &str) -> Result<Node, SyntaxError> {
    let root = xml::parse(text)?;
    let Some(bom) = root.get("bom") else {
        return Err(SyntaxError::new(
            "the root element of a CycloneDX BOM is `<bom>`",
            root.span,
        ));
    };
    let span = bom.value.span;
    let namespace = bom.value.get("-xmlns").and_then(|m| match &m.value.kind {
        NodeKind::String(s) => Some((s.clone(), m.value.span)),
        _ => None,
    });
    let mut members = vec![Member {
        key: "bomFormat".to_string(),
        key_span: Span::new(span.start, span.start),
        value: Node::new(
            Span::new(span.start, span.start),
            NodeKind::String("CycloneDX".into()),
        ),
    }];
    if let Some((ns, ns_span)) = namespace {
        let version = ns.rsplit('/').next().unwrap_or_default().to_string();
        if !ns.starts_with("http://cyclonedx.org/schema/bom/")
            || !SPEC_VERSIONS.contains(&version.as_str())
        {
            return Err(SyntaxError::new(
                "the namespace of `<bom>` is not a CycloneDX schema",
                ns_span,
            ));
        }
        members.push(Member {
            key: "specVersion".to_string(),
            key_span: Span::new(ns_span.start, ns_span.start),
            value: Node::new(ns_span, NodeKind::String(version)),
        });
    }
    if let NodeKind::Object(mut converted) = convert(&bom.value, "bom").kind {
        for m in &mut converted {
            if m.key == "version" {
                if let NodeKind::String(s) = &m.value.kind {
                    if let Ok(v) = s.parse::<i64>() {
                        m.value.kind = NodeKind::Int(v);
                    }
                }
            }
        }
        members.extend(converted);
    }
    Ok(Node::new(
        Span::new(0, text.len()),
        NodeKind::Object(members),
    ))
}

/// An element's value in the JSON shape; `name` is the element's name.
fn convert(node: &Node, name: &str) -> Node {
    let span = node.span;
    if LISTS.contains(&name) {
        let items: Vec<Node> = match &node.kind {
            NodeKind::Object(members) => members
                .iter()
                .filter(|m| !m.key.starts_with('-'))
                .flat_map(|m| {
                    let values: Vec<&Node> = match &m.value.kind {
                        NodeKind::Array(items) => items.iter().collect(),
                        _ => vec![&m.value],
                    };
                    values
                        .into_iter()
                        .map(|v| item(v, name, &m.key))
                        .collect::<Vec<_>>()
                })
                .collect(),
            _ => Vec::new(),
        };
        return Node::new(span, NodeKind::Array(items));
    }
    match &node.kind {
        NodeKind::Object(members) => {
            let converted = members
                .iter()
                .filter(|m| !m.key.starts_with("-xmlns") && m.key != "-schemaLocation")
                .map(|m| {
                    let key = match m.key.as_str() {
                        "#content" if name == "property" => "value".to_string(),
                        "#content" => "content".to_string(),
                        k => k.trim_start_matches('-').to_string(),
                    };
                    let value = match &m.value.kind {
                        NodeKind::Array(items) if !LISTS.contains(&m.key.as_str()) => Node::new(
                            m.value.span,
                            NodeKind::Array(items.iter().map(|i| convert(i, &m.key)).collect()),
                        ),
                        _ => convert(&m.value, &m.key),
                    };
                    Member {
                        key,
                        key_span: m.key_span,
                        value,
                    }
                })
                .collect();
            Node::new(span, NodeKind::Object(converted))
        }
        _ => node.clone(),
    }
}

/// One child of a list element.
fn item(value: &Node, list: &str, child: &str) -> Node {
    let converted = convert(value, child);
    match (list, child) {
        // `<licenses><license>` → `{"license": {...}}`; `<expression>` → `{"expression": ...}`.
        ("licenses", _) => Node::new(
            value.span,
            NodeKind::Object(vec![Member {
                key: child.to_string(),
                key_span: Span::new(value.span.start, value.span.start),
                value: converted,
            }]),
        ),
        // A text-only `<property name="x">v</property>` has no `#content`.
        ("properties", _) => match converted.kind {
            NodeKind::String(s) => Node::new(
                value.span,
                NodeKind::Object(vec![Member {
                    key: "value".into(),
                    key_span: Span::new(value.span.start, value.span.start),
                    value: Node::new(value.span, NodeKind::String(s)),
                }]),
            ),
            kind => Node::new(converted.span, kind),
        },
        _ => converted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn xml_in_the_json_shape() {
        let text = r#"<?xml version="1.0" encoding="utf-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.3" serialNumber="urn:uuid:b073" version="1">
  <metadata>
    <timestamp>2021-11-26T07:47:14Z</timestamp>
    <tools><tool><vendor>anchore</vendor><name>syft</name><hashes /></tool></tools>
    <component type="container">
      <name>busybox</name>
      <version>sha256:d7ec</version>
      <hashes><hash alg="SHA-256">abc</hash></hashes>
      <licenses><license><id>MIT</id></license></licenses>
    </component>
  </metadata>
  <components />
</bom>"#;
        let node = parse(text).expect("valid");
        assert_eq!(
            node.to_json(),
            json!({
                "bomFormat": "CycloneDX", "specVersion": "1.3",
                "serialNumber": "urn:uuid:b073", "version": 1,
                "metadata": {
                    "timestamp": "2021-11-26T07:47:14Z",
                    "tools": [{"vendor": "anchore", "name": "syft", "hashes": []}],
                    "component": {
                        "type": "container", "name": "busybox", "version": "sha256:d7ec",
                        "hashes": [{"alg": "SHA-256", "content": "abc"}],
                        "licenses": [{"license": {"id": "MIT"}}],
                    },
                },
                "components": [],
            })
        );
    }

    #[test]
    fn errors_have_positions() {
        let err = parse(r#"{"bomFormat":"CycloneDX","specVersion":"not-a-version"}"#)
            .expect_err("bad version");
        assert_eq!(err.span.start, 39);
        assert!(parse("<notbom/>").is_err());
        assert!(parse("{").is_err());
    }
}

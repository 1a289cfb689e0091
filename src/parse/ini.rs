//! INI files as conftest reads them: `{section: {key: value}}`. Values that read as a
//! number become numbers and `true`/`false` (also `t`, `F`, `TRUE`...) booleans; the rest
//! stay strings. Keys outside any section (go-ini's `DEFAULT` section) are left out, as
//! conftest leaves them out.
//!
//! Comments are lines starting with `;` or `#`, and an unquoted value ends at the first
//! `;` or `#` (go-ini's default). Quoted values (`"..."`, `'...'`) are taken verbatim.

use super::object::ObjectBuilder;
use super::{lines, number_kind, string_node, SyntaxError};
use crate::document::{Node, NodeKind, Span};

/// The section conftest drops.
const DEFAULT_SECTION: &str = "DEFAULT";

/// A section being read: the span of its header and keys so far, and its keys.
struct Section {
    span: Span,
    keys: ObjectBuilder,
}

/// Parses an INI file into one object of sections.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut sections: ObjectBuilder<Section> = ObjectBuilder::new();
    // Position of the current section in `sections`; `None` for the default section.
    let mut current: Option<usize> = None;
    for (start, line) in lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with([';', '#']) {
            continue;
        }
        let at = start + (line.len() - line.trim_start().len());
        let line_end = at + trimmed.len();
        if let Some(header) = trimmed.strip_prefix('[') {
            let Some(close) = header.find(']') else {
                return Err(SyntaxError::new(
                    "unclosed section header: expected `]`",
                    Span::new(at, line_end),
                ));
            };
            let raw = &header[..close];
            let name = raw.trim();
            let name_at = at + 1 + (raw.len() - raw.trim_start().len());
            let name_span = Span::new(name_at, name_at + name.len());
            current = (name != DEFAULT_SECTION).then(|| {
                let (index, _) =
                    sections.get_or_insert_with(name.to_string(), name_span, || Section {
                        span: Span::new(at, line_end),
                        keys: ObjectBuilder::new(),
                    });
                index
            });
            continue;
        }
        let Some(delim) = trimmed.find(['=', ':']) else {
            return Err(SyntaxError::new(
                format!("no `=` or `:` in `{trimmed}`: expected key = value"),
                Span::new(at, line_end),
            ));
        };
        let key = trimmed[..delim].trim_end();
        if key.is_empty() {
            return Err(SyntaxError::new(
                "missing key before `=`",
                Span::new(at, at + 1),
            ));
        }
        let after = &trimmed[delim + 1..];
        let value_at = at + delim + 1 + (after.len() - after.trim_start().len());
        let (value, value_len) = read_value(after.trim_start());
        let Some(section) = current.and_then(|i| sections.get_index_mut(i)) else {
            continue;
        };
        section.span.end = section.span.end.max(line_end);
        section.keys.upsert(
            key.to_string(),
            Span::new(at, at + key.len()),
            Node::new(Span::new(value_at, value_at + value_len), coerce(&value)),
        );
    }
    let sections = sections.into_members_with(|section| {
        Node::new(section.span, NodeKind::Object(section.keys.into_members()))
    });
    Ok(Node::new(
        Span::new(0, text.len()),
        NodeKind::Object(sections),
    ))
}

/// The value and the length of its source text.
fn read_value(raw: &str) -> (String, usize) {
    for quote in ['"', '\''] {
        if let Some(inner) = raw.strip_prefix(quote) {
            if let Some(close) = inner.find(quote) {
                return (inner[..close].to_string(), close + 2);
            }
        }
    }
    let cut = raw.find(['#', ';']).unwrap_or(raw.len());
    let value = raw[..cut].trim_end();
    (value.to_string(), value.len())
}

/// Numbers and booleans as Go's `strconv.ParseFloat` / `ParseBool` accept them.
fn coerce(value: &str) -> NodeKind {
    if let Some(number) = number_kind(value) {
        return number;
    }
    match value {
        "t" | "T" | "TRUE" | "true" | "True" => NodeKind::Bool(true),
        "f" | "F" | "FALSE" | "false" | "False" => NodeKind::Bool(false),
        _ => string_node(Span::default(), value).kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_coercion() {
        let text = "top = skipped\n[server]\nport = 8080\nratio=0.5\ndebug = true\nname = \"web ; 1\"\nhost = example.com ; comment\n[ client ]\nretries: 3\n[server]\nport = 9090\n";
        let node = parse(text).expect("valid");
        assert!(node.get("top").is_none());
        let server = &node.get("server").expect("server").value;
        let kind = |k: &str| server.get(k).expect(k).value.kind.clone();
        assert_eq!(kind("port"), NodeKind::Int(9090));
        assert_eq!(kind("ratio"), NodeKind::Float(0.5));
        assert_eq!(kind("debug"), NodeKind::Bool(true));
        assert_eq!(kind("name"), NodeKind::String("web ; 1".into()));
        assert_eq!(kind("host"), NodeKind::String("example.com".into()));
        let client = node.get("client").expect("client");
        assert_eq!(&text[client.key_span.start..client.key_span.end], "client");
        let retries = client.value.get("retries").expect("retries");
        assert_eq!(&text[retries.value.span.start..retries.value.span.end], "3");
    }

    #[test]
    fn errors() {
        assert_eq!(parse("[a\n").expect_err("unclosed").span.start, 0);
        assert_eq!(parse("[a]\njunk\n").expect_err("no =").span.start, 4);
    }
}

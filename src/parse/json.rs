//! JSON, strictly (no comments, no trailing commas), with spans from `jsonc-parser`.

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

use super::{number_kind, SyntaxError, MAX_DEPTH};
use crate::document::{Member, Node, NodeKind, Span};

/// JSON as RFC 8259 writes it: no comments, trailing commas or JSON5 extensions.
pub(super) fn strict() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Parses one JSON value.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    parse_with(text, &strict())
}

/// Parses one value with the given leniency (shared with the JSONC reader).
pub(super) fn parse_with(text: &str, options: &ParseOptions) -> Result<Node, SyntaxError> {
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let result = jsonc_parser::parse_to_ast(text, &collect, options).map_err(|e| {
        let r = e.range();
        SyntaxError::new(e.kind().to_string(), Span::new(r.start, r.end))
    })?;
    let Some(value) = result.value else {
        return Err(SyntaxError::new(
            "the file is empty; expected a JSON value",
            Span::new(0, 0),
        ));
    };
    convert(value, 0)
}

/// Converts a value nested in `depth` arrays and objects.
fn convert(value: Value<'_>, depth: usize) -> Result<Node, SyntaxError> {
    let range = |r: jsonc_parser::common::Range| Span::new(r.start, r.end);
    let collection = match &value {
        Value::Object(o) => Some(range(o.range)),
        Value::Array(a) => Some(range(a.range)),
        _ => None,
    };
    if let Some(span) = collection.filter(|_| depth >= MAX_DEPTH) {
        return Err(SyntaxError::new(
            format!("nesting is deeper than {MAX_DEPTH} levels"),
            span,
        ));
    }
    Ok(match value {
        Value::NullKeyword(n) => Node::new(range(n.range), NodeKind::Null),
        Value::BooleanLit(b) => Node::new(range(b.range), NodeKind::Bool(b.value)),
        Value::StringLit(s) => Node::new(range(s.range), NodeKind::String(s.value.into_owned())),
        Value::NumberLit(n) => {
            let kind = number_kind(n.value).ok_or_else(|| {
                SyntaxError::new(format!("invalid number `{}`", n.value), range(n.range))
            })?;
            Node::new(range(n.range), kind)
        }
        Value::Array(a) => {
            let items = a
                .elements
                .into_iter()
                .map(|v| convert(v, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Node::new(range(a.range), NodeKind::Array(items))
        }
        Value::Object(o) => {
            let mut members = Vec::with_capacity(o.properties.len());
            for prop in o.properties {
                let (key, key_span) = match prop.name {
                    ObjectPropName::String(s) => (s.value.into_owned(), range(s.range)),
                    ObjectPropName::Word(w) => (w.value.to_string(), range(w.range)),
                };
                members.push(Member {
                    key,
                    key_span,
                    value: convert(prop.value, depth + 1)?,
                });
            }
            Node::new(range(o.range), NodeKind::Object(members))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_integers() {
        let text = r#"{"a": [1, 2.5, -3, 18446744073709551615], "é": "x"}"#;
        let node = parse(text).expect("valid");
        let a = &node.get("a").expect("a").value;
        let NodeKind::Array(items) = &a.kind else {
            panic!("array expected")
        };
        assert_eq!(items[0].kind, NodeKind::Int(1));
        assert_eq!(items[1].kind, NodeKind::Float(2.5));
        assert_eq!(items[2].kind, NodeKind::Int(-3));
        assert_eq!(items[3].kind, NodeKind::UInt(u64::MAX));
        assert_eq!(&text[items[1].span.start..items[1].span.end], "2.5");
        let e = node.get("é").expect("é");
        assert_eq!(&text[e.key_span.start..e.key_span.end], "\"é\"");
        assert_eq!(&text[e.value.span.start..e.value.span.end], "\"x\"");
    }

    #[test]
    fn errors_have_positions() {
        let err = parse("{\n  \"a\": 1,\n}").expect_err("trailing comma");
        assert!(err.span.start > 0, "{err:?}");
        assert!(parse("// c\n{}").is_err());
        assert!(parse("").is_err());
        let deep = "[".repeat(300) + &"]".repeat(300);
        assert!(parse(&deep).is_err());
    }
}

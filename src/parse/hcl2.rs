//! HCL 2 (Terraform and friends) as conftest reads it, with spans from `hcl-edit`.
//!
//! A block's type and labels nest as objects and the innermost level is always an array
//! of bodies (`resource "a" "b" {}` → `{"resource": {"a": {"b": [{...}]}}}`, `lifecycle {}`
//! → `{"lifecycle": [{...}]}`); repeated blocks add to that array. Literals keep their
//! types; strings with interpolations keep them as written (`"${var.x}-a"`); any other
//! expression (a reference, a call, a conditional...) becomes its source text wrapped as
//! `"${...}"`. Heredocs become their text, `<<-` heredocs with the indentation removed.

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::{Element, Template};

use super::object::ObjectBuilder;
use super::{SyntaxError, MAX_DEPTH};
use crate::document::{Member, Node, NodeKind, Span};

/// Parses an HCL file into one object.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        let at = e.location().offset().min(text.len());
        SyntaxError::new(
            e.message().to_string(),
            Span::new(at, (at + 1).min(text.len())),
        )
    })?;
    let members = body_members(&body, text, 1)?;
    Ok(Node::new(
        Span::new(0, text.len()),
        NodeKind::Object(members),
    ))
}

fn span_of(spanned: &impl hcl_edit::Span) -> Span {
    spanned
        .span()
        .map_or(Span::default(), |r| Span::new(r.start, r.end))
}

/// A member value of a body being read: a finished value, or one level of the objects
/// that block labels open, which later blocks may still add to.
enum Entry {
    Value(Node),
    Level(Span, ObjectBuilder<Entry>),
}

impl Entry {
    fn into_node(self) -> Node {
        match self {
            Entry::Value(node) => node,
            Entry::Level(span, members) => Node::new(
                span,
                NodeKind::Object(members.into_members_with(Entry::into_node)),
            ),
        }
    }
}

/// The members of `body`, an object nested in `depth` objects and arrays (itself included).
fn body_members(body: &Body, text: &str, depth: usize) -> Result<Vec<Member>, SyntaxError> {
    let mut members: ObjectBuilder<Entry> = ObjectBuilder::new();
    // Attributes first, then blocks, as conftest builds them.
    for attr in body.attributes() {
        members.upsert(
            attr.key.as_str().to_string(),
            span_of(&attr.key),
            Entry::Value(expression(&attr.value, text)),
        );
    }
    for structure in body.iter() {
        let Structure::Block(block) = structure else {
            continue;
        };
        let block_span = span_of(block);
        // One object per label, then the array of bodies, then the body.
        let body_depth = depth + block.labels.len() + 2;
        if body_depth > MAX_DEPTH {
            let at = block
                .labels
                .get(MAX_DEPTH.saturating_sub(depth + 2))
                .map_or(block_span, span_of);
            return Err(SyntaxError::new(
                format!(
                    "block `{}` nests deeper than {MAX_DEPTH} levels (each label is a level)",
                    block.ident.as_str()
                ),
                at,
            ));
        }
        let value = Node::new(
            block_span,
            NodeKind::Object(body_members(&block.body, text, body_depth)?),
        );
        // Walk down (creating as needed) one object per label.
        let mut level = &mut members;
        let mut key = (block.ident.as_str().to_string(), span_of(&block.ident));
        for label in &block.labels {
            let (_, entry) = level.get_or_insert_with(key.0.clone(), key.1, || {
                Entry::Level(block_span, ObjectBuilder::new())
            });
            if let Entry::Value(node) = entry {
                // An attribute whose value is an object: blocks add to it.
                if let NodeKind::Object(inner) = &mut node.kind {
                    let inner =
                        ObjectBuilder::from_members_with(std::mem::take(inner), Entry::Value);
                    *entry = Entry::Level(node.span, inner);
                }
            }
            level = match entry {
                Entry::Level(_, inner) => inner,
                Entry::Value(_) => {
                    return Err(SyntaxError::new(
                        format!(
                            "block `{}` clashes with an attribute of the same name",
                            key.0
                        ),
                        block_span,
                    ))
                }
            };
            key = (label.as_str().to_string(), span_of(label));
        }
        match level.get_mut(&key.0) {
            Some(entry) => {
                let mut existing = match std::mem::replace(entry, Entry::Value(null())) {
                    Entry::Value(node) => node,
                    level @ Entry::Level(..) => level.into_node(),
                };
                existing.span.end = existing.span.end.max(block_span.end);
                let merged = match existing.kind {
                    NodeKind::Array(mut items) => {
                        items.push(value);
                        Node::new(existing.span, NodeKind::Array(items))
                    }
                    _ => {
                        let span = Span::new(existing.span.start, block_span.end);
                        Node::new(span, NodeKind::Array(vec![existing, value]))
                    }
                };
                *entry = Entry::Value(merged);
            }
            None => level.upsert(
                key.0,
                key.1,
                Entry::Value(Node::new(block_span, NodeKind::Array(vec![value]))),
            ),
        }
    }
    Ok(members.into_members_with(Entry::into_node))
}

fn null() -> Node {
    Node::new(Span::default(), NodeKind::Null)
}

fn source<'t>(spanned: &impl hcl_edit::Span, text: &'t str) -> &'t str {
    let span = span_of(spanned);
    text.get(span.start..span.end).unwrap_or_default()
}

/// `"${...}"` around an expression's source text.
fn wrapped(expr: &Expression, text: &str) -> String {
    format!("${{{}}}", source(expr, text))
}

fn expression(expr: &Expression, text: &str) -> Node {
    let span = span_of(expr);
    let kind = match expr {
        Expression::Null(_) => NodeKind::Null,
        Expression::Bool(b) => NodeKind::Bool(*b.value()),
        Expression::Number(n) => {
            let n = n.value();
            if let Some(i) = n.as_i64() {
                NodeKind::Int(i)
            } else if let Some(u) = n.as_u64() {
                NodeKind::UInt(u)
            } else {
                n.as_f64().map_or(NodeKind::Null, NodeKind::Float)
            }
        }
        Expression::String(s) => NodeKind::String(s.value().clone()),
        Expression::Array(items) => {
            NodeKind::Array(items.iter().map(|item| expression(item, text)).collect())
        }
        Expression::Object(object) => {
            let mut members = ObjectBuilder::new();
            for (key, value) in object.iter() {
                let name = match key {
                    ObjectKey::Ident(ident) => ident.as_str().to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                    ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_string(),
                    ObjectKey::Expression(Expression::Traversal(_)) => {
                        source(key, text).to_string()
                    }
                    ObjectKey::Expression(Expression::StringTemplate(t)) => template_text(t, text),
                    ObjectKey::Expression(other) => wrapped(other, text),
                };
                members.upsert(name, span_of(key), expression(value.expr(), text));
            }
            NodeKind::Object(members.into_members())
        }
        Expression::StringTemplate(t) => NodeKind::String(template_text(t, text)),
        Expression::HeredocTemplate(heredoc) => {
            let mut heredoc = heredoc.as_ref().clone();
            heredoc.dedent();
            NodeKind::String(template_text(&heredoc.template, text))
        }
        Expression::Parenthesis(_)
        | Expression::Variable(_)
        | Expression::Conditional(_)
        | Expression::FuncCall(_)
        | Expression::Traversal(_)
        | Expression::UnaryOp(_)
        | Expression::BinaryOp(_)
        | Expression::ForExpr(_) => NodeKind::String(wrapped(expr, text)),
    };
    Node::new(span, kind)
}

/// A template's text: literal parts decoded, interpolations and directives as written.
fn template_text(template: &Template, text: &str) -> String {
    let mut out = String::new();
    for element in template.iter() {
        match element {
            Element::Literal(literal) => out.push_str(literal.value()),
            Element::Interpolation(interpolation) => {
                out.push_str(&wrapped(&interpolation.expr, text));
            }
            Element::Directive(directive) => out.push_str(source(directive.as_ref(), text)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conftest_shape() {
        let text = r#"
variable "region" {
  default = "eu-west-1"
}
resource "aws_s3_bucket" "a" {
  bucket = "logs-${var.env}"
  acl    = var.acl
  count  = 2
  ratio  = 0.5
  tags   = { Name = "a", "team" = local.team }
  lifecycle {
    prevent_destroy = true
  }
}
resource "aws_s3_bucket" "b" {
  policy = <<-EOT
    {"a": 1}
  EOT
}
"#;
        let node = parse(text).expect("valid");
        assert_eq!(
            node.to_json(),
            json!({
                "variable": {"region": [{"default": "eu-west-1"}]},
                "resource": {"aws_s3_bucket": {
                    "a": [{
                        "bucket": "logs-${var.env}",
                        "acl": "${var.acl}",
                        "count": 2,
                        "ratio": 0.5,
                        "tags": {"Name": "a", "team": "${local.team}"},
                        "lifecycle": [{"prevent_destroy": true}],
                    }],
                    "b": [{"policy": "{\"a\": 1}\n"}],
                }},
            })
        );
        let resource = &node.get("resource").expect("resource").value;
        let bucket = &resource.get("aws_s3_bucket").expect("type").value;
        let b = bucket.get("b").expect("b");
        assert_eq!(&text[b.key_span.start..b.key_span.end], "\"b\"");
    }

    #[test]
    fn errors_have_positions() {
        let err = parse("a = 1\nb = \n").expect_err("missing value");
        assert!(err.span.start >= 6, "{err:?}");
        let deep = "a = ".to_string() + &"[".repeat(300) + &"]".repeat(300);
        assert!(parse(&deep).is_err());
    }
}

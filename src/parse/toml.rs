//! TOML 1.0, with spans from the `toml` crate's span-preserving document parser.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{number_kind, SyntaxError, MAX_DEPTH};
use crate::document::{Member, Node, NodeKind, Span};

/// Parses a TOML document into one object node.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let table = DeTable::parse(text).map_err(|e| {
        let span = e
            .span()
            .map_or(Span::default(), |r| Span::new(r.start, r.end));
        SyntaxError::new(e.message().trim_end().to_string(), span)
    })?;
    let span = Span::new(0, text.len());
    Ok(Node::new(span, table_kind(table.get_ref(), 0)?))
}

fn table_kind(table: &DeTable<'_>, depth: usize) -> Result<NodeKind, SyntaxError> {
    let mut members = Vec::with_capacity(table.len());
    for (key, value) in table.iter() {
        let key_span = span_of(key);
        members.push(Member {
            key: key.get_ref().to_string(),
            key_span,
            value: convert(value, depth + 1)?,
        });
    }
    // Source order, as the other formats keep it.
    members.sort_by_key(|m| (m.key_span.start, m.value.span.start));
    Ok(NodeKind::Object(members))
}

fn span_of<T>(spanned: &Spanned<T>) -> Span {
    let r = spanned.span();
    Span::new(r.start, r.end)
}

/// Converts a value nested in `depth` arrays and tables.
fn convert(value: &Spanned<DeValue<'_>>, depth: usize) -> Result<Node, SyntaxError> {
    let span = span_of(value);
    let collection = matches!(value.get_ref(), DeValue::Array(_) | DeValue::Table(_));
    if collection && depth >= MAX_DEPTH {
        return Err(SyntaxError::new(
            format!("nesting is deeper than {MAX_DEPTH} levels"),
            span,
        ));
    }
    let kind = match value.get_ref() {
        DeValue::String(s) => NodeKind::String(s.to_string()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            let parsed = if i.radix() == 10 {
                number_kind(&digits)
            } else {
                i64::from_str_radix(&digits, i.radix())
                    .ok()
                    .map(NodeKind::Int)
            };
            parsed.ok_or_else(|| SyntaxError::new("integer out of range", span))?
        }
        DeValue::Float(f) => {
            let text = f.as_str().replace('_', "");
            let numeric = text.contains(|c: char| c.is_ascii_digit());
            match numeric.then(|| text.parse::<f64>().ok()).flatten() {
                Some(v) if v.is_finite() => NodeKind::Float(v),
                // inf and nan have no JSON form; policies see their spelling.
                _ => NodeKind::String(text),
            }
        }
        DeValue::Boolean(b) => NodeKind::Bool(*b),
        DeValue::Datetime(d) => NodeKind::String(d.to_string()),
        DeValue::Array(items) => NodeKind::Array(
            items
                .iter()
                .map(|v| convert(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(t) => table_kind(t, depth)?,
    };
    Ok(Node::new(span, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_spans() {
        let text = "title = \"x\"\n[owner]\nname = \"Tom\"\ndob = 1979-05-27T07:32:00Z\n[[products]]\nsku = 0x1F\n[[products]]\nprice = 1_000.5\n";
        let node = parse(text).expect("valid");
        let owner = &node.get("owner").expect("owner").value;
        let name = owner.get("name").expect("name");
        assert_eq!(&text[name.value.span.start..name.value.span.end], "\"Tom\"");
        assert_eq!(
            owner.get("dob").expect("dob").value.kind,
            NodeKind::String("1979-05-27T07:32:00Z".into())
        );
        let NodeKind::Array(products) = &node.get("products").expect("products").value.kind else {
            panic!("array of tables")
        };
        assert_eq!(
            products[0].get("sku").expect("sku").value.kind,
            NodeKind::Int(31)
        );
        assert_eq!(
            products[1].get("price").expect("price").value.kind,
            NodeKind::Float(1000.5)
        );
    }

    #[test]
    fn errors_have_positions() {
        let err = parse("a = 1\nb = \n").expect_err("missing value");
        assert!(err.span.start >= 6, "{err:?}");
        assert!(parse("a = 1\na = 2\n").is_err());
    }
}

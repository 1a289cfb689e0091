//! Checks made once the policies compile and before any document is evaluated, for
//! mistakes conftest (or OPA's compiler) rejects but regorus would run.

use regorus::unstable::{Expr, Ref, Rule, RuleHead};

use super::{rule_severity, PolicyError};

/// conftest's check for `deny[msg] if { ... }`: in Rego v1 that head (a reference without
/// `contains` and without a value) defines `deny` as an object mapping each message to
/// `true`, not a set of messages, so every result would be lost. conftest refuses such a
/// policy with this message; so does goldenpath, at the rule's head.
pub(super) fn object_shaped_rules<'a>(
    definitions: impl Iterator<Item = &'a Ref<Rule>>,
    sources: &[(String, String)],
) -> Result<(), PolicyError> {
    let mut offending: Vec<(String, u32, usize, usize)> = definitions
        .filter_map(|rule| {
            let Rule::Spec {
                head:
                    RuleHead::Compr {
                        refr, assign: None, ..
                    },
                ..
            } = rule.as_ref()
            else {
                return None;
            };
            let name = ref_base(refr)?;
            rule_severity(name)?;
            let span = refr.span();
            let start = usize::try_from(span.start).ok()?;
            let end = usize::try_from(span.end).ok()?;
            Some((span.source.file().clone(), span.line, start, end))
        })
        .collect();
    offending.sort();
    let Some((file, _, start, end)) = offending.into_iter().next() else {
        return Ok(());
    };
    let source = sources
        .iter()
        .find(|(label, _)| *label == file)
        .map_or("", |(_, text)| text.as_str());
    // regorus's span of `deny[msg]` stops before the closing bracket.
    let end = if source.get(end..).is_some_and(|r| r.starts_with(']')) {
        end + 1
    } else {
        end
    };
    let name = source.get(start..end).unwrap_or("deny[msg]");
    let base = name.split(['[', '.']).next().unwrap_or("deny");
    Err(PolicyError::at(
        &file,
        source,
        start,
        end.saturating_sub(start),
        "rule is using 'if' keyword without 'contains' keyword".to_string(),
        Some(format!(
            "in Rego v1, `{name} if` makes `{base}` an object and its messages are lost: write `{base} contains {} if`",
            name.strip_prefix(base)
                .and_then(|r| r.strip_prefix('['))
                .and_then(|r| r.strip_suffix(']'))
                .unwrap_or("msg")
        )),
    ))
}

/// The first name of a multi-part reference head (`deny` of `deny[msg]` or `deny.x`);
/// `None` for a plain name.
fn ref_base(refr: &Ref<Expr>) -> Option<&str> {
    let mut current = refr;
    let mut depth = 0;
    loop {
        match current.as_ref() {
            Expr::RefBrack { refr, .. } | Expr::RefDot { refr, .. } => {
                current = refr;
                depth += 1;
            }
            Expr::Var { span, .. } if depth > 0 => return Some(span.text()),
            _ => return None,
        }
    }
}

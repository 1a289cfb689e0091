//! Turning jsonschema validation errors into short, human messages located by an
//! instance path: one function per error kind, never a dump of the schema.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::{Location, LocationSegment};
use jsonschema::ValidationError;
use serde_json::Value;

use crate::document::PathSeg;

/// Options listed in a message before the rest are counted instead.
const MAX_LISTED: usize = 8;

/// One problem in a validated value: where it is and what is wrong, in words.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// The keys and indices of the offending value (for a missing or unknown key, the
    /// path of that key).
    pub path: Vec<PathSeg>,
    /// The message, e.g. "`spec.owner` is required".
    pub message: String,
    /// Whether the problem is the key itself (an unknown key), not its value.
    pub key: bool,
}

/// The violations of one error (an error about several unknown keys gives one each).
pub fn violations(error: &ValidationError<'_>) -> Vec<Violation> {
    let path = segments(error.instance_path());
    let here = |message: String| {
        vec![Violation {
            path: path.clone(),
            message,
            key: false,
        }]
    };
    let at = quoted(&path);
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let mut missing = path.clone();
            missing.push(PathSeg::Key(plain(property)));
            let message = format!("{} is required", quoted(&missing));
            vec![Violation {
                path: missing,
                message,
                key: false,
            }]
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => unexpected
            .iter()
            .map(|key| {
                let mut unknown = path.clone();
                unknown.push(PathSeg::Key(key.clone()));
                Violation {
                    message: format!("unknown key {}", quoted(&unknown)),
                    path: unknown,
                    key: true,
                }
            })
            .collect(),
        ValidationErrorKind::Type { kind } => here(format!(
            "{at} must be {}, not {}",
            expected_types(kind),
            with_article(type_of(error.instance()))
        )),
        ValidationErrorKind::Enum { options } => here(format!(
            "{at} must be one of: {}",
            listing(options.as_array().map_or(&[][..], Vec::as_slice))
        )),
        ValidationErrorKind::Constant { expected_value } => {
            here(format!("{at} must be {}", literal(expected_value)))
        }
        ValidationErrorKind::Pattern { pattern } => here(format!(
            "{at} must match the pattern `{}`",
            one_line(pattern)
        )),
        ValidationErrorKind::Format { format } => here(format!("{at} is not a valid {format}")),
        ValidationErrorKind::MinLength { limit } => here(format!(
            "{at} must be at least {} long",
            count(*limit, "character", "characters")
        )),
        ValidationErrorKind::MaxLength { limit } => here(format!(
            "{at} must be at most {} long",
            count(*limit, "character", "characters")
        )),
        ValidationErrorKind::MinItems { limit } => here(format!(
            "{at} must have at least {}",
            count(*limit, "item", "items")
        )),
        ValidationErrorKind::MaxItems { limit } => here(format!(
            "{at} must have at most {}",
            count(*limit, "item", "items")
        )),
        ValidationErrorKind::AdditionalItems { limit } => here(format!(
            "{at} must have at most {}",
            count(*limit as u64, "item", "items")
        )),
        ValidationErrorKind::UnevaluatedItems { .. } => {
            here(format!("{at} has items that are not allowed"))
        }
        ValidationErrorKind::MinProperties { limit } => here(format!(
            "{at} must have at least {}",
            count(*limit, "key", "keys")
        )),
        ValidationErrorKind::MaxProperties { limit } => here(format!(
            "{at} must have at most {}",
            count(*limit, "key", "keys")
        )),
        ValidationErrorKind::Minimum { limit } => here(format!("{at} must be at least {limit}")),
        ValidationErrorKind::Maximum { limit } => here(format!("{at} must be at most {limit}")),
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            here(format!("{at} must be greater than {limit}"))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            here(format!("{at} must be less than {limit}"))
        }
        ValidationErrorKind::MultipleOf { multiple_of } => {
            here(format!("{at} must be a multiple of {multiple_of}"))
        }
        ValidationErrorKind::UniqueItems => here(format!("{at} must not repeat items")),
        ValidationErrorKind::Contains => {
            here(format!("{at} must contain at least one matching item"))
        }
        ValidationErrorKind::FalseSchema => vec![Violation {
            message: format!("{at} is not allowed"),
            key: matches!(path.last(), Some(PathSeg::Key(_))),
            path: path.clone(),
        }],
        ValidationErrorKind::Not { .. } => here(format!("{at} has a value that is not allowed")),
        ValidationErrorKind::OneOfMultipleValid { .. } => here(format!(
            "{at} is ambiguous: it matches more than one of the allowed forms"
        )),
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            alternatives(&path, context)
        }
        ValidationErrorKind::PropertyNames { error } => {
            let name = plain(error.instance());
            let mut inner = violations(error);
            let reason = inner
                .pop()
                .map(|v| v.message)
                .unwrap_or_else(|| "is invalid".to_string());
            here(format!("key `{name}` in {at} is not allowed ({reason})"))
        }
        ValidationErrorKind::BacktrackLimitExceeded { .. } => here(format!(
            "{at} could not be checked: its pattern needs too much backtracking"
        )),
        ValidationErrorKind::ContentEncoding { content_encoding } => {
            here(format!("{at} is not valid {content_encoding}"))
        }
        ValidationErrorKind::ContentMediaType { content_media_type } => {
            here(format!("{at} is not valid {content_media_type}"))
        }
        ValidationErrorKind::FromUtf8 { .. } => here(format!("{at} does not decode to UTF-8")),
        ValidationErrorKind::Custom { message, .. } => here(format!("{at}: {message}")),
        ValidationErrorKind::RegexEngineFailure { message } => {
            here(format!("{at} could not be checked: {message}"))
        }
        ValidationErrorKind::Referencing(err) => here(format!("{at} could not be checked: {err}")),
    }
}

/// `anyOf`/`oneOf` with no matching branch. Branches that fail on a discriminator (a
/// `const` anywhere, or the type of the value itself) are set aside; when one branch is
/// left, or one got further into the value than the others, its problems are the useful
/// ones. Otherwise, when every branch failed on the value itself in a way that can be
/// said in a few words, the alternatives are listed.
fn alternatives(path: &[PathSeg], context: &[Vec<ValidationError<'static>>]) -> Vec<Violation> {
    let at = quoted(path);
    let mut options = Vec::new();
    for branch in context {
        match branch.as_slice() {
            [e] if segments(e.instance_path()).len() == path.len() => match predicate(e.kind()) {
                Some(p) => options.push(p),
                None => {
                    options.clear();
                    break;
                }
            },
            _ => {
                options.clear();
                break;
            }
        }
    }
    options.dedup();
    options.dedup();
    if !options.is_empty() {
        return vec![Violation {
            path: path.to_vec(),
            message: format!("{at} must {}", join_predicates(&options)),
            key: false,
        }];
    }
    let depth = |branch: &Vec<ValidationError<'static>>| {
        branch
            .iter()
            .map(|e| segments(e.instance_path()).len())
            .max()
            .unwrap_or(0)
    };
    let ruled_out = |branch: &Vec<ValidationError<'static>>| {
        branch.iter().any(|e| match e.kind() {
            ValidationErrorKind::Constant { .. } => true,
            ValidationErrorKind::Type { .. } => segments(e.instance_path()).len() == path.len(),
            _ => false,
        })
    };
    let remaining: Vec<&Vec<ValidationError<'static>>> = context
        .iter()
        .filter(|b| !b.is_empty() && !ruled_out(b))
        .collect();
    let deepest = remaining.iter().map(|b| depth(b)).max().unwrap_or(0);
    let deeper: Vec<&&Vec<ValidationError<'static>>> =
        remaining.iter().filter(|b| depth(b) == deepest).collect();
    let chosen = match (remaining.as_slice(), deeper.as_slice()) {
        ([only], _) => Some(*only),
        (_, [one]) if deepest > path.len() => Some(**one),
        _ => None,
    };
    if let Some(branch) = chosen {
        let mut found: Vec<Violation> = branch.iter().flat_map(violations).collect();
        found.sort();
        found.dedup();
        return found;
    }
    let message = if options.is_empty() {
        format!("{at} does not match any of the allowed forms")
    } else {
        format!("{at} must {}", join_or(&options))
    };
    vec![Violation {
        path: path.to_vec(),
        message,
        key: false,
    }]
}

/// What a simple failed check asked for, as a verb phrase ("be a number").
fn predicate(kind: &ValidationErrorKind) -> Option<String> {
    Some(match kind {
        ValidationErrorKind::Type { kind } => format!("be {}", expected_types(kind)),
        ValidationErrorKind::Constant { expected_value } => {
            format!("be {}", literal(expected_value))
        }
        ValidationErrorKind::Enum { options } => format!(
            "be one of: {}",
            listing(options.as_array().map_or(&[][..], Vec::as_slice))
        ),
        ValidationErrorKind::Pattern { pattern } => {
            format!("match the pattern `{}`", one_line(pattern))
        }
        ValidationErrorKind::Format { format } => format!("be a valid {format}"),
        _ => return None,
    })
}

/// Control characters of a pattern written as escapes, so a message stays on one line.
fn one_line(text: &str) -> String {
    text.replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t")
}

/// "be a number or be a string" said as "be a number or a string".
fn join_predicates(options: &[String]) -> String {
    let objects: Option<Vec<String>> = options
        .iter()
        .map(|o| o.strip_prefix("be ").map(str::to_string))
        .collect();
    match objects {
        Some(objects) => format!("be {}", join_or(&objects)),
        None => join_or(options),
    }
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// A jsonschema location as path segments.
pub fn segments(location: &Location) -> Vec<PathSeg> {
    location
        .iter()
        .map(|seg| match seg {
            LocationSegment::Property(p) => PathSeg::Key(p.into_owned()),
            LocationSegment::Index(i) => PathSeg::Index(i),
        })
        .collect()
}

/// A path as people write it, in backticks: `` `spec.containers[0].image` ``; the
/// root is "the document".
pub fn quoted(path: &[PathSeg]) -> String {
    if path.is_empty() {
        return "the document".to_string();
    }
    let mut out = String::from("`");
    for (i, seg) in path.iter().enumerate() {
        match seg {
            PathSeg::Index(n) => out.push_str(&format!("[{n}]")),
            PathSeg::Key(k) if is_identifier(k) => {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSeg::Key(k) => out.push_str(&format!("[{}]", Value::from(k.as_str()))),
        }
    }
    out.push('`');
    out
}

fn is_identifier(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '$')
}

/// A string as itself, anything else as JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A value for a message: `production`, `true`, `{"a":1}`, with long lists cut.
fn listing(options: &[Value]) -> String {
    let mut shown: Vec<String> = options.iter().take(MAX_LISTED).map(plain).collect();
    if options.len() > MAX_LISTED {
        shown.push(format!("… ({} more)", options.len() - MAX_LISTED));
    }
    shown.join(", ")
}

fn literal(value: &Value) -> String {
    let text = plain(value);
    if text.chars().count() > 60 {
        "a specific value".to_string()
    } else {
        format!("`{text}`")
    }
}

fn expected_types(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Single(t) => with_article(t.as_str()),
        TypeKind::Multiple(set) => {
            let names: Vec<String> = set.iter().map(|t| with_article(t.as_str())).collect();
            join_or(&names)
        }
    }
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn with_article(name: &str) -> String {
    match name {
        "null" => "null".to_string(),
        "array" | "object" | "integer" => format!("an {name}"),
        _ => format!("a {name}"),
    }
}

fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(schema: Value, instance: Value) -> Vec<String> {
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("schema");
        let mut out: Vec<String> = validator
            .iter_errors(&instance)
            .flat_map(|e| violations(&e))
            .map(|v| v.message)
            .collect();
        out.sort();
        out
    }

    #[test]
    fn paths_read_like_code() {
        let path = vec![
            PathSeg::Key("spec".into()),
            PathSeg::Key("containers".into()),
            PathSeg::Index(0),
            PathSeg::Key("app.kubernetes.io/name".into()),
        ];
        assert_eq!(
            quoted(&path),
            "`spec.containers[0][\"app.kubernetes.io/name\"]`"
        );
        assert_eq!(quoted(&[]), "the document");
    }

    #[test]
    fn one_message_per_kind() {
        let schema = json!({
            "type": "object",
            "required": ["owner"],
            "additionalProperties": false,
            "properties": {
                "owner": {"type": "string"},
                "lifecycle": {"enum": ["production", "experimental"]},
                "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 3},
                "email": {"type": "string", "format": "email"},
                "replicas": {"type": "integer", "minimum": 1},
                "tags": {"type": "array", "minItems": 1, "uniqueItems": true},
                "port": {"anyOf": [{"type": "integer"}, {"type": "string"}]}
            }
        });
        let instance = json!({
            "lifecycle": "beta", "name": "ABCD", "email": "nope",
            "replicas": 0, "tags": [], "port": true, "extra": 1
        });
        assert_eq!(
            messages(schema, instance),
            vec![
                "`email` is not a valid email",
                "`lifecycle` must be one of: production, experimental",
                "`name` must be at most 3 characters long",
                "`name` must match the pattern `^[a-z]+$`",
                "`owner` is required",
                "`port` must be an integer or a string",
                "`replicas` must be at least 1",
                "`tags` must have at least 1 item",
                "unknown key `extra`",
            ]
        );
    }

    #[test]
    fn branch_that_got_furthest_wins() {
        let schema = json!({
            "oneOf": [
                {"type": "string"},
                {"type": "object", "required": ["uses"], "properties": {"uses": {"type": "string"}}}
            ]
        });
        assert_eq!(
            messages(schema, json!({"uses": 3})),
            vec!["`uses` must be a string, not an integer"]
        );
    }
}

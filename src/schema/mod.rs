//! JSON Schema policies: mappings from file globs to schemas, compiled once per run and
//! shared by every worker thread, and the findings a document gets from them.
//!
//! Drafts 4, 6, 7, 2019-09 and 2020-12 are detected from `$schema` (2020-12 when absent);
//! `format` is always checked; `$ref`s to other files are resolved relative to the schema
//! and never over the network (see [`retrieve`]). Patterns run on fancy-regex with a
//! backtracking limit, so a hostile schema cannot hang a run.

mod error;
pub mod message;
mod pattern;
pub mod retrieve;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::confine::Root;
use crate::source_error::SourceError;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use jsonschema::{ValidationError, ValidationOptions, Validator};

use crate::document::{InputOrigin, Node, NodeKind, Span};
use crate::finding::{Finding, RuleInfo, Severity, Target};
use crate::format::Format;

pub use error::SchemaError;
pub use message::Violation;

pub use pattern::BACKTRACK_LIMIT;

/// One `[[schemas]]` entry, with its schema path already resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaMapping {
    /// Rule id of its findings.
    pub id: String,
    /// Globs of the files it applies to, relative to the repository root.
    pub files: Vec<String>,
    /// The schema file.
    pub schema: PathBuf,
    /// Severity of its findings.
    pub severity: Severity,
    /// The directory the schema's `$ref`s must stay inside, for a schema named by a
    /// checked repository's configuration.
    pub root: Option<Root>,
}

/// The compiled schema mappings of a run.
#[derive(Debug, Default)]
pub struct SchemaSet {
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    id: String,
    severity: Severity,
    globs: GlobSet,
    schema: String,
    validator: Arc<Validator>,
}

/// The options every schema is compiled with: offline references relative to `dir` (and
/// inside `root`, when given), `format` checked, bounded regex backtracking with every
/// `pattern` decided on its own ([`pattern`]).
pub fn validator_options(dir: &Path, root: Option<&Root>) -> ValidationOptions<'static> {
    jsonschema::options()
        .with_base_uri(format!(
            "{}/",
            retrieve::file_uri(dir).trim_end_matches('/')
        ))
        .with_retriever(retrieve::LocalRetriever::new(dir, root.cloned()))
        .should_validate_formats(true)
        .with_pattern_options(pattern::options())
        .with_keyword("pattern", pattern::keyword)
}

impl SchemaSet {
    /// Reads and compiles every mapping's schema (each distinct file once).
    pub fn load(mappings: &[SchemaMapping]) -> Result<SchemaSet, SchemaError> {
        let mut compiled: BTreeMap<PathBuf, Arc<Validator>> = BTreeMap::new();
        let mut entries = Vec::with_capacity(mappings.len());
        for mapping in mappings {
            let validator = match compiled.get(&mapping.schema) {
                Some(v) => Arc::clone(v),
                None => {
                    let v = Arc::new(compile_file(mapping)?);
                    compiled.insert(mapping.schema.clone(), Arc::clone(&v));
                    v
                }
            };
            entries.push(Entry {
                id: mapping.id.clone(),
                severity: mapping.severity,
                globs: globs(mapping)?,
                schema: crate::discover::display(&mapping.schema),
                validator,
            });
        }
        Ok(SchemaSet { entries })
    }

    /// Whether there are no mappings.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The ids of the mappings, in configuration order.
    pub fn ids(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.id.clone()).collect()
    }

    /// The indices of the mappings whose globs match `relative` (a path relative to the
    /// repository root, forward slashes).
    pub fn matching(&self, relative: &str) -> Vec<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.globs.is_match(relative))
            .map(|(i, _)| i)
            .collect()
    }

    /// Validates one input against mapping `index`: one finding per violation.
    pub fn validate(
        &self,
        index: usize,
        node: &Node,
        origin: InputOrigin,
        file: &str,
    ) -> Vec<Finding> {
        let Some(entry) = self.entries.get(index) else {
            return Vec::new();
        };
        let instance = node.to_json();
        let mut found: Vec<Violation> = entry
            .validator
            .iter_errors(&instance)
            .flat_map(|e| message::violations(&e))
            .collect();
        found.sort();
        found.dedup();
        found
            .into_iter()
            .map(|v| Finding {
                rule: entry.id.clone(),
                severity: entry.severity,
                message: v.message,
                file: file.to_string(),
                target: Target::Path {
                    origin,
                    path: v.path,
                },
                metadata: Default::default(),
            })
            .collect()
    }

    /// Report metadata for each mapping.
    pub fn rules(&self) -> Vec<RuleInfo> {
        self.entries
            .iter()
            .map(|e| RuleInfo {
                id: e.id.clone(),
                severity: Some(e.severity),
                title: Some(format!(
                    "Files must conform to the JSON Schema `{}`",
                    e.schema
                )),
                help: Some(format!(
                    "Fix the value so that it is valid against `{}`.",
                    e.schema
                )),
                ..RuleInfo::default()
            })
            .collect()
    }
}

fn globs(mapping: &SchemaMapping) -> Result<GlobSet, SchemaError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in &mapping.files {
        let trimmed = pattern.trim_start_matches("./");
        let glob = GlobBuilder::new(trimmed)
            .literal_separator(true)
            .build()
            .map_err(|e| SchemaError::Glob {
                id: mapping.id.clone(),
                pattern: pattern.clone(),
                message: e.kind().to_string(),
            })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| SchemaError::Glob {
        id: mapping.id.clone(),
        pattern: mapping.files.join(", "),
        message: e.to_string(),
    })
}

/// Reads, parses and compiles the schema file of a mapping.
fn compile_file(mapping: &SchemaMapping) -> Result<Validator, SchemaError> {
    let (id, path) = (&mapping.id, &mapping.schema);
    let file = crate::discover::display(path);
    let text = crate::confine::read_to_string(path).map_err(|e| SchemaError::Read {
        id: id.to_string(),
        file: file.clone(),
        message: e.to_string(),
    })?;
    let invalid = |message: String, span: Option<Span>, help: Option<String>| {
        SchemaError::Invalid(Box::new(
            SourceError::new(
                "goldenpath::schema::invalid",
                format!("schema `{file}` (mapping `{id}`): {message}"),
            )
            .with_source(&file, text.clone())
            .at(span)
            .with_optional_help(help),
        ))
    };
    let node = match crate::parse::parse_text(Format::Json, &text) {
        Ok(mut roots) if roots.len() == 1 => roots.remove(0),
        Ok(_) => return Err(invalid("not a single JSON value".into(), None, None)),
        Err(e) => {
            return Err(invalid(
                format!("not valid JSON: {}", e.message),
                Some(e.span),
                None,
            ))
        }
    };
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = absolute.parent().unwrap_or(Path::new("/"));
    compile_value(&node, dir, mapping.root.as_ref())
        .map_err(|(message, span, help)| invalid(message, span, help))
}

/// Compiles a parsed schema whose relative `$ref`s resolve against `dir` (and stay inside
/// `root`, when given). On failure, returns a message, the span in the schema it
/// concerns, and a hint.
pub fn compile_value(
    node: &Node,
    dir: &Path,
    root: Option<&Root>,
) -> Result<Validator, (String, Option<Span>, Option<String>)> {
    let value = node.to_json();
    validator_options(dir, root)
        .build(&value)
        .map_err(|err| build_error(&err, node))
}

fn build_error(err: &ValidationError<'_>, node: &Node) -> (String, Option<Span>, Option<String>) {
    if let jsonschema::error::ValidationErrorKind::Referencing(inner) = err.kind() {
        let message = match inner {
            jsonschema::ReferencingError::Unretrievable { uri, source } => {
                format!("cannot resolve `$ref` to `{uri}`: {source}")
            }
            other => format!("cannot resolve a `$ref`: {other}"),
        };
        let uri = match inner {
            jsonschema::ReferencingError::Unretrievable { uri, .. } => uri.as_str(),
            _ => "",
        };
        let help = uri.starts_with("http").then(|| {
            "goldenpath resolves a remote `$ref` only to a file of the same name beside the schema whose `$id` is that URI".to_string()
        });
        return (message, find_ref(node, uri).map(|n| n.span), help);
    }
    let violations = message::violations(err);
    let path = violations
        .first()
        .map(|v| v.path.clone())
        .unwrap_or_default();
    let message = violations
        .first()
        .map_or_else(|| err.to_string(), |v| v.message.clone());
    let walk = node.walk(&path);
    let span = walk.key_span.unwrap_or(walk.node.span);
    (
        format!("not a valid JSON Schema: {message}"),
        Some(span),
        None,
    )
}

/// The first `$ref` whose target (without fragment) is a suffix of `uri`.
fn find_ref<'a>(node: &'a Node, uri: &str) -> Option<&'a Node> {
    match &node.kind {
        NodeKind::Object(members) => members.iter().find_map(|m| {
            if m.key == "$ref" {
                if let NodeKind::String(target) = &m.value.kind {
                    let file = target.split('#').next().unwrap_or_default();
                    if !file.is_empty() && !uri.is_empty() && uri.ends_with(file) {
                        return Some(&m.value);
                    }
                }
            }
            find_ref(&m.value, uri)
        }),
        NodeKind::Array(items) => items.iter().find_map(|n| find_ref(n, uri)),
        _ => None,
    }
}

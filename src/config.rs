//! `goldenpath.toml`: one serde tree ([`Layer`]) filled from defaults, the file and the
//! command line, merged once (defaults < file < command line).
//!
//! The file is named with `--config`, or found as ruff and most linters find theirs: the
//! nearest `goldenpath.toml` from the first checked path up to the root of its repository
//! (the nearest directory holding `.git`).
//! It is parsed with the span-keeping TOML parser and validated against the embedded
//! JSON Schema `schemas/goldenpath.schema.json` with the same machinery as schema
//! policies, so every mistake (unknown key, wrong type, unknown severity) is reported at
//! its line and column. Paths in the file are relative to the file.

pub mod conftest;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::confine::Root;
use crate::discover::{self, DiscoverOptions};
use crate::document::{Node, NodeKind, PathSeg, Span};
use crate::finding::Severity;
use crate::format::Format;
use crate::options::{
    BaselineMode, CheckOptions, ColorChoice, FindingCaps, IgnoreSetting, OverrideSetting,
    ParseErrors, PolicySources, PolicyTimeout, RegoVersion, RuleSetting, SuppressOptions,
};
use crate::report::{FailOn, Listing, OutputFormat};
use crate::schema::{self, SchemaMapping};
use crate::source_error::SourceError;

/// The file name looked for from a checked path up to its repository root.
pub const FILE_NAME: &str = "goldenpath.toml";

/// What to do instead of downloading policies (conftest's `pull`, `push` and
/// `--update`): goldenpath never reaches the network.
pub const OFFLINE_HELP: &str = "fetch the policies once outside goldenpath (`conftest pull`, `oras pull`, `git clone`), keep them in the repository or a CI cache, and point --policy at that directory";

/// The JSON Schema of `goldenpath.toml`.
pub const SCHEMA: &str = include_str!("../schemas/goldenpath.schema.json");

/// One layer of settings; every key is optional so layers can be merged. Values are
/// typed: the file's are checked by its JSON Schema (with located messages) before
/// they are deserialised, the command line's by clap.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Layer {
    /// Rego files or directories.
    pub policies: Option<Vec<PathBuf>>,
    /// Data files or directories.
    pub data: Option<Vec<PathBuf>>,
    /// Package patterns to evaluate.
    pub namespaces: Option<Vec<String>>,
    /// Evaluate every package.
    pub all_namespaces: Option<bool>,
    /// Globs of paths to skip.
    pub exclude: Option<Vec<String>>,
    /// Do not honour ignore files.
    pub no_ignore: Option<bool>,
    /// Parse every input as this format.
    pub parser: Option<Format>,
    /// conftest's combine mode.
    pub combine: Option<bool>,
    /// The Rego syntax version of the policies.
    pub rego_version: Option<RegoVersion>,
    /// Report format.
    pub format: Option<OutputFormat>,
    /// The failure threshold.
    pub fail_on: Option<FailOn>,
    /// Worker threads.
    pub jobs: Option<usize>,
    /// Size limit of parsed files, in bytes.
    pub max_file_size: Option<u64>,
    /// Findings of one rule reported per file (0: no limit).
    pub max_findings_per_rule: Option<usize>,
    /// Findings reported per file (0: no limit).
    pub max_findings_per_file: Option<usize>,
    /// The Rego evaluation budget per document.
    pub policy_timeout: Option<PolicyTimeout>,
    /// Rule id → severity or `off`.
    pub rules: Option<BTreeMap<String, RuleSetting>>,
    /// JSON Schema mappings.
    pub schemas: Option<Vec<MappingEntry>>,
    /// Run the built-in golden-path pack (default: when no policies are given).
    pub builtin: Option<bool>,
    /// The file's directory is a repository root even without `.git`.
    pub root: Option<bool>,
    /// Print only the summary (human and concise formats).
    pub quiet: Option<bool>,
    /// Print the number of findings per rule instead of the findings.
    pub statistics: Option<bool>,
    /// When to colour the reports for people.
    pub color: Option<ColorChoice>,
    /// How parse errors in files nothing reads are reported.
    pub parse_errors: Option<ParseErrors>,
    /// `[pack]`: settings of the built-in pack.
    pub pack: Option<PackLayer>,
    /// `[[ignore]]`: suppressed findings by file and rule.
    pub ignore: Option<Vec<IgnoreSetting>>,
    /// `[[overrides]]`: rule settings by file.
    pub overrides: Option<Vec<OverrideSetting>>,
    /// A suppression without a reason is an error and does not apply.
    pub require_reason: Option<bool>,
    /// The baseline file.
    pub baseline: Option<PathBuf>,
    /// The cache directory.
    pub cache_dir: Option<PathBuf>,
    /// No cache (command line and environment only).
    #[serde(skip)]
    pub no_cache: Option<bool>,
    /// The shard of the run to check (command line only).
    #[serde(skip)]
    pub shard: Option<crate::shard::Shard>,
    /// OPA's strict mode for the policies, and policy errors fatal.
    pub strict: Option<bool>,
    /// An OPA capabilities file restricting the builtins policies may call.
    pub capabilities: Option<PathBuf>,
    /// A failing builtin is an error of its rule, not an undefined value.
    pub show_builtin_errors: Option<bool>,
    /// conftest's `--ignore` regular expression (command line and `conftest.toml`).
    #[serde(skip)]
    pub ignore_pattern: Option<String>,
    /// The name standard input is reported as (command line and `conftest.toml`).
    #[serde(skip)]
    pub stdin_filename: Option<String>,
    /// Show the policies' `print()` output (command line and `conftest.toml`).
    #[serde(skip)]
    pub trace: Option<bool>,
    /// `--select` (command line only).
    #[serde(skip)]
    pub select: Option<Vec<String>>,
    /// `--skip` (command line only).
    #[serde(skip)]
    pub skip: Option<Vec<String>>,
    /// `--write-baseline` (command line only).
    #[serde(skip)]
    pub write_baseline: Option<PathBuf>,
    /// The file this layer was read from, as parsed (to point at its lines).
    #[serde(skip)]
    pub source: Option<ConfigSource>,
}

/// A configuration file as parsed: findings about it (unknown rule ids, unused or
/// expired `[[ignore]]` entries) point into it.
#[derive(Clone, Debug)]
pub struct ConfigSource(pub std::sync::Arc<crate::document::Document>);

impl PartialEq for ConfigSource {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The `[pack]` table.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackLayer {
    /// Globs of test data, examples and documentation (replace the defaults).
    pub test_paths: Option<Vec<String>>,
}

/// Everything a `check` run needs after the merge: the pipeline's options and how the
/// result is reported.
#[derive(Clone, Debug)]
pub struct Settings {
    /// What [`crate::run::check`] needs.
    pub check: CheckOptions,
    /// The failure threshold.
    pub fail_on: FailOn,
    /// The report format on standard output.
    pub format: OutputFormat,
    /// What the human and concise formats list.
    pub listing: Listing,
    /// When to colour them.
    pub color: ColorChoice,
    /// Policy errors are fatal (`--strict`).
    pub strict: bool,
    /// Show the policies' `print()` output.
    pub trace: bool,
}

/// One `[[schemas]]` table as written.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MappingEntry {
    /// Rule id of its findings.
    pub id: String,
    /// Globs of the files it applies to.
    pub files: Vec<String>,
    /// The schema file (relative to the configuration file once loaded).
    pub schema: PathBuf,
    /// Severity of its findings; error when absent.
    pub severity: Option<Severity>,
    /// The directory the schema and the files it refers to must stay inside (set when
    /// the file belongs to a checked repository).
    #[serde(skip)]
    pub root: Option<Root>,
}

/// A configuration file that cannot be used (exit status 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration `{file}`: {message}")]
    #[diagnostic(code(goldenpath::config::read))]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        message: String,
    },
    /// The file is not valid TOML, or does not follow the configuration schema: the
    /// first mistake, with the others related to it.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<SourceError>),
    /// The embedded schema does not compile (a bug in goldenpath).
    #[error("internal error: the configuration schema does not compile: {0}")]
    #[diagnostic(code(goldenpath::config::internal))]
    Internal(String),
}

/// Mistakes in the configuration shown one by one; the others are counted.
const MAX_MISTAKES: usize = 50;

const INVALID_HELP: &str =
    "the keys of goldenpath.toml are described in its JSON Schema, schemas/goldenpath.schema.json";

/// The configuration file of a run: `explicit` if given, else the one the first checked
/// path finds ([`nearest`]; `.` when no path is given).
pub fn find(explicit: Option<&Path>, paths: &[PathBuf]) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    nearest(paths.first().map_or(Path::new("."), PathBuf::as_path))
}

/// The nearest `goldenpath.toml` from `path` (or the directory holding it) up to the root
/// of its repository, as reported (relative to the current directory when it can be).
pub fn nearest(path: &Path) -> Option<PathBuf> {
    for dir in discover::ancestors(&discover::start_dir(path)) {
        let file = dir.join(FILE_NAME);
        if file.is_file() {
            return Some(discover::relative_to_current(&dir).join(FILE_NAME));
        }
        if discover::holds_git(&dir) {
            return None;
        }
    }
    None
}

/// The configuration files that checked paths other than the first would find and that
/// differ from `used` (a run has one configuration).
pub fn unused(used: Option<&Path>, paths: &[PathBuf]) -> Vec<PathBuf> {
    let used = used.map(discover::canonical);
    let mut others: Vec<PathBuf> = paths
        .iter()
        .skip(1)
        .filter_map(|p| nearest(p))
        .filter(|found| Some(discover::canonical(found)) != used)
        .collect();
    others.sort();
    others.dedup();
    others
}

/// The directory the paths of the configuration file `config` must stay inside, or `None`
/// when they may go anywhere. A file found in the checked tree, or named with `--config`
/// but lying inside a checked directory, belongs to the repository being checked: its
/// paths stay inside that repository: the nearest directory at or above the file that
/// holds `.git` (as [`discover::repository_root`] finds it), else the file's own
/// directory. A file named with `--config`
/// outside every checked directory is the caller's own, and so are paths given on the
/// command line.
pub fn confinement(config: &Path, explicit: bool, paths: &[PathBuf]) -> Option<Root> {
    let dir = config.parent().unwrap_or(Path::new(""));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let in_checked_tree = !explicit
        || paths
            .iter()
            .filter(|p| p.is_dir())
            .any(|p| Root::new(p).resolve(config).is_some());
    let dir = discover::canonical(dir);
    let options = DiscoverOptions {
        project: Some(dir.clone()),
        ..DiscoverOptions::default()
    };
    in_checked_tree.then(|| Root::new(&discover::repository_root(&dir, &options)))
}

/// Reads, validates and deserialises a configuration file; its relative paths are made
/// relative to the current directory (joined to the file's directory).
pub fn load(path: &Path) -> Result<Layer, ConfigError> {
    let file = discover::display(path);
    let text = crate::confine::read_to_string(path).map_err(|e| ConfigError::Read {
        file: file.clone(),
        message: e.to_string(),
    })?;
    let mut layer = parse(&file, &text)?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let rebase = |p: &mut PathBuf| {
        if p.is_relative() {
            *p = dir.join(&*p);
        }
    };
    for p in layer.policies.iter_mut().flatten() {
        rebase(p);
    }
    for p in layer.data.iter_mut().flatten() {
        rebase(p);
    }
    for m in layer.schemas.iter_mut().flatten() {
        rebase(&mut m.schema);
    }
    if let Some(baseline) = layer.baseline.as_mut() {
        rebase(baseline);
    }
    if let Some(cache) = layer.cache_dir.as_mut() {
        rebase(cache);
    }
    if let Some(capabilities) = layer.capabilities.as_mut() {
        rebase(capabilities);
    }
    Ok(layer)
}

/// Keeps the configuration `layer`, loaded from `path`, inside `root`: every path it names
/// that `command_line` does not replace (policies, data, schemas, the baseline, the
/// capabilities file, and the files below a directory) must resolve inside `root`, or the
/// file is an error located at the path (when the file keeps its parsed text); its
/// schemas' `$ref`s will be held to `root` too. Without a root, nothing is checked.
pub fn confine(
    layer: &mut Layer,
    path: &Path,
    root: Option<&Root>,
    command_line: &Layer,
) -> Result<(), ConfigError> {
    let Some(root) = root else {
        return Ok(());
    };
    for m in layer.schemas.iter_mut().flatten() {
        m.root = Some(root.clone());
    }
    let key = |name: &str| PathSeg::Key(name.to_string());
    let mut named: Vec<(Vec<PathSeg>, &Path)> = Vec::new();
    for (name, paths, replaced) in [
        ("policies", &layer.policies, command_line.policies.is_some()),
        ("data", &layer.data, command_line.data.is_some()),
    ] {
        for (i, p) in paths.iter().flatten().enumerate().filter(|_| !replaced) {
            named.push((vec![key(name), PathSeg::Index(i)], p));
        }
    }
    for (i, m) in layer
        .schemas
        .iter()
        .flatten()
        .enumerate()
        .filter(|_| command_line.schemas.is_none())
    {
        named.push((
            vec![key("schemas"), PathSeg::Index(i), key("schema")],
            &m.schema,
        ));
    }
    let baseline_replaced =
        command_line.baseline.is_some() || command_line.write_baseline.is_some();
    for (name, value, replaced) in [
        ("baseline", &layer.baseline, baseline_replaced),
        (
            "capabilities",
            &layer.capabilities,
            command_line.capabilities.is_some(),
        ),
    ] {
        if let Some(p) = value.as_ref().filter(|_| !replaced) {
            named.push((vec![key(name)], p));
        }
    }
    for (at, named_path) in named {
        if let Err(escape) = root.check(named_path) {
            return Err(outside(layer, path, &at, named_path, &escape, root));
        }
    }
    Ok(())
}

/// The error for a path of the configuration at `path` that leads outside `root`,
/// located at the value `at` when the file's parsed text is kept.
fn outside(
    layer: &Layer,
    path: &Path,
    at: &[PathSeg],
    named: &Path,
    escape: &crate::confine::Escape,
    root: &Root,
) -> ConfigError {
    let shown = |p: &Path| discover::display(p);
    let file = shown(path);
    let through = if escape.path == named {
        String::new()
    } else {
        format!(" (through `{}`)", shown(&escape.path))
    };
    let message = format!(
        "{file}: `{}` leads outside the repository{through}, to `{}`",
        shown(named),
        shown(&escape.target)
    );
    let mut error = SourceError::new("goldenpath::config::outside", message).with_help(format!(
        "the paths in a repository's configuration stay inside the repository (`{}`), symbolic links followed; give other paths on the command line (-p, -d, --config)",
        shown(root.path())
    ));
    if let Some(ConfigSource(source)) = &layer.source {
        if let Some(node) = source.roots.first() {
            error = error
                .with_source(&file, Arc::clone(&source.source))
                .at(Some(node.walk(at).node.span));
        }
    }
    ConfigError::Invalid(Box::new(error))
}

/// Parses and validates configuration text (`file` names it in errors).
pub fn parse(file: &str, text: &str) -> Result<Layer, ConfigError> {
    let (node, value) = validated(file, text, SCHEMA, INVALID_HELP)?;
    let shared: Arc<str> = text.into();
    let invalid = |message: String, span: Option<Span>| {
        invalid_at(file, Arc::clone(&shared), INVALID_HELP, message, span)
    };
    let mut layer: Layer = serde_json::from_value(value)
        .map_err(|e| ConfigError::Invalid(Box::new(invalid(e.to_string(), None))))?;
    let mistakes = suppression_mistakes(&layer, &node);
    let mut all = mistakes
        .into_iter()
        .map(|(span, message)| invalid(message, Some(span)));
    if let Some(first) = all.next() {
        return Err(ConfigError::Invalid(Box::new(
            first.with_related(all.collect()),
        )));
    }
    layer.source = Some(ConfigSource(Arc::new(crate::document::Document {
        file: file.to_string(),
        format: Format::Toml,
        source: Arc::clone(&shared),
        roots: vec![node],
    })));
    Ok(layer)
}

/// A mistake in the configuration file `file` (holding `text`), at `span`.
pub(crate) fn invalid_at(
    file: &str,
    text: impl Into<Arc<str>>,
    help: &str,
    message: String,
    span: Option<Span>,
) -> SourceError {
    SourceError::new("goldenpath::config::invalid", format!("{file}: {message}"))
        .with_source(file, text)
        .at(span)
        .with_help(help)
}

/// TOML text parsed with spans and checked against the JSON Schema `schema`: the tree
/// and its JSON value, or every mistake located (the first, with the others related).
pub(crate) fn validated(
    file: &str,
    text: &str,
    schema: &str,
    help: &str,
) -> Result<(Node, serde_json::Value), ConfigError> {
    // One text for every mistake, however many there are.
    let shared: Arc<str> = text.into();
    let invalid = |message: String, span: Option<Span>| {
        invalid_at(file, Arc::clone(&shared), help, message, span)
    };
    let node = match crate::parse::toml_table(text) {
        Ok(node) => node,
        Err(e) => {
            return Err(ConfigError::Invalid(Box::new(invalid(
                format!("invalid TOML: {}", e.message),
                Some(e.span),
            ))))
        }
    };
    let validator = validator(schema)?;
    let value = node.to_json();
    let mut found: Vec<(Span, String)> = validator
        .iter_errors(&value)
        .flat_map(|e| schema::message::violations(&e))
        .map(|v| (locate(&node, &v, text), v.message))
        .collect();
    found.sort();
    found.dedup();
    let more = found.len().saturating_sub(MAX_MISTAKES);
    let mut all = found
        .into_iter()
        .take(MAX_MISTAKES)
        .map(|(span, message)| invalid(message, Some(span)));
    if let Some(first) = all.next() {
        let mut related: Vec<SourceError> = all.collect();
        if more > 0 {
            related.push(SourceError::new(
                "goldenpath::config::invalid",
                format!("{file}: {more} more mistakes not shown"),
            ));
        }
        return Err(ConfigError::Invalid(Box::new(first.with_related(related))));
    }
    Ok((node, value))
}

/// What the schema cannot check in `[[ignore]]` and `[[overrides]]`: that each `files`
/// glob compiles and each `until` is a day of the calendar.
fn suppression_mistakes(layer: &Layer, node: &Node) -> Vec<(Span, String)> {
    use crate::document::PathSeg;
    let mut found = Vec::new();
    let span_at = |path: &[PathSeg]| node.walk(path).node.span;
    let key = |k: &str| PathSeg::Key(k.to_string());
    let globs = layer
        .ignore
        .iter()
        .flatten()
        .map(|i| &i.files)
        .enumerate()
        .map(|(i, files)| ("ignore", i, files))
        .chain(
            layer
                .overrides
                .iter()
                .flatten()
                .map(|o| &o.files)
                .enumerate()
                .map(|(i, files)| ("overrides", i, files)),
        );
    for (table, i, files) in globs {
        if let Err((j, message)) = crate::suppress::rules::FileGlobs::new(files) {
            let path = [
                key(table),
                PathSeg::Index(i),
                key("files"),
                PathSeg::Index(j),
            ];
            let pattern = files.get(j).map_or("", String::as_str);
            found.push((
                span_at(&path),
                format!("invalid glob `{pattern}`: {message}"),
            ));
        }
    }
    for (i, entry) in layer.ignore.iter().flatten().enumerate() {
        if let Some(until) = &entry.until {
            if let Err(message) = until.parse::<crate::suppress::date::Date>() {
                let path = [key("ignore"), PathSeg::Index(i), key("until")];
                found.push((span_at(&path), format!("`ignore[{i}].until`: {message}")));
            }
        }
    }
    found
}

fn validator(schema: &str) -> Result<jsonschema::Validator, ConfigError> {
    let node = crate::parse::parse_text(Format::Json, schema)
        .map_err(|e| ConfigError::Internal(e.message))?
        .pop()
        .ok_or_else(|| ConfigError::Internal("empty schema".into()))?;
    schema::compile_value(&node, Path::new("/"), None).map_err(|(m, _, _)| ConfigError::Internal(m))
}

/// Where a violation points in the TOML: an unknown key at the key, a bad value at the
/// value, a missing key at the table that lacks it.
fn locate(root: &Node, violation: &schema::Violation, text: &str) -> Span {
    let walk = root.walk(&violation.path);
    let first_line = |span: Span| {
        let end = text[span.start.min(text.len())..]
            .find('\n')
            .map_or(text.len(), |i| span.start + i);
        Span::new(span.start, end.min(span.end.max(span.start)))
    };
    if walk.matched == violation.path.len() {
        return match (&walk.node.kind, walk.key_span) {
            (_, Some(key)) if violation.key => key,
            (NodeKind::Object(_), Some(key)) => key,
            _ => first_line(walk.node.span),
        };
    }
    // A missing key: the table that should hold it.
    match walk.key_span {
        Some(key) => key,
        None => first_line(walk.node.span),
    }
}

/// `.goldenpath_cache` at the root of the repository of the first checked path (the
/// repository whose configuration the run reads), as reported.
fn default_cache_dir(paths: &[PathBuf], discover: &DiscoverOptions) -> PathBuf {
    let first = paths.first().map_or(Path::new("."), PathBuf::as_path);
    let root = discover::repository_root(&discover::start_dir(first), discover);
    discover::relative_to_current(&root).join(discover::CACHE_DIR)
}

impl Layer {
    /// This layer with every key `over` sets replaced by `over`'s value.
    pub fn merge(self, over: Layer) -> Layer {
        Layer {
            policies: over.policies.or(self.policies),
            data: over.data.or(self.data),
            namespaces: over.namespaces.or(self.namespaces),
            all_namespaces: over.all_namespaces.or(self.all_namespaces),
            exclude: over.exclude.or(self.exclude),
            no_ignore: over.no_ignore.or(self.no_ignore),
            parser: over.parser.or(self.parser),
            combine: over.combine.or(self.combine),
            rego_version: over.rego_version.or(self.rego_version),
            format: over.format.or(self.format),
            fail_on: over.fail_on.or(self.fail_on),
            jobs: over.jobs.or(self.jobs),
            max_file_size: over.max_file_size.or(self.max_file_size),
            max_findings_per_rule: over.max_findings_per_rule.or(self.max_findings_per_rule),
            max_findings_per_file: over.max_findings_per_file.or(self.max_findings_per_file),
            policy_timeout: over.policy_timeout.or(self.policy_timeout),
            rules: over.rules.or(self.rules),
            schemas: over.schemas.or(self.schemas),
            builtin: over.builtin.or(self.builtin),
            ignore: over.ignore.or(self.ignore),
            overrides: over.overrides.or(self.overrides),
            require_reason: over.require_reason.or(self.require_reason),
            baseline: over.baseline.or(self.baseline),
            cache_dir: over.cache_dir.or(self.cache_dir),
            no_cache: over.no_cache.or(self.no_cache),
            shard: over.shard.or(self.shard),
            select: over.select.or(self.select),
            skip: over.skip.or(self.skip),
            write_baseline: over.write_baseline.or(self.write_baseline),
            source: over.source.or(self.source),
            parse_errors: over.parse_errors.or(self.parse_errors),
            pack: over.pack.or(self.pack),
            root: over.root.or(self.root),
            quiet: over.quiet.or(self.quiet),
            statistics: over.statistics.or(self.statistics),
            color: over.color.or(self.color),
            strict: over.strict.or(self.strict),
            capabilities: over.capabilities.or(self.capabilities),
            show_builtin_errors: over.show_builtin_errors.or(self.show_builtin_errors),
            ignore_pattern: over.ignore_pattern.or(self.ignore_pattern),
            stdin_filename: over.stdin_filename.or(self.stdin_filename),
            trace: over.trace.or(self.trace),
        }
    }

    /// Resolves the merged layer into the settings for checking `paths` with the
    /// configuration file `file` (if any), filling in the defaults.
    pub fn settings(self, paths: Vec<PathBuf>, file: Option<&Path>) -> Settings {
        let file_dir = file.map(|f| match f.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        });
        let listing = if self.quiet == Some(true) {
            Listing::Summary
        } else if self.statistics == Some(true) {
            Listing::Statistics
        } else {
            Listing::Findings
        };
        let schemas = self
            .schemas
            .unwrap_or_default()
            .into_iter()
            .map(|m| SchemaMapping {
                id: m.id,
                files: m.files,
                schema: m.schema,
                severity: m.severity.unwrap_or(Severity::Error),
                root: m.root,
            })
            .collect();
        let discover = DiscoverOptions {
            parser: self.parser,
            exclude: self.exclude.unwrap_or_default(),
            no_ignore: self.no_ignore.unwrap_or(false),
            inventory: false,
            root_marker: file_dir.clone().filter(|_| self.root == Some(true)),
            project: file_dir,
            skip: Vec::new(),
            ignore_pattern: self.ignore_pattern,
            stdin_name: self.stdin_filename,
        };
        let cache = match (self.no_cache, self.cache_dir) {
            (Some(true), _) => None,
            (_, Some(dir)) => Some(dir),
            (_, None) => Some(default_cache_dir(&paths, &discover)),
        };
        let check = CheckOptions {
            cache,
            cache_key: None,
            shard: self.shard,
            trace: false,
            paths,
            policies: PolicySources {
                policy_paths: self.policies.unwrap_or_default(),
                data_paths: self.data.unwrap_or_default(),
                namespaces: self.namespaces.unwrap_or_default(),
                all_namespaces: self.all_namespaces.unwrap_or(false),
                rego_version: self.rego_version.unwrap_or_default(),
                builtin: self.builtin,
                policy_timeout: self.policy_timeout.unwrap_or_default(),
                strict: self.strict.unwrap_or(false),
                capabilities: self.capabilities,
                builtin_errors: self.show_builtin_errors.unwrap_or(false),
            },
            discover,
            combine: self.combine.unwrap_or(false),
            jobs: self.jobs,
            max_file_size: self
                .max_file_size
                .unwrap_or(crate::parse::DEFAULT_MAX_FILE_SIZE),
            schemas,
            suppress: SuppressOptions {
                rules: self.rules.unwrap_or_default(),
                overrides: self.overrides.unwrap_or_default(),
                ignores: self.ignore.unwrap_or_default(),
                select: self.select.unwrap_or_default(),
                skip: self.skip.unwrap_or_default(),
                require_reason: self.require_reason.unwrap_or(false),
                baseline: match (self.write_baseline, self.baseline) {
                    (Some(path), _) => Some(BaselineMode::Write(path)),
                    (None, Some(path)) => Some(BaselineMode::Read(path)),
                    (None, None) => None,
                },
                today: None,
                config: self.source.map(|s| s.0),
            },
            caps: FindingCaps {
                per_rule: self.max_findings_per_rule.unwrap_or(FindingCaps::PER_RULE),
                per_file: self.max_findings_per_file.unwrap_or(FindingCaps::PER_FILE),
            },
            parse_errors: self.parse_errors.unwrap_or_default(),
            test_paths: self
                .pack
                .and_then(|p| p.test_paths)
                .unwrap_or_else(crate::options::default_test_paths),
            profile: false,
            stdin: None,
        };
        Settings {
            check,
            fail_on: self.fail_on.unwrap_or_default(),
            format: self.format.unwrap_or_default(),
            listing,
            color: self.color.unwrap_or_default(),
            strict: self.strict.unwrap_or(false),
            trace: self.trace.unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line and message of each mistake an invalid configuration reports.
    pub(crate) fn located(err: ConfigError, text: &str) -> Vec<(usize, String)> {
        let ConfigError::Invalid(err) = err else {
            panic!("expected an invalid configuration, got {err}");
        };
        let index = crate::locate::LineIndex::new(text);
        std::iter::once(&*err)
            .chain(err.related.iter())
            .map(|e| {
                let line = e.span.map_or(0, |s| index.position(s.offset()).line);
                (line, e.message.clone())
            })
            .collect()
    }

    fn error_lines(text: &str) -> Vec<(usize, String)> {
        let err = parse("goldenpath.toml", text).expect_err("an invalid configuration");
        located(err, text)
            .into_iter()
            .map(|(line, message)| {
                let message = message.strip_prefix("goldenpath.toml: ");
                (line, message.expect("headline names the file").to_string())
            })
            .collect()
    }

    #[test]
    fn full_file_deserialises() {
        let text = r#"
policies = ["policy"]
namespaces = ["*"]
data = ["policy/data"]
exclude = ["vendor/**"]
fail-on = "warning"
jobs = 2

[rules]
"main.deny" = "warning"
"main.warn" = "off"

[[schemas]]
id = "catalog-info"
files = ["**/catalog-info.yaml"]
schema = "schemas/catalog-info.schema.json"
severity = "warning"
"#;
        let layer = parse("goldenpath.toml", text).expect("valid");
        assert_eq!(layer.fail_on, Some(FailOn::Warning));
        let settings = layer.settings(vec![PathBuf::from(".")], None);
        assert_eq!(settings.fail_on, FailOn::Warning);
        assert_eq!(
            settings.check.suppress.rules.get("main.warn"),
            Some(&RuleSetting::Off)
        );
        assert_eq!(settings.check.schemas[0].severity, Severity::Warning);
        assert_eq!(settings.check.jobs, Some(2));
    }

    #[test]
    fn suppression_tables_deserialise() {
        let text = r#"
require-reason = true
baseline = "baseline.json"

[rules]
"GP-K8S-*" = "warning"

[[ignore]]
files = ["**/testdata/**", "docs/**"]
rules = ["GP-REPO-007", "GP-K8S-*"]
reason = "fixtures and samples"
until = "2027-01-31"

[[ignore]]
files = ["vendor/**"]

[[overrides]]
files = ["legacy/**"]
rules = { "GP-K8S-003" = "warning", "GP-DOCKER-004" = "off" }
"#;
        let layer = parse("goldenpath.toml", text).expect("valid");
        let settings = layer
            .settings(vec![PathBuf::from(".")], None)
            .check
            .suppress;
        assert!(settings.require_reason);
        assert_eq!(settings.ignores.len(), 2);
        assert_eq!(settings.ignores[1].rules, vec!["*".to_string()]);
        assert_eq!(settings.ignores[0].until.as_deref(), Some("2027-01-31"));
        assert_eq!(
            settings.overrides[0].rules.get("GP-DOCKER-004"),
            Some(&RuleSetting::Off)
        );
        assert_eq!(
            settings.baseline,
            Some(BaselineMode::Read(PathBuf::from("baseline.json")))
        );
        assert!(settings.config.is_some(), "the parsed file is kept");
    }

    #[test]
    fn mistakes_are_located() {
        let text = "policies = \"policy\"\nfail-on = \"sometimes\"\ncolour = true\n\n[rules]\n\"main.deny\" = \"loud\"\n\n[[schemas]]\nid = \"x\"\nfiles = []\n";
        assert_eq!(
            error_lines(text),
            vec![
                (1, "`policies` must be an array, not a string".to_string()),
                (
                    2,
                    "`fail-on` must be one of: error, warning, never".to_string()
                ),
                (3, "unknown key `colour`".to_string()),
                (
                    6,
                    "`rules[\"main.deny\"]` must be one of: error, warning, info, off".to_string()
                ),
                (8, "`schemas[0].schema` is required".to_string()),
                (
                    10,
                    "`schemas[0].files` must have at least 1 item".to_string()
                ),
            ]
        );
    }

    #[test]
    fn command_line_wins() {
        let file = Layer {
            policies: Some(vec![PathBuf::from("a")]),
            fail_on: Some(FailOn::Warning),
            ..Layer::default()
        };
        let cli = Layer {
            fail_on: Some(FailOn::Never),
            ..Layer::default()
        };
        let merged = file.merge(cli);
        assert_eq!(merged.policies, Some(vec![PathBuf::from("a")]));
        assert_eq!(merged.fail_on, Some(FailOn::Never));
    }

    /// The schema's enums (which give located messages) accept exactly what the typed
    /// settings accept.
    #[test]
    fn schema_enums_match_the_typed_settings() {
        use clap::ValueEnum;
        fn names<T: ValueEnum>() -> Vec<String> {
            let mut names: Vec<String> = T::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value())
                .flat_map(|v| {
                    v.get_name_and_aliases()
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect();
            names.sort();
            names
        }
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
        let listed = |pointer: &str| {
            let mut names: Vec<String> = schema
                .pointer(pointer)
                .and_then(|v| v.as_array())
                .expect(pointer)
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            names.sort();
            names
        };
        assert_eq!(listed("/properties/parser/enum"), names::<Format>());
        assert_eq!(
            listed("/properties/rego-version/enum"),
            names::<RegoVersion>()
        );
        assert_eq!(listed("/properties/fail-on/enum"), names::<FailOn>());
        assert_eq!(listed("/properties/color/enum"), names::<ColorChoice>());
        let mut formats = names::<OutputFormat>();
        formats.retain(|f| f != "stdout");
        assert_eq!(listed("/properties/format/enum"), formats);
        for setting in listed("/$defs/rule-setting/enum") {
            assert!(RuleSetting::try_from(setting.clone()).is_ok(), "{setting}");
        }
    }

    #[test]
    fn syntax_errors_are_located() {
        let lines = error_lines("a = 1\nb = \n");
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].0, 2);
        assert!(lines[0].1.starts_with("invalid TOML"), "{lines:?}");
    }
}

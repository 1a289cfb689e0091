//! The pipeline of `goldenpath check`: discover → parse → evaluate → locate → report.
//! This is the only module that knows every stage.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use miette::{NamedSource, SourceSpan};
use rayon::prelude::*;

use crate::config::RuleSetting;
use crate::discover::{self, DiscoverError, DiscoverOptions};
use crate::document::{Document, InputOrigin, NodeKind, PathSeg};
use crate::explain::{FileTrace, SkipReason, SkippedPackage};
use crate::finding::{Finding, RuleInfo, Severity, Target, PARSE_ERROR, POLICY_ERROR};
use crate::format::Format;
use crate::locate::{self, Diagnostic};
use crate::parse::{self, ParseFailure};
use crate::policy::repository::{self, Sandbox, READ_LIMIT};
use crate::policy::{EvalOutput, Evaluator, FileInfo, PolicyError, PolicyOptions, PolicySet};
use crate::report::{Report, Summary};
use crate::schema::{SchemaError, SchemaMapping, SchemaSet};

/// Everything `check` needs.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Files and directories to check.
    pub paths: Vec<PathBuf>,
    /// `.rego` files or directories; empty means `./policy` if it exists.
    pub policy_paths: Vec<PathBuf>,
    /// Data files or directories merged into `data`.
    pub data_paths: Vec<PathBuf>,
    /// Package patterns to evaluate.
    pub namespaces: Vec<String>,
    /// Evaluate every package.
    pub all_namespaces: bool,
    /// Parse policies as Rego v0.
    pub rego_v0: bool,
    /// Discovery settings.
    pub discover: DiscoverOptions,
    /// conftest's combine mode.
    pub combine: bool,
    /// Worker threads; `None` for one per core.
    pub jobs: Option<usize>,
    /// Files larger than this are reported, not parsed.
    pub max_file_size: u64,
    /// JSON Schema policies.
    pub schemas: Vec<SchemaMapping>,
    /// Per-rule overrides, applied to every finding.
    pub rules: BTreeMap<String, RuleSetting>,
    /// The built-in pack: on, off, or `None` for "on when no policies are given".
    pub builtin: Option<bool>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            paths: vec![PathBuf::from(".")],
            policy_paths: Vec::new(),
            data_paths: Vec::new(),
            namespaces: Vec::new(),
            all_namespaces: false,
            rego_v0: false,
            discover: DiscoverOptions::default(),
            combine: false,
            jobs: None,
            max_file_size: parse::DEFAULT_MAX_FILE_SIZE,
            schemas: Vec::new(),
            builtin: None,
            rules: BTreeMap::new(),
        }
    }
}

/// Failures that stop a run (exit status 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    /// Bad paths or patterns.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Discover(#[from] DiscoverError),
    /// Broken policies.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Policy(#[from] Box<PolicyError>),
    /// Broken schema policies.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Schema(#[from] Box<SchemaError>),
    /// No policy was given and `./policy` does not exist.
    #[error("no policies to evaluate")]
    #[diagnostic(
        code(goldenpath::usage::no_policies),
        help("pass -p/--policy <DIR or FILE>, create ./policy with .rego files (as conftest does), or map JSON Schemas in goldenpath.toml")
    )]
    NoPolicies,
    /// A data file that cannot be used.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Data(Box<DataError>),
    /// The worker pool could not start.
    #[error("cannot start worker threads: {0}")]
    #[diagnostic(code(goldenpath::threads))]
    Threads(String),
    /// `--strict` and a rule failed or produced a result of an unknown shape.
    #[error("{count} policy error{} with --strict; the first, in {file}: {message}", if *count == 1 { "" } else { "s" })]
    #[diagnostic(
        code(goldenpath::policy::strict),
        help("fix the rules named in the `policy-error` findings, or drop --strict to report them as findings")
    )]
    Strict {
        /// How many `policy-error` findings the run produced.
        count: usize,
        /// The file of the first.
        file: String,
        /// Its message.
        message: String,
    },
}

/// `--strict`: a run with any `policy-error` finding (a rule that failed on a file, or a
/// result of an unknown shape) is an error rather than a finding.
pub fn enforce_strict(report: &Report) -> Result<(), RunError> {
    let mut errors = report.diagnostics.iter().filter(|d| d.rule == POLICY_ERROR);
    match errors.next() {
        None => Ok(()),
        Some(first) => Err(RunError::Strict {
            count: 1 + errors.count(),
            file: first.file.clone(),
            message: first.message.clone(),
        }),
    }
}

/// A `-d` data file that cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot load data `{file}`: {message}")]
#[diagnostic(code(goldenpath::data))]
pub struct DataError {
    /// The data file.
    pub file: String,
    /// What went wrong.
    pub message: String,
    /// Its text, when it was read.
    #[source_code]
    pub src: Option<NamedSource<String>>,
    /// Where, when known.
    #[label("here")]
    pub span: Option<SourceSpan>,
}

impl DataError {
    fn boxed(
        file: String,
        message: String,
        src: Option<NamedSource<String>>,
        span: Option<SourceSpan>,
    ) -> RunError {
        RunError::Data(Box::new(DataError {
            file,
            message,
            src,
            span,
        }))
    }
}

/// Runs `goldenpath check`.
pub fn check(options: &CheckOptions) -> Result<Report, RunError> {
    check_traced(options).map(|(report, _)| report)
}

/// Runs `goldenpath check` and also returns, per checked file (sorted by file), the
/// packages applied and skipped and the policies' `print()` output.
pub fn check_traced(options: &CheckOptions) -> Result<(Report, Vec<FileTrace>), RunError> {
    let schemas = SchemaSet::load(&options.schemas).map_err(Box::new)?;
    let policies = load_policies(options, !schemas.is_empty())?;
    let discover_options = DiscoverOptions {
        inventory: policies.has_repository_rules(),
        ..options.discover.clone()
    };
    let discovery = discover::discover(&options.paths, &discover_options)?;
    let root = crate::config::checked_root(&options.paths);
    let matches: Vec<Vec<usize>> = discovery
        .candidates
        .iter()
        .map(|c| schemas.matching(&relative_to(&c.path, &root)))
        .collect();
    let matched: BTreeSet<usize> = matches.iter().flatten().copied().collect();

    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(jobs) = options.jobs.filter(|j| *j > 0) {
        builder = builder.num_threads(jobs);
    }
    let pool = builder
        .build()
        .map_err(|e| RunError::Threads(e.to_string()))?;

    let mut summary = Summary {
        files: discovery.candidates.len(),
        unevaluated_packages: policies.unselected().to_vec(),
        unmatched_schemas: schemas
            .ids()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !matched.contains(i))
            .map(|(_, id)| id)
            .collect(),
        ..Summary::default()
    };
    let mut traces = Vec::new();
    let mut diagnostics: Vec<Diagnostic> = discovery
        .problems
        .iter()
        .map(|p| Diagnostic::file_level(PARSE_ERROR, &p.file, &p.message))
        .collect();

    if options.combine {
        let parsed: Vec<Result<Document, ParseFailure>> = pool.install(|| {
            discovery
                .candidates
                .par_iter()
                .map(|c| parse::parse_file(&c.path, &c.file, c.format, options.max_file_size))
                .collect()
        });
        for (result, indices) in parsed.iter().zip(&matches) {
            if let Ok(doc) = result {
                diagnostics.extend(locate::locate(
                    schema_findings(&schemas, indices, doc),
                    Some(doc),
                    None,
                ));
            }
        }
        let root_label = options
            .paths
            .first()
            .map_or_else(|| ".".to_string(), |p| discover::display(p));
        let outcome = check_combined(&policies, parsed, &root_label);
        summary.documents = outcome.documents;
        summary.parse_errors = outcome.parse_errors;
        summary.exceptions = outcome.exceptions;
        diagnostics.extend(outcome.diagnostics);
        traces.push(outcome.trace);
    } else {
        let outcomes: Vec<FileOutcome> = pool.install(|| {
            discovery
                .candidates
                .par_iter()
                .zip(matches.par_iter())
                .map_init(
                    || policies.evaluator(),
                    |evaluator, (c, indices)| {
                        let schemas = (&schemas, indices.as_slice());
                        check_file(evaluator, schemas, c, options.max_file_size)
                    },
                )
                .collect()
        });
        for outcome in outcomes {
            traces.push(outcome.trace);
            summary.documents += outcome.documents;
            summary.parse_errors += outcome.parse_errors;
            summary.exceptions += outcome.exceptions;
            diagnostics.extend(outcome.diagnostics);
        }
    }
    if policies.has_repository_rules() {
        let limit = options.max_file_size.min(READ_LIMIT);
        let outcomes: Vec<Vec<Diagnostic>> = pool.install(|| {
            discovery
                .repositories
                .par_iter()
                .map_init(
                    || policies.evaluator(),
                    |evaluator, repo| {
                        check_repository(evaluator, repo, limit, options.max_file_size)
                    },
                )
                .collect()
        });
        diagnostics.extend(outcomes.into_iter().flatten());
    }
    summary.parse_errors += discovery.problems.len();
    let mut rules = RuleInfo::builtin();
    rules.extend(policies.rules());
    rules.extend(schemas.rules());
    // Ids set by results (`id` keys) are rules too.
    for d in &diagnostics {
        if !rules.iter().any(|r| r.id == d.rule) {
            rules.push(RuleInfo {
                id: d.rule.clone(),
                ..RuleInfo::default()
            });
        }
    }
    let skipped: Vec<SkippedPackage> = policies
        .unselected()
        .iter()
        .map(|package| SkippedPackage {
            package: package.clone(),
            reason: SkipReason::Namespace,
        })
        .collect();
    for trace in &mut traces {
        trace.skipped.extend(skipped.iter().cloned());
    }
    traces.sort_by(|a, b| a.file.cmp(&b.file));
    apply_overrides(&options.rules, &mut diagnostics, &mut rules);
    let files = discovery
        .candidates
        .iter()
        .map(|c| c.file.clone())
        .collect();
    let repositories: Vec<String> = discovery
        .repositories
        .iter()
        .map(|r| r.label.clone())
        .collect();
    Ok((
        Report::new(diagnostics, summary, rules)
            .with_files(files)
            .with_scorecards(&repositories),
        traces,
    ))
}

/// `[rules]` overrides: "off" drops a rule's findings, a severity replaces theirs.
fn apply_overrides(
    overrides: &BTreeMap<String, RuleSetting>,
    diagnostics: &mut Vec<Diagnostic>,
    rules: &mut Vec<RuleInfo>,
) {
    if overrides.is_empty() {
        return;
    }
    diagnostics.retain(|d| overrides.get(&d.rule) != Some(&RuleSetting::Off));
    rules.retain(|r| overrides.get(&r.id) != Some(&RuleSetting::Off));
    for d in diagnostics.iter_mut() {
        if let Some(RuleSetting::Severity(severity)) = overrides.get(&d.rule) {
            d.severity = *severity;
        }
    }
    for r in rules.iter_mut() {
        if let Some(RuleSetting::Severity(severity)) = overrides.get(&r.id) {
            r.severity = Some(*severity);
        }
    }
}

/// `path` relative to the checked root, with forward slashes, for schema globs.
fn relative_to(path: &Path, root: &Path) -> String {
    discover::display(path.strip_prefix(root).unwrap_or(path))
}

/// Validates every document of `doc` (each root on its own, a top-level array as a whole)
/// against the mappings `indices`.
fn schema_findings(schemas: &SchemaSet, indices: &[usize], doc: &Document) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (root, node) in doc.roots.iter().enumerate() {
        let origin = InputOrigin {
            root,
            element: None,
        };
        for &index in indices {
            findings.extend(schemas.validate(index, node, origin, &doc.file));
        }
    }
    findings
}

pub(crate) fn load_policies(
    options: &CheckOptions,
    has_schemas: bool,
) -> Result<PolicySet, RunError> {
    let mut paths = options.policy_paths.clone();
    if paths.is_empty() {
        let default = PathBuf::from("policy");
        if default.is_dir() {
            paths.push(default);
        }
    }
    // The pack runs by default when the user has no policies of their own (Rego or
    // JSON Schema).
    let builtin = options.builtin.unwrap_or(paths.is_empty() && !has_schemas);
    if paths.is_empty() && !builtin && !has_schemas {
        return Err(RunError::NoPolicies);
    }
    let data = load_data(&options.data_paths)?;
    let policy_options = PolicyOptions {
        paths,
        data,
        namespaces: options.namespaces.clone(),
        all_namespaces: options.all_namespaces,
        rego_v0: options.rego_v0,
        builtin,
    };
    PolicySet::load(&policy_options).map_err(|e| RunError::Policy(Box::new(e)))
}

/// Reads `-d` data files (JSON or YAML objects; directories searched recursively).
fn load_data(paths: &[PathBuf]) -> Result<Vec<(String, regorus::Value)>, RunError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                let entry = entry.map_err(|e| {
                    DataError::boxed(discover::display(path), e.to_string(), None, None)
                })?;
                let format = Format::detect(entry.path());
                if entry.file_type().is_file()
                    && matches!(format, Some(Format::Json | Format::Yaml))
                {
                    files.push(entry.into_path());
                }
            }
        } else {
            files.push(path.clone());
        }
    }
    let mut data = Vec::new();
    for path in files {
        let file = discover::display(&path);
        let format = Format::detect(&path).unwrap_or(Format::Json);
        let doc = parse::parse_file(&path, &file, format, u64::MAX).map_err(|f| {
            let span = f
                .span
                .map(|s| SourceSpan::new(s.start.into(), s.end - s.start));
            let src = f.source.map(|text| NamedSource::new(f.file.clone(), text));
            DataError::boxed(f.file, f.message, src, span)
        })?;
        for root in &doc.roots {
            if !matches!(root.kind, NodeKind::Object(_)) {
                return Err(DataError::boxed(
                    file.clone(),
                    "a data document must be an object".to_string(),
                    Some(NamedSource::new(file.clone(), doc.source.clone())),
                    Some(SourceSpan::new(root.span.start.into(), 0)),
                ));
            }
            data.push((file.clone(), root.to_rego()));
        }
    }
    Ok(data)
}

/// The result of checking one file.
#[derive(Debug, Default)]
struct FileOutcome {
    diagnostics: Vec<Diagnostic>,
    documents: usize,
    parse_errors: usize,
    exceptions: usize,
    trace: FileTrace,
}

fn file_info(path: &Path, file: &str) -> FileInfo {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let name = absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = absolute
        .parent()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    FileInfo::new(&name, &dir, file)
}

fn parse_failure(failure: ParseFailure) -> FileOutcome {
    let finding = Finding {
        rule: PARSE_ERROR.to_string(),
        severity: Severity::Error,
        message: failure.message,
        file: failure.file,
        target: failure.span.map_or(Target::File, Target::Span),
        metadata: Default::default(),
    };
    FileOutcome {
        trace: FileTrace {
            file: finding.file.clone(),
            ..FileTrace::default()
        },
        diagnostics: locate::locate(vec![finding], None, failure.source.as_deref()),
        parse_errors: 1,
        ..FileOutcome::default()
    }
}

fn check_file(
    evaluator: &mut Evaluator,
    (schemas, indices): (&SchemaSet, &[usize]),
    candidate: &discover::Candidate,
    max_size: u64,
) -> FileOutcome {
    let discover::Candidate {
        path,
        file,
        format,
        relative,
    } = candidate;
    let doc = match parse::parse_file(path, file, *format, max_size) {
        Ok(doc) => doc,
        Err(failure) => return parse_failure(failure),
    };
    let info = file_info(path, file);
    let (applicable, not_applicable) = evaluator.applicable(relative, *format);
    let mut outcome = FileOutcome {
        trace: FileTrace {
            file: doc.file.clone(),
            applied: evaluator.package_names(&applicable),
            skipped: not_applicable
                .into_iter()
                .map(|package| SkippedPackage {
                    package,
                    reason: SkipReason::Applicability,
                })
                .collect(),
            ..FileTrace::default()
        },
        ..FileOutcome::default()
    };
    let mut findings = schema_findings(schemas, indices, &doc);
    for input in doc.inputs() {
        outcome.documents += 1;
        if applicable.is_empty() {
            continue;
        }
        let EvalOutput {
            findings: found,
            exceptions,
            prints,
        } = evaluator.evaluate(
            input.node.to_rego(),
            &info,
            &doc.file,
            input.origin,
            &applicable,
        );
        findings.extend(found);
        outcome.trace.prints.extend(prints);
        outcome.exceptions += exceptions;
    }
    outcome.diagnostics = locate::locate(findings, Some(&doc), None);
    outcome
}

/// Evaluates the repository rules on one repository and locates their findings: a
/// finding that names a file and a `path` is located in that file's document, one with a
/// `line` at that line, and one without a file is about the repository.
fn check_repository(
    evaluator: &mut Evaluator,
    repo: &discover::Repository,
    read_limit: u64,
    max_size: u64,
) -> Vec<Diagnostic> {
    let input = repository::input(&repo.name, &repo.entries, &repo.directories);
    let sandbox = Sandbox::new(&repo.root, read_limit);
    let output = evaluator.evaluate_repository(input, sandbox, &repo.label);
    let mut by_file: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    for finding in output.findings {
        by_file
            .entry(finding.file.clone())
            .or_default()
            .push(finding);
    }
    let mut diagnostics = Vec::new();
    for (file, findings) in by_file {
        let relative = findings
            .iter()
            .find_map(|f| f.metadata.get("file").and_then(|v| v.as_str()))
            .map(|r| r.trim_start_matches("./").to_string());
        let Some(relative) = relative else {
            diagnostics.extend(locate::locate(findings, None, None));
            continue;
        };
        let path = repo.root.join(&relative);
        let format = Format::detect(&path);
        let doc = format.and_then(|f| parse::parse_file(&path, &file, f, max_size).ok());
        let findings = findings
            .into_iter()
            .map(|f| match (&f.target, &doc) {
                (Target::Path { path: p, .. }, Some(doc)) => Finding {
                    target: route_in_document(doc, p),
                    ..f
                },
                _ => f,
            })
            .collect();
        match doc {
            Some(doc) => diagnostics.extend(locate::locate(findings, Some(&doc), None)),
            None => {
                let source = parse::read_source(&path, &file, max_size).ok();
                diagnostics.extend(locate::locate(findings, None, source.as_deref()));
            }
        }
    }
    diagnostics
}

/// A path into a file's whole document (an array of documents for multi-document
/// YAML, as `goldenpath.parse_file` gives it) as a target in one of its roots.
fn route_in_document(doc: &Document, path: &[PathSeg]) -> Target {
    if doc.roots.len() > 1 {
        if let Some((first, rest)) = path.split_first() {
            let root = match first {
                PathSeg::Index(i) => Some(*i),
                PathSeg::Key(k) => k.parse().ok(),
            };
            if let Some(root) = root {
                return Target::Path {
                    origin: InputOrigin {
                        root,
                        element: None,
                    },
                    path: rest.to_vec(),
                };
            }
        }
    }
    Target::Path {
        origin: InputOrigin {
            root: 0,
            element: None,
        },
        path: path.to_vec(),
    }
}

/// conftest's `--combine`: every document in one input, `[{path, contents}, ...]`.
fn check_combined(
    policies: &PolicySet,
    parsed: Vec<Result<Document, ParseFailure>>,
    root_label: &str,
) -> FileOutcome {
    let mut outcome = FileOutcome {
        trace: FileTrace {
            file: root_label.to_string(),
            ..FileTrace::default()
        },
        ..FileOutcome::default()
    };
    let mut docs = Vec::new();
    for result in parsed {
        match result {
            Ok(doc) => docs.push(doc),
            Err(failure) => {
                let failed = parse_failure(failure);
                outcome.parse_errors += failed.parse_errors;
                outcome.diagnostics.extend(failed.diagnostics);
            }
        }
    }
    let combined: Vec<regorus::Value> = docs
        .iter()
        .map(|doc| {
            let contents = match doc.roots.as_slice() {
                [root] => root.to_rego(),
                roots => {
                    regorus::Value::from(roots.iter().map(|r| r.to_rego()).collect::<Vec<_>>())
                }
            };
            let mut map = std::collections::BTreeMap::new();
            map.insert("path".into(), doc.file.as_str().into());
            map.insert("contents".into(), contents);
            regorus::Value::from(map)
        })
        .collect();
    outcome.documents = docs.iter().map(|d| d.roots.len()).sum();
    let mut evaluator = policies.evaluator();
    if evaluator.is_empty() {
        return outcome;
    }
    let info = FileInfo::new("Combined", "", "Combined");
    let origin = InputOrigin {
        root: 0,
        element: None,
    };
    // Applicability is per file; a combined input is every file at once.
    let packages = evaluator.file_packages();
    let output = evaluator.evaluate(
        regorus::Value::from(combined),
        &info,
        root_label,
        origin,
        &packages,
    );
    outcome.exceptions = output.exceptions;
    outcome.trace.applied = evaluator.package_names(&packages);
    outcome.trace.prints = output.prints;
    // Route each finding to the file its path starts in; the rest are about the set.
    let mut per_doc: Vec<Vec<Finding>> = docs.iter().map(|_| Vec::new()).collect();
    let mut unrouted = Vec::new();
    for finding in output.findings {
        match route_combined(&finding.target, &docs) {
            Some((index, target)) => per_doc[index].push(Finding {
                file: docs[index].file.clone(),
                target,
                ..finding
            }),
            None => unrouted.push(Finding {
                target: Target::File,
                ..finding
            }),
        }
    }
    for (doc, findings) in docs.iter().zip(per_doc) {
        outcome
            .diagnostics
            .extend(locate::locate(findings, Some(doc), None));
    }
    outcome
        .diagnostics
        .extend(locate::locate(unrouted, None, None));
    outcome
}

/// Maps `[i, "contents", ...rest]` in the combined input to file `i` and a target in it.
fn route_combined(target: &Target, docs: &[Document]) -> Option<(usize, Target)> {
    let Target::Path { path, .. } = target else {
        return None;
    };
    let index = match path.first()? {
        PathSeg::Index(i) => *i,
        PathSeg::Key(k) => k.parse().ok()?,
    };
    let doc = docs.get(index)?;
    let rest = match path.get(1) {
        Some(PathSeg::Key(k)) if k == "contents" => &path[2..],
        Some(_) => return None,
        None => &[][..],
    };
    if doc.roots.len() > 1 {
        if let Some((first, tail)) = rest.split_first() {
            let root = match first {
                PathSeg::Index(i) => *i,
                PathSeg::Key(k) => k.parse().ok()?,
            };
            let origin = InputOrigin {
                root,
                element: None,
            };
            return Some((
                index,
                Target::Path {
                    origin,
                    path: tail.to_vec(),
                },
            ));
        }
    }
    let origin = InputOrigin {
        root: 0,
        element: None,
    };
    Some((
        index,
        Target::Path {
            origin,
            path: rest.to_vec(),
        },
    ))
}

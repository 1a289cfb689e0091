//! The pipeline of `goldenpath check`: prepare (policies, schemas, discovery) → evaluate
//! the repositories → evaluate the files ([`files`], or [`combine`] for `--combine`) →
//! assemble the [`Report`]. This is the only module that knows every stage.

mod cap;
mod combine;
mod files;
mod repository;

use std::collections::BTreeMap;

use crate::context::{RepositoryContext, TestPaths};
use crate::discover::{self, DiscoverError, DiscoverOptions, Discovery};
use crate::finding::{RuleInfo, Severity, PARSE_ERROR, POLICY_ERROR};
use crate::locate::Diagnostic;
use crate::options::{CheckOptions, RuleSetting};
use crate::policy::{self, PolicyError, PolicySet};
use crate::report::{Report, Summary};
use crate::schema::{SchemaError, SchemaSet};
use crate::trace::{FileTrace, SkipReason, SkippedPackage};

/// Failures that stop a run (exit status 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    /// Bad paths or patterns.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Discover(#[from] DiscoverError),
    /// Broken policies or data, or nothing to evaluate.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Policy(#[from] Box<PolicyError>),
    /// Broken schema policies.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Schema(#[from] Box<SchemaError>),
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

/// Runs `goldenpath check`.
pub fn check(options: &CheckOptions) -> Result<Report, RunError> {
    check_traced(options).map(|(report, _)| report)
}

/// Runs `goldenpath check` and also returns, per checked file (sorted by file), the
/// packages applied and skipped and the policies' `print()` output.
pub fn check_traced(options: &CheckOptions) -> Result<(Report, Vec<FileTrace>), RunError> {
    let run = prepare(options)?;
    let repository = repository::evaluate(&run);
    let mut outcome = if options.combine {
        combine::check(&run, &repository)
    } else {
        files::check(&run, &repository)
    };
    let located = std::mem::take(&mut outcome.repository)
        .into_iter()
        .collect();
    outcome
        .diagnostics
        .extend(repository.finish(located, options.max_file_size));
    Ok(assemble(run, outcome))
}

/// What every stage of a run shares.
struct Prepared<'a> {
    options: &'a CheckOptions,
    schemas: SchemaSet,
    policies: PolicySet,
    discovery: Discovery,
    /// The schema mappings whose globs match each candidate, by candidate.
    matches: Vec<Vec<usize>>,
    /// What is known of each repository of `discovery`, in order.
    repositories: Vec<RepositoryFacts>,
    pool: rayon::ThreadPool,
}

/// A repository's context for file rules and its test-data paths.
struct RepositoryFacts {
    context: RepositoryContext,
    test_paths: TestPaths,
}

/// Reads the context files of every repository (in the run's pool).
fn repository_facts(
    discovery: &Discovery,
    options: &CheckOptions,
    pool: &rayon::ThreadPool,
) -> Vec<RepositoryFacts> {
    use rayon::prelude::*;
    let limit = options.max_file_size.min(policy::repository::READ_LIMIT);
    pool.install(|| {
        discovery
            .repositories
            .par_iter()
            .map(|repo| {
                let sandbox = policy::repository::Sandbox::new(&repo.root, limit);
                RepositoryFacts {
                    context: RepositoryContext::build(&repo.context_files, &sandbox),
                    test_paths: TestPaths::new(&options.test_paths, &repo.context_files, &sandbox),
                }
            })
            .collect()
    })
}

/// What evaluating files (and locating repository findings in them) produced.
#[derive(Debug, Default)]
struct Outcome {
    diagnostics: Vec<Diagnostic>,
    documents: usize,
    parse_errors: usize,
    exceptions: usize,
    traces: Vec<FileTrace>,
    /// Repository findings located in documents the file stage parsed.
    repository: Vec<(repository::GroupKey, Vec<Diagnostic>)>,
}

impl Outcome {
    fn absorb(&mut self, other: Outcome) {
        self.diagnostics.extend(other.diagnostics);
        self.documents += other.documents;
        self.parse_errors += other.parse_errors;
        self.exceptions += other.exceptions;
        self.traces.extend(other.traces);
        self.repository.extend(other.repository);
    }
}

/// Loads the schemas and policies, finds the files, and starts the worker pool.
fn prepare(options: &CheckOptions) -> Result<Prepared<'_>, RunError> {
    let schemas = SchemaSet::load(&options.schemas).map_err(Box::new)?;
    let policies = policy::load(&options.policies, !schemas.is_empty()).map_err(Box::new)?;
    let discover_options = DiscoverOptions {
        inventory: policies.has_repository_rules(),
        ..options.discover.clone()
    };
    let discovery = discover::discover(&options.paths, &discover_options)?;
    let root = discover::checked_root(&options.paths);
    let matches = discovery
        .candidates
        .iter()
        .map(|c| {
            let relative = c.path.strip_prefix(&root).unwrap_or(&c.path);
            schemas.matching(&discover::display(relative))
        })
        .collect();
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(jobs) = options.jobs.filter(|j| *j > 0) {
        builder = builder.num_threads(jobs);
    }
    let pool = builder
        .build()
        .map_err(|e| RunError::Threads(e.to_string()))?;
    let repositories = repository_facts(&discovery, options, &pool);
    Ok(Prepared {
        options,
        schemas,
        policies,
        discovery,
        matches,
        repositories,
        pool,
    })
}

/// The report and the traces of a run: the rule catalogue, the `[rules]` overrides, the
/// summary and the scorecards.
fn assemble(run: Prepared<'_>, outcome: Outcome) -> (Report, Vec<FileTrace>) {
    let Prepared {
        options,
        schemas,
        policies,
        discovery,
        matches,
        repositories: facts,
        ..
    } = run;
    let mut diagnostics: Vec<Diagnostic> = discovery
        .problems
        .iter()
        .map(|p| Diagnostic::file_level(PARSE_ERROR, &p.file, &p.message))
        .collect();
    diagnostics.extend(discovery.skipped.iter().map(|p| Diagnostic {
        severity: Severity::Warning,
        ..Diagnostic::file_level(PARSE_ERROR, &p.file, &p.message)
    }));
    diagnostics.extend(outcome.diagnostics);
    let mut rules = RuleInfo::builtin();
    rules.extend(policies.rules());
    rules.extend(schemas.rules());
    let mut rules = RuleInfo::catalogue(rules, diagnostics.iter().map(|d| d.rule.as_str()));
    apply_overrides(&options.rules, &mut diagnostics, &mut rules);
    if policies.packages().iter().any(|p| p.builtin) {
        mark_test_data(&policies, &discovery, &facts, &mut diagnostics);
    }
    let diagnostics = cap::cap(diagnostics, options.caps);

    let matched: Vec<bool> = (0..schemas.ids().len())
        .map(|i| matches.iter().any(|m| m.contains(&i)))
        .collect();
    let summary = Summary {
        files: discovery.candidates.len(),
        documents: outcome.documents,
        parse_errors: outcome.parse_errors + discovery.problems.len(),
        exceptions: outcome.exceptions,
        unevaluated_packages: policies.unselected().to_vec(),
        unmatched_schemas: schemas
            .ids()
            .into_iter()
            .zip(matched)
            .filter(|(_, matched)| !matched)
            .map(|(id, _)| id)
            .collect(),
        ..Summary::default()
    };
    let mut traces = outcome.traces;
    for trace in &mut traces {
        trace
            .skipped
            .extend(policies.unselected().iter().map(|package| SkippedPackage {
                package: package.clone(),
                reason: SkipReason::Namespace,
            }));
    }
    traces.sort_by(|a, b| a.file.cmp(&b.file));
    let files = discovery.candidates.into_iter().map(|c| c.file).collect();
    let repositories: Vec<String> = discovery
        .repositories
        .into_iter()
        .map(|r| r.label)
        .collect();
    let report = Report::new(diagnostics, summary, rules)
        .with_files(files)
        .with_scorecards(&repositories);
    (report, traces)
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

/// Findings of the built-in pack (and parse errors) in a repository's test data,
/// examples and documentation ([`TestPaths`]) are reported at `info` and marked
/// `"test_data": true` in their metadata, which keeps them out of the scorecard.
fn mark_test_data(
    policies: &PolicySet,
    discovery: &Discovery,
    facts: &[RepositoryFacts],
    diagnostics: &mut [Diagnostic],
) {
    let builtin: std::collections::BTreeSet<&str> = policies
        .packages()
        .iter()
        .filter(|p| p.builtin)
        .flat_map(|p| &p.rules)
        .map(|r| r.info.id.as_str())
        .chain([PARSE_ERROR])
        .collect();
    for d in diagnostics.iter_mut() {
        if !builtin.contains(d.rule.as_str()) {
            continue;
        }
        let test_data = discovery
            .repositories
            .iter()
            .zip(facts)
            .any(|(repo, facts)| {
                relative_to(&d.file, &repo.label).is_some_and(|r| facts.test_paths.contains(r))
            });
        if test_data {
            d.severity = Severity::Info;
            d.metadata
                .insert("test_data".to_string(), serde_json::Value::Bool(true));
        }
    }
}

/// `file` (as reported) relative to the repository reported as `label`, when inside it.
fn relative_to<'a>(file: &'a str, label: &str) -> Option<&'a str> {
    if label == "." || label.is_empty() {
        return (!file.starts_with("../") && !file.starts_with('/')).then_some(file);
    }
    file.strip_prefix(label.trim_end_matches('/'))?
        .strip_prefix('/')
}

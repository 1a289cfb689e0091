//! The pipeline of `goldenpath check`: prepare (policies, schemas, discovery) → evaluate
//! the repositories → evaluate the files ([`files`], or [`combine`] for `--combine`) →
//! assemble the [`Report`]. This is the only module that knows every stage.

mod cap;
mod combine;
mod files;
mod repository;

use std::collections::BTreeSet;

use crate::context::{RepositoryContext, TestPaths};
use crate::discover::{self, DiscoverError, DiscoverOptions, Discovery};
use crate::finding::{
    RuleInfo, Severity, EXPIRED_SUPPRESSION, INVALID_SUPPRESSION, PARSE_ERROR, POLICY_ERROR,
    UNKNOWN_RULE, UNUSED_SUPPRESSION,
};
use crate::locate::Diagnostic;
use crate::options::{BaselineMode, CheckOptions, RuleSetting};
use crate::policy::{self, PolicyError, PolicySet};
use crate::profile::Recorder;
use crate::report::{Report, Summary};
use crate::schema::{SchemaError, SchemaSet};
use crate::suppress::baseline::Baseline;
use crate::suppress::date::Date;
use crate::suppress::directive::FileDirectives;
use crate::suppress::rules::{did_you_mean, RuleTable};
use crate::suppress::{self, Suppressed};
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
    /// The baseline file cannot be read or written.
    #[error("baseline `{file}`: {message}")]
    #[diagnostic(
        code(goldenpath::baseline),
        help("write a baseline with `goldenpath check --write-baseline FILE`")
    )]
    Baseline {
        /// The file.
        file: String,
        /// What went wrong.
        message: String,
    },
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

/// What a run says about how far it is, for a progress bar: the library never prints,
/// the caller decides what to show. Called from worker threads.
pub trait Progress: Sync {
    /// A stage starts (`discovering`, `checking`), with its number of steps (0 when not
    /// known in advance).
    fn stage(&self, _name: &'static str, _steps: usize) {}
    /// One step of the current stage is done (a file checked).
    fn step(&self) {}
}

/// Progress that nobody watches.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unwatched;

impl Progress for Unwatched {}

/// Runs `goldenpath check`.
pub fn check(options: &CheckOptions) -> Result<Report, RunError> {
    check_traced(options, &Unwatched).map(|(report, _)| report)
}

/// Runs `goldenpath check`, telling `progress` how far it is, and also returns, per
/// checked file (sorted by file), the packages applied and skipped and the policies'
/// `print()` output.
pub fn check_traced(
    options: &CheckOptions,
    progress: &dyn Progress,
) -> Result<(Report, Vec<FileTrace>), RunError> {
    progress.stage("discovering", 0);
    let run = prepare(options)?;
    let (repository, mut outcome) = if options.combine {
        progress.stage("repository rules", 0);
        let started = run.recorder.start();
        let repository = repository::evaluate(&run);
        run.recorder.stage("repository rules", started);
        progress.stage("checking", run.discovery.candidates.len());
        let started = run.recorder.start();
        let outcome = combine::check(&run, &repository);
        run.recorder.stage("files", started);
        (repository, outcome)
    } else {
        // The repository rules run beside the file stage (one repository is one task of
        // the pool); their findings are located once both are done.
        progress.stage("checking", run.discovery.candidates.len());
        let recorder = &run.recorder;
        let ((repository, repository_took), (outcome, files_took)) = run.pool.install(|| {
            rayon::join(
                || recorder.time(|| repository::evaluate(&run)),
                || recorder.time(|| files::check(&run, &Default::default(), progress)),
            )
        });
        run.recorder.took("repository rules", repository_took);
        run.recorder.took("files", files_took);
        (repository, outcome)
    };
    let located = std::mem::take(&mut outcome.repository)
        .into_iter()
        .collect();
    outcome
        .diagnostics
        .extend(repository.finish(located, options.max_file_size));
    assemble(run, outcome)
}

/// Reads and parses a candidate: what standard input held for `-`, the file otherwise.
fn parse_candidate(
    options: &CheckOptions,
    candidate: &discover::Candidate,
) -> Result<crate::document::Document, crate::parse::ParseFailure> {
    match &options.stdin {
        Some(bytes) if candidate.path.as_os_str() == discover::STDIN => crate::parse::parse_bytes(
            bytes,
            &candidate.file,
            candidate.format,
            options.max_file_size,
        ),
        _ => crate::parse::parse_file(
            &candidate.path,
            &candidate.file,
            candidate.format,
            options.max_file_size,
        ),
    }
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
    /// Timings for `--profile` (a no-op without it).
    recorder: Recorder,
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
                let sandbox = policy::repository::Sandbox::new(&repo.repository_root, limit);
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
    /// The inline suppressions of the files that have some.
    directives: Vec<FileDirectives>,
}

impl Outcome {
    fn absorb(&mut self, other: Outcome) {
        self.diagnostics.extend(other.diagnostics);
        self.documents += other.documents;
        self.parse_errors += other.parse_errors;
        self.exceptions += other.exceptions;
        self.traces.extend(other.traces);
        self.repository.extend(other.repository);
        self.directives.extend(other.directives);
    }
}

/// Loads the schemas and policies, finds the files, and starts the worker pool.
fn prepare(options: &CheckOptions) -> Result<Prepared<'_>, RunError> {
    let recorder = if options.profile {
        Recorder::enabled()
    } else {
        Recorder::default()
    };
    let started = recorder.start();
    let schemas = SchemaSet::load(&options.schemas).map_err(Box::new)?;
    // conftest's parse_config_file reads only inside the repository being checked.
    let first = options
        .paths
        .first()
        .filter(|p| p.as_os_str() != discover::STDIN)
        .map_or(std::path::Path::new("."), |p| p.as_path());
    let repository = discover::canonical(&discover::repository_root(
        &discover::start_dir(first),
        &options.discover,
    ));
    // A run over named files (a pre-commit hook) compiles only the pack packages that
    // apply to them; --combine evaluates every package on the combined input.
    let scope = if options.combine {
        None
    } else {
        discover::named_files(&options.paths, &options.discover)
    };
    let mut policies = policy::load_confined(
        &options.policies,
        !schemas.is_empty(),
        Some(&repository),
        scope,
    )
    .map_err(Box::new)?;
    policies.record_times(recorder.clone());
    recorder.stage("load policies", started);
    let discover_options = DiscoverOptions {
        inventory: policies.has_repository_rules(),
        ..options.discover.clone()
    };
    let started = recorder.start();
    let discovery = discover::discover(&options.paths, &discover_options)?;
    recorder.stage("walk", started);
    let matches = discovery
        .candidates
        .iter()
        .map(|c| schemas.matching(&c.relative))
        .collect();
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(jobs) = options.jobs.filter(|j| *j > 0) {
        builder = builder.num_threads(jobs);
    }
    let pool = builder
        .build()
        .map_err(|e| RunError::Threads(e.to_string()))?;
    let started = recorder.start();
    let repositories = repository_facts(&discovery, options, &pool);
    recorder.stage("repository context", started);
    Ok(Prepared {
        options,
        schemas,
        policies,
        discovery,
        matches,
        repositories,
        pool,
        recorder,
    })
}

/// The report and the traces of a run: the rule catalogue, the rule settings and
/// suppressions, the summary and the scorecards.
fn assemble(run: Prepared<'_>, outcome: Outcome) -> Result<(Report, Vec<FileTrace>), RunError> {
    let Prepared {
        options,
        schemas,
        policies,
        discovery,
        matches,
        repositories: facts,
        recorder,
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
    let (mut kept, mut suppressed, mut summary) = suppress_stage(
        options,
        &|file: &str| in_repository(&discovery, file),
        &rules,
        diagnostics,
        &outcome.directives,
    )?;
    let mut rules = RuleInfo::catalogue(
        rules,
        kept.iter()
            .chain(suppressed.iter().map(|s| &s.diagnostic))
            .map(|d| d.rule.as_str()),
    );
    let off = settle_catalogue(options, &mut rules, &kept, &suppressed);
    if policies.packages().iter().any(|p| p.builtin) {
        mark_test_data(
            &policies,
            &discovery,
            &facts,
            kept.iter_mut()
                .chain(suppressed.iter_mut().map(|s| &mut s.diagnostic)),
        );
    }
    let kept = cap::cap(kept, options.caps);

    let matched: Vec<bool> = (0..schemas.ids().len())
        .map(|i| matches.iter().any(|m| m.contains(&i)))
        .collect();
    summary = Summary {
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
        subdirectories: if policies.has_repository_rules()
            || rules.iter().any(|r| r.level.is_some())
        {
            discovery.subdirectories.clone()
        } else {
            Vec::new()
        },
        ..summary
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
        .filter(|r| r.is_root)
        .map(|r| r.label)
        .collect();
    let report = Report::new(kept, summary, rules)
        .with_suppressed(suppressed)
        .with_files(files)
        .with_scorecards(&repositories, &off)
        .with_profile(recorder.snapshot());
    Ok((report, traces))
}

/// Rule settings, inline and `[[ignore]]` suppressions, then the baseline: the findings
/// still reported, the suppressed ones, and the summary's counts of the stage.
fn suppress_stage(
    options: &CheckOptions,
    relative: &dyn Fn(&str) -> String,
    rules: &[RuleInfo],
    diagnostics: Vec<Diagnostic>,
    directives: &[FileDirectives],
) -> Result<(Vec<Diagnostic>, Vec<Suppressed>, Summary), RunError> {
    let settings = &options.suppress;
    let table = RuleTable::of(settings);
    let known: BTreeSet<String> = rules
        .iter()
        .map(|r| r.id.clone())
        .chain(diagnostics.iter().map(|d| d.rule.clone()))
        .collect();
    let cx = suppress::Context {
        table: &table,
        known: &known,
        relative,
        today: settings.today.unwrap_or_else(Date::today),
        require_reason: settings.require_reason,
        config: settings.config.as_deref(),
        ignores: &settings.ignores,
    };
    let outcome = suppress::apply(&cx, diagnostics, directives);
    let mut summary = Summary::default();
    let known_ids: Vec<&str> = known.iter().map(String::as_str).collect();
    summary.unmatched_selectors = table
        .unmatched_selectors(&known_ids)
        .into_iter()
        .map(
            |(flag, pattern)| match did_you_mean(pattern, known_ids.iter().copied()) {
                Some(near) => format!("`{flag} {pattern}` matches no rule; did you mean `{near}`?"),
                None => format!("`{flag} {pattern}` matches no rule"),
            },
        )
        .collect();
    let mut suppressed = outcome.suppressed;
    let Some(mode) = &settings.baseline else {
        return Ok((outcome.kept, suppressed, summary));
    };
    let mut kept = outcome.kept;
    kept.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    suppressed.sort_by(|a, b| a.diagnostic.sort_key().cmp(&b.diagnostic.sort_key()));
    let others: Vec<&Diagnostic> = suppressed.iter().map(|s| &s.diagnostic).collect();
    let (prints, _) = crate::report::fingerprint::fingerprint_all(&kept, &others);
    let (path, baseline) = match mode {
        BaselineMode::Read(path) => {
            let baseline = Baseline::read(path).map_err(|message| RunError::Baseline {
                file: discover::display(path),
                message,
            })?;
            (path, baseline)
        }
        BaselineMode::Write(path) => {
            let baseline = Baseline::of(kept.iter().zip(&prints));
            std::fs::write(path, baseline.render()).map_err(|e| RunError::Baseline {
                file: discover::display(path),
                message: format!("cannot write: {e}"),
            })?;
            (path, baseline)
        }
    };
    let (kept, from_baseline, fixed) = baseline.split(
        kept.into_iter().zip(prints).collect(),
        &discover::display(path),
    );
    suppressed.extend(from_baseline);
    summary.baseline_fixed = fixed;
    Ok((kept, suppressed, summary))
}

/// The catalogue after the rule settings: rules off in every file leave it, a severity
/// set for every file replaces the rule's, and the suppression rules stay only when they
/// reported something.
fn settle_catalogue(
    options: &CheckOptions,
    rules: &mut Vec<RuleInfo>,
    kept: &[Diagnostic],
    suppressed: &[Suppressed],
) -> Vec<RuleInfo> {
    let settings = &options.suppress;
    let table = RuleTable::of(settings);
    let used: BTreeSet<&str> = kept
        .iter()
        .chain(suppressed.iter().map(|s| &s.diagnostic))
        .map(|d| d.rule.as_str())
        .collect();
    let on_demand = [
        UNUSED_SUPPRESSION,
        EXPIRED_SUPPRESSION,
        INVALID_SUPPRESSION,
        UNKNOWN_RULE,
    ];
    let (off, on): (Vec<RuleInfo>, Vec<RuleInfo>) = std::mem::take(rules)
        .into_iter()
        .partition(|r| table.off_everywhere(&r.id));
    *rules = on;
    rules.retain(|r| !on_demand.contains(&r.id.as_str()) || used.contains(r.id.as_str()));
    for r in rules.iter_mut() {
        if let Some(RuleSetting::Severity(severity)) = table.resolve(&r.id, None) {
            r.severity = Some(severity);
        }
    }
    off
}

/// Findings of the built-in pack (and parse errors) in a repository's test data,
/// examples and documentation ([`TestPaths`]) are reported at `info` and marked
/// `"test_data": true` in their metadata, which keeps them out of the scorecard.
fn mark_test_data<'a>(
    policies: &PolicySet,
    discovery: &Discovery,
    facts: &[RepositoryFacts],
    diagnostics: impl Iterator<Item = &'a mut Diagnostic>,
) {
    let builtin: std::collections::BTreeSet<&str> = policies
        .packages()
        .iter()
        .filter(|p| p.builtin)
        .flat_map(|p| &p.rules)
        .map(|r| r.info.id.as_str())
        .chain([PARSE_ERROR])
        .collect();
    for d in diagnostics {
        if !builtin.contains(d.rule.as_str()) {
            continue;
        }
        let test_data = discovery
            .repositories
            .iter()
            .zip(facts)
            .any(|(repo, facts)| {
                relative_to(&d.file, &repo.label)
                    .is_some_and(|r| facts.test_paths.contains(&repo.in_repository(r)))
            });
        if test_data {
            d.severity = Severity::Info;
            d.metadata
                .insert("test_data".to_string(), serde_json::Value::Bool(true));
        }
    }
}

/// `file` (as reported) relative to the root of the repository holding it, for globs in
/// `goldenpath.toml` (the file itself when no checked directory holds it).
fn in_repository(discovery: &Discovery, file: &str) -> String {
    discovery
        .repositories
        .iter()
        .find_map(|repo| relative_to(file, &repo.label).map(|r| repo.in_repository(r)))
        .unwrap_or_else(|| file.to_string())
}

/// `file` (as reported) relative to the repository reported as `label`, when inside it.
fn relative_to<'a>(file: &'a str, label: &str) -> Option<&'a str> {
    if label == "." || label.is_empty() {
        return (!file.starts_with("../") && !file.starts_with('/')).then_some(file);
    }
    file.strip_prefix(label.trim_end_matches('/'))?
        .strip_prefix('/')
}

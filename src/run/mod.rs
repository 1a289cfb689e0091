//! The pipeline of `goldenpath check`: prepare (schemas, the cache, policies when the
//! cache does not know them, discovery, this shard's share) → evaluate the repositories
//! ([`repository`]) → evaluate the files ([`files`], or [`combine`] for `--combine`),
//! each from the cache when it has it → [`assemble`] the [`Report`] from the checked
//! part ([`Partial`]) with the run-wide stages. [`merge`] assembles the same report from
//! the parts of a sharded run. This is the only module that knows every stage.

mod cap;
mod combine;
mod files;
mod identity;
pub mod merge;
mod repository;

use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;

use crate::cache::{self, Cache};
use crate::context::{RepositoryContext, TestPaths};
use crate::digest::Digest;
use crate::discover::{self, DiscoverError, DiscoverOptions, Discovery};
use crate::finding::{
    RuleInfo, Severity, EXPIRED_SUPPRESSION, INVALID_SUPPRESSION, PARSE_ERROR, POLICY_ERROR,
    UNKNOWN_RULE, UNUSED_SUPPRESSION,
};
use crate::locate::Diagnostic;
use crate::options::{BaselineMode, CheckOptions, RuleSetting, SuppressOptions};
use crate::partial::wire::{RunRecord, SettingsRecord};
use crate::partial::{relative_to, sources, Facts, FileResult, Partial, RepositoryLabel};
use crate::policy::{self, PolicyError, PolicyFacts, PolicySet};
use crate::profile::Recorder;
use crate::report::{Report, Summary};
use crate::schema::{SchemaError, SchemaSet};
use crate::shard::Shard;
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
    /// Options that cannot go together with `--shard`.
    #[error("{0}")]
    #[diagnostic(code(goldenpath::usage::shard))]
    Shard(String),
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
    let mut run = prepare(options)?;
    let started = run.recorder.start();
    run.contexts();
    run.recorder.stage("repository context", started);
    let (repository, mut outcome) = if options.combine {
        progress.stage("repository rules", 0);
        let started = run.recorder.start();
        let repository = repository::evaluate(&run)?;
        run.recorder.stage("repository rules", started);
        progress.stage("checking", run.selected.len());
        let started = run.recorder.start();
        let outcome = combine::check(&run, &repository)?;
        run.recorder.stage("files", started);
        (repository, outcome)
    } else {
        // The repository rules run beside the file stage (one repository is one task of
        // the pool); their findings are located once both are done.
        progress.stage("checking", run.selected.len());
        let recorder = &run.recorder;
        let ((repository, repository_took), (outcome, files_took)) = run.pool.install(|| {
            rayon::join(
                || recorder.time(|| repository::evaluate(&run)),
                || recorder.time(|| files::check(&run, &Default::default(), progress)),
            )
        });
        run.recorder.took("repository rules", repository_took);
        run.recorder.took("files", files_took);
        (repository?, outcome?)
    };
    // What the repository rules saw is no longer needed: a run over many repositories
    // does not keep every listing to the end.
    for repo in &mut run.discovery.repositories {
        repo.entries = Vec::new();
        repo.directories = Vec::new();
    }
    let located = std::mem::take(&mut outcome.repository)
        .into_iter()
        .collect();
    outcome
        .diagnostics
        .extend(repository.finish(located, options.max_file_size));
    let mut traces = std::mem::take(&mut outcome.traces);
    let partial = run.partial(outcome);
    let facts = run.facts();
    if let Some(cache) = run.cache.take() {
        cache.save(&run.policy_facts);
    }
    let record = match options.shard {
        Some(shard) => {
            let settings = SettingsRecord::of(&run.suppress).ok_or_else(|| {
                RunError::Shard("--write-baseline cannot be used with --shard: write the baseline in an unsharded run".to_string())
            })?;
            let record = RunRecord {
                shard,
                run: identity::run(&run.evaluation, options, &settings),
                listing: identity::listing(&run.discovery),
                facts: facts.clone(),
                settings,
            };
            Some(record.record(&partial))
        }
        None => None,
    };
    let mut report = assemble(&facts, &run.suppress, partial)?;
    report.shard = record.map(Box::new);
    report.profile = run.recorder.snapshot();
    for trace in traces.iter_mut().filter(|_| options.trace) {
        trace.skipped.extend(
            facts
                .unevaluated_packages
                .iter()
                .map(|package| SkippedPackage {
                    package: package.clone(),
                    reason: SkipReason::Namespace,
                }),
        );
    }
    traces.sort_by(|a, b| a.file.cmp(&b.file));
    Ok((report, traces))
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
    /// The suppression settings with the day and the baseline settled.
    suppress: SuppressOptions,
    schemas: SchemaSet,
    /// The policies, compiled when the first result not in the cache needs them.
    policies: OnceLock<PolicySet>,
    loading: Mutex<()>,
    /// The repository conftest's `parse_config_file` may read in.
    confine: std::path::PathBuf,
    /// The files a run over named files checks, for compiling only the packages that
    /// apply to them (see [`discover::named_files`]).
    scope: Option<Vec<(String, crate::format::Format)>>,
    /// What reports need of the policies (from the cache, or from the compiled policies).
    policy_facts: PolicyFacts,
    /// The evaluation identity (see [`identity`]) when a cache or a shard record needs
    /// it; zero otherwise.
    evaluation: Digest,
    cache: Option<Cache>,
    /// This run's shard (the whole run when not sharded).
    shard: Shard,
    discovery: Discovery,
    /// The schema mappings whose globs match each candidate, by candidate.
    matches: Vec<Vec<usize>>,
    /// The candidates of this shard, by index.
    selected: Vec<usize>,
    /// What is known of each repository of `discovery`, in order, read when first needed.
    repositories: Vec<OnceLock<RepositoryFacts>>,
    pool: rayon::ThreadPool,
    /// Timings for `--profile` (a no-op without it).
    recorder: Recorder,
}

/// A repository's context for file rules (and its digest) and its test-data paths.
struct RepositoryFacts {
    context: RepositoryContext,
    context_digest: Digest,
    test_paths: TestPaths,
}

impl Prepared<'_> {
    /// The compiled policies, compiling them on first use.
    fn policies(&self) -> Result<&PolicySet, RunError> {
        if let Some(policies) = self.policies.get() {
            return Ok(policies);
        }
        let _guard = self
            .loading
            .lock()
            .map_err(|_| RunError::Threads("a worker failed".into()))?;
        if let Some(policies) = self.policies.get() {
            return Ok(policies);
        }
        let mut loaded = policy::load_confined(
            &self.options.policies,
            !self.schemas.is_empty(),
            Some(&self.confine),
            self.scope.clone(),
        )
        .map_err(Box::new)?;
        loaded.record_times(self.recorder.clone());
        Ok(self.policies.get_or_init(|| loaded))
    }

    /// Builds, in the pool, what is known of every repository holding a file of this
    /// shard (each is otherwise built when first needed).
    fn contexts(&self) {
        let mut wanted: Vec<usize> = self
            .selected
            .iter()
            .filter_map(|&i| self.discovery.candidates[i].repository)
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        self.pool.install(|| {
            wanted.par_iter().for_each(|&i| {
                self.repository(i);
            })
        });
    }

    /// What is known of repository `index` of the discovery.
    fn repository(&self, index: usize) -> Option<&RepositoryFacts> {
        let repo = self.discovery.repositories.get(index)?;
        let slot = self.repositories.get(index)?;
        Some(slot.get_or_init(|| {
            let limit = self
                .options
                .max_file_size
                .min(policy::repository::READ_LIMIT);
            let sandbox = policy::repository::Sandbox::new(&repo.repository_root, limit)
                .listing(repo.context_files.iter().cloned());
            let context = RepositoryContext::build(&repo.context_files, &sandbox);
            RepositoryFacts {
                context_digest: identity::context(&context.for_file("")),
                context,
                test_paths: TestPaths::new(&self.options.test_paths, &repo.context_files, &sandbox),
            }
        }))
    }

    /// What the run-wide stages know of this run.
    fn facts(&self) -> Facts {
        let mut rules = RuleInfo::builtin();
        rules.extend(self.policy_facts.rules.iter().cloned());
        rules.extend(self.schemas.rules());
        let matched: Vec<bool> = (0..self.schemas.ids().len())
            .map(|i| self.matches.iter().any(|m| m.contains(&i)))
            .collect();
        let test_data_rules = if self.policy_facts.pack {
            self.policy_facts
                .pack_rules
                .iter()
                .cloned()
                .chain([PARSE_ERROR.to_string()])
                .collect()
        } else {
            Vec::new()
        };
        Facts {
            rules,
            test_data_rules,
            unevaluated_packages: self.policy_facts.unselected.clone(),
            unmatched_schemas: self
                .schemas
                .ids()
                .into_iter()
                .zip(matched)
                .filter(|(_, matched)| !matched)
                .map(|(id, _)| id)
                .collect(),
            subdirectories: self.discovery.subdirectories.clone(),
            caps: self.options.caps,
            repositories: self
                .discovery
                .repositories
                .iter()
                .map(|r| RepositoryLabel {
                    label: r.label.clone(),
                    inside: r.inside.clone(),
                    is_root: r.is_root,
                })
                .collect(),
            repository_rules: self.policy_facts.repository_rules,
        }
    }

    /// This shard's part of the run: its files, the walk problems it owns, and what
    /// checking produced.
    fn partial(&self, outcome: Outcome) -> Partial {
        let problems: Vec<&discover::WalkProblem> = self
            .discovery
            .problems
            .iter()
            .filter(|p| self.shard.owns(&p.file))
            .collect();
        let mut diagnostics: Vec<Diagnostic> = problems
            .iter()
            .map(|p| Diagnostic::file_level(PARSE_ERROR, &p.file, &p.message))
            .collect();
        diagnostics.extend(
            self.discovery
                .skipped
                .iter()
                .filter(|p| self.shard.owns(&p.file))
                .map(|p| Diagnostic {
                    severity: Severity::Warning,
                    ..Diagnostic::file_level(PARSE_ERROR, &p.file, &p.message)
                }),
        );
        diagnostics.extend(outcome.diagnostics);
        let test_data = if self.policy_facts.pack {
            let files: BTreeSet<&str> = diagnostics.iter().map(|d| d.file.as_str()).collect();
            files
                .into_iter()
                .filter(|file| self.is_test_data(file))
                .map(str::to_string)
                .collect()
        } else {
            BTreeSet::new()
        };
        Partial {
            files: self
                .selected
                .iter()
                .map(|&i| self.discovery.candidates[i].file.clone())
                .collect(),
            documents: outcome.documents,
            parse_errors: outcome.parse_errors + problems.len(),
            exceptions: outcome.exceptions,
            diagnostics,
            directives: outcome.directives,
            test_data,
        }
    }

    /// Whether `file` (as reported) is in the test data, examples or documentation of
    /// a checked repository ([`TestPaths`]).
    fn is_test_data(&self, file: &str) -> bool {
        self.discovery
            .repositories
            .iter()
            .enumerate()
            .any(|(i, repo)| {
                relative_to(file, &repo.label).is_some_and(|r| {
                    self.repository(i)
                        .is_some_and(|facts| facts.test_paths.contains(&repo.in_repository(r)))
                })
            })
    }
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

    /// The outcome of one file whose result came from the cache.
    fn of(result: FileResult) -> Outcome {
        Outcome {
            diagnostics: result.diagnostics,
            documents: result.documents,
            parse_errors: result.parse_errors,
            exceptions: result.exceptions,
            traces: vec![result.trace],
            repository: Vec::new(),
            directives: result.directives.into_iter().collect(),
        }
    }

    /// What the cache keeps of the outcome of one file: `None` when a policy failed on
    /// it (a failure, a time-out, may not happen again).
    fn cacheable(&self) -> Option<FileResult> {
        if self.diagnostics.iter().any(|d| d.rule == POLICY_ERROR) || self.traces.len() != 1 {
            return None;
        }
        Some(FileResult {
            diagnostics: self.diagnostics.clone(),
            directives: self.directives.first().cloned(),
            documents: self.documents,
            parse_errors: self.parse_errors,
            exceptions: self.exceptions,
            trace: self.traces[0].clone(),
        })
    }
}

/// Loads the schemas (and the policies, unless the cache knows them), finds the files,
/// picks this shard's, and starts the worker pool.
fn prepare(options: &CheckOptions) -> Result<Prepared<'_>, RunError> {
    let shard = options.shard.unwrap_or(Shard::WHOLE);
    if options.shard.is_some() && options.combine {
        return Err(RunError::Shard(
            "--combine evaluates every file at once and cannot be sharded".to_string(),
        ));
    }
    let suppress = settle(&options.suppress)?;
    let recorder = if options.profile {
        Recorder::enabled()
    } else {
        Recorder::default()
    };
    let started = recorder.start();
    let schemas = SchemaSet::load(&options.schemas).map_err(Box::new)?;
    // The identity reads every policy, data and schema file again: only a cache or a
    // shard record needs it.
    let wanted = options.shard.is_some()
        || (options.cache.is_some() && options.cache_key.is_some() && !options.combine);
    let evaluation = wanted.then(|| identity::evaluation(options, &schemas));
    // conftest's parse_config_file reads only inside the repository being checked; what
    // it reads is not part of any file's key, so policies that call it are not cached.
    let first = options
        .paths
        .first()
        .filter(|p| p.as_os_str() != discover::STDIN)
        .map_or(std::path::Path::new("."), |p| p.as_path());
    let confine = discover::canonical(&discover::repository_root(
        &discover::start_dir(first),
        &options.discover,
    ));
    let cache = options
        .cache
        .as_deref()
        .zip(options.cache_key.as_ref())
        .zip(evaluation.as_ref())
        .filter(|((dir, _), evaluation)| {
            !options.combine && evaluation.cacheable && !cache::redirected(dir)
        })
        .map(|((dir, key), evaluation)| {
            Cache::open(
                dir,
                key,
                evaluation.digest,
                identity::scope(&evaluation.digest, shard, options),
            )
        });
    let evaluation = evaluation.map_or_else(Digest::default, |e| e.digest);
    // A run over named files (a pre-commit hook) compiles only the pack packages that
    // apply to them; --combine evaluates every package on the combined input.
    let scope = if options.combine {
        None
    } else {
        discover::named_files(&options.paths, &options.discover)
    };
    let policies = OnceLock::new();
    let policy_facts = match cache.as_ref().and_then(|c| c.facts()) {
        Some(facts) => facts.clone(),
        None => {
            let mut loaded = policy::load_confined(
                &options.policies,
                !schemas.is_empty(),
                Some(&confine),
                scope.clone(),
            )
            .map_err(Box::new)?;
            loaded.record_times(recorder.clone());
            let facts = loaded.facts();
            let _ = policies.set(loaded);
            facts
        }
    };
    recorder.stage("load policies", started);
    let mut discover_options = DiscoverOptions {
        inventory: policy_facts.repository_rules,
        ..options.discover.clone()
    };
    discover_options.skip.extend(options.cache.iter().cloned());
    let started = recorder.start();
    let discovery = discover::discover(&options.paths, &discover_options)?;
    recorder.stage("walk", started);
    let matches = discovery
        .candidates
        .iter()
        .map(|c| schemas.matching(&c.relative))
        .collect();
    let several = discovery.repositories.len() > 1;
    let selected = discovery
        .candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| shard.owns(&shard_name(&discovery, c, several)))
        .map(|(i, _)| i)
        .collect();
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(jobs) = options.jobs.filter(|j| *j > 0) {
        builder = builder.num_threads(jobs);
    }
    let pool = builder
        .build()
        .map_err(|e| RunError::Threads(e.to_string()))?;
    let repositories = discovery
        .repositories
        .iter()
        .map(|_| OnceLock::new())
        .collect();
    Ok(Prepared {
        options,
        suppress,
        schemas,
        policies,
        loading: Mutex::new(()),
        confine,
        scope,
        policy_facts,
        evaluation,
        cache,
        shard,
        discovery,
        matches,
        selected,
        repositories,
        pool,
        recorder,
    })
}

/// The name a file is assigned to a shard by: its path relative to its repository root,
/// after the checked directory's label when the run checks several.
fn shard_name(discovery: &Discovery, candidate: &discover::Candidate, several: bool) -> String {
    match candidate
        .repository
        .and_then(|i| discovery.repositories.get(i))
    {
        Some(repo) if several => format!("{}\0{}", repo.label, candidate.relative),
        _ => candidate.relative.clone(),
    }
}

/// The suppression settings with the day fixed and the baseline read, so that every
/// stage (and every shard) sees the same.
fn settle(options: &SuppressOptions) -> Result<SuppressOptions, RunError> {
    let mut settled = options.clone();
    settled.today = Some(options.today.unwrap_or_else(Date::today));
    if let Some(BaselineMode::Read(path)) = &options.baseline {
        let baseline = Baseline::read(path).map_err(|message| RunError::Baseline {
            file: discover::display(path),
            message,
        })?;
        settled.baseline = Some(BaselineMode::Loaded {
            file: discover::display(path),
            baseline,
        });
    }
    Ok(settled)
}

/// The report of a run from its checked part (or its shards' parts, put together): rule
/// settings and suppressions, the rule catalogue, test data, the summary and the
/// scorecards.
pub(crate) fn assemble(
    facts: &Facts,
    suppress: &SuppressOptions,
    partial: Partial,
) -> Result<Report, RunError> {
    let Partial {
        files,
        documents,
        parse_errors,
        exceptions,
        diagnostics,
        directives,
        test_data,
    } = partial;
    let (mut kept, mut suppressed, mut summary) = suppress_stage(
        suppress,
        &|file: &str| facts.in_repository(file),
        &facts.rules,
        diagnostics,
        &directives,
    )?;
    let mut rules = RuleInfo::catalogue(
        facts.rules.clone(),
        kept.iter()
            .chain(suppressed.iter().map(|s| &s.diagnostic))
            .map(|d| d.rule.as_str()),
    );
    let off = settle_catalogue(suppress, &mut rules, &kept, &suppressed);
    mark_test_data(
        &facts.test_data_rules,
        &test_data,
        kept.iter_mut()
            .chain(suppressed.iter_mut().map(|s| &mut s.diagnostic)),
    );
    let mut kept = cap::cap(kept, facts.caps);
    sources::canonical(
        kept.iter_mut()
            .chain(suppressed.iter_mut().map(|s| &mut s.diagnostic))
            .collect(),
    );
    summary = Summary {
        files: files.len(),
        documents,
        parse_errors,
        exceptions,
        unevaluated_packages: facts.unevaluated_packages.clone(),
        unmatched_schemas: facts.unmatched_schemas.clone(),
        subdirectories: if facts.repository_rules || rules.iter().any(|r| r.level.is_some()) {
            facts.subdirectories.clone()
        } else {
            Vec::new()
        },
        ..summary
    };
    Ok(Report::new(kept, summary, rules)
        .with_suppressed(suppressed)
        .with_files(files)
        .with_scorecards(&facts.roots(), &off))
}

/// Rule settings, inline and `[[ignore]]` suppressions, then the baseline: the findings
/// still reported, the suppressed ones, and the summary's counts of the stage.
fn suppress_stage(
    settings: &SuppressOptions,
    relative: &dyn Fn(&str) -> String,
    rules: &[RuleInfo],
    diagnostics: Vec<Diagnostic>,
    directives: &[FileDirectives],
) -> Result<(Vec<Diagnostic>, Vec<Suppressed>, Summary), RunError> {
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
    kept.sort_by(Diagnostic::report_order);
    suppressed.sort_by(Suppressed::report_order);
    let others: Vec<&Diagnostic> = suppressed.iter().map(|s| &s.diagnostic).collect();
    let (prints, _) = crate::report::fingerprint::fingerprint_all(&kept, &others);
    let (label, baseline) = match mode {
        BaselineMode::Read(path) => {
            let baseline = Baseline::read(path).map_err(|message| RunError::Baseline {
                file: discover::display(path),
                message,
            })?;
            (discover::display(path), baseline)
        }
        BaselineMode::Loaded { file, baseline } => (file.clone(), baseline.clone()),
        BaselineMode::Write(path) => {
            let baseline = Baseline::of(kept.iter().zip(&prints));
            std::fs::write(path, baseline.render()).map_err(|e| RunError::Baseline {
                file: discover::display(path),
                message: format!("cannot write: {e}"),
            })?;
            (discover::display(path), baseline)
        }
    };
    let (kept, from_baseline, fixed) =
        baseline.split(kept.into_iter().zip(prints).collect(), &label);
    suppressed.extend(from_baseline);
    summary.baseline_fixed = fixed;
    Ok((kept, suppressed, summary))
}

/// The catalogue after the rule settings: rules off in every file leave it, a severity
/// set for every file replaces the rule's, and the suppression rules stay only when they
/// reported something.
fn settle_catalogue(
    settings: &SuppressOptions,
    rules: &mut Vec<RuleInfo>,
    kept: &[Diagnostic],
    suppressed: &[Suppressed],
) -> Vec<RuleInfo> {
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
    rules: &[String],
    test_data: &BTreeSet<String>,
    diagnostics: impl Iterator<Item = &'a mut Diagnostic>,
) {
    if rules.is_empty() || test_data.is_empty() {
        return;
    }
    let rules: BTreeSet<&str> = rules.iter().map(String::as_str).collect();
    for d in diagnostics {
        if rules.contains(d.rule.as_str()) && test_data.contains(&d.file) {
            d.severity = Severity::Info;
            d.metadata
                .insert("test_data".to_string(), serde_json::Value::Bool(true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &std::path::Path, text: &str) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }

    /// Whether the run's file stage compiled the policies.
    fn compiled(options: &CheckOptions) -> bool {
        let run = prepare(options).expect("prepared");
        let repository = repository::evaluate(&run).expect("repository rules");
        let outcome = files::check(&run, &repository, &Unwatched).expect("files");
        assert!(!outcome.diagnostics.is_empty(), "the pack finds something");
        if let Some(cache) = run.cache {
            cache.save(&run.policy_facts);
        }
        run.policies.get().is_some()
    }

    #[test]
    fn a_run_whose_every_result_is_cached_compiles_no_policy() {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = temp.path().join("repo");
        std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
        write(&dir.join("Dockerfile"), "FROM node:latest\n");
        write(
            &dir.join("deploy/pod.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:latest\n",
        );
        let options = CheckOptions {
            paths: vec![dir.clone()],
            cache: Some(temp.path().join("cache")),
            cache_key: Some(crate::cache::CacheKey::from_secret("test")),
            ..CheckOptions::default()
        };
        assert!(compiled(&options), "cold: compiled");
        assert!(
            !compiled(&options),
            "warm: every result cached, nothing compiled"
        );
        write(&dir.join("Dockerfile"), "FROM node:20\n");
        assert!(
            compiled(&options),
            "one file changed: compiled to evaluate it"
        );
        assert!(!compiled(&options), "warm again");
        let uncached = CheckOptions {
            cache: None,
            ..options.clone()
        };
        let (a, b) = (check(&options), check(&uncached));
        let (a, b) = (a.expect("cached"), b.expect("uncached"));
        assert_eq!(
            crate::report::json::render(&a),
            crate::report::json::render(&b)
        );
    }
}

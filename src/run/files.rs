//! The file stage: each candidate file of the shard read once and looked up in the cache
//! by its key (see [`super::identity`]); otherwise parsed, validated against the schema
//! mappings that match it, evaluated input by input against the packages that apply to
//! it, its findings (and the repository rules' findings about it) located, and the
//! result kept in the cache.

use std::path::Path;

use rayon::prelude::*;

use super::repository::RepositoryFindings;
use super::{identity, Outcome, Prepared, Progress, RunError};
use crate::context::RepositoryContext;
use crate::digest::Digest;
use crate::discover::Candidate;
use crate::document::{Document, InputOrigin};
use crate::finding::{Finding, Severity, Target, PARSE_ERROR};
use crate::locate;
use crate::options::ParseErrors;
use crate::parse::{self, ParseFailure};
use crate::policy::{EvalOutput, Evaluator, FileInfo};
use crate::schema::SchemaSet;
use crate::trace::{FileTrace, SkipReason, SkippedPackage};

/// Checks every candidate of the shard in the run's pool, one `progress` step per file.
pub(super) fn check(
    run: &Prepared<'_>,
    repository: &RepositoryFindings,
    progress: &dyn Progress,
) -> Result<Outcome, RunError> {
    let outcomes: Vec<Outcome> = run.pool.install(|| {
        run.selected
            .par_iter()
            .map_init(
                || None,
                |evaluator, &index| {
                    let outcome = check_candidate(evaluator, run, index, repository);
                    progress.step();
                    outcome
                },
            )
            .collect::<Result<_, RunError>>()
    })?;
    let mut all = Outcome::default();
    for outcome in outcomes {
        all.absorb(outcome);
    }
    Ok(all)
}

/// A file's bytes, or why there are none.
enum Loaded {
    /// Its bytes.
    Bytes(Vec<u8>),
    /// What standard input held (`-`): never cached.
    Stdin(std::sync::Arc<[u8]>),
    /// Its size, over the limit.
    TooLarge(u64),
    /// It could not be read.
    Unreadable(ParseFailure),
}

/// Reads candidate `index` and takes its result from the cache, or checks it (with this
/// worker's evaluator, made on first need) and keeps the result.
fn check_candidate(
    evaluator: &mut Option<Evaluator>,
    run: &Prepared<'_>,
    index: usize,
    repository: &RepositoryFindings,
) -> Result<Outcome, RunError> {
    let candidate = &run.discovery.candidates[index];
    let schemas = &run.matches[index];
    let max = run.options.max_file_size;
    let stdin = run
        .options
        .stdin
        .as_ref()
        .filter(|_| candidate.path.as_os_str() == crate::discover::STDIN);
    let loaded = match (stdin, std::fs::metadata(&candidate.path)) {
        (Some(bytes), _) => Loaded::Stdin(std::sync::Arc::clone(bytes)),
        (None, Ok(meta)) if meta.len() > max => Loaded::TooLarge(meta.len()),
        (None, _) => match parse::read_bytes(&candidate.path, &candidate.file, max) {
            Ok(bytes) => Loaded::Bytes(bytes),
            Err(failure) => Loaded::Unreadable(failure),
        },
    };
    let facts = candidate.repository.and_then(|i| run.repository(i));
    let key = run.cache.as_ref().and_then(|_| {
        let content = match &loaded {
            Loaded::Bytes(bytes) => identity::Content::Bytes(bytes),
            Loaded::TooLarge(size) => identity::Content::TooLarge(*size),
            Loaded::Unreadable(_) | Loaded::Stdin(_) => return None,
        };
        // Jsonnet's imports and text protos' schemas are files no key covers.
        if candidate.format.is_evaluated() {
            return None;
        }
        let context = facts.map_or_else(Digest::default, |f| f.context_digest);
        Some(identity::file(
            &run.evaluation,
            candidate,
            content,
            schemas,
            &context,
        ))
    });
    if let (Some(cache), Some(key)) = (&run.cache, &key) {
        if let Some(mut result) = cache.file(key, run.options.trace) {
            result.trace.file = candidate.file.clone();
            return Ok(Outcome::of(result));
        }
    }
    let evaluator = match evaluator {
        Some(evaluator) => evaluator,
        None => evaluator.insert(run.policies()?.evaluator()),
    };
    let context = match facts {
        Some(facts) => facts.context.for_file(&candidate.relative),
        None => RepositoryContext::default().for_file(&candidate.relative),
    };
    let mut outcome = check_file(
        evaluator, run, schemas, candidate, loaded, context, repository,
    );
    if let (Some(cache), Some(key), Some(result)) = (&run.cache, key, outcome.cacheable()) {
        cache.put_file(key, &result);
    }
    if !run.options.trace {
        for trace in &mut outcome.traces {
            *trace = FileTrace {
                file: std::mem::take(&mut trace.file),
                ..FileTrace::default()
            };
        }
    }
    Ok(outcome)
}

fn check_file(
    evaluator: &mut Evaluator,
    run: &Prepared<'_>,
    schemas: &[usize],
    candidate: &Candidate,
    loaded: Loaded,
    context: regorus::Value,
    repository: &RepositoryFindings,
) -> Outcome {
    let (applicable, not_applicable) = evaluator.applicable(&candidate.relative, candidate.format);
    let started = run.recorder.start();
    let parsed = match loaded {
        Loaded::Bytes(bytes) => {
            parse::parse_read(bytes, &candidate.path, &candidate.file, candidate.format)
        }
        Loaded::Stdin(bytes) => parse::parse_bytes(
            &bytes,
            &candidate.file,
            candidate.format,
            run.options.max_file_size,
        ),
        Loaded::TooLarge(size) => Err(parse::too_large(
            &candidate.file,
            size,
            run.options.max_file_size,
        )),
        Loaded::Unreadable(failure) => Err(failure),
    };
    run.recorder.parse(candidate.format.name(), started);
    let doc = match parsed {
        Ok(doc) => doc,
        Err(failure) => {
            // An error when a policy or schema would have read the file; otherwise as
            // `parse-errors` says.
            let read = !applicable.is_empty() || !schemas.is_empty();
            let severity = match (read, run.options.parse_errors) {
                (true, _) | (false, ParseErrors::Error) => Some(Severity::Error),
                (false, ParseErrors::Warning) => Some(Severity::Warning),
                (false, ParseErrors::Off) => None,
            };
            return parse_failure(failure, severity);
        }
    };
    let info = file_info(&candidate.path, &candidate.file).with_context(context);
    let mut outcome = Outcome {
        traces: vec![FileTrace {
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
        }],
        repository: repository.locate_in(candidate, &doc),
        ..Outcome::default()
    };
    let mut findings = schema_findings(&run.schemas, schemas, &doc);
    let mut prints = Vec::new();
    for (value, origin) in policy_inputs(&doc) {
        outcome.documents += 1;
        if applicable.is_empty() {
            continue;
        }
        let EvalOutput {
            findings: found,
            exceptions,
            prints: printed,
            ..
        } = evaluator.evaluate(value, &info, &doc.file, origin, &applicable);
        findings.extend(found);
        prints.extend(printed);
        outcome.exceptions += exceptions;
    }
    outcome.traces[0].prints = prints;
    outcome.diagnostics = locate::locate(findings, Some(&doc), None);
    outcome
        .directives
        .extend(crate::suppress::directive::scan(&doc));
    outcome
}

/// The inputs the policies see. A file with no document at all (empty, or YAML of only
/// comments) is evaluated once with input `null`, as conftest does: its parser hands
/// such a file over as one `nil` configuration.
fn policy_inputs(doc: &Document) -> Vec<(regorus::Value, InputOrigin)> {
    if doc.roots.is_empty() {
        let origin = InputOrigin {
            root: 0,
            element: None,
        };
        return vec![(regorus::Value::Null, origin)];
    }
    doc.inputs()
        .into_iter()
        .map(|input| (input.node.to_rego(), input.origin))
        .collect()
}

/// What conftest exposes as `data.conftest.file` for a file.
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

/// A file that could not be read or parsed: one `parse-error` finding of `severity` at
/// the position the parser gave (none when `severity` is `None`).
pub(super) fn parse_failure(failure: ParseFailure, severity: Option<Severity>) -> Outcome {
    let Some(severity) = severity else {
        return Outcome {
            traces: vec![FileTrace {
                file: failure.file,
                ..FileTrace::default()
            }],
            ..Outcome::default()
        };
    };
    let finding = Finding {
        rule: PARSE_ERROR.to_string(),
        severity,
        message: failure.message,
        file: failure.file,
        target: failure.span.map_or(Target::File, Target::Span),
        metadata: Default::default(),
    };
    Outcome {
        traces: vec![FileTrace {
            file: finding.file.clone(),
            ..FileTrace::default()
        }],
        diagnostics: locate::locate(vec![finding], None, failure.source.map(Into::into)),
        parse_errors: 1,
        ..Outcome::default()
    }
}

/// Validates every document of `doc` (each root on its own, a top-level array as a whole)
/// against the mappings `indices`.
pub(super) fn schema_findings(
    schemas: &SchemaSet,
    indices: &[usize],
    doc: &Document,
) -> Vec<Finding> {
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

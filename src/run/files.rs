//! The file stage: each candidate file parsed once, validated against the schema
//! mappings that match it, evaluated input by input against the packages that apply to
//! it, and its findings (and the repository rules' findings about it) located.

use std::path::Path;

use rayon::prelude::*;

use super::repository::RepositoryFindings;
use super::{Outcome, Prepared, Progress};
use crate::context::RepositoryContext;
use crate::discover::Candidate;
use crate::document::{Document, InputOrigin};
use crate::finding::{Finding, Severity, Target, PARSE_ERROR};
use crate::locate;
use crate::options::ParseErrors;
use crate::parse::ParseFailure;
use crate::policy::{EvalOutput, Evaluator, FileInfo};
use crate::schema::SchemaSet;
use crate::trace::{FileTrace, SkipReason, SkippedPackage};

/// Checks every candidate in the run's pool, one `progress` step per file.
pub(super) fn check(
    run: &Prepared<'_>,
    repository: &RepositoryFindings,
    progress: &dyn Progress,
) -> Outcome {
    let outcomes: Vec<Outcome> = run.pool.install(|| {
        run.discovery
            .candidates
            .par_iter()
            .zip(run.matches.par_iter())
            .map_init(
                || run.policies.evaluator(),
                |evaluator, (candidate, schemas)| {
                    let outcome = check_file(evaluator, run, schemas, candidate, repository);
                    progress.step();
                    outcome
                },
            )
            .collect()
    });
    let mut all = Outcome::default();
    for outcome in outcomes {
        all.absorb(outcome);
    }
    all
}

fn check_file(
    evaluator: &mut Evaluator,
    run: &Prepared<'_>,
    schemas: &[usize],
    candidate: &Candidate,
    repository: &RepositoryFindings,
) -> Outcome {
    let (applicable, not_applicable) = evaluator.applicable(&candidate.relative, candidate.format);
    let started = run.recorder.start();
    let parsed = super::parse_candidate(run.options, candidate);
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
    let context = match candidate.repository.and_then(|i| run.repositories.get(i)) {
        Some(repository) => repository.context.for_file(&candidate.relative),
        None => RepositoryContext::default().for_file(&candidate.relative),
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

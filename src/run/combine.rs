//! conftest's `--combine`: every file parsed, then the policies evaluated once with
//! `input` = `[{path, contents}, ...]`. A finding whose `path` starts `[i, "contents"]` is
//! about file `i` and is located there; the others are about the set as a whole.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::files::{parse_failure, schema_findings};
use super::repository::RepositoryFindings;
use super::{Outcome, Prepared, RunError};
use crate::discover::display;
use crate::document::{Document, InputOrigin, PathSeg};
use crate::finding::Severity;
use crate::finding::{Finding, Target};
use crate::locate::{self, Diagnostic};
use crate::parse::ParseFailure;
use crate::policy::FileInfo;
use crate::trace::FileTrace;

/// Parses every candidate in the run's pool, then evaluates them together.
pub(super) fn check(
    run: &Prepared<'_>,
    repository: &RepositoryFindings,
) -> Result<Outcome, RunError> {
    let parsed: Vec<Result<Document, ParseFailure>> = run.pool.install(|| {
        run.discovery
            .candidates
            .par_iter()
            .map(|c| {
                let started = run.recorder.start();
                let parsed = super::parse_candidate(run.options, c);
                run.recorder.parse(c.format.name(), started);
                parsed
            })
            .collect()
    });
    let root_label = run
        .options
        .paths
        .first()
        .map_or_else(|| ".".to_string(), |p| display(p));
    let mut outcome = Outcome {
        traces: vec![FileTrace {
            file: root_label.clone(),
            ..FileTrace::default()
        }],
        ..Outcome::default()
    };
    // Schema findings first, then parse failures and the policies' findings.
    let mut evaluated = Vec::new();
    let mut docs = Vec::new();
    let candidates = run.discovery.candidates.iter().zip(&run.matches);
    for (result, (candidate, schemas)) in parsed.into_iter().zip(candidates) {
        match result {
            Ok(doc) => {
                outcome.diagnostics.extend(locate::locate(
                    schema_findings(&run.schemas, schemas, &doc),
                    Some(&doc),
                    None,
                ));
                outcome
                    .repository
                    .extend(repository.locate_in(candidate, &doc));
                outcome
                    .directives
                    .extend(crate::suppress::directive::scan(&doc));
                docs.push(doc);
            }
            Err(failure) => {
                let failed = parse_failure(failure, Some(Severity::Error));
                outcome.parse_errors += failed.parse_errors;
                evaluated.extend(failed.diagnostics);
            }
        }
    }
    outcome.documents = docs.iter().map(|d| d.roots.len()).sum();
    evaluated.extend(evaluate(run, &docs, &root_label, &mut outcome)?);
    outcome.diagnostics.extend(evaluated);
    Ok(outcome)
}

/// Evaluates the file packages once on every document and locates what they find;
/// records the exceptions and the trace in `outcome`.
fn evaluate(
    run: &Prepared<'_>,
    docs: &[Document],
    root_label: &str,
    outcome: &mut Outcome,
) -> Result<Vec<Diagnostic>, RunError> {
    let mut evaluator = run.policies()?.evaluator();
    if evaluator.is_empty() {
        return Ok(Vec::new());
    }
    // conftest's shape: one entry per document, so a file of several documents gives
    // several entries with the same path (and a file of none, one with `null`).
    let entries = entries(docs);
    let combined: Vec<regorus::Value> = entries
        .iter()
        .map(|&(index, root)| {
            let doc = &docs[index];
            let contents = root
                .and_then(|r| doc.roots.get(r))
                .map_or(regorus::Value::Null, |node| node.to_rego());
            let mut map = BTreeMap::new();
            map.insert("path".into(), doc.file.as_str().into());
            map.insert("contents".into(), contents);
            regorus::Value::from(map)
        })
        .collect();
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
    outcome.traces[0].applied = evaluator.package_names(&packages);
    outcome.traces[0].prints = output.prints;
    let mut per_doc: Vec<Vec<Finding>> = docs.iter().map(|_| Vec::new()).collect();
    let mut unrouted = Vec::new();
    for finding in output.findings {
        match route(&finding.target, docs, &entries) {
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
    let mut diagnostics = Vec::new();
    for (doc, findings) in docs.iter().zip(per_doc) {
        diagnostics.extend(locate::locate(findings, Some(doc), None));
    }
    diagnostics.extend(locate::locate(unrouted, None, None));
    Ok(diagnostics)
}

/// The entries of the combined input: for each, the document and (when it has one)
/// the root it holds.
fn entries(docs: &[Document]) -> Vec<(usize, Option<usize>)> {
    docs.iter()
        .enumerate()
        .flat_map(|(index, doc)| {
            let roots: Vec<(usize, Option<usize>)> = if doc.roots.is_empty() {
                vec![(index, None)]
            } else {
                (0..doc.roots.len()).map(|r| (index, Some(r))).collect()
            };
            roots
        })
        .collect()
}

/// Maps `[i, "contents", ...rest]` in the combined input to the file of entry `i` and a
/// target in it (in the entry's document, for a file of several).
fn route(
    target: &Target,
    docs: &[Document],
    entries: &[(usize, Option<usize>)],
) -> Option<(usize, Target)> {
    let Target::Path { path, .. } = target else {
        return None;
    };
    let &(index, root) = entries.get(path.first()?.as_index()?)?;
    let doc = docs.get(index)?;
    let rest = match path.get(1) {
        Some(PathSeg::Key(k)) if k == "contents" => &path[2..],
        Some(_) => return None,
        None => &[][..],
    };
    let rest: Vec<PathSeg> = match root {
        Some(r) if doc.roots.len() > 1 => std::iter::once(PathSeg::Index(r))
            .chain(rest.iter().cloned())
            .collect(),
        _ => rest.to_vec(),
    };
    Some((index, locate::route(doc, &rest)?))
}

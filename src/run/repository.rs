//! Repository rules: evaluated once per repository given to `check`. A result that names
//! a `file` (relative to the repository) is about that file: located in its document at
//! its `path`, or at its `line`; any other result is about the repository as a whole.
//!
//! Repository rules run before the file stage, so a file they point into is located in
//! the document the file stage parses anyway ([`RepositoryFindings::locate_in`]); only the
//! files the file stage does not parse are read here ([`RepositoryFindings::finish`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use super::{identity, Prepared, RunError};
use crate::cache::RepositoryRecord;
use crate::discover::{Candidate, Repository};
use crate::document::{Document, InputOrigin};
use crate::finding::POLICY_ERROR;
use crate::finding::{Finding, Target};
use crate::format::Format;
use crate::locate::{self, Diagnostic};
use crate::parse;
use crate::policy::repository::{self as sandbox, Sandbox, READ_LIMIT};

/// The findings of one repository about one file (or about the repository itself).
#[derive(Debug)]
struct Group {
    /// The file to open, when the findings are about a file.
    path: Option<PathBuf>,
    findings: Vec<Finding>,
}

/// Which group of which repository: its index among the repositories and the file as
/// reported.
pub(super) type GroupKey = (usize, String);

/// The repository rules' findings, waiting to be located.
#[derive(Debug, Default)]
pub(super) struct RepositoryFindings {
    /// Per repository, in order: the groups by file as reported.
    repositories: Vec<BTreeMap<String, Group>>,
    /// For each file as reported, the repositories with findings in it.
    by_file: BTreeMap<String, Vec<usize>>,
}

/// Evaluates the repository rules on every repository root of the shard (in the run's
/// pool), or takes their findings from the cache while the repository's listing and
/// every file the rules read are unchanged.
pub(super) fn evaluate(run: &Prepared<'_>) -> Result<RepositoryFindings, RunError> {
    if !run.policy_facts.repository_rules {
        return Ok(RepositoryFindings::default());
    }
    let limit = run.options.max_file_size.min(READ_LIMIT);
    let repositories: Vec<BTreeMap<String, Group>> = run.pool.install(|| {
        run.discovery
            .repositories
            .par_iter()
            .map_init(
                || None,
                |evaluator, repo| {
                    if !repo.is_root || !run.shard.owns(&shard_name(repo)) {
                        return Ok(BTreeMap::new());
                    }
                    let sandbox = Sandbox::new(&repo.root, limit)
                        .listing(repo.entries.iter().map(|e| e.path.clone()));
                    // The key hashes the whole listing: only worth it with a cache.
                    let cache = run
                        .cache
                        .as_ref()
                        .map(|cache| (cache, identity::repository(&run.evaluation, repo, limit)));
                    let cached = cache
                        .as_ref()
                        .and_then(|(cache, key)| cache.repository(key, |seen| sandbox.still(seen)));
                    if let Some(findings) = cached {
                        return Ok(group(repo, findings));
                    }
                    let evaluator = match evaluator {
                        Some(evaluator) => evaluator,
                        None => evaluator.insert(run.policies()?.evaluator()),
                    };
                    let input = sandbox::input(&repo.name, &repo.entries, &repo.directories);
                    let output = evaluator.evaluate_repository(input, sandbox, &repo.label);
                    let failed = output.findings.iter().any(|f| f.rule == POLICY_ERROR);
                    if let (Some((cache, key)), false) = (cache, failed) {
                        let record = RepositoryRecord {
                            observations: output.observations,
                            findings: output.findings.clone(),
                        };
                        cache.put_repository(key, &record);
                    }
                    Ok(group(repo, output.findings))
                },
            )
            .collect::<Result<_, RunError>>()
    })?;
    let mut by_file: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, groups) in repositories.iter().enumerate() {
        for (file, group) in groups {
            if group.path.is_some() {
                by_file.entry(file.clone()).or_default().push(index);
            }
        }
    }
    Ok(RepositoryFindings {
        repositories,
        by_file,
    })
}

/// The name a repository's repository rules are assigned to a shard by.
fn shard_name(repo: &Repository) -> String {
    format!("repository\0{}", repo.label)
}

/// Groups a repository's findings by file: a result's `file` (relative to the
/// repository) makes the finding about that file; the others are about the repository.
fn group(repo: &Repository, findings: Vec<Finding>) -> BTreeMap<String, Group> {
    let whole = Target::Input(InputOrigin {
        root: 0,
        element: None,
    });
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for mut finding in findings {
        let relative = finding
            .metadata
            .get("file")
            .and_then(|f| f.as_str())
            .map(|f| f.trim_start_matches("./").to_string());
        match &relative {
            Some(file) => {
                finding.file = if repo.label == "." || repo.label.is_empty() {
                    file.clone()
                } else {
                    format!("{}/{file}", repo.label.trim_end_matches('/'))
                };
                if finding.target == whole {
                    finding.target = Target::File;
                }
            }
            None => finding.target = Target::File,
        }
        groups
            .entry(finding.file.clone())
            .or_insert_with(|| Group {
                path: relative.map(|r| repo.root.join(r)),
                findings: Vec::new(),
            })
            .findings
            .push(finding);
    }
    groups
}

impl RepositoryFindings {
    /// Locates the findings about the file of `candidate` in `doc`, its parsed document,
    /// when repository rules would have parsed it the same way (the same format).
    pub(super) fn locate_in(
        &self,
        candidate: &Candidate,
        doc: &Document,
    ) -> Vec<(GroupKey, Vec<Diagnostic>)> {
        let Some(repositories) = self.by_file.get(&candidate.file) else {
            return Vec::new();
        };
        if Format::detect(&candidate.path) != Some(candidate.format) {
            return Vec::new();
        }
        repositories
            .iter()
            .filter_map(|&index| {
                let group = self.repositories.get(index)?.get(&candidate.file)?;
                let located = locate_group(&group.findings, Some(doc), None);
                Some(((index, candidate.file.clone()), located))
            })
            .collect()
    }

    /// Every finding located, repository by repository and file by file: those the file
    /// stage located (`located`) as they are, the rest by parsing or reading their file.
    pub(super) fn finish(
        self,
        mut located: BTreeMap<GroupKey, Vec<Diagnostic>>,
        max_size: u64,
    ) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        for (index, groups) in self.repositories.into_iter().enumerate() {
            for (file, group) in groups {
                if let Some(done) = located.remove(&(index, file.clone())) {
                    diagnostics.extend(done);
                    continue;
                }
                let Some(path) = &group.path else {
                    diagnostics.extend(locate::locate(group.findings, None, None));
                    continue;
                };
                let doc = Format::detect(path)
                    .and_then(|format| parse::parse_file(path, &file, format, max_size).ok());
                match doc {
                    Some(doc) => {
                        diagnostics.extend(locate_group(&group.findings, Some(&doc), None))
                    }
                    None => {
                        let source = parse::read_source(path, &file, max_size).ok();
                        diagnostics.extend(locate_group(
                            &group.findings,
                            None,
                            source.map(Into::into),
                        ));
                    }
                }
            }
        }
        diagnostics
    }
}

/// Locates one group: a `path` is into the file's whole document (all its documents,
/// as `goldenpath.parse_file` gives them).
fn locate_group(
    findings: &[Finding],
    doc: Option<&Document>,
    source: Option<std::sync::Arc<str>>,
) -> Vec<Diagnostic> {
    let routed = findings
        .iter()
        .cloned()
        .map(|f| match (&f.target, doc) {
            (Target::Path { path, .. }, Some(doc)) => Finding {
                target: locate::route(doc, path).unwrap_or_else(|| Target::Path {
                    origin: InputOrigin {
                        root: 0,
                        element: None,
                    },
                    path: path.clone(),
                }),
                ..f
            },
            _ => f,
        })
        .collect();
    locate::locate(routed, doc, source)
}

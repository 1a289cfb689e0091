//! What checking produces before the run-wide stages, and the facts and settings those
//! stages need: the seam where a run can be cut and put back together.
//!
//! A run checks files and repositories (every one, one shard of them, or some from the
//! cache) into a [`Partial`]: located findings before any suppression, the inline
//! suppressions of each file, and counts. The run-wide stages (rule settings and
//! suppressions, the baseline, the rule catalogue, test data, the summary, the
//! scorecards; `run::assemble`) turn the [`Partial`]s of all the shards, with the run's
//! [`Facts`] and suppression settings, into the report. Suppressions are run-wide (an
//! `[[ignore]]` entry that matched nothing in one shard may match in another), so they
//! are applied once, to everything.
//!
//! [`wire`] writes all of it into a shard's JSON report and reads it back, and the cache
//! stores a [`FileResult`] per file the same way; [`sources`] keeps each line a finding
//! shows once per file.

pub mod sources;
pub mod wire;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::discover::Subdirectory;
use crate::finding::RuleInfo;
use crate::locate::Diagnostic;
use crate::suppress::directive::FileDirectives;
use crate::trace::FileTrace;

/// What checking some files and repositories produced, before the run-wide stages.
#[derive(Debug, Default)]
pub struct Partial {
    /// The files checked, as reported.
    pub files: Vec<String>,
    /// Documents evaluated.
    pub documents: usize,
    /// Files that could not be read or parsed (and directories that could not be walked).
    pub parse_errors: usize,
    /// Rule results suppressed by `exception` rules.
    pub exceptions: usize,
    /// Located findings, before rule settings and suppressions.
    pub diagnostics: Vec<Diagnostic>,
    /// The inline suppressions of the files that have some.
    pub directives: Vec<FileDirectives>,
    /// The files among those of `diagnostics` that are test data, examples or
    /// documentation of their repository (see [`crate::context::TestPaths`]).
    pub test_data: BTreeSet<String>,
}

impl Partial {
    /// Adds `other`'s files, counts and findings to these.
    pub fn absorb(&mut self, other: Partial) {
        self.files.extend(other.files);
        self.documents += other.documents;
        self.parse_errors += other.parse_errors;
        self.exceptions += other.exceptions;
        self.diagnostics.extend(other.diagnostics);
        self.directives.extend(other.directives);
        self.test_data.extend(other.test_data);
    }
}

/// What checking one file produced (repository rules' findings about it aside): what the
/// cache keeps per file.
#[derive(Debug, Default)]
pub struct FileResult {
    /// Located findings.
    pub diagnostics: Vec<Diagnostic>,
    /// Its inline suppressions, when it has some.
    pub directives: Option<FileDirectives>,
    /// Documents evaluated.
    pub documents: usize,
    /// 1 when it could not be read or parsed.
    pub parse_errors: usize,
    /// Rule results suppressed by `exception` rules.
    pub exceptions: usize,
    /// The packages applied and skipped, and what the policies printed.
    pub trace: FileTrace,
}

/// A checked directory, as the run-wide stages know it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryLabel {
    /// The directory as reported (`.` for the current one).
    pub label: String,
    /// Where it is in its repository (`""` at the root).
    pub inside: String,
    /// Whether it is its repository's root (scored).
    pub is_root: bool,
}

impl RepositoryLabel {
    /// A path relative to this directory as a path relative to its repository root.
    pub fn in_repository(&self, relative: &str) -> String {
        if self.inside.is_empty() {
            relative.to_string()
        } else {
            format!("{}/{relative}", self.inside)
        }
    }
}

/// What the run-wide stages know of a run besides its findings: the same in every shard.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// Every rule the run can produce (built-in, policies, schemas), before the
    /// rule settings; rule ids set by results are added from the findings.
    pub rules: Vec<RuleInfo>,
    /// The rules whose findings in test data are reported at `info` (the built-in
    /// pack's and `parse-error`, when the pack runs).
    pub test_data_rules: Vec<String>,
    /// Packages that define rules but were not selected by `--namespace`.
    pub unevaluated_packages: Vec<String>,
    /// Schema mappings whose globs matched no file of the run.
    pub unmatched_schemas: Vec<String>,
    /// Checked directories below the root of their repository.
    pub subdirectories: Vec<Subdirectory>,
    /// The checked directories, in order.
    pub repositories: Vec<RepositoryLabel>,
    /// Whether any selected package is evaluated per repository.
    pub repository_rules: bool,
    /// How many findings of one file are shown.
    #[serde(default)]
    pub caps: crate::options::FindingCaps,
}

impl Facts {
    /// `file` (as reported) relative to the root of the repository holding it, for globs
    /// in `goldenpath.toml` (the file itself when no checked directory holds it).
    pub fn in_repository(&self, file: &str) -> String {
        self.repositories
            .iter()
            .find_map(|repo| relative_to(file, &repo.label).map(|r| repo.in_repository(r)))
            .unwrap_or_else(|| file.to_string())
    }

    /// The labels of the checked directories that are repository roots (scored).
    pub fn roots(&self) -> Vec<String> {
        self.repositories
            .iter()
            .filter(|r| r.is_root)
            .map(|r| r.label.clone())
            .collect()
    }
}

/// `file` (as reported) relative to the directory reported as `label`, when inside it.
pub fn relative_to<'a>(file: &'a str, label: &str) -> Option<&'a str> {
    if label == "." || label.is_empty() {
        return (!file.starts_with("../") && !file.starts_with('/')).then_some(file);
    }
    file.strip_prefix(label.trim_end_matches('/'))?
        .strip_prefix('/')
}

//! Discovery: the files a run checks, with the format each is parsed as.
//!
//! Directories are walked honouring `.gitignore`, `.ignore` and `.git/info/exclude` (even
//! outside a git repository), never entering `.git` and never following symlinks. Files
//! named on the command line are always checked. Helm chart templates (files below
//! `templates/` beside a `Chart.yaml`) are not YAML and are skipped by the walk. Results are sorted, so the order (and
//! every report built from it) does not depend on the file system.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::format::Format;

/// A file to check.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// The path as reported: relative to the current directory when below it, with
    /// forward slashes.
    pub file: String,
    /// The path to open.
    pub path: PathBuf,
    /// The format to parse it as.
    pub format: Format,
}

/// A problem met while walking: a directory that could not be read, for example.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkProblem {
    /// The path concerned, as reported.
    pub file: String,
    /// What went wrong.
    pub message: String,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to check, sorted by `file`, without duplicates.
    pub candidates: Vec<Candidate>,
    /// Entries that could not be read.
    pub problems: Vec<WalkProblem>,
}

/// How to walk.
#[derive(Clone, Debug, Default)]
pub struct DiscoverOptions {
    /// Parse every file as this format instead of detecting it.
    pub parser: Option<Format>,
    /// Glob patterns of paths to skip.
    pub exclude: Vec<String>,
    /// Do not honour ignore files.
    pub no_ignore: bool,
}

/// Errors that make discovery impossible.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DiscoverError {
    /// A path given on the command line does not exist.
    #[error("`{0}` does not exist")]
    #[diagnostic(code(goldenpath::usage::path))]
    Missing(String),
    /// An `--exclude` pattern is not a valid glob.
    #[error("invalid --exclude pattern `{pattern}`: {message}")]
    #[diagnostic(code(goldenpath::usage::exclude))]
    BadGlob {
        /// The pattern.
        pattern: String,
        /// Why.
        message: String,
    },
}

/// Builds the exclusion matcher.
fn exclusions(patterns: &[String]) -> Result<GlobSet, DiscoverError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let trimmed = pattern.trim_start_matches("./").trim_end_matches('/');
        let bad = |e: globset::Error| DiscoverError::BadGlob {
            pattern: pattern.clone(),
            message: e.kind().to_string(),
        };
        builder.add(Glob::new(trimmed).map_err(bad)?);
        // `vendor` and `vendor/**` also exclude everything below `vendor`.
        if !trimmed.ends_with("/**") {
            builder.add(Glob::new(&format!("{trimmed}/**")).map_err(bad)?);
        }
        // A pattern without a slash matches at any depth, as in .gitignore.
        if !trimmed.contains('/') {
            builder.add(Glob::new(&format!("**/{trimmed}")).map_err(bad)?);
            builder.add(Glob::new(&format!("**/{trimmed}/**")).map_err(bad)?);
        }
    }
    builder.build().map_err(|e| DiscoverError::BadGlob {
        pattern: patterns.join(", "),
        message: e.to_string(),
    })
}

/// The path as reported: `./` stripped, forward slashes.
pub fn display(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

/// Finds the files to check under `roots`.
pub fn discover(roots: &[PathBuf], options: &DiscoverOptions) -> Result<Discovery, DiscoverError> {
    let excluded = exclusions(&options.exclude)?;
    let format_of = |path: &Path| options.parser.or_else(|| Format::detect(path));
    let mut found = Discovery::default();
    for root in roots {
        let meta = std::fs::metadata(root).map_err(|_| DiscoverError::Missing(display(root)))?;
        if !meta.is_dir() {
            // Named explicitly: always checked, whatever the ignore files say.
            if let Some(format) = format_of(root) {
                found.candidates.push(Candidate {
                    file: display(root),
                    path: root.clone(),
                    format,
                });
            }
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .parents(true)
            .ignore(!options.no_ignore)
            .git_ignore(!options.no_ignore)
            .git_global(false)
            .git_exclude(!options.no_ignore)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|entry| entry.file_name() != ".git")
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    found.problems.push(walk_problem(root, &err));
                    continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            let relative = path.strip_prefix(root).unwrap_or(path);
            if !options.exclude.is_empty() && excluded.is_match(relative) {
                continue;
            }
            if options.parser.is_none() && is_helm_template(path) {
                continue;
            }
            if let Some(format) = format_of(path) {
                found.candidates.push(Candidate {
                    file: display(path),
                    path: path.to_path_buf(),
                    format,
                });
            }
        }
    }
    found.candidates.sort();
    found.candidates.dedup_by(|a, b| a.file == b.file);
    found.problems.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(found)
}

/// Files under a Helm chart's `templates/` are Go templates that render to YAML, not YAML;
/// a walk skips them (name one explicitly to check it anyway).
fn is_helm_template(path: &Path) -> bool {
    path.ancestors()
        .skip(1)
        .find(|dir| dir.file_name().is_some_and(|n| n == "templates"))
        .and_then(Path::parent)
        .is_some_and(|chart| chart.join("Chart.yaml").is_file())
}

fn walk_problem(root: &Path, err: &ignore::Error) -> WalkProblem {
    let path = match err {
        ignore::Error::WithPath { path, .. } => display(path),
        ignore::Error::WithDepth { err, .. } => return walk_problem(root, err),
        _ => display(root),
    };
    WalkProblem {
        file: path,
        message: format!("cannot read: {err}"),
    }
}

//! Discovery: the files a run checks, with the format each is parsed as, and the
//! repositories they belong to.
//!
//! Paths named on the command line that are neither regular files nor directories (FIFOs,
//! sockets, devices) are skipped with a warning, never opened; a walk only ever lists
//! regular files. Directories are walked honouring `.gitignore`, `.ignore` and `.git/info/exclude` (even
//! outside a git repository), never entering `.git` and never following symlinks. Files
//! named on the command line are always checked. Helm chart templates (files below
//! `templates/` beside a `Chart.yaml`) are not YAML and are skipped by the walk. Results
//! are sorted, so the order (and every report built from it) does not depend on the file
//! system.
//!
//! A checked path belongs to a repository: the nearest directory from it up that holds
//! `.git` (found as git finds it, honouring `GIT_CEILING_DIRECTORIES`) or a
//! `goldenpath.toml` that says `root = true` ([`DiscoverOptions::root_marker`]); outside
//! any, the directory of the run's configuration, else the checked directory itself.
//! A checked directory is scored as a repository (repository rules, the scorecard) only
//! when it is that root; paths that rules and globs see are relative to it.

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
    /// The path relative to the root of its repository, with forward slashes (the path
    /// as reported when it is not below the root).
    pub relative: String,
    /// The index of its repository in [`Discovery::repositories`]; `None` for a file
    /// named on the command line.
    pub repository: Option<usize>,
}

/// One file of a repository, for repository rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoEntry {
    /// Relative to the repository root, forward slashes.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// The format goldenpath would parse it as, if any.
    pub format: Option<Format>,
    /// Whether any execute bit is set.
    pub executable: bool,
    /// Whether its first 8 KiB hold a NUL byte.
    pub binary: bool,
}

/// A directory given on the command line that is the root of its repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repository {
    /// The directory.
    pub root: PathBuf,
    /// The directory as reported (`.` for the current directory).
    pub label: String,
    /// Its base name (of the absolute path).
    pub name: String,
    /// Every file after ignore rules and exclusions, sorted by path (only with
    /// [`DiscoverOptions::inventory`]).
    pub entries: Vec<RepoEntry>,
    /// Every directory below the root, sorted (only with the inventory).
    pub directories: Vec<String>,
    /// The files below it that make up its [`crate::context::RepositoryContext`] and test
    /// paths (kustomizations, skaffold and Tilt files, Dockerfiles, Makefiles, scripts,
    /// `.gitattributes`), relative to the repository root, sorted; always listed.
    pub context_files: Vec<String>,
    /// Whether the directory is its repository's root: only then do repository rules
    /// and the scorecard run on it (a subdirectory is walked for its files only).
    pub is_root: bool,
    /// The root of the repository the directory belongs to (absolute); `context_files`
    /// are relative to it.
    pub repository_root: PathBuf,
    /// Where the directory is in its repository (`""` at the root, `deploy/k8s`).
    pub inside: String,
}

impl Repository {
    /// A path relative to this directory as a path relative to its repository root.
    pub fn in_repository(&self, relative: &str) -> String {
        if self.inside.is_empty() {
            relative.to_string()
        } else {
            format!("{}/{relative}", self.inside)
        }
    }
}

/// A problem met while walking: a directory that could not be read, for example.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkProblem {
    /// The path concerned, as reported.
    pub file: String,
    /// What went wrong.
    pub message: String,
}

/// A directory given on the command line inside a repository whose root was not given:
/// repository rules and the scorecard do not run for it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Subdirectory {
    /// The directory, as reported.
    pub directory: String,
    /// The root of its repository, as reported.
    pub repository: String,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to check, sorted by `file`, without duplicates.
    pub candidates: Vec<Candidate>,
    /// Entries that could not be read.
    pub problems: Vec<WalkProblem>,
    /// Paths named on the command line that are not regular files or directories (a FIFO,
    /// a socket, a device): skipped without being opened.
    pub skipped: Vec<WalkProblem>,
    /// The directories given that are repository roots, in order.
    pub repositories: Vec<Repository>,
    /// The directories given that are not, in order.
    pub subdirectories: Vec<Subdirectory>,
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
    /// List every file and directory of each repository (for repository rules).
    pub inventory: bool,
    /// The directory of a configuration file that says `root = true`: a repository root
    /// even without `.git`.
    pub root_marker: Option<PathBuf>,
    /// The directory of the run's configuration file: the repository root of the paths
    /// below it that are in no git repository.
    pub project: Option<PathBuf>,
    /// Directories never walked (the cache), besides any named `.goldenpath_cache`.
    pub skip: Vec<PathBuf>,
    /// conftest's `--ignore`: files found in a directory whose path (as walked, e.g.
    /// `deploy/web.yaml`) this regular expression matches anywhere are skipped.
    pub ignore_pattern: Option<String>,
    /// The name standard input (`-`) is reported as (conftest's `--stdin-filename`), also
    /// used to detect its format; `-` when not given.
    pub stdin_name: Option<String>,
}

/// The path that names standard input on the command line.
pub const STDIN: &str = "-";

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
    /// An `--ignore` pattern is not a valid regular expression.
    #[error("invalid --ignore pattern `{pattern}`: {message}")]
    #[diagnostic(
        code(goldenpath::usage::ignore),
        help("--ignore takes a regular expression matched against each path found in a directory, e.g. `.*\\.json$`")
    )]
    BadRegex {
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

/// `path` made absolute with symbolic links and `..` resolved (as given when it cannot
/// be: it does not exist, say).
pub fn canonical(path: &Path) -> PathBuf {
    path.canonicalize()
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// The directory a checked path starts from: itself, or the directory holding a file.
pub fn start_dir(path: &Path) -> PathBuf {
    if path.is_dir() {
        return canonical(path);
    }
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => canonical(parent),
        _ => canonical(Path::new(".")),
    }
}

/// `start` (absolute) and the directories above it, nearest first, stopping below any
/// of git's ceiling directories (`GIT_CEILING_DIRECTORIES`, which git never looks for a
/// repository in or above).
pub fn ancestors(start: &Path) -> Vec<PathBuf> {
    let ceilings: Vec<PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| p.is_absolute())
                .map(|p| canonical(&p))
                .collect()
        })
        .unwrap_or_default();
    let mut dirs = vec![start.to_path_buf()];
    for dir in start.ancestors().skip(1) {
        if ceilings.iter().any(|c| c == dir) {
            break;
        }
        dirs.push(dir.to_path_buf());
    }
    dirs
}

/// Whether `dir` is the top of a git work tree (`.git` is a directory, or a file in a
/// linked worktree or submodule).
pub fn holds_git(dir: &Path) -> bool {
    dir.join(".git").exists()
}

/// The root of the repository the checked directory `dir` (absolute) belongs to; see the
/// module documentation.
pub fn repository_root(dir: &Path, options: &DiscoverOptions) -> PathBuf {
    let marker = options.root_marker.as_deref().map(canonical);
    for ancestor in ancestors(dir) {
        if marker.as_deref() == Some(ancestor.as_path()) || holds_git(&ancestor) {
            return ancestor;
        }
    }
    match options.project.as_deref().map(canonical) {
        Some(project) if dir.starts_with(&project) => project,
        _ => dir.to_path_buf(),
    }
}

/// `path` (absolute) relative to `root`, with forward slashes, when it is below it.
fn below(path: &Path, root: &Path) -> Option<String> {
    path.strip_prefix(root).ok().map(display)
}

/// The candidate for a file named explicitly, when its format is known; `roots_of`
/// remembers the repository root of each directory.
fn named_file(
    path: &Path,
    options: &DiscoverOptions,
    roots_of: &mut std::collections::HashMap<PathBuf, PathBuf>,
) -> Option<Candidate> {
    let format = options.parser.or_else(|| Format::detect(path))?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let repository = roots_of
        .entry(dir)
        .or_insert_with(|| repository_root(&start_dir(path), options));
    Some(Candidate {
        file: display(path),
        path: path.to_path_buf(),
        format,
        relative: below(&canonical(path), repository).unwrap_or_else(|| display(path)),
        repository: None,
    })
}

/// When every one of `roots` is a file (as a pre-commit hook names them), the files
/// [`discover`] will check, each as its path relative to its repository root and its
/// format; `None` when a root is a directory or missing.
pub fn named_files(roots: &[PathBuf], options: &DiscoverOptions) -> Option<Vec<(String, Format)>> {
    let mut roots_of = Default::default();
    let mut files = Vec::new();
    for root in roots {
        if std::fs::metadata(root).ok()?.is_dir() {
            return None;
        }
        if let Some(candidate) = named_file(root, options, &mut roots_of) {
            files.push((candidate.relative, candidate.format));
        }
    }
    Some(files)
}

/// Finds the files to check under `roots`.
pub fn discover(roots: &[PathBuf], options: &DiscoverOptions) -> Result<Discovery, DiscoverError> {
    let excluded = exclusions(&options.exclude)?;
    let ignored = options
        .ignore_pattern
        .as_deref()
        .map(|pattern| {
            regex::Regex::new(pattern).map_err(|e| DiscoverError::BadRegex {
                pattern: pattern.to_string(),
                message: e.to_string().lines().last().unwrap_or_default().to_string(),
            })
        })
        .transpose()?;
    let mut found = Discovery::default();
    // The repository root of each directory holding named files (pre-commit names
    // thousands of files in a few directories).
    let mut roots_of: std::collections::HashMap<PathBuf, PathBuf> = Default::default();
    for root in roots {
        if root.as_os_str() == STDIN {
            found.candidates.push(stdin_candidate(options));
            continue;
        }
        let meta = std::fs::metadata(root).map_err(|_| DiscoverError::Missing(display(root)))?;
        if !meta.is_dir() && !meta.is_file() {
            found.skipped.push(WalkProblem {
                file: display(root),
                message: format!(
                    "{} named on the command line: skipped, never opened",
                    crate::confine::kind(&meta)
                ),
            });
            continue;
        }
        if !meta.is_dir() {
            // Named explicitly: always checked, whatever the ignore files say.
            found
                .candidates
                .extend(named_file(root, options, &mut roots_of));
            continue;
        }
        let absolute = canonical(root);
        let repository_dir = repository_root(&absolute, options);
        // Where the checked directory is in its repository ("" at the root).
        let inside = absolute
            .strip_prefix(&repository_dir)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let is_repository = inside.as_os_str().is_empty();
        if !is_repository {
            found.subdirectories.push(Subdirectory {
                directory: display(root),
                repository: display(&relative_to_current(&repository_dir)),
            });
        }
        let inventory = options.inventory && is_repository;
        let mut repository = Repository {
            root: root.clone(),
            label: display(root),
            name: std::path::absolute(root)
                .ok()
                .and_then(|p| {
                    p.components()
                        .rfind(|c| matches!(c, std::path::Component::Normal(_)))
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                })
                .unwrap_or_default(),
            entries: Vec::new(),
            directories: Vec::new(),
            context_files: Vec::new(),
            is_root: is_repository,
            repository_root: repository_dir.clone(),
            inside: display(&inside),
        };
        let index = found.repositories.len();
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .parents(true)
            .ignore(!options.no_ignore)
            .git_ignore(!options.no_ignore)
            .git_global(false)
            .git_exclude(!options.no_ignore)
            .require_git(false)
            .follow_links(false)
            .filter_entry({
                let skip = options.skip.clone();
                move |entry| entry.file_name() != ".git" && !skipped(entry, &skip)
            })
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    found.problems.push(walk_problem(root, &err));
                    continue;
                }
            };
            let path = entry.path();
            let relative = path.strip_prefix(root).unwrap_or(path);
            let in_repository = inside.join(relative);
            // Globs are relative to the repository root, or to the checked directory.
            if !options.exclude.is_empty()
                && (excluded.is_match(&in_repository) || excluded.is_match(relative))
            {
                continue;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && inventory && entry.depth() > 0 {
                repository.directories.push(display(relative));
            }
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            if ignored
                .as_ref()
                .is_some_and(|re| re.is_match(&display(path)))
            {
                continue;
            }
            if inventory {
                repository
                    .entries
                    .push(inventory_entry(path, relative, &entry));
            }
            let detected = Format::detect(path);
            let name = entry.file_name().to_string_lossy();
            if crate::context::is_context_file(&name, detected) {
                repository.context_files.push(display(&in_repository));
            }
            if options.parser.is_none() && is_helm_template(path) {
                continue;
            }
            if let Some(format) = options.parser.or(detected) {
                found.candidates.push(Candidate {
                    file: display(path),
                    path: path.to_path_buf(),
                    format,
                    relative: display(&in_repository),
                    repository: Some(index),
                });
            }
        }
        if inventory {
            use rayon::prelude::*;
            repository.entries.par_iter_mut().for_each(|e| {
                e.binary = looks_binary(&root.join(&e.path));
            });
            repository.entries.sort_by(|a, b| a.path.cmp(&b.path));
            repository.directories.sort();
        }
        repository.context_files.sort();
        found.repositories.push(repository);
    }
    found.candidates.sort();
    found.candidates.dedup_by(|a, b| a.file == b.file);
    found.problems.sort_by(|a, b| a.file.cmp(&b.file));
    found.skipped.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(found)
}

/// Standard input as a candidate: reported as `--stdin-filename` (or `-`), parsed as
/// `--parser`, else as that name says, else as YAML (conftest's default).
fn stdin_candidate(options: &DiscoverOptions) -> Candidate {
    let name = options
        .stdin_name
        .clone()
        .unwrap_or_else(|| STDIN.to_string());
    let format = options
        .parser
        .or_else(|| Format::detect(Path::new(&name)))
        .unwrap_or(Format::Yaml);
    Candidate {
        file: name.clone(),
        path: PathBuf::from(STDIN),
        format,
        relative: name,
        repository: None,
    }
}

/// A directory (absolute) as reported: relative to the current directory (`.`, `deploy`,
/// `..`, `../other`), or absolute when they share nothing but the file system root.
pub fn relative_to_current(dir: &Path) -> PathBuf {
    let current = canonical(Path::new("."));
    let common = current
        .components()
        .zip(dir.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common <= 1 {
        return dir.to_path_buf();
    }
    let up = current.components().count() - common;
    let mut relative = PathBuf::new();
    for _ in 0..up {
        relative.push("..");
    }
    relative.extend(dir.components().skip(common));
    if relative.as_os_str().is_empty() {
        relative.push(".");
    }
    relative
}

fn inventory_entry(path: &Path, relative: &Path, entry: &ignore::DirEntry) -> RepoEntry {
    let meta = entry.metadata().ok();
    #[cfg(unix)]
    let executable = {
        use std::os::unix::fs::PermissionsExt;
        meta.as_ref()
            .is_some_and(|m| m.permissions().mode() & 0o111 != 0)
    };
    #[cfg(not(unix))]
    let executable = false;
    RepoEntry {
        path: display(relative),
        size: meta.as_ref().map_or(0, |m| m.len()),
        format: Format::detect(path),
        executable,
        binary: false,
    }
}

/// Whether the first 8 KiB of a file hold a NUL byte (git's test for binary content).
fn looks_binary(path: &Path) -> bool {
    use std::io::Read;
    let mut buf = [0u8; 8192];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let n = file.read(&mut buf).unwrap_or(0);
    buf[..n].contains(&0)
}

/// The name of goldenpath's cache directory ([`crate::cache`]), which no walk enters.
pub const CACHE_DIR: &str = ".goldenpath_cache";

/// Whether `entry` is a directory discovery never walks: a cache directory.
fn skipped(entry: &ignore::DirEntry, skip: &[PathBuf]) -> bool {
    if !entry.file_type().is_some_and(|t| t.is_dir()) {
        return false;
    }
    let name = entry.file_name();
    if name == CACHE_DIR {
        return true;
    }
    skip.iter()
        .any(|dir| dir.file_name() == Some(name) && canonical(dir) == canonical(entry.path()))
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

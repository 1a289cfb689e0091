//! The one harness of the integration tests (`mod common;` in each test file).
//!
//! - [`goldenpath`] builds a run of the built binary: a working directory (a fixture
//!   directory or a temporary one), arguments, optional standard input, and an
//!   environment scrubbed of the variables that change the output ([`SCRUBBED`]); a test
//!   that needs one sets it with [`Goldenpath::env`]. Runs do not use the cache unless
//!   a test asks ([`Goldenpath::with_cache`]). [`Goldenpath::run`] gives the
//!   [`Output`]: exit code, stdout and stderr.
//! - Each fixture directory is checked as a tree of its own, outside this repository:
//!   `GIT_CEILING_DIRECTORIES` is `fixtures/` and the tests' scratch directory under
//!   `target/`, so goldenpath looks for neither `.git` nor `goldenpath.toml` above a
//!   fixture (this repository's own configuration excludes `fixtures/`). Tests of the
//!   search itself build repositories in temporary directories.
//! - [`Output::json`] and [`findings`] read a JSON report.
//! - [`redact`] replaces the paths that differ between machines (the repository, its
//!   `fixtures/`, temporary directories) with placeholders, for snapshots.
//! - [`reference_schema`] finds a public schema in `../shared/reference/schemas`: a test
//!   skips without it on a developer's machine and fails without it in CI.

// Each test binary uses part of the harness.
#![allow(dead_code)]

pub mod corpus;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/`.
pub fn fixtures() -> PathBuf {
    root().join("fixtures")
}

/// Environment variables removed from every run, by name or (ending in `*`) prefix:
/// colour and terminal width, CI systems (goldenpath links reports to the commit from
/// `GITHUB_*`), goldenpath's own, and `SOURCE_DATE_EPOCH` (the dashboard's time).
pub const SCRUBBED: &[&str] = &[
    "NO_COLOR",
    "FORCE_COLOR",
    "CLICOLOR*",
    "COLUMNS",
    "LINES",
    "CI",
    "CI_*",
    "CONTINUOUS_INTEGRATION",
    "GITHUB_*",
    "GITLAB_CI",
    "RUNNER_*",
    "BUILDKITE*",
    "TF_BUILD",
    "GOLDENPATH_*",
    "GIT_*",
    "COMPLETE",
    "SOURCE_DATE_EPOCH",
];

fn scrubbed(name: &str) -> bool {
    SCRUBBED
        .iter()
        .any(|pattern| match pattern.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == *pattern,
        })
}

/// One run of the built binary, being set up.
pub struct Goldenpath {
    command: assert_cmd::Command,
}

/// The built binary, run in `dir`: a path relative to `fixtures/` (`""` for `fixtures/`
/// itself), or an absolute one (a temporary directory, [`root`]).
pub fn goldenpath(dir: impl AsRef<Path>) -> Goldenpath {
    let mut command = assert_cmd::Command::new(env!("CARGO_BIN_EXE_goldenpath"));
    command.current_dir(fixtures().join(dir));
    for (name, _) in std::env::vars_os() {
        if scrubbed(&name.to_string_lossy()) {
            command.env_remove(&name);
        }
    }
    // No cache unless a test asks for one ([`Goldenpath::with_cache`]): runs leave
    // nothing behind in fixtures.
    command.env("GOLDENPATH_NO_CACHE", "1");
    let ceilings = [fixtures(), PathBuf::from(env!("CARGO_TARGET_TMPDIR"))];
    command.env(
        "GIT_CEILING_DIRECTORIES",
        std::env::join_paths(ceilings).expect("paths without separators"),
    );
    Goldenpath { command }
}

/// `goldenpath <args>` in `dir` (as for [`goldenpath`]).
pub fn run(dir: impl AsRef<Path>, args: &[&str]) -> Output {
    goldenpath(dir).args(args).run()
}

/// `goldenpath check --format json <args>` in `dir`: the exit code and the report.
pub fn check_json(dir: impl AsRef<Path>, args: &[&str]) -> (i32, Value) {
    let out = goldenpath(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .run();
    (out.code, out.json())
}

impl Goldenpath {
    /// Adds one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    /// Adds arguments.
    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.command.args(args);
        self
    }

    /// Sets an environment variable for this run.
    pub fn env(mut self, name: &str, value: impl AsRef<OsStr>) -> Self {
        self.command.env(name, value);
        self
    }

    /// Kills the run after `seconds` (its code is then -1, as for any signal).
    pub fn timeout(mut self, seconds: u64) -> Self {
        self.command
            .timeout(std::time::Duration::from_secs(seconds));
        self
    }

    /// Runs without the ceiling above `fixtures/`: goldenpath finds `.git` and
    /// `goldenpath.toml` above a fixture as it does in a reader's checkout.
    pub fn without_ceiling(mut self) -> Self {
        self.command.env_remove("GIT_CEILING_DIRECTORIES");
        self
    }

    /// Removes an environment variable for this run.
    pub fn env_remove(mut self, name: &str) -> Self {
        self.command.env_remove(name);
        self
    }

    /// Runs with the cache on, in `dir` (`GOLDENPATH_CACHE_DIR`), its packs signed with
    /// the tests' key (`GOLDENPATH_CACHE_KEY`) rather than the user's.
    pub fn with_cache(mut self, dir: &Path) -> Self {
        self.command.env_remove("GOLDENPATH_NO_CACHE");
        self.command.env("GOLDENPATH_CACHE_DIR", dir);
        self.command.env("GOLDENPATH_CACHE_KEY", "goldenpath tests");
        self
    }

    /// Gives the run this standard input (by default it has none).
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.command.write_stdin(input);
        self
    }

    /// Runs it to the end.
    pub fn run(mut self) -> Output {
        let out = self.command.output().expect("the goldenpath binary runs");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// What a run printed, and how it ended.
#[derive(Debug)]
pub struct Output {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl Output {
    /// Standard output as JSON; the test fails, showing both streams, when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// One finding of a JSON report (`check --format json`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub rule: String,
    pub severity: String,
    pub message: String,
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub end_line: Option<u64>,
    pub end_column: Option<u64>,
}

/// The findings of a JSON report, in report order.
pub fn findings(report: &Value) -> Vec<Finding> {
    Vec::<Finding>::deserialize(&report["findings"])
        .unwrap_or_else(|e| panic!("the report's findings ({e}):\n{report}"))
}

/// `text` with the paths that differ between machines replaced: each of `temps` by
/// `[TEMP]` (`[TEMP1]`, `[TEMP2]`… when there are several), `fixtures/` by `[FIXTURES]`
/// and the repository by `[ROOT]`, each as given and canonicalized, longest first.
pub fn redact(text: &str, temps: &[&Path]) -> String {
    let mut places: Vec<(String, String)> = Vec::new();
    let mut add = |path: &Path, placeholder: String| {
        let canonical = path.canonicalize().ok();
        for path in std::iter::once(path).chain(canonical.as_deref()) {
            let path = path.to_string_lossy().trim_end_matches('/').to_string();
            if !path.is_empty() {
                places.push((path, placeholder.clone()));
            }
        }
    };
    for (i, temp) in temps.iter().enumerate() {
        let name = if temps.len() == 1 {
            "[TEMP]".to_string()
        } else {
            format!("[TEMP{}]", i + 1)
        };
        add(temp, name);
    }
    add(&fixtures(), "[FIXTURES]".to_string());
    add(&root(), "[ROOT]".to_string());
    places.sort_by_key(|(path, _)| std::cmp::Reverse(path.len()));
    places
        .iter()
        .fold(text.to_string(), |text, (path, placeholder)| {
            text.replace(path.as_str(), placeholder)
        })
}

/// Whether this is a CI run (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// The public schema `name` from `../shared/reference/schemas`, which lives beside the
/// project, never inside it. Without it the calling test skips (`None`) on a developer's
/// machine and fails in CI, where the folder is always laid out.
pub fn reference_schema(name: &str) -> Option<PathBuf> {
    let path = root().join("../shared/reference/schemas").join(name);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        !in_ci(),
        "{} is missing: CI must have ../shared/reference/schemas beside the checkout",
        path.display()
    );
    eprintln!("skipped: {} is not present", path.display());
    None
}

/// The peak resident memory, in MiB, of the largest child process this test binary has
/// waited for so far (`getrusage(RUSAGE_CHILDREN)`): after a run, a bound on that run's.
#[cfg(unix)]
pub fn peak_child_rss_mib() -> u64 {
    use nix::sys::resource::{getrusage, UsageWho};
    let kib = getrusage(UsageWho::RUSAGE_CHILDREN).map_or(0, |usage| usage.max_rss());
    u64::try_from(kib).unwrap_or(0) / 1024
}

/// Writes `contents` to `path`, creating its directories.
pub fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) {
    let path = path.as_ref();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Copies the tree `from` to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// Splits a command line into words: whitespace separates, `quote` groups (an empty pair
/// is an empty word).
pub fn split_words(line: &str, quote: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            c if c == quote => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

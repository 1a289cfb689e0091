//! `goldenpath init`: writes a starter `goldenpath.toml`, an example policy and its unit
//! test into a directory, refusing to overwrite anything unless forced, then says what it
//! did and how to run goldenpath in pre-commit and GitHub Actions ([`report`]). The
//! starter configuration keeps the built-in pack on, and the pre-commit and workflow
//! snippets follow the pack's own rules (pinned actions, least permissions, a timeout,
//! no persisted credentials, a pinned install): a test checks them with the pack.

use std::path::{Path, PathBuf};

/// The starter configuration, with the keys `goldenpath.toml` documents.
const CONFIG: &str = r#"# goldenpath configuration. Paths are relative to this file.

# Directories (or files) of Rego policies.
policies = ["policy"]
# Keep the built-in golden-path pack on beside your policies (`goldenpath rules` lists
# its rules; turn one off under [rules], e.g. "GP-DOCKER-003" = "off").
builtin = true
# Rego packages to evaluate (`*` and `?` wildcards).
namespaces = ["main"]
# Paths to skip, as globs (for example "vendor/**").
exclude = []
# The lowest severity that fails a run: "error", "warning" or "never".
fail-on = "error"
"#;

/// The example policy.
const POLICY: &str = r#"# An example goldenpath policy.
#
# goldenpath evaluates the rules named `deny`, `violation` and `warn` (optionally with a
# `_suffix`, as here) of package `main` against every JSON, YAML and TOML file it checks.
# `input` is the parsed file; a multi-document YAML file is checked document by document.
package main

import rego.v1

# Workloads must pin their container images: a `latest` tag (or no tag at all) means a
# redeploy can silently run different code.
#
# Each result is a message, or an object with a `msg` and, optionally, a `path` to the
# value the finding is about, so it is reported at that exact line and column, and a
# `severity` ("error", "warning" or "info").
deny_unpinned_image contains result if {
	input.kind in {"Deployment", "StatefulSet", "DaemonSet"}
	some i, container in input.spec.template.spec.containers
	not pinned(container.image)
	result := {
		"msg": sprintf("container `%s` does not pin its image (%s); use an explicit version", [container.name, container.image]),
		"path": ["spec", "template", "spec", "containers", i, "image"],
	}
}

# An image is pinned when it has a tag other than `latest`, or a digest.
pinned(image) if contains(image, "@sha256:")

pinned(image) if {
	parts := split(image, "/")
	name := parts[count(parts) - 1]
	contains(name, ":")
	not endswith(name, ":latest")
}
"#;

/// The example policy's unit test.
const POLICY_TEST: &str = r#"# Unit tests for policy/main.rego; run them with `goldenpath test`.
#
# Every rule named `test_*` is a test: it passes when it is true. `with input as ...`
# evaluates a rule against a document written inline; `todo_test_*` rules are listed
# as skipped.
package main_test

import rego.v1

import data.main

deployment(image) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": [{"name": "web", "image": image}]}}},
}

test_latest_tag_is_denied if {
	results := main.deny_unpinned_image with input as deployment("nginx:latest")
	count(results) == 1
}

test_missing_tag_is_denied if {
	results := main.deny_unpinned_image with input as deployment("registry.local:5000/nginx")
	count(results) == 1
}

test_pinned_tag_is_allowed if {
	results := main.deny_unpinned_image with input as deployment("nginx:1.27.3")
	count(results) == 0
}

test_digest_is_allowed if {
	results := main.deny_unpinned_image with input as deployment("nginx@sha256:0123abcd")
	count(results) == 0
}
"#;

/// The pre-commit configuration that runs goldenpath's hooks (`.pre-commit-config.yaml`).
pub const PRE_COMMIT: &str = r#"repos:
  - repo: https://github.com/goldenpath-dev/goldenpath
    rev: <commit>  # a full commit SHA: pre-commit autoupdate --freeze
    hooks:
      - id: goldenpath         # the changed files, with every file type goldenpath reads
      - id: goldenpath-repo    # the whole repository, with repository rules
        stages: [pre-push]
"#;

/// The GitHub Actions workflow that runs goldenpath (`.github/workflows/goldenpath.yml`).
pub const WORKFLOW: &str = r#"name: goldenpath
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  goldenpath:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - run: cargo install --locked --git https://github.com/goldenpath-dev/goldenpath --rev <commit> goldenpath
      - run: goldenpath test
      - run: goldenpath check
"#;

/// Where the pre-commit configuration goes.
pub const PRE_COMMIT_PATH: &str = ".pre-commit-config.yaml";
/// Where the workflow goes.
pub const WORKFLOW_PATH: &str = ".github/workflows/goldenpath.yml";

/// What `init` prints after writing `written` (paths as reported) into `dir` (`None` for
/// the current directory): the files, what the configuration does, the next steps and the
/// pre-commit and GitHub Actions snippets, indented by two spaces.
pub fn report(written: &[String], dir: Option<&str>) -> String {
    let mut out = String::new();
    for path in written {
        out.push_str(&format!(
            "created {path}
"
        ));
    }
    let check = match dir {
        Some(dir) => format!("goldenpath check {dir}"),
        None => "goldenpath check".to_string(),
    };
    let test = match dir {
        Some(dir) => format!("goldenpath test {dir}/policy"),
        None => "goldenpath test".to_string(),
    };
    out.push_str(&format!(
        "\ngoldenpath.toml runs your policies in policy/ and keeps the built-in golden-path pack on\n\
         (builtin = true; `goldenpath rules` lists its rules).\n\n\
         Next steps:\n  {test:<34}# run the policy unit tests\n  {check:<34}# check the repository\n"
    ));
    for (title, path, text) in [
        ("pre-commit", PRE_COMMIT_PATH, PRE_COMMIT),
        ("GitHub Actions", WORKFLOW_PATH, WORKFLOW),
    ] {
        out.push_str(&format!(
            "\n{title}: save as {path} (replace <commit> with the goldenpath commit to use)\n"
        ));
        for line in text.lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out
}

/// Why `init` wrote nothing.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InitError {
    /// A file it would write already exists.
    #[error("`{}` already exists; nothing was written", .0.display())]
    #[diagnostic(
        code(goldenpath::init::exists),
        help("pass --force to overwrite it, or run init in another directory")
    )]
    Exists(PathBuf),
    /// A file or directory could not be written.
    #[error("cannot write `{}`: {message}", path.display())]
    #[diagnostic(code(goldenpath::init::write))]
    Write {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
}

/// The files `init` writes, relative to the target directory, with their text.
pub fn starter_files() -> [(&'static str, &'static str); 3] {
    [
        ("goldenpath.toml", CONFIG),
        ("policy/main.rego", POLICY),
        ("policy/main_test.rego", POLICY_TEST),
    ]
}

/// Writes the starter files into `dir`. Without `force`, nothing is written when any of
/// them exists. Returns the paths written.
pub fn init(dir: &Path, force: bool) -> Result<Vec<PathBuf>, InitError> {
    let files = starter_files();
    if !force {
        if let Some(existing) = files
            .iter()
            .map(|(name, _)| dir.join(name))
            .find(|path| path.exists())
        {
            return Err(InitError::Exists(existing));
        }
    }
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| InitError::Write {
                path: parent.to_path_buf(),
                message: e.to_string(),
            })?;
        }
        std::fs::write(&path, text).map_err(|e| InitError::Write {
            path: path.clone(),
            message: e.to_string(),
        })?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_config_is_valid_toml_with_the_documented_keys() {
        let value: toml::Table = toml::from_str(CONFIG).expect("valid TOML");
        let keys: Vec<&str> = value.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["builtin", "exclude", "fail-on", "namespaces", "policies"]
        );
        assert_eq!(value["builtin"].as_bool(), Some(true));
    }

    #[test]
    fn the_report_shows_each_snippet_indented_under_its_file() {
        let text = report(&["goldenpath.toml".to_string()], None);
        for (path, snippet) in [(PRE_COMMIT_PATH, PRE_COMMIT), (WORKFLOW_PATH, WORKFLOW)] {
            let indented: String = snippet.lines().map(|l| format!("  {l}\n")).collect();
            let header = format!("save as {path} ");
            let at = text.find(&header).expect("the snippet is named");
            let after = &text[at..];
            let body = &after[after.find('\n').expect("a line") + 1..];
            assert!(body.starts_with(&indented), "{text}");
        }
    }
}

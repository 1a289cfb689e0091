//! Fixture cases: tests written as files instead of Rego. A case is a directory
//! `<policy dir>/tests/<case>/` holding one `input.<ext>` (any format `check` reads) and
//! an `expect.json` naming the findings `check` must report for it:
//!
//! ```json
//! {"findings": [{"rule": "main.deny_latest_tag", "line": 7}]}
//! ```
//!
//! The input is checked by the real `check` pipeline with the same policies, data and
//! namespaces, and the findings must match exactly (order does not matter; `"line": null`
//! means a finding about the whole file). [`Expectation`] is the schema of every
//! `expect.json`: the built-in pack's fixtures (`fixtures/pack/<ID>-<slug>/expect.json`)
//! use it too, naming the `file` of each finding in their multi-file fixtures.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Status, TestKind, TestResult};
use crate::discover;
use crate::options::CheckOptions;
use crate::run;

/// One fixture case found on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The case directory.
    pub dir: PathBuf,
    /// The directory as reported.
    pub label: String,
}

/// What an `expect.json` holds: every finding a fixture must produce, in any order.
///
/// ```json
/// {"findings": [
///   {"rule": "GP-DOCKER-001", "file": "Dockerfile", "line": 3, "column": 6},
///   {"rule": "GP-REPO-001", "line": null}
/// ]}
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The expected findings.
    pub findings: Vec<ExpectedFinding>,
}

/// One expected (or, located in full, one actual) finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFinding {
    /// The rule id.
    pub rule: String,
    /// The file, relative to the fixture directory with forward slashes; absent or
    /// `null` for the fixture itself: a case's single input, or the repository a
    /// repository finding is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The 1-based line; `null` for a finding about a whole file or repository.
    #[serde(default)]
    pub line: Option<usize>,
    /// The 1-based column, in characters; when absent, any column matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Expectation {
    /// Reads and validates an `expect.json`.
    pub fn read(path: &Path) -> Result<Expectation, String> {
        let text = crate::confine::read_to_string(path).map_err(|e| e.to_string())?;
        serde_json::from_str(&text).map_err(|e| format!("invalid expect.json: {e}"))
    }

    /// Whether `actual`, findings located in full (file, line and column), are exactly
    /// the expected ones, in any order. An expected finding without a column matches a
    /// finding at any column of its line.
    pub fn matches(&self, actual: &[ExpectedFinding]) -> bool {
        if actual.len() != self.findings.len() {
            return false;
        }
        let mut left: Vec<&ExpectedFinding> = actual.iter().collect();
        // Those with a column first: the ones without take whatever is left on their line.
        let mut expected: Vec<&ExpectedFinding> = self.findings.iter().collect();
        expected.sort_by_key(|e| e.column.is_none());
        expected.into_iter().all(|e| {
            let found = left.iter().position(|a| {
                a.rule == e.rule
                    && a.file == e.file
                    && a.line == e.line
                    && e.column.is_none_or(|c| a.column == Some(c))
            });
            found.map(|i| left.swap_remove(i)).is_some()
        })
    }
}

/// The case directories under `<dir>/tests/` of each policy directory, sorted.
pub fn find(policy_paths: &[PathBuf]) -> Vec<Case> {
    let mut cases = Vec::new();
    for root in policy_paths.iter().filter(|p| p.is_dir()) {
        let Ok(entries) = std::fs::read_dir(root.join("tests")) else {
            continue;
        };
        for entry in entries.flatten() {
            let dir = entry.path();
            if dir.is_dir() && dir.join("expect.json").is_file() {
                cases.push(Case {
                    label: discover::display(&dir),
                    dir,
                });
            }
        }
    }
    cases.sort_by(|a, b| a.label.cmp(&b.label));
    cases.dedup();
    cases
}

fn describe(findings: &[ExpectedFinding]) -> String {
    if findings.is_empty() {
        return "(no findings)".to_string();
    }
    findings
        .iter()
        .map(|f| {
            let file = f
                .file
                .as_ref()
                .map_or_else(String::new, |file| format!(" in {file}"));
            match (f.line, f.column) {
                (Some(line), Some(column)) => {
                    format!("{}{file} at line {line}, column {column}", f.rule)
                }
                (Some(line), None) => format!("{}{file} at line {line}", f.rule),
                (None, _) => format!("{}{file} (whole file)", f.rule),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The case's single `input.*` file.
fn input_of(dir: &Path) -> Result<PathBuf, String> {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the case directory: {e}"))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_stem().is_some_and(|s| s == "input"))
        .collect();
    inputs.sort();
    match inputs.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err("no `input.*` file in the case directory".to_string()),
        _ => Err("more than one `input.*` file in the case directory".to_string()),
    }
}

/// Checks the case's input with the policies of `check` and compares the findings.
pub fn run(case: &Case, check: &CheckOptions) -> TestResult {
    let expect_path = case.dir.join("expect.json");
    let mut result = TestResult {
        kind: TestKind::Case {
            dir: case.label.clone(),
        },
        file: discover::display(&expect_path),
        line: None,
        status: Status::Error,
        message: None,
        prints: Vec::new(),
    };
    let mut expected = match Expectation::read(&expect_path) {
        Ok(e) => e,
        Err(message) => {
            result.message = Some(message);
            return result;
        }
    };
    let input = match input_of(&case.dir) {
        Ok(input) => input,
        Err(message) => {
            result.message = Some(message);
            return result;
        }
    };
    // The input is the case's only file: naming it is the same as leaving it out.
    let input_name = input.file_name().map(|n| n.to_string_lossy().into_owned());
    for finding in &mut expected.findings {
        if finding.file == input_name {
            finding.file = None;
        }
    }
    let options = CheckOptions {
        paths: vec![input],
        ..check.clone()
    };
    let (report, traces) = match run::check_traced(&options, &run::Unwatched) {
        Ok(done) => done,
        Err(err) => {
            result.message = Some(err.to_string());
            return result;
        }
    };
    result.prints = traces.into_iter().flat_map(|t| t.prints).collect();
    let mut actual: Vec<ExpectedFinding> = report
        .diagnostics
        .iter()
        .map(|d| ExpectedFinding {
            rule: d.rule.clone(),
            file: None,
            line: d.region.map(|r| r.start.line),
            column: d.region.map(|r| r.start.column),
        })
        .collect();
    if expected.matches(&actual) {
        result.status = Status::Pass;
        result.prints.clear();
    } else {
        result.status = Status::Fail;
        // Columns are shown when the case names any.
        if expected.findings.iter().all(|f| f.column.is_none()) {
            actual.iter_mut().for_each(|f| f.column = None);
        }
        expected.findings.sort();
        actual.sort();
        let mut message = format!(
            "expected: {}\n  actual:   {}",
            describe(&expected.findings),
            describe(&actual)
        );
        for d in &report.diagnostics {
            let line = d
                .region
                .map_or_else(String::new, |r| format!(":{}", r.start.line));
            message.push_str(&format!("\n    {}{line} {}: {}", d.file, d.rule, d.message));
        }
        result.message = Some(message);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(file: Option<&str>, line: Option<usize>, column: Option<usize>) -> ExpectedFinding {
        ExpectedFinding {
            rule: "r".to_string(),
            file: file.map(str::to_string),
            line,
            column,
        }
    }

    #[test]
    fn expectations_match_in_any_order_with_optional_columns() {
        let actual = [
            at(Some("a.yaml"), Some(3), Some(5)),
            at(Some("a.yaml"), Some(3), Some(9)),
            at(None, None, None),
        ];
        let cases: [(&str, Vec<ExpectedFinding>, bool); 7] = [
            (
                "exact, other order",
                vec![actual[2].clone(), actual[1].clone(), actual[0].clone()],
                true,
            ),
            (
                "columns left out",
                vec![
                    at(Some("a.yaml"), Some(3), None),
                    at(Some("a.yaml"), Some(3), None),
                    at(None, None, None),
                ],
                true,
            ),
            (
                // The one with a column must not be taken by the one without.
                "one column given",
                vec![
                    at(Some("a.yaml"), Some(3), None),
                    at(Some("a.yaml"), Some(3), Some(5)),
                    at(None, None, None),
                ],
                true,
            ),
            (
                "wrong column",
                vec![
                    at(Some("a.yaml"), Some(3), Some(5)),
                    at(Some("a.yaml"), Some(3), Some(5)),
                    at(None, None, None),
                ],
                false,
            ),
            (
                "wrong file",
                vec![
                    at(Some("b.yaml"), Some(3), None),
                    at(Some("a.yaml"), Some(3), None),
                    at(None, None, None),
                ],
                false,
            ),
            (
                "one missing",
                vec![at(Some("a.yaml"), Some(3), None), at(None, None, None)],
                false,
            ),
            (
                "whole-file expectation for a located finding",
                vec![
                    at(Some("a.yaml"), None, None),
                    at(Some("a.yaml"), Some(3), None),
                    at(None, None, None),
                ],
                false,
            ),
        ];
        for (name, findings, want) in cases {
            assert_eq!(Expectation { findings }.matches(&actual), want, "{name}");
        }
    }

    #[test]
    fn the_schema_refuses_unknown_keys_and_accepts_null_lines() {
        let parsed: Expectation = serde_json::from_str(
            r#"{"findings": [{"rule": "GP-REPO-001", "line": null}, {"rule": "x", "file": "a/b", "line": 2, "column": 7}]}"#,
        )
        .expect("valid");
        assert_eq!(
            parsed.findings[0],
            ExpectedFinding {
                rule: "GP-REPO-001".into(),
                file: None,
                line: None,
                column: None
            }
        );
        assert_eq!(parsed.findings[1].column, Some(7));
        for bad in [
            r#"{"findings": [{"rule": "x", "lines": 2}]}"#,
            r#"{"findings": [{"file": "a", "line": 2}]}"#,
            r#"{"findings": [], "extra": true}"#,
        ] {
            assert!(serde_json::from_str::<Expectation>(bad).is_err(), "{bad}");
        }
    }
}

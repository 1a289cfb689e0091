//! Fixture cases: tests written as files instead of Rego. A case is a directory
//! `<policy dir>/tests/<case>/` holding one `input.<ext>` (any format `check` reads) and
//! an `expect.json` naming the findings `check` must report for it:
//!
//! ```json
//! {"findings": [{"rule": "main.deny_latest_tag", "line": 7}]}
//! ```
//!
//! The input is checked by the real `check` pipeline with the same policies, data and
//! namespaces, and the `(rule, line)` pairs must match exactly (order does not matter;
//! `"line": null` means a finding about the whole file).

use std::path::{Path, PathBuf};

use serde::Deserialize;

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

/// What `expect.json` holds.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectation {
    findings: Vec<ExpectedFinding>,
}

/// One expected finding.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct ExpectedFinding {
    rule: String,
    line: Option<usize>,
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
        .map(|f| match f.line {
            Some(line) => format!("{} at line {line}", f.rule),
            None => format!("{} (whole file)", f.rule),
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
    let expected = std::fs::read_to_string(&expect_path)
        .map_err(|e| e.to_string())
        .and_then(|text| {
            serde_json::from_str::<Expectation>(&text)
                .map_err(|e| format!("invalid expect.json: {e}"))
        });
    let mut expected = match expected {
        Ok(e) => e.findings,
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
    let options = CheckOptions {
        paths: vec![input],
        ..check.clone()
    };
    let (report, traces) = match run::check_traced(&options) {
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
            line: d.region.map(|r| r.start.line),
        })
        .collect();
    expected.sort();
    actual.sort();
    if expected == actual {
        result.status = Status::Pass;
        result.prints.clear();
    } else {
        result.status = Status::Fail;
        let mut message = format!(
            "expected: {}\n  actual:   {}",
            describe(&expected),
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

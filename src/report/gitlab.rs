//! The GitLab Code Quality report: a JSON array of issues that GitLab shows in the merge
//! request widget and the pipeline's Code Quality tab.
//!
//! ```json
//! [{"type": "issue", "check_name": "main.deny", "description": "...",
//!   "severity": "major", "fingerprint": "8c2d…:1", "engine_name": "goldenpath",
//!   "location": {"path": "deploy/web.yaml", "lines": {"begin": 13, "end": 13}}}]
//! ```
//! Severities: info → `info`, warning → `minor`, error → `major`, and error in a rule
//! tagged `security` → `critical` (`blocker` is left to people). Findings without a
//! position point at line 1. Fingerprints are the same as SARIF's, so GitLab can tell
//! new findings from old ones between branches.

use serde::Serialize;

use super::fingerprint;
use super::Report;
use crate::finding::Severity;
use crate::locate::Diagnostic;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'a str,
    description: &'a str,
    severity: &'static str,
    fingerprint: String,
    engine_name: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<usize>,
}

/// Renders the report as a pretty-printed Code Quality JSON array (trailing newline).
pub fn render(report: &Report) -> String {
    let fingerprints = fingerprint::fingerprints(&report.diagnostics);
    let issues: Vec<Issue<'_>> = report
        .diagnostics
        .iter()
        .zip(fingerprints)
        .map(|(d, fingerprint)| Issue {
            kind: "issue",
            check_name: &d.rule,
            description: &d.message,
            severity: severity(report, d),
            fingerprint,
            engine_name: env!("CARGO_PKG_NAME"),
            location: Location {
                path: path(&d.file),
                lines: Lines {
                    begin: d.region.map_or(1, |r| r.start.line),
                    end: d.region.map(|r| r.end.line),
                },
            },
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
}

fn severity(report: &Report, d: &Diagnostic) -> &'static str {
    let security = report
        .rules
        .iter()
        .find(|r| r.id == d.rule)
        .is_some_and(|r| r.tags.iter().any(|t| t.eq_ignore_ascii_case("security")));
    match d.severity {
        Severity::Info => "info",
        Severity::Warning => "minor",
        Severity::Error if security => "critical",
        Severity::Error => "major",
    }
}

/// The path relative to the project root, without a leading `./`.
fn path(file: &str) -> &str {
    let mut path = file;
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{diagnostic, file_level, report, with_severity};

    #[test]
    fn issues_carry_the_required_fields() {
        let mut r = report(
            vec![
                diagnostic("sec", "./a.yaml", 2, "privileged: true", "privileged"),
                with_severity(
                    diagnostic("w", "a.yaml", 3, "k: v", "warn"),
                    Severity::Warning,
                ),
                with_severity(diagnostic("i", "a.yaml", 4, "k: v", "info"), Severity::Info),
                diagnostic("e", "a.yaml", 5, "k: v", "error"),
                file_level("parse-error", "big.json", "too large"),
            ],
            &["a.yaml", "big.json"],
        );
        for rule in r.rules.iter_mut().filter(|rule| rule.id == "sec") {
            rule.tags = vec!["security".into()];
        }
        let issues: serde_json::Value = serde_json::from_str(&render(&r)).expect("json");
        let issues = issues.as_array().expect("array");
        assert_eq!(issues.len(), 5);
        let by_check = |name: &str| {
            issues
                .iter()
                .find(|i| i["check_name"] == name)
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(by_check("e")["severity"], "major");
        assert_eq!(by_check("w")["severity"], "minor");
        assert_eq!(by_check("i")["severity"], "info");
        assert_eq!(
            by_check("parse-error")["location"]["lines"],
            serde_json::json!({"begin": 1})
        );
        let fingerprints: std::collections::BTreeSet<&str> = issues
            .iter()
            .filter_map(|i| i["fingerprint"].as_str())
            .collect();
        assert_eq!(fingerprints.len(), 5, "unique");
        for issue in issues {
            for key in ["description", "check_name", "fingerprint", "severity"] {
                assert!(issue[key].is_string(), "{key} in {issue}");
            }
            assert!(issue["location"]["path"].is_string());
            assert!(issue["location"]["lines"]["begin"].is_u64());
        }
        let security = issues
            .iter()
            .find(|i| i["check_name"] == "sec")
            .expect("security issue");
        assert_eq!(security["severity"], "critical");
        assert_eq!(security["location"]["path"], "a.yaml");
    }
}

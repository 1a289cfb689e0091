//! The TAP report (Test Anything Protocol, version 12), in the line shape conftest's
//! `--output tap` prints and scripts parse:
//!
//! ```text
//! 1..3
//! not ok 1 - deploy/web.yaml - main - container `web` uses the `latest` tag
//! # warnings
//! not ok 2 - deploy/web.yaml - main - no memory limit
//! # successes
//! ok 3 - deploy/db.yaml - SUCCESS
//! ```
//!
//! Each checked file contributes its errors (under `# failures` after another file's
//! block), then (under `# warnings`) its warnings and (under `# info`) its info findings, each a `not ok` line naming the rule's namespace
//! (the package of a Rego rule, the id of any other rule); a file without findings is
//! one `ok` line, grouped under `# successes` at the end. Unlike conftest, which prints a
//! plan per file and namespace, the stream has one plan, so TAP consumers read it whole.
//! Messages are made single-line ([`super::snippet::shown_text`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{namespace_of, Report};
use crate::finding::Severity;
use crate::locate::Diagnostic;

/// The groups of a file's findings, in the order they are printed, with the comment
/// line that opens each. conftest prints a file's failures first, bare; after another
/// file's block they are opened by `# failures`, so no group reads as part of the one
/// before it.
const GROUPS: [(Severity, &str); 3] = [
    (Severity::Error, "# failures"),
    (Severity::Warning, "# warnings"),
    (Severity::Info, "# info"),
];

/// Renders the report as one TAP stream (nothing when no file was checked).
pub fn render(report: &Report) -> String {
    let by_file = findings_by_file(report);
    let total: usize = by_file.values().map(|d| d.len().max(1)).sum();
    if total == 0 {
        return String::new();
    }
    let mut out = format!("1..{total}\n");
    let mut counter = 0;
    let mut clean = Vec::new();
    for (file, diagnostics) in &by_file {
        if diagnostics.is_empty() {
            clean.push(*file);
            continue;
        }
        for (severity, comment) in GROUPS {
            let group: Vec<&&Diagnostic> = diagnostics
                .iter()
                .filter(|d| d.severity == severity)
                .collect();
            if group.is_empty() {
                continue;
            }
            if severity != Severity::Error || counter > 0 {
                let _ = writeln!(out, "{comment}");
            }
            for d in group {
                counter += 1;
                let _ = writeln!(
                    out,
                    "not ok {counter} {} - {} - {}",
                    indicator(file),
                    namespace_of(&d.rule),
                    super::snippet::shown_text(&d.message)
                );
            }
        }
    }
    if !clean.is_empty() {
        out.push_str("# successes\n");
        for file in clean {
            counter += 1;
            let _ = writeln!(out, "ok {counter} {} - SUCCESS", indicator(file));
        }
    }
    out
}

/// Every checked file (sorted) with its findings in report order.
pub(crate) fn findings_by_file(report: &Report) -> BTreeMap<&str, Vec<&Diagnostic>> {
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = report
        .files
        .iter()
        .map(|file| (file.as_str(), Vec::new()))
        .collect();
    for d in &report.diagnostics {
        by_file.entry(d.file.as_str()).or_default().push(d);
    }
    by_file
}

/// `- FILE`, or `-` alone for standard input (conftest's shape).
fn indicator(file: &str) -> String {
    if file == "-" {
        "-".to_string()
    } else {
        format!("- {}", super::snippet::shown_text(file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{diagnostic, file_level, report, with_severity};

    #[test]
    fn failures_then_warnings_then_successes() {
        let r = report(
            vec![
                diagnostic("main.deny", "a.yaml", 1, "k: v", "first failure"),
                with_severity(
                    diagnostic("main.warn", "a.yaml", 2, "k: v", "first warning"),
                    Severity::Warning,
                ),
                with_severity(
                    diagnostic("GP-K8S-009", "a.yaml", 3, "k: v", "no owner"),
                    Severity::Info,
                ),
                file_level("parse-error", "b.json", "invalid json:\nline 2"),
            ],
            &["a.yaml", "b.json", "c.yaml", "-"],
        );
        assert_eq!(
            render(&r),
            "1..6\n\
             not ok 1 - a.yaml - main - first failure\n\
             # warnings\n\
             not ok 2 - a.yaml - main - first warning\n\
             # info\n\
             not ok 3 - a.yaml - GP-K8S-009 - no owner\n\
             # failures\n\
             not ok 4 - b.json - parse-error - invalid json:\\u{a}line 2\n\
             # successes\n\
             ok 5 - - SUCCESS\n\
             ok 6 - c.yaml - SUCCESS\n"
        );
    }

    #[test]
    fn nothing_checked_is_an_empty_stream() {
        assert_eq!(render(&report(Vec::new(), &[])), "");
    }
}

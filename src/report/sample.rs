//! Sample diagnostics and reports for the unit tests of the report formats.

use crate::document::Span;
use crate::finding::{RuleInfo, Severity};
use crate::locate::{Diagnostic, Position, Region, Snippet};
use crate::report::{Report, Summary};

/// A diagnostic on `line` of `file` whose snippet is that single line; the region covers
/// the line's text without its indentation.
pub(crate) fn diagnostic(
    rule: &str,
    file: &str,
    line: usize,
    text: &str,
    message: &str,
) -> Diagnostic {
    let text = text.trim_end_matches('\n');
    let indent = text.len() - text.trim_start().len();
    let start_col = text[..indent].chars().count() + 1;
    let end_col = text.trim_end().chars().count() + 1;
    Diagnostic {
        rule: rule.to_string(),
        severity: Severity::Error,
        message: message.to_string(),
        file: file.to_string(),
        region: Some(Region {
            start: Position {
                line,
                column: start_col,
            },
            end: Position {
                line,
                column: end_col,
            },
            span: Span::new(indent, text.trim_end().len()),
        }),
        metadata: Default::default(),
        snippet: Some(Snippet {
            lines: Span::new(0, text.len() + 1),
            source: format!("{text}\n").into(),
            first_line: line,
        }),
    }
}

/// A finding about `file` as a whole.
pub(crate) fn file_level(rule: &str, file: &str, message: &str) -> Diagnostic {
    Diagnostic::file_level(rule, file, message)
}

/// `diagnostic` with another severity.
pub(crate) fn with_severity(mut diagnostic: Diagnostic, severity: Severity) -> Diagnostic {
    diagnostic.severity = severity;
    diagnostic
}

/// A report over `diagnostics` with the built-in rules (the report adds a rule per other
/// id).
pub(crate) fn report(diagnostics: Vec<Diagnostic>, files: &[&str]) -> Report {
    let rules = RuleInfo::builtin();
    let summary = Summary {
        files: files.len(),
        ..Summary::default()
    };
    Report::new(diagnostics, summary, rules)
        .with_files(files.iter().map(|f| f.to_string()).collect())
}

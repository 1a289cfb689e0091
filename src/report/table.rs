//! The table report, in the shape of conftest's `--output table`: one row per finding
//! and one `success` row per file without findings, under the columns RESULT, FILE,
//! NAMESPACE and MESSAGE, drawn with box-drawing characters.
//!
//! ```text
//! ┌─────────┬─────────────────┬───────────┬──────────────────┐
//! │ RESULT  │      FILE       │ NAMESPACE │     MESSAGE      │
//! ├─────────┼─────────────────┼───────────┼──────────────────┤
//! │ success │ deploy/db.yaml  │ -         │ SUCCESS          │
//! │ warning │ deploy/web.yaml │ main      │ no memory limit  │
//! │ failure │ deploy/web.yaml │ main      │ uses latest tag  │
//! └─────────┴─────────────────┴───────────┴──────────────────┘
//! ```
//!
//! Per file, rows come as conftest orders them: successes, warnings (and info, as
//! `info`), then failures. NAMESPACE is the package of a Rego rule and the id of any
//! other rule. Cells are made single-line ([`super::snippet::shown_text`]) and padded
//! by display width, so wide characters keep the borders aligned. No findings and no
//! files: no table.

use unicode_width::UnicodeWidthStr;

use super::tap::findings_by_file;
use super::{namespace_of, Report};
use crate::finding::Severity;

const HEADER: [&str; 4] = ["RESULT", "FILE", "NAMESPACE", "MESSAGE"];

/// Renders the report as a table (nothing when no file was checked).
pub fn render(report: &Report) -> String {
    let mut rows: Vec<[String; 4]> = Vec::new();
    for (file, diagnostics) in findings_by_file(report) {
        let file = super::snippet::shown_text(file).into_owned();
        if diagnostics.is_empty() {
            rows.push(["success".into(), file.clone(), "-".into(), "SUCCESS".into()]);
        }
        for (severity, result) in [
            (Severity::Warning, "warning"),
            (Severity::Info, "info"),
            (Severity::Error, "failure"),
        ] {
            for d in diagnostics.iter().filter(|d| d.severity == severity) {
                rows.push([
                    result.into(),
                    file.clone(),
                    namespace_of(&d.rule).to_string(),
                    super::snippet::shown_text(&d.message).into_owned(),
                ]);
            }
        }
    }
    draw(&rows)
}

/// Draws `rows` under [`HEADER`] (nothing without rows); cells must be single-line.
pub(crate) fn draw(rows: &[[String; 4]]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut widths = HEADER.map(UnicodeWidthStr::width);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let rule = |left: &str, middle: &str, right: &str| {
        let parts: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
        format!("{left}{}{right}\n", parts.join(middle))
    };
    let line = |cells: Vec<String>| format!("│{}│\n", cells.join("│"));
    let mut out = rule("┌", "┬", "┐");
    out.push_str(&line(
        HEADER
            .iter()
            .zip(widths)
            .map(|(title, width)| {
                let space = width - title.width();
                let left = space / 2;
                format!(" {}{title}{} ", " ".repeat(left), " ".repeat(space - left))
            })
            .collect(),
    ));
    out.push_str(&rule("├", "┼", "┤"));
    for row in rows {
        out.push_str(&line(
            row.iter()
                .zip(widths)
                .map(|(cell, width)| format!(" {cell}{} ", " ".repeat(width - cell.width())))
                .collect(),
        ));
    }
    out.push_str(&rule("└", "┴", "┘"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{diagnostic, report, with_severity};

    #[test]
    fn conftest_shape() {
        let r = report(
            vec![
                diagnostic(
                    "namespace.deny",
                    "examples/kubernetes/service.yaml",
                    1,
                    "k: v",
                    "first failure",
                ),
                with_severity(
                    diagnostic(
                        "namespace.warn",
                        "examples/kubernetes/service.yaml",
                        1,
                        "k: v",
                        "first warning",
                    ),
                    Severity::Warning,
                ),
            ],
            &["examples/kubernetes/service.yaml"],
        );
        // conftest's own test of its table output, with a warning and a failure.
        assert_eq!(
            render(&r),
            "┌─────────┬──────────────────────────────────┬───────────┬───────────────┐\n\
             │ RESULT  │               FILE               │ NAMESPACE │    MESSAGE    │\n\
             ├─────────┼──────────────────────────────────┼───────────┼───────────────┤\n\
             │ warning │ examples/kubernetes/service.yaml │ namespace │ first warning │\n\
             │ failure │ examples/kubernetes/service.yaml │ namespace │ first failure │\n\
             └─────────┴──────────────────────────────────┴───────────┴───────────────┘\n"
        );
    }

    #[test]
    fn wide_characters_and_clean_files() {
        let r = report(
            vec![diagnostic("main.deny", "größe.yaml", 1, "k: v", "日本\nx")],
            &["größe.yaml", "ok.yaml"],
        );
        let text = render(&r);
        assert!(
            text.contains("│ failure │ größe.yaml │ main      │ 日本\\u{a}x │\n"),
            "{text}"
        );
        assert!(
            text.contains("│ success │ ok.yaml    │ -         │ SUCCESS    │\n"),
            "{text}"
        );
        assert_eq!(render(&report(Vec::new(), &[])), "");
    }
}

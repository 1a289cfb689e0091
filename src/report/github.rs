//! The GitHub Actions report: one workflow command per finding, which the runner turns
//! into an annotation on the file and line in the pull request and the run summary.
//!
//! ```text
//! ::error file=deploy/web.yaml,line=13,col=18,endLine=13,endColumn=51,title=main.deny::container `web` uses the `latest` tag
//! ```
//! Errors become `::error`, warnings `::warning` and info `::notice`. Columns are only
//! sent for single-line regions (GitHub rejects them otherwise); a finding without a
//! position annotates its file. Values are escaped as the Actions toolkit does: `%`, CR
//! and LF in the message, and additionally `:` and `,` in properties.

use super::Report;
use crate::finding::Severity;
use crate::locate::Diagnostic;

/// Renders one workflow command per finding (nothing when there are none; the totals
/// belong in the step summary, not in an annotation).
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for diagnostic in &report.diagnostics {
        out.push_str(&command(diagnostic));
        out.push('\n');
    }
    out
}

/// The workflow command for one diagnostic.
fn command(d: &Diagnostic) -> String {
    let name = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut properties = vec![("file", d.file.clone())];
    if let Some(region) = d.region {
        properties.push(("line", region.start.line.to_string()));
        if region.start.line == region.end.line {
            properties.push(("col", region.start.column.to_string()));
        }
        properties.push(("endLine", region.end.line.to_string()));
        if region.start.line == region.end.line {
            properties.push(("endColumn", region.end.column.to_string()));
        }
    }
    properties.push(("title", d.rule.clone()));
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    format!(
        "::{name} {}::{}",
        properties.join(","),
        escape_data(&d.message)
    )
}

/// Escapes a command's message: `%` first, then CR and LF.
pub fn escape_data(s: &str) -> String {
    super::escape_command(s, "%25", &[])
}

/// Escapes a property value: as [`escape_data`], plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    super::escape_command(s, "%25", &[(':', "%3A"), (',', "%2C")])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{diagnostic, file_level, report, with_severity};

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        let cases = [
            ("plain", "plain", "plain"),
            ("100%", "100%25", "100%25"),
            ("%0A", "%250A", "%250A"),
            ("a\nb", "a%0Ab", "a%0Ab"),
            ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
            ("key: a, b", "key: a, b", "key%3A a%2C b"),
            ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
            ("größe €", "größe €", "größe €"),
        ];
        for (input, data, property) in cases {
            assert_eq!(escape_data(input), data, "{input:?}");
            assert_eq!(escape_property(input), property, "{input:?}");
        }
    }

    #[test]
    fn commands_by_severity_and_position() {
        let error = diagnostic(
            "main.deny",
            "dir, a/x:y.yaml",
            3,
            "  image: x",
            "50% bad\nreally",
        );
        assert_eq!(
            command(&error),
            "::error file=dir%2C a/x%3Ay.yaml,line=3,col=3,endLine=3,endColumn=11,title=main.deny::50%25 bad%0Areally"
        );
        let warning = with_severity(diagnostic("w", "a.yaml", 1, "k: v", "m"), Severity::Warning);
        assert!(command(&warning).starts_with("::warning file=a.yaml,line=1,col=1,"));
        let info = with_severity(diagnostic("i", "a.yaml", 1, "k: v", "m"), Severity::Info);
        assert!(command(&info).starts_with("::notice "));
        let mut multi = diagnostic("m", "a.yaml", 2, "k: v", "spans lines");
        if let Some(region) = multi.region.as_mut() {
            region.end.line = 4;
        }
        assert_eq!(
            command(&multi),
            "::error file=a.yaml,line=2,endLine=4,title=m::spans lines"
        );
        let whole = file_level("parse-error", "big.json", "too large");
        assert_eq!(
            command(&whole),
            "::error file=big.json,title=parse-error::too large"
        );
    }

    #[test]
    fn one_line_per_finding() {
        let r = report(
            vec![
                diagnostic("r", "a.yaml", 1, "x", "line one\nline two"),
                diagnostic("r", "b.yaml", 1, "x", "m"),
            ],
            &["a.yaml", "b.yaml"],
        );
        let text = render(&r);
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(render(&report(Vec::new(), &["a.yaml"])).is_empty());
    }
}

//! The Azure Pipelines report: one `task.logissue` logging command per finding, which
//! the agent shows as an error or warning on the run and, with `sourcepath`, on the file
//! and line.
//!
//! ```text
//! ##[group]deploy/web.yaml
//! ##vso[task.logissue type=error;sourcepath=deploy/web.yaml;linenumber=13;columnnumber=18;code=main.deny;]container `web` uses the `latest` tag
//! ##[endgroup]
//! 2 files checked: 1 error, 0 warnings, 0 info
//! ```
//!
//! Findings are grouped per file (`##[group]`, collapsed in the log), as conftest does;
//! unlike conftest's, which writes `file=... -->` into the message, the position goes in
//! the command's properties, where the agent reads it. Errors are `type=error`, warnings
//! and info `type=warning` (Azure has no lower level; the message of an info finding
//! starts with `info: `). Values are escaped as the agent unescapes them: `%` as
//! `%AZP25`, CR and LF as `%0D` and `%0A` everywhere, and in properties also `;` and `]`
//! as `%3B` and `%5D`. A finding never fails the task by itself: the exit status does.

use std::fmt::Write as _;

use super::tap::findings_by_file;
use super::Report;
use crate::finding::Severity;
use crate::locate::Diagnostic;

/// Renders a group of logging commands per file with findings, then the totals line.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for (file, diagnostics) in findings_by_file(report) {
        if diagnostics.is_empty() {
            continue;
        }
        let _ = writeln!(out, "##[group]{}", escape_data(file));
        for d in diagnostics {
            out.push_str(&command(d));
            out.push('\n');
        }
        out.push_str("##[endgroup]\n");
    }
    let s = &report.summary;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let _ = writeln!(
        out,
        "{} checked: {}, {}, {} info",
        plural(s.files, "file"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        s.info
    );
    out
}

/// The `task.logissue` command for one diagnostic.
fn command(d: &Diagnostic) -> String {
    let (kind, prefix) = match d.severity {
        Severity::Error => ("error", ""),
        Severity::Warning => ("warning", ""),
        Severity::Info => ("warning", "info: "),
    };
    let mut properties = vec![("type", kind.to_string()), ("sourcepath", d.file.clone())];
    if let Some(region) = d.region {
        properties.push(("linenumber", region.start.line.to_string()));
        properties.push(("columnnumber", region.start.column.to_string()));
    }
    properties.push(("code", d.rule.clone()));
    let properties: String = properties
        .iter()
        .map(|(key, value)| format!("{key}={};", escape_property(value)))
        .collect();
    format!(
        "##vso[task.logissue {properties}]{prefix}{}",
        escape_data(&d.message)
    )
}

/// Escapes a command's message as the agent unescapes it: `%` first, then CR and LF.
pub fn escape_data(s: &str) -> String {
    super::escape_command(s, "%AZP25", &[])
}

/// Escapes a property value: as [`escape_data`], plus `;` and `]`, which end a
/// property and the property list.
pub fn escape_property(s: &str) -> String {
    super::escape_command(s, "%AZP25", &[(';', "%3B"), (']', "%5D")])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{diagnostic, file_level, report, with_severity};

    #[test]
    fn escaping_follows_the_agent() {
        let cases = [
            ("plain", "plain", "plain"),
            ("100%", "100%AZP25", "100%AZP25"),
            ("%0A", "%AZP250A", "%AZP250A"),
            ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
            ("a;b]c", "a;b]c", "a%3Bb%5Dc"),
            (
                "##vso[task.complete result=Failed;]",
                "##vso[task.complete result=Failed;]",
                "##vso[task.complete result=Failed%3B%5D",
            ),
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
            "dir;a/x].yaml",
            3,
            "  image: x",
            "50% bad\n##vso[x]",
        );
        assert_eq!(
            command(&error),
            "##vso[task.logissue type=error;sourcepath=dir%3Ba/x%5D.yaml;linenumber=3;columnnumber=3;code=main.deny;]50%AZP25 bad%0A##vso[x]"
        );
        let info = with_severity(diagnostic("i", "a.yaml", 1, "k: v", "m"), Severity::Info);
        assert!(
            command(&info).ends_with(";code=i;]info: m"),
            "{}",
            command(&info)
        );
        let whole = file_level("parse-error", "big.json", "too large");
        assert_eq!(
            command(&whole),
            "##vso[task.logissue type=error;sourcepath=big.json;code=parse-error;]too large"
        );
    }

    #[test]
    fn groups_per_file_and_totals() {
        let r = report(
            vec![diagnostic("main.deny", "a.yaml", 1, "k: v", "m")],
            &["a.yaml", "b.yaml"],
        );
        assert_eq!(
            render(&r),
            "##[group]a.yaml\n\
             ##vso[task.logissue type=error;sourcepath=a.yaml;linenumber=1;columnnumber=1;code=main.deny;]m\n\
             ##[endgroup]\n\
             2 files checked: 1 error, 0 warnings, 0 info\n"
        );
    }
}

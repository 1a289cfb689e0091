//! The JUnit XML report, for the test-report views of Jenkins, GitLab and GitHub
//! reporter actions.
//!
//! One `<testsuite>` per checked file (named by its path). A finding that reaches the
//! `--fail-on` threshold is a failing `<testcase>` (`<error>` for files that could not be
//! parsed and policies that failed, `<failure>` otherwise); a finding below the threshold
//! is a passing test case whose `<system-out>` holds the message, so the test report
//! agrees with the exit status. A file without findings gets one passing test case.
//! No times or timestamps are written, so the output is reproducible.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{FailOn, Report};
use crate::finding::{PARSE_ERROR, POLICY_ERROR};
use crate::locate::Diagnostic;

/// The name of the passing test case of a file without findings.
pub const CLEAN_CASE: &str = "no findings";

enum Outcome {
    Pass,
    Failure,
    Error,
}

fn outcome(d: &Diagnostic, fail_on: FailOn) -> Outcome {
    if !fail_on.is_failure(d.severity) {
        Outcome::Pass
    } else if d.rule == PARSE_ERROR || d.rule == POLICY_ERROR {
        Outcome::Error
    } else {
        Outcome::Failure
    }
}

/// Renders the report as a JUnit XML document (trailing newline).
pub fn render(report: &Report, fail_on: FailOn) -> String {
    let mut suites: BTreeMap<&str, Vec<&Diagnostic>> = report
        .files
        .iter()
        .map(|file| (file.as_str(), Vec::new()))
        .collect();
    for d in &report.diagnostics {
        suites.entry(d.file.as_str()).or_default().push(d);
    }
    let mut body = String::new();
    let (mut tests, mut failures, mut errors) = (0, 0, 0);
    for (file, diagnostics) in &suites {
        let suite = suite(file, diagnostics, fail_on);
        tests += suite.tests;
        failures += suite.failures;
        errors += suite.errors;
        body.push_str(&suite.xml);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">",
        env!("CARGO_PKG_NAME")
    );
    out.push_str(&body);
    out.push_str("</testsuites>\n");
    out
}

struct Suite {
    xml: String,
    tests: usize,
    failures: usize,
    errors: usize,
}

fn suite(file: &str, diagnostics: &[&Diagnostic], fail_on: FailOn) -> Suite {
    let file_attr = escape(file, true);
    let mut cases = String::new();
    let (mut failures, mut errors) = (0, 0);
    if diagnostics.is_empty() {
        let _ = writeln!(
            cases,
            "    <testcase name=\"{CLEAN_CASE}\" classname=\"{file_attr}\" file=\"{file_attr}\"/>"
        );
    }
    for d in diagnostics {
        let (name, line, position) = match d.region {
            Some(r) => (
                format!("{} at {}:{}", d.rule, r.start.line, r.start.column),
                r.start.line,
                format!("{file}:{}:{}", r.start.line, r.start.column),
            ),
            None => (d.rule.clone(), 1, file.to_string()),
        };
        let _ = writeln!(
            cases,
            "    <testcase name=\"{}\" classname=\"{file_attr}\" file=\"{file_attr}\" line=\"{line}\">",
            escape(&name, true)
        );
        let detail = escape(
            &format!("{} {} at {position}\n{}", d.severity, d.rule, d.message),
            false,
        );
        let element = match outcome(d, fail_on) {
            Outcome::Pass => None,
            Outcome::Failure => {
                failures += 1;
                Some("failure")
            }
            Outcome::Error => {
                errors += 1;
                Some("error")
            }
        };
        match element {
            Some(element) => {
                let _ = writeln!(
                    cases,
                    "      <{element} message=\"{}\" type=\"{}\">{detail}</{element}>",
                    escape(&d.message, true),
                    escape(&d.rule, true)
                );
            }
            None => {
                let _ = writeln!(cases, "      <system-out>{detail}</system-out>");
            }
        }
        cases.push_str("    </testcase>\n");
    }
    let tests = diagnostics.len().max(1);
    let xml = format!(
        "  <testsuite name=\"{file_attr}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">\n{cases}  </testsuite>\n"
    );
    Suite {
        xml,
        tests,
        failures,
        errors,
    }
}

/// Escapes text for XML 1.0. Characters XML cannot carry at all (most C0 controls,
/// U+FFFE, U+FFFF) become U+FFFD. In attributes (`attribute`), tabs and line breaks
/// are written as character references so parsers keep them.
fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::report::sample::{diagnostic, file_level, report, with_severity};

    #[test]
    fn escaping_keeps_xml_well_formed() {
        let cases = [
            (
                "a & b < c > d",
                "a &amp; b &lt; c &gt; d",
                "a &amp; b &lt; c &gt; d",
            ),
            ("\"q\" 'a'", "\"q\" 'a'", "&quot;q&quot; &apos;a&apos;"),
            (
                "l1\nl2\r\n\tx",
                "l1\nl2&#13;\n\tx",
                "l1&#10;l2&#13;&#10;&#9;x",
            ),
            (
                "bell\u{7} nul\u{0} \u{ffff}",
                "bell\u{fffd} nul\u{fffd} \u{fffd}",
                "bell\u{fffd} nul\u{fffd} \u{fffd}",
            ),
            ("größe ✓", "größe ✓", "größe ✓"),
        ];
        for (input, text, attribute) in cases {
            assert_eq!(escape(input, false), text, "{input:?}");
            assert_eq!(escape(input, true), attribute, "{input:?}");
        }
    }

    #[test]
    fn counts_follow_the_threshold() {
        let r = report(
            vec![
                diagnostic("main.deny", "a.yaml", 1, "x", "bad"),
                with_severity(
                    diagnostic("main.warn", "a.yaml", 2, "y", "meh"),
                    Severity::Warning,
                ),
                file_level(PARSE_ERROR, "b.json", "broken"),
            ],
            &["a.yaml", "b.json", "c.yaml"],
        );
        let xml = render(&r, FailOn::Error);
        assert!(
            xml.contains(
                "<testsuites name=\"goldenpath\" tests=\"4\" failures=\"1\" errors=\"1\">"
            ),
            "{xml}"
        );
        assert!(
            xml.contains("<testcase name=\"no findings\" classname=\"c.yaml\" file=\"c.yaml\"/>")
        );
        assert!(xml.contains("<system-out>warning main.warn at a.yaml:2:1\nmeh</system-out>"));
        let strict = render(&r, FailOn::Warning);
        assert!(
            strict.contains("tests=\"4\" failures=\"2\" errors=\"1\""),
            "{strict}"
        );
        let lenient = render(&r, FailOn::Never);
        assert!(
            lenient.contains("tests=\"4\" failures=\"0\" errors=\"0\""),
            "{lenient}"
        );
    }
}

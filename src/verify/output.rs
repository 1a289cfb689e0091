//! Renders a [`TestRun`](super::TestRun): `human` (a block per failing test, then the
//! `N passed, M failed` summary), `json` and `junit` (JUnit XML for CI test tabs).

use std::fmt::Write as _;

use super::{Status, TestKind, TestResult, TestRun};

/// The formats of `goldenpath test`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// Failing tests and a summary line (conftest's `stdout` is accepted too).
    #[default]
    #[value(alias = "stdout")]
    Human,
    /// The whole run as JSON.
    Json,
    /// JUnit XML.
    Junit,
    /// TAP, one `ok`/`not ok` line per test (conftest's `verify -o tap`).
    Tap,
    /// A table of tests, as conftest's `verify -o table`.
    Table,
}

/// Renders `run` in `format`; `verbose` also lists passing and skipped tests (human).
pub fn render(run: &TestRun, format: TestFormat, verbose: bool) -> String {
    match format {
        TestFormat::Human => human(run, verbose),
        TestFormat::Json => json(run),
        TestFormat::Junit => junit(run),
        TestFormat::Tap => tap(run),
        TestFormat::Table => table(run),
    }
}

/// The namespace column of conftest's shapes: the package of a Rego test, `cases` for
/// a fixture case.
fn namespace(t: &TestResult) -> &str {
    match &t.kind {
        TestKind::Rego { package, .. } => package,
        TestKind::Case { .. } => "cases",
    }
}

/// The test's full name: `data.<package>.<rule>`, or the case directory.
fn full_name(t: &TestResult) -> String {
    match &t.kind {
        TestKind::Rego { package, name } => format!("data.{package}.{name}"),
        TestKind::Case { dir } => dir.clone(),
    }
}

/// One TAP stream: `ok N - FILE - PACKAGE - data.PACKAGE.TEST` per test, `# SKIP` on
/// todo tests, and the failure's first line as a comment under a failing test.
fn tap(run: &TestRun) -> String {
    if run.tests.is_empty() {
        return String::new();
    }
    let mut out = format!("1..{}\n", run.tests.len());
    for (i, t) in run.tests.iter().enumerate() {
        let verdict = if matches!(t.status, Status::Fail | Status::Error) {
            "not ok"
        } else {
            "ok"
        };
        let skip = if t.status == Status::Skip {
            " # SKIP todo"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{verdict} {} - {} - {} - {}{skip}",
            i + 1,
            t.file,
            namespace(t),
            full_name(t)
        );
        if matches!(t.status, Status::Fail | Status::Error) {
            if let Some(first) = t.message.as_deref().and_then(|m| m.lines().next()) {
                let _ = writeln!(out, "# {first}");
            }
        }
    }
    out
}

/// conftest's table of results (RESULT, FILE, NAMESPACE, MESSAGE), one row per test.
fn table(run: &TestRun) -> String {
    let rows: Vec<[String; 4]> = run
        .tests
        .iter()
        .map(|t| {
            let result = match t.status {
                Status::Pass => "success",
                Status::Fail | Status::Error => "failure",
                Status::Skip => "skipped",
            };
            [
                result.to_string(),
                t.file.clone(),
                namespace(t).to_string(),
                full_name(t),
            ]
        })
        .collect();
    crate::report::table::draw(&rows)
}

/// `3 passed, 1 failed` plus `, 2 skipped` when there are todo tests.
pub fn summary_line(run: &TestRun) -> String {
    let s = &run.summary;
    let mut line = format!("{} passed, {} failed", s.passed, s.failed);
    if s.skipped > 0 {
        line.push_str(&format!(", {} skipped", s.skipped));
    }
    line
}

fn human(run: &TestRun, verbose: bool) -> String {
    let mut out = String::new();
    for t in &run.tests {
        let tag = match t.status {
            Status::Pass if verbose => "PASS",
            Status::Skip if verbose => "SKIP",
            Status::Fail | Status::Error => "FAIL",
            Status::Pass | Status::Skip => continue,
        };
        let _ = writeln!(out, "{tag} {} ({})", t.display_name(), t.location());
        if matches!(t.status, Status::Fail | Status::Error) {
            if let Some(message) = &t.message {
                let prefix = if t.status == Status::Error {
                    "error: "
                } else {
                    ""
                };
                let _ = writeln!(out, "  {prefix}{message}");
            }
        }
        for line in &t.prints {
            let _ = writeln!(out, "  print: {line}");
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&summary_line(run));
    out.push('\n');
    out
}

fn json(run: &TestRun) -> String {
    let value = serde_json::json!({
        "version": 1,
        "tests": run.tests,
        "summary": run.summary,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_else(|e| {
        // Serialising plain strings and numbers cannot fail; say so if it ever does.
        format!("{{\"error\": {:?}}}", e.to_string())
    });
    text.push('\n');
    text
}

/// Escapes text for XML attributes and content.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

fn junit_case(out: &mut String, t: &TestResult) {
    let (class, name) = match &t.kind {
        TestKind::Rego { package, name } => (package.as_str(), name.as_str()),
        TestKind::Case { dir } => ("cases", dir.as_str()),
    };
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"",
        xml(class),
        xml(name),
        xml(&t.file)
    );
    if let Some(line) = t.line {
        let _ = write!(out, " line=\"{line}\"");
    }
    let message = t.message.as_deref().unwrap_or_default();
    let body = match t.status {
        Status::Pass => None,
        Status::Skip => Some(format!("<skipped message=\"{}\"/>", xml(message))),
        Status::Fail => Some(format!(
            "<failure message=\"{}\">{}</failure>",
            xml(message.lines().next().unwrap_or_default()),
            xml(message)
        )),
        Status::Error => Some(format!(
            "<error message=\"{}\">{}</error>",
            xml(message.lines().next().unwrap_or_default()),
            xml(message)
        )),
    };
    let prints = (!t.prints.is_empty())
        .then(|| format!("<system-out>{}</system-out>", xml(&t.prints.join("\n"))));
    if body.is_none() && prints.is_none() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    for part in body.into_iter().chain(prints) {
        let _ = writeln!(out, "      {part}");
    }
    out.push_str("    </testcase>\n");
}

fn junit(run: &TestRun) -> String {
    let errors = run
        .tests
        .iter()
        .filter(|t| t.status == Status::Error)
        .count();
    let failures = run
        .tests
        .iter()
        .filter(|t| t.status == Status::Fail)
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"goldenpath test\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{}\">",
        run.tests.len(),
        run.summary.skipped
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"goldenpath\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{}\">",
        run.tests.len(),
        run.summary.skipped
    );
    for t in &run.tests {
        junit_case(&mut out, t);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn summary_mentions_skipped_only_when_some_are() {
        let mut run = TestRun::default();
        run.summary.passed = 2;
        run.summary.failed = 1;
        assert_eq!(summary_line(&run), "2 passed, 1 failed");
        run.summary.skipped = 3;
        assert_eq!(summary_line(&run), "2 passed, 1 failed, 3 skipped");
    }
}

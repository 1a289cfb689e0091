//! The Markdown summary, for `$GITHUB_STEP_SUMMARY` and pull-request comments: the
//! outcome and totals, a table of findings per rule, then the first findings with
//! `file:line` (links when a base URL is known, e.g. the commit on GitHub).
//!
//! Text from files and policies (messages, rule titles) is inert: a pull-request comment
//! made from it never shows an image, links anywhere or pings anyone. Brackets are
//! escaped (no `![image](…)` or `[link](…)`), HTML and entities are shown as written, and
//! words that GitHub would turn into a mention, a reference or a link (`@team`, `#12`,
//! `https://…`) are code spans. The message's own code spans stay code spans.
//!
//! GitHub refuses step summaries over 1 MiB, so the tables are capped (rules and
//! findings by count, messages by length) and a byte budget stops adding rows well
//! before the limit, whatever the size of the run; a closing line says what was left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{RenderOptions, Report};
use crate::finding::Severity;
use crate::locate::Diagnostic;

/// GitHub's limit on a step summary.
pub const GITHUB_SUMMARY_LIMIT: usize = 1024 * 1024;
/// The size the summary stays under, leaving room for other steps' output.
const BUDGET: usize = 512 * 1024;
/// Rules listed in the table of counts.
const MAX_RULES: usize = 50;
/// Findings listed individually.
const MAX_FINDINGS: usize = 100;
/// Characters of a message shown.
const MAX_MESSAGE: usize = 300;

#[derive(Default)]
struct Counts {
    error: usize,
    warning: usize,
    info: usize,
}

impl Counts {
    fn total(&self) -> usize {
        self.error + self.warning + self.info
    }
}

/// What happened, for the header: `failed`, `passed`, or, when the gate is off and
/// there are findings that would have failed the run, what was found.
fn outcome(report: &Report, fail_on: super::FailOn) -> String {
    let s = &report.summary;
    if report.fails(fail_on) {
        return "failed".to_string();
    }
    let would_fail = if fail_on == super::FailOn::Never {
        s.errors
    } else {
        0
    };
    if would_fail == 0 {
        return "passed".to_string();
    }
    format!(
        "{would_fail} {} found, gate disabled (--fail-on never)",
        if would_fail == 1 { "error" } else { "errors" }
    )
}

/// Renders the summary.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let outcome = outcome(report, options.fail_on);
    let _ = writeln!(out, "## goldenpath: {outcome}\n");
    let _ = writeln!(out, "{}\n", cell(&super::human::summary_line(report)));
    for line in super::human::skipped_repositories(report).lines() {
        let _ = writeln!(out, "{}\n", cell(line));
    }
    if !s.unevaluated_packages.is_empty() {
        let _ = writeln!(
            out,
            "Not evaluated (not selected by `--namespace`): {}\n",
            s.unevaluated_packages
                .iter()
                .map(|p| code(p))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !report.scorecards.is_empty() {
        let _ = writeln!(out, "| repository | level | bronze | silver | gold |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for card in &report.scorecards {
            let _ = writeln!(
                out,
                "| {} | **{}** | {} | {} | {} |",
                prose(&card.repository),
                card.level_name(),
                card.bronze.describe(),
                card.silver.describe(),
                card.gold.describe()
            );
        }
        out.push('\n');
    }
    if report.diagnostics.is_empty() {
        return out;
    }

    let mut by_rule: BTreeMap<&str, Counts> = BTreeMap::new();
    for d in &report.diagnostics {
        let counts = by_rule.entry(&d.rule).or_default();
        match d.severity {
            Severity::Error => counts.error += 1,
            Severity::Warning => counts.warning += 1,
            Severity::Info => counts.info += 1,
        }
    }
    let mut rules: Vec<(&str, Counts)> = by_rule.into_iter().collect();
    rules.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then(a.0.cmp(b.0)));
    out.push_str(
        "### Findings by rule\n\n| Rule | Errors | Warnings | Info |\n|---|---:|---:|---:|\n",
    );
    let mut shown_rules = 0;
    for (rule, counts) in rules.iter().take(MAX_RULES) {
        let title = report
            .rules
            .iter()
            .find(|r| r.id == *rule)
            .and_then(|r| r.title.as_deref())
            .map(|t| format!(" — {}", prose(&truncate(t))))
            .unwrap_or_default();
        let row = format!(
            "| {}{title} | {} | {} | {} |\n",
            code(rule),
            counts.error,
            counts.warning,
            counts.info
        );
        if out.len() + row.len() > BUDGET / 4 {
            break;
        }
        out.push_str(&row);
        shown_rules += 1;
    }
    if shown_rules < rules.len() {
        let _ = writeln!(
            out,
            "\n_…and {} more rules, not shown._",
            rules.len() - shown_rules
        );
    }

    let total = report.diagnostics.len();
    let heading = if total > MAX_FINDINGS {
        format!("\n### First {MAX_FINDINGS} of {total} findings\n\n")
    } else {
        "\n### Findings\n\n".to_string()
    };
    out.push_str(&heading);
    out.push_str("| Severity | Location | Rule | Message |\n|---|---|---|---|\n");
    let mut shown = 0;
    for d in report.diagnostics.iter().take(MAX_FINDINGS) {
        let row = finding_row(d, options.link_base.as_deref());
        if out.len() + row.len() > BUDGET {
            break;
        }
        out.push_str(&row);
        shown += 1;
    }
    if shown < total {
        let _ = writeln!(
            out,
            "\n_{} more findings not shown; see the full report (for example `--report sarif=results.sarif`)._",
            total - shown
        );
    }
    out
}

fn finding_row(d: &Diagnostic, link_base: Option<&str>) -> String {
    let line = d.region.map(|r| r.start.line);
    let label = match line {
        Some(line) => format!("{}:{line}", d.file),
        None => d.file.clone(),
    };
    let location = match link_base {
        Some(base) => {
            let (uri, _) = super::sarif::artifact_uri(&d.file);
            let anchor = line.map(|l| format!("#L{l}")).unwrap_or_default();
            format!("[{}]({base}{uri}{anchor})", link_text(&label))
        }
        None => code(&label),
    };
    format!(
        "| {} | {location} | {} | {} |\n",
        d.severity,
        code(&d.rule),
        prose(&truncate(&d.message))
    )
}

/// At most [`MAX_MESSAGE`] characters, with an ellipsis when cut.
fn truncate(s: &str) -> String {
    match s.char_indices().nth(MAX_MESSAGE) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// Text safe inside a table cell: one line, no cell separators, no HTML.
fn cell(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// File-derived prose, inert in a table cell: see the module documentation.
fn prose(s: &str) -> String {
    let text = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(text.len());
    let mut parts = text.split('`').peekable();
    let mut in_code = false;
    while let Some(part) = parts.next() {
        if in_code && parts.peek().is_some() {
            out.push_str(&code(part));
        } else {
            if in_code {
                // An opening backtick without its closing one.
                out.push_str("\\`");
            }
            for (i, word) in part.split(' ').enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&inert_word(word));
            }
        }
        in_code = !in_code;
    }
    out
}

/// One word of prose: a code span when GitHub would make it live, else escaped.
fn inert_word(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let reference = word
        .char_indices()
        .any(|(i, c)| c == '#' && word[i + 1..].starts_with(|d: char| d.is_ascii_digit()));
    let live = word.contains('@') || lower.contains("://") || lower.contains("www.") || reference;
    if live {
        return code(word);
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '[' | ']' | '\\' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A code span that survives backticks in its text (CommonMark: a longer fence). Code
/// spans show HTML, entities and links as written; only the cell separator is escaped.
fn code(s: &str) -> String {
    let text = s
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// Text for inside `[...]` of a link.
fn link_text(s: &str) -> String {
    let mut out = String::new();
    for c in cell(s).chars() {
        if matches!(c, '[' | ']' | '*' | '_' | '`' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::RuleInfo;
    use crate::report::sample::{diagnostic, file_level, report, with_severity};
    use crate::report::{FailOn, Summary};

    #[test]
    fn file_derived_text_is_inert() {
        let cases = [
            ("uses `latest` tag", "uses `latest` tag"),
            (
                "![x](https://evil.test/p.png) see [here](https://evil.test)",
                "`![x](https://evil.test/p.png)` see `[here](https://evil.test)`",
            ),
            ("ping @org/team and a@b.c", "ping `@org/team` and `a@b.c`"),
            ("fixes #12 and o/r#3", "fixes `#12` and `o/r#3`"),
            ("go to www.evil.test now", "go to `www.evil.test` now"),
            ("&#64;team <img src=x>", "`&#64;team` &lt;img src=x&gt;"),
            ("AT&T", "AT&amp;T"),
            ("[ref]: https://x", "\\[ref\\]: `https://x`"),
            ("an `unclosed tick", "an \\`unclosed tick"),
            ("a | b", "a \\| b"),
        ];
        for (input, want) in cases {
            assert_eq!(prose(input), want, "{input}");
        }
    }

    #[test]
    fn cells_stay_in_their_column() {
        assert_eq!(cell("a | b\nc  <b>"), "a \\| b c &lt;b&gt;");
        assert_eq!(code("x`y"), "`` x`y ``");
        assert_eq!(link_text("my_file [1].yaml:3"), "my\\_file \\[1\\].yaml:3");
        let long = "é".repeat(MAX_MESSAGE + 5);
        assert_eq!(truncate(&long).chars().count(), MAX_MESSAGE + 1);
        assert_eq!(truncate("short"), "short");
    }

    #[test]
    fn totals_rule_table_and_links() {
        let r = report(
            vec![
                diagnostic(
                    "main.deny",
                    "deploy/my app.yaml",
                    7,
                    "image: x",
                    "uses `latest` | bad",
                ),
                with_severity(
                    diagnostic("main.warn", "a.yaml", 2, "k: v", "meh"),
                    Severity::Warning,
                ),
                file_level("parse-error", "big.json", "too large"),
            ],
            &["a.yaml", "big.json", "deploy/my app.yaml"],
        );
        let options = RenderOptions {
            link_base: Some("https://github.com/o/r/blob/abc/".into()),
            ..RenderOptions::default()
        };
        let text = render(&r, &options);
        assert!(text.starts_with("## goldenpath: failed\n"), "{text}");
        assert!(
            text.contains("| `parse-error` — File could not be read or parsed | 1 | 0 | 0 |"),
            "{text}"
        );
        assert!(text.contains("| error | [deploy/my app.yaml:7](https://github.com/o/r/blob/abc/deploy/my%20app.yaml#L7) | `main.deny` | uses `latest` \\| bad |"), "{text}");
        assert!(
            text.contains("| error | [big.json](https://github.com/o/r/blob/abc/big.json) |"),
            "{text}"
        );
        let plain = render(&r, &RenderOptions::default());
        assert!(
            plain.contains("| warning | `a.yaml:2` | `main.warn` | meh |"),
            "{plain}"
        );
        let ungated = render(
            &r,
            &RenderOptions {
                fail_on: FailOn::Never,
                ..RenderOptions::default()
            },
        );
        assert!(
            ungated.starts_with("## goldenpath: 2 errors found, gate disabled (--fail-on never)\n"),
            "{ungated}"
        );
        let warnings_only = report(
            vec![with_severity(
                diagnostic("main.warn", "a.yaml", 2, "k: v", "meh"),
                Severity::Warning,
            )],
            &["a.yaml"],
        );
        let passing = render(&warnings_only, &RenderOptions::default());
        assert!(passing.starts_with("## goldenpath: passed\n"), "{passing}");
        let empty = render(&report(Vec::new(), &["a.yaml"]), &RenderOptions::default());
        assert_eq!(
            empty,
            "## goldenpath: passed\n\n1 file checked: no findings\n\n"
        );
    }

    #[test]
    fn huge_runs_stay_under_the_github_limit() {
        let long = "x".repeat(400);
        let diagnostics: Vec<Diagnostic> = (0..100_000)
            .map(|i| {
                let rule = format!("pkg{}.{}.deny_{long}", i % 997, &long[..50]);
                let file = format!("dir{}/{}/file{i}.yaml", i % 13, &long[..150]);
                diagnostic(
                    &rule,
                    &file,
                    i + 1,
                    "key: value",
                    &format!("finding {i} {long}"),
                )
            })
            .collect();
        let rules: Vec<RuleInfo> = Vec::new();
        let r = Report::new(
            diagnostics,
            Summary {
                files: 100_000,
                ..Summary::default()
            },
            rules,
        );
        assert_eq!(r.diagnostics.len(), 100_000);
        let options = RenderOptions {
            link_base: Some(format!("https://example.test/{long}/")),
            ..RenderOptions::default()
        };
        let text = render(&r, &options);
        assert!(text.len() < GITHUB_SUMMARY_LIMIT, "{} bytes", text.len());
        assert!(text.contains("100000 errors"), "totals are complete");
        assert!(text.contains("more rules, not shown"));
        assert!(text.contains("more findings not shown"));
        assert!(
            text.matches("\n| error |").count() >= 1,
            "some findings are listed"
        );
    }
}

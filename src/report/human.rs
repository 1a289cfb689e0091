//! The human report. Each finding starts with one line that says everything and can be
//! grepped, `path:line:col: severity[rule] message`; findings whose source lines overlap
//! share one excerpt of the file, with every finding's range underlined and labelled by
//! its rule. Then notes about the run, the rules with the most findings (on big runs),
//! the summary line and the scorecards.
//!
//! Nothing is ever wrapped: a message or path stays on its line whatever its length.
//! Only source lines wider than the room they have (the terminal's width, or
//! [`snippet::PIPED_WIDTH`] when not printing to a terminal) are cut around the span.

use std::fmt::Write as _;
use std::sync::Arc;

use super::paint::{Paint, Tone};
use super::snippet::{self, shown_text, Excerpt, Mark};
use super::{Listing, RenderOptions, Report};
use crate::finding::Severity;
use crate::locate::Diagnostic;

/// Presentation choices that depend on where the report goes.
#[derive(Clone, Debug, Default)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// The terminal's width in columns, when printing to one.
    pub width: Option<usize>,
}

impl Style {
    /// The colours.
    pub fn paint(&self) -> Paint {
        Paint::new(self.color)
    }

    /// The room for a source line after a gutter of `gutter` columns.
    fn line_room(&self, gutter: usize) -> usize {
        match self.width {
            Some(width) => width.saturating_sub(gutter + 3),
            None => snippet::PIPED_WIDTH,
        }
    }
}

/// Reports with more findings than this end with the rules that have the most.
pub const TOP_RULES_AFTER: usize = 20;
/// How many rules that list names.
const TOP_RULES: usize = 10;

/// Renders the whole report.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let style = &options.style;
    let paint = style.paint();
    let mut out = String::new();
    match options.listing {
        Listing::Findings => {
            for group in groups(&report.diagnostics) {
                out.push_str(&render_group_safely(group, style));
                out.push('\n');
            }
        }
        Listing::Statistics => out.push_str(&statistics(report, usize::MAX)),
        Listing::Summary => {}
    }
    if options.listing != Listing::Summary {
        out.push_str(&notes(report));
        let total = report.diagnostics.len();
        if options.listing == Listing::Findings && total > TOP_RULES_AFTER {
            let rules = rule_counts(report).len();
            let _ = writeln!(
                out,
                "{}",
                paint.tone(
                    Tone::Strong,
                    &format!(
                        "rules with the most findings ({} of {}):",
                        rules.min(TOP_RULES),
                        rules
                    )
                )
            );
            out.push_str(&statistics(report, TOP_RULES));
        }
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out.push_str(&skipped_repositories(report));
    for card in &report.scorecards {
        if options.listing == Listing::Summary {
            out.push_str(&scorecard_line(card));
        } else {
            out.push_str(&scorecard_block(card));
        }
    }
    out
}

/// The first line of a finding: `path:line:col: severity[rule] message` (`path:` alone
/// for a finding about a whole file).
pub fn headline(d: &Diagnostic, paint: &Paint) -> String {
    let location = match d.region {
        Some(r) => format!(
            "{}:{}:{}",
            shown_text(&d.file),
            r.start.line,
            r.start.column
        ),
        None => shown_text(&d.file).into_owned(),
    };
    let tone = Tone::of(d.severity);
    format!(
        "{}: {} {}",
        paint.tone(Tone::Strong, &location),
        paint.tone(
            tone,
            &format!("{}[{}]", d.severity.name(), shown_text(&d.rule))
        ),
        shown_text(&d.message)
    )
}

/// Consecutive diagnostics (the report is sorted) that share source lines: the same
/// file and overlapping or touching excerpts, or the same file and no excerpt at all.
fn groups(diagnostics: &[Diagnostic]) -> Vec<&[Diagnostic]> {
    let mut groups = Vec::new();
    let mut start = 0;
    let mut end_byte = 0;
    for (i, d) in diagnostics.iter().enumerate() {
        if i > start {
            let first = &diagnostics[start];
            let joins = d.file == first.file
                && match (&first.snippet, &d.snippet) {
                    (None, None) => true,
                    (Some(a), Some(b)) => {
                        (Arc::ptr_eq(&a.source, &b.source) || a.source == b.source)
                            && b.lines.start <= end_byte
                    }
                    _ => false,
                };
            if !joins {
                groups.push(&diagnostics[start..i]);
                start = i;
                end_byte = 0;
            }
        }
        if let Some(s) = &d.snippet {
            end_byte = end_byte.max(s.lines.end);
        }
    }
    if start < diagnostics.len() {
        groups.push(&diagnostics[start..]);
    }
    groups
}

/// [`render_group`]; should it panic all the same, the group degrades to its headlines
/// (plain text) and the report goes on.
fn render_group_safely(group: &[Diagnostic], style: &Style) -> String {
    let rendered =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render_group(group, style)));
    rendered.unwrap_or_else(|_| {
        group
            .iter()
            .map(|d| format!("{}\n", headline(d, &Paint::plain())))
            .collect()
    })
}

/// One group: the headlines, the shared excerpt, and the help of each finding.
fn render_group(group: &[Diagnostic], style: &Style) -> String {
    let paint = style.paint();
    let mut out = String::new();
    for d in group {
        out.push_str(&headline(d, &paint));
        out.push('\n');
    }
    if let Some(excerpt) = group_excerpt(group) {
        let gutter = (excerpt.first_line + excerpt.lines.len()).to_string().len();
        out.push_str(&excerpt.render(&paint, style.line_room(gutter)));
    }
    let named = group.len() > 1;
    for d in group {
        let Some(help) = d.metadata.get("help").and_then(|h| h.as_str()) else {
            continue;
        };
        let who = if named {
            format!("[{}]", shown_text(&d.rule))
        } else {
            String::new()
        };
        let _ = writeln!(out, "  = help{who}: {}", shown_text(help));
    }
    out
}

/// The lines the group's excerpts cover, with each located finding marked.
fn group_excerpt(group: &[Diagnostic]) -> Option<Excerpt<'_>> {
    let snippets: Vec<_> = group.iter().filter_map(|d| d.snippet.as_ref()).collect();
    let first = snippets.iter().min_by_key(|s| s.lines.start)?;
    let end = snippets.iter().map(|s| s.lines.end).max()?;
    let text = first.source.get(first.lines.start..end)?;
    let mut excerpt = Excerpt::new(text, first.first_line);
    for d in group {
        let Some(region) = d.region else { continue };
        let line = region.start.line;
        let Some(text) = line
            .checked_sub(excerpt.first_line)
            .and_then(|i| excerpt.lines.get(i))
        else {
            continue;
        };
        let start = region.start.column.saturating_sub(1);
        let end = if region.end.line == line {
            region.end.column.saturating_sub(1)
        } else {
            text.chars().count()
        };
        excerpt.marks.push(Mark {
            line,
            columns: start..end.max(start),
            label: d.rule.clone(),
            tone: Tone::of(d.severity),
        });
    }
    Some(excerpt)
}

/// What the run wants the reader to know besides the findings.
pub fn notes(report: &Report) -> String {
    let mut out = String::new();
    for id in &report.summary.unmatched_schemas {
        let _ = writeln!(
            out,
            "warning: schema mapping `{}` matched no files (check its `files` globs)",
            shown_text(id)
        );
    }
    let unevaluated = &report.summary.unevaluated_packages;
    if !unevaluated.is_empty() {
        let _ = writeln!(
            out,
            "note: {} not evaluated: {} (select with --namespace <pattern> or --all-namespaces)",
            if unevaluated.len() == 1 {
                "package"
            } else {
                "packages"
            },
            shown_text(&unevaluated.join(", "))
        );
    }
    for warning in &report.summary.unmatched_selectors {
        let _ = writeln!(out, "warning: {}", shown_text(warning));
    }
    if report.summary.baseline_fixed > 0 {
        out.push_str(&format!(
            "note: {} fixed: rewrite the baseline with --write-baseline\n",
            plural(
                report.summary.baseline_fixed,
                "baseline finding",
                "baseline findings"
            )
        ));
    }
    out
}

/// The checked directories that were not scored as repositories, and why, one line each:
/// `note: repository rules and the scorecard did not run for deploy: it is inside the
/// repository at . (check . to run them)`.
pub fn skipped_repositories(report: &Report) -> String {
    let mut out = String::new();
    for s in &report.summary.subdirectories {
        let _ = writeln!(
            out,
            "note: repository rules and the scorecard did not run for {}: it is inside the repository at {} (check {} to run them)",
            shown_text(&s.directory),
            shown_text(&s.repository),
            shown_text(&s.repository)
        );
    }
    out
}

/// Findings per rule, most first (ties by rule id), with the strongest severity of each.
pub fn rule_counts(report: &Report) -> Vec<(&str, usize, Severity)> {
    let mut counts: std::collections::BTreeMap<&str, (usize, Severity)> = Default::default();
    for d in &report.diagnostics {
        let entry = counts.entry(&d.rule).or_insert((0, d.severity));
        entry.0 += 1;
        entry.1 = entry.1.max(d.severity);
    }
    let mut counts: Vec<(&str, usize, Severity)> = counts
        .into_iter()
        .map(|(rule, (n, severity))| (rule, n, severity))
        .collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    counts
}

/// The `limit` rules with the most findings, one per line:
/// `    7  warning  GP-K8S-001  Containers declare resource requests and limits`.
pub fn statistics(report: &Report, limit: usize) -> String {
    let counts = rule_counts(report);
    let shown = &counts[..counts.len().min(limit)];
    let id_width = shown
        .iter()
        .map(|(r, ..)| r.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (rule, n, severity) in shown {
        let title = report
            .rules
            .iter()
            .find(|r| r.id == *rule)
            .and_then(|r| r.title.as_deref())
            .unwrap_or("");
        let line = format!(
            "{n:>6}  {:<7}  {:<id_width$}  {}",
            severity.name(),
            shown_text(rule),
            shown_text(title)
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The scorecard of one repository:
///
/// ```text
/// golden path for services/api: bronze
///   bronze  14/14 rules pass
///   silver  11/13 rules pass
///   gold    9/14 rules pass
///   failing: GP-DOCKER-004, GP-K8S-005
/// ```
pub fn scorecard_block(card: &super::scorecard::Scorecard) -> String {
    use crate::finding::Level;
    let mut out = format!(
        "golden path for {}: {}\n",
        shown_text(&card.repository),
        card.level_name()
    );
    for level in Level::ALL {
        let t = card.tally(level);
        let mut notes = Vec::new();
        if t.off > 0 {
            notes.push(format!("{} off", plural(t.off, "rule", "rules")));
        }
        if t.suppressed > 0 {
            notes.push(plural(
                t.suppressed,
                "finding suppressed",
                "findings suppressed",
            ));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        };
        out.push_str(&format!(
            "  {:<7} {}/{} rules pass{notes}\n",
            level.name(),
            t.passed,
            t.total
        ));
    }
    if !card.failed_rules.is_empty() {
        out.push_str(&format!("  failing: {}\n", card.failed_rules.join(", ")));
    }
    out
}

/// The scorecard on one line: `golden path for .: none (bronze 6/15, silver 4/17, gold
/// 1/9, 1 off)`.
pub fn scorecard_line(card: &super::scorecard::Scorecard) -> String {
    use crate::finding::Level;
    let tallies: Vec<String> = Level::ALL
        .iter()
        .map(|level| format!("{} {}", level.name(), card.tally(*level).describe()))
        .collect();
    format!(
        "golden path for {}: {} ({})\n",
        shown_text(&card.repository),
        card.level_name(),
        tallies.join("; ")
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `12 files checked: 3 errors, 1 warning, 0 info`.
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let mut line = format!("{} checked: ", plural(s.files, "file", "files"));
    if s.errors + s.warnings + s.info == 0 {
        line.push_str("no findings");
    } else {
        line.push_str(&format!(
            "{}, {}, {} info",
            plural(s.errors, "error", "errors"),
            plural(s.warnings, "warning", "warnings"),
            s.info
        ));
    }
    if s.parse_errors > 0 {
        line.push_str(&format!(
            " ({} could not be parsed)",
            plural(s.parse_errors, "file", "files")
        ));
    }
    let suppressed = &s.suppressed;
    if suppressed.total > 0 {
        let kinds: Vec<String> = [
            (suppressed.inline, "inline"),
            (suppressed.config, "config"),
            (suppressed.baseline, "baseline"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, kind)| format!("{n} {kind}"))
        .collect();
        line.push_str(&format!(
            ", {} suppressed ({})",
            suppressed.total,
            kinds.join(", ")
        ));
    }
    if s.exceptions > 0 {
        line.push_str(&format!(
            ", {} by exceptions",
            plural(s.exceptions, "result suppressed", "results suppressed")
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Span;
    use crate::locate::{LineIndex, Snippet};
    use crate::report::sample;

    /// Diagnostics in one file, sharing its text: (rule, severity, byte range).
    fn located(file: &str, text: &str, found: &[(&str, Severity, Span)]) -> Vec<Diagnostic> {
        let source: Arc<str> = text.into();
        let index = LineIndex::new(text);
        found
            .iter()
            .map(|(rule, severity, span)| {
                let (lines, first_line) = index.context(*span);
                Diagnostic {
                    severity: *severity,
                    region: Some(index.region(*span)),
                    snippet: Some(Snippet {
                        source: source.clone(),
                        lines,
                        first_line,
                    }),
                    ..Diagnostic::file_level(rule, file, &format!("{rule} says so"))
                }
            })
            .collect()
    }

    #[test]
    fn findings_on_shared_lines_share_one_excerpt() {
        let text = "FROM node:latest\nWORKDIR /app\nENV TOKEN=x\nRUN make\n\n\n\nUSER root\n";
        let mut diagnostics = located(
            "Dockerfile",
            text,
            &[
                ("D4", Severity::Error, Span::new(0, 16)),
                ("D6", Severity::Info, Span::new(0, 16)),
                ("D1", Severity::Error, Span::new(5, 16)),
                ("D7", Severity::Warning, Span::new(40, 41)),
                ("D9", Severity::Warning, Span::new(54, 63)),
            ],
        );
        diagnostics.push(sample::file_level("R1", "Dockerfile", "about the file"));
        diagnostics.push(sample::file_level("R2", ".", "about the repository"));
        let report = sample::report(diagnostics, &["Dockerfile"]);
        assert_eq!(
            render(&report, &RenderOptions::default()),
            "\
.: error[R2] about the repository

Dockerfile: error[R1] about the file

Dockerfile:1:1: error[D4] D4 says so
Dockerfile:1:1: info[D6] D6 says so
Dockerfile:1:6: error[D1] D1 says so
Dockerfile:3:11: warning[D7] D7 says so
  |
1 | FROM node:latest
  | ^^^^^^^^^^^^^^^^ D4, D6
  |      ^^^^^^^^^^^ D1
2 | WORKDIR /app
3 | ENV TOKEN=x
  |           ^ D7
4 | RUN make

Dockerfile:8:1: warning[D9] D9 says so
  |
7 |
8 | USER root
  | ^^^^^^^^^ D9

1 file checked: 4 errors, 2 warnings, 1 info
"
        );
    }

    #[test]
    fn big_runs_end_with_the_rules_that_have_the_most_findings() {
        let mut diagnostics = Vec::new();
        for i in 0..TOP_RULES_AFTER + 1 {
            let rule = if i % 3 == 0 { "B" } else { "A" };
            diagnostics.push(sample::file_level(rule, &format!("f{i:02}"), "m"));
        }
        let report = sample::report(diagnostics, &[]);
        let text = render(&report, &RenderOptions::default());
        assert!(
            text.ends_with(
                "rules with the most findings (2 of 2):\n    \
                 14  error    A\n     7  error    B\n0 files checked: 21 errors, 0 warnings, 0 info\n"
            ),
            "{text}"
        );
        let statistics = RenderOptions {
            listing: Listing::Statistics,
            ..RenderOptions::default()
        };
        assert_eq!(
            render(&report, &statistics),
            "    14  error    A\n     7  error    B\n0 files checked: 21 errors, 0 warnings, 0 info\n"
        );
    }
}

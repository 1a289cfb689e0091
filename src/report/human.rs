//! The human report: each diagnostic rendered by miette with its rule, severity, message,
//! `file:line:col` and the source lines with the span underlined, then one summary line.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::Report;
use crate::finding::Severity;
use crate::locate::{Diagnostic, Snippet};

/// Presentation choices that depend on the terminal.
#[derive(Clone, Debug)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: false,
            width: 100,
        }
    }
}

/// Renders the whole report.
pub fn render(report: &Report, style: &Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let mut out = String::new();
    for diagnostic in &report.diagnostics {
        let shown = Shown::new(diagnostic);
        if handler.render_report(&mut out, &shown).is_err() {
            // Rendering into a String cannot fail; keep a plain line just in case.
            out.push_str(&format!("{}: {}\n", diagnostic.rule, diagnostic.message));
        }
        out.push('\n');
    }
    for id in &report.summary.unmatched_schemas {
        out.push_str(&format!(
            "warning: schema mapping `{id}` matched no files (check its `files` globs)\n"
        ));
    }
    let unevaluated = &report.summary.unevaluated_packages;
    if !unevaluated.is_empty() {
        out.push_str(&format!(
            "note: {} not evaluated: {} (select with --namespace <pattern> or --all-namespaces)\n",
            if unevaluated.len() == 1 {
                "package"
            } else {
                "packages"
            },
            unevaluated.join(", ")
        ));
    }
    for warning in &report.summary.unmatched_selectors {
        out.push_str(&format!("warning: {warning}\n"));
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
    out.push_str(&summary_line(report));
    out.push('\n');
    for card in &report.scorecards {
        out.push_str(&scorecard_block(card));
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
        card.repository,
        card.level_name()
    );
    for level in Level::ALL {
        let t = card.tally(level);
        let suppressed = match t.suppressed {
            0 => String::new(),
            n => format!(
                " ({})",
                plural(n, "finding suppressed", "findings suppressed")
            ),
        };
        out.push_str(&format!(
            "  {:<7} {}/{} rules pass{suppressed}\n",
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

/// A diagnostic as miette sees it.
struct Shown<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<SnippetSource<'a>>,
    title: String,
}

impl<'a> Shown<'a> {
    fn new(diagnostic: &'a Diagnostic) -> Self {
        let source = diagnostic.snippet.as_ref().map(|snippet| SnippetSource {
            name: &diagnostic.file,
            snippet,
        });
        let title = if diagnostic.region.is_some() {
            diagnostic.message.clone()
        } else {
            format!("{}: {}", diagnostic.file, diagnostic.message)
        };
        Shown {
            diagnostic,
            source,
            title,
        }
    }
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.diagnostic.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = self.diagnostic.metadata.get("help")?.as_str()?;
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let region = self.diagnostic.region?;
        let snippet = self.diagnostic.snippet.as_ref()?;
        let start = region.span.start.checked_sub(snippet.offset())?;
        let len = region.span.end - region.span.start;
        let label = LabeledSpan::new_primary_with_span(
            Some(self.diagnostic.severity.name().to_string()),
            SourceSpan::new(start.into(), len),
        );
        Some(Box::new(std::iter::once(label)))
    }
}

/// A few lines of a file that report their real line numbers.
struct SnippetSource<'a> {
    name: &'a str,
    snippet: &'a Snippet,
}

impl SourceCode for SnippetSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text = self.snippet.text();
        let inner = text.read_span(span, before, after)?;
        // Columns in characters, from the start of the span's line.
        let line_start = text[..span.offset().min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let column = text
            .get(line_start..span.offset().min(text.len()))
            .map_or(0, |s| s.chars().count());
        let column = if inner.span().offset() == span.offset() {
            column
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line() + self.snippet.first_line - 1,
            column,
            inner.line_count(),
        )))
    }
}

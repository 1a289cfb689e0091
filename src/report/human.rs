//! The human report: each diagnostic rendered by miette with its rule, severity, message,
//! `file:line:col` and the source lines with the span underlined, then one summary line.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::excerpt::{self, ExcerptSource};
use super::Report;
use crate::finding::Severity;
use crate::locate::Diagnostic;

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
        out.push_str(&render_one(&handler, diagnostic));
        out.push('\n');
    }
    for id in &report.summary.unmatched_schemas {
        out.push_str(&format!(
            "warning: schema mapping `{}` matched no files (check its `files` globs)\n",
            excerpt::one_line(id)
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
            excerpt::one_line(&unevaluated.join(", "))
        ));
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    for card in &report.scorecards {
        out.push_str(&scorecard_block(card));
    }
    out
}

/// One diagnostic, rendered by miette over its [`excerpt`]. Should rendering panic all
/// the same, the diagnostic degrades to one plain line and the report goes on.
fn render_one(handler: &GraphicalReportHandler, diagnostic: &Diagnostic) -> String {
    let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut out = String::new();
        let shown = Shown::new(diagnostic);
        handler.render_report(&mut out, &shown).ok().map(|()| out)
    }));
    match rendered {
        Ok(Some(out)) => out,
        // Rendering into a String cannot fail, and miette should not panic; keep a plain
        // line in either case.
        _ => plain_line(diagnostic),
    }
}

/// `file:line:col: severity[rule]: message`, escaped.
pub fn plain_line(diagnostic: &Diagnostic) -> String {
    let location = match diagnostic.region {
        Some(r) => format!(":{}:{}", r.start.line, r.start.column),
        None => String::new(),
    };
    format!(
        "{}{location}: {}[{}]: {}\n",
        excerpt::one_line(&diagnostic.file),
        diagnostic.severity.name(),
        excerpt::one_line(&diagnostic.rule),
        excerpt::text(&diagnostic.message)
    )
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
        excerpt::one_line(&card.repository),
        card.level_name()
    );
    for level in Level::ALL {
        let t = card.tally(level);
        out.push_str(&format!(
            "  {:<7} {}/{} rules pass\n",
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
    if s.exceptions > 0 {
        line.push_str(&format!(
            ", {} by exceptions",
            plural(s.exceptions, "result suppressed", "results suppressed")
        ));
    }
    line
}

/// A diagnostic as miette sees it: file-derived text escaped, the source an excerpt.
struct Shown<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<ExcerptSource>,
    title: String,
    rule: String,
    help: Option<String>,
}

impl<'a> Shown<'a> {
    fn new(diagnostic: &'a Diagnostic) -> Self {
        let file = excerpt::one_line(&diagnostic.file).into_owned();
        let source = match (&diagnostic.snippet, diagnostic.region) {
            (Some(snippet), Some(region)) => {
                let start = region.span.start.saturating_sub(snippet.offset());
                let end = region.span.end.saturating_sub(snippet.offset());
                Some(ExcerptSource::new(
                    &file,
                    snippet.text(),
                    snippet.first_line,
                    start..end,
                    region.start,
                ))
            }
            _ => None,
        };
        let message = excerpt::text(&diagnostic.message);
        let title = if source.is_some() {
            message.into_owned()
        } else {
            format!("{file}: {message}")
        };
        let help = diagnostic
            .metadata
            .get("help")
            .and_then(|h| h.as_str())
            .map(|h| excerpt::text(h).into_owned());
        Shown {
            diagnostic,
            source,
            title,
            rule: excerpt::one_line(&diagnostic.rule).into_owned(),
            help,
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
        Some(Box::new(&self.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = LabeledSpan::new_primary_with_span(
            Some(self.diagnostic.severity.name().to_string()),
            self.source.as_ref()?.span(),
        );
        Some(Box::new(std::iter::once(label)))
    }
}

//! The dashboard (`--format html`, `--report html=PATH`): one self-contained HTML page
//! with the run's summary, the organisation view when several repositories were checked
//! (levels, the rules holding most repositories back, a sortable table of repositories),
//! a scorecard card per repository, the findings with their source excerpts, and the rule
//! catalogue's title, rationale and help for every rule that has findings.
//!
//! What the page is made of:
//! - Everything is inline (`html/dashboard.css`, `html/dashboard.js`); a
//!   `Content-Security-Policy` meta forbids every other source and allows the one style
//!   and the one script by their SHA-256, so the page makes no request of any kind and
//!   opens from `file://` or a CI artifact.
//! - The summary, the tables and the first [`PAGE`] findings are rendered here, so the
//!   essentials read with JavaScript off. The findings are also embedded as compact JSON
//!   (a table of distinct strings, findings as arrays of indices) that the script filters,
//!   sorts and pages through, rendering one page of rows at a time.
//! - Every string from files or policies is escaped for where it goes: HTML text and
//!   attributes by [`escape`], the embedded JSON by [`script_json`], links only for
//!   `http(s)` URLs. The script builds rows with `textContent`, never HTML.
//! - The size is bounded: messages are cut at [`MAX_MESSAGE`] characters, long lines are
//!   shown as a window around the flagged span, excerpts stop after
//!   [`EXCERPT_BUDGET`] bytes of distinct text and findings after [`DATA_BUDGET`] bytes of
//!   data; the summary says what was left out.
//! - No time is written unless [`RenderOptions::source_date_epoch`] is given, so the same
//!   run gives the same bytes.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::scorecard::Scorecard;
use super::{RenderOptions, Report};
use crate::finding::{Level, RuleInfo, Severity};
use crate::locate::Diagnostic;

/// The page's style sheet.
const CSS: &str = include_str!("html/dashboard.css");
/// The page's script.
const JS: &str = include_str!("html/dashboard.js");

/// Findings rendered into the page (the first page of the table).
pub const PAGE: usize = 100;
/// Bytes of embedded findings data, after which further findings are left out.
pub const DATA_BUDGET: usize = 40 << 20;
/// Bytes of distinct excerpt text, after which findings have no excerpt.
pub const EXCERPT_BUDGET: usize = 16 << 20;
/// Characters of a message shown.
pub const MAX_MESSAGE: usize = 2000;
/// Source lines of an excerpt shown.
const MAX_EXCERPT_LINES: usize = 7;
/// Bytes of a long line shown, as a window around the flagged span.
const LINE_WINDOW: usize = 240;
/// Bytes of that window before the span.
const LINE_LEAD: usize = 60;
/// Suppressed findings listed.
pub const MAX_SUPPRESSED: usize = 1000;
/// Rules listed under "What to fix first".
const FIX_FIRST: usize = 10;

/// How much the page may hold.
#[derive(Clone, Copy, Debug)]
struct Limits {
    /// Bytes of findings data.
    data: usize,
    /// Bytes of distinct excerpt text.
    excerpts: usize,
}

impl Limits {
    const PAGE: Limits = Limits {
        data: DATA_BUDGET,
        excerpts: EXCERPT_BUDGET,
    };
}

/// Renders the dashboard.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    render_within(report, options, Limits::PAGE)
}

fn render_within(report: &Report, options: &RenderOptions, limits: Limits) -> String {
    let run = Run::new(report);
    let data = Data::build(&run, limits);
    let mut body = String::new();
    header(&mut body, &run);
    summary(&mut body, &run, &data, options, limits);
    if report.repositories.len() > 1 {
        organisation(&mut body, &run);
    }
    cards(&mut body, &run);
    findings(&mut body, &run, &data);
    suppressed(&mut body, &run);
    rules(&mut body, &run);
    footer(&mut body, options);
    page(&run, &body, &data.json)
}

/// The report with its findings indexed by repository and rule.
struct Run<'a> {
    report: &'a Report,
    /// Each rule's index in `report.rules`, by id.
    rule_index: HashMap<&'a str, usize>,
    /// For each diagnostic, the index of the innermost repository holding its file.
    repository_of: Vec<Option<usize>>,
    /// Findings per repository, by [`sev_code`].
    repository_counts: Vec<[usize; 3]>,
    /// Findings per rule (by index in `report.rules`).
    rule_counts: Vec<usize>,
    /// The scorecard of each repository, when it has one.
    cards: Vec<Option<&'a Scorecard>>,
}

impl<'a> Run<'a> {
    fn new(report: &'a Report) -> Run<'a> {
        let rule_index: HashMap<&str, usize> = report
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let by_name: HashMap<&str, usize> = report
            .repositories
            .iter()
            .enumerate()
            .filter(|(_, r)| !matches!(r.as_str(), "." | ""))
            .map(|(i, r)| (r.trim_end_matches('/'), i))
            .collect();
        let dot = report
            .repositories
            .iter()
            .position(|r| matches!(r.as_str(), "." | ""));
        let mut repository_of = Vec::with_capacity(report.diagnostics.len());
        let mut repository_counts = vec![[0; 3]; report.repositories.len()];
        let mut rule_counts = vec![0; report.rules.len()];
        let mut last: Option<(&str, Option<usize>)> = None;
        for d in &report.diagnostics {
            let repository = match last {
                Some((file, repository)) if file == d.file => repository,
                _ => innermost(&d.file, &by_name, dot),
            };
            last = Some((&d.file, repository));
            repository_of.push(repository);
            if let Some(i) = repository {
                repository_counts[i][sev_code(d.severity)] += 1;
            }
            if let Some(&i) = rule_index.get(d.rule.as_str()) {
                rule_counts[i] += 1;
            }
        }
        let cards = report
            .repositories
            .iter()
            .map(|r| report.scorecards.iter().find(|c| &c.repository == r))
            .collect();
        Run {
            report,
            rule_index,
            repository_of,
            repository_counts,
            rule_counts,
            cards,
        }
    }

    fn rule(&self, id: &str) -> Option<(usize, &'a RuleInfo)> {
        let i = *self.rule_index.get(id)?;
        Some((i, &self.report.rules[i]))
    }

    fn has_levels(&self) -> bool {
        !self.report.scorecards.is_empty()
    }
}

/// The innermost repository holding `file` (the scorecard's rule: the file is the
/// repository or under it; `.` holds every relative path that does not leave it).
fn innermost(file: &str, by_name: &HashMap<&str, usize>, dot: Option<usize>) -> Option<usize> {
    if let Some(&i) = by_name.get(file) {
        return Some(i);
    }
    for (at, _) in file.rmatch_indices('/') {
        if let Some(&i) = by_name.get(&file[..at]) {
            return Some(i);
        }
    }
    dot.filter(|_| !file.starts_with("../") && !file.starts_with('/'))
}

/// 0 for errors, 1 for warnings, 2 for info: the order of the findings table.
fn sev_code(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

const SEVERITIES: [(&str, &str); 3] = [("error", "✖"), ("warning", "▲"), ("info", "●")];

/// 0 for no level, then bronze, silver and gold.
fn level_rank(level: Option<Level>) -> usize {
    match level {
        None => 0,
        Some(Level::Bronze) => 1,
        Some(Level::Silver) => 2,
        Some(Level::Gold) => 3,
    }
}

/// Level names and marks, by [`level_rank`]: the marks say the level without colour.
const LEVELS: [(&str, &str); 4] = [
    ("none", "☆☆☆"),
    ("bronze", "★☆☆"),
    ("silver", "★★☆"),
    ("gold", "★★★"),
];

/// `s` escaped for HTML text and for attribute values in double or single quotes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// JSON safe inside `<script>`: `<`, `>` and `&` as `\u` escapes (so no `</script` or
/// `<!--` can appear), and U+2028/U+2029 too. They occur only inside JSON strings, where
/// the escapes mean the same characters.
pub fn script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// `s` with the characters that would hide or disguise text made visible: C0 controls
/// other than tab and newline as their Control Pictures (␛), DEL as ␡, C1 controls and
/// the bidirectional and line/paragraph separators as `<U+202E>`.
fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' | '\n' => out.push(c),
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
            '\u{7f}' => out.push('␡'),
            '\u{80}'..='\u{9f}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}' => {
                let _ = write!(out, "<U+{:04X}>", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// A message as shown: visible, at most [`MAX_MESSAGE`] characters; whether it was cut.
fn message_text(message: &str) -> (String, bool) {
    match message.char_indices().nth(MAX_MESSAGE) {
        Some((at, _)) => (format!("{}…", visible(&message[..at])), true),
        None => (visible(message), false),
    }
}

/// Rule documentation as HTML: escaped text whose `backticked` spans become code (when
/// the backticks pair up).
fn prose(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len() % 2 == 0 {
        return escape(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            push_escaped(&mut out, part);
        }
    }
    out
}

/// A link target from policy metadata: only `http` and `https` URLs become links.
fn safe_url(url: &str) -> Option<&str> {
    let lower = url.trim_start().get(..8).unwrap_or("").to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url)
}

/// The fragment id of a rule's catalogue entry: `rule-ID`, or `rule-nINDEX` for ids
/// with other characters than ASCII letters, digits, `_`, `.` and `-` (the script uses
/// the same rule).
fn rule_anchor(index: usize, id: &str) -> String {
    if !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        format!("rule-{id}")
    } else {
        format!("rule-n{index}")
    }
}

/// A link to a rule's catalogue entry showing its id, with its title as a tooltip when
/// `tooltip`.
fn rule_link(index: usize, rule: &RuleInfo, tooltip: bool) -> String {
    let title = match (&rule.title, tooltip) {
        (Some(title), true) => format!(" title=\"{}\"", escape(&visible(title))),
        _ => String::new(),
    };
    format!(
        "<a href=\"#{}\"{title}><code>{}</code></a>",
        escape(&rule_anchor(index, &rule.id)),
        escape(&visible(&rule.id))
    )
}

/// One line of an excerpt: the text before the flagged span, the span, the text after
/// (all visible, a cut shown as `…`).
#[derive(Debug, PartialEq, Eq)]
enum ExcerptLine {
    /// A line without a flagged span.
    Plain(String),
    /// A line with one.
    Marked(String, String, String),
    /// This many lines of the excerpt not shown.
    More(usize),
}

/// The source lines of a finding with the flagged span marked.
#[derive(Debug, PartialEq, Eq)]
struct Excerpt {
    /// The line number of the first line.
    first_line: usize,
    lines: Vec<ExcerptLine>,
}

/// The excerpt of `d`: the lines of its snippet, long lines windowed around the span.
fn excerpt(d: &Diagnostic) -> Option<Excerpt> {
    let (region, snippet) = (d.region?, d.snippet.as_ref()?);
    let source: &str = &snippet.source;
    let (from, to) = (snippet.lines.start, snippet.lines.end.min(source.len()));
    let text = source.get(from..to)?;
    let span = region.span;
    // The window's start, as an offset into each line, when some line is long.
    // The snippet starts at a line start, so the flagged line starts at or after it.
    let anchor = floor_boundary(source, span.start.clamp(from, to));
    let anchor_line_start = source[from..anchor]
        .rfind('\n')
        .map_or(from, |i| from + i + 1);
    let lead = (anchor - anchor_line_start).saturating_sub(LINE_LEAD);
    let mut lines = Vec::new();
    let mut start = from;
    for (count, line) in text.split_inclusive('\n').enumerate() {
        if count == MAX_EXCERPT_LINES {
            let rest = text[start - from..].split_inclusive('\n').count();
            lines.push(ExcerptLine::More(rest));
            break;
        }
        let content = line.trim_end_matches('\n').trim_end_matches('\r');
        lines.push(excerpt_line(
            source,
            start,
            start + content.len(),
            span,
            lead,
        ));
        start += line.len();
    }
    Some(Excerpt {
        first_line: snippet.first_line,
        lines,
    })
}

/// One line, `source[start..end]`, with the part of `span` on it marked; a line longer
/// than [`LINE_WINDOW`] bytes shows only the window starting `lead` bytes in.
fn excerpt_line(
    source: &str,
    start: usize,
    end: usize,
    span: crate::document::Span,
    lead: usize,
) -> ExcerptLine {
    let (window_start, window_end) = if end - start > LINE_WINDOW {
        let ws = floor_boundary(source, (start + lead).min(end));
        (ws, floor_boundary(source, (ws + LINE_WINDOW).min(end)))
    } else {
        (start, end)
    };
    let before_cut = if window_start > start { "…" } else { "" };
    let after_cut = if window_end < end { "…" } else { "" };
    let piece = |a: usize, b: usize| visible(source.get(a..b).unwrap_or(""));
    let on_line = if span.is_empty() {
        (start..=end).contains(&span.start)
    } else {
        span.start < end.max(start + 1) && span.end > start
    };
    if !on_line {
        return ExcerptLine::Plain(format!(
            "{before_cut}{}{after_cut}",
            piece(window_start, window_end)
        ));
    }
    let mark_start = span.start.clamp(window_start, window_end);
    let mark_end = span.end.clamp(mark_start, window_end);
    let (mark_start, mark_end) = (
        floor_boundary(source, mark_start),
        floor_boundary(source, mark_end),
    );
    let mark = piece(mark_start, mark_end);
    ExcerptLine::Marked(
        format!("{before_cut}{}", piece(window_start, mark_start)),
        if mark.is_empty() { " ".into() } else { mark },
        format!("{}{after_cut}", piece(mark_end, window_end)),
    )
}

fn floor_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// One finding as the table shows it.
struct Row {
    index: usize,
    severity: usize,
    location: String,
    rule: usize,
    message: String,
    excerpt: Option<Excerpt>,
}

/// The embedded data and what it left out.
struct Data {
    /// The JSON, escaped for `<script>`.
    json: String,
    /// The first [`PAGE`] rows, rendered into the page.
    first: Vec<Row>,
    /// Findings embedded.
    embedded: usize,
    /// Findings shown without their excerpt for lack of room.
    excerpts_left_out: usize,
    /// Messages cut at [`MAX_MESSAGE`] characters.
    messages_cut: usize,
}

/// The table of distinct strings of the embedded data.
#[derive(Default)]
struct Strings {
    index: HashMap<String, usize>,
    json: String,
    bytes: usize,
}

impl Strings {
    fn id(&mut self, s: &str) -> usize {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.index.len();
        if i > 0 {
            self.json.push(',');
        }
        let encoded = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
        self.bytes += encoded.len() + 1;
        self.json.push_str(&encoded);
        self.index.insert(s.to_string(), i);
        i
    }
}

impl Data {
    fn build(run: &Run, limits: Limits) -> Data {
        let report = run.report;
        let mut strings = Strings::default();
        let mut rules = String::new();
        for (i, rule) in report.rules.iter().enumerate() {
            let id = strings.id(&rule.id);
            let title = rule
                .title
                .as_deref()
                .map_or(-1, |t| strings.id(&visible(t)) as i64);
            let _ = write!(
                rules,
                "{}[{id},{title},{},{}]",
                if i > 0 { "," } else { "" },
                level_rank(rule.level),
                rule.severity.map_or(0, sev_code)
            );
        }
        let repositories: Vec<String> = report
            .repositories
            .iter()
            .map(|r| strings.id(&visible(r)).to_string())
            .collect();
        let mut findings = String::new();
        let mut first = Vec::new();
        let mut embedded = 0;
        let mut excerpts_left_out = 0;
        let mut messages_cut = 0;
        let mut excerpt_bytes = 0;
        for (index, d) in report.diagnostics.iter().enumerate() {
            if strings.bytes + findings.len() > limits.data {
                break;
            }
            let (message, cut) = message_text(&d.message);
            messages_cut += usize::from(cut);
            let rule = run.rule_index.get(d.rule.as_str()).copied().unwrap_or(0);
            let excerpt = if excerpt_bytes <= limits.excerpts {
                excerpt(d)
            } else {
                excerpts_left_out += usize::from(d.region.is_some());
                None
            };
            let file = strings.id(&visible(&d.file));
            let message_id = strings.id(&message);
            let (line, column, end_line, end_column) = d.region.map_or((0, 0, 0, 0), |r| {
                (r.start.line, r.start.column, r.end.line, r.end.column)
            });
            let _ = write!(
                findings,
                "{}[{},{},{file},{line},{column},{end_line},{end_column},{rule},{message_id},",
                if index > 0 { "," } else { "" },
                sev_code(d.severity),
                run.repository_of[index].map_or(-1, |r| r as i64),
            );
            match &excerpt {
                None => findings.push('0'),
                Some(x) => {
                    let mark = strings.bytes;
                    push_excerpt_json(&mut findings, &mut strings, x);
                    excerpt_bytes += strings.bytes - mark;
                }
            }
            findings.push(']');
            if index < PAGE {
                first.push(Row {
                    index,
                    severity: sev_code(d.severity),
                    location: location(d),
                    rule,
                    message,
                    excerpt,
                });
            }
            embedded += 1;
        }
        let json = format!(
            "{{\"strings\":[{}],\"rules\":[{rules}],\"repositories\":[{}],\"findings\":[{findings}],\"total\":{},\"page\":{PAGE}}}",
            strings.json,
            repositories.join(","),
            report.diagnostics.len()
        );
        Data {
            json: script_json(&json),
            first,
            embedded,
            excerpts_left_out,
            messages_cut,
        }
    }
}

/// `[first_line, line...]`: a line is a string index, `[before, mark, after]`, or `-N`
/// for N lines not shown.
fn push_excerpt_json(out: &mut String, strings: &mut Strings, x: &Excerpt) {
    let _ = write!(out, "[{}", x.first_line);
    for line in &x.lines {
        match line {
            ExcerptLine::Plain(text) => {
                let _ = write!(out, ",{}", strings.id(text));
            }
            ExcerptLine::Marked(before, mark, after) => {
                let _ = write!(
                    out,
                    ",[{},{},{}]",
                    strings.id(before),
                    strings.id(mark),
                    strings.id(after)
                );
            }
            ExcerptLine::More(n) => {
                let _ = write!(out, ",-{n}");
            }
        }
    }
    out.push(']');
}

/// `file:line:col`, or the file for findings without a position (visible).
fn location(d: &Diagnostic) -> String {
    let file = visible(&d.file);
    match d.region {
        Some(r) => format!("{file}:{}:{}", r.start.line, r.start.column),
        None => file,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The level pill: marks and name, coloured by a class.
fn level_pill(level: Option<Level>) -> String {
    let (name, marks) = LEVELS[level_rank(level)];
    format!(
        "<span class=\"level level-{name}\"><span class=\"marks\" aria-hidden=\"true\">{marks}</span> {name}</span>"
    )
}

fn severity_cell(code: usize) -> String {
    let (name, icon) = SEVERITIES[code];
    format!("<td class=\"sev sev-{name}\"><span aria-hidden=\"true\">{icon}</span> {name}</td>")
}

fn header(out: &mut String, run: &Run) {
    let title = match run.report.repositories.as_slice() {
        [one] => format!("goldenpath: {}", escape(&visible(one))),
        _ => "goldenpath dashboard".to_string(),
    };
    let _ = write!(
        out,
        "<a class=\"skip\" href=\"#findings\">Skip to the findings</a>\n<header>\n<h1>{title}</h1>\n<nav aria-label=\"Sections\"><ul>\
         <li><a href=\"#summary\">Summary</a></li>"
    );
    if run.report.repositories.len() > 1 {
        out.push_str("<li><a href=\"#organisation\">Organisation</a></li>");
    }
    if run.has_levels() {
        out.push_str("<li><a href=\"#repositories\">Scorecards</a></li>");
    }
    out.push_str("<li><a href=\"#findings\">Findings</a></li>");
    if !run.report.suppressed.is_empty() {
        out.push_str("<li><a href=\"#suppressed\">Suppressed</a></li>");
    }
    out.push_str("<li><a href=\"#rules\">Rules</a></li></ul></nav>\n</header>\n<main>\n");
}

fn summary(out: &mut String, run: &Run, data: &Data, options: &RenderOptions, limits: Limits) {
    let report = run.report;
    let s = &report.summary;
    out.push_str("<section id=\"summary\" aria-labelledby=\"summary-h\">\n<h2 id=\"summary-h\">Summary</h2>\n");
    let threshold = crate::options::value_name(options.fail_on);
    if report.fails(options.fail_on) {
        let _ = writeln!(
            out,
            "<p class=\"outcome outcome-failed\"><span aria-hidden=\"true\">✖</span> <strong>Failed</strong>: findings reach the failure threshold (<code>--fail-on {threshold}</code>).</p>"
        );
    } else {
        let _ = writeln!(
            out,
            "<p class=\"outcome outcome-passed\"><span aria-hidden=\"true\">✔</span> <strong>Passed</strong>: no finding reaches the failure threshold (<code>--fail-on {threshold}</code>).</p>"
        );
    }
    out.push_str("<dl class=\"totals\">\n");
    let mut total = |label: &str, value: usize, class: &str| {
        let _ = writeln!(
            out,
            "<div class=\"total{class}\"><dt>{label}</dt><dd>{value}</dd></div>"
        );
    };
    total("Files checked", s.files, "");
    total("Errors", s.errors, " sev-error");
    total("Warnings", s.warnings, " sev-warning");
    total("Info", s.info, " sev-info");
    if s.parse_errors > 0 {
        total("Files not parsed", s.parse_errors, "");
    }
    if s.suppressed.total > 0 {
        total("Suppressed", s.suppressed.total, "");
    }
    if s.exceptions > 0 {
        total("Results suppressed by exceptions", s.exceptions, "");
    }
    if report.repositories.len() > 1 {
        total("Repositories", report.repositories.len(), "");
    }
    out.push_str("</dl>\n");
    if !s.unevaluated_packages.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"note\">Not evaluated (not selected by <code>--namespace</code>): {}</p>",
            code_list(&s.unevaluated_packages)
        );
    }
    for sub in &s.subdirectories {
        let _ = writeln!(
            out,
            "<p class=\"note\">Repository rules and the scorecard did not run for <code>{}</code>: it is inside the repository at <code>{}</code> (check that to run them).</p>",
            escape(&visible(&sub.directory)),
            escape(&visible(&sub.repository))
        );
    }
    for warning in &s.unmatched_selectors {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&visible(warning)));
    }
    if s.baseline_fixed > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} fixed since the baseline was written (rewrite it with <code>--write-baseline</code>).</p>",
            plural(s.baseline_fixed, "baseline finding", "baseline findings")
        );
    }
    if !s.unmatched_schemas.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"note\">Schema mappings that matched no file: {}</p>",
            code_list(&s.unmatched_schemas)
        );
    }
    left_out(out, report, data, limits);
    out.push_str("</section>\n");
}

fn code_list(items: &[String]) -> String {
    items
        .iter()
        .map(|p| format!("<code>{}</code>", escape(&visible(p))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the page leaves out, said where it is read first.
fn left_out(out: &mut String, report: &Report, data: &Data, limits: Limits) {
    let mut notes = Vec::new();
    let total = report.diagnostics.len();
    if data.embedded < total {
        notes.push(format!(
            "{} of {total} findings are listed; the other {} are counted in the totals and tables but left out of the list to keep this page under {} MiB (<code>--format json</code> or <code>--report sarif=PATH</code> has them all).",
            data.embedded,
            total - data.embedded,
            (limits.data >> 20).max(1)
        ));
    }
    if data.excerpts_left_out > 0 {
        notes.push(format!(
            "{} are shown without their source excerpt, to bound the size of this page.",
            plural(data.excerpts_left_out, "finding", "findings")
        ));
    }
    if data.messages_cut > 0 {
        notes.push(format!(
            "{} longer than {MAX_MESSAGE} characters {} cut.",
            plural(data.messages_cut, "message", "messages"),
            if data.messages_cut == 1 { "is" } else { "are" }
        ));
    }
    if notes.is_empty() {
        return;
    }
    out.push_str("<div class=\"notice\" id=\"left-out\"><h3>Left out of this page</h3><ul>\n");
    for note in notes {
        let _ = writeln!(out, "<li>{note}</li>");
    }
    out.push_str("</ul></div>\n");
}

fn organisation(out: &mut String, run: &Run) {
    let report = run.report;
    out.push_str("<section id=\"organisation\" aria-labelledby=\"organisation-h\">\n<h2 id=\"organisation-h\">Organisation</h2>\n");
    out.push_str("<div class=\"overview\">\n");
    if run.has_levels() {
        out.push_str("<div>\n");
        level_distribution(out, report);
        out.push_str("</div>\n");
    }
    out.push_str("<div>\n");
    repositories_table(out, run);
    out.push_str("</div>\n</div>\n");
    if run.has_levels() {
        fix_first(out, run);
    }
    out.push_str("</section>\n");
}

fn level_distribution(out: &mut String, report: &Report) {
    let mut counts = [0usize; 4];
    for card in &report.scorecards {
        counts[level_rank(card.level)] += 1;
    }
    let total = report.scorecards.len().max(1);
    out.push_str(
        "<h3 id=\"levels-h\">Levels</h3>\n<table class=\"levels\" aria-labelledby=\"levels-h\">\n\
         <thead><tr><th scope=\"col\">Level</th><th scope=\"col\" class=\"num\">Repositories</th><th scope=\"col\">Share</th></tr></thead>\n<tbody>\n",
    );
    for rank in (0..4).rev() {
        let share = counts[rank] * 100 / total;
        let _ = writeln!(
            out,
            "<tr data-level=\"{}\"><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"bar\"><svg class=\"bar-{}\" width=\"80\" height=\"12\" viewBox=\"0 0 100 12\" preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect width=\"100\" height=\"12\" class=\"track\"/><rect width=\"{share}\" height=\"12\"/></svg> {share}%</td></tr>",
            LEVELS[rank].0,
            level_pill(level_of_rank(rank)),
            counts[rank],
            LEVELS[rank].0,
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn level_of_rank(rank: usize) -> Option<Level> {
    match rank {
        1 => Some(Level::Bronze),
        2 => Some(Level::Silver),
        3 => Some(Level::Gold),
        _ => None,
    }
}

/// The level a repository is working towards: the lowest one not reached.
fn next_level(card: &Scorecard) -> Option<Level> {
    Level::ALL
        .into_iter()
        .find(|l| level_rank(Some(*l)) > level_rank(card.level))
}

/// The rules that fail in most repositories, and how many repositories each keeps from
/// their next level.
fn fix_first(out: &mut String, run: &Run) {
    let report = run.report;
    // id → (repositories held back, repositories failing)
    let mut by_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for card in &report.scorecards {
        let next = next_level(card);
        for id in &card.failed_rules {
            let entry = by_rule.entry(id).or_default();
            entry.1 += 1;
            let level = run.rule(id).and_then(|(_, r)| r.level);
            if level.is_some() && level == next {
                entry.0 += 1;
            }
        }
    }
    if by_rule.is_empty() {
        return;
    }
    let mut ranked: Vec<(&str, (usize, usize))> = by_rule.into_iter().collect();
    ranked.sort_by(|a, b| (b.1).cmp(&a.1).then(a.0.cmp(b.0)));
    let repositories = report.scorecards.len();
    out.push_str(
        "<h3 id=\"fix-h\">What to fix first</h3>\n<p>The rules failing in most repositories; <em>holds back</em> counts the repositories that this rule keeps from their next level.</p>\n\
         <table class=\"sortable\" id=\"fix-first\" aria-labelledby=\"fix-h\">\n<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\" data-type=\"number\">Level</th>\
         <th scope=\"col\" class=\"num\" data-type=\"number\">Holds back</th><th scope=\"col\" class=\"num\" data-type=\"number\">Fails in</th><th scope=\"col\" class=\"num\" data-type=\"number\">Findings</th></tr></thead>\n<tbody>\n",
    );
    for (id, (held, failing)) in ranked.iter().take(FIX_FIRST) {
        let Some((index, rule)) = run.rule(id) else {
            continue;
        };
        let title = rule
            .title
            .as_deref()
            .map(|t| format!(" <span class=\"title\">{}</span>", escape(&visible(t))))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr data-rule=\"{index}\"><th scope=\"row\">{}{title}</th><td data-sort=\"{}\">{}</td><td class=\"num\">{held}</td><td class=\"num\" data-sort=\"{failing}\">{failing} of {repositories}</td>\
             <td class=\"num\" data-sort=\"{}\"><a href=\"#findings\" data-filter-rule=\"{index}\">{}</a></td></tr>",
            rule_link(index, rule, false),
            level_rank(rule.level),
            level_pill(rule.level),
            run.rule_counts[index],
            plural(run.rule_counts[index], "finding", "findings"),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if ranked.len() > FIX_FIRST {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} more rules fail in at least one repository; the scorecards list them.</p>",
            ranked.len() - FIX_FIRST
        );
    }
}

fn repositories_table(out: &mut String, run: &Run) {
    let report = run.report;
    let levels = run.has_levels();
    out.push_str("<h3 id=\"repos-h\">Repositories</h3>\n<table class=\"sortable\" id=\"repositories-table\" aria-labelledby=\"repos-h\">\n<thead><tr><th scope=\"col\">Repository</th>");
    if levels {
        out.push_str("<th scope=\"col\" data-type=\"number\">Level</th><th scope=\"col\" class=\"num\" data-type=\"number\">Bronze</th><th scope=\"col\" class=\"num\" data-type=\"number\">Silver</th><th scope=\"col\" class=\"num\" data-type=\"number\">Gold</th>");
    }
    out.push_str("<th scope=\"col\" class=\"num\" data-type=\"number\">Errors</th><th scope=\"col\" class=\"num\" data-type=\"number\">Findings</th></tr></thead>\n<tbody>\n");
    for (i, repository) in report.repositories.iter().enumerate() {
        let name = escape(&visible(repository));
        let _ = write!(out, "<tr data-repository=\"{i}\"><th scope=\"row\">");
        if levels {
            let _ = write!(out, "<a href=\"#repo-{i}\">{name}</a></th>");
        } else {
            let _ = write!(out, "{name}</th>");
        }
        if let (true, Some(card)) = (levels, run.cards[i]) {
            let _ = write!(
                out,
                "<td data-sort=\"{}\" data-level=\"{}\">{}</td>",
                level_rank(card.level),
                card.level_name(),
                level_pill(card.level)
            );
            for level in Level::ALL {
                let t = card.tally(level);
                let _ = write!(
                    out,
                    "<td class=\"num\" data-sort=\"{}\">{}</td>",
                    t.passed,
                    t.describe()
                );
            }
        } else if levels {
            out.push_str("<td data-sort=\"0\"></td><td></td><td></td><td></td>");
        }
        let [e, w, n] = run.repository_counts[i];
        let _ = writeln!(
            out,
            "<td class=\"num\">{e}</td><td class=\"num\" data-sort=\"{}\" title=\"{}, {}, {n} info\">{}</td></tr>",
            e + w + n,
            plural(e, "error", "errors"),
            plural(w, "warning", "warnings"),
            e + w + n
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn cards(out: &mut String, run: &Run) {
    if !run.has_levels() {
        return;
    }
    let report = run.report;
    out.push_str("<section id=\"repositories\" aria-labelledby=\"repositories-h\">\n<h2 id=\"repositories-h\">Scorecards</h2>\n<div class=\"cards\">\n");
    for (i, repository) in report.repositories.iter().enumerate() {
        let Some(card) = run.cards[i] else {
            continue;
        };
        let _ = writeln!(
            out,
            "<article class=\"card\" id=\"repo-{i}\" data-level=\"{}\" aria-labelledby=\"repo-{i}-h\">\n<h3 id=\"repo-{i}-h\">{}</h3>\n<p class=\"card-level\">Level: {}</p>",
            card.level_name(),
            escape(&visible(repository)),
            level_pill(card.level)
        );
        let _ = writeln!(
            out,
            "<table class=\"tally\"><caption>Rules passing per level</caption><thead><tr><th scope=\"col\">Level</th><th scope=\"col\" class=\"num\">Passing</th><th scope=\"col\">Progress</th></tr></thead><tbody>"
        );
        for level in Level::ALL {
            let t = card.tally(level);
            let width = (t.passed * 100).checked_div(t.total).unwrap_or(100);
            let suppressed = if t.suppressed > 0 {
                format!(
                    " <span class=\"note\">({} suppressed)</span>",
                    plural(t.suppressed, "finding", "findings")
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td class=\"num\">{}{suppressed}</td><td class=\"bar\"><svg class=\"bar-{}\" width=\"120\" height=\"10\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect width=\"100\" height=\"10\" class=\"track\"/><rect width=\"{width}\" height=\"10\"/></svg></td></tr>",
                level.name(),
                t.describe(),
                level.name()
            );
        }
        out.push_str("</tbody></table>\n");
        if card.failed_rules.is_empty() {
            out.push_str("<p>Every rule with a level passes.</p>\n");
        } else {
            failing_rules(out, run, card);
        }
        let [e, w, n] = run.repository_counts[i];
        let _ = writeln!(
            out,
            "<p class=\"counts\">{}, {}, {} info</p>\n</article>",
            plural(e, "error", "errors"),
            plural(w, "warning", "warnings"),
            n
        );
    }
    out.push_str("</div>\n</section>\n");
}

/// A card's failing rules by level, lowest first (what holds the repository back comes
/// first); each links to its catalogue entry, with its title as a tooltip.
fn failing_rules(out: &mut String, run: &Run, card: &Scorecard) {
    out.push_str("<h4>Failing rules</h4>\n<dl class=\"failing\">\n");
    for level in Level::ALL {
        let ids: Vec<(usize, &RuleInfo)> = card
            .failed_rules
            .iter()
            .filter_map(|id| run.rule(id))
            .filter(|(_, rule)| rule.level == Some(level))
            .collect();
        if ids.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<div><dt>{} <span class=\"note\">({})</span></dt><dd>",
            level_pill(Some(level)),
            ids.len()
        );
        for (k, (index, rule)) in ids.iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            out.push_str(&rule_link(*index, rule, true));
        }
        out.push_str("</dd></div>\n");
    }
    out.push_str("</dl>\n");
}

fn findings(out: &mut String, run: &Run, data: &Data) {
    let report = run.report;
    let total = report.diagnostics.len();
    let _ = writeln!(
        out,
        "<section id=\"findings\" aria-labelledby=\"findings-h\">\n<h2 id=\"findings-h\">Findings <span class=\"count\">({total})</span></h2>"
    );
    if total == 0 {
        out.push_str("<p>No findings.</p>\n</section>\n");
        return;
    }
    filters(out, run);
    let shown = data.first.len();
    let _ = writeln!(
        out,
        "<p id=\"gp-status\" role=\"status\">Showing {}–{shown} of {total} findings.</p>",
        usize::from(shown > 0)
    );
    if shown < total {
        let _ = writeln!(
            out,
            "<noscript><p class=\"note\">JavaScript is off: the first {shown} findings are listed; filtering, sorting and the other findings need it (<code>--format json</code> lists them all).</p></noscript>"
        );
    }
    out.push_str(
        "<table id=\"findings-table\">\n<thead><tr><th scope=\"col\" data-key=\"severity\">Severity</th><th scope=\"col\" data-key=\"location\" aria-sort=\"ascending\">Location</th>\
         <th scope=\"col\" data-key=\"rule\">Rule</th><th scope=\"col\" data-key=\"message\">Message</th></tr></thead>\n<tbody>\n",
    );
    for row in &data.first {
        finding_row(out, run, row);
    }
    out.push_str("</tbody>\n</table>\n<nav class=\"pager\" aria-label=\"Pages of findings\" hidden>\
        <button type=\"button\" data-page=\"first\">First</button> <button type=\"button\" data-page=\"prev\">Previous</button> \
        <button type=\"button\" data-page=\"next\">Next</button> <button type=\"button\" data-page=\"last\">Last</button></nav>\n</section>\n");
}

/// The filter form, shown by the script (it does nothing without it).
fn filters(out: &mut String, run: &Run) {
    let report = run.report;
    out.push_str("<form class=\"filters\" id=\"gp-filters\" hidden>\n");
    if report.repositories.len() > 1 {
        out.push_str(
            "<label>Repository <select name=\"repository\"><option value=\"\">all</option>",
        );
        for (i, r) in report.repositories.iter().enumerate() {
            if run.repository_counts[i].iter().sum::<usize>() > 0 {
                let _ = write!(
                    out,
                    "<option value=\"{i}\">{}</option>",
                    escape(&visible(r))
                );
            }
        }
        out.push_str("</select></label>\n");
    }
    out.push_str("<label>Rule <select name=\"rule\"><option value=\"\">all</option>");
    for (i, rule) in report.rules.iter().enumerate() {
        if run.rule_counts[i] > 0 {
            let _ = write!(
                out,
                "<option value=\"{i}\">{} ({})</option>",
                escape(&visible(&rule.id)),
                run.rule_counts[i]
            );
        }
    }
    out.push_str("</select></label>\n<label>Severity <select name=\"severity\"><option value=\"\">all</option>");
    for (i, (name, _)) in SEVERITIES.iter().enumerate() {
        let _ = write!(out, "<option value=\"{i}\">{name}</option>");
    }
    out.push_str(
        "</select></label>\n<label>Level <select name=\"level\"><option value=\"\">all</option>",
    );
    for (rank, (name, _)) in LEVELS.iter().enumerate().rev() {
        let _ = write!(out, "<option value=\"{rank}\">{name}</option>");
    }
    out.push_str("</select></label>\n<label>Search <input type=\"search\" name=\"q\" placeholder=\"file or message\" autocomplete=\"off\"></label>\n\
                  <button type=\"reset\">Clear</button>\n</form>\n");
}

fn finding_row(out: &mut String, run: &Run, row: &Row) {
    let rule = &run.report.rules[row.rule];
    let _ = write!(
        out,
        "<tr data-i=\"{}\">{}<td class=\"loc\"><code>{}</code></td><td class=\"rule\"><a href=\"#{}\">{}</a></td><td class=\"msg\"><p>{}</p>",
        row.index,
        severity_cell(row.severity),
        escape(&row.location),
        escape(&rule_anchor(row.rule, &rule.id)),
        escape(&visible(&rule.id)),
        escape(&row.message)
    );
    if let Some(x) = &row.excerpt {
        excerpt_html(out, x);
    }
    out.push_str("</td></tr>\n");
}

fn excerpt_html(out: &mut String, x: &Excerpt) {
    out.push_str("<pre class=\"excerpt\"><code>");
    let mut number = x.first_line;
    for line in &x.lines {
        match line {
            ExcerptLine::More(n) => {
                let _ = writeln!(
                    out,
                    "<span class=\"line more\">⋮ {}</span>",
                    plural(*n, "more line", "more lines")
                );
            }
            ExcerptLine::Plain(text) => {
                let _ = writeln!(
                    out,
                    "<span class=\"line\"><span class=\"ln\">{number}</span>{}</span>",
                    escape(text)
                );
                number += 1;
            }
            ExcerptLine::Marked(before, mark, after) => {
                let _ = writeln!(
                    out,
                    "<span class=\"line\"><span class=\"ln\">{number}</span>{}<mark>{}</mark>{}</span>",
                    escape(before),
                    escape(mark),
                    escape(after)
                );
                number += 1;
            }
        }
    }
    out.push_str("</code></pre>");
}

/// Suppressed findings, apart from the others, each with how and why it was suppressed.
fn suppressed(out: &mut String, run: &Run) {
    let list = &run.report.suppressed;
    if list.is_empty() {
        return;
    }
    let counts = &run.report.summary.suppressed;
    let _ = writeln!(
        out,
        "<section id=\"suppressed\" aria-labelledby=\"suppressed-h\">\n<h2 id=\"suppressed-h\">Suppressed findings <span class=\"count\">({})</span></h2>\n\
         <p>Not in the totals above, the exit status or the findings table; a rule whose findings are all suppressed passes in the scorecard, which counts them per level. \
         {} inline, {} by <code>[[ignore]]</code> in goldenpath.toml, {} by the baseline.</p>",
        list.len(),
        counts.inline,
        counts.config,
        counts.baseline
    );
    out.push_str(
        "<table class=\"sortable\" id=\"suppressed-table\">\n<thead><tr><th scope=\"col\">How</th><th scope=\"col\">Location</th><th scope=\"col\">Rule</th><th scope=\"col\">Message</th><th scope=\"col\">Reason</th></tr></thead>\n<tbody>\n",
    );
    for s in list.iter().take(MAX_SUPPRESSED) {
        let d = &s.diagnostic;
        let how = match s.suppression.kind {
            crate::suppress::Kind::Inline => "inline comment",
            crate::suppress::Kind::Config => "[[ignore]]",
            crate::suppress::Kind::Baseline => "baseline",
        };
        let rule = match run.rule(&d.rule) {
            Some((index, rule)) => rule_link(index, rule, false),
            None => format!("<code>{}</code>", escape(&visible(&d.rule))),
        };
        let reason = match &s.suppression.reason {
            Some(reason) => escape(&visible(reason)),
            None => "<span class=\"note\">no reason given</span>".to_string(),
        };
        let declared = match s.suppression.line {
            Some(line) => format!("{}:{line}", visible(&s.suppression.file)),
            None => visible(&s.suppression.file),
        };
        let _ = writeln!(
            out,
            "<tr><td>{how}</td><td class=\"loc\"><code>{}</code></td><td class=\"rule\">{rule}</td><td class=\"msg\">{}</td><td>{reason} <span class=\"note\">(<code>{}</code>)</span></td></tr>",
            escape(&location(d)),
            escape(&message_text(&d.message).0),
            escape(&declared)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if list.len() > MAX_SUPPRESSED {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} more suppressed findings are not listed (<code>--format json</code> lists them all).</p>",
            list.len() - MAX_SUPPRESSED
        );
    }
    out.push_str("</section>\n");
}

fn rules(out: &mut String, run: &Run) {
    let report = run.report;
    out.push_str(
        "<section id=\"rules\" aria-labelledby=\"rules-h\">\n<h2 id=\"rules-h\">Rules</h2>\n",
    );
    let failing: Vec<usize> = (0..report.rules.len())
        .filter(|&i| run.rule_counts[i] > 0)
        .collect();
    for &i in &failing {
        rule_entry(out, run, i);
    }
    let passing: Vec<usize> = (0..report.rules.len())
        .filter(|&i| run.rule_counts[i] == 0)
        .collect();
    if !passing.is_empty() {
        let _ = writeln!(
            out,
            "<h3 id=\"passing-h\">Rules without findings ({})</h3>\n<table class=\"compact\" aria-labelledby=\"passing-h\"><thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Level</th><th scope=\"col\">Title</th></tr></thead><tbody>",
            passing.len()
        );
        for i in passing {
            let rule = &report.rules[i];
            let _ = writeln!(
                out,
                "<tr id=\"{}\"><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td></tr>",
                escape(&rule_anchor(i, &rule.id)),
                escape(&visible(&rule.id)),
                rule.level.map(|l| level_pill(Some(l))).unwrap_or_default(),
                escape(&visible(rule.title.as_deref().unwrap_or("")))
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}

fn rule_entry(out: &mut String, run: &Run, i: usize) {
    let rule = &run.report.rules[i];
    let anchor = escape(&rule_anchor(i, &rule.id));
    let _ = write!(
        out,
        "<article class=\"rule\" id=\"{anchor}\" aria-labelledby=\"{anchor}-h\">\n<h3 id=\"{anchor}-h\"><code>{}</code>",
        escape(&visible(&rule.id))
    );
    if let Some(title) = &rule.title {
        let _ = write!(out, " {}", escape(&visible(title)));
    }
    out.push_str("</h3>\n<p class=\"meta\">");
    if rule.level.is_some() {
        let _ = write!(out, "{} ", level_pill(rule.level));
    }
    if let Some(severity) = rule.severity {
        let _ = write!(out, "<span class=\"tag\">{}</span> ", severity.name());
    }
    let _ = writeln!(
        out,
        "<a href=\"#findings\" data-filter-rule=\"{i}\">{}</a></p>",
        plural(run.rule_counts[i], "finding", "findings")
    );
    for (label, text) in [
        ("Why", &rule.rationale),
        ("What it checks", &rule.description),
        ("How to fix", &rule.help),
    ] {
        if let Some(text) = text {
            let _ = writeln!(
                out,
                "<h4>{label}</h4>\n<p class=\"prose\">{}</p>",
                prose(&visible(text))
            );
        }
    }
    if let Some(url) = rule.help_uri.as_deref().and_then(safe_url) {
        let _ = writeln!(
            out,
            "<p><a href=\"{}\" rel=\"noopener noreferrer\">Documentation</a></p>",
            escape(url)
        );
    }
    out.push_str("</article>\n");
}

fn footer(out: &mut String, options: &RenderOptions) {
    out.push_str("</main>\n<footer><p>Made by goldenpath ");
    out.push_str(env!("CARGO_PKG_VERSION"));
    if let Some(epoch) = options.source_date_epoch {
        let _ = write!(out, " on {}", utc(epoch));
    }
    out.push_str(".</p></footer>\n");
}

/// `YYYY-MM-DD HH:MM UTC` of a Unix time.
fn utc(epoch: u64) -> String {
    let date = crate::suppress::date::Date::from_days(i64::try_from(epoch / 86_400).unwrap_or(0));
    let seconds = epoch % 86_400;
    format!(
        "{date} {:02}:{:02} UTC",
        seconds / 3600,
        seconds % 3600 / 60
    )
}

/// `'sha256-…'` of a style or script, for the policy.
fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The policy: nothing from anywhere, but this style, this script, and `data:` images
/// (the empty icon, which keeps the browser from asking for `/favicon.ico`).
fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(CSS),
        csp_hash(JS)
    )
}

fn page(run: &Run, body: &str, data: &str) -> String {
    let title = match run.report.repositories.as_slice() {
        [one] => format!("goldenpath: {}", escape(&visible(one))),
        _ => "goldenpath dashboard".to_string(),
    };
    let mut out = String::with_capacity(body.len() + data.len() + CSS.len() + JS.len() + 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"goldenpath {}\">\n<title>{title}</title>\n\
         <link rel=\"icon\" href=\"data:,\">\n<style>{CSS}</style>\n</head>\n<body>\n",
        content_security_policy(),
        env!("CARGO_PKG_VERSION")
    );
    out.push_str(body);
    let _ = write!(
        out,
        "<script type=\"application/json\" id=\"gp-data\">{data}</script>\n<script>{JS}</script>\n</body>\n</html>\n"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Span;
    use crate::report::sample::{diagnostic, file_level, report};

    #[test]
    fn escapes_for_html_and_script() {
        let hostile = "</script><script>alert(1)</script>";
        assert_eq!(
            escape(hostile),
            "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape("a\"b'c&"), "a&quot;b&#39;c&amp;");
        let json = serde_json::to_string(&format!("{hostile}<!-- \u{2028}\u{2029}&")).unwrap();
        let safe = script_json(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        assert!(!safe.contains('\u{2028}') && !safe.contains('\u{2029}'));
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, format!("{hostile}<!-- \u{2028}\u{2029}&"));
    }

    #[test]
    fn hidden_characters_are_shown() {
        assert_eq!(visible("a\u{1b}[31mb\tc\n"), "a␛[31mb\tc\n");
        assert_eq!(visible("x\u{202e}y\u{0}"), "x<U+202E>y␀");
        assert_eq!(visible("\r\u{7f}\u{85}"), "␍␡<U+0085>");
    }

    #[test]
    fn prose_shows_code_spans() {
        assert_eq!(
            prose("set `USER 10001` <now>"),
            "set <code>USER 10001</code> &lt;now&gt;"
        );
        assert_eq!(prose("odd ` tick <b>"), "odd ` tick &lt;b&gt;");
        assert_eq!(prose("`<script>`"), "<code>&lt;script&gt;</code>");
    }

    #[test]
    fn only_web_links() {
        assert_eq!(safe_url("https://x.test/a"), Some("https://x.test/a"));
        assert_eq!(safe_url("HTTP://x.test"), Some("HTTP://x.test"));
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,x"), None);
        assert_eq!(safe_url("http"), None);
    }

    #[test]
    fn anchors_are_ids_or_indices() {
        assert_eq!(rule_anchor(3, "GP-K8S-001"), "rule-GP-K8S-001");
        assert_eq!(rule_anchor(3, "main.deny"), "rule-main.deny");
        assert_eq!(rule_anchor(7, "a\"><b"), "rule-n7");
        assert_eq!(rule_anchor(8, ""), "rule-n8");
    }

    #[test]
    fn dates_from_source_date_epoch() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13 UTC");
    }

    #[test]
    fn excerpts_mark_the_span() {
        let d = diagnostic("r", "a.yaml", 4, "  image: nginx:latest", "m");
        let x = excerpt(&d).unwrap();
        assert_eq!(x.first_line, 4);
        assert_eq!(
            x.lines,
            vec![ExcerptLine::Marked(
                "  ".into(),
                "image: nginx:latest".into(),
                String::new()
            )]
        );
        assert!(excerpt(&file_level("r", "a", "m")).is_none());
    }

    #[test]
    fn long_lines_are_windowed_around_the_span() {
        let long = format!("{}TARGET{}", "a".repeat(1000), "b".repeat(1000));
        let source = format!("first\n{long}\nlast\n");
        let at = source.find("TARGET").unwrap();
        let line = excerpt_line(
            &source,
            6,
            6 + long.len(),
            Span::new(at, at + 6),
            1000 - LINE_LEAD,
        );
        let ExcerptLine::Marked(before, mark, after) = line else {
            panic!("marked");
        };
        assert_eq!(mark, "TARGET");
        assert_eq!(before, format!("…{}", "a".repeat(LINE_LEAD)));
        assert!(after.ends_with('…'));
        assert_eq!(before.len() + mark.len() + after.len(), LINE_WINDOW + 6);
        // A context line of the excerpt is short and shown whole.
        assert_eq!(
            excerpt_line(&source, 0, 5, Span::new(at, at + 6), 940),
            ExcerptLine::Plain("first".into())
        );
    }

    #[test]
    fn the_page_is_complete_and_its_policy_matches() {
        let r = report(
            vec![diagnostic(
                "main.deny",
                "x.yaml",
                2,
                "k: </script>",
                "bad </b>",
            )],
            &["x.yaml"],
        );
        let html = render(&r, &RenderOptions::default());
        assert!(html.starts_with("<!DOCTYPE html>\n"));
        assert!(html.ends_with("</html>\n"));
        assert!(!CSS.contains("</style") && !JS.contains("</script"));
        assert!(html.contains(&format!("<style>{CSS}</style>")));
        assert!(html.contains(&format!("<script>{JS}</script>")));
        assert!(html.contains(&content_security_policy()));
        assert_eq!(html.matches("</script>").count(), 2, "only the page's own");
        assert!(html.contains("bad &lt;/b&gt;"));
        assert!(
            !html.contains(" on 19"),
            "no time without SOURCE_DATE_EPOCH"
        );
        let dated = render(
            &r,
            &RenderOptions {
                source_date_epoch: Some(0),
                ..RenderOptions::default()
            },
        );
        assert!(dated.contains(" on 1970-01-01 00:00 UTC."));
    }

    #[test]
    fn a_huge_run_stays_bounded_and_says_what_it_left_out() {
        let long = "y".repeat(3000);
        let diagnostics: Vec<Diagnostic> = (0..2000)
            .map(|i| {
                diagnostic(
                    "main.deny",
                    &format!("dir/file{i}.yaml"),
                    i + 1,
                    &format!("key{i}: {long}"),
                    &format!("finding {i} {long}"),
                )
            })
            .collect();
        let r = report(diagnostics, &[]);
        let limits = Limits {
            data: 1 << 20,
            excerpts: 64 << 10,
        };
        let html = render_within(&r, &RenderOptions::default(), limits);
        assert!(html.len() < (1 << 20) + (512 << 10), "{} bytes", html.len());
        assert!(html.contains("id=\"left-out\""));
        let listed = html
            .split(" of 2000 findings are listed")
            .next()
            .and_then(|s| s.rsplit('>').next())
            .and_then(|n| n.parse::<usize>().ok())
            .expect("the data budget is reached");
        assert!((400..2000).contains(&listed), "{listed}");
        assert!(html.contains(&format!(
            "{listed} messages longer than 2000 characters are cut."
        )));
        assert!(html.contains("findings are shown without their source excerpt"));
        // The whole budget holds the whole run.
        let whole = render(&r, &RenderOptions::default());
        assert!(!whole.contains(" of 2000 findings are listed"));
        assert!(!whole.contains("without their source excerpt"));
    }
}

//! What a report shows of file-derived text, safe for any input: the excerpt of the source
//! lines around a span, and messages, file names and metadata made harmless for a terminal.
//!
//! - A long line is shown as a window of at most [`LINE_WINDOW`] characters around the
//!   span, with `…` where it was cut (as rustc and ruff do), so a finding on a 5 MB
//!   minified file prints a few hundred bytes, and no column, however far along a line,
//!   reaches a renderer's limits. A span that covers more than [`MAX_SPAN_LINES`] lines,
//!   or several lines one of which needs a window, is underlined on its first line only.
//! - Control characters (ESC, CR, BEL, DEL, the C1 range), bidirectional overrides and
//!   line separators are shown as visible escapes (`\x1b`, `\u{202e}`), so a file cannot
//!   clear the screen, forge a hyperlink or reorder what a reader sees. Tabs stay tabs in
//!   source lines (the renderer expands them).
//! - Messages are cut at [`MAX_TEXT`] characters.
//!
//! Every function is total: any text and any span (out of range, inside a character) give
//! an excerpt.

use std::borrow::Cow;
use std::ops::Range;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::locate::Position;

/// Characters of one source line shown around a span.
pub const LINE_WINDOW: usize = 200;
/// Characters kept before a span that is wider than the window.
const LEAD: usize = 16;
/// Lines a span may cover and still be underlined whole.
pub const MAX_SPAN_LINES: usize = 5;
/// Characters of a message or other file-derived text shown.
pub const MAX_TEXT: usize = 2_000;
/// Beyond this column, lines around a windowed line are left out (finding the window's
/// start on them would mean scanning that far along each).
const CONTEXT_COLUMN_LIMIT: usize = 65_536;
/// Marks text that was cut.
pub const ELLIPSIS: char = '…';

/// Source lines ready to print: escaped, windowed, with the span to underline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpt {
    /// The lines shown, each ending with `\n`.
    pub text: String,
    /// The byte range of `text` to underline.
    pub span: Range<usize>,
    /// The line number of the first line of `text`.
    pub first_line: usize,
}

/// An excerpt as miette's source: the lines with their real line numbers and, for the
/// span itself, its real line and column (however far along a long line it is).
#[derive(Clone, Debug)]
pub struct ExcerptSource {
    name: String,
    excerpt: Excerpt,
    /// The span's line, from 0.
    line: usize,
    /// The span's column in characters, from 0.
    column: usize,
}

impl ExcerptSource {
    /// The excerpt of `lines` (the first being line `first_line`) for the bytes `span` of
    /// `lines`, which start at `position` in the file named `name`.
    pub fn new(
        name: &str,
        lines: &str,
        first_line: usize,
        span: Range<usize>,
        position: Position,
    ) -> Self {
        ExcerptSource {
            name: one_line(name).into_owned(),
            excerpt: excerpt(lines, first_line, span),
            line: position.line.saturating_sub(1),
            column: position.column.saturating_sub(1),
        }
    }

    /// The span to label, in the excerpt.
    pub fn span(&self) -> SourceSpan {
        let span = &self.excerpt.span;
        SourceSpan::new(span.start.into(), span.end - span.start)
    }
}

impl SourceCode for ExcerptSource {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text = self.excerpt.text.as_str();
        let inner = text.read_span(span, before, after)?;
        let (line, column) = if before == 0 && span.offset() == self.excerpt.span.start {
            (self.line, self.column)
        } else {
            (inner.line() + self.excerpt.first_line - 1, inner.column())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line,
            column,
            inner.line_count(),
        )))
    }
}

/// An error as it reaches a terminal: its message, help and labels escaped as [`text`],
/// its related errors likewise (messages of errors quote policies, paths and files).
pub struct Escaped<'a> {
    inner: &'a dyn miette::Diagnostic,
    message: String,
    help: Option<String>,
    related: Vec<Escaped<'a>>,
}

impl<'a> Escaped<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a dyn miette::Diagnostic) -> Self {
        Escaped {
            inner,
            message: text(&inner.to_string()).into_owned(),
            help: inner.help().map(|h| text(&h.to_string()).into_owned()),
            related: inner
                .related()
                .map(|r| r.map(Escaped::new).collect())
                .unwrap_or_default(),
        }
    }
}

impl std::fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Escaped<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

impl miette::Diagnostic for Escaped<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        let code = self.inner.code()?.to_string();
        Some(Box::new(one_line(&code).into_owned()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.inner.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let labels = self.inner.labels()?.map(|l| {
            let label = l.label().map(|t| text(t).into_owned());
            if l.primary() {
                miette::LabeledSpan::new_primary_with_span(label, *l.inner())
            } else {
                miette::LabeledSpan::new_with_span(label, *l.inner())
            }
        });
        Some(Box::new(labels.collect::<Vec<_>>().into_iter()))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }

    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.inner.diagnostic_source()
    }
}

/// One line of the input: its byte range without the line ending, and its number.
#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    end: usize,
    number: usize,
}

/// The excerpt of `lines` (whole lines of a file, the first being line `first_line`) that
/// shows the byte range `span` of `lines`: that span's lines and one line either side.
pub fn excerpt(lines: &str, first_line: usize, span: Range<usize>) -> Excerpt {
    let all = split_lines(lines, first_line);
    let mut start = floor_boundary(lines, span.start);
    let mut end = floor_boundary(lines, span.end.max(span.start)).max(start);
    let first = line_of(&all, start);
    let mut last = line_of(&all, end.saturating_sub(1).max(start));
    // An end at the very start of a line belongs to the line before.
    if last > first && end <= all[last].start {
        last -= 1;
    }
    let shown = |first: usize, last: usize| first.saturating_sub(1)..(last + 2).min(all.len());
    let long = |range: Range<usize>| all[range].iter().any(|l| l.end - l.start > LINE_WINDOW);
    if last > first && (last - first >= MAX_SPAN_LINES || long(shown(first, last))) {
        last = first;
        end = end.min(all[first].end);
    }
    start = start.min(all[first].end);
    end = end.min(all[last].end).max(start);
    let window = if long(shown(first, last)) {
        Some(window(lines, all[first], start, end))
    } else {
        None
    };
    let mut out = Marks::new(start, end);
    let mut first_shown = None;
    for line in &all[shown(first, last)] {
        let range = match &window {
            None => Some(line.start..line.end),
            Some(w) if line.number == all[first].number => Some(w.bytes.clone()),
            Some(w) => w
                .columns
                .clone()
                .and_then(|columns| column_range(lines, *line, columns)),
        };
        let Some(range) = range else { continue };
        first_shown.get_or_insert(line.number);
        out.line(lines, *line, range);
    }
    let (text, span) = out.finish();
    Excerpt {
        text,
        span,
        first_line: first_shown.unwrap_or(first_line),
    }
}

/// The window of a long line: its byte range and, unless it starts too far along the
/// line to count, its character columns (0-based).
struct Window {
    bytes: Range<usize>,
    columns: Option<Range<usize>>,
}

/// At most [`LINE_WINDOW`] characters of `line` around `start..end`: the span centred when
/// it fits, else its start after [`LEAD`] characters of context.
fn window(text: &str, line: Line, start: usize, end: usize) -> Window {
    let width = text[start..end].chars().take(LINE_WINDOW).count();
    let before = if width + 2 * LEAD >= LINE_WINDOW {
        LEAD
    } else {
        (LINE_WINDOW - width) / 2
    };
    let mut left = back(text, line.start, start, before);
    let right = forward(text, left, line.end, LINE_WINDOW);
    let taken = text[left..right].chars().count();
    if taken < LINE_WINDOW {
        // Near the end of the line: use the room on the left.
        left = back(text, line.start, left, LINE_WINDOW - taken);
    }
    let count = text[left..right].chars().count();
    // Four bytes at most per character: within the limit, the count is too.
    let columns = (left - line.start <= 4 * CONTEXT_COLUMN_LIMIT).then(|| {
        let column = text[line.start..left].chars().count();
        column..column + count
    });
    Window {
        bytes: left..right,
        columns,
    }
}

/// The byte offset `n` characters before `from`, not before `floor`.
fn back(text: &str, floor: usize, from: usize, n: usize) -> usize {
    text[floor..from]
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(from, |(i, _)| floor + i)
}

/// The byte offset `n` characters after `from`, not after `ceiling`.
fn forward(text: &str, from: usize, ceiling: usize, n: usize) -> usize {
    text[from..ceiling]
        .char_indices()
        .nth(n)
        .map_or(ceiling, |(i, _)| from + i)
}

/// The bytes of `line` in the character columns `columns`; `None` when the columns are
/// too far along to look for.
fn column_range(text: &str, line: Line, columns: Range<usize>) -> Option<Range<usize>> {
    if columns.start > CONTEXT_COLUMN_LIMIT {
        return None;
    }
    let start = forward(text, line.start, line.end, columns.start);
    let end = forward(text, start, line.end, columns.end - columns.start);
    Some(start..end)
}

/// Builds the excerpt's text and finds where the span's ends land in it.
struct Marks {
    out: String,
    start: usize,
    end: usize,
    start_at: Option<usize>,
    end_at: Option<usize>,
}

impl Marks {
    fn new(start: usize, end: usize) -> Self {
        Marks {
            out: String::new(),
            start,
            end,
            start_at: None,
            end_at: None,
        }
    }

    /// Appends the bytes `shown` of `line`, with `…` where the line goes on.
    fn line(&mut self, text: &str, line: Line, shown: Range<usize>) {
        if shown.start > line.start {
            self.out.push(ELLIPSIS);
        }
        self.mark(line.start..=shown.start);
        for (i, c) in text[shown.clone()].char_indices() {
            self.mark(shown.start + i..=shown.start + i);
            push_escaped(&mut self.out, c, Keep::Tabs);
        }
        self.mark(shown.end..=line.end);
        if shown.end < line.end {
            self.out.push(ELLIPSIS);
        }
        self.out.push('\n');
    }

    /// Records the current output position for each end of the span in `at`.
    fn mark(&mut self, at: std::ops::RangeInclusive<usize>) {
        if self.start_at.is_none() && at.contains(&self.start) {
            self.start_at = Some(self.out.len());
        }
        if self.end_at.is_none() && at.contains(&self.end) && self.start_at.is_some() {
            self.end_at = Some(self.out.len());
        }
    }

    fn finish(self) -> (String, Range<usize>) {
        let start = self.start_at.unwrap_or(0);
        let end = self.end_at.unwrap_or(self.out.len()).max(start);
        (self.out, start..end)
    }
}

fn split_lines(text: &str, first_line: usize) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (number, piece) in text.split_inclusive('\n').enumerate() {
        let content = piece.strip_suffix('\n').unwrap_or(piece);
        let content = content.strip_suffix('\r').unwrap_or(content);
        lines.push(Line {
            start,
            end: start + content.len(),
            number: first_line + number,
        });
        start += piece.len();
    }
    if lines.is_empty() {
        lines.push(Line {
            start: 0,
            end: 0,
            number: first_line,
        });
    }
    lines
}

/// The index of the line holding byte `offset`.
fn line_of(lines: &[Line], offset: usize) -> usize {
    lines
        .partition_point(|l| l.start <= offset)
        .saturating_sub(1)
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Which whitespace controls stay as they are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Nothing: a file name or other one-line text.
    Nothing,
    /// Tabs: a source line.
    Tabs,
    /// Tabs and newlines: a message.
    TabsAndNewlines,
}

/// Whether `c` must not reach a terminal as it is.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

fn push_escaped(out: &mut String, c: char, keep: Keep) {
    let kept = match c {
        '\t' => keep != Keep::Nothing,
        '\n' => keep == Keep::TabsAndNewlines,
        c => !is_unsafe(c),
    };
    if kept {
        out.push(c);
        return;
    }
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

fn escape(text: &str, keep: Keep, max_chars: usize) -> Cow<'_, str> {
    let cut = text.char_indices().nth(max_chars).map(|(i, _)| i);
    let kept = &text[..cut.unwrap_or(text.len())];
    let needs_escaping = |c: char| match c {
        '\t' => keep == Keep::Nothing,
        '\n' => keep != Keep::TabsAndNewlines,
        c => is_unsafe(c),
    };
    if cut.is_none() && !kept.chars().any(needs_escaping) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(kept.len() + 3);
    for c in kept.chars() {
        push_escaped(&mut out, c, keep);
    }
    if cut.is_some() {
        out.push(ELLIPSIS);
    }
    Cow::Owned(out)
}

/// A message, help text or other prose from a policy or a file: control characters
/// escaped (tabs and newlines kept), cut at [`MAX_TEXT`] characters.
pub fn text(text: &str) -> Cow<'_, str> {
    escape(text, Keep::TabsAndNewlines, MAX_TEXT)
}

/// A file name, rule id or other one-line text: every control character escaped,
/// newlines and tabs included, cut at [`MAX_TEXT`] characters.
pub fn one_line(text: &str) -> Cow<'_, str> {
    escape(text, Keep::Nothing, MAX_TEXT)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The excerpt of `lines` for the first occurrence of `needle`, as the lines shown and
    /// the underlined text.
    fn show(lines: &str, needle: &str) -> (String, String, usize) {
        let at = lines.find(needle).expect("needle");
        let e = excerpt(lines, 10, at..at + needle.len());
        let underlined = e.text[e.span.clone()].to_string();
        (e.text, underlined, e.first_line)
    }

    #[test]
    fn short_lines_are_shown_whole_with_one_line_around() {
        let lines = "a: 1\nb: 2\nc: 3\n";
        let (text, underlined, first) = show(lines, "2");
        assert_eq!(text, lines);
        assert_eq!(underlined, "2");
        assert_eq!(first, 10);
        // The caller may pass more lines than are shown.
        let lines = "a\nb\nc\nd\ne\n";
        let at = lines.find('d').expect("d");
        let e = excerpt(lines, 1, at..at + 1);
        assert_eq!(e.text, "c\nd\ne\n");
        assert_eq!(e.first_line, 3);
    }

    #[test]
    fn a_long_line_is_a_window_around_the_span() {
        let line = format!("{}TARGET{}", "x".repeat(100_000), "y".repeat(100_000));
        let (text, underlined, _) = show(&line, "TARGET");
        assert_eq!(underlined, "TARGET");
        assert!(text.starts_with('…') && text.ends_with("…\n"), "{text}");
        // The window and its two marks.
        assert_eq!(text.chars().count(), LINE_WINDOW + 3);
        // The span is centred.
        let before = text.find("TARGET").expect("shown");
        assert!(
            (90..110).contains(&text[..before].chars().count()),
            "{text}"
        );
    }

    #[test]
    fn windows_at_the_ends_of_a_line_use_the_room_on_the_other_side() {
        let line = format!("START{}", "x".repeat(10_000));
        let (text, underlined, _) = show(&line, "START");
        assert!(text.starts_with("START"));
        assert_eq!(text.chars().count(), LINE_WINDOW + 2);
        assert_eq!(underlined, "START");
        let line = format!("{}END", "x".repeat(10_000));
        let (text, underlined, _) = show(&line, "END");
        assert_eq!(text, format!("…{}END\n", "x".repeat(LINE_WINDOW - 3)));
        assert_eq!(underlined, "END");
    }

    #[test]
    fn a_span_wider_than_the_window_is_cut() {
        let line = format!(
            "{}{}{}",
            "a".repeat(5_000),
            "b".repeat(1_000_000),
            "c".repeat(10)
        );
        let at = 5_000;
        let e = excerpt(&line, 1, at..at + 1_000_000);
        let underlined = &e.text[e.span.clone()];
        assert!(underlined.chars().all(|c| c == 'b'), "{underlined}");
        assert_eq!(underlined.len(), LINE_WINDOW - LEAD);
        assert!(e.text.len() < 1_000);
    }

    #[test]
    fn lines_around_a_window_show_the_same_columns() {
        let above = "0123456789".repeat(50);
        let target = format!("{}X{}", "-".repeat(300), "-".repeat(300));
        let text = format!("{above}\n{target}\nshort\n");
        let (shown, underlined, first) = show(&text, "X");
        assert_eq!(underlined, "X");
        assert_eq!(first, 10);
        let rows: Vec<&str> = shown.lines().collect();
        assert_eq!(rows.len(), 3);
        let column = |row: &str, needle: char| row.chars().position(|c| c == needle);
        // `X` sits at column 300 of its line; the line above shows the same columns.
        assert_eq!(column(rows[1], 'X'), Some(1 + (LINE_WINDOW - 1) / 2));
        assert!(rows[0].starts_with('…'));
        assert_eq!(rows[0].chars().count(), rows[1].chars().count());
        // The short line has nothing in those columns.
        assert_eq!(rows[2], "…");
    }

    #[test]
    fn control_characters_become_visible_escapes() {
        let line = "name: \u{1b}[2J\u{1b}]8;;http://x\u{7}link\u{202e}txt\r\n";
        let (text, underlined, _) = show(line, "name");
        assert_eq!(
            text,
            "name: \\x1b[2J\\x1b]8;;http://x\\x07link\\u{202e}txt\n"
        );
        assert_eq!(underlined, "name");
        // The span is mapped through the escapes.
        let (_, underlined, _) = show(line, "\u{1b}[2J");
        assert_eq!(underlined, "\\x1b[2J");
        // Tabs stay in source lines.
        let (text, _, _) = show("\tkey: v\n", "key");
        assert_eq!(text, "\tkey: v\n");
    }

    #[test]
    fn multi_line_spans() {
        let text = "a\nb: |\n  one\n  two\nc\n";
        let at = text.find("|").expect("|");
        let end = text.find("two").expect("two") + 3;
        let e = excerpt(text, 1, at..end);
        assert_eq!(e.text, text);
        assert_eq!(&e.text[e.span.clone()], "|\n  one\n  two");
        // Past the limit, only the first line is underlined.
        let long: String = (0..20).map(|i| format!("  l{i}\n")).collect();
        let text = format!("a\nb: |\n{long}c\n");
        let at = text.find("|").expect("|");
        let e = excerpt(&text, 1, at..text.len() - 2);
        assert_eq!(e.text, "a\nb: |\n  l0\n");
        assert_eq!(&e.text[e.span.clone()], "|");
    }

    #[test]
    fn any_span_gives_an_excerpt() {
        let text = "é\nü\n";
        for (start, end) in [(0, 0), (1, 1), (0, 99), (99, 99), (5, 2), (3, 4)] {
            let e = excerpt(text, 1, start..end);
            assert!(e.span.start <= e.span.end && e.span.end <= e.text.len());
            assert!(e.text.is_char_boundary(e.span.start) && e.text.is_char_boundary(e.span.end));
        }
        let e = excerpt("", 7, 0..0);
        assert_eq!((e.text.as_str(), e.span, e.first_line), ("\n", 0..0, 7));
        // An empty span at the end of a line.
        let e = excerpt("ab\ncd\n", 1, 2..2);
        assert_eq!(e.span, 2..2);
    }

    #[test]
    fn text_and_names() {
        assert!(matches!(text("plain message"), Cow::Borrowed(_)));
        assert_eq!(text("a\n\tb\u{1b}[31m"), "a\n\tb\\x1b[31m");
        assert_eq!(one_line("evil\nname\t.yaml"), "evil\\nname\\t.yaml");
        assert_eq!(one_line("\u{9b}31m"), "\\u{9b}31m");
        let long = "é".repeat(MAX_TEXT + 10);
        let cut = text(&long);
        assert_eq!(cut.chars().count(), MAX_TEXT + 1);
        assert!(cut.ends_with(ELLIPSIS));
    }
}

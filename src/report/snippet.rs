//! Source excerpts for people: a few numbered lines of a file with marked character
//! ranges underlined and labelled, as the human report and run-stopping errors show them.
//!
//! ```text
//!    |
//! 16 |       containers:
//! 17 |         - name: api
//!    |           ^^^^^^^^^ GP-K8S-001, GP-K8S-002
//! 18 |           image: ghcr.io/acme/payments-api:latest
//! ```
//!
//! Every piece of text that comes from a checked file (source lines, and through
//! [`shown_text`] messages and paths) goes through this module, so escaping control
//! characters and windowing very long lines happen in one place. The work and the output
//! are bounded by the room on the screen, not by the input: a window is found by looking
//! only at the characters around the mark (a finding on a 5 MB minified line costs a few
//! hundred bytes of work and output, however far along the line), and a message is cut
//! at [`MAX_TEXT`] characters.

use std::ops::Range;

use unicode_width::UnicodeWidthChar;

use super::paint::{Paint, Tone};

/// Characters of a source line shown when stdout is not a terminal: a longer line is
/// cut to a window around its marks.
pub const PIPED_WIDTH: usize = 200;

/// Characters of a message, path or label shown; the rest is cut, with `…`.
pub const MAX_TEXT: usize = 2_000;

/// A marked range on one line of an [`Excerpt`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// The 1-based line number.
    pub line: usize,
    /// Character columns, 0-based, end exclusive (an empty range marks one position).
    pub columns: Range<usize>,
    /// The text after the underline.
    pub label: String,
    /// Its colour.
    pub tone: Tone,
}

/// Numbered lines of a file and the marks on them.
#[derive(Clone, Debug, Default)]
pub struct Excerpt<'a> {
    /// The number of the first line.
    pub first_line: usize,
    /// The lines, without their line endings.
    pub lines: Vec<&'a str>,
    /// The marks, in any order.
    pub marks: Vec<Mark>,
}

impl<'a> Excerpt<'a> {
    /// The lines of `text` (whole lines, the first numbered `first_line`).
    pub fn new(text: &'a str, first_line: usize) -> Self {
        let text = text.strip_suffix('\n').unwrap_or(text);
        Excerpt {
            first_line,
            lines: text
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .collect(),
            marks: Vec::new(),
        }
    }

    /// Renders the excerpt: a gutter with the line numbers, each marked line followed by
    /// one underline row per distinct range (its labels joined). `width` is the room for
    /// a source line, in terminal columns.
    pub fn render(&self, paint: &Paint, width: usize) -> String {
        let last = self.first_line + self.lines.len().saturating_sub(1);
        let gutter = last.to_string().len();
        let bar = paint.tone(Tone::Gutter, "|");
        let blank = format!("{:gutter$} {bar}", "");
        let mut out = String::new();
        out.push_str(&blank);
        out.push('\n');
        for (i, line) in self.lines.iter().enumerate() {
            let number = self.first_line + i;
            let marks = self.marks_on(number);
            let ranges: Vec<Range<usize>> = marks.iter().map(|m| m.columns.clone()).collect();
            let shown = show_line(line, &ranges, width);
            let numbered = paint.tone(Tone::Gutter, &format!("{number:>gutter$} |"));
            push_line(&mut out, &format!("{numbered} {}", shown.text));
            for (mark, columns) in marks.iter().zip(&shown.marks) {
                let carets = "^".repeat((columns.end - columns.start).max(1));
                let underline = format!(
                    "{}{} {}",
                    " ".repeat(columns.start),
                    carets,
                    shown_text(&mark.label)
                );
                push_line(
                    &mut out,
                    &format!("{blank} {}", paint.tone(mark.tone, &underline)),
                );
            }
        }
        out
    }

    /// The marks of line `number`, one per distinct range (labels of equal ranges
    /// joined with `, `, the strongest tone kept), ordered by position.
    fn marks_on(&self, number: usize) -> Vec<Mark> {
        let mut marks: Vec<Mark> = Vec::new();
        let mut on_line: Vec<&Mark> = self.marks.iter().filter(|m| m.line == number).collect();
        on_line.sort_by_key(|m| (m.columns.start, m.columns.end));
        for mark in on_line {
            match marks.iter_mut().find(|m| m.columns == mark.columns) {
                Some(same) => {
                    if !same.label.split(", ").any(|l| l == mark.label) {
                        same.label.push_str(", ");
                        same.label.push_str(&mark.label);
                    }
                    same.tone = same.tone.max(mark.tone);
                }
                None => marks.push(mark.clone()),
            }
        }
        marks
    }
}

/// Appends `line` without trailing blanks, and a newline.
fn push_line(out: &mut String, line: &str) {
    out.push_str(line.trim_end());
    out.push('\n');
}

/// One source line as shown, and where its marks land in it (display columns).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownLine {
    /// The text to print.
    pub text: String,
    /// The marks' ranges in display columns, 0-based, end exclusive, in the order given.
    pub marks: Vec<Range<usize>>,
}

/// How one character is shown: a tab as four spaces, a control or bidirectional
/// formatting character as an escape, anything else as itself.
fn shown_char(c: char) -> (String, usize) {
    if c == '\t' {
        return ("    ".to_string(), 4);
    }
    if is_hidden(c) {
        let escaped = c.escape_unicode().to_string();
        let width = escaped.len();
        return (escaped, width);
    }
    (c.to_string(), c.width().unwrap_or(0))
}

/// Characters that would move the cursor, change the terminal's state, reorder the text
/// around them or break a line if printed as they are: controls (C0, DEL, C1),
/// bidirectional marks, overrides and isolates, line and paragraph separators, and the
/// byte order mark.
fn is_hidden(c: char) -> bool {
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

/// A line of a checked file as shown: control characters escaped, tabs expanded, and a
/// line wider than `width` cut to a window around its first mark, with `…` where text
/// was left out. `marks` are character columns (0-based, end exclusive).
pub fn show_line(line: &str, marks: &[Range<usize>], width: usize) -> ShownLine {
    let width = width.max(20);
    // Only the characters around the first mark can be shown: cut a long line to a
    // stretch of them first, so the work does not grow with the line. Every character
    // takes at least one column, so `width` characters either side cover any window.
    let focus = marks.first().map_or(0, |m| m.start);
    let mut before = focus.saturating_sub(2 * width);
    let mut start = char_offset(line, 0, before);
    if start == line.len() && before > 0 {
        // The marks lie past the end of the line: look at its end.
        before = line.chars().count().saturating_sub(2 * width);
        start = char_offset(line, 0, before);
    }
    let end = char_offset(line, start, focus.saturating_sub(before) + 2 * width);
    if start == 0 && end == line.len() {
        return show_whole(line, marks, width);
    }
    let stretch = &line[start..end];
    let shifted: Vec<Range<usize>> = marks
        .iter()
        .map(|m| m.start.saturating_sub(before)..m.end.saturating_sub(before))
        .collect();
    let mut shown = show_whole(stretch, &shifted, width);
    // The stretch leaves out text on a side only when the window reaches past it there;
    // the window always leaves some out too, so it says so with its own `…`.
    if start > 0 && !shown.text.starts_with('…') {
        shown.text.insert(0, '…');
        for m in &mut shown.marks {
            *m = m.start + 1..m.end + 1;
        }
    }
    if end < line.len() && !shown.text.ends_with('…') {
        shown.text.push('…');
    }
    shown
}

/// The byte offset `n` characters after byte `from` of `text` (its end when shorter).
fn char_offset(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| from + i)
}

/// [`show_line`] on a line that is all there is to look at.
fn show_whole(line: &str, marks: &[Range<usize>], width: usize) -> ShownLine {
    // The display column where each character starts, and one past the end.
    let mut pieces: Vec<(String, usize)> = Vec::new();
    let mut starts = Vec::new();
    let mut column = 0;
    for c in line.chars() {
        let (text, w) = shown_char(c);
        starts.push(column);
        column += w;
        pieces.push((text, w));
    }
    starts.push(column);
    let total = column;
    // A column past the end of the line marks the place just after it.
    let at = |char_column: usize| {
        starts
            .get(char_column)
            .copied()
            .unwrap_or(total + char_column.saturating_sub(pieces.len()).min(1))
    };
    let display: Vec<Range<usize>> = marks.iter().map(|m| at(m.start)..at(m.end)).collect();
    if total <= width {
        let text = pieces.into_iter().map(|(t, _)| t).collect();
        return ShownLine {
            text,
            marks: display,
        };
    }
    // A window of `room` columns that shows the first mark, with some text before it.
    let room = width - 2;
    let focus = display.first().cloned().unwrap_or(0..0);
    let lead = (room / 4).min(focus.start);
    let from = focus.start - lead;
    let from = from.min(total.saturating_sub(room));
    let to = (from + room).min(total);
    let mut text = String::new();
    let cut_before = from > 0;
    if cut_before {
        text.push('…');
    }
    let mut first_shown = None;
    for ((piece, w), start) in pieces.iter().zip(&starts) {
        if *start >= from && start + w <= to {
            first_shown.get_or_insert(*start);
            text.push_str(piece);
        }
    }
    let origin = first_shown.unwrap_or(from);
    let shift = |c: usize| (c.clamp(origin, to) - origin) + usize::from(cut_before);
    if to < total {
        text.push('…');
    }
    ShownLine {
        text,
        marks: display
            .into_iter()
            .map(|r| shift(r.start)..shift(r.end))
            .collect(),
    }
}

/// A message, path or label that came from a checked file or a policy, made safe to
/// print on one line: control and bidirectional formatting characters are escaped
/// (a newline becomes `\u{a}`), and text past [`MAX_TEXT`] characters is cut, with `…`.
pub fn shown_text(text: &str) -> std::borrow::Cow<'_, str> {
    let cut = text.char_indices().nth(MAX_TEXT).map(|(i, _)| i);
    let kept = &text[..cut.unwrap_or(text.len())];
    if cut.is_none() && !kept.chars().any(is_hidden) {
        return text.into();
    }
    let mut out = String::with_capacity(kept.len() + 3);
    for c in kept.chars() {
        if is_hidden(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    if cut.is_some() {
        out.push('…');
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt(text: &str, first: usize, marks: &[(usize, Range<usize>, &str)]) -> String {
        let mut e = Excerpt::new(text, first);
        e.marks = marks
            .iter()
            .map(|(line, columns, label)| Mark {
                line: *line,
                columns: columns.clone(),
                label: label.to_string(),
                tone: Tone::Error,
            })
            .collect();
        e.render(&Paint::plain(), PIPED_WIDTH)
    }

    #[test]
    fn marks_on_a_line_are_merged_by_range_and_ordered() {
        let text = "FROM node:latest\nWORKDIR /app\n";
        let got = excerpt(
            text,
            1,
            &[
                (1, 5..16, "B"),
                (1, 0..16, "A"),
                (1, 5..16, "C"),
                (1, 0..16, "A"),
                (2, 8..8, "D"),
            ],
        );
        assert_eq!(
            got,
            "  |\n1 | FROM node:latest\n  | ^^^^^^^^^^^^^^^^ A\n  |      ^^^^^^^^^^^ B, C\n2 | WORKDIR /app\n  |         ^ D\n"
        );
    }

    #[test]
    fn the_gutter_fits_the_last_line_number() {
        let got = excerpt("a\nb\nc\n", 9, &[(10, 0..1, "x")]);
        assert_eq!(got, "   |\n 9 | a\n10 | b\n   | ^ x\n11 | c\n");
    }

    #[test]
    fn tabs_and_control_characters_keep_marks_aligned() {
        let shown = show_line("\tkey:\u{1b}[31m v", std::slice::from_ref(&(11..12)), 200);
        assert_eq!(shown.text, "    key:\\u{1b}[31m v");
        assert_eq!(shown.marks, vec![19..20]);
        let wide = show_line("名前: x", std::slice::from_ref(&(4..5)), 200);
        assert_eq!(wide.marks, vec![6..7], "wide characters take two columns");
    }

    #[test]
    fn long_lines_are_windowed_around_the_first_mark() {
        let line = format!("{}needle{}", "a".repeat(500), "b".repeat(500));
        let shown = show_line(&line, std::slice::from_ref(&(500..506)), 100);
        assert!(shown.text.starts_with('…') && shown.text.ends_with('…'));
        assert_eq!(shown.text.chars().count(), 100);
        let mark = shown.marks[0].clone();
        let visible: String = shown.text.chars().skip(mark.start).take(6).collect();
        assert_eq!(visible, "needle");
        let end = show_line(&line, std::slice::from_ref(&(1000..1006)), 100);
        assert!(end.text.starts_with('…') && !end.text.ends_with('…'));
        let visible: String = end.text.chars().skip(end.marks[0].start).take(6).collect();
        assert_eq!(visible, "bbbbbb");
    }

    #[test]
    fn text_is_kept_on_one_line() {
        assert_eq!(shown_text("plain"), "plain");
        assert_eq!(shown_text("two\nlines"), "two\\u{a}lines");
        assert_eq!(shown_text("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(shown_text("\u{9b}31m\u{2028}"), "\\u{9b}31m\\u{2028}");
        let long = "é".repeat(MAX_TEXT + 10);
        let cut = shown_text(&long);
        assert_eq!(cut.chars().count(), MAX_TEXT + 1);
        assert!(cut.ends_with('…'));
    }

    /// The `n` characters a line shows under its first mark.
    fn under_first_mark(shown: &ShownLine, n: usize) -> String {
        shown
            .text
            .chars()
            .skip(shown.marks[0].start)
            .take(n)
            .collect()
    }

    #[test]
    fn a_mark_far_along_a_huge_line_costs_a_window() {
        // 5 MB on one line, the mark past column 4,000,000: the same window as on a short
        // line with the same surroundings.
        let line = format!("{}TARGET{}", "x".repeat(4_000_000), "y".repeat(1_000_000));
        let shown = show_line(&line, std::slice::from_ref(&(4_000_000..4_000_006)), 200);
        assert_eq!(shown.text.chars().count(), 200);
        assert!(shown.text.starts_with('…') && shown.text.ends_with('…'));
        assert_eq!(under_first_mark(&shown, 6), "TARGET");
        let short = format!("{}TARGET{}", "x".repeat(1_000), "y".repeat(1_000));
        let same = show_line(&short, std::slice::from_ref(&(1_000..1_006)), 200);
        assert_eq!(shown, same);
        // A mark wider than the window is cut with it.
        let wide = show_line(&line, std::slice::from_ref(&(10..4_500_000)), 200);
        assert_eq!(wide.text.chars().count(), 199, "no `…` before");
        assert!(wide.marks[0].end <= 200);
        // Marks past the end of a line stay on it.
        let past = show_line("short", std::slice::from_ref(&(90_000..90_001)), 200);
        assert!(past.marks[0].start <= 6, "{past:?}");
    }

    #[test]
    fn escapes_in_a_window_keep_marks_aligned() {
        let line = format!("{}\u{1b}[2Jname{}", "a".repeat(1_000), "b".repeat(1_000));
        let shown = show_line(&line, std::slice::from_ref(&(1_004..1_008)), 100);
        assert_eq!(under_first_mark(&shown, 4), "name");
        assert!(shown.text.contains("\\u{1b}[2J") && !shown.text.contains('\u{1b}'));
    }
}

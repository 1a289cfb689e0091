//! Errors that stop a command (a policy that does not compile, an invalid configuration,
//! a path that does not exist), in one style: `error: <message>`, then where it is
//! (`--> file:line:col` and an excerpt with the place underlined, as the human report
//! shows findings), then `= help: ...`; related mistakes follow, each in the same form.

use std::fmt::Write as _;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use super::human::Style;
use super::paint::{Paint, Tone};
use super::snippet::{shown_text, Excerpt, Mark};

/// Renders `err` and the mistakes related to it.
pub fn render(err: &dyn Diagnostic, style: &Style) -> String {
    let mut out = String::new();
    render_one(err, style, &mut out);
    if let Some(related) = err.related() {
        for other in related {
            out.push('\n');
            render_one(other, style, &mut out);
        }
    }
    out
}

/// `error: <message>` for an error with nothing to point at.
pub fn render_message(message: &str, style: &Style) -> String {
    let paint = style.paint();
    format!("{}: {}\n", paint.tone(Tone::Error, "error"), message)
}

fn render_one(err: &dyn Diagnostic, style: &Style, out: &mut String) {
    let paint = style.paint();
    out.push_str(&render_message(&shown_text(&err.to_string()), style));
    if let (Some(source), Some(labels)) = (err.source_code(), err.labels()) {
        for label in labels {
            out.push_str(&located(source, &label, style, &paint));
        }
    }
    if let Some(help) = err.help() {
        let _ = writeln!(out, "  = help: {}", shown_text(&help.to_string()));
    }
}

/// ` --> file:line:col` and the excerpt around `label`, or nothing when the source
/// cannot be read there.
fn located(source: &dyn SourceCode, label: &LabeledSpan, style: &Style, paint: &Paint) -> String {
    let Ok(contents) = source.read_span(label.inner(), 1, 1) else {
        return String::new();
    };
    let Ok(text) = std::str::from_utf8(contents.data()) else {
        return String::new();
    };
    let Some(before) = label
        .offset()
        .checked_sub(contents.span().offset())
        .and_then(|at| text.get(..at))
    else {
        return String::new();
    };
    let line_index = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count();
    let mut excerpt = Excerpt::new(text, contents.line() + 1);
    let line = excerpt.first_line + line_index;
    let rest = &text[before.len()..];
    let on_line = rest.find('\n').map_or(rest, |i| &rest[..i]);
    let length = rest
        .get(..label.len().min(rest.len()))
        .unwrap_or(on_line)
        .chars()
        .count()
        .min(on_line.trim_end_matches('\r').chars().count());
    excerpt.marks.push(Mark {
        line,
        columns: column..column + length,
        label: label.label().unwrap_or("").to_string(),
        tone: Tone::Error,
    });
    let name = contents
        .name()
        .map_or_else(String::new, |n| format!("{}:", shown_text(n)));
    let gutter = (excerpt.first_line + excerpt.lines.len()).to_string().len();
    let mut out = format!(
        "{:gutter$}{} {name}{line}:{}\n",
        "",
        paint.tone(Tone::Gutter, "-->"),
        column + 1
    );
    let room = match style.width {
        Some(width) => width.saturating_sub(gutter + 3),
        None => super::snippet::PIPED_WIDTH,
    };
    out.push_str(&excerpt.render(paint, room));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source_error::SourceError;

    #[test]
    fn errors_start_with_error_and_point_at_the_place() {
        let text = "a = 1\nfail-on = \"sometimes\"\nb = 2\n";
        let err = SourceError::new("goldenpath::config::invalid", "`fail-on` is wrong")
            .with_source("goldenpath.toml", text)
            .at(Some(crate::document::Span::new(16, 27)))
            .with_help("see the schema")
            .with_related(vec![SourceError::new("x", "second")]);
        assert_eq!(
            render(&err, &Style::default()),
            "\
error: `fail-on` is wrong
 --> goldenpath.toml:2:11
  |
1 | a = 1
2 | fail-on = \"sometimes\"
  |           ^^^^^^^^^^^ here
3 | b = 2
  = help: see the schema

error: second
"
        );
    }
}

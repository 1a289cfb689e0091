//! Colours of the reports for people: one [`Tone`] per kind of text, and a [`Paint`] that
//! wraps text in ANSI styles when colour is on and leaves it alone when it is off.

use anstyle::{AnsiColor, Style};

use crate::finding::Severity;

/// What a piece of text is, for its colour. Ordered by strength, so the strongest of
/// several findings' tones wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tone {
    /// Line numbers and the gutter.
    Gutter,
    /// A file path or other text to find quickly.
    Strong,
    /// An info finding.
    Info,
    /// A warning.
    Warning,
    /// An error.
    Error,
}

impl Tone {
    /// The tone of a severity.
    pub fn of(severity: Severity) -> Tone {
        match severity {
            Severity::Error => Tone::Error,
            Severity::Warning => Tone::Warning,
            Severity::Info => Tone::Info,
        }
    }

    fn style(self) -> Style {
        let color = |c: AnsiColor| Style::new().fg_color(Some(c.into())).bold();
        match self {
            Tone::Gutter => color(AnsiColor::Blue),
            Tone::Strong => Style::new().bold(),
            Tone::Info => color(AnsiColor::Cyan),
            Tone::Warning => color(AnsiColor::Yellow),
            Tone::Error => color(AnsiColor::Red),
        }
    }
}

/// Applies tones, or not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Paint {
    color: bool,
}

impl Paint {
    /// Colour on when `color`.
    pub fn new(color: bool) -> Self {
        Paint { color }
    }

    /// No colour.
    pub fn plain() -> Self {
        Paint { color: false }
    }

    /// `text` in `tone`.
    pub fn tone(&self, tone: Tone, text: &str) -> String {
        if !self.color || text.is_empty() {
            return text.to_string();
        }
        let style = tone.style();
        format!("{}{text}{}", style.render(), style.render_reset())
    }
}

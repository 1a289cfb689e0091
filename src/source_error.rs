//! [`SourceError`]: the one error type that points into a file goldenpath read (a policy,
//! a schema, a data file, the configuration, a file that did not parse). Every stage's
//! error enum wraps it for its located cases, so the span conversion and the rendering
//! (file name, the line underlined, a help line, related mistakes) live in one place.
//!
//! The file's text is shared (an error with many related mistakes holds it once) and
//! shown through an [`Excerpt`](crate::report::excerpt::Excerpt): a window of a long
//! line, control characters escaped.

use std::fmt;
use std::sync::{Arc, OnceLock};

use miette::{LabeledSpan, SourceCode, SourceSpan};

use crate::document::Span;
use crate::report::excerpt::{self, ExcerptSource};

/// An error located in a file's text.
#[derive(Debug)]
pub struct SourceError {
    /// The diagnostic code, e.g. `goldenpath::config::invalid`.
    pub code: &'static str,
    /// The headline.
    pub message: String,
    /// The file's name and text, when it could be read.
    pub src: Option<(String, Arc<str>)>,
    /// Where, when known (bytes of the file).
    pub span: Option<SourceSpan>,
    /// A hint, when there is one.
    pub help: Option<String>,
    /// Further mistakes in the same file.
    pub related: Vec<SourceError>,
    /// What is shown of the file, made when first rendered.
    shown: OnceLock<Option<ExcerptSource>>,
}

impl SourceError {
    /// An error with a code and a headline, not yet located.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        SourceError {
            code,
            message: message.into(),
            src: None,
            span: None,
            help: None,
            related: Vec::new(),
            shown: OnceLock::new(),
        }
    }

    /// The file it is about: its name as reported and its text (pass an `Arc<str>` to
    /// share one text between errors).
    pub fn with_source(mut self, name: &str, text: impl Into<Arc<str>>) -> Self {
        self.src = Some((name.to_string(), text.into()));
        self
    }

    /// The file it is about, when its text may be unknown.
    pub fn with_optional_source(self, name: &str, text: Option<impl Into<Arc<str>>>) -> Self {
        match text {
            Some(text) => self.with_source(name, text),
            None => self,
        }
    }

    /// Where in the file (byte range).
    pub fn at(mut self, span: Option<Span>) -> Self {
        self.span = span.map(to_source_span);
        self
    }

    /// A hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// A hint, when there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Further mistakes in the same file.
    pub fn with_related(mut self, related: Vec<SourceError>) -> Self {
        self.related = related;
        self
    }
}

impl SourceError {
    /// The excerpt shown for the span, when there are a text and a span.
    fn shown(&self) -> Option<&ExcerptSource> {
        self.shown
            .get_or_init(|| {
                let (name, text) = self.src.as_ref()?;
                let span = self.span?;
                let start = span.offset().min(text.len());
                let end = (span.offset() + span.len()).min(text.len());
                let index = crate::locate::LineIndex::new(text);
                let (lines, first_line) = index.context(Span::new(start, end));
                let position = index.position(start);
                Some(ExcerptSource::new(
                    name,
                    &text[lines.start..lines.end],
                    first_line,
                    start - lines.start..end - lines.start,
                    position,
                ))
            })
            .as_ref()
    }
}

/// A byte range as miette's span.
pub fn to_source_span(span: Span) -> SourceSpan {
    SourceSpan::new(span.start.into(), span.end - span.start)
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&excerpt::text(&self.message))
    }
}

impl std::error::Error for SourceError {}

impl miette::Diagnostic for SourceError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(excerpt::text(h)) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.shown().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.shown()?.span();
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".to_string()),
            span,
        ))))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

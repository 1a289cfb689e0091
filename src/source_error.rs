//! [`SourceError`]: the one error type that points into a file goldenpath read (a policy,
//! a schema, a data file, the configuration, a file that did not parse). Every stage's
//! error enum wraps it for its located cases, so the span conversion and the rendering
//! (file name, the line underlined, a help line, related mistakes) live in one place.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceCode, SourceSpan};

use crate::document::Span;

/// An error located in a file's text.
#[derive(Debug)]
pub struct SourceError {
    /// The diagnostic code, e.g. `goldenpath::config::invalid`.
    pub code: &'static str,
    /// The headline.
    pub message: String,
    /// The file's name and text, when it could be read (shared: an error with many
    /// related mistakes holds the text once).
    pub src: Option<NamedSource<Arc<str>>>,
    /// Where, when known.
    pub span: Option<SourceSpan>,
    /// A hint, when there is one.
    pub help: Option<String>,
    /// Further mistakes in the same file.
    pub related: Vec<SourceError>,
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
        }
    }

    /// The file it is about: its name as reported and its text (pass an `Arc<str>` to
    /// share one text between errors).
    pub fn with_source(mut self, name: &str, text: impl Into<Arc<str>>) -> Self {
        self.src = Some(NamedSource::new(name, text.into()));
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
    /// The span cut to the end of its first line: an error about a whole file (a schema
    /// that is not valid at its root, say) shows one line, not the file.
    fn first_line_of_span(&self) -> Option<SourceSpan> {
        let span = self.span?;
        let Some(text) = self.src.as_ref().map(|s| s.inner()) else {
            return Some(span);
        };
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).min(text.len());
        let len = text
            .get(start..end)
            .and_then(|s| s.find('\n'))
            .unwrap_or(end - start);
        Some(SourceSpan::new(start.into(), len))
    }
}

/// A byte range as miette's span.
pub fn to_source_span(span: Span) -> SourceSpan {
    SourceSpan::new(span.start.into(), span.end - span.start)
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.first_line_of_span()?;
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

//! Locating: turns a [`Finding`]'s symbolic target into a [`Diagnostic`] with a byte span,
//! 1-based lines and columns (counted in Unicode characters), and the source lines around
//! it for rendering.

use std::sync::Arc;

use serde::Serialize;

use crate::document::{Document, InputOrigin, Node, NodeKind, PathSeg, Span};
use crate::finding::{Finding, Severity, Target};

/// A 1-based line and column; columns count Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, in characters.
    pub column: usize,
}

/// Where a diagnostic points: start and (exclusive) end positions and the byte span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// First character.
    pub start: Position,
    /// One past the last character.
    pub end: Position,
    /// The same range in bytes.
    pub span: Span,
}

/// The source lines around a region. The text is the file's, shared by every diagnostic
/// of the file (memory grows with the files that have findings, not with the number of
/// findings times the length of their lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// The whole text of the file.
    pub source: Arc<str>,
    /// The byte range of the lines shown: whole lines, one either side of the region's.
    pub lines: Span,
    /// The line number of the first line shown.
    pub first_line: usize,
}

impl Snippet {
    /// The lines shown.
    pub fn text(&self) -> &str {
        self.source
            .get(self.lines.start..self.lines.end)
            .unwrap_or("")
    }

    /// The byte offset of the first line shown in the file.
    pub fn offset(&self) -> usize {
        self.lines.start
    }
}

/// A located finding, ready for any report.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Rule id.
    pub rule: String,
    /// Severity.
    pub severity: Severity,
    /// Message.
    pub message: String,
    /// File, as reported.
    pub file: String,
    /// Position in the file, when the finding has one.
    pub region: Option<Region>,
    /// Result metadata from the policy.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Source lines around `region`.
    pub snippet: Option<Snippet>,
}

impl Diagnostic {
    /// An error about `file` as a whole, with no position (a directory that could not be
    /// read, say).
    pub fn file_level(rule: &str, file: &str, message: &str) -> Diagnostic {
        Diagnostic {
            rule: rule.to_string(),
            severity: Severity::Error,
            message: message.to_string(),
            file: file.to_string(),
            region: None,
            metadata: Default::default(),
            snippet: None,
        }
    }

    /// The order of reports: file, position, rule, message.
    pub fn sort_key(&self) -> (&str, Option<Position>, &str, &str) {
        (
            &self.file,
            self.region.map(|r| r.start),
            &self.rule,
            &self.message,
        )
    }
}

/// Lines a span may cover and still be shown whole in a snippet.
pub const MAX_SPAN_LINES: usize = 5;

/// Bytes between two checkpoints of [`LineIndex`]'s character counts.
const CHECKPOINT: usize = 4096;

/// Line starts of a text, for offset to line/column conversion. Columns cost at most
/// [`CHECKPOINT`] bytes of counting, however long the line: thousands of findings on
/// one minified line are located in linear time.
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// The number of characters before every multiple of [`CHECKPOINT`].
    chars_before: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut chars_before = Vec::with_capacity(text.len() / CHECKPOINT + 1);
        let mut count = 0;
        for chunk in text.as_bytes().chunks(CHECKPOINT) {
            chars_before.push(count);
            count += char_starts(chunk);
        }
        LineIndex {
            text,
            starts,
            chars_before,
        }
    }

    /// The number of characters in `text[..offset]` (`offset` on a char boundary).
    fn chars_to(&self, offset: usize) -> usize {
        let block = offset / CHECKPOINT;
        let before = self.chars_before.get(block).copied().unwrap_or(0);
        before + char_starts(&self.text.as_bytes()[block * CHECKPOINT..offset])
    }

    /// The 0-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// The position of byte `offset` (clamped to the text, moved back to a char boundary).
    pub fn position(&self, offset: usize) -> Position {
        let offset = self.floor_boundary(offset);
        let line = self.line_of(offset);
        let start = self.starts[line];
        let column = self.chars_to(offset) - self.chars_to(start) + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    fn floor_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The byte range of 1-based `line` without its line ending, or `None` past the end.
    pub fn line_span(&self, line: usize) -> Option<Span> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self
            .starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        let end = if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        Some(Span::new(start, end.max(start)))
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// A region for a byte span.
    pub fn region(&self, span: Span) -> Region {
        let start = self.floor_boundary(span.start);
        let end = self.floor_boundary(span.end.max(start));
        Region {
            start: self.position(start),
            end: self.position(end),
            span: Span::new(start, end),
        }
    }

    /// The whole lines around `span`, one line of context either side: their byte range
    /// and the number of the first. A span over more than [`MAX_SPAN_LINES`] lines is
    /// shown by its first line (a finding on a value of 100,000 lines shows three).
    pub fn context(&self, span: Span) -> (Span, usize) {
        let (first, mut last) = (self.line_of(span.start), self.line_of(span.end));
        if last - first >= MAX_SPAN_LINES {
            last = first;
        }
        let first = first.saturating_sub(1);
        let last = (last + 1).min(self.starts.len() - 1);
        let start = self.starts[first];
        let end = self
            .starts
            .get(last + 1)
            .map_or(self.text.len(), |next| *next);
        (Span::new(start, end), first + 1)
    }

    /// `span` cut to the end of its first line, without trailing blanks: what to underline
    /// for a value that spans many lines.
    pub fn first_line_of(&self, span: Span) -> Span {
        let line = self.line_of(span.start);
        let line_end = self.line_span(line + 1).map_or(self.text.len(), |s| s.end);
        let end = span.end.min(line_end).max(span.start);
        let trimmed = self.text[span.start..end].trim_end();
        Span::new(span.start, span.start + trimmed.len())
    }

    /// Line `line` (1-based, clamped) without its indentation and trailing blanks.
    pub fn trimmed_line(&self, line: usize) -> Span {
        let line = line.clamp(1, self.line_count());
        let Some(span) = self.line_span(line) else {
            return Span::default();
        };
        let text = &self.text[span.start..span.end];
        let lead = text.len() - text.trim_start().len();
        let inner = text.trim();
        Span::new(span.start + lead, span.start + lead + inner.len())
    }
}

/// The number of characters that start in `bytes` (UTF-8 lead bytes and ASCII).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

/// Locates every finding of one file. `source` is the file's text when it could be read
/// but not parsed (the document's text is used otherwise).
pub fn locate(
    findings: Vec<Finding>,
    doc: Option<&Document>,
    source: Option<Arc<str>>,
) -> Vec<Diagnostic> {
    let text = doc.map(|d| Arc::clone(&d.source)).or(source);
    let index = text.as_deref().map(LineIndex::new);
    findings
        .into_iter()
        .map(|finding| {
            let span = index
                .as_ref()
                .and_then(|index| target_span(&finding.target, doc, index));
            let (region, snippet) = match (span, &index, &text) {
                (Some(span), Some(index), Some(text)) => {
                    let (lines, first_line) = index.context(span);
                    let snippet = Snippet {
                        source: Arc::clone(text),
                        lines,
                        first_line,
                    };
                    (Some(index.region(span)), Some(snippet))
                }
                _ => (None, None),
            };
            Diagnostic {
                rule: finding.rule,
                severity: finding.severity,
                message: finding.message,
                file: finding.file,
                region,
                metadata: finding.metadata,
                snippet,
            }
        })
        .collect()
}

/// A path into the whole of `doc` (the array of its documents when it has several, as
/// `goldenpath.parse_file` and `--combine` show a file) as a target in one of its roots.
/// `None` when the file has several documents and the path does not start with the index
/// of one.
pub fn route(doc: &Document, path: &[PathSeg]) -> Option<Target> {
    let (root, path) = match path.split_first() {
        Some((first, rest)) if doc.roots.len() > 1 => (first.as_index()?, rest),
        _ => (0, path),
    };
    Some(Target::Path {
        origin: InputOrigin {
            root,
            element: None,
        },
        path: path.to_vec(),
    })
}

fn target_span(target: &Target, doc: Option<&Document>, index: &LineIndex<'_>) -> Option<Span> {
    match target {
        Target::File => None,
        Target::Span(span) => Some(*span),
        Target::Line(line) => Some(index.trimmed_line(*line)),
        Target::Input(origin) => {
            let node = doc?.input_node(*origin)?;
            Some(index.first_line_of(node.span))
        }
        Target::Path { origin, path } => {
            let root = doc?.input_node(*origin)?;
            let walk = root.walk(path);
            Some(node_span(walk.node, walk.key_span, index))
        }
    }
}

/// What to underline for a node: a scalar's value; for a collection, the key that holds it
/// or else its first line.
fn node_span(node: &Node, key_span: Option<Span>, index: &LineIndex<'_>) -> Span {
    match (&node.kind, key_span) {
        (NodeKind::Array(_) | NodeKind::Object(_), Some(key)) => key,
        (NodeKind::Array(_) | NodeKind::Object(_), None) => index.first_line_of(node.span),
        _ if node.span.is_empty() => key_span.unwrap_or(node.span),
        _ => node.span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{InputOrigin, PathSeg};
    use crate::format::Format;

    fn doc(format: Format, text: &str) -> Document {
        Document {
            file: "f".into(),
            format,
            source: text.into(),
            roots: crate::parse::parse_text(format, text).expect("valid"),
        }
    }

    fn key(s: &str) -> PathSeg {
        PathSeg::Key(s.into())
    }

    fn locate_path(
        d: &Document,
        root: usize,
        element: Option<usize>,
        path: Vec<PathSeg>,
    ) -> (usize, usize, usize, usize) {
        let finding = Finding {
            rule: "r".into(),
            severity: Severity::Error,
            message: "m".into(),
            file: "f".into(),
            target: Target::Path {
                origin: InputOrigin { root, element },
                path,
            },
            metadata: Default::default(),
        };
        let diag = locate(vec![finding], Some(d), None).remove(0);
        let r = diag.region.expect("region");
        (r.start.line, r.start.column, r.end.line, r.end.column)
    }

    #[test]
    fn positions_count_characters() {
        let index = LineIndex::new("ab\nçé x\r\nlast");
        assert_eq!(index.position(0), Position { line: 1, column: 1 });
        assert_eq!(index.position(3), Position { line: 2, column: 1 });
        // "çé " is 5 bytes and 3 characters.
        assert_eq!(index.position(8), Position { line: 2, column: 4 });
        assert_eq!(
            index.position(4),
            Position { line: 2, column: 1 },
            "inside a char"
        );
        assert_eq!(index.line_span(2), Some(Span::new(3, 9)));
        assert_eq!(index.line_span(4), None);
        assert_eq!(index.position(999), Position { line: 3, column: 5 });
        // Across checkpoints of the character counts.
        let long = format!("{}\n{}x", "é".repeat(5_000), "ü".repeat(3_000));
        let index = LineIndex::new(&long);
        let x = long.find('x').expect("x");
        assert_eq!(
            index.position(x),
            Position {
                line: 2,
                column: 3_001
            }
        );
        assert_eq!(
            index.position(6_000),
            Position {
                line: 1,
                column: 3_001
            }
        );
    }

    #[test]
    fn nested_maps_and_sequences() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx:latest\n";
        let d = doc(Format::Yaml, text);
        let image = vec![
            key("spec"),
            key("template"),
            key("spec"),
            key("containers"),
            PathSeg::Index(0),
            key("image"),
        ];
        assert_eq!(locate_path(&d, 0, None, image), (8, 18, 8, 30));
        // A collection points at its key.
        assert_eq!(
            locate_path(&d, 0, None, vec![key("spec"), key("template")]),
            (4, 3, 4, 11)
        );
        // A missing key points at the deepest object that exists (its key).
        let missing = vec![
            key("spec"),
            key("template"),
            key("spec"),
            key("securityContext"),
            key("runAsNonRoot"),
        ];
        assert_eq!(locate_path(&d, 0, None, missing), (5, 5, 5, 9));
        // An array element that is a mapping: its first line.
        let elem = vec![
            key("spec"),
            key("template"),
            key("spec"),
            key("containers"),
            PathSeg::Index(0),
        ];
        assert_eq!(locate_path(&d, 0, None, elem), (7, 11, 7, 20));
        // The root with no path: the first line of the document.
        assert_eq!(locate_path(&d, 0, None, vec![]), (1, 1, 1, 20));
    }

    #[test]
    fn multi_document_flow_quoted_and_unicode() {
        let text = "kind: A\n---\nkind: B\nmeta: {labels: {\"app.kubernetes.io/name\": x}}\nnote: \"größe\" # ü\nafter: ünï\n";
        let d = doc(Format::Yaml, text);
        assert_eq!(locate_path(&d, 1, None, vec![key("kind")]), (3, 7, 3, 8));
        let quoted = vec![key("meta"), key("labels"), key("app.kubernetes.io/name")];
        assert_eq!(locate_path(&d, 1, None, quoted), (4, 43, 4, 44));
        assert_eq!(locate_path(&d, 1, None, vec![key("after")]), (6, 8, 6, 11));
        assert_eq!(locate_path(&d, 1, None, vec![key("note")]), (5, 7, 5, 14));
    }

    #[test]
    fn split_top_level_arrays_and_json() {
        let text = "[\n  {\"name\": \"a\"},\n  {\"name\": \"b\", \"port\": 80}\n]\n";
        let d = doc(Format::Json, text);
        assert_eq!(d.inputs().len(), 2);
        assert_eq!(
            locate_path(&d, 0, Some(1), vec![key("port")]),
            (3, 25, 3, 27)
        );
    }

    #[test]
    fn lines_and_snippets() {
        let text = "a: 1\n  b: 2\nc: 3\n";
        let index = LineIndex::new(text);
        assert_eq!(index.trimmed_line(2), Span::new(7, 11));
        assert_eq!(index.trimmed_line(99), index.trimmed_line(4));
        let (lines, first_line) = index.context(Span::new(7, 11));
        assert_eq!(first_line, 1);
        assert_eq!(&text[lines.start..lines.end], text);
        // A value over many lines is shown by its first.
        let text = format!("a: |\n{}b: 1\n", "  x\n".repeat(100));
        let index = LineIndex::new(&text);
        let (lines, first_line) = index.context(Span::new(3, text.len() - 6));
        assert_eq!(first_line, 1);
        assert_eq!(&text[lines.start..lines.end], "a: |\n  x\n");
    }
}

//! Parsing: file bytes to a [`Document`] whose values keep their source spans.
//!
//! Each format lives in its own module and exposes one function from text to root
//! [`Node`]s. This module owns reading (size limit, UTF-8) and turns every failure into a
//! [`ParseFailure`] with the position the parser reported, so a bad file never stops a run.

mod cue;
mod cyclonedx;
mod dockerfile;
mod dotenv;
mod edn;
mod groovy;
mod hcl1;
mod hcl2;
mod hocon;
mod ignore;
mod ini;
mod json;
mod jsonc;
mod jsonnet;
mod nginx;
mod object;
mod properties;
mod scan;
mod spdx;
mod textproto;
mod toml;
mod vcl;
mod xml;
mod yaml;

pub use jsonnet::{
    isolate_with as isolate_jsonnet, serve as serve_jsonnet, MEMORY_LIMIT as JSONNET_MEMORY_LIMIT,
    OUTPUT_LIMIT as JSONNET_OUTPUT_LIMIT, TIME_LIMIT as JSONNET_TIME_LIMIT,
};

use std::path::Path;

use crate::document::{Document, Node, NodeKind, Span};
use crate::format::Format;

/// No parsed document nests more arrays and objects than this (the root counts as one).
/// Every parser stops there, counting what YAML aliases and merge keys, HCL block labels
/// and repeated XML elements add, and [`parse_text`] checks the result, so that every
/// later recursive walk over a tree ([`Node::to_rego`], [`Node::to_json`], dropping it)
/// stays well within the stack of a worker thread.
pub const MAX_DEPTH: usize = 256;

/// Default limit on the size of a file that is parsed (bytes).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// Why a file could not be turned into a [`Document`].
#[derive(Debug, Clone)]
pub struct ParseFailure {
    /// The path as reported.
    pub file: String,
    /// What went wrong, in one sentence.
    pub message: String,
    /// The text of the file when it could be read (lossily for non-UTF-8 files), so the
    /// position can be shown.
    pub source: Option<String>,
    /// Where the problem is, when known.
    pub span: Option<Span>,
}

/// A syntax error from one of the format parsers.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// What the parser said.
    pub message: String,
    /// Where it said it.
    pub span: Span,
}

impl SyntaxError {
    pub(crate) fn new(message: impl Into<String>, span: Span) -> Self {
        SyntaxError {
            message: message.into(),
            span,
        }
    }
}

/// Parses `text` as `format` into its root values (several for multi-document YAML,
/// none for an empty YAML stream).
pub fn parse_text(format: Format, text: &str) -> Result<Vec<Node>, SyntaxError> {
    parse_text_at(format, text, None)
}

/// Parses `text`, read from the file at `path` when it is one, as `format`: the formats
/// that read other files (Jsonnet's imports, text protos' `.proto` schemas) find them
/// from there.
pub fn parse_text_at(
    format: Format,
    text: &str,
    path: Option<&Path>,
) -> Result<Vec<Node>, SyntaxError> {
    let one = |node: Node| vec![node];
    let roots = match format {
        Format::Json => json::parse(text).map(one),
        Format::Yaml => yaml::parse(text),
        Format::Toml => toml::parse(text).map(one),
        Format::Jsonc => jsonc::parse(text).map(one),
        Format::Dockerfile => dockerfile::parse(text).map(one),
        Format::Hcl2 => hcl2::parse(text).map(one),
        Format::Ini => ini::parse(text).map(one),
        Format::Dotenv => dotenv::parse(text).map(one),
        Format::Properties => properties::parse(text).map(one),
        Format::Xml => xml::parse(text).map(one),
        Format::Ignore => Ok(one(ignore::parse(text))),
        Format::Edn => edn::parse(text).map(one),
        Format::Nginx => nginx::parse(text).map(one),
        Format::Vcl => vcl::parse(text).map(one),
        Format::Hcl1 => hcl1::parse(text).map(one),
        Format::Hocon => hocon::parse(text).map(one),
        Format::Cue => cue::parse(text).map(one),
        Format::Spdx => spdx::parse(text).map(one),
        Format::Cyclonedx => cyclonedx::parse(text).map(one),
        Format::Jsonnet => jsonnet::parse(text, path).map(one),
        Format::Textproto => textproto::parse(text, path).map(one),
        Format::Groovy => groovy::parse(text).map(one),
    }?;
    match too_deep(&roots) {
        None => Ok(roots),
        Some(span) => {
            dismantle(roots);
            Err(SyntaxError::new(
                format!("nesting is deeper than {MAX_DEPTH} levels"),
                span,
            ))
        }
    }
}

/// The root table of TOML text as [`parse_text`] reads it (configuration files): an empty
/// table when the text holds none.
pub fn toml_table(text: &str) -> Result<Node, SyntaxError> {
    let mut roots = parse_text(Format::Toml, text)?;
    Ok(if roots.is_empty() {
        Node::new(
            Span::default(),
            crate::document::NodeKind::Object(Vec::new()),
        )
    } else {
        roots.remove(0)
    })
}

/// The span of the first array or object (in source order) nested deeper than
/// [`MAX_DEPTH`], found without recursion.
fn too_deep(roots: &[Node]) -> Option<Span> {
    fn collections<'a>(
        nodes: impl DoubleEndedIterator<Item = &'a Node>,
    ) -> impl Iterator<Item = &'a Node> {
        // Reversed, so that the stack pops them in source order.
        nodes
            .rev()
            .filter(|node| matches!(node.kind, NodeKind::Array(_) | NodeKind::Object(_)))
    }
    let mut stack: Vec<(&Node, usize)> = collections(roots.iter()).map(|n| (n, 1)).collect();
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Some(node.span);
        }
        let deeper = |child| (child, depth + 1);
        match &node.kind {
            NodeKind::Array(items) => stack.extend(collections(items.iter()).map(deeper)),
            NodeKind::Object(members) => {
                stack.extend(collections(members.iter().map(|m| &m.value)).map(deeper));
            }
            _ => {}
        }
    }
    None
}

/// Drops trees without recursion, however deep they are.
fn dismantle(roots: Vec<Node>) {
    let mut stack = roots;
    while let Some(mut node) = stack.pop() {
        match &mut node.kind {
            NodeKind::Array(items) => stack.append(items),
            NodeKind::Object(members) => stack.extend(members.drain(..).map(|m| m.value)),
            _ => {}
        }
    }
}

/// The lines of `text` with the byte offset each starts at, without the `\n` and without
/// a `\r` before it (for the line-oriented formats).
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |raw| {
        let start = offset;
        offset += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        (start, line.strip_suffix('\r').unwrap_or(line))
    })
}

/// A string node.
pub(crate) fn string_node(span: Span, value: impl Into<String>) -> Node {
    Node::new(span, crate::document::NodeKind::String(value.into()))
}

/// Reads and parses one file. `file` is the path as reported.
pub fn parse_file(
    path: &Path,
    file: &str,
    format: Format,
    max_size: u64,
) -> Result<Document, ParseFailure> {
    parse_read(read_bytes(path, file, max_size)?, path, file, format)
}

/// Parses the bytes of a file read with [`read_bytes`] from `path` (the formats that read
/// other files, Jsonnet's imports and text protos' schemas, look beside it). `file` is the
/// path as reported.
pub fn parse_read(
    bytes: Vec<u8>,
    path: &Path,
    file: &str,
    format: Format,
) -> Result<Document, ParseFailure> {
    parse_source(decode(bytes, file)?, file, format, Some(path))
}

/// Parses bytes that were read already (standard input, `-`), with the checks
/// [`read_source`] makes on a file. `file` is the name as reported; without a path, the
/// formats that read other files (Jsonnet's imports, text protos' schemas) have no
/// directory to find them in.
pub fn parse_bytes(
    bytes: &[u8],
    file: &str,
    format: Format,
    max_size: u64,
) -> Result<Document, ParseFailure> {
    if bytes.len() as u64 > max_size {
        return Err(too_large(file, bytes.len() as u64, max_size));
    }
    parse_source(decode(bytes.to_vec(), file)?, file, format, None)
}

fn parse_source(
    source: String,
    file: &str,
    format: Format,
    path: Option<&Path>,
) -> Result<Document, ParseFailure> {
    match parse_text_at(format, &source, path) {
        Ok(roots) => Ok(Document {
            file: file.to_string(),
            format,
            source: source.into(),
            roots,
        }),
        Err(err) => Err(ParseFailure {
            file: file.to_string(),
            message: format!("invalid {}: {}", format.name(), err.message),
            span: Some(clamp(err.span, source.len())),
            source: Some(source),
        }),
    }
}

fn clamp(span: Span, len: usize) -> Span {
    Span::new(span.start.min(len), span.end.min(len))
}

/// Reads a file as UTF-8 text, refusing files over `max_size` bytes. A UTF-8 byte order
/// mark is dropped (and spans are relative to the text after it).
pub fn read_source(path: &Path, file: &str, max_size: u64) -> Result<String, ParseFailure> {
    decode(read_bytes(path, file, max_size)?, file)
}

/// The failure of a file of `size` bytes, over the limit of `max_size`.
pub fn too_large(file: &str, size: u64, max_size: u64) -> ParseFailure {
    ParseFailure {
        file: file.to_string(),
        message: format!(
            "file is {size} bytes, over the limit of {max_size} bytes; it was not parsed (raise it with --max-file-size)"
        ),
        source: None,
        span: None,
    }
}

/// Reads a file's bytes, refusing files over `max_size` bytes.
pub fn read_bytes(path: &Path, file: &str, max_size: u64) -> Result<Vec<u8>, ParseFailure> {
    let failure = |message: String| ParseFailure {
        file: file.to_string(),
        message,
        source: None,
        span: None,
    };
    let meta =
        crate::confine::regular(path).map_err(|e| failure(format!("cannot read file: {e}")))?;
    if meta.len() > max_size {
        return Err(too_large(file, meta.len(), max_size));
    }
    // `regular` has just vouched for it (`confine::read` would check it again).
    std::fs::read(path).map_err(|e| failure(format!("cannot read file: {e}")))
}

/// The bytes of a file as UTF-8 text, without a byte order mark.
fn decode(bytes: Vec<u8>, file: &str) -> Result<String, ParseFailure> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(err.as_bytes()).into_owned();
            // The lossy text replaces invalid bytes, so offsets before `at` are unchanged.
            Err(ParseFailure {
                file: file.to_string(),
                message: format!("file is not valid UTF-8 (invalid byte at offset {at})"),
                span: Some(Span::new(at, (at + 1).min(lossy.len()))),
                source: Some(lossy),
            })
        }
    }
}

/// Parses a number written as `text` (already stripped of `_` separators where the format
/// allows them): an integer when it is one, otherwise a float.
pub(crate) fn number_kind(text: &str) -> Option<crate::document::NodeKind> {
    use crate::document::NodeKind;
    let is_integer = !text.contains(['.', 'e', 'E']) && !text.is_empty();
    if is_integer {
        let digits = text.strip_prefix('+').unwrap_or(text);
        if let Ok(i) = digits.parse::<i64>() {
            return Some(NodeKind::Int(i));
        }
        if let Ok(u) = digits.parse::<u64>() {
            return Some(NodeKind::UInt(u));
        }
    }
    let f = text.parse::<f64>().ok()?;
    f.is_finite().then_some(NodeKind::Float(f))
}

impl ParseFailure {
    /// The failure as a standalone located error (for `goldenpath parse`).
    pub fn into_error(self) -> crate::source_error::SourceError {
        crate::source_error::SourceError::new(
            "parse_error",
            format!("{}: {}", self.file, self.message),
        )
        .with_optional_source(&self.file, self.source)
        .at(self.span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Member;

    /// `levels` arrays nested in one another around a scalar; the array at level `i`
    /// (from 1) spans `i..i + 1`.
    fn nested(levels: usize) -> Node {
        let mut node = Node::new(Span::new(0, 0), NodeKind::Int(1));
        for level in (1..=levels).rev() {
            node = Node::new(Span::new(level, level + 1), NodeKind::Array(vec![node]));
        }
        node
    }

    #[test]
    fn too_deep_finds_the_first_level_over_the_limit() {
        assert_eq!(too_deep(&[nested(MAX_DEPTH)]), None);
        assert_eq!(
            too_deep(&[nested(MAX_DEPTH), nested(MAX_DEPTH + 1)]),
            Some(Span::new(MAX_DEPTH + 1, MAX_DEPTH + 2))
        );
        // In source order: the first member, not the deepest.
        let object = Node::new(
            Span::new(0, 0),
            NodeKind::Object(
                [MAX_DEPTH + 5, MAX_DEPTH]
                    .into_iter()
                    .map(|levels| Member {
                        key: levels.to_string(),
                        key_span: Span::default(),
                        value: nested(levels),
                    })
                    .collect(),
            ),
        );
        assert_eq!(
            too_deep(&[object]),
            Some(Span::new(MAX_DEPTH, MAX_DEPTH + 1))
        );
    }

    #[test]
    fn a_tree_too_deep_to_drop_is_taken_apart() {
        // Built and taken apart on a 2 MiB thread, where dropping it normally overflows.
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                let roots = vec![nested(1_000_000)];
                assert!(too_deep(&roots).is_some());
                dismantle(roots);
            })
            .expect("thread")
            .join()
            .expect("no overflow");
    }
}

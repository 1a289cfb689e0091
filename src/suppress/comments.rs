//! Where a file's comments are, one scanner per comment syntax, chosen by the format:
//! `#` (YAML, TOML, dotenv, HCL, nginx, text protos), `//` and `/* */` (JSONC, HCL,
//! Jsonnet, CUE, VCL, Groovy), `;` (EDN), `<!-- -->` (XML), and whole-line comments
//! (Dockerfile, INI, properties, ignore files, SPDX). JSON and CycloneDX BOMs have none.
//!
//! Text inside values is never a comment: the scanners skip the spans of every string
//! value and key of the parsed document (so `key: "a # b"` in YAML or `"// x"` in JSONC
//! is a value), Dockerfile heredoc bodies, continued `.properties` values, and XML is read
//! with its own parser. The values of evaluated formats (Jsonnet, text protos) do not
//! carry their own spans, so there the scan does not skip strings.

use crate::document::{Document, Node, NodeKind, Span};
use crate::format::Format;

/// One comment of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comment {
    /// From the opener to the end of the closer (or of the line).
    pub span: Span,
    /// The text between opener and closer.
    pub body: Span,
    /// Whether something other than blanks precedes it on its line.
    pub trailing: bool,
}

/// How comments are written in a format.
enum Syntax {
    /// No comments (JSON).
    None,
    /// Whole lines whose first non-blank character is one of these.
    LineStart(&'static [char]),
    /// `#` to the end of the line; with `after_blank`, only at the start of a line or
    /// after a blank (YAML, dotenv).
    Hash { after_blank: bool },
    /// `//` and `/* */`, and `#` when `hash`.
    CLike { hash: bool },
    /// `<!-- -->`.
    Xml,
    /// `;` to the end of the line (EDN).
    Semicolon,
}

fn syntax(format: Format) -> Syntax {
    match format {
        Format::Json | Format::Cyclonedx => Syntax::None,
        Format::Yaml | Format::Dotenv => Syntax::Hash { after_blank: true },
        Format::Toml | Format::Nginx | Format::Textproto => Syntax::Hash { after_blank: false },
        Format::Hcl2 | Format::Hcl1 | Format::Hocon | Format::Jsonnet | Format::Vcl => {
            Syntax::CLike { hash: true }
        }
        Format::Jsonc | Format::Cue | Format::Groovy => Syntax::CLike { hash: false },
        Format::Edn => Syntax::Semicolon,
        Format::Dockerfile | Format::Ignore | Format::Spdx => Syntax::LineStart(&['#']),
        Format::Ini => Syntax::LineStart(&['#', ';']),
        Format::Properties => Syntax::LineStart(&['#', '!']),
        Format::Xml => Syntax::Xml,
    }
}

/// Whether `format` has comments (so an inline suppression can be written in it).
pub fn has_comments(format: Format) -> bool {
    !matches!(syntax(format), Syntax::None)
}

/// The line-comment opener of `format` and, for XML, the closer: what
/// `--add-ignore` writes.
pub fn opener(format: Format) -> Option<(&'static str, &'static str)> {
    match syntax(format) {
        Syntax::None => None,
        Syntax::Xml => Some(("<!--", " -->")),
        Syntax::CLike { hash: false } => Some(("//", "")),
        Syntax::Semicolon => Some((";", "")),
        _ => Some(("#", "")),
    }
}

/// Every comment of `doc`, in order.
pub fn comments(doc: &Document) -> Vec<Comment> {
    let text: &str = &doc.source;
    match syntax(doc.format) {
        Syntax::None => Vec::new(),
        Syntax::LineStart(openers) => line_comments(doc, openers),
        Syntax::Semicolon => scan(text, &Opaque::of(doc), |bytes, i| {
            (bytes[i] == b';').then_some(Opener::Line(1))
        }),
        Syntax::Hash { after_blank } => scan(text, &Opaque::of(doc), |bytes, i| {
            let blank_before = i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n');
            (bytes[i] == b'#' && (!after_blank || blank_before)).then_some(Opener::Line(1))
        }),
        Syntax::CLike { hash } => scan(text, &Opaque::of(doc), |bytes, i| {
            match (bytes[i], bytes.get(i + 1)) {
                (b'/', Some(b'/')) => Some(Opener::Line(2)),
                (b'/', Some(b'*')) => Some(Opener::Block),
                (b'#', _) if hash => Some(Opener::Line(1)),
                _ => None,
            }
        }),
        Syntax::Xml => xml_comments(text),
    }
}

/// Byte ranges that hold values (strings and keys), sorted: no comment starts inside.
struct Opaque(Vec<Span>);

impl Opaque {
    fn of(doc: &Document) -> Opaque {
        if doc.format.is_evaluated() {
            return Opaque(Vec::new());
        }
        fn walk(node: &Node, out: &mut Vec<Span>) {
            match &node.kind {
                NodeKind::String(_) => out.push(node.span),
                NodeKind::Array(items) => items.iter().for_each(|n| walk(n, out)),
                NodeKind::Object(members) => {
                    for m in members {
                        out.push(m.key_span);
                        walk(&m.value, out);
                    }
                }
                _ => {}
            }
        }
        let mut spans = Vec::new();
        for root in &doc.roots {
            walk(root, &mut spans);
        }
        spans.retain(|s| !s.is_empty());
        spans.sort();
        Opaque(spans)
    }

    fn contains(&self, offset: usize) -> bool {
        let after = self.0.partition_point(|s| s.start <= offset);
        self.0[..after].iter().rev().take(8).any(|s| offset < s.end)
    }
}

enum Opener {
    /// A comment to the end of the line, opened by this many bytes.
    Line(usize),
    /// `/* */`.
    Block,
}

fn line_end(text: &str, from: usize) -> usize {
    text[from..].find('\n').map_or(text.len(), |i| from + i)
}

fn trim_cr(text: &str, start: usize, end: usize) -> usize {
    if end > start && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

fn preceded_on_line(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    !text[line_start..at]
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
}

fn scan(
    text: &str,
    opaque: &Opaque,
    opener: impl Fn(&[u8], usize) -> Option<Opener>,
) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let Some(kind) = (!opaque.contains(i)).then(|| opener(bytes, i)).flatten() else {
            i += 1;
            continue;
        };
        let (body, end) = match kind {
            Opener::Line(len) => {
                let end = trim_cr(text, i, line_end(text, i));
                (Span::new(i + len, end), end)
            }
            Opener::Block => match text[i + 2..].find("*/") {
                Some(at) => (Span::new(i + 2, i + 2 + at), i + 2 + at + 2),
                None => (Span::new(i + 2, text.len()), text.len()),
            },
        };
        out.push(Comment {
            span: Span::new(i, end),
            body,
            trailing: preceded_on_line(text, i),
        });
        i = end.max(i + 1);
    }
    out
}

/// Whole-line comments, except lines that are values: Dockerfile heredoc bodies and
/// continued `.properties` values.
fn line_comments(doc: &Document, openers: &[char]) -> Vec<Comment> {
    let text: &str = &doc.source;
    let heredocs = heredoc_bodies(doc);
    let mut out = Vec::new();
    let mut continued = false;
    for (start, line) in crate::parse::lines(text) {
        let trimmed = line.trim_start_matches([' ', '\t', '\u{feff}', '\u{c}']);
        let at = start + line.len() - trimmed.len();
        let in_heredoc = heredocs.iter().any(|s| s.start <= start && start < s.end);
        let is_comment = !continued
            && !in_heredoc
            && trimmed.chars().next().is_some_and(|c| openers.contains(&c));
        if is_comment {
            let opener_len = trimmed.chars().next().map_or(1, char::len_utf8);
            out.push(Comment {
                span: Span::new(at, start + line.len()),
                body: Span::new(at + opener_len, start + line.len()),
                trailing: false,
            });
        }
        if doc.format == Format::Properties && !is_comment {
            let slashes = line.len() - line.trim_end_matches('\\').len();
            continued = slashes % 2 == 1;
        }
    }
    out
}

/// The lines after the first of each Dockerfile instruction that has a heredoc.
fn heredoc_bodies(doc: &Document) -> Vec<Span> {
    if doc.format != Format::Dockerfile {
        return Vec::new();
    }
    let text: &str = &doc.source;
    let Some(NodeKind::Array(items)) = doc.roots.first().map(|r| &r.kind) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let first_end = line_end(text, item.span.start.min(text.len()));
            let first = text.get(item.span.start..first_end)?;
            (first.contains("<<") && item.span.end > first_end)
                .then(|| Span::new(first_end + 1, item.span.end))
        })
        .collect()
}

fn xml_comments(text: &str) -> Vec<Comment> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Comment(_)) => {
                let end = usize::try_from(reader.buffer_position())
                    .unwrap_or(text.len())
                    .min(text.len());
                let Some(start) = text.get(..end).and_then(|t| t.rfind("<!--")) else {
                    continue;
                };
                out.push(Comment {
                    span: Span::new(start, end),
                    body: Span::new(start + 4, end.saturating_sub(3).max(start + 4)),
                    trailing: preceded_on_line(text, start),
                });
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(format: Format, text: &str) -> Vec<(String, bool)> {
        let doc = Document {
            file: "f".into(),
            format,
            source: text.into(),
            roots: crate::parse::parse_text(format, text).expect("valid"),
        };
        comments(&doc)
            .iter()
            .map(|c| {
                (
                    text[c.body.start..c.body.end].trim().to_string(),
                    c.trailing,
                )
            })
            .collect()
    }

    fn c(text: &str, trailing: bool) -> (String, bool) {
        (text.to_string(), trailing)
    }

    #[test]
    fn yaml_comments_skip_quoted_and_block_scalars() {
        let text = "# top\na: \"not # a comment\"  # real\nb: 'x # y'\nc: plain#text # yes\nd: |\n  # inside a block\n  line\n\"k # e\": v\ne: [1, 2] # flow\n";
        assert_eq!(
            bodies(Format::Yaml, text),
            vec![
                c("top", false),
                c("real", true),
                c("yes", true),
                c("flow", true)
            ]
        );
    }

    #[test]
    fn toml_comments_skip_strings() {
        let text = "# top\na = \"# no\" # yes\nb = '''\n# no\n'''\n\"# k\" = 1 # k\n[t] # table\n";
        assert_eq!(
            bodies(Format::Toml, text),
            vec![
                c("top", false),
                c("yes", true),
                c("k", true),
                c("table", true)
            ]
        );
    }

    #[test]
    fn jsonc_and_hcl_comments() {
        let text = "{\n  // own\n  \"a\": \"// no /* no */\", /* block */\n  \"b\": 1 // tail\n}\n";
        assert_eq!(
            bodies(Format::Jsonc, text),
            vec![c("own", false), c("block", true), c("tail", true)]
        );
        let hcl = "# hash\nresource \"a\" \"b\" {\n  x = \"# no // no\" // slash\n  y = <<EOT\n# heredoc\nEOT\n  /* multi\n  line */\n}\n";
        assert_eq!(
            bodies(Format::Hcl2, hcl),
            vec![
                c("hash", false),
                c("slash", true),
                c("multi\n  line", false)
            ]
        );
    }

    #[test]
    fn line_comment_formats() {
        let docker = "# a\nFROM x\nRUN echo # not a comment\nRUN <<EOF\n# heredoc body\nEOF\n  # b\nRUN a \\\n  # inside a continuation\n  b\n";
        assert_eq!(
            bodies(Format::Dockerfile, docker),
            vec![
                c("a", false),
                c("b", false),
                c("inside a continuation", false)
            ]
        );
        let props = "# a\n! b\nkey = one \\\n  # value, not a comment\nk2 = v # not a comment\n";
        assert_eq!(
            bodies(Format::Properties, props),
            vec![c("a", false), c("b", false)]
        );
        assert_eq!(
            bodies(Format::Ini, "; a\n[s]\n# b\nk = v ; no\n"),
            vec![c("a", false), c("b", false)]
        );
        assert_eq!(
            bodies(Format::Ignore, "# a\n\\#file\n*.log # no\n"),
            vec![c("a", false)]
        );
        let env = "# a\nA=\"x\n# inside\"\nB=plain#not # yes\nC='# no' # c\n";
        assert_eq!(
            bodies(Format::Dotenv, env),
            vec![c("a", false), c("yes", true), c("c", true)]
        );
    }

    #[test]
    fn xml_comments_come_from_the_parser() {
        let text = "<?xml version=\"1.0\"?>\n<!-- own -->\n<a b=\"<!-- no -->\"><![CDATA[<!-- no -->]]><c/> <!-- tail --></a>\n";
        assert_eq!(
            bodies(Format::Xml, text),
            vec![c("own", false), c("tail", true)]
        );
        assert!(bodies(Format::Json, "{\"a\": \"# no\"}").is_empty());
    }
}

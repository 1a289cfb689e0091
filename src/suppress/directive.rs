//! Inline suppressions: `goldenpath: ignore[ID, ...] until=YYYY-MM-DD -- reason` and
//! `goldenpath: ignore-file[...]`, read from a file's real comments (see
//! [`super::comments`]).
//!
//! A trailing `ignore[...]` covers its own line; one on a line of its own covers the next
//! line that is not a comment; `ignore-file[...]` covers the whole file. The reason is the
//! text after ` -- ` (or ` - `, for XML, where `--` cannot appear inside a comment).

use std::sync::Arc;

use super::comments::{self, Comment};
use super::date::Date;
use crate::document::{Document, Span};
use crate::locate::LineIndex;

/// What a directive covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Findings that start on this 1-based line.
    Line(usize),
    /// Every finding of the file.
    File,
}

/// One rule id (or glob) of a directive and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulePattern {
    /// The id or glob, e.g. `GP-K8S-*`.
    pub pattern: String,
    /// Where it is written.
    pub span: Span,
}

/// One `goldenpath: ignore[...]` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// What it covers.
    pub scope: Scope,
    /// The rules it suppresses.
    pub rules: Vec<RulePattern>,
    /// The last day it applies, with where that is written.
    pub until: Option<(Date, Span)>,
    /// The text after ` -- `.
    pub reason: Option<String>,
    /// The directive, from `goldenpath:` to the end of the comment's text.
    pub span: Span,
    /// The 1-based line of the comment.
    pub line: usize,
}

/// A comment that tries to be a directive but cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    /// Where.
    pub span: Span,
    /// What is wrong.
    pub message: String,
}

/// The directives of one file.
#[derive(Clone, Debug)]
pub struct FileDirectives {
    /// The file as reported.
    pub file: String,
    /// Its text, for locating the directives.
    pub source: Arc<str>,
    /// The directives, in order.
    pub directives: Vec<Directive>,
    /// Comments that could not be read as directives.
    pub malformed: Vec<Malformed>,
}

/// The marker every directive starts with.
pub const MARKER: &str = "goldenpath:";

/// The directives written in `doc`'s comments; `None` when the file has none (the text
/// is searched for the marker before any comment is scanned).
pub fn scan(doc: &Document) -> Option<FileDirectives> {
    if !doc.source.contains(MARKER) {
        return None;
    }
    let text: &str = &doc.source;
    let all = comments::comments(doc);
    let index = LineIndex::new(text);
    let comment_only = comment_only_lines(text, &all, &index);
    let mut found = FileDirectives {
        file: doc.file.clone(),
        source: Arc::clone(&doc.source),
        directives: Vec::new(),
        malformed: Vec::new(),
    };
    for comment in &all {
        let body = &text[comment.body.start..comment.body.end];
        let Some(at) = body.find(MARKER) else {
            continue;
        };
        let start = comment.body.start + at;
        match parse(&text[start..comment.body.end], start) {
            Ok(None) => {}
            Ok(Some(parsed)) => {
                let line = index.position(comment.span.start).line;
                let scope = if parsed.file {
                    Scope::File
                } else if comment.trailing {
                    Scope::Line(line)
                } else {
                    let last = index.position(comment.span.end).line;
                    Scope::Line(
                        (last + 1..=index.line_count())
                            .find(|l| !comment_only.get(*l).copied().unwrap_or(false))
                            .unwrap_or(last + 1),
                    )
                };
                found.directives.push(Directive {
                    scope,
                    rules: parsed.rules,
                    until: parsed.until,
                    reason: parsed.reason,
                    span: parsed.span,
                    line,
                });
            }
            Err(malformed) => found.malformed.push(malformed),
        }
    }
    Some(found)
}

/// For each 1-based line (index 0 unused), whether it holds nothing but comments.
fn comment_only_lines(text: &str, comments: &[Comment], index: &LineIndex<'_>) -> Vec<bool> {
    let mut only = vec![false; index.line_count() + 1];
    for (line, flag) in only.iter_mut().enumerate().skip(1) {
        let trimmed = index.trimmed_line(line);
        let bom = text[trimmed.start..].starts_with('\u{feff}');
        let start = trimmed.start + if bom { '\u{feff}'.len_utf8() } else { 0 };
        *flag = start < trimmed.end
            && comments
                .iter()
                .any(|c| c.span.start <= start && c.span.end >= trimmed.end);
    }
    only
}

/// A directive as written.
#[derive(Debug, PartialEq, Eq)]
struct Parsed {
    file: bool,
    rules: Vec<RulePattern>,
    until: Option<(Date, Span)>,
    reason: Option<String>,
    span: Span,
}

/// Reads the directive at the start of `text` (which starts with the marker; `offset` is
/// its position in the file). `Ok(None)` when the marker is not followed by `word[`, such
/// as prose that mentions goldenpath.
fn parse(text: &str, offset: usize) -> Result<Option<Parsed>, Malformed> {
    let after = &text[MARKER.len()..];
    let rest = after.trim_start();
    let at = |s: &str| offset + text.len() - s.len();
    let word_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let (word, rest) = rest.split_at(word_len);
    let Some(list) = rest.strip_prefix('[') else {
        return Ok(None);
    };
    let span_to_end = Span::new(offset, offset + text.trim_end().len());
    let bad = |message: String| Malformed {
        span: span_to_end,
        message,
    };
    let file = match word {
        "ignore" => false,
        "ignore-file" => true,
        other => {
            return Err(bad(format!(
                "unknown suppression `{other}[...]`: expected `ignore[...]` or `ignore-file[...]`"
            )))
        }
    };
    let Some(close) = list.find(']') else {
        return Err(bad(format!("`{word}[` is not closed by `]`")));
    };
    let mut rules = Vec::new();
    let mut cursor = at(list);
    for piece in list[..close].split(',') {
        let id = piece.trim();
        let lead = piece.len() - piece.trim_start().len();
        if !id.is_empty() {
            rules.push(RulePattern {
                pattern: id.to_string(),
                span: Span::new(cursor + lead, cursor + lead + id.len()),
            });
        }
        cursor += piece.len() + 1;
    }
    if rules.is_empty() {
        return Err(bad(format!("`{word}[]` names no rule")));
    }
    let mut rest = &list[close + 1..];
    let mut until = None;
    let mut reason = None;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        if let Some(text) = rest.strip_prefix("--").or_else(|| {
            rest.strip_prefix('-')
                .filter(|r| r.starts_with(char::is_whitespace))
        }) {
            let text = text.trim();
            reason = (!text.is_empty()).then(|| text.to_string());
            break;
        }
        let token_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..token_len];
        let token_span = Span::new(at(rest), at(rest) + token_len);
        match token.strip_prefix("until=") {
            Some(date) => {
                let date = date.parse::<Date>().map_err(|message| Malformed {
                    span: token_span,
                    message: format!("bad `until`: {message}"),
                })?;
                until = Some((date, token_span));
            }
            None => {
                return Err(Malformed {
                    span: token_span,
                    message: format!(
                        "unexpected `{token}` after `{word}[...]`: expected `until=YYYY-MM-DD` or `-- reason`"
                    ),
                })
            }
        }
        rest = &rest[token_len..];
    }
    Ok(Some(Parsed {
        file,
        rules,
        until,
        reason,
        span: span_to_end,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;

    fn directives(format: Format, text: &str) -> FileDirectives {
        let doc = Document {
            file: "f".into(),
            format,
            source: text.into(),
            roots: crate::parse::parse_text(format, text).expect("valid"),
        };
        scan(&doc).expect("has directives")
    }

    #[test]
    fn directives_parse_as_a_table() {
        type Case = (
            &'static str,
            Option<(
                bool,
                Vec<&'static str>,
                Option<&'static str>,
                Option<&'static str>,
            )>,
        );
        let cases: Vec<Case> = vec![
            (
                "goldenpath: ignore[GP-K8S-008] -- pinned by the release job",
                Some((
                    false,
                    vec!["GP-K8S-008"],
                    None,
                    Some("pinned by the release job"),
                )),
            ),
            (
                "goldenpath: ignore[GP-DOCKER-001, GP-DOCKER-002] until=2027-03-31 -- migrating",
                Some((
                    false,
                    vec!["GP-DOCKER-001", "GP-DOCKER-002"],
                    Some("2027-03-31"),
                    Some("migrating"),
                )),
            ),
            (
                "goldenpath: ignore-file[GP-*]",
                Some((true, vec!["GP-*"], None, None)),
            ),
            (
                "goldenpath:ignore[a,b,] - xml style reason",
                Some((false, vec!["a", "b"], None, Some("xml style reason"))),
            ),
            (
                "goldenpath: ignore[main.deny] --",
                Some((false, vec!["main.deny"], None, None)),
            ),
            ("goldenpath: see the docs", None),
            ("goldenpath: ignore the rest", None),
        ];
        for (text, want) in cases {
            let got = parse(text, 0).expect(text).map(|p| {
                (
                    p.file,
                    p.rules
                        .iter()
                        .map(|r| r.pattern.clone())
                        .collect::<Vec<_>>(),
                    p.until.map(|(d, _)| d.to_string()),
                    p.reason,
                )
            });
            let want = want.map(|(f, r, u, reason)| {
                (
                    f,
                    r.into_iter().map(String::from).collect::<Vec<_>>(),
                    u.map(String::from),
                    reason.map(String::from),
                )
            });
            assert_eq!(got, want, "{text}");
        }
        for (text, message) in [
            ("goldenpath: ignroe[X]", "unknown suppression `ignroe[...]`"),
            ("goldenpath: ignore[X", "not closed"),
            ("goldenpath: ignore[ ]", "names no rule"),
            ("goldenpath: ignore[X] until=2027-02-30", "bad `until`"),
            ("goldenpath: ignore[X] because", "unexpected `because`"),
        ] {
            let err = parse(text, 0).expect_err(text);
            assert!(err.message.contains(message), "{text}: {}", err.message);
        }
    }

    #[test]
    fn scopes_follow_the_comment_position() {
        let text = "a: 1 # goldenpath: ignore[R1]\n# goldenpath: ignore[R2] -- why\n# another comment\nb: 2\n# goldenpath: ignore-file[R3]\nc: \"# goldenpath: ignore[R4]\"\n";
        let found = directives(Format::Yaml, text);
        let scopes: Vec<(Scope, usize, &str)> = found
            .directives
            .iter()
            .map(|d| {
                (
                    d.scope,
                    d.line,
                    &text[d.rules[0].span.start..d.rules[0].span.end],
                )
            })
            .collect();
        assert_eq!(
            scopes,
            vec![
                (Scope::Line(1), 1, "R1"),
                (Scope::Line(4), 2, "R2"),
                (Scope::File, 5, "R3"),
            ]
        );
        assert_eq!(found.directives[1].reason.as_deref(), Some("why"));
    }

    #[test]
    fn block_comments_cover_the_line_after_them() {
        let text = "{\n  /* goldenpath: ignore[R1]\n     -- long reason */\n  \"a\": 1, // goldenpath: ignore[R2]\n}\n";
        let found = directives(Format::Jsonc, text);
        assert_eq!(found.directives[0].scope, Scope::Line(4));
        assert_eq!(found.directives[0].reason.as_deref(), Some("long reason"));
        assert_eq!(found.directives[1].scope, Scope::Line(4));
        let xml = "<a>\n  <!-- goldenpath: ignore[R] - reason -->\n  <b/>\n</a>\n";
        let found = directives(Format::Xml, xml);
        assert_eq!(found.directives[0].scope, Scope::Line(3));
        assert_eq!(found.directives[0].reason.as_deref(), Some("reason"));
    }
}

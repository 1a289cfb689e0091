//! `goldenpath check --add-ignore`: a `goldenpath: ignore[ID] -- TODO` comment above each
//! reported finding, in the comment syntax of the file's format, leaving every other byte
//! as it was (indentation copied from the flagged line, its line ending, a byte-order
//! mark kept first).
//!
//! Files with uncommitted changes are refused (`git status --porcelain -- FILE` lists
//! them), and so is every file outside a git repository, unless forced: the edit should
//! be reviewable as a diff. A finding is left alone when no comment can go above its line
//! without changing a value: inside a multi-line string (a YAML block scalar, a heredoc),
//! on a continued `.properties` value, or before an XML declaration.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use super::comments::{has_comments, opener};
use crate::document::{Node, NodeKind, Span};
use crate::finding::{
    EXPIRED_SUPPRESSION, INVALID_SUPPRESSION, PARSE_ERROR, UNKNOWN_RULE, UNUSED_SUPPRESSION,
};
use crate::format::Format;
use crate::locate::{Diagnostic, LineIndex};

/// What `--add-ignore` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Added {
    /// Comments written.
    pub comments: usize,
    /// The files changed, sorted.
    pub files: Vec<String>,
    /// Findings left alone: no position, a format without comments, or no place for a
    /// comment above their line.
    pub skipped: usize,
}

/// Why nothing was written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AddError {
    /// Files with uncommitted changes.
    #[error("refusing to add comments to files with uncommitted changes: {}", .0.join(", "))]
    #[diagnostic(
        code(goldenpath::add_ignore::dirty),
        help("commit or stash them first, so the edit can be reviewed as a diff, or pass --force")
    )]
    Dirty(Vec<String>),
    /// git could not tell whether the files are committed.
    #[error("cannot tell whether {file} has uncommitted changes: {message}")]
    #[diagnostic(
        code(goldenpath::add_ignore::git),
        help("run inside a git repository, or pass --force to edit the files anyway")
    )]
    NoGit {
        /// The first such file.
        file: String,
        /// What git said.
        message: String,
    },
    /// A file could not be read or written.
    #[error("cannot rewrite {file}: {message}")]
    #[diagnostic(code(goldenpath::add_ignore::io))]
    Io {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
}

/// Rules whose findings are about suppressions or settings, or files that could not be
/// parsed: an inline comment cannot or should not silence them.
const NOT_COMMENTABLE: [&str; 5] = [
    PARSE_ERROR,
    UNUSED_SUPPRESSION,
    EXPIRED_SUPPRESSION,
    INVALID_SUPPRESSION,
    UNKNOWN_RULE,
];

/// Writes the comments for `diagnostics` (files as reported, opened relative to the
/// current directory); `format_of` gives each file's format.
pub fn add_ignores(
    diagnostics: &[Diagnostic],
    format_of: &dyn Fn(&str) -> Option<Format>,
    force: bool,
) -> Result<Added, AddError> {
    let mut added = Added::default();
    let mut wanted: BTreeMap<&str, BTreeMap<usize, BTreeSet<&str>>> = BTreeMap::new();
    for d in diagnostics {
        let line = d.region.map(|r| r.start.line);
        let format = format_of(&d.file).filter(|f| has_comments(*f));
        match (line, format) {
            (Some(line), Some(_)) if !NOT_COMMENTABLE.contains(&d.rule.as_str()) => {
                wanted
                    .entry(&d.file)
                    .or_default()
                    .entry(line)
                    .or_default()
                    .insert(&d.rule);
            }
            _ => added.skipped += 1,
        }
    }
    let mut edits = Vec::new();
    for (file, lines) in wanted {
        let Some(format) = format_of(file) else {
            continue;
        };
        let io = |e: std::io::Error| AddError::Io {
            file: file.to_string(),
            message: e.to_string(),
        };
        let text = String::from_utf8(crate::confine::read(Path::new(file)).map_err(io)?).map_err(
            |_| AddError::Io {
                file: file.to_string(),
                message: "not UTF-8".to_string(),
            },
        )?;
        let (new_text, comments, skipped) = insert_comments(&text, format, &lines);
        added.skipped += skipped;
        if comments > 0 {
            edits.push((file, new_text, comments));
        }
    }
    if !force {
        let files: Vec<&str> = edits.iter().map(|(f, _, _)| *f).collect();
        check_committed(&files)?;
    }
    for (file, text, comments) in edits {
        std::fs::write(file, text).map_err(|e| AddError::Io {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        added.comments += comments;
        added.files.push(file.to_string());
    }
    Ok(added)
}

/// Fails unless git says every file is committed as it is.
fn check_committed(files: &[&str]) -> Result<(), AddError> {
    let mut dirty = Vec::new();
    for file in files {
        let path = Path::new(file);
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let name = path
            .file_name()
            .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned());
        let output = Command::new("git")
            .args(["status", "--porcelain", "--"])
            .arg(&name)
            .current_dir(dir.unwrap_or(Path::new(".")))
            .output()
            .map_err(|e| AddError::NoGit {
                file: file.to_string(),
                message: format!("cannot run git: {e}"),
            })?;
        if !output.status.success() {
            let said = String::from_utf8_lossy(&output.stderr);
            return Err(AddError::NoGit {
                file: file.to_string(),
                message: said
                    .lines()
                    .next()
                    .unwrap_or("git status failed")
                    .to_string(),
            });
        }
        if !output.stdout.iter().all(u8::is_ascii_whitespace) {
            dirty.push(file.to_string());
        }
    }
    if dirty.is_empty() {
        Ok(())
    } else {
        Err(AddError::Dirty(dirty))
    }
}

/// `text` with a comment above each line of `lines` that can take one; the number of
/// comments written and of findings left alone.
fn insert_comments(
    text: &str,
    format: Format,
    lines: &BTreeMap<usize, BTreeSet<&str>>,
) -> (String, usize, usize) {
    let Some((open, close)) = opener(format) else {
        return (text.to_string(), 0, lines.values().map(BTreeSet::len).sum());
    };
    let separator = if format == Format::Xml { "-" } else { "--" };
    let values = value_spans(text, format);
    let index = LineIndex::new(text);
    let mut out = String::with_capacity(text.len() + lines.len() * 64);
    let mut copied = 0;
    let (mut written, mut skipped) = (0, 0);
    for (&line, rules) in lines {
        let Some(span) = index.line_span(line) else {
            skipped += rules.len();
            continue;
        };
        let mut start = span.start;
        if line == 1 && text.starts_with('\u{feff}') {
            start += '\u{feff}'.len_utf8();
        }
        let content = &text[start..span.end];
        let blocked = inside_value(&values, start, &index)
            || (format == Format::Xml && content.trim_start().starts_with("<?xml"))
            || (format == Format::Properties && continues(text, &index, line));
        if blocked {
            skipped += rules.len();
            continue;
        }
        let indent = &content[..content.len() - content.trim_start().len()];
        let ending = if text[span.end..].starts_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let ids: Vec<&str> = rules.iter().copied().collect();
        out.push_str(&text[copied..start]);
        out.push_str(&format!(
            "{indent}{open} goldenpath: ignore[{}] {separator} TODO{close}{ending}",
            ids.join(", ")
        ));
        copied = start;
        written += 1;
    }
    out.push_str(&text[copied..]);
    (out, written, skipped)
}

/// The lines no comment can go above, as spans of the file: every line after the first
/// of a string value written over several lines, and all the lines of a YAML block
/// scalar (whose span starts at its first line of content).
fn value_spans(text: &str, format: Format) -> Vec<Span> {
    fn walk(node: &Node, text: &str, yaml: bool, out: &mut Vec<Span>) {
        match &node.kind {
            NodeKind::String(_) => {
                let raw = text.get(node.span.start..node.span.end).unwrap_or_default();
                let before = text.get(..node.span.start).unwrap_or_default().trim_end();
                let header = before.rsplit('\n').next().unwrap_or_default();
                let indicator = header
                    .trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit())
                    .ends_with(['|', '>']);
                if yaml && indicator && before.len() < node.span.start {
                    // A block scalar: from the end of its header, so that its first line
                    // of content is inside it too.
                    out.push(Span::new(before.len(), node.span.end));
                } else if raw.contains('\n') && !raw.trim().is_empty() {
                    out.push(node.span);
                }
            }
            NodeKind::Array(items) => items.iter().for_each(|n| walk(n, text, yaml, out)),
            NodeKind::Object(members) => {
                members.iter().for_each(|m| walk(&m.value, text, yaml, out))
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if format == Format::Dockerfile {
        // Instructions are strings too; only heredoc bodies are values.
        return out;
    }
    for root in crate::parse::parse_text(format, text).unwrap_or_default() {
        walk(&root, text, format == Format::Yaml, &mut out);
    }
    out
}

/// Whether the line starting at `start` begins inside one of `values`.
fn inside_value(values: &[Span], start: usize, _index: &LineIndex<'_>) -> bool {
    values.iter().any(|v| v.start < start && start < v.end)
}

/// Whether line `line` of a `.properties` file continues the value of the line before.
fn continues(text: &str, index: &LineIndex<'_>, line: usize) -> bool {
    let Some(previous) = line.checked_sub(1).and_then(|l| index.line_span(l)) else {
        return false;
    };
    let before = &text[previous.start..previous.end];
    (before.len() - before.trim_end_matches('\\').len()) % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(format: Format, text: &str, lines: &[(usize, &[&'static str])]) -> (String, usize) {
        let lines: BTreeMap<usize, BTreeSet<&str>> = lines
            .iter()
            .map(|(l, ids)| (*l, ids.iter().copied().collect()))
            .collect();
        let (out, _, skipped) = insert_comments(text, format, &lines);
        (out, skipped)
    }

    #[test]
    fn comments_copy_indentation_line_endings_and_keep_the_bom() {
        let yaml = "\u{feff}a: 1\r\nspec:\r\n  image: x\r\n";
        assert_eq!(
            add(Format::Yaml, yaml, &[(1, &["R1"]), (3, &["R2", "R3"])]),
            (
                "\u{feff}# goldenpath: ignore[R1] -- TODO\r\na: 1\r\nspec:\r\n  # goldenpath: ignore[R2, R3] -- TODO\r\n  image: x\r\n".to_string(),
                0
            )
        );
        assert_eq!(
            add(Format::Jsonc, "{\n\t\"a\": 1\n}", &[(2, &["R"])]).0,
            "{\n\t// goldenpath: ignore[R] -- TODO\n\t\"a\": 1\n}"
        );
        assert_eq!(
            add(Format::Xml, "<?xml version=\"1.0\"?>\n<a>\n  <b/>\n</a>\n", &[(1, &["X"]), (3, &["R"])]),
            ("<?xml version=\"1.0\"?>\n<a>\n  <!-- goldenpath: ignore[R] - TODO -->\n  <b/>\n</a>\n".to_string(), 1)
        );
    }

    #[test]
    fn values_spanning_lines_are_left_alone() {
        let yaml = "run: |\n  curl x | sh\nimage: y\n";
        assert_eq!(
            add(Format::Yaml, yaml, &[(2, &["R"]), (3, &["S"])]),
            (
                "run: |\n  curl x | sh\n# goldenpath: ignore[S] -- TODO\nimage: y\n".to_string(),
                1
            )
        );
        let props = "a = one \\\n  two\nb = c\n";
        assert_eq!(add(Format::Properties, props, &[(2, &["R"])]).1, 1);
    }
}

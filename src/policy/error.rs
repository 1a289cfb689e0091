//! Errors that stop a run because the policies themselves are broken. Each points at the
//! file, line and column regorus reported, rendered over our own copy of the source.

use crate::document::Span;
use crate::source_error::SourceError;

/// A policy set that cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PolicyError {
    /// A policy file or directory could not be read.
    #[error("cannot read policy `{path}`: {message}")]
    #[diagnostic(code(goldenpath::policy::read))]
    Read {
        /// The path.
        path: String,
        /// The I/O error.
        message: String,
    },
    /// A policy directory holds no `.rego` files.
    #[error("no .rego files found in `{0}`")]
    #[diagnostic(
        code(goldenpath::policy::none),
        help("point -p/--policy at a .rego file or a directory that contains some")
    )]
    NoPolicies(String),
    /// A policy does not parse or compile (code `goldenpath::policy::compile`).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Compile(Box<SourceError>),
    /// A policy error without a position regorus told us.
    #[error("policy error: {0}")]
    #[diagnostic(code(goldenpath::policy::compile))]
    Unlocated(String),
    /// A data document conflicts with another or is not an object.
    #[error("cannot load data `{path}`: {message}")]
    #[diagnostic(
        code(goldenpath::policy::data),
        help("data files are merged at the root of `data`; each must be an object and no two may set the same key differently")
    )]
    Data {
        /// The data file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A `-d` data file that cannot be read or parsed, or is not an object.
    #[error(transparent)]
    #[diagnostic(transparent)]
    DataFile(Box<SourceError>),
    /// No policy was given, `./policy` does not exist and the pack is off.
    #[error("no policies to evaluate")]
    #[diagnostic(
        code(goldenpath::usage::no_policies),
        help("pass -p/--policy <DIR or FILE>, create ./policy with .rego files (as conftest does), or map JSON Schemas in goldenpath.toml")
    )]
    NothingToEvaluate,
    /// A failure inside goldenpath's own glue.
    #[error("internal policy error: {0}")]
    #[diagnostic(code(goldenpath::policy::internal))]
    Internal(String),
}

/// A position parsed from regorus's `--> file:line:col` header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct EngineLocation {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl EngineLocation {
    /// `file:line:column` with the column counted in characters (regorus counts a tab
    /// as four columns), when the file is one of `sources`; as reported otherwise.
    pub(crate) fn describe(&self, sources: &[(String, String)]) -> String {
        let column = sources
            .iter()
            .find(|(label, _)| *label == self.file)
            .map_or(self.column, |(_, text)| {
                char_column(text, self.line, self.column)
            });
        format!("{}:{}:{column}", self.file, self.line)
    }
}

/// Splits a regorus error into its location and its `error: ...` message.
pub(crate) fn split_engine_error(text: &str) -> (Option<EngineLocation>, String) {
    let location = text.lines().find_map(|l| {
        let rest = l.trim_start().strip_prefix("--> ")?;
        let mut parts = rest.rsplitn(3, ':');
        let column = parts.next()?.trim().parse().ok()?;
        let line = parts.next()?.trim().parse().ok()?;
        let file = parts.next()?.to_string();
        Some(EngineLocation { file, line, column })
    });
    let message = match text.find("error: ") {
        Some(i) => text[i + "error: ".len()..]
            .lines()
            .next()
            .unwrap_or_default(),
        None => text.trim().lines().next().unwrap_or_default(),
    };
    (location, message.trim().to_string())
}

/// Errors regorus raises at evaluation that are really about the policy's text: they
/// happen whatever the input, so they are reported when the policies load.
pub(crate) fn is_static_error(text: &str) -> bool {
    const STATIC: &[&str] = &[
        "could not find function",
        "conflicts with rule",
        "recursion detected",
        "is unsafe",
        "unsafe var",
        "invalid ref",
        "not a valid rule path",
    ];
    STATIC.iter().any(|s| text.contains(s))
}

/// The byte offset of regorus's `line:column`. regorus counts a tab as four columns and
/// every other character as one.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let mut col = 1;
            for (at, c) in l.char_indices() {
                if col >= column || c == '\n' {
                    return offset + at;
                }
                col += if c == '\t' { 4 } else { 1 };
            }
            return offset + l.len();
        }
        offset += l.len();
    }
    offset.min(text.len())
}

/// The 1-based character column of regorus's `line:column`.
fn char_column(text: &str, line: usize, column: usize) -> usize {
    let offset = byte_offset(text, line, column);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..offset].chars().count() + 1
}

impl PolicyError {
    /// Builds a located diagnostic from a regorus error, using the policy sources we hold.
    pub(crate) fn from_engine(
        err: &anyhow::Error,
        sources: &[(String, String)],
        rego_v0: bool,
    ) -> PolicyError {
        let text = err.to_string();
        let (location, message) = split_engine_error(&text);
        let Some(location) = location else {
            return PolicyError::Unlocated(message);
        };
        let Some((label, source)) = sources.iter().find(|(label, _)| *label == location.file)
        else {
            return PolicyError::Unlocated(format!(
                "{message} ({}:{}:{})",
                location.file, location.line, location.column
            ));
        };
        let offset = byte_offset(source, location.line, location.column);
        let len = source[offset..].chars().next().map_or(0, char::len_utf8);
        let help = if !rego_v0
            && (message.contains("`if` keyword is required")
                || message.contains("`contains` keyword is required"))
        {
            Some("this looks like Rego v0 syntax: pass --rego-version v0, or add `import rego.v1` and the `if`/`contains` keywords".to_string())
        } else if message.contains("could not find function") {
            Some(
                "check the function's name and that the package defining it is loaded with -p"
                    .to_string(),
            )
        } else {
            None
        };
        PolicyError::compile(
            label,
            source,
            Span::new(offset, offset + len),
            message,
            help,
        )
    }
}

impl PolicyError {
    /// A located error at byte `offset` of the policy `label` whose text is `source`.
    pub(crate) fn at(
        label: &str,
        source: &str,
        offset: usize,
        len: usize,
        message: String,
        help: Option<String>,
    ) -> PolicyError {
        let offset = offset.min(source.len());
        let end = offset + len.min(source.len() - offset);
        PolicyError::compile(label, source, Span::new(offset, end), message, help)
    }

    fn compile(
        label: &str,
        source: &str,
        span: Span,
        message: String,
        help: Option<String>,
    ) -> PolicyError {
        PolicyError::Compile(Box::new(
            SourceError::new("goldenpath::policy::compile", message)
                .with_source(label, source)
                .at(Some(span))
                .with_optional_help(help),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_headers() {
        let text = "\n--> policy/k8s.rego:4:10\n  |\n4 |   foo.bar(input.x)\n  |          ^\nerror: could not find function foo.bar";
        let (loc, msg) = split_engine_error(text);
        assert_eq!(
            loc,
            Some(EngineLocation {
                file: "policy/k8s.rego".into(),
                line: 4,
                column: 10
            })
        );
        assert_eq!(msg, "could not find function foo.bar");
        assert!(is_static_error(text));
        assert_eq!(byte_offset("ab\ncdé f\n", 2, 5), 8);
        assert_eq!(byte_offset("a\n\tmsg := f(x)\n", 2, 12), 10);
        assert_eq!(char_column("a\n\tmsg := f(x)\n", 2, 12), 9);
        assert_eq!(char_column("ab\ncdé f\n", 2, 5), 5);
        assert_eq!(char_column("x", 1, 1), 1);
        let sources = vec![("p.rego".to_string(), "a\n\t\tb := 1\n".to_string())];
        let at = EngineLocation {
            file: "p.rego".into(),
            line: 2,
            column: 9,
        };
        assert_eq!(at.describe(&sources), "p.rego:2:3");
        assert_eq!(at.describe(&[]), "p.rego:2:9");
    }
}

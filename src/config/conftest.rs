//! `conftest.toml`: conftest's configuration file, read into a [`Layer`] when a run has
//! no `goldenpath.toml`, so a repository moving from conftest keeps its settings.
//!
//! conftest reads `conftest.toml` from the working directory (or the file named with
//! `-c`); each key is one of its flags (`policy`, `namespace`, `data`, `all-namespaces`,
//! `combine`, `parser`, `output`, `fail-on-warn`, `no-fail`, `no-color`, `quiet`,
//! `ignore`, `capabilities`, `rego-version`, `trace`, `strict`, `show-builtin-errors`,
//! ...), and a list may be written as one string separated by commas. As in conftest,
//! paths are relative to the working directory. The file is checked against
//! `schemas/conftest.schema.json` with located messages; a value goldenpath cannot use
//! (an unknown parser, `update`, which would download policies) is a located error, and
//! a key conftest does not have is a located warning (conftest ignores it too).

use std::path::{Path, PathBuf};

use super::{validated, ConfigError, Layer};
use crate::document::{Node, NodeKind};
use crate::format::Format;
use crate::options::{parse_value, ColorChoice, RegoVersion};
use crate::report::{FailOn, OutputFormat};

/// The file name conftest reads from the working directory.
pub const FILE_NAME: &str = "conftest.toml";

/// The JSON Schema of `conftest.toml` as goldenpath reads it.
pub const SCHEMA: &str = include_str!("../../schemas/conftest.schema.json");

const HELP: &str = "conftest.toml's keys are conftest's flag names, described in schemas/conftest.schema.json; a goldenpath.toml beside it takes precedence";

/// Keys read by `conftest verify` or only meaningful to conftest's own machinery.
const NOT_FOR_CHECK: &[&str] = &["report", "var-values", "config-file", "tls"];

/// What `conftest.toml` says: the settings, and warnings about keys that were ignored.
#[derive(Debug, Default)]
pub struct ConftestConfig {
    /// The settings, as a layer under the command line.
    pub layer: Layer,
    /// Located warnings (`conftest.toml:3: ...`), one line each.
    pub warnings: Vec<String>,
}

/// `conftest.toml` in the working directory, when there is one.
pub fn in_working_directory() -> Option<PathBuf> {
    let path = PathBuf::from(FILE_NAME);
    path.is_file().then_some(path)
}

/// Whether `path` names a conftest configuration file (by its name).
pub fn is_conftest_file(path: &Path) -> bool {
    path.file_name().is_some_and(|name| name == FILE_NAME)
}

/// Reads and converts `conftest.toml`.
pub fn load(path: &Path) -> Result<ConftestConfig, ConfigError> {
    let file = crate::discover::display(path);
    let text = crate::confine::read_to_string(path).map_err(|e| ConfigError::Read {
        file: file.clone(),
        message: e.to_string(),
    })?;
    parse(&file, &text)
}

/// Parses and converts conftest configuration text (`file` names it in messages).
pub fn parse(file: &str, text: &str) -> Result<ConftestConfig, ConfigError> {
    let (node, _) = validated(file, text, SCHEMA, HELP)?;
    let index = crate::locate::LineIndex::new(text);
    let mut config = ConftestConfig::default();
    let mut errors = Vec::new();
    let NodeKind::Object(members) = &node.kind else {
        return Ok(config);
    };
    let layer = &mut config.layer;
    for member in members {
        let value = &member.value;
        let mut refuse = |message: String| {
            errors.push(super::invalid_at(
                file,
                text,
                HELP,
                message,
                Some(value.span),
            ));
        };
        let flag = |on: bool| on.then_some(true);
        match member.key.as_str() {
            "policy" => layer.policies = Some(paths(value)),
            "namespace" => layer.namespaces = Some(strings(value)),
            "all-namespaces" => layer.all_namespaces = flag(boolean(value)),
            "data" => layer.data = Some(paths(value)),
            "combine" => layer.combine = flag(boolean(value)),
            "parser" => match parse_value::<Format>(&string(value), "parser") {
                Ok(format) => layer.parser = Some(format),
                Err(message) => refuse(format!("`parser`: {message}")),
            },
            "output" => match parse_value::<OutputFormat>(&string(value), "output format") {
                Ok(format) => layer.format = Some(format),
                Err(message) => refuse(format!("`output`: {message}")),
            },
            "rego-version" => match parse_value::<RegoVersion>(&string(value), "Rego version") {
                Ok(version) => layer.rego_version = Some(version),
                Err(message) => refuse(format!("`rego-version`: {message}")),
            },
            // --no-fail wins over --fail-on-warn, as in conftest.
            "fail-on-warn" if boolean(value) && layer.fail_on.is_none() => {
                layer.fail_on = Some(FailOn::Warning);
            }
            "no-fail" if boolean(value) => layer.fail_on = Some(FailOn::Never),
            "no-color" if boolean(value) => layer.color = Some(ColorChoice::Never),
            "quiet" => layer.quiet = flag(boolean(value)),
            "ignore" => layer.ignore_pattern = Some(string(value)).filter(|p| !p.is_empty()),
            "capabilities" => {
                layer.capabilities =
                    Some(PathBuf::from(string(value))).filter(|p| !p.as_os_str().is_empty());
            }
            "trace" => layer.trace = flag(boolean(value)),
            "strict" => layer.strict = flag(boolean(value)),
            "show-builtin-errors" => layer.show_builtin_errors = flag(boolean(value)),
            "stdin-filename" => {
                layer.stdin_filename = Some(string(value)).filter(|n| !n.is_empty())
            }
            "update" if !strings(value).is_empty() => refuse(format!(
                "`update` downloads policies before each run, and goldenpath is offline: {}",
                super::OFFLINE_HELP
            )),
            "proto-file-dirs" if !strings(value).is_empty() => config.warnings.push(format!(
                "{file}:{}: `proto-file-dirs` is not read: a text proto's `# proto-file:` header names its schema",
                index.position(member.key_span.start).line
            )),
            "fail-on-warn"
            | "no-fail"
            | "no-color"
            | "update"
            | "proto-file-dirs"
            | "suppress-exceptions"
            | "junit-hide-message"
            | "github-hide-passed" => {}
            key if NOT_FOR_CHECK.contains(&key) => {}
            key => config.warnings.push(format!(
                "{file}:{}: unknown key `{key}` (not a conftest flag); ignored",
                index.position(member.key_span.start).line
            )),
        }
    }
    let mut all = errors.into_iter();
    if let Some(first) = all.next() {
        return Err(ConfigError::Invalid(Box::new(
            first.with_related(all.collect()),
        )));
    }
    Ok(config)
}

fn boolean(node: &Node) -> bool {
    matches!(node.kind, NodeKind::Bool(true))
}

fn string(node: &Node) -> String {
    match &node.kind {
        NodeKind::String(s) => s.clone(),
        _ => String::new(),
    }
}

/// A list, or one string holding items separated by commas (viper's reading of a
/// string for a list flag); empty items are dropped.
fn strings(node: &Node) -> Vec<String> {
    let items: Vec<String> = match &node.kind {
        NodeKind::String(s) => s.split(',').map(str::to_string).collect(),
        NodeKind::Array(items) => items.iter().map(string).collect(),
        _ => Vec::new(),
    };
    items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn paths(node: &Node) -> Vec<PathBuf> {
    strings(node).into_iter().map(PathBuf::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(err: ConfigError, text: &str) -> Vec<(usize, String)> {
        crate::config::tests::located(err, text)
    }

    #[test]
    fn conftest_keys_become_settings() {
        let text = r#"
policy = "test,more"
namespace = ["conftest", "main.*"]
data = "data"
all-namespaces = true
combine = true
parser = "yaml"
output = "stdout"
fail-on-warn = true
no-color = true
quiet = true
ignore = ".*\\.json$"
rego-version = "v0"
trace = true
strict = true
show-builtin-errors = true
stdin-filename = "in.yaml"
capabilities = "caps.json"
suppress-exceptions = true
tls = false
"#;
        let config = parse("conftest.toml", text).expect("valid");
        assert_eq!(config.warnings, Vec::<String>::new());
        let layer = config.layer;
        assert_eq!(
            layer.policies,
            Some(vec![PathBuf::from("test"), PathBuf::from("more")])
        );
        assert_eq!(
            layer.namespaces,
            Some(vec!["conftest".to_string(), "main.*".to_string()])
        );
        assert_eq!(layer.data, Some(vec![PathBuf::from("data")]));
        assert_eq!(layer.all_namespaces, Some(true));
        assert_eq!(layer.combine, Some(true));
        assert_eq!(layer.parser, Some(Format::Yaml));
        assert_eq!(layer.format, Some(OutputFormat::Human));
        assert_eq!(layer.fail_on, Some(FailOn::Warning));
        assert_eq!(layer.color, Some(ColorChoice::Never));
        assert_eq!(layer.quiet, Some(true));
        assert_eq!(layer.ignore_pattern.as_deref(), Some(".*\\.json$"));
        assert_eq!(layer.rego_version, Some(RegoVersion::V0));
        assert_eq!(layer.trace, Some(true));
        assert_eq!(layer.strict, Some(true));
        assert_eq!(layer.show_builtin_errors, Some(true));
        assert_eq!(layer.stdin_filename.as_deref(), Some("in.yaml"));
        assert_eq!(layer.capabilities, Some(PathBuf::from("caps.json")));
    }

    #[test]
    fn no_fail_wins_over_fail_on_warn() {
        for text in [
            "fail-on-warn = true\nno-fail = true\n",
            "no-fail = true\nfail-on-warn = true\n",
        ] {
            let layer = parse("conftest.toml", text).expect("valid").layer;
            assert_eq!(layer.fail_on, Some(FailOn::Never), "{text}");
        }
    }

    #[test]
    fn mistakes_are_located_and_unknown_keys_warned() {
        let text = "policy = 3\nparser = \"klingon\"\n";
        let err = parse("conftest.toml", text).expect_err("invalid");
        let lines = lines_of(err, text);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0].0, 1);
        let text = "parser = \"klingon\"\nupdate = [\"https://example.com/p.rego\"]\n";
        let lines = lines_of(parse("conftest.toml", text).expect_err("invalid"), text);
        assert_eq!(lines[0].0, 1);
        assert!(lines[0].1.contains("unknown parser `klingon`"), "{lines:?}");
        assert_eq!(lines[1].0, 2);
        assert!(lines[1].1.contains("goldenpath is offline"), "{lines:?}");
        let config = parse("conftest.toml", "polcy = \"p\"\n").expect("valid");
        assert_eq!(
            config.warnings,
            vec!["conftest.toml:1: unknown key `polcy` (not a conftest flag); ignored".to_string()]
        );
    }
}

//! conftest's Rego builtins, as host functions: `parse_config(parser, text)`,
//! `parse_config_file(path)` and `parse_combined_config_files(paths)`, and OPA's
//! `rego.metadata.rule()`, which regorus lacks.
//!
//! As in conftest, the paths given to `parse_config_file` and
//! `parse_combined_config_files` are relative to the directory of the policy file that
//! calls them (the call site comes from the vendored regorus, PATCHES.md 7). In `check`
//! the file read must also lie inside the repository being checked (after following
//! symbolic links); `test` reads what the tests name, as `conftest verify` does. Files
//! are parsed by the same parsers as checked files, with the format taken from the name
//! (`parse_config_file`) or given (`parse_config`); a file of several documents gives
//! their list. A failure (unreadable file, unknown format, invalid text) is an error of
//! the calling rule with `--show-builtin-errors`, and an undefined value otherwise, as
//! OPA treats builtin errors.
//!
//! `rego.metadata.rule()` gives the `# METADATA` block directly above the rule
//! definition that makes the call (with `scope: rule` unless it says otherwise), or `{}`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use regorus::Value;

use crate::format::Format;

/// How the builtins read files in one run.
#[derive(Clone, Debug, Default)]
pub struct ReadPolicy {
    /// Files must lie inside this directory (`check`); `None` reads anywhere (`test`).
    pub confine: Option<PathBuf>,
    /// Errors are errors (`--show-builtin-errors`), not undefined values.
    pub strict: bool,
}

/// One annotated rule definition: its lines in its file and the METADATA block's value.
#[derive(Clone, Debug)]
pub struct AnnotatedRule {
    /// First line of the definition (1-based).
    pub first: u32,
    /// Last line of the definition.
    pub last: u32,
    /// The METADATA block as JSON.
    pub value: serde_json::Value,
}

/// Annotated rule definitions by policy file label, filled once the policies compile.
pub type MetadataIndex = Arc<OnceLock<BTreeMap<String, Vec<AnnotatedRule>>>>;

/// Registers the builtins on `engine`.
pub(super) fn register(
    engine: &mut regorus::Engine,
    read: &ReadPolicy,
    metadata: &MetadataIndex,
) -> anyhow::Result<()> {
    type Builtin = fn(&ReadPolicy, &[Value]) -> Result<Value, String>;
    let builtins: [(&str, u8, Builtin); 3] = [
        ("parse_config", 2, |_, args| parse_config(args)),
        ("parse_config_file", 1, parse_config_file),
        ("parse_combined_config_files", 1, parse_combined),
    ];
    for (name, arity, builtin) in builtins {
        let policy = read.clone();
        engine.add_extension(
            name.to_string(),
            arity,
            Box::new(move |args: Vec<Value>| outcome(&policy, name, builtin(&policy, &args))),
        )?;
    }
    let index = Arc::clone(metadata);
    engine.add_extension(
        "rego.metadata.rule".to_string(),
        0,
        Box::new(move |_: Vec<Value>| Ok(rule_metadata(&index))),
    )?;
    Ok(())
}

/// A builtin's result as OPA gives it: the value, or on failure an error with
/// `--show-builtin-errors` and undefined otherwise.
fn outcome(
    policy: &ReadPolicy,
    name: &str,
    result: Result<Value, String>,
) -> anyhow::Result<Value> {
    match result {
        Ok(value) => Ok(value),
        Err(message) if policy.strict => anyhow::bail!("{name}: built-in error: {message}"),
        Err(_) => Ok(Value::Undefined),
    }
}

fn string_arg(args: &[Value], i: usize) -> Result<String, String> {
    args.get(i)
        .and_then(|v| v.as_string().ok())
        .map(|s| s.to_string())
        .ok_or_else(|| format!("operand {} must be a string", i + 1))
}

fn parse_config(args: &[Value]) -> Result<Value, String> {
    let parser = string_arg(args, 0)?;
    let text = string_arg(args, 1)?;
    let format = crate::options::parse_value::<Format>(&parser, "parser")?;
    parse_text(format, &text, None)
}

/// The value policies see for `text` (read from `path`, when it is a file) parsed as
/// `format`: its document, the list of its documents, or `null` for none.
fn parse_text(format: Format, text: &str, path: Option<&Path>) -> Result<Value, String> {
    let roots = crate::parse::parse_text_at(format, text, path)
        .map_err(|e| format!("unmarshal config: invalid {}: {}", format.name(), e.message))?;
    Ok(match roots.as_slice() {
        [] => Value::Null,
        [root] => root.to_rego(),
        roots => Value::from(roots.iter().map(|r| r.to_rego()).collect::<Vec<_>>()),
    })
}

/// `path` relative to the directory of the calling policy file.
fn beside_caller(path: &str) -> PathBuf {
    let caller = regorus::unstable::extension_call_site().map(|(file, _)| file);
    let dir = caller
        .as_deref()
        .and_then(|file| Path::new(file).parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    dir.join(path)
}

/// Reads `path` (resolved beside the caller), within the run's confinement.
fn read(policy: &ReadPolicy, path: &str) -> Result<(PathBuf, String), String> {
    let full = beside_caller(path);
    let shown = crate::discover::display(&full);
    let real =
        std::fs::canonicalize(&full).map_err(|e| format!("open {shown}: {}", go_error(&e)))?;
    if let Some(root) = &policy.confine {
        if !real.starts_with(root) {
            return Err(format!(
                "{shown} is outside the repository being checked ({})",
                crate::discover::display(root)
            ));
        }
    }
    let meta = std::fs::metadata(&real).map_err(|e| format!("open {shown}: {}", go_error(&e)))?;
    if meta.len() > crate::parse::DEFAULT_MAX_FILE_SIZE {
        return Err(format!("{shown} is {} bytes, over the limit", meta.len()));
    }
    let text = crate::confine::read_to_string(&real)
        .map_err(|e| format!("read config file {shown}: {}", go_error(&e)))?;
    Ok((full, text))
}

/// An I/O error worded as Go words it (`no such file or directory`), which conftest's
/// messages and the scripts reading them carry.
fn go_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text);
            text.to_lowercase()
        }
    }
}

fn format_of(path: &Path) -> Result<Format, String> {
    Format::detect(path).ok_or_else(|| {
        format!(
            "create config parser: cannot tell the format of {} from its name",
            crate::discover::display(path)
        )
    })
}

fn parse_config_file(policy: &ReadPolicy, args: &[Value]) -> Result<Value, String> {
    let path = string_arg(args, 0)?;
    let (full, text) = read(policy, &path)?;
    parse_text(format_of(&full)?, &text, Some(&full))
}

/// conftest's combined input: `[{path, contents}, ...]` sorted by path, one entry per
/// document of a file of several.
fn parse_combined(policy: &ReadPolicy, args: &[Value]) -> Result<Value, String> {
    let Some(Value::Array(paths)) = args.first() else {
        return Err("operand 1 must be an array of strings".to_string());
    };
    let mut entries: Vec<(String, Value)> = Vec::new();
    for path in paths.iter() {
        let path = path
            .as_string()
            .map_err(|_| "operand 1 must be an array of strings".to_string())?;
        let (full, text) = read(policy, path)?;
        let format = format_of(&full)?;
        let roots = crate::parse::parse_text_at(format, &text, Some(&full)).map_err(|e| {
            format!(
                "parse combine configurations: invalid {}: {}",
                format.name(),
                e.message
            )
        })?;
        let shown = crate::discover::display(&full);
        if roots.is_empty() {
            entries.push((shown.clone(), Value::Null));
        }
        for root in &roots {
            entries.push((shown.clone(), root.to_rego()));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Value::from(
        entries
            .into_iter()
            .map(|(path, contents)| {
                let mut map = BTreeMap::new();
                map.insert(Value::from("path"), Value::from(path.as_str()));
                map.insert(Value::from("contents"), contents);
                Value::from(map)
            })
            .collect::<Vec<_>>(),
    ))
}

/// The METADATA of the annotated rule definition around the call site, or `{}`.
fn rule_metadata(index: &MetadataIndex) -> Value {
    let found = regorus::unstable::extension_call_site().and_then(|(file, line)| {
        index
            .get()?
            .get(&file)?
            .iter()
            .filter(|r| r.first <= line && line <= r.last)
            .max_by_key(|r| r.first)
            .map(|r| r.value.clone())
    });
    let mut value = found.unwrap_or_else(|| serde_json::json!({}));
    if let Some(object) = value.as_object_mut() {
        if !object.is_empty() {
            object
                .entry("scope")
                .or_insert_with(|| serde_json::Value::from("rule"));
        }
    }
    Value::from_json_str(&value.to_string()).unwrap_or_else(|_| Value::new_object())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_wording_of_io_errors() {
        let missing = std::fs::read("/no/such/file/anywhere").expect_err("missing");
        assert_eq!(go_error(&missing), "no such file or directory");
    }

    #[test]
    fn texts_parse_by_format_name() {
        let value = parse_config(&[Value::from("yaml"), Value::from("a: 1\n")]).expect("yaml");
        assert_eq!(value["a"], Value::from(1));
        let docs = parse_config(&[Value::from("yaml"), Value::from("a: 1\n---\nb: 2\n")])
            .expect("two documents");
        assert!(matches!(docs, Value::Array(ref a) if a.len() == 2));
        assert!(parse_config(&[Value::from("klingon"), Value::from("")]).is_err());
        assert!(parse_config(&[Value::from("json"), Value::from("{")]).is_err());
    }
}

//! From [`PolicySources`] (what `check` and `test` were told) to a loaded [`PolicySet`]:
//! the defaults conftest users expect (`./policy` when no path is given; the built-in pack
//! when there are no policies of one's own) and the `-d` data files.

use std::path::{Path, PathBuf};

use super::{PolicyError, PolicyOptions, PolicySet};
use crate::discover;
use crate::document::{NodeKind, Span};
use crate::format::Format;
use crate::options::PolicySources;
use crate::parse;
use crate::source_error::SourceError;

/// Loads the policies `sources` name. `has_schemas` says whether the run has JSON
/// Schema policies, which count as policies of one's own (the pack then stays off unless
/// asked for).
pub fn load(sources: &PolicySources, has_schemas: bool) -> Result<PolicySet, PolicyError> {
    load_confined(sources, has_schemas, None, None)
}

/// [`load`], with conftest's `parse_config_file` builtins confined to `confine` (the
/// repository being checked); `scope`, when known, is every file the run checks (see
/// [`PolicyOptions::scope`]).
pub fn load_confined(
    sources: &PolicySources,
    has_schemas: bool,
    confine: Option<&Path>,
    scope: Option<Vec<(String, Format)>>,
) -> Result<PolicySet, PolicyError> {
    let (paths, builtin) = resolve(sources, has_schemas)?;
    let data = load_data(&sources.data_paths)?;
    PolicySet::load(&PolicyOptions {
        paths,
        data,
        namespaces: sources.namespaces.clone(),
        all_namespaces: sources.all_namespaces,
        rego_v0: sources.rego_version.is_v0(),
        builtin,
        timeout: sources.policy_timeout.0,
        scope,
        read: super::config_builtins::ReadPolicy {
            confine: confine.map(Path::to_path_buf),
            strict: sources.builtin_errors,
        },
        strict: sources.strict,
        capabilities: sources
            .capabilities
            .as_deref()
            .map(capabilities)
            .transpose()?,
    })
}

/// The policy paths (`./policy` when none is given and it exists) and whether the pack
/// runs.
fn resolve(
    sources: &PolicySources,
    has_schemas: bool,
) -> Result<(Vec<PathBuf>, bool), PolicyError> {
    let mut paths = sources.policy_paths.clone();
    if paths.is_empty() {
        let default = PathBuf::from("policy");
        if default.is_dir() {
            paths.push(default);
        }
    }
    let builtin = sources.builtin.unwrap_or(paths.is_empty() && !has_schemas);
    if paths.is_empty() && !builtin && !has_schemas {
        return Err(PolicyError::NothingToEvaluate);
    }
    Ok((paths, builtin))
}

/// Adds what loading `sources` gives to `hasher`, without compiling anything: the pack
/// (when it runs), every policy and data file with its bytes, and the settings that
/// select and evaluate packages. Sources that cannot be loaded add their error, so the
/// digest differs from any loadable state and the load that follows reports it.
///
/// Returns whether a policy may call conftest's `parse_config_file` or
/// `parse_combined_config_files`, which read files no digest here covers.
pub fn fingerprint(
    sources: &PolicySources,
    has_schemas: bool,
    hasher: &mut crate::digest::Hasher,
) -> bool {
    let mut reads_files = false;
    let mut add_files = |files: Result<Vec<PathBuf>, PolicyError>,
                         hasher: &mut crate::digest::Hasher| {
        match files {
            Ok(files) => {
                hasher.u64(files.len() as u64);
                for path in files {
                    hasher.str(&discover::display(&path));
                    match std::fs::read(&path) {
                        Ok(bytes) => {
                            reads_files |= reads_config_files(&bytes);
                            hasher.bool(true).bytes(&bytes)
                        }
                        Err(e) => hasher.bool(false).str(&e.to_string()),
                    };
                }
            }
            Err(e) => {
                hasher.str("error").str(&e.to_string());
            }
        }
    };
    match resolve(sources, has_schemas) {
        Ok((paths, builtin)) => {
            hasher.bool(builtin);
            if builtin {
                hasher.u64(super::PACK_SOURCES.len() as u64);
                for source in super::PACK_SOURCES {
                    hasher.str(source.path).str(source.text);
                }
            }
            add_files(super::find_rego_files(&paths), hasher);
        }
        Err(e) => {
            hasher.str("error").str(&e.to_string());
        }
    }
    add_files(data_files(&sources.data_paths), hasher);
    hasher.json(&sources.namespaces);
    hasher.bool(sources.all_namespaces);
    hasher.bool(sources.rego_version.is_v0());
    hasher.u64(sources.policy_timeout.0.map_or(0, |d| d.as_nanos() as u64));
    hasher.bool(sources.strict);
    hasher.bool(sources.builtin_errors);
    add_files(Ok(sources.capabilities.iter().cloned().collect()), hasher);
    reads_files
}

/// Whether a policy's text names conftest's builtins that read other files.
fn reads_config_files(text: &[u8]) -> bool {
    [
        &b"parse_config_file"[..],
        &b"parse_combined_config_files"[..],
    ]
    .iter()
    .any(|name| text.windows(name.len()).any(|w| w == *name))
}

/// The `-d` data files: files as given, directories searched recursively for JSON and
/// YAML, in name order.
fn data_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PolicyError> {
    let unusable = |file: &str, message: String| {
        SourceError::new(
            "goldenpath::data",
            format!("cannot load data `{file}`: {message}"),
        )
    };
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                let entry = entry.map_err(|e| {
                    PolicyError::DataFile(Box::new(unusable(
                        &discover::display(path),
                        e.to_string(),
                    )))
                })?;
                let format = Format::detect(entry.path());
                if entry.file_type().is_file()
                    && matches!(format, Some(Format::Json | Format::Yaml))
                {
                    files.push(entry.into_path());
                }
            }
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Reads `-d` data files (JSON or YAML objects; directories searched recursively), each
/// labelled as reported.
fn load_data(paths: &[PathBuf]) -> Result<Vec<(String, regorus::Value)>, PolicyError> {
    let unusable = |file: &str, message: String| {
        SourceError::new(
            "goldenpath::data",
            format!("cannot load data `{file}`: {message}"),
        )
    };
    let files = data_files(paths)?;
    let mut data = Vec::new();
    for path in files {
        let file = discover::display(&path);
        let format = Format::detect(&path).unwrap_or(Format::Json);
        let doc = parse::parse_file(&path, &file, format, u64::MAX).map_err(|f| {
            let error = unusable(&f.file, f.message)
                .with_optional_source(&f.file, f.source)
                .at(f.span);
            PolicyError::DataFile(Box::new(error))
        })?;
        for root in &doc.roots {
            if !matches!(root.kind, NodeKind::Object(_)) {
                let error = unusable(&file, "a data document must be an object".to_string())
                    .with_source(&file, std::sync::Arc::clone(&doc.source))
                    .at(Some(Span::new(root.span.start, root.span.start)));
                return Err(PolicyError::DataFile(Box::new(error)));
            }
            data.push((file.clone(), root.to_rego()));
        }
    }
    Ok(data)
}

/// The builtin names an OPA capabilities file lists (`{"builtins": [{"name": ...}]}`).
fn capabilities(path: &Path) -> Result<(String, std::collections::BTreeSet<String>), PolicyError> {
    let label = crate::discover::display(path);
    let unusable = |message: String| {
        PolicyError::DataFile(Box::new(SourceError::new(
            "goldenpath::capabilities",
            format!("cannot use capabilities `{label}`: {message}"),
        )))
    };
    let text = crate::confine::read_to_string(path).map_err(|e| unusable(e.to_string()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| unusable(format!("invalid JSON: {e}")))?;
    let names = value
        .get("builtins")
        .and_then(|b| b.as_array())
        .ok_or_else(|| unusable("no `builtins` list".to_string()))?
        .iter()
        .filter_map(|b| b.get("name").and_then(|n| n.as_str()).map(str::to_string))
        .collect();
    Ok((label, names))
}

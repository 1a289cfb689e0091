//! From [`PolicySources`] (what `check` and `test` were told) to a loaded [`PolicySet`]:
//! the defaults conftest users expect (`./policy` when no path is given; the built-in pack
//! when there are no policies of one's own) and the `-d` data files.

use std::path::PathBuf;

use super::{PolicyError, PolicyOptions, PolicySet};
use crate::discover;
use crate::document::{NodeKind, Span};
use crate::format::Format;
use crate::options::PolicySources;
use crate::parse;
use crate::source_error::SourceError;

/// Loads the policies `sources` name. `has_schemas` says whether the run has JSON
/// Schema policies, which count as policies of one's own (the pack then stays off unless
/// asked for). `scope`, when known, is every file the run checks (see
/// [`PolicyOptions::scope`]).
pub fn load(
    sources: &PolicySources,
    has_schemas: bool,
    scope: Option<Vec<(String, Format)>>,
) -> Result<PolicySet, PolicyError> {
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
    })
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
                    .with_source(&file, doc.source.to_string())
                    .at(Some(Span::new(root.span.start, root.span.start)));
                return Err(PolicyError::DataFile(Box::new(error)));
            }
            data.push((file.clone(), root.to_rego()));
        }
    }
    Ok(data)
}

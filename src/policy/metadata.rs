//! `# METADATA` blocks: OPA's annotation format (YAML in comments directly above a
//! `package` or a rule), read from the policy source because regorus ignores comments.
//!
//! goldenpath reads `title`, `description`, `related_resources` and, in `custom`: `id`,
//! `severity`, `level`, `rationale`, `help`, `peers`, `tags`, `security-severity`,
//! `files`, `formats` and `scope` (`repository` for repository rules).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::PolicyError;
use crate::finding::{Level, Severity};
use crate::format::Format;

/// Where an annotation applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnnotationScope {
    /// The package declared on the next line.
    Package,
    /// The rule (by name) declared on the next line.
    Rule(String),
}

/// One parsed `# METADATA` block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Annotation {
    /// Short title.
    pub title: Option<String>,
    /// What the rule checks.
    pub description: Option<String>,
    /// Links: (`ref`, optional description).
    pub related: Vec<(String, Option<String>)>,
    /// goldenpath's keys under `custom`.
    pub custom: Custom,
    /// The whole block as JSON (what `rego.metadata.rule()` gives).
    pub raw: serde_json::Value,
    /// The line of the package or rule it annotates (1-based).
    pub line: usize,
}

/// The `custom` keys goldenpath understands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Custom {
    /// Stable rule id, e.g. `GP-DOCKER-001`.
    pub id: Option<String>,
    /// Default severity of the rule's findings.
    pub severity: Option<Severity>,
    /// Golden-path level.
    pub level: Option<Level>,
    /// Why the rule exists.
    pub rationale: Option<String>,
    /// How to fix a finding.
    pub help: Option<String>,
    /// Peer tool ids.
    pub peers: BTreeMap<String, String>,
    /// Labels.
    pub tags: Vec<String>,
    /// GitHub's security-severity.
    pub security_severity: Option<String>,
    /// Globs of the files the rules apply to (relative to the repository root).
    pub files: Vec<String>,
    /// Formats the rules apply to.
    pub formats: Vec<Format>,
    /// `true` for `scope: repository`.
    pub repository: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Related {
    Link {
        #[serde(rename = "ref")]
        reference: String,
        description: Option<String>,
    },
    Plain(String),
}

#[derive(Deserialize)]
struct Raw {
    title: Option<String>,
    description: Option<String>,
    #[serde(default)]
    related_resources: Vec<Related>,
    #[serde(default)]
    custom: RawCustom,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawCustom {
    id: Option<String>,
    severity: Option<String>,
    level: Option<String>,
    rationale: Option<String>,
    help: Option<String>,
    #[serde(default)]
    peers: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    tags: Vec<String>,
    security_severity: Option<serde_json::Value>,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    formats: Vec<String>,
    scope: Option<String>,
}

/// Every `# METADATA` block of a policy file with what it annotates.
pub fn parse(label: &str, source: &str) -> Result<Vec<(AnnotationScope, Annotation)>, PolicyError> {
    let lines: Vec<(usize, &str)> = line_offsets(source);
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (offset, line) = lines[i];
        if line.trim() != "# METADATA" {
            i += 1;
            continue;
        }
        let mut yaml = String::new();
        let mut j = i + 1;
        while j < lines.len() && lines[j].1.trim_start().starts_with('#') {
            let text = lines[j].1.trim_start().trim_start_matches('#');
            yaml.push_str(text.strip_prefix(' ').unwrap_or(text));
            yaml.push('\n');
            j += 1;
        }
        let target = lines
            .get(j)
            .map(|(_, next)| scope_of(next))
            .unwrap_or(AnnotationScope::Package);
        let mut annotation = parse_block(&yaml).map_err(|message| {
            PolicyError::at(
                label,
                source,
                offset,
                line.len(),
                format!("invalid METADATA block: {message}"),
                Some("METADATA is YAML in `# ` comments directly above a package or rule; see policies/README.md".to_string()),
            )
        })?;
        annotation.line = j + 1;
        out.push((target, annotation));
        i = j;
    }
    Ok(out)
}

fn line_offsets(source: &str) -> Vec<(usize, &str)> {
    let mut offset = 0;
    source
        .split_inclusive('\n')
        .map(|l| {
            let at = offset;
            offset += l.len();
            (at, l.trim_end_matches(['\n', '\r']))
        })
        .collect()
}

fn scope_of(line: &str) -> AnnotationScope {
    let line = line.trim_start();
    if line.starts_with("package ") || line == "package" {
        return AnnotationScope::Package;
    }
    let name: String = line
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    AnnotationScope::Rule(name)
}

fn parse_block(yaml: &str) -> Result<Annotation, String> {
    let roots = crate::parse::parse_text(Format::Yaml, yaml).map_err(|e| e.message)?;
    let value = roots
        .first()
        .map_or(serde_json::Value::Object(Default::default()), |r| {
            r.to_json()
        });
    let raw: Raw = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    let whole = value;
    let c = raw.custom;
    let severity = c
        .severity
        .as_deref()
        .map(|s| s.parse::<Severity>())
        .transpose()?;
    let level = c.level.as_deref().map(str::parse::<Level>).transpose()?;
    let formats = c
        .formats
        .iter()
        .map(|f| f.parse::<Format>().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let repository = match c.scope.as_deref() {
        None | Some("file") => false,
        Some("repository") => true,
        Some(other) => return Err(format!("unknown scope `{other}` (file, repository)")),
    };
    for pattern in &c.files {
        globset::Glob::new(pattern)
            .map_err(|e| format!("invalid glob `{pattern}`: {}", e.kind()))?;
    }
    // A peer may name several ids: `checkov: [CKV_K8S_10, CKV_K8S_12]`.
    let scalar = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(" / "),
        other => other.to_string(),
    };
    Ok(Annotation {
        title: raw.title.map(|t| t.trim().to_string()),
        description: raw.description.map(|t| t.trim().to_string()),
        related: raw
            .related_resources
            .into_iter()
            .map(|r| match r {
                Related::Link {
                    reference,
                    description,
                } => (reference, description),
                Related::Plain(reference) => (reference, None),
            })
            .collect(),
        custom: Custom {
            id: c.id,
            severity,
            level,
            rationale: c.rationale.map(|t| t.trim().to_string()),
            help: c.help.map(|t| t.trim().to_string()),
            peers: c
                .peers
                .iter()
                .map(|(k, v)| (k.clone(), scalar(v)))
                .collect(),
            tags: c.tags,
            security_severity: c.security_severity.as_ref().map(scalar),
            files: c.files,
            formats,
            repository,
        },
        raw: whole,
        line: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "# METADATA\n# title: Base image uses latest\n# description: >-\n#   Long\n#   text.\n# related_resources:\n#   - ref: https://example.com/DL3007\n#     description: hadolint DL3007\n# custom:\n#   id: GP-DOCKER-001\n#   severity: error\n#   level: bronze\n#   peers: {hadolint: DL3007}\n#   files: [\"**/Dockerfile\"]\n#   formats: [dockerfile]\npackage goldenpath.docker.latest\n\n# METADATA\n# title: rule level\ndeny contains x if { x := 1 }\n";

    #[test]
    fn package_and_rule_blocks() {
        let blocks = parse("p.rego", POLICY).expect("valid");
        assert_eq!(blocks.len(), 2);
        let (target, a) = &blocks[0];
        assert_eq!(*target, AnnotationScope::Package);
        assert_eq!(a.title.as_deref(), Some("Base image uses latest"));
        assert_eq!(a.description.as_deref(), Some("Long text."));
        assert_eq!(
            a.related,
            vec![(
                "https://example.com/DL3007".to_string(),
                Some("hadolint DL3007".to_string())
            )]
        );
        assert_eq!(a.custom.id.as_deref(), Some("GP-DOCKER-001"));
        assert_eq!(a.custom.severity, Some(Severity::Error));
        assert_eq!(a.custom.level, Some(Level::Bronze));
        assert_eq!(
            a.custom.peers.get("hadolint").map(String::as_str),
            Some("DL3007")
        );
        assert_eq!(a.custom.formats, vec![Format::Dockerfile]);
        assert_eq!(blocks[1].0, AnnotationScope::Rule("deny".to_string()));
    }

    #[test]
    fn bad_blocks_are_located_errors() {
        let bad =
            "package x\n\n# METADATA\n# custom:\n#   level: platinum\ndeny contains 1 if true\n";
        let err = parse("bad.rego", bad).expect_err("unknown level");
        let text = format!("{err}");
        assert!(text.contains("unknown level `platinum`"), "{text}");
        let bad_yaml = "# METADATA\n# title: [unclosed\npackage x\n";
        assert!(parse("y.rego", bad_yaml).is_err());
    }
}

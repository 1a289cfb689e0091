//! The rule catalog: `goldenpath rules` lists the built-in pack's rules and
//! `goldenpath explain ID` prints one rule's documentation, both from the rules'
//! `# METADATA`.

use std::fmt::Write as _;

use crate::finding::RuleInfo;
use crate::policy::{PolicyError, PolicyOptions, PolicySet};

/// Formats of `goldenpath rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CatalogFormat {
    /// A table for the terminal.
    Human,
    /// A JSON array of rules.
    Json,
    /// Markdown documentation of every rule.
    Markdown,
}

/// The built-in pack's rules, sorted by id.
pub fn pack_rules() -> Result<Vec<RuleInfo>, PolicyError> {
    // Listed, not compiled: no file is checked.
    let set = PolicySet::load(&PolicyOptions {
        builtin: true,
        scope: Some(Vec::new()),
        ..PolicyOptions::default()
    })?;
    let mut rules = set.rules();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rules)
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

fn severity(rule: &RuleInfo) -> &'static str {
    rule.severity.map_or("", |s| s.name())
}

fn level(rule: &RuleInfo) -> &'static str {
    rule.level.map_or("", |l| l.name())
}

/// Renders the list of rules.
pub fn render_list(rules: &[RuleInfo], format: CatalogFormat) -> String {
    match format {
        CatalogFormat::Human => {
            let mut out = String::new();
            for r in rules {
                let _ = writeln!(
                    out,
                    "{:<14} {:<7} {:<8} {}",
                    r.id,
                    level(r),
                    severity(r),
                    opt(&r.title)
                );
            }
            let _ = writeln!(
                out,
                "{} rules; `goldenpath explain <ID>` shows one in full",
                rules.len()
            );
            out
        }
        CatalogFormat::Json => {
            let mut text = serde_json::to_string_pretty(rules).unwrap_or_else(|_| "[]".into());
            text.push('\n');
            text
        }
        CatalogFormat::Markdown => {
            let mut out = String::from("# goldenpath built-in rules\n\n| id | level | severity | title |\n|---|---|---|---|\n");
            for r in rules {
                let _ = writeln!(
                    out,
                    "| [{}](#{}) | {} | {} | {} |",
                    r.id,
                    r.id.to_ascii_lowercase(),
                    level(r),
                    severity(r),
                    opt(&r.title)
                );
            }
            for r in rules {
                out.push('\n');
                out.push_str(&explain_markdown(r));
            }
            out
        }
    }
}

fn peers_line(rule: &RuleInfo) -> String {
    rule.peers
        .iter()
        .map(|(tool, id)| format!("{tool} {id}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What every built-in rule does in test data, examples and documentation.
const TEST_DATA_NOTE: &str = "In test data, examples and documentation (the `[pack] test-paths` globs, by default `testdata/`, `test/`, `tests/`, `fixtures/`, `__fixtures__/`, `e2e/`, `examples/`, `samples/`, `docs/` and similar directories and `*_test.go`-style test files, plus what `.gitattributes` marks `linguist-documentation`, `linguist-generated` or `linguist-vendored`) this rule still checks files, but reports at info and its findings there do not count against the scorecard.";

/// Whether a rule is part of the built-in pack.
fn builtin(r: &RuleInfo) -> bool {
    r.source
        .as_deref()
        .is_some_and(|s| s.starts_with("policies/"))
}

fn explain_markdown(r: &RuleInfo) -> String {
    let mut out = format!("## {}\n\n**{}**\n\n", r.id, opt(&r.title));
    let _ = writeln!(
        out,
        "- level: {}\n- severity: {}\n- scope: {}",
        level(r),
        severity(r),
        if r.is_repository_scope() {
            "repository"
        } else {
            "file"
        }
    );
    if !r.peers.is_empty() {
        let _ = writeln!(out, "- same check elsewhere: {}", peers_line(r));
    }
    if !r.tags.is_empty() {
        let _ = writeln!(out, "- tags: {}", r.tags.join(", "));
    }
    for (title, text) in [
        ("What it checks", &r.description),
        ("Why", &r.rationale),
        ("How to fix", &r.help),
    ] {
        if let Some(text) = text {
            let _ = write!(out, "\n### {title}\n\n{text}\n");
        }
    }
    if builtin(r) {
        let _ = write!(out, "\n### Test data\n\n{TEST_DATA_NOTE}\n");
    }
    if let Some(uri) = &r.help_uri {
        let _ = write!(out, "\nSee also: <{uri}>\n");
    }
    out
}

/// The full documentation of one rule, for the terminal.
pub fn render_explain(r: &RuleInfo) -> String {
    let mut out = format!("{}: {}\n\n", r.id, opt(&r.title));
    let _ = writeln!(out, "  level     {}", level(r));
    let _ = writeln!(out, "  severity  {}", severity(r));
    let _ = writeln!(
        out,
        "  scope     {}",
        if r.is_repository_scope() {
            "repository"
        } else {
            "file"
        }
    );
    if !r.peers.is_empty() {
        let _ = writeln!(out, "  peers     {}", peers_line(r));
    }
    if !r.tags.is_empty() {
        let _ = writeln!(out, "  tags      {}", r.tags.join(", "));
    }
    for (title, text) in [
        ("What it checks", &r.description),
        ("Why", &r.rationale),
        ("How to fix", &r.help),
    ] {
        if let Some(text) = text {
            let _ = write!(out, "\n{title}:\n{}\n", indent(text));
        }
    }
    if builtin(r) {
        let _ = write!(out, "\nTest data:\n{}\n", indent(&wrap(TEST_DATA_NOTE, 86)));
    }
    if let Some(uri) = &r.help_uri {
        let _ = write!(out, "\nSee also: {uri}\n");
    }
    out
}

/// `text` broken into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("\n")
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The ids a rule's peers give in each tool (`CKV_K8S_10 / CKV_K8S_12` names two).
fn peer_ids(rule: &RuleInfo) -> impl Iterator<Item = &str> {
    rule.peers
        .values()
        .flat_map(|ids| ids.split([',', '/']))
        .map(str::trim)
        .filter(|id| !id.is_empty())
}

/// The rule `id` (case-insensitive), or the rules that name `id` as the same check in
/// another tool (`DL3007`, `CKV_K8S_20`); when none does, the ids that look like it.
pub fn find<'a>(rules: &'a [RuleInfo], id: &str) -> Result<Vec<&'a RuleInfo>, Vec<&'a str>> {
    if let Some(rule) = rules.iter().find(|r| r.id.eq_ignore_ascii_case(id)) {
        return Ok(vec![rule]);
    }
    let peers: Vec<&RuleInfo> = rules
        .iter()
        .filter(|r| peer_ids(r).any(|p| p.eq_ignore_ascii_case(id)))
        .collect();
    if !peers.is_empty() {
        return Ok(peers);
    }
    let wanted = id.to_ascii_uppercase();
    let area = wanted.rsplit_once('-').map_or(wanted.as_str(), |(a, _)| a);
    Err(rules
        .iter()
        .filter(|r| r.id.starts_with(area))
        .map(|r| r.id.as_str())
        .collect())
}

/// Shell completion of a rule id: the built-in rules whose id starts with what was typed
/// (case-insensitive), with their titles.
pub fn complete_rule_id(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    let typed = current.to_string_lossy().to_ascii_uppercase();
    let Ok(rules) = pack_rules() else {
        return Vec::new();
    };
    rules
        .into_iter()
        .filter(|r| r.id.to_ascii_uppercase().starts_with(&typed))
        .map(|r| {
            let title = r.title.clone().unwrap_or_default();
            clap_complete::CompletionCandidate::new(r.id).help(Some(title.into()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_found_by_id_or_by_a_peer_id() {
        let rules = pack_rules().expect("the pack loads");
        let ids = |found: Result<Vec<&RuleInfo>, Vec<&str>>| -> Vec<String> {
            found
                .expect("found")
                .into_iter()
                .map(|r| r.id.clone())
                .collect()
        };
        assert_eq!(ids(find(&rules, "gp-docker-001")), ["GP-DOCKER-001"]);
        assert_eq!(ids(find(&rules, "DL3007")), ["GP-DOCKER-001"]);
        assert_eq!(ids(find(&rules, "ckv_k8s_12")), ["GP-K8S-001"]);
        let similar = find(&rules, "GP-DOCKER-999").expect_err("no such rule");
        assert!(similar.contains(&"GP-DOCKER-001"), "{similar:?}");
        let completed = complete_rule_id(std::ffi::OsStr::new("gp-tf"));
        assert!(completed.len() >= 3, "{completed:?}");
        assert!(completed
            .iter()
            .all(|c| c.get_value().to_string_lossy().starts_with("GP-TF-")));
    }
}

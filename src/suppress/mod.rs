//! The suppress stage, between locating and reporting: rule settings (`[rules]`,
//! `[[overrides]]`, `--select`/`--skip`, one mechanism in [`rules`]), then suppressions:
//! inline comments ([`directive`], found by the scanners of [`comments`]), `[[ignore]]`
//! entries of goldenpath.toml, and a baseline ([`baseline`]).
//!
//! A suppressed finding keeps its rule id and moves to [`Suppressed`], with the kind of
//! suppression, its reason and where it was declared. Suppressions that match nothing,
//! have expired, or lack a required reason become findings of their own
//! ([`UNUSED_SUPPRESSION`], [`EXPIRED_SUPPRESSION`], [`INVALID_SUPPRESSION`]) at the
//! comment or the goldenpath.toml entry, and so do rule ids in goldenpath.toml that name
//! no known rule ([`UNKNOWN_RULE`]). Those findings follow the rule settings like any
//! other, and are never suppressed themselves.

pub mod add;
pub mod baseline;
pub mod comments;
pub mod date;
pub mod directive;
pub mod rules;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::document::{Document, NodeKind, PathSeg, Span};
use crate::finding::{
    Finding, Severity, Target, EXPIRED_SUPPRESSION, INVALID_SUPPRESSION, UNKNOWN_RULE,
    UNUSED_SUPPRESSION,
};
use crate::locate::{self, Diagnostic};
use crate::options::{IgnoreSetting, RuleSetting};
use date::Date;
use directive::{FileDirectives, RulePattern, Scope};
use rules::{did_you_mean, matches, FileGlobs, RuleTable};

/// How a finding was suppressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A `goldenpath: ignore[...]` comment in the file.
    Inline,
    /// An `[[ignore]]` entry of goldenpath.toml.
    Config,
    /// An entry of the baseline.
    Baseline,
}

/// Why and where a finding was suppressed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// Inline, config or baseline.
    pub kind: Kind,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// The file that declares it: the commented file, goldenpath.toml, the baseline.
    pub file: String,
    /// The 1-based line of the declaration, when it has one.
    pub line: Option<usize>,
}

/// A finding that was suppressed.
#[derive(Clone, Debug, PartialEq)]
pub struct Suppressed {
    /// The finding, as it would have been reported.
    pub diagnostic: Diagnostic,
    /// What suppressed it.
    pub suppression: Suppression,
}

/// What the stage needs besides the findings.
pub struct Context<'a> {
    /// The rule settings.
    pub table: &'a RuleTable,
    /// Every rule id the run knows (built-in, policies, schemas, findings).
    pub known: &'a BTreeSet<String>,
    /// A reported file's path relative to the checked root (what globs match).
    pub relative: &'a dyn Fn(&str) -> String,
    /// The day expiry dates are compared with.
    pub today: Date,
    /// A suppression without a reason is an error and does not apply.
    pub require_reason: bool,
    /// goldenpath.toml as parsed, when one was read.
    pub config: Option<&'a Document>,
    /// Its `[[ignore]]` entries.
    pub ignores: &'a [IgnoreSetting],
}

/// What the stage produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings still reported (rule settings applied), unsorted.
    pub kept: Vec<Diagnostic>,
    /// Suppressed findings.
    pub suppressed: Vec<Suppressed>,
}

/// One suppression that can apply: its patterns and which of them matched.
struct Active<'a> {
    patterns: Vec<&'a RulePattern>,
    used: Vec<bool>,
    reason: Option<&'a str>,
    line: usize,
}

/// A config entry that can apply.
struct ActiveIgnore<'a> {
    index: usize,
    globs: FileGlobs,
    entry: &'a IgnoreSetting,
    used: Vec<bool>,
}

/// Applies the rule settings and the inline and `[[ignore]]` suppressions to
/// `diagnostics`, and adds the findings about suppressions and settings.
pub fn apply(cx: &Context<'_>, diagnostics: Vec<Diagnostic>, inline: &[FileDirectives]) -> Outcome {
    let mut meta: Vec<Diagnostic> = Vec::new();
    let mut outcome = Outcome::default();
    let today = cx.today;

    // Inline directives, by file and line.
    let mut by_file: HashMap<&str, (&FileDirectives, Vec<(Scope, Active<'_>)>)> = HashMap::new();
    for file in inline {
        let mut active = Vec::new();
        let mut findings = Vec::new();
        for bad in &file.malformed {
            findings.push(finding(
                INVALID_SUPPRESSION,
                Severity::Error,
                &file.file,
                bad.span,
                bad.message.clone(),
            ));
        }
        for d in &file.directives {
            let ids = join(d.rules.iter().map(|r| r.pattern.as_str()));
            if let Some((until, span)) = d.until.filter(|(until, _)| *until < today) {
                findings.push(finding(
                    EXPIRED_SUPPRESSION,
                    Severity::Warning,
                    &file.file,
                    span,
                    format!(
                        "suppression of {ids} expired on {until}: its findings are reported again"
                    ),
                ));
                continue;
            }
            if cx.require_reason && d.reason.is_none() {
                findings.push(finding(INVALID_SUPPRESSION, Severity::Error, &file.file, d.span,
                    format!("suppression of {ids} has no reason (require-reason is set): add ` -- why` after it")));
                continue;
            }
            active.push((
                d.scope,
                Active {
                    patterns: d.rules.iter().collect(),
                    used: vec![false; d.rules.len()],
                    reason: d.reason.as_deref(),
                    line: d.line,
                },
            ));
        }
        meta.extend(locate::locate(
            findings,
            None,
            Some(Arc::clone(&file.source)),
        ));
        by_file.insert(&file.file, (file, active));
    }

    // `[[ignore]]` entries.
    let mut config_findings = Vec::new();
    let config_file = cx.config.map_or("goldenpath.toml", |d| d.file.as_str());
    let mut ignores: Vec<ActiveIgnore<'_>> = Vec::new();
    for (index, entry) in cx.ignores.iter().enumerate() {
        let at = |tail: &[&str]| config_span(cx.config, index, tail);
        let ids = join(entry.rules.iter().map(String::as_str));
        let until = entry.until.as_deref().and_then(|u| u.parse::<Date>().ok());
        if let Some(until) = until.filter(|u| *u < today) {
            config_findings.push(config_finding(
                EXPIRED_SUPPRESSION,
                Severity::Warning,
                config_file,
                at(&["until"]),
                format!(
                    "`[[ignore]]` of {ids} expired on {until}: its findings are reported again"
                ),
            ));
            continue;
        }
        if cx.require_reason && entry.reason.is_none() {
            config_findings.push(config_finding(INVALID_SUPPRESSION, Severity::Error, config_file, at(&[]),
                format!("`[[ignore]]` of {ids} has no reason (require-reason is set): add `reason = \"...\"`")));
            continue;
        }
        let Ok(globs) = FileGlobs::new(&entry.files) else {
            continue;
        };
        ignores.push(ActiveIgnore {
            index,
            globs,
            entry,
            used: vec![false; entry.rules.len()],
        });
    }

    for mut d in diagnostics {
        let relative = (cx.relative)(&d.file);
        match cx.table.resolve(&d.rule, Some(&relative)) {
            Some(RuleSetting::Off) => continue,
            Some(RuleSetting::Severity(severity)) => d.severity = severity,
            None => {}
        }
        let mut suppression = None;
        let line = d.region.map(|r| r.start.line);
        if let Some((file, active)) = by_file.get_mut(d.file.as_str()) {
            for (scope, a) in active.iter_mut() {
                let covers = match scope {
                    Scope::File => true,
                    Scope::Line(l) => Some(*l) == line,
                };
                if !covers {
                    continue;
                }
                for (p, used) in a.patterns.iter().zip(a.used.iter_mut()) {
                    if matches(&p.pattern, &d.rule) {
                        *used = true;
                        suppression.get_or_insert_with(|| Suppression {
                            kind: Kind::Inline,
                            reason: a.reason.map(str::to_string),
                            file: file.file.clone(),
                            line: Some(a.line),
                        });
                    }
                }
            }
        }
        for ignore in ignores.iter_mut().filter(|i| i.globs.is_match(&relative)) {
            for (p, used) in ignore.entry.rules.iter().zip(ignore.used.iter_mut()) {
                if matches(p, &d.rule) {
                    *used = true;
                    suppression.get_or_insert_with(|| Suppression {
                        kind: Kind::Config,
                        reason: ignore.entry.reason.clone(),
                        file: config_file.to_string(),
                        line: config_line(cx.config, ignore.index),
                    });
                }
            }
        }
        match suppression {
            Some(suppression) => outcome.suppressed.push(Suppressed {
                diagnostic: d,
                suppression,
            }),
            None => outcome.kept.push(d),
        }
    }

    // What matched nothing.
    for (file, active) in by_file.values() {
        let relative = (cx.relative)(&file.file);
        let mut findings = Vec::new();
        for (_, a) in active {
            for (p, used) in a.patterns.iter().zip(&a.used) {
                if !used && reportable(cx, &p.pattern, &relative) {
                    findings.push(finding(
                        UNUSED_SUPPRESSION,
                        Severity::Warning,
                        &file.file,
                        p.span,
                        unused_message(cx, &p.pattern),
                    ));
                }
            }
        }
        meta.extend(locate::locate(
            findings,
            None,
            Some(Arc::clone(&file.source)),
        ));
    }
    for ignore in &ignores {
        for (j, (p, used)) in ignore.entry.rules.iter().zip(&ignore.used).enumerate() {
            if *used || !cx.known.iter().any(|id| matches(p, id)) {
                // Unknown ids are reported once, as unknown-rule.
                continue;
            }
            let all_off = cx
                .known
                .iter()
                .filter(|id| matches(p, id))
                .all(|id| cx.table.off_everywhere(id));
            if all_off {
                continue;
            }
            let span = config_span(cx.config, ignore.index, &["rules", &j.to_string()])
                .or_else(|| config_span(cx.config, ignore.index, &[]));
            config_findings.push(config_finding(
                UNUSED_SUPPRESSION,
                Severity::Warning,
                config_file,
                span,
                format!(
                    "`[[ignore]]` of `{p}` in {} matched no finding: remove it",
                    join(ignore.entry.files.iter().map(String::as_str))
                ),
            ));
        }
    }
    if let Some(doc) = cx.config {
        config_findings.extend(unknown_rules(doc, cx.known));
        meta.extend(locate::locate(config_findings, Some(doc), None));
    }

    for mut d in meta {
        let relative = (cx.relative)(&d.file);
        match cx.table.resolve(&d.rule, Some(&relative)) {
            Some(RuleSetting::Off) => continue,
            Some(RuleSetting::Severity(severity)) => d.severity = severity,
            None => {}
        }
        outcome.kept.push(d);
    }
    outcome
}

/// Whether an unused pattern is worth reporting: it names an unknown rule (a typo), or
/// a rule that runs in that file (not one turned off, deselected or skipped).
fn reportable(cx: &Context<'_>, pattern: &str, relative: &str) -> bool {
    let mut named = cx.known.iter().filter(|id| matches(pattern, id)).peekable();
    named.peek().is_none()
        || named.any(|id| cx.table.resolve(id, Some(relative)) != Some(RuleSetting::Off))
}

fn unused_message(cx: &Context<'_>, pattern: &str) -> String {
    if cx.known.iter().any(|id| matches(pattern, id)) {
        return format!("suppression of `{pattern}` matched no finding: remove it");
    }
    match did_you_mean(pattern, cx.known.iter().map(String::as_str)) {
        Some(near) => format!("suppression of `{pattern}` matched no finding: no rule has that id; did you mean `{near}`?"),
        None => format!("suppression of `{pattern}` matched no finding: no rule has that id"),
    }
}

/// `[rules]`, `[[ignore]]` and `[[overrides]]` rule ids and globs that match no known
/// rule, at their place in goldenpath.toml.
pub fn unknown_rules(doc: &Document, known: &BTreeSet<String>) -> Vec<Finding> {
    let Some(root) = doc.roots.first() else {
        return Vec::new();
    };
    fn keys_of<'a>(node: &'a crate::document::Node, named: &mut Vec<(&'a str, Span)>) {
        if let NodeKind::Object(members) = &node.kind {
            named.extend(members.iter().map(|m| (m.key.as_str(), m.key_span)));
        }
    }
    let mut named: Vec<(&str, Span)> = Vec::new();
    if let Some(rules) = root.get("rules") {
        keys_of(&rules.value, &mut named);
    }
    for table in ["overrides", "ignore"] {
        let Some(NodeKind::Array(entries)) = root.get(table).map(|m| &m.value.kind) else {
            continue;
        };
        for entry in entries {
            match entry.get("rules").map(|m| &m.value) {
                Some(node) if table == "overrides" => keys_of(node, &mut named),
                Some(crate::document::Node {
                    kind: NodeKind::Array(items),
                    ..
                }) => {
                    for item in items {
                        if let NodeKind::String(s) = &item.kind {
                            named.push((s.as_str(), item.span));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    named
        .into_iter()
        .filter(|(pattern, _)| !known.iter().any(|id| matches(pattern, id)))
        .map(|(pattern, span)| {
            let message = match did_you_mean(pattern, known.iter().map(String::as_str)) {
                Some(near) => format!("`{pattern}` names no known rule; did you mean `{near}`?"),
                None => format!("`{pattern}` names no known rule"),
            };
            config_finding(
                UNKNOWN_RULE,
                Severity::Warning,
                &doc.file,
                Some(span),
                message,
            )
        })
        .collect()
}

fn join<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn finding(rule: &str, severity: Severity, file: &str, span: Span, message: String) -> Finding {
    config_finding(rule, severity, file, Some(span), message)
}

fn config_finding(
    rule: &str,
    severity: Severity,
    file: &str,
    span: Option<Span>,
    message: String,
) -> Finding {
    Finding {
        rule: rule.to_string(),
        severity,
        message,
        file: file.to_string(),
        target: span.map_or(Target::File, Target::Span),
        metadata: Default::default(),
    }
}

/// The span of `ignore[index]` followed by `tail` in goldenpath.toml: a value, or the
/// entry's first line when `tail` is empty.
fn config_span(config: Option<&Document>, index: usize, tail: &[&str]) -> Option<Span> {
    let root = config?.roots.first()?;
    let mut path = vec![PathSeg::Key("ignore".into()), PathSeg::Index(index)];
    path.extend(tail.iter().map(|seg| match seg.parse::<usize>() {
        Ok(i) => PathSeg::Index(i),
        Err(_) => PathSeg::Key(seg.to_string()),
    }));
    let walk = root.walk(&path);
    if walk.matched < path.len() {
        return None;
    }
    let span = walk.node.span;
    if tail.is_empty() {
        let text: &str = &config?.source;
        let end = text[span.start.min(text.len())..]
            .find('\n')
            .map_or(span.end, |i| span.start + i);
        return Some(Span::new(span.start, end.min(span.end)));
    }
    Some(span)
}

fn config_line(config: Option<&Document>, index: usize) -> Option<usize> {
    let span = config_span(config, index, &[])?;
    let text: &str = &config?.source;
    Some(locate::LineIndex::new(text).position(span.start).line)
}

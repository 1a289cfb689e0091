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
pub mod settings;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::document::{Document, NodeKind, PathSeg, Span};
use crate::finding::{
    Finding, Severity, Target, EXPIRED_SUPPRESSION, INVALID_SUPPRESSION, UNKNOWN_RULE,
    UNUSED_SUPPRESSION,
};
use crate::locate::{self, Diagnostic};
use date::Date;
use directive::{FileDirectives, RulePattern, Scope};
use rules::{did_you_mean, matches, FileGlobs, RuleTable};
use settings::{IgnoreSetting, RuleSetting};

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

impl Suppressed {
    /// The order of reports, total: the finding's ([`Diagnostic::report_order`]), then
    /// the suppression's kind, file, line and reason.
    pub fn report_order(&self, other: &Suppressed) -> std::cmp::Ordering {
        fn why(s: &Suppressed) -> (Kind, &str, Option<usize>, Option<&str>) {
            let s = &s.suppression;
            (s.kind, &s.file, s.line, s.reason.as_deref())
        }
        self.diagnostic
            .report_order(&other.diagnostic)
            .then_with(|| why(self).cmp(&why(other)))
    }
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

/// One inline suppression that can apply: what it covers, its patterns and which of
/// them matched.
struct Active<'a> {
    scope: Scope,
    patterns: Vec<&'a RulePattern>,
    used: Vec<bool>,
    reason: Option<&'a str>,
    line: usize,
}

/// The inline suppressions of one file that can apply.
struct InlineFile<'a> {
    file: &'a FileDirectives,
    active: Vec<Active<'a>>,
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
    let (mut files, mut meta) = inline_suppressions(cx, inline);
    let (mut ignores, mut config_findings) = config_ignores(cx);
    let mut outcome = Outcome::default();
    for d in diagnostics {
        let relative = (cx.relative)(&d.file);
        let Some(d) = cx.table.settle(d, &relative) else {
            continue;
        };
        let inline = files
            .get_mut(d.file.as_str())
            .and_then(|file| match_inline(file, &d));
        let config = match_config(cx, &mut ignores, &relative, &d.rule);
        match inline.or(config) {
            Some(suppression) => outcome.suppressed.push(Suppressed {
                diagnostic: d,
                suppression,
            }),
            None => outcome.kept.push(d),
        }
    }
    for file in files.values() {
        meta.extend(unused_inline(cx, file));
    }
    config_findings.extend(unused_config(cx, &ignores));
    if let Some(doc) = cx.config {
        config_findings.extend(unknown_rules(doc, cx.known));
        meta.extend(locate::locate(config_findings, Some(doc), None));
    }
    outcome.kept.extend(meta.into_iter().filter_map(|d| {
        let relative = (cx.relative)(&d.file);
        cx.table.settle(d, &relative)
    }));
    outcome
}

/// The inline suppressions that apply, by file, and the findings about those that
/// cannot be read, have expired or lack a required reason.
fn inline_suppressions<'a>(
    cx: &Context<'_>,
    inline: &'a [FileDirectives],
) -> (HashMap<&'a str, InlineFile<'a>>, Vec<Diagnostic>) {
    let mut files = HashMap::new();
    let mut meta = Vec::new();
    for file in inline {
        let mut active = Vec::new();
        let mut findings: Vec<Finding> = file
            .malformed
            .iter()
            .map(|bad| {
                let message = bad.message.clone();
                finding(
                    INVALID_SUPPRESSION,
                    Severity::Error,
                    &file.file,
                    Some(bad.span),
                    message,
                )
            })
            .collect();
        for d in &file.directives {
            let ids = join(d.rules.iter().map(|r| r.pattern.as_str()));
            if let Some((until, span)) = d.until.filter(|(until, _)| *until < cx.today) {
                let message = format!(
                    "suppression of {ids} expired on {until}: its findings are reported again"
                );
                findings.push(finding(
                    EXPIRED_SUPPRESSION,
                    Severity::Warning,
                    &file.file,
                    Some(span),
                    message,
                ));
            } else if cx.require_reason && d.reason.is_none() {
                let message = format!(
                    "suppression of {ids} has no reason (require-reason is set): add ` -- why` after it"
                );
                findings.push(finding(
                    INVALID_SUPPRESSION,
                    Severity::Error,
                    &file.file,
                    Some(d.span),
                    message,
                ));
            } else {
                active.push(Active {
                    scope: d.scope,
                    patterns: d.rules.iter().collect(),
                    used: vec![false; d.rules.len()],
                    reason: d.reason.as_deref(),
                    line: d.line,
                });
            }
        }
        meta.extend(locate::locate(
            findings,
            None,
            Some(Arc::clone(&file.source)),
        ));
        files.insert(file.file.as_str(), InlineFile { file, active });
    }
    (files, meta)
}

/// The `[[ignore]]` entries that apply, and the findings about those that have expired
/// or lack a required reason.
fn config_ignores<'a>(cx: &Context<'a>) -> (Vec<ActiveIgnore<'a>>, Vec<Finding>) {
    let mut ignores = Vec::new();
    let mut findings = Vec::new();
    let config_file = config_file(cx);
    for (index, entry) in cx.ignores.iter().enumerate() {
        let ids = join(entry.rules.iter().map(String::as_str));
        let until = entry.until.as_deref().and_then(|u| u.parse::<Date>().ok());
        if let Some(until) = until.filter(|u| *u < cx.today) {
            let span = config_span(cx.config, index, &["until"]);
            let message = format!(
                "`[[ignore]]` of {ids} expired on {until}: its findings are reported again"
            );
            findings.push(finding(
                EXPIRED_SUPPRESSION,
                Severity::Warning,
                config_file,
                span,
                message,
            ));
        } else if cx.require_reason && entry.reason.is_none() {
            let span = config_span(cx.config, index, &[]);
            let message = format!(
                "`[[ignore]]` of {ids} has no reason (require-reason is set): add `reason = \"...\"`"
            );
            findings.push(finding(
                INVALID_SUPPRESSION,
                Severity::Error,
                config_file,
                span,
                message,
            ));
        } else if let Ok(globs) = FileGlobs::new(&entry.files) {
            ignores.push(ActiveIgnore {
                index,
                globs,
                entry,
                used: vec![false; entry.rules.len()],
            });
        }
    }
    (ignores, findings)
}

fn config_file<'a>(cx: &Context<'a>) -> &'a str {
    cx.config.map_or("goldenpath.toml", |d| d.file.as_str())
}

/// The first inline suppression of `d` in its file; every pattern that matches is
/// marked used.
fn match_inline(file: &mut InlineFile<'_>, d: &Diagnostic) -> Option<Suppression> {
    let line = d.region.map(|r| r.start.line);
    let mut suppression = None;
    for a in &mut file.active {
        if let Scope::Line(l) = a.scope {
            if Some(l) != line {
                continue;
            }
        }
        for (p, used) in a.patterns.iter().zip(a.used.iter_mut()) {
            if matches(&p.pattern, &d.rule) {
                *used = true;
                suppression.get_or_insert_with(|| Suppression {
                    kind: Kind::Inline,
                    reason: a.reason.map(str::to_string),
                    file: file.file.file.clone(),
                    line: Some(a.line),
                });
            }
        }
    }
    suppression
}

/// The first `[[ignore]]` entry for `rule` in `relative`; every pattern that matches is
/// marked used.
fn match_config(
    cx: &Context<'_>,
    ignores: &mut [ActiveIgnore<'_>],
    relative: &str,
    rule: &str,
) -> Option<Suppression> {
    let mut suppression = None;
    for ignore in ignores.iter_mut().filter(|i| i.globs.is_match(relative)) {
        for (p, used) in ignore.entry.rules.iter().zip(ignore.used.iter_mut()) {
            if matches(p, rule) {
                *used = true;
                suppression.get_or_insert_with(|| Suppression {
                    kind: Kind::Config,
                    reason: ignore.entry.reason.clone(),
                    file: config_file(cx).to_string(),
                    line: config_line(cx.config, ignore.index),
                });
            }
        }
    }
    suppression
}

/// `unused-suppression` findings for the patterns of `file` that matched nothing.
fn unused_inline(cx: &Context<'_>, file: &InlineFile<'_>) -> Vec<Diagnostic> {
    let relative = (cx.relative)(&file.file.file);
    let findings = file
        .active
        .iter()
        .flat_map(|a| a.patterns.iter().zip(&a.used))
        .filter(|(p, used)| !**used && reportable(cx, &p.pattern, &relative))
        .map(|(p, _)| {
            let message = unused_message(cx, &p.pattern);
            finding(
                UNUSED_SUPPRESSION,
                Severity::Warning,
                &file.file.file,
                Some(p.span),
                message,
            )
        })
        .collect();
    locate::locate(findings, None, Some(Arc::clone(&file.file.source)))
}

/// `unused-suppression` findings for the `[[ignore]]` patterns that matched nothing
/// (unknown ids are reported once, as `unknown-rule`; ids off everywhere not at all).
fn unused_config(cx: &Context<'_>, ignores: &[ActiveIgnore<'_>]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for ignore in ignores {
        for (j, (p, used)) in ignore.entry.rules.iter().zip(&ignore.used).enumerate() {
            let mut named = cx.known.iter().filter(|id| matches(p, id)).peekable();
            if *used || named.peek().is_none() || named.all(|id| cx.table.off_everywhere(id)) {
                continue;
            }
            let span = config_span(cx.config, ignore.index, &["rules", &j.to_string()])
                .or_else(|| config_span(cx.config, ignore.index, &[]));
            let files = join(ignore.entry.files.iter().map(String::as_str));
            let message = format!("`[[ignore]]` of `{p}` in {files} matched no finding: remove it");
            findings.push(finding(
                UNUSED_SUPPRESSION,
                Severity::Warning,
                config_file(cx),
                span,
                message,
            ));
        }
    }
    findings
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
            finding(
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

fn finding(
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

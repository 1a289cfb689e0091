//! What evaluation produces: a [`Finding`] names a rule, a message and a *symbolic*
//! location ([`Target`]); the locate stage later turns the target into lines and columns.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::document::{InputOrigin, PathSeg, Span};
use crate::format::Format;

/// Rule id of findings for files that could not be read or parsed.
pub const PARSE_ERROR: &str = "parse-error";
/// Rule id of findings for policies that failed while evaluating a file.
pub const POLICY_ERROR: &str = "policy-error";
/// Rule id of findings for suppressions that matched no finding.
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";
/// Rule id of findings for suppressions past their `until` date.
pub const EXPIRED_SUPPRESSION: &str = "expired-suppression";
/// Rule id of findings for suppressions that cannot be read, or lack a required reason.
pub const INVALID_SUPPRESSION: &str = "invalid-suppression";
/// Rule id of findings for rule ids in goldenpath.toml that name no known rule.
pub const UNKNOWN_RULE: &str = "unknown-rule";

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational; never fails a run.
    Info,
    /// Fails the run with `--fail-on warning`.
    Warning,
    /// Fails the run by default.
    Error,
}

impl Severity {
    /// The lower-case name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Severity {
    type Err = String;

    /// Accepts the names policies commonly use: `error`/`high`/`critical`/`deny`,
    /// `warning`/`warn`/`medium`, `info`/`note`/`low`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "error" | "high" | "critical" | "deny" | "failure" => Ok(Severity::Error),
            "warning" | "warn" | "medium" => Ok(Severity::Warning),
            "info" | "note" | "low" | "notice" => Ok(Severity::Info),
            other => Err(format!("unknown severity `{other}`")),
        }
    }
}

/// Where a finding points, before it is mapped to lines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Target {
    /// A path of keys and indices inside one input of the document.
    Path {
        /// The input the path is relative to.
        origin: InputOrigin,
        /// The keys and indices.
        path: Vec<PathSeg>,
    },
    /// A 1-based line named by the policy (conftest's `_loc`).
    Line(usize),
    /// A byte range (parse errors).
    Span(Span),
    /// The start of one input.
    Input(InputOrigin),
    /// The file as a whole.
    File,
}

/// One result of one rule on one file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id, e.g. `main.deny` or `parse-error`.
    pub rule: String,
    /// Severity after result-level overrides.
    pub severity: Severity,
    /// The message.
    pub message: String,
    /// The file, as reported.
    pub file: String,
    /// Where in the file.
    pub target: Target,
    /// Other keys of the rule's result object.
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// A golden-path level: how far along the paved road a repository is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The basics every repository should meet.
    Bronze,
    /// A well-run service.
    Silver,
    /// Everything the golden path asks for.
    Gold,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 3] = [Level::Bronze, Level::Silver, Level::Gold];

    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Level::Bronze => "bronze",
            Level::Silver => "silver",
            Level::Gold => "gold",
        }
    }
}

impl FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "bronze" => Ok(Level::Bronze),
            "silver" => Ok(Level::Silver),
            "gold" => Ok(Level::Gold),
            other => Err(format!("unknown level `{other}` (bronze, silver, gold)")),
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What reports know about a rule that produced, or could produce, findings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleInfo {
    /// Stable id, as in findings.
    pub id: String,
    /// Severity of its findings unless a result overrides it.
    pub severity: Option<Severity>,
    /// One-line title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What it checks and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How to fix a finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Where its documentation lives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// Labels such as `security`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The golden-path level the rule belongs to, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Why the rule exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// The same check in well-known tools: tool name to its id for the check.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub peers: std::collections::BTreeMap<String, String>,
    /// GitHub code scanning's `security-severity` ("0.0" to "10.0"), for security rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_severity: Option<String>,
    /// Globs of the files it applies to (METADATA `custom.files`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The formats it applies to (METADATA `custom.formats`).
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "format_names")]
    pub formats: Vec<Format>,
    /// What one evaluation looks at, for rules loaded with METADATA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<RuleScope>,
    /// The policy file that defines it: `policies/<area>/<slug>.rego` for the built-in
    /// pack, the path as given for other policies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// What one evaluation of a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleScope {
    /// One document of one file.
    File,
    /// A whole repository (METADATA `custom.scope: repository`).
    Repository,
}

impl RuleInfo {
    /// Whether the rule looks at a whole repository rather than one file.
    pub fn is_repository_scope(&self) -> bool {
        self.scope == Some(RuleScope::Repository)
    }
}

fn format_names<S: serde::Serializer>(
    formats: &[Format],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(formats.iter().map(|f| f.name()))
}

impl RuleInfo {
    /// The rules of a report: `rules` plus an entry for each id in `ids` (the rules that
    /// produced findings, such as ids set by results) that `rules` lacks, sorted by id,
    /// one entry per id (the first one given wins).
    pub fn catalogue<'a>(
        mut rules: Vec<RuleInfo>,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Vec<RuleInfo> {
        let mut known: std::collections::BTreeSet<String> =
            rules.iter().map(|r| r.id.clone()).collect();
        for id in ids {
            if !known.contains(id) {
                known.insert(id.to_string());
                rules.push(RuleInfo {
                    id: id.to_string(),
                    ..RuleInfo::default()
                });
            }
        }
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        rules.dedup_by(|a, b| a.id == b.id);
        rules
    }

    /// The built-in rules every run can produce.
    pub fn builtin() -> Vec<RuleInfo> {
        vec![
            RuleInfo {
                id: PARSE_ERROR.to_string(),
                severity: Some(Severity::Error),
                title: Some("File could not be read or parsed".to_string()),
                description: Some("The file is unreadable, not UTF-8, too large, or not valid in its format, so no policy could check it.".to_string()),
                help: Some("Fix the syntax error at the reported position, or exclude the file with --exclude.".to_string()),
                ..RuleInfo::default()
            },
            RuleInfo {
                id: POLICY_ERROR.to_string(),
                severity: Some(Severity::Error),
                title: Some("Policy failed while evaluating a file".to_string()),
                description: Some("A rule raised an error or produced a result of an unexpected shape for this file.".to_string()),
                help: Some("Fix the rule named in the message; results must be strings or objects with a string `msg`.".to_string()),
                ..RuleInfo::default()
            },
            RuleInfo {
                id: UNUSED_SUPPRESSION.to_string(),
                severity: Some(Severity::Warning),
                title: Some("Suppression matched no finding".to_string()),
                description: Some("An inline `goldenpath: ignore[...]` comment or an `[[ignore]]` entry suppressed nothing in this run: the finding was fixed, moved to another line, or the rule id is misspelt.".to_string()),
                help: Some("Remove the suppression, or correct the rule id (the message suggests a near miss).".to_string()),
                ..RuleInfo::default()
            },
            RuleInfo {
                id: EXPIRED_SUPPRESSION.to_string(),
                severity: Some(Severity::Warning),
                title: Some("Suppression has expired".to_string()),
                description: Some("The suppression's `until` date has passed, so it no longer applies and its findings are reported again.".to_string()),
                help: Some("Fix the findings and remove the suppression, or move its `until` date with a reason.".to_string()),
                ..RuleInfo::default()
            },
            RuleInfo {
                id: INVALID_SUPPRESSION.to_string(),
                severity: Some(Severity::Error),
                title: Some("Suppression cannot be used".to_string()),
                description: Some("A `goldenpath:` comment could not be read as a suppression, or a suppression has no reason while goldenpath.toml sets `require-reason = true`. It does not apply.".to_string()),
                help: Some("Write `goldenpath: ignore[RULE-ID] until=YYYY-MM-DD -- reason` (the date is optional).".to_string()),
                ..RuleInfo::default()
            },
            RuleInfo {
                id: UNKNOWN_RULE.to_string(),
                severity: Some(Severity::Warning),
                title: Some("Setting names no known rule".to_string()),
                description: Some("A rule id or glob in `[rules]`, `[[ignore]]` or `[[overrides]]` matches no rule of this run (built-in, Rego, METADATA, schema, or produced by a finding), so the setting does nothing.".to_string()),
                help: Some("Correct the id (the message suggests a near miss); `goldenpath rules` lists the built-in ones.".to_string()),
                ..RuleInfo::default()
            },
        ]
    }
}

/// Matches a rule id or package pattern: `*` (any run of characters, dots included) and
/// `?` (one character).
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

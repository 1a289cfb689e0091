//! The SARIF 2.1.0 report: one run, in the shape GitHub code scanning and SARIF viewers
//! rely on.
//!
//! - `tool.driver.rules` lists every rule of the run (the report's rules, sorted by id),
//!   with texts taken from the rule's metadata and sensible fallbacks when it has none;
//!   rules tagged `security` get a `security-severity` derived from their severity.
//! - Each result has `ruleId`/`ruleIndex`, a level, the message and exactly one physical
//!   location relative to `%SRCROOT%` (the directory goldenpath ran in). Columns count
//!   Unicode code points and `endColumn` is exclusive, as in every goldenpath report, so
//!   `run.columnKind` is `unicodeCodePoints`. Findings without a position point at line 1
//!   of their file, since GitHub rejects results without a location.
//! - `partialFingerprints` (see the fingerprint module) keep alerts stable when lines move.
//! - Suppressed findings follow the reported ones, each with one `suppressions` entry:
//!   `inSource` for an inline comment, `external` for goldenpath.toml and baselines, the
//!   reason and the place of declaration as its justification.
//! - `invocations[0]` records the exit code; parse and policy errors are repeated there as
//!   `toolExecutionNotifications`. No timestamps, so the output is reproducible.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{RenderOptions, Report};
use crate::finding::{RuleInfo, Severity, PARSE_ERROR, POLICY_ERROR};
use crate::locate::Diagnostic;

/// The schema URI written in `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The `uriBaseId` of every artifact location.
pub const SRCROOT: &str = "%SRCROOT%";
/// The key of goldenpath's entry in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "goldenpath/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: Vec<Invocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    automation_details: Option<AutomationDetails>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
    /// The golden-path level of the rule, when it has one.
    #[serde(rename = "golden-path-level", skip_serializing_if = "Option::is_none")]
    golden_path_level: Option<&'static str>,
    /// The same check in well-known tools.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    peers: std::collections::BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifSuppression {
    kind: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    exit_code: u8,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    associated_rule: RuleReference,
}

#[derive(Serialize)]
struct RuleReference {
    id: String,
    index: usize,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

/// Renders the report as a SARIF 2.1.0 log (pretty-printed, trailing newline).
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let rules = &report.rules;
    let index_of = |id: &str| rules.iter().position(|r| r.id == id).unwrap_or(0);
    let (prints, suppressed_prints) = report.fingerprints();
    let result = |d: &Diagnostic, print: String, suppressions: Vec<SarifSuppression>| SarifResult {
        rule_id: d.rule.clone(),
        rule_index: index_of(&d.rule),
        level: level(d.severity),
        message: Text {
            text: message_text(&d.message),
        },
        locations: vec![location(d)],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, print)]),
        suppressions,
    };
    let mut results: Vec<SarifResult> = report
        .diagnostics
        .iter()
        .zip(prints)
        .map(|(d, print)| result(d, print, Vec::new()))
        .collect();
    results.extend(
        report
            .suppressed
            .iter()
            .zip(suppressed_prints)
            .map(|(s, print)| result(&s.diagnostic, print, vec![suppression(&s.suppression)])),
    );
    let notifications = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == PARSE_ERROR || d.rule == POLICY_ERROR)
        .map(|d| Notification {
            level: "error",
            message: Text {
                text: format!("{}: {}", d.file, message_text(&d.message)),
            },
            locations: vec![location(d)],
            associated_rule: RuleReference {
                id: d.rule.clone(),
                index: index_of(&d.rule),
            },
        })
        .collect();
    let exit_code = report.exit_code(options.fail_on);
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: env!("CARGO_PKG_NAME"),
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: rules.iter().map(rule).collect(),
                },
            },
            invocations: vec![Invocation {
                // Findings are results, not failures: the analysis itself completed.
                execution_successful: exit_code < 2,
                exit_code,
                tool_execution_notifications: notifications,
            }],
            automation_details: options
                .sarif_category
                .as_deref()
                .filter(|c| !c.is_empty())
                .map(|category| AutomationDetails {
                    id: category_id(category),
                }),
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_else(|e| {
        format!(
            "{{\"error\": {}}}",
            serde_json::Value::String(e.to_string())
        )
    });
    text.push('\n');
    text
}

/// A suppression in SARIF: `inSource` for a comment in the file, `external` for
/// goldenpath.toml and baselines; the justification names the reason and where the
/// suppression is declared.
fn suppression(s: &crate::suppress::Suppression) -> SarifSuppression {
    use crate::suppress::Kind;
    let place = match s.line {
        Some(line) => format!("{}:{line}", s.file),
        None => s.file.clone(),
    };
    let what = match s.kind {
        Kind::Inline => "inline",
        Kind::Config => "config",
        Kind::Baseline => "baseline",
    };
    SarifSuppression {
        kind: if s.kind == Kind::Inline {
            "inSource"
        } else {
            "external"
        },
        status: "accepted",
        justification: Some(match &s.reason {
            Some(reason) => format!("{reason} ({what} suppression, {place})"),
            None => format!("no reason given ({what} suppression, {place})"),
        }),
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// SARIF requires a non-empty message.
fn message_text(message: &str) -> String {
    if message.trim().is_empty() {
        "(no message)".to_string()
    } else {
        message.to_string()
    }
}

/// A category ends with `/`, so GitHub reads the whole id as the category.
fn category_id(category: &str) -> String {
    if category.ends_with('/') {
        category.to_string()
    } else {
        format!("{category}/")
    }
}

fn is_security(rule: &RuleInfo) -> bool {
    rule.tags.iter().any(|t| t.eq_ignore_ascii_case("security"))
}

/// GitHub's scale: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, below 4.0 low.
fn security_severity(severity: Option<Severity>) -> &'static str {
    match severity.unwrap_or(Severity::Error) {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

fn rule(info: &RuleInfo) -> Rule {
    let title = info
        .title
        .clone()
        .unwrap_or_else(|| format!("Policy rule {}", info.id));
    let description = info
        .description
        .clone()
        .unwrap_or_else(|| match info.severity {
            Some(severity) => format!(
            "Findings of the policy rule `{}` (severity {severity} unless a result overrides it).",
            info.id
        ),
            None => format!("Findings of the policy rule `{}`.", info.id),
        });
    let help_text = info.help.clone().unwrap_or_else(|| {
        format!(
            "See the policy that defines `{}` for why it matters and how to fix a finding.",
            info.id
        )
    });
    let mut markdown = format!("**{title}**\n\n{description}\n\n{help_text}");
    let help_text = match &info.rationale {
        Some(why) => {
            markdown.push_str(&format!("\n\n**Why:** {why}"));
            format!("{help_text}\n\nWhy: {why}")
        }
        None => help_text,
    };
    if let Some(uri) = &info.help_uri {
        markdown.push_str(&format!("\n\n[Documentation]({uri})"));
    }
    let mut tags = info.tags.clone();
    let security = is_security(info);
    if security && !tags.iter().any(|t| t == "security") {
        tags.retain(|t| !t.eq_ignore_ascii_case("security"));
        tags.push("security".to_string());
    }
    tags.sort();
    Rule {
        id: info.id.clone(),
        name: pascal_case(&info.id),
        short_description: Text { text: title },
        full_description: Text { text: description },
        help: Help {
            text: help_text,
            markdown,
        },
        help_uri: info.help_uri.clone(),
        default_configuration: Configuration {
            level: level(info.severity.unwrap_or(Severity::Error)),
        },
        properties: RuleProperties {
            tags,
            security_severity: security.then(|| {
                info.security_severity
                    .clone()
                    .filter(|s| s.parse::<f64>().is_ok_and(|v| (0.0..=10.0).contains(&v)))
                    .unwrap_or_else(|| security_severity(info.severity).to_string())
            }),
            golden_path_level: info.level.map(|l| l.name()),
            peers: info.peers.clone(),
        },
    }
}

/// `main.deny_run_as_root` → `MainDenyRunAsRoot`, the style SARIF recommends for `name`.
fn pascal_case(id: &str) -> String {
    let name: String = id
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect();
    if name.is_empty() {
        id.to_string()
    } else {
        name
    }
}

fn location(d: &Diagnostic) -> Location {
    let (uri, uri_base_id) = artifact_uri(&d.file);
    let region = match d.region {
        Some(r) => Region {
            start_line: r.start.line,
            start_column: Some(r.start.column),
            end_line: Some(r.end.line),
            end_column: Some(r.end.column),
        },
        None => Region {
            start_line: 1,
            start_column: None,
            end_line: None,
            end_column: None,
        },
    };
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri, uri_base_id },
            region,
        },
    }
}

/// The artifact URI of a reported file and its base: relative paths (the usual case)
/// become percent-encoded relative references under `%SRCROOT%`; absolute paths become
/// `file://` URIs without a base.
pub(crate) fn artifact_uri(file: &str) -> (String, Option<&'static str>) {
    let path = file.replace('\\', "/");
    let bytes = path.as_bytes();
    let drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if path.starts_with('/') {
        return (format!("file://{}", encode_path(&path)), None);
    }
    if drive {
        return (format!("file:///{}", encode_path(&path)), None);
    }
    let mut relative = path.as_str();
    while let Some(rest) = relative.strip_prefix("./") {
        relative = rest;
    }
    let relative = if relative.is_empty() { "." } else { relative };
    (encode_path(relative), Some(SRCROOT))
}

/// Percent-encodes every byte except unreserved characters, `/` and the colon of a
/// Windows drive letter. Other colons are encoded, which keeps a relative reference from
/// looking like a scheme.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, byte) in path.bytes().enumerate() {
        let keep_drive_colon = i == 1
            && byte == b':'
            && path.as_bytes()[0].is_ascii_alphabetic()
            && path.as_bytes().get(2) == Some(&b'/');
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) || keep_drive_colon {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{diagnostic, file_level, report, with_severity};

    fn parse(text: &str) -> serde_json::Value {
        serde_json::from_str(text).expect("valid JSON")
    }

    #[test]
    fn uris_are_relative_encoded_and_forward_slashed() {
        let cases = [
            ("deploy/web.yaml", "deploy/web.yaml", Some(SRCROOT)),
            ("./deploy/web.yaml", "deploy/web.yaml", Some(SRCROOT)),
            ("deploy\\my app.yaml", "deploy/my%20app.yaml", Some(SRCROOT)),
            (
                "config/café #1.toml",
                "config/caf%C3%A9%20%231.toml",
                Some(SRCROOT),
            ),
            ("a:b/100%.json", "a%3Ab/100%25.json", Some(SRCROOT)),
            (".", ".", Some(SRCROOT)),
            ("/srv/repo/x y.yaml", "file:///srv/repo/x%20y.yaml", None),
            ("C:\\repo\\x.yaml", "file:///C:/repo/x.yaml", None),
        ];
        for (file, uri, base) in cases {
            assert_eq!(artifact_uri(file), (uri.to_string(), base), "{file}");
        }
    }

    #[test]
    fn rule_names_and_security_properties() {
        assert_eq!(pascal_case("main.deny_run_as_root"), "MainDenyRunAsRoot");
        assert_eq!(pascal_case("parse-error"), "ParseError");
        assert_eq!(pascal_case("..."), "...");
        let plain = rule(&RuleInfo {
            id: "main.deny".into(),
            severity: Some(Severity::Warning),
            ..RuleInfo::default()
        });
        assert_eq!(plain.default_configuration.level, "warning");
        assert!(plain.properties.security_severity.is_none());
        assert!(plain.full_description.text.contains("severity warning"));
        let secure = rule(&RuleInfo {
            id: "K8S-PRIV".into(),
            severity: Some(Severity::Error),
            title: Some("Privileged container".into()),
            help_uri: Some("https://example.test/K8S-PRIV".into()),
            tags: vec!["kubernetes".into(), "Security".into()],
            ..RuleInfo::default()
        });
        assert_eq!(secure.properties.tags, vec!["kubernetes", "security"]);
        assert_eq!(secure.properties.security_severity.as_deref(), Some("8.0"));
        assert_eq!(secure.short_description.text, "Privileged container");
        assert!(secure
            .help
            .markdown
            .ends_with("[Documentation](https://example.test/K8S-PRIV)"));
    }

    #[test]
    fn results_reference_rules_and_always_have_a_location() {
        let diagnostics = vec![
            diagnostic("main.deny", "a.yaml", 4, "image: x", "bad image"),
            with_severity(
                diagnostic("main.warn", "a.yaml", 5, "k: v", "hmm"),
                Severity::Info,
            ),
            file_level(PARSE_ERROR, "big.json", "too large"),
        ];
        let log = parse(&render(
            &report(diagnostics, &["a.yaml", "big.json"]),
            &RenderOptions {
                sarif_category: Some("policies".into()),
                ..RenderOptions::default()
            },
        ));
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        for result in run["results"].as_array().expect("results") {
            let index = result["ruleIndex"].as_u64().expect("index") as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
            let physical = &result["locations"][0]["physicalLocation"];
            assert_eq!(physical["artifactLocation"]["uriBaseId"], SRCROOT);
            assert!(physical["region"]["startLine"].as_u64().is_some());
        }
        assert_eq!(run["results"][1]["level"], "note");
        assert_eq!(
            run["results"][2]["locations"][0]["physicalLocation"]["region"],
            serde_json::json!({"startLine": 1})
        );
        assert_eq!(run["automationDetails"]["id"], "policies/");
        assert_eq!(run["invocations"][0]["exitCode"], 1);
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .expect("notifications");
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0]["associatedRule"]["id"], PARSE_ERROR);
    }

    #[test]
    fn the_exit_code_follows_the_threshold() {
        let warn = with_severity(diagnostic("w", "a.yaml", 1, "x", "m"), Severity::Warning);
        let r = report(vec![warn], &["a.yaml"]);
        let code = |fail_on| {
            let options = RenderOptions {
                fail_on,
                ..RenderOptions::default()
            };
            parse(&render(&r, &options))["runs"][0]["invocations"][0]["exitCode"].clone()
        };
        assert_eq!(code(super::super::FailOn::Error), 0);
        assert_eq!(code(super::super::FailOn::Warning), 1);
    }
}

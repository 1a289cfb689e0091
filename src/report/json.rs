//! The JSON report: a stable structure documented in the README.
//!
//! ```json
//! {"version": 1, "tool": {...}, "findings": [{"rule", "severity", "message", "file",
//!   "line", "column", "end_line", "end_column", "metadata"}], "summary": {...},
//!   "suppressed": [{...finding, "suppression": {"kind", "reason", "file", "line"}}],
//!   "profile": {"stages", "parse", "packages", "rules"}}
//! ```
//! `profile` is there only with `check --profile` (see [`crate::profile`]).
//! Lines and columns are 1-based, columns count Unicode characters, and `end_column` is
//! exclusive. Positions are `null` for findings about a file as a whole.
//!
//! The report of one shard of a sharded run (`check --shard K/N`) also holds `"shard"`:
//! that shard's part of the run before suppressions, with the run's identity, facts and
//! settings ([`crate::partial::wire::ShardRecord`]), from which `goldenpath merge`
//! rebuilds the report of the whole run in any format.

use serde::Serialize;

use super::{Report, Summary};
use crate::finding::Severity;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    summary: &'a Summary,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    scorecards: &'a [super::scorecard::Scorecard],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressed: Vec<JsonSuppressed<'a>>,
    /// Written compactly (one line), whatever the rest: it is for `goldenpath merge`.
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<Box<serde_json::value::RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    suppression: &'a crate::suppress::Suppression,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    metadata: &'a serde_json::Map<String, serde_json::Value>,
}

/// Renders the report as pretty-printed JSON with a trailing newline.
pub fn render(report: &Report) -> String {
    let findings = report.diagnostics.iter().map(finding).collect();
    let suppressed = report
        .suppressed
        .iter()
        .map(|s| JsonSuppressed {
            finding: finding(&s.diagnostic),
            suppression: &s.suppression,
        })
        .collect();
    let out = JsonReport {
        version: 1,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        findings,
        summary: &report.summary,
        scorecards: &report.scorecards,
        suppressed,
        shard: report
            .shard
            .as_deref()
            .and_then(|s| serde_json::value::to_raw_value(s).ok()),
        profile: report
            .profile
            .as_ref()
            .map(crate::profile::Profile::to_json),
    };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_else(|e| {
        format!(
            "{{\"error\": {}}}",
            serde_json::Value::String(e.to_string())
        )
    });
    text.push('\n');
    text
}

fn finding(d: &crate::locate::Diagnostic) -> JsonFinding<'_> {
    JsonFinding {
        rule: &d.rule,
        severity: d.severity,
        message: &d.message,
        file: &d.file,
        line: d.region.map(|r| r.start.line),
        column: d.region.map(|r| r.start.column),
        end_line: d.region.map(|r| r.end.line),
        end_column: d.region.map(|r| r.end.column),
        metadata: &d.metadata,
    }
}

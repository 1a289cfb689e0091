//! Reports: every output format reads the same [`Report`], whose diagnostics are already
//! sorted, so each format is a pure function of it and identical for any thread count.

pub mod human;
pub mod json;

use std::str::FromStr;

use serde::Serialize;

use crate::finding::{RuleInfo, Severity};
use crate::locate::Diagnostic;

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// Located findings, sorted by file, position, rule and message.
    pub diagnostics: Vec<Diagnostic>,
    /// Totals.
    pub summary: Summary,
    /// Every rule that produced or could produce a finding in this run, sorted by id.
    pub rules: Vec<RuleInfo>,
}

/// Totals of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files discovered and checked (including those that failed to parse).
    pub files: usize,
    /// Documents evaluated (a multi-document YAML file counts each).
    pub documents: usize,
    /// Findings of severity error.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Findings of severity info.
    pub info: usize,
    /// Files that could not be read or parsed.
    pub parse_errors: usize,
    /// Rule results suppressed by `exception` rules.
    pub exceptions: usize,
    /// Packages that define rules but were not selected by `--namespace`.
    pub unevaluated_packages: Vec<String>,
    /// Ids of schema mappings whose `files` globs matched no checked file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched_schemas: Vec<String>,
}

impl Report {
    /// Builds a report: sorts the diagnostics and counts them.
    pub fn new(
        mut diagnostics: Vec<Diagnostic>,
        mut summary: Summary,
        mut rules: Vec<RuleInfo>,
    ) -> Report {
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        rules.dedup_by(|a, b| a.id == b.id);
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        summary.errors = count(&diagnostics, Severity::Error);
        summary.warnings = count(&diagnostics, Severity::Warning);
        summary.info = count(&diagnostics, Severity::Info);
        Report {
            diagnostics,
            summary,
            rules,
        }
    }

    /// Whether any finding reaches the `fail_on` threshold.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        match fail_on {
            FailOn::Never => false,
            FailOn::Error => self.summary.errors > 0,
            FailOn::Warning => self.summary.errors + self.summary.warnings > 0,
        }
    }
}

fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .count()
}

/// The lowest severity that fails a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailOn {
    /// Errors fail the run.
    #[default]
    Error,
    /// Errors and warnings fail the run.
    Warning,
    /// Nothing fails the run.
    Never,
}

impl FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "error" => Ok(FailOn::Error),
            "warning" => Ok(FailOn::Warning),
            "never" => Ok(FailOn::Never),
            other => Err(format!(
                "unknown threshold `{other}` (error, warning, never)"
            )),
        }
    }
}

/// The report formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// Rendered diagnostics for people.
    #[default]
    Human,
    /// The stable JSON structure.
    Json,
}

impl FromStr for OutputFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" => Ok(OutputFormat::Human),
            "json" => Ok(OutputFormat::Json),
            other => Err(format!("unknown format `{other}` (human, json)")),
        }
    }
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: OutputFormat, style: &human::Style) -> String {
    match format {
        OutputFormat::Human => human::render(report, style),
        OutputFormat::Json => json::render(report),
    }
}

//! Reports: every output format reads the same [`Report`], whose diagnostics are already
//! sorted, so each format is a pure function of it and identical for any thread count.

pub mod concise;
pub mod error;
pub(crate) mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod paint;
#[cfg(test)]
mod sample;
pub mod sarif;
pub mod scorecard;
pub mod snippet;

use std::str::FromStr;

use serde::Serialize;

use crate::finding::{RuleInfo, Severity};
use crate::locate::Diagnostic;
use crate::suppress::{Kind, Suppressed};

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// Located findings, sorted by file, position, rule and message.
    pub diagnostics: Vec<Diagnostic>,
    /// Totals.
    pub summary: Summary,
    /// Every rule that produced or could produce a finding in this run, sorted by id
    /// (every rule id of `diagnostics` is among them).
    pub rules: Vec<RuleInfo>,
    /// The files checked, as reported and sorted (reports that list passing files use it).
    pub files: Vec<String>,
    /// Golden-path scorecards, one per repository (empty when no rule has a level).
    pub scorecards: Vec<scorecard::Scorecard>,
    /// Suppressed findings, sorted as `diagnostics` are; they leave the exit status and
    /// the human and annotation outputs, and appear in JSON and SARIF with their reason.
    pub suppressed: Vec<Suppressed>,
    /// Where the run spent its time, with `check --profile`.
    pub profile: Option<crate::profile::Profile>,
}

/// How many findings were suppressed, in all and by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SuppressedCounts {
    /// Every suppressed finding.
    pub total: usize,
    /// By `goldenpath: ignore[...]` comments.
    pub inline: usize,
    /// By `[[ignore]]` entries.
    pub config: usize,
    /// By the baseline.
    pub baseline: usize,
}

impl SuppressedCounts {
    /// Whether nothing was suppressed.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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
    /// Checked directories below the root of their repository, for which repository
    /// rules and the scorecard did not run (listed when the run has such rules).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subdirectories: Vec<crate::discover::Subdirectory>,
    /// Suppressed findings (absent from the JSON report when there are none).
    #[serde(skip_serializing_if = "SuppressedCounts::is_empty")]
    pub suppressed: SuppressedCounts,
    /// Baseline entries that matched no finding: fixed since the baseline was written.
    #[serde(skip_serializing_if = "is_zero")]
    pub baseline_fixed: usize,
    /// `--select`/`--skip` patterns that match no rule, as warnings to show.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched_selectors: Vec<String>,
}

impl Report {
    /// Builds a report: completes the rule catalogue with every rule id a diagnostic
    /// names, sorts the diagnostics and counts them.
    pub fn new(
        mut diagnostics: Vec<Diagnostic>,
        mut summary: Summary,
        rules: Vec<RuleInfo>,
    ) -> Report {
        let rules = RuleInfo::catalogue(rules, diagnostics.iter().map(|d| d.rule.as_str()));
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        summary.errors = count(&diagnostics, Severity::Error);
        summary.warnings = count(&diagnostics, Severity::Warning);
        summary.info = count(&diagnostics, Severity::Info);
        Report {
            diagnostics,
            summary,
            rules,
            files: Vec::new(),
            scorecards: Vec::new(),
            suppressed: Vec::new(),
            profile: None,
        }
    }

    /// Sets the run's profile (`check --profile`).
    pub fn with_profile(mut self, profile: Option<crate::profile::Profile>) -> Report {
        self.profile = profile;
        self
    }

    /// Sets the suppressed findings (sorted here) and counts them; call before
    /// [`Report::with_scorecards`].
    pub fn with_suppressed(mut self, mut suppressed: Vec<Suppressed>) -> Report {
        suppressed.sort_by(|a, b| a.diagnostic.sort_key().cmp(&b.diagnostic.sort_key()));
        let of = |kind| {
            suppressed
                .iter()
                .filter(|s| s.suppression.kind == kind)
                .count()
        };
        self.summary.suppressed = SuppressedCounts {
            total: suppressed.len(),
            inline: of(Kind::Inline),
            config: of(Kind::Config),
            baseline: of(Kind::Baseline),
        };
        self.suppressed = suppressed;
        self
    }

    /// The fingerprints of the reported and of the suppressed findings, computed over
    /// both together so that suppressing one finding never renumbers another.
    pub(crate) fn fingerprints(&self) -> (Vec<String>, Vec<String>) {
        let suppressed: Vec<&Diagnostic> = self.suppressed.iter().map(|s| &s.diagnostic).collect();
        fingerprint::fingerprint_all(&self.diagnostics, &suppressed)
    }

    /// Computes the scorecards of `repositories` from the findings and the rules' levels
    /// (`off`: the rules the configuration turned off).
    pub fn with_scorecards(mut self, repositories: &[String], off: &[RuleInfo]) -> Report {
        self.scorecards = scorecard::compute(
            &self.rules,
            off,
            &self.diagnostics,
            &self.suppressed,
            repositories,
        );
        self
    }

    /// Sets the checked files (sorted and deduplicated here).
    pub fn with_files(mut self, mut files: Vec<String>) -> Report {
        files.sort();
        files.dedup();
        self.files = files;
        self
    }

    /// The exit status of the run for `fail_on`: 1 when a finding reaches it, else 0.
    pub fn exit_code(&self, fail_on: FailOn) -> u8 {
        u8::from(self.fails(fail_on))
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

impl FailOn {
    /// Whether a finding of `severity` makes the run fail.
    pub fn is_failure(self, severity: Severity) -> bool {
        match self {
            FailOn::Never => false,
            FailOn::Error => severity == Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Errors fail the run.
    #[default]
    Error,
    /// Errors and warnings fail the run.
    Warning,
    /// Nothing fails the run.
    Never,
}

/// The report formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Rendered diagnostics for people (conftest's `stdout` is accepted too).
    #[default]
    #[value(alias = "stdout")]
    Human,
    /// One line per finding, `path:line:col: severity[rule] message`.
    Concise,
    /// The stable JSON structure.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// JUnit XML, for test-report views.
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// A Markdown summary for `$GITHUB_STEP_SUMMARY` and pull-request comments.
    Markdown,
}

impl OutputFormat {
    /// The name of the format on the command line.
    pub fn name(self) -> String {
        crate::options::value_name(self)
    }
}

/// An extra report written to a file in the same run: `--report FORMAT=PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportTarget {
    /// The format.
    pub format: OutputFormat,
    /// Where to write it.
    pub path: std::path::PathBuf,
}

impl FromStr for ReportTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((format, path)) = s.split_once('=') else {
            return Err(format!("expected FORMAT=PATH, got `{s}`"));
        };
        if path.is_empty() {
            return Err(format!("no path after `{format}=`"));
        }
        Ok(ReportTarget {
            format: crate::options::parse_value(format, "format")?,
            path: path.into(),
        })
    }
}

/// What the reports for people (human, concise) list before the summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Listing {
    /// Every finding.
    #[default]
    Findings,
    /// The number of findings of each rule (`--statistics`).
    Statistics,
    /// Nothing: the summary only (`--quiet`).
    Summary,
}

/// Everything besides the [`Report`] that shapes a rendering.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// Terminal presentation of the human and concise formats.
    pub style: human::Style,
    /// What the human and concise formats list.
    pub listing: Listing,
    /// The failure threshold of the run: it decides the exit code recorded in SARIF and
    /// which findings are JUnit failures.
    pub fail_on: FailOn,
    /// SARIF `automationDetails.id` category (`--sarif-category`).
    pub sarif_category: Option<String>,
    /// Base URL that file paths are appended to for links in the Markdown summary, e.g.
    /// `https://github.com/OWNER/REPO/blob/SHA/`.
    pub link_base: Option<String>,
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: OutputFormat, options: &RenderOptions) -> String {
    match format {
        OutputFormat::Human => human::render(report, options),
        OutputFormat::Concise => concise::render(report, options),
        OutputFormat::Json => json::render(report),
        OutputFormat::Sarif => sarif::render(report, options),
        OutputFormat::Github => github::render(report),
        OutputFormat::Junit => junit::render(report, options.fail_on),
        OutputFormat::Gitlab => gitlab::render(report),
        OutputFormat::Markdown => markdown::render(report, options),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_report_targets_parse() {
        use clap::ValueEnum;
        for format in OutputFormat::value_variants() {
            assert_eq!(format.name().parse::<ReportTarget>().ok(), None);
            let target = format!("{}=x", format.name()).parse::<ReportTarget>();
            assert_eq!(target.map(|t| t.format), Ok(*format));
        }
        assert_eq!(
            "pdf=x.pdf".parse::<ReportTarget>(),
            Err(
                "unknown format `pdf` (human, concise, json, sarif, github, junit, gitlab, markdown)"
                    .to_string()
            )
        );
        assert_eq!(
            "sarif=out/results.sarif".parse::<ReportTarget>(),
            Ok(ReportTarget {
                format: OutputFormat::Sarif,
                path: "out/results.sarif".into()
            })
        );
        assert_eq!(
            "junit=a=b.xml".parse::<ReportTarget>().map(|t| t.path),
            Ok("a=b.xml".into()),
            "only the first `=` separates"
        );
        assert!("sarif".parse::<ReportTarget>().is_err());
        assert!("sarif=".parse::<ReportTarget>().is_err());
        assert!("pdf=x.pdf".parse::<ReportTarget>().is_err());
    }

    #[test]
    fn thresholds_classify_severities() {
        assert!(FailOn::Error.is_failure(Severity::Error));
        assert!(!FailOn::Error.is_failure(Severity::Warning));
        assert!(FailOn::Warning.is_failure(Severity::Warning));
        assert!(!FailOn::Warning.is_failure(Severity::Info));
        assert!(!FailOn::Never.is_failure(Severity::Error));
    }
}

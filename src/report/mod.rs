//! Reports: every output format reads the same [`Report`], whose diagnostics are already
//! sorted, so each format is a pure function of it and identical for any thread count.

pub mod azuredevops;
pub mod badge;
pub mod concise;
pub mod error;
pub(crate) mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod html;
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
pub mod table;
pub mod tap;

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
    /// The repositories checked (the directories given), in the order given.
    pub repositories: Vec<String>,
    /// Suppressed findings, sorted as `diagnostics` are; they leave the exit status and
    /// the human and annotation outputs, and appear in JSON and SARIF with their reason.
    pub suppressed: Vec<Suppressed>,
    /// In a sharded run (`--shard K/N`), this shard's part of the run, written into the
    /// JSON report (as `"shard"`) so that `goldenpath merge` can rebuild the report of
    /// the whole run.
    pub shard: Option<Box<crate::partial::wire::ShardRecord>>,
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
        diagnostics.sort_by(Diagnostic::report_order);
        summary.errors = count(&diagnostics, Severity::Error);
        summary.warnings = count(&diagnostics, Severity::Warning);
        summary.info = count(&diagnostics, Severity::Info);
        Report {
            diagnostics,
            summary,
            rules,
            files: Vec::new(),
            scorecards: Vec::new(),
            repositories: Vec::new(),
            suppressed: Vec::new(),
            shard: None,
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
        suppressed.sort_by(Suppressed::report_order);
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

    /// Records the repositories and computes their scorecards from the findings and the
    /// rules' levels (`off`: the rules the configuration turned off).
    pub fn with_scorecards(mut self, repositories: &[String], off: &[RuleInfo]) -> Report {
        self.scorecards = scorecard::compute(
            &self.rules,
            off,
            &self.diagnostics,
            &self.suppressed,
            repositories,
        );
        self.repositories = repositories.to_vec();
        self
    }

    /// The part of the report about one of its repositories: its findings, suppressed
    /// findings, files and scorecard, with the totals counted again (documents, exceptions and the run's
    /// notes are not known per repository and are left empty).
    pub fn for_repository(&self, repository: &str) -> Report {
        let inside = |file: &String| scorecard::belongs(file, repository);
        let diagnostics: Vec<Diagnostic> = self
            .diagnostics
            .iter()
            .filter(|d| inside(&d.file))
            .cloned()
            .collect();
        let files: Vec<String> = self.files.iter().filter(|f| inside(f)).cloned().collect();
        let summary = Summary {
            files: files.len(),
            parse_errors: diagnostics
                .iter()
                .filter(|d| d.rule == crate::finding::PARSE_ERROR)
                .count(),
            ..Summary::default()
        };
        let suppressed = self
            .suppressed
            .iter()
            .filter(|s| inside(&s.diagnostic.file))
            .cloned()
            .collect();
        let mut part = Report::new(diagnostics, summary, self.rules.clone())
            .with_files(files)
            .with_suppressed(suppressed);
        part.scorecards = self
            .scorecards
            .iter()
            .filter(|card| card.repository == repository)
            .cloned()
            .collect();
        part.repositories = vec![repository.to_string()];
        part
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
    /// TAP, in the line shape of conftest's `--output tap`.
    Tap,
    /// A table of results, as conftest's `--output table`.
    Table,
    /// Azure Pipelines logging commands (`##vso[task.logissue ...]`).
    Azuredevops,
    /// The dashboard: one self-contained HTML page (levels, scorecards, findings).
    Html,
    /// An SVG badge of the golden-path level, for a README.
    Badge,
    /// The JSON that shields.io-style endpoint badges read.
    Shields,
}

impl OutputFormat {
    /// The name of the format on the command line.
    pub fn name(self) -> String {
        crate::options::value_name(self)
    }

    /// Whether a `--report` path of this format may hold [`REPO_PLACEHOLDER`].
    pub fn splits_by_repository(self) -> bool {
        matches!(
            self,
            OutputFormat::Html | OutputFormat::Badge | OutputFormat::Shields
        )
    }
}

/// In a `--report` path, the placeholder for each repository's name: one file per
/// repository (`--report badge=badges/{repo}.svg`).
pub const REPO_PLACEHOLDER: &str = "{repo}";

/// An extra report written to a file in the same run: `--report FORMAT=PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportTarget {
    /// The format.
    pub format: OutputFormat,
    /// Where to write it; may hold [`REPO_PLACEHOLDER`] for formats that
    /// [split by repository](OutputFormat::splits_by_repository).
    pub path: std::path::PathBuf,
}

impl ReportTarget {
    /// The files this target writes and their contents: one file, or with
    /// [`REPO_PLACEHOLDER`] in the path one per repository, each rendered from that
    /// repository's part of the report (the whole run, named `all`, when no repository
    /// root was checked).
    pub fn outputs(
        &self,
        report: &Report,
        options: &RenderOptions,
    ) -> Vec<(std::path::PathBuf, String)> {
        let Some(pattern) = self.path.to_str().filter(|p| p.contains(REPO_PLACEHOLDER)) else {
            return vec![(self.path.clone(), render(report, self.format, options))];
        };
        if report.repositories.is_empty() {
            let path = pattern.replace(REPO_PLACEHOLDER, "all");
            return vec![(path.into(), render(report, self.format, options))];
        }
        let names = repository_file_names(&report.repositories);
        report
            .repositories
            .iter()
            .zip(names)
            .map(|(repository, name)| {
                let part = report.for_repository(repository);
                let path = pattern.replace(REPO_PLACEHOLDER, &name);
                (path.into(), render(&part, self.format, options))
            })
            .collect()
    }
}

/// A file-name-safe name for each repository, distinct from the others: the path's
/// components joined with `-` (`services/api` → `services-api`), `..` as `up`, characters
/// other than ASCII letters, digits, `-`, `_` and `.` as `_`, `root` for the current
/// directory, and `-2`, `-3`… after a name already taken.
pub fn repository_file_names(repositories: &[String]) -> Vec<String> {
    let mut taken = std::collections::BTreeSet::new();
    repositories
        .iter()
        .map(|repository| {
            let parts: Vec<String> = repository
                .split(['/', '\\'])
                .filter(|part| !part.is_empty() && *part != ".")
                .map(|part| {
                    if part == ".." {
                        return "up".to_string();
                    }
                    part.chars()
                        .map(|c| {
                            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                                c
                            } else {
                                '_'
                            }
                        })
                        .collect()
                })
                .collect();
            let base = if parts.is_empty() {
                "root".to_string()
            } else {
                parts.join("-")
            };
            let base = if base.starts_with('.') {
                format!("_{base}")
            } else {
                base
            };
            let mut name = base.clone();
            let mut n = 1;
            while !taken.insert(name.clone()) {
                n += 1;
                name = format!("{base}-{n}");
            }
            name
        })
        .collect()
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
        let format: OutputFormat = crate::options::parse_value(format, "format")?;
        if path.contains(REPO_PLACEHOLDER) && !format.splits_by_repository() {
            return Err(format!(
                "`{REPO_PLACEHOLDER}` in a report path is for html, badge and shields reports, not {}",
                format.name()
            ));
        }
        Ok(ReportTarget {
            format,
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
    /// When the report was made, in seconds since the Unix epoch, from
    /// `SOURCE_DATE_EPOCH`: the dashboard shows it; without it no report has a time, so
    /// the same run gives the same bytes.
    pub source_date_epoch: Option<u64>,
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
        OutputFormat::Tap => tap::render(report),
        OutputFormat::Table => table::render(report),
        OutputFormat::Azuredevops => azuredevops::render(report),
        OutputFormat::Html => html::render(report, options),
        OutputFormat::Badge => badge::svg(report),
        OutputFormat::Shields => badge::shields(report),
    }
}

/// Escapes text for a CI system's logging command: `%` as `percent` first (so no escape
/// is escaped again), then CR and LF as `%0D` and `%0A`, then each of `extra` (the
/// characters that end a property).
pub(crate) fn escape_command(s: &str, percent: &str, extra: &[(char, &str)]) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str(percent),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => match extra.iter().find(|(e, _)| *e == c) {
                Some((_, escaped)) => out.push_str(escaped),
                None => out.push(c),
            },
        }
    }
    out
}

/// The namespace of a finding's rule in conftest's report shapes: the package of a Rego
/// rule (`k8s.security` for `k8s.security.deny`), the id of any other rule.
pub(crate) fn namespace_of(rule: &str) -> &str {
    match rule.rsplit_once('.') {
        Some((package, _)) if !package.is_empty() => package,
        _ => rule,
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
                "unknown format `pdf` (human, concise, json, sarif, github, junit, gitlab, markdown, tap, table, azuredevops, html, badge, shields)"
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

//! The command line, as clap definitions. `main.rs` maps these to library calls.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::format::Format;
use crate::report::{FailOn, OutputFormat, ReportTarget};

/// Policy-as-code linter for platform engineering: Rego and JSON Schema policies over
/// whole repositories, with the exact line and column of every finding.
#[derive(Debug, Parser)]
#[command(name = "goldenpath", version, about, propagate_version = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files and directories against policies.
    Check(Box<CheckArgs>),
    /// Print the document(s) policies see for each file, as JSON.
    Parse(ParseArgs),
}

/// Arguments of `goldenpath check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and directories to check.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// A .rego file or a directory of them (recursive); repeatable. Default: ./policy.
    #[arg(short, long = "policy", value_name = "PATH")]
    pub policy: Vec<PathBuf>,
    /// A .json/.yaml/.yml data file or directory merged into `data`; repeatable.
    #[arg(short, long = "data", value_name = "PATH")]
    pub data: Vec<PathBuf>,
    /// Rego packages to evaluate (`*` and `?` wildcards); repeatable. Default: main.
    #[arg(short, long = "namespace", value_name = "NS")]
    pub namespace: Vec<String>,
    /// Evaluate every package that defines rules.
    #[arg(long)]
    pub all_namespaces: bool,
    /// Parse every input as this format instead of detecting it from the file name.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub parser: Option<Format>,
    /// conftest's combine mode: evaluate once with input `[{path, contents}, ...]`.
    #[arg(long)]
    pub combine: bool,
    /// Rego syntax version of the policies.
    #[arg(long, value_name = "VERSION", default_value = "v1", value_parser = ["v0", "v1"])]
    pub rego_version: String,
    /// Report format on standard output: human, json, sarif, github, junit, gitlab or
    /// markdown (conftest's `-o/--output` is accepted too; `stdout` means `human`).
    #[arg(long, short = 'o', visible_alias = "output", value_name = "FORMAT", default_value = "human", value_parser = parse_output)]
    pub format: OutputFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Also write a report in FORMAT to PATH in the same run, e.g. `sarif=results.sarif`;
    /// repeatable.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report_target)]
    pub reports: Vec<ReportTarget>,
    /// The SARIF `automationDetails.id` category (GitHub code scanning keeps one set of
    /// alerts per category).
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,
    /// The lowest severity that makes the exit status 1.
    #[arg(long, value_name = "LEVEL", default_value = "error", value_parser = parse_fail_on, conflicts_with_all = ["fail_on_warn", "no_fail"])]
    pub fail_on: FailOn,
    /// Same as --fail-on warning (conftest's spelling).
    #[arg(long, conflicts_with = "no_fail")]
    pub fail_on_warn: bool,
    /// Same as --fail-on never (conftest's spelling).
    #[arg(long)]
    pub no_fail: bool,
    /// Skip paths matching this glob (relative to the checked directory); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Do not honour .gitignore, .ignore and .git/info/exclude.
    #[arg(long)]
    pub no_ignore: bool,
    /// Worker threads (default: one per core).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Files larger than this many bytes are reported instead of parsed.
    #[arg(long, value_name = "BYTES", default_value_t = crate::parse::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
}

impl CheckArgs {
    /// The effective failure threshold.
    pub fn threshold(&self) -> FailOn {
        if self.no_fail {
            FailOn::Never
        } else if self.fail_on_warn {
            FailOn::Warning
        } else {
            self.fail_on
        }
    }
}

/// Arguments of `goldenpath parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Files to parse.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Parse every file as this format instead of detecting it from the file name.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub parser: Option<Format>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
        .map_err(|e: crate::format::UnknownFormat| e.to_string())
}

fn parse_output(s: &str) -> Result<OutputFormat, String> {
    if s == "stdout" {
        return Ok(OutputFormat::Human);
    }
    s.parse()
}

fn parse_report_target(s: &str) -> Result<ReportTarget, String> {
    s.parse()
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    s.parse()
}

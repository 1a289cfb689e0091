//! The command line, as clap definitions. `main.rs` maps these to library calls.

use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand};

use crate::config::Layer;
use crate::format::Format;
use crate::options::{ColorChoice, PolicySources, PolicyTimeout, RegoVersion};
use crate::report::{FailOn, OutputFormat, ReportTarget};
use crate::shard::{Shard, ShardArg};
use crate::verify::output::TestFormat;

/// Policy-as-code linter for platform engineering: Rego and JSON Schema policies over
/// whole repositories, with the exact line and column of every finding.
#[derive(Debug, Parser)]
#[command(name = "goldenpath", version, about, propagate_version = true)]
pub struct Cli {
    /// conftest's `-c/--config-file`, accepted before the command too: the configuration
    /// file of `check` (goldenpath.toml or conftest.toml).
    #[arg(
        short = 'c',
        long = "config-file",
        global = true,
        hide = true,
        value_name = "FILE"
    )]
    pub config_file: Option<PathBuf>,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files and directories against policies.
    Check(Box<CheckArgs>),
    /// Print the document(s) policies see for each file, as JSON.
    Parse(ParseArgs),
    /// Run the policies' Rego unit tests (`test_*` rules) and fixture cases (conftest's
    /// `verify`).
    #[command(visible_alias = "verify")]
    Test(TestArgs),
    /// Write a starter goldenpath.toml and an example policy with its unit test.
    Init(InitArgs),
    /// List the built-in golden-path rules (id, level, severity, title).
    Rules(RulesArgs),
    /// Print the full documentation of a rule.
    Explain(ExplainArgs),
    /// Print the shell code that completes goldenpath's commands, options, values and
    /// rule ids (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print a man page (roff), or write one per command with --dir.
    Man(ManArgs),
    /// Merge the JSON reports of the shards of a run (`check --shard K/N`) into the
    /// report, in any format, that one unsharded run would have written.
    Merge(MergeArgs),
    /// Internal: evaluates one Jsonnet text (standard input) under goldenpath's time and
    /// memory limits, for the `check`/`parse` process that started it.
    #[command(name = "__evaluate-jsonnet", hide = true)]
    EvaluateJsonnet(EvaluateJsonnetArgs),
    /// conftest's `pull`: refused, goldenpath is offline.
    #[command(hide = true)]
    Pull(OfflineArgs),
    /// conftest's `push`: refused, goldenpath is offline.
    #[command(hide = true)]
    Push(OfflineArgs),
}

/// Arguments of the internal `__evaluate-jsonnet` command.
#[derive(Debug, Args)]
pub struct EvaluateJsonnetArgs {
    /// The file the text comes from (imports resolve relative to it).
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// The directory imports must stay inside.
    #[arg(long)]
    pub root: Option<PathBuf>,
}

/// The arguments of a conftest command that needs the network (whatever they are).
#[derive(Debug, Args)]
pub struct OfflineArgs {
    /// Anything conftest would take.
    #[arg(num_args = 0.., allow_hyphen_values = true, trailing_var_arg = true)]
    pub args: Vec<String>,
}

/// Arguments of `goldenpath man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (default: goldenpath's own page).
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
    /// Write every page (goldenpath.1, goldenpath-check.1, ...) into this directory.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

/// Arguments of `goldenpath rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Only these rules: ids, or ids of the same checks in other tools (DL3007).
    #[arg(value_name = "ID", add = rule_id_completer())]
    pub ids: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: crate::catalog::CatalogFormat,
}

/// Arguments of `goldenpath explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, e.g. GP-DOCKER-001, or the id of the same check in another tool
    /// (hadolint's DL3007, checkov's CKV_K8S_20, ...).
    #[arg(add = rule_id_completer())]
    pub id: String,
}

/// Completes rule ids of the built-in pack (with their titles) in shells that ask
/// goldenpath for completions; attach it to any argument that takes a rule id with
/// `#[arg(add = rule_id_completer())]`.
pub fn rule_id_completer() -> clap_complete::ArgValueCompleter {
    clap_complete::ArgValueCompleter::new(crate::catalog::complete_rule_id)
}

/// Arguments of `goldenpath completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Where policies and data come from: the flags `check` and `test` share.
#[derive(Debug, Args)]
pub struct PolicyArgs {
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
    /// Rego syntax version of the policies [default: v1].
    #[arg(long, value_name = "VERSION", value_enum)]
    pub rego_version: Option<RegoVersion>,
    /// OPA's strict mode, as conftest's --strict: unused local assignments and function
    /// arguments, duplicate imports and deprecated builtins are errors. `check` also
    /// makes policy errors (a rule failing on a file, a result of an unknown shape)
    /// fatal: exit status 2 instead of `policy-error` findings.
    #[arg(long)]
    pub strict: bool,
    /// An OPA capabilities JSON file: policies may call only the builtins it lists
    /// (conftest's own builtins stay available).
    #[arg(long, value_name = "FILE")]
    pub capabilities: Option<PathBuf>,
    /// A builtin that fails (a bad regular expression, a file parse_config_file cannot
    /// read) is an error of its rule instead of an undefined value.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub show_builtin_errors: Option<bool>,
}

impl PolicyArgs {
    /// The policy sources these flags name, with the pack off (for `test`).
    pub fn sources(&self) -> PolicySources {
        PolicySources {
            policy_paths: self.policy.clone(),
            data_paths: self.data.clone(),
            namespaces: self.namespace.clone(),
            all_namespaces: self.all_namespaces,
            rego_version: self.rego_version.unwrap_or_default(),
            builtin: Some(false),
            policy_timeout: PolicyTimeout::default(),
            strict: self.strict,
            capabilities: self.capabilities.clone(),
            builtin_errors: self.show_builtin_errors.unwrap_or(false),
        }
    }
}

/// Arguments of `goldenpath check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and directories to check; `-` reads standard input, an empty path is
    /// skipped (as conftest does).
    #[arg(
        default_value = ".",
        value_parser = clap::builder::OsStringValueParser::new().map(PathBuf::from)
    )]
    pub paths: Vec<PathBuf>,
    /// Policies, data and packages.
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// Parse every input as this format instead of detecting it from the file name.
    #[arg(long, value_name = "FORMAT", value_enum, ignore_case = true)]
    pub parser: Option<Format>,
    /// conftest's combine mode: evaluate once with input `[{path, contents}, ...]`.
    #[arg(long)]
    pub combine: bool,
    /// How the report is written, and the exit status.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Skip paths matching this glob (relative to the checked directory); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Do not honour .gitignore, .ignore and .git/info/exclude.
    #[arg(long)]
    pub no_ignore: bool,
    /// Worker threads (default: one per core).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Files larger than this many bytes are reported instead of parsed [default: 8388608].
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Findings of one rule reported per file; the others are counted in one summary
    /// finding (0: no limit) [default: 100].
    #[arg(long, value_name = "N")]
    pub max_findings_per_rule: Option<usize>,
    /// Findings reported per file, all rules together; the others are counted in a
    /// summary finding per rule (0: no limit) [default: 1000].
    #[arg(long, value_name = "N")]
    pub max_findings_per_file: Option<usize>,
    /// How to report a file that does not parse when no policy or schema would read it
    /// (one that some policy or schema reads is always an error) [default: warning].
    #[arg(long, value_name = "SEVERITY")]
    pub parse_errors: Option<crate::options::ParseErrors>,
    /// How long the Rego policies may spend on one document before its evaluation is
    /// stopped and reported as a policy error, e.g. 5s, 500ms, 2m; 0 for no limit
    /// [default: 5s].
    #[arg(long, value_name = "DURATION")]
    pub policy_timeout: Option<PolicyTimeout>,
    /// Add the built-in golden-path pack to your own policies (it runs by default when no
    /// policies are given).
    #[arg(long, conflicts_with = "no_builtin")]
    pub builtin: bool,
    /// Do not run the built-in golden-path pack.
    #[arg(long)]
    pub no_builtin: bool,
    /// Read settings from this file instead of the nearest goldenpath.toml from the first
    /// PATH up to the root of its repository.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// List, per file on standard error, the packages applied and the packages skipped.
    #[arg(long, short = 'v')]
    pub explain: bool,
    /// Show the policies' print() output under each file, on standard error.
    #[arg(long)]
    pub trace: bool,
    /// Time the run: stages, parsing per format, evaluation per package and per rule
    /// (total, count, mean), sorted by cost; on standard error after the report, or under
    /// `profile` in the JSON report.
    #[arg(long)]
    pub profile: bool,
    /// Skip files found in a directory whose path matches this regular expression
    /// (conftest's --ignore; anywhere in the path, e.g. `.*\.json$`).
    #[arg(long, value_name = "REGEX")]
    pub ignore: Option<String>,
    /// The name standard input (`-`) is reported as, and whose extension picks its
    /// parser when --parser is not given [default: -, parsed as YAML].
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Accepted for conftest's scripts: goldenpath's reports never list the results
    /// suppressed by `exception` rules, only count them.
    #[arg(long)]
    pub suppress_exceptions: bool,
    /// Accepted for conftest's scripts: goldenpath's JUnit test names never hold the
    /// message.
    #[arg(long)]
    pub junit_hide_message: bool,
    /// Accepted for conftest's scripts: goldenpath's GitHub report lists only findings.
    #[arg(long)]
    pub github_hide_passed: bool,
    /// conftest's policy download before the run: refused, goldenpath is offline.
    #[arg(long, short = 'u', value_name = "URL")]
    pub update: Vec<String>,
    /// Accepted for conftest's scripts, not read: a text proto's `# proto-file:` header
    /// names its schema.
    #[arg(long, value_name = "DIR", value_delimiter = ',')]
    pub proto_file_dirs: Vec<PathBuf>,
    /// conftest's TLS switch for policy registries; no effect (goldenpath never contacts
    /// one).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL", hide = true)]
    pub tls: Option<bool>,
    /// Report only the findings of these rules (ids or globs such as `GP-K8S-*`);
    /// repeatable. Applied after goldenpath.toml.
    #[arg(long, value_name = "GLOB", add = rule_id_completer())]
    pub select: Vec<String>,
    /// Do not report the findings of these rules (ids or globs); repeatable.
    #[arg(long, value_name = "GLOB", add = rule_id_completer())]
    pub skip: Vec<String>,
    /// Suppress the findings listed in this baseline file (see --write-baseline).
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Write every current finding to this baseline file (sorted JSON) and report them
    /// as suppressed.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Write a `goldenpath: ignore[ID] -- TODO` comment above each finding, in files
    /// whose format has comments; refuses files with uncommitted changes.
    #[arg(long)]
    pub add_ignore: bool,
    /// With --add-ignore: write even to files with uncommitted changes, or outside a git
    /// repository.
    #[arg(long, requires = "add_ignore")]
    pub force: bool,
    /// Check only shard K of N of the work (files by their path, each repository's
    /// repository rules in one shard), for CI matrices; merge the shards' JSON reports
    /// with `goldenpath merge`. `auto` reads CI_NODE_INDEX/CI_NODE_TOTAL (GitLab),
    /// BUILDKITE_PARALLEL_JOB/BUILDKITE_PARALLEL_JOB_COUNT, or JOB_COMPLETION_INDEX with
    /// --shard-count (Kubernetes Indexed Jobs).
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<ShardArg>,
    /// The number of shards, with --shard auto (a Kubernetes Job's `completions`).
    #[arg(long, value_name = "N", requires = "shard")]
    pub shard_count: Option<usize>,
    /// Cache results here between runs [default: .goldenpath_cache at the repository
    /// root].
    #[arg(long, value_name = "DIR", env = "GOLDENPATH_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the cache.
    #[arg(
        long,
        env = "GOLDENPATH_NO_CACHE",
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub no_cache: bool,
}

impl CheckArgs {
    /// The shard `--shard` names (`auto`: from the environment, read with `var`).
    pub fn shard(&self, var: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>, String> {
        match self.shard {
            None => Ok(None),
            Some(ShardArg::Given(shard)) => match self.shard_count {
                Some(count) if count != shard.count => Err(format!(
                    "--shard {shard} and --shard-count {count} disagree"
                )),
                _ => Ok(Some(shard)),
            },
            Some(ShardArg::Auto) => Shard::from_env(var, self.shard_count).map(Some),
        }
    }

    /// The settings the command line gives, as a configuration layer (only what was
    /// given, so the file's values stay where the command line is silent). `--shard` is
    /// resolved apart ([`CheckArgs::shard`]).
    pub fn layer(&self) -> Layer {
        let some_vec = |v: &Vec<PathBuf>| (!v.is_empty()).then(|| v.clone());
        let policies = &self.policies;
        let output = self.output.layer();
        Layer {
            policies: some_vec(&policies.policy),
            data: some_vec(&policies.data),
            namespaces: (!policies.namespace.is_empty()).then(|| policies.namespace.clone()),
            all_namespaces: policies.all_namespaces.then_some(true),
            exclude: (!self.exclude.is_empty()).then(|| self.exclude.clone()),
            no_ignore: self.no_ignore.then_some(true),
            parser: self.parser,
            combine: self.combine.then_some(true),
            rego_version: policies.rego_version,
            format: output.format,
            fail_on: output.fail_on,
            jobs: self.jobs,
            max_file_size: self.max_file_size,
            max_findings_per_rule: self.max_findings_per_rule,
            max_findings_per_file: self.max_findings_per_file,
            parse_errors: self.parse_errors,
            pack: None,
            policy_timeout: self.policy_timeout,
            rules: None,
            schemas: None,
            builtin: if self.no_builtin {
                Some(false)
            } else {
                self.builtin.then_some(true)
            },
            root: None,
            quiet: output.quiet,
            statistics: output.statistics,
            color: output.color,
            ignore: None,
            overrides: None,
            require_reason: None,
            baseline: self.baseline.clone(),
            select: (!self.select.is_empty()).then(|| self.select.clone()),
            skip: (!self.skip.is_empty()).then(|| self.skip.clone()),
            write_baseline: self.write_baseline.clone(),
            source: None,
            cache_dir: self.cache_dir.clone(),
            no_cache: self.no_cache.then_some(true),
            shard: None,
            strict: policies.strict.then_some(true),
            capabilities: policies.capabilities.clone(),
            show_builtin_errors: policies.show_builtin_errors,
            ignore_pattern: self.ignore.clone(),
            stdin_filename: self.stdin_filename.clone(),
            trace: self.trace.then_some(true),
        }
    }
}

/// How a report is written and when the run fails: the flags `check` and `merge` share.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Report format on standard output (conftest's `-o/--output` is accepted too;
    /// `stdout` means `human`) [default: human].
    #[arg(
        long,
        short = 'o',
        visible_alias = "output",
        value_name = "FORMAT",
        value_enum
    )]
    pub format: Option<OutputFormat>,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Print only the summary of a failing run, and nothing for a passing one, as
    /// conftest does (human and concise formats); errors still go to standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print the number of findings of each rule instead of the findings (human and
    /// concise formats), as ruff's --statistics.
    #[arg(long)]
    pub statistics: bool,
    /// When to colour the human and concise formats: auto (a terminal, honouring
    /// NO_COLOR, FORCE_COLOR and CLICOLOR_FORCE), always or never [default: auto].
    #[arg(long, value_name = "WHEN", value_enum)]
    pub color: Option<ColorChoice>,
    /// Same as --color never (conftest's spelling).
    #[arg(long, conflicts_with = "color")]
    pub no_color: bool,
    /// Also write a report in FORMAT to PATH in the same run, e.g. `sarif=results.sarif`;
    /// repeatable.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report_target)]
    pub reports: Vec<ReportTarget>,
    /// The SARIF `automationDetails.id` category (GitHub code scanning keeps one set of
    /// alerts per category).
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,
    /// The lowest severity that makes the exit status 1 [default: error].
    #[arg(long, value_name = "LEVEL", value_enum, conflicts_with_all = ["fail_on_warn", "no_fail"])]
    pub fail_on: Option<FailOn>,
    /// Same as --fail-on warning (conftest's spelling).
    #[arg(long, conflicts_with = "no_fail")]
    pub fail_on_warn: bool,
    /// Same as --fail-on never (conftest's spelling).
    #[arg(long)]
    pub no_fail: bool,
}

impl OutputArgs {
    /// The failure threshold these flags give, if any.
    pub fn fail_on(&self) -> Option<FailOn> {
        if self.no_fail {
            Some(FailOn::Never)
        } else if self.fail_on_warn {
            Some(FailOn::Warning)
        } else {
            self.fail_on
        }
    }

    /// The report settings these flags give, as a configuration layer.
    pub fn layer(&self) -> Layer {
        Layer {
            format: self.format,
            fail_on: self.fail_on(),
            quiet: self.quiet.then_some(true),
            statistics: self.statistics.then_some(true),
            color: if self.no_color {
                Some(ColorChoice::Never)
            } else {
                self.color
            },
            ..Layer::default()
        }
    }
}

/// Arguments of `goldenpath merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The JSON reports of the shards (`check --shard K/N --format json`), every shard
    /// once.
    #[arg(required = true, value_name = "SHARD.json")]
    pub shards: Vec<PathBuf>,
    /// How the report is written, and the exit status.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `goldenpath test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Policy files or directories holding the tests (added to -p); other files are
    /// ignored, as `conftest verify` ignores its arguments. Default: ./policy.
    pub paths: Vec<PathBuf>,
    /// Policies, data and the packages fixture cases are checked with.
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// Only run tests whose name (`data.<package>.<rule>`, or the case directory)
    /// matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub run: Option<String>,
    /// Output format.
    #[arg(
        long,
        short = 'o',
        value_name = "FORMAT",
        default_value = "human",
        value_enum
    )]
    pub format: TestFormat,
    /// Also list passing and skipped tests (human format).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Show the print() output of every test, passing ones too (failing tests always
    /// show theirs).
    #[arg(long)]
    pub trace: bool,
    /// Print nothing when every test passes (conftest's --quiet).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Accepted for conftest's scripts: the test report is never coloured.
    #[arg(long)]
    pub no_color: bool,
    /// Accepted for conftest's scripts: goldenpath's JUnit test names never hold the
    /// message.
    #[arg(long)]
    pub junit_hide_message: bool,
}

/// Arguments of `goldenpath init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory to initialise.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `goldenpath parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Files to parse; `-` reads standard input (as YAML unless --parser says otherwise).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Parse every file as this format instead of detecting it from the file name.
    #[arg(long, value_name = "FORMAT", value_enum, ignore_case = true)]
    pub parser: Option<Format>,
}

fn parse_report_target(s: &str) -> Result<ReportTarget, String> {
    s.parse()
}

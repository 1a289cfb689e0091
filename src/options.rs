//! The settings of a run as typed values: what `check` and `test` need once the
//! defaults, `goldenpath.toml` and the command line have been merged (by [`crate::config`]).
//!
//! This module only defines types. It knows neither the command line nor the stages of
//! the pipeline; [`crate::cli`] turns arguments into a configuration layer,
//! [`crate::config`] resolves the merged layers into [`CheckOptions`], and [`crate::run`]
//! consumes them.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::discover::DiscoverOptions;
use crate::schema::SchemaMapping;

/// The Rego syntax version policies are parsed as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum RegoVersion {
    /// Rego v0: `deny[msg] { ... }`.
    V0,
    /// Rego v1 (OPA 1.0): `deny contains msg if { ... }`.
    #[default]
    V1,
}

impl RegoVersion {
    /// Whether this is Rego v0.
    pub fn is_v0(self) -> bool {
        self == RegoVersion::V0
    }
}

/// When the reports for people are coloured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ColorChoice {
    /// When the output is a terminal, unless the environment says otherwise.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal, given the environment
    /// (`var` reads a variable): `always` and `never` decide alone; `auto` is off when
    /// `NO_COLOR` is set, on when `CLICOLOR_FORCE` or `FORCE_COLOR` is (neither empty nor
    /// `0`; `FORCE_COLOR` nor `false`), off when `CLICOLOR=0` or `TERM=dumb`, and else on
    /// exactly for a terminal. The same rules as clap's own messages.
    pub fn enabled(self, is_terminal: bool, var: impl Fn(&str) -> Option<String>) -> bool {
        let set = |name: &str| var(name).filter(|v| !v.is_empty());
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                if set("NO_COLOR").is_some() {
                    return false;
                }
                let forced = set("CLICOLOR_FORCE").is_some_and(|v| v != "0")
                    || set("FORCE_COLOR").is_some_and(|v| v != "0" && v != "false");
                if forced {
                    return true;
                }
                if set("CLICOLOR").as_deref() == Some("0") || set("TERM").as_deref() == Some("dumb")
                {
                    return false;
                }
                is_terminal
            }
        }
    }
}

// The suppress stage's settings live with it; they are part of `check`'s options.
pub use crate::suppress::settings::{
    BaselineMode, IgnoreSetting, OverrideSetting, RuleSetting, SuppressOptions,
};

/// How a parse error is reported in a file that no applicable policy or schema reads
/// (one that any of them reads always gives an error).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ParseErrors {
    /// An error, as in a file a policy reads.
    Error,
    /// A warning (the default).
    #[default]
    Warning,
    /// Not reported.
    Off,
}

/// How long the Rego policies may spend on one document (every rule of every package
/// together) before its evaluation is stopped and reported as a `policy-error`.
/// Written `5s`, `500ms`, `2m` or a number of seconds; `0` means no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct PolicyTimeout(pub Option<Duration>);

impl PolicyTimeout {
    /// The default budget: generous for any real policy, short enough that a runaway
    /// rule does not stall a run.
    pub const DEFAULT: PolicyTimeout = PolicyTimeout(Some(Duration::from_secs(5)));
}

impl Default for PolicyTimeout {
    fn default() -> Self {
        PolicyTimeout::DEFAULT
    }
}

impl std::str::FromStr for PolicyTimeout {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let scale = match unit {
            "ms" => 0.001,
            "" | "s" => 1.0,
            "m" => 60.0,
            _ => f64::NAN,
        };
        let seconds = number.parse::<f64>().map(|n| n * scale);
        match seconds {
            Ok(0.0) => Ok(PolicyTimeout(None)),
            Ok(s) if s.is_finite() && s > 0.0 && s < 1e9 => {
                Ok(PolicyTimeout(Some(Duration::from_secs_f64(s))))
            }
            _ => Err(format!(
                "invalid policy timeout `{text}` (a duration such as 5s, 500ms or 2m; 0 for no limit)"
            )),
        }
    }
}

impl TryFrom<String> for PolicyTimeout {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

/// Where policies and data come from and which packages run: shared by `check` and
/// `test`.
#[derive(Clone, Debug, Default)]
pub struct PolicySources {
    /// `.rego` files or directories; empty means `./policy` if it exists.
    pub policy_paths: Vec<PathBuf>,
    /// Data files or directories merged into `data`.
    pub data_paths: Vec<PathBuf>,
    /// Package patterns to evaluate; empty means `main`.
    pub namespaces: Vec<String>,
    /// Evaluate every package.
    pub all_namespaces: bool,
    /// The syntax version of the user's policies (the pack is always v1).
    pub rego_version: RegoVersion,
    /// The built-in pack: on, off, or `None` for "on when no policies are given".
    pub builtin: Option<bool>,
    /// The evaluation budget per document.
    pub policy_timeout: PolicyTimeout,
    /// OPA's strict mode (conftest's `--strict`): unused local assignments and function
    /// arguments, duplicate imports and deprecated builtins are compile errors.
    pub strict: bool,
    /// An OPA capabilities file (`--capabilities`): only the builtins it lists may be
    /// called.
    pub capabilities: Option<PathBuf>,
    /// A builtin that fails is an error of the rule (`--show-builtin-errors`), not an
    /// undefined value.
    pub builtin_errors: bool,
}

/// How many findings of one file are reported; the others of each rule are counted in one
/// summary finding ("N more findings of rule X in this file not shown"). `0` means no
/// limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FindingCaps {
    /// Findings of one rule in one file.
    pub per_rule: usize,
    /// Findings of all rules in one file.
    pub per_file: usize,
}

impl FindingCaps {
    /// The default findings of one rule shown per file.
    pub const PER_RULE: usize = 100;
    /// The default findings shown per file.
    pub const PER_FILE: usize = 1_000;
}

impl Default for FindingCaps {
    fn default() -> Self {
        FindingCaps {
            per_rule: FindingCaps::PER_RULE,
            per_file: FindingCaps::PER_FILE,
        }
    }
}

/// Everything `check` needs.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Files and directories to check.
    pub paths: Vec<PathBuf>,
    /// Policies, data and the packages to run.
    pub policies: PolicySources,
    /// Discovery settings.
    pub discover: DiscoverOptions,
    /// conftest's combine mode.
    pub combine: bool,
    /// Worker threads; `None` for one per core.
    pub jobs: Option<usize>,
    /// Files larger than this are reported, not parsed.
    pub max_file_size: u64,
    /// JSON Schema policies.
    pub schemas: Vec<SchemaMapping>,
    /// Rule settings and suppressions.
    pub suppress: SuppressOptions,
    /// Findings reported per file and per rule in a file.
    pub caps: FindingCaps,
    /// Parse errors in files nothing reads.
    pub parse_errors: ParseErrors,
    /// Globs (relative to each repository root) of test data, examples and
    /// documentation, where the pack reports at `info` and the scorecard does not look.
    pub test_paths: Vec<String>,
    /// The cache directory; `None` for no cache.
    pub cache: Option<PathBuf>,
    /// The key the cache's packs are signed with; `None` for no cache.
    pub cache_key: Option<crate::cache::CacheKey>,
    /// The shard of the run this process checks; `None` for all of it.
    pub shard: Option<crate::shard::Shard>,
    /// Keep, for every file, the packages applied and skipped and what the policies
    /// printed (`--explain`, `--trace`); otherwise traces name the files only.
    pub trace: bool,
    /// Time the stages, parsers, packages and rules (`check --profile`).
    pub profile: bool,
    /// What standard input held, when a path is `-`.
    pub stdin: Option<std::sync::Arc<[u8]>>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            paths: vec![PathBuf::from(".")],
            policies: PolicySources::default(),
            discover: DiscoverOptions::default(),
            combine: false,
            jobs: None,
            max_file_size: crate::parse::DEFAULT_MAX_FILE_SIZE,
            schemas: Vec::new(),
            suppress: SuppressOptions::default(),
            caps: FindingCaps::default(),
            parse_errors: ParseErrors::default(),
            test_paths: default_test_paths(),
            cache: None,
            cache_key: None,
            shard: None,
            trace: false,
            profile: false,
            stdin: None,
        }
    }
}

/// The default `[pack] test-paths`.
pub fn default_test_paths() -> Vec<String> {
    crate::context::DEFAULT_TEST_PATHS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// The name of a setting's value as the command line and `goldenpath.toml` spell it.
pub fn value_name<T: clap::ValueEnum>(value: T) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// Parses a setting's value by its name or an alias; the error names the accepted values:
/// ``unknown format `pdf` (human, json, ...)``.
pub fn parse_value<T: clap::ValueEnum>(text: &str, what: &str) -> Result<T, String> {
    T::from_str(text, false).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .map(|v| value_name(v.clone()))
            .collect();
        format!("unknown {what} `{text}` ({})", names.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_choice_then_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        use ColorChoice::*;
        type Vars = &'static [(&'static str, &'static str)];
        let cases: &[(ColorChoice, bool, Vars, bool)] = &[
            (Auto, true, &[], true),
            (Auto, false, &[], false),
            (Always, false, &[("NO_COLOR", "1")], true),
            (Never, true, &[("FORCE_COLOR", "1")], false),
            (Auto, true, &[("NO_COLOR", "1")], false),
            (Auto, true, &[("NO_COLOR", "")], true),
            (Auto, false, &[("FORCE_COLOR", "1")], true),
            (Auto, false, &[("FORCE_COLOR", "0")], false),
            (Auto, false, &[("CLICOLOR_FORCE", "1")], true),
            (
                Auto,
                false,
                &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
                false,
            ),
            (Auto, true, &[("CLICOLOR", "0")], false),
            (Auto, true, &[("TERM", "dumb")], false),
        ];
        for (choice, terminal, vars, want) in cases {
            assert_eq!(
                choice.enabled(*terminal, env(vars)),
                *want,
                "{choice:?} terminal={terminal} {vars:?}"
            );
        }
    }

    #[test]
    fn policy_timeouts() {
        let ok = [
            ("5s", Some(Duration::from_secs(5))),
            ("5", Some(Duration::from_secs(5))),
            ("250ms", Some(Duration::from_millis(250))),
            ("1.5s", Some(Duration::from_millis(1500))),
            ("2m", Some(Duration::from_secs(120))),
            ("0", None),
            ("0s", None),
        ];
        for (text, want) in ok {
            assert_eq!(
                text.parse::<PolicyTimeout>(),
                Ok(PolicyTimeout(want)),
                "{text}"
            );
        }
        for bad in ["", "s", "5h", "-1s", "1e3", "fast"] {
            assert!(bad.parse::<PolicyTimeout>().is_err(), "{bad}");
        }
    }
}

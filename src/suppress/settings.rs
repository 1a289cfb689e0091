//! The settings of the suppress stage: rule settings (`[rules]`, `[[overrides]]`),
//! `[[ignore]]` entries, `--select`/`--skip`, the baseline and the day expiry dates are
//! compared with, as `goldenpath.toml` and the command line give them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// What a rule override says: drop the rule's findings or give them a severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub enum RuleSetting {
    /// Drop every finding of the rule.
    Off,
    /// Report its findings with this severity.
    Severity(Severity),
}

impl From<RuleSetting> for String {
    fn from(setting: RuleSetting) -> String {
        match setting {
            RuleSetting::Off => "off".to_string(),
            RuleSetting::Severity(severity) => severity.name().to_string(),
        }
    }
}

impl TryFrom<String> for RuleSetting {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        match value.as_str() {
            "off" => Ok(RuleSetting::Off),
            "error" => Ok(RuleSetting::Severity(Severity::Error)),
            "warning" => Ok(RuleSetting::Severity(Severity::Warning)),
            "info" => Ok(RuleSetting::Severity(Severity::Info)),
            other => Err(format!(
                "unknown rule setting `{other}` (error, warning, info, off)"
            )),
        }
    }
}

/// One `[[overrides]]` entry: rule settings for the files matching some globs.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideSetting {
    /// Globs of the files, relative to the checked root.
    pub files: Vec<String>,
    /// Rule id or glob → severity or `off`.
    pub rules: BTreeMap<String, RuleSetting>,
}

/// One `[[ignore]]` entry: findings of some rules in some files are suppressed.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreSetting {
    /// Globs of the files, relative to the checked root.
    pub files: Vec<String>,
    /// Rule ids or globs; all rules when absent.
    #[serde(default = "every_rule")]
    pub rules: Vec<String>,
    /// Why.
    pub reason: Option<String>,
    /// The last day it applies (`YYYY-MM-DD`, checked when the file is read).
    pub until: Option<String>,
}

fn every_rule() -> Vec<String> {
    vec!["*".to_string()]
}

/// Where a run's baseline comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaselineMode {
    /// Suppress the findings listed in this file.
    Read(PathBuf),
    /// Write every current finding to this file (and suppress them).
    Write(PathBuf),
    /// Suppress the findings of this baseline, already read from `file` (as reported).
    Loaded {
        /// The file it was read from.
        file: String,
        /// Its entries.
        baseline: super::baseline::Baseline,
    },
}

/// How findings are suppressed and which rules run where: the settings the suppress
/// stage reads.
#[derive(Clone, Debug, Default)]
pub struct SuppressOptions {
    /// `[rules]`: rule id or glob → severity or `off`, in every file.
    pub rules: BTreeMap<String, RuleSetting>,
    /// `[[overrides]]`, in order.
    pub overrides: Vec<OverrideSetting>,
    /// `[[ignore]]`, in order.
    pub ignores: Vec<IgnoreSetting>,
    /// `--select`: only these rules (ids or globs).
    pub select: Vec<String>,
    /// `--skip`: not these rules.
    pub skip: Vec<String>,
    /// A suppression without a reason is an error and does not apply.
    pub require_reason: bool,
    /// The baseline.
    pub baseline: Option<BaselineMode>,
    /// The day expiry dates are compared with; `None` for today.
    pub today: Option<super::date::Date>,
    /// The configuration file as parsed, to point at its lines.
    pub config: Option<std::sync::Arc<crate::document::Document>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_settings_are_off_or_a_severity() {
        let cases = [
            ("off", Ok(RuleSetting::Off)),
            ("error", Ok(RuleSetting::Severity(Severity::Error))),
            ("warning", Ok(RuleSetting::Severity(Severity::Warning))),
            ("info", Ok(RuleSetting::Severity(Severity::Info))),
        ];
        for (text, want) in cases {
            assert_eq!(RuleSetting::try_from(text.to_string()), want, "{text}");
        }
        assert!(RuleSetting::try_from("loud".to_string()).is_err());
    }
}

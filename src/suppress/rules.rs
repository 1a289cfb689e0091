//! Rule settings, one mechanism for all of them: `[rules]` (every file), `[[overrides]]`
//! (files matching globs; later entries win) and `--select`/`--skip` (last). Each entry
//! maps a rule id or glob (`GP-K8S-*`) to a severity or `off`; for one rule and file an
//! exact id beats a glob, and a longer glob beats a shorter one.

use std::collections::BTreeMap;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::settings::{OverrideSetting, RuleSetting, SuppressOptions};
use crate::finding::wildcard_match;
use crate::finding::{PARSE_ERROR, POLICY_ERROR};
use crate::locate::Diagnostic;

/// File globs relative to the checked root (`docs/**`, `**/testdata/**`); `*` does not
/// cross `/`.
#[derive(Clone, Debug)]
pub struct FileGlobs(GlobSet);

impl FileGlobs {
    /// Compiles `patterns`; the error names the index of the first bad one and why.
    pub fn new(patterns: &[String]) -> Result<FileGlobs, (usize, String)> {
        let mut builder = GlobSetBuilder::new();
        for (i, pattern) in patterns.iter().enumerate() {
            let glob = GlobBuilder::new(pattern.trim_start_matches("./"))
                .literal_separator(true)
                .build()
                .map_err(|e| (i, e.kind().to_string()))?;
            builder.add(glob);
        }
        builder
            .build()
            .map(FileGlobs)
            .map_err(|e| (0, e.to_string()))
    }

    /// Whether `relative` (relative to the checked root, forward slashes) matches.
    pub fn is_match(&self, relative: &str) -> bool {
        self.0.is_match(relative)
    }
}

/// Whether `rule` is matched by the id or glob `pattern`.
pub fn matches(pattern: &str, rule: &str) -> bool {
    pattern == rule || (pattern.contains(['*', '?']) && wildcard_match(pattern, rule))
}

/// The setting among `entries` that applies to `rule`: an exact id first, else the
/// longest matching glob.
fn best<'a>(
    entries: impl IntoIterator<Item = (&'a String, &'a RuleSetting)>,
    rule: &str,
) -> Option<RuleSetting> {
    entries
        .into_iter()
        .filter(|(pattern, _)| matches(pattern, rule))
        .max_by_key(|(pattern, _)| (pattern.as_str() == rule, pattern.len()))
        .map(|(_, setting)| *setting)
}

/// The rule settings of a run.
#[derive(Clone, Debug, Default)]
pub struct RuleTable {
    rules: BTreeMap<String, RuleSetting>,
    overrides: Vec<(FileGlobs, BTreeMap<String, RuleSetting>)>,
    select: Vec<String>,
    skip: Vec<String>,
}

impl RuleTable {
    /// The table of `[rules]`, `[[overrides]]` (whose globs were checked when the
    /// configuration was read; a bad one matches nothing) and `--select`/`--skip`.
    pub fn new(
        rules: &BTreeMap<String, RuleSetting>,
        overrides: &[OverrideSetting],
        select: &[String],
        skip: &[String],
    ) -> RuleTable {
        RuleTable {
            rules: rules.clone(),
            overrides: overrides
                .iter()
                .filter_map(|o| Some((FileGlobs::new(&o.files).ok()?, o.rules.clone())))
                .collect(),
            select: select.to_vec(),
            skip: skip.to_vec(),
        }
    }

    /// The table of a run's settings.
    pub fn of(settings: &SuppressOptions) -> RuleTable {
        RuleTable::new(
            &settings.rules,
            &settings.overrides,
            &settings.select,
            &settings.skip,
        )
    }

    /// `d` with the setting for its rule in `relative` applied: `None` when the rule is
    /// off there, else with the severity set there.
    pub fn settle(&self, mut d: Diagnostic, relative: &str) -> Option<Diagnostic> {
        match self.resolve(&d.rule, Some(relative)) {
            Some(RuleSetting::Off) => return None,
            Some(RuleSetting::Severity(severity)) => d.severity = severity,
            None => {}
        }
        Some(d)
    }

    /// What applies to `rule` in `file` (relative to the checked root), or everywhere
    /// when `file` is `None`; `None` leaves the finding as the rule reported it.
    pub fn resolve(&self, rule: &str, file: Option<&str>) -> Option<RuleSetting> {
        let mut setting = best(&self.rules, rule);
        if let Some(file) = file {
            for (globs, rules) in &self.overrides {
                if globs.is_match(file) {
                    setting = best(rules, rule).or(setting);
                }
            }
        }
        if !self.selected(rule) {
            return Some(RuleSetting::Off);
        }
        setting
    }

    /// Whether `--select`/`--skip` keep `rule` (errors of the run itself always pass
    /// `--select`, so a file that could not be checked is never hidden by it).
    fn selected(&self, rule: &str) -> bool {
        let always = rule == PARSE_ERROR || rule == POLICY_ERROR;
        let selected =
            self.select.is_empty() || always || self.select.iter().any(|p| matches(p, rule));
        selected && !self.skip.iter().any(|p| matches(p, rule))
    }

    /// Whether `rule` is off in every file: off everywhere and turned on by no override.
    pub fn off_everywhere(&self, rule: &str) -> bool {
        self.resolve(rule, None) == Some(RuleSetting::Off)
            && (!self.selected(rule)
                || !self
                    .overrides
                    .iter()
                    .any(|(_, rules)| matches!(best(rules, rule), Some(RuleSetting::Severity(_)))))
    }

    /// The `--select` and `--skip` patterns that match none of `known`, with their flag.
    pub fn unmatched_selectors<'a>(&'a self, known: &[&str]) -> Vec<(&'static str, &'a str)> {
        let flagged = |flag: &'static str, patterns: &'a [String]| {
            patterns
                .iter()
                .filter(|p| !known.iter().any(|id| matches(p, id)))
                .map(move |p| (flag, p.as_str()))
                .collect::<Vec<_>>()
        };
        let mut out = flagged("--select", &self.select);
        out.extend(flagged("--skip", &self.skip));
        out
    }
}

/// The known rule id closest to `pattern`, when one is close enough to be a typo of it.
pub fn did_you_mean<'a>(
    pattern: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if pattern.contains(['*', '?']) {
        return None;
    }
    let lower = pattern.to_ascii_lowercase();
    let limit = 2.max(pattern.chars().count() / 4);
    known
        .into_iter()
        .map(|id| (strsim::levenshtein(&lower, &id.to_ascii_lowercase()), id))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn setting(s: &str) -> RuleSetting {
        RuleSetting::try_from(s.to_string()).expect("setting")
    }

    #[test]
    fn exact_ids_beat_globs_and_overrides_beat_rules() {
        let rules = BTreeMap::from([
            ("GP-K8S-*".to_string(), setting("warning")),
            ("GP-K8S-003".to_string(), setting("off")),
        ]);
        let overrides = vec![
            OverrideSetting {
                files: vec!["legacy/**".into()],
                rules: BTreeMap::from([("GP-K8S-003".to_string(), setting("info"))]),
            },
            OverrideSetting {
                files: vec!["legacy/old/**".into()],
                rules: BTreeMap::from([("GP-*".to_string(), setting("off"))]),
            },
        ];
        let table = RuleTable::new(&rules, &overrides, &[], &["GP-DOCKER-004".into()]);
        let warn = Some(RuleSetting::Severity(Severity::Warning));
        assert_eq!(table.resolve("GP-K8S-001", Some("a.yaml")), warn);
        assert_eq!(
            table.resolve("GP-K8S-003", Some("a.yaml")),
            Some(RuleSetting::Off)
        );
        assert_eq!(
            table.resolve("GP-K8S-003", Some("legacy/a.yaml")),
            Some(RuleSetting::Severity(Severity::Info))
        );
        assert_eq!(
            table.resolve("GP-K8S-003", Some("legacy/old/a.yaml")),
            Some(RuleSetting::Off)
        );
        assert_eq!(table.resolve("GP-DOCKER-004", None), Some(RuleSetting::Off));
        assert_eq!(table.resolve("main.deny", Some("a.yaml")), None);
        assert!(!table.off_everywhere("GP-K8S-003"), "on in legacy/");
        assert!(table.off_everywhere("GP-DOCKER-004"));
    }

    #[test]
    fn select_keeps_only_matching_rules_but_never_hides_errors() {
        let table = RuleTable::new(
            &BTreeMap::new(),
            &[],
            &["GP-K8S-*".into()],
            &["GP-K8S-002".into()],
        );
        assert_eq!(table.resolve("GP-K8S-001", None), None);
        assert_eq!(table.resolve("GP-K8S-002", None), Some(RuleSetting::Off));
        assert_eq!(table.resolve("GP-DOCKER-001", None), Some(RuleSetting::Off));
        assert_eq!(table.resolve(PARSE_ERROR, None), None);
        let known = ["GP-K8S-001", "GP-K8S-002"];
        let none = RuleTable::new(
            &BTreeMap::new(),
            &[],
            &["GP-K8S-0*".into(), "GP-K8S-07".into()],
            &[],
        );
        assert_eq!(
            none.unmatched_selectors(&known),
            vec![("--select", "GP-K8S-07")]
        );
    }

    #[test]
    fn near_misses_are_suggested() {
        let known = ["GP-K8S-007", "GP-K8S-001", "main.deny", "GP-DOCKER-001"];
        assert_eq!(did_you_mean("GP-K8S-07", known), Some("GP-K8S-007"));
        assert_eq!(did_you_mean("gp-k8s-001", known), Some("GP-K8S-001"));
        assert_eq!(did_you_mean("main.denyy", known), Some("main.deny"));
        assert_eq!(did_you_mean("something-else", known), None);
        assert_eq!(did_you_mean("GP-*", known), None);
    }
}

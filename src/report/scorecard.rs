//! The golden-path scorecard: for each repository, the rules with a level that pass and
//! fail there, and the level it reaches (bronze, silver, gold, or none).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::finding::{Level, RuleInfo};
use crate::locate::Diagnostic;
use crate::suppress::Suppressed;

/// Passed and total rule counts of one level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Rules of the level with no (unsuppressed) finding in the repository.
    pub passed: usize,
    /// Rules of the level that ran.
    pub total: usize,
    /// Rules of the level turned off by the configuration (not in `total`).
    #[serde(skip_serializing_if = "is_zero")]
    pub off: usize,
    /// Suppressed findings of the level's rules: a level bought with suppressions shows.
    #[serde(skip_serializing_if = "is_zero")]
    pub suppressed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Tally {
    /// `6/15`, or `6/14, 1 off` when rules of the level are turned off.
    pub fn describe(&self) -> String {
        let mut text = format!("{}/{}", self.passed, self.total);
        if self.off > 0 {
            text.push_str(&format!(", {} off", self.off));
        }
        text
    }
}

/// One repository's standing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scorecard {
    /// The repository, as given on the command line.
    pub repository: String,
    /// The level reached: every rule of it and of the levels below passes.
    #[serde(serialize_with = "level_or_none")]
    pub level: Option<Level>,
    /// Bronze rules.
    pub bronze: Tally,
    /// Silver rules.
    pub silver: Tally,
    /// Gold rules.
    pub gold: Tally,
    /// Ids of the rules with findings, sorted.
    pub failed_rules: Vec<String>,
}

fn level_or_none<S: serde::Serializer>(level: &Option<Level>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(level.map_or("none", Level::name))
}

impl Scorecard {
    /// The tally of `level`.
    pub fn tally(&self, level: Level) -> Tally {
        match level {
            Level::Bronze => self.bronze,
            Level::Silver => self.silver,
            Level::Gold => self.gold,
        }
    }

    fn tally_mut(&mut self, level: Level) -> &mut Tally {
        match level {
            Level::Bronze => &mut self.bronze,
            Level::Silver => &mut self.silver,
            Level::Gold => &mut self.gold,
        }
    }

    /// `none`, `bronze`, `silver` or `gold`.
    pub fn level_name(&self) -> &'static str {
        self.level.map_or("none", Level::name)
    }
}

/// Whether `file` (as reported) is inside the repository reported as `repository`.
pub(crate) fn belongs(file: &str, repository: &str) -> bool {
    if repository == "." || repository.is_empty() {
        return !file.starts_with("../") && !file.starts_with('/');
    }
    let repository = repository.trim_end_matches('/');
    file == repository
        || file
            .strip_prefix(repository)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether the pack marked `d` as a finding in test data (outside the scorecard).
fn test_data(d: &Diagnostic) -> bool {
    d.metadata.get("test_data") == Some(&serde_json::Value::Bool(true))
}

/// Scorecards of `repositories`, from the rules that have a level (`off`: those the
/// configuration turned off, counted apart). Empty when no rule has one. A rule passes when it has no finding or all its findings are suppressed.
pub fn compute(
    rules: &[RuleInfo],
    off: &[RuleInfo],
    diagnostics: &[Diagnostic],
    suppressed: &[Suppressed],
    repositories: &[String],
) -> Vec<Scorecard> {
    let leveled: Vec<(&str, Level)> = rules
        .iter()
        .filter_map(|r| r.level.map(|l| (r.id.as_str(), l)))
        .collect();
    if leveled.is_empty() && !off.iter().any(|r| r.level.is_some()) {
        return Vec::new();
    }
    repositories
        .iter()
        .map(|repository| {
            let failing: BTreeSet<&str> = diagnostics
                .iter()
                .filter(|d| belongs(&d.file, repository))
                // Test data, examples and documentation are not the golden path.
                .filter(|d| !test_data(d))
                .map(|d| d.rule.as_str())
                .collect();
            let mut card = Scorecard {
                repository: repository.clone(),
                level: None,
                bronze: Tally::default(),
                silver: Tally::default(),
                gold: Tally::default(),
                failed_rules: Vec::new(),
            };
            for level in off.iter().filter_map(|r| r.level) {
                card.tally_mut(level).off += 1;
            }
            for (id, level) in &leveled {
                let tally = card.tally_mut(*level);
                tally.total += 1;
                tally.suppressed += suppressed
                    .iter()
                    .map(|s| &s.diagnostic)
                    .filter(|d| d.rule == *id && belongs(&d.file, repository) && !test_data(d))
                    .count();
                if failing.contains(id) {
                    card.failed_rules.push(id.to_string());
                } else {
                    tally.passed += 1;
                }
            }
            card.failed_rules.sort();
            for level in Level::ALL {
                let t = card.tally(level);
                if t.passed == t.total {
                    card.level = Some(level);
                } else {
                    break;
                }
            }
            card
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, level: Level) -> RuleInfo {
        RuleInfo {
            id: id.into(),
            level: Some(level),
            ..RuleInfo::default()
        }
    }

    fn finding(rule: &str, file: &str) -> Diagnostic {
        Diagnostic::file_level(rule, file, "")
    }

    #[test]
    fn levels_climb_until_a_rule_fails() {
        let rules = vec![
            rule("B1", Level::Bronze),
            rule("S1", Level::Silver),
            rule("G1", Level::Gold),
            RuleInfo {
                id: "main.deny".into(),
                ..RuleInfo::default()
            },
        ];
        let diagnostics = vec![
            finding("G1", "a/x.yaml"),
            finding("S1", "b/Dockerfile"),
            finding("B1", "c"),
            finding("main.deny", "d/x.yaml"),
        ];
        let repos: Vec<String> = ["a", "b", "c", "d", "ab"].map(String::from).to_vec();
        let cards = compute(&rules, &[], &diagnostics, &[], &repos);
        let levels: Vec<&str> = cards.iter().map(Scorecard::level_name).collect();
        assert_eq!(levels, vec!["silver", "bronze", "none", "gold", "gold"]);
        assert_eq!(cards[0].failed_rules, vec!["G1".to_string()]);
        assert_eq!(
            cards[0].gold,
            Tally {
                passed: 0,
                total: 1,
                off: 0,
                suppressed: 0
            }
        );
        assert!(compute(&rules[3..], &[], &diagnostics, &[], &repos).is_empty());
        let all = compute(&rules, &[], &diagnostics, &[], &[".".to_string()]);
        assert_eq!(all[0].level, None);
    }

    #[test]
    fn a_level_with_no_rules_is_reached() {
        let cards = compute(
            &[rule("B1", Level::Bronze)],
            &[],
            &[],
            &[],
            &[".".to_string()],
        );
        assert_eq!(cards[0].level, Some(Level::Gold));
    }

    #[test]
    fn rules_turned_off_are_counted_apart() {
        let off = [rule("G2", Level::Gold)];
        let cards = compute(
            &[rule("G1", Level::Gold)],
            &off,
            &[],
            &[],
            &[".".to_string()],
        );
        assert_eq!(
            cards[0].gold,
            Tally {
                passed: 1,
                total: 1,
                off: 1,
                suppressed: 0
            }
        );
        assert_eq!(cards[0].gold.describe(), "1/1, 1 off");
        assert_eq!(cards[0].bronze.describe(), "0/0");
    }
}

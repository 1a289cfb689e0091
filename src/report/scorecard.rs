//! The golden-path scorecard: for each repository, the rules with a level that pass and
//! fail there, and the level it reaches (bronze, silver, gold, or none).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::finding::{Level, RuleInfo};
use crate::locate::Diagnostic;

/// Passed and total rule counts of one level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Rules of the level with no finding in the repository.
    pub passed: usize,
    /// Rules of the level.
    pub total: usize,
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

/// Scorecards of `repositories`, from the rules that have a level. Empty when no rule
/// has one.
pub fn compute(
    rules: &[RuleInfo],
    diagnostics: &[Diagnostic],
    repositories: &[String],
) -> Vec<Scorecard> {
    let leveled: Vec<(&str, Level)> = rules
        .iter()
        .filter_map(|r| r.level.map(|l| (r.id.as_str(), l)))
        .collect();
    if leveled.is_empty() {
        return Vec::new();
    }
    repositories
        .iter()
        .map(|repository| {
            let failing: BTreeSet<&str> = diagnostics
                .iter()
                .filter(|d| belongs(&d.file, repository))
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
            for (id, level) in &leveled {
                let tally = match level {
                    Level::Bronze => &mut card.bronze,
                    Level::Silver => &mut card.silver,
                    Level::Gold => &mut card.gold,
                };
                tally.total += 1;
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
        let cards = compute(&rules, &diagnostics, &repos);
        let levels: Vec<&str> = cards.iter().map(Scorecard::level_name).collect();
        assert_eq!(levels, vec!["silver", "bronze", "none", "gold", "gold"]);
        assert_eq!(cards[0].failed_rules, vec!["G1".to_string()]);
        assert_eq!(
            cards[0].gold,
            Tally {
                passed: 0,
                total: 1
            }
        );
        assert!(compute(&rules[3..], &diagnostics, &repos).is_empty());
        let all = compute(&rules, &diagnostics, &[".".to_string()]);
        assert_eq!(all[0].level, None);
    }

    #[test]
    fn a_level_with_no_rules_is_reached() {
        let cards = compute(&[rule("B1", Level::Bronze)], &[], &[".".to_string()]);
        assert_eq!(cards[0].level, Some(Level::Gold));
    }
}

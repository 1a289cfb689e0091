//! Caps on the findings reported per file ([`FindingCaps`]): a file that makes a rule fire
//! thousands of times (a one-line Deployment with 5,000 containers, an array of 200,000
//! documents) gives the first findings of each rule in file order and, for each rule with
//! more, one summary finding "N more findings of rule X in this file not shown" where the
//! first one not shown would have been. Reports stay readable and their size bounded by
//! the number of files, whatever the input.

use std::collections::BTreeMap;

use crate::finding::Severity;
use crate::locate::Diagnostic;
use crate::options::FindingCaps;

/// What was left out of one rule in one file.
struct Hidden {
    /// The first finding not shown: where the summary goes.
    first: Diagnostic,
    count: usize,
    severity: Severity,
    /// Whether the rule's own cap (rather than the file's) left it out.
    by_rule: bool,
}

/// Keeps, per file, at most `caps.per_rule` findings of each rule and `caps.per_file` in
/// all (the first in position order), and adds a summary finding per rule that lost some.
pub(super) fn cap(mut diagnostics: Vec<Diagnostic>, caps: FindingCaps) -> Vec<Diagnostic> {
    let limit = |n: usize| if n == 0 { usize::MAX } else { n };
    let (per_rule, per_file) = (limit(caps.per_rule), limit(caps.per_file));
    if diagnostics.len() <= per_rule.min(per_file) {
        return diagnostics;
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut kept = Vec::with_capacity(diagnostics.len().min(per_file.saturating_mul(16)));
    let mut iter = diagnostics.into_iter().peekable();
    while let Some(first) = iter.next() {
        // One file at a time (they are sorted by file).
        let file = first.file.clone();
        let mut shown_in_file = 0;
        let mut shown: BTreeMap<String, usize> = BTreeMap::new();
        let mut hidden: BTreeMap<String, Hidden> = BTreeMap::new();
        let mut next = Some(first);
        while let Some(d) = next.take() {
            let of_rule = shown.entry(d.rule.clone()).or_default();
            if *of_rule < per_rule && shown_in_file < per_file {
                *of_rule += 1;
                shown_in_file += 1;
                kept.push(d);
            } else {
                let by_rule = *of_rule >= per_rule;
                match hidden.get_mut(&d.rule) {
                    Some(h) => {
                        h.count += 1;
                        h.severity = h.severity.max(d.severity);
                        h.by_rule |= by_rule;
                    }
                    None => {
                        hidden.insert(
                            d.rule.clone(),
                            Hidden {
                                severity: d.severity,
                                first: d,
                                count: 1,
                                by_rule,
                            },
                        );
                    }
                }
            }
            next = iter.next_if(|d| d.file == file);
        }
        kept.extend(
            hidden
                .into_values()
                .map(|h| summary(h, caps.per_rule, caps.per_file)),
        );
    }
    kept
}

fn summary(hidden: Hidden, per_rule: usize, per_file: usize) -> Diagnostic {
    let Hidden {
        first,
        count,
        severity,
        by_rule,
    } = hidden;
    let limit = if by_rule {
        format!("at most {per_rule} per rule and file; change it with --max-findings-per-rule or `max-findings-per-rule`")
    } else {
        format!("at most {per_file} per file; change it with --max-findings-per-file or `max-findings-per-file`")
    };
    Diagnostic {
        message: format!(
            "{count} more finding{} of rule {} in this file not shown ({limit})",
            if count == 1 { "" } else { "s" },
            first.rule
        ),
        severity,
        metadata: Default::default(),
        ..first
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Span;
    use crate::locate::{Position, Region};

    fn at(rule: &str, file: &str, line: usize, severity: Severity) -> Diagnostic {
        let position = Position { line, column: 1 };
        Diagnostic {
            severity,
            region: Some(Region {
                start: position,
                end: position,
                span: Span::new(line, line),
            }),
            ..Diagnostic::file_level(rule, file, &format!("finding on line {line}"))
        }
    }

    fn summary_of(d: &[Diagnostic]) -> Vec<(String, String, usize, String)> {
        d.iter()
            .map(|d| {
                (
                    d.file.clone(),
                    d.rule.clone(),
                    d.region.map_or(0, |r| r.start.line),
                    d.message.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn each_rule_keeps_its_first_findings_and_counts_the_rest() {
        let mut all: Vec<Diagnostic> = (1..=10)
            .rev()
            .map(|line| at("r", "a.yaml", line, Severity::Warning))
            .collect();
        all.push(at("r", "a.yaml", 11, Severity::Error));
        all.push(at("other", "a.yaml", 20, Severity::Info));
        all.extend((1..=3).map(|line| at("r", "b.yaml", line, Severity::Warning)));
        let caps = FindingCaps {
            per_rule: 3,
            per_file: 100,
        };
        let kept = cap(all, caps);
        let shown = summary_of(&kept);
        let lines = |file: &str, rule: &str| -> Vec<usize> {
            shown
                .iter()
                .filter(|s| s.0 == file && s.1 == rule)
                .map(|s| s.2)
                .collect()
        };
        assert_eq!(lines("a.yaml", "r"), vec![1, 2, 3, 4]);
        assert_eq!(lines("a.yaml", "other"), vec![20]);
        assert_eq!(lines("b.yaml", "r"), vec![1, 2, 3]);
        let summary = kept
            .iter()
            .find(|d| d.message.contains("not shown"))
            .expect("a summary");
        assert_eq!(
            summary.message,
            "8 more findings of rule r in this file not shown (at most 3 per rule and file; change it with --max-findings-per-rule or `max-findings-per-rule`)"
        );
        // Where the first finding not shown was, with the highest severity left out.
        assert_eq!(summary.region.map(|r| r.start.line), Some(4));
        assert_eq!(summary.severity, Severity::Error);
        assert_eq!(kept.len(), 3 + 1 + 1 + 3);
    }

    #[test]
    fn the_file_cap_counts_every_rule() {
        let all: Vec<Diagnostic> = (1..=6)
            .map(|line| {
                at(
                    if line % 2 == 0 { "even" } else { "odd" },
                    "f",
                    line,
                    Severity::Error,
                )
            })
            .collect();
        let kept = cap(
            all,
            FindingCaps {
                per_rule: 0,
                per_file: 2,
            },
        );
        let shown = summary_of(&kept);
        assert_eq!(shown[0].2, 1);
        assert_eq!(shown[1].2, 2);
        let messages: Vec<&str> = shown[2..].iter().map(|s| s.3.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "2 more findings of rule even in this file not shown (at most 2 per file; change it with --max-findings-per-file or `max-findings-per-file`)",
                "2 more findings of rule odd in this file not shown (at most 2 per file; change it with --max-findings-per-file or `max-findings-per-file`)",
            ]
        );
    }

    #[test]
    fn zero_means_no_limit() {
        let all: Vec<Diagnostic> = (1..=500)
            .map(|line| at("r", "f", line, Severity::Error))
            .collect();
        let caps = FindingCaps {
            per_rule: 0,
            per_file: 0,
        };
        assert_eq!(cap(all, caps).len(), 500);
    }
}

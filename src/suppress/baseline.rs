//! Baselines: every finding of a run written as sorted, diff-friendly JSON
//! (`--write-baseline`), and read back (`--baseline`) to suppress the findings it lists.
//!
//! An entry is matched by rule, file and the SARIF partial fingerprint (a hash of the
//! rule, the file and the text of the flagged line, numbered among identical lines), so a
//! finding stays matched when lines are added or removed elsewhere in its file. Entries
//! that match nothing are counted: those findings were fixed.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Kind, Suppressed, Suppression};
use crate::locate::Diagnostic;

/// The file format's version.
pub const VERSION: u32 = 1;

/// A baseline file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Always [`VERSION`].
    pub version: u32,
    /// The findings, sorted by file, rule, fingerprint and message.
    pub findings: Vec<Entry>,
}

/// One finding of a baseline.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The file as reported.
    pub file: String,
    /// The rule id.
    pub rule: String,
    /// The SARIF partial fingerprint (`goldenpath/v1`).
    pub fingerprint: String,
    /// The message, for people reading the file (not matched).
    pub message: String,
}

impl Baseline {
    /// The baseline of `findings`, each with its fingerprint.
    pub fn of<'a>(findings: impl IntoIterator<Item = (&'a Diagnostic, &'a String)>) -> Baseline {
        let mut entries: Vec<Entry> = findings
            .into_iter()
            .map(|(d, print)| Entry {
                file: d.file.clone(),
                rule: d.rule.clone(),
                fingerprint: print.clone(),
                message: d.message.clone(),
            })
            .collect();
        entries.sort();
        Baseline {
            version: VERSION,
            findings: entries,
        }
    }

    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = crate::confine::read_to_string(path).map_err(|e| e.to_string())?;
        let baseline: Baseline =
            serde_json::from_str(&text).map_err(|e| format!("not a goldenpath baseline: {e}"))?;
        if baseline.version != VERSION {
            return Err(format!(
                "baseline version {} is not supported (expected {VERSION})",
                baseline.version
            ));
        }
        Ok(baseline)
    }

    /// The file's text: pretty JSON, one key per line, with a trailing newline.
    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Splits `findings` (each with its fingerprint) into those the baseline does not
    /// list and those it does (suppressed, declared in `declared`); also gives the number
    /// of entries that matched no finding.
    pub fn split(
        &self,
        findings: Vec<(Diagnostic, String)>,
        declared: &str,
    ) -> (Vec<Diagnostic>, Vec<Suppressed>, usize) {
        let mut remaining: HashMap<(String, String, String), usize> = HashMap::new();
        for e in &self.findings {
            *remaining
                .entry((e.file.clone(), e.rule.clone(), e.fingerprint.clone()))
                .or_insert(0) += 1;
        }
        let mut kept = Vec::new();
        let mut suppressed = Vec::new();
        for (d, print) in findings {
            let key = (d.file.clone(), d.rule.clone(), print);
            match remaining.get_mut(&key).filter(|n| **n > 0) {
                Some(n) => {
                    *n -= 1;
                    suppressed.push(Suppressed {
                        diagnostic: d,
                        suppression: Suppression {
                            kind: Kind::Baseline,
                            reason: Some("in the baseline".to_string()),
                            file: declared.to_string(),
                            line: None,
                        },
                    });
                }
                None => kept.push(d),
            }
        }
        (kept, suppressed, remaining.values().sum())
    }
}

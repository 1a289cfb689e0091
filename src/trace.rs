//! What `check --explain` and `check --trace` tell policy authors about each file: which
//! packages were applied to it, which were skipped and why, and what the policies'
//! `print()` calls wrote while it was evaluated.
//!
//! This is written to standard error, so the report on standard output (and its JSON)
//! stays the same with or without it.

use serde::Serialize;

/// Why a package that defines rules was not applied to a file.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// The `--namespace` selection (or its default, `main`) leaves the package out.
    Namespace,
    /// Its METADATA `files`/`formats` do not match the file.
    Applicability,
}

impl SkipReason {
    /// A short phrase for the human listing.
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Namespace => "not selected by --namespace (default: main)",
            SkipReason::Applicability => "does not apply to this file (METADATA files/formats)",
        }
    }
}

/// A package that was not applied to a file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct SkippedPackage {
    /// The package name without `data.`.
    pub package: String,
    /// Why.
    pub reason: SkipReason,
}

/// What happened to one checked file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FileTrace {
    /// The file, as reported.
    pub file: String,
    /// Packages evaluated against it, in evaluation order (empty when it did not parse).
    pub applied: Vec<String>,
    /// Packages with rules that were not evaluated against it.
    pub skipped: Vec<SkippedPackage>,
    /// `print()` output while it was evaluated, each line prefixed with the policy
    /// `file:line:`.
    pub prints: Vec<String>,
}

/// Renders the traces: with `explain`, the applied and skipped packages of every file;
/// with `trace`, the `print()` output of every file that printed.
pub fn render(traces: &[FileTrace], explain: bool, trace: bool) -> String {
    let mut out = String::new();
    for t in traces {
        let prints = trace && !t.prints.is_empty();
        if !explain && !prints {
            continue;
        }
        out.push_str(&t.file);
        out.push('\n');
        if explain {
            if t.applied.is_empty() {
                out.push_str("  applied: (none)\n");
            } else {
                out.push_str(&format!("  applied: {}\n", t.applied.join(", ")));
            }
            for s in &t.skipped {
                out.push_str(&format!(
                    "  skipped: {} ({})\n",
                    s.package,
                    s.reason.describe()
                ));
            }
        }
        if prints {
            for line in &t.prints {
                out.push_str(&format!("  print: {line}\n"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_and_trace_listings() {
        let traces = vec![
            FileTrace {
                file: "a.yaml".into(),
                applied: vec!["main".into()],
                skipped: vec![SkippedPackage {
                    package: "k8s".into(),
                    reason: SkipReason::Namespace,
                }],
                prints: vec!["policy/main.rego:4: hello".into()],
            },
            FileTrace {
                file: "b.yaml".into(),
                ..FileTrace::default()
            },
        ];
        assert_eq!(
            render(&traces, true, false),
            "a.yaml\n  applied: main\n  skipped: k8s (not selected by --namespace (default: main))\nb.yaml\n  applied: (none)\n"
        );
        assert_eq!(
            render(&traces, false, true),
            "a.yaml\n  print: policy/main.rego:4: hello\n"
        );
    }
}

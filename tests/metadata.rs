//! `# METADATA` on any policy: ids, severities and levels from annotations,
//! applicability by `files`/`formats`, repository scope with the `goldenpath.*`
//! builtins, and the scorecard.

mod common;

use common::{findings, run};
use serde_json::Value;

const BASE: [&str; 5] = ["check", "-p", "metadata/policy", "-n", "acme.*"];

fn report(extra: &[&str]) -> Value {
    let mut args = BASE.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    args.extend_from_slice(extra);
    args.push("metadata/repo");
    run("", &args).json()
}

#[test]
fn annotations_set_ids_severities_scope_and_applicability() {
    let report = report(&[]);
    let got: Vec<(String, String, String, Option<u64>, String)> = findings(&report)
        .into_iter()
        .map(|f| (f.rule, f.severity, f.file, f.line, f.message))
        .collect();
    let want = |rule: &str, severity: &str, file: &str, line: Option<u64>, message: &str| {
        (
            rule.to_string(),
            severity.to_string(),
            file.to_string(),
            line,
            message.to_string(),
        )
    };
    assert_eq!(
        got,
        vec![
            want(
                "ACME-003",
                "error",
                "metadata/repo",
                None,
                "5 files, 2 directories, root repo"
            ),
            want("ACME-003", "error", "metadata/repo", None, "no README"),
            want(
                "ACME-001",
                "warning",
                "metadata/repo/Dockerfile",
                Some(1),
                "`alpine:latest` uses latest"
            ),
            // A path into the second document of a multi-document file.
            want(
                "ACME-003",
                "error",
                "metadata/repo/catalog.yaml",
                Some(8),
                "catalog owner is missing"
            ),
            // `files: ["deploy/**/*.yaml"]`: other/app.yaml has the same problem but is
            // out of scope.
            want(
                "ACME-002",
                "error",
                "metadata/repo/deploy/app.yaml",
                Some(4),
                "replicas is not set"
            ),
            want(
                "ACME-003",
                "error",
                "metadata/repo/notes.txt",
                Some(2),
                "TODO in notes at line 2"
            ),
        ]
    );
    let cards = &report["scorecards"];
    assert_eq!(cards[0]["repository"], "metadata/repo");
    assert_eq!(cards[0]["level"], "none");
    assert_eq!(
        cards[0]["bronze"],
        serde_json::json!({"passed": 0, "total": 1})
    );
}

#[test]
fn the_scorecard_ends_the_human_report() {
    let mut args = BASE.to_vec();
    args.push("metadata/repo");
    let out = run("", &args);
    assert_eq!(out.code, 1);
    let tail: Vec<&str> = out
        .stdout
        .lines()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert_eq!(
        tail,
        vec![
            "4 files checked: 5 errors, 1 warning, 0 info",
            "golden path for metadata/repo: none",
            "  bronze  0/1 rules pass",
            "  silver  0/1 rules pass",
            "  gold    0/1 rules pass",
            "  failing: ACME-001, ACME-002, ACME-003",
        ]
    );
    // Turning a rule off removes it from the findings and from the scorecard's totals,
    // and the scorecard says so.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("goldenpath.toml");
    common::write(&config, "[rules]\n\"ACME-001\" = \"off\"\n");
    let report = report(&["--config", config.to_str().expect("utf-8")]);
    assert!(report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|f| f["rule"] != "ACME-001"));
    assert_eq!(
        report["scorecards"][0]["bronze"],
        serde_json::json!({"passed": 0, "total": 0, "off": 1})
    );
    assert_eq!(report["scorecards"][0]["level"], "bronze");
}

#[test]
fn explain_lists_packages_skipped_by_applicability() {
    let mut args = BASE.to_vec();
    args.extend_from_slice(&["--explain", "metadata/repo"]);
    let stderr = run("", &args).stderr;
    assert!(
        stderr.contains("acme.docker")
            && stderr.contains("does not apply to this file (METADATA files/formats)"),
        "{stderr}"
    );
}

#[test]
fn broken_metadata_stops_the_run_at_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("bad.rego");
    common::write(
        &policy,
        "# METADATA\n# custom:\n#   level: platinum\npackage bad\n\nimport rego.v1\n\ndeny contains \"x\" if false\n",
    );
    let out = run(
        "",
        &[
            "check",
            "-p",
            policy.to_str().expect("utf-8"),
            "metadata/repo",
        ],
    );
    let stderr = out.stderr;
    assert_eq!(out.code, 2);
    assert!(
        stderr.contains("invalid METADATA block: unknown level `platinum`"),
        "{stderr}"
    );
    assert!(stderr.contains("bad.rego:1:1"), "{stderr}");
}

//! `# METADATA` on any policy: ids, severities and levels from annotations,
//! applicability by `files`/`formats`, repository scope with the `goldenpath.*`
//! builtins, and the scorecard.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("goldenpath")
        .expect("binary")
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const BASE: [&str; 5] = ["check", "-p", "metadata/policy", "-n", "acme.*"];

fn report(extra: &[&str]) -> Value {
    let mut args = BASE.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    args.extend_from_slice(extra);
    args.push("metadata/repo");
    let (_, stdout, stderr) = run(&args);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"))
}

#[test]
fn annotations_set_ids_severities_scope_and_applicability() {
    let report = report(&[]);
    let got: Vec<(String, String, String, Option<u64>, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["file"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
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
    let (code, stdout, _) = run(&args);
    assert_eq!(code, 1);
    let tail: Vec<&str> = stdout
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
    // Turning a rule off removes it from the findings and from the scorecard.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("goldenpath.toml");
    std::fs::write(&config, "[rules]\n\"ACME-001\" = \"off\"\n").expect("write");
    let report = report(&["--config", config.to_str().expect("utf-8")]);
    assert!(report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|f| f["rule"] != "ACME-001"));
    assert_eq!(
        report["scorecards"][0]["bronze"],
        serde_json::json!({"passed": 0, "total": 0})
    );
    assert_eq!(report["scorecards"][0]["level"], "bronze");
}

#[test]
fn explain_lists_packages_skipped_by_applicability() {
    let mut args = BASE.to_vec();
    args.extend_from_slice(&["--explain", "metadata/repo"]);
    let (_, _, stderr) = run(&args);
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
    std::fs::write(
        &policy,
        "# METADATA\n# custom:\n#   level: platinum\npackage bad\n\nimport rego.v1\n\ndeny contains \"x\" if false\n",
    )
    .expect("write");
    let (code, _, stderr) = run(&[
        "check",
        "-p",
        policy.to_str().expect("utf-8"),
        "metadata/repo",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("invalid METADATA block: unknown level `platinum`"),
        "{stderr}"
    );
    assert!(stderr.contains("bad.rego:1:1"), "{stderr}");
}

//! Rego as OPA runs it, safely, through the binary: policies that recurse, run away,
//! build huge values or reach for the network never take the run down (every other file
//! is still reported), and the conftest behaviours the differential suite
//! (`tests/differential`) measures against real OPA hold for the CLI as a whole.

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn goldenpath(dir: &str, args: &[&str]) -> Run {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(dir);
    let out = Command::cargo_bin("goldenpath")
        .expect("binary")
        .current_dir(root)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// (file, rule, message) of every finding of a JSON report.
fn findings(stdout: &str) -> Vec<(String, String, String)> {
    let report: serde_json::Value = serde_json::from_str(stdout).expect("json report");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("file"), s("rule"), s("message"))
        })
        .collect()
}

#[test]
fn runaway_huge_and_network_rules_are_policy_errors_and_other_files_are_checked() {
    let started = Instant::now();
    let out = goldenpath(
        "rego/safety",
        &[
            "check",
            "--format",
            "json",
            "--policy-timeout",
            "1s",
            "-j",
            "2",
            "-p",
            "policy",
            "inputs",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the budget stops the runaway rule"
    );
    insta::assert_json_snapshot!("safety_findings", findings(&out.stdout));
}

#[test]
fn the_policy_timeout_comes_from_the_configuration_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("goldenpath.toml");
    std::fs::write(&config, "policy-timeout = \"300ms\"\n").expect("write");
    let out = goldenpath(
        "rego/safety",
        &[
            "check",
            "--format",
            "json",
            "--config",
            &config.to_string_lossy(),
            "-p",
            "policy",
            "inputs/runaway.json",
            "inputs/ok.json",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let found = findings(&out.stdout);
    assert!(
        found
            .iter()
            .any(|(file, rule, message)| file == "inputs/runaway.json"
                && rule == "policy-error"
                && message.contains("policy timeout of 300ms")),
        "{found:?}"
    );
    assert!(found.iter().any(|(file, _, _)| file == "inputs/ok.json"));

    std::fs::write(&config, "policy-timeout = \"soon\"\n").expect("write");
    let out = goldenpath(
        "rego/safety",
        &[
            "check",
            "--config",
            &config.to_string_lossy(),
            "-p",
            "policy",
            "inputs/ok.json",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("policy-timeout"), "{}", out.stderr);
}

#[test]
fn recursive_functions_stop_the_run_at_load_with_the_cycle() {
    let out = goldenpath(
        "rego/recursive",
        &["check", "-p", "policy", "../safety/inputs/ok.json"],
    );
    assert_eq!(out.code, 2, "{}", out.stdout);
    insta::assert_snapshot!("recursive_functions", out.stderr);
}

#[test]
fn deny_with_if_but_without_contains_is_refused_as_conftest_does() {
    let out = goldenpath(
        "differential/if-without-contains/object-deny",
        &["check", "-p", "policy", "inputs"],
    );
    assert_eq!(out.code, 2, "{}", out.stdout);
    insta::assert_snapshot!("if_without_contains", out.stderr);
}

#[test]
fn a_users_package_conftest_runs_with_namespace_conftest() {
    let out = goldenpath(
        "differential/conftest-package/configfile",
        &[
            "check", "--format", "json", "-n", "conftest", "-p", "policy", "inputs",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_json_snapshot!("conftest_package", findings(&out.stdout));
}

#[test]
fn empty_and_comment_only_files_are_evaluated_once_with_null_input() {
    let out = goldenpath(
        "differential/empty-files/null-input",
        &["check", "--format", "json", "-p", "policy", "inputs"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_json_snapshot!("empty_files", findings(&out.stdout));
}

#[test]
fn lib_package_rules_over_undefined_values_do_not_poison_callers() {
    let out = goldenpath(
        "differential/lib-packages/konstraint-pods",
        &[
            "check",
            "--format",
            "json",
            "-p",
            "policy",
            "inputs/doc00.yaml",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let found = findings(&out.stdout);
    assert!(
        found.iter().all(|(_, rule, _)| rule != "policy-error"),
        "{found:?}"
    );
    assert!(found
        .iter()
        .any(|(_, rule, message)| rule == "main.deny" && message == "not a workload"));
}

//! Rego as OPA runs it, safely, through the binary: policies that recurse, run away,
//! build huge values or reach for the network never take the run down (every other file
//! is still reported), and the conftest behaviours the differential suite
//! (`tests/differential`) measures against real OPA hold for the CLI as a whole.

mod common;

use std::time::{Duration, Instant};

use common::{check_json, run};

/// (file, rule, message) of every finding of a JSON report.
fn messages(report: &serde_json::Value) -> Vec<(String, String, String)> {
    common::findings(report)
        .into_iter()
        .map(|f| (f.file, f.rule, f.message))
        .collect()
}

#[test]
fn runaway_huge_and_network_rules_are_policy_errors_and_other_files_are_checked() {
    let started = Instant::now();
    let (code, report) = check_json(
        "rego/safety",
        &[
            "--policy-timeout",
            "1s",
            "-j",
            "2",
            "-p",
            "policy",
            "inputs",
        ],
    );
    assert_eq!(code, 1, "{report}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the budget stops the runaway rule"
    );
    insta::assert_json_snapshot!("safety_findings", messages(&report));
}

#[test]
fn the_policy_timeout_comes_from_the_configuration_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("goldenpath.toml");
    std::fs::write(&config, "policy-timeout = \"300ms\"\n").expect("write");
    let config_arg = config.to_string_lossy();
    let (code, report) = check_json(
        "rego/safety",
        &[
            "--config",
            &config_arg,
            "-p",
            "policy",
            "inputs/runaway.json",
            "inputs/ok.json",
        ],
    );
    assert_eq!(code, 1, "{report}");
    let found = messages(&report);
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
    let out = run(
        "rego/safety",
        &[
            "check",
            "--config",
            &config_arg,
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
    let out = run(
        "rego/recursive",
        &["check", "-p", "policy", "../safety/inputs/ok.json"],
    );
    assert_eq!(out.code, 2, "{}", out.stdout);
    insta::assert_snapshot!("recursive_functions", out.stderr);
}

#[test]
fn deny_with_if_but_without_contains_is_refused_as_conftest_does() {
    let out = run(
        "differential/if-without-contains/object-deny",
        &["check", "-p", "policy", "inputs"],
    );
    assert_eq!(out.code, 2, "{}", out.stdout);
    insta::assert_snapshot!("if_without_contains", out.stderr);
}

#[test]
fn a_users_package_conftest_runs_with_namespace_conftest() {
    let (code, report) = check_json(
        "differential/conftest-package/configfile",
        &["-n", "conftest", "-p", "policy", "inputs"],
    );
    assert_eq!(code, 1, "{report}");
    insta::assert_json_snapshot!("conftest_package", messages(&report));
}

#[test]
fn empty_and_comment_only_files_are_evaluated_once_with_null_input() {
    let (code, report) = check_json(
        "differential/empty-files/null-input",
        &["-p", "policy", "inputs"],
    );
    assert_eq!(code, 1, "{report}");
    insta::assert_json_snapshot!("empty_files", messages(&report));
}

#[test]
fn lib_package_rules_over_undefined_values_do_not_poison_callers() {
    let (code, report) = check_json(
        "differential/lib-packages/konstraint-pods",
        &["-p", "policy", "inputs/doc00.yaml"],
    );
    assert_eq!(code, 1, "{report}");
    let found = messages(&report);
    assert!(found
        .iter()
        .any(|(_, rule, message)| rule == "main.deny" && message == "not a workload"));
}

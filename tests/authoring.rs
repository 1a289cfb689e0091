//! Integration tests for policy authoring: `goldenpath test` (Rego unit tests and
//! fixture cases), `goldenpath init`, and the diagnostics policy authors see
//! (`--explain`, `--trace`, `--strict`, located policy errors).

mod common;

use common::run;

fn last_line(text: &str) -> &str {
    text.trim_end().lines().last().unwrap_or_default()
}

#[test]
fn unit_tests_and_cases_pass_fail_error_and_skip() {
    let out = run("authoring", &["test", "-d", "data"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(last_line(&out.stdout), "4 passed, 4 failed, 1 skipped");
    insta::assert_snapshot!("test_human", out.stdout);
}

#[test]
fn run_filters_tests_by_regex() {
    let out = run("authoring", &["test", "--run", "pinned"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "2 passed, 0 failed\n");
    let out = run("authoring", &["test", "--run", "fails_on_purpose$"]);
    assert_eq!(out.code, 1);
    assert_eq!(last_line(&out.stdout), "0 passed, 1 failed");
    let out = run("authoring", &["test", "--run", "("]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("invalid --run pattern"),
        "{}",
        out.stderr
    );
}

#[test]
fn with_input_and_with_data_override_in_tests() {
    // No -d: `data.limits` exists only through `with data.limits as ...`.
    let out = run(
        "authoring",
        &["test", "-v", "--run", "replicas|latest_is_denied"],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        out.stdout,
        "PASS main_test.test_latest_is_denied (policy/main_test.rego:12)\n\
         PASS main_test.test_replicas_limit_from_data (policy/main_test.rego:20)\n\
         \n2 passed, 0 failed\n"
    );
}

#[test]
fn json_and_junit_reports() {
    let out = run("authoring", &["test", "-d", "data", "--format", "json"]);
    assert_eq!(out.code, 1);
    let report = out.json();
    let verdicts: Vec<(String, String, String)> = report["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| {
            let name = t["name"].as_str().or(t["dir"].as_str()).unwrap_or_default();
            (
                t["kind"].as_str().unwrap_or_default().to_string(),
                name.to_string(),
                t["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expected = [
        ("rego", "test_latest_is_denied", "pass"),
        ("rego", "test_pinned_is_allowed", "pass"),
        ("rego", "test_replicas_limit_from_data", "pass"),
        ("rego", "test_fails_on_purpose", "fail"),
        ("rego", "test_errors_on_purpose", "error"),
        ("rego", "todo_test_owner_label_is_warned", "skip"),
        ("rego", "test_defined_twice", "error"),
        ("case", "policy/tests/mismatch", "fail"),
        ("case", "policy/tests/pinned", "pass"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(verdicts, expected);
    assert_eq!(
        report["summary"],
        serde_json::json!({"passed": 4, "failed": 4, "skipped": 1})
    );
    let failing = &report["tests"][3];
    assert_eq!(failing["line"], 26);
    assert_eq!(
        failing["prints"],
        serde_json::json!(["policy/main_test.rego:27: deny was {}"])
    );

    let out = run("authoring", &["test", "-d", "data", "--format", "junit"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains(
        "<testsuites name=\"goldenpath test\" tests=\"9\" failures=\"2\" errors=\"2\" skipped=\"1\">"
    ));
    assert!(out.stdout.contains(
        "<testcase classname=\"main_test\" name=\"test_errors_on_purpose\" file=\"policy/main_test.rego\" line=\"32\">"
    ));
}

#[test]
fn fixture_cases_compare_rule_ids_and_lines() {
    let out = run("authoring", &["test", "--run", "tests/"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "FAIL case policy/tests/mismatch (policy/tests/mismatch/expect.json)\n\
         \x20 expected: main.deny at line 7\n\
         \x20 actual:   main.deny at line 4\n\
         \x20   policy/tests/mismatch/input.json:4 main.deny: container `api` uses the latest tag\n\
         \x20 print: policy/main.rego:8: checking container api\n\
         \n1 passed, 1 failed\n"
    );
}

/// The snippets `init` prints: for each `...: save as PATH (...)` line, PATH and the
/// lines indented under it, without the indentation.
fn printed_snippets(stdout: &str) -> Vec<(String, String)> {
    let mut snippets: Vec<(String, String)> = Vec::new();
    for line in stdout.lines() {
        if let Some((_, rest)) = line.split_once(": save as ") {
            let path = rest.split_whitespace().next().expect("a path");
            snippets.push((path.to_string(), String::new()));
        } else if let (Some(body), Some((_, text))) = (line.strip_prefix("  "), snippets.last_mut())
        {
            text.push_str(body);
            text.push('\n');
        } else if !line.is_empty() {
            snippets.push((String::new(), String::new()));
        }
    }
    snippets.retain(|(path, text)| !path.is_empty() && !text.is_empty());
    snippets
}

#[test]
fn init_then_check_and_test_pass() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(
            "created goldenpath.toml\ncreated policy/main.rego\ncreated policy/main_test.rego\n"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("builtin = true"),
        "says the pack stays on"
    );
    let config = std::fs::read_to_string(dir.path().join("goldenpath.toml")).expect("config");
    assert!(config.contains("policies = [\"policy\"]"));
    assert!(config.contains("\nbuiltin = true\n"), "{config}");

    // Everything init wrote or printed passes the built-in pack (and the example policy).
    let snippets = printed_snippets(&out.stdout);
    let paths: Vec<&str> = snippets.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            ".pre-commit-config.yaml",
            ".github/workflows/goldenpath.yml"
        ],
        "{}",
        out.stdout
    );
    for (path, text) in &snippets {
        common::write(dir.path().join(path), text);
    }
    let workflow = &snippets[1].1;
    for pinned in [
        "@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
        "persist-credentials: false",
        "timeout-minutes:",
        "permissions:",
        "--rev ",
    ] {
        assert!(workflow.contains(pinned), "{pinned}: {workflow}");
    }
    assert!(
        !snippets[0].1.contains("types_or"),
        "the hook sees every file type"
    );
    let (code, report) = common::check_json(dir.path(), &[]);
    let findings = common::findings(&report);
    let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(rules.contains(&"GP-REPO-001"), "the pack ran: {rules:?}");
    let written: Vec<_> = findings.iter().filter(|f| f.file != ".").collect();
    assert!(
        written.is_empty(),
        "findings in what init wrote: {written:#?}"
    );
    assert_eq!(
        code, 0,
        "only warnings about the repository itself (no README)"
    );
    let out = run(dir.path(), &["test"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "4 passed, 0 failed\n");

    // The example policy fires on a workload with an unpinned image.
    common::write(
        dir.path().join("deploy.yaml"),
        "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx\n",
    );
    let (code, report) = common::check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let ours: Vec<_> = common::findings(&report)
        .into_iter()
        .filter(|f| f.rule == "main.deny_unpinned_image")
        .collect();
    assert_eq!(ours.len(), 1, "{report}");
    assert_eq!(ours[0].line, Some(7));

    // A second init refuses and names the file; --force overwrites.
    common::write(dir.path().join("policy/main.rego"), "package main\n");
    let out = run(dir.path(), &["init"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("goldenpath.toml` already exists"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--force"));
    let out = run(dir.path(), &["init", "--force"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let policy = std::fs::read_to_string(dir.path().join("policy/main.rego")).expect("policy");
    assert!(policy.contains("deny_unpinned_image"));
}

#[test]
fn policy_syntax_error_in_test_is_located() {
    let out = run("policy-errors", &["test", "-p", "syntax.rego"]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    insta::assert_snapshot!("test_syntax_error", out.stderr);
}

#[test]
fn unknown_function_is_named_for_check_and_test() {
    let out = run("policy-errors", &["test", "-p", "unknown_fn.rego"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no.such_function"), "{}", out.stderr);
    insta::assert_snapshot!("test_unknown_function", out.stderr);
    let check = run("policy-errors", &["check", "-p", "unknown_fn.rego", "."]);
    assert_eq!(check.code, 2);
    assert_eq!(check.stderr, out.stderr);
}

#[test]
fn runtime_error_is_a_finding_naming_rule_file_and_position() {
    let out = run(
        ".",
        &[
            "check",
            "-p",
            "policy-errors/runtime.rego",
            "broken/good.yaml",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    // regorus reports column 32 (a tab counts 4); the character column is 29.
    assert!(
        out.stdout.contains("policy-errors/runtime.rego:6:29"),
        "{}",
        out.stdout
    );
    insta::assert_snapshot!("check_runtime_error", out.stdout);

    let strict = run(
        ".",
        &[
            "check",
            "--strict",
            "-p",
            "policy-errors/runtime.rego",
            "broken/good.yaml",
        ],
    );
    assert_eq!(strict.code, 2);
    assert!(
        strict.stderr.contains("1 policy error with --strict"),
        "{}",
        strict.stderr
    );
}

#[test]
fn explain_and_trace_go_to_stderr_and_leave_reports_alone() {
    let args = [
        "check", "--format", "json", "-p", "policy", "-d", "data", "inputs",
    ];
    let plain = run("conftest", &args);
    let mut more = args.to_vec();
    more.extend(["--explain", "--trace"]);
    let explained = run("conftest", &more);
    assert_eq!(plain.stdout, explained.stdout);
    assert_eq!(plain.stderr, "");
    assert_eq!(
        explained.stderr,
        "inputs/deploy.yaml\n  applied: main\n  skipped: extra.checks (not selected by --namespace (default: main))\n\
         inputs/list.json\n  applied: main\n  skipped: extra.checks (not selected by --namespace (default: main))\n"
    );

    let traced = run(
        "authoring",
        &[
            "check",
            "--trace",
            "-v",
            "-n",
            "main",
            "policy/tests/pinned",
        ],
    );
    assert_eq!(traced.code, 1);
    assert_eq!(
        traced.stderr,
        "policy/tests/pinned/expect.json\n  applied: main\npolicy/tests/pinned/input.yaml\n  applied: main\n  print: policy/main.rego:8: checking container web\n"
    );
}

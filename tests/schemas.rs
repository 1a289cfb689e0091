//! JSON Schema policies and `goldenpath.toml`: the real binary over `fixtures/schemas`,
//! `fixtures/schema-errors` and, when the public schemas are present beside the project
//! (always in CI), `fixtures/conformance`.

mod common;

use common::{findings, goldenpath, Output};

/// Runs `goldenpath <args>` in `fixtures/<dir>`.
fn run(dir: &str, args: &[&str]) -> Output {
    goldenpath(dir).env("NO_COLOR", "1").args(args).run()
}

/// `check --format json` in `dir`: the exit status and the report.
fn check_json(dir: &str, args: &[&str]) -> (i32, serde_json::Value) {
    let out = run(dir, &[&["check", "--format", "json"], args].concat());
    (out.code, out.json())
}

/// `(rule, severity, file, line, message)` of every finding.
fn summary(report: &serde_json::Value) -> Vec<(String, String, String, u64, String)> {
    findings(report)
        .into_iter()
        .map(|f| (f.rule, f.severity, f.file, f.line.unwrap_or(0), f.message))
        .collect()
}

fn f(
    rule: &str,
    severity: &str,
    file: &str,
    line: u64,
    message: &str,
) -> (String, String, String, u64, String) {
    (
        rule.to_string(),
        severity.to_string(),
        file.to_string(),
        line,
        message.to_string(),
    )
}

#[test]
fn schema_findings_have_rule_message_and_line() {
    // No ./policy and no -p: schemas alone are enough to run.
    let (code, report) = check_json("schemas", &[]);
    assert_eq!(code, 1);
    let svc = "services/bad.yaml";
    assert_eq!(
        summary(&report),
        vec![
            // Draft 4: format, cross-file $ref, enum, boolean exclusiveMaximum.
            f(
                "legacy-config",
                "warning",
                "legacy/bad.json",
                2,
                "`host` is not a valid ipv4"
            ),
            f(
                "legacy-config",
                "warning",
                "legacy/bad.json",
                3,
                "`port` must be an integer, not a string"
            ),
            f(
                "legacy-config",
                "warning",
                "legacy/bad.json",
                4,
                "`mode` must be one of: active, passive"
            ),
            f(
                "legacy-config",
                "warning",
                "legacy/bad.json",
                5,
                "`timeout` must be less than 60"
            ),
            // Draft 7 over TOML, with a local $ref and a missing key in an array of tables.
            f(
                "pipeline",
                "error",
                "pipelines/bad.toml",
                1,
                "`name` must be at least 3 characters long"
            ),
            f(
                "pipeline",
                "error",
                "pipelines/bad.toml",
                2,
                "`notify` is not a valid email"
            ),
            f(
                "pipeline",
                "error",
                "pipelines/bad.toml",
                6,
                "`stages[0].timeout` must be less than 3600"
            ),
            f(
                "pipeline",
                "error",
                "pipelines/bad.toml",
                8,
                "`stages[1].run` is required"
            ),
            // Draft 2020-12 over multi-document YAML: the first document is valid, the
            // others are checked on their own; formats checked; cross-file $ref.
            f(
                "service",
                "error",
                svc,
                12,
                "`metadata.name` must match the pattern `^[a-z][a-z0-9-]*$`"
            ),
            f(
                "service",
                "error",
                svc,
                13,
                "`metadata.docs` is not a valid uri"
            ),
            f("service", "error", svc, 14, "`spec.lifecycle` is required"),
            f(
                "service",
                "error",
                svc,
                15,
                "`spec.owner` must match the pattern `^(user|group):[a-z0-9-]+$`"
            ),
            f(
                "service",
                "error",
                svc,
                16,
                "`spec.oncall` is not a valid email"
            ),
            f(
                "service",
                "error",
                svc,
                17,
                "`spec.replicas` must be at least 1"
            ),
            f(
                "service",
                "error",
                svc,
                18,
                "`spec.since` is not a valid date"
            ),
            f("service", "error", svc, 19, "unknown key `spec.tier`"),
            f("service", "error", svc, 21, "`apiVersion` is required"),
            f("service", "error", svc, 21, "`metadata` is required"),
            f("service", "error", svc, 21, "`kind` must be `Service`"),
            f(
                "service",
                "error",
                svc,
                24,
                "`spec.lifecycle` must be one of: production, experimental, deprecated"
            ),
        ]
    );
    assert_eq!(
        report["summary"]["unmatched_schemas"],
        serde_json::json!(["unused"])
    );
}

#[test]
fn a_missing_key_points_at_the_object_that_lacks_it() {
    let (_, report) = check_json("schemas", &["services/bad.yaml"]);
    let lifecycle = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["message"] == "`spec.lifecycle` is required")
        .expect("the finding");
    // `spec:` on line 14, column 1.
    assert_eq!(
        (lifecycle["line"].as_u64(), lifecycle["column"].as_u64()),
        (Some(14), Some(1))
    );
}

#[test]
fn unmatched_mappings_are_a_warning_in_the_human_summary() {
    let out = run("schemas", &["check", "legacy/good.json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("warning: schema mapping `unused` matched no files"),
        "{}",
        out.stdout
    );
}

#[test]
fn rule_overrides_change_severity_or_drop_findings() {
    let (code, report) = check_json("schemas", &["--config", "overrides.toml"]);
    // fail-on = "warning" in the file makes the (now warning) service findings fail.
    assert_eq!(code, 1);
    let all = summary(&report);
    assert!(
        all.iter().all(|f| f.0 == "service" && f.1 == "warning"),
        "{all:?}"
    );
    assert_eq!(all.len(), 12);
    // The command line wins over the file.
    let (code, _) = check_json(
        "schemas",
        &["--config", "overrides.toml", "--fail-on", "error"],
    );
    assert_eq!(code, 0);
}

fn stderr_of(dir: &str) -> String {
    let out = run(dir, &["check"]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    out.stderr
}

#[test]
fn config_mistakes_are_located() {
    insta::assert_snapshot!(stderr_of("schema-errors/bad-config"));
}

#[test]
fn a_schema_that_is_not_json_stops_the_run() {
    insta::assert_snapshot!(stderr_of("schema-errors/not-json"));
}

#[test]
fn a_schema_that_is_not_a_schema_stops_the_run() {
    insta::assert_snapshot!(stderr_of("schema-errors/not-a-schema"));
}

#[test]
fn a_remote_ref_is_never_fetched() {
    insta::assert_snapshot!(stderr_of("schema-errors/remote-ref"));
}

#[test]
fn conformance_with_public_schemas() {
    if common::reference_schema("pre-commit-config.json").is_none() {
        return;
    }
    assert!(common::reference_schema("pre-commit-hooks.json").is_some());
    // The configuration names schemas outside the repository, which only a configuration
    // outside the checked directories may do: check `bad` and `good`, not `.`.
    let (code, report) = check_json(
        "conformance",
        &["--config", "goldenpath.toml", "bad", "good"],
    );
    assert_eq!(code, 1);
    let all = summary(&report);
    // Every valid file passes.
    assert!(all.iter().all(|f| f.2.starts_with("bad/")), "{all:?}");
    let summary: Vec<(String, String, u64, String)> = all
        .into_iter()
        .map(|(rule, _, file, line, message)| (rule, file, line, message))
        .collect();
    insta::assert_debug_snapshot!(summary);
}

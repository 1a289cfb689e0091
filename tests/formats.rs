//! Every config format end to end: `goldenpath parse` prints the document a conftest
//! policy expects (snapshots under `tests/snapshots/`), `goldenpath check` findings land on
//! the right line and column, and malformed files become `parse-error` findings at the
//! position of the error.

mod common;

use common::{findings, Output};

/// `goldenpath <args>` in `fixtures/formats`.
fn goldenpath(args: &[&str]) -> Output {
    common::run("formats", args)
}

fn parsed(file: &str) -> String {
    let out = goldenpath(&["parse", file]);
    assert_eq!(out.code, 0, "{file}: {}", out.stderr);
    out.stdout
}

#[test]
fn parse_dockerfile() {
    insta::assert_snapshot!("parse_dockerfile", parsed("Dockerfile"));
}

#[test]
fn parse_hcl2() {
    insta::assert_snapshot!("parse_hcl2", parsed("main.tf"));
}

#[test]
fn parse_ini() {
    insta::assert_snapshot!("parse_ini", parsed("settings.ini"));
}

#[test]
fn parse_dotenv() {
    insta::assert_snapshot!("parse_dotenv", parsed("app.env"));
}

#[test]
fn parse_properties() {
    insta::assert_snapshot!("parse_properties", parsed("app.properties"));
}

#[test]
fn parse_xml() {
    insta::assert_snapshot!("parse_xml", parsed("pom.xml"));
}

#[test]
fn parse_ignore() {
    insta::assert_snapshot!("parse_gitignore", parsed(".gitignore"));
    insta::assert_snapshot!("parse_dockerignore", parsed(".dockerignore"));
}

#[test]
fn parse_jsonc() {
    insta::assert_snapshot!("parse_tsconfig", parsed("tsconfig.json"));
    insta::assert_snapshot!("parse_vscode_settings", parsed(".vscode/settings.json"));
}

#[test]
fn parser_flag_reads_any_name() {
    let out = goldenpath(&["parse", "--parser", "ini", "settings.ini"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, parsed("settings.ini"));
    // JSONC by flag accepts what strict JSON refuses.
    let out = goldenpath(&["parse", "--parser", "json", "tsconfig.json"]);
    assert_eq!(out.code, 1);
}

/// `(rule, line, column, end_line, end_column)` of a finding.
type Located = (String, u64, u64, u64, u64);

/// Each finding of checking `file` with `policy/<policy>.rego`, and the number of
/// documents evaluated.
fn check(policy: &str, file: &str) -> (Vec<Located>, u64) {
    let policy = format!("policy/{policy}.rego");
    let out = goldenpath(&[
        "check",
        "--no-fail",
        "--format",
        "json",
        "-p",
        &policy,
        file,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.json();
    let findings = findings(&report)
        .into_iter()
        .map(|f| {
            let n = |v: Option<u64>| v.unwrap_or(0);
            (
                f.rule,
                n(f.line),
                n(f.column),
                n(f.end_line),
                n(f.end_column),
            )
        })
        .collect();
    let documents = report["summary"]["documents"].as_u64().unwrap_or(0);
    (findings, documents)
}

fn at(
    rule: &str,
    line: u64,
    col: u64,
    end_line: u64,
    end_col: u64,
) -> (String, u64, u64, u64, u64) {
    (rule.to_string(), line, col, end_line, end_col)
}

#[test]
fn dockerfile_findings_point_at_instructions() {
    let (findings, documents) = check("dockerfile", "Dockerfile");
    assert_eq!(documents, 1, "the instruction list is one input");
    assert_eq!(
        findings,
        vec![
            at("main.warn", 6, 1, 6, 10),    // RUN <<EOF
            at("main.warn", 10, 1, 10, 25),  // ONBUILD RUN echo rebuilt
            at("main.deny", 12, 6, 12, 18),  // nginx:latest
            at("main.warn", 13, 6, 13, 18),  // --from=build
            at("main.deny", 15, 11, 15, 14), // 443 in the second stage
            at("main.deny", 16, 1, 16, 10),  // USER root
        ]
    );
}

#[test]
fn hcl2_findings() {
    let (findings, documents) = check("terraform", "main.tf");
    assert_eq!(documents, 1);
    assert_eq!(
        findings,
        vec![
            at("main.deny", 7, 12, 7, 25),
            at("main.warn", 15, 12, 15, 27),
            at("main.warn", 20, 23, 20, 27),
        ]
    );
}

#[test]
fn ini_findings() {
    let (findings, _) = check("ini", "settings.ini");
    assert_eq!(
        findings,
        vec![
            at("main.deny", 7, 9, 7, 13),
            at("main.warn", 12, 10, 12, 11)
        ]
    );
}

#[test]
fn dotenv_findings() {
    let (findings, _) = check("dotenv", "app.env");
    assert_eq!(
        findings,
        vec![at("main.deny", 3, 7, 3, 11), at("main.warn", 7, 7, 7, 13)]
    );
}

#[test]
fn properties_findings() {
    let (findings, _) = check("properties", "app.properties");
    assert_eq!(
        findings,
        vec![at("main.deny", 2, 13, 2, 17), at("main.warn", 5, 19, 6, 16)]
    );
}

#[test]
fn xml_findings() {
    let (findings, _) = check("xml", "pom.xml");
    assert_eq!(
        findings,
        vec![
            at("main.warn", 6, 23, 6, 29),
            at("main.deny", 12, 16, 12, 22)
        ]
    );
}

#[test]
fn ignore_findings() {
    let (findings, documents) = check("ignore", ".gitignore");
    assert_eq!(documents, 1, "the pattern list is one input");
    assert_eq!(findings, vec![at("main.warn", 3, 1, 3, 18)]);
    let (findings, _) = check("ignore", ".dockerignore");
    assert_eq!(
        findings,
        vec![at("main.deny", 1, 1, 1, 13), at("main.warn", 3, 1, 3, 14)]
    );
}

#[test]
fn jsonc_findings() {
    let (findings, _) = check("jsonc", "tsconfig.json");
    assert_eq!(findings, vec![at("main.deny", 4, 15, 4, 20)]);
    let (findings, _) = check("jsonc", ".vscode/settings.json");
    assert_eq!(findings, vec![at("main.warn", 2, 26, 2, 30)]);
}

#[test]
fn malformed_files_are_parse_errors_at_the_error() {
    let out = goldenpath(&[
        "check",
        "--format",
        "json",
        "-p",
        "policy/ini.rego",
        "broken",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let found: Vec<(String, String, u64)> = findings(&out.json())
        .into_iter()
        .map(|f| (f.rule, f.file, f.line.unwrap_or(0)))
        .collect();
    let p = |file: &str, line: u64| ("parse-error".to_string(), file.to_string(), line);
    assert_eq!(
        found,
        vec![
            p("broken/Dockerfile", 2),
            p("broken/bad.env", 2),
            p("broken/bad.ini", 3),
            p("broken/bad.properties", 2),
            p("broken/bad.tf", 2),
            p("broken/bad.xml", 2),
            p("broken/tsconfig.json", 2),
        ]
    );
}

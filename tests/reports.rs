//! Integration tests of the CI report formats: the real binary over `fixtures/reports/`,
//! which has findings of every severity, a file-level finding (a file over
//! `--max-file-size`), a non-UTF-8 file, non-ASCII text and paths with spaces.

mod common;

use common::{fixtures, goldenpath, run, Output};
use quick_xml::events::Event;

const FORMATS: [&str; 8] = [
    "sarif",
    "github",
    "junit",
    "gitlab",
    "markdown",
    "tap",
    "table",
    "azuredevops",
];

/// `goldenpath check --max-file-size 1024 --format FORMAT ARGS...` over the fixture.
fn check(format: &str, args: &[&str]) -> Output {
    goldenpath("reports")
        .args(["check", "--max-file-size", "1024", "--format", format])
        .args(args)
        .run()
}

#[test]
fn every_format_is_snapshotted() {
    for format in FORMATS {
        let out = check(format, &[]);
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert!(out.stderr.is_empty(), "{format}: {}", out.stderr);
        insta::assert_snapshot!(format!("reports_{format}"), out.stdout);
    }
}

#[test]
fn same_bytes_with_one_thread_or_many() {
    for format in FORMATS {
        let one = check(format, &["-j1"]);
        let many = check(format, &["-j4"]);
        assert_eq!(one.stdout, many.stdout, "{format}");
    }
}

/// The OASIS SARIF 2.1.0 schema, from `../shared/reference/schemas`.
fn sarif_schema() -> Option<serde_json::Value> {
    let path = common::reference_schema("sarif-schema-2.1.0.json")?;
    let text = std::fs::read_to_string(&path).expect("read the SARIF schema");
    Some(serde_json::from_str(&text).expect("the SARIF schema is JSON"))
}

fn assert_valid_sarif(log: &serde_json::Value) {
    let Some(schema) = sarif_schema() else {
        return;
    };
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_is_valid_and_has_what_code_scanning_needs() {
    let out = check("sarif", &["--sarif-category", "policies/config"]);
    let log = out.json();
    assert_valid_sarif(&log);
    // The validation has teeth: a level SARIF does not know is rejected.
    if let Some(schema) = sarif_schema() {
        let mut broken = log.clone();
        broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
        let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
        assert!(!validator.is_valid(&broken));
    }
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["automationDetails"]["id"], "policies/config/");
    assert_eq!(run["invocations"][0]["exitCode"], 1);
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(
        ids,
        ["main.deny", "main.warn", "parse-error", "policy-error"],
        "every rule that could produce a result"
    );
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 6);
    let mut uris = Vec::new();
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex");
        assert_eq!(rules[index as usize]["id"], result["ruleId"]);
        let locations = result["locations"].as_array().expect("locations");
        assert_eq!(locations.len(), 1);
        let physical = &locations[0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(physical["region"]["startLine"].as_u64().unwrap_or(0) >= 1);
        uris.push(
            physical["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
                .to_string(),
        );
        assert!(result["partialFingerprints"]["goldenpath/v1"].is_string());
    }
    assert_eq!(
        uris,
        [
            "big/huge.json",
            "broken/latin1.yaml",
            "config/caf%C3%A9.toml",
            "deploy/web%20app.yaml",
            "deploy/web%20app.yaml",
            "deploy/web%20app.yaml",
        ]
    );
    // The file over the size limit has no position but still a location.
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 1})
    );
    // Columns count characters: `"Zoë Müller"` starts at column 9 and is 12 long.
    assert_eq!(
        results[2]["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 2, "startColumn": 9, "endLine": 2, "endColumn": 21})
    );
    let levels: Vec<&str> = results.iter().filter_map(|r| r["level"].as_str()).collect();
    assert_eq!(
        levels,
        ["error", "error", "note", "error", "warning", "error"]
    );
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("parse errors are notifications");
    assert_eq!(notifications.len(), 2);
    assert!(notifications
        .iter()
        .all(|n| n["associatedRule"]["id"] == "parse-error"));
}

#[test]
fn sarif_fingerprints_survive_moved_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = fixtures().join("reports/policy");
    let file = dir.path().join("web.yaml");
    let original =
        std::fs::read_to_string(fixtures().join("reports/deploy/web app.yaml")).expect("fixture");
    let prints = |text: &str| -> Vec<(String, String)> {
        common::write(&file, text);
        let out = run(
            dir.path(),
            &[
                "check",
                "-p",
                policy.to_str().expect("utf-8"),
                "--format",
                "sarif",
                ".",
            ],
        );
        let log = out.json();
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                (
                    r["message"]["text"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    r["partialFingerprints"]["goldenpath/v1"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect()
    };
    let before = prints(&original);
    let shifted = prints(&format!("# a comment\n# another\n{original}"));
    assert_eq!(before.len(), 3);
    assert_eq!(before, shifted, "moving lines keeps every fingerprint");
    let edited = prints(&original.replace("nginx:latest", "registry.test/nginx:latest"));
    let changed: Vec<bool> = before
        .iter()
        .zip(&edited)
        .map(|(a, b)| a.1 != b.1)
        .collect();
    assert_eq!(
        changed,
        [false, false, true],
        "only the finding on the edited line changes"
    );
}

#[test]
fn repository_level_findings_still_have_a_location() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("combine.rego");
    common::write(
        &policy,
        "package main\nimport rego.v1\ndeny contains \"the repository has no CODEOWNERS\" if count(input) > 0\n",
    );
    let out = run(
        "reports",
        &[
            "check",
            "--combine",
            "-p",
            policy.to_str().expect("utf-8"),
            "--format",
            "sarif",
            "deploy",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let log = out.json();
    assert_valid_sarif(&log);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(
        result["message"]["text"],
        "the repository has no CODEOWNERS"
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"],
        serde_json::json!({
            "artifactLocation": {"uri": "deploy", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 1}
        })
    );
}

/// Every element name with its attributes, in document order.
fn xml_elements(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut elements = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let attributes = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("well-formed attribute");
                        let value = a
                            .decoded_and_normalized_value(
                                quick_xml::XmlVersion::Explicit1_0,
                                reader.decoder(),
                            )
                            .expect("attribute value")
                            .into_owned();
                        (String::from_utf8_lossy(a.key.as_ref()).into_owned(), value)
                    })
                    .collect();
                elements.push((name, attributes));
            }
            Ok(Event::Text(t)) => {
                t.decode().expect("text");
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("invalid XML at {}: {e}\n{xml}", reader.buffer_position()),
        }
    }
    elements
}

fn attr<'a>(attributes: &'a [(String, String)], key: &str) -> &'a str {
    attributes
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

#[test]
fn junit_parses_back_with_consistent_counts() {
    let out = check("junit", &[]);
    let elements = xml_elements(&out.stdout);
    let count = |name: &str| elements.iter().filter(|(n, _)| n == name).count();
    let root = &elements[0];
    assert_eq!(root.0, "testsuites");
    assert_eq!(attr(&root.1, "tests"), count("testcase").to_string());
    assert_eq!(attr(&root.1, "failures"), count("failure").to_string());
    assert_eq!(attr(&root.1, "errors"), count("error").to_string());
    // One suite per checked file; the clean file passes.
    let suites: Vec<&str> = elements
        .iter()
        .filter(|(n, _)| n == "testsuite")
        .map(|(_, a)| attr(a, "name"))
        .collect();
    assert_eq!(
        suites,
        [
            "big/huge.json",
            "broken/latin1.yaml",
            "clean.yaml",
            "config/café.toml",
            "deploy/web app.yaml"
        ]
    );
    assert_eq!(
        (count("testcase"), count("failure"), count("error")),
        (7, 2, 2)
    );
    // The escaped message comes back intact.
    let messages: Vec<&str> = elements
        .iter()
        .filter(|(n, _)| n == "failure")
        .map(|(_, a)| attr(a, "message"))
        .collect();
    assert!(
        messages.contains(&"replicas: 100% of 3, <all> & \"every\" zone\nsee the runbook"),
        "{messages:?}"
    );
    // With --fail-on warning the warning becomes a failure too.
    let strict = xml_elements(&check("junit", &["--fail-on", "warning"]).stdout);
    assert_eq!(strict.iter().filter(|(n, _)| n == "failure").count(), 3);
}

#[test]
fn gitlab_issues_have_the_required_fields() {
    let issues = check("gitlab", &[]).json();
    let issues = issues.as_array().expect("array");
    assert_eq!(issues.len(), 6);
    let severities: Vec<&str> = issues
        .iter()
        .filter_map(|i| i["severity"].as_str())
        .collect();
    assert_eq!(
        severities,
        ["major", "major", "info", "major", "minor", "major"]
    );
    let unique: std::collections::BTreeSet<&str> = issues
        .iter()
        .filter_map(|i| i["fingerprint"].as_str())
        .collect();
    assert_eq!(unique.len(), issues.len());
    assert_eq!(issues[3]["location"]["path"], "deploy/web app.yaml");
    assert_eq!(issues[3]["location"]["lines"]["begin"], 8);
}

#[test]
fn markdown_links_to_the_commit_on_github() {
    let out = goldenpath("reports")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "acme/platform")
        .env("GITHUB_SHA", "0123abcd")
        .args(["check", "--max-file-size", "1024", "--format", "markdown"])
        .run();
    assert!(
        out.stdout.contains(
            "[deploy/web app.yaml:13](https://github.com/acme/platform/blob/0123abcd/deploy/web%20app.yaml#L13)"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn extra_reports_are_written_in_the_same_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |name: &str| dir.path().join(name).to_str().expect("utf-8").to_string();
    let targets: Vec<String> = FORMATS
        .iter()
        .map(|f| format!("{f}={}", path(&format!("report.{f}"))))
        .collect();
    let mut args = vec!["check", "--max-file-size", "1024"];
    for target in &targets {
        args.push("--report");
        args.push(target);
    }
    let out = run("reports", &args);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("5 files checked"),
        "human output on stdout"
    );
    for format in FORMATS {
        let written = std::fs::read_to_string(path(&format!("report.{format}")))
            .unwrap_or_else(|e| panic!("{format} report written: {e}"));
        assert_eq!(written, check(format, &[]).stdout, "{format}");
    }
    let bad = run("reports", &["check", "--report", "pdf=x.pdf"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("unknown format `pdf`"),
        "{}",
        bad.stderr
    );
    let unwritable = run(
        "reports",
        &["check", "--report", "sarif=/nonexistent-dir/x.sarif"],
    );
    assert_eq!(unwritable.code, 2);
    assert!(
        unwritable.stderr.contains("cannot write the sarif report"),
        "{}",
        unwritable.stderr
    );
}

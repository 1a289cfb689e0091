//! The corpus: small repositories shaped like real ones (skaffold microservices with
//! per-job workflow permissions, kustomize bases and overlays with patches, multi-stage
//! Dockerfiles building on each other, Tilt and ko placeholders, Gradle and Maven
//! wrappers, JSON manifests, documentation samples with placeholder keys, test data and
//! generated files), written for goldenpath, in `fixtures/corpus/<name>/`.
//!
//! `fixtures/corpus/<name>.json` lists every finding the built-in pack reports there
//! (rule, severity, file relative to the repository, line, column, and `test_data` for
//! findings in test data, examples or documentation) and the scorecard level. Any new or
//! missing finding fails: the corpus keeps the pack's precision from regressing, and each
//! finding listed was checked by hand to be true.

mod common;

use std::path::PathBuf;

use common::{fixtures, run};
use serde_json::{json, Value};

fn repositories() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures().join("corpus"))
        .expect("fixtures/corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The findings and level of one repository, in the shape of its expectation file.
fn observed(name: &str) -> Value {
    let out = run(
        fixtures().join("corpus"),
        &["check", "--no-fail", "--format", "json", name],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).expect("json report");
    let findings: Vec<Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let mut e = serde_json::Map::new();
            e.insert("rule".into(), f["rule"].clone());
            e.insert("severity".into(), f["severity"].clone());
            let file = f["file"].as_str().unwrap_or_default();
            let file = file
                .strip_prefix(name)
                .unwrap_or(file)
                .trim_start_matches('/');
            if !file.is_empty() {
                e.insert("file".into(), json!(file));
            }
            e.insert("line".into(), f["line"].clone());
            if !f["column"].is_null() {
                e.insert("column".into(), f["column"].clone());
            }
            if f["metadata"]["test_data"] == json!(true) {
                e.insert("test_data".into(), json!(true));
            }
            Value::Object(e)
        })
        .collect();
    json!({"level": report["scorecards"][0]["level"], "findings": findings})
}

#[test]
fn every_corpus_repository_reports_exactly_its_expected_findings() {
    let repositories = repositories();
    assert!(repositories.len() >= 3, "the corpus is there");
    for dir in repositories {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expected_file = fixtures().join("corpus").join(format!("{name}.json"));
        let text = std::fs::read_to_string(&expected_file)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_file.display()));
        let expected: Value = serde_json::from_str(&text).expect("expectation json");
        let got = observed(&name);
        let lines = |v: &Value| -> Vec<String> {
            v["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| f.to_string())
                .collect()
        };
        let (want, have) = (lines(&expected), lines(&got));
        let missing: Vec<&String> = want.iter().filter(|w| !have.contains(w)).collect();
        let new: Vec<&String> = have.iter().filter(|h| !want.contains(h)).collect();
        assert!(
            missing.is_empty() && new.is_empty(),
            "{name}: missing findings {missing:#?}\nnew findings {new:#?}"
        );
        assert_eq!(got["level"], expected["level"], "{name}: scorecard level");
    }
}

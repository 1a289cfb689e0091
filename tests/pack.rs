//! The built-in pack: every rule has complete metadata, documentation, a passing and a
//! failing fixture, and reports exactly the expected findings (file and line) on them.
//!
//! Fixtures live in `fixtures/pack/<ID>/{pass,fail}/` with the expected findings of the
//! failing one in `fixtures/pack/<ID>/expect.json`:
//! `{"findings": [{"file": "Dockerfile", "line": 3}, {"file": null, "line": null}]}`.
//! A fixture too large to commit is described by `fixtures/pack/<ID>/generate.json`
//! (`{"files": [{"path": "data/blob.bin", "size": 6000000}]}`) and created in a copy of
//! `fail/` at test time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn goldenpath(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("goldenpath")
        .expect("binary")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn pack_rules() -> Vec<Value> {
    let (code, stdout, stderr) = goldenpath(&root(), &["rules", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str::<Vec<Value>>(&stdout).expect("rules json")
}

fn rego_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("policies dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rego_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rego") {
            out.push(path);
        }
    }
}

fn text(rule: &Value, key: &str) -> String {
    rule[key].as_str().unwrap_or_default().trim().to_string()
}

#[test]
fn every_rule_is_complete() {
    let rules = pack_rules();
    let mut files = Vec::new();
    rego_files(&root().join("policies"), &mut files);
    assert_eq!(
        rules.len(),
        files.len(),
        "one rule per .rego file in policies/"
    );
    let mut problems = Vec::new();
    let areas = ["REPO", "GHA", "DOCKER", "K8S", "TF", "CAT", "DEP"];
    for rule in &rules {
        let id = text(rule, "id");
        let parts: Vec<&str> = id.split('-').collect();
        let well_formed = parts.len() == 3
            && parts[0] == "GP"
            && areas.contains(&parts[1])
            && parts[2].len() == 3
            && parts[2].bytes().all(|b| b.is_ascii_digit());
        if !well_formed {
            problems.push(format!("{id}: id is not GP-<AREA>-<NNN>"));
        }
        for key in [
            "title",
            "description",
            "rationale",
            "help",
            "level",
            "severity",
        ] {
            if text(rule, key).is_empty() {
                problems.push(format!("{id}: no {key}"));
            }
        }
        let fixtures = root().join("fixtures/pack").join(&id);
        for part in ["pass", "fail", "expect.json"] {
            if !fixtures.join(part).exists() {
                problems.push(format!("{id}: missing fixtures/pack/{id}/{part}"));
            }
        }
        let (code, doc, _) = goldenpath(&root(), &["explain", &id]);
        if code != 0 || !doc.contains("How to fix:") || !doc.contains("Why:") {
            problems.push(format!(
                "{id}: `goldenpath explain` gives no full documentation"
            ));
        }
    }
    for file in &files {
        let source = std::fs::read_to_string(file).expect("read policy");
        let scoped = source.contains("#   files:")
            || source.contains("#   formats:")
            || source.contains("#   scope: repository");
        if !scoped {
            problems.push(format!(
                "{}: METADATA names no files, formats or repository scope",
                file.display()
            ));
        }
    }
    let mut ids: Vec<String> = rules.iter().map(|r| text(r, "id")).collect();
    ids.sort();
    let before = ids.len();
    ids.dedup();
    if ids.len() != before {
        problems.push("duplicate rule ids".to_string());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn rules_list_and_markdown_docs_cover_every_rule() {
    let rules = pack_rules();
    let (code, markdown, _) = goldenpath(&root(), &["rules", "--format", "markdown"]);
    assert_eq!(code, 0);
    let (code, table, _) = goldenpath(&root(), &["rules"]);
    assert_eq!(code, 0);
    for rule in &rules {
        let id = text(rule, "id");
        assert!(markdown.contains(&format!("## {id}")), "{id} documented");
        assert!(table.contains(&id), "{id} listed");
    }
    assert!(table.contains(&format!("{} rules", rules.len())));
    let (code, _, stderr) = goldenpath(&root(), &["explain", "GP-NOPE-999"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no rule `GP-NOPE-999`"), "{stderr}");
}

/// Copies `fail/` to a temporary directory and adds the generated files, when the rule
/// has a `generate.json`.
fn prepared(fixtures: &Path, part: &str, temp: &Path) -> PathBuf {
    let source = fixtures.join(part);
    let generate = fixtures.join("generate.json");
    if part != "fail" || !generate.exists() {
        return source;
    }
    let target = temp.join(fixtures.file_name().expect("id"));
    copy_dir(&source, &target);
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(&generate).expect("read"))
        .expect("generate.json");
    for file in spec["files"].as_array().expect("files") {
        let path = target.join(file["path"].as_str().expect("path"));
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let size = file["size"].as_u64().expect("size");
        let handle = std::fs::File::create(&path).expect("create");
        handle.set_len(size).expect("size");
    }
    target
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).expect("copy");
        }
    }
}

/// `(file relative to the fixture or None, line or None)` of every finding of `id` whose
/// file is inside `dir` (as reported).
fn findings_in(report: &Value, id: &str, dir: &str) -> Vec<(Option<String>, Option<u64>)> {
    let mut found: Vec<(Option<String>, Option<u64>)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == id)
        .filter_map(|f| {
            let file = f["file"].as_str()?;
            let relative = if file == dir {
                None
            } else {
                Some(file.strip_prefix(&format!("{dir}/"))?.to_string())
            };
            Some((relative, f["line"].as_u64()))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn every_rule_passes_and_fails_its_fixtures_at_the_expected_lines() {
    let rules = pack_rules();
    let temp = tempfile::tempdir().expect("tempdir");
    let mut dirs: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut args: Vec<String> = vec![
        "check".into(),
        "--builtin".into(),
        "--no-fail".into(),
        "--format".into(),
        "json".into(),
    ];
    for rule in &rules {
        let id = text(rule, "id");
        let fixtures = root().join("fixtures/pack").join(&id);
        let fail = prepared(&fixtures, "fail", temp.path());
        let pass = prepared(&fixtures, "pass", temp.path());
        let fail = fail.to_string_lossy().into_owned();
        let pass = pass.to_string_lossy().into_owned();
        args.push(fail.clone());
        args.push(pass.clone());
        dirs.insert(id, (fail, pass));
    }
    if rules.is_empty() {
        return;
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = goldenpath(&root(), &refs);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("json report");
    let mut problems = Vec::new();
    for (id, (fail, pass)) in &dirs {
        let expect_path = root().join("fixtures/pack").join(id).join("expect.json");
        let Ok(expect_text) = std::fs::read_to_string(&expect_path) else {
            problems.push(format!("{id}: no expect.json"));
            continue;
        };
        let expect: Value = serde_json::from_str(&expect_text).expect("expect.json is JSON");
        let mut expected: Vec<(Option<String>, Option<u64>)> = expect["findings"]
            .as_array()
            .expect("findings array")
            .iter()
            .map(|f| (f["file"].as_str().map(str::to_string), f["line"].as_u64()))
            .collect();
        expected.sort();
        if expected.is_empty() {
            problems.push(format!(
                "{id}: expect.json lists no finding, so the fail fixture cannot fail"
            ));
        }
        let actual = findings_in(&report, id, fail);
        if actual != expected {
            problems.push(format!(
                "{id}: fail fixture\n  expected {expected:?}\n  actual   {actual:?}"
            ));
        }
        let passing = findings_in(&report, id, pass);
        if !passing.is_empty() {
            problems.push(format!("{id}: pass fixture has findings {passing:?}"));
        }
    }
    for finding in report["findings"].as_array().expect("findings") {
        if finding["rule"] == "policy-error" {
            problems.push(format!("policy error: {}", finding["message"]));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn scorecards_of_three_repositories() {
    let (code, stdout, stderr) = goldenpath(
        &root().join("fixtures"),
        &[
            "check",
            "scorecard/none",
            "scorecard/bronze",
            "scorecard/gold",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let summary_at = stdout
        .find("17 files checked")
        .unwrap_or_else(|| panic!("summary line: {stdout}"));
    insta::assert_snapshot!("scorecards_human", &stdout[summary_at..]);
    let (_, json, _) = goldenpath(
        &root().join("fixtures"),
        &[
            "check",
            "--format",
            "json",
            "scorecard/none",
            "scorecard/bronze",
            "scorecard/gold",
        ],
    );
    let report: Value = serde_json::from_str(&json).expect("json");
    let levels: Vec<&str> = report["scorecards"]
        .as_array()
        .expect("scorecards")
        .iter()
        .filter_map(|c| c["level"].as_str())
        .collect();
    assert_eq!(levels, vec!["none", "bronze", "gold"]);
    let (_, markdown, _) = goldenpath(
        &root().join("fixtures"),
        &["check", "--format", "markdown", "scorecard/gold"],
    );
    assert!(
        markdown.contains("| scorecard/gold | **gold** | 15/15 | 17/17 | 10/10 |"),
        "{markdown}"
    );
}

#[test]
fn the_pack_is_on_by_default_and_follows_the_flags() {
    let fixtures = root().join("fixtures");
    let count = |args: &[&str]| -> usize {
        let (_, stdout, stderr) = goldenpath(&fixtures, args);
        let report: Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("GP-")))
            .count()
    };
    assert!(
        count(&["check", "--format", "json", "scorecard/none"]) > 0,
        "no policies: pack on"
    );
    assert_eq!(
        count(&[
            "check",
            "--format",
            "json",
            "--no-builtin",
            "-p",
            "conftest/policy",
            "scorecard/none"
        ]),
        0
    );
    assert_eq!(
        count(&[
            "check",
            "--format",
            "json",
            "-p",
            "conftest/policy",
            "scorecard/none"
        ]),
        0,
        "own policies: pack off"
    );
    assert!(
        count(&[
            "check",
            "--format",
            "json",
            "--builtin",
            "-p",
            "conftest/policy",
            "scorecard/none"
        ]) > 0
    );
    // Namespace selection never drops the pack.
    assert!(
        count(&[
            "check",
            "--format",
            "json",
            "--builtin",
            "-n",
            "nothing",
            "-p",
            "conftest/policy",
            "scorecard/none"
        ]) > 0
    );
}

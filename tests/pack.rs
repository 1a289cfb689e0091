//! The built-in pack: every rule is complete (metadata, documentation, a passing and a
//! failing fixture), reports exactly the findings its `expect.json` lists on its failing
//! fixture and none on its passing one, and has a snapshot of those findings.
//!
//! What the rules are comes from `goldenpath rules --format json`. A rule's `source`,
//! `policies/<area>/<slug>.rego`, names its fixtures, `fixtures/pack/<ID>-<slug>/`:
//! - `pass/` and `fail/`, small repositories;
//! - `expect.json`, every finding of the rule on `fail/`, in the schema of
//!   `goldenpath test` cases ([`Expectation`]): `{"findings": [{"rule": "GP-DOCKER-001",
//!   "file": "Dockerfile", "line": 3}, {"rule": "GP-REPO-001", "line": null}]}`, where
//!   `file` is relative to `fail/` (absent for a finding about the repository) and a
//!   `column`, when given, is compared too;
//! - `generate.json`, for a fixture too large to commit
//!   (`{"files": [{"path": "data/blob.bin", "size": 6000000}]}`): the files are created
//!   in a copy of `fail/` under the target directory at test time.
//!
//! Every rule's findings on `fail/` are also pinned, with column, severity and message,
//! by the snapshot `tests/snapshots/pack/<ID>-<slug>.snap`; a rule without one fails.
//! All fixtures are checked in one run of the binary.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{findings, fixtures, redact, root, run, Finding};
use goldenpath::verify::cases::{Expectation, ExpectedFinding};
use serde::Deserialize;
use serde_json::Value;

/// A rule of the pack, as `goldenpath rules --format json` describes it.
#[derive(Debug, Deserialize)]
struct Rule {
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    rationale: String,
    #[serde(default)]
    help: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    formats: Vec<String>,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    source: String,
}

impl Rule {
    /// `<ID>-<slug>`: the name of its fixture directory and of its snapshot.
    fn name(&self) -> String {
        let slug = Path::new(&self.source)
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        format!("{}-{slug}", self.id)
    }

    /// `fixtures/pack/<ID>-<slug>`.
    fn fixture(&self) -> PathBuf {
        fixtures().join("pack").join(self.name())
    }
}

fn pack_rules() -> Vec<Rule> {
    let out = run(root(), &["rules", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("rules json")
}

/// Every `.rego` file under `dir`, relative to the repository root.
fn rego_files(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("policies dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rego_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rego") {
            let relative = path.strip_prefix(root()).expect("inside the repository");
            out.insert(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_rule_is_complete() {
    let rules = pack_rules();
    let mut files = BTreeSet::new();
    rego_files(&root().join("policies"), &mut files);
    // `policies/lib/` holds helpers the rules of an area share: packages without rules.
    files.retain(|f| !f.starts_with("policies/lib/"));
    assert_eq!(
        rules.len(),
        files.len(),
        "one rule per .rego file in policies/ (outside policies/lib/)"
    );
    let sources: BTreeSet<String> = rules.iter().map(|r| r.source.clone()).collect();
    assert_eq!(sources, files, "each rule's source is its own .rego file");
    let mut problems = Vec::new();
    let areas = ["REPO", "GHA", "DOCKER", "K8S", "TF", "CAT", "DEP"];
    for rule in &rules {
        let id = rule.id.as_str();
        let parts: Vec<&str> = id.split('-').collect();
        let well_formed = parts.len() == 3
            && parts[0] == "GP"
            && areas.contains(&parts[1])
            && parts[2].len() == 3
            && parts[2].bytes().all(|b| b.is_ascii_digit());
        if !well_formed {
            problems.push(format!("{id}: id is not GP-<AREA>-<NNN>"));
            continue;
        }
        for (key, text) in [
            ("title", &rule.title),
            ("description", &rule.description),
            ("rationale", &rule.rationale),
            ("help", &rule.help),
            ("level", &rule.level),
            ("severity", &rule.severity),
        ] {
            if text.trim().is_empty() {
                problems.push(format!("{id}: no {key}"));
            }
        }
        let area = parts[1].to_ascii_lowercase();
        let in_area = rule
            .source
            .strip_prefix(&format!("policies/{area}/"))
            .is_some_and(|file| !file.contains('/'));
        if !in_area {
            problems.push(format!(
                "{id}: defined in `{}`, not in policies/{area}/<slug>.rego",
                rule.source
            ));
        }
        let scoped =
            !rule.files.is_empty() || !rule.formats.is_empty() || rule.scope == "repository";
        if !scoped {
            problems.push(format!(
                "{}: METADATA names no files, formats or repository scope",
                rule.source
            ));
        }
        for part in ["pass", "fail", "expect.json"] {
            if !rule.fixture().join(part).exists() {
                problems.push(format!(
                    "{id}: missing fixtures/pack/{}/{part}",
                    rule.name()
                ));
            }
        }
        let out = run(root(), &["explain", id]);
        if out.code != 0 || !out.stdout.contains("How to fix:") || !out.stdout.contains("Why:") {
            problems.push(format!(
                "{id}: `goldenpath explain` gives no full documentation"
            ));
        }
    }
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    if ids.len() != before {
        problems.push("duplicate rule ids".to_string());
    }
    // Every fixture directory belongs to a rule (none is left behind by a renamed rule).
    let names: BTreeSet<String> = rules.iter().map(Rule::name).collect();
    for entry in std::fs::read_dir(fixtures().join("pack"))
        .expect("fixtures/pack")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !names.contains(&name) {
            problems.push(format!(
                "fixtures/pack/{name}: no rule has this id and slug"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn rules_list_and_markdown_docs_cover_every_rule() {
    let rules = pack_rules();
    let markdown = run(root(), &["rules", "--format", "markdown"]);
    assert_eq!(markdown.code, 0);
    let table = run(root(), &["rules"]);
    assert_eq!(table.code, 0);
    for rule in &rules {
        let id = &rule.id;
        assert!(
            markdown.stdout.contains(&format!("## {id}")),
            "{id} documented"
        );
        assert!(table.stdout.contains(id.as_str()), "{id} listed");
    }
    assert!(table.stdout.contains(&format!("{} rules", rules.len())));
    let out = run(root(), &["explain", "GP-NOPE-999"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no rule `GP-NOPE-999`"),
        "{}",
        out.stderr
    );
}

/// The pack checked over every rule's `fail/` and `pass/` fixtures in one run.
struct PackRun {
    rules: Vec<Rule>,
    /// Each rule's `(fail, pass)` directories as given to `check`: relative to
    /// `fixtures/pack`, or absolute for a generated copy.
    dirs: Vec<(String, String)>,
    /// Where generated fixtures are made.
    generated: PathBuf,
    findings: Vec<Finding>,
}

fn pack_run() -> &'static PackRun {
    static RUN: OnceLock<PackRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let rules = pack_rules();
        assert!(!rules.is_empty(), "the pack has rules");
        let generated = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pack");
        let dirs: Vec<(String, String)> = rules
            .iter()
            .map(|rule| {
                let fail = match prepared(rule, &generated) {
                    Some(copy) => copy.to_string_lossy().into_owned(),
                    None => format!("{}/fail", rule.name()),
                };
                (fail, format!("{}/pass", rule.name()))
            })
            .collect();
        let out = common::goldenpath("pack")
            .args(["check", "--builtin", "--no-fail", "--format", "json"])
            .args(dirs.iter().flat_map(|(fail, pass)| [fail, pass]))
            .run();
        assert_eq!(out.code, 0, "{}", out.stderr);
        PackRun {
            findings: findings(&out.json()),
            rules,
            dirs,
            generated,
        }
    })
}

/// A copy of the rule's `fail/` with the files of its `generate.json` added, when it has
/// one.
fn prepared(rule: &Rule, generated: &Path) -> Option<PathBuf> {
    let spec = rule.fixture().join("generate.json");
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(&spec).ok()?).expect("generate.json");
    let target = generated.join(rule.name()).join("fail");
    let _ = std::fs::remove_dir_all(&target);
    common::copy_dir(&rule.fixture().join("fail"), &target);
    for file in spec["files"].as_array().expect("files") {
        let path = target.join(file["path"].as_str().expect("path"));
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let size = file["size"].as_u64().expect("size");
        let handle = std::fs::File::create(&path).expect("create");
        handle.set_len(size).expect("size");
    }
    Some(target)
}

impl PackRun {
    /// The findings of `rule` in `dir` (as given to `check`), each with its file
    /// relative to `dir` (`None` for `dir` itself).
    fn findings_in<'a>(
        &'a self,
        rule: &'a str,
        dir: &'a str,
    ) -> impl Iterator<Item = (Option<String>, &'a Finding)> + 'a {
        self.findings
            .iter()
            .filter(move |f| f.rule == rule)
            .filter_map(move |f| {
                if f.file == dir {
                    return Some((None, f));
                }
                let relative = f.file.strip_prefix(dir)?.strip_prefix('/')?;
                Some((Some(relative.to_string()), f))
            })
    }
}

#[test]
fn every_rule_passes_and_fails_its_fixtures_at_the_expected_lines() {
    let run = pack_run();
    let mut problems = Vec::new();
    for (rule, (fail, pass)) in run.rules.iter().zip(&run.dirs) {
        let id = &rule.id;
        let expected = match Expectation::read(&rule.fixture().join("expect.json")) {
            Ok(expected) => expected,
            Err(e) => {
                problems.push(format!("{id}: expect.json: {e}"));
                continue;
            }
        };
        if expected.findings.is_empty() {
            problems.push(format!(
                "{id}: expect.json lists no finding, so the fail fixture cannot fail"
            ));
        }
        if let Some(other) = expected.findings.iter().find(|f| f.rule != *id) {
            problems.push(format!(
                "{id}: expect.json names `{}`; a rule's fixture lists only its own findings",
                other.rule
            ));
        }
        let actual: Vec<ExpectedFinding> = run
            .findings_in(id, fail)
            .map(|(file, f)| ExpectedFinding {
                rule: f.rule.clone(),
                file,
                line: f.line.map(|l| l as usize),
                column: f.column.map(|c| c as usize),
            })
            .collect();
        if !expected.matches(&actual) {
            let place = |f: &ExpectedFinding| (f.file.clone(), f.line, f.column);
            let mut want: Vec<_> = expected.findings.iter().map(place).collect();
            let mut got: Vec<_> = actual.iter().map(place).collect();
            want.sort();
            got.sort();
            problems.push(format!(
                "{id}: fail fixture (file, line, column)\n  expected {want:?}\n  actual   {got:?}"
            ));
        }
        let passing: Vec<_> = run.findings_in(id, pass).collect();
        if !passing.is_empty() {
            problems.push(format!("{id}: pass fixture has findings {passing:?}"));
        }
    }
    for finding in &run.findings {
        if finding.rule == "policy-error" {
            problems.push(format!("policy error: {}", finding.message));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// One line per finding of the rule on its `fail/` fixture, sorted:
/// `file:line:column severity rule message`, the file relative to the fixture (`.` for
/// the repository itself), line breaks in the message as `\n`.
fn findings_snapshot(run: &PackRun, rule: &Rule, fail: &str) -> String {
    let mut found: Vec<(String, Option<u64>, Option<u64>, &Finding)> = run
        .findings_in(&rule.id, fail)
        .map(|(file, f)| (file.unwrap_or_else(|| ".".into()), f.line, f.column, f))
        .collect();
    found.sort_by(|a, b| (&a.0, a.1, a.2, &a.3.message).cmp(&(&b.0, b.1, b.2, &b.3.message)));
    let lines: Vec<String> = found
        .into_iter()
        .map(|(file, line, column, f)| {
            let place = match (line, column) {
                (Some(line), Some(column)) => format!("{file}:{line}:{column}"),
                (Some(line), None) => format!("{file}:{line}"),
                _ => file,
            };
            let message = f.message.replace('\n', "\\n");
            format!("{place} {} {} {message}", f.severity, f.rule)
        })
        .collect();
    redact(&lines.join("\n"), &[&run.generated])
}

#[test]
fn every_rule_has_a_snapshot_of_its_failing_fixture() {
    let run = pack_run();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/pack");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut differing = Vec::new();
    for (rule, (fail, _)) in run.rules.iter().zip(&run.dirs) {
        let name = rule.name();
        let text = findings_snapshot(run, rule, fail);
        settings.set_description(format!(
            "{} on fixtures/pack/{name}/fail: file:line:column severity rule message",
            rule.id
        ));
        // Every rule is compared (and, for a new one, written as `.snap.new`) before
        // the test fails.
        let compared = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name.as_str(), text));
        }));
        if compared.is_err() {
            differing.push(name);
        }
    }
    assert!(
        differing.is_empty(),
        "snapshots missing or different (review with `cargo insta review`): {differing:?}"
    );
}

#[test]
fn scorecards_of_three_repositories() {
    let out = run(
        "",
        &[
            "check",
            "scorecard/none",
            "scorecard/bronze",
            "scorecard/gold",
        ],
    );
    let stdout = out.stdout;
    assert_eq!(out.code, 1, "{}", out.stderr);
    let summary_at = stdout
        .find("17 files checked")
        .unwrap_or_else(|| panic!("summary line: {stdout}"));
    insta::assert_snapshot!("scorecards_human", &stdout[summary_at..]);
    let (_, report) = common::check_json(
        "",
        &["scorecard/none", "scorecard/bronze", "scorecard/gold"],
    );
    let levels: Vec<&str> = report["scorecards"]
        .as_array()
        .expect("scorecards")
        .iter()
        .filter_map(|c| c["level"].as_str())
        .collect();
    assert_eq!(levels, vec!["none", "bronze", "gold"]);
    let markdown = run("", &["check", "--format", "markdown", "scorecard/gold"]).stdout;
    assert!(
        markdown.contains("| scorecard/gold | **gold** | 15/15 | 17/17 | 10/10 |"),
        "{markdown}"
    );
}

#[test]
fn the_pack_is_on_by_default_and_follows_the_flags() {
    let count = |args: &[&str]| -> usize {
        findings(&run("", args).json())
            .iter()
            .filter(|f| f.rule.starts_with("GP-"))
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

/// `(rule, file, severity, test_data)` of every finding of a JSON report.
fn severities(stdout: &str) -> Vec<(String, String, String, bool)> {
    let report: Value = serde_json::from_str(stdout).expect("json report");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["file"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["metadata"]["test_data"] == Value::Bool(true),
            )
        })
        .collect()
}

fn level(stdout: &str) -> String {
    let report: Value = serde_json::from_str(stdout).expect("json report");
    report["scorecards"][0]["level"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A repository that passes every pack rule except in its test data and examples.
fn repository_with_test_data(dir: &Path) {
    let write = common::write;
    write(dir.join("README.md"), "# app\n");
    write(dir.join("LICENSE"), "MIT\n");
    write(dir.join("CODEOWNERS"), "* @acme/app\n");
    write(dir.join("SECURITY.md"), "# Security\n");
    write(
        dir.join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: app\nspec:\n  type: service\n  lifecycle: production\n  owner: group:acme/app\n",
    );
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: sample\nspec:\n  containers:\n    - name: main\n      image: busybox\n";
    write(dir.join("pkg/testdata/pod.yaml"), pod);
    write(dir.join("examples/pod.yaml"), pod);
    write(dir.join("pkg/testdata/broken.yaml"), "a: [1, 2\n");
    write(dir.join("gen/pod.yaml"), pod);
    write(dir.join(".gitattributes"), "gen/** linguist-generated\n");
    write(
        dir.join(".github/dependabot.yml"),
        "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule: {interval: weekly}\n",
    );
}

#[test]
fn test_data_is_checked_at_info_and_left_out_of_the_scorecard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("app");
    repository_with_test_data(&repo);
    let out = run(dir.path(), &["check", "--format", "json", "app"]);
    assert_eq!(
        out.code, 0,
        "info findings do not fail the run: {}",
        out.stdout
    );
    let found = severities(&out.stdout);
    assert!(found.len() > 20, "{found:?}");
    for (rule, file, severity, test_data) in &found {
        assert_eq!(
            (severity.as_str(), *test_data),
            ("info", true),
            "{rule} in {file}"
        );
    }
    for file in [
        "app/pkg/testdata/pod.yaml",
        "app/examples/pod.yaml",
        "app/gen/pod.yaml",
        "app/pkg/testdata/broken.yaml",
    ] {
        assert!(found.iter().any(|f| f.1 == file), "{file} is still checked");
    }
    assert_eq!(level(&out.stdout), "gold");

    // `[pack] test-paths` replaces the defaults: here only `examples/` is test data
    // (and what .gitattributes marks).
    common::write(
        repo.join("goldenpath.toml"),
        "[pack]\ntest-paths = [\"examples/**\"]\n",
    );
    let out = run(&repo, &["check", "--format", "json", "--no-fail"]);
    let found = severities(&out.stdout);
    let at = |file: &str| -> Vec<&String> {
        found.iter().filter(|f| f.1 == file).map(|f| &f.2).collect()
    };
    assert!(at("pkg/testdata/pod.yaml").iter().any(|s| *s == "error"));
    assert!(at("pkg/testdata/broken.yaml") == vec!["error"]);
    assert!(at("examples/pod.yaml").iter().all(|s| *s == "info"));
    assert!(at("gen/pod.yaml").iter().all(|s| *s == "info"));
    assert_eq!(level(&out.stdout), "none");
}

#[test]
fn parse_errors_are_errors_only_where_something_reads_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = common::write;
    write(
        dir.path().join("policy/k8s.rego"),
        "# METADATA\n# custom:\n#   files: [\"deploy/**\"]\npackage main\n\nimport rego.v1\n\ndeny contains \"no\" if input.never\n",
    );
    write(dir.path().join("deploy/bad.yaml"), "a: [1\n");
    write(dir.path().join("other/bad.json"), "{\n");
    let parse_errors = |extra: &[&str]| -> Vec<(String, String)> {
        let mut args = vec!["check", "--format", "json", "--no-fail", "."];
        args.extend_from_slice(extra);
        let out = run(dir.path(), &args);
        severities(&out.stdout)
            .into_iter()
            .filter(|f| f.0 == "parse-error")
            .map(|f| (f.1, f.2))
            .collect()
    };
    let pair = |file: &str, severity: &str| (file.to_string(), severity.to_string());
    assert_eq!(
        parse_errors(&[]),
        vec![
            pair("deploy/bad.yaml", "error"),
            pair("other/bad.json", "warning")
        ]
    );
    assert_eq!(
        parse_errors(&["--parse-errors", "error"]),
        vec![
            pair("deploy/bad.yaml", "error"),
            pair("other/bad.json", "error")
        ]
    );
    assert_eq!(
        parse_errors(&["--parse-errors", "off"]),
        vec![pair("deploy/bad.yaml", "error")]
    );
    write(
        dir.path().join("goldenpath.toml"),
        "parse-errors = \"off\"\n",
    );
    assert_eq!(parse_errors(&[]), vec![pair("deploy/bad.yaml", "error")]);
    let out = run(dir.path(), &["check", "."]);
    assert_eq!(
        out.code, 1,
        "the error in a file a policy reads fails the run"
    );
}

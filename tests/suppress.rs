//! Suppressions end to end: inline comments in every format with comments, `[[ignore]]`
//! and `[[overrides]]`, `require-reason`, `--select`/`--skip`, baselines, SARIF
//! `suppressions`, and `--add-ignore`, over the fixture repositories in
//! `fixtures/suppress/`. "Today" is frozen with `GOLDENPATH_TODAY`.

mod common;

use std::path::Path;

use common::{copy_dir, fixtures, goldenpath, redact, write, Output};

/// The day every run here takes as today: after `until=2026-12-31`, before
/// `until=2027-03-31`.
const TODAY: &str = "2027-01-15";

/// The fixture policies. They are given on the command line: each fixture is a
/// repository of its own, and a repository's goldenpath.toml may only name paths inside
/// it.
fn policy() -> String {
    fixtures().join("suppress/policy").display().to_string()
}

fn check(dir: impl AsRef<Path>, args: &[&str]) -> Output {
    goldenpath(dir)
        .env("GOLDENPATH_TODAY", TODAY)
        .args(["check", "-p", &policy()])
        .args(args)
        .run()
}

/// Snapshots the human and JSON reports of `check` in `fixtures/suppress/<name>` as
/// `<name>_human` and `<name>_json`.
fn human_and_json(name: &str, code: i32) {
    let dir = format!("suppress/{name}");
    let out = check(&dir, &[]);
    assert_eq!(out.code, code, "{}", out.stderr);
    insta::assert_snapshot!(format!("{name}_human"), out.stdout);
    let json = check(&dir, &["--format", "json"]);
    insta::assert_snapshot!(format!("{name}_json"), json.stdout);
}

#[test]
fn inline_suppressions_in_every_format_with_comments() {
    human_and_json("inline", 1);
}

#[test]
fn a_suppression_stops_applying_after_its_date() {
    let out = goldenpath("suppress/inline")
        .env("GOLDENPATH_TODAY", "2027-04-01")
        .args(["check", "-p", &policy(), "Dockerfile"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!("expired_dockerfile_human", out.stdout);
    let before = check("suppress/inline", &["Dockerfile", "--format", "json"]).json();
    assert_eq!(before["summary"]["suppressed"]["inline"], 1);
    let bad = goldenpath("suppress/inline")
        .env("GOLDENPATH_TODAY", "2027-02-30")
        .args(["check", "-p", &policy()])
        .run();
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("GOLDENPATH_TODAY"), "{}", bad.stderr);
}

#[test]
fn same_bytes_with_one_thread_or_many() {
    for format in ["human", "json", "sarif"] {
        let one = check("suppress/inline", &["-j1", "--format", format]);
        let many = check("suppress/inline", &["-j8", "--format", format]);
        assert_eq!(one.stdout, many.stdout, "{format}");
    }
}

#[test]
fn config_ignores_and_per_path_overrides() {
    human_and_json("config", 0);
}

#[test]
fn require_reason_makes_reasonless_suppressions_errors() {
    let out = check("suppress/require-reason", &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!("require_reason_human", out.stdout);
}

#[test]
fn select_and_skip_apply_after_the_configuration() {
    let out = check(
        "suppress/inline",
        &[
            "--select",
            "SUP-DOCKER-*",
            "--select",
            "SUP-SECRET",
            "--skip",
            "SUP-DOCKER-ROOT",
            "--select",
            "SUP-DOCKR-LATEST",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!("select_skip_human", out.stdout);
    // Skipping every rule that reports errors leaves the run passing.
    let skipped = check("suppress/inline", &["--skip", "SUP-*", "--format", "json"]);
    assert_eq!(skipped.code, 0, "{}", skipped.stdout);
    let rules: Vec<String> = common::findings(&skipped.json())
        .into_iter()
        .map(|f| f.rule)
        .collect();
    assert!(rules.iter().all(|r| !r.starts_with("SUP-")), "{rules:?}");
}

/// A goldenpath.toml in `dir` that runs the fixture policies (given with `-p`).
fn write_config(dir: &Path) {
    write(
        dir.join("goldenpath.toml"),
        "namespaces = [\"suppress.*\"]\nbuiltin = false\n",
    );
}

#[test]
fn baseline_written_then_read_with_a_moved_finding_still_matched() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    write_config(dir);
    write(
        dir.join("app.yaml"),
        "image: nginx:latest\npassword: a\ndb:\n  password: b\n",
    );
    let written = check(dir, &["--write-baseline", "baseline.json"]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    insta::assert_snapshot!("baseline_write_human", redact(&written.stdout, &[dir]));
    let baseline = std::fs::read_to_string(dir.join("baseline.json")).expect("written");
    insta::assert_snapshot!("baseline_file", baseline);

    // Two lines added above (every finding moves), the image pinned (fixed), a new
    // password added.
    write(
        dir.join("app.yaml"),
        "# service\nname: web\nimage: nginx:1.27\npassword: a\ndb:\n  password: b\ncache:\n  password: c\n",
    );
    let out = check(dir, &["--baseline", "baseline.json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!("baseline_read_human", redact(&out.stdout, &[dir]));
    let json = check(dir, &["--baseline", "baseline.json", "--format", "json"]).json();
    assert_eq!(json["summary"]["suppressed"]["baseline"], 2);
    assert_eq!(json["summary"]["baseline_fixed"], 1);
    let lines: Vec<u64> = json["suppressed"]
        .as_array()
        .expect("suppressed")
        .iter()
        .filter_map(|s| s["line"].as_u64())
        .collect();
    assert_eq!(lines, vec![4, 6], "matched at their new lines");

    // The same baseline from goldenpath.toml.
    let mut config = std::fs::read_to_string(dir.join("goldenpath.toml")).expect("config");
    config.push_str("baseline = \"baseline.json\"\n");
    write(dir.join("goldenpath.toml"), config);
    let from_config = check(dir, &["--format", "json"]).json();
    assert_eq!(from_config["summary"], json["summary"]);

    let missing = check(dir, &["--baseline", "nope.json"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("nope.json"), "{}", missing.stderr);
}

fn sarif_schema_validates(log: &serde_json::Value) {
    let Some(path) = common::reference_schema("sarif-schema-2.1.0.json") else {
        return;
    };
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator.iter_errors(log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_lists_suppressed_results_valid_against_the_oasis_schema() {
    let inline = check("suppress/inline", &["--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_str(&inline.stdout).expect("SARIF");
    sarif_schema_validates(&log);
    insta::assert_snapshot!("inline_sarif", inline.stdout);
    let config = check("suppress/config", &["--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_str(&config.stdout).expect("SARIF");
    sarif_schema_validates(&log);
    let kinds: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["suppressions"][0]["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["external"; 3]);
    // Suppressed results keep fingerprints distinct from the reported ones.
    let results = log["runs"][0]["results"].as_array().expect("results");
    let mut prints: Vec<&str> = results
        .iter()
        .filter_map(|r| r["partialFingerprints"]["goldenpath/v1"].as_str())
        .collect();
    let all = prints.len();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), all);
}

fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(status.status.success(), "git {args:?}: {status:?}");
}

#[test]
fn add_ignore_comments_every_format_and_the_findings_are_then_suppressed() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    copy_dir(&fixtures().join("suppress/add-ignore"), dir);
    write_config(dir);
    // Windows line endings and a byte-order mark are kept.
    write(dir.join("crlf.yaml"), "\u{feff}password: x\r\nname: y\r\n");

    // Outside a git repository: refused without --force.
    let outside = check(dir, &["--add-ignore"]);
    assert_eq!(outside.code, 2, "{}", outside.stderr);
    assert!(outside.stderr.contains("git"), "{}", outside.stderr);

    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "fixture"]);
    write(dir.join("app.ini"), "[db]\npassword = y\n");
    let dirty = check(dir, &["--add-ignore"]);
    assert_eq!(dirty.code, 2, "{}", dirty.stderr);
    assert!(dirty.stderr.contains("uncommitted"), "{}", dirty.stderr);
    assert!(dirty.stderr.contains("app.ini"), "{}", dirty.stderr);
    git(dir, &["checkout", "-q", "--", "app.ini"]);

    let added = check(dir, &["--add-ignore"]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    insta::assert_snapshot!("add_ignore_stderr", redact(&added.stderr, &[dir]));
    let mut files = String::new();
    for file in [
        "deploy/app.yaml",
        "Dockerfile",
        "app.toml",
        "settings.jsonc",
        "config.xml",
        "main.tf",
        "app.ini",
        ".env",
        "app.properties",
        "values.json",
    ] {
        let text = std::fs::read_to_string(dir.join(file)).expect("read");
        files.push_str(&format!("==> {file} <==\n{text}"));
    }
    insta::assert_snapshot!("add_ignore_files", files);
    let crlf = std::fs::read(dir.join("crlf.yaml")).expect("read");
    assert_eq!(
        crlf,
        "\u{feff}# goldenpath: ignore[SUP-SECRET] -- TODO\r\npassword: x\r\nname: y\r\n".as_bytes()
    );

    // Checked again, only the file without comments (JSON) still reports.
    let after = check(dir, &["--format", "json"]).json();
    let left: Vec<(String, String)> = common::findings(&after)
        .into_iter()
        .map(|f| (f.rule, f.file))
        .collect();
    assert_eq!(
        left,
        vec![("SUP-SECRET".to_string(), "values.json".to_string())]
    );
    assert_eq!(after["summary"]["suppressed"]["inline"], 13);

    // --force writes where git would refuse: here, a file changed since the commit.
    write(dir.join("extra.yaml"), "password: z\n");
    let forced = check(dir, &["--add-ignore", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(std::fs::read_to_string(dir.join("extra.yaml"))
        .expect("read")
        .starts_with("# goldenpath: ignore[SUP-SECRET] -- TODO\n"));
}

#[test]
fn configuration_mistakes_in_suppressions_stop_the_run_at_their_line() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    write(
        dir.join("goldenpath.toml"),
        "builtin = false\n\n[[ignore]]\nfiles = [\"a/[\"]\nuntil = \"2027-02-30\"\n\n[[overrides]]\nfiles = [\"x\", \"b/{\"]\nrules = { \"R\" = \"off\" }\n",
    );
    write(dir.join("a.yaml"), "a: 1\n");
    let out = goldenpath(dir).args(["check"]).run();
    assert_eq!(out.code, 2, "{}", out.stdout);
    insta::assert_snapshot!("config_mistakes", redact(&out.stderr, &[dir]));
    // What the schema checks comes first: a wrong severity, an `until` not shaped as a
    // date, an `[[ignore]]` without `files`.
    write(
        dir.join("goldenpath.toml"),
        "[[ignore]]\nrules = [\"R\"]\nuntil = \"tomorrow\"\n\n[[overrides]]\nfiles = [\"x\"]\nrules = { \"R\" = \"loud\" }\n",
    );
    let out = goldenpath(dir).args(["check"]).run();
    assert_eq!(out.code, 2, "{}", out.stdout);
    insta::assert_snapshot!("config_schema_mistakes", redact(&out.stderr, &[dir]));
}

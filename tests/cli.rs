//! Integration tests: the real binary over `fixtures/`, whole outputs compared with
//! snapshots where output is the product.

mod common;

use common::{check_json as json, findings, run};

/// `(rule, file, line, column)` of every finding, 0 for no position.
fn located(report: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    findings(report)
        .into_iter()
        .map(|f| (f.rule, f.file, f.line.unwrap_or(0), f.column.unwrap_or(0)))
        .collect()
}

fn f(rule: &str, file: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.to_string(), file.to_string(), line, column)
}

#[test]
fn demo_human_report() {
    let out = run("demo", &["check"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!("demo_human", out.stdout);
}

#[test]
fn demo_json_report() {
    let out = run("demo", &["check", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!("demo_json", out.stdout);
}

#[test]
fn same_bytes_with_one_thread_or_many() {
    for format in ["human", "json"] {
        let one = run("demo", &["check", "-j1", "--format", format]);
        let many = run("demo", &["check", "-j8", "--format", format]);
        assert_eq!(one.stdout, many.stdout, "{format}");
        assert_eq!(one.code, many.code);
    }
}

#[test]
fn ignored_directories_are_skipped_but_named_files_are_checked() {
    let (_, report) = json("demo", &[]);
    let files: Vec<String> = located(&report).into_iter().map(|f| f.1).collect();
    assert!(!files.iter().any(|f| f.starts_with("build/")), "{files:?}");
    let (code, report) = json("demo", &["build/generated.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&report),
        vec![
            f("main.deny_run_as_root", "build/generated.yaml", 7, 5),
            f("main.warn", "build/generated.yaml", 9, 11),
            f("main.deny", "build/generated.yaml", 10, 18),
        ]
    );
    let (_, report) = json("demo", &["--no-ignore"]);
    let files: Vec<String> = located(&report).into_iter().map(|f| f.1).collect();
    assert!(files.iter().any(|f| f.starts_with("build/")), "{files:?}");
}

#[test]
fn conftest_semantics_namespaces_exceptions_data_and_locations() {
    let (code, report) = json("conftest", &["-p", "policy", "-d", "data", "inputs"]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&report),
        vec![
            // A string result points at the start of its document.
            f("main.deny", "inputs/deploy.yaml", 1, 1),
            // `path` to a missing key points at the object that lacks it.
            f("main.warn_missing_team", "inputs/deploy.yaml", 3, 1),
            // conftest's `_loc`.
            f("main.violation", "inputs/deploy.yaml", 6, 3),
            // `id` and `severity` keys override; `path` as an array.
            f("K8S-REGISTRY", "inputs/deploy.yaml", 11, 18),
            // A top-level array is evaluated element by element.
            f("main.warn_missing_team", "inputs/list.json", 3, 23),
        ]
    );
    let messages: Vec<String> = findings(&report).into_iter().map(|f| f.message).collect();
    // data.conftest.file.name is the base name.
    assert!(
        messages.contains(&"deploy.yaml: name `Web_App` is not a DNS label".to_string()),
        "{messages:?}"
    );
    let registry = &report["findings"][3];
    assert_eq!(registry["severity"], "warning");
    assert_eq!(registry["metadata"]["registry"], "registry.internal/");
    assert_eq!(report["summary"]["exceptions"], 1);
    assert_eq!(report["summary"]["documents"], 4);
    assert_eq!(
        report["summary"]["unevaluated_packages"],
        serde_json::json!(["extra.checks"])
    );
}

#[test]
fn unevaluated_packages_are_named_in_the_human_report() {
    let out = run(
        "conftest",
        &["check", "-p", "policy", "-d", "data", "inputs"],
    );
    assert!(
        out.stdout.contains("note: package not evaluated: extra.checks (select with --namespace <pattern> or --all-namespaces)"),
        "{}",
        out.stdout
    );
    let (_, all) = json(
        "conftest",
        &["-p", "policy", "-d", "data", "--all-namespaces", "inputs"],
    );
    let extra = located(&all)
        .into_iter()
        .filter(|f| f.0 == "extra.checks.deny")
        .count();
    assert_eq!(extra, 4, "one per document");
    assert_eq!(
        all["summary"]["unevaluated_packages"],
        serde_json::json!([])
    );
    let (_, globbed) = json(
        "conftest",
        &["-p", "policy", "-d", "data", "-n", "extra.*", "inputs"],
    );
    let rules: std::collections::BTreeSet<String> =
        located(&globbed).into_iter().map(|f| f.0).collect();
    assert_eq!(
        rules.into_iter().collect::<Vec<_>>(),
        vec!["extra.checks.deny".to_string()]
    );
}

#[test]
fn combine_mode_sees_every_file_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::write(
        dir.path().join("combine.rego"),
        r#"package main
import rego.v1
deny contains {"msg": sprintf("%d files", [count(input)]), "path": [1, "contents", "metadata", "name"]} if count(input) > 1
deny contains "about the whole set" if count(input) > 1
"#,
    );
    let policy = dir.path().join("combine.rego");
    let policy = policy.to_str().expect("utf-8 path");
    let (code, report) = json("conftest", &["-p", policy, "--combine", "inputs"]);
    assert_eq!(code, 1);
    // As in conftest, each document is an entry: deploy.yaml's two documents are entries
    // 0 and 1 (list.json is entry 2), and entry 1's metadata.name is in its second one.
    assert_eq!(
        located(&report),
        vec![
            f("main.deny", "inputs", 0, 0),
            f("main.deny", "inputs/deploy.yaml", 16, 9),
        ]
    );
}

#[test]
fn rego_v0_policies_run_with_the_flag_and_explain_themselves_without() {
    let (code, report) = json("conftest", &["-p", "v0", "--rego-version", "v0", "inputs"]);
    assert_eq!(code, 1);
    assert_eq!(located(&report).len(), 3);
    let out = run("conftest", &["check", "-p", "v0", "inputs"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("v0/legacy.rego:3:11"), "{}", out.stderr);
    assert!(
        out.stderr.contains("pass --rego-version v0"),
        "{}",
        out.stderr
    );
}

#[test]
fn broken_files_are_findings_and_the_rest_is_checked() {
    let (code, report) = json(
        "",
        &["-p", "conftest/policy", "-d", "conftest/data", "broken"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        located(&report),
        vec![
            f("parse-error", "broken/bad.json", 1, 8),
            f("parse-error", "broken/bad.toml", 1, 5),
            f("parse-error", "broken/bad.yaml", 2, 1),
            f("main.warn_missing_team", "broken/good.yaml", 2, 1),
            f("parse-error", "broken/latin1.yaml", 1, 10),
        ]
    );
    assert_eq!(report["summary"]["parse_errors"], 4);
    assert_eq!(report["summary"]["files"], 5);
}

#[test]
fn policy_errors_stop_the_run_with_a_located_diagnostic() {
    let out = run("policy-errors", &["check", "-p", "syntax.rego", "."]);
    assert_eq!(out.code, 2);
    insta::assert_snapshot!("policy_syntax_error", out.stderr);
    let out = run("policy-errors", &["check", "-p", "unknown_fn.rego", "."]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown_fn.rego:6:25"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("could not find function no.such_function"),
        "{}",
        out.stderr
    );
}

#[test]
fn runtime_errors_are_findings_and_the_run_goes_on() {
    let (code, report) = json(
        "",
        &["-p", "policy-errors/runtime.rego", "broken/good.yaml"],
    );
    assert_eq!(code, 1);
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "policy-error");
    let message = finding["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("rule `main.deny` failed on this document:"),
        "{message}"
    );
    assert!(
        message.contains("policy-errors/runtime.rego:6"),
        "{message}"
    );
}

#[test]
fn exit_codes_follow_the_threshold() {
    let warn_only = [
        "-p",
        "conftest/policy",
        "-d",
        "conftest/data",
        "broken/good.yaml",
    ];
    assert_eq!(json("", &warn_only).0, 0, "warnings pass by default");
    let with = |extra: &str| {
        let mut args = warn_only.to_vec();
        args.push(extra);
        json("", &args).0
    };
    assert_eq!(with("--fail-on-warn"), 1);
    assert_eq!(with("--fail-on=warning"), 1);
    let (code, _) = json(
        "",
        &[
            "-p",
            "conftest/policy",
            "-d",
            "conftest/data",
            "--no-fail",
            "broken",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(run("", &["check", "--fail-on", "sometimes"]).code, 2);
    assert_eq!(
        run("", &["check", "-p", "conftest/policy", "no/such/dir"]).code,
        2
    );
    assert_eq!(
        run("broken", &["check", "--no-builtin"]).code,
        2,
        "no ./policy, no -p and no pack"
    );
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("report.json");
    let out = run(
        "demo",
        &[
            "check",
            "--format",
            "json",
            "--output-file",
            target.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&target).expect("report written");
    assert_eq!(written, run("demo", &["check", "--format", "json"]).stdout);
}

#[test]
fn exclude_globs_skip_paths() {
    let (_, report) = json("demo", &["--exclude", "deploy/**", "--exclude", "*.toml"]);
    let files: std::collections::BTreeSet<String> =
        located(&report).into_iter().map(|f| f.1).collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        vec!["config/broken.yaml".to_string()]
    );
}

#[test]
fn parse_prints_documents_as_policies_see_them() {
    let out = run("conftest", &["parse", "inputs/deploy.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("parse_multi_document_yaml", out.stdout);
    let out = run("demo", &["parse", "config/app.toml", "config/flags.json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("parse_two_files", out.stdout);
    let out = run("", &["parse", "broken/bad.yaml"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("broken/bad.yaml:2:1"), "{}", out.stderr);
    let out = run("demo", &["parse", "--parser", "yaml", "policy/config.rego"]);
    assert_eq!(out.code, 1, "rego is not YAML");
}

#[test]
fn helm_templates_are_skipped_unless_named() {
    let (_, report) = json("demo", &[]);
    assert_eq!(
        report["summary"]["files"], 8,
        "templates/deployment.yaml is not counted"
    );
    let (code, report) = json("demo", &["charts/web/templates/deployment.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&report),
        vec![f(
            "parse-error",
            "charts/web/templates/deployment.yaml",
            5,
            5
        )]
    );
}

#[test]
fn walks_honour_ignore_files_and_never_enter_git_or_follow_symlinks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let write = |rel: &str, text: &str| common::write(root.join(rel), text);
    write(
        "policy/p.rego",
        "package main\nimport rego.v1\ndeny contains \"seen\" if input.seen\n",
    );
    let doc = "seen: true\n";
    for rel in [
        "repo/kept.yaml",
        "repo/node_modules/dep.yaml",
        "repo/local.yaml",
        "repo/excluded.yaml",
        "repo/.git/config.yaml",
        "repo/.github/workflows/ci.yml",
        "outside/target.yaml",
    ] {
        write(rel, doc);
    }
    write("repo/.gitignore", "node_modules/\n");
    write("repo/.ignore", "local.yaml\n");
    write("repo/.git/info/exclude", "excluded.yaml\n");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root.join("outside"), root.join("repo/linked-dir"))
            .expect("symlink");
        std::os::unix::fs::symlink(
            root.join("outside/target.yaml"),
            root.join("repo/linked.yaml"),
        )
        .expect("symlink");
    }
    let files = |args: &[&str]| -> Vec<String> {
        let (_, report) = json(root, args);
        located(&report).into_iter().map(|f| f.1).collect()
    };
    assert_eq!(
        files(&["repo"]),
        vec!["repo/.github/workflows/ci.yml", "repo/kept.yaml"]
    );
    assert_eq!(
        files(&["--no-ignore", "repo"]),
        vec![
            "repo/.github/workflows/ci.yml",
            "repo/excluded.yaml",
            "repo/kept.yaml",
            "repo/local.yaml",
            "repo/node_modules/dep.yaml",
        ]
    );
    assert_eq!(
        files(&["repo", "repo/local.yaml"]),
        vec![
            "repo/.github/workflows/ci.yml",
            "repo/kept.yaml",
            "repo/local.yaml"
        ]
    );
}

/// What the shell gets when it asks goldenpath to complete the word at `index` of
/// `words` (`goldenpath` is word 0), as the registered bash function asks.
fn complete(words: &[&str], index: usize) -> Vec<String> {
    let out = common::goldenpath("")
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", index.to_string())
        .env("_CLAP_IFS", "\n")
        .arg("--")
        .args(words)
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout.lines().map(str::to_string).collect()
}

#[test]
fn completions_come_from_the_cli_definitions_and_the_rules() {
    let out = run("", &["completions", "bash"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("COMPLETE=\"bash\""), "{}", out.stdout);
    assert!(out.stdout.contains("complete -o nospace"), "{}", out.stdout);
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let out = run("", &["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains("goldenpath"), "{shell}: {}", out.stdout);
    }
    assert_eq!(
        run("", &["completions", "tcsh"]).code,
        2,
        "unknown shell is a usage error"
    );

    let cases: &[(&[&str], usize, &[&str])] = &[
        (
            &["goldenpath", "explain", "gp-docker-00"],
            2,
            &["GP-DOCKER-001", "GP-DOCKER-007"],
        ),
        (
            &["goldenpath", "rules", "GP-TF"],
            2,
            &["GP-TF-001", "GP-TF-002", "GP-TF-003"],
        ),
        (
            &["goldenpath", "check", "--format", ""],
            3,
            &["human", "concise", "sarif"],
        ),
        (
            &["goldenpath", "check", "--fail-on", ""],
            3,
            &["error", "warning", "never"],
        ),
        (
            &["goldenpath", "check", "--parser", "dock"],
            3,
            &["dockerfile"],
        ),
        (
            &["goldenpath", "check", "--color", ""],
            3,
            &["auto", "always", "never"],
        ),
        (&["goldenpath", "check", "--stat"], 2, &["--statistics"]),
    ];
    for (words, index, expected) in cases {
        let got = complete(words, *index);
        for want in *expected {
            assert!(
                got.iter().any(|g| g == want),
                "{words:?}: {want} not in {got:?}"
            );
        }
    }
    let ids = complete(&["goldenpath", "explain", "GP-DOCKER-00"], 2);
    assert!(
        ids.iter().all(|id| id.starts_with("GP-DOCKER-00")),
        "{ids:?}"
    );
}

#[test]
fn man_pages_cover_every_command() {
    let out = run("", &["man"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "roff: {}",
        &out.stdout[..40.min(out.stdout.len())]
    );
    assert!(out.stdout.contains(".TH goldenpath 1"), "man header");
    assert!(
        out.stdout.contains("goldenpath\\-check(1)"),
        "{}",
        out.stdout
    );
    let out = run("", &["man", "check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(".TH goldenpath-check 1"),
        "{}",
        &out.stdout[..300]
    );
    assert!(out.stdout.contains("\\-\\-fail\\-on"), "check's options");
    assert_eq!(run("", &["man", "nope"]).code, 2);

    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["man", "--dir", "pages"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut written: Vec<String> = std::fs::read_dir(dir.path().join("pages"))
        .expect("pages written")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let commands = [
        "check",
        "completions",
        "explain",
        "init",
        "man",
        "parse",
        "rules",
        "test",
    ];
    let mut expected: Vec<String> = commands
        .iter()
        .map(|c| format!("goldenpath-{c}.1"))
        .chain(["goldenpath.1".to_string()])
        .collect();
    expected.sort();
    assert_eq!(written, expected);
    let listed: Vec<String> = out.stdout.lines().map(str::to_string).collect();
    assert_eq!(
        listed,
        expected
            .iter()
            .map(|f| format!("pages/{f}"))
            .collect::<Vec<_>>()
    );
}

/// A repository (`.git` at its root) with a `goldenpath.toml` that turns a rule off and
/// excludes generated manifests, and a service below it.
fn repository_with_config() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = common::fixtures().join("golden-demo");
    std::fs::create_dir(dir.path().join(".git")).expect(".git");
    common::write(
        dir.path().join("goldenpath.toml"),
        "exclude = [\"deploy/generated/**\"]\n\n[rules]\n\"GP-K8S-010\" = \"off\"\n",
    );
    common::copy_dir(&demo.join("deploy"), &dir.path().join("deploy"));
    common::copy_dir(&demo.join("deploy"), &dir.path().join("deploy/generated"));
    common::copy_dir(&demo.join(".github"), &dir.path().join(".github"));
    dir
}

#[test]
fn a_subdirectory_is_checked_with_the_root_config_and_no_repository_rules() {
    let dir = repository_with_config();
    let out = run(dir.path(), &["check", "deploy"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    insta::assert_snapshot!("subdirectory_human", out.stdout);

    let rules = |report: &serde_json::Value| -> Vec<String> {
        let mut rules: Vec<String> = findings(report).into_iter().map(|f| f.rule).collect();
        rules.sort();
        rules.dedup();
        rules
    };
    let (_, from_root) = json(dir.path(), &["deploy"]);
    let ids = rules(&from_root);
    assert!(
        !ids.contains(&"GP-K8S-010".to_string()),
        "off in the root config: {ids:?}"
    );
    assert!(ids.iter().all(|r| !r.starts_with("GP-REPO-")), "{ids:?}");
    assert!(from_root.get("scorecards").is_none(), "{from_root}");
    assert_eq!(
        from_root["summary"]["files"], 1,
        "deploy/generated is excluded"
    );
    assert_eq!(
        from_root["summary"]["subdirectories"],
        serde_json::json!([{"directory": "deploy", "repository": "."}])
    );

    // The same from inside the subdirectory.
    let (_, from_inside) = json(dir.path().join("deploy"), &[]);
    assert_eq!(rules(&from_inside), ids);
    assert_eq!(
        from_inside["summary"]["subdirectories"],
        serde_json::json!([{"directory": ".", "repository": ".."}])
    );

    // Globs are relative to the repository root: the workflow rules (files:
    // `**/.github/workflows/*.yml`) apply when only the workflows are checked.
    let (_, workflows) = json(dir.path(), &[".github/workflows"]);
    assert!(
        rules(&workflows).contains(&"GP-GHA-001".to_string()),
        "{workflows}"
    );

    // The root itself is a repository: its rules and scorecard run.
    let (_, root) = json(dir.path(), &["."]);
    assert!(rules(&root).contains(&"GP-REPO-001".to_string()));
    assert_eq!(root["scorecards"][0]["repository"], ".");
    assert_eq!(
        root["scorecards"][0]["silver"]["off"], 1,
        "{}",
        root["scorecards"]
    );
    assert!(root["summary"].get("subdirectories").is_none());
}

#[test]
fn a_config_with_root_true_makes_its_directory_a_repository() {
    let dir = repository_with_config();
    common::write(dir.path().join("deploy/goldenpath.toml"), "root = true\n");
    let (_, report) = json(dir.path(), &["deploy"]);
    let rules: Vec<String> = findings(&report).into_iter().map(|f| f.rule).collect();
    assert!(rules.contains(&"GP-REPO-001".to_string()), "{rules:?}");
    assert!(
        rules.contains(&"GP-K8S-010".to_string()),
        "the nearest config applies, not the root's: {rules:?}"
    );
    assert_eq!(report["scorecards"][0]["repository"], "deploy");

    // A run reads one configuration: another path's is named on standard error.
    let out = run(dir.path(), &["check", "--format", "json", "deploy", "."]);
    assert!(
        out.stderr
            .starts_with("warning: goldenpath.toml is not used"),
        "{}",
        out.stderr
    );
}

/// A checked subdirectory keeps the context file rules see (its kustomizations), even
/// though it is not a repository: a kustomize patch below it is still not judged as a
/// workload, and a directory named after it gets the same findings.
#[test]
fn a_subdirectory_keeps_its_kustomize_context() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::copy_dir(
        &common::fixtures().join("corpus/gitops-kustomize"),
        dir.path(),
    );
    std::fs::create_dir_all(dir.path().join(".git")).expect(".git");
    let in_manifests = |report: &serde_json::Value| -> Vec<(String, String, u64)> {
        let mut found: Vec<(String, String, u64)> = findings(report)
            .into_iter()
            .filter(|f| f.file.contains("manifests/"))
            .map(|f| {
                let file = f.file.trim_start_matches("./").to_string();
                (file, f.rule, f.line.unwrap_or(0))
            })
            .collect();
        found.sort();
        found
    };
    let (_, whole) = json(dir.path(), &["."]);
    let (_, sub) = json(dir.path(), &["manifests", "docs"]);
    assert!(
        !in_manifests(&whole).is_empty(),
        "the base deployment has findings: {whole}"
    );
    assert_eq!(in_manifests(&sub), in_manifests(&whole));
    assert!(
        in_manifests(&sub)
            .iter()
            .all(|(file, _, _)| !file.contains("overlays/")),
        "patches are partial objects: {sub}"
    );
}

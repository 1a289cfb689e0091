//! Shipping: the GitHub Action (`action.yml`) and the pre-commit hooks
//! (`.pre-commit-hooks.yaml`).
//!
//! - The action's check step is run with bash exactly as the runner runs a composite
//!   step (`bash --noprofile --norc -eo pipefail FILE`, the step's `env:` with the
//!   inputs, `GITHUB_*` and `RUNNER_TEMP`), over a copy of `fixtures/action`, with the
//!   built binary on PATH in place of the install steps; the files it writes are checked.
//! - Both files are validated against the public schemas in
//!   `../shared/reference/schemas` by goldenpath itself (skipped without that folder,
//!   except in CI, where its absence fails the test).
//! - The hooks' `files` filter is compared with goldenpath's own format detection, and
//!   a file list is shown to parse exactly the files named.
//!
//! The round trip with the real pre-commit is `tests/precommit.sh`, run by `.ci/run`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{copy_dir, root, Goldenpath};
use goldenpath::format::Format;
use serde_json::Value;

/// goldenpath in `dir`.
fn goldenpath(dir: &Path) -> Goldenpath {
    common::goldenpath(dir).env("NO_COLOR", "1")
}

/// A YAML file of this repository as goldenpath's own parser reads it.
fn parse_yaml(name: &str) -> Value {
    let out = goldenpath(&root()).args(["parse", name]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.json()
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// action.yml: static properties

fn steps(action: &Value) -> &Vec<Value> {
    action["runs"]["steps"].as_array().expect("runs.steps")
}

#[test]
fn action_is_composite_and_never_pastes_expressions_into_scripts() {
    let action = parse_yaml("action.yml");
    assert_eq!(text(&action["runs"], "using"), "composite");
    let expression =
        regex::Regex::new(r"^\$\{\{ (inputs|steps)\.[a-z][a-z0-9_.-]*[a-z0-9] \}\}$").unwrap();
    let pinned = regex::Regex::new(r"^[a-z0-9-]+/[a-z0-9_./-]+@[0-9a-f]{40}$").unwrap();
    for step in steps(&action) {
        let name = text(step, "name");
        if let Some(run) = step["run"].as_str() {
            assert!(
                !run.contains("${{"),
                "step `{name}` pastes an expression into run:"
            );
            assert_eq!(text(step, "shell"), "bash", "step `{name}`");
        }
        if let Some(uses) = step["uses"].as_str() {
            assert!(
                pinned.is_match(uses),
                "step `{name}`: `{uses}` is not pinned to a commit"
            );
        }
        for (var, value) in step["env"].as_object().into_iter().flatten() {
            let value = value.as_str().unwrap_or_default();
            assert!(
                expression.is_match(value),
                "step `{name}`: env {var} = `{value}` is not a plain input or step output"
            );
        }
    }
    // Every input is passed to the check step or drives the install steps.
    let check = steps(&action)
        .iter()
        .find(|s| text(s, "id") == "check")
        .expect("a step with id `check`");
    let env = serde_json::to_string(&check["env"]).unwrap();
    for input in action["inputs"].as_object().expect("inputs").keys() {
        if input != "install" {
            assert!(
                env.contains(&format!("inputs.{input} }}}}")),
                "input `{input}` does not reach the check step"
            );
        }
    }
}

#[test]
fn action_builds_its_own_revision_with_the_lock_file() {
    let action = parse_yaml("action.yml");
    let install = steps(&action)
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|run| run.contains("cargo install"))
        .expect("an install step");
    assert!(install.contains("--locked"), "{install}");
    assert!(
        install.contains(r#"--path "$GITHUB_ACTION_PATH""#),
        "{install}"
    );
}

// ---------------------------------------------------------------------------------------
// action.yml: the check step, run as the runner runs it

/// What one run of the action's steps left behind.
struct ActionRun {
    code: i32,
    log: String,
    summary: String,
    outputs: BTreeMap<String, String>,
    workspace: tempfile::TempDir,
    ran: Vec<String>,
}

impl ActionRun {
    fn sarif(&self, path: &str) -> Value {
        let text = std::fs::read_to_string(self.workspace.path().join(path))
            .unwrap_or_else(|e| panic!("{path}: {e}\nlog:\n{}", self.log));
        serde_json::from_str(&text).expect("SARIF is JSON")
    }
}

/// Substitutes `${{ inputs.NAME }}` (the given value, else the input's default) in a
/// step's `env:` value. Step outputs are only used by the install steps, which never run
/// here.
fn evaluate(value: &str, action: &Value, inputs: &[(&str, &str)]) -> String {
    let name = value
        .strip_prefix("${{ inputs.")
        .and_then(|rest| rest.strip_suffix(" }}"))
        .unwrap_or_else(|| panic!("unexpected env value `{value}`"));
    match inputs.iter().find(|(key, _)| *key == name) {
        Some((_, given)) => given.to_string(),
        None => text(&action["inputs"][name], "default").to_string(),
    }
}

/// Runs the action's steps over a copy of `fixtures/action` with `install: "false"` and
/// the built binary as the only `goldenpath` on PATH. Steps whose `if:` needs
/// `install == 'true'` are skipped, as the runner would; every other step must be a
/// bash `run:` step, and is run in order until one fails.
fn run_action(inputs: &[(&str, &str)]) -> ActionRun {
    let action = parse_yaml("action.yml");
    let workspace = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures/action"), workspace.path());
    let runner = tempfile::tempdir().unwrap();
    let bin = runner.path().join("bin");
    let temp = runner.path().join("temp");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&temp).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_goldenpath"), bin.join("goldenpath")).unwrap();
    let summary_path = runner.path().join("step_summary.md");
    let output_path = runner.path().join("output");
    // An earlier step's summary, which the action must keep.
    common::write(&summary_path, "earlier step\n");
    common::write(&output_path, "");
    common::write(runner.path().join("path"), "");

    let mut log = String::new();
    let mut code = 0;
    let mut ran = Vec::new();
    for (i, step) in steps(&action).iter().enumerate() {
        let name = text(step, "name").to_string();
        let condition = text(step, "if");
        if condition.starts_with("inputs.install == 'true'") {
            continue;
        }
        assert_eq!(
            condition, "",
            "step `{name}`: a condition this test cannot evaluate"
        );
        let script = step["run"]
            .as_str()
            .unwrap_or_else(|| panic!("step `{name}` must be a run step or need install"));
        let file = temp.join(format!("step-{i}.sh"));
        common::write(&file, script);
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&file)
            .current_dir(workspace.path())
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("HOME", runner.path())
            .env("NO_COLOR", "1")
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ACTION_PATH", root())
            .env("GITHUB_WORKSPACE", workspace.path())
            .env("GITHUB_STEP_SUMMARY", &summary_path)
            .env("GITHUB_OUTPUT", &output_path)
            .env("GITHUB_PATH", runner.path().join("path"))
            .env("RUNNER_TEMP", &temp)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64");
        for (var, value) in step["env"].as_object().into_iter().flatten() {
            cmd.env(var, evaluate(value.as_str().unwrap(), &action, inputs));
        }
        let out = cmd.output().expect("bash runs");
        log.push_str(&String::from_utf8_lossy(&out.stdout));
        log.push_str(&String::from_utf8_lossy(&out.stderr));
        ran.push(name);
        code = out.status.code().unwrap_or(-1);
        if code != 0 {
            break;
        }
    }
    let outputs = std::fs::read_to_string(&output_path)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ActionRun {
        code,
        log,
        summary: std::fs::read_to_string(&summary_path).unwrap(),
        outputs,
        workspace,
        ran,
    }
}

#[test]
fn action_reports_to_the_log_annotations_summary_and_sarif() {
    let run = run_action(&[]);
    assert_eq!(
        run.ran,
        ["Check"],
        "only the check step runs without install"
    );
    assert_eq!(run.code, 1, "an error fails the step\n{}", run.log);

    // The human report, with workflow commands stopped while it is printed.
    let stop = regex::Regex::new(r"(?m)^::stop-commands::(goldenpath-[0-9a-f]{32})$").unwrap();
    let token = &stop.captures(&run.log).expect("stop-commands")[1];
    let resume = format!("\n::{token}::\n");
    let (human, after) = run.log.split_once(&resume).expect("commands resumed");
    assert!(human.contains("config/service.yaml:2:8"), "{}", run.log);
    assert!(
        human.contains("3 files checked: 1 error, 2 warnings"),
        "{}",
        run.log
    );

    // Annotations, after commands are resumed.
    assert!(
        after.contains(
            "::error file=config/service.yaml,line=2,col=8,endLine=2,endColumn=12,\
             title=main.deny::service `api` has debug switched on"
        ),
        "{}",
        run.log
    );
    assert_eq!(after.matches("::warning file=").count(), 2, "{}", run.log);

    // The summary is appended after what earlier steps wrote.
    assert!(run.summary.starts_with("earlier step\n"), "{}", run.summary);
    assert!(
        run.summary.contains("config/service.yaml"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("main.deny"), "{}", run.summary);

    // SARIF: valid JSON with a result per finding.
    let sarif = run.sarif("goldenpath.sarif");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    let location = &results
        .iter()
        .find(|r| r["ruleId"] == "main.deny")
        .expect("the error")["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "config/service.yaml");
    assert_eq!(location["region"]["startLine"], 2);

    assert_eq!(run.outputs["exit-code"], "1");
    assert_eq!(run.outputs["sarif-file"], "goldenpath.sarif");
}

#[test]
fn action_exit_status_follows_fail_on() {
    // Warnings only: pass at the default threshold, fail at `warning`.
    let worker = [("paths", "config/worker.yaml"), ("fail-on", "error")];
    let run = run_action(&worker);
    assert_eq!(run.code, 0, "{}", run.log);
    assert_eq!(run.outputs["exit-code"], "0");
    assert!(
        run.log.contains("::warning file=config/worker.yaml,line=3"),
        "{}",
        run.log
    );

    let run = run_action(&[("paths", "config/worker.yaml"), ("fail-on", "warning")]);
    assert_eq!(run.code, 1, "{}", run.log);
    assert_eq!(run.outputs["exit-code"], "1");

    // An error, with `never`: reported, but the step passes.
    let run = run_action(&[("fail-on", "never")]);
    assert_eq!(run.code, 0, "{}", run.log);
    assert!(
        run.log.contains("::error file=config/service.yaml"),
        "{}",
        run.log
    );
    assert_eq!(
        run.sarif("goldenpath.sarif")["runs"][0]["results"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn action_inputs_paths_policy_args_and_sarif_file() {
    // Two paths on two lines, the policy named explicitly, an exclusion through `args`,
    // and the SARIF file in a directory that does not exist yet.
    let run = run_action(&[
        ("paths", "config/web.yaml\nconfig/service.yaml"),
        ("policy", "policy/main.rego"),
        (
            "args",
            "--exclude config/ignored/** --sarif-category goldenpath",
        ),
        ("sarif-file", "reports/out/goldenpath.sarif"),
    ]);
    assert_eq!(run.code, 1, "{}", run.log);
    assert!(
        run.log.contains("2 files checked: 1 error, 1 warning"),
        "{}",
        run.log
    );
    let sarif = run.sarif("reports/out/goldenpath.sarif");
    assert_eq!(sarif["runs"][0]["automationDetails"]["id"], "goldenpath/");
    assert_eq!(run.outputs["sarif-file"], "reports/out/goldenpath.sarif");

    // A missing policy is a usage error: exit 2, no SARIF, the output still set.
    let run = run_action(&[("policy", "nowhere/")]);
    assert_eq!(run.code, 2, "{}", run.log);
    assert_eq!(run.outputs["exit-code"], "2");
    assert!(!run.outputs.contains_key("sarif-file"));
}

#[test]
fn action_inputs_are_data_not_shell() {
    let run = run_action(&[
        (
            "paths",
            "$(touch pwned-paths) `touch pwned-backtick` ; touch pwned-semicolon",
        ),
        ("args", "--exclude=$(touch${IFS}pwned-args)"),
        ("config", "$(touch pwned-config)"),
    ]);
    for name in [
        "pwned-paths",
        "pwned-backtick",
        "pwned-semicolon",
        "pwned-args",
        "pwned-config",
    ] {
        assert!(
            !run.workspace.path().join(name).exists(),
            "{name} was created"
        );
    }
    // goldenpath was handed the words as they are: the config file does not exist.
    assert_eq!(run.code, 2, "{}", run.log);
    assert!(run.log.contains("$(touch pwned-config)"), "{}", run.log);
}

// ---------------------------------------------------------------------------------------
// .pre-commit-hooks.yaml

fn hooks() -> Vec<Value> {
    parse_yaml(".pre-commit-hooks.yaml")
        .as_array()
        .expect("a list of hooks")
        .clone()
}

fn hook(id: &str) -> Value {
    hooks()
        .into_iter()
        .find(|h| text(h, "id") == id)
        .unwrap_or_else(|| panic!("hook `{id}`"))
}

#[test]
fn precommit_hooks_run_check_on_files_and_on_the_whole_tree() {
    let ids: Vec<String> = hooks().iter().map(|h| text(h, "id").to_string()).collect();
    assert_eq!(ids, ["goldenpath", "goldenpath-repo"]);

    let files = hook("goldenpath");
    assert_eq!(text(&files, "entry"), "goldenpath check");
    assert_eq!(text(&files, "language"), "rust");
    assert!(
        files.get("pass_filenames").is_none(),
        "file names are passed"
    );

    let repo = hook("goldenpath-repo");
    assert_eq!(text(&repo, "entry"), "goldenpath check");
    assert_eq!(text(&repo, "language"), "rust");
    assert_eq!(repo["pass_filenames"], false);
    assert_eq!(repo["always_run"], true);
    assert_eq!(repo["require_serial"], true);
}

#[test]
fn precommit_files_filter_matches_format_detection() {
    // pre-commit matches `files` with Python's re.search on the path from the repository
    // root; this regex uses only syntax that Python and the regex crate read alike.
    let pattern = text(&hook("goldenpath"), "files").to_string();
    let filter = regex::Regex::new(&pattern).expect("files is a regex");
    let names = [
        "deploy/app.yaml",
        "x.YML",
        "package.json",
        "Cargo.toml",
        "README.md",
        "Makefile",
        ".yaml",
        "Dockerfile",
        "docker/Dockerfile.prod",
        "build.dockerfile",
        "Containerfile",
        "Dockerfiles",
        "my-dockerfile",
        "main.tf",
        "prod.tfvars",
        "job.hcl",
        "setup.ini",
        ".editorconfig",
        ".env",
        ".env.production",
        "local.env",
        ".envrc",
        "app.properties",
        "pom.xml",
        ".gitignore",
        "ctx/.dockerignore",
        "settings.jsonc",
        "tsconfig.json",
        ".vscode/settings.json",
        "src/main.rs",
        "docs/yaml/readme.txt",
        "a.json.bak",
        "json",
        "dir.yaml/notes.txt",
        "policy/main.rego",
        "archive.tar.gz",
        "Jenkinsfile",
        "ci/Jenkinsfile.release",
        "etc/nginx/nginx.conf",
        "other.conf",
        "arith.jsonnet",
        "deployment.cue",
        "sbom.spdx",
        "pass.textpb",
    ];
    for name in names {
        assert_eq!(
            filter.is_match(name),
            Format::detect(Path::new(name)).is_some(),
            "`{name}`: the hook's files filter and goldenpath disagree"
        );
    }
}

#[test]
fn a_file_list_parses_exactly_the_files_named() {
    // What pre-commit does: five file names, in a tree holding more files, some broken.
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| common::write(dir.path().join(name), text);
    write(
        "policy/main.rego",
        "package main\nimport rego.v1\ndeny contains \"always\" if false\n",
    );
    write("a.yaml", "a: 1\n");
    write("b.json", "{\"b\": 2}\n");
    write("c.toml", "c = 3\n");
    write("deploy/d.yml", "d: 4\n");
    write("deploy/Dockerfile", "FROM alpine:3.20\n");
    write("broken.yaml", "a: [unclosed\n");
    write("deploy/broken.json", "{\n");
    write("deploy/e.toml", "e = \n");
    let named = [
        "a.yaml",
        "b.json",
        "c.toml",
        "deploy/d.yml",
        "deploy/Dockerfile",
    ];
    let out = goldenpath(dir.path())
        .args(["check", "--format", "json", "--explain"])
        .args(named)
        .run();
    let stderr = &out.stderr;
    assert_eq!(out.code, 0, "{stderr}");
    let report = out.json();
    assert_eq!(report["summary"]["files"], 5, "{report}");
    assert_eq!(report["summary"]["parse_errors"], 0, "{report}");
    assert_eq!(report["findings"], serde_json::json!([]), "{report}");
    for name in named {
        assert!(stderr.contains(name), "{name} not explained:\n{stderr}");
    }
    assert!(!stderr.contains("broken"), "{stderr}");
    assert!(!stderr.contains("e.toml"), "{stderr}");

    // The same tree as a directory: the broken files are parsed, and fail.
    let out = goldenpath(dir.path())
        .args(["check", "--format", "json"])
        .run();
    assert_eq!(out.code, 1);
    let report = out.json();
    assert_eq!(report["summary"]["files"], 8, "{report}");
    assert_eq!(report["summary"]["parse_errors"], 3, "{report}");
}

// ---------------------------------------------------------------------------------------
// The public schemas

/// `goldenpath check --format json` of `files` (relative to `dir`) with a configuration
/// mapping action.yml and .pre-commit-hooks.yaml to the public schemas.
fn check_against_schemas(schemas: &[&Path; 2], dir: &Path, files: &[&str]) -> (i32, Value) {
    let config_dir = tempfile::tempdir().unwrap();
    let config = config_dir.path().join("goldenpath.toml");
    let schema = |path: &Path| toml_string(&path.canonicalize().unwrap().to_string_lossy());
    std::fs::write(
        &config,
        format!(
            "[[schemas]]\nid = \"github-action\"\nfiles = [\"action.yml\"]\nschema = {}\n\n\
             [[schemas]]\nid = \"pre-commit-hooks\"\nfiles = [\".pre-commit-hooks.yaml\"]\n\
             schema = {}\n",
            schema(schemas[0]),
            schema(schemas[1])
        ),
    )
    .unwrap();
    let out = goldenpath(dir)
        .args(["check", "--format", "json", "--config"])
        .arg(&config)
        .args(files)
        .run();
    (out.code, out.json())
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `(rule, file, line)` of the findings of the two schema mappings.
fn schema_findings(report: &Value) -> Vec<(String, String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "github-action" || f["rule"] == "pre-commit-hooks")
        .map(|f| {
            (
                text(f, "rule").to_string(),
                text(f, "file").to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn action_and_hooks_validate_against_the_public_schemas() {
    let (Some(action_schema), Some(hooks_schema)) = (
        common::reference_schema("github-action.json"),
        common::reference_schema("pre-commit-hooks.json"),
    ) else {
        return;
    };
    let schemas = [action_schema.as_path(), hooks_schema.as_path()];
    let (_, report) =
        check_against_schemas(&schemas, &root(), &["action.yml", ".pre-commit-hooks.yaml"]);
    assert_eq!(report["summary"]["files"], 2, "{report}");
    assert_eq!(report["summary"]["parse_errors"], 0, "{report}");
    assert_eq!(schema_findings(&report), [], "{report}");
    assert_eq!(
        report["summary"]["unmatched_schemas"],
        Value::Null,
        "{report}"
    );

    // The same check catches a broken copy of each file.
    let dir = tempfile::tempdir().unwrap();
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    common::write(
        dir.path().join("action.yml"),
        action.replace("  using: composite", "  using: compost"),
    );
    common::write(
        dir.path().join(".pre-commit-hooks.yaml"),
        hooks.replace("always_run: true", "always_run: sometimes"),
    );
    let (code, report) = check_against_schemas(
        &schemas,
        dir.path(),
        &["action.yml", ".pre-commit-hooks.yaml"],
    );
    assert_eq!(code, 1, "{report}");
    let rules: Vec<String> = schema_findings(&report).into_iter().map(|f| f.0).collect();
    assert!(rules.contains(&"github-action".to_string()), "{report}");
    assert!(rules.contains(&"pre-commit-hooks".to_string()), "{report}");
}

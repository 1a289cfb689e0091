//! Hostile repositories: what a stranger's pull request can put in front of goldenpath in
//! CI. One test per case, each in its own temporary directory, each asserting what the
//! README's "Security" section promises:
//!
//! - the exit status is the documented one (0, 1 or 2), never a signal or a panic (101);
//! - the other files of the repository are still checked: a control file, which the
//!   control policy always flags, is in the JSON report;
//! - every `--report` file is written;
//! - the run's peak memory stays under [`MAX_RSS_MIB`] (runs take turns, so the peak of
//!   all the children waited for so far, which `getrusage` gives, rises only with a run
//!   that needed more than every run before it: that run is the one measured);
//! - what reaches a terminal or a pull request is escaped or inert.
//!
//! The largest cases are the issue's repros scaled to a debug build's speed; each still
//! needs memory that grows with its findings times its line length when sharing or
//! windowing is lost.

#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};

use common::{findings, goldenpath, peak_child_rss_mib, write, Finding, Output};
use serde_json::Value;

/// The most memory one case may use.
const MAX_RSS_MIB: u64 = 300;

/// Every run is killed after this long: a hang fails the case instead of the suite.
const TIMEOUT_SECONDS: u64 = 120;

/// Runs take turns (see the module documentation).
static ONE_RUN_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `command` and checks its peak memory.
fn measured(command: common::Goldenpath) -> Output {
    let _turn = ONE_RUN_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let before = peak_child_rss_mib();
    let out = command.timeout(TIMEOUT_SECONDS).run();
    let after = peak_child_rss_mib();
    if after > before {
        eprintln!("peak memory: {after} MiB");
        assert!(
            after < MAX_RSS_MIB,
            "peak memory {after} MiB (limit {MAX_RSS_MIB} MiB)"
        );
    } else {
        eprintln!("peak memory: at most {before} MiB");
    }
    out
}

/// Flags the control file; `echo` files get their whole input back as a warning (and their
/// `message`, as it is), so a test can see what a policy would see.
const CONTROL_POLICY: &str = r#"package main

import rego.v1

deny contains "control file checked" if input.control == true

warn contains sprintf("input: %v", [input]) if contains(data.conftest.file.name, "echo")

warn contains input.message if {
	contains(data.conftest.file.name, "echo")
	is_string(input.message)
}
"#;

/// The reports every run writes besides the human one on standard output.
const REPORTS: [&str; 6] = ["json", "sarif", "junit", "github", "gitlab", "markdown"];

/// One case: a temporary directory with `policy/` (the control policy) and `repo/` (the
/// repository checked, holding `control.yaml`).
struct Case {
    dir: tempfile::TempDir,
}

/// One run of a case.
struct Run {
    out: Output,
    reports: Vec<(String, Option<String>)>,
}

impl Case {
    fn new() -> Case {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path().join("policy/main.rego"), CONTROL_POLICY);
        write(dir.path().join("repo/control.yaml"), "control: true\n");
        Case { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn repo(&self) -> PathBuf {
        self.root().join("repo")
    }

    /// Writes `repo/<relative>`.
    fn write(&self, relative: &str, contents: impl AsRef<[u8]>) {
        write(self.repo().join(relative), contents);
    }

    /// Adds `policy/<name>.rego`: `rules` in package `main`.
    fn policy(&self, name: &str, rules: &str) {
        write(
            self.root().join(format!("policy/{name}.rego")),
            format!("package main\n\nimport rego.v1\n\n{rules}\n"),
        );
    }

    /// `goldenpath check -p policy <args>` in the case's directory, writing every report
    /// to `out/`; `args` end with the paths checked.
    fn check(&self, args: &[&str]) -> Run {
        self.check_with(goldenpath(self.root()), args)
    }

    fn check_with(&self, command: common::Goldenpath, args: &[&str]) -> Run {
        let out_dir = self.root().join("out");
        std::fs::create_dir_all(&out_dir).expect("mkdir out");
        let mut command = command.args(["check", "-p", "policy", "--policy-timeout", "60s"]);
        for format in REPORTS {
            command = command
                .arg("--report")
                .arg(format!("{format}={}", out_dir.join(format).display()));
        }
        let out = measured(command.args(args));
        let reports = REPORTS
            .iter()
            .map(|f| {
                let text = std::fs::read(out_dir.join(f))
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned());
                (f.to_string(), text)
            })
            .collect();
        let _ = std::fs::remove_dir_all(&out_dir);
        Run { out, reports }
    }
}

impl Run {
    /// Standard output is shorter than `bytes`.
    fn prints_less_than(&self, bytes: usize) {
        let len = self.out.stdout.len();
        assert!(len < bytes, "{len} bytes on standard output");
    }

    /// The run ended with `code`, wrote every report, and checked the control file.
    fn completed(&self, code: i32) -> &Self {
        self.exited(code);
        for (format, text) in &self.reports {
            let text = text
                .as_deref()
                .unwrap_or_else(|| panic!("the {format} report was not written"));
            if matches!(format.as_str(), "json" | "sarif" | "gitlab") {
                serde_json::from_str::<Value>(text)
                    .unwrap_or_else(|e| panic!("the {format} report is not JSON: {e}"));
            }
        }
        assert!(
            self.findings()
                .iter()
                .any(|f| f.file == "repo/control.yaml" && f.message == "control file checked"),
            "the control file is not in the report:\n{:?}",
            self.findings()
        );
        self
    }

    /// The run ended with `code`, by itself.
    fn exited(&self, code: i32) -> &Self {
        assert!(
            !self.out.stderr.contains("panicked"),
            "a panic:\n{}",
            self.out.stderr
        );
        assert_eq!(
            self.out.code, code,
            "exit status (-1: a signal or the timeout)\nstderr:\n{}",
            self.out.stderr
        );
        self
    }

    fn report(&self, format: &str) -> &str {
        self.reports
            .iter()
            .find(|(f, _)| f == format)
            .and_then(|(_, text)| text.as_deref())
            .unwrap_or_else(|| panic!("no {format} report"))
    }

    fn json(&self) -> Value {
        serde_json::from_str(self.report("json")).expect("the JSON report")
    }

    fn findings(&self) -> Vec<Finding> {
        findings(&self.json())
    }

    /// The findings of `rule` in `file`.
    fn of(&self, rule: &str, file: &str) -> Vec<Finding> {
        self.findings()
            .into_iter()
            .filter(|f| f.rule == rule && f.file == file)
            .collect()
    }

    /// Everything the run printed or wrote.
    fn everything(&self) -> String {
        let mut all = format!("{}\n{}", self.out.stdout, self.out.stderr);
        for (_, text) in &self.reports {
            all.push_str(text.as_deref().unwrap_or_default());
        }
        all
    }
}

/// A line of `/etc/passwd` that must never be shown.
const PASSWD: &str = "root:x:0:0";

// ---------------------------------------------------------------------------------------
// Cases that held before the hostile-input work; kept so they keep holding.

#[test]
fn malformed_input_in_every_format() {
    let case = Case::new();
    let broken: [(&str, &[u8]); 14] = [
        ("bad.json", b"{\"a\": [1, 2"),
        ("tsconfig.json", b"{ // comment\n \"a\": "),
        ("bad.yaml", b"a: [unclosed\n  b: {\n"),
        ("bad.toml", b"a = \n[[b]\n"),
        ("bad.tf", b"resource \"x\" {\n  a = [\n"),
        ("bad.xml", b"<a><b></a>"),
        ("bad.ini", b"[section\nkey\n"),
        (".env", b"KEY=\"unterminated\nOTHER='x\n"),
        ("bad.properties", b"key\\\n"),
        ("Dockerfile", b"FROM\nRUN [\"unterminated\n"),
        ("latin1.yaml", b"name: caf\xe9\n"),
        ("nul.json", b"{\"a\": \"\x00\"}"),
        ("bom-only.yaml", b"\xef\xbb\xbf"),
        ("binary.json", b"\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe"),
    ];
    for (name, bytes) in broken {
        case.write(name, bytes);
    }
    let run = case.check(&["repo"]);
    run.completed(1);
    for name in [
        "bad.json",
        "bad.yaml",
        "bad.toml",
        "bad.tf",
        "bad.xml",
        "latin1.yaml",
    ] {
        assert_eq!(
            run.of("parse-error", &format!("repo/{name}")).len(),
            1,
            "{name}"
        );
    }
}

#[test]
fn billion_laughs_in_yaml() {
    let case = Case::new();
    let mut text = String::from("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..=9 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        text.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    case.write("laughs.yaml", text);
    let run = case.check(&["repo"]);
    run.completed(1);
    assert_eq!(run.of("parse-error", "repo/laughs.yaml").len(), 1);
}

#[test]
fn billion_laughs_in_xml() {
    let case = Case::new();
    let mut text =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY l0 \"lol\">\n");
    for i in 1..=9 {
        let refs = format!("&l{};", i - 1).repeat(10);
        text.push_str(&format!("<!ENTITY l{i} \"{refs}\">\n"));
    }
    text.push_str("]>\n<lolz>&l9;</lolz>\n");
    case.write("laughs-echo.xml", text);
    let run = case.check(&["repo"]);
    run.completed(1);
    assert!(!run.everything().contains(&"lol".repeat(100)));
}

#[test]
fn nesting_100k_deep_in_every_format() {
    let case = Case::new();
    let deep = 100_000;
    case.write("deep.json", "[".repeat(deep));
    case.write("deep.yaml", "[".repeat(deep));
    case.write("deep-map.yaml", "{a: ".repeat(deep));
    case.write("deep.toml", format!("a = {}", "[".repeat(deep)));
    case.write("deep.tf", format!("a = {}", "[".repeat(deep)));
    case.write("deep.xml", "<a>".repeat(deep));
    case.write("tsconfig.json", "[".repeat(deep));
    let run = case.check(&["repo"]);
    run.completed(1);
    for name in [
        "deep.json",
        "deep.yaml",
        "deep-map.yaml",
        "deep.toml",
        "deep.tf",
        "deep.xml",
    ] {
        assert_eq!(
            run.of("parse-error", &format!("repo/{name}")).len(),
            1,
            "{name}"
        );
    }
}

#[test]
fn xml_external_entities_are_never_resolved() {
    let case = Case::new();
    case.write(
        "xxe-echo.xml",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<r>&x;</r>\n",
    );
    let run = case.check(&["repo"]);
    run.completed(1);
    assert!(!run.everything().contains(PASSWD));
}

#[test]
fn symbolic_links_in_the_tree_are_not_followed() {
    let case = Case::new();
    let outside = case.root().join("outside");
    write(
        outside.join("secret.yaml"),
        "control: true\nsecret: s3cr3t\n",
    );
    std::os::unix::fs::symlink(&outside, case.repo().join("linked-dir")).expect("symlink");
    std::os::unix::fs::symlink("/etc/passwd", case.repo().join("passwd.yaml")).expect("symlink");
    std::os::unix::fs::symlink("/proc/self/environ", case.repo().join("env.json"))
        .expect("symlink");
    let run = case.check(&["repo"]);
    run.completed(1);
    assert_eq!(run.json()["summary"]["files"], 1, "only the control file");
    let everything = run.everything();
    assert!(!everything.contains(PASSWD) && !everything.contains("s3cr3t"));
}

#[test]
fn fifos_in_the_tree_are_skipped() {
    let case = Case::new();
    mkfifo(&case.repo().join("pipe.yaml"));
    let run = case.check(&["repo"]);
    run.completed(1);
    assert_eq!(run.json()["summary"]["files"], 1, "only the control file");
}

#[test]
fn odd_file_names_are_checked_and_escaped() {
    let case = Case::new();
    let names = [
        "with space.yaml",
        "new\nline.yaml",
        "esc\u{1b}[2Jclear.yaml",
        "bidi\u{202e}lmay.yaml",
        "-rf.yaml",
        "::error::x.yaml",
        "percent%0A.yaml",
        "comma,colon:.yaml",
        "back`tick|pipe.yaml",
        "[link](x).yaml",
        "ünï©ødé.yaml",
    ];
    for name in names {
        case.write(name, "control: true\n");
    }
    let long = format!("{}.yaml", "n".repeat(250));
    case.write(&long, "control: true\n");
    let run = case.check(&["repo"]);
    run.completed(1);
    let checked = run
        .findings()
        .iter()
        .filter(|f| f.message == "control file checked")
        .count();
    assert_eq!(checked, names.len() + 2, "every file checked");
    assert!(!run.out.stdout.contains('\u{1b}'), "{}", run.out.stdout);
    assert!(!run.out.stdout.contains('\u{202e}'));
    assert!(run.out.stdout.contains("esc\\u{1b}[2Jclear.yaml"));
    assert!(run.out.stdout.contains("new\\u{a}line.yaml"));
    // One workflow command per finding, whatever the names.
    let github = run.report("github");
    assert_eq!(github.lines().count(), run.findings().len(), "{github}");
}

#[test]
fn workflow_command_injection_is_escaped() {
    let case = Case::new();
    case.write(
        "inject-echo.yaml",
        "message: \"x\\n::error file=evil.yaml,line=1::forged\\r\\n::add-mask::y %0A::warning::z\"\n",
    );
    let run = case.check(&["repo"]);
    run.completed(1);
    let github = run.report("github");
    assert_eq!(github.lines().count(), run.findings().len(), "{github}");
    for line in github.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
    }
    assert!(
        github.contains("x%0A::error file=evil.yaml,line=1::forged%0D%0A::add-mask::y %250A"),
        "{github}"
    );
}

#[test]
fn output_is_the_same_with_one_thread_or_two() {
    let case = Case::new();
    for i in 0..40 {
        case.write(
            &format!("d{i:02}/deploy-echo.yaml"),
            format!("kind: Deployment\nname: \"d{i}\\u001b[31m\"\n"),
        );
        case.write(&format!("d{i:02}/bad.json"), "{\"a\": ");
    }
    case.write(
        "long.json",
        format!("{{\"control\": true, \"pad\": \"{}\"}}", "x".repeat(80_000)),
    );
    let one = case.check(&["-j", "1", "repo"]);
    let two = case.check(&["-j", "2", "repo"]);
    one.completed(1);
    two.completed(1);
    assert_eq!(one.out.stdout, two.out.stdout);
    assert_eq!(one.reports, two.reports);
}

// ---------------------------------------------------------------------------------------
// The cases that did not hold (issue 14), in its order.

/// 1. Anchors that each wrap the previous alias in 250 `[`: 10,000 levels in 20 KB.
fn alias_depth_bomb() -> String {
    let open = "[".repeat(250);
    let close = "]".repeat(250);
    let mut text = format!("a0: &a0 {open}1{close}\n");
    for k in 1..40 {
        text.push_str(&format!("a{k}: &a{k} {open}*a{}{close}\n", k - 1));
    }
    text
}

#[test]
fn yaml_aliases_count_towards_the_depth_limit() {
    let case = Case::new();
    case.write("x.yaml", alias_depth_bomb());
    let run = case.check(&["repo"]);
    run.completed(1);
    assert_eq!(run.of("parse-error", "repo/x.yaml").len(), 1);
}

#[test]
fn yaml_aliases_count_towards_the_depth_limit_in_the_pack() {
    let case = Case::new();
    case.write("deploy/x.yaml", alias_depth_bomb());
    let run = case.check(&["--builtin", "repo"]);
    run.completed(1);
    assert_eq!(run.of("parse-error", "repo/deploy/x.yaml").len(), 1);
}

#[test]
fn yaml_aliases_count_towards_the_depth_limit_in_parse_file() {
    let case = Case::new();
    case.write("excluded/x.yaml", alias_depth_bomb());
    write(
        case.root().join("policy/repo.rego"),
        "# METADATA\n# custom:\n#   id: REPO-001\n#   severity: error\n#   scope: repository\npackage main.repo\n\nimport rego.v1\n\ndeny contains \"parsed\" if goldenpath.parse_file(\"excluded/x.yaml\") != null\n",
    );
    let run = case.check(&["--all-namespaces", "--exclude", "excluded", "repo"]);
    run.completed(1);
    assert!(
        run.of("REPO-001", "repo").is_empty(),
        "null, not a document"
    );
}

/// A JSON document on one line with a `replicas` value past column 70,000.
#[test]
fn findings_past_column_65535_are_shown() {
    let case = Case::new();
    case.policy(
        "replicas",
        "deny contains {\"msg\": \"replicas below 2\", \"path\": [\"spec\", \"replicas\"]} if input.spec.replicas < 2",
    );
    let pad = "y".repeat(70_000);
    case.write(
        "deploy.json",
        format!("{{\"pad\":\"{pad}\",\"spec\":{{\"replicas\":1}}}}"),
    );
    let run = case.check(&["repo"]);
    run.completed(1);
    let found = run.of("main.deny", "repo/deploy.json");
    assert_eq!(found[0].column, Some(70_030));
    assert!(
        run.out.stdout.contains("deploy.json:1:70030"),
        "{}",
        run.out.stdout
    );
    run.prints_less_than(10_000);
}

#[test]
fn a_truncated_one_line_json_file() {
    let case = Case::new();
    let items = vec![format!("\"{}\"", "x".repeat(100)); 1_000].join(",");
    let text = format!("{{\"a\":[{items}]}}");
    case.write("p.json", &text[..text.len() - 5]);
    let run = case.check(&["repo"]);
    run.completed(1);
    assert_eq!(run.of("parse-error", "repo/p.json").len(), 1);
    run.prints_less_than(10_000);
}

/// 3. A 180 KB one-line Deployment with 400 containers: thousands of findings of the
///    pack on one line (each finding holding its own copy of the line, or printing it,
///    needs half a gigabyte).
#[test]
fn a_one_line_deployment_with_hundreds_of_containers() {
    let case = Case::new();
    let pad = "p".repeat(400);
    let containers: Vec<String> = (0..400)
        .map(|i| format!("{{\"name\":\"c{i}\",\"image\":\"nginx:latest\",\"x-pad\":\"{pad}\"}}"))
        .collect();
    case.write(
        "deploy.yaml",
        format!(
            "{{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{{\"name\":\"web\"}},\"spec\":{{\"replicas\":1,\"selector\":{{\"matchLabels\":{{\"app\":\"web\"}}}},\"template\":{{\"metadata\":{{\"labels\":{{\"app\":\"web\"}}}},\"spec\":{{\"containers\":[{}]}}}}}}}}\n",
            containers.join(",")
        ),
    );
    let run = case.check(&["--builtin", "repo"]);
    run.completed(1);
    let mut per_rule = std::collections::BTreeMap::<String, usize>::new();
    for f in run
        .findings()
        .iter()
        .filter(|f| f.file == "repo/deploy.yaml")
    {
        *per_rule.entry(f.rule.clone()).or_default() += 1;
    }
    assert!(per_rule.values().all(|n| *n <= 101), "{per_rule:?}");
    assert!(
        run.findings()
            .iter()
            .any(|f| f.message.contains("more findings of rule") && f.message.contains("not shown")),
        "a summary finding"
    );
    run.prints_less_than(2_000_000);
}

/// 3. A one-line JSON array of 20,000 documents, each with a warning.
#[test]
fn an_array_of_documents_each_with_a_warning() {
    let case = Case::new();
    case.write(
        "items-echo.json",
        format!("[{}]", vec!["0"; 20_000].join(",")),
    );
    let run = case.check(&["repo"]);
    run.completed(1);
    let warnings = run.of("main.warn", "repo/items-echo.json");
    assert_eq!(warnings.len(), 101, "100 and a summary");
    assert!(warnings.iter().any(|w| w
        .message
        .starts_with("19900 more findings of rule main.warn")));
}

/// 5. Parsers are linear: 100,000 keys in each of the formats that were quadratic (40,000
///    took 12 times as long as 10,000; an 8 MB `.env` did not finish in 15 minutes).
#[test]
fn many_keys_parse_in_linear_time() {
    let case = Case::new();
    let n = 100_000;
    let lines = |f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<Vec<_>>().join("\n");
    case.write(".env", lines(&|i| format!("KEY_{i}=value")));
    case.write("a.properties", lines(&|i| format!("key.{i}=value")));
    case.write("a.ini", lines(&|i| format!("[s{i}]\nkey{i} = v")));
    case.write("a.tf", lines(&|i| format!("k{i} = {i}")));
    let run = case.check(&["repo"]);
    run.completed(1);
    assert_eq!(run.json()["summary"]["files"], 5);
}

/// 6. One whole-file finding on a 5 MB minified JSON document.
#[test]
fn a_whole_file_finding_on_a_minified_file() {
    let case = Case::new();
    case.policy("whole", "deny contains \"the whole file\" if input.whole");
    let items = vec!["{\"k\":1,\"v\":\"abcdefghij\"}"; 200_000].join(",");
    case.write(
        "big.json",
        format!("{{\"whole\":true,\"items\":[{items}]}}"),
    );
    let run = case.check(&["repo"]);
    run.completed(1);
    assert_eq!(run.of("main.deny", "repo/big.json").len(), 1);
    run.prints_less_than(10_000);
}

/// 6. A finding on each of 130 lines of 60,000 characters.
#[test]
fn findings_on_many_long_lines() {
    let case = Case::new();
    case.policy(
        "keys",
        "deny contains {\"msg\": sprintf(\"key %s\", [k]), \"path\": [k]} if some k, _ in input",
    );
    let lines: Vec<String> = (0..130)
        .map(|i| format!("k{i}: \"{}\"", "z".repeat(60_000)))
        .collect();
    case.write("long.yaml", lines.join("\n"));
    let run = case.check(&["repo"]);
    run.completed(1);
    assert_eq!(run.of("main.deny", "repo/long.yaml").len(), 100 + 1);
    run.prints_less_than(200_000);
}

/// 7. Three patterns that each reach the backtracking limit give three findings.
#[test]
fn every_pattern_that_backtracks_too_much_is_reported() {
    let case = Case::new();
    write(
        case.root().join("repo/s.json"),
        r#"{"type": "object", "properties": {
            "a": {"type": "string", "pattern": "^(a|a)*(?=b)\\1?$"},
            "b": {"type": "string", "pattern": "^(b|b)*(?=c)\\1?$"},
            "c": {"type": "string", "pattern": "^(c|c)*(?=d)\\1?$"},
            "d": {"type": "integer"}}}"#,
    );
    case.write(
        "goldenpath.toml",
        "[[schemas]]\nid = \"doc\"\nfiles = [\"doc.json\"]\nschema = \"s.json\"\n",
    );
    case.write(
        "doc.json",
        format!(
            "{{\"a\": \"{}!\", \"b\": \"{}!\", \"c\": \"{}!\", \"d\": \"not a number\"}}",
            "a".repeat(40),
            "b".repeat(40),
            "c".repeat(40)
        ),
    );
    let run = case.check(&["repo"]);
    run.completed(1);
    let mut messages: Vec<String> = run
        .of("doc", "repo/doc.json")
        .into_iter()
        .map(|f| f.message)
        .collect();
    messages.sort();
    assert_eq!(
        messages,
        vec![
            "`a` could not be checked: its pattern needs too much backtracking",
            "`b` could not be checked: its pattern needs too much backtracking",
            "`c` could not be checked: its pattern needs too much backtracking",
            "`d` must be an integer, not a string",
        ]
    );
}

/// 8. A FIFO named on the command line is skipped with a warning, never opened.
#[test]
fn a_fifo_named_on_the_command_line_is_skipped() {
    let case = Case::new();
    mkfifo(&case.repo().join("pipe.yaml"));
    let run = case.check(&["repo", "repo/pipe.yaml", "/dev/zero"]);
    run.completed(1);
    let pipe = run.of("parse-error", "repo/pipe.yaml");
    assert_eq!(pipe.len(), 1);
    assert_eq!(pipe[0].severity, "warning");
    assert_eq!(
        pipe[0].message,
        "a FIFO named on the command line: skipped, never opened"
    );
    assert_eq!(run.of("parse-error", "/dev/zero")[0].severity, "warning");
}

/// 9. File-derived images, links and mentions stay inert in the Markdown summary.
#[test]
fn the_markdown_summary_is_inert() {
    let case = Case::new();
    case.write(
        "live-echo.yaml",
        "a: \"![pixel](https://evil.test/p.png) [click](https://evil.test) @org/team <img src=x> &#64;x #1\"\n",
    );
    let run = case.check(&["repo"]);
    run.completed(1);
    let markdown = run.report("markdown");
    let row = markdown
        .lines()
        .find(|l| l.contains("evil.test"))
        .expect("the finding's row");
    // Outside code spans, nothing is live.
    let plain: String = row.split('`').step_by(2).collect();
    for live in ["![", "](", "@", "<img", "&#", "#1", "https://"] {
        assert!(!plain.contains(live), "{live} in {row}");
    }
    assert!(row.contains("@org/team`"), "{row}");
}

/// 9. Escape sequences from contents, messages and file names never reach the terminal.
#[test]
fn terminal_escapes_are_shown_not_sent() {
    let case = Case::new();
    // YAML escapes give the value raw control characters; the JSON file holds one raw.
    case.write(
        "esc-echo.yaml",
        "title: \"\\e[2J\\e]8;;https://evil.test\\aclick\\e]8;;\\a\\x9b31m\"\n",
    );
    case.write("raw.json", "{\"a\": \"\u{1b}[2J\u{1b}]0;title\u{7}");
    case.write("name\u{1b}[31m.yaml", "control: true\n");
    case.policy(
        "esc",
        "deny contains {\"msg\": sprintf(\"title %s\", [input.title]), \"path\": [\"title\"]} if input.title",
    );
    let run = case.check(&["repo"]);
    run.completed(1);
    let out = &run.out.stdout;
    for raw in ['\u{1b}', '\u{7}', '\u{9b}'] {
        assert!(!out.contains(raw), "{raw:?} reached the terminal:\n{out}");
    }
    assert!(
        out.contains("\\u{1b}[2J\\u{1b}]8;;https://evil.test\\u{7}click"),
        "{out}"
    );
    assert!(out.contains("name\\u{1b}[31m.yaml"), "{out}");
    assert!(
        out.contains("\\u{1b}[2J\\u{1b}]0;title\\u{7}"),
        "the raw line:\n{out}"
    );
}

// ---------------------------------------------------------------------------------------
// 4. A repository's goldenpath.toml never reads, nor shows, files outside it.

/// Runs the case with `repo/goldenpath.toml` holding `config`; it must be refused
/// (exit 2) without showing `secret`.
fn refused(case: &Case, config: &str, secret: &str) -> Output {
    case.write("goldenpath.toml", config);
    let out = measured(
        goldenpath(case.root())
            .env(ENV_SECRET.0, ENV_SECRET.1)
            .args(["check", "repo"]),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("outside the repository"),
        "{}",
        out.stderr
    );
    for secret in [secret, ENV_SECRET.1] {
        assert!(
            !out.stderr.contains(secret) && !out.stdout.contains(secret),
            "{}",
            out.stderr
        );
    }
    assert!(!out.stderr.contains("panicked"));
    out
}

/// A variable of this process's environment, which a child inherits.
const ENV_SECRET: (&str, &str) = ("HOSTILE_TEST_SECRET", "s3cr3t-t0k3n");

#[test]
fn config_data_in_proc_is_refused() {
    let case = Case::new();
    let out = refused(&case, "data = [\"/proc/self/environ\"]\n", PASSWD);
    assert!(
        out.stderr.contains("leads outside the repository"),
        "{}",
        out.stderr
    );
}

#[test]
fn config_data_through_a_symbolic_link_is_refused() {
    let case = Case::new();
    std::os::unix::fs::symlink("/etc/passwd", case.repo().join("data.json")).expect("symlink");
    let out = refused(&case, "data = [\"data.json\"]\n", PASSWD);
    assert!(out.stderr.contains("to `/etc/passwd`"), "{}", out.stderr);
}

#[test]
fn config_schema_outside_is_refused() {
    let case = Case::new();
    refused(
        &case,
        "[[schemas]]\nid = \"s\"\nfiles = [\"*.yaml\"]\nschema = \"/etc/passwd\"\n",
        PASSWD,
    );
}

#[test]
fn a_policy_symlink_out_of_the_repository_is_refused() {
    let case = Case::new();
    write(case.repo().join("policy/ok.rego"), "package main\n");
    std::os::unix::fs::symlink("/etc/passwd", case.repo().join("policy/evil.rego"))
        .expect("symlink");
    let out = refused(&case, "policies = [\"policy\"]\n", PASSWD);
    assert!(out.stderr.contains("evil.rego"), "{}", out.stderr);
}

#[test]
fn a_schema_ref_out_of_the_repository_is_refused() {
    let case = Case::new();
    case.write("s.json", "{\"$ref\": \"file:///etc/passwd\"}");
    refused(
        &case,
        "[[schemas]]\nid = \"s\"\nfiles = [\"*.yaml\"]\nschema = \"s.json\"\n",
        PASSWD,
    );
}

#[test]
fn config_capabilities_outside_is_refused() {
    let case = Case::new();
    refused(&case, "capabilities = \"/etc/passwd\"\n", PASSWD);
}

#[test]
fn a_conftest_toml_outside_the_repository_paths_is_refused() {
    let case = Case::new();
    // conftest.toml is read from the working directory, here the checked repository.
    case.write("conftest.toml", "data = [\"/proc/self/environ\"]\n");
    let out = measured(
        goldenpath(case.repo())
            .env(ENV_SECRET.0, ENV_SECRET.1)
            .args(["check", "."]),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!out.stderr.contains(ENV_SECRET.1), "{}", out.stderr);
    assert!(
        out.stderr.contains("leads outside the repository"),
        "{}",
        out.stderr
    );
}

#[test]
fn paths_on_the_command_line_replace_outside_configuration_paths() {
    let case = Case::new();
    case.write("goldenpath.toml", "data = [\"/proc/self/environ\"]\n");
    write(case.root().join("data/ok.json"), "{\"ok\": true}");
    let run = case.check(&["-d", "data", "repo"]);
    run.completed(1);
}

#[test]
fn special_files_given_on_the_command_line_are_not_read() {
    let case = Case::new();
    let out = measured(
        goldenpath(case.root())
            .env(ENV_SECRET.0, ENV_SECRET.1)
            .args(["check", "-p", "policy", "-d", "/proc/self/environ", "repo"]),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!out.stderr.contains(ENV_SECRET.1), "{}", out.stderr);
    assert!(out.stderr.contains("pseudo-file"), "{}", out.stderr);
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

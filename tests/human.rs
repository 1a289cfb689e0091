//! The reports for people, as the real binary prints them into a pipe: the human report
//! (one grep-able headline per finding, findings on shared lines in one excerpt, never
//! wrapped, the rules with the most findings at the end of big runs), `--format concise`,
//! `--statistics`, `--quiet`, the colour switches, and a closed standard output.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::{goldenpath, run, Output};

/// `goldenpath check ARGS... golden-demo` in `fixtures/`: the demo repository, 32
/// findings of every severity.
fn demo(args: &[&str]) -> Output {
    goldenpath("")
        .arg("check")
        .args(args)
        .arg("golden-demo")
        .run()
}

#[test]
fn the_human_report_groups_findings_and_ends_with_the_top_rules() {
    let out = demo(&[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    insta::assert_snapshot!("golden_demo_human", out.stdout);
    // Every finding's headline is one line with the location and the rule.
    let concise = demo(&["--format", "concise"]).stdout;
    for headline in concise.lines().filter(|l| l.contains("]")) {
        assert!(
            out.stdout.lines().any(|l| l == headline),
            "{headline} is a line of the human report"
        );
    }
}

#[test]
fn nothing_is_wrapped_when_piped_whatever_the_width() {
    let message = "golden-demo/package.json: warning[GP-DEP-003] `package.json` has no committed lockfile (package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, bun.lock, bun.lockb)";
    for columns in ["20", "300"] {
        let out = goldenpath("")
            .env("COLUMNS", columns)
            .args(["check", "golden-demo"])
            .run();
        assert!(
            out.stdout.lines().any(|l| l == message),
            "COLUMNS={columns}:\n{}",
            out.stdout
        );
        assert_eq!(out.stdout, demo(&[]).stdout, "COLUMNS={columns}");
    }
}

#[test]
fn a_very_long_source_line_is_cut_around_the_finding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let long = format!(
        "{{\"padding\": \"{}\", \"debug\": true, \"tail\": \"{}\"}}\n",
        "x".repeat(3000),
        "y".repeat(3000)
    );
    common::write(dir.path().join("app.json"), &long);
    common::write(
        dir.path().join("policy/debug.rego"),
        "package main\n\nimport rego.v1\n\ndeny contains {\"msg\": \"debug is on\", \"path\": [\"debug\"]} if input.debug\n",
    );
    let out = run(dir.path(), &["check", "app.json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "app.json:1:3026: error[main.deny] debug is on");
    let source = lines
        .iter()
        .find(|l| l.starts_with("1 | "))
        .expect("the source line");
    assert!(source.starts_with("1 | …x"), "{source}");
    assert!(source.ends_with("y…"), "{source}");
    assert!(source.contains("\"debug\": true"), "{source}");
    assert!(source.chars().count() <= 210, "{} characters", source.len());
    let underline = lines[lines.iter().position(|l| l == source).expect("line") + 1];
    let column = underline
        .chars()
        .position(|c| c == '^')
        .expect("an underline");
    let marked: String = source.chars().skip(column).take(4).collect();
    assert_eq!(marked, "true", "{source}\n{underline}");
}

#[test]
fn concise_statistics_and_quiet() {
    let concise = demo(&["--format", "concise"]);
    assert_eq!(concise.code, 1);
    insta::assert_snapshot!("golden_demo_concise", concise.stdout);

    let statistics = demo(&["--statistics"]);
    assert_eq!(statistics.code, 1);
    insta::assert_snapshot!("golden_demo_statistics", statistics.stdout);
    let concise_statistics = demo(&["--statistics", "--format", "concise"]).stdout;
    assert!(
        concise_statistics
            .starts_with(&statistics.stdout[..statistics.stdout.find("8 files").expect("summary")]),
        "{concise_statistics}"
    );

    let quiet = demo(&["--quiet"]);
    assert_eq!(quiet.code, 1, "the exit status does not change");
    assert_eq!(quiet.stderr, "");
    insta::assert_snapshot!("golden_demo_quiet", quiet.stdout);
    assert_eq!(demo(&["-q", "--format", "concise"]).stdout, quiet.stdout);
    assert_eq!(
        demo(&["-q", "--format", "json"]).stdout,
        demo(&["--format", "json"]).stdout,
        "machine formats are not affected"
    );
}

#[test]
fn colour_follows_the_flags_then_the_environment() {
    let plain = run("demo", &["check"]).stdout;
    assert!(!plain.contains('\u{1b}'), "no colour into a pipe");
    let coloured = run("demo", &["check", "--color", "always"]).stdout;
    insta::assert_snapshot!("demo_human_color", coloured);
    let strip = |s: &str| {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    assert_eq!(strip(&coloured), plain, "colour changes nothing else");
    let with = |vars: &[(&str, &str)], args: &[&str]| {
        let mut g = goldenpath("demo").arg("check").args(args);
        for (name, value) in vars {
            g = g.env(name, value);
        }
        g.run().stdout
    };
    type Vars<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(Vars, &[&str], bool)] = &[
        (&[("FORCE_COLOR", "1")], &[], true),
        (&[("CLICOLOR_FORCE", "1")], &[], true),
        (&[("FORCE_COLOR", "0")], &[], false),
        (&[("NO_COLOR", "1"), ("FORCE_COLOR", "1")], &[], false),
        (&[("NO_COLOR", "1")], &["--color", "always"], true),
        (&[("FORCE_COLOR", "1")], &["--color", "never"], false),
        (&[("FORCE_COLOR", "1")], &["--no-color"], false),
        (&[("FORCE_COLOR", "1")], &["--format", "concise"], true),
    ];
    for (vars, args, colour) in cases {
        let out = with(vars, args);
        assert_eq!(out.contains('\u{1b}'), *colour, "{vars:?} {args:?}");
    }
    let out = run("demo", &["check", "--color", "always", "--no-color"]);
    assert_eq!(out.code, 2, "the two spellings conflict");
    assert!(out.stderr.starts_with("error:"), "{}", out.stderr);
}

#[test]
fn errors_have_one_style() {
    let missing = run("demo", &["check", "no/such/dir"]);
    assert_eq!(missing.code, 2);
    assert_eq!(missing.stderr, "error: `no/such/dir` does not exist\n");
    let usage = run("demo", &["check", "--fail-on", "sometimes"]);
    assert_eq!(usage.code, 2);
    assert!(usage.stderr.starts_with("error: "), "{}", usage.stderr);
    let explain = run("", &["explain", "GP-NOPE-001"]);
    assert_eq!(explain.code, 2);
    assert!(
        explain.stderr.starts_with("error: no rule `GP-NOPE-001`"),
        "{}",
        explain.stderr
    );
}

/// Runs goldenpath with its standard output closed before it writes: what `| head -0`
/// does. The command must end without a panic.
fn closed_stdout(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_goldenpath"))
        .current_dir(dir)
        .args(args)
        .env("GIT_CEILING_DIRECTORIES", common::fixtures())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("goldenpath starts");
    drop(child.stdout.take());
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    let status = child.wait().expect("goldenpath ends");
    (status.code(), stderr)
}

#[test]
fn a_closed_standard_output_ends_any_command_quietly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = common::fixtures();
    let cases: &[(&std::path::Path, &[&str], i32)] = &[
        (dir.path(), &["init", "new"], 0),
        (&fixtures, &["check", "golden-demo"], 1),
        (
            &fixtures,
            &["check", "--no-fail", "--format", "json", "golden-demo"],
            0,
        ),
        (&fixtures, &["rules"], 0),
        (&fixtures, &["explain", "DL3007"], 0),
        (&fixtures, &["man"], 0),
        (&fixtures, &["completions", "bash"], 0),
        (&fixtures, &["parse", "demo/deploy/web.yaml"], 0),
        (
            &fixtures,
            &["test", "-p", "authoring/policy", "--run", "pinned"],
            0,
        ),
    ];
    for (cwd, args, code) in cases {
        let (status, stderr) = closed_stdout(cwd, args);
        assert_eq!(status, Some(*code), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

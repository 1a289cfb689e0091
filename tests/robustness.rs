//! Bad input never stops a run: a large tree with a few broken files reports exactly the
//! broken ones and checks everything else; files built to exhaust the stack (nesting
//! through YAML aliases and merge keys, HCL block labels, XML repeated elements,
//! `ONBUILD` chains) are parse errors, in the library and through the binary.

mod common;

use common::{check_json, findings, goldenpath, write};
use goldenpath::format::Format;
use goldenpath::parse::parse_text;

const POLICY: &str = r#"package main
import rego.v1
deny contains {"msg": "replicas below 2", "path": ["spec", "replicas"]} if input.spec.replicas < 2
"#;

#[test]
fn ten_thousand_files_with_five_broken() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root.join("policy/main.rego"), POLICY);
    let tree = root.join("tree");
    for i in 0..10_000 {
        let replicas = if i % 10 == 0 { 1 } else { 3 };
        let path = tree.join(format!("svc{:03}/deploy-{i:05}.yaml", i / 100));
        write(
            &path,
            format!("kind: Deployment\nmetadata:\n  name: d{i}\nspec:\n  replicas: {replicas}\n")
                .as_bytes(),
        );
    }
    let broken: [(&str, &[u8]); 5] = [
        ("svc000/deploy-00003.yaml", b"kind: [unclosed\n"),
        (
            "svc010/deploy-01001.yaml",
            b"kind: Deployment\n\tbad: tab\n",
        ),
        ("svc020/deploy-02002.yaml", b"name: caf\xe9\n"),
        ("svc030/deploy-03003.yaml", b"a: *undefined_alias\n"),
        ("svc040/deploy-04004.yaml", b"a: 1\na: [1, 2\n"),
    ];
    for (name, bytes) in broken {
        write(tree.join(name), bytes);
    }
    let out = goldenpath(root)
        .args(["check", "--format", "json", "tree"])
        .run();
    assert_eq!(out.code, 1);
    let report = out.json();
    assert_eq!(report["summary"]["files"], 10_000);
    assert_eq!(report["summary"]["parse_errors"], 5);
    let findings = findings(&report);
    let mut parse_errors: Vec<&str> = findings
        .iter()
        .filter(|f| f.rule == "parse-error")
        .map(|f| f.file.as_str())
        .collect();
    parse_errors.sort_unstable();
    let expected: Vec<String> = broken
        .iter()
        .map(|(name, _)| format!("tree/{name}"))
        .collect();
    assert_eq!(parse_errors, expected);
    // Every parse error has a position.
    assert!(findings
        .iter()
        .filter(|f| f.rule == "parse-error")
        .all(|f| f.line.is_some()));
    // Every tenth file has one replica; none of those is broken, so all 1,000 are found.
    let denied = findings.iter().filter(|f| f.rule == "main.deny").count();
    assert_eq!(denied, 1_000);
    assert!(findings
        .iter()
        .filter(|f| f.rule == "main.deny")
        .all(|f| f.line == Some(5) && f.column == Some(13)));
}

#[test]
fn oversized_files_are_reported_not_parsed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root.join("policy/main.rego"), POLICY);
    write(
        root.join("big.yaml"),
        "spec:\n  replicas: 1\n".repeat(100).as_bytes(),
    );
    write(root.join("small.yaml"), b"spec:\n  replicas: 1\n");
    let out = goldenpath(root)
        .args(["check", "--format", "json", "--max-file-size", "1000", "."])
        .run();
    let findings = findings(&out.json());
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert_eq!(findings[0].rule, "parse-error");
    assert_eq!(findings[0].file, "big.yaml");
    assert!(findings[0].message.contains("over the limit of 1000 bytes"));
    assert_eq!(findings[1].rule, "main.deny");
    assert_eq!(findings[1].file, "small.yaml");
}

fn nested(levels: usize, inner: &str) -> String {
    "[".repeat(levels) + inner + &"]".repeat(levels)
}

/// 40 anchors, each nesting the previous one 250 levels further down (10,000 levels once
/// expanded, in 20 KB).
fn yaml_alias_chain() -> String {
    let mut text = format!("a0: &a0 {}\n", nested(250, "1"));
    for k in 1..40 {
        text += &format!("a{k}: &a{k} {}\n", nested(250, &format!("*a{}", k - 1)));
    }
    text
}

/// The same through merge keys: each mapping merges the previous one 250 levels down.
fn yaml_merge_chain() -> String {
    let mut text = format!("a0: &a0 {{k: {}}}\n", nested(250, "1"));
    for k in 1..40 {
        let merge = format!("{{<<: *a{}}}", k - 1);
        text += &format!("a{k}: &a{k} {{k: {}}}\n", nested(250, &merge));
    }
    text
}

/// A block with 20,000 labels: one object per label.
fn hcl_label_chain() -> String {
    let labels: Vec<String> = (0..20_000).map(|i| format!("\"l{i}\"")).collect();
    format!("a {} {{}}\n", labels.join(" "))
}

/// `ONBUILD` 200,000 times over.
fn onbuild_chain() -> String {
    format!("FROM alpine:3\n{}RUN true\n", "ONBUILD ".repeat(200_000))
}

/// Files that nest deeper than the limit without as many brackets or elements, with the
/// name that gives their format. All but the XML one used to overflow the stack.
fn stack_breakers() -> Vec<(&'static str, Format, String)> {
    vec![
        ("aliases.yaml", Format::Yaml, yaml_alias_chain()),
        ("merges.yaml", Format::Yaml, yaml_merge_chain()),
        ("labels.tf", Format::Hcl2, hcl_label_chain()),
        ("Dockerfile", Format::Dockerfile, onbuild_chain()),
        // 200 element levels, but repeated elements add an array level to each: 301.
        (
            "pom.xml",
            Format::Xml,
            "<a><b/><b>".repeat(100) + &"</b></a>".repeat(100),
        ),
    ]
}

#[test]
fn stack_breakers_are_syntax_errors() {
    for (name, format, text) in stack_breakers() {
        let err = parse_text(format, &text).expect_err(name);
        assert!(err.span.end <= text.len(), "{name}: {err:?}");
    }
    // Both YAML chains fail at the first alias, the one that crosses the limit.
    for text in [yaml_alias_chain(), yaml_merge_chain()] {
        let err = parse_text(Format::Yaml, &text).expect_err("too deep");
        assert_eq!(&text[err.span.start..err.span.end], "*a0");
        assert!(err.message.contains("deeper than 256 levels"), "{err:?}");
    }
}

#[test]
fn stack_breakers_are_parse_errors_and_the_run_goes_on() {
    for (name, _, text) in stack_breakers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root.join("policy/main.rego"), POLICY.as_bytes());
        write(root.join("tree").join(name), text.as_bytes());
        write(root.join("tree/deploy.yaml"), b"spec:\n  replicas: 1\n");
        // A signal (the stack overflow's abort) would have no exit code.
        let (status, report) = check_json(root, &["tree"]);
        assert_eq!(status, 1, "{name}");
        let mut findings: Vec<(&str, &str)> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                let text = |key: &str| f[key].as_str().unwrap_or_default();
                (text("rule"), text("file"))
            })
            .collect();
        findings.sort_unstable();
        let bad = format!("tree/{name}");
        assert_eq!(
            findings,
            vec![
                ("main.deny", "tree/deploy.yaml"),
                ("parse-error", bad.as_str())
            ],
            "{name}"
        );
    }
}

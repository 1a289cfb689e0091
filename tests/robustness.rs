//! Bad input never stops a run: a large tree with a few broken files reports exactly the
//! broken ones and checks everything else.

mod common;

use common::{findings, goldenpath, write};

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

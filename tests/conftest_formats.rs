//! conftest's formats end to end, over conftest's example inputs and policies
//! (`fixtures/conftest-formats/<format>/`): `goldenpath parse` prints the document conftest
//! builds (snapshots), and conftest's per-format acceptance cases give the same exit
//! status and the same messages under `goldenpath check`.

mod common;

use common::Output;

fn goldenpath(args: &[&str]) -> Output {
    common::run("conftest-formats", args)
}

/// `goldenpath parse <args>`, which must succeed.
fn parsed(args: &[&str]) -> String {
    let mut all = vec!["parse"];
    all.extend(args);
    let out = goldenpath(&all);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out.stdout
}

#[test]
fn parse_snapshots() {
    let cases: &[(&str, &[&str])] = &[
        ("hcl1", &["--parser", "hcl1", "hcl1/gke.tf"]),
        ("hocon", &["--parser", "hocon", "hocon/hocon.conf"]),
        ("jsonnet", &["jsonnet/arith.jsonnet"]),
        ("cue", &["cue/deployment.cue"]),
        ("edn", &["edn/sample_config.edn"]),
        ("vcl", &["vcl/varnish.vcl"]),
        ("nginx", &["nginx/nginx.conf"]),
        ("groovy", &["jenkins/Jenkinsfile.safe"]),
        ("textproto", &["textproto/pass.textproto"]),
        ("spdx", &["spdx/sbom.spdx"]),
        (
            "cyclonedx_json",
            &["--parser", "cyclonedx", "cyclonedx/cyclonedx.json"],
        ),
        (
            "cyclonedx_xml",
            &["--parser", "cyclonedx", "cyclonedx/cyclonedx.xml"],
        ),
    ];
    for (name, args) in cases {
        insta::assert_snapshot!(format!("conftest_parse_{name}"), parsed(args));
    }
}

/// `goldenpath check -p <policy> <args>`: the exit code and the messages.
fn check(policy: &str, args: &[&str]) -> (i32, Vec<String>) {
    let mut all = vec!["check", "--format", "json", "-p", policy];
    all.extend(args);
    let out = goldenpath(&all);
    let messages = common::findings(&out.json())
        .into_iter()
        .map(|f| f.message)
        .collect();
    (out.code, messages)
}

/// conftest's acceptance cases for these formats (`acceptance.bats`), with their exit
/// status and the message each expects.
#[test]
fn acceptance_cases() {
    let cases: &[(&str, &[&str], i32, Option<&str>)] = &[
        // "Can parse hcl1 files": a `.tf` file is HCL 2 unless --parser says otherwise.
        ("hcl1/policy/gke.rego", &["hcl1/gke.tf"], 0, None),
        (
            "hcl1/policy/gke_combine.rego",
            &[
                "hcl1/gke.tf",
                "--combine",
                "--parser",
                "hcl1",
                "--all-namespaces",
            ],
            0,
            None,
        ),
        (
            "edn/policy",
            &["edn/sample_config.edn"],
            1,
            Some("Applications in the production environment should have error only logging"),
        ),
        (
            "hocon/policy",
            &["hocon/hocon.conf", "--parser", "hocon"],
            1,
            Some("Play http server port should be 9000"),
        ),
        (
            "vcl/policy",
            &["vcl/varnish.vcl"],
            1,
            Some("default backend port should be 8080"),
        ),
        (
            "jsonnet/policy",
            &["jsonnet/arith.jsonnet"],
            1,
            Some("Concat array should be less than 3"),
        ),
        (
            "cue/policy",
            &["cue/deployment.cue"],
            1,
            Some("The image port should be 8080 in deployment.cue. you have : 8081"),
        ),
        (
            "jenkins/policy",
            &["jenkins/Jenkinsfile"],
            1,
            Some("Pipeline downloads a script and pipes it directly to an interpreter"),
        ),
        ("jenkins/policy", &["jenkins/Jenkinsfile.safe"], 0, None),
        ("nginx/policy", &["nginx/nginx.conf"], 0, None),
        ("spdx/policy", &["spdx/sbom.spdx"], 0, None),
        (
            "cyclonedx/policy",
            &["cyclonedx/cyclonedx.json", "--parser", "cyclonedx"],
            0,
            None,
        ),
        (
            "cyclonedx/policy",
            &["cyclonedx/cyclonedx.xml", "--parser", "cyclonedx"],
            0,
            None,
        ),
        (
            "textproto/policy",
            &["textproto/"],
            1,
            Some("fail: Power level must be over 9000"),
        ),
    ];
    for (policy, args, code, message) in cases {
        let (got, messages) = check(policy, args);
        assert_eq!(got, *code, "{policy} {args:?}: {messages:?}");
        if let Some(message) = message {
            assert!(
                messages.iter().any(|m| m == message),
                "{policy} {args:?}: {messages:?}"
            );
        }
    }
}

#[test]
fn jenkins_finding_is_on_the_step() {
    let out = goldenpath(&[
        "check",
        "--format",
        "json",
        "-p",
        "jenkins/policy",
        "jenkins/Jenkinsfile",
    ]);
    let found = common::findings(&out.json());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].line, Some(6));
}

#[test]
fn textproto_without_a_schema_cannot_look_up_its_message() {
    let dir = tempfile::tempdir().expect("dir");
    common::write(
        dir.path().join("a.textproto"),
        "# proto-message: x.Y\nname: \"a\"\n",
    );
    let out = common::goldenpath(dir.path())
        .args(["parse", "a.textproto"])
        .run();
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("look up message type"),
        "{}",
        out.stderr
    );
}

/// A Jsonnet program that exhausts memory (or loops, or recurses without end) is a
/// parse error of its own file: it is evaluated in a child process with time and memory
/// limits, and every other file is still checked.
#[test]
fn runaway_jsonnet_is_a_parse_error_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    common::write(
        root.join("policy/main.rego"),
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tinput.replicas < 2\n\tmsg := \"too few replicas\"\n}\n",
    );
    common::write(
        root.join("tree/doubling.jsonnet"),
        "local f(s, n) = if n == 0 then s else f(s + s, n - 1); f('x', 40)\n",
    );
    common::write(
        root.join("tree/recursion.jsonnet"),
        "local f(x) = f(x + 1); f(0)\n",
    );
    common::write(root.join("tree/good.jsonnet"), "{ replicas: 1 }\n");
    let (code, report) = common::check_json(root, &["tree"]);
    assert_eq!(code, 1, "{report}");
    let findings: Vec<(String, String)> = common::findings(&report)
        .into_iter()
        .map(|f| (f.file, f.rule))
        .collect();
    assert_eq!(
        findings,
        vec![
            (
                "tree/doubling.jsonnet".to_string(),
                "parse-error".to_string()
            ),
            ("tree/good.jsonnet".to_string(), "main.deny".to_string()),
            (
                "tree/recursion.jsonnet".to_string(),
                "parse-error".to_string()
            ),
        ]
    );
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        messages[0].contains("ran out of memory (limit 1024 MiB)"),
        "{messages:?}"
    );
    assert!(messages[2].contains("stack overflow"), "{messages:?}");
}

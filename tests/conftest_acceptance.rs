//! conftest's own acceptance cases (its `acceptance.bats` and `tests/*/test.bats`), re-expressed
//! over `fixtures/conftest-acceptance/`, which holds inputs and policies written after
//! conftest's `examples/` and `tests/`. Each case runs goldenpath as a conftest user would
//! (`conftest test` is `goldenpath check`, `conftest verify` is `goldenpath test` or its
//! alias `verify`) and checks what conftest's case checks: the exit status (zero or not)
//! and the policy messages. Where conftest's case counts results ("2 tests, 0 passed,
//! 0 warnings, 2 failures"), the same counts are read from goldenpath's JSON report.
//!
//! Left out: cases about formats goldenpath reads through another module (hcl1, edn,
//! hocon, vcl, jsonnet, cue, groovy, spdx, cyclonedx, textproto), cases that need the
//! network (`--update`, `pull`, plugins from URLs, pre-commit), conftest's own commands
//! (`doc`, `fmt`, `plugin`, `reformat`), OPA's test report (`verify --report`) and trace
//! text, and the deliberate differences listed in the README ("Moving from conftest").

mod common;

use common::{goldenpath, Output};

/// The fixture directory of every case, relative to `fixtures/`.
const ROOT: &str = "conftest-acceptance";

/// One case: where it runs, the command line, what standard input holds, and what it
/// must print.
struct Case {
    /// conftest's name for the case.
    name: &'static str,
    /// The working directory, below [`ROOT`].
    dir: &'static str,
    args: &'static [&'static str],
    stdin: Option<&'static str>,
    /// Whether the exit status is non-zero.
    fails: bool,
    /// Text standard output or standard error must contain.
    has: &'static [&'static str],
    /// Text neither may contain.
    lacks: &'static [&'static str],
}

const CASE: Case = Case {
    name: "",
    dir: "",
    args: &[],
    stdin: None,
    fails: false,
    has: &[],
    lacks: &[],
};

const SERVICE_WARNING: &str = "Found service hello-kubernetes but services are not allowed";
const ROOT_CONTAINERS: &str = "Containers must not run as root in Deployment hello-kubernetes";
const IMAGE: &str = r#"unallowed image found ["openjdk:8-jdk-alpine"]"#;
const COMMANDS: &str = r#"unallowed commands found ["apk add --no-cache python3 python3-dev build-base && pip3 install awscli==1.18.1"]"#;
const VERIFY_EMAIL: &str = "Users should verify their e-mail address";

fn run(case: &Case) -> Output {
    let mut run = goldenpath(format!("{ROOT}/{}", case.dir)).args(case.args);
    if let Some(input) = case.stdin {
        run = run.stdin(input);
    }
    run.run()
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(common::fixtures().join(ROOT).join(path)).expect("fixture")
}

fn check_case(case: &Case) {
    let out = run(case);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert_eq!(
        out.code != 0,
        case.fails,
        "{}: exit status {}\n{all}",
        case.name,
        out.code
    );
    assert!(out.code >= 0, "{}: killed\n{all}", case.name);
    for text in case.has {
        assert!(all.contains(text), "{}: no `{text}` in\n{all}", case.name);
    }
    for text in case.lacks {
        assert!(!all.contains(text), "{}: `{text}` in\n{all}", case.name);
    }
}

#[test]
fn conftest_test_cases() {
    let service = fixture("kubernetes/service.yaml");
    let ini = fixture("ini/grafana.ini");
    let cases = [
        Case {
            name: "Not fail when testing a service with a warning",
            args: &[
                "check",
                "-p",
                "kubernetes/policy",
                "kubernetes/service.yaml",
            ],
            has: &[SERVICE_WARNING],
            ..CASE
        },
        Case {
            name: "Not fail when passed an explicit blank filename",
            args: &[
                "check",
                "-p",
                "kubernetes/policy",
                "kubernetes/service.yaml",
                "",
            ],
            has: &[SERVICE_WARNING],
            ..CASE
        },
        Case {
            name: "Fail when testing a deployment with root containers",
            args: &[
                "check",
                "-p",
                "kubernetes/policy",
                "kubernetes/deployment.yaml",
            ],
            fails: true,
            has: &[ROOT_CONTAINERS],
            ..CASE
        },
        Case {
            name: "Fail when testing a service with warnings",
            args: &[
                "check",
                "--fail-on-warn",
                "-p",
                "kubernetes/policy",
                "kubernetes/service.yaml",
            ],
            fails: true,
            has: &[SERVICE_WARNING],
            ..CASE
        },
        Case {
            name: "Fail when testing with no policies path",
            args: &["check", "-p", "no-policies", "kubernetes/deployment.yaml"],
            fails: true,
            ..CASE
        },
        Case {
            name: "Pass when testing a blank namespace",
            args: &[
                "check",
                "--namespace",
                "notpresent",
                "-p",
                "kubernetes/policy",
                "kubernetes/deployment.yaml",
            ],
            lacks: &[ROOT_CONTAINERS],
            ..CASE
        },
        Case {
            name: "Test command with multiple input type",
            args: &[
                "check",
                "traefik/traefik.toml",
                "kubernetes/service.yaml",
                "-p",
                "kubernetes/policy",
            ],
            has: &[SERVICE_WARNING],
            ..CASE
        },
        Case {
            name: "Test command has trace flag",
            args: &[
                "check",
                "-p",
                "kubernetes/policy",
                "kubernetes/service.yaml",
                "--trace",
            ],
            has: &[SERVICE_WARNING],
            ..CASE
        },
        Case {
            name: "Test command with all namespaces flag",
            args: &[
                "check",
                "-p",
                "docker/policy",
                "docker/Dockerfile",
                "--all-namespaces",
            ],
            fails: true,
            has: &[IMAGE, COMMANDS],
            ..CASE
        },
        Case {
            name: "Test command matches a single namespace literally",
            args: &[
                "check",
                "-p",
                "docker/policy",
                "docker/Dockerfile",
                "--namespace",
                "main",
            ],
            fails: true,
            has: &["unallowed image found"],
            lacks: &["unallowed commands found"],
            ..CASE
        },
        Case {
            name: "Test command matches every namespace with a wildcard",
            args: &[
                "check",
                "-p",
                "docker/policy",
                "docker/Dockerfile",
                "--namespace",
                "*",
            ],
            fails: true,
            has: &["unallowed image found", "unallowed commands found"],
            ..CASE
        },
        Case {
            name: "Test command matches namespaces with a wildcard prefix",
            args: &[
                "check",
                "-p",
                "docker/policy",
                "docker/Dockerfile",
                "--namespace",
                "c*",
            ],
            fails: true,
            has: &["unallowed commands found"],
            lacks: &["unallowed image found"],
            ..CASE
        },
        Case {
            name: "Allow .rego files in the policy flag",
            args: &[
                "check",
                "-p",
                "kubernetes/policy/deny.rego",
                "-p",
                "kubernetes/policy/kubernetes.rego",
                "kubernetes/deployment.yaml",
            ],
            fails: true,
            has: &[ROOT_CONTAINERS],
            ..CASE
        },
        Case {
            // conftest prints print() output by default; goldenpath with --trace.
            name: "Supports print() output",
            args: &[
                "check",
                "-p",
                "report/policy_print/labels.rego",
                "kubernetes/deployment.yaml",
                "--no-color",
                "--trace",
            ],
            fails: true,
            has: &["report/policy_print/labels.rego:12: hello-kubernetes"],
            ..CASE
        },
        Case {
            name: "Can parse toml files",
            args: &["check", "-p", "traefik/policy", "traefik/traefik.toml"],
            fails: true,
            has: &[r#"Following ciphers are not allowed: ["TLS_RSA_WITH_AES_256_GCM_SHA384"]"#],
            ..CASE
        },
        Case {
            name: "Can parse xml files",
            args: &["check", "-p", "xml/policy", "xml/pom.xml"],
            fails: true,
            has: &["--- maven-plugin must have the version: 3.6.1"],
            ..CASE
        },
        Case {
            name: "Can parse .dockerignore files",
            args: &[
                "check",
                "-p",
                "ignore/dockerignore/policy",
                "ignore/dockerignore/.dockerignore",
            ],
            fails: true,
            has: &[".git directories should be ignored"],
            ..CASE
        },
        Case {
            name: "Can parse .gitignore files",
            args: &[
                "check",
                "-p",
                "ignore/gitignore/policy",
                "ignore/gitignore/.gitignore",
            ],
            fails: true,
            has: &["id_rsa files should be ignored"],
            ..CASE
        },
        Case {
            name: "Can parse ini files",
            args: &["check", "-p", "ini/policy", "ini/grafana.ini"],
            fails: true,
            has: &[VERIFY_EMAIL],
            ..CASE
        },
        Case {
            name: "Can parse hcl files",
            args: &["check", "-p", "hcl2/policy", "hcl2/terraform.tf"],
            fails: true,
            has: &["ALB `my-alb-listener` is using HTTP rather than HTTPS"],
            ..CASE
        },
        Case {
            name: "Can parse properties files",
            args: &[
                "check",
                "-p",
                "properties/policy/",
                "properties/sample.properties",
            ],
            ..CASE
        },
        Case {
            name: "Using --parser should force the chosen parser and fail the rego policy",
            args: &[
                "check",
                "-p",
                "hcl2/policy",
                "hcl2/terraform.tf",
                "--parser",
                "ini",
            ],
            fails: true,
            ..CASE
        },
        Case {
            name: "Can parse docker files",
            args: &["check", "-p", "docker/policy", "docker/Dockerfile"],
            fails: true,
            has: &[IMAGE],
            ..CASE
        },
        Case {
            name: "Can disable color",
            args: &[
                "check",
                "-p",
                "kubernetes/policy",
                "kubernetes/service.yaml",
                "--no-color",
            ],
            lacks: &["\u{1b}["],
            ..CASE
        },
        Case {
            name: "Multi-file tests correctly fail when last file is fine",
            args: &[
                "check",
                "-p",
                "kubernetes/policy",
                "kubernetes/deployment.yaml",
                "kubernetes/service.yaml",
            ],
            fails: true,
            ..CASE
        },
        Case {
            name: "Can load data along with rego policies",
            args: &[
                "check",
                "-p",
                "data/policy",
                "-d",
                "data/exclusions",
                "data/service.yaml",
            ],
            fails: true,
            has: &["Cannot expose port 22 on LoadBalancer. Denied ports: [22, 21]"],
            ..CASE
        },
        Case {
            name: "Can validate a docker-compose file that conforms to the policy",
            args: &[
                "check",
                "-p",
                "compose/policy",
                "compose/docker-compose-valid.yml",
                "--no-color",
            ],
            ..CASE
        },
        Case {
            name: "Can parse .env files",
            args: &["check", "-p", "dotenv/policy/", "dotenv/sample.env"],
            ..CASE
        },
        Case {
            name: "Should fail if strict is set and there are unused variables in the policy",
            args: &[
                "check",
                "-p",
                "strict-rules/policy/",
                "kubernetes/deployment.yaml",
                "--strict",
            ],
            fails: true,
            has: &[
                "assigned var b unused",
                "assigned var x unused",
                "assigned var c unused",
                "unused argument y",
            ],
            ..CASE
        },
        Case {
            name: "Should fail if an opa function is not defined given capabilities file",
            args: &[
                "check",
                "kubernetes/deployment.yaml",
                "-p",
                "kubernetes/policy/",
                "-p",
                "capabilities/malicious.rego",
                "--capabilities",
                "capabilities/capabilities.json",
            ],
            fails: true,
            has: &[
                "undefined function opa.runtime",
                "undefined function http.send",
            ],
            ..CASE
        },
        Case {
            name: "Should not show any output with quiet flag and all tests succeeds",
            args: &[
                "check",
                "-p",
                "kubernetes/policy/deny.rego",
                "kubernetes/deployment.yaml",
                "--quiet",
            ],
            ..CASE
        },
        Case {
            name: "Should fail evaluation if a builtin function returns error",
            args: &[
                "check",
                "--show-builtin-errors",
                "-p",
                "builtin-errors/invalid-dns.rego",
                "kubernetes/deployment.yaml",
            ],
            fails: true,
            has: &["net.lookup_ip_addr"],
            ..CASE
        },
        Case {
            name: "Can output tap format in test command",
            args: &[
                "check",
                "-p",
                "kubernetes/policy/",
                "-o",
                "tap",
                "kubernetes/deployment.yaml",
            ],
            fails: true,
            has: &["not ok 1 - kubernetes/deployment.yaml - main - "],
            ..CASE
        },
        Case {
            name: "Can output table format in test command",
            args: &[
                "check",
                "-p",
                "kubernetes/policy/",
                "-o",
                "table",
                "kubernetes/deployment.yaml",
            ],
            fails: true,
            has: &["│ failure │ kubernetes/deployment.yaml │ main      │"],
            ..CASE
        },
    ];
    for case in &cases {
        check_case(case);
    }
    let stdin_cases = [
        Case {
            name: "when testing a YAML document via stdin, default parser should be yaml if no parser flag is passed",
            args: &["check", "-p", "kubernetes/policy", "-"],
            has: &["-:1:1: warning[main.warn] Found service hello-kubernetes"],
            ..CASE
        },
        Case {
            name: "Pass when testing a YAML document via stdin",
            args: &["check", "--parser", "yaml", "-p", "kubernetes/policy", "-"],
            has: &[SERVICE_WARNING],
            ..CASE
        },
    ];
    for case in &stdin_cases {
        check_case(&Case {
            stdin: Some(Box::leak(service.clone().into_boxed_str())),
            ..*case
        });
    }
    check_case(&Case {
        name: "Can parse stdin with parser flag",
        args: &["check", "-p", "ini/policy", "--parser", "ini", "-"],
        stdin: Some(Box::leak(ini.into_boxed_str())),
        fails: true,
        has: &[VERIFY_EMAIL],
        lacks: &["Basic auth should be enabled"],
        ..CASE
    });
}

#[test]
fn conftest_verify_cases() {
    let cases = [
        Case {
            name: "Verify command has trace flag",
            args: &["verify", "--policy", "./kubernetes/policy", "--trace"],
            ..CASE
        },
        Case {
            name: "Fail when verifying with no policies path",
            args: &["verify", "-p", "no-policies"],
            fails: true,
            ..CASE
        },
        Case {
            name: "Verify (no report): a passing test",
            args: &["verify", "--policy", "./report/policy", "--policy", "./report/success", "-v"],
            has: &["PASS main.test_no_missing_label"],
            ..CASE
        },
        Case {
            name: "Verify (no report): a passing test whose policy prints",
            args: &["verify", "--policy", "./report/policy_print", "--policy", "./report/success", "--trace"],
            has: &["PASS main.test_no_missing_label", "print: "],
            ..CASE
        },
        Case {
            name: "Verify (no report): a failing test",
            args: &["verify", "--policy", "./report/policy", "--policy", "./report/fail"],
            fails: true,
            has: &["FAIL main.test_missing_required_label_fail"],
            ..CASE
        },
        Case {
            name: "Can verify unit tests using parse_config() and parse_config_file builtins()",
            args: &["test", "-p", "hcl2/policy", "hcl2"],
            ..CASE
        },
        Case {
            name: "Can output tap format in verify command",
            args: &["verify", "-p", "kubernetes/policy/", "-o", "tap"],
            has: &["ok 1 - kubernetes/policy/policy_test.rego - main - data.main.test_"],
            lacks: &["not ok"],
            ..CASE
        },
        Case {
            name: "Can output table format in verify command",
            args: &["verify", "-p", "kubernetes/policy/", "-o", "table"],
            has: &["│ success │ kubernetes/policy/policy_test.rego │ main      │"],
            ..CASE
        },
        Case {
            name: "Fail when unit test rego",
            args: &["verify", "-p", "traefik/policy"],
            fails: true,
            has: &["main.test_ip_with_disallowed_ciphers"],
            ..CASE
        },
        Case {
            name: "Should fail when verifying if strict is set and there are unused variables in the policy",
            args: &["verify", "-p", "strict-rules/policy/", "kubernetes/deployment.yaml", "--strict"],
            fails: true,
            has: &["assigned var b unused", "assigned var x unused", "assigned var c unused", "unused argument y"],
            ..CASE
        },
    ];
    for case in &cases {
        check_case(case);
    }
}

/// `goldenpath COMMAND ARGS -o json` in `dir`: the exit code and the numbers the JSON
/// report's summary holds under `keys`.
fn counts<const N: usize>(
    dir: &str,
    command: &str,
    args: &[&str],
    keys: [&str; N],
) -> (i32, [u64; N]) {
    let out = goldenpath(format!("{ROOT}/{dir}"))
        .arg(command)
        .args(args)
        .args(["-o", "json"])
        .run();
    let report = out.json();
    (
        out.code,
        keys.map(|key| report["summary"][key].as_u64().unwrap_or(u64::MAX)),
    )
}

/// `goldenpath test`: the exit code, the tests passed and the tests failed.
fn test_counts(dir: &str, args: &[&str]) -> (i32, u64, u64) {
    let (code, [passed, failed]) = counts(dir, "test", args, ["passed", "failed"]);
    (code, passed, failed)
}

#[test]
fn conftest_verify_counts() {
    // "4 tests, 4 passed"
    for namespace in [None, Some("main"), Some("ma*")] {
        let mut args = vec!["--policy", "./kubernetes/policy"];
        args.extend(namespace.iter().flat_map(|n| ["--namespace", n]));
        assert_eq!(test_counts("", &args), (0, 4, 0), "{namespace:?}");
    }
    // "0 tests, 0 passed": the namespace filters conftest verify's tests.
    assert_eq!(
        test_counts(
            "",
            &[
                "--policy",
                "./kubernetes/policy",
                "--namespace",
                "doesnotexist"
            ]
        ),
        (0, 0, 0)
    );
    // "Can load data in unit tests": the positional input is left alone.
    assert_eq!(
        test_counts(
            "",
            &[
                "-p",
                "data/policy",
                "-d",
                "data/exclusions",
                "data/service.yaml"
            ]
        ),
        (0, 1, 0)
    );
    // "Can verify rego tests that uses parse_combined_config_files": "2 tests, 2 passed".
    assert_eq!(
        test_counts("", &["--policy", "./kubernetes/combine"]),
        (0, 2, 0)
    );
    // tests/annotations: rego.metadata.rule() in the rule a test exercises.
    assert_eq!(
        test_counts(
            "tests/annotations",
            &["--data", "exclusions", "service.yaml"]
        ),
        (0, 1, 0)
    );
    // tests/builtin-errors: the missing file makes the test fail, not the run.
    assert_eq!(test_counts("tests/builtin-errors", &[]), (1, 0, 1));
    check_case(&Case {
        name: "Parsing error with show-builtin-errors flag returns builtin error",
        dir: "tests/builtin-errors",
        args: &["verify", "--show-builtin-errors=true"],
        fails: true,
        has: &["file_does_not_exist.yaml: no such file or directory"],
        ..CASE
    });
}

/// `goldenpath check`: the exit code, the errors, the warnings and the exceptions.
fn check_counts(dir: &str, args: &[&str]) -> (i32, u64, u64, u64) {
    let (code, [errors, warnings, exceptions]) =
        counts(dir, "check", args, ["errors", "warnings", "exceptions"]);
    (code, errors, warnings, exceptions)
}

#[test]
fn conftest_result_counts() {
    // "Can validate a docker-compose file that does not conform": 2 failures.
    assert_eq!(
        check_counts("", &["-p", "compose/policy", "compose/docker-compose.yml"]),
        (1, 2, 0, 0)
    );
    // "The number of tests run is accurate": 1 warning.
    assert_eq!(
        check_counts("", &["-p", "kubernetes/policy", "kubernetes/service.yaml"]),
        (0, 0, 1, 0)
    );
    // "Exceptions reported correctly" and "Suppress exceptions output": 1 failure, 1 exception.
    for extra in [None, Some("--suppress-exceptions")] {
        let mut args = vec!["-p", "exceptions/policy", "exceptions/deployments.yaml"];
        args.extend(extra);
        assert_eq!(check_counts("", &args), (1, 1, 0, 1), "{extra:?}");
    }
    // "Can combine yaml files" and "Combining multi-document yaml file has same result":
    // 1 failure with the same message.
    let missing = r#"Existing users ["jan.doe@example.com", "john.doe@example.com"] | Configured users ["jane.doe@example.com", "john.doe@example.com"] | Missing users ["jane.doe@example.com"]"#;
    for files in [
        &[
            "combine/team.yaml",
            "combine/user1.yaml",
            "combine/user2.yaml",
        ][..],
        &["combine/team.yaml", "combine/users.yaml"][..],
    ] {
        let mut args = vec!["-p", "combine/policy", "--combine"];
        args.extend(files);
        assert_eq!(check_counts("", &args), (1, 1, 0, 0), "{files:?}");
        let out = goldenpath(ROOT).arg("check").args(&args).run();
        assert!(out.stdout.contains(missing), "{files:?}:\n{}", out.stdout);
    }
    // "Should show output because of failure": 4 failures, and the summary shows.
    let out = goldenpath(ROOT)
        .args([
            "check",
            "-p",
            "kubernetes/policy/",
            "kubernetes/deployment.yaml",
            "--all-namespaces",
            "--quiet",
        ])
        .run();
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("4 errors"), "{}", out.stdout);
    // "Should not show any output with quiet flag and all tests succeeds".
    let out = goldenpath(ROOT)
        .args([
            "check",
            "-p",
            "kubernetes/policy/deny.rego",
            "kubernetes/deployment.yaml",
            "--quiet",
        ])
        .run();
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    // "Output results only once": each of the deployment's four messages once.
    let out = goldenpath(ROOT)
        .args([
            "check",
            "-p",
            "kubernetes/policy",
            "kubernetes/deployment.yaml",
            "-o",
            "concise",
        ])
        .run();
    assert_eq!(
        out.stdout.lines().filter(|l| l.contains("error[")).count(),
        4,
        "{}",
        out.stdout
    );
    // "Can parse files from a symlinked directory": 4 failures in terraform.tf (a HTTP
    // listener, an open ingress, two resources missing tags) and 1 in the policy's own
    // fixture, found through the link.
    #[cfg(unix)]
    {
        let dir = tempfile::tempdir().expect("tempdir");
        let link = dir.path().join("linked");
        std::os::unix::fs::symlink(common::fixtures().join(ROOT).join("hcl2"), &link)
            .expect("symlink");
        let out = goldenpath(ROOT)
            .args(["check", "-p", "hcl2/policy", "-o", "json"])
            .arg(&link)
            .run();
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert_eq!(out.json()["summary"]["errors"], 5, "{}", out.stdout);
    }
}

#[test]
fn conftest_tests_directory_cases() {
    let cases = [
        Case {
            name: "multidir: Can have multiple policy flags",
            dir: "tests/multidir",
            args: &["check", "--policy", "org", "--policy", "team", "data.json"],
            fails: true,
            has: &["Org policy forbids foo=bar", "Team policy forbids baz=qux"],
            ..CASE
        },
        Case {
            name: "multitype: Can parse multi-type files",
            dir: "tests/multitype",
            args: &["check", "deployment.yaml", "grafana.ini"],
            fails: true,
            has: &["Port should be 3000"],
            ..CASE
        },
        Case {
            name: "nested: Can parse nested files with name overlap (first)",
            dir: "tests/nested",
            args: &["check", "--namespace", "group1", "data.json"],
            fails: true,
            has: &["nested json group1 failed"],
            lacks: &["nested json group2 failed"],
            ..CASE
        },
        Case {
            name: "nested: Can parse nested files with name overlap (second)",
            dir: "tests/nested",
            args: &["check", "--namespace", "group2", "data.json"],
            fails: true,
            has: &["nested json group2 failed"],
            lacks: &["nested json group1 failed"],
            ..CASE
        },
        Case {
            name: "nested: Can have multiple namespace flags",
            dir: "tests/nested",
            args: &[
                "check",
                "--namespace",
                "group1",
                "--namespace",
                "group2",
                "data.json",
            ],
            fails: true,
            has: &["nested json group1 failed", "nested json group2 failed"],
            ..CASE
        },
        Case {
            name: "problematic-if: Test works as expected using contains and if",
            dir: "tests/problematic-if",
            args: &["check", "--policy=policy/valid.rego", "data.yaml"],
            fails: true,
            has: &["foo"],
            ..CASE
        },
        Case {
            name: "problematic-if: Error is raised when if is used without contains",
            dir: "tests/problematic-if",
            args: &["check", "--policy=policy/invalid.rego", "data.yaml"],
            fails: true,
            has: &["'if' keyword without 'contains' keyword"],
            ..CASE
        },
        Case {
            name: "return-multiple-failures",
            dir: "tests/return-multiple-failures",
            args: &["check", "-p", "policy.rego", "file.json"],
            fails: true,
            has: &["one", "two", "three"],
            ..CASE
        },
        Case {
            name: "source-location: Location is included in JSON results",
            dir: "tests/source-location",
            args: &[
                "check",
                "-o",
                "json",
                "-d",
                "loc_different_file.yaml",
                "data.yaml",
            ],
            fails: true,
            has: &["\"file\": \"test.txt\"", "\"line\": 123"],
            ..CASE
        },
    ];
    for case in &cases {
        check_case(case);
    }
    assert_eq!(
        check_counts(
            "tests/return-multiple-failures",
            &["-p", "policy.rego", "file.json"]
        ),
        (1, 3, 0, 0)
    );
    assert_eq!(
        check_counts(
            "tests/multidir",
            &["--policy", "org", "--policy", "team", "data.json"]
        ),
        (1, 2, 0, 0)
    );
    assert_eq!(
        check_counts(
            "tests/nested",
            &[
                "--namespace",
                "group1",
                "--namespace",
                "group2",
                "data.json"
            ]
        ),
        (1, 2, 0, 0)
    );
    // tests/rego-version: each policy passes under its own version and is refused under
    // the other, in `check` and in `verify`.
    for (policy, version, fails) in [
        ("v0", "v0", false),
        ("v0", "v1", true),
        ("v1", "v0", true),
        ("v1", "v1", false),
    ] {
        let policy_flag = format!("--policy=policy/{policy}.rego");
        let version_flag = format!("--rego-version={version}");
        for command in [
            vec!["check", &policy_flag, &version_flag, "data.yaml"],
            vec!["verify", &policy_flag, &version_flag],
        ] {
            let out = goldenpath(format!("{ROOT}/tests/rego-version"))
                .args(&command)
                .run();
            assert_eq!(
                out.code != 0,
                fails,
                "{command:?}: {}{}",
                out.stdout,
                out.stderr
            );
        }
    }
}

#[test]
fn conftest_configuration_file() {
    // "Fail due to picking up settings from configuration file".
    let out = goldenpath(format!("{ROOT}/configfile"))
        .args(["check", "deployment.yaml"])
        .run();
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("Containers must not run as root"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("note: using conftest.toml"),
        "the note says conftest.toml was read: {}",
        out.stderr
    );
    // "Fail due to picking up settings from config-file flag": -c before the command.
    let out = goldenpath(ROOT)
        .args([
            "-c",
            "configfile/conftest.toml",
            "check",
            "-p",
            "configfile/test",
            "configfile/deployment.yaml",
        ])
        .run();
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("Containers must not run as root"),
        "{}",
        out.stdout
    );
}

#[test]
fn conftest_commands_and_flags() {
    for args in [&["--version"][..], &["--help"][..]] {
        assert_eq!(goldenpath(ROOT).args(args).run().code, 0, "{args:?}");
    }
    // "Can parse inputs with 'conftest parse'".
    let out = goldenpath(ROOT).args(["parse", "docker/Dockerfile"]).run();
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("\"Cmd\": \"from\""), "{}", out.stdout);
    // "Can parse single file with 'conftest parse'".
    let out = goldenpath(ROOT)
        .args(["parse", "kubernetes/deployment.yaml"])
        .run();
    assert_eq!(out.json()["kind"], "Deployment");
    // "Can parse multiple files with 'conftest parse'".
    let out = goldenpath(ROOT)
        .args([
            "parse",
            "kubernetes/deployment.yaml",
            "kubernetes/service.yaml",
        ])
        .run();
    let keys: Vec<String> = out
        .json()
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        vec!["kubernetes/deployment.yaml", "kubernetes/service.yaml"]
    );
    // "Can parse newly introduced keywords for docker" (from standard input).
    let out = goldenpath(ROOT)
        .args(["parse", "--parser", "dockerfile", "-"])
        .stdin("# syntax=docker/dockerfile:1.4\nFROM alpine\nCOPY --link /foo /bar\n")
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("\"--link\""), "{}", out.stdout);
    // "Can update policies in test command", `pull` and `push`: goldenpath is offline and
    // says what to do instead (exit status 2).
    for args in [
        &[
            "check",
            "--update",
            "https://example.com/deny.rego",
            "compose/docker-compose.yml",
        ][..],
        &["pull", "https://example.com/deny.rego"][..],
        &["push", "example.com/policies:latest"][..],
    ] {
        let out = goldenpath(ROOT).args(args).run();
        assert_eq!(out.code, 2, "{args:?}");
        assert!(
            out.stderr.contains("goldenpath is offline"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(out.stderr.contains("--policy"), "{args:?}: {}", out.stderr);
    }
    // conftest's --ignore: a regular expression over the paths found in a directory.
    let (code, report) = common::check_json(
        ROOT,
        &[
            "-p",
            "kubernetes/policy",
            "--ignore",
            "deploy|combine",
            "kubernetes",
        ],
    );
    assert_eq!(code, 0);
    let files: Vec<String> = common::findings(&report)
        .into_iter()
        .map(|f| f.file)
        .collect();
    assert!(files.iter().all(|f| !f.contains("deployment")), "{files:?}");
    assert!(!files.is_empty(), "service.yaml is still checked");
    let out = goldenpath(ROOT)
        .args([
            "check",
            "-p",
            "kubernetes/policy",
            "--ignore",
            "(",
            "kubernetes",
        ])
        .run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("invalid --ignore pattern `(`"),
        "{}",
        out.stderr
    );
}

#[test]
fn conftest_builtins_in_check() {
    // rego.metadata.rule() in a rule evaluated on a file.
    check_case(&Case {
        name: "rego.metadata.rule() in check",
        dir: "tests/annotations",
        args: &["check", "-d", "exclusions", "service.yaml"],
        fails: true,
        has: &["Cannot expose port 22 on LoadBalancer. Denied ports: [22, 21]"],
        ..CASE
    });
    // parse_config_file reads beside the policy, inside the repository being checked.
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    common::write(dir.path().join("outside.yaml"), "secret: 1\n");
    common::write(repo.join("policy/limits.yaml"), "max: 2\n");
    common::write(repo.join("deploy.yaml"), "replicas: 3\n");
    common::write(
        repo.join("policy/main.rego"),
        r#"package main

deny contains sprintf("replicas %d over %d", [input.replicas, limits.max]) if {
	limits := parse_config_file("limits.yaml")
	input.replicas > limits.max
}

deny contains "read outside" if parse_config_file("../../outside.yaml")
"#,
    );
    let out = goldenpath(&repo)
        .args([
            "check",
            "--show-builtin-errors",
            "-o",
            "concise",
            "deploy.yaml",
        ])
        .run();
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    // The failing builtin fails the rule (as in OPA, the whole of `deny`).
    assert!(
        out.stdout
            .contains("outside.yaml is outside the repository being checked"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("read outside"), "{}", out.stdout);
    // Without --show-builtin-errors the refused read is undefined, as a builtin error is.
    let out = goldenpath(&repo)
        .args(["check", "-o", "concise", "deploy.yaml"])
        .run();
    assert!(out.stdout.contains("replicas 3 over 2"), "{}", out.stdout);
    assert!(!out.stdout.contains("outside"), "{}", out.stdout);
}

#[test]
fn conftest_toml_mistakes_are_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::write(
        dir.path().join("conftest.toml"),
        "policy = \"policy\"\nparser = \"klingon\"\npolcy = \"x\"\n",
    );
    common::write(dir.path().join("a.yaml"), "a: 1\n");
    let out = goldenpath(dir.path()).args(["check", "a.yaml"]).run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("unknown parser `klingon`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("conftest.toml:2"), "{}", out.stderr);
    common::write(
        dir.path().join("conftest.toml"),
        "polcy = \"x\"\nno-color = true\n",
    );
    let out = goldenpath(dir.path())
        .args(["check", "--no-builtin", "a.yaml"])
        .run();
    assert!(
        out.stderr
            .contains("warning: conftest.toml:1: unknown key `polcy`"),
        "{}",
        out.stderr
    );
    // A goldenpath.toml beside it takes precedence.
    common::write(dir.path().join("goldenpath.toml"), "builtin = false\n");
    let out = goldenpath(dir.path()).args(["check", "a.yaml"]).run();
    assert!(!out.stderr.contains("conftest.toml"), "{}", out.stderr);
}

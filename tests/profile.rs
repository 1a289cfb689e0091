//! `check --profile`: the report is unchanged, and the profile (on standard error, or
//! under `profile` in the JSON report) names every stage, format, package and rule that
//! ran, with counts that follow from the checked tree, sorted by cost.

mod common;

use common::run;
use serde_json::Value;

/// The golden demo: its own repository (repository rules run), with a Dockerfile, four
/// Kubernetes documents in one YAML file, a workflow, Terraform and a catalog entity.
const DEMO: &str = "golden-demo";

fn entry<'a>(list: &'a Value, key: &str, name: &str) -> &'a Value {
    list.as_array()
        .expect("a list")
        .iter()
        .find(|e| e[key] == name)
        .unwrap_or_else(|| panic!("no {key} {name} in {list}"))
}

fn totals(list: &Value) -> Vec<u64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|e| e["total_ns"].as_u64().expect("total_ns"))
        .collect()
}

#[test]
fn json_profile_counts_what_ran_sorted_by_cost() {
    let plain = run(DEMO, &["check", "--format", "json"]);
    let profiled = run(DEMO, &["check", "--format", "json", "--profile"]);
    assert_eq!(plain.code, profiled.code, "{}", profiled.stderr);
    assert!(plain.json().get("profile").is_none());
    let mut report = profiled.json();
    let profile = report
        .as_object_mut()
        .and_then(|o| o.remove("profile"))
        .expect("profile");
    assert_eq!(report, plain.json(), "--profile changes nothing else");
    assert!(
        profiled.stderr.is_empty(),
        "the JSON report carries the profile: {}",
        profiled.stderr
    );

    let stages: Vec<&str> = profile["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["stage"].as_str().expect("stage name"))
        .collect();
    assert_eq!(
        stages,
        [
            "load policies",
            "walk",
            "repository context",
            "repository rules",
            "files"
        ]
    );

    // One Dockerfile, one workflow, one Terraform file; the YAML files are the workflow,
    // the catalog entity and the deployment.
    assert_eq!(entry(&profile["parse"], "format", "dockerfile")["count"], 1);
    assert_eq!(entry(&profile["parse"], "format", "yaml")["count"], 3);
    assert_eq!(entry(&profile["parse"], "format", "hcl2")["count"], 1);

    // The deployment file holds four documents: each K8S package runs once per document;
    // repository packages once per repository.
    let packages = &profile["packages"];
    assert_eq!(
        entry(packages, "package", "goldenpath.k8s.resources")["count"],
        4
    );
    assert_eq!(
        entry(packages, "package", "goldenpath.docker.latest_base")["count"],
        1
    );
    assert_eq!(
        entry(packages, "package", "goldenpath.repo.readme")["count"],
        1
    );
    let rule = entry(&profile["rules"], "rule", "GP-K8S-001");
    assert_eq!(rule["package"], "goldenpath.k8s.resources");
    assert_eq!(rule["count"], 4);
    let mean = rule["mean_ns"].as_u64().expect("mean");
    let total = rule["total_ns"].as_u64().expect("total");
    assert!(mean * 4 <= total && total < (mean + 1) * 4, "{rule}");

    for list in ["parse", "packages", "rules"] {
        let t = totals(&profile[list]);
        assert!(
            t.windows(2).all(|w| w[0] >= w[1]),
            "{list} not sorted by cost: {t:?}"
        );
    }
    // Every pack rule that ran is listed with its package.
    let listed: Vec<&str> = profile["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| p["package"].as_str().expect("name"))
        .collect();
    for rule in profile["rules"].as_array().expect("rules") {
        let package = rule["package"].as_str().expect("package");
        assert!(listed.contains(&package), "{package}");
    }
}

#[test]
fn text_profile_follows_the_report_on_stderr() {
    let plain = run(DEMO, &["check"]);
    let profiled = run(DEMO, &["check", "--profile"]);
    assert_eq!(
        plain.stdout, profiled.stdout,
        "--profile changes nothing else"
    );
    assert_eq!(plain.code, profiled.code);
    let text = profiled
        .stderr
        .split_once("profile: ")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no profile on stderr: {}", profiled.stderr));
    let headers: Vec<&str> = text
        .lines()
        .filter(|l| l.ends_with("time") || l.ends_with("mean"))
        .map(|l| l.split_whitespace().next().unwrap_or_default())
        .collect();
    assert_eq!(headers, ["stage", "parse", "package", "rule"]);
    let row = text
        .lines()
        .find(|l| l.starts_with("goldenpath.k8s.resources "))
        .expect("a row for the resources package");
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells.len(), 4, "{row}");
    assert_eq!(cells[2], "4", "{row}");
    let rule = text
        .lines()
        .find(|l| l.starts_with("GP-K8S-001 "))
        .expect("a row for GP-K8S-001");
    assert!(rule.contains(" goldenpath.k8s.resources "), "{rule}");
}

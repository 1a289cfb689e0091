//! Past one machine: `check --shard K/N` and `goldenpath merge` give, in every report
//! format, the bytes and the exit status of the unsharded run; the cache gives the
//! report of an uncached run whatever was edited, added, deleted or renamed, under
//! concurrent runs and over a damaged cache.
//!
//! The trees are the fixture repositories and a monorepo generated here
//! (`common::corpus`).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{corpus, fixtures, goldenpath, write, Goldenpath, Output};

/// The day every run here takes as today.
const TODAY: &str = "2027-01-15";

/// Every report format the binary knows, from its own list (so formats added later are
/// covered too).
fn formats() -> Vec<String> {
    let out = goldenpath("").args(["check", "--format", "?"]).run();
    let list = out
        .stderr
        .split("[possible values: ")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap_or_else(|| panic!("no format list in: {}", out.stderr));
    let formats: Vec<String> = list.split(", ").map(str::to_string).collect();
    assert!(formats.len() >= 8, "{formats:?}");
    formats
}

/// A run in `dir` (relative to `fixtures/`, or absolute) with today frozen.
fn gp(dir: &Path) -> Goldenpath {
    goldenpath(dir).env("GOLDENPATH_TODAY", TODAY)
}

/// What a run wrote: its exit code, its standard output, and each `--report` file.
#[derive(Debug, PartialEq)]
struct Written {
    code: i32,
    stdout: String,
    reports: BTreeMap<String, String>,
}

/// Adds `--report FORMAT=OUT/FORMAT.out` for every format to `g`.
fn every_report(g: Goldenpath, out: &Path, formats: &[String]) -> Goldenpath {
    std::fs::create_dir_all(out).expect("mkdir");
    formats.iter().fold(g, |g, f| {
        g.arg("--report")
            .arg(format!("{f}={}", out.join(format!("{f}.out")).display()))
    })
}

fn written(out: Output, dir: &Path, formats: &[String]) -> Written {
    assert!(out.code < 2, "exit {}: {}", out.code, out.stderr);
    Written {
        code: out.code,
        stdout: out.stdout,
        reports: formats
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(dir.join(format!("{f}.out")))
                    .unwrap_or_else(|e| panic!("{f}: {e}"));
                (f.clone(), text)
            })
            .collect(),
    }
}

/// The unsharded run's reports in every format, and for each N the merge of its N
/// shards; they must be the same bytes and exit the same way.
fn assert_merges_equal_unsharded(dir: &Path, args: &[&str], counts: &[usize]) {
    let formats = formats();
    let scratch = tempfile::tempdir().expect("temp dir");
    let whole_dir = scratch.path().join("whole");
    let whole = every_report(gp(dir).arg("check").args(args), &whole_dir, &formats)
        .args(["--format", "json"])
        .run();
    let whole = written(whole, &whole_dir, &formats);
    assert!(
        !whole.stdout.contains("\"shard\""),
        "an unsharded report has no shard part"
    );
    for &n in counts {
        let mut shards: Vec<PathBuf> = Vec::new();
        for k in 1..=n {
            let file = scratch.path().join(format!("{n}-shard-{k}.json"));
            let out = gp(dir)
                .arg("check")
                .args(args)
                .args(["--format", "json", "--output-file"])
                .arg(&file)
                .arg("--shard")
                .arg(format!("{k}/{n}"))
                .run();
            assert!(out.code < 2, "shard {k}/{n}: {}", out.stderr);
            shards.push(file);
        }
        let merged_dir = scratch.path().join(format!("merged-{n}"));
        let out = every_report(gp(dir).arg("merge").args(&shards), &merged_dir, &formats)
            .args(["--format", "json"])
            .run();
        let merged = written(out, &merged_dir, &formats);
        assert_eq!(merged.code, whole.code, "exit status, {n} shards");
        assert_eq!(merged.stdout, whole.stdout, "stdout, {n} shards");
        for f in &formats {
            assert_eq!(
                merged.reports[f], whole.reports[f],
                "{f}, {n} shards of {dir:?}"
            );
        }
    }
}

#[test]
fn merged_shards_are_the_unsharded_run_in_every_format_on_the_fixtures() {
    let cases: &[(&str, &[&str])] = &[
        ("golden-demo", &["."]),
        ("suppress/inline", &["-p", "../policy"]),
        ("suppress/config", &["-p", "../policy"]),
        ("scorecard", &["bronze", "gold", "none"]),
        ("demo", &["-p", "policy", "--all-namespaces", "."]),
    ];
    for (dir, args) in cases {
        assert_merges_equal_unsharded(&fixtures().join(dir), args, &[1, 2, 3, 7]);
    }
}

#[test]
fn merged_shards_are_the_unsharded_run_on_a_generated_monorepo() {
    let temp = tempfile::tempdir().expect("temp dir");
    corpus::generate(temp.path(), 30, 7);
    assert_merges_equal_unsharded(temp.path(), &[], &[1, 2, 3, 7]);
    // An organisation: several repositories side by side, split across shards.
    let org = tempfile::tempdir().expect("temp dir");
    for (i, name) in ["alpha", "beta", "gamma"].iter().enumerate() {
        corpus::generate(&org.path().join(name), 6, i as u64);
    }
    assert_merges_equal_unsharded(org.path(), &["alpha", "beta", "gamma"], &[1, 2, 3, 7]);
}

/// The shard reports of `dir` for `n` shards, as files in `out`.
fn shard_files(dir: &Path, n: usize, out: &Path, extra: &[&str]) -> Vec<PathBuf> {
    (1..=n)
        .map(|k| {
            let file = out.join(format!("shard-{k}-of-{n}.json"));
            let run = gp(dir)
                .args(["check", "--format", "json", "--output-file"])
                .arg(&file)
                .arg("--shard")
                .arg(format!("{k}/{n}"))
                .args(extra)
                .run();
            assert!(run.code < 2, "{}", run.stderr);
            file
        })
        .collect()
}

fn merge(dir: &Path, files: &[PathBuf]) -> Output {
    gp(dir)
        .arg("merge")
        .args(files)
        .args(["--format", "json"])
        .run()
}

#[test]
fn shard_auto_reads_gitlab_buildkite_and_kubernetes() {
    let dir = fixtures().join("golden-demo");
    let whole = gp(&dir).args(["check", "--format", "json", "."]).run();
    let out = tempfile::tempdir().expect("temp dir");
    /// A CI system: its name, the variables of shard K, extra flags.
    type System<'a> = (
        &'a str,
        Box<dyn Fn(usize) -> Vec<(String, String)>>,
        &'a [&'a str],
    );
    let systems: [System; 3] = [
        (
            "gitlab",
            Box::new(|k| {
                vec![
                    ("CI_NODE_INDEX".into(), k.to_string()),
                    ("CI_NODE_TOTAL".into(), "3".into()),
                ]
            }),
            &[],
        ),
        (
            "buildkite",
            Box::new(|k| {
                vec![
                    ("BUILDKITE_PARALLEL_JOB".into(), (k - 1).to_string()),
                    ("BUILDKITE_PARALLEL_JOB_COUNT".into(), "3".into()),
                ]
            }),
            &[],
        ),
        (
            "kubernetes",
            Box::new(|k| vec![("JOB_COMPLETION_INDEX".into(), (k - 1).to_string())]),
            &["--shard-count", "3"],
        ),
    ];
    for (system, vars, extra) in &systems {
        let files: Vec<PathBuf> = (1..=3)
            .map(|k| {
                let file = out.path().join(format!("{system}-{k}.json"));
                let mut g = gp(&dir)
                    .args([
                        "check",
                        ".",
                        "--format",
                        "json",
                        "--shard",
                        "auto",
                        "--output-file",
                    ])
                    .arg(&file)
                    .args(*extra);
                for (name, value) in vars(k) {
                    g = g.env(&name, value);
                }
                let run = g.run();
                assert!(run.code < 2, "{system}: {}", run.stderr);
                file
            })
            .collect();
        let merged = merge(&dir, &files);
        assert_eq!(merged.stdout, whole.stdout, "{system}");
        assert_eq!(merged.code, whole.code, "{system}");
    }
    let lost = gp(&dir)
        .args(["check", ".", "--shard", "auto"])
        .env("JOB_COMPLETION_INDEX", "0")
        .run();
    assert_eq!(lost.code, 2);
    assert!(lost.stderr.contains("--shard-count"), "{}", lost.stderr);
    let none = gp(&dir).args(["check", ".", "--shard", "auto"]).run();
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("CI_NODE_INDEX"), "{}", none.stderr);
}

#[test]
fn merge_refuses_what_is_not_every_shard_of_one_run() {
    let dir = fixtures().join("golden-demo");
    let out = tempfile::tempdir().expect("temp dir");
    let files = shard_files(&dir, 3, out.path(), &["."]);
    let refused = |files: &[PathBuf], why: &str| {
        let run = merge(&dir, files);
        assert_eq!(run.code, 2, "{why}: {}", run.stdout);
        assert!(run.stdout.is_empty(), "{why}");
        run.stderr
    };
    let missing = refused(&files[..2], "missing");
    assert!(missing.contains("a shard is missing: 3/3"), "{missing}");
    let twice = refused(
        &[files[0].clone(), files[1].clone(), files[1].clone()],
        "twice",
    );
    assert!(twice.contains("shard 2/3 is given twice"), "{twice}");

    // Another configuration: --select changes what the run reports.
    let other = out.path().join("other");
    std::fs::create_dir_all(&other).expect("mkdir");
    let selected = shard_files(&dir, 3, &other, &[".", "--select", "GP-K8S-*"]);
    let mixed = refused(
        &[files[0].clone(), files[1].clone(), selected[2].clone()],
        "configs",
    );
    assert!(mixed.contains("shards of different runs"), "{mixed}");

    // Another version of goldenpath.
    let text = std::fs::read_to_string(&files[2]).expect("read");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("json");
    json["shard"]["version"] = "0.0.1".into();
    let old = out.path().join("old.json");
    write(&old, json.to_string());
    let version = refused(&[files[0].clone(), files[1].clone(), old], "version");
    assert!(version.contains("goldenpath 0.0.1"), "{version}");

    // Another number of shards.
    let halves = shard_files(&dir, 2, out.path(), &["."]);
    let count = refused(&[files[0].clone(), halves[1].clone()], "count");
    assert!(count.contains("not the same number of shards"), "{count}");

    // Another checkout: one more file.
    let copy = tempfile::tempdir().expect("temp dir");
    common::copy_dir(&dir, copy.path());
    write(copy.path().join("extra.yaml"), "kind: ConfigMap\n");
    let copies = out.path().join("copies");
    std::fs::create_dir_all(&copies).expect("mkdir");
    let elsewhere = shard_files(copy.path(), 3, &copies, &["."]);
    let listing = refused(
        &[files[0].clone(), files[1].clone(), elsewhere[2].clone()],
        "listing",
    );
    assert!(listing.contains("found different files"), "{listing}");

    // Not a shard report at all.
    let plain = out.path().join("plain.json");
    let run = gp(&dir).args(["check", ".", "--format", "json"]).run();
    write(&plain, run.stdout);
    let unsharded = refused(std::slice::from_ref(&plain), "plain");
    assert!(unsharded.contains("written without --shard"), "{unsharded}");
    let garbage = out.path().join("garbage.json");
    write(&garbage, "{\"shard\": [");
    let broken = refused(std::slice::from_ref(&garbage), "garbage");
    assert!(broken.contains("not a goldenpath JSON report"), "{broken}");
    let absent = refused(&[out.path().join("nope.json")], "absent");
    assert!(absent.contains("cannot read"), "{absent}");
    // Sharding what cannot be sharded.
    let combine = gp(&dir)
        .args(["check", ".", "--combine", "--shard", "1/2"])
        .run();
    assert_eq!(combine.code, 2);
    assert!(combine.stderr.contains("--combine"), "{}", combine.stderr);
    let baseline = gp(&dir)
        .args(["check", ".", "--shard", "1/2", "--write-baseline"])
        .arg(out.path().join("b.json"))
        .run();
    assert_eq!(baseline.code, 2);
    assert!(
        baseline.stderr.contains("--write-baseline"),
        "{}",
        baseline.stderr
    );
}

#[test]
fn a_long_line_with_many_findings_is_written_once() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    let items: Vec<String> = (0..40_000).map(|i| format!("{{\"n\":{i}}}")).collect();
    let line = format!("{{\"items\": [{}]}}\n", items.join(","));
    assert!(line.len() > 200_000);
    write(dir.join("big.json"), &line);
    write(
        dir.join("policy/many.rego"),
        "package main\n\ndeny contains {\"msg\": sprintf(\"item %d\", [i]), \"path\": [\"items\", i, \"n\"]} if {\n\tsome i\n\tinput.items[i]\n}\n",
    );
    let out = gp(dir)
        .args(["check", "big.json", "--format", "json", "--shard", "1/1"])
        .args([
            "--max-findings-per-rule",
            "0",
            "--max-findings-per-file",
            "0",
        ])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(40_000));
    let shard = &report["shard"];
    assert_eq!(shard["sources"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        shard["sources"][0]["segments"][0]["text"].as_str(),
        Some(line.as_str()),
        "the line is kept once"
    );
    assert_eq!(
        out.stdout.matches("{\\\"n\\\":39999}").count(),
        1,
        "the long line is written once in the whole report"
    );
    // Linear in the findings (a few hundred bytes each, shown and in the shard part),
    // not in findings times the line.
    assert!(
        out.stdout.len() < 40_000 * 600 + 2 * line.len(),
        "{} bytes for 40,000 findings",
        out.stdout.len()
    );
    let file = dir.join("shard.json");
    write(&file, &out.stdout);
    let merged = merge(dir, &[file]);
    let whole = gp(dir)
        .args(["check", "big.json", "--format", "json"])
        .args([
            "--max-findings-per-rule",
            "0",
            "--max-findings-per-file",
            "0",
        ])
        .run();
    assert_eq!(merged.stdout, whole.stdout);
}

// ---------------------------------------------------------------------------------
// The cache

/// The JSON report of `check` in `dir` with `args`, through the cache in `cache` (or
/// without one).
fn cached(dir: &Path, cache: Option<&Path>, args: &[&str]) -> String {
    let mut g = gp(dir).arg("check").args(args).args(["--format", "json"]);
    if let Some(cache) = cache {
        g = g.with_cache(cache);
    }
    g.run().stdout
}

/// The cached run and the uncached run of `dir` give the same reports (JSON, SARIF,
/// human) and exit status.
fn assert_cache_exact(dir: &Path, cache: &Path, args: &[&str], step: &str) {
    for format in ["json", "sarif", "human"] {
        let with = gp(dir)
            .arg("check")
            .args(args)
            .args(["--format", format])
            .with_cache(cache)
            .run();
        let without = gp(dir)
            .arg("check")
            .args(args)
            .args(["--format", format])
            .run();
        assert!(without.code < 2, "{step}: {}", without.stderr);
        assert_eq!(with.code, without.code, "{step}, {format}: {}", with.stderr);
        assert_eq!(with.stdout, without.stdout, "{step}, {format}");
        assert_eq!(with.stderr, without.stderr, "{step}, {format}");
    }
}

#[test]
fn a_cached_run_reports_what_an_uncached_run_does_after_every_kind_of_edit() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("repo");
    corpus::generate(&dir, 12, 3);
    write(
        dir.join("policy/labels.rego"),
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tinput.kind == \"Deployment\"\n\tnot input.metadata.labels.tier\n\tmsg := sprintf(\"%s has no tier label (%s)\", [input.metadata.name, data.policy.owner])\n}\n",
    );
    write(dir.join("data/policy.yaml"), "policy:\n  owner: platform\n");
    let cache = temp.path().join("cache");
    let args = ["-p", "policy", "-d", "data", "--builtin", "."];
    /// An edit of the tree, by name.
    type Step<'a> = (&'a str, Box<dyn Fn(&Path)>);
    let steps: Vec<Step> = vec![
        ("cold", Box::new(|_| {})),
        ("warm", Box::new(|_| {})),
        (
            "edit a manifest",
            Box::new(|d| {
                let path = d.join("services/s2/deploy/deployment.yaml");
                let text = std::fs::read_to_string(&path).expect("read");
                write(&path, text.replace("replicas:", "replicas: 3\n  paused:"));
            }),
        ),
        (
            "add a file",
            Box::new(|d| {
                write(
                    d.join("services/s3/deploy/extra.yaml"),
                    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: c\n    image: nginx:latest\n",
                )
            }),
        ),
        (
            "delete a file",
            Box::new(|d| std::fs::remove_file(d.join("services/s4/Dockerfile")).expect("rm")),
        ),
        (
            "rename a file",
            Box::new(|d| {
                std::fs::rename(
                    d.join("services/s5/deploy/deployment.yaml"),
                    d.join("services/s5/deploy/moved.yaml"),
                )
                .expect("mv")
            }),
        ),
        (
            "rename a directory",
            Box::new(|d| {
                std::fs::rename(d.join("services/s6"), d.join("services/s6-renamed")).expect("mv")
            }),
        ),
        (
            "edit a policy",
            Box::new(|d| {
                let path = d.join("policy/labels.rego");
                let text = std::fs::read_to_string(&path).expect("read");
                write(&path, text.replace("tier", "team"));
            }),
        ),
        (
            "edit data",
            Box::new(|d| write(d.join("data/policy.yaml"), "policy:\n  owner: security\n")),
        ),
        (
            "edit the configuration",
            Box::new(|d| {
                let path = d.join("goldenpath.toml");
                let text = std::fs::read_to_string(&path).expect("read");
                write(
                    &path,
                    text.replace("GP-K8S-009 = \"off\"", "GP-K8S-010 = \"off\"")
                        + "\n[[ignore]]\nfiles = [\"services/s7/**\"]\nreason = \"legacy\"\n",
                );
            }),
        ),
        (
            "add a suppression",
            Box::new(|d| {
                let path = d.join("services/s8/deploy/deployment.yaml");
                let text = std::fs::read_to_string(&path).expect("read");
                write(
                    &path,
                    text.replace(
                        "        image:",
                        "        # goldenpath: ignore[GP-K8S-008] -- pinned\n        image:",
                    ),
                );
            }),
        ),
        (
            "touch the context (a Dockerfile builds the image)",
            Box::new(|d| {
                write(
                    d.join("services/s9/Dockerfile"),
                    "FROM node:20 AS registry.example.com/s9\nUSER 1000\n",
                )
            }),
        ),
        (
            "add a CODEOWNERS rule (a file repository rules read)",
            Box::new(|d| {
                let path = d.join(".github/CODEOWNERS");
                let text = std::fs::read_to_string(&path).expect("read");
                write(&path, text + "/legacy/ not-an-owner\n");
            }),
        ),
    ];
    for (step, edit) in &steps {
        edit(&dir);
        assert_cache_exact(&dir, &cache, &args, step);
    }
}

/// A policy whose message holds the time of its evaluation: the same message twice
/// means the second run took it from the cache.
const CLOCK_POLICY: &str = "package main\n\nimport rego.v1\n\nwarn contains msg if {\n\tinput.kind\n\tmsg := sprintf(\"evaluated at %d\", [time.now_ns()])\n}\n";

fn clock_repo(dir: &Path) {
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    write(dir.join("policy/clock.rego"), CLOCK_POLICY);
    for i in 0..20 {
        write(
            dir.join(format!("m{i}.yaml")),
            format!("kind: ConfigMap\nname: m{i}\n"),
        );
    }
}

fn clock_run(dir: &Path, cache: &Path, extra: &[&str]) -> String {
    let out = gp(dir)
        .args(["check", "-p", "policy", "--format", "json", "."])
        .args(extra)
        .with_cache(cache)
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

#[test]
fn a_damaged_cache_is_ignored_and_rewritten() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("repo");
    clock_repo(&dir);
    let cache = temp.path().join("cache");
    let first = clock_run(&dir, &cache, &[]);
    assert_eq!(
        clock_run(&dir, &cache, &[]),
        first,
        "the second run is cached"
    );
    assert!(cache.join(".gitignore").is_file() && cache.join("CACHEDIR.TAG").is_file());
    let pack = std::fs::read_dir(cache.join("v1"))
        .expect("packs")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .expect("a pack");
    let original = std::fs::read(&pack).expect("read");
    let damages: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", original[..original.len() / 2].to_vec()),
        ("a flipped byte", {
            let mut b = original.clone();
            let i = b.len() - 10;
            b[i] ^= 0x20;
            b
        }),
        ("garbage", b"not a pack\n{}".to_vec()),
        ("empty", Vec::new()),
    ];
    let mut previous = first;
    for (what, bytes) in damages {
        std::fs::write(&pack, bytes).expect("damage");
        let again = clock_run(&dir, &cache, &[]);
        assert_ne!(
            again, previous,
            "{what}: evaluated again, not read from the damaged pack"
        );
        assert_eq!(
            clock_run(&dir, &cache, &[]),
            again,
            "{what}: rewritten, then read"
        );
        previous = again;
    }
}

#[test]
fn concurrent_runs_share_one_cache() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("repo");
    corpus::generate(&dir, 10, 11);
    let cache = temp.path().join("cache");
    let uncached = cached(&dir, None, &["."]);
    let children: Vec<std::thread::JoinHandle<String>> = (0..6)
        .map(|i| {
            let dir = dir.clone();
            let cache = cache.clone();
            std::thread::spawn(move || {
                // Two kinds of runs on one cache: the whole tree and a shard of it.
                let mut g = gp(&dir).args(["check", ".", "--format", "json"]);
                if i % 2 == 1 {
                    g = g.args(["--shard", "1/2"]);
                }
                g.with_cache(&cache).run().stdout
            })
        })
        .collect();
    let outputs: Vec<String> = children
        .into_iter()
        .map(|c| c.join().expect("thread"))
        .collect();
    for (i, out) in outputs.iter().enumerate() {
        if i % 2 == 0 {
            assert_eq!(out, &uncached, "run {i}");
        } else {
            assert!(out.contains("\"shard\""), "run {i}");
        }
    }
    assert_eq!(cached(&dir, Some(&cache), &["."]), uncached);
    // Runs that keep evaluating (a clock in the message) leave one readable pack: the
    // next run repeats what one of them wrote.
    let clock = temp.path().join("clock");
    clock_repo(&clock);
    let clock_cache = temp.path().join("clock-cache");
    let runs: Vec<std::thread::JoinHandle<String>> = (0..4)
        .map(|_| {
            let (clock, clock_cache) = (clock.clone(), clock_cache.clone());
            std::thread::spawn(move || clock_run(&clock, &clock_cache, &[]))
        })
        .collect();
    let written: Vec<String> = runs
        .into_iter()
        .map(|r| r.join().expect("thread"))
        .collect();
    let after = clock_run(&clock, &clock_cache, &[]);
    assert!(
        written.contains(&after),
        "the pack one of them wrote is read"
    );
}

#[test]
fn a_cache_planted_in_the_repository_is_not_trusted() {
    // A pull request may commit a `.goldenpath_cache` whose packs claim any result (none
    // at all, say); a CI cache may have been written by another job. A run trusts only
    // packs signed with its own key.
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("repo");
    clock_repo(&dir);
    let run = |key: &str| {
        let out = gp(&dir)
            .args(["check", "-p", "policy", "--format", "json", "."])
            .env_remove("GOLDENPATH_NO_CACHE")
            .env("GOLDENPATH_CACHE_KEY", key)
            .run();
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    let planted = run("the attacker's");
    assert!(
        dir.join(".goldenpath_cache/v1").is_dir(),
        "planted in the repository"
    );
    assert_eq!(run("the attacker's"), planted, "trusted by its own key");
    let ours = run("ours");
    assert_ne!(
        ours, planted,
        "evaluated again, not read from the planted pack"
    );
    assert_eq!(run("ours"), ours, "then cached under our key");
    // A cache directory committed as a symbolic link would aim the cache's writes and
    // pruning elsewhere: it is not used.
    #[cfg(unix)]
    {
        let outside = temp.path().join("outside");
        std::fs::create_dir_all(&outside).expect("mkdir");
        std::fs::remove_dir_all(dir.join(".goldenpath_cache")).expect("rm");
        std::os::unix::fs::symlink(&outside, dir.join(".goldenpath_cache")).expect("symlink");
        let first = run("ours");
        assert_ne!(run("ours"), first, "not cached");
        assert_eq!(
            std::fs::read_dir(&outside).expect("outside").count(),
            0,
            "nothing written through the link"
        );
    }
}

#[test]
fn the_cache_directory_settings_and_no_cache() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("repo");
    clock_repo(&dir);
    let run = |g: Goldenpath| {
        let out = g.run();
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    let check = |extra: &[&str]| {
        gp(&dir)
            .args(["check", "-p", "policy", "--format", "json", "."])
            .args(extra)
            .env_remove("GOLDENPATH_NO_CACHE")
    };
    // The default: .goldenpath_cache at the repository root, ignored by git and never
    // checked itself, even without ignore files.
    let first = run(check(&[]));
    assert!(dir.join(".goldenpath_cache/.gitignore").is_file());
    assert_eq!(run(check(&[])), first);
    let files = |text: &str| {
        serde_json::from_str::<serde_json::Value>(text).expect("json")["summary"]["files"].clone()
    };
    assert_eq!(files(&run(check(&["--no-ignore"]))), files(&first));
    // Turned off: evaluated again, nothing written.
    let packs = |cache: &Path| {
        std::fs::read_dir(cache.join("v1"))
            .map(|d| {
                d.flatten()
                    .map(|e| std::fs::read(e.path()).unwrap_or_default())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let before = packs(&dir.join(".goldenpath_cache"));
    assert_ne!(run(check(&["--no-cache"])), first);
    assert_ne!(run(check(&[]).env("GOLDENPATH_NO_CACHE", "1")), first);
    assert_eq!(packs(&dir.join(".goldenpath_cache")), before);
    // Elsewhere: --cache-dir, then GOLDENPATH_CACHE_DIR, then `cache-dir` in the
    // configuration (relative to it).
    let flag = temp.path().join("flag");
    let by_flag = run(check(&["--cache-dir", flag.to_str().expect("utf-8")]));
    assert_eq!(
        run(check(&["--cache-dir", flag.to_str().expect("utf-8")])),
        by_flag
    );
    assert_eq!(packs(&flag).len(), 1);
    write(dir.join("goldenpath.toml"), "cache-dir = \"build/cache\"\n");
    let by_config = run(check(&[]));
    assert_eq!(packs(&dir.join("build/cache")).len(), 1);
    assert_eq!(run(check(&[])), by_config);
    let env = temp.path().join("env");
    run(check(&[]).env("GOLDENPATH_CACHE_DIR", &env));
    assert_eq!(
        packs(&env).len(),
        1,
        "the environment beats the configuration"
    );
}

/// One edit of a generated repository, for the property below.
#[derive(Clone, Debug)]
enum Edit {
    /// A manifest's image gets this tag (`latest` is a finding).
    Image(usize, &'static str),
    /// A new file in a service.
    Add(usize),
    /// A service's Dockerfile goes.
    Delete(usize),
    /// A service's manifest moves.
    Rename(usize),
    /// The configuration turns a rule off, or ignores a service.
    Config(usize),
    /// The policy changes its message.
    Policy(usize),
    /// The data the policy reads changes.
    Data(usize),
    /// A suppression comment is written above an image.
    Suppress(usize),
}

fn edit_strategy() -> impl proptest::strategy::Strategy<Value = Edit> {
    use proptest::prelude::*;
    let service = 0usize..5;
    prop_oneof![
        (
            service.clone(),
            prop::sample::select(vec!["latest", "1.2.3", "2.0.0"])
        )
            .prop_map(|(s, t)| Edit::Image(s, t)),
        service.clone().prop_map(Edit::Add),
        service.clone().prop_map(Edit::Delete),
        service.clone().prop_map(Edit::Rename),
        (0usize..3).prop_map(Edit::Config),
        (0usize..3).prop_map(Edit::Policy),
        (0usize..3).prop_map(Edit::Data),
        service.prop_map(Edit::Suppress),
    ]
}

fn apply(dir: &Path, edit: &Edit) {
    let manifest = |s: usize| dir.join(format!("services/s{s}/deploy/deployment.yaml"));
    let rewrite = |path: PathBuf, f: &dyn Fn(String) -> String| {
        if let Ok(text) = std::fs::read_to_string(&path) {
            write(&path, f(text));
        }
    };
    match edit {
        Edit::Image(s, tag) => rewrite(manifest(*s), &|t| {
            t.lines()
                .map(|l| match l.split_once("image: ") {
                    Some((lead, image)) => {
                        let name = image.split(':').next().unwrap_or(image);
                        format!("{lead}image: {name}:{tag}\n")
                    }
                    None => format!("{l}\n"),
                })
                .collect()
        }),
        Edit::Add(s) => write(
            dir.join(format!("services/s{s}/deploy/job-{}.yaml", s * 7 % 5)),
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: busybox\n",
        ),
        Edit::Delete(s) => {
            let _ = std::fs::remove_file(dir.join(format!("services/s{s}/Dockerfile")));
        }
        Edit::Rename(s) => {
            let _ = std::fs::rename(
                manifest(*s),
                dir.join(format!("services/s{s}/deploy/renamed.yaml")),
            );
        }
        Edit::Config(n) => rewrite(dir.join("goldenpath.toml"), &|t| {
            t + &match n {
                0 => "\n[[ignore]]\nfiles = [\"services/s2/**\"]\nrules = [\"GP-DOCKER-*\"]\nreason = \"r\"\n".to_string(),
                1 => "\n[[overrides]]\nfiles = [\"services/s3/**\"]\nrules = { GP-K8S-008 = \"info\" }\n".to_string(),
                _ => "\n# a comment only\n".to_string(),
            }
        }),
        Edit::Policy(n) => write(
            dir.join("policy/tier.rego"),
            format!("package main\n\nimport rego.v1\n\ndeny contains msg if {{\n\tinput.kind == \"Deployment\"\n\tmsg := sprintf(\"v{n}: %s for %s\", [input.metadata.name, data.owner])\n}}\n"),
        ),
        Edit::Data(n) => write(dir.join("data/owner.json"), format!("{{\"owner\": \"team-{n}\"}}\n")),
        Edit::Suppress(s) => rewrite(manifest(*s), &|t| {
            t.replacen(
                "        image:",
                "        # goldenpath: ignore[GP-K8S-008, GP-K8S-003] -- reviewed\n        image:",
                1,
            )
        }),
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(6),
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Whatever is edited, in whatever order, a run through the cache reports what a run
    /// without it does.
    #[test]
    fn any_edits_keep_the_cache_exact(edits in proptest::collection::vec(edit_strategy(), 1..5)) {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = temp.path().join("repo");
        corpus::generate(&dir, 5, 21);
        apply(&dir, &Edit::Policy(0));
        apply(&dir, &Edit::Data(0));
        let cache = temp.path().join("cache");
        let args = ["-p", "policy", "-d", "data", "--builtin", "."];
        let run = |cache: Option<&Path>| {
            let mut g = gp(&dir).arg("check").args(args).args(["--format", "json"]);
            if let Some(cache) = cache {
                g = g.with_cache(cache);
            }
            let out = g.run();
            (out.code, out.stdout, out.stderr)
        };
        proptest::prop_assert_eq!(run(Some(&cache)), run(None), "cold");
        for (i, edit) in edits.iter().enumerate() {
            apply(&dir, edit);
            proptest::prop_assert_eq!(run(Some(&cache)), run(None), "after edit {} ({:?})", i, edit);
        }
    }
}

// ---------------------------------------------------------------------------------
// The README's recipes

/// The README code block whose info string ends `recipe=NAME`.
fn recipe(name: &str) -> String {
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let mut lines = readme.lines();
    let opening = format!(" recipe={name}");
    lines
        .by_ref()
        .find(|l| l.starts_with("```") && l.ends_with(&opening))
        .unwrap_or_else(|| panic!("no recipe {name} in the README"));
    let mut text: String = lines
        .take_while(|l| !l.starts_with("```"))
        .map(|l| format!("{l}\n"))
        .collect();
    text = text.replace("\r", "");
    text
}

/// Splits a shell command line into words: double quotes group, `$NAME` and `${NAME}`
/// take their value from `vars`, `*` in a word expands against `dir`; stops at `||`.
fn shell_words(line: &str, vars: &[(&str, String)], dir: &Path) -> Vec<String> {
    let line = line.split(" || ").next().unwrap_or(line);
    let mut expanded = line.to_string();
    for (name, value) in vars {
        expanded = expanded
            .replace(&format!("${{{name}}}"), value)
            .replace(&format!("${name}"), value);
    }
    common::split_words(&expanded, '"')
        .into_iter()
        .flat_map(|w| match w.split_once('*') {
            Some((before, after)) => {
                let (parent, prefix) = match before.rsplit_once('/') {
                    Some((p, f)) => (format!("{p}/"), f.to_string()),
                    None => (String::new(), before.to_string()),
                };
                let mut matched: Vec<String> = std::fs::read_dir(dir.join(&parent))
                    .map(|d| {
                        d.flatten()
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .filter(|n| n.starts_with(&prefix) && n.ends_with(after))
                            .map(|n| format!("{parent}{n}"))
                            .collect()
                    })
                    .unwrap_or_default();
                matched.sort();
                matched
            }
            None => vec![w],
        })
        .collect()
}

/// The `goldenpath check` and `goldenpath merge` commands of a recipe's scripts, as
/// arguments after `goldenpath`; a `mkdir -p DIR` of the scripts is done in `dir`.
fn recipe_commands(text: &str, vars: &[(&str, String)], dir: &Path) -> Vec<Vec<String>> {
    text.lines()
        .filter_map(|line| {
            if let Some(made) = line.split("mkdir -p ").nth(1) {
                std::fs::create_dir_all(dir.join(made.trim())).expect("mkdir -p");
                return None;
            }
            let at = line
                .find("goldenpath check ")
                .or_else(|| line.find("goldenpath merge "))?;
            Some(shell_words(&line[at + "goldenpath ".len()..], vars, dir))
        })
        .collect()
}

/// The JSON report of the pack on `files` in a repository in `dir`.
fn pack_findings(dir: &Path, files: &[&str]) -> serde_json::Value {
    let out = gp(dir)
        .args(["check", "--format", "json"])
        .args(files)
        .run();
    assert!(out.code < 2, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("json")
}

/// Runs a recipe's commands (with `vars` per shard) in a copy of the golden-demo
/// fixture; the merge's reports must be the unsharded run's.
fn run_recipe(
    text: &str,
    shards: usize,
    vars: &dyn Fn(usize) -> Vec<(&'static str, String)>,
    between: &dyn Fn(),
) {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("repo");
    common::copy_dir(&fixtures().join("golden-demo"), &dir);
    let mut merge = None;
    for k in 1..=shards {
        let vars = vars(k);
        for args in recipe_commands(text, &vars, &dir) {
            if args[0] == "merge" {
                merge = Some(args);
                continue;
            }
            let mut g = gp(&dir).args(&args);
            for (name, value) in &vars {
                g = g.env(name, value);
            }
            let out = g.run();
            assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        }
    }
    // Shard reports produced (and handed over by `between`): now the merge, with its
    // globs expanded.
    between();
    let merge = recipe_commands(text, &vars(1), &dir)
        .into_iter()
        .find(|a| a[0] == "merge")
        .or(merge)
        .expect("a merge command");
    let reports: Vec<(String, String)> = merge
        .iter()
        .zip(merge.iter().skip(1))
        .filter(|(flag, _)| *flag == "--report")
        .filter_map(|(_, target)| target.split_once('='))
        .map(|(f, p)| (f.to_string(), p.to_string()))
        .collect();
    // The unsharded run: the shards' check without what makes it a shard, written as
    // the merge writes.
    let check = recipe_commands(text, &vars(1), &dir)
        .into_iter()
        .find(|a| a[0] == "check")
        .expect("a check command");
    let mut kept = Vec::new();
    let mut words = check.iter();
    while let Some(word) = words.next() {
        let flag = word.split('=').next().unwrap_or(word);
        let dropped = [
            "--shard",
            "--shard-count",
            "--output-file",
            "--format",
            "--fail-on",
        ];
        if dropped.contains(&flag) {
            if !word.contains('=') {
                words.next();
            }
            continue;
        }
        kept.push(word.clone());
    }
    let mut passed = merge.iter().skip(1);
    let mut reporting = Vec::new();
    while let Some(word) = passed.next() {
        if word == "--report" {
            passed.next();
        } else if !word.ends_with(".json") {
            reporting.push(word.clone());
        }
    }
    let whole_dir = temp.path().join("whole");
    let mut whole = gp(&dir).args(&kept).args(&reporting);
    std::fs::create_dir_all(&whole_dir).expect("mkdir");
    for (f, _) in &reports {
        whole = whole
            .arg("--report")
            .arg(format!("{f}={}", whole_dir.join(f).display()));
    }
    // Before the merge, which writes its reports into the tree.
    let whole = whole.run();
    let merged = gp(&dir).args(&merge).run();
    assert!(merged.code < 2, "{merge:?}: {}", merged.stderr);
    assert!(whole.code < 2, "{kept:?} {reporting:?}: {}", whole.stderr);
    assert_eq!(merged.code, whole.code, "{}", merged.stderr);
    assert_eq!(merged.stdout, whole.stdout);
    for (f, path) in &reports {
        let a = std::fs::read_to_string(dir.join(path)).expect("merged report");
        let b = std::fs::read_to_string(whole_dir.join(f)).expect("whole report");
        assert_eq!(a, b, "{f}");
    }
}

#[test]
fn the_github_actions_recipe_is_a_valid_workflow_that_passes_the_pack_and_works() {
    let text = recipe("github");
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    write(dir.join(".github/workflows/goldenpath-sharded.yml"), &text);
    let report = pack_findings(dir, &[".github/workflows/goldenpath-sharded.yml"]);
    assert_eq!(report["findings"], serde_json::json!([]), "{report}");
    if let Some(schema) = common::reference_schema("github-workflow.json") {
        // A repository's configuration names files inside the repository only.
        std::fs::create_dir_all(dir.join("schemas")).expect("mkdir");
        std::fs::copy(&schema, dir.join("schemas/github-workflow.json")).expect("copy");
        write(
            dir.join("goldenpath.toml"),
            "builtin = false\n\n[[schemas]]\nid = \"github-workflow\"\nfiles = [\".github/workflows/*.yml\"]\nschema = \"schemas/github-workflow.json\"\n",
        );
        let report = pack_findings(dir, &["."]);
        // The workflow, goldenpath.toml and the schema.
        assert_eq!(report["summary"]["files"], 3, "{report}");
        assert_eq!(report["findings"], serde_json::json!([]), "{report}");
    }
    let runner_temp = tempfile::tempdir().expect("temp dir");
    let temp_path = runner_temp.path().to_string_lossy().into_owned();
    // The artifacts of the shard jobs land in $RUNNER_TEMP/shards for the merge job.
    let hand_over = || {
        let shards = runner_temp.path().join("shards");
        std::fs::create_dir_all(&shards).expect("mkdir");
        for k in 1..=4 {
            let name = format!("shard-{k}.json");
            std::fs::rename(runner_temp.path().join(&name), shards.join(&name))
                .expect("the shard's report");
        }
    };
    run_recipe(
        &text,
        4,
        &|k| vec![("SHARD", k.to_string()), ("RUNNER_TEMP", temp_path.clone())],
        &hand_over,
    );
}

#[test]
fn the_gitlab_recipe_shards_with_parallel_and_merges() {
    let text = recipe("gitlab");
    let doc = goldenpath::parse::parse_text(goldenpath::format::Format::Yaml, &text)
        .expect("valid YAML")
        .remove(0)
        .to_json();
    assert_eq!(doc["goldenpath-shard"]["parallel"], 4);
    assert_eq!(
        doc["goldenpath"]["needs"],
        serde_json::json!(["goldenpath-shard"])
    );
    assert_eq!(
        doc["goldenpath"]["artifacts"]["reports"]["codequality"],
        "gl-code-quality.json"
    );
    run_recipe(
        &text,
        4,
        &|k| {
            vec![
                ("CI_NODE_INDEX", k.to_string()),
                ("CI_NODE_TOTAL", "4".to_string()),
            ]
        },
        &|| {},
    );
}

#[test]
fn the_kubernetes_recipe_passes_the_pack_and_its_jobs_work() {
    let shards = recipe("kubernetes-shards");
    let merge = recipe("kubernetes-merge");
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    write(dir.join("deploy/goldenpath-shards.yaml"), &shards);
    write(dir.join("deploy/goldenpath-merge.yaml"), &merge);
    let report = pack_findings(
        dir,
        &[
            "deploy/goldenpath-shards.yaml",
            "deploy/goldenpath-merge.yaml",
        ],
    );
    assert_eq!(report["summary"]["files"], 2);
    assert_eq!(report["findings"], serde_json::json!([]), "{report}");

    // The Jobs' arguments, run here: /src/repo is a fixture, /reports a directory.
    let yaml = |text: &str| -> Vec<serde_json::Value> {
        goldenpath::parse::parse_text(goldenpath::format::Format::Yaml, text)
            .expect("valid YAML")
            .iter()
            .map(|n| n.to_json())
            .collect()
    };
    let job = yaml(&shards)
        .into_iter()
        .find(|d| d["kind"] == "Job")
        .expect("the Indexed Job");
    assert_eq!(job["spec"]["completionMode"], "Indexed");
    let completions = job["spec"]["completions"].as_u64().expect("completions") as usize;
    let repo = dir.join("repo");
    common::copy_dir(&fixtures().join("golden-demo"), &repo);
    let reports = dir.join("reports");
    std::fs::create_dir_all(&reports).expect("mkdir");
    let args = |job: &serde_json::Value, index: usize| -> Vec<String> {
        job["spec"]["template"]["spec"]["containers"][0]["args"]
            .as_array()
            .expect("args")
            .iter()
            .map(|a| {
                a.as_str()
                    .expect("string")
                    .replace("$(JOB_COMPLETION_INDEX)", &index.to_string())
                    .replace("/src/repo", &repo.to_string_lossy())
                    .replace("/reports", &reports.to_string_lossy())
            })
            .collect()
    };
    for index in 0..completions {
        let out = gp(dir)
            .args(args(&job, index))
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .run();
        assert_eq!(out.code, 0, "shard {index}: {}", out.stderr);
    }
    let merge_job = yaml(&merge).remove(0);
    let merged = gp(dir).args(args(&merge_job, 0)).run();
    let whole_sarif = dir.join("whole.sarif");
    let whole = gp(dir)
        .arg("check")
        .arg(&repo)
        .arg("--report")
        .arg(format!("sarif={}", whole_sarif.display()))
        .run();
    assert_eq!(merged.code, whole.code, "{}", merged.stderr);
    assert_eq!(merged.stdout, whole.stdout);
    assert_eq!(
        std::fs::read_to_string(reports.join("goldenpath.sarif")).expect("merged SARIF"),
        std::fs::read_to_string(whole_sarif).expect("SARIF")
    );
}

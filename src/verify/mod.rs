//! `goldenpath test`: runs the policies' Rego unit tests (`test_*` rules, with
//! `todo_test_*` rules listed as skipped) and the fixture cases kept beside them
//! (see [`cases`]), and gathers one verdict per test. Rendering lives in [`output`].

pub mod cases;
pub mod output;

use std::path::PathBuf;

use serde::Serialize;

use crate::options::{CheckOptions, PolicySources};
use crate::policy::{self, PolicyError, UnitTestKind, UnitVerdict};

/// What `goldenpath test` needs.
#[derive(Clone, Debug, Default)]
pub struct TestOptions {
    /// The policies (no path means `./policy`), the data, and the packages fixture
    /// cases are checked with (default `main`), as in `check`. The pack is never loaded.
    pub sources: PolicySources,
    /// Only tests whose name matches this regular expression (`data.<pkg>.<rule>` for
    /// Rego tests, the case directory for fixture cases).
    pub run: Option<String>,
    /// Keep the `print()` output of passing tests too (`--trace`).
    pub trace: bool,
}

/// Failures that stop `goldenpath test` (exit status 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum TestError {
    /// The policies could not be loaded.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Policy(#[from] Box<PolicyError>),
    /// `--run` is not a valid regular expression.
    #[error("invalid --run pattern: {0}")]
    #[diagnostic(code(goldenpath::usage::run_pattern))]
    Pattern(String),
}

/// What a test is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TestKind {
    /// A `test_*` or `todo_test_*` rule.
    Rego {
        /// Its package, without `data.`.
        package: String,
        /// The rule name.
        name: String,
    },
    /// A fixture case directory.
    Case {
        /// The case directory, as reported.
        dir: String,
    },
}

/// How a test ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It held.
    Pass,
    /// It did not hold.
    Fail,
    /// It could not be evaluated (counted as failed).
    Error,
    /// A `todo_test_*` rule.
    Skip,
}

/// The verdict of one test.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestResult {
    /// What was tested.
    #[serde(flatten)]
    pub kind: TestKind,
    /// The file that defines it (`.rego` file, or the case's `expect.json`).
    pub file: String,
    /// The line of its definition, for Rego tests.
    pub line: Option<usize>,
    /// The verdict.
    pub status: Status,
    /// Why it failed, errored or was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What the policies' `print()` calls wrote while it ran.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prints: Vec<String>,
}

impl TestResult {
    /// The name shown in reports: `package.rule`, or `case <dir>`.
    pub fn display_name(&self) -> String {
        match &self.kind {
            TestKind::Rego { package, name } => format!("{package}.{name}"),
            TestKind::Case { dir } => format!("case {dir}"),
        }
    }

    /// `file:line`, or the file alone.
    pub fn location(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.file),
            None => self.file.clone(),
        }
    }
}

/// Totals of a test run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TestSummary {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed or errored.
    pub failed: usize,
    /// `todo_test_*` rules.
    pub skipped: usize,
}

/// The outcome of `goldenpath test`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TestRun {
    /// Rego tests in file and line order, then fixture cases in path order.
    pub tests: Vec<TestResult>,
    /// Totals.
    pub summary: TestSummary,
}

impl TestRun {
    fn new(tests: Vec<TestResult>) -> TestRun {
        let mut summary = TestSummary::default();
        for t in &tests {
            match t.status {
                Status::Pass => summary.passed += 1,
                Status::Fail | Status::Error => summary.failed += 1,
                Status::Skip => summary.skipped += 1,
            }
        }
        TestRun { tests, summary }
    }

    /// Whether any test failed or errored.
    pub fn failed(&self) -> bool {
        self.summary.failed > 0
    }
}

/// Runs `goldenpath test`.
pub fn test(options: &TestOptions) -> Result<TestRun, TestError> {
    let filter = options
        .run
        .as_deref()
        .map(regex::Regex::new)
        .transpose()
        .map_err(|e| TestError::Pattern(e.to_string()))?;
    let selected = |name: &str| filter.as_ref().is_none_or(|re| re.is_match(name));

    let mut sources = PolicySources {
        builtin: Some(false),
        ..options.sources.clone()
    };
    if sources.policy_paths.is_empty() {
        sources.policy_paths.push(PathBuf::from("policy"));
    }
    // Every package is prepared, so a static error anywhere is reported when loading.
    let policies = policy::load(
        &PolicySources {
            all_namespaces: true,
            ..sources.clone()
        },
        false,
    )
    .map_err(Box::new)?;

    // conftest's `verify --namespace`: only the tests of the matching packages.
    let in_namespaces = |package: &str| {
        sources.namespaces.is_empty()
            || sources
                .namespaces
                .iter()
                .any(|pattern| crate::finding::wildcard_match(pattern, package))
    };
    let mut results = Vec::new();
    for test in policies.unit_tests() {
        if !selected(&test.path()) || !in_namespaces(&test.package) {
            continue;
        }
        let kind = TestKind::Rego {
            package: test.package.clone(),
            name: test.name.clone(),
        };
        let (status, message, prints) = if test.kind == UnitTestKind::Todo {
            (Status::Skip, Some("todo".to_string()), Vec::new())
        } else {
            let outcome = policies.run_unit_test(test);
            match outcome.verdict {
                UnitVerdict::Pass if options.trace => (Status::Pass, None, outcome.prints),
                UnitVerdict::Pass => (Status::Pass, None, Vec::new()),
                UnitVerdict::Fail(why) => (Status::Fail, Some(why), outcome.prints),
                UnitVerdict::Error(why) => (Status::Error, Some(why), outcome.prints),
            }
        };
        results.push(TestResult {
            kind,
            file: test.file.clone(),
            line: Some(test.line),
            status,
            message,
            prints,
        });
    }
    drop(policies);

    let check = CheckOptions {
        policies: sources,
        ..CheckOptions::default()
    };
    for case in cases::find(&check.policies.policy_paths) {
        if selected(&case.label) {
            results.push(cases::run(&case, &check));
        }
    }
    Ok(TestRun::new(results))
}

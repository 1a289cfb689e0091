//! Rego unit tests: finding the `test_*` and `todo_test_*` rules of the loaded policies
//! and evaluating them one by one, as `opa test` does.
//!
//! Where a test is defined comes from the spans regorus keeps on the compiled rules
//! (`CompiledPolicy::get_rules`); the rule type itself is only exported from regorus's
//! `unstable` module, which is the one place this module leans on it.

use regorus::unstable::{Rule, RuleHead};

use super::error::split_engine_error;
use super::PolicySet;

/// Where a rule is first defined, as read from the compiled policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct RuleDefinition {
    /// The rule's full path, `data.pkg.name`.
    pub path: String,
    /// The policy file, as labelled when it was loaded.
    pub file: String,
    /// The 1-based line of the rule head.
    pub line: usize,
    /// Whether it is a function (`f(x) := ...`), which is never a test.
    pub is_function: bool,
    /// How many definitions (heads with bodies) the rule has.
    pub count: usize,
}

impl RuleDefinition {
    /// The earliest of a rule's definitions (a rule may be defined in several bodies or
    /// files).
    pub(super) fn first(path: &str, defs: &[regorus::unstable::Ref<Rule>]) -> Option<Self> {
        let first = defs.iter().min_by_key(|d| {
            let span = d.span();
            (span.source.file().clone(), span.line)
        })?;
        let span = first.span();
        Some(RuleDefinition {
            path: path.to_string(),
            file: span.source.file().clone(),
            line: usize::try_from(span.line).ok()?,
            is_function: match &**first {
                Rule::Spec { head, .. } => matches!(head, RuleHead::Func { .. }),
                Rule::Default { args, .. } => !args.is_empty(),
            },
            count: defs.len(),
        })
    }
}

/// Whether a unit test runs or is only a reminder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitTestKind {
    /// `test_*`: evaluated.
    Test,
    /// `todo_test_*`: listed as skipped, never evaluated.
    Todo,
}

/// One `test_*` or `todo_test_*` rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitTest {
    /// Its package without `data.`, e.g. `main_test`.
    pub package: String,
    /// The rule name, e.g. `test_denies_latest`.
    pub name: String,
    /// The `.rego` file defining it.
    pub file: String,
    /// The 1-based line of its (first) definition.
    pub line: usize,
    /// Test or todo.
    pub kind: UnitTestKind,
    /// How many times the rule is defined. regorus merges the definitions into one
    /// rule (true when any body holds), so a test defined twice cannot be judged.
    pub definitions: usize,
}

impl UnitTest {
    /// `data.<package>.<name>`, the name `--run` filters on (as in `opa test`).
    pub fn path(&self) -> String {
        format!("data.{}.{}", self.package, self.name)
    }
}

/// How one test ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitVerdict {
    /// Defined and not `false`.
    Pass,
    /// Undefined or `false`; the text says which.
    Fail(String),
    /// Evaluation raised an error; the text is regorus's message with its location.
    Error(String),
}

/// The verdict of one test and what its `print()` calls wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitOutcome {
    /// The verdict.
    pub verdict: UnitVerdict,
    /// `print()` output, each line prefixed with the policy `file:line:`.
    pub prints: Vec<String>,
}

/// Picks the tests out of the rule definitions and assigns each to its package (the
/// longest package name that leaves a plain rule name).
pub(super) fn collect(package_names: &[String], definitions: &[RuleDefinition]) -> Vec<UnitTest> {
    let packages: Vec<&str> = package_names
        .iter()
        .filter_map(|p| p.strip_prefix("data."))
        .collect();
    let mut tests: Vec<UnitTest> = definitions
        .iter()
        .filter(|d| !d.is_function)
        .filter_map(|d| {
            let rest = d.path.strip_prefix("data.")?;
            let package = packages
                .iter()
                .filter(|p| {
                    rest.strip_prefix(**p)
                        .and_then(|r| r.strip_prefix('.'))
                        .is_some_and(|r| !r.contains('.'))
                })
                .max_by_key(|p| p.len())?;
            let name = &rest[package.len() + 1..];
            let kind = if name.starts_with("test_") {
                UnitTestKind::Test
            } else if name.starts_with("todo_test_") {
                UnitTestKind::Todo
            } else {
                return None;
            };
            Some(UnitTest {
                package: package.to_string(),
                name: name.to_string(),
                file: d.file.clone(),
                line: d.line,
                kind,
                definitions: d.count,
            })
        })
        .collect();
    tests.sort_by(|a, b| (&a.file, a.line, &a.name).cmp(&(&b.file, b.line, &b.name)));
    tests
}

impl PolicySet {
    /// Evaluates one unit test on a fresh clone of the prepared engine, with `input`
    /// undefined (tests set it with `with input as ...`). A todo test is not evaluated
    /// and passes; callers count it as skipped.
    pub fn run_unit_test(&self, test: &UnitTest) -> UnitOutcome {
        if test.kind == UnitTestKind::Todo {
            return UnitOutcome {
                verdict: UnitVerdict::Pass,
                prints: Vec::new(),
            };
        }
        if test.definitions > 1 {
            return UnitOutcome {
                verdict: UnitVerdict::Error(format!(
                    "`{}` is defined {} times; its definitions are evaluated as one rule, so a failing one would be hidden by a passing one: give each test its own name",
                    test.name, test.definitions
                )),
                prints: Vec::new(),
            };
        }
        let mut engine = self.prototype.clone();
        engine.set_input(regorus::Value::Undefined);
        let verdict = match engine.eval_rule(test.path()) {
            Ok(regorus::Value::Undefined) => UnitVerdict::Fail(
                "the test is undefined: an expression in its body was false or undefined"
                    .to_string(),
            ),
            Ok(regorus::Value::Bool(false)) => {
                UnitVerdict::Fail("the test evaluated to false".to_string())
            }
            Ok(_) => UnitVerdict::Pass,
            Err(err) => {
                let (location, message) = split_engine_error(&err.to_string());
                UnitVerdict::Error(match location {
                    Some(l) => format!("{message} (at {})", l.describe(&self.sources)),
                    None => message,
                })
            }
        };
        UnitOutcome {
            verdict,
            prints: engine.take_prints().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(path: &str, line: usize, is_function: bool) -> RuleDefinition {
        RuleDefinition {
            path: path.to_string(),
            file: "p.rego".to_string(),
            line,
            is_function,
            count: 1,
        }
    }

    #[test]
    fn tests_are_rules_named_test_or_todo_test() {
        let packages = vec![
            "data.main".to_string(),
            "data.main.sub".to_string(),
            "data.conftest".to_string(),
        ];
        let defs = vec![
            def("data.main.test_b", 9, false),
            def("data.main.sub.test_a", 3, false),
            def("data.main.deny", 1, false),
            def("data.main.todo_test_c", 12, false),
            def("data.main.test_helper", 20, true),
            def("data.main.testing", 21, false),
            def("data.conftest.test_x", 1, false),
            def("data.conftest.file", 1, false),
        ];
        let got: Vec<(String, String, UnitTestKind)> = collect(&packages, &defs)
            .into_iter()
            .map(|t| (t.package, t.name, t.kind))
            .collect();
        assert_eq!(
            got,
            vec![
                ("conftest".into(), "test_x".into(), UnitTestKind::Test),
                ("main.sub".into(), "test_a".into(), UnitTestKind::Test),
                ("main".into(), "test_b".into(), UnitTestKind::Test),
                ("main".into(), "todo_test_c".into(), UnitTestKind::Todo),
            ]
        );
    }
}

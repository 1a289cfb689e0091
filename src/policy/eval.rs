//! Evaluating the selected packages against one input, with conftest's semantics:
//! set rules whose members are messages or objects with `msg`, `exception` rules that
//! suppress rules by name, and `data.conftest.file`.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::error::{split_engine_error, EngineLocation};
use super::extensions;
use super::repository::{self, Sandbox};
use super::{Package, RuleSpec, ScopeIndex};
use crate::document::{parse_path, InputOrigin};
use crate::finding::{Finding, Severity, Target, POLICY_ERROR};
use crate::format::Format;
use crate::profile::{Profile, Recorder, Stat};

/// What conftest exposes as `data.conftest.file` for one file.
#[derive(Clone, Debug)]
pub struct FileInfo {
    value: regorus::Value,
    context: regorus::Value,
}

impl FileInfo {
    /// `name` is the file's base name and `dir` its absolute directory, as conftest sets
    /// them; `path` (an addition) is the path as reported.
    pub fn new(name: &str, dir: &str, path: &str) -> Self {
        let mut map = std::collections::BTreeMap::new();
        map.insert("name".into(), name.into());
        map.insert("dir".into(), dir.into());
        map.insert("path".into(), path.into());
        FileInfo {
            value: regorus::Value::from(map),
            context: regorus::Value::Null,
        }
    }

    /// With `data.goldenpath.context` (see [`crate::context`]).
    pub fn with_context(self, context: regorus::Value) -> Self {
        FileInfo { context, ..self }
    }
}

/// The findings of one input, plus how many rules exceptions suppressed.
#[derive(Debug, Default)]
pub struct EvalOutput {
    /// Findings, in rule order.
    pub findings: Vec<Finding>,
    /// Number of (rule, input) pairs suppressed by an `exception` rule.
    pub exceptions: usize,
    /// What `print()` calls wrote, each prefixed with the policy `file:line:`.
    pub prints: Vec<String>,
    /// What repository rules saw of the repository's files through the builtins.
    pub observations: Vec<repository::Observation>,
}

/// Gives the next evaluation on `engine` at most `limit` of wall-clock time. regorus
/// checks the clock cooperatively, every few steps of its loops.
pub(super) fn set_budget(engine: &mut regorus::Engine, limit: Duration) {
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit,
        check_interval: TIMER_CHECK_INTERVAL,
    });
}

/// Steps of regorus's loops between two readings of the clock.
const TIMER_CHECK_INTERVAL: std::num::NonZeroU32 = match std::num::NonZeroU32::new(64) {
    Some(n) => n,
    None => std::num::NonZeroU32::MIN,
};

/// Why a rule produced no value.
enum Failure {
    /// The document's time budget ran out.
    Timeout,
    /// The rule raised an error; regorus's message.
    Error(String),
}

/// One worker's engine, cloned from the prepared prototype.
#[derive(Debug)]
pub struct Evaluator {
    engine: regorus::Engine,
    packages: Arc<Vec<Package>>,
    scopes: Arc<ScopeIndex>,
    sources: Arc<Vec<(String, String)>>,
    timeout: Option<Duration>,
    /// When the current document's budget runs out.
    deadline: Option<Instant>,
    /// Evaluation times for `--profile`, when it is on.
    timings: Option<Timings>,
    /// Whether the engine holds an evaluation state for the current input.
    in_state: bool,
}

impl Evaluator {
    pub(super) fn new(
        engine: regorus::Engine,
        packages: Arc<Vec<Package>>,
        scopes: Arc<ScopeIndex>,
        sources: Arc<Vec<(String, String)>>,
        timeout: Option<Duration>,
        recorder: &Recorder,
    ) -> Self {
        let timings = recorder
            .is_enabled()
            .then(|| Timings::new(&packages, recorder.clone()));
        Evaluator {
            engine,
            packages,
            scopes,
            sources,
            timeout,
            deadline: None,
            timings,
            in_state: false,
        }
    }

    /// The names of packages, by index.
    pub fn package_names(&self, indices: &[usize]) -> Vec<String> {
        indices
            .iter()
            .filter_map(|i| self.packages.get(*i))
            .map(|p| p.name.clone())
            .collect()
    }

    /// The file packages that apply to a file at `relative` (to its repository root)
    /// parsed as `format`, as indices for [`Evaluator::evaluate`]; and the names of those
    /// that do not (skipped by their METADATA `files`/`formats`).
    pub fn applicable(&self, relative: &str, format: Format) -> (Vec<usize>, Vec<String>) {
        let mut applied = Vec::new();
        let mut skipped = Vec::new();
        let applies = self.scopes.applies(&self.packages, relative, format);
        for ((i, package), applies) in self.packages.iter().enumerate().zip(applies) {
            if package.repository {
                continue;
            }
            if applies && package.compiled {
                applied.push(i);
            } else {
                skipped.push(package.name.clone());
            }
        }
        (applied, skipped)
    }

    /// Every file (not repository) package, as indices.
    pub fn file_packages(&self) -> Vec<usize> {
        (0..self.packages.len())
            .filter(|i| !self.packages[*i].repository && self.packages[*i].compiled)
            .collect()
    }

    /// Whether any package is selected at all.
    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }

    /// Evaluates the packages `indices` against `input`, which is input `origin` of `file`.
    pub fn evaluate(
        &mut self,
        input: regorus::Value,
        info: &FileInfo,
        file: &str,
        origin: InputOrigin,
        indices: &[usize],
    ) -> EvalOutput {
        extensions::set_current_file(info.value.clone());
        extensions::set_current_context(info.context.clone());
        self.engine.set_input(input);
        self.run(indices, file, origin)
    }

    /// Evaluates the repository packages once for the repository reported as `label`,
    /// with the builtins reading from `sandbox`. Findings are about `label` and target
    /// the input; the caller routes those whose result names a `file`.
    pub fn evaluate_repository(
        &mut self,
        input: regorus::Value,
        sandbox: Sandbox,
        label: &str,
    ) -> EvalOutput {
        let indices: Vec<usize> = (0..self.packages.len())
            .filter(|i| self.packages[*i].repository && self.packages[*i].compiled)
            .collect();
        if indices.is_empty() {
            return EvalOutput::default();
        }
        extensions::set_current_file(regorus::Value::Null);
        extensions::set_current_context(regorus::Value::Null);
        repository::enter(sandbox);
        self.engine.set_input(input);
        let origin = InputOrigin {
            root: 0,
            element: None,
        };
        let mut out = self.run(&indices, label, origin);
        out.observations = repository::leave();
        out
    }

    fn run(&mut self, indices: &[usize], file: &str, origin: InputOrigin) -> EvalOutput {
        let mut out = EvalOutput::default();
        self.deadline = self.timeout.map(|t| Instant::now() + t);
        // One evaluation state for the input: rules that several packages use (and the
        // input's `data.goldenpath.context`) are evaluated once.
        self.in_state = false;
        let packages = Arc::clone(&self.packages);
        for &index in indices {
            let Some(package) = packages.get(index) else {
                continue;
            };
            let started = self.timings.as_ref().map(|_| Instant::now());
            let flow = self.run_package(index, package, file, origin, &mut out);
            if let (Some(timings), Some(started)) = (self.timings.as_mut(), started) {
                timings.package(index, started.elapsed());
            }
            if flow.is_break() {
                break;
            }
        }
        // print() output is gathered so it cannot interleave across threads; it is shown
        // only by commands that ask for it (`check --trace`).
        out.prints = self.engine.take_prints().unwrap_or_default();
        out
    }

    /// Evaluates one package's exception and rules into `out`; breaks when the document's
    /// time budget ran out.
    fn run_package(
        &mut self,
        index: usize,
        package: &Package,
        file: &str,
        origin: InputOrigin,
        out: &mut EvalOutput,
    ) -> ControlFlow<()> {
        let excepted = if package.has_exception {
            let started = self.timings.as_ref().map(|_| Instant::now());
            let value = self.eval(&format!("data.{}.exception", package.name));
            if let (Some(timings), Some(started)) = (self.timings.as_mut(), started) {
                timings.exception(index, started.elapsed());
            }
            match value {
                Ok(v) => exception_names(&v),
                Err(Failure::Timeout) => {
                    out.findings.push(self.timeout_error(
                        &format!("{}.exception", package.name),
                        file,
                        origin,
                    ));
                    return ControlFlow::Break(());
                }
                Err(Failure::Error(message)) => {
                    out.findings.push(policy_error(
                        &format!("{}.exception", package.name),
                        &message,
                        &self.sources,
                        file,
                        origin,
                    ));
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        for (slot, rule) in package.rules.iter().enumerate() {
            let started = self.timings.as_ref().map(|_| Instant::now());
            let value = self.eval(&format!("data.{}.{}", package.name, rule.name));
            if let (Some(timings), Some(started)) = (self.timings.as_mut(), started) {
                timings.rule(index, slot, started.elapsed());
            }
            let value = match value {
                Ok(v) => v,
                Err(Failure::Timeout) => {
                    out.findings
                        .push(self.timeout_error(&rule.id, file, origin));
                    return ControlFlow::Break(());
                }
                Err(Failure::Error(message)) => {
                    out.findings.push(policy_error(
                        &rule.id,
                        &message,
                        &self.sources,
                        file,
                        origin,
                    ));
                    continue;
                }
            };
            let results = results_of(&value);
            if excepted.contains(&rule.exception_name) {
                if !results.is_empty() {
                    out.exceptions += 1;
                }
                continue;
            }
            if results.is_empty() && !value_is_collection(&value) && !value_is_undefined(&value) {
                out.findings.push(shape_error(rule, &value, file, origin));
            }
            for result in results {
                out.findings.push(to_finding(rule, result, file, origin));
            }
        }
        ControlFlow::Continue(())
    }

    fn eval(&mut self, path: &str) -> Result<serde_json::Value, Failure> {
        if !self.in_state {
            // A new state, with the time left of the document's budget.
            if let Some(deadline) = self.deadline {
                let remaining = deadline.saturating_duration_since(Instant::now());
                if remaining.is_zero() {
                    return Err(Failure::Timeout);
                }
                set_budget(&mut self.engine, remaining);
            }
            self.engine
                .begin_evaluation()
                .map_err(|e| Failure::Error(e.to_string()))?;
            self.in_state = true;
        } else if self
            .deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
        {
            return Err(Failure::Timeout);
        }
        let value = self
            .engine
            .eval_rule_in_state(path.to_string())
            .map_err(|e| {
                // A failed evaluation leaves the state undefined: the next rule starts
                // a new one, as if evaluated alone.
                self.in_state = false;
                if e.downcast_ref::<regorus::LimitError>().is_some() {
                    Failure::Timeout
                } else {
                    Failure::Error(e.to_string())
                }
            })?;
        if value == regorus::Value::Undefined {
            return Ok(serde_json::Value::Null);
        }
        serde_json::to_value(&value).map_err(|e| Failure::Error(e.to_string()))
    }

    /// The one finding of a document whose time budget ran out during `rule_id`; the
    /// rules after it were not evaluated.
    fn timeout_error(&self, rule_id: &str, file: &str, origin: InputOrigin) -> Finding {
        let limit = self
            .timeout
            .map_or_else(String::new, |t| format!(" of {}", describe_duration(t)));
        Finding {
            rule: POLICY_ERROR.to_string(),
            severity: Severity::Error,
            message: format!(
                "evaluating this document took longer than the policy timeout{limit} (stopped in rule `{rule_id}`; the rules after it were not evaluated)"
            ),
            file: file.to_string(),
            target: Target::Input(origin),
            metadata: Default::default(),
        }
    }
}

/// One evaluator's evaluation times, by package and rule index; handed to the run's
/// [`Recorder`] when the evaluator is dropped (workers come and go with rayon's jobs).
#[derive(Debug)]
struct Timings {
    recorder: Recorder,
    packages: Arc<Vec<Package>>,
    package: Vec<Stat>,
    exception: Vec<Stat>,
    rules: Vec<Vec<Stat>>,
}

impl Timings {
    fn new(packages: &Arc<Vec<Package>>, recorder: Recorder) -> Self {
        Timings {
            recorder,
            packages: Arc::clone(packages),
            package: vec![Stat::default(); packages.len()],
            exception: vec![Stat::default(); packages.len()],
            rules: packages
                .iter()
                .map(|p| vec![Stat::default(); p.rules.len()])
                .collect(),
        }
    }

    fn package(&mut self, index: usize, elapsed: Duration) {
        if let Some(stat) = self.package.get_mut(index) {
            stat.add(elapsed);
        }
    }

    fn exception(&mut self, index: usize, elapsed: Duration) {
        if let Some(stat) = self.exception.get_mut(index) {
            stat.add(elapsed);
        }
    }

    fn rule(&mut self, index: usize, slot: usize, elapsed: Duration) {
        if let Some(stat) = self.rules.get_mut(index).and_then(|r| r.get_mut(slot)) {
            stat.add(elapsed);
        }
    }

    fn profile(&self) -> Profile {
        let mut profile = Profile::default();
        for (i, package) in self.packages.iter().enumerate() {
            if let Some(stat) = self.package.get(i).filter(|s| s.count > 0) {
                profile.packages.insert(package.name.clone(), *stat);
            }
            if let Some(stat) = self.exception.get(i).filter(|s| s.count > 0) {
                let id = format!("{}.exception", package.name);
                profile.rules.insert((id, package.name.clone()), *stat);
            }
            for (rule, stat) in package
                .rules
                .iter()
                .zip(self.rules.get(i).into_iter().flatten())
            {
                if stat.count > 0 {
                    profile
                        .rules
                        .insert((rule.id.clone(), package.name.clone()), *stat);
                }
            }
        }
        profile
    }
}

impl Drop for Timings {
    fn drop(&mut self) {
        self.recorder.merge(self.profile());
    }
}

/// `5s`, `250ms`, `1.5s`: the way `--policy-timeout` is written.
fn describe_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{}s", d.as_secs())
    } else if d.as_secs() == 0 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}s", d.as_secs_f64())
    }
}

fn value_is_collection(value: &serde_json::Value) -> bool {
    value.is_array()
}

fn value_is_undefined(value: &serde_json::Value) -> bool {
    value.is_null()
}

/// Members of a rule's value: sets and arrays serialise as arrays.
fn results_of(value: &serde_json::Value) -> Vec<&serde_json::Value> {
    match value {
        serde_json::Value::Array(items) => items.iter().collect(),
        _ => Vec::new(),
    }
}

/// Names listed by `exception contains rules if { rules := ["foo"] }`.
fn exception_names(value: &serde_json::Value) -> Vec<String> {
    let mut names = Vec::new();
    for item in results_of(value) {
        match item {
            serde_json::Value::Array(inner) => {
                names.extend(inner.iter().filter_map(|v| v.as_str().map(str::to_string)));
            }
            serde_json::Value::String(s) => names.push(s.clone()),
            _ => {}
        }
    }
    names
}

fn to_finding(
    rule: &RuleSpec,
    result: &serde_json::Value,
    file: &str,
    origin: InputOrigin,
) -> Finding {
    let object = match result {
        serde_json::Value::String(msg) => {
            return Finding {
                rule: rule.id.clone(),
                severity: rule.severity,
                message: msg.clone(),
                file: file.to_string(),
                target: Target::Input(origin),
                metadata: Default::default(),
            }
        }
        serde_json::Value::Object(object) => object,
        other => {
            return Finding {
                rule: POLICY_ERROR.to_string(),
                severity: Severity::Warning,
                message: format!(
                    "rule `{}` produced {other}, which is neither a message string nor an object with a string `msg`; it was ignored",
                    rule.id
                ),
                file: file.to_string(),
                target: Target::Input(origin),
                metadata: Default::default(),
            }
        }
    };
    let Some(msg) = object.get("msg").and_then(|m| m.as_str()) else {
        return Finding {
            rule: POLICY_ERROR.to_string(),
            severity: Severity::Error,
            message: format!(
                "rule `{}` produced an object without a string `msg`: {}",
                rule.id,
                serde_json::Value::Object(object.clone())
            ),
            file: file.to_string(),
            target: Target::Input(origin),
            metadata: Default::default(),
        };
    };
    let mut metadata = object.clone();
    metadata.remove("msg");
    let id = object
        .get("id")
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .map_or_else(|| rule.id.clone(), str::to_string);
    let severity = object
        .get("severity")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
        .unwrap_or(rule.severity);
    let target = result_target(object, origin);
    Finding {
        rule: id,
        severity,
        message: msg.to_string(),
        file: file.to_string(),
        target,
        metadata,
    }
}

/// `path` (keys/indices or a pointer) wins; else conftest's `_loc.line` or a `line`;
/// else the input.
fn result_target(
    object: &serde_json::Map<String, serde_json::Value>,
    origin: InputOrigin,
) -> Target {
    if let Some(path) = object.get("path").and_then(parse_path) {
        return Target::Path { origin, path };
    }
    let line = object
        .get("_loc")
        .and_then(|loc| loc.get("line").or_else(|| loc.get("row")))
        .or_else(|| object.get("line"))
        .and_then(|l| l.as_u64())
        .and_then(|l| usize::try_from(l).ok())
        .filter(|l| *l > 0);
    match line {
        Some(line) => Target::Line(line),
        None => Target::Input(origin),
    }
}

fn policy_error(
    rule_id: &str,
    engine_message: &str,
    sources: &[(String, String)],
    file: &str,
    origin: InputOrigin,
) -> Finding {
    let (location, message) = split_engine_error(engine_message);
    let at = location.map_or(String::new(), |l| {
        format!(" (at {})", EngineLocation::describe(&l, sources))
    });
    Finding {
        rule: POLICY_ERROR.to_string(),
        severity: Severity::Error,
        message: format!("rule `{rule_id}` failed on this document: {message}{at}"),
        file: file.to_string(),
        target: Target::Input(origin),
        metadata: Default::default(),
    }
}

fn shape_error(
    rule: &RuleSpec,
    value: &serde_json::Value,
    file: &str,
    origin: InputOrigin,
) -> Finding {
    Finding {
        rule: POLICY_ERROR.to_string(),
        severity: Severity::Error,
        message: format!(
            "rule `{}` evaluated to {value}; deny/warn rules must be sets of messages (`{} contains msg if {{ ... }}`)",
            rule.id, rule.name
        ),
        file: file.to_string(),
        target: Target::Input(origin),
        metadata: Default::default(),
    }
}

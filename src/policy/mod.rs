//! Policies: loading Rego files into one prepared engine, choosing which packages run, and
//! (in [`eval`]) evaluating them against documents with conftest's semantics.
//!
//! Policies compile once per run. The prepared engine is a prototype: each worker thread
//! clones it (cheap once it has evaluated once) into an [`Evaluator`].

mod checks;
pub mod config_builtins;
mod error;
mod eval;
mod extensions;
mod load;
mod metadata;
pub mod repository;
mod unit;

use std::path::PathBuf;
use std::sync::Arc;

pub use error::PolicyError;
pub use eval::{EvalOutput, Evaluator, FileInfo};
pub use load::{fingerprint, load, load_confined};
pub use metadata::{Annotation, Custom};
pub use unit::{UnitOutcome, UnitTest, UnitTestKind, UnitVerdict};

use crate::discover::display;
use crate::finding::{RuleInfo, RuleScope, Severity};
use crate::format::Format;
use crate::profile::Recorder;

/// One file of the built-in pack, as `build.rs` embeds it.
#[derive(Clone, Copy, Debug)]
pub struct PackSource {
    /// Its path under `policies/`.
    pub path: &'static str,
    /// Its Rego source.
    pub text: &'static str,
    /// Its package, without `data.`.
    pub package: &'static str,
    /// Its deny/warn/violation rules, sorted.
    pub rules: &'static [&'static str],
    /// Whether it defines `exception`.
    pub has_exception: bool,
}

include!(concat!(env!("OUT_DIR"), "/pack.rs"));

/// The label prefix of built-in pack files in messages.
pub const BUILTIN_PREFIX: &str = "builtin:";

/// Where policies and data come from, and which packages to evaluate.
#[derive(Clone, Debug, Default)]
pub struct PolicyOptions {
    /// `.rego` files or directories (searched recursively).
    pub paths: Vec<PathBuf>,
    /// Data documents to merge into `data`: a label for messages and the value.
    pub data: Vec<(String, regorus::Value)>,
    /// Package patterns to evaluate (`*` and `?` wildcards); empty means `main`.
    pub namespaces: Vec<String>,
    /// Evaluate every package that defines rules.
    pub all_namespaces: bool,
    /// Parse policies as Rego v0.
    pub rego_v0: bool,
    /// Load the built-in golden-path pack too (its packages always run).
    pub builtin: bool,
    /// The evaluation budget per document; `None` for no limit.
    pub timeout: Option<std::time::Duration>,
    /// The files the run checks, when every one is known before the policies load (a
    /// pre-commit run names its files): each one's path relative to its repository root
    /// and its format. Pack packages that apply to none of them, and the pack's repository
    /// packages (no repository is checked), are then not compiled: they are listed, never
    /// evaluated. `None` compiles the whole pack.
    pub scope: Option<Vec<(String, Format)>>,
    /// How conftest's builtins read files, and whether builtin errors are errors.
    pub read: config_builtins::ReadPolicy,
    /// OPA's strict mode (`--strict`).
    pub strict: bool,
    /// The builtins an OPA capabilities file allows (`--capabilities`): its label and
    /// the names.
    pub capabilities: Option<(String, std::collections::BTreeSet<String>)>,
}

/// A rule whose results become findings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSpec {
    /// The rule's name inside its package, e.g. `deny_latest`.
    pub name: String,
    /// The rule id in reports: `<package>.<name>`.
    pub id: String,
    /// Severity of its results unless a result overrides it.
    pub severity: Severity,
    /// The name `exception` rules use for it (conftest drops the `deny_`-style prefix).
    pub exception_name: String,
    /// Documentation from `# METADATA` (rule-level over package-level).
    pub info: RuleInfo,
}

/// Which files a package applies to, from its METADATA `custom.files` and `formats`.
#[derive(Clone, Debug, Default)]
pub struct Applicability {
    files: Vec<String>,
    formats: Vec<Format>,
}

impl Applicability {
    fn new(custom: &Custom) -> Self {
        Applicability {
            files: custom.files.clone(),
            formats: custom.formats.clone(),
        }
    }

    /// Whether a file at `relative` (to its repository root) parsed as `format` is in
    /// scope, as [`ScopeIndex::applies`] decides it.
    fn covers_any(&self, files: &[(String, Format)]) -> bool {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in &self.files {
            if let Ok(glob) = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
            {
                builder.add(glob);
            }
        }
        let globs = builder
            .build()
            .unwrap_or_else(|_| globset::GlobSet::empty());
        files.iter().any(|(relative, format)| {
            (self.files.is_empty() || globs.is_match(relative))
                && (self.formats.is_empty() || self.formats.contains(format))
        })
    }
}

/// Every selected package's `files` globs in one set, so a file is matched against all
/// packages at once.
#[derive(Debug, Default)]
pub(crate) struct ScopeIndex {
    globs: globset::GlobSet,
    /// The package of each glob.
    owner: Vec<usize>,
}

impl ScopeIndex {
    fn new(packages: &[Package]) -> Self {
        let mut builder = globset::GlobSetBuilder::new();
        let mut owner = Vec::new();
        for (i, package) in packages.iter().enumerate() {
            for pattern in &package.applicability.files {
                // Validated when the METADATA was parsed.
                if let Ok(glob) = globset::GlobBuilder::new(pattern)
                    .literal_separator(true)
                    .build()
                {
                    builder.add(glob);
                    owner.push(i);
                }
            }
        }
        ScopeIndex {
            globs: builder
                .build()
                .unwrap_or_else(|_| globset::GlobSet::empty()),
            owner,
        }
    }

    /// For each package, whether a file at `relative` (to its repository root) parsed as
    /// `format` is in its scope.
    pub(crate) fn applies(
        &self,
        packages: &[Package],
        relative: &str,
        format: Format,
    ) -> Vec<bool> {
        let mut matched = vec![false; packages.len()];
        for glob in self.globs.matches(relative) {
            if let Some(&i) = self.owner.get(glob) {
                matched[i] = true;
            }
        }
        packages
            .iter()
            .zip(matched)
            .map(|(p, matched)| {
                let a = &p.applicability;
                (a.files.is_empty() || matched)
                    && (a.formats.is_empty() || a.formats.contains(&format))
            })
            .collect()
    }
}

/// A package selected for evaluation.
#[derive(Clone, Debug)]
pub struct Package {
    /// Dotted package name without `data.`, e.g. `main` or `k8s.security`.
    pub name: String,
    /// Its deny/violation/warn rules, sorted by name.
    pub rules: Vec<RuleSpec>,
    /// Whether it defines an `exception` rule.
    pub has_exception: bool,
    /// Part of the built-in pack.
    pub builtin: bool,
    /// Evaluated once per repository instead of per file.
    pub repository: bool,
    /// The files it applies to.
    pub applicability: Applicability,
    /// Whether it was compiled; a pack package that applies to none of the run's files is
    /// not (see [`PolicyOptions::scope`]) and is never evaluated.
    pub compiled: bool,
}

/// The loaded, compiled policies of one run.
#[derive(Debug)]
pub struct PolicySet {
    prototype: regorus::Engine,
    packages: Arc<Vec<Package>>,
    scopes: Arc<ScopeIndex>,
    unselected: Vec<String>,
    files: Vec<String>,
    sources: Arc<Vec<(String, String)>>,
    unit_tests: Vec<UnitTest>,
    timeout: Option<std::time::Duration>,
    /// Where evaluators report their times (`--profile`); off unless set.
    recorder: Recorder,
}

/// The module that gives policies `data.conftest.file`, backed by a host function. It
/// only adds a rule to package `conftest`, so a user's own `package conftest` (conftest's
/// `examples/configfile`) shares the package and is evaluated with `-n conftest`, as in
/// conftest, which writes the same value into its data store.
const CONFTEST_MODULE: &str = "package conftest\n\nfile := __goldenpath_conftest_file(0)\n";
const CONFTEST_MODULE_PATH: &str = "<goldenpath:conftest>";

/// The module that gives file rules `data.goldenpath.context` (see [`crate::context`]).
const CONTEXT_MODULE: &str = "package goldenpath\n\ncontext := __goldenpath_context(0)\n";
const CONTEXT_MODULE_PATH: &str = "<goldenpath:context>";

impl PolicySet {
    /// Loads, compiles and prepares the policies.
    pub fn load(options: &PolicyOptions) -> Result<PolicySet, PolicyError> {
        let files = find_rego_files(&options.paths)?;
        let mut pack: Vec<PackModule> = Vec::new();
        if options.builtin {
            for source in PACK_SOURCES {
                let label = format!("{BUILTIN_PREFIX}{}", source.path);
                let metadata = metadata::parse(&label, source.text)?;
                let compiled = options
                    .scope
                    .as_ref()
                    .is_none_or(|files| pack_applies(&metadata, files));
                pack.push(PackModule {
                    source,
                    label,
                    metadata,
                    compiled,
                });
            }
        }
        let mut engine = regorus::Engine::new();
        engine.set_rego_v0(options.rego_v0);
        // OPA's behaviour: a builtin error makes the expression undefined, not the query fail.
        engine.set_strict_builtin_errors(options.read.strict);
        engine.set_gather_prints(true);
        let mut labels = Vec::new();
        let mut sources = Vec::new();
        for path in &files {
            let label = display(path);
            let text = crate::confine::read_to_string(path).map_err(|e| PolicyError::Read {
                path: label.clone(),
                message: e.to_string(),
            })?;
            if let Err(err) = engine.add_policy(label.clone(), text.clone()) {
                return Err(PolicyError::from_engine(
                    &err,
                    &[(label, text)],
                    options.rego_v0,
                ));
            }
            labels.push(label.clone());
            sources.push((label, text));
        }
        let user_sources = sources.len();
        for module in pack.iter().filter(|m| m.compiled) {
            let (label, text) = (module.label.clone(), module.source.text.to_string());
            // The pack is always Rego v1, whatever the user's policies are.
            engine.set_rego_v0(false);
            if let Err(err) = engine.add_policy(label.clone(), text.clone()) {
                return Err(PolicyError::from_engine(&err, &[(label, text)], false));
            }
            engine.set_rego_v0(options.rego_v0);
            sources.push((label, text));
        }
        let mut annotations = annotate(&engine, &sources[..user_sources])?;
        // Packages with a file of the user's own (which may add to a pack package).
        let user_packages: std::collections::BTreeSet<String> =
            annotations.keys().cloned().collect();
        for module in &pack {
            annotations
                .entry(module.source.package.to_string())
                .or_default()
                .add(&module.label, module.metadata.clone());
        }
        engine
            .add_policy(
                CONFTEST_MODULE_PATH.to_string(),
                CONFTEST_MODULE.to_string(),
            )
            .map_err(|e| PolicyError::Internal(e.to_string()))?;
        engine
            .add_policy(CONTEXT_MODULE_PATH.to_string(), CONTEXT_MODULE.to_string())
            .map_err(|e| PolicyError::Internal(e.to_string()))?;
        let metadata = config_builtins::MetadataIndex::default();
        extensions::register(&mut engine, &options.read, &metadata)
            .map_err(|e| PolicyError::Internal(e.to_string()))?;
        for (label, value) in &options.data {
            engine
                .add_data(value.clone())
                .map_err(|e| PolicyError::Data {
                    path: label.clone(),
                    message: first_line(&e.to_string()),
                })?;
        }

        let (rule_paths, definitions) = {
            // Compiling analyses the policies once, for this listing and for evaluation
            // (the engine is prepared: its clones do not analyse again).
            let compiled = engine
                .compile_with_entrypoint(&"data.conftest.file".into())
                .map_err(|e| PolicyError::from_engine(&e, &sources, options.rego_v0))?;
            let rules = compiled.get_rules();
            checks::object_shaped_rules(rules.values().flatten(), &sources)?;
            let _ = metadata.set(annotated_rules(rules.values().flatten(), &sources)?);
            // The pack's own packages refer only to pack packages and have no cycle (its
            // tests evaluate every rule): a cycle needs a module of the user's.
            let modules: Vec<_> = compiled
                .get_modules()
                .iter()
                .filter(|m| {
                    let file = m.package.span.source.file();
                    !file.starts_with(BUILTIN_PREFIX)
                        || pack
                            .iter()
                            .find(|p| p.label == *file)
                            .is_none_or(|p| user_packages.contains(p.source.package))
                })
                .cloned()
                .collect();
            checks::recursion(&modules, &sources)?;
            if options.strict {
                checks::strict(compiled.get_modules(), &sources)?;
            }
            if let Some((label, allowed)) = &options.capabilities {
                checks::capabilities(compiled.get_modules(), &sources, label, allowed)?;
            }
            // Where each rule is first defined, from the spans regorus keeps.
            let definitions: Vec<unit::RuleDefinition> = rules
                .iter()
                .filter_map(|(path, defs)| unit::RuleDefinition::first(path, defs))
                .collect();
            (rules.keys().cloned().collect::<Vec<_>>(), definitions)
        };
        let package_names = engine
            .get_packages()
            .map_err(|e| PolicyError::Internal(e.to_string()))?;
        let mut all = collect_packages(&package_names, &rule_paths);
        all.extend(pack.iter().filter(|m| !m.compiled).filter_map(outlined));
        all.sort_by(|a, b| a.name.cmp(&b.name));
        for package in &mut all {
            apply_annotations(package, annotations.get(&package.name));
        }
        let unit_tests = unit::collect(&package_names, &definitions);

        let patterns: Vec<String> = if options.namespaces.is_empty() {
            vec!["main".to_string()]
        } else {
            options.namespaces.clone()
        };
        let (selected, unselected): (Vec<Package>, Vec<Package>) = all.into_iter().partition(|p| {
            p.builtin
                || options.all_namespaces
                || patterns
                    .iter()
                    .any(|pat| crate::finding::wildcard_match(pat, &p.name))
        });

        let mut set = PolicySet {
            prototype: engine,
            scopes: Arc::new(ScopeIndex::new(&selected)),
            packages: Arc::new(selected),
            unselected: unselected.into_iter().map(|p| p.name).collect(),
            files: labels,
            sources: Arc::new(sources),
            unit_tests,
            timeout: options.timeout,
            recorder: Recorder::default(),
        };
        let sources = Arc::clone(&set.sources);
        // The pack's own packages are known to evaluate (its tests run every rule); a
        // package the user's files add to is checked like theirs.
        set.warm_up(&sources, options.rego_v0, |p| {
            !p.builtin || user_packages.contains(&p.name)
        })?;
        Ok(set)
    }

    /// Evaluates every selected rule of the packages `check` picks once on an empty input,
    /// which surfaces errors regorus reports only at evaluation (unknown functions, rule
    /// conflicts, recursion) as load errors.
    fn warm_up(
        &mut self,
        sources: &[(String, String)],
        rego_v0: bool,
        check: impl Fn(&Package) -> bool,
    ) -> Result<(), PolicyError> {
        self.prototype.set_input(regorus::Value::new_object());
        let packages = Arc::clone(&self.packages);
        for package in packages.iter().filter(|p| p.compiled && check(p)) {
            let exception = package
                .has_exception
                .then(|| format!("data.{}.exception", package.name));
            let rules = package
                .rules
                .iter()
                .map(|r| format!("data.{}.{}", package.name, r.name));
            for path in exception.into_iter().chain(rules) {
                // A rule that runs away on the empty input is reported per file instead.
                if let Some(limit) = self.timeout {
                    eval::set_budget(&mut self.prototype, limit);
                }
                if let Err(err) = self.prototype.eval_rule(path) {
                    if error::is_static_error(&err.to_string()) {
                        return Err(PolicyError::from_engine(&err, sources, rego_v0));
                    }
                }
            }
        }
        let _ = self.prototype.take_prints();
        Ok(())
    }

    /// A new evaluator for one worker thread.
    pub fn evaluator(&self) -> Evaluator {
        Evaluator::new(
            self.prototype.clone(),
            Arc::clone(&self.packages),
            Arc::clone(&self.scopes),
            Arc::clone(&self.sources),
            self.timeout,
            &self.recorder,
        )
    }

    /// Makes every evaluator made from now on report its evaluation times to `recorder`.
    pub fn record_times(&mut self, recorder: Recorder) {
        self.recorder = recorder;
    }

    /// The packages that will be evaluated.
    pub fn packages(&self) -> &[Package] {
        &self.packages
    }

    /// The `test_*` and `todo_test_*` rules of every loaded package, sorted by file,
    /// line and name.
    pub fn unit_tests(&self) -> &[UnitTest] {
        &self.unit_tests
    }

    /// Packages that define rules but were left out by the namespace selection.
    pub fn unselected(&self) -> &[String] {
        &self.unselected
    }

    /// The rules of the selected packages, for reports.
    pub fn rules(&self) -> Vec<RuleInfo> {
        self.packages
            .iter()
            .flat_map(|p| &p.rules)
            .map(|r| r.info.clone())
            .collect()
    }

    /// Whether any selected package is evaluated per repository.
    pub fn has_repository_rules(&self) -> bool {
        self.packages.iter().any(|p| p.repository)
    }

    /// The policy files loaded, as labelled in messages.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// What reports need to know of these policies.
    pub fn facts(&self) -> PolicyFacts {
        PolicyFacts {
            rules: self.rules(),
            unselected: self.unselected.clone(),
            pack_rules: self
                .packages
                .iter()
                .filter(|p| p.builtin)
                .flat_map(|p| &p.rules)
                .map(|r| r.info.id.clone())
                .collect(),
            pack: self.packages.iter().any(|p| p.builtin),
            repository_rules: self.has_repository_rules(),
        }
    }
}

/// What reports need to know of a loaded policy set, without the compiled policies: the
/// cache keeps it, so a run whose every result is cached compiles nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PolicyFacts {
    /// The rules of the selected packages ([`PolicySet::rules`]).
    pub rules: Vec<RuleInfo>,
    /// Packages left out by the namespace selection.
    pub unselected: Vec<String>,
    /// The ids of the built-in pack's rules.
    pub pack_rules: Vec<String>,
    /// Whether the built-in pack runs.
    pub pack: bool,
    /// Whether any selected package is evaluated per repository.
    pub repository_rules: bool,
}

/// The rule definitions with a `# METADATA` block directly above, by policy file, for
/// `rego.metadata.rule()`.
fn annotated_rules<'a>(
    definitions: impl Iterator<Item = &'a regorus::unstable::Ref<regorus::unstable::Rule>>,
    sources: &[(String, String)],
) -> Result<std::collections::BTreeMap<String, Vec<config_builtins::AnnotatedRule>>, PolicyError> {
    let mut blocks: std::collections::BTreeMap<&str, Vec<Annotation>> = Default::default();
    for (label, text) in sources {
        if text.contains("# METADATA") {
            let found = metadata::parse(label, text)?;
            blocks.insert(
                label.as_str(),
                found
                    .into_iter()
                    .filter(|(scope, _)| matches!(scope, metadata::AnnotationScope::Rule(_)))
                    .map(|(_, a)| a)
                    .collect(),
            );
        }
    }
    let mut out: std::collections::BTreeMap<String, Vec<config_builtins::AnnotatedRule>> =
        Default::default();
    for rule in definitions {
        let span = rule.span();
        let file = span.source.file();
        let Some(annotations) = blocks.get(file.as_str()) else {
            continue;
        };
        let Some(annotation) = annotations
            .iter()
            .find(|a| u32::try_from(a.line).ok() == Some(span.line))
        else {
            continue;
        };
        let text = sources
            .iter()
            .find(|(label, _)| label == file)
            .map_or("", |(_, text)| text.as_str());
        let end = usize::try_from(span.end).unwrap_or(0).min(text.len());
        let lines = text.get(..end).map_or(0, |t| t.matches('\n').count());
        out.entry(file.clone())
            .or_default()
            .push(config_builtins::AnnotatedRule {
                first: span.line,
                last: u32::try_from(lines + 1).unwrap_or(u32::MAX).max(span.line),
                value: annotation.raw.clone(),
            });
    }
    Ok(out)
}

/// Package-level and rule-level METADATA of every loaded package, by package name.
#[derive(Default)]
struct PackageAnnotations {
    package: Option<Annotation>,
    rules: std::collections::BTreeMap<String, Annotation>,
    builtin: bool,
    /// The package's first file: `policies/…` for the pack, the label otherwise.
    source: Option<String>,
}

fn annotate(
    engine: &regorus::Engine,
    sources: &[(String, String)],
) -> Result<std::collections::BTreeMap<String, PackageAnnotations>, PolicyError> {
    let components = engine
        .get_policy_package_components()
        .map_err(|e| PolicyError::Internal(e.to_string()))?;
    let mut out: std::collections::BTreeMap<String, PackageAnnotations> = Default::default();
    for (label, text) in sources {
        let Some(package) = components
            .iter()
            .find(|c| c.source_file == *label)
            .map(|c| c.components.join("."))
        else {
            continue;
        };
        out.entry(package)
            .or_default()
            .add(label, metadata::parse(label, text)?);
    }
    Ok(out)
}

impl PackageAnnotations {
    /// Adds the METADATA of one file of the package, labelled `label`.
    fn add(&mut self, label: &str, parsed: Vec<(metadata::AnnotationScope, Annotation)>) {
        self.builtin |= label.starts_with(BUILTIN_PREFIX);
        self.source
            .get_or_insert_with(|| match label.strip_prefix(BUILTIN_PREFIX) {
                Some(path) => format!("policies/{path}"),
                None => label.to_string(),
            });
        for (target, annotation) in parsed {
            match target {
                metadata::AnnotationScope::Package => {
                    self.package.get_or_insert(annotation);
                }
                metadata::AnnotationScope::Rule(name) => {
                    self.rules.entry(name).or_insert(annotation);
                }
            }
        }
    }
}

/// A file of the built-in pack on its way into the engine.
struct PackModule {
    source: &'static PackSource,
    label: String,
    metadata: Vec<(metadata::AnnotationScope, Annotation)>,
    /// Whether it is compiled (see [`PolicyOptions::scope`]).
    compiled: bool,
}

/// Whether a pack file's package applies to any of `files`: never for a repository
/// package (no repository is checked when the files are named).
fn pack_applies(
    metadata: &[(metadata::AnnotationScope, Annotation)],
    files: &[(String, Format)],
) -> bool {
    let Some(package) = metadata
        .iter()
        .find(|(scope, _)| matches!(scope, metadata::AnnotationScope::Package))
        .map(|(_, a)| a)
    else {
        return true;
    };
    !package.custom.repository && Applicability::new(&package.custom).covers_any(files)
}

/// The package of a pack file that is not compiled, from what `build.rs` read of it.
fn outlined(module: &PackModule) -> Option<Package> {
    let source = module.source;
    let rules = source
        .rules
        .iter()
        .filter_map(|name| {
            Some(RuleSpec {
                name: name.to_string(),
                id: format!("{}.{name}", source.package),
                severity: rule_severity(name)?,
                exception_name: exception_name(name),
                info: RuleInfo::default(),
            })
        })
        .collect::<Vec<_>>();
    (!rules.is_empty()).then(|| Package {
        name: source.package.to_string(),
        rules,
        has_exception: source.has_exception,
        builtin: true,
        repository: false,
        applicability: Applicability::default(),
        compiled: false,
    })
}

/// Sets ids, severities, documentation, scope and applicability from METADATA.
fn apply_annotations(package: &mut Package, annotations: Option<&PackageAnnotations>) {
    let Some(annotations) = annotations else {
        for rule in &mut package.rules {
            rule.info = RuleInfo {
                id: rule.id.clone(),
                severity: Some(rule.severity),
                ..RuleInfo::default()
            };
        }
        return;
    };
    package.builtin = annotations.builtin;
    let package_level = annotations.package.clone().unwrap_or_default();
    package.repository = package_level.custom.repository;
    package.applicability = Applicability::new(&package_level.custom);
    for rule in &mut package.rules {
        let own = annotations.rules.get(&rule.name);
        let pick = |f: &dyn Fn(&Annotation) -> Option<String>| {
            own.and_then(f).or_else(|| f(&package_level))
        };
        if let Some(id) = pick(&|a| a.custom.id.clone()) {
            rule.id = id;
        }
        if let Some(severity) = own
            .and_then(|a| a.custom.severity)
            .or(package_level.custom.severity)
        {
            rule.severity = severity;
        }
        let custom = own.map_or(&package_level.custom, |a| &a.custom);
        let related = own
            .map(|a| &a.related)
            .filter(|r| !r.is_empty())
            .unwrap_or(&package_level.related);
        rule.info = RuleInfo {
            id: rule.id.clone(),
            severity: Some(rule.severity),
            title: pick(&|a| a.title.clone()),
            description: pick(&|a| a.description.clone()),
            help: pick(&|a| a.custom.help.clone()),
            help_uri: related.first().map(|(uri, _)| uri.clone()),
            tags: if custom.tags.is_empty() {
                package_level.custom.tags.clone()
            } else {
                custom.tags.clone()
            },
            level: own
                .and_then(|a| a.custom.level)
                .or(package_level.custom.level),
            rationale: pick(&|a| a.custom.rationale.clone()),
            peers: if custom.peers.is_empty() {
                package_level.custom.peers.clone()
            } else {
                custom.peers.clone()
            },
            security_severity: pick(&|a| a.custom.security_severity.clone()),
            files: package_level.custom.files.clone(),
            formats: package_level.custom.formats.clone(),
            scope: Some(if package.repository {
                RuleScope::Repository
            } else {
                RuleScope::File
            }),
            source: annotations.source.clone(),
        };
    }
}

fn first_line(s: &str) -> String {
    s.trim().lines().next().unwrap_or_default().to_string()
}

pub(crate) fn find_rego_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PolicyError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| PolicyError::Read {
            path: display(path),
            message: e.to_string(),
        })?;
        if meta.is_file() {
            files.push(path.clone());
            continue;
        }
        let before = files.len();
        for entry in walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
        {
            let entry = entry.map_err(|e| PolicyError::Read {
                path: e.path().map_or_else(|| display(path), display),
                message: e.to_string(),
            })?;
            let is_rego = entry.file_type().is_file()
                && entry.path().extension().is_some_and(|ext| ext == "rego");
            if is_rego {
                files.push(entry.into_path());
            }
        }
        if files.len() == before {
            return Err(PolicyError::NoPolicies(display(path)));
        }
    }
    files.sort();
    files.dedup();
    // The same file named twice (`-p policy -p ./policy`, a directory and its parent) is
    // loaded once.
    let mut seen = std::collections::BTreeSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    Ok(files)
}

/// Groups rule paths (`data.pkg.rule`) by package and keeps the conftest rule names.
fn collect_packages(package_names: &[String], rule_paths: &[String]) -> Vec<Package> {
    let mut names: Vec<&str> = package_names
        .iter()
        .filter_map(|p| p.strip_prefix("data."))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut packages: Vec<Package> = names
        .iter()
        .map(|name| Package {
            name: name.to_string(),
            rules: Vec::new(),
            has_exception: false,
            builtin: false,
            repository: false,
            applicability: Applicability::default(),
            compiled: true,
        })
        .collect();
    for path in rule_paths {
        let Some(rest) = path.strip_prefix("data.") else {
            continue;
        };
        // The longest package that is a prefix of the path and leaves a plain rule name.
        let owner = packages
            .iter_mut()
            .filter(|p| {
                rest.strip_prefix(p.name.as_str())
                    .and_then(|r| r.strip_prefix('.'))
                    .is_some_and(|r| !r.contains('.'))
            })
            .max_by_key(|p| p.name.len());
        let Some(package) = owner else { continue };
        let name = &rest[package.name.len() + 1..];
        if name == "exception" {
            package.has_exception = true;
        } else if let Some(severity) = rule_severity(name) {
            if !package.rules.iter().any(|r| r.name == name) {
                package.rules.push(RuleSpec {
                    name: name.to_string(),
                    id: format!("{}.{}", package.name, name),
                    severity,
                    exception_name: exception_name(name),
                    info: RuleInfo::default(),
                });
            }
        }
    }
    packages.retain(|p| !p.rules.is_empty());
    for p in &mut packages {
        p.rules.sort_by(|a, b| a.name.cmp(&b.name));
    }
    packages
}

/// conftest's rule names: `deny`, `violation` (errors) and `warn` (warnings), each
/// optionally followed by `_suffix` parts of letters and digits.
pub fn rule_severity(name: &str) -> Option<Severity> {
    let mut parts = name.split('_');
    let severity = match parts.next()? {
        "deny" | "violation" => Severity::Error,
        "warn" => Severity::Warning,
        _ => return None,
    };
    parts
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(severity)
}

/// The name an `exception` rule uses for a rule: `deny_foo` → `foo`; `deny` → `""`.
fn exception_name(name: &str) -> String {
    if matches!(name, "deny" | "violation" | "warn") {
        return String::new();
    }
    ["violation_", "deny_", "warn_"]
        .iter()
        .fold(name, |n, prefix| n.strip_prefix(prefix).unwrap_or(n))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::wildcard_match;

    #[test]
    fn conftest_rule_names() {
        let cases = [
            ("deny", Some(Severity::Error)),
            ("violation", Some(Severity::Error)),
            ("warn", Some(Severity::Warning)),
            ("deny_run_as_root", Some(Severity::Error)),
            ("warn_latest2", Some(Severity::Warning)),
            ("denyx", None),
            ("deny_", None),
            ("deny__x", None),
            ("allow", None),
            ("exception", None),
        ];
        for (name, want) in cases {
            assert_eq!(rule_severity(name), want, "{name}");
        }
        assert_eq!(exception_name("deny_run_as_root"), "run_as_root");
        assert_eq!(exception_name("warn_foo"), "foo");
        assert_eq!(exception_name("violation"), "");
    }

    #[test]
    fn namespace_wildcards() {
        assert!(wildcard_match("main", "main"));
        assert!(!wildcard_match("main", "main.k8s"));
        assert!(wildcard_match("main.*", "main.k8s.x"));
        assert!(wildcard_match("*", "anything.at.all"));
        assert!(wildcard_match("k?s", "k8s"));
        assert!(!wildcard_match("k?s", "kks8"));
    }

    fn outline(set: &PolicySet) -> Vec<(String, Vec<RuleSpec>, bool, bool, bool)> {
        set.packages()
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.rules.clone(),
                    p.has_exception,
                    p.builtin,
                    p.repository,
                )
            })
            .collect()
    }

    #[test]
    fn the_pack_listed_without_compiling_is_the_compiled_pack() {
        let full = PolicySet::load(&PolicyOptions {
            builtin: true,
            ..PolicyOptions::default()
        })
        .expect("the pack loads");
        let listed = PolicySet::load(&PolicyOptions {
            builtin: true,
            scope: Some(Vec::new()),
            ..PolicyOptions::default()
        })
        .expect("the pack is listed");
        assert!(full.packages().iter().all(|p| p.compiled));
        assert!(listed.packages().iter().all(|p| !p.compiled));
        assert_eq!(outline(&full), outline(&listed));
        assert_eq!(full.rules(), listed.rules());
        let applicability = |set: &PolicySet| -> Vec<(Vec<String>, Vec<Format>)> {
            set.packages()
                .iter()
                .map(|p| {
                    (
                        p.applicability.files.clone(),
                        p.applicability.formats.clone(),
                    )
                })
                .collect()
        };
        assert_eq!(applicability(&full), applicability(&listed));
    }

    #[test]
    fn every_pack_rule_evaluates_without_a_static_error() {
        let mut set = PolicySet::load(&PolicyOptions {
            builtin: true,
            ..PolicyOptions::default()
        })
        .expect("the pack loads");
        let sources = Arc::clone(&set.sources);
        set.warm_up(&sources, false, |_| true)
            .expect("no pack rule fails to evaluate");
    }

    #[test]
    fn named_files_compile_only_the_pack_packages_that_apply() {
        let set = PolicySet::load(&PolicyOptions {
            builtin: true,
            scope: Some(vec![
                ("deploy/app.yaml".to_string(), Format::Yaml),
                ("Dockerfile".to_string(), Format::Dockerfile),
            ]),
            ..PolicyOptions::default()
        })
        .expect("the pack loads");
        for p in set.packages() {
            let area = p.name.split('.').nth(1).unwrap_or_default();
            let want = !p.repository && matches!(area, "k8s" | "docker");
            assert_eq!(p.compiled, want, "{}", p.name);
        }
    }

    #[test]
    fn packages_take_the_longest_prefix() {
        let packages = vec![
            "data.a".to_string(),
            "data.a.b".to_string(),
            "data.conftest".to_string(),
        ];
        let rules = vec![
            "data.a.deny".to_string(),
            "data.a.b.warn_x".to_string(),
            "data.a.b.exception".to_string(),
            "data.a.helper".to_string(),
            "data.conftest.file".to_string(),
        ];
        let got = collect_packages(&packages, &rules);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "a");
        assert_eq!(got[0].rules[0].id, "a.deny");
        assert_eq!(got[1].name, "a.b");
        assert_eq!(got[1].rules[0].id, "a.b.warn_x");
        assert!(got[1].has_exception);
    }
}

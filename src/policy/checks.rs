//! Checks made once the policies compile and before any document is evaluated, for
//! mistakes conftest (or OPA's compiler) rejects but regorus would run.

use std::collections::{BTreeMap, BTreeSet};

use regorus::unstable::{AssignOp, Expr, Literal, Module, Query, Ref, Rule, RuleHead};

use super::{rule_severity, PolicyError};

/// conftest's check for `deny[msg] if { ... }`: in Rego v1 that head (a reference without
/// `contains` and without a value) defines `deny` as an object mapping each message to
/// `true`, not a set of messages, so every result would be lost. conftest refuses such a
/// policy with this message; so does goldenpath, at the rule's head.
pub(super) fn object_shaped_rules<'a>(
    definitions: impl Iterator<Item = &'a Ref<Rule>>,
    sources: &[(String, String)],
) -> Result<(), PolicyError> {
    let mut offending: Vec<(String, u32, usize, usize)> = definitions
        .filter_map(|rule| {
            let Rule::Spec {
                head: RuleHead::Compr {
                    refr, assign: None, ..
                },
                ..
            } = rule.as_ref()
            else {
                return None;
            };
            let name = ref_base(refr)?;
            rule_severity(name)?;
            let span = refr.span();
            let start = usize::try_from(span.start).ok()?;
            let end = usize::try_from(span.end).ok()?;
            Some((span.source.file().clone(), span.line, start, end))
        })
        .collect();
    offending.sort();
    let Some((file, _, start, end)) = offending.into_iter().next() else {
        return Ok(());
    };
    let source = source_of(sources, &file);
    // regorus's span of `deny[msg]` stops before the closing bracket.
    let end = if source.get(end..).is_some_and(|r| r.starts_with(']')) {
        end + 1
    } else {
        end
    };
    let name = source.get(start..end).unwrap_or("deny[msg]");
    let base = name.split(['[', '.']).next().unwrap_or("deny");
    Err(PolicyError::at(
        &file,
        source,
        start,
        end.saturating_sub(start),
        "rule is using 'if' keyword without 'contains' keyword".to_string(),
        Some(format!(
            "in Rego v1, `{name} if` makes `{base}` an object and its messages are lost: write `{base} contains {} if`",
            name.strip_prefix(base)
                .and_then(|r| r.strip_prefix('['))
                .and_then(|r| r.strip_suffix(']'))
                .unwrap_or("msg")
        )),
    ))
}

/// The first name of a multi-part reference head (`deny` of `deny[msg]` or `deny.x`);
/// `None` for a plain name.
fn ref_base(refr: &Ref<Expr>) -> Option<&str> {
    let mut current = refr;
    let mut depth = 0;
    loop {
        match current.as_ref() {
            Expr::RefBrack { refr, .. } | Expr::RefDot { refr, .. } => {
                current = refr;
                depth += 1;
            }
            Expr::Var { span, .. } if depth > 0 => return Some(span.text()),
            _ => return None,
        }
    }
}

/// OPA's compiler rejects recursion: a rule or function that depends on itself, directly
/// or through others. regorus would only find it while evaluating (a function would
/// exhaust the stack without the vendored patch), so goldenpath rejects it when the
/// policies load, naming the cycle. References are resolved as OPA resolves them:
/// `data.`-rooted paths, import aliases, and names of the same package, unless a local
/// variable (`:=`, `some`, a function argument, `every`) shadows them.
pub(super) fn recursion(
    modules: &[Ref<Module>],
    sources: &[(String, String)],
) -> Result<(), PolicyError> {
    let mut calls = Vec::new();
    recursion_and_calls(modules, sources, &mut calls)
}

/// Builtins every run has, whatever a capabilities file says: conftest's own (which OPA's
/// capabilities files never list) and goldenpath's.
const ALWAYS_CALLABLE: &[&str] = &[
    "parse_config",
    "parse_config_file",
    "parse_combined_config_files",
];

/// conftest's `--capabilities`: every builtin the policies call must be listed in the
/// capabilities file (`label`), as OPA's compiler checks; the first call of one that is
/// not is the error, the others are named in its help.
pub(super) fn capabilities(
    modules: &[Ref<Module>],
    sources: &[(String, String)],
    label: &str,
    allowed: &BTreeSet<String>,
) -> Result<(), PolicyError> {
    let mut calls = Vec::new();
    recursion_and_calls(modules, sources, &mut calls)?;
    let mut refused: Vec<(String, String, usize, usize)> = calls
        .into_iter()
        .filter(|(name, file, _, _)| {
            !allowed.contains(name)
                && !ALWAYS_CALLABLE.contains(&name.as_str())
                && !name.starts_with("goldenpath.")
                && !name.starts_with("__goldenpath")
                && !file.starts_with(super::BUILTIN_PREFIX)
                && !file.starts_with('<')
        })
        .collect();
    refused.sort_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2)));
    let Some((name, file, start, end)) = refused.first().cloned() else {
        return Ok(());
    };
    let source = source_of(sources, &file);
    let line_of = |file: &str, offset: usize| {
        let text = source_of(sources, file);
        text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1
    };
    let mut help = format!("`{label}` lists the builtins policies may call");
    let mut seen = BTreeSet::from([name.clone()]);
    for (other, other_file, other_start, _) in &refused[1..] {
        if seen.insert(other.clone()) {
            help.push_str(&format!(
                "; also undefined function {other} at {other_file}:{}",
                line_of(other_file, *other_start)
            ));
        }
    }
    Err(PolicyError::at(
        &file,
        source,
        start,
        end.saturating_sub(start),
        format!("undefined function {name} (not in the capabilities file)"),
        Some(help),
    ))
}

/// OPA's strict mode (conftest's `--strict`): a local assigned with `:=` that nothing
/// reads, and a function argument its bodies never use, are compile errors. The first
/// is the error; the others are named in its help.
pub(super) fn strict(
    modules: &[Ref<Module>],
    sources: &[(String, String)],
) -> Result<(), PolicyError> {
    let mut found: Vec<(String, usize, usize, String)> = Vec::new();
    for module in modules {
        for rule in &module.policy {
            let Rule::Spec { head, bodies, .. } = rule.as_ref() else {
                continue;
            };
            let span = rule.span();
            let file = span.source.file().clone();
            if file.starts_with(super::BUILTIN_PREFIX) || file.starts_with('<') {
                continue;
            }
            let text = span.text();
            let mut declared: Vec<(&Ref<Expr>, &str)> = Vec::new();
            if let RuleHead::Func { args, .. } = head {
                for arg in args {
                    if matches!(arg.as_ref(), Expr::Var { .. }) {
                        declared.push((arg, "unused argument"));
                    }
                }
            }
            for body in bodies {
                for stmt in &body.query.stmts {
                    if let Literal::Expr { expr, .. } = &stmt.literal {
                        if let Expr::AssignExpr {
                            op: AssignOp::ColEq,
                            lhs,
                            ..
                        } = expr.as_ref()
                        {
                            if matches!(lhs.as_ref(), Expr::Var { .. }) {
                                declared.push((lhs, "assigned var"));
                            }
                        }
                    }
                }
            }
            for (var, what) in declared {
                let name = var.span().text();
                if name.starts_with('_') || occurrences(text, name) > 1 {
                    continue;
                }
                let at = var.span();
                found.push((
                    file.clone(),
                    usize::try_from(at.start).unwrap_or(0),
                    usize::try_from(at.end).unwrap_or(0),
                    match what {
                        "unused argument" => format!("unused argument {name}"),
                        _ => format!("assigned var {name} unused"),
                    },
                ));
            }
        }
    }
    found.sort();
    let Some((file, start, end, message)) = found.first().cloned() else {
        return Ok(());
    };
    let source = source_of(sources, &file);
    let others: Vec<String> = found[1..]
        .iter()
        .map(|(file, start, _, message)| {
            let text = source_of(sources, file);
            let line = text.get(..*start).map_or(0, |t| t.matches('\n').count()) + 1;
            format!("{message} at {file}:{line}")
        })
        .collect();
    let mut help =
        "OPA's strict mode (--strict) rejects locals and arguments nothing uses".to_string();
    if !others.is_empty() {
        help.push_str(&format!("; also {}", others.join("; ")));
    }
    Err(PolicyError::at(
        &file,
        source,
        start,
        end.saturating_sub(start),
        message,
        Some(help),
    ))
}

/// How many times `name` occurs in `text` as a whole identifier that can be a variable
/// (not a field after `.`, not a quoted string).
fn occurrences(text: &str, name: &str) -> usize {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '"' || c == '`';
    let is_field = |c: char| is_ident(c) || c == '.';
    text.match_indices(name)
        .filter(|(at, _)| {
            let before = text[..*at].chars().next_back();
            let after = text[at + name.len()..].chars().next();
            !before.is_some_and(is_field) && !after.is_some_and(is_ident)
        })
        .count()
}

fn recursion_and_calls(
    modules: &[Ref<Module>],
    sources: &[(String, String)],
    calls: &mut Vec<(String, String, usize, usize)>,
) -> Result<(), PolicyError> {
    let mut rules: BTreeMap<String, Vec<&Ref<Rule>>> = BTreeMap::new();
    let mut owner: Vec<(String, &Ref<Module>)> = Vec::new();
    for module in modules {
        let Some(package) = dotted(&module.package.refr) else {
            continue;
        };
        let package = format!("data.{package}");
        for rule in &module.policy {
            if let Some(name) = rule_name(rule) {
                rules
                    .entry(format!("{package}.{name}"))
                    .or_default()
                    .push(rule);
            }
        }
        owner.push((package, module));
    }
    // Edges: the rules each rule refers to.
    let mut edges: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (package, module) in &owner {
        let aliases = import_aliases(module);
        for rule in &module.policy {
            let Some(name) = rule_name(rule) else {
                continue;
            };
            let Some((path, _)) = rules.get_key_value(&format!("{package}.{name}")) else {
                continue;
            };
            let mut walker = Walker {
                package,
                aliases: &aliases,
                rules: &rules,
                locals: BTreeSet::new(),
                found: BTreeSet::new(),
                builtins: Vec::new(),
            };
            walker.rule(rule);
            edges.entry(path.as_str()).or_default().extend(walker.found);
            calls.extend(walker.builtins);
        }
    }
    let Some(cycle) = find_cycle(&edges) else {
        return Ok(());
    };
    let first = rules.get(&cycle[0]).and_then(|defs| defs.first());
    let (file, start, end) = first.map_or((String::new(), 0, 0), |rule| {
        let span = rule.span();
        let head = head_ref(rule).map_or(span, |r| r.span());
        (
            head.source.file().clone(),
            usize::try_from(head.start).unwrap_or(0),
            usize::try_from(head.end).unwrap_or(0),
        )
    });
    let source = source_of(sources, &file);
    Err(PolicyError::at(
        &file,
        source,
        start,
        end.saturating_sub(start),
        format!(
            "rule {} is recursive: {}",
            cycle[0],
            cycle.join(" -> ")
        ),
        Some(
            "Rego does not allow a rule or function to depend on itself; OPA rejects this policy when it compiles it"
                .to_string(),
        ),
    ))
}

/// The text of the policy file `file` (empty when it is not among `sources`).
fn source_of<'a>(sources: &'a [(String, String)], file: &str) -> &'a str {
    sources
        .iter()
        .find(|(label, _)| label == file)
        .map_or("", |(_, text)| text.as_str())
}

/// The first cycle in the graph (sorted for determinism), as the path around it.
fn find_cycle(edges: &BTreeMap<&str, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        edges: &BTreeMap<&str, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let at = stack.iter().position(|n| n == node)?;
                let mut cycle = stack[at..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_string(), Mark::Open);
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, marks, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in edges.keys() {
        let mut stack = Vec::new();
        if let Some(cycle) = visit(node, edges, &mut marks, &mut stack) {
            return Some(cycle);
        }
    }
    None
}

/// A rule's name inside its package: the static part of its head (`deny` of
/// `deny contains msg`, `f` of `f(x)`, `a.b` of `a.b[k] := v`).
fn rule_name(rule: &Ref<Rule>) -> Option<String> {
    let refr = head_ref(rule)?;
    let mut current = refr;
    // Drop a trailing `[key]` (partial set and object rules).
    while let Expr::RefBrack { refr, .. } = current.as_ref() {
        current = refr;
    }
    dotted(current)
}

fn head_ref(rule: &Ref<Rule>) -> Option<&Ref<Expr>> {
    match rule.as_ref() {
        Rule::Spec { head, .. } => match head {
            RuleHead::Compr { refr, .. }
            | RuleHead::Set { refr, .. }
            | RuleHead::Func { refr, .. } => Some(refr),
        },
        Rule::Default { refr, .. } => Some(refr),
    }
}

/// `a.b.c` for a chain of names (`a`, `a.b`, `a["b"]`); `None` otherwise.
fn dotted(expr: &Ref<Expr>) -> Option<String> {
    let parts = static_parts(expr)?;
    (!parts.is_empty()).then(|| parts.join("."))
}

/// The leading names of a reference, up to its first dynamic part: `lib.pods.x[_].y`
/// gives `[lib, pods, x]`. `None` when it does not start with a name.
fn static_parts(expr: &Ref<Expr>) -> Option<Vec<String>> {
    match expr.as_ref() {
        Expr::Var { span, .. } => Some(vec![span.text().to_string()]),
        Expr::RefDot { refr, field, .. } => {
            let mut parts = static_parts(refr)?;
            if parts.last().is_some_and(|p| p.is_empty()) {
                return Some(parts);
            }
            parts.push(field.0.text().to_string());
            Some(parts)
        }
        Expr::RefBrack { refr, index, .. } => {
            let mut parts = static_parts(refr)?;
            if parts.last().is_some_and(|p| p.is_empty()) {
                return Some(parts);
            }
            match index.as_ref() {
                Expr::String { value, .. } | Expr::RawString { value, .. } => {
                    parts.push(value.as_string().ok()?.to_string());
                }
                // A dynamic part ends the static prefix.
                _ => parts.push(String::new()),
            }
            Some(parts)
        }
        _ => None,
    }
}

/// Import aliases of a module: `import data.lib.pods` gives `pods` →
/// `[data, lib, pods]`; `import data.x as y` gives `y`.
fn import_aliases(module: &Ref<Module>) -> BTreeMap<String, Vec<String>> {
    let mut aliases = BTreeMap::new();
    for import in &module.imports {
        let Some(parts) = static_parts(&import.refr) else {
            continue;
        };
        if parts.first().map(String::as_str) != Some("data") {
            continue;
        }
        let alias = match &import.r#as {
            Some(span) => span.text().to_string(),
            None => match parts.last() {
                Some(last) => last.clone(),
                None => continue,
            },
        };
        aliases.insert(alias, parts);
    }
    aliases
}

/// Collects the rules one rule refers to.
struct Walker<'a> {
    package: &'a str,
    aliases: &'a BTreeMap<String, Vec<String>>,
    rules: &'a BTreeMap<String, Vec<&'a Ref<Rule>>>,
    /// Names declared locally in the rule (they shadow rule names).
    locals: BTreeSet<String>,
    found: BTreeSet<String>,
    /// Calls of functions that are not rules (builtins): name, file, byte range.
    builtins: Vec<(String, String, usize, usize)>,
}

impl Walker<'_> {
    fn rule(&mut self, rule: &Ref<Rule>) {
        match rule.as_ref() {
            Rule::Spec { head, bodies, .. } => {
                match head {
                    RuleHead::Func { args, assign, .. } => {
                        for arg in args {
                            self.declare(arg);
                        }
                        if let Some(assign) = assign {
                            self.expr(&assign.value);
                        }
                    }
                    RuleHead::Compr { refr, assign, .. } => {
                        self.ref_indices(refr);
                        if let Some(assign) = assign {
                            self.expr(&assign.value);
                        }
                    }
                    RuleHead::Set { refr, key, .. } => {
                        self.ref_indices(refr);
                        if let Some(key) = key {
                            self.expr(key);
                        }
                    }
                }
                for body in bodies {
                    self.query(&body.query);
                    if let Some(assign) = &body.assign {
                        self.expr(&assign.value);
                    }
                }
            }
            Rule::Default { value, .. } => self.expr(value),
        }
    }

    fn query(&mut self, query: &Ref<Query>) {
        // Declarations first, so a use before its `:=` in the text still counts as local.
        for stmt in &query.stmts {
            match &stmt.literal {
                Literal::SomeVars { vars, .. } => {
                    for var in vars {
                        self.locals.insert(var.text().to_string());
                    }
                }
                Literal::SomeIn { key, value, .. } => {
                    if let Some(key) = key {
                        self.declare(key);
                    }
                    self.declare(value);
                }
                Literal::Every { key, value, .. } => {
                    if let Some(key) = key {
                        self.locals.insert(key.text().to_string());
                    }
                    self.locals.insert(value.text().to_string());
                }
                Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => {
                    if let Expr::AssignExpr {
                        op: AssignOp::ColEq,
                        lhs,
                        ..
                    } = expr.as_ref()
                    {
                        self.declare(lhs);
                    }
                }
            }
        }
        for stmt in &query.stmts {
            match &stmt.literal {
                Literal::SomeVars { .. } => {}
                Literal::SomeIn { collection, .. } => self.expr(collection),
                Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => self.expr(expr),
                Literal::Every { domain, query, .. } => {
                    self.expr(domain);
                    self.query(query);
                }
            }
            for with in &stmt.with_mods {
                self.expr(&with.r#as);
            }
        }
    }

    /// Names bound by a pattern (`x`, `[a, b]`, `{"k": v}`) become local.
    fn declare(&mut self, pattern: &Ref<Expr>) {
        match pattern.as_ref() {
            Expr::Var { span, .. } => {
                self.locals.insert(span.text().to_string());
            }
            Expr::Array { items, .. } => items.iter().for_each(|i| self.declare(i)),
            Expr::Object { fields, .. } => fields.iter().for_each(|(_, _, v)| self.declare(v)),
            _ => {}
        }
    }

    fn reference(&mut self, expr: &Ref<Expr>) {
        if let Some(path) = self.resolve(expr) {
            self.found.insert(path);
        }
    }

    /// The rule a reference names (the longest prefix that is one), if any.
    fn resolve(&self, expr: &Ref<Expr>) -> Option<String> {
        let parts = static_parts(expr)?;
        let first = parts.first()?;
        let absolute: Vec<String> = if first == "data" {
            parts.clone()
        } else if self.locals.contains(first) || first == "input" {
            return None;
        } else if let Some(target) = self.aliases.get(first) {
            target.iter().chain(&parts[1..]).cloned().collect()
        } else {
            std::iter::once("data".to_string())
                .chain(self.package.split('.').skip(1).map(str::to_string))
                .chain(parts.iter().cloned())
                .collect()
        };
        // The longest prefix that names a rule.
        for end in (2..=absolute.len()).rev() {
            if absolute[..end].iter().any(String::is_empty) {
                continue;
            }
            let path = absolute[..end].join(".");
            if self.rules.contains_key(&path) {
                return Some(path);
            }
        }
        None
    }

    fn expr(&mut self, expr: &Ref<Expr>) {
        match expr.as_ref() {
            Expr::Var { .. } => self.reference(expr),
            Expr::RefDot { refr, .. } => {
                self.reference(expr);
                self.ref_indices(refr);
            }
            Expr::RefBrack { refr, index, .. } => {
                self.reference(expr);
                self.expr(index);
                self.ref_indices(refr);
            }
            Expr::Call { fcn, params, .. } => {
                match self.resolve(fcn) {
                    Some(path) => {
                        self.found.insert(path);
                    }
                    None => {
                        if let Some(name) = dotted(fcn) {
                            let span = fcn.span();
                            self.builtins.push((
                                name,
                                span.source.file().clone(),
                                usize::try_from(span.start).unwrap_or(0),
                                usize::try_from(span.end).unwrap_or(0),
                            ));
                        }
                    }
                }
                params.iter().for_each(|p| self.expr(p));
            }
            Expr::Array { items, .. } | Expr::Set { items, .. } => {
                items.iter().for_each(|i| self.expr(i))
            }
            Expr::Object { fields, .. } => {
                for (_, k, v) in fields {
                    self.expr(k);
                    self.expr(v);
                }
            }
            Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                self.query(query);
                self.expr(term);
            }
            Expr::ObjectCompr {
                key, value, query, ..
            } => {
                self.query(query);
                self.expr(key);
                self.expr(value);
            }
            Expr::UnaryExpr { expr, .. } => self.expr(expr),
            Expr::BinExpr { lhs, rhs, .. }
            | Expr::BoolExpr { lhs, rhs, .. }
            | Expr::ArithExpr { lhs, rhs, .. }
            | Expr::AssignExpr { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            Expr::Membership {
                key,
                value,
                collection,
                ..
            } => {
                if let Some(key) = key {
                    self.expr(key);
                }
                self.expr(value);
                self.expr(collection);
            }
            _ => {}
        }
    }

    /// The bracketed parts of a reference chain (also the keys of a rule head,
    /// `deny[msg]`, `a[k].b`).
    fn ref_indices(&mut self, mut current: &Ref<Expr>) {
        loop {
            match current.as_ref() {
                Expr::RefBrack { refr, index, .. } => {
                    self.expr(index);
                    current = refr;
                }
                Expr::RefDot { refr, .. } => current = refr,
                Expr::Call { .. } => {
                    // `f(x).field`: the call itself (its function and arguments).
                    self.expr(current);
                    return;
                }
                _ => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// The vendored regorus's fallback (PATCHES.md, 6): recursion the load-time check
    /// cannot see is an error, not a stack overflow, also inside functions in non-strict
    /// mode.
    #[test]
    fn recursion_while_evaluating_is_an_error() {
        let mut engine = regorus::Engine::new();
        engine.set_strict_builtin_errors(false);
        engine
            .add_policy(
                "t.rego".to_string(),
                "package t\n\nf(x) := y if { y := g(x) }\n\ng(x) := y if { y := f(x) + 1 }\n\np := f(1)\n"
                    .to_string(),
            )
            .expect("parses");
        let err = engine
            .eval_rule("data.t.p".to_string())
            .expect_err("recursion is an error");
        assert!(
            err.to_string()
                .contains("recursion detected when calling function"),
            "{err}"
        );
    }
}

//! Jsonnet, evaluated to its JSON value with jrsonnet (the standard library included, no
//! native functions, `std.trace` silenced).
//!
//! Imports (`import`, `importstr`, `importbin`) resolve relative to the importing file
//! and must stay inside the repository the file belongs to (the nearest directory above
//! it holding `.git`, or else the file's own directory); text with no file behind it
//! (`parse_config`, standard input) cannot import.
//!
//! The value is computed, so its parts have no place of their own in the text: each
//! top-level field, and everything under it, is located at the first place the field's
//! name is written followed by `:`; anything else at the start of the file.
//!
//! A Jsonnet program can run for ever or build an unbounded value. The `goldenpath`
//! binary therefore evaluates each file in a child process of its own executable
//! ([`isolate_with`], [`serve`]) limited to [`TIME_LIMIT`] and [`MEMORY_LIMIT`], and
//! reads at most [`OUTPUT_LIMIT`] bytes of its value; a file over a limit is a parse
//! error and the run goes on. Library callers that do not opt in evaluate in-process,
//! with jrsonnet's own call-depth limit only.

use std::any::Any;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use jrsonnet_evaluator::manifest::JsonFormat;
use jrsonnet_evaluator::parser::{ParserSettings, Source, SourceFile, SourcePath};
use jrsonnet_evaluator::trace::PathResolver;
use jrsonnet_evaluator::{ImportResolver, State};

use super::scan::check_depth;
use super::{json, SyntaxError};
use crate::document::{Node, NodeKind, Span};

/// The native stack of the thread a file is evaluated on: jrsonnet recurses as deeply
/// as the Jsonnet program does (up to its own limit of 200 calls).
const STACK: usize = 256 << 20;

/// How long one file's isolated evaluation may take.
pub const TIME_LIMIT: Duration = Duration::from_secs(10);

/// The address space of the process evaluating one file (its 256 MiB stack included).
pub const MEMORY_LIMIT: u64 = 1 << 30;

/// The largest value (as minified JSON) read back from an isolated evaluation.
pub const OUTPUT_LIMIT: u64 = 64 << 20;

/// The executable whose `__evaluate-jsonnet` command evaluates files in isolation.
static ISOLATION: OnceLock<PathBuf> = OnceLock::new();

/// Evaluates Jsonnet from now on in child processes of `exe`, which must run [`serve`]
/// for its hidden `__evaluate-jsonnet` command (the `goldenpath` binary calls this once
/// at start with itself).
pub fn isolate_with(exe: PathBuf) {
    let _ = ISOLATION.set(exe);
}

/// Evaluates a Jsonnet file (at `path`, when it is one) into its value.
pub fn parse(text: &str, path: Option<&Path>) -> Result<Node, SyntaxError> {
    // jrsonnet's parser recurses once per bracket: bound the nesting first.
    nesting(text)?;
    let file = path.and_then(|p| p.canonicalize().ok());
    let root = file.as_deref().map(repository_of);
    let json = match ISOLATION.get() {
        Some(exe) => evaluate_in_child(exe, text, file.as_deref(), root.as_deref())?,
        None => evaluate_on_thread(text, file, root)?,
    };
    let mut node = json::parse(&json).map_err(|e| SyntaxError::new(e.message, Span::new(0, 0)))?;
    locate(&mut node, text);
    Ok(node)
}

fn evaluate_on_thread(
    text: &str,
    file: Option<PathBuf>,
    root: Option<PathBuf>,
) -> Result<String, SyntaxError> {
    let owned = text.to_string();
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || evaluate(&owned, file, root))
        .map_err(|e| {
            SyntaxError::new(format!("cannot start the evaluation: {e}"), Span::new(0, 0))
        })?
        .join()
        .map_err(|_| SyntaxError::new("the Jsonnet evaluation failed", Span::new(0, 0)))?
}

/// The hidden `__evaluate-jsonnet` command: limits this process's memory, evaluates the
/// text on standard input, and writes `ok` and the value, or `error START END` and the
/// message, on standard output.
pub fn serve(file: Option<PathBuf>, root: Option<PathBuf>) -> std::io::Result<()> {
    rlimit::setrlimit(rlimit::Resource::AS, MEMORY_LIMIT, MEMORY_LIMIT)?;
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    let mut out = std::io::stdout().lock();
    match evaluate_on_thread(&text, file, root) {
        Ok(json) => write!(out, "ok\n{json}"),
        Err(e) => write!(out, "error {} {}\n{}", e.span.start, e.span.end, e.message),
    }
}

/// Evaluates `text` in a child process with the time and memory limits.
fn evaluate_in_child(
    exe: &Path,
    text: &str,
    file: Option<&Path>,
    root: Option<&Path>,
) -> Result<String, SyntaxError> {
    let fail = |message: String| SyntaxError::new(message, Span::new(0, 0));
    let mut command = std::process::Command::new(exe);
    command.arg("__evaluate-jsonnet");
    // The child limits its address space to MEMORY_LIMIT; mimalloc (the binary's
    // allocator) would reserve 1 GiB of it up front, leaving no room for the evaluation
    // thread's stack.
    command.env("MIMALLOC_ARENA_RESERVE", "64MiB");
    if let Some(file) = file {
        command.arg("--file").arg(file);
    }
    if let Some(root) = root {
        command.arg("--root").arg(root);
    }
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| fail(format!("cannot start the Jsonnet evaluation: {e}")))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(fail("cannot talk to the Jsonnet evaluation".to_string()));
    };
    let input = text.to_string();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.take(OUTPUT_LIMIT + 1).read_to_end(&mut bytes);
        bytes
    });
    // A reader that stops at the output limit closes the pipe, so the child's next
    // write fails and it exits: waiting for the exit (or the deadline) is enough.
    let deadline = Instant::now() + TIME_LIMIT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let _ = writer.join();
    let bytes = reader.join().unwrap_or_default();
    let Some(status) = status else {
        return Err(fail(format!(
            "the Jsonnet evaluation took longer than {} s; it was stopped",
            TIME_LIMIT.as_secs()
        )));
    };
    if bytes.len() as u64 > OUTPUT_LIMIT {
        return Err(fail(format!(
            "the Jsonnet value is larger than {} MiB",
            OUTPUT_LIMIT >> 20
        )));
    }
    if !status.success() {
        return Err(fail(format!(
            "the Jsonnet evaluation ran out of memory (limit {} MiB) or crashed",
            MEMORY_LIMIT >> 20
        )));
    }
    let reply =
        String::from_utf8(bytes).map_err(|_| fail("the Jsonnet value is not UTF-8".into()))?;
    if let Some(json) = reply.strip_prefix("ok\n") {
        return Ok(json.to_string());
    }
    let (head, message) = reply.split_once('\n').unwrap_or((reply.as_str(), ""));
    let mut parts = head.strip_prefix("error ").unwrap_or("").split(' ');
    let mut number = || parts.next().and_then(|n| n.parse::<usize>().ok());
    match (number(), number()) {
        (Some(start), Some(end)) if end <= text.len() => {
            Err(SyntaxError::new(message, Span::new(start.min(end), end)))
        }
        _ => Err(fail("the Jsonnet evaluation gave no answer".to_string())),
    }
}

/// The repository `file` belongs to.
fn repository_of(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(file);
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(dir)
        .to_path_buf()
}

fn evaluate(
    text: &str,
    file: Option<PathBuf>,
    root: Option<PathBuf>,
) -> Result<String, SyntaxError> {
    let state = {
        let mut builder = State::builder();
        builder.import_resolver(Confined { root });
        let context = jrsonnet_stdlib::ContextInitializer::new(PathResolver::FileName);
        context.settings_mut().trace_printer = Box::new(Silent);
        builder.context_initializer(context);
        builder.build()
    };
    let source_path = match &file {
        Some(file) => SourcePath::new(SourceFile::new(file.clone())),
        None => SourcePath::default(),
    };
    let source = Source::new(source_path, text.into());
    let parsed = jrsonnet_evaluator::parser::parse(
        text,
        &ParserSettings {
            source: source.clone(),
        },
    )
    .map_err(|e| {
        let at = e.location.offset.min(text.len());
        SyntaxError::new(format!("expected {}", e.expected), Span::new(at, at + 1))
    })?;
    let value = jrsonnet_evaluator::evaluate(state.create_default_context(source.clone()), &parsed)
        .and_then(|v| v.manifest(JsonFormat::minify()))
        .map_err(|e| {
            let span = e
                .trace()
                .0
                .iter()
                .filter_map(|el| el.location.as_ref())
                .find(|loc| loc.0.code() == text)
                .map_or(Span::new(0, 0), |loc| {
                    Span::new(loc.1 as usize, loc.2 as usize)
                });
            SyntaxError::new(e.error().to_string(), span)
        })?;
    Ok(value)
}

/// Fails when brackets nest deeper than [`super::MAX_DEPTH`] (outside strings and
/// comments).
fn nesting(text: &str) -> Result<(), SyntaxError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                check_depth(depth, Span::new(i, i + 1))?;
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Gives every value of a computed document the span of the top-level field it is
/// under (see the module documentation).
pub(crate) fn locate(node: &mut Node, text: &str) {
    let spread = |node: &mut Node, span: Span| {
        let mut stack = vec![node];
        while let Some(node) = stack.pop() {
            node.span = span;
            match &mut node.kind {
                NodeKind::Array(items) => stack.extend(items.iter_mut()),
                NodeKind::Object(members) => {
                    for m in members.iter_mut() {
                        m.key_span = span;
                        stack.push(&mut m.value);
                    }
                }
                _ => {}
            }
        }
    };
    let start = Span::new(0, 0);
    match &mut node.kind {
        NodeKind::Object(members) => {
            for m in members.iter_mut() {
                let span = field_span(text, &m.key).unwrap_or(start);
                spread(&mut m.value, span);
                m.key_span = span;
            }
            node.span = Span::new(0, text.len());
        }
        _ => spread(node, start),
    }
}

/// Where `key` is first written as a field name (`key:`, `'key':`, `"key"::`...).
fn field_span(text: &str, key: &str) -> Option<Span> {
    let forms = [key.to_string(), format!("'{key}'"), format!("\"{key}\"")];
    forms
        .iter()
        .filter_map(|form| {
            text.match_indices(form.as_str()).find_map(|(at, _)| {
                let before_ok = at == 0
                    || !text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.');
                let after = text[at + form.len()..].trim_start_matches([' ', '\t']);
                let after_ok =
                    after.starts_with(':') || after.starts_with("+:") || after.starts_with('{');
                (before_ok && after_ok).then(|| Span::new(at, at + form.len()))
            })
        })
        .min()
}

/// Resolves imports relative to the importing file, inside `root`.
struct Confined {
    root: Option<PathBuf>,
}

impl jrsonnet_gcmodule::Trace for Confined {}

impl ImportResolver for Confined {
    fn resolve_from(
        &self,
        from: &SourcePath,
        path: &str,
    ) -> jrsonnet_evaluator::Result<SourcePath> {
        let refuse = |why: String| -> jrsonnet_evaluator::Result<SourcePath> {
            Err(jrsonnet_evaluator::error::ErrorKind::RuntimeError(why.into()).into())
        };
        let (Some(root), Some(from)) = (&self.root, from.downcast_ref::<SourceFile>()) else {
            return refuse(format!(
                "cannot import `{path}`: this text is not a file of a repository"
            ));
        };
        let Some(dir) = from.path().parent() else {
            return refuse(format!("cannot import `{path}`"));
        };
        let Ok(target) = dir.join(path).canonicalize() else {
            return refuse(format!("cannot import `{path}`: no such file"));
        };
        if !target.starts_with(root) {
            return refuse(format!(
                "cannot import `{path}`: it is outside the repository"
            ));
        }
        if !target.is_file() {
            return refuse(format!("cannot import `{path}`: not a file"));
        }
        Ok(SourcePath::new(SourceFile::new(target)))
    }

    fn resolve(&self, path: &Path) -> jrsonnet_evaluator::Result<SourcePath> {
        Err(jrsonnet_evaluator::error::ErrorKind::RuntimeError(
            format!(
                "cannot import `{}`: absolute imports are not allowed",
                path.display()
            )
            .into(),
        )
        .into())
    }

    fn load_file_contents(&self, resolved: &SourcePath) -> jrsonnet_evaluator::Result<Vec<u8>> {
        let read = resolved
            .downcast_ref::<SourceFile>()
            .map(|f| crate::confine::read(f.path()));
        match read {
            Some(Ok(bytes)) => Ok(bytes),
            _ => Err(jrsonnet_evaluator::error::ErrorKind::RuntimeError(
                format!("cannot read `{resolved}`").into(),
            )
            .into()),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// `std.trace` writes nowhere: library code never prints.
struct Silent;

impl jrsonnet_stdlib::TracePrinter for Silent {
    fn print_trace(
        &self,
        _: jrsonnet_evaluator::function::CallLocation<'_>,
        _: jrsonnet_evaluator::IStr,
    ) {
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evaluates_to_json() {
        let text = "// comment\n{\n  concat_array: [1, 2, 3] + [4],\n  obj: { a: 1, b: 2 } + { b: 3 },\n  str: 'ex=%0.2f' % (1 + 2 * 3 / (4 + 5)),\n  member: 'foo' in { foo: 1 },\n}\n";
        let node = parse(text, None).expect("valid");
        assert_eq!(
            node.to_json(),
            json!({"concat_array": [1, 2, 3, 4], "member": true, "obj": {"a": 1, "b": 3}, "str": "ex=1.67"})
        );
        let concat = node.get("concat_array").expect("field");
        assert_eq!(
            &text[concat.key_span.start..concat.key_span.end],
            "concat_array"
        );
        assert_eq!(concat.value.span, concat.key_span);
    }

    #[test]
    fn imports_stay_in_the_repository() {
        let dir = tempfile::tempdir().expect("dir");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).expect("repo");
        std::fs::write(repo.join("lib.libsonnet"), "{ x: 1 }").expect("lib");
        std::fs::write(dir.path().join("secret.json"), "{\"s\": 1}").expect("secret");
        let main = repo.join("main.jsonnet");
        std::fs::write(&main, "").expect("main");
        let ok = parse("(import 'lib.libsonnet') + { y: 2 }", Some(&main)).expect("inside");
        assert_eq!(ok.to_json(), json!({"x": 1, "y": 2}));
        let err = parse("import '../secret.json'", Some(&main)).expect_err("outside");
        assert!(err.message.contains("outside the repository"), "{err:?}");
        let err = parse("import 'lib.libsonnet'", None).expect_err("no file");
        assert!(
            err.message.contains("not a file of a repository"),
            "{err:?}"
        );
    }

    #[test]
    fn errors_have_positions() {
        let err = parse("{ a: 1,, }", None).expect_err("syntax");
        assert_eq!(err.span.start, 7, "{err:?}");
        let err = parse("{ a: error 'boom' }", None).expect_err("runtime");
        assert!(err.message.contains("boom"), "{err:?}");
        assert!(parse(&"[".repeat(100_000), None).is_err());
        let err = parse("local f(n) = f(n + 1); f(0)", None).expect_err("recursion");
        assert!(!err.message.is_empty());
    }
}

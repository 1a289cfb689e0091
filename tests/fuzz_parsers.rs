//! Brief property-based fuzzing of every parser: arbitrary text, text built from each
//! format's punctuation, and mutated fixtures must parse or fail with a `SyntaxError`
//! whose span lies inside the text, never panic; every span of a parsed document lies
//! inside the text too. Case counts are small so CI stays fast; raise `PROPTEST_CASES`
//! to fuzz longer.
//!
//! Then the deepest tree each parser admits (at most [`MAX_DEPTH`] levels, however they
//! are reached) is safe to convert, walk and drop on a worker thread's stack.

mod common;

use goldenpath::document::{Node, NodeKind, PathSeg, Span};
use goldenpath::format::Format;
use goldenpath::parse::{parse_text, MAX_DEPTH};
use proptest::prelude::*;

/// A fixture of every format, as text.
fn samples() -> Vec<(Format, String)> {
    let root = common::fixtures();
    let files = [
        (Format::Json, "demo/config/flags.json"),
        (Format::Yaml, "demo/deploy/web.yaml"),
        (Format::Toml, "demo/config/app.toml"),
        (Format::Jsonc, "formats/tsconfig.json"),
        (Format::Dockerfile, "formats/Dockerfile"),
        (Format::Hcl2, "formats/main.tf"),
        (Format::Ini, "formats/settings.ini"),
        (Format::Dotenv, "formats/app.env"),
        (Format::Properties, "formats/app.properties"),
        (Format::Xml, "formats/pom.xml"),
        (Format::Ignore, "formats/.gitignore"),
        (Format::Hcl1, "conftest-formats/hcl1/gke.tf"),
        (Format::Hocon, "conftest-formats/hocon/hocon.conf"),
        (Format::Jsonnet, "conftest-formats/jsonnet/arith.jsonnet"),
        (Format::Cue, "conftest-formats/cue/deployment.cue"),
        (Format::Edn, "conftest-formats/edn/sample_config.edn"),
        (Format::Vcl, "conftest-formats/vcl/varnish.vcl"),
        (Format::Nginx, "conftest-formats/nginx/nginx.conf"),
        (Format::Groovy, "conftest-formats/jenkins/Jenkinsfile"),
        (
            Format::Textproto,
            "conftest-formats/textproto/pass.textproto",
        ),
        (Format::Spdx, "conftest-formats/spdx/sbom.spdx"),
        (
            Format::Cyclonedx,
            "conftest-formats/cyclonedx/cyclonedx.xml",
        ),
    ];
    files
        .iter()
        .map(|(format, path)| {
            let text = std::fs::read_to_string(root.join(path)).expect("fixture");
            (*format, text)
        })
        .collect()
}

fn check_span(span: Span, text: &str) {
    assert!(span.start <= span.end, "{span:?}");
    assert!(span.end <= text.len(), "{span:?} past {}", text.len());
}

fn check_node(node: &Node, text: &str) {
    check_span(node.span, text);
    match &node.kind {
        NodeKind::Array(items) => items.iter().for_each(|n| check_node(n, text)),
        NodeKind::Object(members) => {
            for m in members {
                check_span(m.key_span, text);
                check_node(&m.value, text);
            }
        }
        _ => {}
    }
}

/// Parses `text` as every format; nothing may panic and every span must fit.
fn parse_all(text: &str) {
    for format in Format::all() {
        match parse_text(*format, text) {
            Ok(roots) => {
                for root in &roots {
                    check_node(root, text);
                    let _ = root.to_json();
                }
            }
            Err(err) => assert!(err.span.start <= text.len(), "{format}: {err:?}"),
        }
    }
}

/// 64 cases per property unless `PROPTEST_CASES` says otherwise.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64)
}

/// Characters that matter to at least one grammar.
const PUNCTUATION: &str = "[\\[\\]{}()<>\"'`=:;#!&$%*?@,./\\\\|+ \\t\\n\\r\\-a-zA-Z0-9_é]{0,300}";

/// A fixture with `edits` applied: each removes a range or inserts a short string.
fn mutate(text: &str, edits: &[(usize, usize, String)]) -> String {
    let mut out = text.to_string();
    for (at, len, insert) in edits {
        let mut start = at % (out.len() + 1);
        while !out.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + len % 8).min(out.len());
        while !out.is_char_boundary(end) {
            end += 1;
        }
        out.replace_range(start..end, insert);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        parse_all(&text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        parse_all(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn punctuation_soup_never_panics(text in PUNCTUATION) {
        parse_all(&text);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        edits in proptest::collection::vec(
            (any::<usize>(), any::<usize>(), "[\\[\\]{}<>\"'=:#\\\\\\n ]{0,3}"),
            1..6,
        )
    ) {
        for (format, text) in samples() {
            let mutated = mutate(&text, &edits);
            match parse_text(format, &mutated) {
                Ok(roots) => roots.iter().for_each(|r| check_node(r, &mutated)),
                Err(err) => prop_assert!(err.span.start <= mutated.len(), "{format}: {err:?}"),
            }
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let cases = [
        (Format::Json, "[".repeat(100_000)),
        (Format::Jsonc, "[".repeat(100_000)),
        (Format::Yaml, "[".repeat(100_000)),
        (Format::Toml, format!("a = {}", "[".repeat(100_000))),
        (Format::Hcl2, format!("a = {}", "[".repeat(100_000))),
        (Format::Xml, "<a>".repeat(100_000)),
        (Format::Hcl1, format!("a = {}", "[".repeat(100_000))),
        (Format::Hocon, format!("a = {}", "[".repeat(100_000))),
        (Format::Jsonnet, "[".repeat(100_000)),
        (Format::Cue, format!("a: {}", "[".repeat(100_000))),
        (Format::Edn, "[".repeat(100_000)),
        (
            Format::Vcl,
            format!("backend a {}", "{ .x = ".repeat(100_000)),
        ),
        (Format::Nginx, "a {".repeat(100_000)),
        (Format::Groovy, "(".repeat(100_000)),
        (Format::Cyclonedx, "[".repeat(100_000)),
    ];
    for (format, text) in cases {
        assert!(parse_text(format, &text).is_err(), "{format}");
    }
}

fn nested(levels: usize, inner: &str) -> String {
    "[".repeat(levels) + inner + &"]".repeat(levels)
}

/// The deepest tree each format admits, the same one level deeper, and the admitted
/// depth (arrays and objects on the longest path).
fn deepest(format: Format) -> (String, String, usize) {
    let max = MAX_DEPTH;
    let json = |levels: usize| "{\"a\": [".repeat(levels / 2) + "1" + &"]}".repeat(levels / 2);
    match format {
        Format::Json | Format::Jsonc => (json(max), json(max + 2), max),
        // The toml crate stops at 80 nested arrays of its own; the root table is one more.
        Format::Toml => {
            let toml = |arrays: usize| format!("a = {}\n", nested(arrays, "1"));
            (toml(80), toml(81), 81)
        }
        // The root mapping, 5 levels, then the alias's 250.
        Format::Yaml => {
            let yaml = |levels: usize| {
                format!(
                    "a: &a {}\nb: {}\n",
                    nested(250, "1"),
                    nested(levels - 251, "*a")
                )
            };
            (yaml(max), yaml(max + 1), max)
        }
        // The root object; an object, an array and an object per `<a><b/><b>`; then an
        // object per `<c>`.
        Format::Xml => {
            let xml = |levels: usize| {
                let pairs = (levels - 2) / 3;
                let inner = "<c>".repeat(levels - 1 - 3 * pairs - 1);
                "<a><b/><b>".repeat(pairs)
                    + &inner
                    + "<c x=\"1\"/>"
                    + &inner.replace("<c>", "</c>")
                    + &"</b></a>".repeat(pairs)
            };
            (xml(max), xml(max + 1), max)
        }
        // The root object, one object per label, the array of bodies and the body.
        Format::Hcl2 => {
            let hcl = |labels: usize| {
                let labels: Vec<String> = (0..labels).map(|i| format!("\"l{i}\"")).collect();
                format!("a {} {{\n  x = 1\n}}\n", labels.join(" "))
            };
            (hcl(max - 3), hcl(max - 2), max)
        }
        _ => unreachable!("{format}"),
    }
}

fn depth(node: &Node) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(node, 0)];
    while let Some((node, level)) = stack.pop() {
        match &node.kind {
            NodeKind::Array(items) => stack.extend(items.iter().map(|n| (n, level + 1))),
            NodeKind::Object(members) => {
                stack.extend(members.iter().map(|m| (&m.value, level + 1)))
            }
            _ => deepest = deepest.max(level),
        }
    }
    deepest
}

/// The path to the first deepest scalar.
fn deepest_path(node: &Node) -> Vec<PathSeg> {
    let mut path = Vec::new();
    let mut node = node;
    loop {
        let next = match &node.kind {
            NodeKind::Array(items) => items
                .iter()
                .enumerate()
                .max_by_key(|(_, n)| depth(n))
                .map(|(i, n)| (PathSeg::Index(i), n)),
            NodeKind::Object(members) => members
                .iter()
                .max_by_key(|m| depth(&m.value))
                .map(|m| (PathSeg::Key(m.key.clone()), &m.value)),
            _ => None,
        };
        match next {
            Some((seg, child)) => {
                path.push(seg);
                node = child;
            }
            None => return path,
        }
    }
}

#[test]
fn deepest_admissible_trees_are_safe_on_a_worker_stack() {
    for format in [
        Format::Json,
        Format::Jsonc,
        Format::Toml,
        Format::Yaml,
        Format::Xml,
        Format::Hcl2,
    ] {
        let (fits, over, admitted) = deepest(format);
        assert!(
            parse_text(format, &over).is_err(),
            "{format}: one level more"
        );
        let roots = parse_text(format, &fits).unwrap_or_else(|e| panic!("{format}: {e:?}"));
        assert!(admitted <= MAX_DEPTH);
        assert_eq!(
            roots.iter().map(depth).max(),
            Some(admitted),
            "{format}: the deepest admissible tree"
        );
        // Rayon's workers have the default 2 MiB stack; walk and drop the tree on one.
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                for root in &roots {
                    let _ = root.to_rego();
                    let json = root.to_json();
                    assert!(serde_json::to_string(&json).is_ok());
                    let path = deepest_path(root);
                    assert_eq!(root.walk(&path).matched, path.len());
                }
                drop(roots);
            })
            .expect("thread")
            .join()
            .unwrap_or_else(|_| panic!("{format}: the walk failed"));
    }
}

//! Brief property-based fuzzing of every parser: arbitrary text, text built from each
//! format's punctuation, and mutated fixtures must parse or fail with a `SyntaxError`
//! whose span lies inside the text, never panic; every span of a parsed document lies
//! inside the text too. Case counts are small so CI stays fast; raise `PROPTEST_CASES`
//! to fuzz longer.

mod common;

use goldenpath::document::{Node, NodeKind, Span};
use goldenpath::format::Format;
use goldenpath::parse::parse_text;
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
    ];
    for (format, text) in cases {
        assert!(parse_text(format, &text).is_err(), "{format}");
    }
}

//! Embeds the built-in pack: every `.rego` file under `policies/` becomes an entry of
//! `PACK_SOURCES`, in path order: its path relative to `policies/`, its text, and what a
//! run needs to know of it without compiling it (its package and its deny/warn/violation
//! rules, read from the lines that start them; `tests/pack.rs` checks them against the
//! compiled pack).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rego") {
            out.push(path);
        }
    }
}

/// The package of a pack file and the names of its rules that report (`deny`, `warn`,
/// `violation`, optionally with `_suffix` parts), each named at the start of a line, and
/// whether it defines `exception`.
fn outline(text: &str) -> (String, Vec<String>, bool) {
    let mut package = String::new();
    let mut rules: Vec<String> = Vec::new();
    let mut has_exception = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("package ") {
            if package.is_empty() {
                package = rest.trim().to_string();
            }
            continue;
        }
        let name: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let head = line[name.len()..].trim_start();
        let starts_rule = ["contains", "if", ":=", "=", "[", "{"]
            .iter()
            .any(|t| head.starts_with(t))
            || head.is_empty();
        if name.is_empty() || !starts_rule {
            continue;
        }
        if name == "exception" {
            has_exception = true;
        } else if reports(&name) && !rules.contains(&name) {
            rules.push(name);
        }
    }
    rules.sort();
    (package, rules, has_exception)
}

/// conftest's reporting rule names: `deny`, `warn` or `violation`, then `_suffix` parts
/// of letters and digits.
fn reports(name: &str) -> bool {
    let mut parts = name.split('_');
    matches!(parts.next(), Some("deny" | "warn" | "violation"))
        && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let policies = root.join("policies");
    println!("cargo:rerun-if-changed=policies");
    let mut files = Vec::new();
    collect(&policies, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The built-in pack, one entry per `.rego` file under `policies/`.\npub static PACK_SOURCES: &[PackSource] = &[\n",
    );
    for file in &files {
        let relative = file
            .strip_prefix(&policies)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        println!("cargo:rerun-if-changed={}", file.display());
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let (package, rules, has_exception) = outline(&text);
        let _ = writeln!(
            code,
            "    PackSource {{ path: {relative:?}, text: include_str!({:?}), package: {package:?}, rules: &{rules:?}, has_exception: {has_exception} }},",
            file.to_string_lossy()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("pack.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}

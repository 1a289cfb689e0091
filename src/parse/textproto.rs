//! Protocol Buffers text format, typed by its schema and handed to policies as protobuf's
//! JSON mapping with the `.proto` field names (what conftest gives).
//!
//! The header comments name the schema, as the text-format specification has them:
//! `# proto-message: pkg.Message` (required, as in conftest) and `# proto-file: path`,
//! the `.proto` file defining it, relative to the text proto's directory or to its
//! repository's root (the nearest directory above holding `.git`), imports resolved from
//! both. The `.proto` files are compiled in pure Rust (protox) and the message read by
//! reflection (prost-reflect). 64-bit integers are strings, as protobuf's JSON mapping
//! has them.
//!
//! Values are computed from the text, so they are located the way Jsonnet values are:
//! each top-level field at the first place its name is written.

use std::path::{Path, PathBuf};

use prost_reflect::{DynamicMessage, SerializeOptions};

use super::{json, jsonnet, SyntaxError};
use crate::document::{Node, Span};

/// A header comment's value and its span.
fn header<'t>(text: &'t str, name: &str) -> Option<(&'t str, Span)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some(body) = line.trim_start().strip_prefix('#') else {
            if line.trim().is_empty() {
                continue;
            }
            // Headers come before the first field.
            return None;
        };
        let Some(value) = body.trim_start().strip_prefix(name) else {
            continue;
        };
        let value = value.trim();
        let at = start + line.find(value).unwrap_or(0);
        return Some((value, Span::new(at, at + value.len())));
    }
    None
}

/// Reads a text proto (at `path`, when it is a file) into its JSON value.
pub fn parse(text: &str, path: Option<&Path>) -> Result<Node, SyntaxError> {
    let Some((message, message_span)) = header(text, "proto-message:") else {
        return Err(SyntaxError::new(
            "cannot look up message type: the file has no `# proto-message: <name>` header",
            Span::new(0, text.len().min(1)),
        ));
    };
    let Some((proto, proto_span)) = header(text, "proto-file:") else {
        return Err(SyntaxError::new(
            format!("cannot look up message type `{message}`: the file has no `# proto-file: <path>` header naming its .proto file"),
            message_span,
        ));
    };
    let file = path.and_then(|p| p.canonicalize().ok());
    let Some(file) = file else {
        return Err(SyntaxError::new(
            format!("cannot look up message type `{message}`: `{proto}` is found from a file's directory, and this text is not a file"),
            proto_span,
        ));
    };
    let dir = file.parent().unwrap_or(&file).to_path_buf();
    let root = dir
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&dir)
        .to_path_buf();
    let includes: Vec<PathBuf> = [dir.clone(), root.clone()]
        .into_iter()
        .filter(|inc| inc.join(proto).is_file())
        .collect();
    let confined = includes.iter().all(|inc| {
        inc.join(proto)
            .canonicalize()
            .is_ok_and(|p| p.starts_with(&root))
    });
    if includes.is_empty() || !confined {
        return Err(SyntaxError::new(
            format!("cannot look up message type `{message}`: `{proto}` is not a file in this directory or the repository"),
            proto_span,
        ));
    }
    let mut search = includes.clone();
    search.extend([dir, root].into_iter().filter(|d| !includes.contains(d)));
    let pool = protox::Compiler::new(&search)
        .and_then(|mut compiler| {
            compiler.open_file(proto)?;
            Ok(compiler.descriptor_pool())
        })
        .map_err(|e| SyntaxError::new(format!("cannot compile `{proto}`: {e}"), proto_span))?;
    let Some(descriptor) = pool.get_message_by_name(message) else {
        return Err(SyntaxError::new(
            format!("cannot look up message type `{message}` in `{proto}`"),
            message_span,
        ));
    };
    let value = DynamicMessage::parse_text_format(descriptor, text).map_err(|e| {
        let at = text_error_offset(&e).min(text.len());
        SyntaxError::new(e.to_string(), Span::new(at, (at + 1).min(text.len())))
    })?;
    let options = SerializeOptions::new().use_proto_field_name(true);
    let json = value
        .serialize_with_options(serde_json::value::Serializer, &options)
        .map_err(|e| SyntaxError::new(e.to_string(), Span::new(0, 0)))?;
    let mut node =
        json::parse(&json.to_string()).map_err(|e| SyntaxError::new(e.message, Span::new(0, 0)))?;
    jsonnet::locate(&mut node, text);
    Ok(node)
}

/// Where a text-format error is, from its diagnostic label.
fn text_error_offset(error: &prost_reflect::text_format::ParseError) -> usize {
    use miette::Diagnostic;
    error
        .labels()
        .and_then(|mut labels| labels.next())
        .map_or(0, |label| label.offset())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn repo() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("dir");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).expect("repo");
        std::fs::create_dir_all(repo.join("protos")).expect("protos");
        std::fs::write(
            repo.join("protos/test.proto"),
            "syntax = \"proto3\";\npackage t;\nmessage M { string name = 1; int32 number = 2; int64 big = 3; repeated string tags = 4; }\n",
        )
        .expect("proto");
        (dir, repo)
    }

    #[test]
    fn typed_by_its_header() {
        let (_dir, repo) = repo();
        let file = repo.join("a.textproto");
        let text = "# proto-file: protos/test.proto\n# proto-message: t.M\n\nname: \"pass\"\nnumber: 9001\nbig: 5\ntags: \"a\"\ntags: \"b\"\n";
        std::fs::write(&file, text).expect("file");
        let node = parse(text, Some(&file)).expect("valid");
        assert_eq!(
            node.to_json(),
            json!({"name": "pass", "number": 9001, "big": "5", "tags": ["a", "b"]})
        );
        let number = node.get("number").expect("number");
        assert_eq!(&text[number.key_span.start..number.key_span.end], "number");
    }

    #[test]
    fn errors_have_positions() {
        let (_dir, repo) = repo();
        let file = repo.join("a.textproto");
        std::fs::write(&file, "").expect("file");
        let err = parse("name: \"x\"\n", Some(&file)).expect_err("no header");
        assert!(err.message.contains("look up message type"), "{err:?}");
        let text = "# proto-file: protos/test.proto\n# proto-message: t.Other\n";
        assert_eq!(
            parse(text, Some(&file))
                .expect_err("no such message")
                .span
                .start,
            49
        );
        let text = "# proto-file: protos/test.proto\n# proto-message: t.M\nnumber: \"x\"\n";
        let err = parse(text, Some(&file)).expect_err("wrong type");
        assert!(err.span.start >= 53, "{err:?}");
        let text = "# proto-file: ../../etc/x.proto\n# proto-message: t.M\n";
        assert!(parse(text, Some(&file)).is_err());
    }
}

//! Dockerfiles as conftest reads them (through BuildKit's parser): an array of
//! instructions `{"Cmd", "SubCmd", "JSON", "Flags", "Value", "Stage"}`.
//!
//! `Cmd` is lower-cased; the exec form (`CMD ["a", "b"]`) gives `JSON: true` and the
//! argv as `Value`; `Stage` is the index of the latest `FROM`; lines continued with the
//! escape character (`\`, or a backtick after `# escape=``) are joined; `ONBUILD RUN x`
//! gives `Cmd: "onbuild"`, `SubCmd: "run"`; flags such as `--from=build` are kept as
//! written. Comment lines before an instruction become `{"Cmd": "comment"}` entries, as in
//! conftest. Heredoc bodies (`RUN <<EOF`) belong to their instruction's span but, as in
//! conftest, not to its `Value`.
//!
//! The whole array is one policy input (see [`crate::format::Format::splits_array_root`]);
//! each instruction's span covers its lines, so a finding on `input[3]` points at the
//! fourth entry's line.

use super::{lines, string_node, SyntaxError};
use crate::document::{Member, Node, NodeKind, Span};

/// One logical instruction, after parsing.
struct Instruction {
    cmd: String,
    flags: Vec<String>,
    sub_cmd: String,
    json: bool,
    values: Vec<String>,
}

/// Parses a Dockerfile into the array of its instructions.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let rows: Vec<(usize, &str)> = lines(text).collect();
    let line_span = |first: usize, last: usize| {
        let (start, _) = rows[first];
        let (last_start, last_text) = rows[last];
        Span::new(start, last_start + last_text.len())
    };
    let mut escape = '\\';
    let mut directives_done = false;
    let mut seen_directives: Vec<String> = Vec::new();
    let mut comments: Vec<(Span, String)> = Vec::new();
    let mut stages = 0usize;
    let mut out = Vec::new();
    let mut instructions = 0usize;
    let mut i = 0;
    while i < rows.len() {
        let first = i;
        let (_, raw) = rows[i];
        i += 1;
        let raw = if first == 0 {
            raw.strip_prefix('\u{feff}').unwrap_or(raw)
        } else {
            raw
        };
        let token = raw.trim_start();
        let comment = token.starts_with('#');
        if comment {
            comments.push((line_span(first, first), token[1..].trim().to_string()));
        }
        if !directives_done {
            match directive(token) {
                Some((key, value)) if key == "escape" || key == "syntax" || key == "check" => {
                    if seen_directives.contains(&key) {
                        return Err(SyntaxError::new(
                            format!("only one {key} parser directive can be used"),
                            line_span(first, first),
                        ));
                    }
                    if key == "escape" {
                        escape = match value.as_str() {
                            "\\" => '\\',
                            "`" => '`',
                            _ => {
                                return Err(SyntaxError::new(
                                    format!("invalid escape token `{value}`: expected ` or \\"),
                                    line_span(first, first),
                                ))
                            }
                        };
                    }
                    seen_directives.push(key);
                }
                _ => directives_done = true,
            }
        }
        let content = if comment { "" } else { token };
        let (line, mut continued) = trim_continuation(content, escape);
        if !continued && line.is_empty() {
            continue;
        }
        let mut joined = line.to_string();
        let mut last = first;
        while continued && i < rows.len() {
            let (_, next) = rows[i];
            last = i;
            i += 1;
            if next.trim_start().starts_with('#') || next.trim().is_empty() {
                continue;
            }
            let (piece, more) = trim_continuation(next, escape);
            joined.push_str(piece);
            continued = more;
        }
        let instruction = parse_instruction(&joined, escape)
            .map_err(|message| SyntaxError::new(message, line_span(first, last)))?;
        let heredoc_cmd = if instruction.cmd == "onbuild" {
            instruction.sub_cmd.as_str()
        } else {
            instruction.cmd.as_str()
        };
        if matches!(heredoc_cmd, "run" | "copy" | "add") && !instruction.json {
            for (name, chomp) in heredocs(&joined) {
                let mut terminated = false;
                while i < rows.len() {
                    let (_, body) = rows[i];
                    last = i;
                    i += 1;
                    let candidate = if chomp {
                        body.trim_start_matches('\t')
                    } else {
                        body
                    };
                    if candidate == name {
                        terminated = true;
                        break;
                    }
                }
                if !terminated {
                    return Err(SyntaxError::new(
                        format!("unterminated heredoc `{name}`"),
                        line_span(first, last),
                    ));
                }
            }
        }
        if instruction.cmd == "from" {
            stages += 1;
        }
        let stage = stages.saturating_sub(1);
        for (span, comment) in comments.drain(..) {
            let entry = Instruction {
                cmd: "comment".to_string(),
                flags: Vec::new(),
                sub_cmd: String::new(),
                json: false,
                values: vec![comment],
            };
            out.push(node(&entry, stage, span, text));
        }
        out.push(node(&instruction, stage, line_span(first, last), text));
        instructions += 1;
    }
    if instructions == 0 {
        return Err(SyntaxError::new(
            "file with no instructions",
            Span::new(text.len(), text.len()),
        ));
    }
    Ok(Node::new(Span::new(0, text.len()), NodeKind::Array(out)))
}

/// A parser directive (`# escape=\``): its lower-cased name and value.
fn directive(token: &str) -> Option<(String, String)> {
    let body = token.strip_prefix('#')?.trim_start();
    let (name, value) = body.split_once('=')?;
    let name = name.trim_end();
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric());
    let value = value.trim();
    (valid && !value.is_empty()).then(|| (name.to_ascii_lowercase(), value.to_string()))
}

/// Removes a trailing escape character that continues the line. Returns the line and
/// whether it continues.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let Some(before) = trimmed.strip_suffix(escape) else {
        return (line, false);
    };
    if before.is_empty() {
        return ("", true);
    }
    if before.ends_with(escape) {
        return (line, false);
    }
    (before, true)
}

/// BuildKit's separator between a command and its arguments.
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{b}' | '\u{c}' | '\r')
}

fn parse_instruction(line: &str, escape: char) -> Result<Instruction, String> {
    let line = line.trim();
    let (cmd_raw, rest) = match line.find(is_blank) {
        Some(at) => (&line[..at], line[at..].trim_start_matches(is_blank)),
        None => (line, ""),
    };
    let cmd = cmd_raw.to_ascii_lowercase();
    let (args, flags) = extract_flags(rest);
    let args = args.trim();
    let mut instruction = Instruction {
        cmd: cmd.clone(),
        flags,
        sub_cmd: String::new(),
        json: false,
        values: Vec::new(),
    };
    if args.is_empty() && !matches!(cmd.as_str(), "cmd" | "entrypoint") {
        return Err(format!(
            "{} requires at least one argument",
            cmd.to_uppercase()
        ));
    }
    match cmd.as_str() {
        "add" | "copy" | "volume" => {
            (instruction.values, instruction.json) = match json_array(args)? {
                Some(items) => (items, true),
                None => (whitespace_split(args), false),
            };
        }
        "cmd" | "entrypoint" | "run" | "shell" => {
            (instruction.values, instruction.json) = maybe_json(args)?;
        }
        "arg" => instruction.values = words(args, escape),
        "env" | "label" => instruction.values = name_values(args, &cmd, escape)?,
        "expose" | "from" => instruction.values = whitespace_split(args),
        "maintainer" | "stopsignal" | "user" | "workdir" => {
            instruction.values = vec![args.to_string()];
        }
        "healthcheck" => {
            let (kind, rest) = match args.find(char::is_whitespace) {
                Some(at) => (&args[..at], args[at..].trim_start()),
                None => (args, ""),
            };
            let (values, json) = maybe_json(rest)?;
            instruction.values = std::iter::once(kind.to_string()).chain(values).collect();
            instruction.json = json;
        }
        "onbuild" => {
            // Checked before parsing the trigger, so that `ONBUILD ONBUILD ...` does not
            // recurse once per word.
            let trigger = args.split(is_blank).next().unwrap_or_default();
            if ["onbuild", "from", "maintainer"]
                .iter()
                .any(|c| trigger.eq_ignore_ascii_case(c))
            {
                return Err(format!(
                    "{} isn't allowed as an ONBUILD trigger",
                    trigger.to_uppercase()
                ));
            }
            let sub = parse_instruction(args, escape)?;
            instruction.sub_cmd = sub.cmd;
            instruction.json = sub.json;
            instruction.values = sub.values;
        }
        _ => return Err(format!("unknown instruction: {}", cmd_raw.to_uppercase())),
    }
    if cmd == "from" && !matches!(instruction.values.len(), 1 | 3) {
        return Err("FROM requires either one or three arguments".to_string());
    }
    Ok(instruction)
}

/// The exec form: a JSON array of strings. `None` when `args` is not a JSON array.
fn json_array(args: &str) -> Result<Option<Vec<String>>, String> {
    if !args.starts_with('[') {
        return Ok(None);
    }
    let Ok(items) = serde_json::from_str::<Vec<serde_json::Value>>(args) else {
        return Ok(None);
    };
    items
        .into_iter()
        .map(|item| match item {
            serde_json::Value::String(s) => Ok(s),
            _ => Err(
                "when using JSON array syntax, arrays must be comprised of strings only"
                    .to_string(),
            ),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn maybe_json(args: &str) -> Result<(Vec<String>, bool), String> {
    if args.is_empty() {
        return Ok((Vec::new(), false));
    }
    Ok(match json_array(args)? {
        Some(items) => (items, true),
        None => (vec![args.to_string()], false),
    })
}

fn whitespace_split(args: &str) -> Vec<String> {
    args.split(is_blank)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `ENV`/`LABEL`: `key=value ...` gives `[key, value, "="]` per pair; the old
/// `KEY name value` form gives `[name, value, ""]`, as BuildKit lists them.
fn name_values(args: &str, cmd: &str, escape: char) -> Result<Vec<String>, String> {
    let parts = words(args, escape);
    let Some(first) = parts.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        let Some(at) = args.find(is_blank) else {
            return Err(format!("{} must have two arguments", cmd.to_uppercase()));
        };
        let value = args[at..].trim_start_matches(is_blank);
        return Ok(vec![
            args[..at].to_string(),
            value.to_string(),
            String::new(),
        ]);
    }
    let mut out = Vec::new();
    for word in &parts {
        let Some((key, value)) = word.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {word:?}. Must be of the form: name=value"
            ));
        };
        out.extend([key.to_string(), value.to_string(), "=".to_string()]);
    }
    Ok(out)
}

/// BuildKit's word splitting: blanks separate words; quotes group (and are kept); the
/// escape character keeps the next character in the word.
fn words(rest: &str, escape: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == escape && q != '\'' {
                match chars.next() {
                    Some(next) => {
                        word.push(c);
                        word.push(next);
                    }
                    None => quote = None,
                }
                continue;
            }
            word.push(c);
            continue;
        }
        if c.is_whitespace() {
            if in_word && (blank_ok || !word.is_empty()) {
                out.push(std::mem::take(&mut word));
            }
            word.clear();
            in_word = false;
            blank_ok = false;
            continue;
        }
        in_word = true;
        if c == '\'' || c == '"' {
            quote = Some(c);
            blank_ok = true;
        }
        if c == escape {
            // An escape character at the very end is dropped.
            if let Some(next) = chars.next() {
                word.push(c);
                word.push(next);
            }
            continue;
        }
        word.push(c);
    }
    if in_word && (blank_ok || !word.is_empty()) {
        out.push(word);
    }
    out
}

/// Leading `--flag` / `--flag=value` words, as written (quotes removed).
fn extract_flags(line: &str) -> (&str, Vec<String>) {
    let mut flags = Vec::new();
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start();
        if !trimmed.starts_with("--") {
            return (trimmed, flags);
        }
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut end = trimmed.len();
        let mut chars = trimmed.char_indices();
        while let Some((at, c)) = chars.next() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (None, '\'' | '"') => quote = Some(c),
                (None, c) if c.is_whitespace() => {
                    end = at;
                    break;
                }
                (_, '\\') => {
                    if let Some((_, next)) = chars.next() {
                        word.push(next);
                    }
                }
                (_, c) => word.push(c),
            }
        }
        rest = &trimmed[end..];
        if word == "--" {
            return (rest, flags);
        }
        flags.push(word);
    }
}

/// Heredoc markers (`<<EOF`, `<<-"EOF"`) on an instruction line: name and whether
/// leading tabs are stripped.
fn heredocs(line: &str) -> Vec<(String, bool)> {
    line.split_whitespace()
        .filter_map(|word| {
            let at = word.find("<<")?;
            if !word[..at].chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let after = &word[at + 2..];
            let (chomp, name) = match after.strip_prefix('-') {
                Some(name) => (true, name),
                None => (false, after),
            };
            if name.is_empty() || name.contains('<') {
                return None;
            }
            let name: String = name.chars().filter(|c| *c != '"' && *c != '\'').collect();
            (!name.is_empty()).then_some((name, chomp))
        })
        .collect()
}

/// The node for one instruction; values get the span of their text when it can be found
/// in the instruction's lines.
fn node(instruction: &Instruction, stage: usize, span: Span, text: &str) -> Node {
    let region = text.get(span.start..span.end).unwrap_or_default();
    let lead = region.len() - region.trim_start().len();
    let keyword_len = region[lead..]
        .find(char::is_whitespace)
        .unwrap_or(region.len() - lead);
    let keyword = Span::new(span.start + lead, span.start + lead + keyword_len);
    let mut cursor = keyword.end - span.start;
    // A value not written as is (an escape in an exec-form array, a flag's quotes) is
    // missed after a scan of the rest of the instruction. Misses may scan a few times the
    // instruction's length in all; past that, searches stop early, so that an instruction
    // of many such values takes linear time (its later values then point at the rest of
    // the instruction).
    let mut miss_budget = region.len().saturating_mul(8);
    let mut locate = |value: &str| -> Span {
        let missed = Span::new(span.start + cursor.min(region.len()), span.end);
        if value.is_empty() {
            return missed;
        }
        let rest = region.get(cursor..).unwrap_or_default();
        let mut window = rest.len().min(miss_budget);
        while !rest.is_char_boundary(window) {
            window -= 1;
        }
        match rest[..window].find(value) {
            Some(at) => {
                let start = span.start + cursor + at;
                cursor += at + value.len();
                Span::new(start, start + value.len())
            }
            None => {
                miss_budget -= window;
                missed
            }
        }
    };
    let flags: Vec<Node> = instruction
        .flags
        .iter()
        .map(|f| string_node(locate(f), f.clone()))
        .collect();
    let pairs = matches!(instruction.cmd.as_str(), "env" | "label")
        && instruction.values.len() % 3 == 0
        && instruction.values.chunks(3).all(|c| c[2] == "=");
    let values: Vec<Node> = if pairs {
        // `[key, value, "="]` triples: the `=` is written between key and value (or
        // not at all, in the legacy `ENV KEY value` form), so find it there.
        let mut nodes = Vec::with_capacity(instruction.values.len());
        for chunk in instruction.values.chunks(3) {
            let key = locate(&chunk[0]);
            let equals = if text.get(key.end..key.end + 1) == Some("=") {
                Span::new(key.end, key.end + 1)
            } else {
                Span::new(key.end, key.end)
            };
            let value = locate(&chunk[1]);
            nodes.push(string_node(key, chunk[0].clone()));
            nodes.push(string_node(value, chunk[1].clone()));
            nodes.push(string_node(equals, chunk[2].clone()));
        }
        nodes
    } else {
        instruction
            .values
            .iter()
            .map(|v| string_node(locate(v), v.clone()))
            .collect()
    };
    let around = |items: &[Node]| match (items.first(), items.last()) {
        (Some(a), Some(b)) => Span::new(a.span.start, b.span.end),
        _ => keyword,
    };
    let member = |key: &str, value: Node| Member {
        key: key.to_string(),
        key_span: keyword,
        value,
    };
    let stage = i64::try_from(stage).unwrap_or(i64::MAX);
    Node::new(
        span,
        NodeKind::Object(vec![
            member("Cmd", string_node(keyword, instruction.cmd.clone())),
            member("SubCmd", string_node(keyword, instruction.sub_cmd.clone())),
            member("JSON", Node::new(keyword, NodeKind::Bool(instruction.json))),
            member("Flags", Node::new(around(&flags), NodeKind::Array(flags))),
            member("Value", Node::new(around(&values), NodeKind::Array(values))),
            member("Stage", Node::new(keyword, NodeKind::Int(stage))),
        ]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn env_and_label_keys_have_their_own_spans() {
        let text = "FROM alpine:3.19\nENV A=1 \\\n    PASSWORD=hunter2\nENV LEGACY some value\nLABEL a=b c=d\n";
        let node = parse(text).expect("valid");
        let NodeKind::Array(items) = &node.kind else {
            panic!("array")
        };
        let spans = |i: usize| -> Vec<&str> {
            let NodeKind::Array(values) = &items[i].get("Value").expect("Value").value.kind else {
                panic!("values")
            };
            values
                .iter()
                .map(|v| &text[v.span.start..v.span.end])
                .collect()
        };
        assert_eq!(spans(1), ["A", "1", "=", "PASSWORD", "hunter2", "="]);
        assert_eq!(spans(2), ["LEGACY", "some value", ""]);
        assert_eq!(spans(3), ["a", "b", "=", "c", "d", "="]);
    }

    #[test]
    fn conftest_shape() {
        let text = "# syntax=docker/dockerfile:1\nFROM node:20 AS build\nRUN npm ci && \\\n    npm run build\nFROM nginx:1.27\nCOPY --from=build --chown=app /out /usr/share\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\nONBUILD RUN echo hi\nENV A=1 B=\"two words\"\nRUN <<EOF\nset -e\necho x\nEOF\nUSER app\n";
        let node = parse(text).expect("valid");
        let json = node.to_json();
        let cmds: Vec<&str> = json
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|i| i["Cmd"].as_str())
            .collect();
        assert_eq!(
            cmds,
            ["comment", "from", "run", "from", "copy", "cmd", "onbuild", "env", "run", "user"]
        );
        assert_eq!(json[0]["Value"], json!(["syntax=docker/dockerfile:1"]));
        assert_eq!(json[2]["Value"], json!(["npm ci &&     npm run build"]));
        assert_eq!(json[2]["Stage"], json!(0));
        assert_eq!(json[4]["Flags"], json!(["--from=build", "--chown=app"]));
        assert_eq!(json[4]["Value"], json!(["/out", "/usr/share"]));
        assert_eq!(json[4]["Stage"], json!(1));
        assert_eq!(json[5]["JSON"], json!(true));
        assert_eq!(json[5]["Value"], json!(["nginx", "-g", "daemon off;"]));
        assert_eq!(json[6]["SubCmd"], json!("run"));
        assert_eq!(json[6]["Value"], json!(["echo hi"]));
        assert_eq!(
            json[7]["Value"],
            json!(["A", "1", "=", "B", "\"two words\"", "="])
        );
        assert_eq!(json[8]["Value"], json!(["<<EOF"]));
        // Each instruction spans its lines; the heredoc body belongs to its RUN.
        let NodeKind::Array(items) = &node.kind else {
            panic!("array")
        };
        let run = &items[8];
        assert_eq!(
            &text[run.span.start..run.span.end],
            "RUN <<EOF\nset -e\necho x\nEOF"
        );
        let from = &items[3];
        let image = &from.get("Value").expect("Value").value;
        let NodeKind::Array(values) = &image.kind else {
            panic!("values")
        };
        assert_eq!(
            &text[values[0].span.start..values[0].span.end],
            "nginx:1.27"
        );
    }

    #[test]
    fn escape_directive_and_errors() {
        let node = parse("# escape=`\nFROM x\nRUN a `\n  b\n").expect("valid");
        assert_eq!(node.to_json()[2]["Value"], json!(["a   b"]));
        assert!(parse("").is_err());
        assert!(parse("# only a comment\n").is_err());
        let err = parse("FROM x\nFROBNICATE y\n").expect_err("unknown");
        assert_eq!(err.span.start, 7);
        assert!(parse("FROM x\nRUN <<EOF\nno end\n").is_err());
        assert!(parse("FROM\n").is_err());
        assert!(parse("FROM x\nCMD [1, 2]\n").is_err());
        assert!(parse("FROM x\nONBUILD ONBUILD RUN x\n").is_err());
    }
}

//! Groovy (Jenkinsfiles), as a concrete syntax tree in conftest's shape: every node is
//! `{"kind", "line", "column", "children"}` and every token `{"kind", "text", "line",
//! "column"}` (1-based; a node is where its first token is). Comments and blank lines are
//! left out.
//!
//! The kinds are conftest's for what Jenkinsfiles are made of: `FileNode`,
//! `ExpressionStmt`, `CallExpr` (a call with parentheses, a command `sh 'x'`, or a
//! trailing closure `stage('a') { }`), `IdentExpr`, `LiteralExpr`, `ClosureExpr`,
//! `GStringExpr`, `PropertyExpr`, `IndexExpr`, `ListExpr`, `MapExpr`, `BinaryExpr`,
//! `UnaryExpr`, `ParenExpr`, `VarDecl`, `BlockStmt`; tokens `Identifier`, `Keyword`,
//! `StringLiteral`, `GStringBegin`/`GStringPart`/`GStringEnd`, `SlashyStringLit`,
//! `DollarSlashyStringLit`, `NumberLiteral`, `Operator`, `Punct`. It is goldenpath's own
//! reading of Groovy 2.4's syntax (no Rust Groovy parser exists), so other constructs
//! (classes, `try`/`catch`, `if`/`for`) appear as a `BlockStmt` of their tokens and
//! nested statements.

// Each syntactic level is an object and its `children` array: two levels of the tree.
use super::scan::{check_depth, Cursor, LineIndex};
use super::{string_node, SyntaxError};
use crate::document::{Member, Node, NodeKind, Span};

/// A token.
#[derive(Clone, Debug)]
struct Token {
    kind: &'static str,
    span: Span,
    /// Whether a new line comes before it.
    newline: bool,
}

/// Parses Groovy source into its syntax tree.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let tokens = lex(text)?;
    let lines = LineIndex::new(text);
    let mut parser = Parser {
        text,
        tokens,
        at: 0,
        lines,
    };
    let statements = parser.statements(None, 1)?;
    Ok(parser.node("FileNode", Span::new(0, text.len()), statements))
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

const KEYWORDS: &[&str] = &[
    "def",
    "if",
    "else",
    "for",
    "while",
    "try",
    "catch",
    "finally",
    "return",
    "new",
    "class",
    "import",
    "package",
    "throw",
    "switch",
    "case",
    "default",
    "break",
    "continue",
    "in",
    "instanceof",
    "as",
    "static",
    "final",
    "private",
    "public",
    "protected",
    "void",
];

/// Splits the text into tokens; slashy strings are recognised where an operand may begin.
fn lex(text: &str) -> Result<Vec<Token>, SyntaxError> {
    let mut cursor = Cursor::new(text);
    let mut tokens: Vec<Token> = Vec::new();
    let mut newline = true;
    loop {
        loop {
            let blank = cursor.take_while(|c| c.is_whitespace());
            newline |= blank.contains('\n');
            if cursor.looking_at("//") || (cursor.pos() == 0 && cursor.looking_at("#!")) {
                cursor.skip_line();
            } else if cursor.looking_at("/*") {
                let at = cursor.pos();
                cursor.advance(2);
                cursor.skip_block_comment(at)?;
                newline |= text[at..cursor.pos()].contains('\n');
            } else {
                break;
            }
        }
        let start = cursor.pos();
        let Some(c) = cursor.peek_char() else {
            return Ok(tokens);
        };
        let operand_expected = tokens.last().is_none_or(|t| {
            newline
                || matches!(t.kind, "Operator" | "Punct")
                    && !matches!(&text[t.span.start..t.span.end], ")" | "]" | "}")
        });
        let kind = if is_ident_start(c) && !cursor.looking_at("$/") {
            let word = cursor.take_while(|c| c.is_alphanumeric() || c == '_' || c == '$');
            if KEYWORDS.contains(&word) {
                "Keyword"
            } else {
                "Identifier"
            }
        } else if c.is_ascii_digit() {
            cursor.take_while(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
            "NumberLiteral"
        } else if cursor.looking_at("'''") || cursor.looking_at("\"\"\"") {
            let quote = &cursor.rest()[..3];
            cursor.advance(3);
            match cursor.rest().find(quote) {
                Some(i) => cursor.advance(i + 3),
                None => {
                    return Err(SyntaxError::new(
                        "unterminated string",
                        Span::new(start, start + 3),
                    ))
                }
            }
            if quote == "'''" {
                "StringLiteral"
            } else {
                "GString"
            }
        } else if c == '\'' || c == '"' {
            cursor.advance(1);
            loop {
                match cursor.bump() {
                    Some('\\') => {
                        cursor.bump();
                    }
                    Some(q) if q == c => break,
                    Some('\n') | None => {
                        return Err(SyntaxError::new(
                            "unterminated string",
                            Span::new(start, start + 1),
                        ))
                    }
                    Some(_) => {}
                }
            }
            if c == '\'' {
                "StringLiteral"
            } else {
                "GString"
            }
        } else if cursor.looking_at("$/") {
            cursor.advance(2);
            match cursor.rest().find("/$") {
                Some(i) => cursor.advance(i + 2),
                None => {
                    return Err(SyntaxError::new(
                        "unterminated string",
                        Span::new(start, start + 2),
                    ))
                }
            }
            "DollarSlashyStringLit"
        } else if c == '/' && operand_expected && !cursor.looking_at("/=") {
            cursor.advance(1);
            loop {
                match cursor.bump() {
                    Some('\\') => {
                        cursor.bump();
                    }
                    Some('/') => break,
                    Some('\n') | None => {
                        return Err(SyntaxError::new(
                            "unterminated slashy string",
                            Span::new(start, start + 1),
                        ))
                    }
                    Some(_) => {}
                }
            }
            "SlashyStringLit"
        } else if "(){}[],;.".contains(c) && !cursor.looking_at("..") && !cursor.looking_at(".&") {
            cursor.bump();
            "Punct"
        } else {
            let ops = [
                "<=>", "===", "!==", "**=", "...", "..<", "?.", "?:", "*.", ".&", "..", "==", "!=",
                "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "%=", "=~", "==~",
                "<<", ">>", "->", "**",
            ];
            match ops.iter().find(|op| cursor.looking_at(op)) {
                Some(op) => cursor.advance(op.len()),
                None if "=+-*/%<>!?:&|^~@".contains(c) => {
                    cursor.bump();
                }
                None => {
                    return Err(cursor.error(format!("unexpected character `{}`", c.escape_debug())))
                }
            }
            "Operator"
        };
        tokens.push(Token {
            kind,
            span: cursor.since(start),
            newline,
        });
        newline = false;
    }
}

struct Parser<'t> {
    text: &'t str,
    tokens: Vec<Token>,
    at: usize,
    lines: LineIndex,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn peek_text(&self) -> &str {
        self.peek()
            .map_or("", |t| &self.text[t.span.start..t.span.end])
    }

    fn is(&self, text: &str) -> bool {
        self.peek().is_some_and(|t| {
            matches!(t.kind, "Punct" | "Operator" | "Keyword") && self.peek_text() == text
        })
    }

    fn error(&self, message: &str) -> SyntaxError {
        match self.peek() {
            Some(t) => SyntaxError::new(
                format!(
                    "{message}, found `{}`",
                    &self.text[t.span.start..t.span.end]
                ),
                t.span,
            ),
            None => {
                let end = self.text.len();
                SyntaxError::new(
                    format!("{message}, found the end of the file"),
                    Span::new(end, end),
                )
            }
        }
    }

    /// A node of `kind` whose position is its first child's.
    fn node(&self, kind: &str, span: Span, children: Vec<Node>) -> Node {
        let (line, column) = match children
            .first()
            .and_then(|c| c.get("line").zip(c.get("column")))
        {
            Some((l, c)) => (l.value.clone(), c.value.clone()),
            None => {
                let (l, c) = self.lines.line_column(self.text, 0);
                (int(l, span), int(c, span))
            }
        };
        let empty = Span::new(span.start, span.start);
        let mut members = vec![
            member("kind", empty, string_node(empty, kind)),
            member("line", empty, line),
            member("column", empty, column),
        ];
        if !children.is_empty() {
            members.push(member(
                "children",
                empty,
                Node::new(span, NodeKind::Array(children)),
            ));
        }
        Node::new(span, NodeKind::Object(members))
    }

    /// The next token as a node, with `kind` unless it is a string.
    fn token(&mut self) -> Option<Node> {
        let token = self.peek()?.clone();
        self.at += 1;
        let text = &self.text[token.span.start..token.span.end];
        let (line, column) = self.lines.line_column(self.text, token.span.start);
        let empty = Span::new(token.span.start, token.span.start);
        if token.kind == "GString" {
            return Some(self.gstring(token.span));
        }
        Some(Node::new(
            token.span,
            NodeKind::Object(vec![
                member("kind", empty, string_node(empty, token.kind)),
                member("text", empty, string_node(token.span, text)),
                member("line", empty, int(line, empty)),
                member("column", empty, int(column, empty)),
            ]),
        ))
    }

    /// A double-quoted string: a plain `StringLiteral` without `$`, else a `GStringExpr`
    /// of its static parts and interpolated expressions' text.
    fn gstring(&self, span: Span) -> Node {
        let text = &self.text[span.start..span.end];
        let (line, column) = self.lines.line_column(self.text, span.start);
        let empty = Span::new(span.start, span.start);
        let leaf = |kind: &str, at: usize, s: &str| {
            let (line, column) = self.lines.line_column(self.text, at);
            let piece = Span::new(at, at + s.len());
            let e = Span::new(at, at);
            Node::new(
                piece,
                NodeKind::Object(vec![
                    member("kind", e, string_node(e, kind)),
                    member("text", e, string_node(piece, s)),
                    member("line", e, int(line, e)),
                    member("column", e, int(column, e)),
                ]),
            )
        };
        if !text.contains('$') {
            return leaf("StringLiteral", span.start, text);
        }
        // Split at `${...}` and `$name` interpolations.
        let bytes = text.as_bytes();
        let mut parts = Vec::new();
        let mut from = 0;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\\' {
                i += 2;
                continue;
            }
            if bytes[i] == b'$' && i + 1 < bytes.len() {
                let end = if bytes[i + 1] == b'{' {
                    let mut depth = 0;
                    let mut j = i + 1;
                    while j < bytes.len() {
                        match bytes[j] {
                            b'{' => depth += 1,
                            b'}' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                    (j + 1).min(bytes.len())
                } else if text[i + 1..].starts_with(|c: char| c.is_alphabetic() || c == '_') {
                    // A name: whole characters, so the parts split on boundaries.
                    let rest = &text[i + 1..];
                    let name = rest
                        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                        .unwrap_or(rest.len());
                    i + 1 + name
                } else {
                    i += 1;
                    continue;
                };
                parts.push((from, i, Some((i, end))));
                from = end;
                i = end;
                continue;
            }
            i += 1;
        }
        let mut children = Vec::new();
        let count = parts.len();
        for (n, (s, e, interpolation)) in parts.into_iter().enumerate() {
            let kind = if n == 0 {
                "GStringBegin"
            } else {
                "GStringPart"
            };
            children.push(leaf(kind, span.start + s, &text[s..e]));
            if let Some((a, b)) = interpolation {
                children.push(leaf("Interpolation", span.start + a, &text[a..b]));
            }
            let _ = count;
        }
        children.push(leaf("GStringEnd", span.start + from, &text[from..]));
        let _ = (line, column, empty);
        self.node("GStringExpr", span, children)
    }

    fn span_of(&self, from: usize) -> Span {
        let start = self
            .tokens
            .get(from)
            .map_or(self.text.len(), |t| t.span.start);
        let end = self
            .at
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(start, |t| t.span.end);
        Span::new(start, end.max(start))
    }

    /// Statements up to `close` (or the end).
    fn statements(&mut self, close: Option<&str>, depth: usize) -> Result<Vec<Node>, SyntaxError> {
        let mut out = Vec::new();
        loop {
            while self.is(";") {
                self.at += 1;
            }
            match (self.peek(), close) {
                (None, None) => return Ok(out),
                (None, Some(c)) => return Err(self.error(&format!("expected `{c}`"))),
                (Some(_), Some(c)) if self.is(c) => return Ok(out),
                _ => {}
            }
            out.push(self.statement(depth)?);
        }
    }

    fn statement(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let from = self.at;
        let keyword = self
            .peek()
            .filter(|t| t.kind == "Keyword")
            .map(|_| self.peek_text().to_string());
        match keyword.as_deref() {
            Some("def") => {
                let mut children = vec![self.token().unwrap_or_else(|| unreachable!())];
                children.push(self.expression(depth + 1)?);
                return Ok(self.node("VarDecl", self.span_of(from), children));
            }
            Some(
                "if" | "for" | "while" | "try" | "catch" | "finally" | "else" | "switch" | "class"
                | "import" | "package" | "return" | "throw",
            ) => {
                // Tokens up to the end of the statement, nested blocks as statements.
                let mut children = Vec::new();
                loop {
                    if self.is("{") {
                        check_depth(
                            2 * (depth + 2),
                            self.peek().map_or(Span::default(), |t| t.span),
                        )?;
                        let open = self.at;
                        self.at += 1;
                        let inner = self.statements(Some("}"), depth + 2)?;
                        self.at += 1;
                        children.push(self.node("BlockStmt", self.span_of(open), inner));
                        if !matches!(self.peek_text(), "else" | "catch" | "finally") {
                            break;
                        }
                    } else if self.is("(") {
                        children.push(self.primary(depth + 1)?);
                    } else {
                        let ends = self.peek().is_none_or(|t| t.newline && self.at > from)
                            || self.is(";")
                            || self.is("}");
                        if ends {
                            break;
                        }
                        if matches!(
                            self.peek().map(|t| t.kind),
                            Some("Identifier" | "GString" | "StringLiteral" | "NumberLiteral")
                        ) {
                            children.push(self.expression(depth + 1)?);
                        } else if let Some(token) = self.token() {
                            children.push(token);
                        }
                    }
                }
                return Ok(self.node("BlockStmt", self.span_of(from), children));
            }
            _ => {}
        }
        let expr = self.expression(depth + 1)?;
        Ok(self.node("ExpressionStmt", self.span_of(from), vec![expr]))
    }

    /// An expression: operands joined by binary operators, or a command call.
    fn expression(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        check_depth(2 * depth, self.peek().map_or(Span::default(), |t| t.span))?;
        let from = self.at;
        let first = self.postfix(depth)?;
        // A command expression: `sh 'x'`, `agent any`, `stage 'a', b`.
        let command = first.get("kind").is_some_and(|k| matches!(&k.value.kind, NodeKind::String(s) if s == "IdentExpr" || s == "PropertyExpr"))
            && self.peek().is_some_and(|t| {
                !t.newline && matches!(t.kind, "Identifier" | "StringLiteral" | "GString" | "NumberLiteral" | "SlashyStringLit" | "DollarSlashyStringLit" | "Keyword")
                    && !matches!(&self.text[t.span.start..t.span.end], "in" | "instanceof" | "as")
            });
        if command {
            let mut children = vec![first];
            loop {
                children.push(self.expression(depth + 1)?);
                if self.is(",") && !self.peek().is_some_and(|t| t.newline) {
                    self.at += 1;
                } else {
                    break;
                }
            }
            return Ok(self.node("CallExpr", self.span_of(from), children));
        }
        let mut left = first;
        while self
            .peek()
            .is_some_and(|t| t.kind == "Operator" && !t.newline)
            || self.is("in")
        {
            let mut children = vec![left];
            children.extend(self.token());
            children.push(self.postfix(depth + 1)?);
            left = self.node("BinaryExpr", self.span_of(from), children);
        }
        Ok(left)
    }

    /// A primary followed by property accesses, calls, indexes and trailing closures.
    fn postfix(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let from = self.at;
        let mut node = self.primary(depth)?;
        loop {
            let same_line = self.peek().is_some_and(|t| !t.newline);
            if self.is(".") || self.is("?.") || self.is("*.") {
                let mut children = vec![node];
                children.extend(self.token());
                if self.peek().is_none() {
                    return Err(self.error("expected a property name"));
                }
                children.extend(self.token());
                node = self.node("PropertyExpr", self.span_of(from), children);
            } else if self.is("(") && same_line {
                self.at += 1;
                let mut children = vec![node];
                while !self.is(")") {
                    if self.peek().is_none() {
                        return Err(self.error("expected `)`"));
                    }
                    children.push(self.expression(depth + 1)?);
                    if self.is(":") {
                        self.at += 1;
                        let value = self.expression(depth + 1)?;
                        let key = children.pop().unwrap_or_else(|| unreachable!());
                        children.push(self.node(
                            "NamedArg",
                            Span::new(key.span.start, value.span.end),
                            vec![key, value],
                        ));
                    }
                    if !self.is(")") {
                        if !self.is(",") {
                            return Err(self.error("expected `,` or `)`"));
                        }
                        self.at += 1;
                    }
                }
                self.at += 1;
                node = self.node("CallExpr", self.span_of(from), children);
            } else if self.is("{") && same_line {
                let closure = self.closure(depth + 1)?;
                // `f(a) { }` adds the closure to the call; `f { }` calls with it.
                node = if node.get("kind").is_some_and(
                    |k| matches!(&k.value.kind, NodeKind::String(s) if s == "CallExpr"),
                ) {
                    let span = Span::new(node.span.start, closure.span.end);
                    if let NodeKind::Object(members) = &mut node.kind {
                        if let Some(children) = members.iter_mut().find(|m| m.key == "children") {
                            if let NodeKind::Array(items) = &mut children.value.kind {
                                items.push(closure);
                            }
                            children.value.span = span;
                        }
                    }
                    node.span = span;
                    node
                } else {
                    self.node("CallExpr", self.span_of(from), vec![node, closure])
                };
            } else if self.is("[") && same_line {
                self.at += 1;
                let index = self.expression(depth + 1)?;
                if !self.is("]") {
                    return Err(self.error("expected `]`"));
                }
                self.at += 1;
                node = self.node("IndexExpr", self.span_of(from), vec![node, index]);
            } else {
                return Ok(node);
            }
        }
    }

    fn closure(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        check_depth(2 * depth, self.peek().map_or(Span::default(), |t| t.span))?;
        let from = self.at;
        self.at += 1;
        let body = self.statements(Some("}"), depth + 1)?;
        self.at += 1;
        Ok(self.node("ClosureExpr", self.span_of(from), body))
    }

    fn primary(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        check_depth(2 * depth, self.peek().map_or(Span::default(), |t| t.span))?;
        let from = self.at;
        let Some(token) = self.peek().cloned() else {
            return Err(self.error("expected an expression"));
        };
        let text = &self.text[token.span.start..token.span.end];
        match (token.kind, text) {
            ("Identifier", _) | ("Keyword", "new" | "this" | "super") => {
                let ident = self.token().unwrap_or_else(|| unreachable!());
                Ok(self.node("IdentExpr", self.span_of(from), vec![ident]))
            }
            (
                "StringLiteral"
                | "GString"
                | "NumberLiteral"
                | "SlashyStringLit"
                | "DollarSlashyStringLit",
                _,
            ) => {
                let literal = self.token().unwrap_or_else(|| unreachable!());
                let is_gstring = literal.get("kind").is_some_and(
                    |k| matches!(&k.value.kind, NodeKind::String(s) if s == "GStringExpr"),
                );
                if is_gstring {
                    Ok(literal)
                } else {
                    Ok(self.node("LiteralExpr", self.span_of(from), vec![literal]))
                }
            }
            ("Punct", "{") => self.closure(depth),
            ("Punct", "(") => {
                self.at += 1;
                let inner = self.expression(depth + 1)?;
                if !self.is(")") {
                    return Err(self.error("expected `)`"));
                }
                self.at += 1;
                Ok(self.node("ParenExpr", self.span_of(from), vec![inner]))
            }
            ("Punct", "[") => {
                self.at += 1;
                let mut children = Vec::new();
                let mut map = false;
                while !self.is("]") {
                    if self.peek().is_none() {
                        return Err(self.error("expected `]`"));
                    }
                    if self.is(":") {
                        // `[:]`, the empty map.
                        self.at += 1;
                        map = true;
                        continue;
                    }
                    children.push(self.expression(depth + 1)?);
                    if self.is(":") {
                        map = true;
                        self.at += 1;
                        let value = self.expression(depth + 1)?;
                        let key = children.pop().unwrap_or_else(|| unreachable!());
                        children.push(self.node(
                            "MapEntry",
                            Span::new(key.span.start, value.span.end),
                            vec![key, value],
                        ));
                    }
                    if !self.is("]") {
                        if !self.is(",") {
                            return Err(self.error("expected `,` or `]`"));
                        }
                        self.at += 1;
                    }
                }
                self.at += 1;
                Ok(self.node(
                    if map { "MapExpr" } else { "ListExpr" },
                    self.span_of(from),
                    children,
                ))
            }
            ("Operator", "!" | "-" | "+" | "~" | "++" | "--" | "@") => {
                let op = self.token().unwrap_or_else(|| unreachable!());
                let operand = self.postfix(depth + 1)?;
                Ok(self.node("UnaryExpr", self.span_of(from), vec![op, operand]))
            }
            _ => Err(self.error("expected an expression")),
        }
    }
}

fn member(key: &str, key_span: Span, value: Node) -> Member {
    Member {
        key: key.to_string(),
        key_span,
        value,
    }
}

fn int(value: usize, span: Span) -> Node {
    Node::new(
        span,
        NodeKind::Int(i64::try_from(value).unwrap_or(i64::MAX)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn interpolated_names_split_on_character_boundaries() {
        // Found by tests/fuzz_parsers.rs: a `$` before a multi-byte letter.
        for text in [
            "x = \"$\u{0ae6}\"",
            "x = \"$\u{0d93}\u{a571}:\"",
            "\u{1e01b}:/\u{fffc}/\"$\u{0ae6}\"",
        ] {
            let _ = parse(text);
        }
        let node = parse("x = \"a $\u{e9}t\u{e9} b\"").expect("valid");
        assert!(node.to_json().to_string().contains("$\u{e9}t\u{e9}"));
    }

    #[test]
    fn conftest_json_contract() {
        let node = parse("sh 'echo ok'").expect("valid");
        assert_eq!(
            node.to_json(),
            json!({"kind":"FileNode","line":1,"column":1,"children":[{"kind":"ExpressionStmt","line":1,"column":1,"children":[{"kind":"CallExpr","line":1,"column":1,"children":[{"kind":"IdentExpr","line":1,"column":1,"children":[{"kind":"Identifier","text":"sh","line":1,"column":1}]},{"kind":"LiteralExpr","line":1,"column":4,"children":[{"kind":"StringLiteral","text":"'echo ok'","line":1,"column":4}]}]}]}]})
        );
    }

    #[test]
    fn pipelines() {
        let text = "// comment\npipeline {\n  agent any\n  stages {\n    stage('Build') {\n      steps {\n        sh 'make build'\n      }\n    }\n  }\n}\nnode {\n  def target = \"${env.BRANCH_NAME}\"\n  sh \"make deploy TARGET=${target}\"\n  if (x == 1) { echo 'one' } else { echo 'other' }\n}\n";
        let node = parse(text).expect("valid");
        let json = node.to_json().to_string();
        assert!(
            json.contains(r#"{"column":9,"kind":"Identifier","line":7,"text":"sh"}"#),
            "{json}"
        );
        assert!(
            json.contains("ClosureExpr") && json.contains("GStringExpr"),
            "{json}"
        );
        assert!(!json.contains("comment"), "{json}");
    }

    #[test]
    fn errors_have_positions() {
        let err = parse("pipeline {").expect_err("unclosed");
        assert_eq!(err.span.start, 10, "{err:?}");
        assert!(parse("sh 'x").is_err());
        assert!(parse(&"(".repeat(100_000)).is_err());
        assert!(parse(&"a {".repeat(100_000)).is_err());
    }
}

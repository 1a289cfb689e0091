//! JSON with comments (`//`, `/* */`) and trailing commas, as `tsconfig.json`, VS Code and
//! dev container files are written. Everything else is as strict as [`super::json`].

use jsonc_parser::ParseOptions;

use super::{json, SyntaxError};
use crate::document::Node;

fn lenient() -> ParseOptions {
    ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        ..json::strict()
    }
}

/// Parses one JSONC value.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    json::parse_with(text, &lenient())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::NodeKind;

    #[test]
    fn comments_and_trailing_commas() {
        let text = "// top\n{\n  /* block */ \"a\": [1, 2,],\n  \"b\": true, // end\n}\n";
        let node = parse(text).expect("valid jsonc");
        let a = &node.get("a").expect("a").value;
        assert!(matches!(&a.kind, NodeKind::Array(items) if items.len() == 2));
        assert_eq!(&text[a.span.start..a.span.end], "[1, 2,]");
        assert!(parse("{'a': 1}").is_err());
        assert!(parse("{\"a\": 1 \"b\": 2}").is_err());
    }
}

//! The parsed form of a file: a tree of values that remembers where each one came from.
//!
//! Every parser produces [`Node`]s; a [`Document`] holds the roots of one file together with
//! its source text. Policies never see nodes directly: [`Node::to_rego`] and
//! [`Node::to_json`] turn them into the engines' values, while the locate stage walks the
//! same tree with a JSON pointer to find the byte range a finding refers to.

use std::collections::BTreeMap;

use crate::format::Format;

/// A byte range in a file's source text.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes).
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// Whether the span covers no bytes.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// A value with the span of source text it was parsed from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the value is written.
    pub span: Span,
    /// The value.
    pub kind: NodeKind,
}

/// The value of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number written as an integer that fits in 64 bits.
    Int(i64),
    /// A non-negative integer above `i64::MAX`.
    UInt(u64),
    /// Any other number.
    Float(f64),
    /// A string.
    String(String),
    /// An ordered list.
    Array(Vec<Node>),
    /// A mapping, in source order; for duplicate keys the last one wins.
    Object(Vec<Member>),
}

/// One key of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The key, as policies see it.
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// One step of a path into a document: an object key or an array index.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum PathSeg {
    /// An object key (also used for numeric-looking keys of objects).
    Key(String),
    /// An array index.
    Index(usize),
}

impl PathSeg {
    /// The index this segment names: an array index, or an object key written as a
    /// number (paths given as JSON pointers have only keys).
    pub fn as_index(&self) -> Option<usize> {
        match self {
            PathSeg::Index(i) => Some(*i),
            PathSeg::Key(k) => k.parse().ok(),
        }
    }
}

impl std::fmt::Display for PathSeg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathSeg::Key(k) => f.write_str(k),
            PathSeg::Index(i) => write!(f, "{i}"),
        }
    }
}

impl Node {
    /// A node of `kind` covering `span`.
    pub fn new(span: Span, kind: NodeKind) -> Self {
        Node { span, kind }
    }

    /// The member named `key`, the last one if the key is repeated.
    pub fn get(&self, key: &str) -> Option<&Member> {
        match &self.kind {
            NodeKind::Object(members) => members.iter().rev().find(|m| m.key == key),
            _ => None,
        }
    }

    /// The value as the Rego engine sees it.
    pub fn to_rego(&self) -> regorus::Value {
        match &self.kind {
            NodeKind::Null => regorus::Value::Null,
            NodeKind::Bool(b) => regorus::Value::from(*b),
            NodeKind::Int(i) => regorus::Value::from(*i),
            NodeKind::UInt(u) => regorus::Value::from(*u),
            NodeKind::Float(f) => regorus::Value::from(*f),
            NodeKind::String(s) => regorus::Value::from(s.as_str()),
            NodeKind::Array(items) => {
                regorus::Value::from(items.iter().map(Node::to_rego).collect::<Vec<_>>())
            }
            NodeKind::Object(members) => {
                let mut map = BTreeMap::new();
                for m in members {
                    map.insert(regorus::Value::from(m.key.as_str()), m.value.to_rego());
                }
                regorus::Value::from(map)
            }
        }
    }

    /// The value as JSON (what `goldenpath parse` prints and JSON Schemas validate).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.kind {
            NodeKind::Null => J::Null,
            NodeKind::Bool(b) => J::Bool(*b),
            NodeKind::Int(i) => J::from(*i),
            NodeKind::UInt(u) => J::from(*u),
            NodeKind::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            NodeKind::String(s) => J::String(s.clone()),
            NodeKind::Array(items) => J::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Object(members) => {
                let mut map = serde_json::Map::new();
                for m in members {
                    map.insert(m.key.clone(), m.value.to_json());
                }
                J::Object(map)
            }
        }
    }

    /// Walks `path` from this node as far as it exists. Returns the deepest node reached,
    /// the span of the key that led to it (if it was reached through an object key), and
    /// whether the whole path was found.
    pub fn walk(&self, path: &[PathSeg]) -> Walk<'_> {
        let mut node = self;
        let mut key_span = None;
        for (depth, seg) in path.iter().enumerate() {
            let next = match (&node.kind, seg) {
                (NodeKind::Object(_), PathSeg::Key(k)) => {
                    node.get(k).map(|m| (Some(m.key_span), &m.value))
                }
                (NodeKind::Object(_), PathSeg::Index(i)) => node
                    .get(&i.to_string())
                    .map(|m| (Some(m.key_span), &m.value)),
                (NodeKind::Array(items), PathSeg::Index(i)) => items.get(*i).map(|n| (None, n)),
                (NodeKind::Array(items), PathSeg::Key(k)) => k
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|n| (None, n)),
                _ => None,
            };
            match next {
                Some((span, child)) => {
                    key_span = span;
                    node = child;
                }
                None => {
                    return Walk {
                        node,
                        key_span,
                        matched: depth,
                    }
                }
            }
        }
        Walk {
            node,
            key_span,
            matched: path.len(),
        }
    }
}

/// The result of [`Node::walk`].
#[derive(Debug)]
pub struct Walk<'a> {
    /// The deepest node reached.
    pub node: &'a Node,
    /// The key that led to `node`, when it is an object member.
    pub key_span: Option<Span>,
    /// How many path segments were matched.
    pub matched: usize,
}

/// One input a policy is evaluated against: a root of the file, or an element of a
/// top-level array (conftest evaluates those one by one).
#[derive(Debug)]
pub struct Input<'a> {
    /// The value.
    pub node: &'a Node,
    /// Position of this input inside the file: the document index for multi-document
    /// YAML, then the array index when a top-level array was split.
    pub origin: InputOrigin,
}

/// Where an [`Input`] sits in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InputOrigin {
    /// Index of the document among the file's roots.
    pub root: usize,
    /// Index in the root array, when the root was split element by element.
    pub element: Option<usize>,
}

/// A parsed file.
#[derive(Debug)]
pub struct Document {
    /// The path as reported (relative, forward slashes).
    pub file: String,
    /// The format it was parsed as.
    pub format: Format,
    /// The whole source text (shared with the diagnostics that show it).
    pub source: std::sync::Arc<str>,
    /// One root per document (several for multi-document YAML).
    pub roots: Vec<Node>,
}

impl Document {
    /// The inputs policies are evaluated against, in order: each root, except that a
    /// single root which is an array is evaluated element by element when the format
    /// says so ([`Format::splits_array_root`]: not for a Dockerfile's instruction list or
    /// an ignore file's pattern list, which conftest hands to policies whole).
    pub fn inputs(&self) -> Vec<Input<'_>> {
        if let [root] = self.roots.as_slice() {
            if let (true, NodeKind::Array(items)) = (self.format.splits_array_root(), &root.kind) {
                return items
                    .iter()
                    .enumerate()
                    .map(|(i, node)| Input {
                        node,
                        origin: InputOrigin {
                            root: 0,
                            element: Some(i),
                        },
                    })
                    .collect();
            }
        }
        self.roots
            .iter()
            .enumerate()
            .map(|(i, node)| Input {
                node,
                origin: InputOrigin {
                    root: i,
                    element: None,
                },
            })
            .collect()
    }

    /// The node an [`InputOrigin`] names.
    pub fn input_node(&self, origin: InputOrigin) -> Option<&Node> {
        let root = self.roots.get(origin.root)?;
        match (origin.element, &root.kind) {
            (None, _) => Some(root),
            (Some(i), NodeKind::Array(items)) => items.get(i),
            (Some(_), _) => None,
        }
    }

    /// The whole file as one JSON value: the root, or an array of roots for a
    /// multi-document file (the shape `goldenpath parse` prints and `--combine` uses).
    pub fn to_json(&self) -> serde_json::Value {
        match self.roots.as_slice() {
            [root] => root.to_json(),
            roots => serde_json::Value::Array(roots.iter().map(Node::to_json).collect()),
        }
    }
}

/// Converts a result's `path` (an array of keys and indices, a JSON pointer string such as
/// `/spec/containers/0`, or a dotted path such as `spec.containers[0].image`) to segments.
pub fn parse_path(value: &serde_json::Value) -> Option<Vec<PathSeg>> {
    match value {
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| match item {
                serde_json::Value::String(s) => Some(PathSeg::Key(s.clone())),
                serde_json::Value::Number(n) => n
                    .as_u64()
                    .and_then(|u| usize::try_from(u).ok())
                    .map(PathSeg::Index),
                _ => None,
            })
            .collect(),
        serde_json::Value::String(s) if s.is_empty() => Some(Vec::new()),
        serde_json::Value::String(s) if s.starts_with('/') => Some(
            s[1..]
                .split('/')
                .map(|raw| PathSeg::Key(raw.replace("~1", "/").replace("~0", "~")))
                .collect(),
        ),
        serde_json::Value::String(s) => Some(parse_dotted(s)),
        _ => None,
    }
}

fn parse_dotted(s: &str) -> Vec<PathSeg> {
    let mut segs = Vec::new();
    for part in s.split('.') {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            if open > 0 {
                segs.push(PathSeg::Key(rest[..open].to_string()));
            }
            rest = &rest[open..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let Some(close) = stripped.find(']') else {
                    segs.push(PathSeg::Key(rest.to_string()));
                    break;
                };
                let inner = stripped[..close].trim_matches(|c| c == '"' || c == '\'');
                segs.push(match inner.parse::<usize>() {
                    Ok(i) => PathSeg::Index(i),
                    Err(_) => PathSeg::Key(inner.to_string()),
                });
                rest = &stripped[close + 1..];
            }
        } else if !part.is_empty() {
            segs.push(PathSeg::Key(part.to_string()));
        }
    }
    segs
}

/// Renders segments as a JSON pointer (`/spec/containers/0`).
pub fn to_pointer(path: &[PathSeg]) -> String {
    let mut out = String::new();
    for seg in path {
        out.push('/');
        match seg {
            PathSeg::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            PathSeg::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_in_every_spelling() {
        let expected = vec![
            PathSeg::Key("spec".into()),
            PathSeg::Key("containers".into()),
            PathSeg::Index(0),
            PathSeg::Key("image".into()),
        ];
        assert_eq!(
            parse_path(&json!(["spec", "containers", 0, "image"])),
            Some(expected.clone())
        );
        assert_eq!(
            parse_path(&json!("spec.containers[0].image")),
            Some(expected)
        );
        assert_eq!(
            parse_path(&json!("/metadata/annotations/a~1b~0c")),
            Some(vec![
                PathSeg::Key("metadata".into()),
                PathSeg::Key("annotations".into()),
                PathSeg::Key("a/b~c".into()),
            ])
        );
        assert_eq!(parse_path(&json!("")), Some(vec![]));
        assert_eq!(parse_path(&json!([true])), None);
        assert_eq!(parse_path(&json!(3)), None);
    }

    #[test]
    fn pointer_round_trip() {
        let path = vec![PathSeg::Key("a/b".into()), PathSeg::Index(2)];
        assert_eq!(to_pointer(&path), "/a~1b/2");
    }
}

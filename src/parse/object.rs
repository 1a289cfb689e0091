//! Building an object whose keys may repeat, in time linear in its size.
//!
//! The formats that read a list of `key = value` entries (dotenv, properties, INI keys and
//! sections, HCL attributes, blocks and object expressions, XML elements) all resolve a
//! repeated key the same way: the key keeps the place of its first occurrence, and the
//! last occurrence's key span and value replace the earlier ones ("for duplicate keys the
//! last one wins", as [`NodeKind::Object`](crate::document::NodeKind::Object) says; such
//! objects never hold a key twice). [`ObjectBuilder`] does that with a key → entry map, so
//! adding a key costs the same however many the object already holds.

use indexmap::IndexMap;

use crate::document::{Member, Node, Span};

/// An object being built: keys in order of first occurrence, each with its key span and
/// a value (a [`Node`], or a format's own value still being built).
#[derive(Debug)]
pub(crate) struct ObjectBuilder<V = Node> {
    entries: IndexMap<String, (Span, V)>,
}

impl<V> Default for ObjectBuilder<V> {
    fn default() -> Self {
        ObjectBuilder {
            entries: IndexMap::new(),
        }
    }
}

impl<V> ObjectBuilder<V> {
    /// An empty object.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds `key`; when it is already present it keeps its place and takes this key span
    /// and value (the last occurrence wins).
    pub(crate) fn upsert(&mut self, key: String, key_span: Span, value: V) {
        self.entries.insert(key, (key_span, value));
    }

    /// The position and value of `key`, first adding it with `key_span` and `make()` when
    /// it is absent (a key already present keeps its first key span).
    pub(crate) fn get_or_insert_with(
        &mut self,
        key: String,
        key_span: Span,
        make: impl FnOnce() -> V,
    ) -> (usize, &mut V) {
        let entry = self.entries.entry(key);
        let index = entry.index();
        let (_, value) = entry.or_insert_with(|| (key_span, make()));
        (index, value)
    }

    /// The value of `key`.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.entries.get_mut(key).map(|(_, value)| value)
    }

    /// The value at `index` (from [`ObjectBuilder::get_or_insert_with`]).
    pub(crate) fn get_index_mut(&mut self, index: usize) -> Option<&mut V> {
        self.entries
            .get_index_mut(index)
            .map(|(_, (_, value))| value)
    }

    /// The members, in order, with each value turned into a [`Node`] by `finish`.
    pub(crate) fn into_members_with(self, mut finish: impl FnMut(V) -> Node) -> Vec<Member> {
        self.entries
            .into_iter()
            .map(|(key, (key_span, value))| Member {
                key,
                key_span,
                value: finish(value),
            })
            .collect()
    }
}

impl<V> ObjectBuilder<V> {
    /// An object holding `members` (whose keys are distinct), each value wrapped by `wrap`.
    pub(crate) fn from_members_with(members: Vec<Member>, mut wrap: impl FnMut(Node) -> V) -> Self {
        let mut object = Self::new();
        for member in members {
            object.upsert(member.key, member.key_span, wrap(member.value));
        }
        object
    }
}

impl ObjectBuilder<Node> {
    /// The members, in order.
    pub(crate) fn into_members(self) -> Vec<Member> {
        self.into_members_with(|node| node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::NodeKind;

    fn int(at: usize, i: i64) -> Node {
        Node::new(Span::new(at, at + 1), NodeKind::Int(i))
    }

    /// `(key, key start, value)` triples in, the members' `(key, key start, value)` out.
    #[test]
    fn upsert_keeps_first_place_and_last_value() {
        type Row = (&'static str, usize, i64);
        let cases: [(&[Row], &[Row]); 5] = [
            (&[], &[]),
            (&[("a", 0, 1), ("b", 2, 2)], &[("a", 0, 1), ("b", 2, 2)]),
            (&[("a", 0, 1), ("a", 2, 2)], &[("a", 2, 2)]),
            (
                &[
                    ("a", 0, 1),
                    ("b", 2, 2),
                    ("a", 4, 3),
                    ("c", 6, 4),
                    ("b", 8, 5),
                ],
                &[("a", 4, 3), ("b", 8, 5), ("c", 6, 4)],
            ),
            (&[("x", 0, 1), ("x", 2, 2), ("x", 4, 3)], &[("x", 4, 3)]),
        ];
        for (input, expected) in cases {
            let mut object = ObjectBuilder::new();
            for (key, at, value) in input {
                object.upsert(
                    key.to_string(),
                    Span::new(*at, at + 1),
                    int(at + 10, *value),
                );
            }
            let got: Vec<(String, usize, NodeKind, usize)> = object
                .into_members()
                .into_iter()
                .map(|m| (m.key, m.key_span.start, m.value.kind, m.value.span.start))
                .collect();
            let want: Vec<(String, usize, NodeKind, usize)> = expected
                .iter()
                .map(|(k, at, v)| (k.to_string(), *at, NodeKind::Int(*v), at + 10))
                .collect();
            assert_eq!(got, want, "{input:?}");
        }
    }

    #[test]
    fn get_or_insert_keeps_the_first_key_span_and_value() {
        let mut object: ObjectBuilder<Vec<i64>> = ObjectBuilder::new();
        let (first, items) = object.get_or_insert_with("a".into(), Span::new(0, 1), Vec::new);
        items.push(1);
        let (index, items) = object.get_or_insert_with("b".into(), Span::new(2, 3), Vec::new);
        assert_eq!(index, 1);
        items.push(2);
        let (again, items) = object.get_or_insert_with("a".into(), Span::new(4, 5), || vec![9]);
        assert_eq!(again, first);
        items.push(3);
        if let Some(items) = object.get_index_mut(1) {
            items.push(4);
        }
        assert!(object.get_mut("c").is_none());
        let members = object.into_members_with(|items| {
            Node::new(
                Span::default(),
                NodeKind::Array(items.into_iter().map(|i| int(0, i)).collect()),
            )
        });
        let summary: Vec<(String, Span, usize)> = members
            .iter()
            .map(|m| match &m.value.kind {
                NodeKind::Array(items) => (m.key.clone(), m.key_span, items.len()),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("a".to_string(), Span::new(0, 1), 2),
                ("b".to_string(), Span::new(2, 3), 2),
            ]
        );
    }

    #[test]
    fn from_members_round_trips() {
        let members = vec![
            Member {
                key: "b".into(),
                key_span: Span::new(0, 1),
                value: int(5, 1),
            },
            Member {
                key: "a".into(),
                key_span: Span::new(2, 3),
                value: int(6, 2),
            },
        ];
        assert_eq!(
            ObjectBuilder::from_members_with(members.clone(), |node| node).into_members(),
            members
        );
    }
}

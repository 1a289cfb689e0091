//! Fingerprints: an identity for each finding that survives unrelated edits, shared by
//! the SARIF (`partialFingerprints`) and GitLab (`fingerprint`) reports.
//!
//! A fingerprint hashes the rule id, the file and the text of the flagged line with its
//! whitespace normalised, and never the line number, so an alert keeps its identity when
//! lines above it move. Identical (rule, file, text) triples are told apart by their order
//! in the file (`…:1`, `…:2`), as GitHub does for its own line hashes.

use std::collections::HashMap;

use crate::locate::Diagnostic;

/// The text of the first flagged line of `diagnostic`, with runs of whitespace collapsed
/// to one space and the ends trimmed; empty for findings without a position.
pub(crate) fn flagged_line(diagnostic: &Diagnostic) -> String {
    let (Some(region), Some(snippet)) = (diagnostic.region, &diagnostic.snippet) else {
        return String::new();
    };
    let Some(index) = region.start.line.checked_sub(snippet.first_line) else {
        return String::new();
    };
    snippet
        .text()
        .lines()
        .nth(index)
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// One fingerprint per diagnostic, in the same order: 16 hex digits, `:`, occurrence.
pub(crate) fn fingerprints(diagnostics: &[Diagnostic]) -> Vec<String> {
    numbered(diagnostics.iter())
}

fn numbered<'a>(diagnostics: impl Iterator<Item = &'a Diagnostic>) -> Vec<String> {
    let mut seen: HashMap<u64, usize> = HashMap::new();
    // Findings of one rule on one line share a hash: hash each (rule, file, line) once,
    // so thousands of findings on one long line cost one pass over it, not thousands.
    let mut hashes: HashMap<(&str, &str, usize, usize), u64> = HashMap::new();
    diagnostics
        .map(|d| {
            let line = match (&d.snippet, d.region) {
                (Some(s), Some(r)) => (
                    std::sync::Arc::as_ptr(&s.source).cast::<u8>() as usize,
                    r.start.line,
                ),
                _ => (0, 0),
            };
            let hash = *hashes
                .entry((d.rule.as_str(), d.file.as_str(), line.0, line.1))
                .or_insert_with(|| {
                    fnv1a(&[
                        d.rule.as_bytes(),
                        d.file.as_bytes(),
                        flagged_line(d).as_bytes(),
                    ])
                });
            let occurrence = seen.entry(hash).or_insert(0);
            *occurrence += 1;
            format!("{hash:016x}:{occurrence}")
        })
        .collect()
}

/// The fingerprints of two sets of findings, each sorted in report order, as if they
/// were one report: occurrences are numbered over both, in report order (the reported
/// finding first on a tie).
pub(crate) fn fingerprint_all(
    reported: &[Diagnostic],
    suppressed: &[&Diagnostic],
) -> (Vec<String>, Vec<String>) {
    if suppressed.is_empty() {
        return (fingerprints(reported), Vec::new());
    }
    let mut all: Vec<(usize, &Diagnostic)> = reported
        .iter()
        .map(|d| (0, d))
        .chain(suppressed.iter().map(|d| (1, *d)))
        .collect();
    all.sort_by(|a, b| a.1.sort_key().cmp(&b.1.sort_key()));
    let prints = numbered(all.iter().map(|(_, d)| *d));
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for ((which, _), print) in all.into_iter().zip(prints) {
        if which == 0 {
            first.push(print);
        } else {
            second.push(print);
        }
    }
    (first, second)
}

/// 64-bit FNV-1a over the parts, each followed by a 0xff byte (which never occurs in
/// UTF-8) so that `("ab", "c")` and `("a", "bc")` differ. Stable across Rust versions and
/// platforms, unlike `std`'s hasher.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for part in parts {
        for byte in part.iter().chain(std::iter::once(&0xff)) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{diagnostic, file_level};

    #[test]
    fn fnv_matches_the_reference_values() {
        // FNV-1a 64 of the empty input is the offset basis; of "a" a published vector.
        let plain = |bytes: &[u8]| {
            let mut hash = 0xcbf2_9ce4_8422_2325_u64;
            for byte in bytes {
                hash ^= u64::from(*byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
            hash
        };
        assert_eq!(plain(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(plain(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
    }

    #[test]
    fn moving_a_line_keeps_the_fingerprint_and_editing_it_changes_it() {
        let here = diagnostic("r", "a.yaml", 3, "  image:   nginx:latest\n", "m");
        let moved = diagnostic("r", "a.yaml", 40, "image: nginx:latest", "other message");
        let edited = diagnostic("r", "a.yaml", 3, "image: nginx:1.27", "m");
        let other_rule = diagnostic("s", "a.yaml", 3, "image: nginx:latest", "m");
        let other_file = diagnostic("r", "b.yaml", 3, "image: nginx:latest", "m");
        assert_eq!(flagged_line(&here), "image: nginx:latest");
        let print = |d: &Diagnostic| fingerprints(std::slice::from_ref(d)).remove(0);
        assert_eq!(print(&here), print(&moved));
        assert!(print(&here).ends_with(":1"));
        for different in [&edited, &other_rule, &other_file] {
            assert_ne!(print(&here), print(different));
        }
    }

    #[test]
    fn repeats_are_numbered_in_order() {
        let a = diagnostic("r", "a.yaml", 3, "image: x", "m");
        let b = diagnostic("r", "a.yaml", 9, "image: x", "m");
        let c = file_level("r", "a.yaml", "whole file");
        let prints = fingerprints(&[a, b, c]);
        assert_eq!(prints[0][..16], prints[1][..16]);
        assert!(prints[0].ends_with(":1") && prints[1].ends_with(":2"));
        assert!(prints[2].ends_with(":1"));
        assert_ne!(prints[2][..16], prints[0][..16]);
    }
}

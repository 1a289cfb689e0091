//! The lines of checked files that a set of diagnostics shows, each line once per file.
//!
//! A [`Snippet`] shares its file's whole text; a record of the findings (a shard's report,
//! a cache entry) keeps only the lines the excerpts and the inline suppressions need, each
//! once per file however many findings show it: 40,000 findings on one long line store
//! that line once. Read back, a file's text is rebuilt with those lines at their
//! original byte offsets and line numbers (blanks before them, nothing after the last),
//! so every span, line number and excerpt is what it was.
//!
//! [`canonical`] does the same in memory: every report's excerpts point into one such
//! text per file, whatever read the file (the file stage, the repository rules, the cache,
//! a shard), so a report is the same however it was produced.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::document::Span;
use crate::locate::{Diagnostic, LineIndex};

/// A run of whole lines of a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// The byte offset of its first line.
    pub offset: usize,
    /// The 1-based number of its first line.
    pub line: usize,
    /// The lines, with their line endings.
    pub text: String,
}

/// What is kept of one file's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    /// The file, as reported.
    pub file: String,
    /// The length of the whole text, in bytes.
    pub length: usize,
    /// The lines kept, in order, neither overlapping nor touching.
    pub segments: Vec<Segment>,
}

/// The longest text a record may rebuild: far beyond any file goldenpath parses, short
/// of what a damaged or forged record could make it allocate.
const MAX_LENGTH: usize = 1 << 30;

impl SourceRecord {
    /// The text rebuilt: the segments at their offsets, each preceded by as many line
    /// breaks as put it on its line, and blanks before; it ends with the last segment
    /// (nothing reads past the lines shown). `None` when the segments do not fit the
    /// length, overlap, or the length is beyond reason.
    pub fn text(&self) -> Option<String> {
        if self.length > MAX_LENGTH {
            return None;
        }
        let end = self
            .segments
            .last()
            .map_or(0, |s| s.offset.saturating_add(s.text.len()));
        let mut out = String::with_capacity(end.min(self.length));
        let mut line = 1;
        for segment in &self.segments {
            if segment.offset.saturating_add(segment.text.len()) > self.length {
                return None;
            }
            let gap = segment.offset.checked_sub(out.len())?;
            let breaks = segment.line.checked_sub(line)?.min(gap);
            out.extend(std::iter::repeat_n(' ', gap - breaks));
            out.extend(std::iter::repeat_n('\n', breaks));
            out.push_str(&segment.text);
            line = segment.line + segment.text.matches('\n').count();
        }
        (out.len() <= self.length).then_some(out)
    }
}

/// The byte ranges of one text that something shows, with the line each starts on.
#[derive(Debug)]
struct Known {
    text: Arc<str>,
    ranges: Vec<(Span, usize)>,
}

/// Collects the lines to keep, file by file, then lays them out as [`SourceRecord`]s.
#[derive(Debug, Default)]
pub struct Collector {
    /// Per file, the distinct texts (by pointer) and what is shown of each.
    files: BTreeMap<String, Vec<Known>>,
}

/// Where each text went: the index of its record.
#[derive(Debug, Default)]
pub struct Placement {
    records: Vec<SourceRecord>,
    /// (file, text pointer) → record index.
    index: BTreeMap<(String, usize), usize>,
}

fn pointer(text: &Arc<str>) -> usize {
    Arc::as_ptr(text) as *const u8 as usize
}

impl Collector {
    /// Keeps the lines `range` (whole lines, from line `first_line`) of `text`, a text of
    /// `file`.
    pub fn keep(&mut self, file: &str, text: &Arc<str>, range: Span, first_line: usize) {
        let texts = self.files.entry(file.to_string()).or_default();
        let known = match texts.iter_mut().find(|k| Arc::ptr_eq(&k.text, text)) {
            Some(known) => known,
            None => {
                texts.push(Known {
                    text: Arc::clone(text),
                    ranges: Vec::new(),
                });
                let last = texts.len() - 1;
                &mut texts[last]
            }
        };
        if text.get(range.start..range.end).is_some() {
            known.ranges.push((range, first_line));
        }
    }

    /// Keeps the lines a diagnostic's excerpt shows.
    pub fn keep_excerpt(&mut self, d: &Diagnostic) {
        if let Some(s) = &d.snippet {
            self.keep(&d.file, &s.source, s.lines, s.first_line);
        }
    }

    /// Keeps the lines around `spans` of `text` (one line either side, as an excerpt has).
    pub fn keep_around(&mut self, file: &str, text: &Arc<str>, spans: impl Iterator<Item = Span>) {
        let index = LineIndex::new(text);
        for span in spans {
            let (lines, first) = index.context(span);
            self.keep(file, text, lines, first);
        }
    }

    /// Lays the kept lines out: one record per file, or more when texts of the same file
    /// disagree where both are shown (the file changed between two reads).
    pub fn place(self) -> Placement {
        let mut placement = Placement::default();
        for (file, texts) in self.files {
            // Texts are grouped by what they show, not by length: a text read back from a
            // record ends with its last line shown, so two records of one file (two
            // shards, a cache entry and a fresh read) differ in length.
            let mut groups: Vec<(usize, Vec<&Known>)> = Vec::new();
            for known in &texts {
                let fits = groups
                    .iter_mut()
                    .find(|(_, members)| members.iter().all(|m| agree(m, known)));
                match fits {
                    Some((length, members)) => {
                        *length = (*length).max(known.text.len());
                        members.push(known);
                    }
                    None => groups.push((known.text.len(), vec![known])),
                }
            }
            for (length, members) in groups {
                let index = placement.records.len();
                for member in &members {
                    placement
                        .index
                        .insert((file.clone(), pointer(&member.text)), index);
                }
                placement.records.push(SourceRecord {
                    file: file.clone(),
                    length,
                    segments: segments(&members),
                });
            }
        }
        placement
    }
}

/// Whether two texts of a file are the same where both are shown.
fn agree(a: &Known, b: &Known) -> bool {
    a.ranges.iter().all(|(ra, _)| {
        b.ranges.iter().all(|(rb, _)| {
            let start = ra.start.max(rb.start);
            let end = ra.end.min(rb.end);
            start >= end || a.text.get(start..end) == b.text.get(start..end)
        })
    })
}

/// The shown ranges of agreeing texts, merged into runs of lines.
fn segments(members: &[&Known]) -> Vec<Segment> {
    let mut ranges: Vec<(Span, usize, &str)> = members
        .iter()
        .flat_map(|m| m.ranges.iter().map(|(r, l)| (*r, *l, &*m.text)))
        .collect();
    ranges.sort_by_key(|(r, l, _)| (r.start, *l, std::cmp::Reverse(r.end)));
    let mut out: Vec<Segment> = Vec::new();
    for (range, line, text) in ranges {
        if let Some(last) = out.last_mut() {
            let end = last.offset + last.text.len();
            if range.start <= end {
                if range.end > end {
                    last.text.push_str(text.get(end..range.end).unwrap_or(""));
                }
                continue;
            }
        }
        out.push(Segment {
            offset: range.start,
            line,
            text: text.get(range.start..range.end).unwrap_or("").to_string(),
        });
    }
    out
}

impl Placement {
    /// The records, in order.
    pub fn records(&self) -> &[SourceRecord] {
        &self.records
    }

    /// The records, taken.
    pub fn into_records(self) -> Vec<SourceRecord> {
        self.records
    }

    /// The record a text of `file` went to.
    pub fn index_of(&self, file: &str, text: &Arc<str>) -> Option<usize> {
        self.index.get(&(file.to_string(), pointer(text))).copied()
    }
}

/// Every record's text rebuilt; an error names the first record that does not fit.
pub fn rebuild(records: &[SourceRecord]) -> Result<Vec<Arc<str>>, String> {
    records
        .iter()
        .map(|r| {
            r.text()
                .map(Arc::from)
                .ok_or_else(|| format!("the kept lines of `{}` do not fit its length", r.file))
        })
        .collect()
}

/// Points every excerpt of `diagnostics` into one text per file that holds just the lines
/// the excerpts show (see the module documentation).
pub fn canonical(mut diagnostics: Vec<&mut Diagnostic>) {
    let mut collector = Collector::default();
    for d in &diagnostics {
        collector.keep_excerpt(d);
    }
    let placement = collector.place();
    let texts: Vec<Option<Arc<str>>> = placement
        .records()
        .iter()
        .map(|r| r.text().map(Arc::from))
        .collect();
    for d in diagnostics.iter_mut() {
        let file = d.file.clone();
        let Some(snippet) = d.snippet.as_mut() else {
            continue;
        };
        let text = placement
            .index_of(&file, &snippet.source)
            .and_then(|i| texts.get(i).cloned().flatten());
        if let Some(text) = text {
            snippet.source = text;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(text: &str, spans: &[Span]) -> (Arc<str>, SourceRecord) {
        let text: Arc<str> = Arc::from(text);
        let mut collector = Collector::default();
        collector.keep_around("f", &text, spans.iter().copied());
        let mut records = collector.place().into_records();
        (text, records.remove(0))
    }

    #[test]
    fn rebuilt_text_keeps_offsets_lines_and_excerpts() {
        let original = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7\n";
        // "e" on line 5: lines 4 to 6 are kept.
        let at = original.find("e: 5").expect("e");
        let (text, record) = kept(original, &[Span::new(at, at + 1)]);
        assert_eq!(record.segments.len(), 1);
        assert_eq!(record.segments[0].line, 4);
        assert_eq!(record.segments[0].text, "d: 4\ne: 5\nf: 6\n");
        let rebuilt = record.text().expect("fits");
        assert_eq!(
            rebuilt.len(),
            original.find("g: 7").expect("g"),
            "up to the last line shown"
        );
        let index = LineIndex::new(&rebuilt);
        let original_index = LineIndex::new(&text);
        assert_eq!(index.position(at), original_index.position(at));
        assert_eq!(
            index.context(Span::new(at, at + 1)),
            original_index.context(Span::new(at, at + 1))
        );
    }

    #[test]
    fn a_long_line_is_kept_once_for_many_findings() {
        let long = format!("k: {}\n", "x".repeat(200_000));
        let spans: Vec<Span> = (0..1000).map(|i| Span::new(3 + i, 4 + i)).collect();
        let (_, record) = kept(&long, &spans);
        assert_eq!(record.segments.len(), 1);
        assert_eq!(record.segments[0].text.len(), long.len());
    }

    #[test]
    fn separate_runs_of_lines_stay_apart_and_bad_records_are_refused() {
        let original: String = (1..=40).map(|i| format!("line {i}\n")).collect();
        let first = original.find("line 3\n").expect("3");
        let second = original.find("line 30\n").expect("30");
        let (text, record) = kept(
            &original,
            &[Span::new(first, first + 1), Span::new(second, second + 1)],
        );
        assert_eq!(record.segments.len(), 2);
        let rebuilt = record.text().expect("fits");
        let index = LineIndex::new(&rebuilt);
        assert_eq!(index.position(second).line, 30);
        assert_eq!(
            rebuilt.get(second..second + 7),
            text.get(second..second + 7)
        );
        let mut bad = record.clone();
        bad.length = 3;
        assert_eq!(bad.text(), None);
        let mut huge = record.clone();
        huge.length = usize::MAX;
        assert_eq!(huge.text(), None, "no allocation beyond reason");
        let mut far = record.clone();
        far.segments[1].offset = 1 << 40;
        assert_eq!(far.text(), None, "a segment past the length");
        let mut overlapping = record;
        overlapping.segments[1].offset = 0;
        assert_eq!(overlapping.text(), None);
    }

    #[test]
    fn texts_of_one_file_that_disagree_stay_apart() {
        let a: Arc<str> = Arc::from("x: 1\n");
        let b: Arc<str> = Arc::from("x: 2\n");
        let c: Arc<str> = Arc::from("x: 1\n");
        let mut collector = Collector::default();
        for text in [&a, &b, &c] {
            collector.keep("f", text, Span::new(0, 5), 1);
        }
        let placement = collector.place();
        assert_eq!(placement.records().len(), 2);
        assert_eq!(placement.index_of("f", &a), placement.index_of("f", &c));
        assert_ne!(placement.index_of("f", &a), placement.index_of("f", &b));
    }
}

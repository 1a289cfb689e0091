//! The serialised forms: a shard's part of a run in its JSON report ([`ShardRecord`],
//! under `"shard"`), and the findings of a file's result in the cache ([`Located`]).
//!
//! Findings are written as located (lines, columns, byte span) with their excerpt as a
//! reference into a table of the lines kept per file ([`super::sources`]), so a long
//! line shown by many findings is written once. Lines and columns are not written: they
//! are computed again from the byte span and the lines shown, so they always agree with
//! the text. Everything read back is checked: a reference out of the table, a span
//! outside its lines, or lines that do not fit their file make the whole record
//! unusable, never a panic.
//!
//! ```text
//! finding:  {"rule", "severity", "message", "file", "metadata"?,
//!            "span"?: [byte_start, byte_end],
//!            "excerpt"?: [source, byte_start, byte_end, first_line]}
//! source:   {"file", "length", "segments": [{"offset", "line", "text"}]}
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::sources::{rebuild, Collector, Placement, SourceRecord};
use super::{Facts, Partial};
use crate::digest::Digest;
use crate::document::Span;
use crate::finding::Severity;
use crate::locate::{Diagnostic, LineIndex, Snippet};
use crate::options::{BaselineMode, IgnoreSetting, OverrideSetting, RuleSetting, SuppressOptions};
use crate::shard::Shard;
use crate::suppress::baseline::Baseline;
use crate::suppress::date::Date;
use crate::suppress::directive::{Directive, FileDirectives, Malformed};

/// A located finding, its excerpt a reference into a source table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticRecord {
    /// Rule id.
    pub rule: String,
    /// Severity.
    pub severity: Severity,
    /// Message.
    pub message: String,
    /// File, as reported.
    pub file: String,
    /// The first byte and the byte after the last it points at (with `excerpt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<[usize; 2]>,
    /// Result metadata.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Source index, first byte and byte after the last of the lines shown, number of the
    /// first line shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<[usize; 4]>,
}

/// The inline suppressions of one file, its text a reference into a source table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectivesRecord {
    /// The file, as reported.
    pub file: String,
    /// Its text's index in the source table.
    pub source: usize,
    /// The directives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directives: Vec<Directive>,
    /// The comments that could not be read as directives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub malformed: Vec<Malformed>,
}

/// Findings and inline suppressions with the lines they show.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Located {
    /// The lines kept, per file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceRecord>,
    /// The findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<DiagnosticRecord>,
    /// The inline suppressions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directives: Vec<DirectivesRecord>,
}

impl Located {
    /// Writes `diagnostics` and `directives` down.
    pub fn of(diagnostics: &[Diagnostic], directives: &[FileDirectives]) -> Located {
        let mut collector = Collector::default();
        for d in diagnostics {
            collector.keep_excerpt(d);
        }
        for f in directives {
            collector.keep_around(&f.file, &f.source, f.spans());
        }
        let placement = collector.place();
        let diagnostics = diagnostics.iter().map(|d| record(d, &placement)).collect();
        let directives = directives
            .iter()
            .filter_map(|f| {
                Some(DirectivesRecord {
                    file: f.file.clone(),
                    source: placement.index_of(&f.file, &f.source)?,
                    directives: f.directives.clone(),
                    malformed: f.malformed.clone(),
                })
            })
            .collect();
        Located {
            sources: placement.into_records(),
            diagnostics,
            directives,
        }
    }

    /// Reads them back.
    pub fn read(self) -> Result<(Vec<Diagnostic>, Vec<FileDirectives>), String> {
        let texts = rebuild(&self.sources)?;
        // One index per text: a line shown by many findings is indexed once.
        let indexes: Vec<LineIndex> = texts.iter().map(|t| LineIndex::new(t)).collect();
        let diagnostics = self
            .diagnostics
            .into_iter()
            .map(|d| diagnostic(d, &texts, &indexes))
            .collect::<Result<_, _>>()?;
        let directives =
            self.directives
                .into_iter()
                .map(|f| {
                    let source = texts.get(f.source).cloned().ok_or_else(|| {
                        format!("the suppressions of `{}` name no source", f.file)
                    })?;
                    Ok(FileDirectives {
                        file: f.file,
                        source,
                        directives: f.directives,
                        malformed: f.malformed,
                    })
                })
                .collect::<Result<_, String>>()?;
        Ok((diagnostics, directives))
    }
}

fn record(d: &Diagnostic, placement: &Placement) -> DiagnosticRecord {
    DiagnosticRecord {
        rule: d.rule.clone(),
        severity: d.severity,
        message: d.message.clone(),
        file: d.file.clone(),
        span: d
            .region
            .filter(|_| d.snippet.is_some())
            .map(|r| [r.span.start, r.span.end]),
        metadata: d.metadata.clone(),
        excerpt: d
            .snippet
            .as_ref()
            .filter(|_| d.region.is_some())
            .and_then(|s| {
                let index = placement.index_of(&d.file, &s.source)?;
                Some([index, s.lines.start, s.lines.end, s.first_line])
            }),
    }
}

fn diagnostic(
    d: DiagnosticRecord,
    texts: &[Arc<str>],
    indexes: &[LineIndex],
) -> Result<Diagnostic, String> {
    let (region, snippet) = match (d.span, d.excerpt) {
        (None, None) => (None, None),
        (Some([start, end]), Some([index, lines_start, lines_end, first_line])) => {
            let bad = || {
                format!(
                    "a finding in `{}` points outside the lines it shows",
                    d.file
                )
            };
            let (Some(source), Some(lines)) = (texts.get(index), indexes.get(index)) else {
                return Err(format!("a finding in `{}` names no source", d.file));
            };
            if source.get(lines_start..lines_end).is_none()
                || start < lines_start
                || end > lines_end
                || start > end
                || lines.position(lines_start).line != first_line
            {
                return Err(bad());
            }
            let region = lines.region(Span::new(start, end));
            let snippet = Snippet {
                source: Arc::clone(source),
                lines: Span::new(lines_start, lines_end),
                first_line,
            };
            (Some(region), Some(snippet))
        }
        _ => {
            return Err(format!(
                "a finding in `{}` has a span without the lines it shows, or lines without a span",
                d.file
            ))
        }
    };
    Ok(Diagnostic {
        rule: d.rule,
        severity: d.severity,
        message: d.message,
        file: d.file,
        region,
        metadata: d.metadata,
        snippet,
    })
}

/// goldenpath.toml as the run read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigRecord {
    /// The file, as reported.
    pub file: String,
    /// Its text.
    pub text: String,
}

/// The baseline the run read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineRecord {
    /// The file, as reported.
    pub file: String,
    /// Its entries.
    pub baseline: Baseline,
}

/// The settings of the run-wide stages: rule settings and suppressions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsRecord {
    /// `[rules]`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, RuleSetting>,
    /// `[[overrides]]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<OverrideSetting>,
    /// `[[ignore]]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignores: Vec<IgnoreSetting>,
    /// `--select`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub select: Vec<String>,
    /// `--skip`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<String>,
    /// `require-reason`.
    #[serde(default)]
    pub require_reason: bool,
    /// The day expiry dates were compared with.
    pub today: Date,
    /// goldenpath.toml, when one was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigRecord>,
    /// The baseline, when one was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineRecord>,
}

impl SettingsRecord {
    /// The record of `options`, whose day and baseline have been settled (see
    /// [`SuppressOptions::settled`]); `None` for a baseline being written.
    pub fn of(options: &SuppressOptions) -> Option<SettingsRecord> {
        let baseline = match &options.baseline {
            None => None,
            Some(BaselineMode::Loaded { file, baseline }) => Some(BaselineRecord {
                file: file.clone(),
                baseline: baseline.clone(),
            }),
            Some(BaselineMode::Read(_) | BaselineMode::Write(_)) => return None,
        };
        Some(SettingsRecord {
            rules: options.rules.clone(),
            overrides: options.overrides.clone(),
            ignores: options.ignores.clone(),
            select: options.select.clone(),
            skip: options.skip.clone(),
            require_reason: options.require_reason,
            today: options.today.unwrap_or_else(Date::today),
            config: options.config.as_ref().map(|doc| ConfigRecord {
                file: doc.file.clone(),
                text: doc.source.to_string(),
            }),
            baseline,
        })
    }

    /// The settings again.
    pub fn options(&self) -> SuppressOptions {
        SuppressOptions {
            rules: self.rules.clone(),
            overrides: self.overrides.clone(),
            ignores: self.ignores.clone(),
            select: self.select.clone(),
            skip: self.skip.clone(),
            require_reason: self.require_reason,
            baseline: self.baseline.as_ref().map(|b| BaselineMode::Loaded {
                file: b.file.clone(),
                baseline: b.baseline.clone(),
            }),
            today: Some(self.today),
            config: self.config.as_ref().map(|c| {
                // As the run's configuration parsed it, for findings that point into it.
                Arc::new(crate::document::Document {
                    file: c.file.clone(),
                    format: crate::format::Format::Toml,
                    source: c.text.as_str().into(),
                    roots: crate::parse::toml_table(&c.text).into_iter().collect(),
                })
            }),
        }
    }
}

/// One shard's part of a run, in its JSON report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardRecord {
    /// Which shard.
    pub shard: Shard,
    /// The goldenpath version that wrote it.
    pub version: String,
    /// The identity of the run: goldenpath, policies, data, schemas, configuration and
    /// every option that affects results. Shards of one run share it.
    pub run: Digest,
    /// What the run found to check (files, repositories): every shard saw the same.
    pub listing: Digest,
    /// What the run-wide stages know of the run.
    pub facts: Facts,
    /// Rule settings and suppressions.
    pub settings: SettingsRecord,
    /// The files this shard checked.
    pub files: Vec<String>,
    /// Documents evaluated.
    pub documents: usize,
    /// Files that could not be read or parsed.
    pub parse_errors: usize,
    /// Rule results suppressed by `exception` rules.
    pub exceptions: usize,
    /// Findings (before suppressions) and inline suppressions.
    #[serde(flatten)]
    pub located: Located,
    /// The files with findings that are test data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_data: Vec<String>,
}

impl ShardRecord {
    /// The shard's part as a [`Partial`].
    pub fn partial(&self) -> Result<Partial, String> {
        let (diagnostics, directives) = self.located.clone().read()?;
        Ok(Partial {
            files: self.files.clone(),
            documents: self.documents,
            parse_errors: self.parse_errors,
            exceptions: self.exceptions,
            diagnostics,
            directives,
            test_data: self.test_data.iter().cloned().collect(),
        })
    }
}

/// Everything about a run a shard's record holds besides its part.
#[derive(Clone, Debug)]
pub struct RunRecord {
    /// Which shard.
    pub shard: Shard,
    /// The identity of the run.
    pub run: Digest,
    /// What the run found to check.
    pub listing: Digest,
    /// The run's facts.
    pub facts: Facts,
    /// Its settings.
    pub settings: SettingsRecord,
}

impl RunRecord {
    /// The record of `partial` as this run's shard.
    pub fn record(&self, partial: &Partial) -> ShardRecord {
        ShardRecord {
            shard: self.shard,
            version: env!("CARGO_PKG_VERSION").to_string(),
            run: self.run,
            listing: self.listing,
            facts: self.facts.clone(),
            settings: self.settings.clone(),
            files: partial.files.clone(),
            documents: partial.documents,
            parse_errors: partial.parse_errors,
            exceptions: partial.exceptions,
            located: Located::of(&partial.diagnostics, &partial.directives),
            test_data: partial.test_data.iter().cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::format::Format;

    fn doc(text: &str) -> Document {
        Document {
            file: "k.yaml".into(),
            format: Format::Yaml,
            source: text.into(),
            roots: crate::parse::parse_text(Format::Yaml, text).expect("yaml"),
        }
    }

    #[test]
    fn findings_and_suppressions_read_back_as_they_were() {
        let text = "a: 1\nb: 2 # goldenpath: ignore[X] -- why\nc: 3\nd: 4\n";
        let d = doc(text);
        let finding = crate::finding::Finding {
            rule: "X".into(),
            severity: Severity::Warning,
            message: "m".into(),
            file: "k.yaml".into(),
            target: crate::finding::Target::Path {
                origin: crate::document::InputOrigin {
                    root: 0,
                    element: None,
                },
                path: vec![crate::document::PathSeg::Key("c".into())],
            },
            metadata: Default::default(),
        };
        let diagnostics = crate::locate::locate(vec![finding], Some(&d), None);
        let directives: Vec<FileDirectives> =
            crate::suppress::directive::scan(&d).into_iter().collect();
        assert_eq!(directives.len(), 1);
        let located = Located::of(&diagnostics, &directives);
        let json = serde_json::to_string(&located).expect("json");
        let back: Located = serde_json::from_str(&json).expect("parse");
        let (read, dirs) = back.read().expect("valid");
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].region, diagnostics[0].region);
        assert_eq!(
            read[0]
                .snippet
                .as_ref()
                .map(|s| (s.first_line, s.text().to_string())),
            diagnostics[0]
                .snippet
                .as_ref()
                .map(|s| (s.first_line, s.text().to_string()))
        );
        assert_eq!(dirs[0].directives, directives[0].directives);
        // The suppression's text locates as the original does.
        let span = dirs[0].directives[0].rules[0].span;
        let here = crate::locate::LineIndex::new(&dirs[0].source).region(span);
        let there = crate::locate::LineIndex::new(text).region(span);
        assert_eq!(here, there);
    }

    #[test]
    fn broken_records_are_refused() {
        let located = Located {
            sources: Vec::new(),
            diagnostics: vec![DiagnosticRecord {
                rule: "r".into(),
                severity: Severity::Error,
                message: "m".into(),
                file: "f".into(),
                span: Some([0, 1]),
                metadata: Default::default(),
                excerpt: Some([3, 0, 1, 1]),
            }],
            directives: Vec::new(),
        };
        assert!(located.read().is_err());
    }
}

//! `goldenpath merge`: the report of a sharded run, rebuilt from the JSON reports of its
//! shards (`check --shard K/N --format json`).
//!
//! Each shard's report holds its part of the run before any suppression, with the run's
//! identity, facts and settings ([`ShardRecord`]). Merging checks that the reports are
//! the shards of one run (same goldenpath, same identity, same listing of files, every
//! shard once), puts the parts together and runs the same run-wide stages as `check`
//! ([`super::assemble`]), so the report, in every format, is the one an unsharded run
//! would have written.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{assemble, RunError};
use crate::partial::wire::{ConfigRecord, ShardRecord};
use crate::partial::Partial;
use crate::report::Report;

/// Shard reports that cannot be merged (exit status 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum MergeError {
    /// A report could not be read.
    #[error("cannot read `{file}`: {message}")]
    #[diagnostic(code(goldenpath::merge::read))]
    Read {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
    /// A file is not the JSON report of a shard.
    #[error("`{file}` is not the report of a shard: {message}")]
    #[diagnostic(
        code(goldenpath::merge::not_a_shard),
        help("write each shard's report with `goldenpath check --shard K/N --format json` (or `--report json=FILE`)")
    )]
    NotAShard {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
    /// The reports are not the shards of one run.
    #[error("{0}")]
    #[diagnostic(
        code(goldenpath::merge::mismatch),
        help("merge the reports of the shards of one run: the same goldenpath, policies, data, schemas, configuration, options and checkout")
    )]
    Mismatch(String),
    /// A shard is missing or given twice.
    #[error("{0}")]
    #[diagnostic(
        code(goldenpath::merge::shards),
        help("give the report of every shard 1/N to N/N exactly once")
    )]
    Shards(String),
    /// The run-wide stages failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Run(#[from] RunError),
}

/// A shard's report as read.
#[derive(Debug)]
pub struct ShardReport {
    /// Its file, as reported.
    pub file: String,
    /// Its part of the run.
    pub record: ShardRecord,
}

/// The merged run: its report and the configuration its shards read (whose report
/// settings, such as `format` and `fail-on`, apply to the merged report too).
#[derive(Debug)]
pub struct Merged {
    /// The report of the whole run.
    pub report: Report,
    /// goldenpath.toml as the shards read it.
    pub config: Option<ConfigRecord>,
}

/// Reads the report of a shard.
pub fn read(path: &Path) -> Result<ShardReport, MergeError> {
    let file = crate::discover::display(path);
    let text = std::fs::read_to_string(path).map_err(|e| MergeError::Read {
        file: file.clone(),
        message: e.to_string(),
    })?;
    #[derive(Deserialize)]
    struct Json {
        shard: Option<ShardRecord>,
    }
    let json: Json = serde_json::from_str(&text).map_err(|e| MergeError::NotAShard {
        file: file.clone(),
        message: format!("not a goldenpath JSON report ({e})"),
    })?;
    let record = json.shard.ok_or_else(|| MergeError::NotAShard {
        file: file.clone(),
        message: "it has no `shard` part (it was written without --shard)".to_string(),
    })?;
    Ok(ShardReport { file, record })
}

/// Merges the reports of every shard of a run.
pub fn merge(shards: Vec<ShardReport>) -> Result<Merged, MergeError> {
    let Some(first) = shards.first() else {
        return Err(MergeError::Shards("no shard reports to merge".to_string()));
    };
    let version = env!("CARGO_PKG_VERSION");
    for s in &shards {
        if s.record.version != version {
            return Err(MergeError::Mismatch(format!(
                "`{}` was written by goldenpath {}, and this is goldenpath {version}",
                s.file, s.record.version
            )));
        }
    }
    for s in &shards[1..] {
        let (a, b) = (&first.record, &s.record);
        if a.shard.count != b.shard.count {
            return Err(MergeError::Mismatch(format!(
                "`{}` is shard {} and `{}` is shard {}: not the same number of shards",
                first.file, a.shard, s.file, b.shard
            )));
        }
        if a.run != b.run || a.settings != b.settings || a.facts.rules != b.facts.rules {
            return Err(MergeError::Mismatch(format!(
                "`{}` and `{}` are shards of different runs: their policies, data, schemas, configuration or options differ",
                first.file, s.file
            )));
        }
        if a.listing != b.listing || a.facts != b.facts {
            return Err(MergeError::Mismatch(format!(
                "`{}` and `{}` found different files to check: shards must run on the same checkout",
                first.file, s.file
            )));
        }
    }
    let count = first.record.shard.count;
    let mut by_index: BTreeMap<usize, &ShardReport> = BTreeMap::new();
    for s in &shards {
        if let Some(other) = by_index.insert(s.record.shard.index, s) {
            return Err(MergeError::Shards(format!(
                "shard {} is given twice: `{}` and `{}`",
                s.record.shard, other.file, s.file
            )));
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| !by_index.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Shards(format!(
            "{} missing: {}",
            if missing.len() == 1 {
                "a shard is"
            } else {
                "shards are"
            },
            missing.join(", ")
        )));
    }
    let mut partial = Partial::default();
    for s in by_index.values() {
        let part = s
            .record
            .partial()
            .map_err(|message| MergeError::NotAShard {
                file: s.file.clone(),
                message,
            })?;
        partial.absorb(part);
    }
    let record = &first.record;
    let report = assemble(&record.facts, &record.settings.options(), partial)?;
    Ok(Merged {
        report,
        config: record.settings.config.clone(),
    })
}

//! What a run's results depend on, as digests ([`crate::digest`]):
//!
//! - the **evaluation** identity: goldenpath's version, the pack (when it runs), every
//!   policy and data file with its bytes, the namespaces, the Rego version, the policy
//!   timeout, the schemas with every file they were compiled from, the size limit, how
//!   parse errors are reported, `--parser` and `--combine`. Every cached result is keyed
//!   under it;
//! - the **run** identity: the evaluation identity plus the checked paths, discovery
//!   settings, test-data globs and the suppression settings (goldenpath.toml's text,
//!   `[rules]`, `[[overrides]]`, `[[ignore]]`, `--select`/`--skip`, the baseline, the
//!   day). Shards merge only when they share it;
//! - the **listing**: the files and directories a run found, which every shard of a run
//!   must have seen alike;
//! - a **file key**: the evaluation identity, the file's path as reported, relative to
//!   its repository and absolute (policies see `data.conftest.file`), its format, its
//!   bytes (or its size, past the size limit), the schema mappings that match it and the
//!   repository context it sees (`data.goldenpath.context`);
//! - a **repository key**: the evaluation identity, the repository's name, label and
//!   listing (every path, size, format, execute bit and binary flag, every directory)
//!   and the read limit; what the rules read through the builtins is checked apart.

use std::path::Path;

use crate::digest::{Digest, Hasher};
use crate::discover::{display, Candidate, Discovery, Repository};
use crate::options::{value_name, CheckOptions};
use crate::partial::wire::SettingsRecord;
use crate::schema::SchemaSet;
use crate::shard::Shard;

/// The evaluation identity, and whether results under it may be cached.
pub(super) struct Evaluation {
    /// The identity (see the module documentation).
    pub digest: Digest,
    /// False when a policy reads files besides its input (conftest's `parse_config_file`),
    /// which no key covers.
    pub cacheable: bool,
}

/// The evaluation identity (see the module documentation).
pub(super) fn evaluation(options: &CheckOptions, schemas: &SchemaSet) -> Evaluation {
    let mut h = Hasher::new("goldenpath evaluation");
    h.str(env!("CARGO_PKG_VERSION"));
    let reads_files = crate::policy::fingerprint(&options.policies, !schemas.is_empty(), &mut h);
    schemas.fingerprint(&options.schemas, &mut h);
    h.u64(options.max_file_size);
    h.str(&value_name(options.parse_errors));
    h.str(options.discover.parser.map_or("", |f| f.name()));
    h.bool(options.combine);
    Evaluation {
        digest: h.finish(),
        cacheable: !reads_files,
    }
}

/// The run identity (see the module documentation).
pub(super) fn run(
    evaluation: &Digest,
    options: &CheckOptions,
    settings: &SettingsRecord,
) -> Digest {
    let mut h = Hasher::new("goldenpath run");
    h.digest(evaluation);
    paths(&mut h, &options.paths);
    let discover = &options.discover;
    h.json(&discover.exclude);
    h.bool(discover.no_ignore);
    h.str(
        &discover
            .root_marker
            .as_deref()
            .map(display)
            .unwrap_or_default(),
    );
    h.str(&discover.project.as_deref().map(display).unwrap_or_default());
    h.json(&options.test_paths);
    h.json(settings);
    h.finish()
}

fn paths(h: &mut Hasher, paths: &[std::path::PathBuf]) {
    h.u64(paths.len() as u64);
    for path in paths {
        h.str(&display(path));
    }
}

/// The listing of a run (see the module documentation).
pub(super) fn listing(discovery: &Discovery) -> Digest {
    let mut h = Hasher::new("goldenpath listing");
    h.u64(discovery.candidates.len() as u64);
    for c in &discovery.candidates {
        h.str(&c.file).str(c.format.name()).str(&c.relative);
    }
    h.u64(discovery.repositories.len() as u64);
    for r in &discovery.repositories {
        h.str(&r.label).str(&r.name).str(&r.inside).bool(r.is_root);
    }
    h.json(&discovery.subdirectories);
    h.u64(discovery.problems.len() as u64);
    for p in &discovery.problems {
        h.str(&p.file).str(&p.message);
    }
    h.finish()
}

/// Which pack of the cache a run reads and writes: one per evaluation identity, shard and
/// set of checked paths.
pub(super) fn scope(evaluation: &Digest, shard: Shard, options: &CheckOptions) -> Digest {
    let mut h = Hasher::new("goldenpath cache scope");
    h.digest(evaluation);
    h.u64(shard.index as u64).u64(shard.count as u64);
    h.u64(options.paths.len() as u64);
    for path in &options.paths {
        h.str(&crate::discover::canonical(path).to_string_lossy());
    }
    h.finish()
}

/// What a file's result depends on besides the run: its bytes, or its size when it is
/// over the size limit (then it is not read at all).
pub(super) enum Content<'a> {
    /// The file's bytes.
    Bytes(&'a [u8]),
    /// The size of a file over the limit.
    TooLarge(u64),
}

/// The key of a file's result (see the module documentation).
pub(super) fn file(
    evaluation: &Digest,
    candidate: &Candidate,
    content: Content<'_>,
    schemas: &[usize],
    context: &Digest,
) -> Digest {
    let mut h = Hasher::new("goldenpath file");
    h.digest(evaluation);
    h.str(&candidate.file).str(&candidate.relative);
    h.str(&absolute(&candidate.path));
    h.str(candidate.format.name());
    match content {
        Content::Bytes(bytes) => h.str("bytes").bytes(bytes),
        Content::TooLarge(size) => h.str("too large").u64(size),
    };
    h.u64(schemas.len() as u64);
    for s in schemas {
        h.u64(*s as u64);
    }
    h.digest(context);
    h.finish()
}

/// `path` made absolute against the current directory (asked once per process).
fn absolute(path: &Path) -> String {
    static CURRENT: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    let joined = match CURRENT.get_or_init(|| std::env::current_dir().ok()) {
        Some(current) if path.is_relative() => current.join(path),
        _ => path.to_path_buf(),
    };
    joined.to_string_lossy().into_owned()
}

/// The key of a repository's repository-rule findings (see the module documentation).
pub(super) fn repository(evaluation: &Digest, repo: &Repository, limit: u64) -> Digest {
    let mut h = Hasher::new("goldenpath repository");
    h.digest(evaluation);
    h.str(&repo.name)
        .str(&repo.label)
        .str(&absolute(&repo.root));
    h.u64(limit);
    h.u64(repo.entries.len() as u64);
    for e in &repo.entries {
        h.str(&e.path)
            .u64(e.size)
            .str(e.format.map_or("", |f| f.name()))
            .bool(e.executable)
            .bool(e.binary);
    }
    h.u64(repo.directories.len() as u64);
    for d in &repo.directories {
        h.str(d);
    }
    h.finish()
}

/// The digest of a repository context.
pub(super) fn context(value: &regorus::Value) -> Digest {
    let mut h = Hasher::new("goldenpath context");
    h.json(value);
    h.finish()
}

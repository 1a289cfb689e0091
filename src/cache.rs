//! The incremental cache: each file's result (and each repository's repository-rule
//! findings) kept between runs, so a run over an unchanged tree evaluates nothing and
//! compiles no policy.
//!
//! A result is found by a key that covers everything it depends on (see
//! `run::identity`): a file's bytes, its path as reported and relative to its repository,
//! its format, the repository context it saw, and the run's *evaluation* identity
//! (goldenpath's version, every policy and data file, the pack, the schemas, and the
//! settings that change evaluation). Repository rules are kept under their repository's
//! listing with what they saw of its files through the builtins
//! ([`Observation`]s), and reused only while every file still looks the same.
//! Suppressions, rule settings and the baseline are applied after the cache, on every
//! run, so editing them costs no evaluation.
//!
//! Layout: `DIR/.gitignore` (`*`), `DIR/CACHEDIR.TAG`, and one *pack* per evaluation
//! identity, shard and set of checked paths, `DIR/v1/<digest>.pack`: a header line with
//! the HMAC-SHA-256 of the body under the run's [`CacheKey`], then the body (JSON). A run
//! trusts only packs signed with its key: the cache directory sits in the checked
//! repository, and a pack committed to it, or restored from a CI cache another job wrote,
//! would otherwise put forged results (no findings) in the report. A pack is written whole to a temporary
//! file and renamed over the old one, so concurrent runs never see half a pack; one that
//! does not match its digest or cannot be read is ignored and rewritten. Packs beyond
//! [`MAX_BYTES`] in all are removed, least recently used first.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::Sha256;

use crate::digest::Digest;
use crate::finding::Finding;
use crate::partial::wire::Located;
use crate::partial::FileResult;
use crate::policy::repository::Observation;
use crate::policy::PolicyFacts;
use crate::trace::{FileTrace, SkippedPackage};

/// The secret packs are signed with: `GOLDENPATH_CACHE_KEY` when set (to share a cache
/// between machines, as a CI secret), else a random key kept for the user outside any
/// repository ([`CacheKey::resolve`]).
#[derive(Clone, PartialEq, Eq)]
pub struct CacheKey([u8; 32]);

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheKey(..)")
    }
}

impl CacheKey {
    /// The key of a secret text.
    pub fn from_secret(text: &str) -> CacheKey {
        let mut hasher = crate::digest::Hasher::new("goldenpath cache key");
        hasher.str(text);
        CacheKey(hasher.finish().0)
    }

    /// The key for this run: `GOLDENPATH_CACHE_KEY` when `var` has it, else this user's
    /// key in `$XDG_CACHE_HOME/goldenpath/key` (or `$HOME/.cache/goldenpath/key`),
    /// created on first use. `None` when there is neither (the run is not cached).
    pub fn resolve(var: impl Fn(&str) -> Option<String>) -> Option<CacheKey> {
        if let Some(secret) = var("GOLDENPATH_CACHE_KEY").filter(|s| !s.is_empty()) {
            return Some(CacheKey::from_secret(&secret));
        }
        let base = var("XDG_CACHE_HOME")
            .filter(|d| Path::new(d).is_absolute())
            .map(PathBuf::from)
            .or_else(|| {
                var("HOME")
                    .filter(|h| !h.is_empty())
                    .map(|h| Path::new(&h).join(".cache"))
            })?;
        CacheKey::local(&base.join("goldenpath"))
    }

    /// The key kept in `dir/key`, made (32 random bytes, readable by the user alone) when
    /// there is none; `None` when it can be neither read nor made.
    pub fn local(dir: &Path) -> Option<CacheKey> {
        let path = dir.join("key");
        if let Some(key) = CacheKey::read(&path) {
            return Some(key);
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).ok()?;
        std::fs::create_dir_all(dir).ok()?;
        let mut options = std::fs::File::options();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(mut file) => {
                file.write_all(crate::digest::Digest(bytes).hex().as_bytes())
                    .ok()?;
                Some(CacheKey(bytes))
            }
            // Another run made it first.
            Err(_) => CacheKey::read(&path),
        }
    }

    fn read(path: &Path) -> Option<CacheKey> {
        let text = std::fs::read_to_string(path).ok()?;
        text.trim().parse::<Digest>().ok().map(|d| CacheKey(d.0))
    }

    fn mac(&self) -> Option<Hmac<Sha256>> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).ok()
    }

    /// The signature of `body`.
    fn sign(&self, body: &[u8]) -> Option<Digest> {
        let mut mac = self.mac()?;
        mac.update(body);
        let tag: [u8; 32] = mac.finalize().into_bytes().into();
        Some(Digest(tag))
    }

    /// Whether `signature` is that of `body`.
    fn verify(&self, body: &[u8], signature: &Digest) -> bool {
        self.mac().is_some_and(|mut mac| {
            mac.update(body);
            mac.verify_slice(&signature.0).is_ok()
        })
    }
}

/// Whether the cache directory `dir`, or its packs' directory, is a symbolic link: one
/// committed to a checked repository would point the cache's writes and pruning at a
/// directory of the attacker's choosing, so such a cache is not used.
pub fn redirected(dir: &Path) -> bool {
    [dir.to_path_buf(), dir.join("v1")]
        .iter()
        .any(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()))
}

/// The name of the cache directory at a repository root.
pub use crate::discover::CACHE_DIR as DIR_NAME;

/// The most the packs of one cache directory may take together.
pub const MAX_BYTES: u64 = 512 * 1024 * 1024;

/// The first word of a pack's header line.
const MAGIC: &str = "goldenpath-cache-v2";

/// Temporary files older than this were left by a run that died.
const STALE: Duration = Duration::from_secs(3600);

/// What the cache keeps of one repository's repository rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepositoryRecord {
    /// What the rules saw of its files.
    pub observations: Vec<Observation>,
    /// Their findings, before they are located.
    pub findings: Vec<Finding>,
}

/// The packages a file was evaluated with and those skipped: most files share theirs
/// with many others, so a pack keeps each list once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Packages {
    applied: Vec<String>,
    skipped: Vec<SkippedPackage>,
}

/// A file's result as the cache keeps it.
#[derive(Serialize, Deserialize)]
struct FileEntry {
    located: Located,
    #[serde(default)]
    documents: usize,
    #[serde(default)]
    parse_errors: usize,
    #[serde(default)]
    exceptions: usize,
    /// Its index in the pack's table of [`Packages`].
    packages: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    prints: Vec<String>,
}

/// A pack's body as written.
#[derive(Serialize)]
struct Body<'a> {
    evaluation: Digest,
    facts: &'a PolicyFacts,
    packages: &'a [Packages],
    files: Vec<(&'a Digest, &'a RawValue)>,
    repositories: Vec<(&'a Digest, &'a RawValue)>,
}

/// A pack's body as read.
#[derive(Deserialize)]
struct Read {
    evaluation: Digest,
    facts: PolicyFacts,
    packages: Vec<Packages>,
    files: Vec<(Digest, Box<RawValue>)>,
    repositories: Vec<(Digest, Box<RawValue>)>,
}

/// What this run looked up and added.
#[derive(Debug, Default)]
struct Changes {
    used_files: HashSet<Digest>,
    new_files: HashMap<Digest, Box<RawValue>>,
    used_repositories: HashSet<Digest>,
    new_repositories: HashMap<Digest, Box<RawValue>>,
    /// The pack's table of packages, with those this run added, and their indices.
    packages: Vec<Packages>,
    index: HashMap<Packages, usize>,
}

/// The cache of one run.
#[derive(Debug)]
pub struct Cache {
    key: CacheKey,
    dir: PathBuf,
    pack: PathBuf,
    evaluation: Digest,
    facts: Option<PolicyFacts>,
    packages: Vec<Packages>,
    files: HashMap<Digest, Box<RawValue>>,
    repositories: HashMap<Digest, Box<RawValue>>,
    changes: Mutex<Changes>,
}

impl Cache {
    /// Opens the pack of evaluation identity `evaluation` and `scope` (shard and checked
    /// paths) in `dir`, signed with `key`; an absent, damaged, foreign or unsigned pack is
    /// an empty cache.
    pub fn open(dir: &Path, key: &CacheKey, evaluation: Digest, scope: Digest) -> Cache {
        let pack = dir.join("v1").join(format!("{scope}.pack"));
        let read = std::fs::read(&pack)
            .ok()
            .and_then(|bytes| body(&bytes, key))
            .filter(|read| read.evaluation == evaluation);
        let (facts, packages, files, repositories) = match read {
            Some(read) => (
                Some(read.facts),
                read.packages,
                read.files.into_iter().collect(),
                read.repositories.into_iter().collect(),
            ),
            None => Default::default(),
        };
        let changes = Changes {
            index: packages
                .iter()
                .enumerate()
                .map(|(i, p)| (p.clone(), i))
                .collect(),
            packages: packages.clone(),
            ..Changes::default()
        };
        Cache {
            key: key.clone(),
            dir: dir.to_path_buf(),
            pack,
            evaluation,
            facts,
            packages,
            files,
            repositories,
            changes: Mutex::new(changes),
        }
    }

    /// The policy facts the pack was written with.
    pub fn facts(&self) -> Option<&PolicyFacts> {
        self.facts.as_ref()
    }

    /// The result kept under `key`, if any and readable (its trace names no file: the
    /// caller knows which; it lists the packages and prints only when `trace`).
    pub fn file(&self, key: &Digest, trace: bool) -> Option<FileResult> {
        let raw = self.files.get(key)?;
        let entry: FileEntry = serde_json::from_str(raw.get()).ok()?;
        let packages = self.packages.get(entry.packages)?;
        let (diagnostics, mut directives) = entry.located.read().ok()?;
        if directives.len() > 1 {
            return None;
        }
        let result = FileResult {
            diagnostics,
            directives: directives.pop(),
            documents: entry.documents,
            parse_errors: entry.parse_errors,
            exceptions: entry.exceptions,
            trace: if trace {
                FileTrace {
                    file: String::new(),
                    applied: packages.applied.clone(),
                    skipped: packages.skipped.clone(),
                    prints: entry.prints,
                }
            } else {
                FileTrace::default()
            },
        };
        self.change(|c| {
            c.used_files.insert(*key);
        });
        Some(result)
    }

    /// Keeps `result` under `key`.
    pub fn put_file(&self, key: Digest, result: &FileResult) {
        let packages = Packages {
            applied: result.trace.applied.clone(),
            skipped: result.trace.skipped.clone(),
        };
        let mut index = None;
        self.change(|c| {
            index = Some(match c.index.get(&packages) {
                Some(index) => *index,
                None => {
                    c.packages.push(packages.clone());
                    c.index.insert(packages, c.packages.len() - 1);
                    c.packages.len() - 1
                }
            });
        });
        let Some(index) = index else { return };
        let entry = FileEntry {
            located: Located::of(&result.diagnostics, result.directives.as_slice()),
            documents: result.documents,
            parse_errors: result.parse_errors,
            exceptions: result.exceptions,
            packages: index,
            prints: result.trace.prints.clone(),
        };
        if let Ok(raw) = serde_json::value::to_raw_value(&entry) {
            self.change(|c| {
                c.new_files.insert(key, raw);
            });
        }
    }

    /// The repository findings kept under `key`, when `still` says the rules would see
    /// every file as they did.
    pub fn repository(
        &self,
        key: &Digest,
        still: impl Fn(&Observation) -> bool + Sync,
    ) -> Option<Vec<Finding>> {
        use rayon::prelude::*;
        let raw = self.repositories.get(key)?;
        let record: RepositoryRecord = serde_json::from_str(raw.get()).ok()?;
        if !record.observations.par_iter().all(&still) {
            return None;
        }
        self.change(|c| {
            c.used_repositories.insert(*key);
        });
        Some(record.findings)
    }

    /// Keeps a repository's findings under `key`.
    pub fn put_repository(&self, key: Digest, record: &RepositoryRecord) {
        if let Ok(raw) = serde_json::value::to_raw_value(record) {
            self.change(|c| {
                c.new_repositories.insert(key, raw);
            });
        }
    }

    fn change(&self, f: impl FnOnce(&mut Changes)) {
        if let Ok(mut changes) = self.changes.lock() {
            f(&mut changes);
        }
    }

    /// Writes the pack of this run (what it used and added, with `facts`) when anything
    /// changed, else marks it used; then keeps the directory within [`MAX_BYTES`]. A
    /// cache that cannot be written is no error: the next run evaluates again.
    pub fn save(self, facts: &PolicyFacts) {
        let Ok(changes) = self.changes.into_inner() else {
            return;
        };
        let unused = self.files.len() - changes.used_files.len()
            + (self.repositories.len() - changes.used_repositories.len());
        let unchanged = changes.new_files.is_empty()
            && changes.new_repositories.is_empty()
            && self.facts.as_ref() == Some(facts)
            && unused * 4 <= changes.used_files.len() + changes.used_repositories.len();
        if unchanged {
            let _ = std::fs::File::options()
                .write(true)
                .open(&self.pack)
                .and_then(|f| f.set_modified(SystemTime::now()));
            return;
        }
        let body = Body {
            evaluation: self.evaluation,
            facts,
            packages: &changes.packages,
            files: kept(&self.files, &changes.used_files, &changes.new_files),
            repositories: kept(
                &self.repositories,
                &changes.used_repositories,
                &changes.new_repositories,
            ),
        };
        if write_pack(&self.dir, &self.pack, &body, &self.key).is_ok() {
            prune(&self.dir.join("v1"), MAX_BYTES, &self.pack);
        }
    }
}

/// The entries of `old` this run used, and the `new` ones, by key.
fn kept<'a>(
    old: &'a HashMap<Digest, Box<RawValue>>,
    used: &HashSet<Digest>,
    new: &'a HashMap<Digest, Box<RawValue>>,
) -> Vec<(&'a Digest, &'a RawValue)> {
    let mut all: Vec<(&Digest, &RawValue)> = old
        .iter()
        .filter(|(k, _)| used.contains(k) && !new.contains_key(k))
        .chain(new.iter())
        .map(|(k, v)| (k, v.as_ref()))
        .collect();
    all.sort_by_key(|(k, _)| **k);
    all
}

/// The body of a pack, when its header names it and it is signed with `key`.
fn body(bytes: &[u8], key: &CacheKey) -> Option<Read> {
    let newline = bytes.iter().position(|b| *b == b'\n')?;
    let header = std::str::from_utf8(&bytes[..newline]).ok()?;
    let (magic, signature) = header.split_once(' ')?;
    let body = &bytes[newline + 1..];
    if magic != MAGIC || !key.verify(body, &signature.parse::<Digest>().ok()?) {
        return None;
    }
    serde_json::from_slice(body).ok()
}

/// Writes `body` as the pack at `pack`, through a temporary file renamed over it; the
/// directory gets its `.gitignore` and `CACHEDIR.TAG` first.
fn write_pack(dir: &Path, pack: &Path, body: &Body<'_>, key: &CacheKey) -> std::io::Result<()> {
    let packs = pack.parent().unwrap_or(dir);
    std::fs::create_dir_all(packs)?;
    create_once(
        &dir.join(".gitignore"),
        "# Created by goldenpath: its cache.\n*\n",
    )?;
    create_once(
        &dir.join("CACHEDIR.TAG"),
        "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by goldenpath.\n",
    )?;
    let json = serde_json::to_vec(body).map_err(std::io::Error::other)?;
    let signature = key
        .sign(&json)
        .ok_or_else(|| std::io::Error::other("cannot sign the pack"))?;
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let temporary = packs.join(format!(".{}-{nanos}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        writeln!(file, "{MAGIC} {signature}")?;
        file.write_all(&json)?;
        file.flush()?;
        std::fs::rename(&temporary, pack)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Writes `text` to `path` unless it exists.
fn create_once(path: &Path, text: &str) -> std::io::Result<()> {
    match std::fs::File::options()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut file) => file.write_all(text.as_bytes()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes the temporary files of dead runs, and the least recently used packs (never
/// `keep`) while the packs of `dir` take more than `max` bytes.
pub(crate) fn prune(dir: &Path, max: u64, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    let mut packs: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = entry.metadata() else { continue };
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        match path.extension().and_then(|e| e.to_str()) {
            Some("pack") => packs.push((modified, meta.len(), path)),
            Some("tmp") if now.duration_since(modified).is_ok_and(|age| age > STALE) => {
                let _ = std::fs::remove_file(&path);
            }
            _ => {}
        }
    }
    let mut total: u64 = packs.iter().map(|(_, size, _)| size).sum();
    packs.sort();
    for (_, size, path) in packs {
        if total <= max {
            break;
        }
        if path == keep {
            continue;
        }
        if std::fs::remove_file(&path).is_ok() {
            total = total.saturating_sub(size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> PolicyFacts {
        PolicyFacts {
            pack: true,
            ..PolicyFacts::default()
        }
    }

    #[test]
    fn a_pack_round_trips_and_damage_is_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let evaluation = Digest::of(b"evaluation");
        let scope = Digest::of(b"scope");
        let key = Digest::of(b"file");
        let secret = CacheKey::from_secret("ours");
        let cache = Cache::open(dir.path(), &secret, evaluation, scope);
        assert!(cache.facts().is_none());
        assert!(cache.file(&key, false).is_none());
        let result = FileResult {
            documents: 2,
            ..FileResult::default()
        };
        cache.put_file(key, &result);
        cache.save(&facts());
        assert!(dir.path().join(".gitignore").is_file());
        let cache = Cache::open(dir.path(), &secret, evaluation, scope);
        assert_eq!(cache.facts(), Some(&facts()));
        assert_eq!(cache.file(&key, true).map(|r| r.documents), Some(2));
        // Another evaluation identity does not read it.
        let other = Cache::open(dir.path(), &secret, Digest::of(b"other"), scope);
        assert!(other.file(&key, false).is_none());
        // Nor does another key: a pack planted in a checked repository, or written by
        // another machine, is not trusted.
        let planted = Cache::open(
            dir.path(),
            &CacheKey::from_secret("theirs"),
            evaluation,
            scope,
        );
        assert!(planted.facts().is_none());
        assert!(planted.file(&key, false).is_none());
        // Nor a pack whose header is a plain digest of its body.
        let pack = dir.path().join("v1").join(format!("{scope}.pack"));
        let signed = std::fs::read(&pack).expect("pack");
        let newline = signed.iter().position(|b| *b == b'\n').expect("header");
        let mut unsigned = format!("{MAGIC} {}\n", Digest::of(&signed[newline + 1..])).into_bytes();
        unsigned.extend_from_slice(&signed[newline + 1..]);
        std::fs::write(&pack, &unsigned).expect("write");
        assert!(Cache::open(dir.path(), &secret, evaluation, scope)
            .facts()
            .is_none());
        std::fs::write(&pack, &signed).expect("write");
        // A flipped byte makes the pack unreadable as a whole.
        let pack = dir.path().join("v1").join(format!("{scope}.pack"));
        let mut bytes = std::fs::read(&pack).expect("pack");
        let last = bytes.len() - 3;
        bytes[last] ^= 1;
        std::fs::write(&pack, &bytes).expect("write");
        assert!(Cache::open(dir.path(), &secret, evaluation, scope)
            .facts()
            .is_none());
        // Truncated.
        std::fs::write(&pack, &bytes[..bytes.len() / 2]).expect("write");
        assert!(Cache::open(dir.path(), &secret, evaluation, scope)
            .facts()
            .is_none());
    }

    #[test]
    fn a_user_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let made = CacheKey::local(dir.path()).expect("made");
        assert_eq!(CacheKey::local(dir.path()), Some(made.clone()));
        assert_ne!(
            CacheKey::local(&dir.path().join("elsewhere")),
            Some(made),
            "random"
        );
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            CacheKey::resolve(env(&[
                ("GOLDENPATH_CACHE_KEY", "s3cret"),
                ("HOME", "/nonexistent")
            ])),
            Some(CacheKey::from_secret("s3cret"))
        );
        assert_eq!(
            CacheKey::resolve(env(&[])),
            None,
            "no secret, no home: no cache"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("key"))
                .expect("key")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "readable by the user alone");
        }
    }

    #[test]
    fn pruning_keeps_the_newest_packs_within_the_bound() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut paths = Vec::new();
        for i in 0..4u64 {
            let path = dir.path().join(format!("{i}.pack"));
            std::fs::write(&path, vec![b'x'; 100]).expect("write");
            let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 + i * 100);
            std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(when))
                .expect("mtime");
            paths.push(path);
        }
        let stale = dir.path().join("dead.tmp");
        std::fs::write(&stale, "x").expect("write");
        std::fs::File::options()
            .write(true)
            .open(&stale)
            .and_then(|f| f.set_modified(SystemTime::UNIX_EPOCH))
            .expect("mtime");
        // Keep the oldest explicitly: the two next oldest go.
        prune(dir.path(), 250, &paths[0]);
        let left: Vec<bool> = paths.iter().map(|p| p.exists()).collect();
        assert_eq!(left, [true, false, false, true]);
        assert!(!stale.exists());
    }
}

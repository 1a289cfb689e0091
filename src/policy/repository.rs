//! Repository scope: the `input` that describes a whole repository, and the
//! `goldenpath.file_exists`, `goldenpath.read_file` and `goldenpath.parse_file` builtins
//! that let repository rules look inside files, confined to the repository root.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::confine::Root;
use crate::discover::RepoEntry;
use crate::format::Format;

/// Files larger than this are `null` to the builtins, unless the run's limit is lower.
pub const READ_LIMIT: u64 = 1024 * 1024;

/// The directory the builtins may read, for the repository being evaluated.
#[derive(Clone, Debug)]
pub struct Sandbox {
    root: Root,
    limit: u64,
}

impl Sandbox {
    /// A sandbox at `root`; files over `limit` bytes read as `null`.
    pub fn new(root: &Path, limit: u64) -> Self {
        Sandbox {
            root: Root::new(root),
            limit,
        }
    }

    /// The real path `relative` names, when it stays inside the root after following
    /// symbolic links (no `..`, no absolute path).
    fn confined(&self, relative: &str) -> Option<PathBuf> {
        let path = Path::new(relative);
        if relative.is_empty()
            || path
                .components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return None;
        }
        self.root.resolve(&self.root.path().join(path))
    }

    /// The file `relative` names, when it is a regular file inside the root (after
    /// following symbolic links) and not larger than the limit.
    fn resolve(&self, relative: &str) -> Option<PathBuf> {
        let real = self.confined(relative)?;
        let meta = crate::confine::regular(&real).ok()?;
        (meta.len() <= self.limit).then_some(real)
    }

    fn exists(&self, relative: &str) -> bool {
        self.confined(relative).is_some_and(|real| real.is_file())
    }

    fn read(&self, relative: &str) -> Option<String> {
        let real = self.resolve(relative)?;
        let text = String::from_utf8(crate::confine::read(&real).ok()?).ok()?;
        (!text.contains('\0')).then_some(text)
    }

    fn parse(&self, relative: &str) -> Option<regorus::Value> {
        let format = Format::detect(Path::new(relative))?;
        let text = self.read(relative)?;
        let roots = crate::parse::parse_text(format, &text).ok()?;
        Some(match roots.as_slice() {
            [root] => root.to_rego(),
            roots => regorus::Value::from(roots.iter().map(|r| r.to_rego()).collect::<Vec<_>>()),
        })
    }
}

impl crate::context::ReadFile for Sandbox {
    fn read(&self, relative: &str) -> Option<String> {
        Sandbox::read(self, relative)
    }
}

thread_local! {
    static SANDBOX: RefCell<Option<Sandbox>> = const { RefCell::new(None) };
}

/// Makes `sandbox` the one this thread's builtins read from.
pub(super) fn enter(sandbox: Sandbox) {
    SANDBOX.with(|s| *s.borrow_mut() = Some(sandbox));
}

/// Leaves the sandbox: the builtins give `null` again.
pub(super) fn leave() {
    SANDBOX.with(|s| *s.borrow_mut() = None);
}

fn with_path<T>(args: &[regorus::Value], f: impl FnOnce(&Sandbox, &str) -> T) -> Option<T> {
    let path = args.first()?.as_string().ok()?.to_string();
    SANDBOX.with(|s| s.borrow().as_ref().map(|sandbox| f(sandbox, &path)))
}

/// Registers the builtins on an engine.
pub(super) fn register(engine: &mut regorus::Engine) -> anyhow::Result<()> {
    engine.add_extension(
        "goldenpath.file_exists".to_string(),
        1,
        Box::new(|args: Vec<regorus::Value>| {
            Ok(regorus::Value::from(
                with_path(&args, |s, p| s.exists(p)).unwrap_or(false),
            ))
        }),
    )?;
    engine.add_extension(
        "goldenpath.read_file".to_string(),
        1,
        Box::new(|args: Vec<regorus::Value>| {
            Ok(with_path(&args, |s, p| s.read(p))
                .flatten()
                .map_or(regorus::Value::Null, |t| regorus::Value::from(t.as_str())))
        }),
    )?;
    engine.add_extension(
        "goldenpath.parse_file".to_string(),
        1,
        Box::new(|args: Vec<regorus::Value>| {
            Ok(with_path(&args, |s, p| s.parse(p))
                .flatten()
                .unwrap_or(regorus::Value::Null))
        }),
    )?;
    Ok(())
}

/// The `input` of a repository rule.
pub fn input(root_name: &str, entries: &[RepoEntry], directories: &[String]) -> regorus::Value {
    let files: Vec<regorus::Value> = entries
        .iter()
        .map(|e| {
            let mut map = BTreeMap::new();
            map.insert("path".into(), e.path.as_str().into());
            map.insert("size".into(), regorus::Value::from(e.size));
            map.insert(
                "format".into(),
                e.format
                    .map_or(regorus::Value::Null, |f| regorus::Value::from(f.name())),
            );
            map.insert("executable".into(), regorus::Value::from(e.executable));
            map.insert("binary".into(), regorus::Value::from(e.binary));
            regorus::Value::from(map)
        })
        .collect();
    let mut map = BTreeMap::new();
    map.insert("root".into(), root_name.into());
    map.insert("files".into(), regorus::Value::from(files));
    map.insert(
        "directories".into(),
        regorus::Value::from(
            directories
                .iter()
                .map(|d| regorus::Value::from(d.as_str()))
                .collect::<Vec<_>>(),
        ),
    );
    regorus::Value::from(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confined_to_the_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("sub")).expect("mkdir");
        std::fs::write(root.join("sub/a.yaml"), "a: 1\n").expect("write");
        std::fs::write(root.join("big.txt"), "x".repeat(100)).expect("write");
        std::fs::write(dir.path().join("secret.txt"), "outside").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt"))
            .expect("symlink");
        let sandbox = Sandbox::new(&root, 50);
        assert!(sandbox.exists("sub/a.yaml"));
        assert!(sandbox.exists("./sub/a.yaml"));
        assert_eq!(sandbox.read("sub/a.yaml").as_deref(), Some("a: 1\n"));
        assert!(sandbox.parse("sub/a.yaml").is_some());
        assert_eq!(sandbox.read("../secret.txt"), None);
        assert_eq!(sandbox.read("sub/../../secret.txt"), None);
        let absolute = dir.path().join("secret.txt");
        assert_eq!(sandbox.read(&absolute.to_string_lossy()), None);
        assert!(!sandbox.exists(&absolute.to_string_lossy()));
        assert_eq!(sandbox.read("link.txt"), None, "symlink out of the root");
        assert!(!sandbox.exists("link.txt"));
        assert_eq!(sandbox.read("big.txt"), None, "over the limit");
        assert!(sandbox.exists("big.txt"), "exists, just too big to read");
        assert_eq!(sandbox.read("missing"), None);
        assert_eq!(sandbox.read(""), None);
    }
}

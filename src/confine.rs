//! What goldenpath may open, checked in one place. The files of a repository are written
//! by whoever opened the pull request, so:
//!
//! - Only regular files are read ([`read`], [`read_to_string`], [`regular`]). FIFOs,
//!   sockets and devices are never opened (opening a FIFO blocks until a writer comes,
//!   `/dev/zero` never ends), nor are the pseudo-files below `/proc` and `/sys`, whose size
//!   says nothing of their content and which hold, among others, the environment of
//!   processes (CI secrets).
//! - Paths named by a checked repository's `goldenpath.toml` (policies, data, schemas and
//!   the files schemas refer to) stay inside the repository once symbolic links are
//!   followed ([`Root`]).

use std::fs::Metadata;
use std::io;
use std::path::{Path, PathBuf};

/// The directories below which files are not files: the kernel's pseudo-file systems.
const PSEUDO: &[&str] = &["/proc", "/sys"];

/// What a path is, in words, when it is not a regular file: "a FIFO", "a directory"...
pub fn kind(meta: &Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// The metadata of `path` (following symbolic links) when it is a regular file that is
/// not a kernel pseudo-file; an error of kind `InvalidInput` naming what it is otherwise.
pub fn regular(path: &Path) -> io::Result<Metadata> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not read", kind(&meta)),
        ));
    }
    if is_pseudo(path) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a kernel pseudo-file (/proc, /sys) is not read",
        ));
    }
    Ok(meta)
}

/// Whether `path` resolves below `/proc` or `/sys`.
fn is_pseudo(path: &Path) -> bool {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    PSEUDO.iter().any(|p| real.starts_with(p))
}

/// The bytes of a regular file (see [`regular`]).
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    regular(path)?;
    std::fs::read(path)
}

/// The text of a regular file (see [`regular`]).
pub fn read_to_string(path: &Path) -> io::Result<String> {
    regular(path)?;
    std::fs::read_to_string(path)
}

/// A directory that paths must stay inside once symbolic links are followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Root {
    real: PathBuf,
}

/// A path that leaves its [`Root`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escape {
    /// The path as given (or, for an entry below a directory given, that entry).
    pub path: PathBuf,
    /// Where it leads.
    pub target: PathBuf,
}

impl Root {
    /// The root at `dir` (its real path, when it has one).
    pub fn new(dir: &Path) -> Root {
        let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        Root {
            real: std::fs::canonicalize(&absolute).unwrap_or(absolute),
        }
    }

    /// The directory, as resolved.
    pub fn path(&self) -> &Path {
        &self.real
    }

    /// Checks that `path` resolves inside the root and, when it is a directory, that every
    /// entry below it does too (directories are walked following links, as policy
    /// directories are read). A path that does not exist passes: nothing can be read
    /// from it, and the stage that needs it says it is missing.
    pub fn check(&self, path: &Path) -> Result<(), Escape> {
        let Ok(real) = std::fs::canonicalize(path) else {
            return Ok(());
        };
        self.inside(path, &real)?;
        if real.is_dir() {
            for entry in walkdir::WalkDir::new(path).follow_links(true) {
                // Loops and unreadable entries are the reading stage's to report.
                let Ok(entry) = entry else { continue };
                if entry.path_is_symlink() {
                    if let Ok(target) = std::fs::canonicalize(entry.path()) {
                        self.inside(entry.path(), &target)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The real path of `path` when it exists and resolves inside the root.
    pub fn resolve(&self, path: &Path) -> Option<PathBuf> {
        let real = std::fs::canonicalize(path).ok()?;
        real.starts_with(&self.real).then_some(real)
    }

    fn inside(&self, path: &Path, real: &Path) -> Result<(), Escape> {
        if real.starts_with(&self.real) {
            Ok(())
        } else {
            Err(Escape {
                path: path.to_path_buf(),
                target: real.to_path_buf(),
            })
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.json");
        std::fs::write(&file, "{}").expect("write");
        assert_eq!(read_to_string(&file).expect("a file"), "{}");
        let err = read(dir.path()).expect_err("a directory");
        assert_eq!(err.to_string(), "a directory is not read");
        let err = read_to_string(Path::new("/proc/self/environ")).expect_err("/proc");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        let err = read(Path::new("/dev/null")).expect_err("a device");
        assert_eq!(err.to_string(), "a device is not read");
        // Through a symbolic link too.
        let link = dir.path().join("env.json");
        std::os::unix::fs::symlink("/proc/self/environ", &link).expect("symlink");
        assert!(read(&link).is_err());
    }

    #[test]
    fn paths_stay_inside_the_root() {
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("secret.rego"), "x").expect("write");
        let repo = tempfile::tempdir().expect("tempdir");
        let root = Root::new(repo.path());
        let policy = repo.path().join("policy");
        std::fs::create_dir(&policy).expect("mkdir");
        std::fs::write(policy.join("ok.rego"), "x").expect("write");
        assert_eq!(root.check(&policy), Ok(()));
        assert_eq!(root.check(&repo.path().join("missing")), Ok(()));
        assert!(root.check(Path::new("/etc")).is_err());
        assert!(root.check(&repo.path().join("policy/../..")).is_err());
        // A link in a directory that leads out.
        std::os::unix::fs::symlink(outside.path().join("secret.rego"), policy.join("x.rego"))
            .expect("symlink");
        let escape = root.check(&policy).expect_err("escapes");
        assert_eq!(escape.path, policy.join("x.rego"));
        assert!(root.resolve(&policy.join("ok.rego")).is_some());
        assert_eq!(root.resolve(&policy.join("x.rego")), None);
    }
}

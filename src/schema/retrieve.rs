//! Offline resolution of `$ref`s that leave a schema file.
//!
//! goldenpath never uses the network. A `file://` reference is read from disk. A remote
//! reference (`https://json.schemastore.org/other.json#/definitions/x`) resolves only to a
//! local copy: the file of the same name in the directory of the schema that was mapped,
//! and only when that copy declares itself to be the requested document (its `$id`, or
//! `id` in draft 4, equals the URI). Anything else is an error that names the URI.

use std::path::{Path, PathBuf};

use jsonschema::{Retrieve, Uri};

use crate::confine::Root;
use serde_json::Value;

/// Reads referenced schemas from disk; never from the network.
#[derive(Debug, Clone)]
pub struct LocalRetriever {
    /// The directory of the mapped schema, where copies of remote documents may sit.
    dir: PathBuf,
    /// The directory every file read must stay inside, when the schema belongs to a
    /// checked repository.
    root: Option<Root>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl LocalRetriever {
    /// A retriever looking for local copies of remote documents in `dir`, reading only
    /// inside `root` when given.
    pub fn new(dir: &Path, root: Option<Root>) -> Self {
        LocalRetriever {
            dir: dir.to_path_buf(),
            root,
        }
    }

    /// The JSON document at `path`, when it may be read.
    fn read(&self, path: &Path) -> Result<Value, BoxError> {
        if let Some(root) = &self.root {
            if path.exists() && root.resolve(path).is_none() {
                return Err(format!(
                    "`{}` is outside the repository `{}`; a schema of the repository may only refer to files inside it",
                    path.display(),
                    root.path().display()
                )
                .into());
            }
        }
        read_json(path)
    }

    fn remote(&self, uri: &Uri<String>) -> Result<Value, BoxError> {
        let wanted = uri.as_str().trim_end_matches('#');
        let name = uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .map(percent_decode)
            .unwrap_or_default();
        let refuse = |why: String| -> BoxError {
            format!("goldenpath never fetches schemas over the network{why}").into()
        };
        if name.is_empty() || name.contains(['/', '\\']) || name == ".." {
            return Err(refuse(String::new()));
        }
        let copy = self.dir.join(&name);
        if !copy.is_file() {
            return Err(refuse(format!(
                "; save a copy named `{name}` beside the schema"
            )));
        }
        let value = self.read(&copy)?;
        let id = value
            .get("$id")
            .or_else(|| value.get("id"))
            .and_then(Value::as_str)
            .map(|s| s.trim_end_matches('#'));
        if id != Some(wanted) {
            return Err(refuse(format!(
                "; the local copy `{name}` beside the schema does not declare that URI as its `$id`"
            )));
        }
        Ok(value)
    }
}

impl Retrieve for LocalRetriever {
    fn retrieve(&self, uri: &Uri<String>) -> Result<Value, BoxError> {
        match uri.scheme().as_str() {
            "file" => self.read(&PathBuf::from(percent_decode(uri.path().as_str()))),
            "http" | "https" => self.remote(uri),
            other => Err(format!("cannot resolve `{uri}`: unsupported scheme `{other}`").into()),
        }
    }
}

fn read_json(path: &Path) -> Result<Value, BoxError> {
    let text = crate::confine::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("`{}` is not valid JSON: {e}", path.display()).into())
}

/// The `file://` URI of an absolute path, percent-encoding what a URI cannot hold.
pub fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(high * 16 + low);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: u8) -> Option<u8> {
    (byte as char)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip() {
        let uri = file_uri(Path::new("/tmp/a dir/ü.json"));
        assert_eq!(uri, "file:///tmp/a%20dir/%C3%BC.json");
        assert_eq!(
            percent_decode("/tmp/a%20dir/%C3%BC.json"),
            "/tmp/a dir/ü.json"
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
    }
}

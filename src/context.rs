//! Repository context: what a run learns about a repository from a few well-known files,
//! once per repository, for rules that judge one file at a time.
//!
//! File rules see it as `data.goldenpath.context` (see [`RepositoryContext::for_file`]):
//!
//! - `file`: the file being evaluated, relative to its repository root;
//! - `kustomize_patches`: the files a `kustomization.yaml` applies as patches
//!   (`patches`, `patchesStrategicMerge`, `patchesJson6902`), each mapped to that
//!   kustomization; a patch is a partial object, not a resource of its own;
//! - `built_images`: image names the repository builds itself (build stages of its
//!   Dockerfiles, skaffold and Tilt artifacts, Compose services with a `build`, and
//!   `docker build -t NAME` in Makefiles and shell scripts), each mapped to the file that
//!   says so;
//! - `deploy_images`: image names whose tag or digest a tool fills in at deploy time
//!   (skaffold and Tilt artifacts, kustomize `images` entries with a `newTag` or
//!   `digest`), likewise.
//!
//! Names are images without tag or digest. The context is read from the repository's
//! files list once; only the files named above are opened (through the same confinement
//! and size limit as the repository builtins), so its cost grows with the number of such
//! files, not with the files checked, and handing it to a file is a reference count.
//!
//! The same files list gives the repository's test-data paths (see [`TestPaths`]).

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::document::Node;
use crate::format::Format;
use crate::parse::parse_text;

/// The default `[pack] test-paths`: conventional test-data, example and documentation
/// directories, and test source files.
pub const DEFAULT_TEST_PATHS: &[&str] = &[
    "**/testdata/**",
    "**/test-data/**",
    "**/test_data/**",
    "**/test/**",
    "**/tests/**",
    "**/fixtures/**",
    "**/fixture/**",
    "**/__fixtures__/**",
    "**/__mocks__/**",
    "**/__snapshots__/**",
    "**/e2e/**",
    "**/examples/**",
    "**/example/**",
    "**/samples/**",
    "**/docs/**",
    "**/doc/**",
    "**/*_test.go",
    "**/*_test.py",
    "**/test_*.py",
    "**/*.test.*",
    "**/*.spec.*",
];

/// Whether the name of a file makes it part of the context, so discovery keeps its path.
pub fn is_context_file(name: &str, format: Option<Format>) -> bool {
    let lower = name.to_ascii_lowercase();
    format == Some(Format::Dockerfile)
        || matches!(
            lower.as_str(),
            "kustomization.yaml"
                | "kustomization.yml"
                | "kustomization"
                | "tiltfile"
                | "makefile"
                | "gnumakefile"
                | ".gitattributes"
        )
        || lower.ends_with(".mk")
        || lower.ends_with(".sh")
        || lower.ends_with(".tiltfile")
        || (lower.starts_with("skaffold") && is_yaml(&lower))
        || ((lower.starts_with("docker-compose") || lower.starts_with("compose"))
            && is_yaml(&lower))
}

fn is_yaml(lower: &str) -> bool {
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// Reads a file of the repository as text, or `None` (missing, too large, not UTF-8).
pub trait ReadFile {
    /// The text of `relative`, a path relative to the repository root.
    fn read(&self, relative: &str) -> Option<String>;
}

/// What file rules know about one repository.
#[derive(Clone, Debug)]
pub struct RepositoryContext {
    kustomize_patches: regorus::Value,
    built_images: regorus::Value,
    deploy_images: regorus::Value,
}

impl Default for RepositoryContext {
    fn default() -> Self {
        let empty = || regorus::Value::from(BTreeMap::<regorus::Value, regorus::Value>::new());
        RepositoryContext {
            kustomize_patches: empty(),
            built_images: empty(),
            deploy_images: empty(),
        }
    }
}

/// The context as it is gathered, before it becomes Rego values.
#[derive(Debug, Default)]
struct Gathered {
    kustomize_patches: BTreeMap<String, String>,
    built_images: BTreeMap<String, String>,
    deploy_images: BTreeMap<String, String>,
}

impl Gathered {
    fn built(&mut self, image: &str, file: &str) {
        if let Some(name) = image_name(image) {
            self.built_images
                .entry(name)
                .or_insert_with(|| file.to_string());
        }
    }

    fn deployed(&mut self, image: &str, file: &str) {
        if let Some(name) = image_name(image) {
            self.deploy_images
                .entry(name)
                .or_insert_with(|| file.to_string());
        }
    }
}

impl RepositoryContext {
    /// Reads the context files among `files` (paths relative to the repository root).
    pub fn build(files: &[String], reader: &dyn ReadFile) -> Self {
        let mut gathered = Gathered::default();
        for file in files {
            let name = file.rsplit('/').next().unwrap_or(file);
            let lower = name.to_ascii_lowercase();
            let format = Format::detect(Path::new(name));
            if !is_context_file(name, format) || lower == ".gitattributes" {
                continue;
            }
            let Some(text) = reader.read(file) else {
                continue;
            };
            if format == Some(Format::Dockerfile) {
                dockerfile_stages(&text, file, &mut gathered);
            } else if lower.starts_with("kustomization") {
                kustomization(&text, file, &mut gathered);
            } else if lower.starts_with("skaffold") {
                skaffold(&text, file, &mut gathered);
            } else if lower.starts_with("docker-compose") || lower.starts_with("compose") {
                compose(&text, file, &mut gathered);
            } else if lower == "tiltfile" || lower.ends_with(".tiltfile") {
                tiltfile(&text, file, &mut gathered);
            } else {
                build_commands(&text, file, &mut gathered);
            }
        }
        let value = |map: BTreeMap<String, String>| {
            regorus::Value::from(
                map.into_iter()
                    .map(|(k, v)| (regorus::Value::from(k), regorus::Value::from(v)))
                    .collect::<BTreeMap<_, _>>(),
            )
        };
        RepositoryContext {
            kustomize_patches: value(gathered.kustomize_patches),
            built_images: value(gathered.built_images),
            deploy_images: value(gathered.deploy_images),
        }
    }

    /// `data.goldenpath.context` for the file at `relative` (to the repository root).
    /// The maps are shared, not copied.
    pub fn for_file(&self, relative: &str) -> regorus::Value {
        let mut map = BTreeMap::new();
        map.insert(regorus::Value::from("file"), regorus::Value::from(relative));
        map.insert(
            regorus::Value::from("kustomize_patches"),
            self.kustomize_patches.clone(),
        );
        map.insert(
            regorus::Value::from("built_images"),
            self.built_images.clone(),
        );
        map.insert(
            regorus::Value::from("deploy_images"),
            self.deploy_images.clone(),
        );
        regorus::Value::from(map)
    }
}

/// An image reference without tag or digest (`ghcr.io/acme/api:1.2@sha256:…` →
/// `ghcr.io/acme/api`); `None` for an empty or templated reference.
pub fn image_name(image: &str) -> Option<String> {
    let image = image.trim().trim_matches(|c| c == '"' || c == '\'');
    let image = image.strip_prefix("ko://").unwrap_or(image);
    let without_digest = image.split('@').next().unwrap_or(image);
    let (head, last) = match without_digest.rsplit_once('/') {
        Some((head, last)) => (Some(head), last),
        None => (None, without_digest),
    };
    let last = last.split(':').next().unwrap_or(last);
    let name = match head {
        Some(head) => format!("{head}/{last}"),
        None => last.to_string(),
    };
    let bad = name.is_empty() || name.contains('$') || name.contains('{') || name.contains(' ');
    (!bad).then_some(name)
}

/// `FROM image AS name`: the stage names of a Dockerfile, which `docker build --target`
/// turns into images other Dockerfiles build on.
fn dockerfile_stages(text: &str, file: &str, out: &mut Gathered) {
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let from = words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("from"));
        if !from {
            continue;
        }
        let args: Vec<&str> = words[1..]
            .iter()
            .copied()
            .filter(|w| !w.starts_with("--"))
            .collect();
        if let [image, as_kw, stage, ..] = args.as_slice() {
            // `FROM node:20 AS node` names a stage after a public image; it is not an
            // image of its own.
            let renamed = image_name(image).is_some_and(|i| i.eq_ignore_ascii_case(stage));
            if as_kw.eq_ignore_ascii_case("as") && !renamed {
                out.built(&stage.to_ascii_lowercase(), file);
            }
        }
    }
}

fn yaml_roots(text: &str) -> Vec<serde_json::Value> {
    parse_text(Format::Yaml, text)
        .map(|roots| roots.iter().map(Node::to_json).collect())
        .unwrap_or_default()
}

/// Patch files of a kustomization, relative to the repository root, and its `images`.
fn kustomization(text: &str, file: &str, out: &mut Gathered) {
    let dir = file.rsplit_once('/').map_or("", |(dir, _)| dir);
    for root in yaml_roots(text) {
        let mut paths = Vec::new();
        for item in root["patchesStrategicMerge"]
            .as_array()
            .into_iter()
            .flatten()
        {
            // An inline patch is YAML text, not a path.
            if let Some(path) = item.as_str().filter(|p| !p.contains('\n')) {
                paths.push(path.to_string());
            }
        }
        for key in ["patches", "patchesJson6902"] {
            for item in root[key].as_array().into_iter().flatten() {
                if let Some(path) = item["path"].as_str() {
                    paths.push(path.to_string());
                }
            }
        }
        for path in paths {
            if let Some(resolved) = join(dir, path.trim()) {
                out.kustomize_patches
                    .entry(resolved)
                    .or_insert_with(|| file.to_string());
            }
        }
        for image in root["images"].as_array().into_iter().flatten() {
            let set = image["digest"].is_string()
                || image["newTag"]
                    .as_str()
                    .is_some_and(|t| !t.is_empty() && t != "latest")
                || image["newTag"].is_number();
            if let (true, Some(name)) = (set, image["name"].as_str()) {
                out.deployed(name, file);
            }
        }
    }
}

/// `dir/path` with `.` and `..` resolved; `None` when it leaves the repository.
fn join(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let joined = if dir.is_empty() {
        PathBuf::from(path)
    } else {
        Path::new(dir).join(path)
    };
    for component in joined.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// skaffold's `build.artifacts[].image` (also under `profiles`): built by the repository
/// and tagged by skaffold when it deploys.
fn skaffold(text: &str, file: &str, out: &mut Gathered) {
    for root in yaml_roots(text) {
        let is_skaffold = root["apiVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("skaffold/"));
        if !is_skaffold {
            continue;
        }
        let profiles = root["profiles"].as_array().cloned().unwrap_or_default();
        let builds = std::iter::once(&root["build"]).chain(profiles.iter().map(|p| &p["build"]));
        for build in builds {
            for artifact in build["artifacts"].as_array().into_iter().flatten() {
                if let Some(image) = artifact["image"].as_str() {
                    out.built(image, file);
                    out.deployed(image, file);
                }
            }
        }
    }
}

/// Compose services with both `build` and `image`: the image is built here.
fn compose(text: &str, file: &str, out: &mut Gathered) {
    for root in yaml_roots(text) {
        for service in root["services"]
            .as_object()
            .into_iter()
            .flat_map(|s| s.values())
        {
            if let (false, Some(image)) = (service["build"].is_null(), service["image"].as_str()) {
                out.built(image, file);
            }
        }
    }
}

/// Tilt's `docker_build('name', …)`, `custom_build('name', …)` and their relatives.
fn tiltfile(text: &str, file: &str, out: &mut Gathered) {
    static CALL: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"\b(?:docker_build|custom_build|docker_build_with_restart)\(\s*(?:ref\s*=\s*)?['"]([^'"]+)['"]"#,
        )
        .ok()
    });
    let Some(call) = CALL.as_ref() else { return };
    for captures in call.captures_iter(text) {
        if let Some(image) = captures.get(1) {
            out.built(image.as_str(), file);
            out.deployed(image.as_str(), file);
        }
    }
}

/// `docker build … -t NAME` (also podman, nerdctl, buildah, `buildx build`) in a Makefile
/// or shell script, with `$(VAR)`/`${VAR}` taken from the file's simple assignments
/// (`VAR = value`, `VAR ?= value`, `VAR := value`, `VAR=value`) and unknown ones empty.
fn build_commands(text: &str, file: &str, out: &mut Gathered) {
    static BUILD: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\b(?:docker|podman|nerdctl|buildah)\b[^\n]*?\b(?:build|bud)\b").ok()
    });
    static TAG: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?:^|\s)(?:-t|--tag)(?:\s+|=)([^\s;&|]+)"#).ok()
    });
    static ASSIGN: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?m)^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:\?=|:=|::=|=)\s*(\S*)\s*$",
        )
        .ok()
    });
    static VAR: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}").ok()
    });
    let (Some(build), Some(tag), Some(assign), Some(var)) =
        (BUILD.as_ref(), TAG.as_ref(), ASSIGN.as_ref(), VAR.as_ref())
    else {
        return;
    };
    if !build.is_match(text) {
        return;
    }
    let mut vars: BTreeMap<&str, &str> = BTreeMap::new();
    for captures in assign.captures_iter(text) {
        if let (Some(name), Some(value)) = (captures.get(1), captures.get(2)) {
            vars.entry(name.as_str()).or_insert(value.as_str());
        }
    }
    for line in text.lines().filter(|l| build.is_match(l)) {
        for captures in tag.captures_iter(line) {
            let Some(raw) = captures.get(1) else { continue };
            // Values may refer to other variables: expand a few rounds.
            let mut expanded = raw.as_str().to_string();
            for _ in 0..4 {
                if !expanded.contains('$') {
                    break;
                }
                expanded = var
                    .replace_all(&expanded, |c: &regex::Captures<'_>| {
                        let name = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
                        vars.get(name).copied().unwrap_or("").to_string()
                    })
                    .into_owned();
            }
            out.built(expanded.trim_start_matches('/'), file);
        }
    }
}

/// Which files of a repository are test data, examples or documentation: the pack still
/// checks them but reports its findings there at `info`, and they do not count against
/// the scorecard.
#[derive(Debug, Default)]
pub struct TestPaths {
    globs: GlobSet,
}

impl TestPaths {
    /// `patterns` (the `[pack] test-paths` globs, relative to the repository root) plus
    /// the paths `.gitattributes` files among `files` mark `linguist-documentation`,
    /// `linguist-generated` or `linguist-vendored`.
    pub fn new(patterns: &[String], files: &[String], reader: &dyn ReadFile) -> Self {
        let mut builder = GlobSetBuilder::new();
        let mut add = |pattern: &str| {
            if let Ok(glob) = GlobBuilder::new(pattern).literal_separator(true).build() {
                builder.add(glob);
            }
        };
        for pattern in patterns {
            add(pattern);
        }
        for file in files {
            let is_attributes = file == ".gitattributes" || file.ends_with("/.gitattributes");
            if !is_attributes {
                continue;
            }
            let dir = file.strip_suffix(".gitattributes").unwrap_or("");
            if let Some(text) = reader.read(file) {
                for pattern in linguist_patterns(&text, dir) {
                    add(&pattern);
                }
            }
        }
        TestPaths {
            globs: builder.build().unwrap_or_else(|_| GlobSet::empty()),
        }
    }

    /// Whether the file at `relative` (to the repository root) is test data.
    pub fn contains(&self, relative: &str) -> bool {
        self.globs.is_match(relative)
    }
}

/// Globs (relative to the repository root) for the patterns of a `.gitattributes` in
/// `dir` (empty or ending in `/`) that set a linguist documentation, generated or
/// vendored attribute.
fn linguist_patterns(text: &str, dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let Some(pattern) = words.next() else {
            continue;
        };
        let marked = words.any(|attribute| {
            let (name, value) = attribute.split_once('=').unwrap_or((attribute, "true"));
            matches!(
                name,
                "linguist-documentation" | "linguist-generated" | "linguist-vendored"
            ) && value != "false"
        });
        if !marked {
            continue;
        }
        // As in .gitignore: a pattern with a slash is relative to the file's directory,
        // one without matches at any depth below it.
        let trimmed = pattern.trim_end_matches('/');
        let base = if trimmed.contains('/') {
            format!("{dir}{}", trimmed.trim_start_matches('/'))
        } else {
            format!("{dir}**/{trimmed}")
        };
        let base = base.trim_end_matches("/**").to_string();
        out.push(format!("{base}/**"));
        out.push(base);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Files(Vec<(&'static str, &'static str)>);

    impl ReadFile for Files {
        fn read(&self, relative: &str) -> Option<String> {
            self.0
                .iter()
                .find(|(p, _)| *p == relative)
                .map(|(_, t)| t.to_string())
        }
    }

    fn keys(value: &regorus::Value) -> Vec<String> {
        let json: serde_json::Value = serde_json::to_value(value).expect("a Rego value is JSON");
        json.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn image_names_drop_tag_and_digest() {
        let cases = [
            ("adservice", Some("adservice")),
            ("ghcr.io/acme/api:1.2", Some("ghcr.io/acme/api")),
            ("registry:5000/app@sha256:abc", Some("registry:5000/app")),
            (
                "ko://github.com/acme/cmd/api",
                Some("github.com/acme/cmd/api"),
            ),
            ("$(IMAGE)", None),
            ("", None),
        ];
        for (image, want) in cases {
            assert_eq!(image_name(image).as_deref(), want, "{image}");
        }
    }

    #[test]
    fn kustomize_skaffold_tilt_make_and_stages() {
        let files = Files(vec![
            (
                "deploy/overlays/prod/kustomization.yaml",
                "resources: [../../base]\npatches:\n  - path: replicas.yaml\n  - path: ../../base/../shared/limits.yaml\n    target: {kind: Deployment}\npatchesStrategicMerge:\n  - memory.yaml\n  - |-\n    apiVersion: v1\n    kind: ConfigMap\nimages:\n  - name: api\n    newTag: 1.4.2\n  - name: web\n    newTag: latest\n",
            ),
            (
                "skaffold.yaml",
                "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n    - image: cartservice\nprofiles:\n  - name: gcb\n    build:\n      artifacts:\n        - image: loadgenerator\n",
            ),
            ("Tiltfile", "docker_build('frontend', 'src/frontend')\ncustom_build(ref='worker', command='make')\n"),
            ("Makefile", "NS ?=\nPREFIX=${NS}/\nBASE ?= app-base\nbase:\n\t$(DOCKER) build -t $(PREFIX)$(BASE) --target base .\n"),
            ("Dockerfile", "FROM golang:1.23 AS builder\nFROM --platform=$BUILDPLATFORM alpine:3.20 as runtime\n"),
            ("compose.yaml", "services:\n  db:\n    image: postgres:16\n  api:\n    build: .\n    image: acme/api:dev\n"),
        ]);
        let paths: Vec<String> = files.0.iter().map(|(p, _)| p.to_string()).collect();
        let context = RepositoryContext::build(&paths, &files);
        assert_eq!(
            keys(&context.kustomize_patches),
            vec![
                "deploy/overlays/prod/memory.yaml",
                "deploy/overlays/prod/replicas.yaml",
                "deploy/shared/limits.yaml"
            ]
        );
        assert_eq!(
            keys(&context.deploy_images),
            vec!["api", "cartservice", "frontend", "loadgenerator", "worker"]
        );
        assert_eq!(
            keys(&context.built_images),
            vec![
                "acme/api",
                "app-base",
                "builder",
                "cartservice",
                "frontend",
                "loadgenerator",
                "runtime",
                "worker"
            ]
        );
    }

    #[test]
    fn test_paths_and_linguist_attributes() {
        let files = Files(vec![(
            ".gitattributes",
            "# generated\napi/gen/** linguist-generated=true\n*.pb.go linguist-generated\nmanual/ linguist-documentation\nsrc/** linguist-generated=false\n",
        )]);
        let patterns: Vec<String> = DEFAULT_TEST_PATHS.iter().map(|s| s.to_string()).collect();
        let paths = TestPaths::new(&patterns, &[".gitattributes".to_string()], &files);
        for yes in [
            "pkg/testdata/bad.yaml",
            "test/e2e/app.yaml",
            "docs/setup.md",
            "examples/k8s/deploy.yaml",
            "util/creds_test.go",
            "api/gen/types.json",
            "proto/x.pb.go",
            "manual/keys.md",
        ] {
            assert!(paths.contains(yes), "{yes}");
        }
        for no in [
            "deploy/app.yaml",
            "src/main.go",
            "Dockerfile",
            "contest/app.yaml",
        ] {
            assert!(!paths.contains(no), "{no}");
        }
    }
}

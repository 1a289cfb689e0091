//! The file formats goldenpath understands, and how a file's name selects one.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// A configuration file format. Its name (and aliases) on the command line, in
/// `goldenpath.toml` and in METADATA `formats` come from the `clap::ValueEnum` derive.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize, clap::ValueEnum,
)]
#[serde(try_from = "String")]
pub enum Format {
    /// JSON (RFC 8259).
    Json,
    /// YAML 1.2, one or more documents.
    #[value(alias = "yml")]
    Yaml,
    /// TOML 1.0.
    Toml,
    /// JSON with comments and trailing commas (`tsconfig.json`, VS Code settings).
    Jsonc,
    /// Dockerfile / Containerfile instructions.
    #[value(alias = "containerfile")]
    Dockerfile,
    /// HCL 2 (Terraform, Packer, Nomad).
    #[value(alias = "hcl", alias = "terraform", alias = "tf")]
    Hcl2,
    /// INI files with `[sections]`.
    Ini,
    /// `.env` files: `KEY=value` lines.
    #[value(alias = "env")]
    Dotenv,
    /// Java `.properties` files.
    Properties,
    /// XML documents.
    Xml,
    /// `.gitignore` / `.dockerignore` pattern lists.
    #[value(alias = "gitignore", alias = "dockerignore")]
    Ignore,
    /// HCL 1 (older Terraform), in conftest's shape: every object a list of maps.
    Hcl1,
    /// HOCON (Lightbend config, `application.conf`); by `--parser` or `.hocon`.
    Hocon,
    /// Jsonnet, evaluated to its JSON value.
    Jsonnet,
    /// CUE, its data subset (no evaluation).
    Cue,
    /// EDN (Clojure's extensible data notation).
    Edn,
    /// Varnish configuration language.
    Vcl,
    /// nginx configuration (`nginx.conf`).
    Nginx,
    /// Groovy (Jenkinsfiles) as a concrete syntax tree.
    #[value(alias = "jenkinsfile")]
    Groovy,
    /// Protocol Buffers text format, typed by a `# proto-message:` header.
    #[value(alias = "textpb")]
    Textproto,
    /// SPDX tag-value software bills of materials.
    Spdx,
    /// CycloneDX software bills of materials (JSON or XML).
    Cyclonedx,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub fn all() -> &'static [Format] {
        <Format as clap::ValueEnum>::value_variants()
    }

    /// The name used by `--parser` and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::Toml => "toml",
            Format::Jsonc => "jsonc",
            Format::Dockerfile => "dockerfile",
            Format::Hcl2 => "hcl2",
            Format::Ini => "ini",
            Format::Dotenv => "dotenv",
            Format::Properties => "properties",
            Format::Xml => "xml",
            Format::Ignore => "ignore",
            Format::Hcl1 => "hcl1",
            Format::Hocon => "hocon",
            Format::Jsonnet => "jsonnet",
            Format::Cue => "cue",
            Format::Edn => "edn",
            Format::Vcl => "vcl",
            Format::Nginx => "nginx",
            Format::Groovy => "groovy",
            Format::Textproto => "textproto",
            Format::Spdx => "spdx",
            Format::Cyclonedx => "cyclonedx",
        }
    }

    /// Whether a file whose only root is an array is evaluated element by element, as
    /// conftest does for a top-level JSON array or YAML sequence.
    ///
    /// Dockerfiles and ignore files are arrays too (of instructions, of patterns), but
    /// conftest hands policies the whole array as one input (`input[i].Cmd`), so those
    /// formats say `false` here and [`crate::document::Document::inputs`] keeps the root
    /// whole.
    pub fn splits_array_root(self) -> bool {
        !matches!(self, Format::Dockerfile | Format::Ignore)
    }

    /// Whether the document is computed from the text rather than read from it (Jsonnet
    /// is evaluated, text protos are typed by a schema): its values carry the span of
    /// the whole file, or of the top-level field they come from, not their own.
    pub fn is_evaluated(self) -> bool {
        matches!(self, Format::Jsonnet | Format::Textproto)
    }

    /// The format a file name implies, if any.
    pub fn detect(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        if let Some(format) = Self::detect_by_name(name, &lower) {
            return Some(format);
        }
        let ext = lower.rsplit_once('.').map(|(_, ext)| ext)?;
        match ext {
            "json" => {
                let in_vscode = path
                    .parent()
                    .and_then(Path::file_name)
                    .is_some_and(|dir| dir == ".vscode");
                let jsonc = in_vscode
                    || lower.starts_with("tsconfig")
                    || lower == "devcontainer.json"
                    || lower == ".devcontainer.json";
                Some(if jsonc { Format::Jsonc } else { Format::Json })
            }
            "jsonc" => Some(Format::Jsonc),
            "yaml" | "yml" => Some(Format::Yaml),
            "toml" => Some(Format::Toml),
            "tf" | "tfvars" | "hcl" => Some(Format::Hcl2),
            "ini" => Some(Format::Ini),
            "env" => Some(Format::Dotenv),
            "properties" => Some(Format::Properties),
            "xml" => Some(Format::Xml),
            "dockerfile" | "containerfile" => Some(Format::Dockerfile),
            "gitignore" | "dockerignore" => Some(Format::Ignore),
            // conftest's own extensions: the parser's name.
            "hcl1" => Some(Format::Hcl1),
            "hocon" => Some(Format::Hocon),
            "jsonnet" => Some(Format::Jsonnet),
            "cue" => Some(Format::Cue),
            "edn" => Some(Format::Edn),
            "vcl" => Some(Format::Vcl),
            "nginx" => Some(Format::Nginx),
            "groovy" => Some(Format::Groovy),
            "textproto" | "textpb" => Some(Format::Textproto),
            "spdx" => Some(Format::Spdx),
            "cyclonedx" => Some(Format::Cyclonedx),
            _ => None,
        }
    }

    /// Formats recognised by the whole (lower-cased) file name rather than its extension.
    fn detect_by_name(name: &str, lower: &str) -> Option<Format> {
        // `Dockerfile`, `dockerfile`, `Containerfile`; and variants such as
        // `Dockerfile.prod`, spelled with the capital (so `dockerfile.rs`, a source file,
        // is not one) and not ending in a source or documentation extension.
        const NOT_DOCKERFILES: &[&str] = &[
            "md", "txt", "rs", "go", "py", "js", "ts", "sh", "json", "yaml", "yml", "toml", "rego",
            "orig", "bak", "swp",
        ];
        let variant = |name: &str, base: &str| {
            name.strip_prefix(base).is_some_and(|rest| {
                let ext = rest.rsplit('.').next().unwrap_or(rest).to_ascii_lowercase();
                !rest.is_empty() && !NOT_DOCKERFILES.contains(&ext.as_str())
            })
        };
        let docker = ["dockerfile", "containerfile"].contains(&lower)
            || ["Dockerfile.", "Containerfile."]
                .iter()
                .any(|base| variant(name, base));
        if docker {
            return Some(Format::Dockerfile);
        }
        if lower == ".env" || lower.starts_with(".env.") {
            return Some(Format::Dotenv);
        }
        if lower == "nginx.conf" {
            return Some(Format::Nginx);
        }
        // `Jenkinsfile`, `Jenkinsfile.prod` in any case, as conftest reads them (but not
        // `Jenkinsfile.md` or a YAML file named after one).
        if lower == "jenkinsfile" || variant(lower, "jenkinsfile.") {
            return Some(Format::Groovy);
        }
        None
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error for an unknown format name.
#[derive(Debug, thiserror::Error)]
#[error("unknown format `{0}` (known: {known})", known = Format::all().iter().map(|f| f.name()).collect::<Vec<_>>().join(", "))]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    /// A name or alias, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        <Format as clap::ValueEnum>::from_str(s, true).map_err(|_| UnknownFormat(s.to_string()))
    }
}

impl TryFrom<String> for Format {
    type Error = UnknownFormat;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_by_name() {
        let cases = [
            ("deploy/app.yaml", Some(Format::Yaml)),
            ("x.YML", Some(Format::Yaml)),
            ("package.json", Some(Format::Json)),
            ("Cargo.toml", Some(Format::Toml)),
            ("README.md", None),
            ("Makefile", None),
            (".yaml", Some(Format::Yaml)),
            ("Dockerfile", Some(Format::Dockerfile)),
            ("docker/Dockerfile.prod", Some(Format::Dockerfile)),
            ("build.dockerfile", Some(Format::Dockerfile)),
            ("Containerfile", Some(Format::Dockerfile)),
            ("Dockerfiles", None),
            ("dockerfile", Some(Format::Dockerfile)),
            ("src/parse/dockerfile.rs", None),
            ("Dockerfile.md", None),
            ("Dockerfile.dev.yaml", Some(Format::Yaml)),
            ("main.tf", Some(Format::Hcl2)),
            ("prod.tfvars", Some(Format::Hcl2)),
            ("job.hcl", Some(Format::Hcl2)),
            ("setup.ini", Some(Format::Ini)),
            (".editorconfig", None),
            (".env", Some(Format::Dotenv)),
            (".env.production", Some(Format::Dotenv)),
            ("local.env", Some(Format::Dotenv)),
            (".envrc", None),
            ("app.properties", Some(Format::Properties)),
            ("pom.xml", Some(Format::Xml)),
            (".gitignore", Some(Format::Ignore)),
            ("ctx/.dockerignore", Some(Format::Ignore)),
            ("settings.jsonc", Some(Format::Jsonc)),
            ("tsconfig.json", Some(Format::Jsonc)),
            ("tsconfig.build.json", Some(Format::Jsonc)),
            (".devcontainer/devcontainer.json", Some(Format::Jsonc)),
            (".vscode/settings.json", Some(Format::Jsonc)),
            ("vscode/settings.json", Some(Format::Json)),
            ("legacy.hcl1", Some(Format::Hcl1)),
            ("application.hocon", Some(Format::Hocon)),
            ("application.conf", None),
            ("arith.jsonnet", Some(Format::Jsonnet)),
            ("deployment.cue", Some(Format::Cue)),
            ("config.edn", Some(Format::Edn)),
            ("varnish.vcl", Some(Format::Vcl)),
            ("etc/nginx/nginx.conf", Some(Format::Nginx)),
            ("site.nginx", Some(Format::Nginx)),
            ("other.conf", None),
            ("Jenkinsfile", Some(Format::Groovy)),
            ("ci/Jenkinsfile.release", Some(Format::Groovy)),
            ("jenkinsfile", Some(Format::Groovy)),
            ("Jenkinsfile.md", None),
            ("Jenkinsfile.yaml", Some(Format::Yaml)),
            ("vars/deploy.groovy", Some(Format::Groovy)),
            ("pass.textproto", Some(Format::Textproto)),
            ("pass.textpb", Some(Format::Textproto)),
            ("sbom.spdx", Some(Format::Spdx)),
            ("bom.cyclonedx", Some(Format::Cyclonedx)),
        ];
        for (path, want) in cases {
            assert_eq!(Format::detect(Path::new(path)), want, "{path}");
        }
    }

    #[test]
    fn names_round_trip() {
        for f in Format::all() {
            assert_eq!(f.name().parse::<Format>().ok(), Some(*f));
            assert_eq!(crate::options::value_name(*f), f.name());
        }
        let aliases = [
            ("YML", Format::Yaml),
            ("containerfile", Format::Dockerfile),
            ("terraform", Format::Hcl2),
            ("tf", Format::Hcl2),
            ("hcl", Format::Hcl2),
            ("env", Format::Dotenv),
            ("gitignore", Format::Ignore),
            ("dockerignore", Format::Ignore),
            ("jenkinsfile", Format::Groovy),
            ("textpb", Format::Textproto),
        ];
        for (alias, format) in aliases {
            assert_eq!(alias.parse::<Format>().ok(), Some(format), "{alias}");
        }
        assert!("xml2".parse::<Format>().is_err());
    }

    #[test]
    fn only_instruction_and_pattern_lists_stay_whole() {
        let whole: Vec<Format> = Format::all()
            .iter()
            .copied()
            .filter(|f| !f.splits_array_root())
            .collect();
        assert_eq!(whole, vec![Format::Dockerfile, Format::Ignore]);
    }
}

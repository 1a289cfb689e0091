//! The file formats goldenpath understands, and how a file's name selects one.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// A configuration file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// JSON (RFC 8259).
    Json,
    /// YAML 1.2, one or more documents.
    Yaml,
    /// TOML 1.0.
    Toml,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: &'static [Format] = &[Format::Json, Format::Yaml, Format::Toml];

    /// The name used by `--parser` and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::Toml => "toml",
        }
    }

    /// The format a file name implies, if any.
    pub fn detect(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, ext)| ext)?;
        match ext {
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error for an unknown `--parser` name.
#[derive(Debug, thiserror::Error)]
#[error("unknown format `{0}` (known: {known})", known = Format::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", "))]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "yaml" | "yml" => Ok(Format::Yaml),
            "toml" => Ok(Format::Toml),
            _ => Err(UnknownFormat(s.to_string())),
        }
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
        ];
        for (path, want) in cases {
            assert_eq!(Format::detect(Path::new(path)), want, "{path}");
        }
    }

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>().ok(), Some(*f));
        }
        assert!("xml2".parse::<Format>().is_err());
    }
}

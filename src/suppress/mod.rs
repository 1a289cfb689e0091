//! Suppressions: inline `goldenpath: ignore[...]` comments, `[[ignore]]` entries of
//! goldenpath.toml and baselines.
pub mod comments;
pub mod date;
pub mod directive;

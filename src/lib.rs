//! goldenpath: a policy-as-code linter for platform engineering.
//!
//! The pipeline, one module per stage: [`discover`] finds candidate files, [`parse`]
//! turns each into a [`document::Document`] that remembers spans, [`policy`] loads and
//! evaluates Rego policies and [`schema`] JSON Schema policies into [`finding::Finding`]s,
//! [`locate`] maps findings to lines and columns ([`locate::Diagnostic`]), [`suppress`]
//! applies the rule settings and suppressions (inline comments, `[[ignore]]`, baselines),
//! and [`report`] renders them. [`run`] is the only module that knows the whole pipeline. Settings are
//! typed values in [`options`]; [`config`] reads `goldenpath.toml` into a layer and
//! [`cli`] turns the command line into another, merged once (defaults < file < command
//! line).
//!
//! Where to add things:
//! - **A file format**: a parser module in `src/parse/` (text → [`document::Node`]s with
//!   spans), a variant of [`format::Format`] with its name and file-name detection in
//!   `src/format.rs`, and its arm in [`parse::parse_text`].
//! - **A built-in rule**: `policies/<area>/<slug>.rego` with its `# METADATA`, and
//!   `fixtures/pack/<ID>-<slug>/{pass,fail}/` with `expect.json`; `policies/README.md`
//!   is the contract and `tests/pack.rs` checks it.
//! - **A report format**: a module in `src/report/` rendering a [`report::Report`], a
//!   variant of [`report::OutputFormat`] and its arm in [`report::render`]. Text that
//!   comes from checked files (source lines, messages, paths) reaches a terminal only
//!   through [`report::snippet`] (`show_line`, `shown_text`), which escapes and windows it.
//! - **A setting**: a field of [`config::Layer`] (and `schemas/goldenpath.schema.json`
//!   for the file), a flag in `src/cli.rs` feeding [`cli::CheckArgs::layer`], and the
//!   typed value it resolves to in [`options`] (filled in [`config::Layer::settings`]).

#![forbid(unsafe_code)]

pub mod cache;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod confine;
pub mod context;
pub mod digest;
pub mod discover;
pub mod document;
pub mod finding;
pub mod format;
pub mod init;
pub mod locate;
pub mod options;
pub mod parse;
pub mod partial;
pub mod policy;
pub mod profile;
pub mod report;
pub mod run;
pub mod schema;
pub mod shard;
pub mod source_error;
pub mod suppress;
pub mod trace;
pub mod verify;

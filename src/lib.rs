//! goldenpath: a policy-as-code linter for platform engineering.
//!
//! The pipeline, one module per stage: [`discover`] finds candidate files, [`parse`] turns
//! each into a [`document::Document`] that remembers spans, [`policy`] loads and evaluates
//! Rego policies and [`schema`] JSON Schema policies into findings, [`locate`] maps findings to lines and columns, and
//! [`report`] renders them. [`config`] reads `goldenpath.toml` and merges it with the command line. [`run`] is the only module that knows the whole pipeline.

#![forbid(unsafe_code)]

pub mod catalog;
pub mod cli;
pub mod config;
pub mod discover;
pub mod document;
pub mod explain;
pub mod finding;
pub mod format;
pub mod init;
pub mod locate;
pub mod parse;
pub mod policy;
pub mod report;
pub mod run;
pub mod schema;
pub mod testing;

//! Errors that stop a run because a schema policy cannot be used. Each points at the
//! schema file, and at the offending place in it when there is one.

use crate::source_error::SourceError;

/// A schema mapping that cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SchemaError {
    /// The schema file could not be read.
    #[error("cannot read schema `{file}` (mapping `{id}`): {message}")]
    #[diagnostic(code(goldenpath::schema::read))]
    Read {
        /// The mapping's id.
        id: String,
        /// The schema file, as given.
        file: String,
        /// The I/O error.
        message: String,
    },
    /// The schema is not valid JSON, or not a valid JSON Schema, or a `$ref` in it
    /// cannot be resolved offline.
    /// (code `goldenpath::schema::invalid`)
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<SourceError>),
    /// A `files` glob of a mapping is not a valid pattern.
    #[error("invalid glob `{pattern}` in schema mapping `{id}`: {message}")]
    #[diagnostic(code(goldenpath::schema::glob))]
    Glob {
        /// The mapping's id.
        id: String,
        /// The pattern.
        pattern: String,
        /// Why.
        message: String,
    },
}

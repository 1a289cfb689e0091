//! Errors that stop a run because a schema policy cannot be used. Each points at the
//! schema file, and at the offending place in it when there is one.

use miette::{NamedSource, SourceSpan};

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
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidSchema>),
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

/// A schema file that does not parse, does not conform to its meta-schema, or refers to
/// something that cannot be resolved.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("schema `{file}` (mapping `{id}`): {message}")]
#[diagnostic(code(goldenpath::schema::invalid))]
pub struct InvalidSchema {
    /// The mapping's id.
    pub id: String,
    /// The schema file, as given.
    pub file: String,
    /// What is wrong.
    pub message: String,
    /// The schema's text.
    #[source_code]
    pub src: NamedSource<String>,
    /// Where, when known.
    #[label("here")]
    pub span: Option<SourceSpan>,
    /// A hint, when there is one.
    #[help]
    pub help: Option<String>,
}

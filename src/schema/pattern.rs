//! The `pattern` keyword, checked one pattern at a time.
//!
//! A pattern runs on fancy-regex with a backtracking limit. When a match reaches the
//! limit, jsonschema validates the document again under each possible outcome and keeps
//! only the errors every outcome shares: with several such patterns in one document, all
//! but one drop out of the report, and so can errors that depend on their outcome. Here
//! each `pattern` is its own small validator, so an unfinished match is decided where it
//! happens: its own finding ("could not be checked: its pattern needs too much
//! backtracking") at its own value, beside every other failing keyword. Inside `not`,
//! `anyOf` or `oneOf`, an unfinished match counts as a failed one.

use jsonschema::paths::Location;
use jsonschema::{Keyword, PatternOptions, ValidationError, Validator};
use serde_json::{Map, Value};

/// How many backtracking steps one `pattern` match may take.
pub const BACKTRACK_LIMIT: usize = 1_000_000;

/// The regex options every pattern is compiled with.
pub fn options() -> PatternOptions<jsonschema::FancyRegex> {
    PatternOptions::fancy_regex().backtrack_limit(BACKTRACK_LIMIT)
}

/// One `pattern` keyword: a validator holding only that pattern.
struct Pattern {
    validator: Validator,
}

impl<'i> Keyword<'i> for Pattern {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        self.validator.validate(instance)
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        self.validator.is_valid(instance)
    }
}

/// Compiles a `pattern` keyword whose value is `value` (for
/// `ValidationOptions::with_keyword`).
pub fn keyword<'a>(
    _parent: &'a Map<String, Value>,
    value: &'a Value,
    _path: Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let mut schema = Map::new();
    schema.insert("pattern".to_string(), value.clone());
    let validator = jsonschema::options()
        .with_pattern_options(options())
        .build(&Value::Object(schema))?;
    Ok(Box::new(Pattern { validator }))
}

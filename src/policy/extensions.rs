//! Host functions registered on the engine: the ones behind `data.conftest.file` and
//! `data.goldenpath.context`, the
//! builtins goldenpath refuses (network and environment access: a loud policy error
//! rather than a silent undefined), and bounded versions of the builtins that could
//! build an unbounded value from a few characters of policy.

use std::cell::RefCell;

use regorus::Value;

thread_local! {
    /// `data.conftest.file` for the file the current thread is evaluating.
    static CURRENT_FILE: RefCell<Value> = const { RefCell::new(Value::Null) };
    /// `data.goldenpath.context` for the file the current thread is evaluating.
    static CURRENT_CONTEXT: RefCell<Value> = const { RefCell::new(Value::Null) };
}

/// The largest array `numbers.range` and `numbers.range_step` may build.
pub const MAX_RANGE_ELEMENTS: u64 = 1_000_000;

/// Builtins that reach the network or the environment. OPA would make the call;
/// goldenpath is offline and deterministic, so calling one is a policy error naming it.
const REFUSED: &[(&str, u8, &str)] = &[
    ("http.send", 1, "network access is disabled in goldenpath"),
    (
        "net.lookup_ip_addr",
        1,
        "network access is disabled in goldenpath",
    ),
    // conftest's `opa.runtime()` carries the environment variables of the machine.
    (
        "opa.runtime",
        0,
        "environment access is disabled in goldenpath",
    ),
];

/// Sets what `data.conftest.file` is for evaluations on this thread.
pub(super) fn set_current_file(value: Value) {
    CURRENT_FILE.with(|f| *f.borrow_mut() = value);
}

/// Sets what `data.goldenpath.context` is for evaluations on this thread.
pub(super) fn set_current_context(value: Value) {
    CURRENT_CONTEXT.with(|c| *c.borrow_mut() = value);
}

/// Registers every host function on `engine`; conftest's builtins read files as `read`
/// says and find rule annotations in `metadata`.
pub(super) fn register(
    engine: &mut regorus::Engine,
    read: &super::config_builtins::ReadPolicy,
    metadata: &super::config_builtins::MetadataIndex,
) -> anyhow::Result<()> {
    super::config_builtins::register(engine, read, metadata)?;
    engine.add_extension(
        "__goldenpath_conftest_file".to_string(),
        1,
        Box::new(|_: Vec<Value>| Ok(CURRENT_FILE.with(|f| f.borrow().clone()))),
    )?;
    engine.add_extension(
        "__goldenpath_context".to_string(),
        1,
        Box::new(|_: Vec<Value>| Ok(CURRENT_CONTEXT.with(|c| c.borrow().clone()))),
    )?;
    for (name, arity, reason) in REFUSED {
        engine.add_extension(
            name.to_string(),
            *arity,
            Box::new(move |_: Vec<Value>| anyhow::bail!("{name}: {reason}")),
        )?;
    }
    engine.add_extension(
        "numbers.range".to_string(),
        2,
        Box::new(|args: Vec<Value>| range("numbers.range", &args, None)),
    )?;
    engine.add_extension(
        "numbers.range_step".to_string(),
        3,
        Box::new(|args: Vec<Value>| {
            let step = args.get(2).and_then(|s| s.as_i64().ok());
            match step {
                // OPA: a step that is not a positive integer is an error (undefined,
                // as builtin errors are not strict).
                Some(step) if step > 0 => range("numbers.range_step", &args, Some(step)),
                _ => Ok(Value::Undefined),
            }
        }),
    )?;
    super::repository::register(engine)
}

/// `numbers.range(a, b)` (step 1 either way) or `numbers.range_step(a, b, step)`
/// (counting from `a` towards `b`, never past it), refusing results over
/// [`MAX_RANGE_ELEMENTS`]. Operands that are not integers make it undefined, as OPA's
/// type error does when builtin errors are not strict.
fn range(name: &str, args: &[Value], step: Option<i64>) -> anyhow::Result<Value> {
    let (Some(from), Some(to)) = (
        args.first().and_then(|v| v.as_i64().ok()),
        args.get(1).and_then(|v| v.as_i64().ok()),
    ) else {
        return Ok(Value::Undefined);
    };
    let distance = (i128::from(to) - i128::from(from)).unsigned_abs();
    let step_size = step.map_or(1, |s| s.unsigned_abs());
    let count = distance / u128::from(step_size) + 1;
    if count > u128::from(MAX_RANGE_ELEMENTS) {
        anyhow::bail!(
            "{name}: {count} elements exceed goldenpath's limit of {MAX_RANGE_ELEMENTS} per call"
        );
    }
    let step = i128::from(step.map_or(1, i64::abs)) * if to < from { -1 } else { 1 };
    let values: Vec<Value> = (0..count)
        .filter_map(|i| i64::try_from(i128::from(from) + step * i as i128).ok())
        .map(Value::from)
        .collect();
    Ok(Value::from(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(v: &Value) -> Vec<i64> {
        match v {
            Value::Array(a) => a.iter().filter_map(|x| x.as_i64().ok()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn ranges_as_opa_builds_them() {
        let r = |a: i64, b: i64, step: Option<i64>| {
            range("numbers.range", &[Value::from(a), Value::from(b)], step).map(|v| ints(&v))
        };
        assert_eq!(r(1, 4, None).ok(), Some(vec![1, 2, 3, 4]));
        assert_eq!(r(3, 1, None).ok(), Some(vec![3, 2, 1]));
        assert_eq!(r(0, 10, Some(3)).ok(), Some(vec![0, 3, 6, 9]));
        assert_eq!(r(10, 0, Some(5)).ok(), Some(vec![10, 5, 0]));
        assert_eq!(r(5, 5, None).ok(), Some(vec![5]));
        let huge = r(1, 10_000_000_000, None);
        assert!(huge.is_err_and(|e| e.to_string().contains("limit of 1000000")));
        let float = range("numbers.range", &[Value::from(0.5), Value::from(2)], None);
        assert!(matches!(float, Ok(Value::Undefined)));
    }
}

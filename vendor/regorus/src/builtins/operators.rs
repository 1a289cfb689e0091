// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! The function forms of Rego's infix operators, which OPA also accepts as calls:
//! `plus(1, 2)` is `1 + 2`, `rem(7, 2)` is `7 % 2`, `and(a, b)` is `a & b`, `equal(a, b)`
//! is `a == b`. Each evaluates exactly as its operator does.

use crate::ast::{ArithOp, BoolOp, Expr, Ref};
use crate::builtins;
use crate::builtins::utils::ensure_args_count;
use crate::lexer::Span;
use crate::value::Value;

use anyhow::Result;

pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    m.insert("plus", (plus, 2));
    m.insert("minus", (minus, 2));
    m.insert("mul", (mul, 2));
    m.insert("div", (div, 2));
    m.insert("rem", (rem, 2));
    m.insert("and", (and, 2));
    m.insert("or", (or, 2));
    m.insert("equal", (equal, 2));
    m.insert("neq", (neq, 2));
    m.insert("lt", (lt, 2));
    m.insert("lte", (lte, 2));
    m.insert("gt", (gt, 2));
    m.insert("gte", (gte, 2));
}

fn arith(
    name: &'static str,
    op: ArithOp,
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    strict: bool,
) -> Result<Value> {
    ensure_args_count(span, name, params, args, 2)?;
    builtins::numbers::arithmetic_operation(
        span,
        &op,
        &params[0],
        &params[1],
        args[0].clone(),
        args[1].clone(),
        strict,
    )
}

fn plus(span: &Span, params: &[Ref<Expr>], args: &[Value], strict: bool) -> Result<Value> {
    arith("plus", ArithOp::Add, span, params, args, strict)
}

fn minus(span: &Span, params: &[Ref<Expr>], args: &[Value], strict: bool) -> Result<Value> {
    if matches!(args, [Value::Set(_), _] | [_, Value::Set(_)]) {
        ensure_args_count(span, "minus", params, args, 2)?;
        return builtins::sets::difference(
            &params[0],
            &params[1],
            args[0].clone(),
            args[1].clone(),
        );
    }
    arith("minus", ArithOp::Sub, span, params, args, strict)
}

fn mul(span: &Span, params: &[Ref<Expr>], args: &[Value], strict: bool) -> Result<Value> {
    arith("mul", ArithOp::Mul, span, params, args, strict)
}

fn div(span: &Span, params: &[Ref<Expr>], args: &[Value], strict: bool) -> Result<Value> {
    arith("div", ArithOp::Div, span, params, args, strict)
}

fn rem(span: &Span, params: &[Ref<Expr>], args: &[Value], strict: bool) -> Result<Value> {
    arith("rem", ArithOp::Mod, span, params, args, strict)
}

fn and(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    ensure_args_count(span, "and", params, args, 2)?;
    builtins::sets::intersection(&params[0], &params[1], args[0].clone(), args[1].clone())
}

fn or(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    ensure_args_count(span, "or", params, args, 2)?;
    builtins::sets::union(&params[0], &params[1], args[0].clone(), args[1].clone())
}

fn compare(
    name: &'static str,
    op: BoolOp,
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
) -> Result<Value> {
    ensure_args_count(span, name, params, args, 2)?;
    builtins::comparison::compare(&op, &args[0], &args[1])
}

fn equal(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    compare("equal", BoolOp::Eq, span, params, args)
}

fn neq(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    compare("neq", BoolOp::Ne, span, params, args)
}

fn lt(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    compare("lt", BoolOp::Lt, span, params, args)
}

fn lte(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    compare("lte", BoolOp::Le, span, params, args)
}

fn gt(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    compare("gt", BoolOp::Gt, span, params, args)
}

fn gte(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    compare("gte", BoolOp::Ge, span, params, args)
}

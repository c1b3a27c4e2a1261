"""Numeric functions: exact where cty is exact (512-bit ``big.Float``), float64 where cty is.

``abs``, ``ceil``, ``floor``, ``signum``, ``min``, ``max``, ``sum`` and ``range`` work on cty's
arbitrary-precision numbers, so here on :class:`~fractions.Fraction` (``sum`` and ``range``
round each step to 512 bits as ``big.Float`` does); ``log`` and ``pow`` go through Go's
``math`` package, i.e. float64, and so through Python's.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from orylint.terraform.functions._core import (
    EvaluationError,
    FunctionContext,
    Number,
    Value,
    big_float,
    fraction,
    from_fraction,
    function,
    sequence,
    to_number,
    to_string,
    whole,
)


def _exact(value: Value) -> Fraction:
    return fraction(to_number(value))


@function("abs", 1)
def _abs(args: list[Value], _: FunctionContext) -> Value:
    return from_fraction(abs(_exact(args[0])))


@function("ceil", 1)
def _ceil(args: list[Value], _: FunctionContext) -> Value:
    return math.ceil(_exact(args[0]))


@function("floor", 1)
def _floor(args: list[Value], _: FunctionContext) -> Value:
    return math.floor(_exact(args[0]))


@function("signum", 1)
def _signum(args: list[Value], _: FunctionContext) -> Value:
    value = whole(to_number(args[0]))  # cty converts to a Go int first
    return (value > 0) - (value < 0)


def _numbers(args: list[Value]) -> list[Fraction]:
    if not args:
        raise EvaluationError("must pass at least one number")
    return [_exact(argument) for argument in args]


@function("max", 0, None)
def _max(args: list[Value], _: FunctionContext) -> Value:
    return from_fraction(max(_numbers(args)))


@function("min", 0, None)
def _min(args: list[Value], _: FunctionContext) -> Value:
    return from_fraction(min(_numbers(args)))


@function("sum", 1)
def _sum(args: list[Value], _: FunctionContext) -> Value:
    items = sequence(args[0]) if not isinstance(args[0], dict) else list(args[0].values())
    if not items:
        raise EvaluationError("cannot sum an empty list")
    if any(item is None for item in items):
        raise EvaluationError("argument must be list, set, or tuple of number values")
    total = _exact(items[0])
    for item in items[1:]:
        total = big_float(total + _exact(item))
    return from_fraction(total)


def _float64(value: Value) -> float:
    number = to_number(value)
    try:
        return float(number)
    except OverflowError:
        return math.copysign(math.inf, number)


def _from_float64(value: float) -> Number:
    """A float64 result as cty holds it (``NumberFloatVal``); infinities cannot be known here."""
    if not math.isfinite(value):
        raise EvaluationError("the result is not a finite number")
    return int(value) if value.is_integer() else value


@function("log", 2)
def _log(args: list[Value], _: FunctionContext) -> Value:
    number, base = _float64(args[0]), _float64(args[1])
    try:
        return _from_float64(math.log(number) / math.log(base))
    except (ValueError, ZeroDivisionError) as error:
        raise EvaluationError("the result is not a finite number") from error


@function("pow", 2)
def _pow(args: list[Value], _: FunctionContext) -> Value:
    base, exponent = _float64(args[0]), _float64(args[1])
    try:
        return _from_float64(math.pow(base, exponent))
    except (ValueError, OverflowError) as error:
        raise EvaluationError("the result is not a finite number") from error


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SIGNED = re.compile(r"[+-]?[0-9a-zA-Z]+")


@function("parseint", 2)
def _parseint(args: list[Value], _: FunctionContext) -> Value:
    text = to_string(args[0])
    base = whole(to_number(args[1]), "base")
    if not 2 <= base <= 62:
        raise EvaluationError("base must be a whole number between 2 and 62 inclusive")
    if not _SIGNED.fullmatch(text):
        raise EvaluationError(f"cannot parse {text!r} as a base {base} integer")
    negative = text.startswith("-")
    result = 0
    for char in text.lstrip("+-"):
        # Go's big.Int: up to base 36 letters in either case, above it lower case first
        digit = _DIGITS.index(char.lower() if base <= 36 else char)
        if digit >= base:
            raise EvaluationError(f"cannot parse {text!r} as a base {base} integer")
        result = result * base + digit
    return -result if negative else result


MAX_RANGE = 1024


@function("range", 1, 3)
def _range(args: list[Value], _: FunctionContext) -> Value:
    numbers = [_exact(argument) for argument in args]
    if len(numbers) == 3:
        start, end, step = (big_float(number) for number in numbers)
    else:
        start, end = (Fraction(0), numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1])
        step = Fraction(-1 if end < start else 1)
    if step == 0:
        raise EvaluationError("step must not be zero")
    down = step < 0
    if down and end > start:
        raise EvaluationError("end must be less than start when step is negative")
    if not down and end < start:
        raise EvaluationError("end must be greater than start when step is positive")
    if abs(math.ceil((end - start) / step)) > MAX_RANGE:
        raise EvaluationError(f"more than {MAX_RANGE} values were generated")
    result: list[Value] = []
    value = start
    while (value > end) if down else (value < end):
        result.append(from_fraction(value))
        value = big_float(value + step)
    return result

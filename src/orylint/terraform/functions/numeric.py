"""Numeric functions: exact where cty is exact (512-bit ``big.Float``), float64 where cty is.

``abs``, ``ceil``, ``floor``, ``signum``, ``min``, ``max``, ``sum`` and ``range`` work on cty's
arbitrary-precision numbers, so here on :class:`~fractions.Fraction` (``sum`` and ``range``
round each step to 512 bits as ``big.Float`` does); ``log`` and ``pow`` go through Go's
``math`` package, i.e. float64, and so through Python's.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

from orylint.terraform.functions._core import (
    MAX_INTEGER_BITS,
    EvaluationError,
    FunctionContext,
    Number,
    Value,
    big_float,
    check_integer,
    fraction,
    from_fraction,
    function,
    go_int,
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
    value = go_int(to_number(args[0]))  # cty converts to a Go int first
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
    items = sequence(args[0])
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
    if value.is_integer():
        # cty prints a float64 with its shortest digits: 1e308 is not 2**1023's expansion
        return int(Decimal(repr(value)))
    return value


# Go's math.Log is fdlibm's algorithm, not the C library's: the last bit can differ from
# Python's math.log (log(27, 3) is 3.0000000000000004 in Terraform). The constants are fdlibm's.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LG = (
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
)


def go_log(x: float) -> float:
    """Go's ``math.Log``."""
    if math.isnan(x) or x == math.inf:
        return x
    if x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    f1, ki = math.frexp(x)
    if f1 < math.sqrt(2) / 2:
        f1 *= 2
        ki -= 1
    f = f1 - 1
    k = float(ki)
    s = f / (2 + f)
    s2 = s * s
    s4 = s2 * s2
    t1 = s2 * (_LG[0] + s4 * (_LG[2] + s4 * (_LG[4] + s4 * _LG[6])))
    t2 = s4 * (_LG[1] + s4 * (_LG[3] + s4 * _LG[5]))
    r = t1 + t2
    hfsq = 0.5 * f * f
    return k * _LN2_HI - ((hfsq - (s * (hfsq + r) + k * _LN2_LO)) - f)


def go_pow(x: float, y: float) -> float:
    """Go's ``math.Pow`` for finite arguments (Python's ``**`` rounds ``pow(10, 308)`` otherwise).

    Integral exponents go by repeated squaring; a fractional part by ``Exp(yf*Log(x))``. Go's
    ``Exp`` on amd64 is assembly whose last bit depends on the CPU having FMA; Python's
    ``math.exp`` stands in for it, so fractional exponents may differ in the last bit.
    """
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if x == 0:
        odd = y == int(y) and int(y) % 2 == 1
        if y < 0:
            return -math.inf if math.copysign(1, x) < 0 and odd else math.inf
        return x if math.copysign(1, x) < 0 and odd else 0.0
    if y in (0.5, -0.5):
        if x < 0:
            return math.nan
        return math.sqrt(x) if y > 0 else 1 / math.sqrt(x)
    yf, yi = math.modf(abs(y))
    if yf != 0 and x < 0:
        return math.nan
    if yi >= 2**63:
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else math.inf
    a1 = 1.0
    ae = 0
    if yf != 0:
        if yf > 0.5:
            yf -= 1
            yi += 1
        try:
            a1 = math.exp(yf * go_log(x))
        except OverflowError:
            a1 = math.inf
    x1, xe = math.frexp(x)
    i = int(yi)
    while i != 0:
        if xe < -(1 << 12) or xe > (1 << 12):
            ae += xe
            break
        if i & 1 == 1:
            a1 *= x1
            ae += xe
        x1 *= x1
        xe <<= 1
        if x1 < 0.5:
            x1 += x1
            xe -= 1
        i >>= 1
    if y < 0:
        a1 = 1 / a1
        ae = -ae
    try:
        return math.ldexp(a1, ae)
    except OverflowError:
        return math.copysign(math.inf, a1)


@function("log", 2)
def _log(args: list[Value], _: FunctionContext) -> Value:
    number, base = _float64(args[0]), _float64(args[1])
    denominator = go_log(base)
    if denominator == 0 or math.isnan(denominator):
        raise EvaluationError("the result is not a finite number")
    return _from_float64(go_log(number) / denominator)


@function("pow", 2)
def _pow(args: list[Value], _: FunctionContext) -> Value:
    return _from_float64(go_pow(_float64(args[0]), _float64(args[1])))


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SIGNED = re.compile(r"[+-]?[0-9a-zA-Z]+")


@function("parseint", 2)
def _parseint(args: list[Value], _: FunctionContext) -> Value:
    text = to_string(args[0])
    base = whole(to_number(args[1]), "base")
    if not 2 <= base <= 62:
        raise EvaluationError("base must be a whole number between 2 and 62 inclusive")
    if len(text) > MAX_INTEGER_BITS:
        raise EvaluationError("number too large to evaluate")
    if not _SIGNED.fullmatch(text):
        raise EvaluationError(f"cannot parse the string as a base {base} integer")
    negative = text.startswith("-")
    result = 0
    for char in text.lstrip("+-"):
        # Go's big.Int: up to base 36 letters in either case, above it lower case first
        digit = _DIGITS.index(char.lower() if base <= 36 else char)
        if digit >= base:
            raise EvaluationError(f"cannot parse the string as a base {base} integer")
        result = result * base + digit
    return check_integer(-result if negative else result)


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

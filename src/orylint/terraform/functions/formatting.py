"""``format`` and ``formatlist``: cty's printf, verb by verb.

cty scans the format string itself (flags, ``[n]`` argument index, width, precision, a letter)
and formats each verb: ``%v`` by type (strings as they are, numbers as ``big.Float`` ``%g`` with
the shortest digits, anything else as JSON), ``%#v`` as JSON, ``%s``/``%q`` after converting to a
string (width and precision in grapheme clusters), ``%t`` after converting to bool, and the
number verbs through Go's ``fmt`` on a ``big.Int`` (``%d %b %o %x %X``) or a 512-bit
``big.Float`` (``%e %E %f %g %G``). The digits here come from the exact binary value rounded half
to even, as Go's ``big`` package produces them, so ``format("%.2f", 2.675)`` is ``2.67``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from orylint.golang import gojson
from orylint.terraform.functions._core import (
    MAX_RESULT,
    EvaluationError,
    FunctionContext,
    Value,
    big_float,
    check_size,
    fraction,
    function,
    is_number,
    nfc,
    to_bool,
    to_number,
    to_string,
)
from orylint.terraform.functions.strings import graphemes

_FLAGS = "0#-+ "
_MAX_WIDTH = 10_000


@dataclass
class _Verb:
    raw: str
    offset: int
    arg: int
    mode: str = ""
    zero: bool = False
    sharp: bool = False
    minus: bool = False
    plus: bool = False
    space: bool = False
    width: int | None = None
    precision: int | None = None


def format_string(pattern: str, args: list[Value]) -> str:
    """The formatted string (cty's ``formatFSM``), or an :class:`EvaluationError`."""
    out: list[str] = []
    index = 0
    next_arg = 1
    size = 0
    while index < len(pattern):
        char = pattern[index]
        if char != "%":
            out.append(char)
            index += 1
            continue
        if pattern.startswith("%%", index):
            out.append("%")
            index += 2
            continue
        verb, index = _scan(pattern, index, next_arg)
        piece = _append(verb, args)
        size += len(piece)
        check_size(size)
        out.append(piece)
        next_arg = verb.arg + 1
    if next_arg - 1 < len(args):
        raise EvaluationError(f"too many arguments; only {next_arg - 1} used by format string")
    return nfc("".join(out))


def _scan(pattern: str, start: int, next_arg: int) -> tuple[_Verb, int]:
    verb = _Verb(raw="", offset=start, arg=next_arg)
    index = start + 1
    while index < len(pattern) and pattern[index] in _FLAGS:
        setattr(verb, {"0": "zero", "#": "sharp", "-": "minus", "+": "plus", " ": "space"}[
            pattern[index]], True)  # fmt: skip
        index += 1
    if pattern.startswith("[", index):
        end = pattern.find("]", index)
        digits = pattern[index + 1 : end] if end > 0 else ""
        if not (digits.isascii() and digits.isdigit() and not digits.startswith("0")):
            raise _invalid(pattern, index)
        verb.arg = int(digits)
        index = end + 1
    width_start = index
    while index < len(pattern) and pattern[index].isascii() and pattern[index].isdigit():
        index += 1
    if index > width_start:
        verb.width = int(pattern[width_start:index])
    if pattern.startswith(".", index):
        index += 1
        precision_start = index
        while index < len(pattern) and pattern[index].isascii() and pattern[index].isdigit():
            index += 1
        verb.precision = int(pattern[precision_start:index] or "0")
    if index >= len(pattern):
        raise EvaluationError(f"invalid format string starting at offset {start}")
    mode = pattern[index]
    if not (mode.isascii() and mode.isalpha()):
        raise _invalid(pattern, index)
    if (verb.width or 0) > _MAX_WIDTH or (verb.precision or 0) > _MAX_WIDTH:
        raise EvaluationError("width or precision too large")
    verb.mode = mode
    verb.raw = pattern[start : index + 1]
    return verb, index + 1


def _invalid(pattern: str, index: int) -> EvaluationError:
    return EvaluationError(f"unrecognized format character {pattern[index]!r} at offset {index}")


def _append(verb: _Verb, args: list[Value]) -> str:
    if verb.arg > len(args):
        raise EvaluationError(
            f"not enough arguments for {verb.raw!r} at {verb.offset}: need index {verb.arg} "
            f"but have {len(args)} total"
        )
    arg = args[verb.arg - 1]
    if verb.mode != "v" and arg is None:
        raise EvaluationError(f"unsupported value for {verb.raw!r}: null value cannot be formatted")
    if verb.mode == "v":
        return _as_is(verb, arg)
    if verb.mode == "t":
        return "true" if to_bool(arg) else "false"
    if verb.mode in "bdoxX":
        return _integer(verb, fraction(to_number(arg)))
    if verb.mode in "eEfgG":
        return _float(verb, to_number(arg))
    if verb.mode in "sq":
        return _string(verb, to_string(arg))
    raise EvaluationError(f"unsupported format verb {verb.mode!r} in {verb.raw!r}")


def _pad(verb: _Verb, text: str) -> str:
    """Pad to the width in grapheme clusters (``formatPadWidth``); ``0`` pads with zeros."""
    if verb.width is None:
        return text
    missing = verb.width - len(graphemes(text))
    if missing <= 0:
        return text
    pad = ("0" if verb.zero else " ") * missing
    return text + pad if verb.minus else pad + text


def _as_is(verb: _Verb, arg: Value) -> str:
    if not verb.sharp and arg is not None:
        if isinstance(arg, str):
            return _pad(verb, arg)
        if is_number(arg):
            assert isinstance(arg, int | float)
            return _pad(verb, _shortest_g(arg))
    try:
        return _pad(verb, gojson.marshal(arg, exact=True))
    except (TypeError, ValueError) as error:
        raise EvaluationError(f"unsupported value for {verb.raw!r}") from error


def _string(verb: _Verb, text: str) -> str:
    if verb.precision is not None and verb.precision > 0:
        text = "".join(graphemes(text)[: verb.precision])
    if verb.mode == "q":
        text = gojson.marshal(text)
    return _pad(verb, text)


# --------------------------------------------------------------------------
# Numbers: Go's big.Int and big.Float formatting
# --------------------------------------------------------------------------


def _sign(verb: _Verb, negative: bool) -> str:
    if negative:
        return "-"
    if verb.plus:
        return "+"
    return " " if verb.space else ""


def _integer(verb: _Verb, value: Fraction) -> str:
    if value.denominator != 1:
        raise EvaluationError(f"unsupported value for {verb.raw!r}: an integer is required")
    number = int(value)
    if abs(number).bit_length() > 100_000:
        raise EvaluationError("number too large to format")
    base = {"b": 2, "d": 10, "o": 8, "x": 16, "X": 16}[verb.mode]
    digits = _in_base(abs(number), base)
    if verb.mode == "X":
        digits = digits.upper()
    prefix = ""
    if verb.sharp:
        prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb.mode, "")
    sign = _sign(verb, number < 0)
    zeros = 0
    if verb.precision is not None:
        if len(digits) < verb.precision:
            zeros = verb.precision - len(digits)
        elif digits == "0" and verb.precision == 0:
            return ""  # Go prints nothing at all for zero with precision 0
    length = len(sign) + len(prefix) + zeros + len(digits)
    left = right = 0
    if verb.width is not None and length < verb.width:
        missing = verb.width - length
        if verb.minus:
            right = missing
        elif verb.zero and verb.precision is None:
            zeros = missing
        else:
            left = missing
    return " " * left + sign + prefix + "0" * zeros + digits + " " * right


def _in_base(number: int, base: int) -> str:
    if base == 10:
        return str(number)
    if base == 16:
        return format(number, "x")
    if base == 8:
        return format(number, "o")
    return format(number, "b")


@dataclass
class _Decimal:
    """Go's ``big.decimal``: value = 0.mant * 10**exp, ``mant`` without trailing zeros."""

    mant: str
    exp: int

    @classmethod
    def exact(cls, value: Fraction) -> _Decimal:
        """The exact decimal expansion of a dyadic rational (a ``big.Float``)."""
        value = abs(value)
        if value == 0:
            return cls("", 0)
        shift = value.denominator.bit_length() - 1  # denominator is 2**shift
        digits = str(value.numerator * 5**shift)
        exp = len(digits) - shift
        return cls(digits.rstrip("0"), exp)

    @classmethod
    def shortest(cls, value: int | float) -> _Decimal:
        """The shortest digits that read back as the value (its literal, for literals)."""
        text = str(abs(value)) if isinstance(value, int) else repr(abs(value))
        _, digits, exponent = Decimal(text).normalize().as_tuple()
        mant = "".join(map(str, digits)).lstrip("0")
        if not mant:
            return cls("", 0)
        assert isinstance(exponent, int)
        return cls(mant.rstrip("0"), len(mant) + exponent)

    def round(self, n: int) -> None:
        if n < 0 or n >= len(self.mant):
            return
        if self.mant[n] == "5" and n + 1 == len(self.mant):
            up = n > 0 and int(self.mant[n - 1]) % 2 == 1
        else:
            up = self.mant[n] >= "5"
        if not up:
            self.mant = self.mant[:n].rstrip("0")
            return
        while n > 0 and self.mant[n - 1] == "9":
            n -= 1
        if n == 0:
            self.mant = "1"
            self.exp += 1
            return
        self.mant = self.mant[: n - 1] + str(int(self.mant[n - 1]) + 1)

    def digit(self, index: int) -> str:
        return self.mant[index] if 0 <= index < len(self.mant) else "0"


def _fmt_e(d: _Decimal, precision: int, mode: str) -> str:
    out = d.digit(0)
    if precision > 0:
        out += "." + "".join(d.digit(i) for i in range(1, precision + 1))
    exp = d.exp - 1 if d.mant else 0
    return f"{out}{mode}{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _fmt_f(d: _Decimal, precision: int) -> str:
    out = "".join(d.digit(i) for i in range(d.exp)) if d.exp > 0 else "0"
    if precision > 0:
        out += "." + "".join(d.digit(d.exp + i) for i in range(precision))
    return out


def _digits(d: _Decimal, mode: str, precision: int, shortest: bool) -> str:
    """big.Float's ``Append`` after rounding: ``%e``, ``%f`` or ``%g`` of ``d``."""
    if mode in "eE":
        return _fmt_e(d, precision, mode)
    if mode == "f":
        return _fmt_f(d, precision)
    eprec = precision
    if eprec > len(d.mant) >= d.exp:
        eprec = len(d.mant)
    if shortest:
        eprec = 6
    exp = d.exp - 1
    if exp < -4 or exp >= eprec:
        precision = min(precision, len(d.mant))
        return _fmt_e(d, precision - 1, "e" if mode == "g" else "E")
    if precision > d.exp:
        precision = len(d.mant)
    return _fmt_f(d, max(precision - d.exp, 0))


def _shortest_g(value: int | float) -> str:
    """``big.Float.Text('g', -1)``: what ``%v`` prints for a number."""
    d = _Decimal.shortest(value)
    text = _digits(d, "g", len(d.mant), shortest=True)
    return ("-" if value < 0 else "") + text


def _float(verb: _Verb, value: int | float) -> str:
    mode = verb.mode
    precision = verb.precision
    exact = big_float(fraction(value))
    if mode in "gG" and precision is None:
        d = _Decimal.shortest(value)
        text = _digits(d, mode, len(d.mant), shortest=True)
    else:
        if precision is None:
            precision = 6
        if precision > _MAX_WIDTH:
            raise EvaluationError("precision too large")
        d = _Decimal.exact(exact)
        if mode in "eE":
            d.round(1 + precision)
        elif mode == "f":
            d.round(d.exp + precision)
        else:
            precision = precision or 1
            d.round(precision)
        text = _digits(d, mode, precision, shortest=False)
    if len(text) > MAX_RESULT:
        raise EvaluationError("result too large to evaluate")
    sign = _sign(verb, exact < 0)
    if verb.width is None or verb.width <= len(sign) + len(text):
        return sign + text
    padding = verb.width - len(sign) - len(text)
    if verb.minus:
        return sign + text + " " * padding
    if verb.zero:
        return sign + "0" * padding + text
    return " " * padding + sign + text


@function("format", 1, None, allow_null=True)
def _format(args: list[Value], _: FunctionContext) -> Value:
    if args[0] is None:
        raise EvaluationError("argument must not be null")
    return format_string(to_string(args[0]), args[1:])


@function("formatlist", 1, None, allow_null=True)
def _formatlist(args: list[Value], _: FunctionContext) -> Value:
    if args[0] is None:
        raise EvaluationError("argument must not be null")
    pattern = to_string(args[0])
    rest = args[1:]
    length: int | None = None
    for position, argument in enumerate(rest):
        if isinstance(argument, list):
            if length is None:
                length = len(argument)
            elif len(argument) != length:
                raise EvaluationError(
                    f"argument {position + 1} has length {len(argument)}, which is inconsistent "
                    f"with the other lists of length {length}"
                )
    if length is None:
        return [format_string(pattern, rest)]
    check_size(length)
    return [
        format_string(pattern, [arg[index] if isinstance(arg, list) else arg for arg in rest])
        for index in range(length)
    ]

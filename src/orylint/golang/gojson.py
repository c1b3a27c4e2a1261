"""Go's ``encoding/json`` and Terraform's ``jsonencode``, for values that cross into Go.

Why this module exists: the provider decodes ``metadata`` and ``jwks`` with Go's
``json.Unmarshal`` and writes ``metadata`` back with ``json.Marshal``; Terraform's ``jsonencode``
writes numbers exactly and escapes HTML characters. Python's ``json`` differs in the corners that
decide a finding: it accepts ``NaN`` and ``Infinity``, keeps lone surrogate escapes, recurses (so a
deeply nested document raises ``RecursionError``), and writes floats in its own notation. Rules
and loaders use only this module for JSON that Go or Terraform reads or writes.

Decoding follows ``json.Unmarshal`` into ``interface{}``: numbers become :class:`JSONNumber`
(float64 for Go, the exact text kept so that precision loss can be detected), nesting deeper than
Go's limit of 10000 is an error, invalid surrogate escapes become U+FFFD, and the decoder is
iterative, so no input can exhaust Python's stack. Encoding follows ``json.Marshal`` (numbers as
float64) or, with ``exact``, Terraform's ``jsonencode`` (numbers as exact decimals). Both sort
object keys, write no whitespace and escape ``<``, ``>``, ``&``, U+2028 and U+2029.
"""

from __future__ import annotations

import decimal
import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "MAX_DEPTH",
    "GoJSONError",
    "JSONNumber",
    "exact_number",
    "go_float",
    "loses_precision",
    "marshal",
    "respell_numbers",
    "unmarshal",
]

MAX_DEPTH = 10000
"""Go's ``encoding/json`` refuses documents nested deeper than this (``maxNestingDepth``)."""


class GoJSONError(ValueError):
    """Text that Go's ``json.Unmarshal`` rejects; ``str(error)`` is Go's reason.

    ``offset`` is the 0-based character offset of a syntax error, ``None`` for errors that are
    not about one position (a number that does not fit a float64).
    """

    def __init__(self, reason: str, text: str = "", offset: int | None = None) -> None:
        if offset is not None:
            line = text.count("\n", 0, offset) + 1
            column = offset - (text.rfind("\n", 0, offset) + 1) + 1
            reason = f"{reason} at line {line} column {column}"
        super().__init__(reason)
        self.offset = offset


@dataclass(frozen=True)
class JSONNumber:
    """A decoded number: Go holds it as a float64; ``exact`` is what the text said."""

    exact: Decimal


# --------------------------------------------------------------------------
# Decoding (json.Unmarshal into interface{})
# --------------------------------------------------------------------------

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DIGITS = re.compile(r"[0-9]+")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_LITERALS: dict[str, object] = {"true": True, "false": False, "null": None}

_Container = list[object] | dict[str, object]


def unmarshal(text: str) -> object:
    """Decode like Go's ``json.Unmarshal`` into ``interface{}``.

    Returns ``dict``, ``list``, ``str``, ``bool``, ``None`` or :class:`JSONNumber`.

    Raises:
        GoJSONError: with Go's reason, for anything Go rejects: syntax errors (reported before
            any number error, as Go validates the whole text first), ``NaN``/``Infinity``,
            numbers outside float64, and nesting deeper than :data:`MAX_DEPTH`.

    """
    return _Decoder(text).document()


class _Decoder:
    """A single pass over the text with an explicit stack instead of recursion."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.number_error: str | None = None

    def document(self) -> object:
        value = self.value_tree()
        self.skip_whitespace()
        if self.pos < len(self.text):
            raise self.error("after top-level value")
        if self.number_error is not None:
            raise GoJSONError(self.number_error)
        return value

    def value_tree(self) -> object:
        stack: list[_Container] = []
        keys: list[str] = []
        while True:
            value, opened = self.begin_value(len(stack))
            if opened is not None:
                stack.append(opened)
                if isinstance(opened, dict):
                    keys.append(self.object_key())
                continue
            while True:  # attach the finished value, closing every container it completes
                if not stack:
                    return value
                container = stack[-1]
                if isinstance(container, dict):
                    container[keys[-1]] = value
                else:
                    container.append(value)
                if not self.after_element(container, keys):
                    break
                value = stack.pop()
                if isinstance(value, dict):
                    keys.pop()

    def begin_value(self, depth: int) -> tuple[object, _Container | None]:
        """Read a scalar or an empty container, or open a container (returned second)."""
        self.skip_whitespace()
        char = self.peek()
        if char not in "{[":
            return self.scalar(char), None
        if depth + 1 > MAX_DEPTH:
            raise GoJSONError("exceeded max depth", self.text, self.pos)
        self.pos += 1
        self.skip_whitespace()
        closer = "}" if char == "{" else "]"
        if self.peek() == closer:
            self.pos += 1
            return ({} if char == "{" else []), None
        return None, ({} if char == "{" else [])

    def after_element(self, container: _Container, keys: list[str]) -> bool:
        """Consume ``,`` (False: another element follows) or the closer (True: closed)."""
        self.skip_whitespace()
        is_object = isinstance(container, dict)
        where = "after object key:value pair" if is_object else "after array element"
        char = self.peek()
        if char == ",":
            self.pos += 1
            if is_object:
                keys[-1] = self.object_key()
            return False
        if char == ("}" if is_object else "]"):
            self.pos += 1
            return True
        raise self.error(where)

    def object_key(self) -> str:
        self.skip_whitespace()
        if self.peek() != '"':
            raise self.error("looking for beginning of object key string")
        key = self.string()
        self.skip_whitespace()
        if self.peek() != ":":
            raise self.error("after object key")
        self.pos += 1
        return key

    def scalar(self, char: str) -> object:
        if char == '"':
            return self.string()
        if char == "-" or "0" <= char <= "9":
            return self.number()
        for literal, value in _LITERALS.items():
            if char == literal[0]:
                for expected in literal[1:]:
                    self.pos += 1
                    where = f"in literal {literal} (expecting {_quote_char(expected)})"
                    if self.peek() != expected:
                        raise self.error(where)
                self.pos += 1
                return value
        raise self.error("looking for beginning of value")

    def number(self) -> JSONNumber:
        start = self.pos
        match = _INTEGER.match(self.text, start)
        if match is None:  # a "-" without a digit
            self.pos += 1
            self.peek()
            raise self.error("in numeric literal")
        end = match.end()
        if self.text.startswith(".", end):
            self.pos = end + 1
            digits = _DIGITS.match(self.text, self.pos)
            if digits is None:
                self.peek()
                raise self.error("after decimal point in numeric literal")
            end = digits.end()
        if self.text.startswith(("e", "E"), end):
            self.pos = end + 1
            if self.text.startswith(("+", "-"), self.pos):
                self.pos += 1
            digits = _DIGITS.match(self.text, self.pos)
            if digits is None:
                self.peek()
                raise self.error("in exponent of numeric literal")
            end = digits.end()
        self.pos = end
        token = self.text[start:end]
        exact = Decimal(token)
        if self.number_error is None and math.isinf(float(exact)):
            shown = token if len(token) <= 40 else token[:39] + "…"
            self.number_error = f"number {shown} does not fit a float64"
        return JSONNumber(exact)

    def string(self) -> str:
        text = self.text
        self.pos += 1  # the opening quote
        parts: list[str] = []
        while True:
            match = _PLAIN.match(text, self.pos)
            assert match is not None  # the pattern matches the empty string
            parts.append(_SURROGATE.sub("\ufffd", match.group()))  # invalid UTF-8 for Go
            self.pos = match.end()
            char = self.peek()
            if char == '"':
                self.pos += 1
                return "".join(parts)
            if char != "\\":
                raise self.error("in string literal")
            self.pos += 1
            escape = self.peek()
            if escape in _ESCAPES:
                parts.append(_ESCAPES[escape])
                self.pos += 1
            elif escape == "u":
                parts.append(self.unicode_escape())
            else:
                raise self.error("in string escape code")

    def unicode_escape(self) -> str:
        r"""``\uXXXX`` (the ``u`` under ``pos``), with Go's handling of surrogates."""
        code = self.hex4()
        if not 0xD800 <= code <= 0xDFFF:
            return chr(code)
        if code <= 0xDBFF and self.text.startswith("\\u", self.pos):
            low = _HEX4.match(self.text, self.pos + 2)
            if low is not None and 0xDC00 <= int(low.group(), 16) <= 0xDFFF:
                self.pos = low.end()
                return chr(0x10000 + ((code - 0xD800) << 10) + (int(low.group(), 16) - 0xDC00))
        return "\ufffd"  # Go decodes an unpaired surrogate as the replacement character

    def hex4(self) -> int:
        self.pos += 1  # the "u"
        for _ in range(4):
            if self.peek() not in "0123456789abcdefABCDEF":
                raise self.error("in \\u hexadecimal character escape")
            self.pos += 1
        return int(self.text[self.pos - 4 : self.pos], 16)

    def skip_whitespace(self) -> None:
        match = _WHITESPACE.match(self.text, self.pos)
        assert match is not None
        self.pos = match.end()

    def peek(self) -> str:
        """The character under ``pos``; at the end, Go's "unexpected end" error."""
        if self.pos >= len(self.text):
            raise GoJSONError("unexpected end of JSON input")
        return self.text[self.pos]

    def error(self, where: str) -> GoJSONError:
        char = self.text[self.pos]
        return GoJSONError(f"invalid character {_quote_char(char)} {where}", self.text, self.pos)


def _quote_char(char: str) -> str:
    """Go's ``quoteChar``: ``'x'`` with Go escapes for quotes and control characters."""
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    quoted = json.dumps(char)
    return "'" + quoted[1:-1] + "'"


# --------------------------------------------------------------------------
# Encoding (json.Marshal, Terraform's jsonencode)
# --------------------------------------------------------------------------


class _Raw(str):
    """Already-encoded text on the encoder's stack (a plain ``str`` would be a JSON string)."""

    __slots__ = ()


def marshal(value: object, *, exact: bool = False) -> str:
    """Encode compactly with sorted keys and Go's escaping.

    Without ``exact`` numbers go through float64, as Go's ``json.Marshal`` of a decoded value
    writes them (the provider's read-back of ``metadata``). With ``exact`` they keep their decimal
    value without exponent, as Terraform's ``jsonencode`` writes them. Accepts what
    :func:`unmarshal` returns and plain Python ``int``/``float`` values (HCL literals).

    Raises:
        TypeError: for a value that is not JSON data.
        ValueError: for a float that is not finite.

    """
    out: list[str] = []
    pending: list[object] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, _Raw):
            out.append(item)
        elif isinstance(item, list | tuple):
            out.append("[")
            pending.append(_Raw("]"))
            for index in range(len(item) - 1, -1, -1):
                pending.append(item[index])
                if index:
                    pending.append(_Raw(","))
        elif isinstance(item, dict):
            out.append("{")
            pending.append(_Raw("}"))
            keys = sorted(item)
            for index in range(len(keys) - 1, -1, -1):
                pending.append(item[keys[index]])
                pending.append(_Raw(("," if index else "") + _string(keys[index]) + ":"))
        else:
            out.append(_scalar(item, exact=exact))
    return "".join(out)


def _scalar(value: object, *, exact: bool) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, JSONNumber):
        return exact_number(value.exact) if exact else go_float(float(value.exact))
    if isinstance(value, int):
        return str(value) if exact else go_float(float(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"JSON has no {value}")
        return exact_number(Decimal(repr(value))) if exact else go_float(value)
    raise TypeError(f"not JSON data: {value!r}")


def _string(text: str) -> str:
    """Go's string encoding: HTML characters, U+2028/U+2029 escaped, invalid UTF-8 as U+FFFD."""
    encoded = json.dumps(_SURROGATE.sub("\ufffd", text), ensure_ascii=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        encoded = encoded.replace(char, escaped)
    return encoded


def exact_number(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: ``1e3`` and ``1000.0`` are both ``1000``."""
    if value == 0:
        return "0"
    digits = len(value.as_tuple().digits)
    return format(value.normalize(decimal.Context(prec=max(28, digits))), "f")


def go_float(number: float) -> str:
    """Go's float64 JSON form: shortest round-trip digits, exponent only below 1e-6 or from 1e21."""
    if number == 0:
        return "-0" if math.copysign(1.0, number) < 0 else "0"
    sign = "-" if number < 0 else ""
    magnitude = abs(number)
    exact = Decimal(repr(magnitude)).normalize()
    if 1e-6 <= magnitude < 1e21:
        return sign + format(exact, "f")
    digits = "".join(str(digit) for digit in exact.as_tuple().digits)
    exponent = int(exact.as_tuple().exponent) + len(digits) - 1
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    if exponent < 0:
        suffix = f"e-{-exponent}" if exponent > -10 else f"e-{-exponent:02d}"
    else:
        suffix = f"e+{exponent:02d}"
    return sign + mantissa + suffix


def loses_precision(value: object) -> bool:
    """Whether a decoded number changes in float64 (big integers, long decimals)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, JSONNumber):
            if Decimal(go_float(float(item.exact))) != item.exact:
                return True
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
    return False


_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def respell_numbers(text: str) -> str:
    """``text`` with each number written as :func:`exact_number` does and everything else kept.

    Compares JSON written by ``jsonencode`` with what :func:`marshal` produces in ``exact`` mode
    without caring how the configuration spelled its numbers (``1e3`` and ``1000``).
    """
    out: list[str] = []
    index = 0
    in_string = False
    while index < len(text):
        char = text[index]
        if in_string:
            out.append(char)
            if char == "\\":
                out.append(text[index + 1 : index + 2])
                index += 2
                continue
            if char == '"':
                in_string = False
            index += 1
            continue
        if char == '"':
            in_string = True
            out.append(char)
            index += 1
            continue
        match = _NUMBER.match(text, index)
        if match:
            out.append(exact_number(Decimal(match.group(0))))
            index = match.end()
            continue
        out.append(char)
        index += 1
    return "".join(out)

"""What every function family shares: the registry, errors, numbers, and cty's type conversions.

Terraform's functions are cty functions: each parameter has a type, an argument is converted to
it with cty's *unsafe* conversions (``"1"`` becomes the number 1, ``true`` the string
``"true"``), and a tuple of mixed element types becomes a list only when the element types
*unify* to one of them. orylint's value model (:mod:`orylint.terraform.values`) keeps plain Python
values and no types, so this module infers a value's type (:func:`type_of`), unifies types as cty
does (:func:`unify`) and converts values (:func:`convert`). The type-constraint helper
(``terraform/types.py``) implements the same conversions for variable types; the two should
merge into one once both are on main.

Numbers: cty numbers are ``big.Float`` with 512 bits of mantissa. Values here are ``int`` when
integral, else ``float``; arithmetic goes through :class:`fractions.Fraction` of the decimal a
float was written as (``0.1`` is one tenth, not the float64 nearest to it), so ``sum([0.1, 0.2])``
is ``0.3`` as in Terraform. Where Terraform's 512-bit rounding shows in a result (``range(0, 1,
0.3)`` ends in ``0.9000…0004``), the float nearest to Terraform's number is returned.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from orylint.golang import gojson
from orylint.terraform.values import Sensitive, TfSet

Value = object
"""A Terraform value in orylint's value model (see :mod:`orylint.terraform.values`)."""


class EvaluationError(ValueError):
    """A call Terraform would fail (wrong type, out-of-range index); the caller gets Unknown."""


class FunctionContext(Protocol):
    """What file functions need from the evaluator.

    ``module_dir`` is the directory of the module being evaluated (``path.module``): files are read
    relative to it. ``render_template`` renders a template string with variables, for
    ``templatefile``; ``None`` makes ``templatefile`` Unknown.
    """

    @property
    def module_dir(self) -> str | None:
        """The directory files are read relative to, or None when there is none."""
        ...

    @property
    def render_template(self) -> Callable[[str, Mapping[str, Value]], Value] | None:
        """The evaluator's template renderer, or None."""
        ...


@dataclass(frozen=True)
class Context:
    """A ready-made :class:`FunctionContext`."""

    module_dir: str | None = None
    render_template: Callable[[str, Mapping[str, Value]], Value] | None = None


Impl = Callable[[list[Value], FunctionContext], Value]


@dataclass(frozen=True)
class Spec:
    """One function: its implementation and how :func:`call` prepares its arguments.

    By default arguments are plain (marks removed deeply, the result marked as a whole when any
    argument had one), fully known (otherwise the result is Unknown) and not null at the top
    level (cty's ``AllowNull`` is false for most parameters). ``raw`` functions get the arguments
    exactly as given and do all of that themselves.
    """

    impl: Impl
    min_args: int
    max_args: int | None
    allow_null: bool = False
    raw: bool = False
    keep_marks: bool = False
    partial: tuple[int, ...] = ()


REGISTRY: dict[str, Spec] = {}


def function(
    name: str,
    min_args: int,
    max_args: int | None = -1,
    *,
    allow_null: bool = False,
    raw: bool = False,
    keep_marks: bool = False,
    partial: tuple[int, ...] = (),
) -> Callable[[Impl], Impl]:
    """Register ``impl`` as Terraform's function ``name`` (``max_args=None``: variadic).

    ``max_args`` defaults to ``min_args``. ``keep_marks``: the function moves elements without
    looking at them, and Terraform leaves their marks where they are (``concat``, ``slice``,
    ``tolist``…); only a mark on an argument itself marks the result. ``partial``: the
    positions of arguments whose elements may be unknown (``element(["a", x], 0)`` is ``"a"``).
    """

    def register(impl: Impl) -> Impl:
        top = min_args if max_args == -1 else max_args
        REGISTRY[name] = Spec(
            impl,
            min_args,
            top,
            allow_null=allow_null,
            raw=raw,
            keep_marks=keep_marks,
            partial=partial,
        )
        return impl

    return register


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------

Number = int | float


def is_number(value: Value) -> bool:
    """Whether a plain value is a number (``bool`` is not, although Python says so)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def fraction(value: Number) -> Fraction:
    """The exact number a value stands for: a float is the decimal it was written as."""
    if isinstance(value, int):
        return Fraction(value)
    if not math.isfinite(value):
        raise EvaluationError("a number must be finite")
    return Fraction(Decimal(repr(value)))


MAX_INTEGER_BITS = 13_000
"""Integers longer than this (about 3900 digits) are not evaluated: Python refuses to print
integers of more than 4300 digits, and no configuration needs them."""


def check_integer(value: int) -> int:
    """``value``, or an :class:`EvaluationError` when it is too long to evaluate."""
    if value.bit_length() > MAX_INTEGER_BITS:
        raise EvaluationError("number too large to evaluate")
    return value


def check_numbers(value: Value) -> None:
    """An :class:`EvaluationError` when an integer anywhere in ``value`` is too long."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Sensitive):
            pending.append(item.value)
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, int) and not isinstance(item, bool):
            check_integer(item)


def from_fraction(value: Fraction) -> Number:
    """A number in the value model: ``int`` when integral, else the nearest float."""
    if value.denominator == 1:
        return check_integer(int(value))
    try:
        result = float(value)
    except OverflowError as error:
        raise EvaluationError("number out of range") from error
    if not math.isfinite(result):
        raise EvaluationError("number out of range")
    return result


def number_text(value: Number) -> str:
    """A number as Terraform converts it to a string (``Text('f', -1)``): ``1e3`` is ``1000``."""
    if isinstance(value, int):
        return str(value)
    return gojson.exact_number(Decimal(repr(value)))


_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_MAX_EXPONENT = 4_000


def parse_number(text: str) -> Number:
    """A string as cty converts it to a number (Go's ``big.ParseFloat`` in base 10).

    No blanks, underscores or base prefixes. ``inf`` is a number for cty but has no place in the
    value model (nor in JSON), so it is an error here, like anything else that cannot be known.
    """
    if not _NUMBER_TEXT.fullmatch(text):
        raise EvaluationError("cannot convert the string to a number")  # never echo a value
    exact = Decimal(text)
    exponent = exact.as_tuple().exponent
    if isinstance(exponent, int) and abs(exponent) > _MAX_EXPONENT:
        raise EvaluationError("number out of range")
    return from_fraction(Fraction(exact))


def whole(value: Number, what: str = "number") -> int:
    """An integral number as ``int``, or an error (cty's "must be a whole number")."""
    exact = fraction(value)
    if exact.denominator != 1:
        raise EvaluationError(f"{what} must be a whole number")
    return int(exact)


def go_int(value: Number, what: str = "number") -> int:
    """A Go ``int`` from a number (cty's ``gocty.FromCtyValue``): whole and within int64."""
    result = whole(value, what)
    if not -(2**63) <= result < 2**63:
        raise EvaluationError(f"{what} is out of range")
    return result


PRECISION = 512
"""Bits of mantissa of cty's numbers."""


def big_float(value: Fraction) -> Fraction:
    """Round to cty's precision (512 bits, to nearest even), as each ``big.Float`` result is."""
    if value == 0:
        return value
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    exponent = magnitude.numerator.bit_length() - magnitude.denominator.bit_length()
    if Fraction(2) ** exponent > magnitude:
        exponent -= 1
    scale = Fraction(2) ** (PRECISION - 1 - exponent)
    scaled = magnitude * scale
    mantissa = round(scaled)  # Fraction.__round__ rounds half to even
    return sign * Fraction(mantissa) / scale


# --------------------------------------------------------------------------
# Strings
# --------------------------------------------------------------------------


def nfc(text: str) -> str:
    """Every string in NFC, as cty normalises each string it makes."""
    return unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------
# Types (cty's, as far as plain values can tell them)
# --------------------------------------------------------------------------

STRING = "string"
NUMBER = "number"
BOOL = "bool"
DYNAMIC = "dynamic"
PRIMITIVES = (STRING, NUMBER, BOOL)

Type = str | tuple[str, object]
"""``"string"``, ``"number"``, ``"bool"``, ``"dynamic"`` (a null of no particular type), or
``("list"|"set"|"map", element)``, ``("tuple", (types…))``, ``("object", ((name, type)…))``."""


def kind(type_: Type) -> str:
    """``"list"``, ``"object"``, … for collections and structures, the name for primitives."""
    return type_ if isinstance(type_, str) else type_[0]


def element_type(type_: Type) -> Type:
    """The element type of a list, set or map type."""
    assert not isinstance(type_, str)
    element = type_[1]
    assert isinstance(element, str | tuple)
    return element


def members(type_: Type) -> tuple[Type, ...]:
    """The types inside a tuple or object type (attribute types in name order)."""
    assert not isinstance(type_, str)
    if type_[0] == "tuple":
        items = type_[1]
        assert isinstance(items, tuple)
        return items
    attributes = type_[1]
    assert isinstance(attributes, tuple)
    return tuple(member for _, member in attributes)


def attribute_names(type_: Type) -> tuple[str, ...]:
    """The attribute names of an object type."""
    assert not isinstance(type_, str) and type_[0] == "object"
    attributes = type_[1]
    assert isinstance(attributes, tuple)
    return tuple(name for name, _ in attributes)


def type_of(value: Value) -> Type:
    """The type a plain value has as a literal: a Python list is a tuple, a dict an object."""
    if isinstance(value, Sensitive):
        return type_of(value.value)
    if value is None:
        return DYNAMIC
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, str):
        return STRING
    if is_number(value):
        return NUMBER
    if isinstance(value, list):
        return ("tuple", tuple(type_of(item) for item in value))
    if isinstance(value, dict):
        return ("object", tuple((key, type_of(value[key])) for key in sorted(value)))
    return DYNAMIC  # Unknown and anything else: no type to go by


def unify(types: Sequence[Type]) -> Type:
    """The one type all ``types`` convert to, as cty's ``convert.UnifyUnsafe`` picks it.

    Raises:
        EvaluationError: when there is none (``[1, true]``, ``["a", [1]]``).

    """
    known = [item for item in types if item != DYNAMIC]
    if not known:
        return DYNAMIC
    if all(item == known[0] for item in known):
        return known[0]
    kinds = {kind(item) for item in known}
    if kinds <= set(PRIMITIVES):
        if STRING in kinds:
            return STRING
        raise EvaluationError("all elements must have the same type")
    if kinds & set(PRIMITIVES):
        raise EvaluationError("all elements must have the same type")
    if kinds in ({"map"}, {"map", "object"}):
        return ("map", unify([member for item in known for member in _elements(item)]))
    if kinds == {"set"}:
        return ("set", unify([element_type(item) for item in known]))
    if kinds <= {"list", "tuple"}:
        if kinds == {"tuple"} and len({len(members(item)) for item in known}) == 1:
            try:
                columns = zip(*(members(item) for item in known), strict=True)
                return ("tuple", tuple(unify(column) for column in columns))
            except EvaluationError:
                pass
        return ("list", unify([member for item in known for member in _elements(item)]))
    if kinds == {"object"}:
        if len({attribute_names(item) for item in known}) == 1:
            try:
                names = attribute_names(known[0])
                columns = zip(*(members(item) for item in known), strict=True)
                return ("object", tuple(zip(names, (unify(c) for c in columns), strict=True)))
            except EvaluationError:
                pass
        return ("map", unify([member for item in known for member in members(item)]))
    raise EvaluationError("all elements must have the same type")


def _elements(type_: Type) -> tuple[Type, ...]:
    if kind(type_) in ("tuple", "object"):
        return members(type_)
    return (element_type(type_),)


def convert(value: Value, target: Type) -> Value:
    """Convert a plain value to ``target`` with cty's unsafe conversions.

    Raises:
        EvaluationError: when cty cannot convert (``tonumber("x")``, ``tostring([])``).

    """
    if target == DYNAMIC or value is None:
        return value
    if isinstance(value, Sensitive):  # a mark stays where it is, on the converted value
        return Sensitive(convert(value.value, target))
    if target == STRING:
        return to_string(value)
    if target == NUMBER:
        if is_number(value):
            return value
        if isinstance(value, str):
            return parse_number(value)
        raise EvaluationError(f"a number is required, not {describe(value)}")
    if target == BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value in ("true", "false", "1", "0"):
            return value in ("true", "1")
        raise EvaluationError(f"a bool is required, not {describe(value)}")
    name = kind(target)
    if name in ("list", "set"):
        if not isinstance(value, list):
            raise EvaluationError(f"a {name} is required, not {describe(value)}")
        element = element_type(target)
        if element == DYNAMIC:
            element = unify([type_of(item) for item in value])
        items = [convert(item, element) for item in value]
        return set_order(items) if name == "set" else items
    if name == "map":
        if not isinstance(value, dict):
            raise EvaluationError(f"a map is required, not {describe(value)}")
        element = element_type(target)
        if element == DYNAMIC:
            element = unify([type_of(item) for item in value.values()])
        return {key: convert(value[key], element) for key in sorted(value)}
    if name == "tuple":
        types = members(target)
        if not isinstance(value, list) or len(value) != len(types):
            raise EvaluationError(f"a tuple of {len(types)} elements is required")
        return [convert(item, type_) for item, type_ in zip(value, types, strict=True)]
    if name == "object":
        if not isinstance(value, dict):
            raise EvaluationError(f"an object is required, not {describe(value)}")
        result = {}
        for attribute, type_ in zip(attribute_names(target), members(target), strict=True):
            if attribute not in value:
                raise EvaluationError(f"attribute {attribute!r} is required")
            result[attribute] = convert(value[attribute], type_)
        return result
    raise EvaluationError(f"cannot convert to {target}")


def to_string(value: Value) -> str:
    """A primitive as a string (cty's conversion); a collection is an error."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        assert isinstance(value, int | float)
        return number_text(value)
    raise EvaluationError(f"a string is required, not {describe(value)}")


def to_number(value: Value) -> Number:
    """A number, or a string that spells one."""
    result = convert(value, NUMBER)
    if result is None:
        raise EvaluationError("a number is required, not null")
    assert isinstance(result, int | float)
    return result


def to_bool(value: Value) -> bool:
    """A bool, or ``"true"``/``"false"``."""
    result = convert(value, BOOL)
    if not isinstance(result, bool):
        raise EvaluationError("a bool is required, not null")
    return result


def to_list(value: Value, element: Type = DYNAMIC) -> list[Value]:
    """A list, tuple or set converted to a list of ``element`` (unified when dynamic)."""
    result = convert(value, ("list", element))
    if not isinstance(result, list):
        raise EvaluationError("a list is required, not null")
    return result


def strings(value: Value) -> list[str]:
    """A list of strings (``list(string)`` parameters); null elements are an error."""
    items = to_list(value, STRING)
    if any(item is None for item in items):
        raise EvaluationError("list elements must not be null")
    return [item for item in items if isinstance(item, str)]


def sequence(value: Value) -> list[Value]:
    """A list, tuple or set as it is (no conversion): cty's ``DynamicPseudoType`` sequences."""
    if not isinstance(value, list):
        raise EvaluationError(f"a list, set or tuple is required, not {describe(value)}")
    return value


def mapping(value: Value) -> dict[str, Value]:
    """A map or object as it is."""
    if not isinstance(value, dict):
        raise EvaluationError(f"a map or object is required, not {describe(value)}")
    return value


def describe(value: Value) -> str:
    """A short name of a value's kind, for error messages (never the value: it may be secret)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if is_number(value):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


# --------------------------------------------------------------------------
# Equality and sets
# --------------------------------------------------------------------------


def key(value: Value) -> str:
    """A text equal for values cty calls equal: same type and value (``1`` is not ``"1"``).

    Numbers compare by value (``1`` and ``1.0``), strings after NFC, as cty stores them.
    """
    return gojson.marshal(_normal(value), exact=True)


def _normal(value: Value) -> object:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_normal(item) for item in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value


def same(left: Value, right: Value) -> bool:
    """Equal and of the same kind (``1`` is neither ``true`` nor ``"1"``)."""
    if is_number(left) and is_number(right):
        return key(left) == key(right)
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    if type(left) is not type(right):
        return False
    return key(left) == key(right)


def set_order(items: Sequence[Value]) -> list[Value]:
    """A set of ``items`` (:class:`~orylint.terraform.values.TfSet`), as cty orders it."""
    return TfSet(_ordered(items))


def _ordered(items: Sequence[Value]) -> list[Value]:
    """Deduplicate and order as a cty set is: strings by code point, numbers, false < true.

    cty orders sets of other values by a hash orylint does not reproduce; those keep their
    order of first appearance, which is still deterministic.
    """
    seen: dict[str, Value] = {}
    for item in items:
        seen.setdefault(key(item), item)
    unique = list(seen.values())
    if unique and all(isinstance(item, str) for item in unique):
        return sorted(unique, key=str)
    if unique and all(is_number(item) for item in unique):
        return sorted(unique, key=fraction)  # type: ignore[arg-type]
    if unique and all(isinstance(item, bool) for item in unique):
        return sorted(unique, key=bool)
    if any(item is None for item in unique):
        return [item for item in unique if item is not None] + [None]
    return unique


MAX_RESULT = 1_000_000
"""Results longer than this (characters or elements) are Unknown rather than built."""


def check_size(size: int) -> None:
    """An error for a result larger than :data:`MAX_RESULT`."""
    if size > MAX_RESULT:
        raise EvaluationError("result too large to evaluate")

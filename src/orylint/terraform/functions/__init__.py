"""Terraform's built-in functions, evaluated as Terraform 1.11 would, without a provider.

The expression evaluator calls :func:`call` with argument values in orylint's value model
(:mod:`orylint.terraform.values`); the result is a value or :class:`Unknown`. A call never raises:
what Terraform would reject (a wrong type, an index out of range) is Unknown with Terraform's
reason, and so is what orylint cannot know before apply (``timestamp()``, ``uuid()``, provider
functions, functions not implemented here) — a rule never decides on an Unknown.

Marks and unknowns follow cty's defaults unless a function says otherwise: arguments are unmarked
deeply, the function runs on plain values, and the result is marked as a whole when any argument
carried a mark; an argument that is or contains an Unknown makes the result Unknown. The
exceptions, each measured with ``terraform console``:

* ``sensitive``, ``nonsensitive`` and ``issensitive`` work on marks (``nonsensitive`` removes
  the mark of the value itself, not marks inside it);
* functions that move elements without looking at them leave the elements' marks in place:
  ``chunklist concat element flatten keys length lookup merge reverse setproduct slice tolist
  tomap values zipmap`` (``concat([sensitive(a)], [b])`` is not sensitive as a whole);
* what is known stays known: ``length`` of a list with unknown elements; ``concat``, ``merge``
  and ``coalesce`` (``concat(["a"], [x])`` is ``["a", Unknown]``); ``element``, ``slice``,
  ``reverse``, ``lookup``, ``keys``, ``values`` and ``zipmap`` over unknown elements.

``try`` and ``can`` need their arguments unevaluated, so the evaluator implements them; here they
are Unknown.

The families live in submodules (strings, regular expressions, format, collections, numbers,
encoding, files); each registers its functions in :data:`~._core.REGISTRY`.
"""

from __future__ import annotations

from collections.abc import Sequence

from orylint.terraform.functions import (
    collection,
    encoding,
    filesystem,
    formatting,
    numeric,
    regexp,
    strings,
)
from orylint.terraform.functions._core import (
    REGISTRY,
    Context,
    EvaluationError,
    FunctionContext,
    Value,
    check_numbers,
)
from orylint.terraform.values import Unknown, is_known, mark, unmark, unmark_deep

__all__ = [
    "FUNCTION_NAMES",
    "Context",
    "EvaluationError",
    "FunctionContext",
    "call",
    "call_strict",
]

_FAMILIES = (collection, encoding, filesystem, formatting, numeric, regexp, strings)

FUNCTION_NAMES: frozenset[str] = frozenset(
    {
        "abs", "abspath", "alltrue", "anytrue", "base64decode", "base64encode", "base64gzip",
        "base64sha256", "base64sha512", "basename", "bcrypt", "can", "ceil", "chomp",
        "chunklist", "cidrhost", "cidrnetmask", "cidrsubnet", "cidrsubnets", "coalesce",
        "coalescelist", "compact", "concat", "contains", "csvdecode", "dirname", "distinct",
        "element", "endswith", "ephemeralasnull", "file", "filebase64", "filebase64sha256",
        "filebase64sha512", "fileexists", "filemd5", "fileset", "filesha1", "filesha256",
        "filesha512", "flatten", "floor", "format", "formatdate", "formatlist", "indent",
        "index", "issensitive", "join", "jsondecode", "jsonencode", "keys", "length", "log",
        "lookup", "lower", "matchkeys", "max", "md5", "merge", "min", "nonsensitive", "one",
        "parseint", "pathexpand", "plantimestamp", "pow", "range", "regex", "regexall",
        "replace", "reverse", "rsadecrypt", "sensitive", "setintersection", "setproduct",
        "setsubtract", "setunion", "sha1", "sha256", "sha512", "signum", "slice", "sort",
        "split", "startswith", "strcontains", "strrev", "substr", "sum", "templatefile",
        "templatestring", "textdecodebase64", "textencodebase64", "timeadd", "timecmp",
        "timestamp", "title", "tobool", "tolist", "tomap", "tonumber", "toset", "tostring",
        "transpose", "trim", "trimprefix", "trimspace", "trimsuffix", "try", "upper",
        "urlencode", "uuid", "uuidv5", "values", "yamldecode", "yamlencode", "zipmap",
    }
)  # fmt: skip
"""Every built-in function of Terraform 1.11.4 (``terraform metadata functions -json``, without
the ``core::`` aliases, which :func:`call` also accepts)."""

CHANGING = frozenset({"bcrypt", "plantimestamp", "timestamp", "uuid"})
"""Functions whose result changes every run: always Unknown."""

LAZY = frozenset({"try", "can", "templatestring"})
"""Functions that need unevaluated arguments (or a template expression): the evaluator's."""


def call(name: str, args: Sequence[Value], context: FunctionContext | None = None) -> Value:
    """Call Terraform's function ``name``: its value, or Unknown (never an exception)."""
    try:
        return call_strict(name, args, context)
    except EvaluationError as error:
        return Unknown(f"{name}(): {error}")


def call_strict(name: str, args: Sequence[Value], context: FunctionContext | None = None) -> Value:
    """Like :func:`call`, but a call Terraform would fail raises :class:`EvaluationError`."""
    try:
        return _call(name, args, context)
    except RecursionError as error:  # a value nested deeper than Python's stack
        raise EvaluationError("value nested too deeply to evaluate") from error


def _call(name: str, args: Sequence[Value], context: FunctionContext | None) -> Value:
    name = name.removeprefix("core::")
    if "::" in name:
        return Unknown(f"provider function {name}() is evaluated by its provider")
    if name not in FUNCTION_NAMES:
        raise EvaluationError(f"there is no function named {name!r}")
    if name in CHANGING:
        return Unknown(f"{name}() changes on every run")
    if name in LAZY:
        return Unknown(f"{name}() is evaluated by the expression evaluator")
    spec = REGISTRY.get(name)
    if spec is None:
        return Unknown(f"{name}() is not evaluated by orylint")
    if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
        raise EvaluationError(f"wrong number of arguments ({len(args)})")
    ctx = context if context is not None else Context()
    for argument in args:
        check_numbers(argument)
    if spec.raw:
        return spec.impl(list(args), ctx)
    plain: list[Value] = []
    marked = False
    for argument in args:
        value, had_mark = unmark(argument) if spec.keep_marks else unmark_deep(argument)
        plain.append(value)
        marked = marked or had_mark
    for position, value in enumerate(plain):
        known = not isinstance(value, Unknown) if position in spec.partial else is_known(value)
        if not known:
            return mark(Unknown(f"{name}() of a value known only after apply"), marked)
    if not spec.allow_null and any(value is None for value in plain):
        raise EvaluationError("argument must not be null")
    return mark(spec.impl(plain, ctx), marked)


assert set(REGISTRY) <= FUNCTION_NAMES, sorted(set(REGISTRY) - FUNCTION_NAMES)
assert _FAMILIES

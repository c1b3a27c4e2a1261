"""Policies decided by jsonschema-rs, with jsonschema's (Python's) answers.

A scan evaluates every policy on every client, and the Python ``jsonschema`` costs ~30 µs a
validation plus ~50 ms to import; with 20 policies that was a fifth of a warm scan. jsonschema-rs
(Rust) validates in a few microseconds and imports in a third of the time, so it decides whether
a client passes and, when it fails, which attributes (instance paths) fail and which required
properties are missing, with the schema paths that tell whether an error depends on an unknown:
all a finding needs, unless the policy's message quotes ``{reason}`` (jsonschema's own wording,
which the reference path in :mod:`orylint.policies.policy` gives).

Findings must not depend on the engine, so the fast path takes only what it answers exactly
as jsonschema does, and leaves everything else to the reference path:

- the keywords of :data:`FAST_KEYWORDS`; a schema with any other (``$ref``, ``patternProperties``,
  ``uniqueItems``, ``multipleOf``, ...) is always validated by jsonschema, and so is one with a
  ``true``/``false`` subschema (but ``additionalProperties: false``): jsonschema leaves the
  subschema's level out of the error's instance path;
- ``pattern`` is Python's ``re.search``, as in jsonschema (Rust's regexes differ: ``$`` before a
  final newline, Unicode classes), through a custom keyword; ``format`` calls
  :data:`~orylint.policies.formats.FORMATS` (Go's ``net/url`` for ``uri``) or else jsonschema's
  own check for that format;
- an instance made of JSON's types only, numbers that a double holds exactly
  (:attr:`~orylint.policies.facts.Instance.exact_json`).

The differential test (``tests/test_policies_fast.py``) compares both paths on generated
clients for every example policy and the production pack.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orylint.policies.facts import JsonPath

#: Keywords the fast path validates as jsonschema does (annotations included: they never fail).
FAST_KEYWORDS = frozenset(
    {"type", "enum", "const", "properties", "required", "additionalProperties",
     "dependentRequired", "minProperties", "maxProperties", "items", "prefixItems", "contains",
     "minContains", "maxContains", "minItems", "maxItems", "minLength", "maxLength", "minimum",
     "maximum", "exclusiveMinimum", "exclusiveMaximum", "pattern", "format", "not", "anyOf",
     "allOf", "oneOf", "if", "then", "else", "title", "description", "$comment", "default",
     "examples", "deprecated", "readOnly", "writeOnly"}
)  # fmt: skip

#: Where a schema holds schemas: a map of them, a list of them, or one.
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
SCHEMA_LISTS = frozenset({"prefixItems", "allOf", "anyOf", "oneOf"})
SCHEMA_VALUES = frozenset(
    {"items", "contains", "additionalProperties", "propertyNames", "if", "then", "else", "not",
     "unevaluatedItems", "unevaluatedProperties", "contentSchema"}
)  # fmt: skip


def subschemas(keyword: str, value: object) -> Iterator[tuple[JsonPath, object]]:
    """The schemas a keyword's value holds, each with its path below the keyword."""
    if keyword in SCHEMA_MAPS and isinstance(value, dict):
        yield from (((name,), item) for name, item in value.items())
    elif keyword in SCHEMA_LISTS and isinstance(value, list):
        yield from (((index,), item) for index, item in enumerate(value))
    elif keyword in SCHEMA_VALUES:
        yield (), value


class FastSchema:
    """One ``when`` or ``require`` schema compiled by jsonschema-rs."""

    def __init__(self, schema: dict[str, Any] | bool, formats: frozenset[str]) -> None:
        import jsonschema_rs  # with the first policy compiled: a scan may never compile one

        self.required = jsonschema_rs.ValidationErrorKind.Required
        self.validator = jsonschema_rs.Draft202012Validator(
            schema,
            offline=True,
            validate_formats=True,
            formats={name: _format_function(name) for name in formats},
            keywords={"pattern": _Pattern},
        )

    def is_valid(self, value: object) -> bool:
        """Whether ``value`` (an :attr:`~orylint.policies.facts.Instance.exact_json` one) passes."""
        return self.validator.is_valid(value)

    def errors(self, value: object) -> Iterator[tuple[JsonPath, str | None, list[str | int]]]:
        """Each error's instance path, the property a ``required`` misses, and its schema path.

        The schema paths are jsonschema's, but for ``minContains``/``maxContains``, which
        jsonschema reports as ``contains``. The order is jsonschema-rs's, not jsonschema's.
        """
        for error in self.validator.iter_errors(value):
            schema_path = error.schema_path
            missing = None
            if schema_path and schema_path[-1] == "required":
                kind = error.kind
                if isinstance(kind, self.required):
                    missing = kind.property
            elif schema_path and schema_path[-1] in ("minContains", "maxContains"):
                schema_path = [*schema_path[:-1], "contains"]
            yield tuple(error.instance_path), missing, schema_path


def compile_fast(schema: object) -> FastSchema | None:
    """``schema`` for the fast path, or ``None`` when only jsonschema may validate it."""
    formats: set[str] = set()
    if not _fast_only(schema, formats):
        return None
    assert isinstance(schema, dict | bool)  # _fast_only accepts nothing else
    try:
        return FastSchema(schema, frozenset(formats))
    except ValueError:  # jsonschema-rs refuses what jsonschema accepted: leave it to jsonschema
        return None


def _fast_only(schema: object, formats: set[str]) -> bool:
    """Whether every keyword of ``schema`` is one of :data:`FAST_KEYWORDS`; collects formats."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    for keyword, value in schema.items():
        if keyword not in FAST_KEYWORDS and not keyword.startswith("x-"):
            return False  # x- names are annotations, to jsonschema-rs too
        if keyword == "format":
            if not isinstance(value, str):
                return False
            formats.add(value)
        for _, child in subschemas(keyword, value):
            if isinstance(child, bool) and keyword != "additionalProperties":
                return False  # jsonschema drops a level of an error's path for a `false` below
            if not _fast_only(child, formats):
                return False
    return True


class _Pattern:
    """``pattern`` by Python's ``re.search``, as jsonschema applies it: a jsonschema-rs keyword."""

    def __init__(self, parent_schema: dict[str, Any], value: str, schema_path: list[str | int]):
        self.search = re.compile(value).search
        self.message = f"does not match {value!r}"  # once: a policy set calls it thousands of times

    def validate(self, instance: object) -> None:
        if isinstance(instance, str) and self.search(instance) is None:
            raise ValueError(self.message)


def _format_function(name: str) -> Callable[[object], bool]:
    """The format's function in :data:`~orylint.policies.formats.FORMATS`, or jsonschema's check.

    jsonschema is imported on the first value of such a format.
    """
    from orylint.policies.formats import FORMATS, format_checker  # with the first validator

    function = FORMATS.get(name)
    if function is not None:
        return function

    def conforms(instance: object) -> bool:
        return format_checker().conforms(instance, name)

    return conforms

"""A loaded policy and how it judges one client.

A policy is two JSON Schemas over a client's instance (:mod:`orylint.policies.facts`): ``when``
selects the clients it applies to, ``require`` says what they must satisfy. Each schema error of
``require`` becomes one finding, pointed at the attribute (or list element) its instance path
names (:mod:`orylint.policies.violations`). Validators are compiled once per policy, on first
use; a scan evaluates them once per client.

Unknown is not wrong, so an error that depends on an unknown value is dropped: its instance path
touches an unknown, or a condition on its way (``if``/``then``, ``not``, ``anyOf``, ``oneOf``,
``contains``) reads an attribute that is unknown. What a root-level condition reads is worked out
from the schema (:func:`reads`); below the root the whole value a condition applies to counts.
"""

from __future__ import annotations

import ast
import functools
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from orylint.engine.metadata import RuleMeta
from orylint.policies import fast

if TYPE_CHECKING:  # loading policies imports nothing of the model (the scan does, meanwhile)
    from jsonschema import Draft202012Validator, ValidationError

    from orylint.engine.findings import Severity, Violation
    from orylint.model.project import Client
    from orylint.policies.facts import Instance, JsonPath
    from orylint.policies.fast import FastSchema

PLACEHOLDERS = ("address", "attribute", "value", "reason")
"""What a policy ``message`` may quote: ``{address}`` of the client, the ``{attribute}`` (a path
such as ``redirect_uris[2]`` or ``metadata.team``), its ``{value}`` (never a sensitive one) and
the JSON Schema ``{reason}``."""


@dataclass(frozen=True)
class Policy:
    """One policy as its file states it (validated), with where it was written."""

    id: str
    name: str
    severity: Severity
    message: str
    description: str
    require: dict[str, Any] | bool
    when: dict[str, Any] | bool | None = None
    tags: tuple[str, ...] = ()
    passing: tuple[str, ...] = ()
    failing: tuple[str, ...] = ()
    path: str = ""
    line: int = 1
    compiled: _Compiled = field(init=False, repr=False, compare=False)
    quotes: frozenset[str] = field(init=False, repr=False, compare=False)
    """The placeholders the message quotes: only those are worked out for a finding."""

    def __post_init__(self) -> None:
        quotes = _placeholders(self.message)
        object.__setattr__(self, "quotes", quotes)
        compiled = _Compiled(self.when, self.require, quotes_reason="reason" in quotes)
        object.__setattr__(self, "compiled", compiled)

    @property
    def meta(self) -> RuleMeta:
        """The policy as rule metadata: ``orylint rules``, ``explain`` and SARIF show it.

        The description's first paragraph is the summary, the whole of it the help text.
        """
        return RuleMeta(
            id=self.id,
            name=self.name,
            family="policy",
            severity=self.severity,
            basis="policy",
            summary=" ".join(self.description.strip().split("\n\n", 1)[0].split()),
            what_it_does=self.description.strip(),
            rationale="",
            fix="",
            bad_example=self.failing[0] if self.failing else "",
            good_example=self.passing[0] if self.passing else "",
            references=(),
            tags=self.tags,
            security_severity=None,
            config=(),
            origin=f"{self.path}:{self.line}",
        )

    def check(self, client: Client, instance: Instance) -> list[Violation]:
        """The violations of this policy by one client (at most one per instance path)."""
        failures = self.compiled.errors(instance)
        if not failures:  # most clients pass most policies
            return []
        violation = _violation_maker()
        return [violation(self, client, instance, failure) for failure in failures]


@functools.cache
def _violation_maker() -> Callable[[Policy, Client, Instance, Failure], Violation]:
    """:func:`orylint.policies.violations.violation`, imported with the first failure.

    It reads the model (spans, facts, sensitive values); loading policies, which happens before
    a scan's files are gathered, imports none of that.
    """
    from orylint.policies.violations import violation

    return violation


def _placeholders(message: str) -> frozenset[str]:
    """The placeholders a message quotes (``{reason}`` only jsonschema's errors can fill in)."""
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(message) if name)
    except ValueError:  # not a valid message: all of them, and formatting fails like before
        return frozenset(PLACEHOLDERS)


class Failure(NamedTuple):
    """What makes one finding: the instance path, the property it misses, the value judged.

    ``error`` is jsonschema's error, for ``{reason}``; the fast path, which serves only
    policies whose message does not quote it, leaves it out. A tuple: a policy set's errors
    run to thousands.
    """

    path: JsonPath
    missing: str | None
    instance: object
    error: ValidationError | None = None


Outcome = tuple[Failure, ...]
"""A policy's failures on one instance; a pass, the most common, is ``()``, which the memo
keeps for thousands of clients without a container of its own."""


class _Compiled:
    """The validators of one policy, built once, and the outcomes they gave.

    jsonschema-rs decides (:mod:`orylint.policies.fast`) where it answers exactly as jsonschema
    does; jsonschema (imported only then) validates everything else: a schema with keywords
    the fast path does not take, an instance it cannot read exactly, and the errors of a policy
    that quotes ``{reason}``. Both give their errors to the same filter (:meth:`_failures`).

    A policy usually reads a few attributes, and many clients share their values (the same grant
    types, auth method, scopes), so the outcome is remembered per value of the attributes the
    policy reads, unknowns included; a policy that may read any attribute is always evaluated.
    """

    def __init__(
        self,
        when: dict[str, Any] | bool | None,
        require: dict[str, Any] | bool,
        *,
        quotes_reason: bool,
    ) -> None:
        self.when_schema = when
        self.require_schema = require
        self.when_reads = None if when is None else reads(when)
        self.fast_failures = not quotes_reason
        read: frozenset[str] | None = frozenset()
        for schema in (when, require):
            part = reads(schema, _WHOLE_OBJECT)
            read = None if part is None or read is None else read | part
        self.inputs = None if read is None else tuple(sorted(read))
        self.outcomes: dict[str, Outcome] = {}

    @functools.cached_property
    def fast_when(self) -> FastSchema | None:
        """jsonschema-rs's validator of ``when``, if it may decide it; built on first use.

        On first use, not with the policy: where the policies run in a child process
        (:func:`orylint.engine.runner.run_rules`), the child builds them, beside the built-in
        rules, and loading the policies before the files are gathered imports no jsonschema-rs.
        """
        return None if self.when_schema is None else fast.compile_fast(self.when_schema)

    @functools.cached_property
    def fast_require(self) -> FastSchema | None:
        """jsonschema-rs's validator of ``require``, if it may decide it; built on first use."""
        return fast.compile_fast(self.require_schema)

    @functools.cached_property
    def when(self) -> Draft202012Validator:
        """The jsonschema validator of ``when`` (of a policy that has one), built on first use."""
        assert self.when_schema is not None
        return _validator(self.when_schema)

    @functools.cached_property
    def require(self) -> Draft202012Validator:
        """The jsonschema validator of ``require``, built on first use."""
        return _validator(self.require_schema)

    def errors(self, instance: Instance) -> Outcome:
        """The errors of ``instance`` that do not depend on an unknown value."""
        inputs = self.inputs
        if inputs is None:
            return self.evaluate(instance)
        key = instance.memo_keys.get(inputs) or _memo_key(instance, inputs)
        outcome = self.outcomes.get(key)
        if outcome is None:
            outcome = self.outcomes[key] = self.evaluate(instance)
        return outcome

    def evaluate(self, instance: Instance) -> Outcome:
        """:meth:`errors`, worked out again (nothing remembered)."""
        value = instance.value
        fast = instance.exact_json
        if self.when_schema is not None:
            if fast and self.fast_when is not None:
                applies = self.fast_when.is_valid(value)
            else:
                applies = self.when.is_valid(value)
            if not applies or _depends(self.when_reads, instance):
                return ()  # it does not apply, or may not: the condition reads an unknown
        if fast and self.fast_require is not None:
            if self.fast_failures:  # no errors is a pass: as cheap as is_valid, and one pass
                errors = self.fast_require.errors(value)
                return self._failures(((*error, None) for error in errors), instance)
            if self.fast_require.is_valid(value):
                return ()
        reference = (
            (tuple(error.absolute_path), _missing(error), error.absolute_schema_path, error)
            for error in self.require.iter_errors(value)
        )
        return self._failures(reference, instance)

    def _failures(
        self,
        errors: Iterable[tuple[JsonPath, str | None, Sequence[str | int], ValidationError | None]],
        instance: Instance,
    ) -> Outcome:
        """One failure per path and missing property, errors that depend on an unknown dropped."""
        outcome: list[Failure] = []
        seen: set[tuple[JsonPath, str | None]] = set()
        for path, missing, schema_path, error in errors:
            if (path, missing) in seen:
                continue
            if _depends_on_unknown(schema_path, path, self.require_schema, instance):
                continue
            seen.add((path, missing))
            judged = _at(instance.value, path) if error is None else error.instance
            outcome.append(Failure(path, missing, judged, error))
        return tuple(outcome)


def _validator(schema: dict[str, Any] | bool) -> Draft202012Validator:
    from jsonschema import Draft202012Validator  # a scan the fast path decides never needs it

    from orylint.policies.formats import format_checker

    return Draft202012Validator(schema, format_checker=format_checker())


def _at(value: object, path: JsonPath) -> object:
    """The value at ``path`` (which an error of ``value`` names, so it exists)."""
    for part in path:
        value = value[part]  # type: ignore[index]
    return value


_ABSENT = object()


def _memo_key(instance: Instance, inputs: tuple[str, ...]) -> str:
    """The values a policy reads, and where they are unknown (``repr`` keeps 1, 1.0, True apart).

    Policies that read the same attributes share the key, worked out once per instance
    (:meth:`_Compiled.errors` looks in ``memo_keys`` first).
    """
    value = instance.value
    key = repr([value.get(name, _ABSENT) for name in inputs])
    if instance.unknown:
        key += repr(sorted(repr(path) for path in instance.unknown if path[0] in inputs))
    instance.memo_keys[inputs] = key
    return key


#: Keywords whose outcome at the root depends on the whole object, not on named attributes.
_READS_EVERYTHING = frozenset(
    {"patternProperties", "additionalProperties", "unevaluatedProperties", "const", "enum",
     "$ref", "$dynamicRef"}
)  # fmt: skip
_WHOLE_OBJECT = _READS_EVERYTHING | {"minProperties", "maxProperties", "propertyNames"}
_SUBSCHEMAS = frozenset({"allOf", "anyOf", "oneOf", "not", "if", "then", "else"})


def reads(schema: object, everything: frozenset[str] = _READS_EVERYTHING) -> frozenset[str] | None:
    """The top-level attributes a schema applied to the client reads; ``None``: any of them.

    ``everything`` lists the root keywords that read them all; a condition's outcome does not
    change with the set of attributes present (an unknown is present), its outcome does.
    """
    if isinstance(schema, list):
        found: set[str] = set()
        for item in schema:
            part = reads(item, everything)
            if part is None:
                return None
            found |= part
        return frozenset(found)
    if not isinstance(schema, dict):
        return frozenset()
    found = set()
    for keyword, value in schema.items():
        if keyword in everything:
            return None
        if keyword in ("properties", "required"):
            found |= set(value)
        elif keyword == "dependentRequired":
            found |= set(value) | {name for names in value.values() for name in names}
        elif keyword in _SUBSCHEMAS or keyword == "dependentSchemas":
            part = reads(
                list(value.values()) if keyword == "dependentSchemas" else value, everything
            )
            if part is None:
                return None
            found |= part | (set(value) if keyword == "dependentSchemas" else set())
    return frozenset(found)


def _depends(read: frozenset[str] | None, instance: Instance) -> bool:
    if not instance.unknown:
        return False
    return read is None or bool(read & instance.unknown_keys)


#: Keywords whose failure (or whose branch's failure) is decided by another subschema.
_CONDITIONS = {"then": "if", "else": "if", "not": "not", "anyOf": "anyOf", "oneOf": "oneOf",
               "contains": "contains"}  # fmt: skip
_INTO_CHILD = frozenset(
    {"items", "additionalProperties", "unevaluatedItems", "unevaluatedProperties"}
)


def _depends_on_unknown(
    schema_path: Sequence[str | int], path: JsonPath, schema: object, instance: Instance
) -> bool:
    """Whether an error (its schema and instance paths) could go once the unknowns are known."""
    if not instance.unknown:
        return False
    tokens = list(schema_path)
    target = list(path)
    location: list[str | int] = []
    node: Any = schema
    index = 0
    while index < len(tokens) and isinstance(node, dict):
        token = tokens[index]
        if token in ("$ref", "$dynamicRef"):
            return True  # where the reference leads is not followed: any unknown may matter
        condition = _CONDITIONS.get(str(token))
        if condition is not None and condition in node:
            if location:
                if instance.touches_unknown(tuple(location)):
                    return True
            elif _depends(reads(node[condition]), instance):
                return True
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token in ("properties", "prefixItems", "patternProperties", "dependentSchemas"):
            if following is None:
                break
            node = node[token][following]
            if token == "patternProperties" and len(target) > len(location):
                location.append(target[len(location)])
            elif token in ("properties", "prefixItems"):
                location.append(following)
            index += 2
        elif token in ("allOf", "anyOf", "oneOf") and isinstance(following, int):
            node = node[token][following]
            index += 2
        elif token in _INTO_CHILD and following is not None and len(target) > len(location):
            node = node[token]
            location.append(target[len(location)])
            index += 1
        elif token in ("then", "else", "not") and following is not None:
            node = node[token]
            index += 1
        else:
            break
    return bool(target) and instance.touches_unknown(tuple(target))


_REQUIRED = " is a required property"


def _missing(error: ValidationError) -> str | None:
    """The property a ``required`` error misses (jsonschema names it only in its message)."""
    if error.validator != "required" or not error.message.endswith(_REQUIRED):
        return None
    name = ast.literal_eval(error.message.removesuffix(_REQUIRED))
    return name if isinstance(name, str) else None

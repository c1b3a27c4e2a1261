"""Policy files: reading, validating, and turning each policy into a rule the engine runs.

A bad policy must never lint anything with a wrong idea of what the organisation asked for, so
every problem (YAML, an unknown key, a schema that is not valid JSON Schema, an id taken by a
rule or another policy, a message placeholder that does not exist) is a :class:`PolicyError`
naming the file, the line and the reason, and the command stops (exit 2). Lines come from
PyYAML's node marks, kept for every key and list item.

Validating a file against the format and JSON Schema's meta-schema costs more than evaluating
20 policies over hundreds of clients, and policy files rarely change, so a file's validated
policies are kept in orylint's cache directory (:mod:`orylint.terraform.cache`) under the hash of
its name and content and of the code and schema that validated it. Only a file that passed is
kept: a bad file is validated, and refused, on every run.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import string
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orylint.engine.metadata import load_metadata
from orylint.engine.registry import Rule
from orylint.policies.fast import subschemas
from orylint.policies.policy import PLACEHOLDERS, Policy
from orylint.terraform import recorder
from orylint.terraform.cache import Cache

if TYPE_CHECKING:  # loading policies imports nothing of the model (the scan does, meanwhile)
    import yaml
    from jsonschema import Draft202012Validator, ValidationError

    from orylint.engine.findings import Violation
    from orylint.model.project import Client
    from orylint.model.settings import Settings
    from orylint.policies.facts import Instance, JsonPath

PACKS = ("production",)
"""Policy packs shipped with orylint, enabled by name (``policy-packs = ["production"]``)."""

RESERVED_PREFIX = "ORY"
"""orylint's namespace: ``ORYnnn`` are its rules, ``ORYPnnn`` its packs' policies."""

SUFFIXES = (".yaml", ".yml")


class PolicyError(Exception):
    """A policy file that cannot be used: ``file:line: reason``."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


def load_policies(
    directories: Sequence[str] = (), packs: Sequence[str] = (), cache: Cache | None = None
) -> list[Policy]:
    """Every policy of the named packs and of the ``*.yaml``/``*.yml`` files in ``directories``.

    A directory's files are read in name order, not recursively; a file may be named directly.
    With a ``cache``, a file validated before is not validated again. Raises
    :class:`PolicyError` on the first problem.
    """
    policies: list[Policy] = []
    for pack in packs:
        if pack not in PACKS:
            raise PolicyError(
                "configuration", 1, f"no policy pack {pack!r}; available: {', '.join(PACKS)}"
            )
        entry = _pack_file(pack)
        name = f"orylint:packs/{entry.name}"
        policies.extend(_parse_cached(name, entry.read_text("utf-8"), cache, user=False))
    for name in map(_display, policy_files(directories)):
        recorder.file(name)
        try:
            text = Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise PolicyError(name, 1, f"cannot read: {reason}") from None
        policies.extend(_parse_cached(name, text, cache, user=True))
    _check_unique(policies)
    return policies


def policy_files(directories: Iterable[str]) -> list[str]:
    """The policy files of each directory (or the file itself), in a stable order."""
    files: list[str] = []
    for directory in directories:
        path = Path(directory)
        recorder.probe(path)
        if path.is_file():
            files.append(directory)
        elif path.is_dir():
            recorder.directory(path)
            found = [
                str(child)
                for child in sorted(path.iterdir())
                if child.suffix in SUFFIXES and child.is_file()
            ]
            if not found:  # a wrong directory must not look like a clean result
                raise PolicyError(directory, 1, "no policy files (*.yaml, *.yml) here")
            files.extend(found)
        else:
            raise PolicyError(directory, 1, "no such policy file or directory")
    return files


def _display(path: str) -> str:
    """A path as messages show it: relative to the working directory when inside it."""
    relative = os.path.relpath(path) if os.path.isabs(path) else path
    return path if relative.startswith("..") else Path(relative).as_posix()


def _pack_file(pack: str) -> Path:
    # Paths next to this module, not importlib.resources (with tempfile and zipfile, a fifth
    # of loading 20 policies): see engine/metadata.py.
    return Path(__file__).resolve().parent / "packs" / f"{pack}.yaml"


_FIELDS = tuple(item.name for item in dataclasses.fields(Policy) if item.init)


def _parse_cached(path: str, text: str, cache: Cache | None, *, user: bool) -> list[Policy]:
    """:func:`parse_policies`, or the policies it gave for this very file before.

    An entry holds each policy's fields, not the policy: its validators are compiled again
    (cheaply), and nothing of jsonschema's is unpickled. An entry that does not hold what it
    should (corrupt, foreign) is a miss.
    """
    if cache is None:
        return parse_policies(path, text, user=user)
    key = cache.key(f"policies|{path}|{user}|{_validation_stamp()}", text.encode("utf-8"))
    entry = cache.get(key)
    if isinstance(entry, tuple) and entry and all(isinstance(item, dict) for item in entry):
        try:
            return [Policy(**item) for item in entry]
        except TypeError:
            pass  # not the fields of a Policy: validate again
    policies = parse_policies(path, text, user=user)
    cache.put(key, tuple({name: getattr(policy, name) for name in _FIELDS} for policy in policies))
    return policies


@functools.cache
def _validation_stamp() -> str:
    """What a validated file's result depends on besides the file: this package and its schema.

    orylint's version is in every cache key already, but a checkout keeps its version while
    the code changes, so the validating modules (their size and time) and the format's schema
    (its bytes) are stamped too, with the rule ids a policy id may not take.
    """
    digest = hashlib.blake2b(digest_size=8)
    for module in sorted(Path(__file__).parent.glob("*.py")):
        status = module.stat()
        digest.update(f"{module.name}:{status.st_size}:{status.st_mtime_ns};".encode())
    digest.update(_format_schema_text().encode())
    digest.update(" ".join(sorted(load_metadata())).encode())
    return digest.hexdigest()


def parse_policies(path: str, text: str, *, user: bool = False) -> list[Policy]:
    """The policies of one file; ``user`` files may not use orylint's ``ORY`` prefix.

    PyYAML is imported here, not with the module: a warm run reads its policies from the cache.
    """
    import yaml

    try:  # the C loader is several times faster, and keeps node marks too
        from yaml import CSafeLoader as Loader
    except ImportError:  # pragma: no cover - depends on the PyYAML build
        from yaml import SafeLoader as Loader  # type: ignore[assignment]
    loader = Loader(text)
    policies: list[Policy] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            lines = dict(_lines(path, node, ()))
            data = loader.construct_document(node)
            items = data if isinstance(data, list) else [data]
            for index, item in enumerate(items):
                prefix: JsonPath = (index,) if isinstance(data, list) else ()
                policies.append(_policy(path, item, prefix, lines, user=user))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise PolicyError(path, line, f"invalid YAML: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise PolicyError(path, 1, f"invalid YAML: {error}") from None
    finally:
        loader.dispose()
    if not policies:
        raise PolicyError(path, 1, "no policy in this file")
    return policies


def _lines(path: str, node: yaml.Node, at: JsonPath) -> Iterator[tuple[JsonPath, int]]:
    """The line of every key and list item below ``node``; a repeated key is an error."""
    import yaml

    yield at, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                raise PolicyError(path, key.start_mark.line + 1, f"key {name!r} is repeated")
            seen.add(name)
            yield (*at, name), key.start_mark.line + 1
            for inner, line in _lines(path, value, (*at, name)):
                if inner != (*at, name):
                    yield inner, line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _lines(path, item, (*at, index))


def _line(lines: dict[JsonPath, int], at: Sequence[str | int]) -> int:
    """The line of ``at``, or of its nearest ancestor that has one."""
    path = tuple(at)
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


def _policy(
    path: str, data: Any, prefix: JsonPath, lines: dict[JsonPath, int], *, user: bool
) -> Policy:
    if not isinstance(data, dict):
        raise PolicyError(path, _line(lines, prefix), "a policy must be a mapping of keys")
    errors = sorted(_format_validator().iter_errors(data), key=lambda e: list(map(str, e.path)))
    if errors:
        error = errors[0]
        where = ".".join(str(part) for part in error.absolute_path)
        reason = _reason(error)
        raise PolicyError(
            path,
            _line(lines, (*prefix, *error.absolute_path)),
            f"{where}: {reason}" if where else reason,
        )
    for key in ("when", "require"):
        if key in data:
            _check_schema(path, data[key], key, (*prefix, key), lines)
    policy_id = data["id"]
    if user and policy_id.startswith(RESERVED_PREFIX) and policy_id not in load_metadata():
        raise PolicyError(
            path,
            _line(lines, (*prefix, "id")),
            f"id: {policy_id!r} is in orylint's namespace ({RESERVED_PREFIX}...); "
            "use your organisation's prefix, e.g. ACME001",
        )
    _check_message(path, data["message"], _line(lines, (*prefix, "message")))
    examples = data.get("examples") or {}
    return Policy(
        id=policy_id,
        name=data["name"],
        severity=data["severity"],
        message=data["message"],
        description=data["description"],
        require=data["require"],
        when=data.get("when"),
        tags=tuple(data.get("tags", ())),
        passing=tuple(examples.get("pass", ())),
        failing=tuple(examples.get("fail", ())),
        path=path,
        line=_line(lines, prefix),
    )


def _check_schema(
    path: str, schema: Any, key: str, at: JsonPath, lines: dict[JsonPath, int]
) -> None:
    """``when`` and ``require`` must be valid draft 2020-12 schemas (regexes included)."""
    from jsonschema.exceptions import best_match

    error = best_match(_meta_validator().iter_errors(schema))
    if error is not None:
        inner = [*at, *error.absolute_path]
        where = ".".join(str(part) for part in [key, *error.absolute_path])
        raise PolicyError(
            path, _line(lines, inner), f"{where}: not a valid JSON Schema: {error.message}"
        )
    unknown = _unknown_keyword(schema, (key,))
    if unknown is not None:
        where = ".".join(str(part) for part in unknown[:-1])
        raise PolicyError(
            path,
            _line(lines, (*at[:-1], *unknown)),
            f"{where}: unknown JSON Schema keyword {unknown[-1]!r}",
        )


#: Draft 2020-12's keywords: those jsonschema validates (a test says they are all here), and the
#: annotations. Any other word is an annotation to JSON Schema, so a misspelt ``patern`` would
#: make a policy accept everything. Written out, not read from jsonschema: a warm run does not
#: import it (:mod:`orylint.policies.fast`).
KEYWORDS = frozenset(
    {"$dynamicRef", "$ref", "additionalProperties", "allOf", "anyOf", "const", "contains",
     "dependentRequired", "dependentSchemas", "enum", "exclusiveMaximum", "exclusiveMinimum",
     "format", "if", "items", "maxItems", "maxLength", "maxProperties", "maximum", "minItems",
     "minLength", "minProperties", "minimum", "multipleOf", "not", "oneOf", "pattern",
     "patternProperties", "prefixItems", "properties", "propertyNames", "required", "type",
     "unevaluatedItems", "unevaluatedProperties", "uniqueItems",
     "then", "else", "minContains", "maxContains", "$schema", "$id", "$anchor", "$dynamicAnchor",
     "$vocabulary", "$comment", "$defs", "title",
     "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
     "contentEncoding", "contentMediaType", "contentSchema"}
)  # fmt: skip


def _unknown_keyword(schema: object, at: JsonPath) -> JsonPath | None:
    """The path of the first keyword that is not JSON Schema's (``x-`` names are allowed)."""
    if not isinstance(schema, dict):
        return None
    for keyword, value in schema.items():
        if keyword not in KEYWORDS and not str(keyword).startswith("x-"):
            return (*at, keyword)
        for below, child in subschemas(keyword, value):
            found = _unknown_keyword(child, (*at, keyword, *below))
            if found is not None:
                return found
    return None


def _check_message(path: str, message: str, line: int) -> None:
    """Every ``{placeholder}`` must be one orylint fills in; ``{{`` writes a brace."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(message) if name is not None]
    except ValueError as error:
        raise PolicyError(path, line, f"message: {error} (write {{{{ for a brace)") from None
    for name in fields:
        if name not in PLACEHOLDERS:
            known = ", ".join(f"{{{item}}}" for item in PLACEHOLDERS)
            raise PolicyError(
                path, line, f"message: unknown placeholder {{{name}}}; use one of {known}"
            )


def _check_unique(policies: Sequence[Policy]) -> None:
    """A policy id must name one thing: not a rule of orylint's, not another policy."""
    rules = load_metadata()
    seen: dict[str, Policy] = {}
    for policy in policies:
        if policy.id in rules:
            raise PolicyError(
                policy.path,
                policy.line,
                f"id: {policy.id} is orylint's rule {rules[policy.id].name}",
            )
        other = seen.get(policy.id)
        if other is not None:
            raise PolicyError(
                policy.path,
                policy.line,
                f"id: {policy.id} is already the id of the policy at {other.path}:{other.line}",
            )
        seen[policy.id] = policy


def _reason(error: ValidationError) -> str:
    if error.validator == "additionalProperties":
        schema: Any = error.schema
        given: Any = error.instance
        extra = sorted(set(given) - set(schema.get("properties", {})))
        return "unknown key " + ", ".join(repr(name) for name in extra)
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "pattern" and error.absolute_path and error.absolute_path[-1] == "id":
        return f"{error.instance!r} is not an id like ACME001 (capital letters, then digits)"
    if error.validator == "pattern" and error.absolute_path and error.absolute_path[-1] == "name":
        return f"{error.instance!r} is not a kebab-case name like owner-in-contacts"
    return error.message


@functools.cache
def _meta_validator() -> Draft202012Validator:
    """Draft 2020-12's meta-schema, with regexes checked; one instance keeps its reference cache."""
    from jsonschema import Draft202012Validator

    from orylint.policies.formats import format_checker

    return Draft202012Validator(Draft202012Validator.META_SCHEMA, format_checker=format_checker())


@functools.cache
def _format_validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(_format_schema_text()))


@functools.cache
def _format_schema_text() -> str:
    path = Path(__file__).resolve().parents[1] / "schemas" / "policy.schema.json"
    return path.read_text(encoding="utf-8")


def as_rules(policies: Sequence[Policy]) -> list[Rule]:
    """Policies as engine rules: each one a client rule with its own metadata.

    The client's instance is built once per scan and client, whatever the number of policies.
    """
    instances: dict[int, tuple[Client, Instance]] = {}

    def rule(policy: Policy) -> Rule:
        def check(client: Client, settings: Settings) -> Iterable[Violation]:
            cached = instances.get(id(client))  # run for every policy and client: one call
            if cached is None or cached[0] is not client:
                from orylint.policies.facts import client_instance  # once per client

                cached = instances[id(client)] = (client, client_instance(client, settings))
            return policy.check(client, cached[1])

        return Rule(policy.id, "client", check, policy.meta)

    return [rule(policy) for policy in policies]

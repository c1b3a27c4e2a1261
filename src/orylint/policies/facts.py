"""What a policy sees of a client: its known attribute values and a few derived facts.

A policy is JSON Schema, so a client becomes a JSON object: every attribute the configuration
sets (with Terraform's conversions to the provider's types, ``metadata`` decoded from its JSON)
plus derived facts under documented names (:data:`FACTS`). The facts come from
:mod:`orylint.model.effective`, the same code the built-in rules decide with, so a policy and a
rule never disagree on what the effective grant types or auth method are.

Unknown values have no JSON form. They stay in the object as ``null`` placeholders (so that
``required`` counts an attribute set to an unknown as present) and their JSON paths are listed in
:attr:`Instance.unknown`; the evaluator drops every schema error that depends on one.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from orylint.golang import gojson
from orylint.golang.durations import DurationError, parse_go_duration
from orylint.model import effective
from orylint.model.project import Client
from orylint.model.settings import Settings
from orylint.terraform.provider_schema import resource_schema
from orylint.terraform.values import Sensitive, Span, Unknown

JsonPath = tuple[str | int, ...]

FACTS: Mapping[str, tuple[str, str | None]] = {
    "address": ('the resource instance address, `module.apps["web"].ory_oauth2_client.this`', None),
    "resource_type": (
        "the resource that created the client: `ory_oauth2_client`, `hydra_oauth2_client`, ...",
        None,
    ),
    "module_path": (
        'the module instance address, `module.apps["web"]`; `""` in a root module',
        None,
    ),
    "instance_key": (
        "the resource's own `count` index or `for_each` key; absent without them",
        None,
    ),
    "effective_grant_types": (
        'the grant types Hydra applies: `grant_types`, or `["authorization_code"]` when unset '
        "or empty",
        "grant_types",
    ),
    "effective_response_types": (
        'the response types Hydra applies: `response_types`, or `["code"]` when unset or empty',
        "response_types",
    ),
    "effective_auth_method": (
        "the token endpoint auth method Hydra stores: `token_endpoint_auth_method`, or the "
        "resource's default (`client_secret_post` on `ory_oauth2_client`, else "
        "`client_secret_basic`)",
        "token_endpoint_auth_method",
    ),
    "public": (
        "whether the client is public (its effective auth method is `none`)",
        "token_endpoint_auth_method",
    ),
    "effective_scopes": (
        "the scope Hydra stores, split on whitespace: `scope`, or the project's default scope "
        "when unset or empty",
        "scope",
    ),
    "effective_access_token_strategy": (
        "`jwt` or `opaque`: the client's `access_token_strategy`, else the project's",
        "access_token_strategy",
    ),
    "lifespans": (
        'each `*_lifespan` attribute that is set, in seconds (`"90m"` is `5400`)',
        None,
    ),
}
"""Derived facts: name → (what it means, the attribute a finding about it points at)."""


@dataclass
class Instance:
    """A client as JSON, with where its unknowns are and what each top-level key comes from."""

    value: dict[str, object]
    unknown: set[JsonPath] = field(default_factory=set)
    memo_keys: dict[tuple[str, ...], str] = field(default_factory=dict, repr=False, compare=False)
    """The policies' memo keys of this instance, by the attributes a policy reads: worked out
    once for every policy that reads the same ones (:func:`orylint.policies.policy._memo_key`;
    an instance is not changed once :func:`client_instance` has built it)."""

    @property
    def unknown_keys(self) -> frozenset[str]:
        """Top-level keys that hold an unknown anywhere inside them."""
        return frozenset(str(path[0]) for path in self.unknown)

    @functools.cached_property
    def exact_json(self) -> bool:
        """Whether the value is JSON's types only, with numbers a double holds exactly.

        jsonschema-rs reads such a value as jsonschema does (:mod:`orylint.policies.fast`);
        Python compares any int with any float exactly, a double holds integers up to 2^53, and
        a string must have a UTF-8 form.
        """
        return _exact_json(self.value)

    def touches_unknown(self, path: JsonPath) -> bool:
        """Whether the value at ``path`` contains an unknown, or lies inside one."""
        size = len(path)
        return any(
            unknown[:size] == path or path[: len(unknown)] == unknown for unknown in self.unknown
        )


_EXACT = 2**53


def _exact_json(value: object) -> bool:
    """:attr:`Instance.exact_json`, without recursion: decoded metadata may nest 10,000 deep.

    Values of exactly JSON's types (most of every client) are told apart by ``type``, and the
    keys of a dict and the items of a list of strings are checked at once, joined (joining
    fails on anything but strings, and a lone surrogate stays one); anything else goes by
    ``isinstance``, subclasses included.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if type(item) is str:
            if not _utf8(item):
                return False
        elif type(item) is dict:
            try:
                keys = "".join(item)
            except TypeError:
                return False  # a key that is not a string
            if not _utf8(keys):
                return False
            pending.extend(item.values())
        elif type(item) is list:
            try:
                texts = "".join(item)
            except TypeError:  # not strings only: one by one
                pending.extend(item)
            else:
                if not _utf8(texts):
                    return False
        elif type(item) is int:
            if not -_EXACT <= item <= _EXACT:
                return False
        elif item is None or isinstance(item, bool):
            continue
        elif isinstance(item, str):
            if not _utf8(item):
                return False
        elif isinstance(item, int):
            if not -_EXACT <= item <= _EXACT:
                return False
        elif isinstance(item, float):
            if not math.isfinite(item):
                return False
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict) and all(isinstance(key, str) and _utf8(key) for key in item):
            pending.extend(item.values())
        else:
            return False
    return True


def _utf8(text: str) -> bool:
    """Whether ``text`` has a UTF-8 form (no lone surrogate, which HCL escapes can make)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_SCHEMA_TYPE = re.compile(r"#/\$defs/(\w+)$")


def client_instance(client: Client, settings: Settings) -> Instance:
    """The JSON object a policy validates for ``client``."""
    instance = Instance({})
    types = _attribute_types()
    for name in client.attributes:
        attribute = client.attr(name)
        if attribute is None or types.get(name) is None:
            continue  # unset, or not an argument of the resource (count, for_each, depends_on)
        instance.value[name] = _attribute_value(client, name, types[name], instance)
    _decode_metadata(instance)
    _add_facts(client, settings, instance)
    return instance


def _attribute_value(client: Client, name: str, kind: str, instance: Instance) -> object:
    attribute = client.attributes[name]
    if kind == "string":
        text = client.string(name)
        if text is not None:
            return text
    elif kind == "bool":
        flag = client.boolean(name)
        if flag is not None:
            return flag
    elif kind == "list_of_string" and isinstance(attribute.value, list):
        return [
            _plain(element, (name, index), instance)
            for index, element in enumerate(attribute.value)
        ]
    if attribute.known:
        return _plain(attribute.value, (name,), instance)  # a type ORY101 reports: as written
    instance.unknown.add((name,))
    return None


def _plain(value: object, path: JsonPath, instance: Instance) -> object:
    """A value as JSON; unknowns become ``null`` and are recorded."""
    if isinstance(value, Sensitive):
        return _plain(value.value, path, instance)
    if isinstance(value, Unknown):
        instance.unknown.add(path)
        return None
    if isinstance(value, list):
        return [_plain(item, (*path, index), instance) for index, item in enumerate(value)]
    if isinstance(value, dict):
        return {str(key): _plain(item, (*path, str(key)), instance) for key, item in value.items()}
    return value


def _decode_metadata(instance: Instance) -> None:
    """``metadata`` as the object its JSON holds; JSON that is not an object is ORY109's."""
    text = instance.value.get("metadata")
    if not isinstance(text, str):
        return
    try:
        decoded = _from_go(gojson.unmarshal(text))
    except gojson.GoJSONError:
        decoded = None
    if isinstance(decoded, dict):
        instance.value["metadata"] = decoded
    else:
        instance.value["metadata"] = None
        instance.unknown.add(("metadata",))


def _from_go(value: object) -> object:
    if isinstance(value, gojson.JSONNumber):
        exact: Decimal = value.exact
        return int(exact) if exact == exact.to_integral_value() else float(exact)
    if isinstance(value, list):
        return [_from_go(item) for item in value]
    if isinstance(value, dict):
        return {key: _from_go(item) for key, item in value.items()}
    return value


def _add_facts(client: Client, settings: Settings, instance: Instance) -> None:
    facts = instance.value
    facts["address"] = client.address
    facts["resource_type"] = client.resource_type
    facts["module_path"], key = address_parts(client.address)
    if key is not None:
        facts["instance_key"] = key
    _fact(instance, "effective_grant_types", effective.grant_types(client))
    _fact(instance, "effective_response_types", effective.response_types(client))
    _fact(instance, "effective_auth_method", effective.auth_method(client))
    _fact(instance, "public", effective.is_public(client))
    allowed = effective.scope(client, settings)
    _fact(instance, "effective_scopes", None if allowed is None else list(allowed.tokens))
    _fact(
        instance,
        "effective_access_token_strategy",
        effective.access_token_strategy(client, settings),
    )
    lifespans: dict[str, object] = {}
    for name in effective.LIFESPAN_ATTRIBUTES:
        if name not in client.attributes or not client.is_set(name):
            continue
        text = client.string(name)
        try:
            lifespans[name] = _seconds(parse_go_duration(text)) if text is not None else None
        except DurationError:  # ORY201 reports it
            lifespans[name] = None
        if lifespans[name] is None:
            instance.unknown.add(("lifespans", name))
    facts["lifespans"] = lifespans


def _fact(instance: Instance, name: str, value: object) -> None:
    instance.value[name] = value
    if value is None:
        instance.unknown.add((name,))


def _seconds(nanoseconds: int) -> int | float:
    seconds, rest = divmod(nanoseconds, 10**9)
    return seconds if rest == 0 else nanoseconds / 10**9


_KEY = re.compile(r'\[("(?:[^"\\]|\\.)*"|\d+)\]$')


def address_parts(address: str) -> tuple[str, str | int | None]:
    """``module.a["x"].ory_oauth2_client.b[0]`` → ``('module.a["x"]', 0)``.

    Split at the ``.`` that are not inside an instance key: the module path is everything
    before the resource's ``type.name``, the instance key what follows it.
    """
    key: str | int | None = None
    rest = address
    match = _KEY.search(rest)
    if match is not None:
        text = match.group(1)
        key = int(text) if text.isdigit() else _unquote(text)
        rest = rest[: match.start()]
    parts = _split_dots(rest) if '"' in rest else rest.split(".")
    return ".".join(parts[:-2]), key


def _split_dots(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif quoted:
            escaped = char == "\\"
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == ".":
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


@functools.cache
def _attribute_types() -> dict[str, str]:
    types = {}
    for name, prop in resource_schema()["properties"].items():
        match = _SCHEMA_TYPE.search(str(prop.get("$ref", "")))
        if match is not None:
            types[name] = match.group(1)
    return types


def fact_span(client: Client, key: str) -> tuple[Span, str | None]:
    """Where a finding about fact ``key`` points, and the attribute it judges (if set)."""
    source = FACTS[key][1] if key in FACTS else None
    if source is not None:
        attribute = client.attr(source)
        if attribute is not None:
            return attribute.value_span, source
    return client.span, None

"""ORY101: the configuration must match the provider's schema.

Driven by one JSON Schema of the resource (``schemas/ory_oauth2_client.schema.json``): attribute
names, types (with Terraform's automatic conversions), the required ``client_name`` and the
read-only attributes. ``terraform validate`` would catch these too, but only after ``init``,
which needs the registry; orylint catches them offline and in pre-commit.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from orylint.findings import Violation
from orylint.model import Attribute, Client, Unknown
from orylint.registry import client_rule
from orylint.settings import Settings


@functools.cache
def resource_schema() -> dict[str, Any]:
    """The resource schema, loaded once."""
    text = resources.files("orylint.schemas").joinpath("ory_oauth2_client.schema.json")
    schema: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return schema


@functools.cache
def _validators() -> dict[str, Draft202012Validator]:
    """One validator per attribute, so each error maps to exactly one attribute."""
    schema = resource_schema()
    return {
        name: Draft202012Validator({**prop, "$defs": schema["$defs"]})
        for name, prop in schema["properties"].items()
        if not prop.get("x-terraform-meta-argument")
    }


@client_rule("ORY101")
def configuration_matches_schema(client: Client, settings: Settings) -> Iterator[Violation]:
    """Missing ``client_name``, unknown or read-only attributes, wrong types, duplicates."""
    del settings
    schema = resource_schema()
    properties: dict[str, Any] = schema["properties"]
    if client.attr("client_name") is None and not client.is_unknown("client_name"):
        yield Violation(
            f"{client.address} has no `client_name`: the argument is required by the provider",
            client.span,
        )
    for name, attribute in client.attributes.items():
        if name not in properties:
            yield Violation(_unknown_message(client, name, properties), attribute.span, name)
        elif properties[name].get("readOnly"):
            yield Violation(
                f"`{name}` is read-only (computed by Ory): remove it from {client.address}",
                attribute.span,
                name,
            )
        else:
            yield from _type_errors(client, attribute)
    for duplicate in client.duplicate_attributes:
        yield Violation(
            f"`{duplicate.name}` is set twice in {client.address}: Terraform rejects a "
            "redefined argument; keep one",
            duplicate.span,
            duplicate.name,
        )
    allowed_blocks = set(schema.get("x-terraform-nested-blocks", []))
    for block_type, span in client.nested_blocks:
        if block_type not in allowed_blocks:
            yield Violation(
                f"`{block_type}` blocks are not supported by ory_oauth2_client "
                f"({client.address}); set it as an argument (`{block_type} = ...`)",
                span,
                block_type,
            )


def _unknown_message(client: Client, name: str, properties: dict[str, Any]) -> str:
    candidates = [key for key, prop in properties.items() if not prop.get("readOnly")]
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    return (
        f"`{name}` is not an argument of ory_oauth2_client ({client.address}), so the plan "
        f'fails with "Unsupported argument"{hint}'
    )


def _type_errors(client: Client, attribute: Attribute) -> Iterator[Violation]:
    """Check known values only; a list with unknown elements is checked element by element."""
    validator = _validators().get(attribute.name)
    if validator is None or attribute.value is None:
        return
    value = attribute.value
    if attribute.elements is not None and not attribute.known:
        value = [
            element.value
            for element in attribute.elements
            if element.value is not None and not isinstance(element.value, Unknown)
        ]
    elif not attribute.known:
        return
    errors = sorted(validator.iter_errors(value), key=lambda error: list(error.path))
    if not errors:
        return
    expected = _expected_type(validator.schema)
    yield Violation(
        f"`{attribute.name}` of {client.address} must be {expected}, not "
        f"{_describe(attribute.value)}",
        attribute.value_span,
        attribute.name,
    )


def _expected_type(schema: object) -> str:
    if not isinstance(schema, dict):
        return "of the schema's type"
    reference = schema.get("$ref", "")
    return {
        "#/$defs/string": "a string",
        "#/$defs/bool": "a bool",
        "#/$defs/list_of_string": "a list of strings",
    }.get(reference, "of the schema's type")


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "this value"

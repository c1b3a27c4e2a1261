"""ORY101: the configuration must match the provider's schema.

Driven by one JSON Schema per client resource (``schemas/<resource type>.schema.json``):
attribute names, types (with Terraform's automatic conversions), required arguments, the
read-only attributes, and for ``ory_oauth2_client`` which provider release introduced each
attribute (``x-since``, ``x-read-only-until``, ``x-provider-versions``). Each resource is judged
by its own schema, on its arguments as written (``Client.arguments``). ``terraform validate``
would catch these too, but only after ``init``, which needs the registry; orylint catches them
offline and in pre-commit.

The pinned release comes from ``settings.provider.version``: ``latest`` (the default) and any
version newer than the last ``terraform-provider-orynetwork`` tag mean the renamed ``ory/ory``
provider. Which attribute appeared when is data in the schema file, not code here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

from orylint.engine.findings import Violation
from orylint.engine.registry import client_rule
from orylint.model.effective import (
    LATEST,
    RESPONSE_TYPE_TOKENS,
    SUPPORTED_GRANTS,
    Version,
    available_in,
    pinned_release,
    read_only_in,
    show,
)
from orylint.model.project import Client
from orylint.model.settings import Settings
from orylint.terraform.provider_schema import RESOURCE_TYPE, resource_schema
from orylint.terraform.resources import client_resource
from orylint.terraform.values import Attribute, Unknown

__all__ = ["configuration_matches_schema", "resource_schema"]


@functools.cache
def _validators(resource_type: str) -> dict[str, Draft202012Validator]:
    """One validator per attribute, so each error maps to exactly one attribute.

    jsonschema is imported here, on the first value that needs it: importing it costs a
    noticeable part of orylint's start-up, and most values are plainly of their type.
    """
    from jsonschema import Draft202012Validator

    schema = resource_schema(resource_type)
    return {
        name: Draft202012Validator({**prop, "$defs": schema["$defs"]})
        for name, prop in schema["properties"].items()
        if not prop.get("x-terraform-meta-argument")
    }


@client_rule("ORY101")
def configuration_matches_schema(client: Client, settings: Settings) -> Iterator[Violation]:
    """Missing ``client_name``; unknown, too new or read-only attributes; types; duplicates."""
    schema = resource_schema(client.resource_type)
    properties: dict[str, Any] = schema["properties"]
    pinned = pinned_release(settings) if client.resource_type == RESOURCE_TYPE else None
    allowed_blocks = set(schema.get("x-terraform-nested-blocks", []))
    for required in schema.get("required", []):
        if client.arguments.get(required) is None or client.arguments[required].value is None:
            yield Violation(
                f"{client.address} has no `{required}`: the argument is required by the provider",
                client.span,
            )
    for name, attribute in client.arguments.items():
        prop = properties.get(name)
        if name in allowed_blocks:
            continue  # an argument written as blocks (`jwk { ... }`)
        if prop is None:
            message = _unknown_message(client, name, properties, pinned)
            yield Violation(message, attribute.span, name)
        elif not available_in(prop, pinned):
            message = _too_new_message(client, name, prop, settings)
            yield Violation(message, attribute.span, name)
        elif read_only_in(prop, pinned):
            if attribute.value is None:
                continue  # null is allowed for a computed-only attribute
            yield Violation(_read_only_message(client, name, prop, settings), attribute.span, name)
        else:
            yield from _type_errors(client, attribute)
            yield from _refused_by_provider(client, attribute, prop)
    for duplicate in client.duplicate_attributes:
        yield Violation(
            f"`{duplicate.name}` is set twice in {client.address}: Terraform rejects a "
            "redefined argument; keep one",
            duplicate.span,
            duplicate.name,
        )
    for block_type, span in client.nested_blocks:
        if block_type not in allowed_blocks:
            yield Violation(_block_message(client, block_type), span, block_type)


def _block_message(client: Client, block_type: str) -> str:
    if block_type == "dynamic":
        # The model keeps a nested block's type, not its label, so the argument the block was
        # meant to generate cannot be named; suggesting `dynamic = ...` would be wrong.
        return (
            f"`dynamic` blocks are not supported by {client.resource_type} ({client.address}): "
            "orylint cannot tell which argument the block generates; set the argument directly, "
            "with a for expression for a list (e.g. `redirect_uris = [for u in var.uris : u]`)"
        )
    return (
        f"`{block_type}` blocks are not supported by {client.resource_type} ({client.address}); "
        f"set it as an argument (`{block_type} = ...`)"
    )


def _unknown_message(
    client: Client, name: str, properties: dict[str, Any], pinned: Version | None
) -> str:
    candidates = [
        key
        for key, prop in properties.items()
        if available_in(prop, pinned) and not read_only_in(prop, pinned)
    ]
    import difflib  # here: only an unknown attribute needs it, and start-up counts

    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    dynamic = resource_schema(client.resource_type).get("x-dynamic-registration", {})
    if name in dynamic:
        hint = f": {dynamic[name]}, so the resource has no such argument"
    return (
        f"`{name}` is not an argument of {client.resource_type} ({client.address}), so the plan "
        f'fails with "Unsupported argument"{hint}'
    )


def _too_new_message(client: Client, name: str, prop: dict[str, Any], settings: Settings) -> str:
    since = str(prop.get("x-since"))
    if since == LATEST:
        needs = "exists only in the renamed ory/ory provider, not in terraform-provider-orynetwork"
    else:
        needs = f"needs provider v{since.lstrip('v')} or later"
    return (
        f"`{name}` {needs}, but provider.version is {settings.provider.version!r}: the plan of "
        f'{client.address} fails with "Unsupported argument"; upgrade the provider (and set '
        "provider.version) or remove the argument"
    )


def _read_only_message(client: Client, name: str, prop: dict[str, Any], settings: Settings) -> str:
    if prop.get("readOnly"):
        return f"`{name}` is read-only (computed by Ory): remove it from {client.address}"
    return (
        f"`{name}` is read-only in terraform-provider-orynetwork (provider.version is "
        f"{settings.provider.version!r}): Ory generates it, and the plan of {client.address} fails "
        'with "Invalid Configuration for Read-Only Attribute"; remove it, or move to the ory/ory '
        "provider, which accepts a custom value"
    )


_PLAIN = {
    "#/$defs/string": lambda value: isinstance(value, str),
    "#/$defs/bool": lambda value: isinstance(value, bool),
    "#/$defs/list_of_string": lambda value: (
        isinstance(value, list) and all(isinstance(item, str | Unknown) for item in value)
    ),
}
"""Values that are plainly of their schema type need no validator (the common case)."""


def _type_errors(client: Client, attribute: Attribute) -> Iterator[Violation]:
    """Check known values only; a list with unknown elements is checked element by element."""
    prop = resource_schema(client.resource_type)["properties"].get(attribute.name, {})
    plain = _PLAIN.get(prop.get("$ref", ""))
    if attribute.value is None or (plain is not None and plain(attribute.value)):
        return
    validator = _validators(client.resource_type).get(attribute.name)
    if validator is None:
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


def _refused_by_provider(
    client: Client, attribute: Attribute, prop: dict[str, Any]
) -> Iterator[Violation]:
    """List elements that Hydra accepts but the provider's own validation refuses at plan time.

    The community providers check ``grant_types`` and ``response_types`` against fixed lists
    (``x-provider-enum``): the jwt-bearer and device grants, and combined response types such
    as ``"code id_token"``, never reach Hydra. A value Hydra refuses too is left to the rule
    that owns it (ORY103, ORY104), so one problem gives one finding.
    """
    allowed = prop.get("x-provider-enum")
    if allowed is None:
        return
    for element, value in client.known_elements(attribute.name):
        if value in allowed or not _hydra_accepts(attribute.name, value):
            continue
        yield Violation(
            f"{show(value)} in `{attribute.name}` of {client.address} is refused by the "
            f"{client_resource(client.resource_type).provider} provider, which accepts only "
            f'{", ".join(allowed)}: terraform plan fails with "expected {attribute.name}.N to '
            f'be one of ..."; Hydra supports it, so use a provider that sends it (ory/ory) or '
            "drop it",
            element.span,
            f"{attribute.name}[{element.index}]",
        )


def _hydra_accepts(name: str, value: str) -> bool:
    if name == "grant_types":
        return value in SUPPORTED_GRANTS
    return bool(value.split()) and set(value.split()) <= RESPONSE_TYPE_TOKENS


def _expected_type(schema: object) -> str:
    if not isinstance(schema, dict):
        return "of the schema's type"
    reference = schema.get("$ref", "")
    return {
        "#/$defs/string": "a string",
        "#/$defs/bool": "a bool",
        "#/$defs/list_of_string": "a list of strings",
        "#/$defs/map_of_string": "a map of strings",
        "#/$defs/number": "a number",
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

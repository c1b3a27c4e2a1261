"""Each client resource's arguments in the model's terms, so that every rule reads one shape.

The adapters are data (:mod:`orylint.terraform.resources`); this module applies them once, after
loading and plan mapping, to every client of the project. A renamed or reshaped attribute keeps
the spans of the argument as written, so a finding on ``scope`` of a ``hydra_oauth2_client``
points at its ``scopes = [...]``. Arguments outside the resource's schema, and its read-only
ones, stay in ``Client.written`` only: ORY101 reports them, and no other rule judges a value that
the provider would never send (``skip_consent`` on an ``ory_oidc_dynamic_client``).
``ory_oauth2_client`` is the model itself and is left as it is.
"""

from __future__ import annotations

import dataclasses
import json

from orylint.model.project import Client, Project
from orylint.terraform.provider_schema import resource_schema
from orylint.terraform.resources import ORY_OAUTH2_CLIENT, Shape, client_resource
from orylint.terraform.values import Attribute, Sensitive, Unknown, is_known, unmark_deep


def adapt_project(project: Project) -> None:
    """Put every client of the project in the model's terms (idempotent)."""
    for module in project.modules.values():
        module.clients = [adapt(client) for client in module.clients]


def adapt(client: Client) -> Client:
    """The client with its arguments mapped to the model's attributes."""
    resource = client_resource(client.resource_type)
    if resource.type == ORY_OAUTH2_CLIENT or client.written:
        return client
    properties = resource_schema(resource.type)["properties"]
    blocks = set(resource_schema(resource.type).get("x-terraform-nested-blocks", []))
    attributes: dict[str, Attribute] = {}
    for name, attribute in client.attributes.items():
        sent = name in blocks or (name in properties and not properties[name].get("readOnly"))
        if not sent:
            continue
        model = resource.model_name(name)
        shape = resource.shapes.get(name)
        converted = _reshape(attribute, shape) if shape is not None else attribute
        if converted is not None:
            attributes[model] = dataclasses.replace(converted, name=model)
    return dataclasses.replace(client, attributes=attributes, written=dict(client.attributes))


def _reshape(attribute: Attribute, shape: Shape) -> Attribute | None:
    """Convert a value as the provider does before it sends the client to Hydra."""
    if attribute.value is None:
        return attribute
    if not is_known(attribute.value):
        text = attribute.value.text if isinstance(attribute.value, Unknown) else attribute.source
        return dataclasses.replace(
            attribute, value=Unknown("not known before apply", text), elements=None
        )
    value, marked = unmark_deep(attribute.value)
    sensitive = attribute.sensitive or marked
    if shape == "join":
        return _joined(attribute, value, sensitive)
    if shape == "json":
        if not isinstance(value, dict):
            return None  # the wrong type is ORY101's
        encoded = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return _as_string(attribute, encoded, sensitive)
    return _key_set(attribute, value, sensitive)


def _joined(attribute: Attribute, value: object, sensitive: bool) -> Attribute | None:
    """``scopes = ["openid", "offline"]`` is sent as ``scope = "openid offline"``.

    An empty list (or ``[""]``) sends the empty string, which Hydra fills with its default
    scope: unset.
    """
    if not isinstance(value, list):
        return None
    items = [_text(item) for item in value]
    if not items:
        return None
    if any(item is None for item in items):
        return None  # a null or a collection in the list: ORY101's type error
    joined = " ".join(item for item in items if item is not None)
    return _as_string(attribute, joined, sensitive) if joined else None


def _key_set(attribute: Attribute, value: object, sensitive: bool) -> Attribute | None:
    """``jwk { ... }`` blocks are sent as the client's JWK set, each block one key.

    Members left out (``null``) are not sent; the provider marks private members sensitive. In
    ``.tf.json`` one block may be written as an object instead of a list of objects.
    """
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not value:
        return None
    keys = [
        {member: item for member, item in key.items() if item is not None}
        for key in value
        if isinstance(key, dict)
    ]
    encoded = json.dumps({"keys": keys}, separators=(",", ":"), ensure_ascii=False)
    return _as_string(attribute, encoded, sensitive or any(_private(key) for key in keys))


_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})


def _private(key: dict[str, object]) -> bool:
    return any(member in key for member in _PRIVATE_MEMBERS)


def _as_string(attribute: Attribute, text: str, sensitive: bool) -> Attribute:
    value: object = text
    return dataclasses.replace(
        attribute,
        value=value,
        elements=None,
        sensitive=sensitive,
        from_jsonencode=True,
        heredoc=False,
    )


def _text(item: object) -> str | None:
    """A list element as Terraform converts it to a string."""
    if isinstance(item, Sensitive):
        item = item.value
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, str):
        return item
    if isinstance(item, int | float):
        return str(int(item)) if isinstance(item, float) and item.is_integer() else str(item)
    return None

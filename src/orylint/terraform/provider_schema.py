"""The schemas of the client resources (``schemas/<resource type>.schema.json``).

One JSON Schema per resource holds what orylint knows about its arguments: names, types, the
provider release that introduced each, which are read-only and which the provider marks
sensitive. Rules and the engine read them from here; which resources exist is
:mod:`orylint.terraform.resources`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from orylint.terraform.resources import CLIENT_RESOURCE_TYPES, ORY_OAUTH2_CLIENT, client_resource

RESOURCE_TYPE = ORY_OAUTH2_CLIENT


@functools.cache
def resource_schema(resource_type: str = RESOURCE_TYPE) -> dict[str, Any]:
    """The schema of a client resource type, loaded once per process."""
    name = client_resource(resource_type).schema_file
    # A path next to this module, not importlib.resources: see engine/metadata.py.
    text = (Path(__file__).resolve().parents[1] / "schemas" / name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def sensitive_attributes() -> frozenset[str]:
    """Arguments any client resource marks sensitive: their values must never be shown."""
    return frozenset(
        name
        for resource_type in sorted(CLIENT_RESOURCE_TYPES)
        for name, prop in resource_schema(resource_type)["properties"].items()
        if prop.get("x-sensitive")
    )


def is_sensitive_name(name: str) -> bool:
    """Whether an argument of this name holds a secret.

    The client's sensitive arguments, and the API keys of the provider configuration
    (``project_api_key``, ``workspace_api_key``).
    """
    return name in sensitive_attributes() or name.endswith("api_key")


def is_whole_client(parts: Sequence[str]) -> bool:
    """Whether a reference names a whole client (``ory_oauth2_client.x``), not one attribute.

    A whole-object reference carries the secret with it, so secret flow treats it specially.
    """
    return len(parts) == 2 and parts[0] in CLIENT_RESOURCE_TYPES

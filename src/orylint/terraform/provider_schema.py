"""The ``ory_oauth2_client`` resource schema (``schemas/ory_oauth2_client.schema.json``).

One JSON Schema holds what orylint knows about the resource's arguments: names, types, the
provider release that introduced each, which are read-only and which the provider marks
sensitive. Rules and the engine read it from here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

RESOURCE_TYPE = "ory_oauth2_client"


@functools.cache
def resource_schema() -> dict[str, Any]:
    """The resource schema, loaded once per process."""
    text = resources.files("orylint.schemas").joinpath("ory_oauth2_client.schema.json")
    schema: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return schema


@functools.cache
def sensitive_attributes() -> frozenset[str]:
    """Arguments the provider marks sensitive: their values must never be shown."""
    return frozenset(
        name for name, prop in resource_schema()["properties"].items() if prop.get("x-sensitive")
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
    return len(parts) == 2 and parts[0] == RESOURCE_TYPE

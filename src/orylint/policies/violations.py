"""What a policy's failure becomes: a violation at the attribute or list element it names.

Apart from :mod:`orylint.policies.policy` because it reads the model (spans, derived facts,
sensitive values): loading policies, which a scan does before its files are gathered, imports
none of this; the first failure does.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from orylint.engine.findings import Violation
from orylint.model.effective import is_sensitive, show
from orylint.policies.facts import FACTS, fact_span
from orylint.terraform.provider_schema import sensitive_attributes

if TYPE_CHECKING:
    from orylint.model.project import Client
    from orylint.policies.facts import Instance, JsonPath
    from orylint.policies.policy import Failure, Policy
    from orylint.terraform.values import Span


def violation(policy: Policy, client: Client, instance: Instance, failure: Failure) -> Violation:
    """What one failure of ``policy`` by ``client`` says, and where it points."""
    path, missing, error = failure.path, failure.missing, failure.error
    span, judged, label = _position(client, instance, path)
    if missing is not None:
        label = _label((*path, missing))
    secret = judged is not None and _secret(client, judged.split("[", 1)[0])
    value = reason = ""  # worked out only if the message quotes them
    if "value" in policy.quotes:
        if missing is not None:
            value = "(unset)"
        elif not path:  # the whole client: its values (a secret among them) are not quoted
            value = "(the client)"
        else:
            value = show(failure.instance, sensitive=secret)
    if error is not None and "reason" in policy.quotes:
        quotes_values = secret or (not path and error.validator not in _NAMES_ONLY)
        keyword = "false" if error.validator is None else error.validator  # `require: false`
        reason = f"fails {keyword}" if quotes_values else error.message
    message = policy.message.format(
        address=client.address, attribute=label, value=value, reason=reason
    )
    return Violation(message, span, attribute=judged, sensitive=secret)


#: Keywords whose message at the client's level names attributes, never quotes their values.
_NAMES_ONLY = frozenset({"required", "additionalProperties", "dependentRequired", "propertyNames"})


def _secret(client: Client, name: str) -> bool:
    """Values never shown: the provider's sensitive arguments, and values Terraform marks."""
    return name in sensitive_attributes() or name.endswith("api_key") or is_sensitive(client, name)


def _position(client: Client, instance: Instance, path: JsonPath) -> tuple[Span, str | None, str]:
    """The span a finding points at, the attribute it judges and how the message names it."""
    if not path:
        return client.span, None, ""
    key = str(path[0])
    if key == "lifespans" and len(path) >= 2:
        attribute = client.attr(str(path[1]))
        if attribute is not None:
            return attribute.value_span, attribute.name, _label(path)
    if key in FACTS and key not in client.attributes:
        span, source = fact_span(client, key)
        index = path[1] if len(path) >= 2 else None
        same = source is not None and instance.value.get(key) == instance.value.get(source)
        if source is not None and isinstance(index, int) and same:
            return client.attributes[source].element_span(index), source, _label(path)
        return span, source, _label(path)
    attribute = client.attr(key)
    if attribute is None:
        return client.span, None, _label(path)
    if len(path) >= 2 and isinstance(path[1], int) and attribute.elements is not None:
        return attribute.element_span(path[1]), f"{key}[{path[1]}]", _label(path)
    return attribute.value_span, key, _label(path)


@functools.lru_cache(maxsize=4096)  # the same few paths, for thousands of findings
def _label(path: JsonPath) -> str:
    """How a message names a path: ``redirect_uris[2]``, ``metadata.team``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text

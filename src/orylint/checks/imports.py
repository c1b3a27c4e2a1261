"""ORY704-ORY705: what importing or replacing a client does to it.

An import brings Hydra's values into state, which the provider's defaults then overwrite on the
next apply (a client imported without ``token_endpoint_auth_method`` is switched to the provider's
default method); and a changed ``client_id`` replaces the client, which invalidates every token
and secret issued to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from orylint.engine.findings import Violation
from orylint.engine.registry import project_rule
from orylint.model import effective
from orylint.model.effective import show
from orylint.model.project import Client, Project
from orylint.model.settings import Settings
from orylint.terraform.resources import ORY_OAUTH2_CLIENT
from orylint.terraform.values import Attribute, Unknown

AUTH_METHOD = "token_endpoint_auth_method"

_PER_RUN_CALL = re.compile(r"(?<![\w.:-])(uuid|timestamp|plantimestamp|bcrypt)\s*\(")
"""Terraform functions whose result changes on every run (``bcrypt`` salts randomly)."""


@project_rule("ORY704")
def import_flips_auth_method(project: Project, settings: Settings) -> Iterator[Violation]:
    """An imported client without ``token_endpoint_auth_method`` gets the provider default.

    Hydra's own default is ``client_secret_basic``; the provider plans ``client_secret_post``
    over it and the first apply switches the method of a client that is already in use.
    """
    del settings
    for client in project.clients:
        if not client.importing or client.is_set(AUTH_METHOD):
            continue  # set, possibly to an unknown value (null counts as omitted)
        if _ignores_changes(project, client, AUTH_METHOD):
            continue
        yield Violation(
            f"{client.address} is imported but omits token_endpoint_auth_method: the provider "
            f'then sends its default "{effective.PROVIDER_DEFAULT_AUTH_METHOD}" over the '
            "method stored in Hydra (Hydra's default is client_secret_basic), breaking every "
            "integration that authenticates the other way on the first apply; set it to the "
            "existing client's value, and copy its other attributes too (an update replaces "
            "the whole client)",
            client.span,
            AUTH_METHOD,
            address=client.address,
        )


@project_rule("ORY705")
def client_id_change_replaces(project: Project, settings: Settings) -> Iterator[Violation]:
    """A ``client_id`` that differs from the one in state replaces (deletes) the client.

    Without a state orylint can still be sure in three cases: an import whose id differs from
    the configured ``client_id`` (the import writes the id into state), a ``client_id`` computed
    by a function that changes on every run, and a plan whose ``replace_paths`` name it.
    """
    pinned_read_only = effective.is_read_only("client_id", settings)
    for client in project.clients:
        if pinned_read_only and client.resource_type == ORY_OAUTH2_CLIENT:
            continue  # client_id is read-only in the pinned orynetwork release: ORY101 says so
        violation = _client_id_replacement(project, client)
        if violation is not None:
            yield violation


def _client_id_replacement(project: Project, client: Client) -> Violation | None:
    attribute = client.attr("client_id")
    span = attribute.value_span if attribute is not None else client.span
    consequence = (
        "Hydra deletes the client with every token and consent issued to it, and consumers "
        "need the new client's secret"
    )
    if ("client_id",) in client.replace_paths:
        return Violation(
            f"the plan replaces {client.address} because client_id changes: {consequence}; "
            "keep client_id stable, or create a second client and migrate before removing "
            "the old one",
            span,
            "client_id",
            address=client.address,
        )
    if attribute is None or _ignores_changes(project, client, "client_id"):
        return None
    client_id = client.string("client_id")
    import_attribute = _import_id(project, client)
    import_id = import_attribute.value if import_attribute is not None else None
    if client.importing and isinstance(import_id, str) and client_id is not None:
        if client_id == import_id:
            return None
        shown_id = show(client_id, sensitive=attribute.sensitive)
        shown_import = show(
            import_id, sensitive=import_attribute is not None and import_attribute.sensitive
        )
        return Violation(
            f"client_id {shown_id} differs from the id {shown_import} that the import block "
            f"writes into state, so the first apply replaces the imported client: "
            f"{consequence}; set client_id = {shown_import} or remove it",
            span,
            "client_id",
            address=client.address,
        )
    match = _PER_RUN_CALL.search(_code_only(attribute.source))
    if isinstance(attribute.value, Unknown) and match is not None:
        return Violation(
            f"client_id is computed with {match.group(1)}(), which returns a new value on "
            f"every run, so every apply replaces {client.address}: {consequence}; use a fixed "
            "value, or a random_uuid resource (its result stays in state)",
            span,
            "client_id",
            address=client.address,
        )
    return None


def _import_id(project: Project, client: Client) -> Attribute | None:
    """The ``id`` of the one ``import`` block that targets the client, if any."""
    module = project.modules.get(client.module_dir)
    return module.import_ids.get(f"{client.resource_type}.{client.name}") if module else None


def _code_only(source: str) -> str:
    """An expression's text with the literal parts of its strings blanked out.

    ``"uuid()"`` is a literal and ``"id-${uuid()}"`` a call: only code outside quotes and inside
    ``${...}`` / ``%{...}`` may hold a function call. Each frame on the stack is a string (-1) or
    code with its count of open braces.
    """
    result: list[str] = []
    frames = [0]
    index = 0
    while index < len(source):
        char = source[index]
        step = 1
        if frames[-1] < 0:  # inside a string literal
            if char == "\\":
                step = 2
            elif char == '"':
                frames.pop()
            elif source.startswith(("${", "%{"), index):
                frames.append(0)
                step = 2
            result.append(char if char == '"' else " " * step)
        else:
            if char == '"':
                frames.append(-1)
            elif char == "{":
                frames[-1] += 1
            elif char == "}" and frames[-1] == 0 and len(frames) > 1:
                frames.pop()  # end of an interpolation: back in its string
                char = " "
            elif char == "}":
                frames[-1] -= 1
            result.append(char)
        index += step
    return "".join(result)


def _ignores_changes(project: Project, client: Client, name: str) -> bool:
    """Whether the client's ``lifecycle { ignore_changes }`` covers ``name`` (or is ``all``)."""
    module = project.modules.get(client.module_dir)
    if module is None:
        return False
    for item in module.resource_attributes:
        if (
            item.resource_type != client.resource_type
            or item.resource_name != client.name
            or item.path != ("lifecycle", "ignore_changes")
        ):
            continue
        if any(reference.parts[0] in (name, "all") for reference in item.references):
            return True
        value = item.attribute.value
        if value == "all" or (isinstance(value, list) and name in value):
            return True
    return False

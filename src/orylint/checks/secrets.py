"""ORY701-ORY703, ORY706: ``client_secret`` exposure, empty secrets and literal API keys.

A root-module output that carries the secret without ``sensitive = true`` fails ``terraform
plan`` ("Output refers to sensitive values"); ``nonsensitive()``, child-module outputs and
plaintext sinks (files, config maps, SSM ``String`` parameters, triggers, provisioner commands)
pass Terraform but spread the secret into logs and other systems. Hydra returns the secret only
when it creates a confidential client, so public and imported clients have none to consume.
Ory API keys written as literals land in version control. (Imports and replacement:
:mod:`.imports`.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from orylint.engine.findings import Edit, Fix, Violation
from orylint.engine.registry import project_rule
from orylint.model import effective
from orylint.model.project import Module, Origin, Output, Project, ResourceAttribute
from orylint.model.secret_flow import SECRET_ATTRIBUTE, SecretFlow, SecretPath
from orylint.model.settings import Settings
from orylint.terraform.discover import HCL_SUFFIXES
from orylint.terraform.resources import CLIENT_RESOURCE_TYPES
from orylint.terraform.values import Attribute, Reference, Span

AUTH_METHOD = "token_endpoint_auth_method"
ORY_PROVIDER = "ory"
PROVIDER_API_KEYS = {
    "project_api_key": "ORY_PROJECT_API_KEY",
    "workspace_api_key": "ORY_WORKSPACE_API_KEY",
}

_SSM_PLAINTEXT_TYPES = frozenset({"String", "StringList"})


@dataclass(frozen=True)
class _Sink:
    """A resource attribute that keeps what it is given as ordinary, readable data."""

    attributes: frozenset[str]
    what: str
    fix: str


_CONFIG_MAP = _Sink(
    frozenset({"data", "binary_data"}),
    "puts it into a Kubernetes ConfigMap, which anyone allowed to read config maps sees in "
    "clear text",
    "store it in a kubernetes_secret instead",
)
_TRIGGER_FIX = "trigger on a non-secret value such as client_id instead"
_SINKS: dict[str, _Sink] = {
    "local_file": _Sink(
        frozenset({"content", "content_base64"}),
        "writes it to a file on disk in clear text",
        "hand it to a secret store, or use local_sensitive_file if a file is unavoidable",
    ),
    "aws_ssm_parameter": _Sink(
        frozenset({"value", "insecure_value"}),
        "stores it unencrypted in an SSM parameter that is not a SecureString",
        'use type = "SecureString" (or AWS Secrets Manager)',
    ),
    "kubernetes_config_map": _CONFIG_MAP,
    "kubernetes_config_map_v1": _CONFIG_MAP,
    "kubernetes_config_map_v1_data": _CONFIG_MAP,
    "null_resource": _Sink(
        frozenset({"triggers"}),
        "copies it into null_resource triggers, ordinary data that provisioners and other "
        "resources read without treating it as a credential",
        _TRIGGER_FIX,
    ),
    "terraform_data": _Sink(
        frozenset({"triggers_replace", "input"}),
        "copies it into terraform_data, whose value other resources and provisioners read "
        "without treating it as a credential",
        _TRIGGER_FIX,
    ),
}
_PROVISIONER_SINKS: dict[tuple[str, str], _Sink] = {
    ("local-exec", "command"): _Sink(
        frozenset({"command"}),
        "puts it on a command line, visible in process lists and in provisioner logs",
        "pass it through the provisioner's `environment` instead",
    ),
    ("remote-exec", "inline"): _Sink(
        frozenset({"inline"}),
        "writes it into a script uploaded to the remote host and shown in provisioner logs",
        "let the host fetch it from a secret store instead",
    ),
}


@project_rule("ORY701")
def secret_output_not_sensitive(project: Project, settings: Settings) -> Iterator[Violation]:
    """Root outputs exposing the secret (directly, nested, whole object, via locals/modules)."""
    del settings
    flow = SecretFlow(project)
    for module in project.modules.values():
        if not module.is_root:
            continue
        for output in module.outputs:
            if output.sensitive is not False:
                continue  # true, or unknown: unknown is not wrong
            for reference in output.references:
                paths = [p for p in flow.reaches(module, reference) if not p.unmasked]
                if paths:
                    yield Violation(
                        f'output "{output.name}" exposes {paths[0].describe()} without '
                        '`sensitive = true`: terraform plan fails with "Output refers to '
                        'sensitive values"; add `sensitive = true`',
                        reference.span,
                        "value",
                        address=f"output.{output.name}",
                        fix=_sensitive_fix(output),
                    )
                    break


def _sensitive_fix(output: Output) -> Fix | None:
    """Add ``sensitive = true`` under ``value`` (or flip a literal ``false``), in ``.tf`` only."""
    value = output.value_attribute
    if value is None or not value.span.path.endswith(HCL_SUFFIXES):
        return None
    flag = output.sensitive_attribute
    if flag is not None:
        if flag.source.strip() != "false":
            return None
        return Fix("mark the output sensitive", (Edit(flag.value_span, "true"),))
    if value.span.end_line >= output.block_end_line:
        return None  # a one-line block: no line to add the argument on
    end = value.span
    position = Span(end.path, end.end_line, end.end_column, end.end_line, end.end_column)
    indent = " " * (value.span.start_column - 1)
    edit = Edit(position, f"\n{indent}sensitive = true", new_attribute=True)
    return Fix("mark the output sensitive", (edit,))


@project_rule("ORY702")
def secret_unmasked(project: Project, settings: Settings) -> Iterator[Violation]:
    """``nonsensitive()`` and plaintext sinks: masking bypassed."""
    del settings
    flow = SecretFlow(project)
    for module in project.modules.values():
        for reference in module.all_references:
            if not reference.unmasked:
                continue
            # only where the unmask takes effect: nonsensitive() of an object leaves the
            # secret inside it marked (then ORY701 says the plan fails, if an output shows it)
            paths = [path for path in flow.reaches(module, reference) if path.unmasked]
            if paths:
                yield Violation(
                    f"nonsensitive() unmasks {paths[0].describe()}: the secret then shows in "
                    "plan output, logs and state outputs in clear text; keep it sensitive",
                    reference.span,
                    address=_owner(module, reference.span),
                )
        yield from _plaintext_sinks(flow, module)
        # A child module's output without `sensitive = true` is not reported: Terraform keeps
        # the mark through module outputs, so a caller that exposes it fails the plan (ORY701).


def _owner(module: Module, span: Span) -> str | None:
    """The address of the block a reference is written in (``output.creds``, ``local.x``)."""

    def within(outer: Span) -> bool:
        return outer.path == span.path and (outer.start_line, outer.start_column) <= (
            span.start_line,
            span.start_column,
        ) <= (outer.end_line, outer.end_column)

    for output in module.outputs:
        if within(output.value_span):
            return f"output.{output.name}"
    for name, local in module.locals.items():
        if within(local.span):
            return f"local.{name}"
    for item in module.resource_attributes:
        if within(item.attribute.span):
            return item.address
    return None


def _plaintext_sinks(flow: SecretFlow, module: Module) -> Iterator[Violation]:
    """The secret written into an attribute that keeps it as ordinary data (one per attribute).

    A reference inside ``nonsensitive()`` is skipped: the loop above already reports it.
    """
    index = {(item.address, item.path): item for item in module.resource_attributes}
    for item in module.resource_attributes:
        sink = _sink(item, index)
        if sink is None:
            continue
        for reference in _own_references(item):
            if reference.unmasked:
                continue
            paths = flow.reaches(module, reference)
            if paths:
                where = _describe_attribute(item)
                yield Violation(
                    f"{where} receives {paths[0].describe()} and {sink.what}, bypassing "
                    f"Terraform's masking; {sink.fix}",
                    reference.span,
                    ".".join(item.path),
                    address=item.address,
                )
                break


def _sink(
    item: ResourceAttribute, index: dict[tuple[str, tuple[str, ...]], ResourceAttribute]
) -> _Sink | None:
    """The sink an attribute is, if any; an SSM parameter only when its type is known plain."""
    path = item.path
    if len(path) == 3 and path[0] == "provisioner":
        return _PROVISIONER_SINKS.get((path[1], path[2]))
    sink = _SINKS.get(item.resource_type)
    if sink is None or len(path) != 1 or path[0] not in sink.attributes:
        return None
    if item.resource_type == "aws_ssm_parameter":
        kind = index.get((item.address, ("type",)))
        if kind is None or kind.attribute.value not in _SSM_PLAINTEXT_TYPES:
            return None  # SecureString, or a type orylint cannot know
    return sink


def _describe_attribute(item: ResourceAttribute) -> str:
    if item.path[0] == "provisioner" and len(item.path) == 3:
        return f'the provisioner "{item.path[1]}" {item.path[2]} of {item.address}'
    return f"{item.address}.{'.'.join(item.path)}"


def _own_references(item: ResourceAttribute) -> Iterator[Reference]:
    """References of an attribute, with ``self`` inside a client's own block resolved to it."""
    for reference in item.references:
        yield _resolve_self(item, reference)


def _resolve_self(item: ResourceAttribute, reference: Reference) -> Reference:
    """``self.client_secret`` in a client's provisioner is ``ory_oauth2_client.<name>...``."""
    if item.resource_type not in CLIENT_RESOURCE_TYPES or reference.parts[0] != "self":
        return reference
    parts = (item.resource_type, item.resource_name, *reference.parts[1:])
    return Reference(parts, reference.span, reference.unmasked, reference.shallow)


@project_rule("ORY703")
def secret_empty_or_null(project: Project, settings: Settings) -> Iterator[Violation]:
    """Consumers of a secret that is ``""`` (public client) or null forever (imported client).

    Only the place that selects ``client_secret`` is reported (``ory_oauth2_client.x.
    client_secret``, or ``local.c.client_secret`` over a whole client), not every local or
    output that passes the value on, so one mistake gives one finding.
    """
    del settings
    flow = SecretFlow(project)
    for module in project.modules.values():
        for reference in _consumers(module):
            if not _selects_secret(reference):
                continue
            for path in flow.reaches(module, reference):
                reason = _empty_reason(project, path) if path.names_secret else None
                if reason is not None:
                    yield Violation(
                        f"{reference.text} {reason}",
                        reference.span,
                        address=path.address,
                    )
                    break


def _consumers(module: Module) -> Iterable[Reference]:
    """Every reference of the module, ``self`` references in clients' blocks resolved."""
    for reference in module.all_references:
        if reference.parts[0] != "self":
            yield reference
    for item in module.resource_attributes:
        for reference in item.references:
            if item.resource_type in CLIENT_RESOURCE_TYPES and reference.parts[0] == "self":
                yield _resolve_self(item, reference)


def _selects_secret(reference: Reference) -> bool:
    parts = reference.parts
    if len(parts) < 3:
        return False
    if parts[0] in CLIENT_RESOURCE_TYPES:
        return parts[2] == SECRET_ATTRIBUTE
    return parts[0] == "local" and parts[-1] == SECRET_ATTRIBUTE


def _empty_reason(project: Project, path: SecretPath) -> str | None:
    """Why the secret of the path's client is empty or null, when every instance agrees."""
    module = project.modules.get(path.module_dir)
    resource_type, name = path.address.split(".")[:2]
    clients = (
        [c for c in module.clients if c.name == name and c.resource_type == resource_type]
        if module is not None
        else []
    )
    if not clients:
        return None
    if all(effective.is_public(client) is True for client in clients):
        return (
            f'is always "": {path.address} is public (token_endpoint_auth_method = "none") and '
            "Hydra issues it no secret, so whatever consumes it gets an empty string; remove "
            "the reference, a public client authenticates without a secret"
        )
    if all(client.importing for client in clients):
        return (
            f"stays null: {path.address} is imported, and the provider learns the secret only "
            "in the response to creating a client, never from a read; supply the existing "
            "secret from where it is already stored"
        )
    return None


@project_rule("ORY706")
def secrets_at_rest(project: Project, settings: Settings) -> Iterator[Violation]:
    """Ory API keys written as string literals: they land in version control.

    Every shared client secret also sits in Terraform state in clear text, but that is true of
    every confidential client this provider manages, not a mistake in one of them, so it is not
    reported (``docs/precision.md``).
    """
    del settings
    for client in project.clients:
        key = client.attr("project_api_key")
        if key is not None and _written_as_literal(key, client.origin):
            yield Violation(
                "project_api_key is a string literal: the Ory project API key lands in version "
                "control and every copy of the repository, and it controls the project's "
                "identities and OAuth2 clients; pass it through a sensitive variable",
                key.value_span,
                "project_api_key",
                address=client.address,
            )
    for module in project.modules.values():
        for provider in module.providers:
            if provider.name != ORY_PROVIDER:
                continue
            for name, variable in PROVIDER_API_KEYS.items():
                key = provider.attributes.get(name)
                if key is not None and _written_as_literal(key, "hcl"):
                    yield Violation(
                        f"{name} of the ory provider is a string literal: the API key lands in "
                        "version control and every copy of the repository, and it controls the "
                        f"Ory project; set the {variable} environment variable or pass a "
                        "sensitive variable",
                        key.value_span,
                        name,
                        address=provider.address,
                    )


def _written_as_literal(attribute: Attribute, origin: Origin) -> bool:
    """A non-empty string written in the configuration, not computed from a variable.

    Plans resolve variables, so a known value there proves nothing; the ``.tf`` source text
    (kept when the plan maps back to it) must itself be a plain string or heredoc.
    """
    if not isinstance(attribute.value, str) or not attribute.value:
        return False
    if origin in ("hcl", "hcl-json"):
        return True
    source = attribute.source
    return source.startswith(('"', "<<")) and "${" not in source and "%{" not in source

"""Plan and state documents into the model, pointing back at the ``.tf`` source when it is there.

A rule must see the same client whether it was written in ``.tf`` or came from a plan. So plan
values are turned into the same :class:`~orylint.terraform.values.Attribute` objects, with three
adjustments that keep the two views equal:

- attributes the configuration does not set (the plan's ``expressions`` lack them) are dropped,
  because the values there are provider or server defaults, which rules model themselves;
- read-only computed attributes (``id``, ``client_secret`` and whatever the resource's schema
  marks ``readOnly``) are dropped, and in a state, which has no configuration, also the computed
  values a read writes back for unset attributes (``client_id`` and ``false`` flags);
- unknown values (``after_unknown``) become :class:`~orylint.terraform.values.Unknown`.

When the module's ``.tf`` files were loaded too, each plan instance takes the spans of the
matching HCL block and replaces it, so plan findings land on the source line. Otherwise findings
point at the resource's line in the plan file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from orylint.model.ory_project import provider_key
from orylint.model.project import Client, ModuleCall, Output, Project
from orylint.terraform import recorder
from orylint.terraform.plan_loader import (
    PlanDocument,
    PlanModule,
    PlanResource,
    strip_instance_keys,
)
from orylint.terraform.provider_schema import resource_schema
from orylint.terraform.values import Attribute, Element, Reference, Span, Unknown

_READ_ONLY = frozenset({"id", "client_secret"})
_STATE_DEFAULT_FALSE = frozenset(
    {
        "skip_consent",
        "skip_logout_consent",
        "frontchannel_logout_session_required",
        "backchannel_logout_session_required",
    }
)
_UNKNOWN = "unknown until apply"


def add_plan(project: Project, plan: PlanDocument, source_root: str | None) -> None:
    """Add a plan's clients (and, without sources, its outputs) to the project."""
    directories = module_directories(plan, source_root)
    replaced: set[tuple[str, str, str]] = set()
    for resource in plan.resources:
        directory = directories.get(resource.module_path)
        hcl = _hcl_client(project, directory, resource.type, resource.name)
        client = _client(plan, resource, directory, hcl)
        project.module(client.module_dir).clients.append(client)
        if hcl is not None and directory is not None:
            replaced.add((directory, resource.type, resource.name))
    for directory, resource_type, name in replaced:
        module = project.modules[directory]
        module.clients = [
            c
            for c in module.clients
            if not (
                c.origin in ("hcl", "hcl-json")
                and c.name == name
                and c.resource_type == resource_type
            )
        ]
    for path, plan_module in plan.modules.items():
        directory = directories.get(path)
        existing = project.modules.get(directory) if directory is not None else None
        if existing is not None and existing.has_sources:
            continue  # the .tf outputs are there, with positions and nonsensitive() visible
        _add_outputs(project, plan, plan_module, _pseudo_dir(plan, path))
    project.redactions.update(plan.redactions)


def _pseudo_dir(plan: PlanDocument, path: tuple[str, ...]) -> str:
    return plan.path + "".join(f"#module.{name}" for name in path)


def module_directories(plan: PlanDocument, source_root: str | None) -> dict[tuple[str, ...], str]:
    """Map module paths to source directories, via modules.json or the calls' ``source``."""
    if source_root is None:
        return {}
    root = source_root
    result: dict[tuple[str, ...], str] = {(): root}
    manifest = Path(root) / ".terraform" / "modules" / "modules.json"
    from_manifest: dict[str, str] = {}
    recorder.file(manifest)
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        entries = data.get("Modules") if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            key, directory = entry.get("Key"), entry.get("Dir")
            if isinstance(key, str) and isinstance(directory, str) and key:
                from_manifest[key] = directory
    except (OSError, ValueError, RecursionError):
        pass  # no usable manifest (Terraform rewrites it on init): fall back to the sources
    for path in sorted(plan.modules, key=len):
        if not path:
            continue
        key = ".".join(path)
        if key in from_manifest:
            result[path] = _normpath(os.path.join(root, from_manifest[key]))
            continue
        parent = result.get(path[:-1])
        source = plan.modules[path[:-1]].calls.get(path[-1]) if path[:-1] in plan.modules else None
        if parent is not None and isinstance(source, str) and source.startswith(("./", "../")):
            result[path] = _normpath(os.path.join(parent, source))
    return result


def _normpath(path: str) -> str:
    return Path(os.path.normpath(path)).as_posix()


def _hcl_client(
    project: Project, directory: str | None, resource_type: str, name: str
) -> Client | None:
    if directory is None or directory not in project.modules:
        return None
    for client in project.modules[directory].clients:
        if (
            client.name == name
            and client.resource_type == resource_type
            and client.origin in ("hcl", "hcl-json")
        ):
            return client
    return None


def _client(
    plan: PlanDocument, resource: PlanResource, directory: str | None, hcl: Client | None
) -> Client:
    fallback = Span(plan.path, resource.line, 1, resource.line, 1)
    header = hcl.span if hcl is not None else fallback
    client = Client(
        address=resource.address,
        name=resource.name,
        span=header,
        origin=plan.kind,
        module_dir=directory
        if hcl is not None and directory
        else _pseudo_dir(plan, resource.module_path),
        importing=resource.importing,
        replace_paths=[tuple(p) for p in resource.replace_paths],
        source_mapped=hcl is not None,
        provider=hcl.provider if hcl is not None else provider_key(None, resource.type),
        resource_type=resource.type,
    )
    names = set(resource.values) | {k for k, v in resource.unknown.items() if v is not False}
    read_only = {
        name
        for name, prop in resource_schema(resource.type)["properties"].items()
        if prop.get("readOnly")
    }
    for name in sorted(names):
        if name in _READ_ONLY or name in read_only:
            continue
        if resource.configured is not None and name not in resource.configured:
            continue
        value = resource.values.get(name)
        if resource.configured is None and (
            name == "client_id" or (name in _STATE_DEFAULT_FALSE and value is False)
        ):
            continue
        attribute = _attribute(name, value, resource, hcl, header)
        if attribute is not None:
            client.attributes[name] = attribute
    return client


def _attribute(
    name: str, value: Any, resource: PlanResource, hcl: Client | None, header: Span
) -> Attribute | None:
    unknown = resource.unknown.get(name)
    sensitive = resource.sensitive.get(name)
    source = hcl.attributes.get(name) if hcl is not None else None
    span = source.span if source is not None else header
    value_span = source.value_span if source is not None else header
    if unknown is True:
        return Attribute(
            name,
            Unknown(_UNKNOWN, source.source if source is not None else ""),
            span,
            value_span,
            source=source.source if source is not None else "",
            sensitive=bool(sensitive),
            from_jsonencode=source.from_jsonencode if source is not None else False,
            heredoc=source.heredoc if source is not None else False,
        )
    if value is None and not isinstance(unknown, list):
        return None  # null: unset
    elements = None
    if isinstance(value, list) or isinstance(unknown, list):
        items = list(value) if isinstance(value, list) else []
        marks = unknown if isinstance(unknown, list) else []
        count = max(len(items), len(marks))
        converted: list[object] = []
        built = []
        for index in range(count):
            item: object = items[index] if index < len(items) else None
            if index < len(marks) and marks[index] is True:
                item = Unknown(_UNKNOWN)
            converted.append(item)
            element_span = (
                source.element_span(index)
                if source is not None and _same_length(source, count)
                else value_span
            )
            built.append(Element(index, item, element_span))
        value = converted
        elements = tuple(built)
    return Attribute(
        name=name,
        value=value,
        span=span,
        value_span=value_span,
        source=source.source if source is not None else "",
        elements=elements,
        sensitive=bool(sensitive) if not isinstance(sensitive, list) else any(sensitive),
        from_jsonencode=source.from_jsonencode if source is not None else True,
        heredoc=source.heredoc if source is not None else False,
    )


def _same_length(source: Attribute, count: int) -> bool:
    return source.elements is not None and len(source.elements) == count


def _add_outputs(
    project: Project, plan: PlanDocument, plan_module: PlanModule, directory: str
) -> None:
    module = project.module(directory)
    module.is_root = not plan_module.path
    for name, source in plan_module.calls.items():
        module.module_calls.append(
            ModuleCall(
                name=name,
                span=Span.file_start(plan.path),
                source=source,
                module_dir=directory,
                target_dir=_pseudo_dir(plan, (*plan_module.path, name)),
            )
        )
    for output in plan_module.outputs:
        span = Span(
            plan.path, _output_line(plan, output.name), 1, _output_line(plan, output.name), 1
        )
        # Terraform refuses a root output that carries a secret without `sensitive = true`, so
        # in a plan that succeeded such an output can only exist through nonsensitive().
        unmasked = not plan_module.path and not plan.errored and not output.sensitive
        references = [
            Reference(parts, span, unmasked=unmasked) for parts in _most_specific(output.references)
        ]
        module.all_references.extend(references)
        module.outputs.append(
            Output(
                name=output.name,
                span=span,
                module_dir=directory,
                value_span=span,
                references=references,
                sensitive=output.sensitive,
            )
        )


def _most_specific(references: list[str]) -> list[tuple[str, ...]]:
    """Terraform lists ``a.b.c`` and also ``a.b``; keep a prefix only when it stands alone."""
    parsed = [tuple(strip_instance_keys(ref).split(".")) for ref in references]
    return [
        parts
        for parts in parsed
        if not any(other != parts and other[: len(parts)] == parts for other in parsed)
    ]


def _output_line(plan: PlanDocument, name: str) -> int:
    return plan.output_lines.get(name, 1)


__all__ = ["add_plan"]

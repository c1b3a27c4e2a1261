"""Clients as Terraform creates them: one per module instance and per resource instance.

A client block is written once but created once per instance of its module (a root module, a
module call, each ``count``/``for_each`` key of a call, to any depth) and per instance of the
resource itself. Each gets the address Terraform gives it
(``module.apps["web"].ory_oauth2_client.this``) and attribute values evaluated in that
instance's scope: variables from defaults, tfvars and call arguments, locals, functions,
``each``/``count`` and child module outputs (:mod:`orylint.terraform.modules`).

A value that came through a variable or a local still points at the attribute that uses it,
and marks carried by the value (a ``sensitive`` variable) make the attribute sensitive.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping

from orylint.model.effective import show
from orylint.model.ory_project import (
    PROJECT_SETTINGS,
    ProjectFacts,
    provider_key,
    setting_value,
)
from orylint.model.project import Client, Project
from orylint.terraform.document import Block, BlockAttribute
from orylint.terraform.evaluator import Scope
from orylint.terraform.modules import InstanceScope, InstanceTree, ModuleInstance, Provenance
from orylint.terraform.plan_loader import strip_instance_keys
from orylint.terraform.resources import CLIENT_RESOURCE_TYPES, PROJECT_RESOURCES, TRUSTED_ISSUER
from orylint.terraform.values import Attribute, Element, Span, unmark_deep


def expand_module_calls(
    project: Project,
    root_values: Mapping[str, Mapping[str, object]] | None = None,
    root_provenance: Mapping[str, Mapping[str, Provenance]] | None = None,
) -> None:
    """Replace each module's client blocks by one client per instance reachable from a root.

    ``root_values`` gives, per root module directory, the root variables' values that come from
    tfvars files, ``-var`` and the environment (defaults are read from the configuration).
    """
    configs = {
        directory: module.config
        for directory, module in project.modules.items()
        if module.config is not None
    }
    if not configs:
        return
    tree = InstanceTree(configs, readable_resources=PROJECT_RESOURCES)
    templates = {directory: list(project.modules[directory].clients) for directory in configs}
    for directory in configs:
        project.modules[directory].clients = []
    for directory in sorted(configs):
        module = project.modules[directory]
        if not module.is_root:
            continue
        root = tree.root(
            directory,
            (root_values or {}).get(directory),
            (root_provenance or {}).get(directory),
        )
        instances = list(root.descendants())
        for instance in instances:
            for name in instance.config.locals:
                instance.local(name)  # Terraform evaluates every local: a cycle is an error
            target = project.modules[instance.config.directory]
            target.clients.extend(_clients(instance, templates[instance.config.directory]))
            _collect_project_facts(project, instance)
        for instance in instances:  # problems found while expanding calls, too
            target = project.modules[instance.config.directory]
            target.evaluation_problems.extend(
                problem
                for problem in instance.problems
                if problem not in target.evaluation_problems
            )
    _mark_imports(project)


def _clients(instance: ModuleInstance, templates: list[Client]) -> list[Client]:
    # a block is matched to the client extracted from it by where it is written
    by_block = {(client.name, client.span): client for client in templates}
    result = []
    for block in instance.config.resources:
        template = by_block.get((block.labels[1], block.header_span))
        if block.labels[0] not in CLIENT_RESOURCE_TYPES or template is None:
            continue
        project = _project_key(instance, template.provider)
        for address, scope in instance.resource_instances(block):
            client = _instance(template, block, address, scope)
            result.append(dataclasses.replace(client, provider=project))
    return result


def _project_key(instance: ModuleInstance, provider: str) -> str:
    """Which project a resource is in: its root module and provider configuration.

    Below a call that remaps providers (``providers = { ory = ory.other }``) the project is not
    known, and no project's facts apply.
    """
    if instance.providers_remapped:
        return ""
    return f"{instance.root_dir}#{provider}"


def _instance(template: Client, block: Block, address: str, scope: Scope) -> Client:
    attributes = {
        name: _evaluated(attribute, block, scope) for name, attribute in template.attributes.items()
    }
    return dataclasses.replace(template, address=address, attributes=attributes)


def _evaluated(attribute: Attribute, block: Block, scope: Scope) -> Attribute:
    written = block.attributes.get(attribute.name)
    if written is None or written.expression is None or written.attribute is not attribute:
        return attribute
    if not written.references:
        return attribute  # nothing in it depends on the instance: the loader's value stands
    value, marked = unmark_deep(written.expression.value(scope))
    elements = written.expression.elements(scope)
    if elements is not None:
        elements = tuple(
            dataclasses.replace(element, value=unmark_deep(element.value)[0])
            for element in elements
        )
    elif isinstance(value, list):
        # a list that came through a variable or a function: its elements point at the attribute
        elements = tuple(
            Element(index, item, attribute.value_span) for index, item in enumerate(value)
        )
    origin, origin_span = _provenance(written, scope, marked)
    return dataclasses.replace(
        attribute,
        value=value,
        elements=elements,
        sensitive=attribute.sensitive or marked,
        provenance=origin,
        provenance_span=origin_span,
    )


def _provenance(
    written: BlockAttribute, scope: Scope, sensitive: bool
) -> tuple[str | None, Span | None]:
    """Where a value written as ``var.x`` or ``local.x`` (or using one) came from.

    ``var.ttl = "1d" (terraform.tfvars:3)``: the first variable or local the expression uses and
    where its value is written, so a finding on the attribute says why. Only a plain value is
    quoted (a string, number or bool, never a sensitive one): an object or list may hold other
    clients' settings or secrets, and the finding already quotes the value it judges.
    """
    if not isinstance(scope, InstanceScope):
        return None, None
    instance = scope.instance
    for reference in written.references:
        kind, name = reference.parts[0], reference.parts[1] if len(reference.parts) > 1 else ""
        if kind == "var" and name in instance.provenance:
            origin = instance.provenance[name]
            value = _quoted(instance.inputs.get(name), sensitive)
            return f"var.{name}{value} ({origin.description})", origin.span
        if kind == "local" and name in instance.config.locals:
            span = instance.config.locals[name].attribute.span
            value = _quoted(instance.local(name), sensitive)
            where = f"{os.path.basename(span.path)}:{span.start_line}"
            return f"local.{name}{value} ({where})", span
    return None, None


def _quoted(value: object, sensitive: bool) -> str:
    """`` = "1d"`` for a plain known value; nothing for collections, unknowns and secrets."""
    plain, marked = unmark_deep(value)
    if marked or sensitive or not isinstance(plain, str | int | float | bool):
        return ""
    return f" = {show(plain)}"


def _collect_project_facts(project: Project, instance: ModuleInstance) -> None:
    """What ``ory_project_config`` and trusted issuers set, per provider configuration."""
    for block in instance.config.resources:
        if block.labels[0] not in PROJECT_RESOURCES:
            continue
        provider = block.attributes.get("provider")
        key = _project_key(
            instance, provider_key(provider.attribute.source if provider is not None else None)
        )
        if not key:
            continue
        facts = project.ory_projects.setdefault(key, ProjectFacts(key))
        expanded = instance.resource_instances(block)
        if ("count" in block.attributes or "for_each" in block.attributes) and any(
            not address.endswith("]") for address, _ in expanded
        ):
            continue  # whether the resource exists is known only at apply time
        for _, scope in expanded:
            if block.labels[0] == TRUSTED_ISSUER:
                facts.trusted_issuers += 1
                continue
            for name in PROJECT_SETTINGS:
                written = block.attributes.get(name)
                if written is None:
                    continue
                value = (
                    written.expression.value(scope)
                    if written.expression is not None
                    else written.attribute.value
                )
                setting = setting_value(name, value)
                if setting is not None:
                    facts.add_setting(name, setting)


def _mark_imports(project: Project) -> None:
    """``import { to = ... }`` in a root module names instances, with their keys where written.

    ``to = ory_oauth2_client.x["a"]`` imports only that instance; ``to =
    ory_oauth2_client.x`` (no key) names a resource without ``count``/``for_each``.
    """
    addresses = {
        address
        for module in project.modules.values()
        if module.is_root
        for address in module.import_addresses
    }
    for client in project.clients:
        written = "".join(client.address.split())
        client.importing = written in addresses or (
            strip_instance_keys(client.address) in addresses
            and client.address == written
            and "[" not in client.address
        )

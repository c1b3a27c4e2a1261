"""Clients of a local module, linted once per call with the call's address and arguments.

A module such as ``modules/machine_client`` is written with ``var.`` references, which alone are
unknown. Called as ``module "billing" { source = "./modules/machine_client", scope = "..." }``,
each call fixes those values. So when the caller is scanned too, the module's clients are linted
once per call: with the address Terraform gives them (``module.billing.ory_oauth2_client.this``)
and with every attribute that is exactly ``var.NAME`` replaced by the call's literal argument (or
the variable's default when the call passes none). A value that came from a variable keeps the
span of the attribute that uses it. Calls with ``for_each``/``count`` get the call address
without an instance key (the keys are not known before plan).
"""

from __future__ import annotations

import dataclasses
import re

from orylint.model.project import Client, Module, ModuleCall, Project
from orylint.terraform.values import Attribute, Element, Unknown

_BARE_VARIABLE = re.compile(r"var\.([A-Za-z_][A-Za-z0-9_-]*)")


def expand_module_calls(project: Project) -> None:
    """Replace the clients of called modules by one instance per call path from a root."""
    callers = project.callers()
    templates = {
        directory: list(module.clients)
        for directory, module in project.modules.items()
        if directory in callers
    }
    for directory in templates:
        project.modules[directory].clients = []
    for directory, module in sorted(project.modules.items()):
        if module.is_root:
            _instantiate_calls(project, module, prefix="", templates=templates, seen=(directory,))
    # `import { to = module.x.ory_oauth2_client.y }` in a root module names an instance
    targets = {
        t for module in project.modules.values() if module.is_root for t in module.import_targets
    }
    for client in project.clients:
        if client.address in targets:
            client.importing = True


def _instantiate_calls(
    project: Project,
    module: Module,
    prefix: str,
    templates: dict[str, list[Client]],
    seen: tuple[str, ...],
) -> None:
    for call in module.module_calls:
        target = call.target_dir
        if target is None or target not in project.modules or target in seen:
            continue
        child = project.modules[target]
        address = f"{prefix}module.{call.name}"
        values = _call_values(call, child)
        for template in templates.get(target, []):
            child.clients.append(_instance(template, f"{address}.{template.address}", values))
        _instantiate_calls(project, child, f"{address}.", templates, (*seen, target))


def _call_values(call: ModuleCall, child: Module) -> dict[str, object]:
    """The value of each input variable for one call: its argument, else its default."""
    values: dict[str, object] = dict(child.variable_defaults)
    for name, argument in call.arguments.items():
        values[name] = argument.value
    if call.has_for_each or call.has_count:
        # each.value/count.index may be used in the arguments: only literal arguments are kept
        values = {name: value for name, value in values.items() if not isinstance(value, Unknown)}
    return values


def _instance(template: Client, address: str, values: dict[str, object]) -> Client:
    attributes = {
        name: _substitute(attribute, values) for name, attribute in template.attributes.items()
    }
    return dataclasses.replace(template, address=address, attributes=attributes)


def _substitute(attribute: Attribute, values: dict[str, object]) -> Attribute:
    value = attribute.value
    if isinstance(value, Unknown):
        match = _BARE_VARIABLE.fullmatch(value.text.strip())
        if match and match.group(1) in values:
            return _with_value(attribute, values[match.group(1)])
        return attribute
    if attribute.elements is not None and any(
        isinstance(element.value, Unknown) for element in attribute.elements
    ):
        elements = []
        for element in attribute.elements:
            item = element.value
            if isinstance(item, Unknown):
                match = _BARE_VARIABLE.fullmatch(item.text.strip())
                if match and match.group(1) in values:
                    item = values[match.group(1)]
            elements.append(dataclasses.replace(element, value=item))
        return dataclasses.replace(
            attribute, value=[e.value for e in elements], elements=tuple(elements)
        )
    return attribute


def _with_value(attribute: Attribute, value: object) -> Attribute:
    """The attribute with a value from the caller; list elements point at the attribute."""
    elements = None
    if isinstance(value, list):
        elements = tuple(
            Element(index, item, attribute.value_span) for index, item in enumerate(value)
        )
    return dataclasses.replace(attribute, value=value, elements=elements)

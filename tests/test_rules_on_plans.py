"""Every rule fixture again, as a plan: the findings must be the same, on the same lines.

Terraform cannot plan most fixtures as they stand (they reference undeclared variables on
purpose, to test unknowns), so each fixture's plan is written here in the exact shape Terraform
1.11 gives to ``terraform show -json`` (values in ``after``, unknowns omitted and marked in
``after_unknown``, list unknowns as ``null`` placeholders, values converted to the schema's types,
configured attributes listed in ``configuration...expressions``). The fidelity of that shape is
pinned by the real-Terraform fixtures in tests/fixtures/plans (tests/test_plans.py and
tests/test_equivalence.py). ORY101 is left out: Terraform refuses to plan a configuration that
breaks the provider schema, so there is no plan to lint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orylint.checks.schema import resource_schema
from orylint.config import find_config, load_config
from orylint.engine.selection import RuleSelection
from orylint.model.project import Client
from orylint.scan import ScanOptions, scan
from orylint.terraform.resources import CLIENT_RESOURCES
from orylint.terraform.values import Unknown
from tests.test_rule_fixtures import _cases

NOT_PLANNABLE = {"ORY101"}


def _convert(value: object, kind: str) -> object:
    """Terraform's automatic conversion to the attribute's schema type."""
    if isinstance(value, Unknown) or value is None:
        return value
    if kind == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if kind == "string" and isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    if kind == "bool" and value in ("true", "false"):
        return value == "true"
    if kind == "list" and isinstance(value, list):
        return [_convert(item, "string") for item in value]
    return value


def _kind(resource_type: str, name: str) -> str:
    reference = resource_schema(resource_type)["properties"].get(name, {}).get("$ref", "")
    return {"#/$defs/bool": "bool", "#/$defs/list_of_string": "list"}.get(reference, "string")


def _change(client: Client) -> dict[str, Any]:
    after: dict[str, Any] = {}
    after_unknown: dict[str, Any] = {}
    for name, attribute in client.attributes.items():
        value = _convert(attribute.value, _kind(client.resource_type, name))
        if isinstance(value, Unknown):
            after_unknown[name] = True
        elif isinstance(value, list):
            after[name] = [None if isinstance(item, Unknown) else item for item in value]
            after_unknown[name] = [isinstance(item, Unknown) for item in value]
        elif isinstance(value, dict) and not all(
            not isinstance(v, Unknown) for v in value.values()
        ):
            after_unknown[name] = True
        else:
            after[name] = value
    after_unknown.update(client_secret=True, id=True)
    if "client_id" not in client.attributes:
        after_unknown["client_id"] = True
    return {
        "address": client.address,
        "mode": "managed",
        "type": client.resource_type,
        "name": client.name,
        "provider_name": f"registry.terraform.io/{CLIENT_RESOURCES[client.resource_type].provider}",
        "change": {
            "actions": ["create"],
            "before": None,
            "after": after,
            "after_unknown": after_unknown,
            "before_sensitive": False,
            "after_sensitive": {"client_secret": True},
        }
        | ({"importing": {"id": "imported-client-id"}} if client.importing else {}),
    }


def _plan_of(entry: Path) -> dict[str, Any]:
    clients = list(result_project(entry).clients)
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "resource_changes": [_change(client) for client in clients],
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": client.address,
                        "mode": "managed",
                        "type": client.resource_type,
                        "name": client.name,
                        "provider_config_key": client.resource_type.split("_")[0],
                        "expressions": {name: {} for name in client.attributes},
                    }
                    for client in clients
                ]
            }
        },
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def result_project(entry: Path) -> Any:
    from orylint.gather import display_path, posix_dirname
    from orylint.model.extract import add_documents, mark_roots
    from orylint.model.instances import expand_module_calls
    from orylint.model.project import Project
    from orylint.scan import load_file
    from orylint.terraform.discover import discover

    project = Project()
    inputs = discover([str(entry)])
    for path in inputs.tf_files:
        name = display_path(path)
        document = load_file(name, Path(path).read_bytes())
        assert not hasattr(document, "fatal")
        add_documents(project, posix_dirname(name), [document], "hcl")  # type: ignore[list-item]
    mark_roots(project)
    expand_module_calls(project)  # one planned resource per instance, as Terraform plans them
    return project


def _plannable() -> list[tuple[str, Path]]:
    cases = []
    for rule_id, entry in _cases():
        if rule_id in NOT_PLANNABLE:
            continue
        if entry.is_dir() and any(p.is_dir() for p in entry.rglob("*")):
            continue  # module trees: their plan needs module calls, covered by tests/test_plans.py
        cases.append((rule_id, entry))
    return cases


def _findings(entry: Path, rule_id: str, plan: Path | None) -> list[tuple[str, object, str]]:
    settings = load_config(find_config([str(entry)])).settings
    options = ScanOptions(
        [str(entry)],
        selection=RuleSelection(select=(rule_id,)),
        settings=settings,
        plans=[str(plan)] if plan else [],
        chdir=str(entry if entry.is_dir() else entry.parent) if plan else None,
    )
    result = scan(options)
    assert not result.fatal_errors, result.fatal_errors
    return sorted((f.rule_id, f.span, f.message) for f in result.findings if f.rule_id == rule_id)


@pytest.mark.parametrize(
    ("rule_id", "entry"), _plannable(), ids=lambda value: getattr(value, "name", value)
)
def test_rule_fixture_as_plan(rule_id: str, entry: Path, tmp_path: Path) -> None:
    if entry.is_file():
        source = tmp_path / "src"
        source.mkdir()
        (source / entry.name).write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
        for config in (entry.parent / ".orylint.toml",):
            if config.exists():
                (source / ".orylint.toml").write_text(config.read_text("utf-8"), "utf-8")
        target = source / entry.name
    else:
        source = tmp_path / entry.name
        source.mkdir()
        for file in entry.iterdir():
            (source / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
        target = source
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan_of(target)), encoding="utf-8")
    from_hcl = _findings(target, rule_id, None)
    from_plan = _findings(target, rule_id, plan)
    assert from_plan == from_hcl

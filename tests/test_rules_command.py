"""`orylint rules`, `orylint explain`, and the registry against the catalogue."""

from __future__ import annotations

import json

from orylint.engine.metadata import load_metadata
from orylint.engine.registry import all_rules
from tests.helpers import run_cli
from tests.test_rule_metadata import EXPECTED_IDS, TOOL_IDS

CATALOGUE_IDS = EXPECTED_IDS - TOOL_IDS


def test_registry_implements_exactly_the_catalogue() -> None:
    assert set(all_rules()) == set(CATALOGUE_IDS)
    assert len(CATALOGUE_IDS) == 65


def test_rules_table_lists_every_catalogue_id() -> None:
    result = run_cli("rules")
    assert result.returncode == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert set(listed) == set(EXPECTED_IDS)
    assert listed == sorted(listed)


def test_rules_json() -> None:
    result = run_cli("rules", "--format", "json")
    data = json.loads(result.stdout)
    by_id = {item["id"]: item for item in data}
    assert by_id["ORY201"]["name"] == "lifespan-not-go-duration"
    assert by_id["ORY201"]["help_uri"].endswith("/docs/rules/ORY201.md")
    assert all(item["summary"] for item in data)


def test_explain_prints_the_rule_doc() -> None:
    meta = load_metadata()["ORY407"]
    for query in ("ORY407", "ory407", meta.name):
        result = run_cli("explain", query)
        assert result.returncode == 0
        assert result.stdout.startswith(f"ORY407 {meta.name} (error)")
        assert "Why is this bad?" in result.stdout
        assert meta.good_example.splitlines()[0] in result.stdout


def test_explain_unknown_rule_suggests() -> None:
    result = run_cli("explain", "ORY2011")
    assert result.returncode == 2
    assert "did you mean ORY201" in result.stderr

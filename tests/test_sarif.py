"""SARIF: valid against the official 2.1.0 schema for every fixture, and shaped for GitHub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orylint.report.sarif import render_sarif
from orylint.scan import ScanOptions, scan
from tests.helpers import REPO, assert_valid_sarif

FIXTURES = REPO / "tests" / "fixtures"


def _fixture_inputs() -> list[Path]:
    rules = FIXTURES / "rules"
    inputs = [
        entry
        for rule_dir in sorted(rules.iterdir())
        if rule_dir.is_dir()
        for entry in sorted(rule_dir.iterdir())
    ]
    return [*inputs, FIXTURES / "seed", REPO / "examples"]


@pytest.mark.parametrize("path", _fixture_inputs(), ids=lambda p: str(p.relative_to(REPO)))
def test_sarif_of_every_fixture_validates(path: Path) -> None:
    result = scan(ScanOptions([str(path)]))
    document = json.loads(render_sarif(result, exit_code=result.exit_code("error")))
    assert_valid_sarif(document)


def test_sarif_shape_for_github() -> None:
    result = scan(ScanOptions([str(REPO / "examples")]))
    document = json.loads(render_sarif(result, exit_code=1, root=REPO))
    assert document["version"] == "2.1.0"
    [run] = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "orylint"
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == [meta.id for meta in result.rules]
    assert len(rules) >= 20
    for rule in rules:
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["helpUri"].endswith(f"/docs/rules/{rule['id']}.md")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        if "security" in rule["properties"]["tags"]:
            severity = float(rule["properties"]["security-severity"])
            assert 0.1 <= severity <= 10.0
            assert isinstance(rule["properties"]["security-severity"], str)
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == REPO.as_uri() + "/"
    assert run["results"]
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        location = res["locations"][0]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert physical["artifactLocation"]["uri"].startswith("examples/")
        assert physical["region"]["startColumn"] >= 1
        assert location["logicalLocations"][0]["fullyQualifiedName"]
    secret = next(r for r in run["results"] if r["ruleId"] == "ORY701")
    assert (
        secret["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        == "output.web_credentials"
    )
    assert secret["locations"][0]["physicalLocation"]["region"]["startLine"] == 14


def test_sarif_is_deterministic() -> None:
    first = scan(ScanOptions([str(REPO / "examples")]))
    second = scan(ScanOptions([str(REPO / "examples")]))
    assert render_sarif(first, exit_code=1, root=REPO) == render_sarif(
        second, exit_code=1, root=REPO
    )


def test_sarif_lists_disabled_rules_out_and_parse_errors_in(tmp_path: Path) -> None:
    (tmp_path / "bad.tf").write_text('resource "ory_oauth2_client" "x" {\n', encoding="utf-8")
    from orylint.engine.selection import RuleSelection

    result = scan(ScanOptions([str(tmp_path)], selection=RuleSelection(ignore=("ORY2",))))
    document = json.loads(render_sarif(result, exit_code=1, root=tmp_path))
    assert_valid_sarif(document)
    ids = [rule["id"] for rule in document["runs"][0]["tool"]["driver"]["rules"]]
    assert "ORY201" not in ids and "ORY001" in ids
    [parse_error] = document["runs"][0]["results"]
    assert parse_error["ruleId"] == "ORY001"
    assert parse_error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.tf"


def test_line_hashes_say_nothing_about_secrets(tmp_path: Path) -> None:
    """A line hash covers the line and what follows; lines that hold a secret are left out, so
    two files that differ only in a secret get the same hashes (and none can be reversed)."""
    from orylint.engine.fingerprints import line_hashes

    template = (
        'provider "ory" {\n'
        '  project_api_key = "ory_pat_{key}"\n'
        "}\n"
        'resource "ory_oauth2_client" "web" {\n'
        '  client_name = "web"\n'
        '  redirect_uris = ["http://app.example.com/cb"]\n'
        "}\n"
    )
    hashes = []
    for number, key in enumerate(("Aq7mX2pL9sRk", "Zt4nB8wQ1vHc")):
        root = tmp_path / f"repo{number}"
        root.mkdir()
        source = template.replace("{key}", key)
        (root / "main.tf").write_text(source, encoding="utf-8")
        document = json.loads(render_sarif(scan(ScanOptions([str(root)])), exit_code=1, root=root))
        results = document["runs"][0]["results"]
        found = {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]: r["partialFingerprints"][
                "primaryLocationLineHash"
            ]
            for r in results
        }
        assert 2 in found, results  # the literal API key's own line
        assert found[2] != line_hashes(source)[2]
        assert key not in json.dumps(document)
        hashes.append(found)
    assert hashes[0] == hashes[1]

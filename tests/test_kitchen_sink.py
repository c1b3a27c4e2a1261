"""A well-formed, fully valid client with every attribute set correctly: no error, no warning."""

from __future__ import annotations

from orylint.scan import ScanOptions, scan
from tests.helpers import REPO

KITCHEN_SINK = REPO / "tests" / "fixtures" / "kitchen_sink"


def test_kitchen_sink_has_no_error_and_no_warning() -> None:
    result = scan(ScanOptions([str(KITCHEN_SINK)]))
    assert not result.fatal_errors
    assert result.rules and len(result.rules) > 60
    serious = [(f.rule_id, f.severity, f.message) for f in result.findings if f.severity != "note"]
    assert serious == []


def test_kitchen_sink_sets_nearly_every_attribute() -> None:
    from orylint.checks.schema import resource_schema

    text = (KITCHEN_SINK / "main.tf").read_text(encoding="utf-8")
    properties = resource_schema()["properties"]
    settable = {
        name
        for name, prop in properties.items()
        if not prop.get("readOnly") and not prop.get("x-terraform-meta-argument")
    }
    left_out = {
        "client_id",
        "implicit_grant_access_token_lifespan",
        "implicit_grant_id_token_lifespan",
        "jwks",
        "jwks_wo",
        "jwks_wo_version",
        "project_api_key",
    }
    missing = {name for name in settable - left_out if f"  {name} " not in text}
    assert missing == set()

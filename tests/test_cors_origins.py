"""CORS origin rules (ORY903-ORY905) against Hydra's own validator and glob matching, from Go.

``fixtures/cors_origin_cases.json`` holds, for 1,076 origins, what a one-off Go program (not part
of the project) computed with Hydra's validator logic and gobwas/glob: whether Hydra accepts the
entry, the string it stores, and whether the stored glob matches the ``Origin`` header the entry
names. The origins are every one in the CORS fixtures plus the product of schemes, hosts (user
info, IPv6, zones, non-ASCII, wildcards, empty and default ports) and tails (slashes, ``?``, ``#``,
paths, queries, fragments). All rows are linted at once through the real scan, so no rule may
claim "Hydra rejects" on an origin Hydra accepts, nor miss one it rejects, nor call an origin
never-matching when its glob matches.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orylint.engine.findings import Finding
from orylint.engine.selection import RuleSelection
from orylint.golang.urls import parse
from orylint.model import cors
from orylint.scan import ScanOptions, scan
from tests.test_uri_rules import _hcl_string

ROWS = json.loads(
    (Path(__file__).parent / "fixtures" / "cors_origin_cases.json").read_text("utf-8")
)["rows"]
REJECTS = "rejects the client"
DRIFT = "every plan shows a change"


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[int, list[Finding]]:
    root = tmp_path_factory.mktemp("cors")
    origins = ",\n    ".join(_hcl_string(row[0]) for row in ROWS)
    (root / "main.tf").write_text(
        'resource "ory_oauth2_client" "c" {\n'
        '  client_name          = "CORS table"\n'
        f"  allowed_cors_origins = [\n    {origins},\n  ]\n"
        "}\n",
        encoding="utf-8",
    )
    selection = RuleSelection(select=("ORY903", "ORY904", "ORY905"))
    result = scan(ScanOptions([str(root)], selection=selection))
    assert not result.fatal_errors
    by_index: dict[int, list[Finding]] = {}
    for finding in result.findings:
        index = int(finding.attribute.removeprefix("allowed_cors_origins[").rstrip("]"))
        by_index.setdefault(index, []).append(finding)
    return by_index


def test_the_table_covers_every_outcome() -> None:
    assert len(ROWS) >= 1000
    accepted = [row for row in ROWS if row[1]]
    assert 300 <= len(accepted) <= len(ROWS) - 300
    assert sum(1 for row in accepted if row[4] is False) >= 100
    assert sum(1 for row in accepted if row[4] is True) >= 100


def test_rejections_are_exactly_hydras(findings: dict[int, list[Finding]]) -> None:
    wrong = []
    for index, (origin, accepted, *_) in enumerate(ROWS):
        claims = [f for f in findings.get(index, []) if REJECTS in f.message]
        if accepted == bool(claims):
            wrong.append((origin, accepted, [f.message for f in claims]))
    assert wrong == []


def test_one_finding_per_rejected_origin(findings: dict[int, list[Finding]]) -> None:
    for index, (origin, accepted, *_) in enumerate(ROWS):
        if not accepted:
            assert len(findings.get(index, [])) == 1, origin


def test_never_matching_origins_are_warnings(findings: dict[int, list[Finding]]) -> None:
    """An accepted, wildcard-free origin whose glob misses its own Origin header: one warning.

    Every "never matches" case is one ORY904 warning (the entry is dead, but the client may still
    work through another origin or flow), the default port and a host with no Origin header at
    all (zoned IPv6, non-ASCII) included; no accepted origin gets an error.
    """
    wrong = []
    for index, (origin, accepted, stored, header, match) in enumerate(ROWS):
        if not accepted or "*" in stored:
            continue
        found = findings.get(index, [])
        errors = [f.message for f in found if f.severity == "error"]
        dead = [f for f in found if f.rule_id == "ORY904" and DRIFT not in f.message]
        if errors:
            wrong.append((origin, "accepted, yet an error", errors))
        if header is not None and match and dead:
            wrong.append((origin, "matches, yet", [f.message for f in dead]))
        never = header is None or not match
        if never and [f.severity for f in dead] != ["warning"]:
            wrong.append((origin, "never matches, yet", [f.message for f in dead]))
    assert wrong == []


@pytest.mark.parametrize("row", [row for row in ROWS if row[1]], ids=lambda row: row[0])
def test_stored_form_is_hydras(row: list[object]) -> None:
    origin, _, stored, header, match = row
    assert isinstance(origin, str) and isinstance(stored, str)
    assert cors.stored_form(parse(origin)) == stored
    if isinstance(header, str):
        assert cors.matches(stored, header) is match

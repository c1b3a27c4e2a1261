"""Every rule's documented examples: the bad one triggers the rule, the good one is clean.

The good examples are "fully valid" clients, so no rule of the catalogue may fire on them, with
two informational exceptions that fire on whole classes of valid clients by design.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from orylint.engine.metadata import load_metadata
from orylint.scan import ScanOptions, scan

# Notes that apply to every client of a kind, so a good example cannot always avoid them:
# ORY303 (private_key_jwt is pinned to RS256 through this provider), ORY308 (public code-flow
# clients need PKCE enforced).
INFORMATIONAL = {"ORY303", "ORY308"}
RULES = sorted(rule_id for rule_id in load_metadata() if rule_id != "ORY001")
# A good example is clean, so an unused suppression cannot show in it: ORY002's good example is
# the client without the comment.


def _lint(tmp_path: Path, text: str) -> list[tuple[str, str, str]]:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    result = scan(ScanOptions([str(tmp_path)]))
    assert not result.fatal_errors
    return [(f.rule_id, f.severity, f.message) for f in result.findings]


@pytest.mark.parametrize("rule_id", RULES)
def test_bad_example_triggers_the_rule(tmp_path: Path, rule_id: str) -> None:
    meta = load_metadata()[rule_id]
    found = {rule for rule, _, _ in _lint(tmp_path, meta.bad_example)}
    assert rule_id in found


@pytest.mark.parametrize("rule_id", RULES)
def test_good_example_is_clean(tmp_path: Path, rule_id: str) -> None:
    meta = load_metadata()[rule_id]
    found = [f for f in _lint(tmp_path, meta.good_example) if f[0] not in INFORMATIONAL]
    assert found == []


def test_parse_error_example() -> None:
    meta = load_metadata()["ORY001"]
    from orylint.terraform.document import LoadError
    from orylint.terraform.hcl_loader import load_hcl

    assert isinstance(load_hcl("bad.tf", meta.bad_example), LoadError)
    assert not isinstance(load_hcl("good.tf", meta.good_example), LoadError)

"""The same client as .tf, .tf.json, plan and state gives the same findings.

The .tf is the source Terraform planned (tests/fixtures/plans/src/equivalence); the plan and state
were produced from it by real Terraform (scripts/make-plan-fixtures); the .tf.json is the same
configuration in Terraform's JSON syntax.
"""

from __future__ import annotations

from orylint.scan import ScanOptions, scan
from tests.helpers import REPO

FIXTURES = REPO / "tests" / "fixtures"
SOURCE = FIXTURES / "plans" / "src" / "equivalence"


def findings(*paths: str, **options: object) -> list[tuple[str, str | None, str | None, str]]:
    result = scan(ScanOptions(list(paths), **options))  # type: ignore[arg-type]
    assert not result.fatal_errors
    return sorted((f.rule_id, f.address, f.attribute, f.severity) for f in result.findings)


def test_tf_tfjson_plan_and_state_agree() -> None:
    from_tf = findings(str(SOURCE / "main.tf"))
    assert len({rule for rule, *_ in from_tf}) >= 8, "the fixture should exercise many rules"
    assert findings(str(FIXTURES / "equivalence" / "main.tf.json")) == from_tf
    assert findings(str(FIXTURES / "plans" / "equivalence.plan.json")) == from_tf
    assert findings(str(FIXTURES / "plans" / "equivalence.state.json")) == from_tf


def test_plan_findings_land_where_the_tf_findings_are() -> None:
    tf = scan(ScanOptions([str(SOURCE)]))
    plan = scan(
        ScanOptions([str(SOURCE)], plans=[str(FIXTURES / "plans" / "equivalence.plan.json")])
    )
    positions = sorted((f.rule_id, f.span) for f in tf.findings)
    assert sorted((f.rule_id, f.span) for f in plan.findings) == positions


def test_tf_json_positions_point_at_the_json_values() -> None:
    path = FIXTURES / "equivalence" / "main.tf.json"
    lines = path.read_text(encoding="utf-8").splitlines()
    result = scan(ScanOptions([str(path)]))
    [finding] = [f for f in result.findings if f.rule_id == "ORY201"]
    line = lines[finding.span.start_line - 1]
    assert line.index('"30d"') + 1 == finding.span.start_column
    [grant] = [f for f in result.findings if f.rule_id == "ORY103"]
    assert lines[grant.span.start_line - 1][grant.span.start_column - 1 :].startswith('"password"')

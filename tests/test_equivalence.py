"""The same client as .tf, .tf.json, plan and state gives the same findings.

The .tf is the source Terraform planned (tests/fixtures/plans/src/equivalence); the plan and state
were produced from it by real Terraform (scripts/make-plan-fixtures); the .tf.json is the same
configuration in Terraform's JSON syntax.
"""

from __future__ import annotations

import pytest

from orylint.engine.metadata import load_metadata
from orylint.engine.result import ScanResult
from orylint.scan import ScanOptions, scan
from orylint.terraform.provider_schema import resource_schema
from orylint.terraform.resources import CLIENT_RESOURCES
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


COMMUNITY = ("hydra", "oryhydra")


@pytest.mark.parametrize("provider", [*COMMUNITY, "dynamic"])
def test_other_resources_agree_in_every_form(provider: str) -> None:
    """hydra_oauth2_client, oryhydra_oauth2_client and ory_oidc_dynamic_client in four forms."""
    source = FIXTURES / "plans" / "src" / f"{provider}_equivalence"
    from_tf = findings(str(source / "main.tf"))
    assert len({rule for rule, *_ in from_tf}) >= 6, "the fixture should exercise many rules"
    assert findings(str(FIXTURES / "equivalence" / f"{provider}.tf.json")) == from_tf
    assert findings(str(FIXTURES / "plans" / f"{provider}_equivalence.plan.json")) == from_tf
    assert findings(str(FIXTURES / "plans" / f"{provider}_equivalence.state.json")) == from_tf
    plan = scan(
        ScanOptions(
            [str(source)], plans=[str(FIXTURES / "plans" / f"{provider}_equivalence.plan.json")]
        )
    )
    tf = scan(ScanOptions([str(source)]))
    assert sorted((f.rule_id, f.span) for f in plan.findings) == sorted(
        (f.rule_id, f.span) for f in tf.findings
    )


@pytest.mark.parametrize("provider", COMMUNITY)
def test_same_client_as_ory_and_community_resource(provider: str) -> None:
    """The same client gives the same (rule, attribute) findings wherever a rule applies to both.

    The ory_oauth2_client also sets lifespans, which the community resources do not have; their
    findings are the only difference.
    """
    resource_type = f"{provider}_oauth2_client"
    metadata = load_metadata()
    ory = scan(ScanOptions([str(SOURCE / "main.tf")]))
    community = scan(
        ScanOptions([str(FIXTURES / "plans" / "src" / f"{provider}_equivalence" / "main.tf")])
    )
    resource = CLIENT_RESOURCES[resource_type]
    shared = {resource.model_name(name) for name in resource_schema(resource_type)["properties"]}

    def comparable(result: ScanResult) -> list[tuple[str, str | None]]:
        return sorted(
            (f.rule_id, f.attribute)
            for f in result.findings
            if metadata[f.rule_id].applies_to("ory_oauth2_client")
            and metadata[f.rule_id].applies_to(resource_type)
            and (f.attribute or "").split("[")[0] in shared
        )

    assert comparable(ory) == comparable(community)
    assert {rule for rule, _ in comparable(ory)} >= {"ORY103", "ORY403", "ORY407", "ORY901"}

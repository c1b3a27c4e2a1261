"""Every client resource gets the rules that apply to it, written in its own syntax.

The rule fixtures of ``tests/fixtures/rules`` are translated into each other client resource's
syntax (``tests/client_resources.py``, the adapters' inverse); a rule that applies to the resource
must then give exactly the findings it gives on ``ory_oauth2_client``, on the same lines, and a
rule that does not apply must give none. Fixtures that use an argument the resource does not
have are not translatable and are not collected; such rules get fixtures written by hand in the
resource's syntax (``<kind>_<resource>.tf``). The pinned table below says which rules apply to each
resource, and every one of them must have a trigger and a near-miss fixture in its syntax,
translated or hand-written, so a fixture that stops translating is noticed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from orylint.config import find_config, load_config
from orylint.engine.metadata import load_metadata
from orylint.engine.selection import RuleSelection
from orylint.scan import ScanOptions, scan
from orylint.terraform.resources import CLIENT_RESOURCES, ORY_OAUTH2_CLIENT
from tests.client_resources import translatable, translate_tree
from tests.helpers import REPO, run_cli
from tests.test_rule_fixtures import _cases, _expectations

TARGETS = ("hydra_oauth2_client", "oryhydra_oauth2_client", "ory_oidc_dynamic_client")
OWN_SCHEMA_RULES = frozenset({"ORY101"})
"""Rules whose fixtures are about ory_oauth2_client's own schema; each resource has its own."""


_RESOURCE = re.compile(r'^\s*resource\s+"(\w+)"', re.MULTILINE)


def _resource_types(entry: Path) -> set[str]:
    """The resource types a fixture (a file or a directory) declares."""
    files = [entry] if entry.is_file() else sorted(entry.rglob("*.tf"))
    return {kind for file in files for kind in _RESOURCE.findall(file.read_text(encoding="utf-8"))}


def _translated_cases() -> list[tuple[str, str, Path]]:
    """Fixtures with ``ory_oauth2_client`` resources that translate into each target.

    A fixture written by hand for another resource has nothing to translate (it would be copied
    unchanged), so it is not a case here; it is linted as it is by ``test_rule_fixtures``.
    """
    return [
        (target, rule_id, entry)
        for target in TARGETS
        for rule_id, entry in _cases()
        if rule_id not in OWN_SCHEMA_RULES
        and ORY_OAUTH2_CLIENT in _resource_types(entry)
        and translatable(entry, target)
    ]


def _lines(rule_id: str, root: Path) -> Counter[tuple[str, int]]:
    settings = load_config(find_config([str(root)])).settings
    result = scan(
        ScanOptions([str(root)], selection=RuleSelection(select=(rule_id,)), settings=settings)
    )
    assert not result.fatal_errors
    assert [f.message for f in result.findings if f.rule_id == "ORY001"] == []
    return Counter(
        (Path(f.span.path).resolve().relative_to(root.resolve()).as_posix(), f.span.start_line)
        for f in result.findings
        if f.rule_id == rule_id
    )


@pytest.mark.parametrize(
    ("target", "rule_id", "entry"),
    _translated_cases(),
    ids=lambda value: getattr(value, "name", value),
)
def test_rule_fixture_in_each_resource_syntax(
    target: str, rule_id: str, entry: Path, tmp_path: Path
) -> None:
    root = tmp_path / "case"
    translate_tree(entry, root, target)
    expected, _, _ = _expectations(entry, rule_id)
    base = entry.parent if entry.is_file() else entry
    wanted = Counter(
        {
            (Path(path).resolve().relative_to(base.resolve()).as_posix(), line): count
            for (path, line), count in expected.items()
        }
    )
    found = _lines(rule_id, root)
    if load_metadata()[rule_id].applies_to(target):
        assert found == wanted
    else:
        assert found == Counter()


APPLICABLE = {
    "hydra_oauth2_client": {
        "ORY101", "ORY102", "ORY103", "ORY104", "ORY106", "ORY107", "ORY108", "ORY301",
        "ORY302", "ORY303", "ORY304", "ORY305", "ORY306", "ORY308", "ORY401", "ORY402",
        "ORY403", "ORY404", "ORY405", "ORY406", "ORY407", "ORY408", "ORY409", "ORY410",
        "ORY411", "ORY412", "ORY413", "ORY501", "ORY502", "ORY503", "ORY504", "ORY602",
        "ORY603", "ORY605", "ORY701", "ORY702", "ORY703", "ORY705", "ORY802", "ORY803",
        "ORY901", "ORY903", "ORY904", "ORY905", "ORY906",
    },
    "oryhydra_oauth2_client": {
        "ORY101", "ORY102", "ORY103", "ORY104", "ORY108", "ORY301", "ORY302", "ORY304",
        "ORY305", "ORY306", "ORY308", "ORY401", "ORY402", "ORY403", "ORY404", "ORY405",
        "ORY406", "ORY407", "ORY411", "ORY412", "ORY501", "ORY502", "ORY503", "ORY504",
        "ORY602", "ORY701", "ORY702", "ORY703", "ORY705", "ORY802", "ORY901", "ORY903",
        "ORY904", "ORY905", "ORY906",
    },
    "ory_oidc_dynamic_client": {
        "ORY101", "ORY102", "ORY103", "ORY104", "ORY110", "ORY301", "ORY302", "ORY304",
        "ORY305", "ORY306", "ORY308", "ORY309", "ORY401", "ORY402", "ORY403", "ORY404",
        "ORY405", "ORY406", "ORY501", "ORY502", "ORY504", "ORY701", "ORY702", "ORY703",
        "ORY706", "ORY802", "ORY901", "ORY906",
    },
}  # fmt: skip
"""The client rules (ORY1xx-ORY9xx) that judge each resource, from the rules' ``resources:`` keys.

A rule that cannot apply to a resource names the resources it applies to, so it is not here:
the resource lacks the attribute it reads (lifespans, ``access_token_strategy``, ``skip_consent``,
keys on ``oryhydra_oauth2_client`` and ``ory_oidc_dynamic_client``), its shape cannot express
the case (an empty key set in ``jwk`` blocks), or the provider refuses the input at plan time
(ORY309's device and jwt-bearer grants on the community providers, ORY101's finding). Pinning
the table makes a change to a ``resources:`` key a deliberate one.
"""


def _fixture_kinds(target: str) -> dict[str, set[str]]:
    """Per rule, which kinds (``tr``igger, ``ok``) of fixture exercise ``target``'s syntax.

    A fixture counts when it declares a ``target`` resource itself (written by hand in its
    syntax) or when it holds ``ory_oauth2_client`` resources and translates into ``target``.
    """
    kinds: dict[str, set[str]] = {}
    for rule_id, entry in _cases():
        if target in _resource_types(entry):
            kinds.setdefault(rule_id, set()).add(entry.name[:2])
    for case_target, rule_id, entry in _translated_cases():
        if case_target == target:
            kinds.setdefault(rule_id, set()).add(entry.name[:2])
    return kinds


@pytest.mark.parametrize("target", TARGETS)
def test_applicable_rules_of_each_resource(target: str) -> None:
    applicable = {
        rule_id
        for rule_id, rule in load_metadata().items()
        if not rule.is_policy and rule_id[3] != "0" and rule.applies_to(target)
    }
    assert applicable == APPLICABLE[target]


@pytest.mark.parametrize("target", TARGETS)
def test_each_applicable_rule_has_both_fixtures_in_the_resource_syntax(target: str) -> None:
    kinds = _fixture_kinds(target)
    missing = {
        (rule_id, kind)
        for rule_id in APPLICABLE[target]
        for kind in ("tr", "ok")
        if kind not in kinds.get(rule_id, set())
    }
    assert missing == set()


def test_terraform_without_client_resources_is_said(tmp_path: Path) -> None:
    """Not "No problems found in 0 files": the files read, and that no client was found."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\n'
        'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'
        'resource "keycloak_openid_client" "k" {\n  client_id = "k"\n}\n',
        encoding="utf-8",
    )
    (tmp_path / "more.tf.json").write_text(
        '{"resource": {"google_storage_bucket": {"x": {}, "y": {}}}}', encoding="utf-8"
    )
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 0
    assert result.stdout.strip() == (
        "No client resource found in 2 Terraform files read (orylint lints ory_oauth2_client, "
        "ory_oidc_dynamic_client, hydra_oauth2_client, oryhydra_oauth2_client)."
    )
    verbose = run_cli("check", "-v", str(tmp_path))
    assert verbose.returncode == 0
    assert (
        "resource types seen: aws_s3_bucket (2), google_storage_bucket (2), "
        "keycloak_openid_client (1)"
    ) in verbose.stderr
    assert "0 client resource instance(s) linted" in verbose.stderr


def test_verbose_lists_the_client_resources_read() -> None:
    source = REPO / "tests" / "fixtures" / "plans" / "src" / "hydra_equivalence"
    result = run_cli("check", "-v", str(source))
    assert "1 client resource instance(s) linted" in result.stderr
    assert "resource types seen: hydra_oauth2_client (1)" in result.stderr
    assert result.stdout.rstrip().splitlines()[-1].startswith("Found ")


def test_rules_command_shows_the_resources_each_rule_applies_to() -> None:
    table = run_cli("rules").stdout.splitlines()
    row = {line.split()[0]: line.split() for line in table}
    assert row["ORY204"][3] == "ory"  # canonical durations: the ory/ory provider's read-back
    assert row["ORY705"][3] == "ory,hydra,oryhydra"
    assert row["ORY103"][3] == "all"
    data = {item["id"]: item for item in json.loads(run_cli("rules", "--format", "json").stdout)}
    assert data["ORY307"]["resources"] == ["ory_oauth2_client"]
    assert data["ORY103"]["resources"] == list(CLIENT_RESOURCES)


def test_docs_list_every_resource_with_its_provider_and_versions() -> None:
    page = (REPO / "docs" / "resources.md").read_text(encoding="utf-8")
    for resource in CLIENT_RESOURCES.values():
        row = next(line for line in page.splitlines() if line.startswith(f"| `{resource.type}`"))
        assert f"`{resource.provider}`" in row
        assert resource.versions in row
        assert f"`{resource.default_auth_method}`" in row


def test_one_jwk_block_written_as_a_json_object(tmp_path: Path) -> None:
    """``.tf.json`` may write a single nested block as an object: it is still the key set."""
    (tmp_path / "main.tf.json").write_text(
        json.dumps(
            {
                "resource": {
                    "hydra_oauth2_client": {
                        "one": {
                            "client_name": "One key",
                            "grant_types": ["client_credentials"],
                            "token_endpoint_auth_method": "private_key_jwt",
                            "jwk": {"alg": "RS256", "kid": "k1", "kty": "RSA", "use": "sig"},
                        }
                    }
                }
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    result = scan(ScanOptions([str(tmp_path)], selection=RuleSelection(select=("ORY3", "ORY6"))))
    assert [(f.rule_id, f.attribute) for f in result.findings] == [("ORY605", "jwks")]


@pytest.mark.parametrize(
    ("fixture", "advice"),
    [
        ("trigger.tf", "none of jwks_uri, jwks or jwks_wo is set"),
        ("trigger_hydra_oauth2_client.tf", "set jwks_uri, or the public keys in jwk blocks"),
        ("trigger_oryhydra_oauth2_client.tf", "oryhydra_oauth2_client has no argument for a key"),
        ("trigger_ory_oidc_dynamic_client.tf", "ory_oidc_dynamic_client has no argument for a key"),
    ],
)
def test_ory302_advises_what_the_resource_can_set(fixture: str, advice: str) -> None:
    """The advice names the resource's own arguments (``jwk`` blocks) or says it has none."""
    path = REPO / "tests" / "fixtures" / "rules" / "ORY302" / fixture
    result = scan(ScanOptions([str(path)], selection=RuleSelection(select=("ORY302",))))
    missing = [f for f in result.findings if "needs the public keys" in f.message]
    assert missing and all(advice in finding.message for finding in missing)
    if fixture != "trigger.tf":
        assert not any("jwks or jwks_wo" in f.message for f in result.findings)

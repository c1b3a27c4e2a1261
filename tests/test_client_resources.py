"""Every client resource gets the rules that apply to it, written in its own syntax.

The rule fixtures of ``tests/fixtures/rules`` are translated into each other client resource's
syntax (``tests/client_resources.py``, the adapters' inverse); a rule that applies to the resource
must then give exactly the findings it gives on ``ory_oauth2_client``, on the same lines, and a
rule that does not apply must give none. Fixtures that use an argument the resource does not
have are not translatable and are not collected; the pinned coverage below says which rules each
resource is exercised on, so a fixture that stops translating is noticed.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from orylint.config import find_config, load_config
from orylint.engine.metadata import load_metadata
from orylint.engine.runner import RuleSelection
from orylint.scan import ScanOptions, scan
from orylint.terraform.resources import CLIENT_RESOURCES
from tests.client_resources import translatable, translate_tree
from tests.helpers import REPO, run_cli
from tests.test_rule_fixtures import _cases, _expectations

TARGETS = ("hydra_oauth2_client", "oryhydra_oauth2_client", "ory_oidc_dynamic_client")
OWN_SCHEMA_RULES = frozenset({"ORY101"})
"""Rules whose fixtures are about ory_oauth2_client's own schema; each resource has its own."""


def _translated_cases() -> list[tuple[str, str, Path]]:
    return [
        (target, rule_id, entry)
        for target in TARGETS
        for rule_id, entry in _cases()
        if rule_id not in OWN_SCHEMA_RULES and translatable(entry, target)
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


COVERED = {
    "hydra_oauth2_client": {
        "ORY102", "ORY103", "ORY104", "ORY106", "ORY108", "ORY301", "ORY304", "ORY305",
        "ORY306", "ORY307", "ORY308", "ORY309", "ORY401", "ORY402", "ORY403", "ORY404",
        "ORY405", "ORY406", "ORY407", "ORY408", "ORY409", "ORY410", "ORY411", "ORY412",
        "ORY413", "ORY501", "ORY502", "ORY503", "ORY504", "ORY602", "ORY603", "ORY701",
        "ORY702", "ORY703", "ORY704", "ORY705", "ORY802", "ORY803", "ORY901", "ORY903",
        "ORY904", "ORY905", "ORY906",
    },
    "oryhydra_oauth2_client": {
        "ORY103", "ORY104", "ORY108", "ORY301", "ORY304", "ORY305", "ORY306", "ORY307",
        "ORY308", "ORY401", "ORY402", "ORY403", "ORY404", "ORY405", "ORY406", "ORY407",
        "ORY411", "ORY412", "ORY501", "ORY502", "ORY504", "ORY602", "ORY603", "ORY701",
        "ORY702", "ORY703", "ORY704", "ORY705", "ORY901", "ORY903", "ORY904", "ORY905",
    },
    "ory_oidc_dynamic_client": {
        "ORY103", "ORY104", "ORY301", "ORY304", "ORY305", "ORY306", "ORY307", "ORY308",
        "ORY402", "ORY403", "ORY404", "ORY406", "ORY501", "ORY502", "ORY504", "ORY603",
        "ORY701", "ORY702", "ORY703", "ORY704", "ORY901",
    },
}  # fmt: skip
"""Rules with both a trigger and a near-miss fixture translated into the resource's syntax."""


@pytest.mark.parametrize("target", TARGETS)
def test_translated_coverage(target: str) -> None:
    kinds: dict[str, set[str]] = {}
    for case_target, rule_id, entry in _translated_cases():
        if case_target == target:
            kinds.setdefault(rule_id, set()).add(entry.name[:2])
    covered = {rule for rule, found in kinds.items() if found == {"tr", "ok"}}
    assert covered >= COVERED[target]


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

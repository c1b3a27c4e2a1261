"""Inline suppressions: placement, reasons, expiry, unused ones, unsuppressible rules, SARIF."""

from __future__ import annotations

import json
from pathlib import Path

from orylint.engine.result import ScanResult
from orylint.engine.selection import RuleSelection
from orylint.report.sarif import render_sarif
from orylint.scan import ScanOptions, scan
from tests.helpers import assert_valid_sarif

CLIENT = """\
resource "ory_oauth2_client" "svc" {{
  client_name                = "Service"
  grant_types                = ["client_credentials"]
  token_endpoint_auth_method = "private_key_jwt"
  jwks_uri                   = "https://svc.example.com/jwks.json"
{body}
}}
"""


def lint(tmp_path: Path, body: str, name: str = "main.tf", **options: object) -> ScanResult:
    (tmp_path / name).write_text(CLIENT.format(body=body), encoding="utf-8")
    return scan(
        ScanOptions(
            [str(tmp_path)],
            selection=RuleSelection(select=("ORY0", "ORY2")),
            **options,  # type: ignore[arg-type]
        )
    )


def rules(result: ScanResult) -> list[str]:
    return sorted(f.rule_id for f in result.findings)


def test_comment_on_the_line_above_the_attribute(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        "  # orylint:ignore ORY201 -- tracked in OPS-1\n"
        '  client_credentials_grant_access_token_lifespan = "1d"',
    )
    assert rules(result) == []
    [suppressed] = result.suppressed
    assert suppressed.rule_id == "ORY201"
    assert suppressed.suppression == "tracked in OPS-1"


def test_trailing_comment_and_other_comment_styles(tmp_path: Path) -> None:
    for comment in (
        "# orylint:ignore ORY201 -- x",
        "// orylint:ignore ORY201 -- x",
        "/* orylint:ignore ORY201 -- x */",
    ):
        result = lint(
            tmp_path, f'  client_credentials_grant_access_token_lifespan = "1d" {comment}'
        )
        assert rules(result) == [], comment
        assert len(result.suppressed) == 1


def test_comment_above_the_block_covers_the_whole_block(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        "# orylint:ignore ORY201, ORY204 -- legacy client, replaced in Q3\n"
        + CLIENT.format(
            body='  client_credentials_grant_access_token_lifespan = "1d"\n'
            '  jwt_bearer_grant_access_token_lifespan = "90m"'
        ),
        encoding="utf-8",
    )
    result = scan(
        ScanOptions([str(tmp_path)], selection=RuleSelection(select=("ORY0", "ORY201", "ORY204")))
    )
    assert rules(result) == []
    assert sorted(f.rule_id for f in result.suppressed) == ["ORY201", "ORY204"]


def test_a_suppression_does_not_reach_other_attributes_or_rules(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        "  # orylint:ignore ORY204 -- other rule\n"
        '  client_credentials_grant_access_token_lifespan = "1d"\n'
        '  jwt_bearer_grant_access_token_lifespan = "2d"',
    )
    assert rules(result) == ["ORY002", "ORY201", "ORY201"]


def test_reason_is_required_by_default_and_configurable(tmp_path: Path) -> None:
    body = '  client_credentials_grant_access_token_lifespan = "1d" # orylint:ignore ORY201'
    result = lint(tmp_path, body)
    assert rules(result) == ["ORY004", "ORY201"]
    assert "no reason" in next(f.message for f in result.findings if f.rule_id == "ORY004")
    relaxed = lint(tmp_path, body, require_suppression_reason=False)
    assert rules(relaxed) == []


def test_expired_suppression_no_longer_applies(tmp_path: Path) -> None:
    expired = lint(
        tmp_path,
        '  client_credentials_grant_access_token_lifespan = "1d" '
        "# orylint:ignore ORY201 until=2020-01-31 -- migration",
    )
    assert rules(expired) == ["ORY003", "ORY201"]
    assert "2020-01-31" in next(f.message for f in expired.findings if f.rule_id == "ORY003")
    valid = lint(
        tmp_path,
        '  client_credentials_grant_access_token_lifespan = "1d" '
        "# orylint:ignore ORY201 until=2999-12-31 -- migration",
    )
    assert rules(valid) == []


def test_unused_and_unknown_rule_suppressions(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        "  # orylint:ignore ORY201 -- nothing to suppress\n"
        '  client_credentials_grant_access_token_lifespan = "1h"\n'
        '  jwt_bearer_grant_access_token_lifespan = "1h" # orylint:ignore ORY999 -- typo',
    )
    assert rules(result) == ["ORY002", "ORY004"]


def test_unsuppressible_rules(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        '  client_credentials_grant_access_token_lifespan = "1d" # orylint:ignore ORY201 -- x',
        unsuppressible=("ORY201",),
    )
    assert rules(result) == ["ORY004", "ORY201"]


def test_tf_json_comment_member(tmp_path: Path) -> None:
    document = {
        "resource": {
            "ory_oauth2_client": {
                "svc": {
                    "//": "orylint:ignore ORY201 -- tracked in OPS-2",
                    "client_name": "Service",
                    "client_credentials_grant_access_token_lifespan": "1d",
                }
            }
        }
    }
    (tmp_path / "main.tf.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    result = scan(ScanOptions([str(tmp_path)], selection=RuleSelection(select=("ORY0", "ORY201"))))
    assert rules(result) == []
    assert [f.rule_id for f in result.suppressed] == ["ORY201"]


def test_suppressed_findings_stay_in_sarif(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        '  client_credentials_grant_access_token_lifespan = "1d" # orylint:ignore ORY201 -- OPS-3',
    )
    document = json.loads(render_sarif(result, exit_code=0, root=tmp_path))
    assert_valid_sarif(document)
    [entry] = [r for r in document["runs"][0]["results"] if r["ruleId"] == "ORY201"]
    assert entry["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "OPS-3"}
    ]
    assert result.exit_code("error") == 0

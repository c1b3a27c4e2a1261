"""Regressions found in review, in the loader, model and reporters (not in one rule)."""

from __future__ import annotations

from pathlib import Path

from orylint.engine.result import ScanResult
from orylint.engine.selection import RuleSelection
from orylint.report.text import render_text
from orylint.scan import ScanOptions, scan


def lint(tmp_path: Path, text: str, *rules: str) -> ScanResult:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    return scan(ScanOptions([str(tmp_path)], selection=RuleSelection(select=rules)))


def test_object_local_is_followed_per_key(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        'resource "ory_oauth2_client" "w" {\n  client_name = "w"\n}\n'
        "locals {\n"
        "  creds = {\n"
        "    id     = ory_oauth2_client.w.client_id\n"
        "    secret = ory_oauth2_client.w.client_secret\n"
        "  }\n"
        "}\n"
        'output "id" {\n  value = local.creds.id\n}\n'
        'output "secret" {\n  value = local.creds.secret\n}\n',
        "ORY701",
    )
    assert [f.address for f in result.findings] == ["output.secret"]


def test_import_block_naming_a_module_instance(tmp_path: Path) -> None:
    (tmp_path / "modules" / "c").mkdir(parents=True)
    (tmp_path / "modules" / "c" / "main.tf").write_text(
        'resource "ory_oauth2_client" "this" {\n'
        '  client_name = "c"\n'
        '  grant_types = ["client_credentials"]\n'
        "}\n",
        encoding="utf-8",
    )
    result = lint(
        tmp_path,
        'module "billing" {\n  source = "./modules/c"\n}\n\n'
        'import {\n  to = module.billing.ory_oauth2_client.this\n  id = "abc"\n}\n',
        "ORY704",
        "ORY706",
    )
    assert [(f.rule_id, f.address) for f in result.findings] == [
        ("ORY704", "module.billing.ory_oauth2_client.this")
    ]


def test_count_zero_and_empty_for_each_create_nothing(tmp_path: Path) -> None:
    body = '  client_name = "x"\n  client_credentials_grant_access_token_lifespan = "1d"\n'
    result = lint(
        tmp_path,
        f'resource "ory_oauth2_client" "off" {{\n  count = 0\n{body}}}\n'
        f'resource "ory_oauth2_client" "none" {{\n  for_each = {{}}\n{body}}}\n'
        f'resource "ory_oauth2_client" "on" {{\n  count = 1\n{body}}}\n',
        "ORY201",
    )
    assert [f.address for f in result.findings] == ["ory_oauth2_client.on[0]"]


def test_excerpt_counts_only_line_feeds(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        "# a form feed \x0c and a line separator \u2028 in a comment\n"
        'resource "ory_oauth2_client" "x" {\n'
        '  client_name = "x"\n'
        '  client_credentials_grant_access_token_lifespan = "1d"\n'
        "}\n",
        "ORY201",
    )
    text = render_text(result)
    assert ' 4 |   client_credentials_grant_access_token_lifespan = "1d"' in text

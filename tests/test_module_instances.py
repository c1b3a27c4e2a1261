"""Clients of local modules are linted once per call, with the call's address and arguments."""

from __future__ import annotations

from pathlib import Path

from orylint.engine.selection import RuleSelection
from orylint.scan import ScanOptions, scan

CHILD = """\
variable "lifespan" {
  type    = string
  default = "1h"
}

variable "grants" {
  type    = list(string)
  default = ["client_credentials"]
}

variable "name" {
  type = string
}

resource "ory_oauth2_client" "this" {
  client_name                                    = var.name
  grant_types                                    = var.grants
  token_endpoint_auth_method                     = "client_secret_basic"
  client_credentials_grant_access_token_lifespan = var.lifespan
}

output "secret" {
  value     = ory_oauth2_client.this.client_secret
  sensitive = true
}
"""

ROOT = """\
module "a" {
  source   = "./modules/client"
  name     = "A"
  lifespan = "1d"
}

module "b" {
  source = "./modules/client"
  name   = "B"
  grants = ["client_credentials", "password"]
}

variable "client_names" {
  type = set(string)
}

module "many" {
  source   = "./modules/client"
  for_each = var.client_names
  name     = each.key
  lifespan = each.value
}

output "a_secret" {
  value = module.a.secret
}
"""


def layout(tmp_path: Path) -> Path:
    (tmp_path / "modules" / "client").mkdir(parents=True)
    (tmp_path / "modules" / "client" / "main.tf").write_text(CHILD, encoding="utf-8")
    (tmp_path / "main.tf").write_text(ROOT, encoding="utf-8")
    return tmp_path


def findings(path: Path, *rules: str) -> list[tuple[str, str | None, int]]:
    result = scan(ScanOptions([str(path)], selection=RuleSelection(select=rules)))
    assert not result.fatal_errors
    return sorted((f.rule_id, f.address, f.span.start_line) for f in result.findings)


def test_each_call_is_linted_with_its_arguments_and_address(tmp_path: Path) -> None:
    root = layout(tmp_path)
    assert findings(root, "ORY103", "ORY201") == [
        ("ORY103", "module.b.ory_oauth2_client.this", 17),
        ("ORY201", "module.a.ory_oauth2_client.this", 19),
    ]


def test_for_each_calls_keep_unknown_arguments_unknown(tmp_path: Path) -> None:
    root = layout(tmp_path)
    addresses = {a for _, a, _ in findings(root, "ORY2")}
    assert "module.many.ory_oauth2_client.this" not in addresses


def test_a_module_linted_alone_uses_unknown_variables(tmp_path: Path) -> None:
    root = layout(tmp_path)
    assert findings(root / "modules" / "client", "ORY103", "ORY201") == []


def test_module_output_chain_reaches_the_root_output(tmp_path: Path) -> None:
    root = layout(tmp_path)
    result = scan(ScanOptions([str(root)], selection=RuleSelection(select=("ORY701",))))
    [finding] = result.findings
    assert finding.address == "output.a_secret"
    assert "module.a.secret" in finding.message


def test_a_known_for_each_gives_one_instance_per_key(tmp_path: Path) -> None:
    root = layout(tmp_path)
    (root / "envs.tf").write_text(
        'module "envs" {\n'
        '  source   = "./modules/client"\n'
        '  for_each = { dev = "1h", staging = "1d", prod = "30m" }\n'
        "  name     = each.key\n"
        "  lifespan = each.value\n"
        "}\n",
        encoding="utf-8",
    )
    assert [f for f in findings(root, "ORY201") if "envs" in (f[1] or "")] == [
        ("ORY201", 'module.envs["staging"].ory_oauth2_client.this', 19)
    ]

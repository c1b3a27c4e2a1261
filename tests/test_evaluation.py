"""Evaluation end to end: where values come from, project facts, secrets across modules.

The expression language and functions are checked against ``terraform console``
(``test_console_cases.py``) and whole configurations against real plans
(``test_evaluation_equivalence.py``); these tests pin what a user sees on top of that.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orylint.engine.selection import RuleSelection
from orylint.report import render
from orylint.scan import ScanOptions, ScanResult, scan

LIFESPAN_CLIENT = """\
variable "ttl" {
  type    = string
  default = "1h"
}

resource "ory_oauth2_client" "web" {
  client_name                                    = "web"
  grant_types                                    = ["client_credentials"]
  token_endpoint_auth_method                     = "client_secret_basic"
  client_credentials_grant_access_token_lifespan = var.ttl
}
"""


def lint(path: Path, *rules: str, **options: object) -> ScanResult:
    return scan(ScanOptions([str(path)], selection=RuleSelection(select=rules), **options))  # type: ignore[arg-type]


def test_a_value_from_tfvars_says_where_it_came_from(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(LIFESPAN_CLIENT, encoding="utf-8")
    (tmp_path / "terraform.tfvars").write_text('\nttl = "1d"\n', encoding="utf-8")
    result = lint(tmp_path, "ORY201")
    [finding] = result.findings
    assert finding.span.start_line == 10  # the attribute that uses the value
    assert 'the value comes from var.ttl = "1d" (' in finding.message
    assert finding.message.endswith("terraform.tfvars:2)")
    [(where, text)] = finding.related
    assert (Path(where.path).name, where.start_line) == ("terraform.tfvars", 2)
    sarif = json.loads(render("sarif", result, exit_code=1, source_root=tmp_path))
    [related] = sarif["runs"][0]["results"][0]["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "terraform.tfvars"
    assert related["message"]["text"] == text


def test_the_default_applies_without_tfvars_and_var_files_win(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(LIFESPAN_CLIENT, encoding="utf-8")
    assert lint(tmp_path, "ORY201").findings == []  # "1h" from the default
    (tmp_path / "prod.tfvars").write_text('ttl = "2d"\n', encoding="utf-8")
    [finding] = lint(tmp_path, "ORY201", var_files=[str(tmp_path / "prod.tfvars")]).findings
    assert '"2d"' in finding.message
    [finding] = lint(tmp_path, "ORY201", variables={"ttl": "3d"}).findings
    assert 'var.ttl = "3d" (-var)' in finding.message


def test_tf_var_environment_variables_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "main.tf").write_text(LIFESPAN_CLIENT, encoding="utf-8")
    monkeypatch.setenv("TF_VAR_ttl", "1w")
    [finding] = lint(tmp_path, "ORY201").findings
    assert "TF_VAR_ttl" in finding.message


def test_a_sensitive_variable_is_never_shown(tmp_path: Path) -> None:
    text = LIFESPAN_CLIENT.replace('default = "1h"', 'default = "1d"\n  sensitive = true')
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    [finding] = lint(tmp_path, "ORY201").findings
    assert '"1d"' not in finding.message
    assert "(sensitive value)" in finding.message


PUBLIC_CODE_CLIENT = """\
resource "ory_oauth2_client" "spa" {
  client_name                = "SPA"
  grant_types                = ["authorization_code"]
  response_types             = ["code"]
  redirect_uris              = ["https://spa.example.com/cb"]
  token_endpoint_auth_method = "none"
  PROVIDER
}
"""

PROJECT = """\
resource "ory_project_config" "main" {
  oauth2_pkce_enforced_for_public_clients = true
}
"""


def test_project_config_in_the_configuration_decides_the_pkce_note(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(PUBLIC_CODE_CLIENT.replace("PROVIDER", ""), "utf-8")
    assert [f.rule_id for f in lint(tmp_path, "ORY308").findings] == ["ORY308"]
    (tmp_path / "project.tf").write_text(PROJECT, encoding="utf-8")
    assert lint(tmp_path, "ORY308").findings == []


def test_facts_of_one_project_do_not_reach_another(tmp_path: Path) -> None:
    client = PUBLIC_CODE_CLIENT.replace("PROVIDER", "provider = ory.staging")
    (tmp_path / "main.tf").write_text(client + PROJECT, encoding="utf-8")
    assert [f.rule_id for f in lint(tmp_path, "ORY308").findings] == ["ORY308"]


def test_a_trusted_issuer_silences_the_jwt_bearer_reminder(tmp_path: Path) -> None:
    client = (
        'resource "ory_oauth2_client" "svc" {\n'
        '  client_name = "svc"\n'
        '  grant_types = ["urn:ietf:params:oauth:grant-type:jwt-bearer"]\n'
        '  token_endpoint_auth_method = "private_key_jwt"\n'
        '  jwks_uri = "https://svc.example.com/jwks.json"\n'
        "}\n"
    )
    (tmp_path / "main.tf").write_text(client, encoding="utf-8")
    before = [f for f in lint(tmp_path, "ORY309").findings if "jwt-bearer" in f.message]
    assert len(before) == 1
    (tmp_path / "issuer.tf").write_text(
        'resource "ory_trusted_oauth2_jwt_grant_issuer" "svc" {\n'
        '  issuer = "https://svc.example.com"\n'
        "}\n",
        encoding="utf-8",
    )
    assert [f for f in lint(tmp_path, "ORY309").findings if "jwt-bearer" in f.message] == []


def test_a_secret_passed_into_a_child_module_is_followed(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "main.tf").write_text(
        'resource "ory_oauth2_client" "x" {\n  client_name = "x"\n}\n'
        'module "app" {\n  source = "./mod"\n  secret = ory_oauth2_client.x.client_secret\n}\n',
        encoding="utf-8",
    )
    (tmp_path / "mod" / "main.tf").write_text(
        'variable "secret" {\n  type = string\n}\n'
        'resource "local_file" "creds" {\n  content  = var.secret\n  filename = "c"\n}\n',
        encoding="utf-8",
    )
    [finding] = lint(tmp_path, "ORY702").findings
    assert finding.address == "local_file.creds"
    assert "via var.secret" in finding.message


def test_an_attribute_of_a_module_output_object_is_judged_alone(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(
        'resource "ory_oauth2_client" "x" {\n  client_name = "x"\n}\n'
        'output "creds" {\n  value = {\n    id     = ory_oauth2_client.x.client_id\n'
        "    secret = ory_oauth2_client.x.client_secret\n  }\n  sensitive = true\n}\n",
        encoding="utf-8",
    )
    (tmp_path / "main.tf").write_text(
        'module "app" {\n  source = "./mod"\n}\n'
        'output "id" {\n  value = module.app.creds.id\n}\n'
        'output "secret" {\n  value = module.app.creds.secret\n}\n',
        encoding="utf-8",
    )
    assert [f.address for f in lint(tmp_path, "ORY701").findings] == ["output.secret"]


def test_a_cycle_between_locals_is_one_ory005_finding(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'locals {\n  a = "${local.b}x"\n  b = "${local.a}y"\n}\n'
        'resource "ory_oauth2_client" "x" {\n  client_name = local.a\n}\n',
        encoding="utf-8",
    )
    [finding] = lint(tmp_path, "ORY005").findings
    assert "cycle between local values" in finding.message
    assert finding.span.start_line in (2, 3)


def test_a_value_its_type_refuses_is_ory005_and_stays_unknown(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        LIFESPAN_CLIENT.replace("type    = string", "type    = number"), encoding="utf-8"
    )
    (tmp_path / "terraform.tfvars").write_text('ttl = "1d"\n', encoding="utf-8")
    result = lint(tmp_path, "ORY005", "ORY201")
    assert [f.rule_id for f in result.findings] == ["ORY005"]


def test_written_attributes_of_the_project_config_can_be_referenced(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "ory_project_config" "main" {\n  oauth2_ttl_access_token = "1d"\n}\n'
        + LIFESPAN_CLIENT.replace("var.ttl", "ory_project_config.main.oauth2_ttl_access_token"),
        encoding="utf-8",
    )
    [finding] = lint(tmp_path, "ORY201").findings
    assert '"1d"' in finding.message


def test_other_resources_stay_unknown(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_ssm_parameter" "ttl" {\n  value = "1d"\n}\n'
        + LIFESPAN_CLIENT.replace("var.ttl", "aws_ssm_parameter.ttl.value"),
        encoding="utf-8",
    )
    assert lint(tmp_path, "ORY201").findings == []


def test_the_legacy_index_syntax_is_evaluated(tmp_path: Path) -> None:
    """`local.a.items.0.ttl` is `local.a.items[0].ttl` (terraform console: "1d"); it crashed the
    scan (39 files of the real corpus use it)."""
    (tmp_path / "main.tf").write_text(
        'locals {\n  a = { items = [{ ttl = "1d" }] }\n}\n'
        + LIFESPAN_CLIENT.replace("var.ttl", "local.a.items.0.ttl"),
        encoding="utf-8",
    )
    result = lint(tmp_path, "ORY201")
    assert not result.fatal_errors
    assert [f.rule_id for f in result.findings] == ["ORY201"]
    (tmp_path / "main.tf").write_text(
        LIFESPAN_CLIENT.replace("var.ttl", "try(var.missing.identity.0.id, null)"),
        encoding="utf-8",
    )
    result = lint(tmp_path, "ORY201")
    assert not result.fatal_errors and result.findings == []


def test_the_example_of_the_evaluation_page_gives_what_it_says(tmp_path: Path) -> None:
    page = (Path(__file__).parent.parent / "docs" / "evaluation.md").read_text(encoding="utf-8")
    example = page.split("```hcl\n", 1)[1].split("```", 1)[0]
    (tmp_path / "main.tf").write_text(example, encoding="utf-8")
    (tmp_path / "terraform.tfvars").write_text('token_lifespan = "1d"\n', encoding="utf-8")
    [finding] = lint(tmp_path, "ORY201").findings
    assert finding.span.start_line == 10
    assert 'var.token_lifespan = "1d" (' in finding.message
    shown = page.split("```text\n", 1)[1].split("```", 1)[0]
    assert shown.startswith("main.tf:10:52: ORY201 error:")
    assert (finding.span.start_line, finding.span.start_column) == (10, 52)


def test_a_module_argument_may_use_another_module_output(tmp_path: Path) -> None:
    """Calls expand on demand: `module.a`'s argument needs `module.b`, declared after it."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    (tmp_path / "main.tf").write_text(
        'module "a" {\n  source = "./a"\n  uri    = local.uri\n}\n'
        "locals {\n  uri = module.b.uri\n}\n"
        'module "b" {\n  source = "./b"\n}\n'
        'output "everything" {\n  value = var\n}\n',
        encoding="utf-8",
    )
    (tmp_path / "a" / "main.tf").write_text(
        'variable "uri" {}\nresource "ory_oauth2_client" "c" {\n'
        '  client_name   = "c"\n  redirect_uris = [var.uri]\n}\n',
        encoding="utf-8",
    )
    (tmp_path / "b" / "main.tf").write_text(
        'output "uri" {\n  value = "http://example.com/cb"\n}\n', encoding="utf-8"
    )
    [finding] = lint(tmp_path, "ORY403").findings
    assert finding.address == "module.a.ory_oauth2_client.c"


def test_a_module_whose_argument_needs_its_own_output_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "main.tf").write_text(
        'module "a" {\n  source = "./a"\n  uri    = module.a.uri\n}\n', encoding="utf-8"
    )
    (tmp_path / "a" / "main.tf").write_text(
        'variable "uri" {}\noutput "uri" {\n  value = var.uri\n}\n'
        'resource "ory_oauth2_client" "c" {\n  client_name   = "c"\n'
        "  redirect_uris = [var.uri]\n}\n",
        encoding="utf-8",
    )
    result = lint(tmp_path, "ORY4")
    assert not result.fatal_errors
    assert result.findings == []


def test_a_sensitive_for_each_never_shows_its_keys(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "tenants" {\n  type      = map(string)\n  sensitive = true\n'
        '  default   = { "tenant-SECRETKEY" = "1d" }\n}\n'
        'resource "ory_oauth2_client" "a" {\n  for_each = var.tenants\n'
        "  client_name = each.key\n"
        "  client_credentials_grant_access_token_lifespan = each.value\n}\n",
        encoding="utf-8",
    )
    result = lint(tmp_path, "ORY1", "ORY2")
    for format_name in ("text", "json", "sarif"):
        assert "SECRETKEY" not in render(format_name, result, exit_code=0)


def test_project_facts_stay_in_their_root_module(tmp_path: Path) -> None:
    (tmp_path / "prod").mkdir()
    (tmp_path / "dev").mkdir()
    client = PUBLIC_CODE_CLIENT.replace("PROVIDER", "")
    (tmp_path / "prod" / "main.tf").write_text(client + PROJECT, encoding="utf-8")
    (tmp_path / "dev" / "main.tf").write_text(client, encoding="utf-8")
    findings = lint(tmp_path, "ORY308").findings
    assert [Path(f.span.path).parent.name for f in findings] == ["dev"]


def test_facts_do_not_reach_a_module_called_with_other_providers(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(
        PUBLIC_CODE_CLIENT.replace("PROVIDER", ""), encoding="utf-8"
    )
    (tmp_path / "main.tf").write_text(
        PROJECT + 'module "other" {\n  source    = "./m"\n  providers = { ory = ory.other }\n}\n',
        encoding="utf-8",
    )
    assert [f.address for f in lint(tmp_path, "ORY308").findings] == [
        "module.other.ory_oauth2_client.spa"
    ]


def test_a_project_config_that_may_not_exist_decides_nothing(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        PUBLIC_CODE_CLIENT.replace("PROVIDER", "")
        + 'variable "manage" {\n  type = bool\n}\n'
        + PROJECT.replace("{\n", "{\n  count = var.manage ? 1 : 0\n", 1),
        encoding="utf-8",
    )
    assert [f.rule_id for f in lint(tmp_path, "ORY308").findings] == ["ORY308"]


@pytest.mark.parametrize(
    ("expression", "finding"),
    [
        ('var.extra == [] ? "1d" : "1h"', False),  # list(string) vs tuple: Terraform says false
        ('terraform.workspace == "prod" ? "1h" : "1d"', False),  # the workspace is unknown
        ('"${path.module}" == "." ? "1d" : "1h"', True),  # path.module is relative to the root
    ],
)
def test_values_orylint_cannot_decide_stay_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expression: str, finding: bool
) -> None:
    monkeypatch.delenv("TF_WORKSPACE", raising=False)
    (tmp_path / "main.tf").write_text(
        'variable "extra" {\n  type    = list(string)\n  default = []\n}\n'
        + LIFESPAN_CLIENT.replace("var.ttl", expression),
        encoding="utf-8",
    )
    assert bool(lint(tmp_path, "ORY201").findings) is finding


def test_a_module_that_includes_itself_is_one_ory005(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./m"\n}\n', encoding="utf-8")
    (tmp_path / "m" / "main.tf").write_text(
        'module "again" {\n  source = "../m"\n  count  = 2\n}\n'
        + LIFESPAN_CLIENT.replace("var.ttl", '"1d"'),
        encoding="utf-8",
    )
    result = lint(tmp_path, "ORY005", "ORY201")
    assert sorted(f.rule_id for f in result.findings) == ["ORY005", "ORY201"]


def test_provenance_never_quotes_a_whole_object(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'locals {\n  cfg = { web = { secret = "S3cr3t-value", ttl = "1d" } }\n}\n'
        + LIFESPAN_CLIENT.replace("var.ttl", "local.cfg.web.ttl"),
        encoding="utf-8",
    )
    result = lint(tmp_path, "ORY201")
    [finding] = result.findings
    assert "local.cfg (main.tf:2)" in finding.message
    for format_name in ("text", "json", "sarif"):
        assert "S3cr3t" not in render(format_name, result, exit_code=1)


# Expected values recorded from Terraform 1.11.4 (`terraform console`, `jsonencode(local.x)`)
# for the same locals written in .tf.json and as heredocs.
TEMPLATES_JSON = r"""{
  "locals": {
    "a": "${join(\",\", [\"1d\", \"2h\"])}",
    "b": "x \"quoted\" ${upper(\"y\")} back\\slash",
    "c": "%{ if true }${\"yes\"}%{ else }no%{ endif }",
    "d": "${jsonencode({k = \"v\"})}",
    "e": "$${literal} ${\"a}b\"}",
    "f": "tab\there ${format(\"%s-%s\", \"p\", \"q\")}"
  }
}
"""
TEMPLATES_HEREDOC = """locals {
  h1 = <<EOT
say "hi" ${upper("x")} and ${jsonencode({a = "b"})}
back\\slash ${"q"}
EOT
  h2 = <<-EOT
    %{ for s in ["a", "b"] }item "${s}"
    %{ endfor }
  EOT
}
"""
TERRAFORM_SAYS = {
    "a": "1d,2h",
    "b": 'x "quoted" Y back\\slash',
    "c": "yes",
    "d": '{"k":"v"}',
    "e": "${literal} a}b",
    "f": "tab\there p-q",
    "h1": 'say "hi" X and {"a":"b"}\nback\\slash q\n',
    "h2": 'item "a"\nitem "b"\n\n',
}


def test_templates_with_quoted_strings_inside_interpolations() -> None:
    from orylint.terraform.document import Document
    from orylint.terraform.hcl_loader import load_hcl
    from orylint.terraform.tfjson_loader import load_tf_json

    json_document = load_tf_json("main.tf.json", TEMPLATES_JSON)
    heredocs = load_hcl("heredoc.tf", TEMPLATES_HEREDOC)
    assert isinstance(json_document, Document) and isinstance(heredocs, Document)
    values = {}
    for document in (json_document, heredocs):
        for name, attribute in document.blocks[0].attributes.items():
            assert attribute.expression is not None
            values[name] = attribute.expression.value()
            assert attribute.attribute.value == values[name]  # the loader agrees
    assert values == TERRAFORM_SAYS


def test_an_ory_project_config_does_not_decide_for_a_self_hosted_hydra_client(
    tmp_path: Path,
) -> None:
    """hydra_oauth2_client uses the `hydra` provider: the Ory project's facts are not its."""
    hydra = PUBLIC_CODE_CLIENT.replace("PROVIDER", "").replace(
        'resource "ory_oauth2_client"', 'resource "hydra_oauth2_client"'
    )
    (tmp_path / "main.tf").write_text(hydra + PROJECT, encoding="utf-8")
    [finding] = lint(tmp_path, "ORY308").findings
    assert finding.address is not None and finding.address.startswith("hydra_oauth2_client.")
    assert "oauth2.pkce.enforced_for_public_clients" in finding.message

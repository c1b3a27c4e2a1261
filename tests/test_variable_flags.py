"""The flags that carry root variables: --var-file/--var, configuration, pre-commit, Action."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from orylint import cli
from orylint.config import ConfigError, load_config
from orylint.engine.result import ScanResult
from orylint.scan import ScanOptions
from tests.helpers import run_cli

MAIN = 'variable "environment" {\n  type = string\n}\n'


def captured_options(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str
) -> tuple[int, ScanOptions | None, str]:
    """Run `orylint check` in-process with the scan replaced, and return what it was given."""
    seen: dict[str, Any] = {}

    def fake_scan(options: ScanOptions) -> ScanResult:
        seen["options"] = options
        return ScanResult(rules=[])

    monkeypatch.setattr(cli, "scan", fake_scan)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, ["check", *args])
    return result.exit_code, seen.get("options"), result.output


def test_cli_flags_reach_the_scan_in_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN, encoding="utf-8")
    (tmp_path / "a.tfvars").write_text('environment = "a"\n', encoding="utf-8")
    (tmp_path / "b.tfvars.json").write_text('{"environment": "b"}\n', encoding="utf-8")
    code, options, output = captured_options(
        monkeypatch,
        tmp_path,
        ".",
        "--var-file",
        "b.tfvars.json",
        "--var=environment=prod",
        "--var-file=a.tfvars",
        "--var",
        'uris=["https://a.example/cb", "x=y"]',
        "--var",
        "environment=staging",
    )
    assert code == 0, output
    assert options is not None
    assert list(options.var_files) == ["b.tfvars.json", "a.tfvars"]
    assert dict(options.variables) == {
        "environment": "staging",  # the later --var wins, as on terraform's command line
        "uris": '["https://a.example/cb", "x=y"]',  # split at the first '=' only
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--var", "environment"], "is not NAME=VALUE"),
        (["--var", "=prod"], "is not NAME=VALUE"),
        (["--var", "environment =prod"], "spaces around it"),
        (["--var-file", "missing.tfvars"], "does not exist"),
    ],
)
def test_bad_flags_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "main.tf").write_text(MAIN, encoding="utf-8")
    result = run_cli("check", ".", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


LIFESPAN = """\
variable "ttl" {
  type = string
}

resource "ory_oauth2_client" "svc" {
  client_name                = "Service"
  grant_types                = ["client_credentials"]
  token_endpoint_auth_method = "private_key_jwt"
  jwks_uri                   = "https://svc.example.com/jwks.json"
  client_credentials_grant_access_token_lifespan = var.ttl
}
"""


def test_configuration_var_files_are_relative_to_it_and_come_first(tmp_path: Path) -> None:
    infra = tmp_path / "infra"
    (infra / "envs").mkdir(parents=True)
    (infra / "main.tf").write_text(LIFESPAN, encoding="utf-8")
    (infra / "envs" / "prod.tfvars").write_text('ttl = "1d"\n', encoding="utf-8")
    (tmp_path / "extra.tfvars").write_text('ttl = "2d"\n', encoding="utf-8")
    config = infra / ".orylint.toml"

    def value(*args: str) -> str:
        """Where the ORY201 finding says the value of var.ttl comes from."""
        result = run_cli(
            "check", "infra", "--select", "ORY201", "--format", "json", *args, cwd=tmp_path
        )
        [finding] = json.loads(result.stdout)["findings"]
        return str(finding["message"]).split("the value comes from ", 1)[1]

    config.write_text('var-files = ["envs/prod.tfvars"]\n', encoding="utf-8")
    assert value() == 'var.ttl = "1d" (infra/envs/prod.tfvars:1)'  # relative to the file
    assert value("--var-file", "extra.tfvars") == 'var.ttl = "2d" (extra.tfvars:1)'
    config.write_text('var-files = ["envs/prod.tfvars"]\n[vars]\nttl = "3d"\n', encoding="utf-8")
    assert value("--var-file", "extra.tfvars").startswith('var.ttl = "3d"')
    assert value("--var", "ttl=4d").startswith('var.ttl = "4d"')


def test_configuration_shows_variable_names_but_never_values(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN, encoding="utf-8")
    (tmp_path / ".orylint.toml").write_text(
        'var_files = ["a.tfvars"]\n[vars]\nclient-secret = "hunter2"\n', encoding="utf-8"
    )
    result = run_cli("config", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    keys = json.loads(result.stdout)["keys"]
    assert keys["vars"]["value"] == ["client-secret"]  # a variable name keeps its dash
    assert keys["var-files"]["value"] == [str(tmp_path.resolve() / "a.tfvars")]
    assert "hunter2" not in result.stdout


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[vars]\nport = 8080\n", "vars.port"),
        ('[vars]\n"bad name" = "x"\n', "vars"),
        ("var-files = [1]\n", "var-files.0"),
        ('var_files = "a.tfvars"\n', "var_files"),  # named as written
    ],
)
def test_configuration_rejects_malformed_variables(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / ".orylint.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f": {key}" in str(caught.value)


def test_help_documents_the_flags() -> None:
    result = CliRunner().invoke(cli.main, ["check", "--help"])
    assert "--var-file FILE" in result.output
    assert "--var NAME=VALUE" in result.output
    assert "terraform.tfvars" in result.output

"""The configuration file as documented: its spellings, its schema, its errors and rule ids."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from orylint.config import ConfigError, load_config, parse_config, toml_value
from tests.helpers import REPO, run_cli

BAD = """\
resource "ory_oauth2_client" "svc" {
  client_name                = "Service"
  grant_types                = ["client_credentials"]
  token_endpoint_auth_method = "private_key_jwt"
  jwks_uri                   = "https://svc.example.com/jwks.json"
  client_credentials_grant_access_token_lifespan = "90m"
}
"""


def shipped_schema() -> dict[str, Any]:
    text = resources.files("orylint.schemas").joinpath("config.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def documented_example() -> str:
    """The ``.orylint.toml`` example of docs/configuration.md, verbatim."""
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    [block] = [b for b in re.findall(r"```toml\n(.*?)```", text, re.S) if "# .orylint.toml" in b]
    return block


def error_of(tmp_path: Path, text: str, name: str = ".orylint.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    return str(raised.value)


def test_documented_example_loads_verbatim(tmp_path: Path) -> None:
    path = tmp_path / ".orylint.toml"
    path.write_text(documented_example(), encoding="utf-8")
    config = load_config(path)
    assert config.require_suppression_reason is True
    assert config.unsuppressible == ("ORY701",)
    assert set(config.per_path_ignores) == {"modules/legacy/**"}
    assert config.var_files == (str(tmp_path / "envs/prod.tfvars"),)
    assert config.policy_dirs == (str(tmp_path / "policies"),)
    assert config.policy_packs == ("production",)
    # The example's policy-dirs names a directory of policies, as the user's repository has.
    shutil.copytree(REPO / "examples" / "policies", tmp_path / "policies")
    shown = run_cli("config", ".", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    keys = json.loads(shown.stdout)["keys"]
    assert keys["policy-dirs"]["scope"] == "run"
    assert keys["policy-packs"]["source"].endswith(".orylint.toml: policy-packs")


def test_errors_name_keys_as_documented_and_print_toml_values(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[per-path-ignores]\n"a/**" = "ORY2"\n')
    assert 'per-path-ignores.a/**: "ORY2" is not a list' in message
    message = error_of(tmp_path, "require-suppression-reason = 1\n")
    assert "require-suppression-reason: 1 is not a boolean (true or false)" in message
    message = error_of(tmp_path, "fail-on = true\n")
    assert 'fail-on: true is not one of "error", "warning", "note", "never"' in message
    assert "True" not in message
    message = error_of(tmp_path, "[tool.orylint]\nbogus = false\n", "pyproject.toml")
    assert message.endswith('tool.orylint: unknown key "bogus"')


def test_a_key_spelled_both_ways_is_an_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'fail-on = "note"\nfail_on = "error"\n')
    assert "fail_on: the same key as fail-on; keep one" in message
    message = error_of(tmp_path, "[ory]\npkce_enforced = true\npkce-enforced = false\n")
    assert "ory.pkce-enforced: the same key as ory.pkce_enforced" in message


def test_both_spellings_load_the_same(tmp_path: Path) -> None:
    dashes = parse_config({"fail-on": "note", "ory": {"pkce-enforced": True}}, None)
    underscores = parse_config({"fail_on": "note", "ory": {"pkce_enforced": True}}, None)
    assert dataclasses.replace(dashes, sources={}) == dataclasses.replace(underscores, sources={})
    assert dashes.fail_on == "note" and dashes.settings.ory.pkce_enforced
    # where a value came from names the key as written
    assert dashes.sources["ory.pkce_enforced"] == "configuration: ory.pkce-enforced"
    assert underscores.sources["fail-on"] == "configuration: fail_on"


@pytest.mark.parametrize(
    "value",
    [True, False, 'a"b', ["x", 1], {"k": [True]}, 3],
)
def test_toml_value_round_trips_through_tomllib(value: object) -> None:
    import tomllib

    assert tomllib.loads(f"v = {toml_value(value)}")["v"] == value


def test_schema_uses_documented_spellings_and_a_stable_id() -> None:
    schema = shipped_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    # The $id is where the file is served from the main branch, so `#:schema` can fetch it.
    prefix = "https://raw.githubusercontent.com/orylint/orylint/main/"
    assert schema["$id"].startswith(prefix)
    assert (REPO / schema["$id"].removeprefix(prefix)).is_file()
    properties = schema["properties"]
    for key in ("fail-on", "per-path-ignores", "require-suppression-reason", "var-files"):
        assert "$ref" not in properties[key], key  # the documented spelling holds the definition
        assert properties[key.replace("-", "_")]["$ref"] == f"#/properties/{key}"
    validator = jsonschema.Draft202012Validator(schema)  # the docs' blocks: test_docs_snippets
    assert list(validator.iter_errors({"fail-on": "sometimes"}))
    assert list(validator.iter_errors({"ory": {"pkce-enforced": "yes"}}))


def test_configuration_docs_show_the_schema_for_editors() -> None:
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert f"#:schema {shipped_schema()['$id']}" in text
    assert "taplo" in text and "Even Better TOML" in text


@pytest.mark.parametrize("code", ["ORY2O1", "foo", "ORY99"])
@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_rule_ids_on_the_command_line_are_usage_errors(
    tmp_path: Path, option: str, code: str
) -> None:
    (tmp_path / "main.tf").write_text(BAD, encoding="utf-8")
    result = run_cli("check", ".", option, f"ORY2,{code}", cwd=tmp_path)
    assert result.returncode == 2
    assert f"no rule or rule prefix {code.upper()}" in result.stderr
    if code == "ORY2O1":
        assert "did you mean ORY201?" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('select = ["ORY2O1"]\n', "select: no rule or rule prefix ORY2O1 (did you mean ORY201?)"),
        ('ignore = ["ORY99"]\n', "ignore: no rule or rule prefix ORY99"),
        ('unsuppressible = ["foo"]\n', "unsuppressible: no rule or rule prefix foo"),
        ('[severity]\nORY2O4 = "error"\n', "severity: no rule ORY2O4 (did you mean ORY204?)"),
        ('[severity]\nORY2 = "error"\n', "severity: no rule ORY2"),
        ('[per-path-ignores]\n"x/**" = ["ORY99"]\n', 'per-path-ignores."x/**": no rule'),
    ],
)
def test_unknown_rule_ids_in_the_configuration_are_errors(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert expected in error_of(tmp_path, text)


def test_rule_prefixes_that_match_a_rule_stay_valid(tmp_path: Path) -> None:
    config = parse_config(
        {"select": ["ORY", "ORY2", "ORY20"], "ignore": ["ORY204"], "unsuppressible": ["ORY7"]},
        None,
    )
    assert config.select == ("ORY", "ORY2", "ORY20")
    (tmp_path / "main.tf").write_text(BAD, encoding="utf-8")
    result = run_cli("check", ".", "--select", "ory20", cwd=tmp_path)
    assert result.returncode == 0 and "ORY204" in result.stdout

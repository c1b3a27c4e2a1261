"""Each file is linted with the nearest configuration above it, whatever else is linted with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli

CLIENT = """\
resource "ory_oauth2_client" "svc" {
  client_name                = "Service"
  grant_types                = ["client_credentials"]
  token_endpoint_auth_method = "private_key_jwt"
  jwks_uri                   = "https://svc.example.com/jwks.json"
  client_credentials_grant_access_token_lifespan = "90m"
}
"""
"""ORY204 (warning: "90m" is read back as "1h30m") and ORY205 (note: longer than 1h)."""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def findings(root: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("check", *args, "--format", "json", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(result.stdout)
    return result.returncode, document["findings"]


def summary(items: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return sorted((f["file"], f["rule_id"], f["severity"]) for f in items)


@pytest.fixture
def two_modules(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        {
            "a/main.tf": CLIENT,
            "b/main.tf": CLIENT,
            "b/.orylint.toml": 'ignore = ["ORY205"]\n\n[severity]\nORY204 = "error"\n',
        },
    )


def test_the_result_does_not_depend_on_argument_order(two_modules: Path) -> None:
    expected = [
        ("a/main.tf", "ORY204", "warning"),
        ("a/main.tf", "ORY205", "note"),
        ("b/main.tf", "ORY204", "error"),
    ]
    for args in (["a/main.tf", "b/main.tf"], ["b/main.tf", "a/main.tf"], ["a", "b"], ["b", "a"]):
        _, items = findings(two_modules, *args)
        assert summary(items) == expected, args
    _, items = findings(two_modules, ".")
    assert summary(items) == expected


def test_settings_come_from_each_files_configuration(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "a/main.tf": CLIENT,
            "b/main.tf": CLIENT,
            "b/pyproject.toml": '[tool.orylint.lifespans]\naccess_note = "10m"\n',
        },
    )
    for args in (["a", "b"], ["b", "a"]):
        _, items = findings(root, *args, "--select", "ORY205")
        messages = {f["file"]: f["message"] for f in items}
        assert "longer than 1h:" in messages["a/main.tf"]
        assert "longer than 10m:" in messages["b/main.tf"]


def test_command_line_selection_applies_to_every_file(two_modules: Path) -> None:
    _, items = findings(two_modules, "a", "b", "--select", "ORY205")
    # --select replaces each file's select, not its ignore: b still ignores ORY205
    assert summary(items) == [("a/main.tf", "ORY205", "note")]


def test_config_option_forces_one_configuration(two_modules: Path) -> None:
    _, items = findings(two_modules, "a", "b", "--config", "b/.orylint.toml")
    assert summary(items) == [("a/main.tf", "ORY204", "error"), ("b/main.tf", "ORY204", "error")]


def test_excludes_and_per_path_ignores_are_anchored_at_their_file(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            ".orylint.toml": '[per-path-ignores]\n"/infra/modules/**" = ["ORY205"]\n',
            "legacy/main.tf": CLIENT,
            "infra/legacy/main.tf": CLIENT,
            "infra/modules/legacy/main.tf": CLIENT,
            "infra/modules/svc/main.tf": CLIENT,
            "infra/.orylint.toml": 'exclude = ["/legacy/"]\n\n[per-path-ignores]\n'
            '"modules/**" = ["ORY204"]\n',
        },
    )
    _, items = findings(root, ".")
    assert summary(items) == [
        # the root configuration: nothing excluded, its per-path ignore does not reach infra/
        ("infra/modules/legacy/main.tf", "ORY205", "note"),
        ("infra/modules/svc/main.tf", "ORY205", "note"),
        ("legacy/main.tf", "ORY204", "warning"),
        ("legacy/main.tf", "ORY205", "note"),
    ]
    # the same from inside infra/, and for a file named with --force-exclude (pre-commit)
    _, inside = findings(root / "infra", ".")
    assert {f["file"] for f in inside} == {"modules/legacy/main.tf", "modules/svc/main.tf"}
    _, named = findings(root, "infra/legacy/main.tf", "legacy/main.tf", "--force-exclude")
    assert {f["file"] for f in named} == {"legacy/main.tf"}


def test_fail_on_comes_from_the_first_path(two_modules: Path) -> None:
    (two_modules / "b" / ".orylint.toml").write_text('fail-on = "never"\n', encoding="utf-8")
    assert run_cli("check", "b", "a", cwd=two_modules).returncode == 0
    assert run_cli("check", "a", "b", "--select", "ORY204", cwd=two_modules).returncode == 0
    (two_modules / "a" / ".orylint.toml").write_text('fail-on = "warning"\n', encoding="utf-8")
    assert run_cli("check", "a", "b", cwd=two_modules).returncode == 1


def test_a_broken_configuration_below_a_scanned_directory_is_a_usage_error(
    two_modules: Path,
) -> None:
    (two_modules / "b" / ".orylint.toml").write_text("fail-on = [\n", encoding="utf-8")
    result = run_cli("check", ".", cwd=two_modules)
    assert result.returncode == 2
    assert "b/.orylint.toml: invalid TOML" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_command_shows_the_configuration_of_a_path(two_modules: Path) -> None:
    shown = json.loads(run_cli("config", "b/main.tf", cwd=two_modules).stdout)
    assert shown["config_file"] == str(two_modules / "b" / ".orylint.toml")
    assert shown["keys"]["ignore"] == {
        "value": ["ORY205"],
        "source": f"{two_modules / 'b' / '.orylint.toml'}: ignore",
        "scope": "file",
    }
    assert shown["keys"]["severity"]["value"] == {"ORY204": "error"}
    other = json.loads(run_cli("config", "a/main.tf", cwd=two_modules).stdout)
    assert other["config_file"] is None
    assert {key["source"] for key in other["keys"].values()} == {"default"}
    assert run_cli("config", "--show", cwd=two_modules).returncode == 2  # no such option


def test_a_report_never_overwrites_a_configuration_file_it_read(two_modules: Path) -> None:
    config = two_modules / "b" / ".orylint.toml"
    before = config.read_text(encoding="utf-8")
    result = run_cli(
        "check", "a", "b", "--format", "json", "-o", "b/.orylint.toml", cwd=two_modules
    )
    assert result.returncode == 2
    assert "refusing to write a report over b/.orylint.toml" in result.stderr
    assert config.read_text(encoding="utf-8") == before


def test_each_path_keeps_its_own_verdict_when_many_findings_share_rules(tmp_path: Path) -> None:
    # The configuration is asked once per path and rule in a run, not once per finding: the
    # same rule on paths of one configuration (ignored on one of them only) and of another
    # (its own severity) must still come out per path.
    two = CLIENT + CLIENT.replace('"svc"', '"other"')
    root = write(
        tmp_path,
        {
            ".orylint.toml": '[per-path-ignores]\n"/x/**" = ["ORY205"]\n',
            "x/main.tf": two,
            "y/main.tf": two,
            "z/main.tf": two,
            "z/.orylint.toml": '[severity]\nORY204 = "error"\n',
        },
    )
    expected = sorted(
        [("x/main.tf", "ORY204", "warning")] * 2
        + [("y/main.tf", "ORY204", "warning")] * 2
        + [("y/main.tf", "ORY205", "note")] * 2
        + [("z/main.tf", "ORY204", "error")] * 2
        + [("z/main.tf", "ORY205", "note")] * 2
    )
    for args in (["x", "y", "z"], ["z", "y", "x"], ["."]):
        _, items = findings(root, *args)
        assert summary(items) == expected, args

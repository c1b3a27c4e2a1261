"""OpenTofu: ``.tofu`` and ``.tofu.json`` are read like ``.tf`` and ``.tf.json``, and a ``.tofu``
file replaces the ``.tf`` file of the same name in its directory, as OpenTofu loads them
(https://opentofu.org/docs/language/files/, "Extension Precedence")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.helpers import REPO, run_cli

CLIENTS = REPO / "examples" / "clients.tf"
JSON_CLIENT = REPO / "tests" / "fixtures" / "equivalence" / "main.tf.json"


def _findings(cwd: Path, *args: str) -> list[tuple[str, str, int, int]]:
    result = run_cli("check", *args, "--format", "json", cwd=cwd)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert not document["errors"], document["errors"]
    return sorted(
        (f["rule_id"], f["file"], f["start_line"], f["start_column"]) for f in document["findings"]
    )


def _renamed(
    found: list[tuple[str, str, int, int]], old: str, new: str
) -> list[tuple[str, str, int, int]]:
    return sorted((rule, file.replace(old, new), line, col) for rule, file, line, col in found)


def test_tofu_files_are_read_like_tf_files(tmp_path: Path) -> None:
    terraform, tofu = tmp_path / "terraform", tmp_path / "tofu"
    for directory, native, json_name in (
        (terraform, "clients.tf", "portal.tf.json"),
        (tofu, "clients.tofu", "portal.tofu.json"),
    ):
        directory.mkdir()
        shutil.copy(CLIENTS, directory / native)
        shutil.copy(JSON_CLIENT, directory / json_name)
    expected = _findings(terraform, ".")
    assert {file for _, file, _, _ in expected} == {"clients.tf", "portal.tf.json"}
    found = _findings(tofu, ".")
    assert found == _renamed(_renamed(expected, ".tf.json", ".tofu.json"), ".tf", ".tofu")
    # named explicitly (as pre-commit names them), too
    assert _findings(tofu, "clients.tofu", "portal.tofu.json") == found


def test_a_tofu_file_replaces_the_tf_file_of_the_same_name(tmp_path: Path) -> None:
    text = CLIENTS.read_text(encoding="utf-8")
    (tmp_path / "clients.tf").write_text(text, encoding="utf-8")
    # the OpenTofu variant fixes the lifespan ORY201 reports in the .tf file
    (tmp_path / "clients.tofu").write_text(text.replace('"30d"', '"720h"'), encoding="utf-8")
    shutil.copy(JSON_CLIENT, tmp_path / "portal.tf.json")
    shutil.copy(JSON_CLIENT, tmp_path / "portal.tofu.json")
    found = _findings(tmp_path, ".")
    files = {file for _, file, _, _ in found}
    assert files == {"clients.tofu", "portal.tofu.json"}
    assert ("ORY201", "clients.tofu", 12, 53) not in found
    # without the .tofu file, the .tf file is linted again
    (tmp_path / "clients.tofu").unlink()
    assert ("ORY201", "clients.tf", 12, 53) in _findings(tmp_path, ".")


def test_a_named_tf_file_that_a_tofu_file_replaces_is_not_linted(tmp_path: Path) -> None:
    (tmp_path / "clients.tf").write_text(CLIENTS.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "clients.tofu").write_text("# nothing here\n", encoding="utf-8")
    result = run_cli("check", "clients.tf", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ORY" not in result.stdout


def test_a_named_tofu_file_is_linted_with_its_modules_other_files(tmp_path: Path) -> None:
    """Context comes from the other files of the module, .tf and .tofu alike."""
    (tmp_path / "main.tofu").write_text(
        'resource "ory_oauth2_client" "web" {\n'
        '  grant_types                                    = ["client_credentials"]\n'
        "  client_credentials_grant_access_token_lifespan = var.lifespan\n"
        "}\n",
        encoding="utf-8",
    )
    (tmp_path / "variables.tf").write_text(
        'variable "lifespan" {\n  default = "1d"\n}\n', encoding="utf-8"
    )
    found = _findings(tmp_path, "main.tofu")
    assert [(rule, file) for rule, file, _, _ in found if rule == "ORY201"] == [
        ("ORY201", "main.tofu")
    ]


def test_a_report_is_not_written_where_opentofu_would_read_it(tmp_path: Path) -> None:
    shutil.copy(CLIENTS, tmp_path / "clients.tf")
    for name in ("report.tofu", "report.tofu.json"):
        result = run_cli("check", ".", "--format", "json", "-o", name, cwd=tmp_path)
        assert result.returncode == 2
        assert "would be read as Terraform" in result.stderr
        assert not (tmp_path / name).exists()

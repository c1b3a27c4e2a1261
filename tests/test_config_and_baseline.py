"""Configuration files, severity overrides everywhere, per-path ignores, baselines."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import assert_valid_sarif, run_cli

BAD = """\
resource "ory_oauth2_client" "svc" {
  client_name                = "Service"
  grant_types                = ["client_credentials"]
  token_endpoint_auth_method = "private_key_jwt"
  jwks_uri                   = "https://svc.example.com/jwks.json"
  client_credentials_grant_access_token_lifespan = "90m"
}
"""


def project(tmp_path: Path, config: str | None = None, where: str = ".orylint.toml") -> Path:
    (tmp_path / "infra").mkdir(parents=True)
    (tmp_path / "infra" / "main.tf").write_text(BAD, encoding="utf-8")
    if config is not None:
        (tmp_path / where).write_text(config, encoding="utf-8")
    return tmp_path


def test_config_is_found_upward_and_shown(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.orylint]\nfail-on = "warning"\n', "pyproject.toml")
    shown = run_cli("config", "infra", cwd=root)
    data = json.loads(shown.stdout)
    assert data["keys"]["fail-on"] == {
        "value": "warning",
        "source": f"{root / 'pyproject.toml'}: tool.orylint.fail-on",
        "scope": "run",
    }
    assert data["keys"]["select"] == {"value": [], "source": "default", "scope": "file"}
    assert data["config_file"].endswith("pyproject.toml")
    overridden = json.loads(
        run_cli("config", "infra", "--select", "ORY2", "--fail-on", "note", cwd=root).stdout
    )
    assert overridden["keys"]["select"] == {
        "value": ["ORY2"],
        "source": "--select",
        "scope": "file",
    }
    assert overridden["keys"]["fail-on"] == {"value": "note", "source": "--fail-on", "scope": "run"}
    assert run_cli("check", "infra", "--select", "ORY204", cwd=root).returncode == 1


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("bogus = 1\n", 'unknown key "bogus"'),
        ('fail-on = "sometimes"\n', 'fail-on: "sometimes" is not one of'),
        ('[ory]\nsubject_types = ["private"]\n', "ory.subject_types"),
        ('[lifespans]\naccess_note = "1d"\n', "lifespans.access_note"),
        ("select = [", "invalid TOML"),
    ],
)
def test_malformed_config_is_an_error_with_file_key_and_reason(
    tmp_path: Path, config: str, expected: str
) -> None:
    root = project(tmp_path, config)
    result = run_cli("check", "infra", cwd=root)
    assert result.returncode == 2
    assert ".orylint.toml" in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_severity_override_changes_exit_code_and_every_format(tmp_path: Path) -> None:
    root = project(tmp_path, '[severity]\nORY204 = "error"\n')
    text = run_cli("check", "infra", "--select", "ORY204", cwd=root)
    assert text.returncode == 1
    assert "ORY204 error:" in text.stdout
    sarif = run_cli("check", "infra", "--select", "ORY204", "--format", "sarif", cwd=root)
    document = json.loads(sarif.stdout)
    assert_valid_sarif(document)
    run = document["runs"][0]
    [rule] = [r for r in run["tool"]["driver"]["rules"] if r["id"] == "ORY204"]
    assert rule["defaultConfiguration"]["level"] == "error"
    assert {r["level"] for r in run["results"]} == {"error"}
    for output_format, marker in (
        ("json", '"severity": "error"'),
        ("github", "::error "),
        ("gitlab", '"severity": "major"'),
        ("junit", 'type="error"'),
    ):
        out = run_cli("check", "infra", "--select", "ORY204", "--format", output_format, cwd=root)
        assert marker in out.stdout, output_format
    downgraded = project(tmp_path / "b", '[severity]\nORY204 = "note"\n')
    assert (
        run_cli(
            "check", "infra", "--select", "ORY204", "--fail-on", "warning", cwd=downgraded
        ).returncode
        == 0
    )


def test_per_path_ignores(tmp_path: Path) -> None:
    root = project(tmp_path, '[per-path-ignores]\n"infra/**" = ["ORY2"]\n')
    result = run_cli("check", "infra", "--select", "ORY2", "--format", "json", cwd=root)
    assert json.loads(result.stdout)["findings"] == []


def test_select_ignore_and_excludes_from_config(tmp_path: Path) -> None:
    root = project(tmp_path, 'select = ["ORY204"]\nexclude = ["legacy/"]\n')
    (root / "infra" / "legacy").mkdir()
    (root / "infra" / "legacy" / "old.tf").write_text(BAD, encoding="utf-8")
    result = run_cli("check", "infra", "--format", "json", cwd=root)
    findings = json.loads(result.stdout)["findings"]
    assert {f["rule_id"] for f in findings} == {"ORY204"}
    assert {f["file"] for f in findings} == {"infra/main.tf"}


def test_baseline_reports_only_new_findings_and_survives_line_moves(tmp_path: Path) -> None:
    root = project(tmp_path)
    written = run_cli("check", "infra", "--write-baseline", "baseline.json", cwd=root)
    assert written.returncode == 0
    recorded = json.loads((root / "baseline.json").read_text(encoding="utf-8"))
    assert recorded["version"] == 2 and recorded["findings"]
    assert {entry["directory"] for entry in recorded["findings"]} == {"infra"}
    main = root / "infra" / "main.tf"
    main.write_text(
        "# a new comment moves every line\n\n" + main.read_text(encoding="utf-8"), encoding="utf-8"
    )
    same = run_cli("check", "infra", "--baseline", "baseline.json", "--format", "json", cwd=root)
    document = json.loads(same.stdout)
    assert document["findings"] == []
    assert document["summary"]["baselined"] == len(recorded["findings"])
    assert same.returncode == 0
    main.write_text(main.read_text(encoding="utf-8").replace('"90m"', '"1d"'), encoding="utf-8")
    new = run_cli("check", "infra", "--baseline", "baseline.json", "--format", "json", cwd=root)
    assert {f["rule_id"] for f in json.loads(new.stdout)["findings"]} == {"ORY201"}
    assert new.returncode == 1


def _environments(tmp_path: Path, *names: str) -> Path:
    """Root modules with the same client (so the same addresses) in each of ``names``."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for name in names:
        (tmp_path / "envs" / name).mkdir(parents=True)
        (tmp_path / "envs" / name / "main.tf").write_text(BAD, encoding="utf-8")
    return tmp_path


def _reported(root: Path, *args: str, cwd: Path | None = None) -> list[tuple[str, str]]:
    result = run_cli("check", *args, "--format", "json", cwd=cwd or root)
    assert result.returncode in (0, 1), result.stderr
    return sorted((f["rule_id"], f["file"]) for f in json.loads(result.stdout)["findings"])


def test_baseline_keys_include_the_module_directory(tmp_path: Path) -> None:
    """A finding accepted in prod/ does not hide the same address's finding in staging/."""
    root = _environments(tmp_path, "prod")
    assert run_cli("check", "envs", "--write-baseline", "b.json", cwd=root).returncode == 0
    assert _reported(root, "envs", "--baseline", "b.json") == []
    # prod is fixed and staging gets the same client: its findings are new, not accepted
    (root / "envs" / "prod").rename(root / "envs" / "staging")
    found = _reported(root, "envs", "--baseline", "b.json")
    assert found and {file for _, file in found} == {"envs/staging/main.tf"}
    # keys are relative to the repository: the baseline matches from another directory too
    (root / "envs" / "staging").rename(root / "envs" / "prod")
    assert _reported(root, ".", "--baseline", "../b.json", cwd=root / "envs") == []


def _legacy_baseline(root: Path, *directories: str) -> None:
    """A format-1 baseline (orylint 0.1) of BAD's findings in ``directories``, keyed as 0.1 did.

    0.1 hashed the rule, the address and the attribute, joined by U+001F, without a directory.
    """
    result = run_cli("check", "envs", "--format", "json", cwd=root)
    entries = []
    for finding in json.loads(result.stdout)["findings"]:
        if not finding["file"].startswith(directories):
            continue
        text = "\x1f".join((finding["rule_id"], finding["address"], finding["attribute"] or ""))
        key = hashlib.sha256(text.encode()).hexdigest()[:32]
        entries.append({"key": key, "rule_id": finding["rule_id"], "file": finding["file"]})
    assert entries
    document = {"version": 1, "findings": entries}
    (root / "old.json").write_text(json.dumps(document), encoding="utf-8")


def test_a_format_1_baseline_still_matches_by_its_recorded_directory(tmp_path: Path) -> None:
    root = _environments(tmp_path, "prod", "staging")
    _legacy_baseline(root, "envs/prod/")
    found = _reported(root, "envs", "--baseline", "old.json")
    assert found and {file for _, file in found} == {"envs/staging/main.tf"}


def test_a_format_1_baseline_matches_an_unambiguous_key_from_elsewhere(tmp_path: Path) -> None:
    root = _environments(tmp_path, "prod")
    _legacy_baseline(root, "envs/prod/")
    # run from another directory: the recorded file names no longer match, the keys do
    assert _reported(root, ".", "--baseline", "../../old.json", cwd=root / "envs" / "prod") == []
    # with a second environment the key is ambiguous from there: both are reported
    (root / "envs" / "staging").mkdir()
    (root / "envs" / "staging" / "main.tf").write_text(BAD, encoding="utf-8")
    found = _reported(root, ".", "--baseline", "../old.json", cwd=root / "envs")
    assert {file for _, file in found} == {"prod/main.tf", "staging/main.tf"}


def test_bad_baseline_file_is_a_usage_error(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "baseline.json").write_text("[1, 2]", encoding="utf-8")
    result = run_cli("check", "infra", "--baseline", "baseline.json", cwd=root)
    assert result.returncode == 2
    assert "not an orylint baseline" in result.stderr


def test_config_excludes_are_anchored_at_the_config_file(tmp_path: Path) -> None:
    infra = tmp_path / "infra"
    (infra / "envs" / "old").mkdir(parents=True)
    (infra / "envs" / "new").mkdir(parents=True)
    (infra / "envs" / "old" / "main.tf").write_text(BAD, encoding="utf-8")
    (infra / "envs" / "new" / "main.tf").write_text(BAD, encoding="utf-8")
    (infra / ".orylint.toml").write_text('exclude = ["envs/old/"]\n', encoding="utf-8")
    for paths in (["infra"], ["infra/envs"], ["infra/envs/old/main.tf", "infra/envs/new/main.tf"]):
        result = run_cli(
            "check",
            *paths,
            "--force-exclude",
            "--select",
            "ORY204",
            "--format",
            "json",
            cwd=tmp_path,
        )
        files = {f["file"] for f in json.loads(result.stdout)["findings"]}
        assert files == {"infra/envs/new/main.tf"}, paths
    # without --force-exclude, a file named on the command line is linted anyway
    named = run_cli("check", "infra/envs/old/main.tf", "--select", "ORY204", cwd=tmp_path)
    assert named.returncode == 0 and "ORY204" in named.stdout

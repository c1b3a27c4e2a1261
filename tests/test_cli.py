"""The command line as users run it: exit codes, formats, bad inputs, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import REPO, assert_valid_sarif, run_cli

GOOD = """\
resource "ory_oauth2_client" "api" {
  client_name                = "API"
  grant_types                = ["client_credentials"]
  token_endpoint_auth_method = "client_secret_basic"
  scope                      = "api:read"
}
"""

BAD = """\
resource "ory_oauth2_client" "web" {
  client_name                = "Web"
  grant_types                = ["client_credentials"]
  token_endpoint_auth_method = "client_secret_basic"
  client_credentials_grant_access_token_lifespan = "1d"
}
"""


def write(directory: Path, name: str, content: str | bytes) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def assert_no_traceback(output: str) -> None:
    assert "Traceback" not in output
    assert 'File "' not in output


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("orylint, version ")


def test_clean_directory_exits_0(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", GOOD)
    result = run_cli("check", str(tmp_path), "--select", "ORY1,ORY2,ORY3")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No problems found in 1 file." in result.stdout


def test_error_finding_exits_1_with_location_and_caret(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", BAD)
    result = run_cli("check", "main.tf", "--select", "ORY201", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("main.tf:5:52: ORY201 error: ")
    assert lines[0].endswith("[ory_oauth2_client.web]")
    assert lines[1] == ' 5 |   client_credentials_grant_access_token_lifespan = "1d"'
    assert lines[2] == "   | " + " " * 51 + "^^^^"
    assert "Found 1 problem (1 error) in 1 file." in result.stdout


def test_fail_on_controls_the_exit_code(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", BAD.replace('"1d"', '"90m"'))
    assert run_cli("check", str(tmp_path), "--select", "ORY204").returncode == 0
    assert (
        run_cli("check", str(tmp_path), "--select", "ORY204", "--fail-on", "warning").returncode
        == 1
    )
    assert (
        run_cli("check", str(tmp_path), "--select", "ORY201", "--fail-on", "note").returncode == 0
    )


def test_ignore_and_select_prefixes(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", BAD)
    assert run_cli("check", str(tmp_path), "--ignore", "ORY2").returncode == 0
    result = run_cli("check", str(tmp_path), "--select", "ORY2", "--format", "json")
    ids = {finding["rule_id"] for finding in json.loads(result.stdout)["findings"]}
    assert ids == {"ORY201"}


def test_colour_only_when_asked(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", BAD)
    plain = run_cli("check", str(tmp_path), "--select", "ORY201")
    assert "\x1b[" not in plain.stdout
    coloured = run_cli("check", str(tmp_path), "--select", "ORY201", "--color", "always")
    assert "\x1b[31merror\x1b[0m" in coloured.stdout


def test_json_format(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", BAD)
    result = run_cli("check", "main.tf", "--format", "json", "--select", "ORY201", cwd=tmp_path)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    assert document["summary"] == {
        "files": 1,
        "findings": 1,
        "error": 1,
        "warning": 0,
        "note": 0,
        "suppressed": 0,
        "baselined": 0,
    }
    [finding] = document["findings"]
    assert finding == {
        "rule_id": "ORY201",
        "rule_name": finding["rule_name"],
        "severity": "error",
        "message": finding["message"],
        "file": "main.tf",
        "start_line": 5,
        "start_column": 52,
        "end_line": 5,
        "end_column": 56,
        "address": "ory_oauth2_client.web",
        "attribute": "client_credentials_grant_access_token_lifespan",
    }
    assert finding["rule_name"] == "lifespan-not-go-duration"
    assert '"1d"' in finding["message"]


def test_sarif_to_output_file(tmp_path: Path) -> None:
    write(tmp_path, "infra/main.tf", BAD)
    out = tmp_path / "orylint.sarif"
    result = run_cli("check", "infra", "--format", "sarif", "--output", str(out), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    document = json.loads(out.read_text(encoding="utf-8"))
    assert_valid_sarif(document)
    [run] = document["runs"]
    [finding] = [r for r in run["results"] if r["ruleId"] == "ORY201"]
    location = finding["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("infra/main.tf")
    assert location["region"] == {"startLine": 5, "startColumn": 52, "endLine": 5, "endColumn": 56}


def test_multiple_explicit_files(tmp_path: Path) -> None:
    write(tmp_path, "a.tf", BAD)
    write(tmp_path, "b.tf", GOOD)
    result = run_cli(
        "check", "a.tf", "b.tf", "--format", "json", "--select", "ORY201", cwd=tmp_path
    )
    document = json.loads(result.stdout)
    assert document["summary"]["files"] == 2
    assert [f["file"] for f in document["findings"]] == ["a.tf"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("binary.tf", b"\x00\x01\x02resource", "binary file"),
        (
            "latin1.tf",
            'resource "ory_oauth2_client" "x" {\n  client_name = "caf\xe9"\n}\n'.encode("latin-1"),
            "not valid UTF-8",
        ),
        (
            "syntax.tf",
            b'resource "ory_oauth2_client" "x" {\n  client_name = @\n}\n',
            "Invalid character",  # Terraform's words (tests/test_hcl_fallback.py)
        ),
    ],
)
def test_unreadable_files_are_reported_and_the_scan_goes_on(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    write(tmp_path, name, content)
    write(tmp_path, "good/main.tf", BAD)
    result = run_cli("check", ".", "--format", "json", "--select", "ORY001,ORY201", cwd=tmp_path)
    assert_no_traceback(result.stdout + result.stderr)
    assert result.returncode == 1
    findings = json.loads(result.stdout)["findings"]
    parse_errors = [f for f in findings if f["rule_id"] == "ORY001"]
    assert len(parse_errors) == 1
    assert parse_errors[0]["file"] == name
    assert expected in parse_errors[0]["message"]
    assert parse_errors[0]["start_line"] >= 1
    assert any(f["rule_id"] == "ORY201" and f["file"] == "good/main.tf" for f in findings)


def test_invalid_utf8_points_at_the_byte(tmp_path: Path) -> None:
    write(tmp_path, "x.tf", b'resource "ory_oauth2_client" "x" {\n  client_name = "ab\xff"\n}\n')
    result = run_cli("check", "x.tf", cwd=tmp_path)
    assert result.returncode == 1
    assert "x.tf:2:20: ORY001 error: the file is not valid UTF-8 (byte 0xff)" in result.stdout


def test_syntax_error_text_report(tmp_path: Path) -> None:
    write(tmp_path, "x.tf", 'resource "ory_oauth2_client" "x" {\n  client_name = @\n}\n')
    result = run_cli("check", "x.tf", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "x.tf:2:17: ORY001 error: Invalid character: This character is not used within the "
        "language."
    )
    assert_no_traceback(result.stdout + result.stderr)


def test_empty_file_is_clean(tmp_path: Path) -> None:
    write(tmp_path, "empty.tf", "")
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 0
    assert "No client resource found in 1 Terraform file read" in result.stdout


def test_directory_without_terraform_exits_2(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# nothing here\n")
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 2
    assert "no Terraform files" in result.stdout + result.stderr
    assert_no_traceback(result.stdout + result.stderr)


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "no such file or directory" in result.stdout + result.stderr


def test_usage_error_exits_2() -> None:
    result = run_cli("check", "--format", "yaml")
    assert result.returncode == 2
    assert "Invalid value for '--format'" in result.stderr


def test_unwritable_output_exits_2(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", GOOD)
    result = run_cli("check", str(tmp_path), "--output", str(tmp_path / "missing-dir" / "x.json"))
    assert result.returncode == 2
    assert "cannot write" in result.stderr


def test_skips_dot_terraform_git_and_excludes(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", GOOD)
    write(tmp_path, ".terraform/modules/x/main.tf", BAD)
    write(tmp_path, ".git/x.tf", BAD)
    write(tmp_path, "legacy/main.tf", BAD)
    write(tmp_path, "envs/prod/main.tf", BAD)
    result = run_cli(
        "check",
        ".",
        "--exclude",
        "legacy/",
        "--exclude",
        "envs/**/main.tf",
        "--format",
        "json",
        cwd=tmp_path,
    )
    document = json.loads(result.stdout)
    assert document["summary"]["files"] == 1
    assert {finding["file"] for finding in document["findings"]} <= {"main.tf"}
    assert not any(finding["rule_id"] == "ORY201" for finding in document["findings"])


def test_examples_directory_reports_findings() -> None:
    result = run_cli("check", "examples", cwd=REPO)
    assert result.returncode == 1
    assert_no_traceback(result.stdout + result.stderr)
    for rule in ("ORY201", "ORY204", "ORY407", "ORY701", "ORY901"):
        assert rule in result.stdout


def test_the_command_exits_without_teardown_but_with_its_whole_output_and_status() -> None:
    # `orylint.cli.run` ends the process with os._exit after flushing: a report far larger
    # than a pipe's buffer still arrives whole, and the exit status is the report's.
    result = run_cli("check", "tests/fixtures/rules", "--format", "json", cwd=REPO)
    document = json.loads(result.stdout)
    assert len(document["findings"]) > 500 and len(result.stdout) > 1 << 19  # pipes hold 64 KiB
    assert result.returncode == 1 and result.stderr == ""
    clean = run_cli("check", "examples", "--select", "ORY999X", cwd=REPO)
    assert clean.returncode == 2 and "ORY999X" in clean.stderr  # a usage error, as before

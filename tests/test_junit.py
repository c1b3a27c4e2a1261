"""JUnit XML as CI systems read it, and the summary counts that every format shares.

- one test case per linted file, passing files passing, so a clean run has tests (Jenkins
  refuses a report without any);
- failures only at or above ``--fail-on``, lower findings in ``system-out``;
- ``tests``/``failures``/``errors``/``skipped``/``time`` on ``testsuites`` and ``testsuite``;
- every document valid against tests/fixtures/junit/junit.xsd, the Jenkins/GitLab shape;
- the text summary line, the JSON ``summary`` and the JUnit test cases count the same files,
  as docs/json-format.md defines them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema

from tests.helpers import REPO, run_cli

XSD = REPO / "tests" / "fixtures" / "junit" / "junit.xsd"
COUNTS = ("tests", "failures", "errors", "skipped", "time")

NOT_ORY = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n'
NOTE_ONLY = """\
resource "ory_oauth2_client" "api" {
  client_name                                    = "API"
  grant_types                                    = ["client_credentials"]
  token_endpoint_auth_method                     = "client_secret_basic"
  client_credentials_grant_access_token_lifespan = "2h"
}
"""


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def junit(schema: xmlschema.XMLSchema, *args: str, cwd: Path) -> tuple[int, ElementTree.Element]:
    result = run_cli("check", *args, "--format", "junit", cwd=cwd)
    assert "Traceback" not in result.stderr
    schema.validate(result.stdout)
    return result.returncode, ElementTree.fromstring(result.stdout)


def cases(root: ElementTree.Element) -> dict[str, ElementTree.Element]:
    [suite] = root.findall("testsuite")
    return {case.get("name", ""): case for case in suite.findall("testcase")}


def assert_counts_agree(root: ElementTree.Element) -> None:
    [suite] = root.findall("testsuite")
    for element in (root, suite):
        for name in COUNTS:
            assert element.get(name) is not None, (element.tag, name)
        testcases = suite.findall("testcase")
        assert int(element.get("tests", "")) == len(testcases)
        assert int(element.get("failures", "")) == sum(
            c.find("failure") is not None for c in testcases
        )
        assert int(element.get("errors", "")) == sum(c.find("error") is not None for c in testcases)
        assert float(element.get("time", "")) >= 0


def test_the_schema_has_teeth(schema: xmlschema.XMLSchema) -> None:
    """What Jenkins chokes on is refused: no counts, a failure outside a test case."""
    assert not schema.is_valid('<testsuites><testsuite name="x"/></testsuites>')
    assert not schema.is_valid(
        '<testsuites tests="0" failures="0" errors="0" skipped="0" time="0">'
        '<testsuite name="x" tests="0" failures="0" errors="0" skipped="0" time="0">'
        "<failure/></testsuite></testsuites>"
    )


def test_a_clean_run_has_a_passing_test_case_per_file(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    (tmp_path / "main.tf").write_text(NOT_ORY, encoding="utf-8")
    (tmp_path / "other.tf").write_text(NOT_ORY.replace("logs", "data"), encoding="utf-8")
    code, root = junit(schema, ".", cwd=tmp_path)
    assert code == 0
    assert_counts_agree(root)
    assert root.get("tests") == "2" and root.get("failures") == "0"
    assert set(cases(root)) == {"main.tf", "other.tf"}
    for case in cases(root).values():
        assert list(case) == []  # passed: no failure, no error, nothing to say
        assert case.get("file") == case.get("name")


def test_only_findings_at_or_above_fail_on_fail(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    json_run = run_cli("check", "examples", "--format", "json", cwd=tmp_path)
    findings = json.loads(json_run.stdout)["findings"]
    by_file: dict[str, list[str]] = {}
    for finding in findings:
        by_file.setdefault(finding["file"], []).append(finding["severity"])
    assert {"error", "warning", "note"} <= {s for found in by_file.values() for s in found}

    for fail_on, failing in (
        ("error", {"error"}),
        ("warning", {"error", "warning"}),
        ("never", set()),
    ):
        code, root = junit(schema, "examples", "--fail-on", fail_on, cwd=tmp_path)
        assert_counts_agree(root)
        expected = {f for f, severities in by_file.items() if failing & set(severities)}
        assert {n for n, c in cases(root).items() if c.find("failure") is not None} == expected
        assert code == (1 if expected else 0)
        for name, case in cases(root).items():
            failure = case.find("failure")
            out = case.find("system-out")
            shown = [
                *((failure.text or "").splitlines() if failure is not None else []),
                *((out.text or "").splitlines() if out is not None else []),
            ]
            assert len(shown) == len(by_file.get(name, []))  # every finding, once
            below = (out.text or "").splitlines() if out is not None else []
            assert not any(f" {severity}: " in line for line in below for severity in failing)


def test_notes_alone_never_fail_a_test(schema: xmlschema.XMLSchema, tmp_path: Path) -> None:
    """Was: every note a failed test, so a passing run showed failures."""
    (tmp_path / "main.tf").write_text(NOTE_ONLY, encoding="utf-8")
    code, root = junit(schema, ".", cwd=tmp_path)
    assert code == 0
    [case] = cases(root).values()
    assert case.find("failure") is None
    assert "ORY205 note" in (case.findtext("system-out") or "")


def test_inputs_that_could_not_be_linted_are_errors(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    (tmp_path / "main.tf").write_text(NOT_ORY, encoding="utf-8")
    code, root = junit(schema, "main.tf", "missing.tf", cwd=tmp_path)
    assert code == 2
    assert_counts_agree(root)
    assert root.get("errors") == "1"
    error = cases(root)["missing.tf"].find("error")
    assert error is not None and "no such file" in error.get("message", "")
    assert cases(root)["missing.tf"].get("file") is None
    assert list(cases(root)["main.tf"]) == []


# --- the summary counts -------------------------------------------------------------------------


def summary_files(text: str) -> int:
    match = re.search(r" in (\d+) (?:Terraform )?files?\b", text.splitlines()[-1])
    assert match, text
    return int(match[1])


def test_text_json_and_junit_count_the_same_files(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    """docs/json-format.md: every Terraform file and plan read; context files are not."""
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    (tmp_path / "examples" / "unrelated").mkdir()
    (tmp_path / "examples" / "unrelated" / "s3.tf").write_text(NOT_ORY, encoding="utf-8")
    for args in (["examples"], ["examples/clients.tf"], ["examples/unrelated"]):
        text = run_cli("check", *args, "--fail-on", "never", cwd=tmp_path)
        document = json.loads(
            run_cli("check", *args, "--format", "json", "--fail-on", "never", cwd=tmp_path).stdout
        )
        _, root = junit(schema, *args, "--fail-on", "never", cwd=tmp_path)
        files = {p.relative_to(tmp_path).as_posix() for p in tmp_path.glob(f"{args[0]}/**/*.tf")}
        if args[0].endswith(".tf"):
            files = {args[0]}  # the other files of its module are context, not reported on
        assert summary_files(text.stdout) == document["summary"]["files"] == len(files), args
        assert set(cases(root)) == files, args
    doc = (REPO / "docs" / "json-format.md").read_text(encoding="utf-8")
    assert "| `summary.files` | Files linted: every Terraform file and plan read" in doc


def test_no_clean_summary_after_an_error(tmp_path: Path) -> None:
    """Was: "error: nosuch: no such file or directory" then "No problems found in 0 files."."""
    result = run_cli("check", "nosuch", cwd=tmp_path)
    assert result.returncode == 2
    assert "No problems found" not in result.stdout
    assert result.stdout.splitlines()[-2:] == [
        "error: nosuch: no such file or directory",
        "Nothing could be linted (1 error above, exit code 2).",
    ]
    (tmp_path / "main.tf").write_text(NOTE_ONLY, encoding="utf-8")
    partly = run_cli("check", "nosuch", "main.tf", cwd=tmp_path)
    assert partly.returncode == 2
    assert partly.stdout.splitlines()[-1] == (
        "Not everything could be linted (1 error above, exit code 2). "
        "Found 1 problem (1 note) in 1 file."
    )


def test_a_finding_always_counts_its_file(tmp_path: Path) -> None:
    """A finding in a tfvars file counts that file: never "1 problem in 0 files"."""
    (tmp_path / "main.tf").write_text(
        'variable "n" {\n  type = number\n}\n' + NOTE_ONLY, encoding="utf-8"
    )
    (tmp_path / "prod.tfvars").write_text('n = "many"\n', encoding="utf-8")
    result = run_cli("check", ".", "--var-file", "prod.tfvars", "--format", "json", cwd=tmp_path)
    document = json.loads(result.stdout)
    files = {finding["file"] for finding in document["findings"]}
    assert "prod.tfvars" in files, document
    assert document["summary"]["files"] == len(files | {"main.tf"})


def test_a_finding_about_a_module_fails_a_test_case_of_its_own(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    """ORY005 on a --var the module does not declare points at the directory: no file to count,
    but the failure must show in the test report, or a red job shows only passed tests."""
    (tmp_path / "main.tf").write_text(NOTE_ONLY, encoding="utf-8")
    text = run_cli("check", ".", "--var", "nope=1", cwd=tmp_path)
    assert text.returncode == 1
    assert ".:1:1: ORY005 error" in text.stdout
    assert text.stdout.splitlines()[-1].endswith("in 1 file.")
    code, root = junit(schema, ".", "--var", "nope=1", cwd=tmp_path)
    assert code == 1
    assert_counts_agree(root)
    assert set(cases(root)) == {"main.tf", "."}
    failure = cases(root)["."].find("failure")
    assert failure is not None and "ORY005" in (failure.text or "")
    assert cases(root)["."].get("file") is None

"""Golden files for every output format, and GitHub's workflow-command escaping.

Regenerate after an intended change with ``ORYLINT_UPDATE_GOLDEN=1 pytest tests/test_formats.py``
and review the diff: these files are what users' tools parse.
"""

from __future__ import annotations

import json
import os
from xml.etree import ElementTree

import pytest

from orylint.engine.result import ScanResult
from orylint.report import FORMATS, render
from orylint.report.github import escape_data, escape_property
from orylint.scan import ScanOptions, scan
from tests.helpers import REPO, assert_valid_sarif

GOLDEN = REPO / "tests" / "fixtures" / "golden"
SUFFIX = {
    "text": "txt",
    "concise": "txt",
    "json": "json",
    "sarif": "sarif",
    "github": "txt",
    "junit": "xml",
    "gitlab": "json",
    "markdown": "md",
}


@pytest.fixture
def result(monkeypatch: pytest.MonkeyPatch) -> ScanResult:
    monkeypatch.chdir(REPO)
    return scan(ScanOptions(["tests/fixtures/golden/input"]))


def _rendered(result: ScanResult, name: str) -> str:
    result.seconds = 0.25  # JUnit's time: the one value that differs from run to run
    text = render(name, result, exit_code=result.exit_code("error"), source_root=REPO)
    return text.replace(REPO.as_uri(), "file:///REPO")


@pytest.mark.parametrize("name", FORMATS)
def test_golden(result: ScanResult, name: str) -> None:
    path = GOLDEN / f"expected.{name}.{SUFFIX[name]}"
    text = _rendered(result, name)
    if os.environ.get("ORYLINT_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path.name}: run with ORYLINT_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_golden_input_exercises_every_severity_and_a_suppression(result: ScanResult) -> None:
    assert {f.severity for f in result.findings} == {"error", "warning", "note"}
    assert [f.rule_id for f in result.suppressed] == ["ORY201"]


def test_structured_formats_parse(result: ScanResult) -> None:
    assert_valid_sarif(json.loads(_rendered(result, "sarif")))
    assert len(json.loads(_rendered(result, "json"))["findings"]) == len(result.findings)
    gitlab = json.loads(_rendered(result, "gitlab"))
    assert len(gitlab) == len(result.findings)
    assert len({issue["fingerprint"] for issue in gitlab}) == len(gitlab)
    assert {issue["severity"] for issue in gitlab} <= {
        "info",
        "minor",
        "major",
        "critical",
        "blocker",
    }
    junit = ElementTree.fromstring(_rendered(result, "junit"))
    assert junit.tag == "testsuites"
    failing = {f.span.path for f in result.findings if f.severity == "error"}
    assert int(junit.get("failures", "0")) == len(failing)
    assert int(junit.get("tests", "0")) == len(result.files)


def test_github_lines_follow_the_workflow_command_syntax(result: ScanResult) -> None:
    lines = _rendered(result, "github").splitlines()
    assert len(lines) == len(result.findings)
    for line, finding in zip(lines, result.findings, strict=True):
        command, _, rest = line[2:].partition(" ")
        assert (
            command == {"error": "error", "warning": "warning", "note": "notice"}[finding.severity]
        )
        properties, _, message = rest.partition("::")
        keys = [item.split("=", 1)[0] for item in properties.split(",")]
        assert keys == ["file", "line", "col", "endLine", "endColumn", "title"]
        assert "\n" not in message and "\r" not in message


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("k: v, w", "k: v, w", "k%3A v%2C w"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_github_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_every_format_is_covered_by_a_golden_file() -> None:
    assert {path.name.split(".")[1] for path in GOLDEN.glob("expected.*")} == set(FORMATS)

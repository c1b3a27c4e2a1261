"""The JSON report's writer gives exactly what ``json.dumps(indent=2, ensure_ascii=False)`` gives.

``json_report.dumps`` indents by itself because the standard library's indenting encoder is
pure Python (a second for a report of 50,000 findings); its output must not change by a byte.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from orylint import __version__
from orylint.engine.findings import Finding
from orylint.engine.result import ScanResult
from orylint.report.json_report import SCHEMA_VERSION, dumps, render_json
from orylint.terraform.values import Span
from tests.test_properties import SETTINGS, TEXT

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | TEXT | st.text()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=30,
)


@SETTINGS
@given(value=VALUES)
def test_dumps_equals_json_dumps(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_dumps_nested_and_empty() -> None:
    value = {"a": [], "b": {}, "c": [{"d": None, "e": True, "f": 1.5, "g": '\u2028"\\\n'}]}
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


OPTIONAL = st.none() | TEXT
LINES = st.integers(min_value=1, max_value=10**6)
FINDINGS = st.builds(
    Finding,
    span=st.builds(Span, TEXT, LINES, LINES, LINES, LINES),
    rule_id=TEXT,
    message=TEXT,
    severity=st.sampled_from(["error", "warning", "note"]),
    rule_name=TEXT,
    address=OPTIONAL,
    attribute=OPTIONAL,
    suppression=OPTIONAL,
)


def _reference(result: ScanResult) -> str:
    """The report as the documented structure, written by the standard library."""

    def item(finding: Finding) -> dict[str, Any]:
        span = finding.span
        return {
            "rule_id": finding.rule_id,
            "rule_name": finding.rule_name,
            "severity": finding.severity,
            "message": finding.message,
            "file": span.path,
            "start_line": span.start_line,
            "start_column": span.start_column,
            "end_line": span.end_line,
            "end_column": span.end_column,
            "address": finding.address,
            "attribute": finding.attribute,
        }

    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "orylint", "version": __version__},
        "summary": {"files": len(result.files), "findings": len(result.findings)}
        | result.counts()
        | {"suppressed": len(result.suppressed), "baselined": result.baselined},
        "findings": [item(finding) for finding in result.findings],
        "suppressed": [
            item(finding) | {"justification": finding.suppression} for finding in result.suppressed
        ],
        "errors": result.fatal_errors,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@SETTINGS
@given(
    findings=st.lists(FINDINGS, max_size=4),
    suppressed=st.lists(FINDINGS, max_size=3),
    errors=st.lists(TEXT, max_size=2),
    files=st.lists(TEXT, max_size=3),
    baselined=st.integers(min_value=0, max_value=5),
)
def test_render_json_equals_the_documented_structure_dumped(
    findings: list[Finding],
    suppressed: list[Finding],
    errors: list[str],
    files: list[str],
    baselined: int,
) -> None:
    # Each finding is written by a template, not walked as a dictionary: the bytes must be
    # those of the structure docs/json-format.md documents, whatever the strings hold.
    result = ScanResult(
        findings=findings,
        suppressed=suppressed,
        fatal_errors=errors,
        files=files,
        baselined=baselined,
    )
    assert render_json(result) == _reference(result)

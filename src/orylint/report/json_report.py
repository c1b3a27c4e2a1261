"""The JSON format: a documented, versioned structure for scripts (see ``docs/json-format.md``).

``schema_version`` changes only when a field is removed or changes meaning; fields may be added.
"""

from __future__ import annotations

import json
from typing import Any

from orylint import __version__
from orylint.engine.findings import Finding
from orylint.engine.result import ScanResult

SCHEMA_VERSION = 1


def render_json(result: ScanResult) -> str:
    """Render the whole result as one JSON document (stable key order, trailing newline)."""
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "orylint", "version": __version__},
        "summary": {"files": result.files_scanned, "findings": len(result.findings)}
        | result.counts()
        | {"suppressed": len(result.suppressed), "baselined": result.baselined},
        "findings": [_finding(finding) for finding in result.findings],
        "suppressed": [
            _finding(finding) | {"justification": finding.suppression}
            for finding in result.suppressed
        ],
        "errors": list(result.fatal_errors),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _finding(finding: Finding) -> dict[str, Any]:
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

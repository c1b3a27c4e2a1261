"""GitLab Code Quality JSON (the ``codequality`` report artifact of a merge request).

Severities map onto GitLab's scale (error → major, warning → minor, note → info); the
fingerprint is orylint's logical key, so an issue keeps its identity when lines move.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from orylint.engine.fingerprints import logical_key
from orylint.engine.result import ScanResult

_SEVERITY = {"error": "major", "warning": "minor", "note": "info"}


def render_gitlab(result: ScanResult, *, root: Path | None = None) -> str:
    """A JSON array of Code Quality issues (``root``: the repository; default the working dir)."""
    root = root or Path.cwd().resolve()
    issues: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for finding in result.findings:
        span = finding.span
        key = logical_key(finding.rule_id, finding.address, finding.attribute, span.path, root)
        seen[key] = seen.get(key, 0) + 1
        fingerprint = key if seen[key] == 1 else f"{key}-{seen[key]}"
        issues.append(
            {
                "description": f"{finding.rule_id}: {finding.full_message}",
                "check_name": finding.rule_id,
                "fingerprint": fingerprint,
                "severity": _SEVERITY[finding.severity],
                "location": {
                    "path": span.path,
                    "lines": {"begin": span.start_line, "end": span.end_line},
                },
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"

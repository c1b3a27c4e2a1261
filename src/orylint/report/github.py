"""GitHub Actions workflow commands: annotations on the pull request's changed lines.

``::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=ORY201::message``. GitHub's escaping
rules: in the message ``%``, carriage returns and line feeds are percent-encoded; in property
values also ``:`` and ``,``. Notes become ``::notice``.
"""

from __future__ import annotations

from orylint.engine.result import ScanResult
from orylint.model.display import escape_terminal

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message (escaped for the terminal first: the log is one)."""
    return (
        escape_terminal(text, keep="\r\n")
        .replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
    )


def escape_property(text: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: ScanResult) -> str:
    """One workflow command per finding, then one per fatal error."""
    lines = []
    for finding in result.findings:
        span = finding.span
        properties = {
            "file": span.path,
            "line": str(span.start_line),
            "col": str(span.start_column),
            "endLine": str(span.end_line),
            "endColumn": str(span.end_column),
            "title": f"{finding.rule_id} {finding.rule_name}".strip(),
        }
        joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
        address = f" [{finding.address}]" if finding.address else ""
        lines.append(
            f"::{_COMMAND[finding.severity]} {joined}::{escape_data(finding.message + address)}"
        )
    for message in result.fatal_errors:
        lines.append(f"::error title=orylint::{escape_data(message)}")
    return "".join(line + "\n" for line in lines)

"""The terminal format: ``path:line:col: ORY201 error: message [address]`` and the source line.

Findings are grouped by file with the offending line and a caret under the span, like compilers
and ruff do, because people fix what they can see. Colour only on a terminal unless asked.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby

from orylint.engine.findings import Finding
from orylint.engine.result import ScanResult
from orylint.model.display import escape_terminal
from orylint.terraform.resources import CLIENT_RESOURCES
from orylint.terraform.source import line_table

Paint = Callable[[str, str], str]
_COLOURS = {"error": "31", "warning": "33", "note": "36", "path": "1", "dim": "2", "caret": "32"}


def render_text(
    result: ScanResult, *, colour: bool = False, excerpts: bool = True, summary: bool = True
) -> str:
    """Render findings grouped by file, then a summary line.

    Without ``excerpts`` (the ``concise`` format) each finding is its one headline; without
    ``summary`` (``-q``) the findings are all there is.
    """

    def paint(text: str, kind: str) -> str:
        return f"\x1b[{_COLOURS[kind]}m{text}\x1b[0m" if colour else text

    out: list[str] = []
    for _, group in groupby(result.findings, key=lambda finding: finding.span.path):
        for finding in group:
            out.append(_headline(finding, paint))
            if excerpts:
                out.extend(_excerpt(finding, result, paint))
        if excerpts:
            out.append("")
    for message in result.fatal_errors:
        out.append(paint("error: ", "error") + escape_terminal(message))
    if summary:
        out.append(summary_line(result))
    return "".join(line + "\n" for line in out)


def _headline(finding: Finding, paint: Paint) -> str:
    span = finding.span
    where = f"{escape_terminal(span.path)}:{span.start_line}:{span.start_column}:"
    address = f" [{finding.address}]" if finding.address else ""
    severity = paint(finding.severity, finding.severity)
    message = escape_terminal(finding.message + address)
    return f"{paint(where, 'path')} {finding.rule_id} {severity}: {message}"


def _excerpt(finding: Finding, result: ScanResult, paint: Paint) -> list[str]:
    """The first line of the span with a caret under it (``^^^`` to the end of the span).

    The line is escaped for the terminal; the caret keeps pointing at the span when an escape
    makes the text before it longer.
    """
    source = result.sources.get(finding.span.path)
    if source is None:
        return []
    lines = line_table(source)  # spans count "\n" only, not form feeds or U+2028
    span = finding.span
    if not 1 <= span.start_line <= len(lines):
        return []
    if finding.sensitive or result.holds_secret(span.path, span.start_line):
        # the line holds a sensitive value (an API key, a private JWK): never print it
        return [f" {span.start_line} | (source line not shown: it holds a sensitive value)"]
    raw = lines.line(span.start_line).rstrip("\r").replace("\t", " ")
    start = max(span.start_column - 1, 0)
    if span.end_line == span.start_line and span.end_column > span.start_column:
        end = span.end_column - 1
    else:
        end = max(len(raw.rstrip()), start + 1)
    line = escape_terminal(raw)
    width = max(len(escape_terminal(raw[start:end])), 1)
    start = len(escape_terminal(raw[:start]))
    number = str(span.start_line)
    gutter = " " * len(number)
    caret = " " * start + "^" * width
    return [
        f" {number} | {line}",
        f" {gutter} | {paint(caret, 'caret')}",
    ]


def _no_clients(result: ScanResult, total: int, suppressed: str) -> str:
    """Terraform was read but held no client resource orylint knows: say so, never "0 files"."""
    read = result.terraform_files
    known = ", ".join(CLIENT_RESOURCES)
    text = (
        f"No client resource found in {read} Terraform file{'' if read == 1 else 's'} read "
        f"(orylint lints {known})."
    )
    if total:
        problem = "problem" if total == 1 else "problems"
        text += f" Found {total} {problem}{suppressed}."
    return text


def summary_line(result: ScanResult) -> str:
    """The last line: what was found in how many files, and first whether the run was whole.

    A run with errors above (exit code 2) says so before anything else: "No problems found"
    after "error: no such file" would read as a clean bill of health.
    """
    counts = result.counts()
    total = sum(counts.values())
    files = result.files_scanned
    noun = "file" if files == 1 else "files"
    hidden = []
    if result.suppressed:
        hidden.append(f"{len(result.suppressed)} suppressed")
    if result.baselined:
        hidden.append(f"{result.baselined} in the baseline")
    suppressed = f" ({', '.join(hidden)})" if hidden else ""
    failed = ""
    if result.fatal_errors:
        errors = len(result.fatal_errors)
        what = f"{errors} error{'' if errors == 1 else 's'} above, exit code 2"
        if files == 0 and total == 0:
            return f"Nothing could be linted ({what})."
        failed = f"Not everything could be linted ({what}). "
    if result.terraform_files and not result.clients:
        return failed + _no_clients(result, total, suppressed)
    if total == 0:
        return f"{failed}No problems found in {files} {noun}{suppressed}."
    parts = [
        f"{count} {severity}{'' if count == 1 else 's'}"
        for severity, count in counts.items()
        if count
    ]
    problem = "problem" if total == 1 else "problems"
    return f"{failed}Found {total} {problem} ({', '.join(parts)}) in {files} {noun}{suppressed}."

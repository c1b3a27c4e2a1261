"""Apply the mechanical fixes that rules attach to findings (``orylint check --fix``/``--diff``).

Edits are minimal text replacements at the findings' spans, applied from the end of each file
backwards so earlier offsets stay valid; overlapping edits are skipped (the next run picks them
up). Nothing else in the file changes: formatting and comments are kept byte for byte.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from orylint.engine.findings import Edit, Finding
from orylint.terraform.source import decode_source
from orylint.terraform.values import Span

_SEPARATOR_AFTER = re.compile(r"\s*,[ \t]*(?:#[^\n]*|//[^\n]*)?\n?[ \t]*")
_SEPARATOR_BEFORE = re.compile(r",\s*$")


@dataclass
class FixedFile:
    """One file's text before and after its fixes."""

    path: str
    before: str
    after: str
    applied: int

    def diff(self) -> str:
        """A unified diff of the change."""
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=f"a/{self.path}",
                tofile=f"b/{self.path}",
            )
        )


def plan_fixes(findings: Iterable[Finding]) -> list[FixedFile]:
    """Compute the fixed text of every file that has fixable findings (writes nothing)."""
    edits: dict[str, list[Edit]] = defaultdict(list)
    for finding in findings:
        if finding.fix is not None:
            for edit in finding.fix.edits:
                edits[edit.span.path].append(edit)
    result = []
    for path in sorted(edits):
        try:
            data = Path(path).read_bytes()
        except OSError:
            continue
        text = decode_source(path, data)
        if not isinstance(text, str):
            continue
        after, applied = _apply(text, edits[path])
        if applied:
            bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
            result.append(FixedFile(path, bom + text, bom + after, applied))
    return result


def write(fixed: Iterable[FixedFile]) -> int:
    """Write fixed files back; returns the number of edits applied."""
    count = 0
    for file in fixed:
        with open(file.path, "w", encoding="utf-8", newline="") as handle:
            handle.write(file.after)
        count += file.applied
    return count


def _line_starts(text: str) -> list[int]:
    return [0] + [index + 1 for index, char in enumerate(text) if char == "\n"]


def _range(text: str, starts: list[int], edit: Edit) -> tuple[int, int]:
    """The character range an edit replaces (list elements take their separator along)."""

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1 if line <= len(starts) else len(text)

    start = offset(edit.span.start_line, edit.span.start_column)
    end = offset(edit.span.end_line, edit.span.end_column)
    if edit.list_element:
        start, end = _with_separator(text, start, end)
    return start, end


def resolved_span(text: str, edit: Edit) -> Span:
    """The region an edit really replaces, for SARIF ``fixes`` (separators included)."""
    starts = _line_starts(text)
    start, end = _range(text, starts, edit)

    def position(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    (start_line, start_column), (end_line, end_column) = position(start), position(end)
    return Span(edit.span.path, start_line, start_column, end_line, end_column)


def _apply(text: str, edits: list[Edit]) -> tuple[str, int]:
    starts = _line_starts(text)
    ranges = []
    for edit in edits:
        start, end = _range(text, starts, edit)
        ranges.append((start, end, edit.replacement))
    ranges.sort(key=lambda item: (item[0], item[1]), reverse=True)
    applied = 0
    limit = len(text) + 1
    for start, end, replacement in ranges:
        if end > limit:
            continue  # overlaps an edit already applied; the next run will do it
        text = text[:start] + replacement + text[end:]
        limit = start
        applied += 1
    return text, applied


def _with_separator(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a list element's range to its separating comma, so the list stays valid."""
    after = _SEPARATOR_AFTER.match(text, end)
    if after is not None and text[after.end() : after.end() + 1] != "]":
        return start, after.end()
    before = _SEPARATOR_BEFORE.search(text, 0, start)
    if before is not None:
        return before.start(), end
    if after is not None:
        return start, after.end()
    return start, end

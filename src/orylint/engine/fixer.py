"""Apply the mechanical fixes that rules attach to findings (``orylint check --fix``/``--diff``).

Edits are minimal text replacements at the findings' spans, applied from the end of each file
backwards so earlier offsets stay valid; overlapping edits are skipped (the next run picks them
up). Nothing else in the file changes: formatting and comments are kept byte for byte.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from orylint.engine.findings import Edit, Finding
from orylint.terraform.source import LineTable, decode_source, line_table
from orylint.terraform.values import Span

_SEPARATOR_AFTER = re.compile(r"\s*,[ \t]*(?:#[^\n]*|//[^\n]*)?\n?[ \t]*")


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


def _range(table: LineTable, edit: Edit) -> tuple[int, int]:
    """The character range an edit replaces (list elements take their separator along)."""
    start = table.offset(edit.span.start_line, edit.span.start_column)
    end = table.offset(edit.span.end_line, edit.span.end_column)
    if edit.list_element:
        start, end = _with_separator(table.text, start, end)
    return start, end


def resolved_span(text: str, edit: Edit) -> Span:
    """The region an edit really replaces, for SARIF ``fixes`` (separators included)."""
    table = line_table(text)
    start, end = _range(table, edit)
    (start_line, start_column), (end_line, end_column) = (
        table.position(start),
        table.position(end),
    )
    return Span(edit.span.path, start_line, start_column, end_line, end_column)


def _apply(text: str, edits: list[Edit]) -> tuple[str, int]:
    """Apply non-overlapping edits, last first; the text is joined once, not copied per edit."""
    table = line_table(text)
    ranges = sorted(
        ((*_range(table, edit), edit.replacement) for edit in edits),
        key=lambda item: (item[0], item[1]),
        reverse=True,
    )
    pieces: list[str] = []
    applied = 0
    limit = len(text) + 1
    for start, end, replacement in ranges:
        if end > limit:
            continue  # overlaps an edit already applied; the next run will do it
        pieces.append(text[end:limit])
        pieces.append(replacement)
        limit = start
        applied += 1
    pieces.append(text[:limit])
    return "".join(reversed(pieces)), applied


def _with_separator(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a list element's range to its separating comma, so the list stays valid."""
    after = _SEPARATOR_AFTER.match(text, end)
    if after is not None and text[after.end() : after.end() + 1] != "]":
        return start, after.end()
    before = start  # `,\s*` ending at start, found backwards (a search from 0 is quadratic)
    while before > 0 and text[before - 1].isspace():
        before -= 1
    if before > 0 and text[before - 1] == ",":
        return before - 1, end
    if after is not None:
        return start, after.end()
    return start, end

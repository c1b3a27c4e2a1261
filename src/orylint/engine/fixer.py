"""Apply the mechanical fixes that rules attach to findings (``orylint check --fix``/``--diff``).

Edits are minimal text replacements at the findings' spans, applied from the end of each file
backwards so earlier offsets stay valid; overlapping edits are skipped (the next run picks them
up). Nothing else in the file changes: formatting and comments are kept byte for byte, and a
line an edit adds ends as the file's lines do (CRLF in a CRLF file). Files are replaced
atomically: a write that fails leaves the file as it was.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from orylint.engine.atomic import write_atomic
from orylint.engine.findings import Edit, Finding
from orylint.model.display import escape_terminal
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

    def diff(self, holds_secret: Callable[[int], bool]) -> str:
        """A unified diff of the change, without the lines that hold a sensitive value.

        ``holds_secret`` says whether a line of the file as it is holds a sensitive value
        (:meth:`~orylint.engine.result.ScanResult.holds_secret`). Such a line is shown as a
        placeholder, as context and as a removed line; an added line is too when it replaces
        lines one of which holds a secret (the edit may have kept the secret on it).
        """
        before, after = _split_lines(self.before), _split_lines(self.after)
        hidden = "(line not shown: it holds a sensitive value)\n"
        path = escape_terminal(self.path)
        out = [f"--- a/{path}\n", f"+++ b/{path}\n"]
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        for group in matcher.get_grouped_opcodes(3):
            first, last = group[0], group[-1]
            out.append(
                f"@@ -{_hunk_range(first[1], last[2])} +{_hunk_range(first[3], last[4])} @@\n"
            )
            for tag, i1, i2, j1, j2 in group:
                secret = any(holds_secret(number + 1) for number in range(i1, i2))
                for number in range(i1, i2):
                    text = hidden if holds_secret(number + 1) else _ended(before[number])
                    out.append((" " if tag == "equal" else "-") + text)
                if tag != "equal":
                    for number in range(j1, j2):
                        out.append("+" + (hidden if secret else _ended(after[number])))
        return "".join(out) if len(out) > 2 else ""


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


def _split_lines(text: str) -> list[str]:
    """Lines ending in a line feed only, as spans count them.

    ``splitlines`` also splits at form feeds and U+2028, which would shift every line number
    after them.
    """
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _hunk_range(start: int, stop: int) -> str:
    """A unified diff hunk's ``start,length`` (1-based; an empty range names the line before)."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def _ended(line: str) -> str:
    """A diff line's text escaped for the terminal, its line ending kept (CRLF included)."""
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    return escape_terminal(body) + (ending or "\n\\ No newline at end of file\n")


def write(fixed: Iterable[FixedFile]) -> tuple[int, list[str]]:
    """Write fixed files back: the number of edits applied, and the files that failed.

    A file that cannot be written (read-only, a full disk) is left as it was, with one error
    message; the others are still written.
    """
    count = 0
    errors: list[str] = []
    for file in fixed:
        try:
            write_atomic(file.path, file.after.encode("utf-8"))
        except OSError as error:
            errors.append(f"{file.path}: cannot write the fixes: {error.strerror or error}")
            continue
        count += file.applied
    return count, errors


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
    crlf = text.count("\r\n") * 2 > text.count("\n")  # most lines end in CRLF
    ranges = []
    for edit in edits:
        start, end = _range(table, edit)
        replacement = edit.replacement
        if crlf:
            replacement = replacement.replace("\r\n", "\n").replace("\n", "\r\n")
        ranges.append((start, end, replacement))
    ranges.sort(key=lambda item: (item[0], item[1]), reverse=True)
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

"""Apply the mechanical fixes that rules attach to findings (``orylint check --fix``/``--diff``).

Edits are minimal text replacements at the findings' spans, applied from the end of each file
backwards so earlier offsets stay valid; overlapping edits are skipped (the next run picks them
up). Nothing else in the file changes: formatting and comments are kept byte for byte, and a
line an edit adds ends as the file's lines do (CRLF in a CRLF file). Files are replaced
atomically: a write that fails leaves the file as it was.
"""

from __future__ import annotations

import bisect
import difflib
import functools
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


def _range(table: LineTable, edit: Edit) -> tuple[int, int, str]:
    """The character range an edit replaces and what replaces it.

    List elements take their separator along; a new attribute line takes the attributes it is
    aligned with along (see :func:`_aligned_insertion`).
    """
    start = table.offset(edit.span.start_line, edit.span.start_column)
    end = table.offset(edit.span.end_line, edit.span.end_column)
    if edit.list_element:
        start, end = _with_separator(table.text, start, end)
    if edit.new_attribute:
        return _aligned_insertion(table, start, edit.replacement)
    return start, end, edit.replacement


def resolved_edit(text: str, edit: Edit) -> tuple[Span, str]:
    """The region an edit really replaces and its new text, for SARIF ``fixes``."""
    table = line_table(text)
    start, end, replacement = _range(table, edit)
    (start_line, start_column), (end_line, end_column) = (
        table.position(start),
        table.position(end),
    )
    return Span(edit.span.path, start_line, start_column, end_line, end_column), replacement


def _apply(text: str, edits: list[Edit]) -> tuple[str, int]:
    """Apply non-overlapping edits, last first; the text is joined once, not copied per edit."""
    table = line_table(text)
    crlf = text.count("\r\n") * 2 > text.count("\n")  # most lines end in CRLF
    ranges = [_range(table, edit) for edit in edits]
    if crlf:
        ranges = [
            (start, end, new.replace("\r\n", "\n").replace("\n", "\r\n"))
            for start, end, new in ranges
        ]
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


_NEW_ATTRIBUTE = re.compile(r"\n([ \t]*)(\S+) = (.*)", re.DOTALL)
_ASSIGNMENT = re.compile(r'([ \t]*(?:[A-Za-z_][\w-]*|"(?:[^"\\\n]|\\.)*"))([ \t]*)=(?![=>])(.*)')


def _aligned_insertion(table: LineTable, offset: int, replacement: str) -> tuple[int, int, str]:
    """Add an attribute line after the line holding ``offset``, aligned as ``terraform fmt``.

    hclwrite aligns the ``=`` of consecutive lines that each hold a whole assignment (a
    "chain"): a blank line, a comment line, a block header or a line that opens a bracketed
    multi-line value ends it, and each ``=`` goes one space after the longest name. A heredoc
    is one line to hclwrite (its body is a single token), so an assignment of one belongs to
    the chain and the chain goes on after its closing marker. The new line joins the chain of
    the line it follows and of the lines after it; when its name is the longest, the other
    lines of the chain move too, so the edit spans the whole chain. It goes after the whole
    line, so a trailing comment stays on the line it belongs to.
    """
    match = _NEW_ATTRIBUTE.fullmatch(replacement)
    if match is None:
        return offset, offset, replacement
    indent, name, value = match.groups()
    lines, tops, groups = _logical_lines(table.text)
    starts = table.starts
    at = table.position(offset)[0] - 1  # the physical line the new one follows (0-based)
    here = bisect.bisect_right(tops, at) - 1

    def assignment(group: int) -> re.Match[str] | None:
        return _assignment(lines[groups[group][0]]) if 0 <= group < len(groups) else None

    first = here if assignment(here) else here + 1
    while assignment(first - 1):
        first -= 1
    last = here
    while assignment(last + 1):
        last += 1
    leads = [m[1] for m in map(assignment, range(first, last + 1)) if m is not None]
    width = max(len(lead) for lead in [*leads, indent + name])

    def aligned(lead: str, rest: str) -> str:
        return f"{lead}{' ' * (width - len(lead) + 1)}={rest}"

    region = []
    for group in range(min(first, here), last + 1):
        top, bottom = groups[group]
        matched = assignment(group) if group >= first else None
        region.append(aligned(matched[1], matched[3]) if matched else lines[top])
        region.extend(lines[top + 1 : bottom + 1])
        if group == here:
            region.append(aligned(indent + name, f" {value}"))
    top, bottom = groups[min(first, here)][0], groups[last][1]
    return starts[top], starts[bottom] + len(lines[bottom]), "\n".join(region)


@functools.lru_cache(maxsize=4)
def _logical_lines(
    text: str,
) -> tuple[list[str], list[int], list[tuple[int, int]]]:
    """Lines as hclwrite sees them: (first, last) physical line, a heredoc with its body.

    Returns the physical lines (without carriage returns), the first physical line of each
    logical line, and the logical lines. Cached: every fix of a file asks for the same text.
    """
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    groups = []
    index = 0
    while index < len(lines):
        top = index
        marker = _scan(lines[index])[1]
        if marker is not None:
            while index + 1 < len(lines) and lines[index].strip() != marker:
                index += 1
        groups.append((top, index))
        index += 1
    return lines, [top for top, _ in groups], groups


def _assignment(line: str) -> re.Match[str] | None:
    """The parts of a line that holds a whole assignment, or None.

    A line that opens a bracketed value continued on the next lines is not one, as in
    hclwrite; brackets inside strings and comments do not count, and a heredoc is whole.
    """
    match = _ASSIGNMENT.fullmatch(line)
    if match is None or _scan(match[3])[0] != 0:
        return None
    return match


_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*")


def _scan(code: str) -> tuple[int, str | None]:
    """Net brackets of a line of HCL, and the end marker of the heredoc it opens, if any.

    Brackets count outside strings and comments only. The stack holds where the scanner is:
    in a string, in a ``${ }`` of a string, or in a bracket inside such a template.
    """
    depth = 0
    stack: list[str] = []
    index = 0
    while index < len(code):
        pair = code[index : index + 2]
        char = code[index]
        if stack and stack[-1] == "string":
            if char == "\\" or pair in ("$$", "%%"):
                index += 1  # an escape: the next character is text
            elif pair in ("${", "%{"):
                stack.append("template")
                index += 1
            elif char == '"':
                stack.pop()
        elif char == '"':
            stack.append("string")
        elif char == "#" or pair in ("//", "/*"):
            break
        elif pair == "<<" and (heredoc := _HEREDOC.fullmatch(code, index)) is not None:
            return depth, heredoc[1]
        elif char in "([{":
            if stack:
                stack.append("bracket")
            else:
                depth += 1
        elif char in ")]}":
            if stack:
                stack.pop()  # a bracket inside a template, or the template's own end
            else:
                depth -= 1
        index += 1
    return depth, None


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

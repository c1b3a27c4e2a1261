"""Inline suppressions: ``# orylint:ignore ORY201 -- reason`` (also ``//`` and ``/* */``).

A suppression comment at the end of a line covers the attribute or block that starts on that
line (or just that line); a comment on a line of its own covers the attribute or block that
starts on the next code line. In ``.tf.json`` a ``"//": "orylint:ignore ..."`` member covers its
block. Suppressions are governed, because a silenced security finding is a decision someone has
to own:

- a reason after ``--`` is required (``require_suppression_reason``, default true);
- ``until=YYYY-MM-DD`` makes a suppression expire;
- rules listed in ``unsuppressible`` cannot be silenced;
- unused (ORY002), expired (ORY003) and invalid (ORY004) suppressions are findings themselves.

Suppressed findings are not dropped: SARIF keeps them with ``suppressions[]``.
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from orylint.engine.findings import Finding, Violation
from orylint.terraform.document import Block, Document
from orylint.terraform.values import Span

UNUSED, EXPIRED, INVALID = "ORY002", "ORY003", "ORY004"
_DIRECTIVE = re.compile(r"orylint:\s*ignore\b(?P<rest>.*)", re.IGNORECASE | re.DOTALL)
_ID = re.compile(r"\b[A-Z][A-Z0-9]*[0-9]+\b")  # ORY201, and policy ids such as ACME001
_UNTIL = re.compile(r"\buntil\s*=\s*(\S+)")


@dataclass
class Suppression:
    """One ``orylint:ignore`` directive and the lines it covers."""

    comment: Span
    rules: tuple[str, ...]
    reason: str
    until: datetime.date | None
    first_line: int
    last_line: int
    problem: str = ""
    used: set[str] = field(default_factory=set)

    def covers(self, finding: Finding) -> bool:
        """Whether the finding is in the covered lines and names a suppressed rule."""
        span = finding.span
        return (
            span.path == self.comment.path
            and self.first_line <= span.start_line <= self.last_line
            and finding.rule_id in self.rules
        )


def collect(document: Document) -> list[Suppression]:
    """Every suppression directive of a document, with the lines each one covers."""
    starts = _construct_starts(document)
    code_lines = _code_lines(document)
    result = []
    for comment in document.comments:
        directive = _DIRECTIVE.search(_comment_body(comment.text))
        if directive is None:
            continue
        line = comment.span.start_line
        if comment.target is not None:
            first, last = comment.target.start_line, comment.target.end_line
        elif line in code_lines:
            first, last = starts.get(line, (line, line))
        else:
            following = _next_code_line(code_lines, comment.span.end_line)
            first, last = starts.get(following, (following, following))
        result.append(_parse(directive.group("rest"), comment.span, first, last))
    return result


def _comment_body(text: str) -> str:
    body = text.strip()
    for prefix in ("#", "//", "/*"):
        if body.startswith(prefix):
            body = body[len(prefix) :]
            break
    return body.removesuffix("*/").strip()


def _parse(rest: str, span: Span, first: int, last: int) -> Suppression:
    head, _, reason = rest.partition("--")
    until_match = _UNTIL.search(head) or _UNTIL.search(reason)
    problem = ""
    until = None
    if until_match:
        try:
            until = datetime.date.fromisoformat(until_match.group(1))
        except ValueError:
            problem = f"`until={until_match.group(1)}` is not a date (use until=YYYY-MM-DD)"
        reason = _UNTIL.sub("", reason)
    rules = tuple(dict.fromkeys(_ID.findall(head.upper())))
    if not rules:
        problem = problem or "names no rule id (write e.g. `orylint:ignore ORY201 -- reason`)"
    return Suppression(span, rules, reason.strip(), until, first, last, problem)


def _construct_starts(document: Document) -> dict[int, tuple[int, int]]:
    """For each line where a block or attribute starts, the lines of the outermost such one."""
    starts: dict[int, tuple[int, int]] = {}

    def visit(block: Block) -> None:
        _record(starts, block.span)
        for attribute in block.attributes.values():
            _record(starts, attribute.attribute.span)
        for nested in block.blocks:
            visit(nested)

    for block in document.blocks:
        visit(block)
    return starts


def _record(starts: dict[int, tuple[int, int]], span: Span) -> None:
    current = starts.get(span.start_line)
    if current is None or span.end_line > current[1]:
        starts[span.start_line] = (span.start_line, span.end_line)


def _code_lines(document: Document) -> list[int]:
    """Lines holding something other than blanks and comments."""
    lines = document.text.splitlines()
    comment_only: set[int] = set()
    for comment in document.comments:
        span = comment.span
        for line in range(span.start_line, span.end_line + 1):
            text = lines[line - 1] if line <= len(lines) else ""
            before = text[: span.start_column - 1] if line == span.start_line else ""
            after = text[span.end_column - 1 :] if line == span.end_line else ""
            if not before.strip() and not after.strip():
                comment_only.add(line)
    return [
        number
        for number, text in enumerate(lines, start=1)
        if text.strip() and number not in comment_only
    ]


def _next_code_line(code_lines: Sequence[int], after: int) -> int:
    index = bisect.bisect_right(code_lines, after)
    return code_lines[index] if index < len(code_lines) else after + 1


@dataclass
class Outcome:
    """Findings after suppressions, the suppressed ones, and findings about suppressions."""

    kept: list[Finding]
    suppressed: list[Finding]
    about_suppressions: list[tuple[str, Violation]]


def apply(
    findings: Iterable[Finding],
    suppressions: Sequence[Suppression],
    *,
    enabled: Callable[[str, str], bool],
    require_reason: bool,
    unsuppressible: Sequence[str],
    known_rules: set[str],
    today: datetime.date | None = None,
) -> Outcome:
    """Match findings to suppressions and judge the suppressions themselves."""
    today = today or datetime.date.today()
    about: list[tuple[str, Violation]] = []
    active: list[Suppression] = []
    for suppression in suppressions:
        problem = suppression.problem
        unknown = [rule for rule in suppression.rules if rule not in known_rules]
        if not problem and unknown:
            problem = f"names {', '.join(unknown)}, which is not a rule (see `orylint rules`)"
        if not problem and require_reason and not suppression.reason:
            problem = "has no reason: add one after `--` (e.g. `-- accepted until the migration`)"
        locked = [rule for rule in suppression.rules if rule.startswith(tuple(unsuppressible))]
        if not problem and locked:
            problem = f"{', '.join(locked)} cannot be suppressed in this project (unsuppressible)"
        if problem:
            about.append((INVALID, Violation(f"suppression {problem}", suppression.comment)))
            continue
        if suppression.until is not None and suppression.until < today:
            about.append(
                (
                    EXPIRED,
                    Violation(
                        f"suppression of {', '.join(suppression.rules)} expired on "
                        f"{suppression.until.isoformat()}: fix the finding or renew it",
                        suppression.comment,
                    ),
                )
            )
            continue
        active.append(suppression)
    if not active:  # no suppression in these files (the usual case): nothing to look up
        return Outcome(list(findings), [], about)
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    covering: dict[tuple[str, int], list[Suppression]] = {}  # linear in findings, not a product
    for suppression in active:
        for line in range(suppression.first_line, suppression.last_line + 1):
            covering.setdefault((suppression.comment.path, line), []).append(suppression)
    for finding in findings:
        candidates = covering.get((finding.span.path, finding.span.start_line), ())
        match = next((s for s in candidates if s.covers(finding)), None)
        if match is None:
            kept.append(finding)
            continue
        match.used.add(finding.rule_id)
        suppressed.append(finding._replace(suppression=match.reason or "suppressed in source"))
    for suppression in active:
        path = suppression.comment.path
        unused = [r for r in suppression.rules if r not in suppression.used and enabled(r, path)]
        if unused:
            about.append(
                (
                    UNUSED,
                    Violation(
                        f"unused suppression: {', '.join(unused)} reports nothing here; remove it",
                        suppression.comment,
                    ),
                )
            )
    return Outcome(kept, suppressed, about)

"""What rules produce (:class:`Violation`) and what reports print (:class:`Finding`)."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Literal

from orylint.terraform.values import Span

Severity = Literal["error", "warning", "note"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "note")
SEVERITY_RANK: dict[str, int] = {"note": 1, "warning": 2, "error": 3}


@dataclass(frozen=True)
class Edit:
    r"""Replace the text of ``span`` with ``replacement`` (an insertion when the span is empty).

    ``list_element`` marks the removal of a list element: the fixer then also removes the comma
    and blanks that separate it from its neighbours, so the list stays well formed.
    ``new_attribute`` marks the insertion of one attribute line (``"\n  name = value"``) at
    the end of a line: the fixer aligns its ``=`` with the attributes around it as
    ``terraform fmt`` does, so a fmt-clean file stays fmt-clean.
    """

    span: Span
    replacement: str
    list_element: bool = False
    new_attribute: bool = False


@dataclass(frozen=True)
class Fix:
    """A mechanical correction: minimal text edits that keep formatting and comments."""

    description: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Violation:
    """One problem as a rule sees it: where, and what to say.

    ``severity`` is set only by rules whose sub-conditions differ in severity (the catalogue's
    "error or warning" rules); otherwise the rule's configured severity applies. ``address`` is
    filled in by the engine for client rules.
    """

    message: str
    span: Span
    attribute: str | None = None
    severity: Severity | None = None
    address: str | None = None
    sensitive: bool = False
    fix: Fix | None = None


@dataclass(frozen=True, order=True)
class Finding:
    """A violation with its rule and final severity, ready to report."""

    span: Span
    rule_id: str
    message: str
    severity: Severity = field(compare=False)
    rule_name: str = field(compare=False, default="")
    address: str | None = field(compare=False, default=None)
    attribute: str | None = field(compare=False, default=None)
    suppression: str | None = field(compare=False, default=None)
    sensitive: bool = field(compare=False, default=False)
    fix: Fix | None = field(compare=False, default=None)
    related: tuple[tuple[Span, str], ...] = field(compare=False, default=())
    """Where the judged value came from (a tfvars line, a variable default): SARIF
    ``relatedLocations``."""

    @property
    def full_message(self) -> str:
        """The message naming the resource, for formats without a separate address field."""
        if self.address and self.address not in self.message:
            return f"{self.message} [{self.address}]"
        return self.message

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Findings sort by file, line, column, then rule: deterministic output."""
        span = self.span
        return (span.path, span.start_line, span.start_column, self.rule_id, self.message)


FIELDS = tuple(item.name for item in fields(Finding))
_values = operator.itemgetter(*FIELDS)

Row = tuple[object, ...]
"""A finding's values in the order of :data:`FIELDS` (:func:`rows`)."""


def rows(findings: Iterable[Finding]) -> list[Row]:
    """Findings as rows of their values, to pickle: from a child process, into the cache.

    A dataclass pickles as its attribute dictionary, every field's name written and read again
    for each of thousands of findings; rows halve the cost both ways (20 policies' 7,500
    findings: 8.4 ms to pickle, 11 ms to unpickle; as rows 4.4 and 7 ms).
    """
    return [_values(finding.__dict__) for finding in findings]


def from_rows(values: Sequence[Row]) -> list[Finding]:
    """The findings :func:`rows` gave, equal to the originals."""
    return list(map(from_row, values))


def from_row(row: Row) -> Finding:
    """A finding of its values (:data:`FIELDS`' order), every field given.

    Made as unpickling makes an object, without ``__init__``: a frozen dataclass sets each field
    through ``object.__setattr__``, twice the cost, and rules and policies make thousands.
    """
    finding = object.__new__(Finding)
    finding.__dict__.update(zip(FIELDS, row, strict=True))
    return finding

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
        """Findings sort by file, line, column, then rule: deterministic output (:data:`ORDER`)."""
        return ORDER(self)


ORDER = operator.attrgetter(
    "span.path", "span.start_line", "span.start_column", "rule_id", "message"
)
"""A finding's :attr:`~Finding.sort_key`, as a key for ``sort``: read in C, not through a
property, for the thousands of findings a policy set adds."""


FIELDS = tuple(item.name for item in fields(Finding))
_values = operator.itemgetter(*FIELDS)

Row = tuple[object, ...]
"""A finding's values in the order of :data:`FIELDS` (:func:`rows`)."""


def rows(findings: Iterable[Finding]) -> list[Row]:
    """Findings as rows of their values (:func:`pack` them to pickle them)."""
    return [_values(finding.__dict__) for finding in findings]


Packed = tuple[tuple[tuple[object, ...], ...], tuple[tuple[object, ...], ...]]
"""Findings by column (:func:`pack`): the five columns of their spans, then each other field's."""

_SPAN_FIELDS = operator.attrgetter("path", "start_line", "start_column", "end_line", "end_column")


def pack(values: Sequence[Row]) -> Packed:
    """Rows by column, to pickle: from a child process, into the result cache.

    Pickled one by one, each finding was a dictionary of its fields, or a row, with a span that
    pickles by calling back into Python; by column the pickler writes long lists of strings and
    numbers in C, the repeated ones (files, rules, severities) as references: 9,300 findings,
    6.3 ms to pickle, not 11.8 as rows (and 12 as findings).
    """
    if not values:
        return (), ()
    span_column, *columns = zip(*values, strict=True)
    return tuple(zip(*map(_SPAN_FIELDS, span_column), strict=True)), tuple(columns)


def unpack(packed: Packed) -> list[Finding]:
    """The findings :func:`pack` packed, equal to the originals."""
    spans, columns = packed
    if not columns:
        return []
    return from_rows(list(zip(map(Span, *spans), *columns, strict=True)))


def from_rows(values: Sequence[Row]) -> list[Finding]:
    """The findings :func:`rows` gave, equal to the originals (as :func:`from_row` makes them).

    A loop of its own with the names it uses at hand, for thousands of rows: a third faster
    than a call of :func:`from_row` for each (7,500 rows: 4.4 ms, not 6.5).
    """
    new, fields = object.__new__, FIELDS
    made: list[Finding] = []
    append = made.append
    for row in values:
        finding = new(Finding)
        finding.__dict__.update(zip(fields, row, strict=False))  # strict: 30% more
        append(finding)
    return made


def from_row(row: Row) -> Finding:
    """A finding of its values (:data:`FIELDS`' order), every field given.

    Made as unpickling makes an object, without ``__init__``: a frozen dataclass sets each field
    through ``object.__setattr__``, twice the cost, and rules and policies make thousands. Every
    row comes from :func:`rows` or the runner, whose order a test holds to :data:`FIELDS`.
    """
    finding = object.__new__(Finding)
    finding.__dict__.update(zip(FIELDS, row, strict=False))
    return finding

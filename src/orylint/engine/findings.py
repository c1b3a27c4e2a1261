"""What rules produce (:class:`Violation`) and what reports print (:class:`Finding`)."""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

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


class Violation(NamedTuple):
    """One problem as a rule sees it: where, and what to say.

    ``severity`` is set only by rules whose sub-conditions differ in severity (the catalogue's
    "error or warning" rules); otherwise the rule's configured severity applies. ``address`` is
    filled in by the engine for client rules. A tuple, like :class:`Finding`: a policy set
    makes thousands, and a frozen dataclass sets each field through ``object.__setattr__``.
    """

    message: str
    span: Span
    attribute: str | None = None
    severity: Severity | None = None
    address: str | None = None
    sensitive: bool = False
    fix: Fix | None = None


class Finding(NamedTuple):
    """A violation with its rule and final severity, ready to report.

    A tuple, not a dataclass: a policy set adds thousands of findings that are made in a child
    process, sent, filtered, sorted, cached and reported, and a tuple is made in C from its
    values (:func:`unpack`) and read without a dictionary in between.
    """

    span: Span
    rule_id: str
    message: str
    severity: Severity
    rule_name: str = ""
    address: str | None = None
    attribute: str | None = None
    suppression: str | None = None
    sensitive: bool = False
    fix: Fix | None = None
    related: tuple[tuple[Span, str], ...] = ()
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


Packed = tuple[tuple[tuple[object, ...], ...], tuple[tuple[object, ...], ...]]
"""Findings by column (:func:`pack`): the five columns of their spans, then each other field's."""

_SPAN_FIELDS = operator.attrgetter("path", "start_line", "start_column", "end_line", "end_column")
_finding = functools.partial(tuple.__new__, Finding)  # a finding of all its values, made in C
_span = functools.partial(tuple.__new__, Span)


def pack(findings: Sequence[Finding]) -> Packed:
    """Findings by column, to pickle: from a child process, into the result cache.

    Pickled one by one, each finding is a call back into Python with a span that is another;
    by column the pickler writes long lists of strings and numbers in C, the repeated ones
    (files, rules, severities) as references: 9,300 findings pickle in 10 ms, not 22.
    """
    if not findings:
        return (), ()
    span_column, *columns = zip(*findings, strict=True)
    return tuple(zip(*map(_SPAN_FIELDS, span_column), strict=True)), tuple(columns)


def unpack(packed: Packed) -> list[Finding]:
    """The findings :func:`pack` packed, equal to the originals."""
    spans, columns = packed
    if not columns:
        return []
    spans_made = map(_span, zip(*spans, strict=True))
    return list(map(_finding, zip(spans_made, *columns, strict=True)))

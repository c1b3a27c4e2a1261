"""What a Terraform expression is worth before apply, and where it was written.

Loaders (HCL, ``.tf.json``, plan and state JSON) turn expressions into these values; the model and
the rules read them. Keeping "unset" (absent or ``null``), "known" and "unknown" apart is the point
of this module: a rule may only decide on known values, so an unresolvable reference never
produces a finding. Nothing here knows about Ory: these are Terraform's own notions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Span(NamedTuple):
    """A region of a file: 1-based lines, 1-based columns in code points, end column exclusive.

    That is exactly SARIF's region with ``columnKind: unicodeCodePoints``, so reporters copy it.
    A tuple, compared and ordered field by field: every value, block and finding has one, and
    a warm scan loads tens of thousands from the parse cache, which a tuple makes in C.
    """

    path: str
    start_line: int
    start_column: int
    end_line: int
    end_column: int

    @classmethod
    def file_start(cls, path: str) -> Span:
        """Return the span used when only the file is known (plans without sources)."""
        return cls(path, 1, 1, 1, 1)

    def __reduce__(self) -> tuple[type[Span], tuple[object, ...]]:
        """Pickle as the constructor's arguments: both caches store spans by the ten thousand.

        A named tuple pickles through ``__getnewargs__``, one more call into Python for each
        span. So 27,000 spans pickle in 17 ms and unpickle in 13 (as a dataclass, 16 and 22).
        """
        return Span, tuple(self)


@dataclass(frozen=True)
class Unknown:
    """A value orylint cannot know before apply: a reference, a call, an unknown in a plan.

    ``text`` keeps the source expression so that messages and fixes can quote it.
    """

    reason: str
    text: str = ""

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


class TfSet(list):  # type: ignore[type-arg]
    """A Terraform set: a list already deduplicated and in cty's order.

    Sets behave as lists almost everywhere; the difference shows where Terraform iterates them:
    ``for k, v in toset(...)`` binds the element to both names, not an index.
    """


@dataclass(frozen=True)
class Sensitive:
    """A value Terraform marks sensitive, wrapping it wherever it sits in a value tree.

    Terraform's marks are deep: ``{ id = x, secret = sensitive(y) }`` is an object whose
    ``secret`` attribute carries the mark, and ``nonsensitive()`` removes only a mark on the
    value it is given, not marks inside it. So the mark is a wrapper at the exact place it was
    applied, and operations carry it to their result (:func:`unmark_deep`, :func:`mark`).
    """

    value: object


def mark(value: object, sensitive: bool = True) -> object:
    """Wrap ``value`` in a sensitivity mark (once), or return it as it is."""
    if not sensitive or isinstance(value, Sensitive):
        return value
    return Sensitive(value)


def unmark(value: object) -> tuple[object, bool]:
    """Remove the top-level mark only (``nonsensitive()``): the value and whether it had one."""
    if isinstance(value, Sensitive):
        inner, _ = unmark(value.value)
        return inner, True
    return value, False


def unmark_deep(value: object) -> tuple[object, bool]:
    """Remove every mark inside ``value``: the plain value and whether any mark was found.

    Most Terraform functions and operators work on plain values and mark their whole result
    when any input carried a mark; this is their first half.
    """
    if isinstance(value, Sensitive):
        inner, _ = unmark_deep(value.value)
        return inner, True
    if isinstance(value, list):
        items = [unmark_deep(item) for item in value]
        plain = [item for item, _ in items]
        return (TfSet(plain) if isinstance(value, TfSet) else plain), any(f for _, f in items)
    if isinstance(value, dict):
        members = {key: unmark_deep(item) for key, item in value.items()}
        return (
            {key: item for key, (item, _) in members.items()},
            any(found for _, found in members.values()),
        )
    return value, False


def is_sensitive(value: object) -> bool:
    """Whether a mark sits anywhere in ``value``."""
    return unmark_deep(value)[1]


_PLAIN = frozenset({str, int, float, bool, type(None)})


def is_known(value: object) -> bool:
    """Return whether a value is fully known, looking inside lists, dicts and marks."""
    if type(value) in _PLAIN:
        return True  # the common case first: every rule asks, for every client (a plan has 1000s)
    if type(value) is list:
        return all(map(is_known, value))
    if isinstance(value, Unknown):
        return False
    if isinstance(value, Sensitive):
        return is_known(value.value)
    if isinstance(value, list):
        return all(is_known(item) for item in value)
    if isinstance(value, dict):
        return all(is_known(item) for item in value.values())
    return True


@dataclass(frozen=True, slots=True)
class Element:
    """One element of a list attribute, with its own span so a finding can point at it."""

    index: int
    value: object
    span: Span


@dataclass(frozen=True, slots=True)
class Attribute:
    """``name = expression`` inside a resource block.

    ``value`` is a Python value (``str``, ``int``, ``float``, ``bool``, ``list``, ``dict``),
    ``None`` for a literal ``null``, or :class:`Unknown`. ``elements`` is set when the expression
    is a list literal (or a list in a plan) so list rules can point at one element.
    """

    name: str
    value: object
    span: Span
    value_span: Span
    source: str = ""
    elements: tuple[Element, ...] | None = None
    sensitive: bool = False
    from_jsonencode: bool = False
    heredoc: bool = False
    provenance: str | None = None
    provenance_span: Span | None = None

    @property
    def known(self) -> bool:
        """Whether the whole value is known (no unknown inside)."""
        return is_known(self.value)

    def element_span(self, index: int) -> Span:
        """Return the span of list element ``index`` or the value span when there is none."""
        if self.elements is not None:
            for element in self.elements:
                if element.index == index:
                    return element.span
        return self.value_span


@dataclass(frozen=True, slots=True)
class Reference:
    """A traversal found in an expression, e.g. ``ory_oauth2_client.web.client_secret``.

    ``parts`` holds the attribute names only (indexes are dropped): ``("ory_oauth2_client",
    "web", "client_secret")``. ``unmasked`` is true inside ``nonsensitive(...)``; ``shallow``
    when the reference is ``nonsensitive()``'s argument itself, which removes only the mark on
    that value (a secret inside an object taken whole stays marked, as in Terraform).
    """

    parts: tuple[str, ...]
    span: Span
    unmasked: bool = False
    shallow: bool = False

    @property
    def text(self) -> str:
        """The dotted form, for messages."""
        return ".".join(self.parts)

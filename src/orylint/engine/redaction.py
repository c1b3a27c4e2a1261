"""Every sensitive value in a text found at once, in time linear in the text.

A plan or state of thousands of clients holds thousands of secrets (``PlanDocument.redactions``),
and every finding's message and every excerpt line is checked against them. Testing each secret
in turn made a scan cost findings times secrets; here the secrets are indexed by their first
``MIN_LENGTH`` characters, so a text costs one set intersection, and a text that holds a secret
one dictionary lookup per position. Values shorter than ``MIN_LENGTH`` are never looked for:
``"a"`` or ``"no"`` would blank half of every message.

Where secrets overlap, the union of every occurrence is replaced, so no part of any secret is
left in a redacted text (replacing them one after the other could leave the tail of a longer
one that a shorter one had cut into).
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_LENGTH = 3
PLACEHOLDER = "(sensitive value)"


class Secrets:
    """Sensitive values, indexed for :meth:`found_in` and :meth:`redact`."""

    def __init__(self, values: Iterable[str]) -> None:
        index: dict[str, list[str]] = {}
        for value in sorted({v for v in values if len(v) >= MIN_LENGTH}, key=len, reverse=True):
            index.setdefault(value[:MIN_LENGTH], []).append(value)  # longest first per key
        self._index = index
        self._keys = frozenset(index)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where secrets occur in ``text``: sorted, merged ``(start, end)`` ranges."""
        if not self._keys or len(text) < MIN_LENGTH:
            return []
        grams = {text[i : i + MIN_LENGTH] for i in range(len(text) - MIN_LENGTH + 1)}
        if self._keys.isdisjoint(grams):
            return []
        spans: list[tuple[int, int]] = []
        for start in range(len(text) - MIN_LENGTH + 1):
            for value in self._index.get(text[start : start + MIN_LENGTH], ()):
                if text.startswith(value, start):
                    end = start + len(value)
                    if spans and start <= spans[-1][1]:
                        spans[-1] = (spans[-1][0], max(spans[-1][1], end))
                    else:
                        spans.append((start, end))
                    break
        return spans

    def found_in(self, text: str) -> bool:
        """Whether ``text`` holds any of the secrets."""
        return bool(self.spans(text))

    def redact(self, text: str) -> str:
        """``text`` with every occurrence of a secret replaced by :data:`PLACEHOLDER`."""
        spans = self.spans(text)
        if not spans:
            return text
        pieces = []
        previous = 0
        for start, end in spans:
            pieces.append(text[previous:start])
            pieces.append(PLACEHOLDER)
            previous = end
        pieces.append(text[previous:])
        return "".join(pieces)

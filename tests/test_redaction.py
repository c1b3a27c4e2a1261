"""Redaction: no part of a secret survives, and a text costs the same whatever the secrets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from orylint.engine.redaction import PLACEHOLDER, Secrets

ALPHABET = 'abc-=" '
SETTINGS = settings(max_examples=2000, derandomize=True, database=None, deadline=None)


def _covered(text: str, secrets: list[str]) -> list[bool]:
    """The reference: which characters of ``text`` belong to an occurrence of a secret."""
    covered = [False] * len(text)
    for secret in secrets:
        if len(secret) < 3:
            continue
        start = text.find(secret)
        while start != -1:
            covered[start : start + len(secret)] = [True] * len(secret)
            start = text.find(secret, start + 1)
    return covered


@SETTINGS
@given(
    st.text(ALPHABET, max_size=40),
    st.lists(st.text(ALPHABET, min_size=1, max_size=6), max_size=6),
)
def test_redaction_replaces_exactly_the_union_of_occurrences(text: str, secrets: list[str]) -> None:
    covered = _covered(text, secrets)
    expected = []
    for index, char in enumerate(text):
        if not covered[index]:
            expected.append(char)
        elif index == 0 or not covered[index - 1]:
            expected.append(PLACEHOLDER)
    index = Secrets(secrets)
    assert index.redact(text) == "".join(expected)
    assert index.found_in(text) == any(covered)


def test_overlapping_secrets_leave_nothing_of_either() -> None:
    # One after the other, "xab" first would leave "cdef" of "abcdef" behind.
    assert Secrets({"xab", "abcdef"}).redact("id xabcdef.") == f"id {PLACEHOLDER}."


def test_short_values_are_never_redacted() -> None:
    assert Secrets({"no", "a"}).redact("a value of no") == "a value of no"


def test_thousands_of_secrets_sharing_prefixes() -> None:
    """Values indexed under the same first characters are all tried, longest first."""
    secrets = Secrets([f"s3cr3t-{n:05d}" for n in range(5000)] + ["s3cr3t-049"])
    assert secrets.redact("client s3cr3t-04999 leaked") == f"client {PLACEHOLDER} leaked"
    assert secrets.redact("a s3cr3t-049 b") == f"a {PLACEHOLDER} b"
    assert not secrets.found_in("s3cr3t-5 and s3cr")

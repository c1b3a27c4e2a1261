"""The ``format`` checks of policies, the same for jsonschema and jsonschema-rs.

``uri`` must not depend on whether an optional RFC 3987 package is installed (jsonschema checks
it only then), and Hydra parses URIs with Go, so :mod:`orylint.golang.urls` decides it. ``email``
is jsonschema's own check, written here so that checking it does not import jsonschema (the
fast path, :mod:`orylint.policies.fast`); a test compares the two. Any other format is
jsonschema's :class:`~jsonschema.FormatChecker`'s.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from orylint.golang import urls

if TYPE_CHECKING:
    from jsonschema import FormatChecker


def is_uri(instance: object) -> bool:
    """``uri``: an absolute URI as Go's ``url.Parse`` reads it."""
    try:
        return not isinstance(instance, str) or urls.parse(instance).is_abs()
    except urls.URLError:
        return False


def is_uri_reference(instance: object) -> bool:
    """``uri-reference``: anything Go's ``url.Parse`` accepts."""
    try:
        return not isinstance(instance, str) or urls.parse(instance) is not None
    except urls.URLError:
        return False


def is_email(instance: object) -> bool:
    """``email`` and ``idn-email`` as jsonschema checks them: an ``@`` somewhere."""
    return not isinstance(instance, str) or "@" in instance


FORMATS: dict[str, Callable[[object], bool]] = {
    "uri": is_uri,
    "uri-reference": is_uri_reference,
    "email": is_email,
    "idn-email": is_email,
}
"""The formats orylint checks itself, on both paths."""


@functools.cache
def format_checker() -> FormatChecker:
    """The format checks of jsonschema, with :data:`FORMATS` in place of its own.

    jsonschema is imported here: a warm scan whose policies the fast path decides never needs it.
    """
    from jsonschema import FormatChecker

    checker = FormatChecker()
    for name, function in FORMATS.items():
        checker.checks(name)(function)
    return checker

"""How Hydra stores and matches a client's ``allowed_cors_origins``: glob patterns, not strings.

hydra ``client/validator.go`` parses each origin with Go's ``url.Parse``, trims the path's slashes
and stores ``u.String()``. At request time ``x/oauth2cors/cors.go`` lowercases the stored value,
turns ``scheme://*`` into ``scheme://**``, skips unbounded wildcards (``corsx.ClassifyOrigin``)
and compiles the rest with gobwas/glob and ``'.'`` as the only separator; the lowercased
``Origin`` header must match one of them. So the stored text is a glob: ``*`` is one DNS label
(or part of one), ``?`` is any one character, ``[...]`` a character class. Every CORS rule reads
origins through this module.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orylint.golang.glob import Glob, GlobError, compile_glob
from orylint.golang.urls import GoURL, escape_host, parse_addr
from orylint.model.hosts import DEFAULT_PORTS, browser_origin

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

__all__ = [
    "OriginPattern",
    "classify",
    "hydra_glob",
    "is_catch_all",
    "is_registrable",
    "matches",
    "origin_header",
    "stored_form",
]


def stored_form(url: GoURL) -> str:
    """The string Hydra stores for an origin its validator accepted: Go's ``u.String()``.

    The validator has already trimmed the path to nothing and refused a query, a fragment and a
    non-empty user info, so what is left is the scheme, an opaque part or ``//`` with an empty
    user info, the escaped host and port, and a ``?`` when the input ended in one
    (``ForceQuery``).
    """
    text = f"{url.scheme}:"
    if url.opaque:
        text += url.opaque
    elif url.host or url.user is not None:
        text += "//" + ("@" if url.user is not None else "") + escape_host(url.host)
    if url.force_query or url.raw_query:
        text += "?" + url.raw_query
    return text


def hydra_glob(stored: str) -> Glob:
    """The glob ``x/oauth2cors`` compiles for a stored origin; :class:`GlobError` if it fails.

    When compiling fails, Hydra's per-client check returns "not allowed" at once, so the
    origins listed after the failing one are never consulted.
    """
    pattern = stored.partition("://")[0] + "://**" if is_catch_all(stored) else stored
    return compile_glob(pattern.lower(), ".")


def is_catch_all(stored: str) -> bool:
    """``scheme://*``, which Hydra rewrites to ``scheme://**``: every origin of the scheme."""
    return stored.partition("://")[2] == "*"


def matches(stored: str, origin: str) -> bool:
    """Whether Hydra's glob for *stored* matches the ``Origin`` header *origin* (lowercased)."""
    try:
        return hydra_glob(stored).match(origin.lower())
    except GlobError:
        return False


def origin_header(url: GoURL) -> str | None:
    """The ``Origin`` header a browser sends for the origin *url* names, or None if it has none.

    Browsers serialize an origin as ``scheme://host[:port]`` with the host in lower case (IPv6
    in brackets, RFC 5952 form), and leave out the scheme's default port
    (:func:`orylint.model.hosts.browser_origin` gives the parts). A host outside ASCII is sent in
    punycode, which is not computed here (None), and a zoned IPv6 address has no origin.
    """
    if url.opaque or not url.hostname() or not url.hostname().isascii():
        return None
    scheme, host, port = browser_origin(url)
    try:
        addr, zone = parse_addr(host)
    except ValueError:
        pass
    else:
        if zone:
            return None
        host = f"[{addr.compressed}]" if addr.version == 6 else str(addr)
    if not port or port == DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


@functools.cache
def _suffix_list() -> PublicSuffixList:
    """The Public Suffix List (ICANN and private sections), loaded on first use (~0.1 s)."""
    from publicsuffixlist import PublicSuffixList  # only ORY903 needs it: not at start-up

    return PublicSuffixList()


def is_registrable(domain: str) -> bool:
    """Whether publicsuffix ``EffectiveTLDPlusOne(domain)`` succeeds.

    Go refuses a leading or trailing dot and an empty label, and then any domain that is itself
    a public suffix (``com``, ``co.uk``, ``vercel.app``; an unknown TLD is one label, by the
    list's default rule) or an IP address. Hydra's golang.org/x/net (v0.56.0: the list of
    2026-02-06) and the ``publicsuffixlist`` package carry snapshots of the same list, so a
    suffix added in between is judged differently (about 5% of a sample of rules), and the
    package also counts the parent of a wildcard rule (``kobe.jp`` for ``*.kobe.jp``) as a
    suffix where Go does not. Both only move ORY903 warnings.
    """
    if not domain or domain.startswith(".") or domain.endswith(".") or ".." in domain:
        return False
    try:
        parse_addr(domain)
    except ValueError:
        return _suffix_list().privatesuffix(domain, accept_unknown=True) is not None
    return False  # an IP address is its own public suffix


@dataclass(frozen=True)
class OriginPattern:
    """What ``corsx.ClassifyOrigin`` says: is the origin a wildcard, and is it bounded.

    ``base`` is the domain after the label holding the last ``*`` (``example.com`` for
    ``https://*.example.com``), empty when no dot follows it. Hydra honours a wildcard only when
    ``base`` is a registrable domain (:func:`is_registrable`), so ``*.com``, ``*.co.uk`` and
    ``*.vercel.app`` are unbounded.
    """

    wildcard: bool
    bounded: bool
    base: str

    @property
    def unsafe(self) -> bool:
        """Hydra skips this pattern (since 7f38a72a6); older builds glob-match it."""
        return self.wildcard and not self.bounded


def classify(stored: str) -> OriginPattern:
    """Classify a stored origin as Hydra does before matching (see :class:`OriginPattern`)."""
    star = stored.rfind("*")
    if star < 0:
        return OriginPattern(False, False, "")
    _, dot, base = stored[star:].partition(".")
    if not dot:
        return OriginPattern(True, False, "")
    base = base.lower().partition(":")[0]
    return OriginPattern(True, is_registrable(base), base)

"""What fosite and Hydra decide about a URL's host and origin, on top of Go's parser.

Hydra and fosite compare hosts and origins with small functions of their own (``IsLocalhost``,
``IsRedirectURISecure``, the post-logout same-origin check, the SSRF range check): they are Ory's
semantics, not Go's, so they live beside the rest of the model rather than in
:mod:`orylint.golang.urls`, which they build on (``net.ParseIP``, ``IP.To4``, ``URL.Hostname()``).
"""

from __future__ import annotations

import ipaddress

from orylint.golang.urls import GoURL, URLError, parse_addr, parse_ip, parse_request_uri, to4


def is_loopback_ip_literal(hostname: str) -> bool:
    """Whether fosite treats *hostname* as a loopback IP (``isLoopbackAddress``).

    fosite calls ``net.ParseIP(hostname).IsLoopback()``: true for 127.0.0.0/8, for
    ``::1`` and for IPv4-mapped ``::ffff:127.x.y.z`` (Go's ``IsLoopback`` converts
    with ``To4`` first). It is false for the *name* ``localhost``, for anything
    ``net.ParseIP`` rejects (``127.1``, ``0177.0.0.1``, leading zeros, brackets,
    ``::1%lo`` with a zone) and for ``::`` . This is the test that gives loopback
    redirect URIs port leniency (``isMatchingAsLoopback``), so ORY404 relies on it.
    """
    addr = parse_ip(hostname)
    if addr is None:
        return False
    v4 = to4(addr)
    if v4 is not None:
        return v4.packed[0] == 127
    return addr == ipaddress.IPv6Address("::1")


def is_localhost_name(hostname: str, *, ignore_case: bool = False) -> bool:
    """Whether *hostname* is the name ``localhost`` or ends in ``.localhost``.

    By default this is exactly fosite's ``IsLocalhost`` name test, which is a
    case-sensitive ``hn == "localhost" || strings.HasSuffix(hn, ".localhost")``
    on ``URL.Hostname()``. So ``LOCALHOST`` is *not* localhost to fosite (and
    ``http://LOCALHOST/cb`` fails the code flow), while ``.localhost`` alone is.
    A trailing dot (``localhost.``) does not match.

    Pass ``ignore_case=True`` for the DNS view (names are case-insensitive), e.g.
    when warning that a name may resolve off-loopback (ORY404) or for SSRF checks.
    """
    name = hostname.lower() if ignore_case else hostname
    return name == "localhost" or name.endswith(".localhost")


def is_loopback_host(hostname: str) -> bool:
    """Whether *hostname* names this machine: a loopback IP literal or ``localhost`` in any case.

    The lenient view for advice about plaintext (ORY409's and ORY905's http warnings, ORY902's
    native-app redirects): fosite's own test (:func:`is_redirect_uri_secure`) is case-sensitive
    for the name, but any spelling of ``localhost`` still stays on the device.
    """
    return is_loopback_ip_literal(hostname) or is_localhost_name(hostname, ignore_case=True)


def is_redirect_uri_secure(u: GoURL) -> bool:
    """Return fosite's ``IsRedirectURISecure``: only plain ``http`` can be insecure.

    fosite returns ``!(scheme == "http" && !IsLocalhost(u))`` where ``IsLocalhost``
    is ``localhost``/``*.localhost`` (case-sensitive) or a loopback IP literal per
    ``net.ParseIP``. Every other scheme (https, private-use ``com.example.app:``,
    even ``javascript:`` or no scheme at all) counts as secure; the stricter
    ``IsRedirectURISecureStrict`` is not what Hydra wires in. The scheme is already
    lowercased by ``parse``, so ``HTTP://`` is treated as ``http``. Code-flow and
    PAR requests with an insecure redirect URI are refused (ORY403).
    """
    if u.scheme != "http":
        return True
    host = u.hostname()
    return is_localhost_name(host) or is_loopback_ip_literal(host)


_SSRF_DENIED_V4 = tuple(
    (ipaddress.IPv4Network(net), label)
    for net, label in (
        ("0.0.0.0/8", '"this network", RFC 791'),
        ("10.0.0.0/8", "private use, RFC 1918"),
        ("100.64.0.0/10", "shared address space, RFC 6598"),
        ("127.0.0.0/8", "loopback, RFC 1122"),
        ("169.254.0.0/16", "link local, RFC 3927; cloud metadata endpoints live here"),
        ("172.16.0.0/12", "private use, RFC 1918"),
        ("192.0.0.0/24", "IETF protocol assignments, RFC 6890"),
        ("192.0.2.0/24", "documentation TEST-NET-1, RFC 5737"),
        ("192.31.196.0/24", "AS112-v4, RFC 7535"),
        ("192.52.193.0/24", "AMT, RFC 7450"),
        ("192.88.99.0/24", "deprecated 6to4 relay anycast, RFC 7526"),
        ("192.168.0.0/16", "private use, RFC 1918"),
        ("192.175.48.0/24", "direct delegation AS112 service, RFC 7534"),
        ("198.18.0.0/15", "benchmarking, RFC 2544"),
        ("198.51.100.0/24", "documentation TEST-NET-2, RFC 5737"),
        ("203.0.113.0/24", "documentation TEST-NET-3, RFC 5737"),
        ("240.0.0.0/4", "reserved, RFC 1112"),
        ("224.0.0.0/4", "multicast, RFC 1112"),
    )
)
"""code.dny.dev/ssrf v0.2.0 ``IPv4DeniedPrefixes`` (IANA IPv4 special-purpose registry)."""

_IPV6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_SSRF_DENIED_V6 = tuple(
    (ipaddress.IPv6Network(net), label)
    for net, label in (
        ("2001::/23", "IETF protocol assignments, RFC 2928"),
        ("2001:db8::/32", "documentation, RFC 3849"),
        ("2002::/16", "6to4, RFC 3056"),
        ("2620:4f:8000::/48", "direct delegation AS112 service, RFC 7534"),
    )
)
"""code.dny.dev/ssrf v0.2.0 ``IPv6DeniedPrefixes``: the special ranges inside 2000::/3."""

_OUTSIDE_GLOBAL_V6 = tuple(
    (ipaddress.IPv6Network(net), label)
    for net, label in (
        ("::/128", "the unspecified address"),
        ("::1/128", "loopback"),
        ("::ffff:0:0/96", "IPv4-mapped"),
        ("64:ff9b::/96", "NAT64"),
        ("fc00::/7", "unique local, RFC 4193"),
        ("fe80::/10", "link local"),
        ("ff00::/8", "multicast"),
    )
)
"""Names for the best-known ranges outside 2000::/3, which Hydra refuses as a whole."""


def ssrf_ip_verdict(addr: ipaddress.IPv4Address | ipaddress.IPv6Address, zone: str) -> str | None:
    """Why ory/x ``ipx`` refuses *addr* as a destination (``allowed``), or None if it is allowed.

    ``allowed`` first requires ``netip.Addr.IsGlobalUnicast`` and then, for IPv4, that no
    prefix of ``ssrf.IPv4DeniedPrefixes`` contains the address; for IPv6 (IPv4-mapped forms
    included, since ``netip`` keeps them IPv6) that ``2000::/3`` contains it and no prefix of
    ``ssrf.IPv6DeniedPrefixes`` does. ``netip.Prefix.Contains`` is false for an address with a
    zone, so a zoned IPv6 address is always refused. The guardian that checks every connection
    at fetch time (``ssrf.Guardian.Safe``) denies the same ranges.
    """
    if isinstance(addr, ipaddress.IPv4Address):
        for net, label in _SSRF_DENIED_V4:
            if addr in net:
                return f"is in {net} ({label})"
        return None
    if zone:
        return "has an IPv6 zone, which no allowed range contains"
    if addr not in _IPV6_GLOBAL_UNICAST:
        for outside, label in _OUTSIDE_GLOBAL_V6:
            if addr in outside:
                return f"is in {outside} ({label}), outside the global unicast range 2000::/3"
        return "is outside the global unicast range 2000::/3"
    for denied, label in _SSRF_DENIED_V6:
        if addr in denied:
            return f"is in {denied} ({label})"
    return None


def _parse_addr_port(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Go ``netip.ParseAddrPort``: ``a.b.c.d:port`` or ``[v6]:port``; the address, or None."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not port.isascii() or int(port) > 0xFFFF:
        return None
    bracketed = host.startswith("[") and host.endswith("]")
    try:
        addr, _zone = parse_addr(host[1:-1] if bracketed else host)
    except ValueError:
        return None
    if bracketed != (addr.version == 6):
        return None
    return addr


def is_dns_name(name: str) -> bool:
    """Go's ``isDomainName``: whether the resolver would even send *name* to DNS.

    Letters, digits, ``_`` and ``-`` in labels of 1-63 bytes, at most 253 bytes (254 with a
    final dot), not all digits. Anything else (``/``, a space, ``*``, non-ASCII) makes
    ``LookupNetIP`` fail with "no such host" before any query.
    """
    if name == ".":
        return True
    data = name.encode("utf-8", "surrogateescape")
    if not data or len(data) > 254 or (len(data) == 254 and data[-1:] != b"."):
        return False
    last, part, non_numeric = ord("."), 0, False
    for byte in data:
        char = chr(byte)
        if char.isascii() and (char.isalpha() or char == "_"):
            non_numeric, part = True, part + 1
        elif char.isascii() and char.isdigit():
            part += 1
        elif char == "-":
            if last == ord("."):
                return False
            non_numeric, part = True, part + 1
        elif char == ".":
            if last in (ord("."), ord("-")) or part == 0 or part > 63:
                return False
            part = 0
        else:
            return False
        last = byte
    return last != ord("-") and part <= 63 and non_numeric


def ssrf_rejection(value: str) -> tuple[str, str] | None:
    """Why Hydra's SSRF check certainly refuses the URI *value*: ``(what, why)``, else None.

    Mirrors ory/x ``ipx.IsAssociatedIPAllowed``: the host is ``URL.Hostname()`` when
    ``url.ParseRequestURI`` succeeds, else the whole value. An IP literal (``netip.ParseAddr``,
    zones allowed; or an ``ip:port`` pair) is judged by :func:`ssrf_ip_verdict`. Anything else
    is looked up in DNS, and any failure, or any address outside the allowed ranges, refuses
    the client. orylint resolves nothing, so only lookups whose outcome is known are decided:
    an empty host or a string that is not a DNS name fails ("no such host"), and ``localhost``
    and names under ``.localhost`` resolve to loopback or not at all (RFC 6761 §6.3). Every
    other name returns None: it may well resolve to a public address.
    """
    try:
        name = parse_request_uri(value).hostname()
    except URLError:
        name = value
    try:
        addr, zone = parse_addr(name)
    except ValueError:
        pair = _parse_addr_port(value)
        if pair is not None:
            verdict = ssrf_ip_verdict(pair, "")
            return (str(pair), verdict) if verdict else None
    else:
        verdict = ssrf_ip_verdict(addr, zone)
        return (name, verdict) if verdict else None
    if name == "":
        return "", "is empty, and looking up an empty name fails"
    if is_localhost_name(name.removesuffix("."), ignore_case=True):
        return name, "resolves to a loopback address or not at all (RFC 6761 §6.3)"
    if not is_dns_name(name):
        return name, 'is not a DNS name, so looking it up fails with "no such host"'
    return None


DEFAULT_PORTS = {"http": "80", "https": "443"}
"""The port a browser uses, and leaves out of the ``Origin`` header, for each web scheme."""


def browser_origin(url: GoURL) -> tuple[str, str, str]:
    """The origin as a browser compares it: scheme, host in lower case, default port filled in.

    Unlike :func:`same_origin_hydra`, ``https://a.com:443`` and ``https://A.com`` are the same
    origin here, which is what Front-Channel Logout's iframe (ORY408) depends on.
    """
    scheme = url.scheme.lower()
    return scheme, url.hostname().lower(), url.port() or DEFAULT_PORTS.get(scheme, "")


def same_origin_hydra(a: GoURL, b: GoURL) -> bool:
    """Hydra's post-logout redirect check: same scheme, ``Hostname()`` and ``Port()``.

    hydra ``client/validator.go`` accepts a ``post_logout_redirect_uris`` entry only
    if some redirect URI has string-equal ``Scheme``, ``Hostname()`` and ``Port()``.
    Nothing is normalised: ``:443`` differs from no port and ``App.Example.com``
    differs from ``app.example.com`` (ORY407). Only the scheme is case-folded,
    because Go's parser lowercases it.
    """
    return a.scheme == b.scheme and a.hostname() == b.hostname() and a.port() == b.port()

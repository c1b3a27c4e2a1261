"""What fosite and Hydra decide about a URL's host and origin, on top of Go's parser.

Hydra and fosite compare hosts and origins with small functions of their own (``IsLocalhost``,
``IsRedirectURISecure``, the post-logout same-origin check, the SSRF deny list): they are Ory's
semantics, not Go's, so they live beside the rest of the model rather than in
:mod:`orylint.golang.urls`, which they build on (``net.ParseIP``, ``IP.To4``, ``URL.Hostname()``).
"""

from __future__ import annotations

import ipaddress

from orylint.golang.urls import GoURL, parse_addr, parse_ip, to4


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


_PRIVATE_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches the local host on Linux
        "10.0.0.0/8",  # RFC 1918
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local (cloud metadata endpoints live here)
        "172.16.0.0/12",  # RFC 1918
        "192.168.0.0/16",  # RFC 1918
    )
)
_PRIVATE_V6 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/128",  # unspecified
        "::1/128",  # loopback
        "fc00::/7",  # unique local (ULA), RFC 4193
        "fe80::/10",  # link-local
    )
)


def is_private_or_loopback_host(hostname: str) -> bool:
    """Whether a server-side fetch of *hostname* would stay inside the network.

    Used by ORY410 for ``jwks_uri`` and ``backchannel_logout_uri``, which Hydra
    fetches from the OP side. True for:

    * ``localhost`` and ``*.localhost`` in any case, with or without a trailing dot;
    * IP literals in 127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16,
      169.254.0.0/16, 0.0.0.0/8, ``::1``, ``::``, fc00::/7 and fe80::/10, including
      IPv4-mapped IPv6 forms (Go's ``IPNet.Contains`` compares via ``To4``).

    The list is a superset of Hydra's SSRF deny list (ory/x ``ipx``
    ``IsAssociatedIPAllowed``: 127/8, 10/8, 172.16/12, 192.168/16, fc00::/7, ::1;
    it does *not* block link-local or 0.0.0.0, which orylint still warns about).
    IP literals are recognised as ``net.ParseIP`` does, except that surrounding
    brackets and an IPv6 zone are tolerated here, since a zoned address is always
    local. No DNS lookup is made, so a public-looking name that resolves to a
    private address is not detected.
    """
    name = hostname
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    dns = name.lower().removesuffix(".")
    if dns == "localhost" or dns.endswith(".localhost"):
        return True
    try:
        addr, _zone = parse_addr(name)
    except ValueError:
        return False
    v4 = to4(addr)
    if v4 is not None:
        return any(v4 in net for net in _PRIVATE_V4)
    assert isinstance(addr, ipaddress.IPv6Address)
    return any(addr in net for net in _PRIVATE_V6)


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

"""Go ``net/url`` semantics for the URL rules (ORY4xx, ORY903-ORY905).

Why this module exists: Hydra validates client URIs with Go's ``url.Parse`` and
``url.ParseRequestURI``, and fosite decides at request time with ``URL.Hostname()``,
``URL.Port()`` and ``net.ParseIP``. Python's ``urllib.parse`` differs from Go in
almost every corner that matters here: it never fails on a bad port or a space in
the host, it lowercases nothing and splits ``localhost:3000/cb`` differently, and
``ipaddress`` does not treat ``::ffff:127.0.0.1`` as loopback. A linter that says
"Hydra will reject this" must reproduce Go exactly, so this is a fresh, stdlib-only
re-implementation of the behaviour documented in golang/go ``src/net/url/url.go``
(read at Go 1.27, see below), fosite ``authorize_helper.go`` and hydra
``client/validator.go``.

Go version notes (the behaviour modelled is the newest one):

* Since Go 1.25.2 / 1.24.8 (CVE-2025-47912) a bracketed host must be a valid IPv6
  literal (an IPv4 address in brackets is refused), and ``[`` may only start the
  host. Older Go accepted ``http://[example.com]/``.
* Since Go 1.26 (``urlstrictcolons``) an ``http``/``https`` host may contain only one
  colon (the port separator), so ``http://::1/`` fails. Go 1.27 limited this to
  http(s); other schemes keep the historical "port after the *last* colon" rule.
  Go 1.26 applied it to every scheme; we follow 1.27 because it is the more lenient
  of the two and a linter must not call a URI "rejected" when Hydra may accept it.

Nothing here resolves DNS or touches the network.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass

__all__ = [
    "GoURL",
    "URLError",
    "escape_host",
    "parse",
    "parse_addr",
    "parse_ip",
    "parse_request_uri",
    "to4",
]


class URLError(ValueError):
    """A URL that Go's ``net/url`` refuses.

    ``str(err)`` (and ``err.reason``) is Go's own reason text, e.g.
    ``invalid port ":abc" after host``, so that lint messages quote what Hydra's
    400 response would contain. ``err.go_message`` is the full ``*url.Error`` text
    (``parse "<url>": <reason>``) for people who grep Hydra logs.
    """

    def __init__(self, reason: str, url: str = "", op: str = "parse") -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url
        self.op = op

    def __str__(self) -> str:
        return self.reason

    @property
    def go_message(self) -> str:
        """Return the text of Go's ``*url.Error`` (``op "url": reason``)."""
        return f"{self.op} {_go_quote(self.url)}: {self.reason}"


@dataclass(frozen=True)
class GoURL:
    """The fields of Go's ``url.URL`` that the rules read, with Go's values.

    * ``scheme`` is lowercased (Go does this in ``parse``); nothing else is.
    * ``opaque`` is set for ``scheme:rest`` where ``rest`` does not start with ``/``
      (e.g. ``localhost:3000/cb`` -> scheme ``localhost``, opaque ``3000/cb``).
    * ``user`` is the raw (still escaped) userinfo, ``None`` when there was no ``@``.
      Go keeps a non-nil ``*Userinfo`` even for ``https://@host``, which is ``""``.
    * ``host`` is Go's ``u.Host``: host plus ``:port``, percent-decoded, case kept.
    * ``path`` and ``fragment`` are percent-decoded like Go's ``Path``/``Fragment``;
      ``raw_query`` is kept verbatim like Go's ``RawQuery``.
    """

    scheme: str = ""
    opaque: str = ""
    user: str | None = None
    host: str = ""
    path: str = ""
    raw_query: str = ""
    fragment: str = ""
    force_query: bool = False

    def hostname(self) -> str:
        """Go ``URL.Hostname()``: host without a valid port, IPv6 brackets removed.

        Hydra compares post-logout URIs and fosite matches loopback redirects on
        this exact string, so no lowercasing or IDNA happens here.
        """
        return _split_host_port(self.host)[0]

    def port(self) -> str:
        """Go ``URL.Port()``: the digits after the last colon, or ``""``.

        No default port is filled in, which is why ``https://a.com:443/x`` and
        ``https://a.com/cb`` are different origins for Hydra (ORY407).
        """
        return _split_host_port(self.host)[1]

    def is_abs(self) -> bool:
        """Go ``URL.IsAbs()``: true when there is a scheme (opaque URLs included)."""
        return self.scheme != ""


# --------------------------------------------------------------------------
# Character classes (RFC 3986 as interpreted by Go's shouldEscape)
# --------------------------------------------------------------------------

_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_SCHEME_TAIL = frozenset("0123456789+-.")
# Go lets these through unescaped in a host: RFC 3986 sub-delims, ':' and '[' ']'
# because Host carries the port and IPv6 brackets, '<' '>' '"' for historical
# reasons, plus the unreserved marks. Everything else in ASCII (space, '/', '?',
# '@', '#', '%' outside an escape, '\\', '^', '`', '{', '|', '}') is refused.
_HOST_OK = frozenset("!$&'()*+,;=:[]<>\"-_.~") | _ALNUM
# validUserinfo: RFC 3986 userinfo plus '@' (Go takes the *last* '@' as separator).
_USERINFO_OK = frozenset("-._:~!$&'()*+,;=%@") | _ALNUM

_HOST = "host"
_ZONE = "zone"
_OTHER = "other"  # path, fragment, userinfo: only the %XX syntax is checked


def _host_byte_ok(b: int) -> bool:
    """Go ``!shouldEscape(b, encodeHost)`` for one byte."""
    return b < 0x80 and chr(b) in _HOST_OK


def _unescape(s: str, mode: str) -> str:
    """Go ``unescape`` for the host, zone, path, fragment and userinfo modes.

    Validation is byte-wise on the UTF-8 encoding, exactly as Go walks its string:

    * every ``%`` must be followed by two hex digits (``invalid URL escape "%zz"``);
    * in a host only non-ASCII bytes (``%80``-``%FF``) may be escaped, plus ``%25``
      (RFC 6874 zone introducer);
    * in a zone an escape may only produce a byte that is legal in a host, a space
      (Windows zone names) or ``%``;
    * in host and zone every raw ASCII byte must be legal in a host
      (``invalid character " " in host name``); non-ASCII passes through.

    Path, fragment and userinfo only get the ``%XX`` syntax check. ``+`` is never
    turned into a space (that is query-component decoding, which Go does not apply
    to any of these). Undecodable bytes are kept as surrogate escapes so that
    comparisons stay byte-faithful.
    """
    raw = s.encode("utf-8", "surrogatepass")
    out = bytearray()
    i = 0
    n = len(raw)
    escaped = False
    while i < n:
        b = raw[i]
        if b == 0x25:  # '%'
            if i + 2 >= n or raw[i + 1] not in _HEX or raw[i + 2] not in _HEX:
                raise URLError(f"invalid URL escape {_go_quote_bytes(raw[i : i + 3])}")
            triple = raw[i : i + 3]
            value = int(triple[1:], 16)
            if mode == _HOST and value < 0x80 and triple != b"%25":
                raise URLError(f"invalid URL escape {_go_quote_bytes(triple)}")
            if mode == _ZONE and triple != b"%25" and value != 0x20 and not _host_byte_ok(value):
                raise URLError(f"invalid URL escape {_go_quote_bytes(triple)}")
            out.append(value)
            escaped = True
            i += 3
            continue
        if mode in (_HOST, _ZONE) and b < 0x80 and not _host_byte_ok(b):
            raise URLError(f"invalid character {_go_quote_bytes(bytes([b]))} in host name")
        out.append(b)
        i += 1
    if not escaped:
        return s
    return out.decode("utf-8", "surrogateescape")


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------


def _has_ctl(s: str) -> bool:
    """Go ``stringContainsCTLByte``: any byte below 0x20, or DEL (0x7f)."""
    return any(ord(c) < 0x20 or c == "\x7f" for c in s)


def _get_scheme(raw: str) -> tuple[str, str]:
    """Go ``getScheme``: split ``scheme:rest`` if the prefix is a valid scheme.

    A scheme is ``[A-Za-z][A-Za-z0-9+.-]*``. The first byte that is neither a
    scheme character nor ``:`` means "there is no scheme" (the whole input is the
    rest). A ``:`` at position 0 is the only error, ``missing protocol scheme``.
    This is why ``localhost:3000/cb`` has the scheme ``localhost`` while
    ``127.0.0.1:8080/cb`` (starts with a digit) has none.
    """
    for i, c in enumerate(raw):
        if c.isascii() and c.isalpha():
            continue
        if c in _SCHEME_TAIL:
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                raise URLError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


def _valid_optional_port(port: str) -> bool:
    """Go ``validOptionalPort``: ``""`` or ``:`` followed by ASCII digits only.

    There is no range check (``:99999`` is fine) and ``:`` alone is fine.
    """
    if port == "":
        return True
    if port[0] != ":":
        return False
    return all("0" <= c <= "9" for c in port[1:])


def parse_addr(s: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, str]:
    """Go ``netip.ParseAddr``: an IPv4 or IPv6 address, IPv6 optionally with a zone.

    Returns ``(address, zone)``. Go splits the zone at the first ``%`` and requires
    it to be non-empty; it accepts any bytes in it. IPv4 never has a zone. Python's
    ``ipaddress`` agrees with Go on the address grammar (four decimal octets with no
    leading zeros; IPv6 with at most one ``::`` that stands for at least one group,
    1-4 hex digits per group, optional trailing dotted IPv4), so it is used for the
    address part only.
    """
    for c in s:
        if c == ".":
            return ipaddress.IPv4Address(s), ""
        if c == ":":
            addr, sep, zone = s.partition("%")
            if sep and zone == "":
                raise ValueError("zone must be a non-empty string")
            return ipaddress.IPv6Address(addr), zone
        if c == "%":
            raise ValueError("missing IPv6 address")
    raise ValueError("unable to parse IP")


def _parse_host(scheme: str, host: str) -> str:
    """Go ``parseHost``: validate ``host[:port]`` and return it percent-decoded.

    Bracketed hosts must hold an IPv6 literal (zone introduced by ``%25``), with an
    optional numeric port after ``]``. Other hosts are checked for the port after
    the first colon (http/https) or the last colon (any other scheme), then for
    legal host characters and escapes.
    """
    open_idx = host.rfind("[")
    if open_idx > 0:
        raise URLError("invalid IP-literal")
    if open_idx == 0:
        close_idx = host.rfind("]")
        if close_idx < 0:
            raise URLError("missing ']' in host")
        colon_port = host[close_idx + 1 :]
        if not _valid_optional_port(colon_port):
            raise URLError(f"invalid port {_go_quote(colon_port)} after host")
        inner = host[1:close_idx]
        zone_idx = inner.find("%25")
        if zone_idx >= 0:
            literal = _unescape(inner[:zone_idx], _HOST) + _unescape(inner[zone_idx:], _ZONE)
        else:
            literal = _unescape(inner, _HOST)
        try:
            addr, _zone = parse_addr(literal)
        except ValueError as exc:
            raise URLError(
                f"invalid host: ParseAddr({_go_quote(literal)}): {_netip_reason(exc)}"
            ) from None
        if addr.version == 4:
            raise URLError("invalid IP-literal")
        return "[" + literal + "]" + colon_port
    first = host.find(":")
    if first != -1:
        cut = first
        if scheme not in ("http", "https"):
            cut = host.rfind(":")
        colon_port = host[cut:]
        if not _valid_optional_port(colon_port):
            raise URLError(f"invalid port {_go_quote(colon_port)} after host")
    return _unescape(host, _HOST)


def _netip_reason(exc: ValueError) -> str:
    """Shorten a parse failure to the style of Go's netip messages."""
    text = str(exc)
    if text in ("zone must be a non-empty string", "missing IPv6 address"):
        return text
    return "unable to parse IP"


def _parse_authority(scheme: str, authority: str) -> tuple[str | None, str]:
    """Go ``parseAuthority``: ``[userinfo@]host[:port]``, split at the last ``@``.

    The host is validated first, then the userinfo (RFC 3986 characters only, and
    well-formed escapes in the user and password halves). The userinfo is returned
    raw, as this module's ``GoURL.user`` promises.
    """
    at = authority.rfind("@")
    host = _parse_host(scheme, authority[at + 1 :] if at >= 0 else authority)
    if at < 0:
        return None, host
    userinfo = authority[:at]
    if not all(c in _USERINFO_OK for c in userinfo):
        raise URLError("net/url: invalid userinfo")
    username, _, password = userinfo.partition(":")
    _unescape(username, _OTHER)
    _unescape(password, _OTHER)
    return userinfo, host


@functools.lru_cache(maxsize=8192)
def _parsed(raw: str, via_request: bool) -> GoURL | str:
    """``_parse``, or Go's reason for refusing ``raw``, computed once per URL.

    Every rule about URIs parses each URI of each client again (a few dozen times per client);
    the result is immutable, so the parse is remembered.
    """
    try:
        return _parse(raw, via_request)
    except URLError as exc:
        return exc.reason


def _parse(raw: str, via_request: bool) -> GoURL:
    """Go's internal ``parse(rawURL, viaRequest)``; errors carry no URL yet."""
    if _has_ctl(raw):
        raise URLError("net/url: invalid control character in URL")
    if raw == "" and via_request:
        raise URLError("empty url")
    if raw == "*":
        # Go special-cases the HTTP "OPTIONS *" request target.
        return GoURL(path="*")

    scheme, rest = _get_scheme(raw)
    scheme = scheme.lower()

    force_query = False
    raw_query = ""
    if rest.endswith("?") and rest.count("?") == 1:
        force_query = True
        rest = rest[:-1]
    else:
        rest, _, raw_query = rest.partition("?")

    if not rest.startswith("/"):
        if scheme:
            # RFC 3986 rootless path: Go stores it as Opaque, unvalidated.
            return GoURL(scheme=scheme, opaque=rest, raw_query=raw_query, force_query=force_query)
        if via_request:
            raise URLError("invalid URI for request")
        if ":" in rest.partition("/")[0]:
            raise URLError("first path segment in URL cannot contain colon")

    user: str | None = None
    host = ""
    if (scheme or (not via_request and not rest.startswith("///"))) and rest.startswith("//"):
        authority, slash, tail = rest[2:].partition("/")
        rest = slash + tail
        user, host = _parse_authority(scheme, authority)

    return GoURL(
        scheme=scheme,
        user=user,
        host=host,
        path=_unescape(rest, _OTHER),
        raw_query=raw_query,
        force_query=force_query,
    )


def parse(raw: str) -> GoURL:
    """Go ``url.Parse``: any URI reference, the fragment split off at the first ``#``.

    Hydra uses this for ``allowed_cors_origins`` (and fosite for request-time
    redirect handling). Relative references are accepted (``a.com/cb`` becomes a
    path), an empty string is an empty URL, and ``*`` is the path ``*``.

    As in Go, only the part before ``#`` is checked for control characters; the
    fragment only has its ``%XX`` escapes checked.

    Raises:
        URLError: with Go's reason text.

    """
    head, sep, frag = raw.partition("#")
    url = _parsed(head, via_request=False)
    if isinstance(url, str):
        raise URLError(url, head)
    if not sep or frag == "":
        return url
    try:
        fragment = _unescape(frag, _OTHER)
    except URLError as exc:
        raise URLError(exc.reason, raw) from None
    return GoURL(
        scheme=url.scheme,
        opaque=url.opaque,
        user=url.user,
        host=url.host,
        path=url.path,
        raw_query=url.raw_query,
        fragment=fragment,
        force_query=url.force_query,
    )


def parse_request_uri(raw: str) -> GoURL:
    """Go ``url.ParseRequestURI``: an absolute URI or an absolute path, no fragment.

    Hydra validates ``redirect_uris``, ``post_logout_redirect_uris`` and (since
    v25.4/v26.2) the client metadata URIs with this. The traps it lets through are
    the point of ORY402: ``/callback`` (absolute path, no scheme, no host),
    ``localhost:3000/cb`` (scheme ``localhost``), ``*``, and ``//host/cb`` (a path,
    because without a scheme a request URI has no authority). ``#`` is *not*
    special: it stays in the path, query or host (where it is an illegal
    character).

    Raises:
        URLError: with Go's reason text, e.g. ``invalid URI for request`` for
            ``app.example.com/cb`` or ``empty url`` for ``""``.

    """
    url = _parsed(raw, via_request=True)
    if isinstance(url, str):
        raise URLError(url, raw)
    return url


def _split_host_port(host_port: str) -> tuple[str, str]:
    """Go's unexported ``splitHostPort`` behind ``Hostname()`` and ``Port()``.

    The port is whatever follows the *last* colon if that is a valid optional port;
    otherwise the whole value is the host. Surrounding brackets are then removed.
    The host is not validated or normalised.
    """
    host, port = host_port, ""
    colon = host.rfind(":")
    if colon != -1 and _valid_optional_port(host[colon:]):
        host, port = host[:colon], host[colon + 1 :]
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, port


# --------------------------------------------------------------------------
# net.ParseIP and IP.To4
# --------------------------------------------------------------------------


def escape_host(host: str) -> str:
    """Go ``escape(host, encodeHost)``, as ``URL.String()`` writes ``Host``.

    Bytes Go lets through in a host stay; every other byte (non-ASCII, the ``%`` of a zone)
    becomes an upper-case ``%XX``. So ``bücher.example`` is written ``b%C3%BCcher.example``.
    """
    out = []
    for byte in host.encode("utf-8", "surrogateescape"):
        out.append(chr(byte) if _host_byte_ok(byte) else f"%{byte:02X}")
    return "".join(out)


def parse_ip(s: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Go ``net.ParseIP``: ``netip.ParseAddr`` that also refuses any zone."""
    try:
        addr, zone = parse_addr(s)
    except ValueError:
        return None
    if zone:
        return None
    return addr


def to4(
    addr: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Address | None:
    """Go ``IP.To4()``: IPv4 addresses and IPv4-mapped IPv6 (``::ffff:a.b.c.d``)."""
    if isinstance(addr, ipaddress.IPv4Address):
        return addr
    return addr.ipv4_mapped


# --------------------------------------------------------------------------
# Go string quoting (for error texts that match Go's %q)
# --------------------------------------------------------------------------

_GO_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}


def _go_quote(s: str) -> str:
    """Approximate Go ``strconv.Quote`` so error texts read like Go's ``%q``."""
    try:
        data = s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        data = s.encode("utf-8", "surrogatepass")
    return _go_quote_bytes(data)


def _go_quote_bytes(data: bytes) -> str:
    """Apply ``strconv.Quote`` to raw bytes: invalid UTF-8 becomes a hex escape."""
    parts: list[str] = ['"']
    text = data.decode("utf-8", "surrogateescape")
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte
            parts.append(f"\\x{code - 0xDC00:02x}")
        elif ch in _GO_ESCAPES:
            parts.append(_GO_ESCAPES[ch])
        elif ch.isprintable():
            parts.append(ch)
        elif code < 0x80:
            parts.append(f"\\x{code:02x}")
        elif code < 0x10000:
            parts.append(f"\\u{code:04x}")
        else:
            parts.append(f"\\U{code:08x}")
    parts.append('"')
    return "".join(parts)

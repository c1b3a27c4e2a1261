"""Table tests for orylint.golang.urls against Go net/url, fosite and Hydra behaviour.

Expected values come from golang/go src/net/url/url.go (Go 1.27 behaviour),
fosite authorize_helper.go and hydra client/validator.go. Rows without a Go
version note behave the same in every Go release since 1.17.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orylint.golang.urls import GoURL, URLError, parse, parse_request_uri
from orylint.model.hosts import (
    is_dns_name,
    is_localhost_name,
    is_loopback_ip_literal,
    is_redirect_uri_secure,
    same_origin_hydra,
    ssrf_rejection,
)


def _fields(u: GoURL) -> dict[str, Any]:
    return {
        "scheme": u.scheme,
        "opaque": u.opaque,
        "user": u.user,
        "host": u.host,
        "path": u.path,
        "raw_query": u.raw_query,
        "fragment": u.fragment,
        "force_query": u.force_query,
        "hostname": u.hostname(),
        "port": u.port(),
        "is_abs": u.is_abs(),
    }


def _expect(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "scheme": "",
        "opaque": "",
        "user": None,
        "host": "",
        "path": "",
        "raw_query": "",
        "fragment": "",
        "force_query": False,
        "hostname": "",
        "port": "",
    }
    base.update(overrides)
    base["is_abs"] = base["scheme"] != ""
    return base


# ---------------------------------------------------------------------------
# ParseRequestURI: accepted inputs (what Hydra lets through at registration)
# ---------------------------------------------------------------------------

PARSE_REQUEST_URI_OK = [
    pytest.param(
        "https://app.example.com/cb",
        _expect(scheme="https", host="app.example.com", path="/cb", hostname="app.example.com"),
        id="plain-https",
    ),
    # ORY402 trap: absolute path, no scheme, no host.
    pytest.param("/callback", _expect(path="/callback"), id="absolute-path"),
    # ORY402 trap: host:port without // is scheme "localhost" + opaque.
    pytest.param(
        "localhost:3000/cb",
        _expect(scheme="localhost", opaque="3000/cb"),
        id="host-port-without-slashes",
    ),
    # ORY402 trap: Go special-cases "*" (OPTIONS *).
    pytest.param("*", _expect(path="*"), id="star"),
    # Without a scheme, a request URI has no authority: // stays in the path.
    pytest.param("//evil.example/cb", _expect(path="//evil.example/cb"), id="scheme-relative"),
    # ORY407: the explicit default port is kept as a string.
    pytest.param(
        "https://a.com:443/x",
        _expect(scheme="https", host="a.com:443", path="/x", hostname="a.com", port="443"),
        id="explicit-443",
    ),
    # Host case is preserved; the scheme is lowercased by Go.
    pytest.param(
        "HTTPS://App.Example.com/CB",
        _expect(scheme="https", host="App.Example.com", path="/CB", hostname="App.Example.com"),
        id="case",
    ),
    pytest.param(
        "http://127.0.0.1:8080/cb",
        _expect(
            scheme="http", host="127.0.0.1:8080", path="/cb", hostname="127.0.0.1", port="8080"
        ),
        id="ipv4-loopback-port",
    ),
    pytest.param(
        "http://[::1]:8080/cb",
        _expect(scheme="http", host="[::1]:8080", path="/cb", hostname="::1", port="8080"),
        id="ipv6-loopback-port",
    ),
    pytest.param(
        "http://[::1]/cb",
        _expect(scheme="http", host="[::1]", path="/cb", hostname="::1"),
        id="ipv6-no-port",
    ),
    pytest.param(
        "http://localhost:3000/cb",
        _expect(
            scheme="http", host="localhost:3000", path="/cb", hostname="localhost", port="3000"
        ),
        id="localhost-port",
    ),
    pytest.param(
        "http://foo.localhost/cb",
        _expect(scheme="http", host="foo.localhost", path="/cb", hostname="foo.localhost"),
        id="sub-localhost",
    ),
    # RFC 8252 private-use scheme, single slash: no host.
    pytest.param(
        "com.example.app:/callback",
        _expect(scheme="com.example.app", path="/callback"),
        id="reverse-dns-scheme",
    ),
    pytest.param(
        "myapp://callback",
        _expect(scheme="myapp", host="callback", hostname="callback"),
        id="custom-scheme-authority",
    ),
    # ParseRequestURI does not split fragments: '#' stays in the path.
    pytest.param(
        "https://app.example.com/cb#",
        _expect(scheme="https", host="app.example.com", path="/cb#", hostname="app.example.com"),
        id="empty-fragment-in-path",
    ),
    pytest.param(
        "https://app.example.com/cb#frag",
        _expect(
            scheme="https", host="app.example.com", path="/cb#frag", hostname="app.example.com"
        ),
        id="fragment-in-path",
    ),
    pytest.param(
        "https://a.com/cb?x=1#frag",
        _expect(scheme="https", host="a.com", path="/cb", raw_query="x=1#frag", hostname="a.com"),
        id="fragment-in-query",
    ),
    pytest.param(
        "https://user:pass@host/",
        _expect(scheme="https", user="user:pass", host="host", path="/", hostname="host"),
        id="userinfo",
    ),
    pytest.param(
        "https://@host/",
        _expect(scheme="https", user="", host="host", path="/", hostname="host"),
        id="empty-userinfo",
    ),
    # The last '@' separates userinfo from host.
    pytest.param(
        "https://a@b@host/",
        _expect(scheme="https", user="a@b", host="host", path="/", hostname="host"),
        id="two-ats",
    ),
    # RFC 6874 zone: %25 decoded in Host, Hostname keeps the zone.
    pytest.param(
        "https://[fe80::1%25en0]:8080/",
        _expect(
            scheme="https",
            host="[fe80::1%en0]:8080",
            path="/",
            hostname="fe80::1%en0",
            port="8080",
        ),
        id="ipv6-zone",
    ),
    pytest.param(
        "http://[::ffff:127.0.0.1]/",
        _expect(scheme="http", host="[::ffff:127.0.0.1]", path="/", hostname="::ffff:127.0.0.1"),
        id="ipv4-mapped-in-brackets",
    ),
    pytest.param(
        "https://a.com/cb?",
        _expect(scheme="https", host="a.com", path="/cb", force_query=True, hostname="a.com"),
        id="force-query",
    ),
    pytest.param(
        "https://a.com?x=1",
        _expect(scheme="https", host="a.com", raw_query="x=1", hostname="a.com"),
        id="query-no-path",
    ),
    # Spaces and '+' are legal in a Go path; %XX is decoded.
    pytest.param(
        "https://a.com/a%20b+c ",
        _expect(scheme="https", host="a.com", path="/a b+c ", hostname="a.com"),
        id="path-decoding-trailing-space",
    ),
    # Trailing colon: valid empty port; Port() is "".
    pytest.param(
        "https://a.com:/",
        _expect(scheme="https", host="a.com:", path="/", hostname="a.com"),
        id="empty-port",
    ),
    # No port range check.
    pytest.param(
        "https://a.com:99999/",
        _expect(scheme="https", host="a.com:99999", path="/", hostname="a.com", port="99999"),
        id="huge-port",
    ),
    # Non-ASCII bytes may be percent-encoded in a host.
    pytest.param(
        "https://%C3%A9.example/",
        _expect(scheme="https", host="\u00e9.example", path="/", hostname="\u00e9.example"),
        id="host-utf8-escape",
    ),
    pytest.param(
        "https://a%25b/",
        _expect(scheme="https", host="a%b", path="/", hostname="a%b"),
        id="host-percent-25",
    ),
    # Sub-delims are legal host characters; '*' too (CORS https://*).
    pytest.param(
        "https://*.example.com",
        _expect(scheme="https", host="*.example.com", hostname="*.example.com"),
        id="star-host",
    ),
    # A scheme alone is a valid (opaque, empty) request URI.
    pytest.param("https:", _expect(scheme="https"), id="scheme-only"),
    pytest.param(
        "https:///cb",
        _expect(scheme="https", path="/cb"),
        id="empty-authority",
    ),
    pytest.param(
        "javascript:alert(1)",
        _expect(scheme="javascript", opaque="alert(1)"),
        id="javascript",
    ),
    # Go 1.27: other schemes still take the port after the last colon.
    pytest.param(
        "myapp://a:1:2/",
        _expect(scheme="myapp", host="a:1:2", path="/", hostname="a:1", port="2"),
        id="custom-scheme-multi-colon",
    ),
]


@pytest.mark.parametrize(("raw", "expected"), PARSE_REQUEST_URI_OK)
def test_parse_request_uri_ok(raw: str, expected: dict[str, Any]) -> None:
    assert _fields(parse_request_uri(raw)) == expected


# ---------------------------------------------------------------------------
# ParseRequestURI: rejected inputs (Hydra answers 400)
# ---------------------------------------------------------------------------

PARSE_REQUEST_URI_ERR = [
    pytest.param("", "empty url", id="empty"),
    pytest.param("app.example.com/cb", "invalid URI for request", id="no-scheme-no-slash"),
    pytest.param("127.0.0.1:8080/cb", "invalid URI for request", id="ip-port-no-scheme"),
    pytest.param("callback", "invalid URI for request", id="bare-word"),
    pytest.param("://a.com/", "missing protocol scheme", id="colon-first"),
    pytest.param("https://a.com:abc/", 'invalid port ":abc" after host', id="alpha-port"),
    pytest.param("https://a b.com/", 'invalid character " " in host name', id="space-in-host"),
    pytest.param("https://a.com /", 'invalid character " " in host name', id="space-after-host"),
    pytest.param("https://a.com/\x01", "net/url: invalid control character in URL", id="ctl"),
    pytest.param("https://a.com/\x7f", "net/url: invalid control character in URL", id="del"),
    pytest.param("https://a.com/\n", "net/url: invalid control character in URL", id="newline"),
    pytest.param(
        "https://app.example.com#x",
        'invalid character "#" in host name',
        id="fragment-in-authority",
    ),
    pytest.param("https://a.com/%zz", 'invalid URL escape "%zz"', id="bad-escape"),
    pytest.param("https://a.com/%", 'invalid URL escape "%"', id="truncated-escape"),
    pytest.param("https://a.com/%4", 'invalid URL escape "%4"', id="half-escape"),
    # Hosts may only %-encode non-ASCII bytes.
    pytest.param("https://%41.com/", 'invalid URL escape "%41"', id="host-ascii-escape"),
    pytest.param("https://a\\b.com/", 'invalid character "\\\\" in host name', id="backslash"),
    pytest.param("https://a{b}.com/", 'invalid character "{" in host name', id="brace"),
    pytest.param("https://us er@host/", "net/url: invalid userinfo", id="bad-userinfo"),
    pytest.param("https://u:%zz@host/", 'invalid URL escape "%zz"', id="bad-password-escape"),
    # Host errors are reported before userinfo errors.
    pytest.param("https://us er@h st/", 'invalid character " " in host name', id="host-first"),
    pytest.param("http://[::1/", "missing ']' in host", id="unclosed-bracket"),
    pytest.param("http://[::1]x/", 'invalid port "x" after host', id="junk-after-bracket"),
    pytest.param("http://[::1]:8o/", 'invalid port ":8o" after host', id="bad-ipv6-port"),
    # Zone without %25 is a bad escape.
    pytest.param("http://[fe80::1%en0]/", 'invalid URL escape "%en"', id="zone-unescaped"),
    # Go >= 1.25.2 (CVE-2025-47912): only IPv6 inside brackets, '[' only first.
    pytest.param("http://[127.0.0.1]/", "invalid IP-literal", id="ipv4-in-brackets"),
    pytest.param("http://x[::1]/", "invalid IP-literal", id="bracket-not-first"),
    pytest.param(
        "http://[example.com]/",
        'invalid host: ParseAddr("example.com"): unable to parse IP',
        id="name-in-brackets",
    ),
    pytest.param(
        "http://[::1%25]/",
        'invalid host: ParseAddr("::1%"): zone must be a non-empty string',
        id="empty-zone",
    ),
    # Go >= 1.26: http(s) hosts take the port after the *first* colon.
    pytest.param("http://::1/", 'invalid port "::1" after host', id="bare-ipv6"),
    pytest.param("https://a.com:80:90/", 'invalid port ":80:90" after host', id="two-ports"),
]


@pytest.mark.parametrize(("raw", "reason"), PARSE_REQUEST_URI_ERR)
def test_parse_request_uri_err(raw: str, reason: str) -> None:
    with pytest.raises(URLError) as info:
        parse_request_uri(raw)
    assert info.value.reason == reason
    assert str(info.value) == reason
    assert info.value.url == raw


# ---------------------------------------------------------------------------
# Parse: fragments are split, relative references allowed
# ---------------------------------------------------------------------------

PARSE_OK = [
    pytest.param(
        "https://app.example.com/cb#",
        _expect(scheme="https", host="app.example.com", path="/cb", hostname="app.example.com"),
        id="empty-fragment-dropped",
    ),
    pytest.param(
        "https://app.example.com/cb#frag",
        _expect(
            scheme="https",
            host="app.example.com",
            path="/cb",
            fragment="frag",
            hostname="app.example.com",
        ),
        id="fragment",
    ),
    pytest.param(
        "https://a.com/#a%20b#c",
        _expect(scheme="https", host="a.com", path="/", fragment="a b#c", hostname="a.com"),
        id="fragment-decoded-first-hash",
    ),
    pytest.param(
        "https://app.example.com#x",
        _expect(scheme="https", host="app.example.com", fragment="x", hostname="app.example.com"),
        id="fragment-after-host",
    ),
    pytest.param("", _expect(), id="empty"),
    pytest.param("*", _expect(path="*"), id="star"),
    pytest.param("app.example.com/cb", _expect(path="app.example.com/cb"), id="relative"),
    pytest.param(
        "//a.com/cb",
        _expect(host="a.com", path="/cb", hostname="a.com"),
        id="network-path",
    ),
    pytest.param("///a.com/cb", _expect(path="///a.com/cb"), id="triple-slash"),
    # Go checks control characters only before '#'.
    pytest.param(
        "https://a.com/#\x01",
        _expect(scheme="https", host="a.com", path="/", fragment="\x01", hostname="a.com"),
        id="ctl-in-fragment",
    ),
    pytest.param(
        "https://a.com/",
        _expect(scheme="https", host="a.com", path="/", hostname="a.com"),
        id="cors-trailing-slash",
    ),
]


@pytest.mark.parametrize(("raw", "expected"), PARSE_OK)
def test_parse_ok(raw: str, expected: dict[str, Any]) -> None:
    assert _fields(parse(raw)) == expected


PARSE_ERR = [
    pytest.param(
        "127.0.0.1:8080/cb",
        "first path segment in URL cannot contain colon",
        "127.0.0.1:8080/cb",
        id="colon-in-first-segment",
    ),
    pytest.param("https://a.com/#%zz", 'invalid URL escape "%zz"', "https://a.com/#%zz", id="frag"),
    # The URL in Go's error is the part before '#' for non-fragment errors.
    pytest.param(
        "https://a.com:x/#f", 'invalid port ":x" after host', "https://a.com:x/", id="port"
    ),
    pytest.param("://x", "missing protocol scheme", "://x", id="colon-first"),
    pytest.param(
        "https://a.com/\x00#f", "net/url: invalid control character in URL", None, id="nul"
    ),
]


@pytest.mark.parametrize(("raw", "reason", "url"), PARSE_ERR)
def test_parse_err(raw: str, reason: str, url: str | None) -> None:
    with pytest.raises(URLError) as info:
        parse(raw)
    assert info.value.reason == reason
    if url is not None:
        assert info.value.url == url


def test_parse_and_request_uri_disagree_on_fragment() -> None:
    raw = "https://app.example.com/cb#frag"
    assert parse(raw).path == "/cb"
    assert parse_request_uri(raw).path == "/cb#frag"
    assert parse(raw).fragment == "frag"
    assert parse_request_uri(raw).fragment == ""


def test_go_message_format() -> None:
    with pytest.raises(URLError) as info:
        parse_request_uri("https://a.com:abc/")
    assert info.value.go_message == 'parse "https://a.com:abc/": invalid port ":abc" after host'
    assert isinstance(info.value, ValueError)


def test_go_message_quotes_like_go() -> None:
    with pytest.raises(URLError) as info:
        parse_request_uri('https://a.com/"\x01')
    assert info.value.go_message == (
        'parse "https://a.com/\\"\\x01": net/url: invalid control character in URL'
    )


# ---------------------------------------------------------------------------
# Hostname() / Port() on raw Host values (Go splitHostPort)
# ---------------------------------------------------------------------------

HOST_PORT = [
    pytest.param("a.com:8080", "a.com", "8080", id="host-port"),
    pytest.param("a.com", "a.com", "", id="no-port"),
    pytest.param("a.com:", "a.com", "", id="empty-port"),
    pytest.param("[::1]", "::1", "", id="ipv6"),
    pytest.param("[::1]:80", "::1", "80", id="ipv6-port"),
    pytest.param("a.com:http", "a.com:http", "", id="non-numeric-port-kept"),
    pytest.param("a:1:2", "a:1", "2", id="last-colon"),
    pytest.param("[::1", "[:", "1", id="half-bracket-last-colon"),
    pytest.param("App.Example.COM:443", "App.Example.COM", "443", id="case-kept"),
    pytest.param("", "", "", id="empty"),
]


@pytest.mark.parametrize(("host", "hostname", "port"), HOST_PORT)
def test_hostname_port(host: str, hostname: str, port: str) -> None:
    u = GoURL(scheme="https", host=host)
    assert (u.hostname(), u.port()) == (hostname, port)


def test_is_abs() -> None:
    assert parse_request_uri("localhost:3000/cb").is_abs()
    assert not parse_request_uri("/callback").is_abs()


def test_go_url_is_frozen() -> None:
    u = parse("https://a.com/")
    with pytest.raises(AttributeError):
        u.host = "b.com"  # type: ignore[misc]


# ---------------------------------------------------------------------------
# net.ParseIP(...).IsLoopback() (fosite isLoopbackAddress)
# ---------------------------------------------------------------------------

LOOPBACK = [
    pytest.param("127.0.0.1", True, id="v4"),
    pytest.param("127.255.0.9", True, id="v4-range"),
    pytest.param("::1", True, id="v6"),
    pytest.param("0:0:0:0:0:0:0:1", True, id="v6-long"),
    pytest.param("::ffff:127.0.0.1", True, id="v4-mapped-dotted"),
    pytest.param("::ffff:7f00:1", True, id="v4-mapped-hex"),
    pytest.param("localhost", False, id="name"),
    pytest.param("[::1]", False, id="brackets"),
    pytest.param("::1%lo", False, id="zone"),
    pytest.param("127.1", False, id="short-form"),
    pytest.param("0177.0.0.1", False, id="octal"),
    pytest.param("127.000.000.001", False, id="leading-zeros"),
    pytest.param("128.0.0.1", False, id="v4-public"),
    pytest.param("::", False, id="unspecified"),
    pytest.param("::2", False, id="v6-other"),
    pytest.param("::127.0.0.1", False, id="v4-compatible-not-mapped"),
    pytest.param("", False, id="empty"),
]


@pytest.mark.parametrize(("hostname", "expected"), LOOPBACK)
def test_is_loopback_ip_literal(hostname: str, expected: bool) -> None:
    assert is_loopback_ip_literal(hostname) is expected


# ---------------------------------------------------------------------------
# fosite IsLocalhost name test
# ---------------------------------------------------------------------------

LOCALHOST = [
    pytest.param("localhost", False, True, id="localhost"),
    pytest.param("foo.localhost", False, True, id="sub"),
    pytest.param(".localhost", False, True, id="dot-only"),
    pytest.param("LOCALHOST", False, False, id="upper-fosite"),
    pytest.param("LOCALHOST", True, True, id="upper-dns"),
    pytest.param("Foo.LocalHost", True, True, id="mixed-dns"),
    pytest.param("localhost.", False, False, id="trailing-dot"),
    pytest.param("mylocalhost", False, False, id="suffix-no-dot"),
    pytest.param("localhost.example.com", False, False, id="prefix"),
    pytest.param("127.0.0.1", False, False, id="ip"),
]


@pytest.mark.parametrize(("hostname", "ignore_case", "expected"), LOCALHOST)
def test_is_localhost_name(hostname: str, ignore_case: bool, expected: bool) -> None:
    assert is_localhost_name(hostname, ignore_case=ignore_case) is expected


# ---------------------------------------------------------------------------
# fosite IsRedirectURISecure
# ---------------------------------------------------------------------------

SECURE = [
    pytest.param("https://app.example.com/cb", True, id="https"),
    pytest.param("http://app.example.com/cb", False, id="http-public"),
    pytest.param("HTTP://app.example.com/cb", False, id="http-upper-scheme"),
    pytest.param("http://127.0.0.1:8080/cb", True, id="http-v4-loopback"),
    pytest.param("http://127.8.9.10/cb", True, id="http-v4-loopback-range"),
    pytest.param("http://[::1]:8080/cb", True, id="http-v6-loopback"),
    pytest.param("http://[::ffff:127.0.0.1]/cb", True, id="http-v4-mapped"),
    pytest.param("http://localhost:3000/cb", True, id="http-localhost"),
    pytest.param("http://foo.localhost/cb", True, id="http-sub-localhost"),
    pytest.param("http://LOCALHOST/cb", False, id="http-upper-localhost"),
    pytest.param("http://10.0.0.5/", False, id="http-private"),
    pytest.param("http://[fe80::1%25lo]/", False, id="http-zoned"),
    pytest.param("com.example.app:/callback", True, id="private-use-scheme"),
    pytest.param("myapp://callback", True, id="custom-scheme"),
    pytest.param("javascript:alert(1)", True, id="javascript-not-http"),
    pytest.param("/callback", True, id="no-scheme"),
    pytest.param("localhost:3000/cb", True, id="opaque-scheme-localhost"),
]


@pytest.mark.parametrize(("raw", "expected"), SECURE)
def test_is_redirect_uri_secure(raw: str, expected: bool) -> None:
    assert is_redirect_uri_secure(parse_request_uri(raw)) is expected


# ---------------------------------------------------------------------------
# SSRF targets (ORY410): ory/x ipx with code.dny.dev/ssrf's ranges
# ---------------------------------------------------------------------------

SSRF_CASES = json.loads((Path(__file__).parent / "fixtures" / "ssrf_cases.json").read_text("utf-8"))
# Valid DNS names whose lookup failed only because the Go run had no network: orylint does not
# decide them, since a resolver with network access may return a public address.
DNS_DEPENDENT = {"https://under_score/k", "https://0x7f.0.0.1/k", "keys.example.com"}


def test_ssrf_table_is_large_enough() -> None:
    verdicts = [verdict for _, verdict in SSRF_CASES["rows"]]
    assert len(verdicts) >= 400
    assert verdicts.count("allowed") >= 100 and verdicts.count("denied-ip") >= 100


@pytest.mark.parametrize(("value", "verdict"), SSRF_CASES["rows"])
def test_ssrf_rejection_agrees_with_go(value: str, verdict: str) -> None:
    """Go's ipx verdict: IP literals are decided exactly, names only when the lookup is certain."""
    rejection = ssrf_rejection(value)
    if verdict in ("allowed", "lookup-allowed") or value in DNS_DEPENDENT:
        assert rejection is None
    else:
        assert rejection is not None


@pytest.mark.parametrize(
    ("value", "host", "why"),
    [
        ("https://100.64.0.1/k", "100.64.0.1", "is in 100.64.0.0/10 (shared address space"),
        ("https://192.0.2.10/k", "192.0.2.10", "is in 192.0.2.0/24 (documentation TEST-NET-1"),
        ("https://169.254.169.254/", "169.254.169.254", "is in 169.254.0.0/16 (link local"),
        ("https://0.0.0.0/", "0.0.0.0", 'is in 0.0.0.0/8 ("this network"'),
        ("https://255.255.255.255/", "255.255.255.255", "is in 240.0.0.0/4 (reserved"),
        ("https://[2001:db8::1]/", "2001:db8::1", "is in 2001:db8::/32 (documentation"),
        ("https://[2001:1::1]/", "2001:1::1", "is in 2001::/23 (IETF protocol"),
        ("https://[::ffff:8.8.8.8]/", "::ffff:8.8.8.8", "is in ::ffff:0:0/96 (IPv4-mapped)"),
        ("https://[64:ff9b::808:808]/", "64:ff9b::808:808", "is in 64:ff9b::/96 (NAT64)"),
        ("https://[fe80::1%25eth0]/", "fe80::1%eth0", "has an IPv6 zone"),
        ("https://[3fff::1]/", "3fff::1", None),
        ("https://[4000::1]/", "4000::1", "is outside the global unicast range 2000::/3"),
        ("10.0.0.1:80", "10.0.0.1", "is in 10.0.0.0/8"),
        ("https://LocalHost./jwks", "LocalHost.", "resolves to a loopback address or not at all"),
        ("https://api.localhost/jwks", "api.localhost", "resolves to a loopback address"),
        ("https:///jwks", "", "is empty"),
        ("keys.example.com/jwks", "keys.example.com/jwks", "is not a DNS name"),
        ("https://bücher.example/jwks", "bücher.example", "is not a DNS name"),
        ("https://8.8.8.8/", None, None),
        ("https://auth.example.com/jwks", None, None),
        ("https://10.0.0.5.nip.io/", None, None),
        ("https://localhost.example.com/", None, None),
    ],
)
def test_ssrf_rejection_reasons(value: str, host: str | None, why: str | None) -> None:
    rejection = ssrf_rejection(value)
    if why is None:
        assert rejection is None
        return
    assert rejection is not None
    assert rejection[0] == host
    assert rejection[1].startswith(why)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("keys.example.com", True),
        ("under_score.example", True),
        ("keys.example.com.", True),
        (".", True),
        ("123", False),  # all digits
        ("a..b", False),
        ("-a.example", False),
        ("a-.example", False),
        ("a" * 63 + ".example", True),
        ("a" * 64 + ".example", False),
        ("keys.example.com/jwks", False),
        ("bücher.example", False),
        ("*.example.com", False),
        ("", False),
    ],
)
def test_is_dns_name(name: str, expected: bool) -> None:
    assert is_dns_name(name) is expected


# ---------------------------------------------------------------------------
# Hydra post-logout origin check (ORY407)
# ---------------------------------------------------------------------------

SAME_ORIGIN = [
    pytest.param("https://a.com/cb", "https://a.com/logout", True, id="same"),
    pytest.param("https://a.com/cb", "https://a.com:443/x", False, id="explicit-443"),
    pytest.param("https://app.example.com/cb", "https://App.Example.com/", False, id="host-case"),
    pytest.param("HTTPS://a.com/cb", "https://a.com/x", True, id="scheme-case-folded"),
    pytest.param("http://a.com/cb", "https://a.com/x", False, id="scheme"),
    pytest.param("http://127.0.0.1:8080/cb", "http://127.0.0.1:9090/", False, id="loopback-port"),
    pytest.param("http://[::1]:8080/cb", "http://[::1]:8080/bye", True, id="ipv6"),
    pytest.param("https://a.com:/cb", "https://a.com/x", True, id="empty-port-equal"),
    pytest.param("https://u@a.com/cb", "https://a.com/x", True, id="userinfo-ignored"),
    pytest.param("https://a.com/cb?x=1", "https://a.com/other?y", True, id="path-query-ignored"),
    pytest.param("com.example.app:/cb", "com.example.app:/bye", True, id="private-use"),
    pytest.param("/callback", "/logout", True, id="both-path-only"),
]


@pytest.mark.parametrize(("redirect", "logout", "expected"), SAME_ORIGIN)
def test_same_origin_hydra(redirect: str, logout: str, expected: bool) -> None:
    a = parse_request_uri(redirect)
    b = parse_request_uri(logout)
    assert same_origin_hydra(a, b) is expected
    assert same_origin_hydra(b, a) is expected

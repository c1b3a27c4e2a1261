"""ORY401-ORY406, ORY410-ORY412: redirect URIs and the other URIs a client registers.

Hydra checks very little of a redirect URI at registration: it must parse as a Go request URI
and must not contain ``#``. Everything else (a scheme, a host, https, exact matching, loopback
ports) is decided per request by fosite, so a bad URI is accepted and only logins fail. The rules
here reason with Go's ``net/url`` semantics (``orylint.urls``), never with Python's.

ORY401 owns ``#``: the other redirect rules look only at the part before it, so one mistake is
reported once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from orylint.findings import Violation
from orylint.model import Client, Element
from orylint.registry import client_rule
from orylint.settings import Settings
from orylint.urls import (
    GoURL,
    URLError,
    is_localhost_name,
    is_loopback_ip_literal,
    is_private_or_loopback_host,
    is_redirect_uri_secure,
    parse_request_uri,
)

_WEB_SCHEMES = ("http", "https")
_PORT_OPAQUE = re.compile(r"[0-9]+(?:/|$)")
"""An opaque part that starts with a port: ``localhost:3000/cb`` parsed as scheme ``localhost``."""

_NOT_APP_SCHEMES = {
    "javascript": "runs script instead of delivering the response to an app",
    "vbscript": "runs script instead of delivering the response to an app",
    "data": "is inline content, not an endpoint that can receive the response",
    "file": "names a local file, not an endpoint that can receive the response",
    "ftp": "is not a scheme a browser redirects an authorization response to",
}

_METADATA_URIS = ("client_uri", "logo_uri", "policy_uri", "tos_uri")
_ENFORCED_SINCE = {
    "tos_uri": (25, 4, 0),
    "client_uri": (26, 2, 0),
    "logo_uri": (26, 2, 0),
    "policy_uri": (26, 2, 0),
}
"""The Hydra release from which each metadata URI must be absolute http(s) (007e224, 44347e7)."""

_SERVER_FETCHED = ("jwks_uri", "backchannel_logout_uri")


def _show(value: str) -> str:
    """Quote a value for a message: escaped control characters, long values shortened."""
    if len(value) > 100:
        value = value[:97] + "..."
    return json.dumps(value, ensure_ascii=False)


def _head(uri: str) -> str:
    """The part before the first ``#``: the fragment itself is ORY401's finding."""
    return uri.partition("#")[0]


def _redirects(client: Client) -> Iterator[tuple[Element, str, str, GoURL | None]]:
    """Each known redirect URI with its location, and its pre-``#`` part parsed (None: fails)."""
    for element, uri in client.known_elements("redirect_uris"):
        try:
            url: GoURL | None = parse_request_uri(_head(uri))
        except URLError:
            url = None
        yield element, f"redirect_uris[{element.index}]", uri, url


def _is_localhost_dns(host: str) -> bool:
    """The DNS view of "is this localhost": any case, an absolute name's trailing dot allowed."""
    return is_localhost_name(host.removesuffix("."), ignore_case=True)


def _scheme_is_a_host(url: GoURL) -> bool:
    """``localhost:3000/cb`` or ``app.example.com:8443/cb``: a host name parsed as a scheme.

    Go reads everything before the first colon as the scheme when it is made of scheme
    characters, so a URI written without ``http://`` becomes an opaque URI with a port number as
    its "path". A reverse-DNS scheme followed by a path (``com.example.app:/cb``) is not this.
    """
    if not url.scheme or url.scheme in _WEB_SCHEMES:
        return False
    return bool(_PORT_OPAQUE.match(url.opaque)) or is_localhost_name(url.scheme, ignore_case=True)


@client_rule("ORY401")
def redirect_uri_fragment(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra refuses any redirect URI containing ``#`` (RFC 6749 §3.1.2 forbids fragments)."""
    del settings
    for element, where, uri, _ in _redirects(client):
        if "#" not in uri:
            continue
        fragment = uri.partition("#")[2]
        detail = "an empty fragment still counts" if fragment == "" else f'fragment "#{fragment}"'
        yield Violation(
            f"redirect URI {_show(uri)} contains '#' ({detail}): Hydra rejects the client "
            "because redirect URIs must not have a fragment; remove it and route on the path "
            f"instead, e.g. {_show(_head(uri) or 'https://app.example.com/callback')}",
            element.span,
            where,
        )


@client_rule("ORY402")
def redirect_uri_not_absolute(client: Client, settings: Settings) -> Iterator[Violation]:
    """A redirect URI must be absolute: Hydra checks only that it parses, fosite needs more."""
    del settings
    for element, where, uri, url in _redirects(client):
        head = _head(uri)
        if url is None:
            yield Violation(_unparsable_message(uri, head), element.span, where)
            continue
        trap = _trap(head, url)
        if trap is not None:
            problem, fix = trap
            yield Violation(
                f"redirect URI {_show(uri)} {problem}: Hydra accepts it, but no authorization "
                f"request can ever use it (RFC 6749 §3.1.2 requires an absolute URI); {fix}",
                element.span,
                where,
            )


def _unparsable_message(uri: str, head: str) -> str:
    """HARD: Go's ``url.ParseRequestURI`` fails, so Hydra answers 400."""
    try:
        parse_request_uri(head)
    except URLError as error:
        reason = str(error)
    else:  # pragma: no cover - only called for URIs that fail
        reason = "invalid URI"
    if reason == "invalid URI for request" and head and not head.startswith("/"):
        hint = f"add the scheme, e.g. {_show('https://' + head)}"
    else:
        hint = 'write an absolute URI such as "https://app.example.com/callback"'
    return (
        f"redirect URI {_show(uri)} does not parse as a request URI ({reason}): Hydra rejects "
        f"the client with HTTP 400; {hint}"
    )


def _trap(head: str, url: GoURL) -> tuple[str, str] | None:
    """RUNTIME: why a URI that Go parses is unusable as a redirect target, and the fix."""
    if head == "*":
        return (
            'is a lone "*", which Go parses as the HTTP `OPTIONS *` target, not a wildcard',
            "redirect URIs are matched exactly, so list every exact URI",
        )
    if head.startswith("//"):
        return (
            'has no scheme, and in a request URI Go reads "//host/..." as a path',
            f"write the full URI, e.g. {_show('https:' + head)}",
        )
    if not url.scheme:
        return (
            "is a path without scheme and host",
            f"write the full URI, e.g. {_show('https://app.example.com' + head)}",
        )
    if _scheme_is_a_host(url):
        return (
            f'has no "//", so Go parses "{url.scheme}" as its scheme and "{url.opaque}" as an '
            "opaque part that browsers cannot follow",
            f"write {_show('http://' + head)} (or https)",
        )
    if url.scheme in _WEB_SCHEMES and not url.hostname():
        return f"is an {url.scheme} URI without a host", f'write "{url.scheme}://<host>/<path>"'
    return None


@client_rule("ORY403")
def http_redirect_uri(client: Client, settings: Settings) -> Iterator[Violation]:
    """The code flow (and PAR) refuse plain-http redirects to non-loopback hosts (fosite)."""
    del settings
    for element, where, uri, url in _redirects(client):
        if url is None or not url.hostname() or is_redirect_uri_secure(url):
            continue
        host = url.hostname()
        case_hint = ""
        if _is_localhost_dns(host):
            case_hint = (
                "; Ory's localhost test is case-sensitive and allows no trailing dot, so "
                f'"{host}" does not count as loopback: write it in lowercase without the dot'
            )
        yield Violation(
            f"redirect URI {_show(uri)} uses plain http to the non-loopback host "
            f'"{host}": the authorization code flow and PAR refuse it as insecure, and implicit '
            "or hybrid flows would send tokens unencrypted; use https (RFC 9700 §2.6 allows "
            f"http only for loopback){case_hint}",
            element.span,
            where,
        )


@client_rule("ORY404")
def localhost_loopback_redirect(client: Client, settings: Settings) -> Iterator[Violation]:
    """RFC 8252 §7.3/§8.3: loopback redirects should use an IP literal, whose port is ignored."""
    del settings
    for element, where, uri, url in _redirects(client):
        if url is None or url.scheme != "http":
            continue
        host, port = url.hostname(), url.port()
        suggestion = _show("http://127.0.0.1" + (url.path or "/"))
        if _is_localhost_dns(host):
            if port:
                why = (
                    f"and Ory ignores the port only for loopback IP literals, so the app must "
                    f"always listen on port {port}; an app on an ephemeral port fails"
                )
            else:
                why = "and the name may resolve to something other than the loopback interface"
            yield Violation(
                f'redirect URI {_show(uri)} uses the name "{host}": RFC 8252 §8.3 does not '
                f"recommend localhost, {why}; register {suggestion} instead and pick the port "
                "at run time",
                element.span,
                where,
            )
        elif port and is_loopback_ip_literal(host):
            yield Violation(
                f"redirect URI {_show(uri)} pins port {port}, but Ory ignores the port of "
                "loopback IP-literal redirect URIs (RFC 8252 §7.3), so requests from any port "
                f"match; {suggestion} says so",
                element.span,
                where,
                severity="note",
            )


@client_rule("ORY405")
def wildcard_redirect_uri(client: Client, settings: Settings) -> Iterator[Violation]:
    """Redirect URIs are compared by exact string equality, so ``*`` never expands."""
    del settings
    for element, where, uri, _ in _redirects(client):
        head = _head(uri)
        if "*" not in head or head == "*":
            continue  # a lone "*" is ORY402's, one in a fragment ORY401's
        yield Violation(
            f"redirect URI {_show(uri)} contains '*', but Ory matches redirect URIs by exact "
            "string comparison, so the wildcard never expands and logins from the hosts or "
            "paths it was meant to cover fail; list every exact redirect URI (RFC 9700 §2.1)",
            element.span,
            where,
        )


@client_rule("ORY406")
def private_use_scheme_not_reverse_dns(client: Client, settings: Settings) -> Iterator[Violation]:
    """RFC 8252 §7.1: a private-use scheme must be a reverse domain name, written ``scheme:/``."""
    del settings
    for element, where, uri, url in _redirects(client):
        if url is None or not url.scheme or url.scheme in _WEB_SCHEMES or _scheme_is_a_host(url):
            continue
        scheme = url.scheme
        rest = _head(uri)[len(scheme) + 1 :]
        problems = []
        if "." not in scheme:
            problems.append(
                f'the scheme "{scheme}" '
                + _NOT_APP_SCHEMES.get(
                    scheme,
                    "is not a reverse-DNS name, so any other app on the device can claim it and "
                    "receive the authorization response (RFC 8252 §7.1, §8.4)",
                )
            )
        if rest.startswith("//") and scheme not in _NOT_APP_SCHEMES:
            problems.append(
                f'it is written "{scheme}://", where RFC 8252 §7.1 expects a single slash '
                f"({_show(scheme + ':/' + rest.lstrip('/'))})"
            )
        if not problems:
            continue
        yield Violation(
            f"redirect URI {_show(uri)}: {'; '.join(problems)}. Use a reverse-DNS scheme you "
            'control, e.g. "com.example.app:/oauth2/callback", or a claimed https URI',
            element.span,
            where,
        )


@client_rule("ORY410")
def server_fetched_uri_not_public_https(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra fetches these URIs itself: they must be public and (for keys) https."""
    ssrf_protection = settings.ory.disallow_private_ip_ranges
    for name in _SERVER_FETCHED:
        uri = client.string(name)
        attribute = client.attr(name)
        if not uri or attribute is None:
            continue
        try:
            url = parse_request_uri(uri)
        except URLError:
            continue  # not a fetchable URI at all (ORY409 reports logout URI form)
        host = url.hostname()
        private = bool(host) and is_private_or_loopback_host(host)
        plain_http = url.scheme == "http"
        if not private and not plain_http:
            continue
        problems = []
        if private:
            rejected = (
                "with clients.http.disallow_private_ip_ranges enabled Hydra rejects the client "
                "with HTTP 400"
                if ssrf_protection
                else "Hydra rejects it when SSRF protection "
                "(clients.http.disallow_private_ip_ranges) is enabled"
            )
            problems.append(
                f'the host "{host}" is local or private, so Ory\'s servers cannot reach it from a '
                f"hosted project, and {rejected}"
            )
        if plain_http:
            problems.append(
                "plain http lets an attacker swap the keys in transit and sign as this client "
                "(OIDC Registration §2 requires https)"
                if name == "jwks_uri"
                else "plain http sends logout tokens unencrypted"
            )
        yield Violation(
            f"{name} {_show(uri)}: {'; '.join(problems)}; serve it on a public https URL",
            attribute.value_span,
            name,
            severity="error" if private and ssrf_protection else None,
        )


def _version(text: str) -> tuple[int, int, int] | None:
    """``v26.2.0`` -> (26, 2, 0); None when the text is not a release number."""
    match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)", text.strip())
    if match is None:
        return None
    return int(match[1]), int(match[2]), int(match[3])


@client_rule("ORY411")
def metadata_uri_not_http(client: Client, settings: Settings) -> Iterator[Violation]:
    """These URIs are shown on login and consent screens: script or data URIs are an XSS vector."""
    version = _version(settings.ory.hydra_version)
    for name in _METADATA_URIS:
        uri = client.string(name)
        attribute = client.attr(name)
        if not uri or attribute is None:
            continue
        try:
            url = parse_request_uri(uri)
        except URLError as error:
            problem = f"does not parse as an absolute URI ({error})"
        else:
            if url.scheme in _WEB_SCHEMES:
                continue
            problem = f'uses the scheme "{url.scheme}"' if url.scheme else "has no scheme"
        since = _ENFORCED_SINCE[name]
        since_text = "v{}.{}.{}".format(*since)
        enforced = version is None or version >= since
        if enforced:
            outcome = (
                f"Hydra (since {since_text}) rejects the client with HTTP 400 because the URI is "
                "shown on login and consent screens"
            )
        else:
            outcome = (
                f"Hydra {settings.ory.hydra_version} still accepts it (rejected from "
                f"{since_text} on), but the URI is shown on login and consent screens, where a "
                "non-http(s) URI is unsafe"
            )
        yield Violation(
            f"{name} {_show(uri)} {problem}: {outcome}; use an absolute https URL",
            attribute.value_span,
            name,
            severity=None if enforced else "warning",
        )


@client_rule("ORY412")
def metadata_uri_host_mismatch(client: Client, settings: Settings) -> Iterator[Violation]:
    """RFC 7591 §5: metadata URIs on another host let a client borrow another brand (phishing)."""
    del settings
    redirects = client.strings("redirect_uris")
    if not redirects:
        return  # no redirect URI (nothing shows a consent screen), or one is unknown
    origins: set[tuple[str, str]] = set()
    for redirect in redirects:
        try:
            url = parse_request_uri(redirect)
        except URLError:
            continue
        if url.hostname():
            origins.add((url.scheme, url.hostname().lower()))
    if not origins:
        return  # only private-use scheme redirects: no host to compare with
    shown = ", ".join(f"{scheme}://{host}" for scheme, host in sorted(origins)[:3])
    for name in _METADATA_URIS:
        uri = client.string(name)
        attribute = client.attr(name)
        if not uri or attribute is None:
            continue
        try:
            url = parse_request_uri(uri)
        except URLError:
            continue  # ORY411
        host = url.hostname().lower()
        if url.scheme not in _WEB_SCHEMES or not host or (url.scheme, host) in origins:
            continue
        yield Violation(
            f"{name} {_show(uri)} is on {url.scheme}://{host}, which no redirect URI uses "
            f"({shown}): RFC 7591 §5 asks for the same host and scheme so that a client cannot "
            "show another organisation's name and logo on the consent screen; host it there, "
            "or suppress this note if the brand deliberately uses another domain",
            attribute.value_span,
            name,
        )

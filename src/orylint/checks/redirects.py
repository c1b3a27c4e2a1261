"""ORY401-ORY406, ORY410-ORY413: redirect URIs and the other URIs a client registers.

Hydra checks very little of a redirect URI at registration: it must parse as a Go request URI
and must not contain ``#``. Everything else (a scheme, a host, https, exact matching, loopback
ports) is decided per request by fosite, so a bad URI is accepted and only logins fail. The rules
here reason with Go's ``net/url`` semantics (``orylint.golang.urls``), never with Python's.

ORY401 owns ``#``: the other redirect rules look only at the part before it, so one mistake is
reported once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from orylint.engine import fixes
from orylint.engine.findings import Fix, Violation
from orylint.engine.registry import client_rule
from orylint.golang.urls import GoURL, URLError, parse, parse_ip, parse_request_uri
from orylint.model import effective
from orylint.model.effective import is_sensitive, show, version_key
from orylint.model.hosts import (
    is_localhost_name,
    is_loopback_host,
    is_loopback_ip_literal,
    is_redirect_uri_secure,
    ssrf_rejection,
)
from orylint.model.project import Client
from orylint.model.settings import Settings
from orylint.terraform.values import Attribute

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
    sensitive = is_sensitive(client, "redirect_uris")
    uris = list(effective.redirect_uris(client))
    attribute = client.attr("redirect_uris")
    fragment_free = {uri.raw for uri in uris if "#" not in uri.raw}
    for uri in uris:
        if "#" not in uri.raw:
            continue
        fragment = uri.raw.partition("#")[2]
        detail = (
            "an empty fragment still counts"
            if fragment == ""
            else f"fragment {show('#' + fragment, sensitive=sensitive)}"
        )
        example = show(uri.head, sensitive=sensitive) if uri.head else _EXAMPLE_REDIRECT
        yield Violation(
            f"redirect URI {show(uri.raw, sensitive=sensitive)} contains '#' ({detail}): Hydra "
            "rejects the client because redirect URIs must not have a fragment; remove it and "
            f"route on the path instead, e.g. {example}",
            uri.element.span,
            uri.where,
            fix=_fragment_fix(client, attribute, uri, fragment_free),
        )


def _fragment_fix(
    client: Client,
    attribute: Attribute | None,
    uri: effective.RedirectURI,
    fragment_free: set[str],
) -> Fix | None:
    """Drop the URI when its fragment-free form is already registered, else strip the fragment."""
    if attribute is None or not uri.head:
        return None
    if uri.head in fragment_free:
        return fixes.drop_element(
            client, attribute, uri.element, "remove the duplicate that only adds a fragment"
        )
    return fixes.replace_element(client, attribute, uri.element, uri.head, "remove the fragment")


_EXAMPLE_REDIRECT = '"https://app.example.com/callback"'


@client_rule("ORY402")
def redirect_uri_not_absolute(client: Client, settings: Settings) -> Iterator[Violation]:
    """A redirect URI must be absolute: Hydra checks only that it parses, fosite needs more."""
    del settings
    sensitive = is_sensitive(client, "redirect_uris")
    for uri in effective.redirect_uris(client):
        if uri.url is None:
            yield Violation(
                _unparsable_message(uri.raw, uri.head, sensitive), uri.element.span, uri.where
            )
            continue
        trap = _trap(uri.head, uri.url, sensitive)
        if trap is not None:
            problem, fix = trap
            yield Violation(
                f"redirect URI {show(uri.raw, sensitive=sensitive)} {problem}: Hydra accepts it, "
                "but no authorization request can ever use it (RFC 6749 §3.1.2 requires an "
                f"absolute URI); {fix}",
                uri.element.span,
                uri.where,
            )


def _unparsable_message(raw: str, head: str, sensitive: bool) -> str:
    """HARD: Go's ``url.ParseRequestURI`` fails, so Hydra answers 400."""
    try:
        parse_request_uri(head)
    except URLError as error:
        reason = str(error)
    else:  # pragma: no cover - only called for URIs that fail
        reason = "invalid URI"
    if reason == "invalid URI for request" and head and not head.startswith("/"):
        hint = f"add the scheme, e.g. {show('https://' + head, sensitive=sensitive)}"
    else:
        hint = f"write an absolute URI such as {_EXAMPLE_REDIRECT}"
    if sensitive:
        reason = "details not shown: the value is sensitive"  # Go's reason quotes parts of it
    return (
        f"redirect URI {show(raw, sensitive=sensitive)} does not parse as a request URI "
        f"({reason}): Hydra rejects the client with HTTP 400; {hint}"
    )


def _trap(head: str, url: GoURL, sensitive: bool) -> tuple[str, str] | None:
    """RUNTIME: why a URI that Go parses is unusable as a redirect target, and the fix."""
    if head == "*":
        return (
            'is a lone "*", which Go parses as the HTTP `OPTIONS *` target, not a wildcard',
            "redirect URIs are matched exactly, so list every exact URI",
        )
    if head.startswith("//"):
        return (
            'has no scheme, and in a request URI Go reads "//host/..." as a path',
            f"write the full URI, e.g. {show('https:' + head, sensitive=sensitive)}",
        )
    if not url.scheme:
        return (
            "is a path without scheme and host",
            "write the full URI, e.g. "
            + show("https://app.example.com" + head, sensitive=sensitive),
        )
    if _scheme_is_a_host(url):
        scheme = show(url.scheme, sensitive=sensitive)
        opaque = show(url.opaque, sensitive=sensitive)
        return (
            f'has no "//", so Go parses {scheme} as its scheme and {opaque} as an opaque part '
            "that browsers cannot follow",
            f"write {show('http://' + head, sensitive=sensitive)} (or https)",
        )
    if url.scheme in _WEB_SCHEMES and not url.hostname():
        return f"is an {url.scheme} URI without a host", f'write "{url.scheme}://<host>/<path>"'
    return None


@client_rule("ORY403")
def http_redirect_uri(client: Client, settings: Settings) -> Iterator[Violation]:
    """The code flow (and PAR) refuse plain-http redirects to non-loopback hosts (fosite)."""
    del settings
    sensitive = is_sensitive(client, "redirect_uris")
    for uri in effective.redirect_uris(client):
        url = uri.url
        if url is None or not url.hostname() or is_redirect_uri_secure(url):
            continue
        host = url.hostname()
        shown_host = show(host, sensitive=sensitive)
        case_hint = ""
        if _is_localhost_dns(host):
            case_hint = (
                "; Ory's localhost test is case-sensitive and allows no trailing dot, so "
                f"{shown_host} does not count as loopback: write it in lowercase without the dot"
            )
        yield Violation(
            f"redirect URI {show(uri.raw, sensitive=sensitive)} uses plain http to the "
            f"non-loopback host {shown_host}: the authorization code flow and PAR refuse it as "
            "insecure, and implicit or hybrid flows would send tokens unencrypted; use https "
            f"(RFC 9700 §2.6 allows http only for loopback){case_hint}",
            uri.element.span,
            uri.where,
        )


@client_rule("ORY404")
def localhost_loopback_redirect(client: Client, settings: Settings) -> Iterator[Violation]:
    """RFC 8252 §7.3/§8.3: a native app's loopback redirect should be an IP literal, any port.

    Only a native app listens for its own redirect on a port it may pick at run time, so only a
    client that :func:`effective.native_app` shows to be one is judged: a web app or SPA with a
    development server on ``http://localhost:3000`` has a fixed port, and exact matching works.
    """
    del settings
    native = effective.native_app(client)
    if native is None:
        return
    sensitive = is_sensitive(client, "redirect_uris")
    for uri in effective.redirect_uris(client):
        url = uri.url
        if url is None or url.scheme != "http" or not is_redirect_uri_secure(url):
            continue  # ORY403 reports a localhost that fosite does not accept (e.g. LOCALHOST)
        host, port = url.hostname(), url.port()
        shown = show(uri.raw, sensitive=sensitive)
        if is_localhost_name(host):
            suggestion = show(_loopback_rewrite(uri.head, "127.0.0.1"), sensitive=sensitive)
            if port:
                failure = (
                    f"Ory matches a name exactly, so the app must always get port "
                    f"{show(int(port), sensitive=sensitive)}: if another program holds it, or "
                    "the app asks the OS for an ephemeral port, the login fails"
                )
            else:
                failure = (
                    "Ory matches a name exactly, so only a listener on port 80 receives the "
                    "response, and an app on any other port fails"
                )
            yield Violation(
                f"redirect URI {shown} uses the name {show(host, sensitive=sensitive)} in a "
                f"native app ({native}): {failure}; RFC 8252 §8.3 does not recommend localhost "
                f"for this reason, and because the name may resolve off the loopback interface; "
                f"register {suggestion} and let the app pick its port at run time (§7.3)",
                uri.element.span,
                uri.where,
            )
        elif port and is_loopback_ip_literal(host):
            suggestion = show(_loopback_rewrite(uri.head, None), sensitive=sensitive)
            yield Violation(
                f"redirect URI {shown} pins port {show(int(port), sensitive=sensitive)}, but Ory "
                "ignores the port of a loopback IP literal (RFC 8252 §7.3), so the native app "
                f"may listen on any free port; register {suggestion} to say so",
                uri.element.span,
                uri.where,
                severity="note",
            )


def _loopback_rewrite(head: str, host: str | None) -> str:
    """``head`` (a redirect URI before ``#``) without its port, and with ``host`` if given.

    fosite matches a loopback redirect on any port but compares the hostname, the path and the
    query exactly (``isMatchingAsLoopback`` in ``authorize_helper.go``), so the suggestion keeps
    the host as written (``[::1]`` stays ``[::1]``) unless the finding is about the host, and
    keeps the path and query verbatim. Go ends the authority at the first ``/`` or ``?``.
    """
    start = head.index("//") + 2
    end = next((i for i in range(start, len(head)) if head[i] in "/?"), len(head))
    if host is None:
        authority = head[start:end].rpartition("@")[2]
        bracket = authority.rfind("]")
        colon = authority.rfind(":")
        host = authority[:colon] if colon > bracket else authority
    return f"http://{host}{head[end:]}"


@client_rule("ORY405")
def wildcard_redirect_uri(client: Client, settings: Settings) -> Iterator[Violation]:
    """Redirect URIs are compared by exact string equality, so ``*`` never expands."""
    del settings
    sensitive = is_sensitive(client, "redirect_uris")
    for uri in effective.redirect_uris(client):
        if "*" not in uri.head or uri.head == "*":
            continue  # a lone "*" is ORY402's, one in a fragment ORY401's
        yield Violation(
            f"redirect URI {show(uri.raw, sensitive=sensitive)} contains '*', but Ory matches "
            "redirect URIs by exact string comparison, so the wildcard never expands and logins "
            "from the hosts or paths it was meant to cover fail; list every exact redirect URI "
            "(RFC 9700 §2.1)",
            uri.element.span,
            uri.where,
        )


@client_rule("ORY406")
def private_use_scheme_not_reverse_dns(client: Client, settings: Settings) -> Iterator[Violation]:
    """RFC 8252 §7.1: a private-use scheme must be a reverse domain name the app controls.

    A generic scheme can be claimed by any other app on the device, which then receives the
    authorization response (§8.4). How many slashes follow the colon is not judged: §7.1 explains
    the single slash of ``com.example.app:/cb`` but requires nothing of it, fosite compares the
    string exactly, and the mobile platforms deliver both forms.
    """
    del settings
    sensitive = is_sensitive(client, "redirect_uris")
    for uri in effective.redirect_uris(client):
        url = uri.url
        if url is None or not url.scheme or url.scheme in _WEB_SCHEMES or _scheme_is_a_host(url):
            continue
        scheme = url.scheme
        if "." in scheme:
            continue
        reason = _NOT_APP_SCHEMES.get(
            scheme,
            "is not a reverse-DNS name, so any other app on the device can claim it and "
            "receive the authorization response (RFC 8252 §7.1, §8.4)",
        )
        yield Violation(
            f"redirect URI {show(uri.raw, sensitive=sensitive)}: the scheme "
            f"{show(scheme, sensitive=sensitive)} {reason}. Use a reverse-DNS scheme you control, "
            'e.g. "com.example.app:/oauth2/callback", or a claimed https URI',
            uri.element.span,
            uri.where,
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
            continue  # not an absolute URI: ORY413 (jwks_uri), ORY409 (logout URI)
        if not url.hostname() or (name == "jwks_uri" and url.scheme not in _WEB_SCHEMES):
            continue  # ORY413 (jwks_uri), ORY409 (logout URI)
        refused = ssrf_rejection(uri)
        plain_http = url.scheme == "http"
        if refused is None and not plain_http:
            continue
        sensitive = attribute.sensitive
        problems = []
        if refused is not None:
            host, why = refused
            rejected = (
                "with clients.http.disallow_private_ip_ranges enabled Hydra rejects the client "
                "with HTTP 400"
                if ssrf_protection
                else "Hydra rejects it when SSRF protection "
                "(clients.http.disallow_private_ip_ranges) is enabled"
            )
            problems.append(
                f"the host {show(host, sensitive=sensitive)} {why}, not a public endpoint Ory's "
                f"servers can fetch, and {rejected}"
            )
        if plain_http:
            problems.append(
                "plain http lets an attacker swap the keys in transit and sign as this client "
                "(OIDC Registration §2 requires https)"
                if name == "jwks_uri"
                else "plain http sends logout tokens unencrypted"
            )
        yield Violation(
            f"{name} {show(uri, sensitive=sensitive)}: {'; '.join(problems)}; serve it "
            "on a public https URL",
            attribute.value_span,
            name,
            severity="error" if refused is not None and ssrf_protection else None,
        )


@client_rule("ORY413")
def jwks_uri_not_fetchable(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra stores any string as ``jwks_uri``, but fetches it with Go's HTTP client later."""
    uri = client.string("jwks_uri")
    attribute = client.attr("jwks_uri")
    if not uri or attribute is None:
        return
    sensitive = attribute.sensitive
    try:
        url = parse(uri)
    except URLError as error:
        reason = "details not shown: the value is sensitive" if sensitive else str(error)
        problem = f"does not parse as a URL ({reason})"
        hint = "write the absolute https URL of the key set"
    else:
        if url.scheme in _WEB_SCHEMES and url.hostname():
            return
        if not url.scheme or _scheme_is_a_host(url):
            problem = "has no http(s) scheme" + (
                f" (Go reads {show(url.scheme, sensitive=sensitive)} as the scheme)"
                if url.scheme
                else ""
            )
            hint = f"write {show('https://' + uri.removeprefix('//'), sensitive=sensitive)}"
        elif url.scheme not in _WEB_SCHEMES:
            problem = f"uses the scheme {show(url.scheme, sensitive=sensitive)}"
            hint = "serve the key set over https"
        else:
            problem = f"is an {url.scheme} URL without a host"
            hint = f'write "{url.scheme}://<host>/<path>"'
    private_key_jwt = effective.auth_method(client) == effective.PRIVATE_KEY_JWT
    consequence = (
        "so private_key_jwt authentication always fails"
        if private_key_jwt
        else "so request objects signed by this client cannot be verified"
    )
    rejected = ""
    refused = ssrf_rejection(uri) if settings.ory.disallow_private_ip_ranges else None
    if refused is not None:
        host, why = refused
        rejected = (
            "; with clients.http.disallow_private_ip_ranges enabled Hydra also rejects the "
            f"client with HTTP 400, since the host {show(host, sensitive=sensitive)} {why}"
        )
    yield Violation(
        f"jwks_uri {show(uri, sensitive=sensitive)} {problem}: Hydra stores it, but its HTTP "
        f"client can never fetch keys from it, {consequence}{rejected}; {hint}",
        attribute.value_span,
        "jwks_uri",
        severity=None if private_key_jwt or rejected else "warning",
    )


@client_rule("ORY411")
def metadata_uri_not_http(client: Client, settings: Settings) -> Iterator[Violation]:
    """These URIs are shown on login and consent screens: script or data URIs are an XSS vector."""
    version = version_key(settings.ory.hydra_version)
    for name in _METADATA_URIS:
        uri = client.string(name)
        attribute = client.attr(name)
        if not uri or attribute is None:
            continue
        sensitive = attribute.sensitive
        try:
            url = parse_request_uri(uri)
        except URLError as error:
            reason = "details not shown: the value is sensitive" if sensitive else str(error)
            problem = f"does not parse as an absolute URI ({reason})"
        else:
            if url.scheme in _WEB_SCHEMES:
                continue
            problem = (
                f"uses the scheme {show(url.scheme, sensitive=sensitive)}"
                if url.scheme
                else "has no scheme"
            )
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
            f"{name} {show(uri, sensitive=sensitive)} {problem}: {outcome}; use an absolute "
            "https URL",
            attribute.value_span,
            name,
            severity=None if enforced else "warning",
        )


@client_rule("ORY412")
def metadata_uri_host_mismatch(client: Client, settings: Settings) -> Iterator[Violation]:
    """RFC 7591 §5: metadata URIs on another site let a client borrow another brand (phishing).

    Sites, not hosts, are compared: a logo on ``cdn.example.com`` or a policy on
    ``www.example.com`` for an app on ``app.example.com`` is one organisation's, and flagging it
    would be noise on nearly every well-kept client. Loopback redirect URIs name no site.
    """
    del settings
    if not client.strings("redirect_uris"):
        return  # no redirect URI (nothing shows a consent screen), or one is unknown
    origins: set[tuple[str, str]] = set()
    for redirect in effective.redirect_uris(client):
        url = redirect.url
        if url is not None and url.hostname() and not is_loopback_host(url.hostname()):
            origins.add((url.scheme, _site(url.hostname())))
    if not origins:
        return  # only private-use scheme or loopback redirects: no site to compare with
    if is_sensitive(client, "redirect_uris"):
        shown = show("", sensitive=True)
    else:
        shown = ", ".join(show(f"{scheme}://{site}") for scheme, site in sorted(origins)[:3])
    for name in _METADATA_URIS:
        uri = client.string(name)
        attribute = client.attr(name)
        if not uri or attribute is None:
            continue
        try:
            url = parse_request_uri(uri)
        except URLError:
            continue  # ORY411
        host = url.hostname()
        if url.scheme not in _WEB_SCHEMES or not host or (url.scheme, _site(host)) in origins:
            continue
        sensitive = attribute.sensitive
        site = show(f"{url.scheme}://{_site(host)}", sensitive=sensitive)
        yield Violation(
            f"{name} {show(uri, sensitive=sensitive)} is on {site}, which no redirect URI uses "
            f"({shown}): RFC 7591 §5 asks for the same site and scheme so that a client cannot "
            "show another organisation's name and logo on the consent screen; host it there, "
            "or suppress this note if the brand deliberately uses another domain",
            attribute.value_span,
            name,
        )


def _site(host: str) -> str:
    """The registrable part of a host name, approximated by its last two labels.

    Without the Public Suffix List, ``app.example.co.uk`` yields ``co.uk``, which only makes more
    hosts count as the same site: fewer notes, never a wrong one. IP literals and single-label
    names are compared whole.
    """
    name = host.lower().removesuffix(".")
    if ":" in name or parse_ip(name) is not None or "." not in name:
        return name
    return ".".join(name.split(".")[-2:])

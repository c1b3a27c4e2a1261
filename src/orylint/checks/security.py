"""ORY901-ORY907: security best practice (RFC 9700, RFC 8252) and Hydra's CORS handling.

Hydra accepts all of these clients; the rules point at configurations that hand tokens to the
wrong party (implicit flow, auto-consent for public clients, wildcard or plaintext CORS origins,
secrets shipped in apps, unrestricted JWT access tokens) or CORS origins Hydra rejects or can never
match. CORS origins are read exactly as Hydra's validator reads them, with Go's ``url.Parse``
(``orylint.golang.urls``).
"""

from __future__ import annotations

from collections.abc import Iterator

from orylint.engine.findings import Violation
from orylint.engine.registry import client_rule
from orylint.golang.durations import DurationError, parse_go_duration
from orylint.golang.urls import GoURL, URLError, parse
from orylint.model import cors, effective
from orylint.model.effective import (
    IMPLICIT,
    LIFESPAN_ATTRIBUTES,
    SHARED_SECRET_METHODS,
    is_sensitive,
    show,
)
from orylint.model.hosts import DEFAULT_PORTS, is_loopback_host
from orylint.model.project import Client
from orylint.model.settings import Settings
from orylint.terraform.values import Element

_HTTP_SCHEMES = ("http", "https")
_HTTP_ONLY = "Hydra accepts only http:// and https:// origins and rejects the client"
_NEVER_MATCHES = "Hydra stores it, but no browser origin ever matches it"


@client_rule("ORY901")
def implicit_flow(client: Client, settings: Settings) -> Iterator[Violation]:
    """The implicit grant and ``token`` response types put access tokens in the URL."""
    del settings
    sensitive = is_sensitive(client, "response_types")
    for element, grant in client.known_elements("grant_types"):
        if grant == IMPLICIT:
            yield Violation(
                'the "implicit" grant is deprecated (RFC 9700 §2.1.2: access tokens in the '
                "front channel leak); use authorization_code with PKCE",
                element.span,
                f"grant_types[{element.index}]",
            )
    for element, entry in client.known_elements("response_types"):
        if "token" in entry.split():
            yield Violation(
                f"response type {show(entry, sensitive=sensitive)} returns an access token from "
                'the authorization endpoint (RFC 9700 §2.1.2); use "code" with PKCE',
                element.span,
                f"response_types[{element.index}]",
            )


# --------------------------------------------------------------------------
# Native and browser apps (ORY902, ORY906)
# --------------------------------------------------------------------------


def _native_redirect(url: GoURL | None) -> str | None:
    """``loopback address`` or ``private-use scheme`` for a redirect a native app uses.

    Such a redirect does not prove who receives the response: any app on the device can listen on
    a loopback port or claim a custom scheme (RFC 8252 §8.4, §8.6).
    """
    if url is None:
        return None  # ORY402 reports it
    if url.scheme in _HTTP_SCHEMES:
        return "loopback address" if is_loopback_host(url.hostname()) else None
    return "private-use scheme" if url.scheme else None


@client_rule("ORY902")
def skip_consent_public_client(client: Client, settings: Settings) -> Iterator[Violation]:
    """Anyone can present a public client's id, so auto-consent hands them the user's tokens."""
    del settings
    if effective.is_public(client) is not True:
        return
    attribute = client.attr("skip_consent")
    if attribute is not None and client.boolean("skip_consent") is True:
        native = [
            (uri.raw, kind)
            for uri in effective.redirect_uris(client)
            if (kind := _native_redirect(uri.url))
        ]
        if native:
            raw, kind = native[0]
            shown = show(raw, sensitive=is_sensitive(client, "redirect_uris"))
            yield Violation(
                f"`skip_consent = true` on a public client whose redirect URI {shown} uses a "
                f"{kind}: any app on the device can receive that redirect and get the user's "
                "tokens without the user seeing a consent screen (RFC 8252 §8.6); remove "
                "`skip_consent`",
                attribute.value_span,
                "skip_consent",
                severity="error",
            )
        else:
            yield Violation(
                "`skip_consent = true` on a public client: anyone can start a flow with its "
                "client id and get a logged-in user's tokens without a consent screen (RFC 8252 "
                "§8.6); remove it, or make the first-party client confidential",
                attribute.value_span,
                "skip_consent",
            )
    attribute = client.attr("skip_logout_consent")
    if attribute is not None and client.boolean("skip_logout_consent") is True:
        yield Violation(
            "`skip_logout_consent = true` on a public client: anyone holding its client id can "
            "log users out without asking them; keep the logout confirmation for public clients",
            attribute.value_span,
            "skip_logout_consent",
            severity="note",
        )


# --------------------------------------------------------------------------
# CORS origins (ORY903-ORY905)
# --------------------------------------------------------------------------


def _origin_error(origin: str, sensitive: bool) -> tuple[str, str | None] | None:
    """Why Hydra rejects an origin (client/validator.go), or why no browser's origin matches it.

    Returns the problem and, when the generic one does not fit, what to write instead. Hydra
    parses each entry with Go's ``url.Parse`` and requires an http(s) scheme, no user info, a
    path of only slashes, and no query or fragment; those rejections are decided first. What
    passes is stored as Go prints it and later matched as a glob (:mod:`orylint.model.cors`),
    and a few shapes then never match the origin they name.
    """
    try:
        url = parse(origin)
    except URLError as error:
        reason = "details not shown: the value is sensitive" if sensitive else str(error)
        return f"does not parse ({reason}): Hydra rejects the client", None
    if url.scheme not in _HTTP_SCHEMES:
        if not url.scheme:
            return f"has no scheme: {_HTTP_ONLY}", None
        extension = (
            " (browser-extension origins cannot be allowed per client)"
            if url.scheme.endswith("-extension")
            else ""
        )
        return (
            f"uses the scheme {show(url.scheme, sensitive=sensitive)}{extension}: {_HTTP_ONLY}",
            None,
        )
    if url.user:
        return "contains user info: Hydra rejects the client", None
    if url.path.strip("/"):
        return (
            f"has the path {show(url.path, sensitive=sensitive)}, which an origin never has: "
            "Hydra rejects the client",
            None,
        )
    if url.raw_query:
        return "has a query: Hydra rejects the client", None
    if url.fragment:
        return "has a fragment: Hydra rejects the client", None
    if url.opaque:
        return f"has no `//` after the scheme: {_NEVER_MATCHES}", None
    if url.user is not None:
        return f'contains an empty user info ("@"): {_NEVER_MATCHES}', None
    if not url.hostname():
        return f"has no host: {_NEVER_MATCHES}", None
    return _never_matches(url, sensitive)


def _never_matches(url: GoURL, sensitive: bool) -> tuple[str, str | None] | None:
    """An accepted origin whose stored glob cannot match the ``Origin`` header it names.

    A trailing ``?`` and an empty port are decided from the stored text alone, wildcard or not;
    the other shapes are decided by matching the stored glob against the origin's ``Origin``
    header. Other wildcards are ORY903's, and the default port is a warning
    (:func:`_origin_form_warnings`).
    """
    stored = cors.stored_form(url)
    shown = show(stored, sensitive=sensitive)
    if url.force_query:
        intended = show(stored[:-1], sensitive=sensitive)
        return (
            f'ends in "?", which Hydra keeps ({shown}) and matches as a glob, where "?" stands '
            f"for any one character: it allows only origins one character longer than "
            f"{intended}, never {intended} itself",
            f"write {intended}",
        )
    if url.host.endswith(":"):
        intended = show(stored[:-1], sensitive=sensitive)
        return (
            f"has an empty port: Hydra stores {shown}, and no Origin header ends in a colon, so "
            "it never matches",
            f"write {intended}",
        )
    if "*" in stored or (url.port() and url.port() == DEFAULT_PORTS[url.scheme]):
        return None
    header = cors.origin_header(url)
    if header is None:
        if url.hostname().isascii():
            return None  # a zoned IPv6 address: no browser origin to compare with
        return _unicode_host(url, shown, sensitive)
    if cors.matches(stored, header):
        return None
    wanted = show(header, sensitive=sensitive)
    if url.host.startswith("["):
        return (
            f"is an IPv6 literal: Hydra matches stored origins as glob patterns, where "
            f'"[...]" is a character class for one character, so the Origin header {wanted} '
            "never matches",
            "use a host name for the app (no IPv6-literal origin can be allowed per client)",
        )
    return (  # pragma: no cover - every accepted shape that fails is explained above
        f"is stored as {shown}, which Hydra's glob matching never matches against the Origin "
        f"header {wanted}",
        f"write {wanted}",
    )


def _unicode_host(url: GoURL, shown: str, sensitive: bool) -> tuple[str, str | None]:
    """A host outside ASCII: Hydra stores it percent-encoded, browsers send it in punycode."""
    try:
        ascii_host = url.hostname().encode("idna").decode("ascii")
    except UnicodeError:
        fix = None
    else:
        port = f":{url.port()}" if url.port() else ""
        fix = "write the punycode form " + show(
            f"{url.scheme}://{ascii_host.lower()}{port}", sensitive=sensitive
        )
    return (
        f"has a host outside ASCII: Hydra stores it percent-encoded ({shown}), but browsers send "
        "the host in punycode (xn--...), so it never matches",
        fix,
    )


def _valid_origins(client: Client) -> Iterator[tuple[Element, str, GoURL]]:
    """The known ``allowed_cors_origins`` entries Hydra accepts (ORY904 reports the others)."""
    for element, origin in client.known_elements("allowed_cors_origins"):
        if origin == "*" or _origin_error(origin, sensitive=False) is not None:
            continue
        yield element, origin, parse(origin)


@client_rule("ORY903")
def wildcard_cors_origin(client: Client, settings: Settings) -> Iterator[Violation]:
    """``*`` is rejected; ``https://*`` and unbounded patterns open the token endpoint to others."""
    del settings
    for element, origin in client.known_elements("allowed_cors_origins"):
        if origin == "*":
            yield Violation(
                'CORS origin "*" is not an http(s) origin: Hydra rejects the client; list exact '
                'origins such as "https://spa.example.com"',
                element.span,
                f"allowed_cors_origins[{element.index}]",
            )
    sensitive = is_sensitive(client, "allowed_cors_origins")
    for element, origin, url in _valid_origins(client):
        stored = cors.stored_form(url)
        pattern = cors.classify(stored)
        if not pattern.wildcard:
            continue
        where = f"allowed_cors_origins[{element.index}]"
        shown = show(origin, sensitive=sensitive)
        if cors.is_catch_all(stored):
            yield Violation(
                f"CORS origin {shown} matches every {url.scheme} origin: when public CORS is "
                "enabled any website can call the token, userinfo and revocation endpoints for "
                "this client from a user's browser; list exact origins such as \"https://spa."
                'example.com"',
                element.span,
                where,
                severity="warning",
            )
        elif pattern.unsafe:
            prefix, _, suffix = stored.lower().partition("*")
            matched = f"start with {show(prefix, sensitive=sensitive)}" + (
                f" and end with {show(suffix.lstrip('*'), sensitive=sensitive)}" if suffix else ""
            )
            who = (
                "which any program on the user's machine can serve"
                if pattern.base == "localhost"
                else "including ones an attacker registers"
            )
            yield Violation(
                f"CORS origin {shown} is an unbounded wildcard: current Hydra ignores it, and "
                f"older builds allow origins that {matched}, {who}; list exact origins, or one "
                'wildcard label under your own domain such as "https://*.example.com"',
                element.span,
                where,
                severity="warning",
            )


@client_rule("ORY904")
def malformed_cors_origin(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra rejects non-origins, and stores the others canonicalized (so plans drift)."""
    del settings
    sensitive = is_sensitive(client, "allowed_cors_origins")
    for element, origin in client.known_elements("allowed_cors_origins"):
        if origin == "*":
            continue  # ORY903
        where = f"allowed_cors_origins[{element.index}]"
        error = _origin_error(origin, sensitive)
        if error is not None:
            problem, fix = error
            yield Violation(
                f"CORS origin {show(origin, sensitive=sensitive)} {problem}; "
                f"{fix or _origin_fix(origin, sensitive)}",
                element.span,
                where,
            )
            continue
        yield from _origin_form_warnings(origin, parse(origin), element, where, sensitive)


def _origin_fix(origin: str, sensitive: bool) -> str:
    """What to write instead of a rejected origin: its scheme and host when it has both."""
    try:
        url = parse(origin)
    except URLError:
        url = GoURL()
    if url.scheme in _HTTP_SCHEMES and url.hostname() and not url.opaque:
        return f"write {show(f'{url.scheme}://{url.host}', sensitive=sensitive)}"
    return 'write it as scheme://host[:port], e.g. "https://spa.example.com"'


def _origin_form_warnings(
    origin: str, url: GoURL, element: Element, where: str, sensitive: bool
) -> Iterator[Violation]:
    """Drift (Hydra stores a canonical form) and a default port no browser sends."""
    raw_scheme = origin.split(":", 1)[0]
    authority = origin[len(raw_scheme) + 3 :].split("/", 1)[0].split("#", 1)[0]
    canonical = show(f"{url.scheme}://{authority}", sensitive=sensitive)
    shown = show(origin, sensitive=sensitive)
    changes = []
    if raw_scheme != url.scheme:
        changes.append("lower-cases the scheme")
    if url.path:
        changes.append("drops the trailing slash")
    if "#" in origin:
        changes.append('drops the empty "#"')
    if changes:
        yield Violation(
            f"CORS origin {shown}: Hydra {' and '.join(changes)} and stores {canonical}, so "
            f"every plan shows a change; write {canonical}",
            element.span,
            where,
            severity="warning",
        )
    if url.port() and url.port() == DEFAULT_PORTS[url.scheme]:
        bare = show(f"{url.scheme}://{authority.rsplit(':', 1)[0]}", sensitive=sensitive)
        yield Violation(
            f"CORS origin {shown} has the default port :{url.port()}, which browsers never "
            f"send in the Origin header, so it never matches; write {bare}",
            element.span,
            where,
            severity="warning",
        )


@client_rule("ORY905")
def http_cors_origin(client: Client, settings: Settings) -> Iterator[Violation]:
    """A plaintext origin can be altered on the network and then call the token endpoint."""
    del settings
    sensitive = is_sensitive(client, "allowed_cors_origins")
    for element, origin, url in _valid_origins(client):
        host = url.hostname()
        if url.scheme != "http" or host == "*":  # ORY903 reports http://*
            continue
        if is_loopback_host(host):
            continue
        yield Violation(
            f"CORS origin {show(origin, sensitive=sensitive)} uses plain http: anyone on the "
            "network path can inject script into that page and call the token and userinfo "
            "endpoints as this client (RFC 9700 §2.6); serve the app over https and list the "
            "https:// origin",
            element.span,
            f"allowed_cors_origins[{element.index}]",
        )


# --------------------------------------------------------------------------
# Client authentication (ORY906) and JWT access tokens (ORY907)
# --------------------------------------------------------------------------


@client_rule("ORY906")
def weak_client_authentication(client: Client, settings: Settings) -> Iterator[Violation]:
    """Secrets in apps are not secret (RFC 8252 §8.5); strong clients want keys (RFC 9700 §2.5)."""
    method = effective.auth_method(client)
    if method not in SHARED_SECRET_METHODS:
        return
    attribute = client.attr("token_endpoint_auth_method")
    span = attribute.value_span if attribute is not None else client.span
    shown = f'"{method}"' if attribute is not None else f'the provider default "{method}"'
    app = _looks_like_app(client)
    if app:
        yield Violation(
            f"the client {app}, yet authenticates with a shared secret ({shown}): a secret "
            "shipped in an app can be extracted, so it protects nothing (RFC 8252 §8.5); make "
            'it public (token_endpoint_auth_method = "none") and use PKCE',
            span,
            "token_endpoint_auth_method",
        )
        return
    privileges = _privileges(client, settings)
    if privileges:
        yield Violation(
            f"the client is high-privilege ({'; '.join(privileges)}) "
            f"but authenticates with a shared secret ({shown}): prefer private_key_jwt, so no "
            "reusable secret crosses the wire or sits in the server's database (RFC 9700 §2.5)",
            span,
            "token_endpoint_auth_method",
            severity="note",
        )


def _looks_like_app(client: Client) -> str | None:
    """How the client shows it runs on a user's device or in a browser, or None."""
    cors = client.attr("allowed_cors_origins")
    if cors is not None and isinstance(cors.value, list) and cors.value:
        return "sets allowed_cors_origins, so it calls the token endpoint from a browser"
    uris = client.strings("redirect_uris")
    if uris and all(_native_redirect(uri.url) for uri in effective.redirect_uris(client)):
        return "redirects only to loopback or private-use-scheme URIs, so it is a native app"
    return None


def _privileges(client: Client, settings: Settings) -> list[str]:
    """What makes a client high-privilege: audience, privileged scopes, long lifespans."""
    reasons = []
    audience = client.attr("audience")
    if audience is not None and isinstance(audience.value, list) and audience.value:
        reasons.append("it sets audience")
    names = [name.lower() for name in settings.security.privileged_scopes]
    scope = effective.scope(client, settings)
    tokens = scope.tokens if scope is not None else ()
    privileged = [token for token in tokens if any(name in token.lower() for name in names)]
    if privileged and scope is not None:
        shown = ", ".join(show(token, sensitive=scope.sensitive) for token in privileged)
        reasons.append(f"scope {shown}")
    for name in LIFESPAN_ATTRIBUTES:
        value = client.string(name)
        if value is None:
            continue
        try:
            excess = effective.lifespan_excess(name, parse_go_duration(value), settings)
        except DurationError:
            continue
        if excess is not None and excess[0] == "warning":
            shown = show(value, sensitive=is_sensitive(client, name))
            reasons.append(f"{name} = {shown}, above {excess[1]}")
    return reasons


@client_rule("ORY907")
def jwt_access_token_without_audience(client: Client, settings: Settings) -> Iterator[Violation]:
    """JWT access tokens cannot be revoked, so they should at least be audience-restricted."""
    sensitive = is_sensitive(client, "audience")
    for element, value in client.known_elements("audience"):
        if any(char.isspace() for char in value):
            yield Violation(
                f"audience {show(value, sensitive=sensitive)} contains whitespace: the audience "
                "request parameter is space-delimited, so this value can never be requested; use "
                "a URI without spaces",
                element.span,
                f"audience[{element.index}]",
            )
    if effective.access_token_strategy(client, settings) != "jwt":
        return
    audience = client.attr("audience")
    if audience is not None and not (isinstance(audience.value, list) and not audience.value):
        return  # set, or unknown
    strategy = client.attr("access_token_strategy")
    span = strategy.value_span if strategy is not None else client.span
    if client.string("access_token_strategy"):
        source = "this client issues JWT access tokens"
    else:
        source = (
            "this client issues the project's JWT access tokens "
            '(ory.access_token_strategy = "jwt")'
        )
    yield Violation(
        f"{source} with no audience: they cannot be revoked before they expire and are "
        "accepted by every resource server (RFC 9700 §2.3); set audience to the APIs that "
        'accept them, e.g. ["https://api.example.com"], or prefer opaque tokens',
        span,
        "audience",
    )

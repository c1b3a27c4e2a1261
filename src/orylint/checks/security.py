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
from orylint.golang.urls import GoURL, URLError, parse
from orylint.model import cors, effective
from orylint.model.effective import (
    DEVICE_CODE,
    IMPLICIT,
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
    """Access tokens in the front channel: the implicit grant with a ``token`` response type.

    fosite hands out an access token at the authorization endpoint only to a client that has the
    ``implicit`` grant *and* registers a response type containing ``token`` (``token``,
    ``id_token token``, ``code token``, ``code id_token token``). Without the grant every such
    request is refused, so no token can leak, and ORY304 reports the dead entry; with only
    ``id_token`` no access token is issued there. One finding per client, on the grant.
    """
    del settings
    implicit = [
        element for element, grant in client.known_elements("grant_types") if grant == IMPLICIT
    ]
    if not implicit:
        return
    entries = (
        [entry for _, entry in client.known_elements("response_types")]
        if client.is_set("response_types")
        else ["code"]  # Hydra's default: the implicit grant is then unusable (ORY304)
    )
    front_channel = [entry for entry in entries if "token" in entry.split()]
    if not front_channel:
        return
    sensitive = is_sensitive(client, "response_types")
    shown = ", ".join(show(entry, sensitive=sensitive) for entry in front_channel)
    element = implicit[0]
    types = "response types" if len(front_channel) > 1 else "response type"
    yield Violation(
        f'the "implicit" grant with the {types} {shown} returns access tokens from the '
        "authorization endpoint in the browser's URL, where history, logs and referrers leak "
        "them and an attacker can inject stolen ones (RFC 9700 §2.1.2); use authorization_code "
        'with PKCE and response_types = ["code"]',
        element.span,
        f"grant_types[{element.index}]",
    )


# --------------------------------------------------------------------------
# Auto-consent (ORY902)
# --------------------------------------------------------------------------


@client_rule("ORY902")
def skip_consent_public_client(client: Client, settings: Settings) -> Iterator[Violation]:
    """Auto-consent is safe only where the redirect proves who receives the response.

    Anyone can start a flow with a public client's id. With an https redirect URI on a public
    host the response still goes to that site, so skipping consent hands nothing to the caller;
    a loopback or private-use-scheme redirect reaches whichever app on the device listens or
    claims the scheme (RFC 8252 §8.6), and a device-flow user code can be phished (RFC 8628
    §5.4): there the consent screen is the user's only chance to see who asks.
    """
    del settings
    attribute = client.attr("skip_consent")
    if (
        attribute is None
        or client.boolean("skip_consent") is not True
        or effective.is_public(client) is not True
    ):
        return
    sensitive = is_sensitive(client, "redirect_uris")
    for uri in effective.redirect_uris(client):
        kind = effective.native_redirect(uri.url)
        if kind is not None:
            yield Violation(
                f"`skip_consent = true` on a public client whose redirect URI "
                f"{show(uri.raw, sensitive=sensitive)} uses a {kind}: any app on the device can "
                "start a login with this client id, receive that redirect and get the user's "
                "tokens without the user seeing a consent screen (RFC 8252 §8.6); remove "
                "`skip_consent`",
                attribute.value_span,
                "skip_consent",
            )
            return
    if DEVICE_CODE in effective.certain_grants(client):
        yield Violation(
            "`skip_consent = true` on a public client with the device_code grant: anyone can "
            "request a user code with this client id and send it to a victim, who then logs in "
            "and hands over tokens without a consent screen naming the app (RFC 8628 §5.4); "
            "remove `skip_consent`",
            attribute.value_span,
            "skip_consent",
        )


# --------------------------------------------------------------------------
# CORS origins (ORY903-ORY905)
# --------------------------------------------------------------------------


def _origin_error(origin: str, sensitive: bool) -> tuple[str, str | None, bool] | None:
    """Why Hydra rejects an origin (client/validator.go), or why no browser's origin matches it.

    Returns the problem, what to write instead when the generic fix does not fit, and whether
    Hydra rejects the client (True) or stores an entry that never matches (False). Hydra
    parses each entry with Go's ``url.Parse`` and requires an http(s) scheme, no user info, a
    path of only slashes, and no query or fragment; those rejections are decided first. What
    passes is stored as Go prints it and later matched as a glob (:mod:`orylint.model.cors`),
    and a few shapes then never match the origin they name.
    """
    try:
        url = parse(origin)
    except URLError as error:
        reason = "details not shown: the value is sensitive" if sensitive else str(error)
        return f"does not parse ({reason}): Hydra rejects the client", None, True
    if url.scheme not in _HTTP_SCHEMES:
        if not url.scheme:
            return f"has no scheme: {_HTTP_ONLY}", None, True
        extension = (
            " (browser-extension origins cannot be allowed per client)"
            if url.scheme.endswith("-extension")
            else ""
        )
        return (
            f"uses the scheme {show(url.scheme, sensitive=sensitive)}{extension}: {_HTTP_ONLY}",
            None,
            True,
        )
    if url.user:
        return "contains user info: Hydra rejects the client", None, True
    if url.path.strip("/"):
        return (
            f"has the path {show(url.path, sensitive=sensitive)}, which an origin never has: "
            "Hydra rejects the client",
            None,
            True,
        )
    if url.raw_query:
        return "has a query: Hydra rejects the client", None, True
    if url.fragment:
        return "has a fragment: Hydra rejects the client", None, True
    if url.opaque:
        return f"has no `//` after the scheme: {_NEVER_MATCHES}", None, False
    if url.user is not None:
        return f'contains an empty user info ("@"): {_NEVER_MATCHES}', None, False
    if not url.hostname():
        return f"has no host: {_NEVER_MATCHES}", None, False
    never = _never_matches(url, sensitive)
    return None if never is None else (*never, False)


def _never_matches(url: GoURL, sensitive: bool) -> tuple[str, str | None] | None:
    """An accepted origin whose stored glob cannot match the ``Origin`` header it names.

    A trailing ``?``, an empty port and an IPv6 literal are decided from the stored text alone,
    wildcard or not; the other shapes are decided by matching the stored glob against the
    origin's ``Origin`` header. Other wildcards are ORY903's, and the default port is
    :func:`_origin_form_warnings`'s; every "never matches" case is a warning.
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
    if url.host.startswith("["):
        # The stored "[...]" is a glob character class: it stands for one character where any
        # Origin header for this host holds the bracketed address (at least "[::]"). A zoned
        # address (fe80::1%25en0) has no Origin header at all: browsers refuse zone ids.
        return (
            'is an IPv6 literal: Hydra matches stored origins as glob patterns, where "[...]" '
            "is a character class for one character, so no Origin header for this host ever "
            "matches it",
            "use a host name for the app (no IPv6-literal origin can be allowed per client)",
        )
    if "*" in stored or (url.port() and url.port() == DEFAULT_PORTS[url.scheme]):
        return None
    header = cors.origin_header(url)
    if header is None:
        return _unicode_host(url, shown, sensitive)
    if cors.matches(stored, header):
        return None
    wanted = show(header, sensitive=sensitive)
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
        if _origin_error(origin, sensitive=False) is not None:
            continue
        yield element, origin, parse(origin)


@client_rule("ORY903")
def wildcard_cors_origin(client: Client, settings: Settings) -> Iterator[Violation]:
    """``https://*`` and unbounded patterns open the token endpoint to other sites.

    A bare ``*`` is ORY904's: Hydra rejects it (HTTP 400), so nothing is exposed, and this
    rule's security severity is reserved for patterns Hydra accepts.
    """
    del settings
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
            )


@client_rule("ORY904")
def malformed_cors_origin(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra rejects non-origins (error); dead entries and canonicalized ones are warnings.

    An entry Hydra stores but no browser origin ever matches is dead, yet the client is not
    certainly unable to work: another origin, the project's own CORS settings or a non-browser
    flow may serve it. So every "never matches" case is a warning, like the drift cases.
    """
    del settings
    sensitive = is_sensitive(client, "allowed_cors_origins")
    for element, origin in client.known_elements("allowed_cors_origins"):
        where = f"allowed_cors_origins[{element.index}]"
        if origin == "*":
            yield Violation(
                'CORS origin "*" is not an http(s) origin (per-client origins have no "allow '
                'all"): Hydra rejects the client (HTTP 400); list exact origins such as '
                '"https://spa.example.com"',
                element.span,
                where,
            )
            continue
        error = _origin_error(origin, sensitive)
        if error is not None:
            problem, fix, rejected = error
            yield Violation(
                f"CORS origin {show(origin, sensitive=sensitive)} {problem}; "
                f"{fix or _origin_fix(origin, sensitive)}",
                element.span,
                where,
                severity=None if rejected else "warning",
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
    """A secret shipped inside a native app is not secret (RFC 8252 §8.5).

    Only a client that :func:`effective.native_app` shows to be a native app is judged. CORS
    origins do not show that a browser holds the secret: Hydra's per-client CORS also admits
    requests that carry an access token (it introspects the token to find the client), so a
    server-side web app sets them for its pages' userinfo calls.
    """
    del settings
    method = effective.auth_method(client)
    if method not in SHARED_SECRET_METHODS:
        return
    native = effective.native_app(client)
    if native is None:
        return
    attribute = client.attr("token_endpoint_auth_method")
    span = attribute.value_span if attribute is not None else client.span
    shown = f'"{method}"' if attribute is not None else f'the provider default "{method}"'
    yield Violation(
        f"the client is a native app ({native}), yet authenticates with a shared secret "
        f"({shown}): a secret shipped in an app can be extracted from every copy, so it proves "
        "nothing about the caller (RFC 8252 §8.5); make it public (token_endpoint_auth_method = "
        '"none") and rely on PKCE',
        span,
        "token_endpoint_auth_method",
    )


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

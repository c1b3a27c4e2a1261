"""What Hydra will actually use for a client, and the knowledge the rules share.

The catalogue's rules are stated over *effective* values (rules.md §2): Hydra treats an empty
``grant_types`` as ``[authorization_code]`` and an empty ``response_types`` as ``[code]``, fills an
unset ``scope`` with the project's default scope, and the ory/ory provider sends
``client_secret_post`` when ``token_endpoint_auth_method`` is omitted (the other client
resources leave it to Hydra, which stores ``client_secret_basic``). Computing these in one place
keeps every rule consistent. Each function returns ``None`` when the answer depends on a value
orylint cannot know.

The same goes for the other facts several rules need: grant classes, key sources, the parsed
redirect URIs, lifespan kinds and thresholds, version numbers, and how a configured value is
quoted in a message (:func:`show`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from orylint.golang.durations import parse_go_duration
from orylint.golang.urls import GoURL, URLError, parse_request_uri
from orylint.model import jwk
from orylint.model.display import escape_terminal
from orylint.model.hosts import is_loopback_host, is_loopback_ip_literal
from orylint.model.project import Client
from orylint.model.settings import Settings
from orylint.terraform.provider_schema import resource_schema
from orylint.terraform.resources import client_resource
from orylint.terraform.values import Element, Span

AUTHORIZATION_CODE = "authorization_code"
IMPLICIT = "implicit"
CLIENT_CREDENTIALS = "client_credentials"
REFRESH_TOKEN = "refresh_token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"

SUPPORTED_GRANTS = frozenset(
    {AUTHORIZATION_CODE, IMPLICIT, CLIENT_CREDENTIALS, REFRESH_TOKEN, JWT_BEARER, DEVICE_CODE}
)
REDIRECT_GRANTS = frozenset({AUTHORIZATION_CODE, IMPLICIT})
"""Grants whose flow sends a browser back to a registered redirect URI."""
NON_INTERACTIVE_GRANTS = frozenset({CLIENT_CREDENTIALS, JWT_BEARER, DEVICE_CODE})
"""Grants that never redirect a browser to the client (the device flow's user is elsewhere)."""
USER_GRANTS = frozenset({AUTHORIZATION_CODE, IMPLICIT, DEVICE_CODE})
"""Grants with an end user, the only flows that can yield ID tokens or use a pairwise subject."""
TOKEN_ENDPOINT_GRANTS = SUPPORTED_GRANTS - {IMPLICIT}
"""Every grant but implicit authenticates the client at the token endpoint."""
REFRESH_ISSUING_GRANTS = frozenset({AUTHORIZATION_CODE, DEVICE_CODE})
"""The flows that hand out refresh tokens."""

SUPPORTED_AUTH_METHODS = frozenset(
    {"client_secret_basic", "client_secret_post", "private_key_jwt", "none"}
)
SHARED_SECRET_METHODS = frozenset({"client_secret_basic", "client_secret_post"})
PRIVATE_KEY_JWT = "private_key_jwt"
PROVIDER_DEFAULT_AUTH_METHOD = "client_secret_post"
RESPONSE_TYPE_TOKENS = frozenset({"code", "token", "id_token"})
OFFLINE_SCOPES = frozenset({"offline", "offline_access"})

KEY_ATTRIBUTES = ("jwks_uri", "jwks", "jwks_wo")
"""Where a client's public keys come from: a URL, or an inline JWK set."""
INLINE_KEY_ATTRIBUTES = ("jwks", "jwks_wo")


TokenKind = Literal["access", "id", "refresh"]


@dataclass(frozen=True)
class LifespanUse:
    """When Hydra reads one ``*_lifespan`` attribute (rules.md §5.4, ``GetEffectiveLifespan``).

    ``grant`` is the grant whose flow looks the lifespan up and ``token`` the kind of token it
    sets. The extra conditions of §5.4 follow from these two: an ID-token lifespan needs ``openid``
    among the client's scopes; a refresh-token lifespan, and every ``refresh_token_grant_*``
    lifespan, needs refresh tokens to be issuable (``refresh_tokens_issuable``); the
    client_credentials lifespan needs a confidential client. ``hybrid`` marks the lifespan that
    the hybrid flow (a ``code id_token`` response type with the authorization_code grant) reads
    too: fosite's hybrid handler takes the ID token's lifespan from the implicit grant's setting.
    """

    grant: str
    token: TokenKind
    hybrid: bool = False


LIFESPAN_USES: Mapping[str, LifespanUse] = MappingProxyType(
    {
        "authorization_code_grant_access_token_lifespan": LifespanUse(AUTHORIZATION_CODE, "access"),
        "authorization_code_grant_id_token_lifespan": LifespanUse(AUTHORIZATION_CODE, "id"),
        "authorization_code_grant_refresh_token_lifespan": LifespanUse(
            AUTHORIZATION_CODE, "refresh"
        ),
        "client_credentials_grant_access_token_lifespan": LifespanUse(CLIENT_CREDENTIALS, "access"),
        "device_authorization_grant_access_token_lifespan": LifespanUse(DEVICE_CODE, "access"),
        "device_authorization_grant_id_token_lifespan": LifespanUse(DEVICE_CODE, "id"),
        "device_authorization_grant_refresh_token_lifespan": LifespanUse(DEVICE_CODE, "refresh"),
        "implicit_grant_access_token_lifespan": LifespanUse(IMPLICIT, "access"),
        "implicit_grant_id_token_lifespan": LifespanUse(IMPLICIT, "id", hybrid=True),
        "jwt_bearer_grant_access_token_lifespan": LifespanUse(JWT_BEARER, "access"),
        "refresh_token_grant_access_token_lifespan": LifespanUse(REFRESH_TOKEN, "access"),
        "refresh_token_grant_id_token_lifespan": LifespanUse(REFRESH_TOKEN, "id"),
        "refresh_token_grant_refresh_token_lifespan": LifespanUse(REFRESH_TOKEN, "refresh"),
    }
)
LIFESPAN_ATTRIBUTES = tuple(LIFESPAN_USES)


# --------------------------------------------------------------------------
# Quoting configured values in messages
# --------------------------------------------------------------------------

SENSITIVE_VALUE = "(sensitive value)"
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def show(value: object, *, sensitive: bool = False, limit: int = 100) -> str:
    r"""Quote a configured value for a message: one line, escaped, shortened, never a secret.

    Strings are double-quoted with JSON-style escapes, and every character that is not printable
    (control characters, line and paragraph separators, bidirectional overrides) is written as
    ``\uXXXX``, so a value can neither break the one-line-per-finding text format nor disguise
    itself. Values longer than ``limit`` characters are cut with an ellipsis. A ``sensitive``
    value (``Attribute.sensitive``: Terraform marks it so, e.g. from a sensitive variable) is never
    shown, not even in part: the result is ``(sensitive value)``. Pass the flag for anything
    derived from such a value too (a host, a scheme, a suggested rewrite).
    """
    if sensitive:
        return SENSITIVE_VALUE
    if isinstance(value, str):
        text, quoted = value, True
    elif value is None or isinstance(value, bool | int | float):
        text, quoted = json.dumps(value), False
    else:
        text, quoted = json.dumps(value, ensure_ascii=False, default=repr), False
    if len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    if not quoted:
        return _escape(text, quote=False)
    return '"' + _escape(text, quote=True) + '"'


def _escape(text: str, *, quote: bool) -> str:
    if not quote:
        return escape_terminal(text)
    if text.isprintable() and '"' not in text and "\\" not in text:
        return text  # the common case: nothing to escape (line breaks are not printable)
    return "".join(_SHORT_ESCAPES.get(char) or escape_terminal(char) for char in text)


def is_sensitive(client: Client, name: str) -> bool:
    """Whether Terraform marks the attribute's value sensitive (use with :func:`show`)."""
    attribute = client.attributes.get(name)
    return attribute is not None and attribute.sensitive


# --------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------

Version = tuple[int, ...]
LATEST = "latest"
_VERSION = re.compile(r"v?([0-9]+(?:\.[0-9]+)*)")


def version_key(text: str) -> Version | None:
    """``"v26.2.0"`` -> ``(26, 2, 0)``, comparable; ``None`` for ``latest`` or anything else."""
    match = _VERSION.fullmatch(text.strip())
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def pinned_release(settings: Settings) -> Version | None:
    """The orynetwork release the configuration targets, or ``None`` for the ory/ory provider.

    A version newer than the last known orynetwork tag (``x-provider-versions`` in the resource
    schema) is the renamed provider, which has every attribute of the schema; one older than the
    first tag is treated as the first tag.
    """
    key = version_key(settings.provider.version)
    if key is None:
        return None
    releases = [version_key(r) for r in resource_schema()["x-provider-versions"]["releases"]]
    known = [release for release in releases if release is not None]
    if not known or key > known[-1]:
        return None
    return max(key, known[0])


def available_in(prop: Mapping[str, Any], pinned: Version | None) -> bool:
    """Whether the pinned provider release has the attribute (``x-since``)."""
    since = prop.get("x-since")
    if pinned is None or since is None:
        return True
    if since == LATEST:
        return False
    since_key = version_key(str(since))
    return since_key is None or since_key <= pinned


def read_only_in(prop: Mapping[str, Any], pinned: Version | None) -> bool:
    """Whether the attribute is computed-only in the pinned release (``x-read-only-until``)."""
    if prop.get("readOnly"):
        return True
    until = prop.get("x-read-only-until")
    if until is None or pinned is None:
        return False
    until_key = version_key(str(until))
    return until_key is not None and pinned <= until_key


def is_read_only(name: str, settings: Settings) -> bool:
    """Whether the configured provider release computes attribute ``name`` (ORY101's verdict)."""
    prop = resource_schema()["properties"].get(name)
    return prop is not None and read_only_in(prop, pinned_release(settings))


# --------------------------------------------------------------------------
# Grants, response types and authentication
# --------------------------------------------------------------------------


def grant_types(client: Client) -> list[str] | None:
    """Effective grant types: the configured list, or ``[authorization_code]`` when empty."""
    if not client.is_set("grant_types"):
        return [AUTHORIZATION_CODE]
    grants = client.strings("grant_types")
    if grants is None:
        return None
    return grants or [AUTHORIZATION_CODE]


def certain_grants(client: Client) -> frozenset[str]:
    """The effective grants that are certainly there: the known elements of a partly known list.

    A grant written literally is in effect whatever the unknown elements turn out to be, so rules
    that ask "does the client have grant X" can decide on it; an unknown list yields nothing.
    """
    grants = grant_types(client)
    if grants is not None:
        return frozenset(grants)
    return frozenset(grant for _, grant in client.known_elements("grant_types"))


def grant_span(client: Client, grant: str) -> Span:
    """The span of one grant in ``grant_types``, else the attribute, else the block header."""
    for element, value in client.known_elements("grant_types"):
        if value == grant:
            return element.span
    attribute = client.attr("grant_types")
    return attribute.value_span if attribute is not None else client.span


def response_types(client: Client) -> list[str] | None:
    """Effective response types: the configured entries, or ``[code]`` when empty."""
    if not client.is_set("response_types"):
        return ["code"]
    entries = client.strings("response_types")
    if entries is None:
        return None
    return entries or ["code"]


def response_types_explicit(client: Client) -> bool:
    """Whether ``response_types`` is configured with at least one entry (known or not)."""
    attribute = client.attr("response_types")
    return attribute is not None and attribute.value != []


def auth_method(client: Client) -> str | None:
    """The method Hydra stores: the configured one, or the resource's default when omitted.

    ``ory_oauth2_client`` sends ``client_secret_post``; the other resources send nothing and
    Hydra stores ``client_secret_basic``.
    """
    if not client.is_set("token_endpoint_auth_method"):
        return client_resource(client.resource_type).default_auth_method
    return client.string("token_endpoint_auth_method")


def is_public(client: Client) -> bool | None:
    """A public client authenticates with ``none``; ``None`` when the method is unknown."""
    method = auth_method(client)
    return None if method is None else method == "none"


def access_token_strategy(client: Client, settings: Settings) -> str | None:
    """The access-token strategy Hydra uses: the client's (any case), else the project's."""
    if not client.is_set("access_token_strategy"):
        return settings.ory.access_token_strategy
    strategy = client.string("access_token_strategy")
    if strategy is None:
        return None
    return strategy.lower() or settings.ory.access_token_strategy


# --------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------


def certainly_set(client: Client, name: str) -> bool | None:
    """Whether an attribute is certainly non-null (what the provider's ConflictsWith checks).

    A known value counts even when empty, and so does a ``jsonencode(...)`` call with unknown
    content, which is never null; any other unknown expression may still evaluate to null.
    """
    attribute = client.attr(name)
    if attribute is None:
        return False
    return True if attribute.known or attribute.from_jsonencode else None


def inline_jwks(client: Client, name: str) -> jwk.KeySetVerdict | None:
    """What becomes of ``jwks``/``jwks_wo`` (``name``): None when unset or not known."""
    text = client.string(name)
    return None if client.attr(name) is None or text is None else jwk.assess(text)


def key_sources(client: Client) -> dict[str, bool | None]:
    """For each of :data:`KEY_ATTRIBUTES`: does it give Hydra keys (True, False, None: unknown).

    Hydra treats an empty ``jwks_uri`` as unset. An inline set (``jwks``/``jwks_wo``) gives keys
    only when the provider and Hydra accept it and it holds at least one key
    (:func:`orylint.model.jwk.assess`); a known set that is rejected, or holds no key, is False,
    and one orylint cannot decide is None. A value that is not known counts as soon as it is
    certainly sent (:func:`certainly_set`, e.g. ``jsonencode({ keys = [var.key] })``). ORY107,
    ORY302 and ORY303 all read this, so they agree on what "the client registers keys" means.

    Precedence: a written inline set that gives no keys is reported by ORY604-ORY607 (what is
    wrong with it), so ORY107 and ORY302, which speak of a client without any key attribute, ask
    :func:`key_attribute_written` and stay silent; ORY303 sees no key source and says nothing.
    """
    sources: dict[str, bool | None] = {}
    for name in KEY_ATTRIBUTES:
        if name == "jwks_uri" and client.is_set(name):
            value = client.string(name)
            sources[name] = None if value is None else value != ""
            continue
        verdict = inline_jwks(client, name)
        if verdict is None:  # unset, or not known: as soon as the provider sends it
            sources[name] = certainly_set(client, name)
        elif verdict.stage == jwk.UNDECIDED:
            sources[name] = None
        else:
            sources[name] = verdict.stage == "ok" and not verdict.holds_no_key
    return sources


def key_attribute_written(client: Client) -> bool:
    """Whether ``jwks`` or ``jwks_wo`` is certainly non-null, whatever it holds."""
    return any(certainly_set(client, name) for name in INLINE_KEY_ATTRIBUTES)


# --------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The scope Hydra stores for a client: the configured one, or the project default.

    ``tokens`` is the scope split as Hydra splits it (on whitespace); ``configured`` is false
    when Hydra substitutes ``settings.ory.default_scope`` (``scope`` unset, null or ``""``).
    """

    tokens: tuple[str, ...]
    text: str
    configured: bool
    sensitive: bool = False

    @property
    def offline(self) -> tuple[str, ...]:
        """The offline scopes it allows, each once, in the order written."""
        return tuple(token for token in dict.fromkeys(self.tokens) if token in OFFLINE_SCOPES)

    def describe(self) -> str:
        """How a message names this scope."""
        if self.configured:
            return f"scope {show(self.text, sensitive=self.sensitive)}"
        return f"the default scope {show(self.text)} (setting ory.default_scope; scope is unset)"


def scope(client: Client, settings: Settings) -> Scope | None:
    """The scope Hydra applies, or None when it cannot be known (unknown, or not a string).

    The provider sends ``""`` for an unset scope and Hydra then substitutes its default scope, so
    null, absent and ``""`` all mean ``settings.ory.default_scope``.
    """
    if client.is_unknown("scope"):
        return None
    text = client.string("scope")
    if text is None and client.is_set("scope"):
        return None  # not a string at all: a type error for ORY101, not a scope
    if not text:
        default = settings.ory.default_scope
        return Scope(tuple(default.split()), default, configured=False)
    sensitive = is_sensitive(client, "scope")
    return Scope(tuple(text.split()), text, configured=True, sensitive=sensitive)


def refresh_tokens_issuable(client: Client, settings: Settings) -> bool | None:
    """Whether Hydra can ever issue this client a refresh token (ORY305 and ORY501 together).

    It needs the ``refresh_token`` grant, a flow that hands refresh tokens out (authorization_code
    or device_code) and ``offline`` or ``offline_access`` among the allowed scopes.
    """
    grants = grant_types(client)
    if grants is None:
        return None
    if REFRESH_TOKEN not in grants or not REFRESH_ISSUING_GRANTS & set(grants):
        return False
    allowed = scope(client, settings)
    return None if allowed is None else bool(allowed.offline)


# --------------------------------------------------------------------------
# Lifespans
# --------------------------------------------------------------------------


def lifespan_excess(
    name: str, nanoseconds: int, settings: Settings
) -> tuple[Literal["warning", "note"], str] | None:
    """ORY205's verdict on one lifespan: (severity, exceeded threshold), or None when short enough.

    Refresh-token lifespans are held to ``settings.lifespans.refresh_*``, access- and ID-token
    lifespans to ``access_*``; above the warning threshold is a warning, above the note one a note.
    """
    thresholds = settings.lifespans
    if LIFESPAN_USES[name].token == "refresh":
        note, warning = thresholds.refresh_note, thresholds.refresh_warning
    else:
        note, warning = thresholds.access_note, thresholds.access_warning
    if nanoseconds > parse_go_duration(warning):
        return "warning", warning
    if nanoseconds > parse_go_duration(note):
        return "note", note
    return None


# --------------------------------------------------------------------------
# Redirect URIs
# --------------------------------------------------------------------------


class RedirectURI(NamedTuple):
    """One known element of ``redirect_uris``.

    ``url`` is the part before the first ``#`` parsed as Hydra parses redirect URIs (Go's
    ``url.ParseRequestURI``), ``None`` when that fails. Hydra rejects any ``#`` (ORY401 reports
    it), so every other rule judges what the URI would be without it, and one mistake is reported
    once.
    """

    element: Element
    raw: str
    url: GoURL | None

    @property
    def head(self) -> str:
        """The part before the first ``#``."""
        return self.raw.partition("#")[0]

    @property
    def where(self) -> str:
        """``redirect_uris[i]``, for ``Violation.attribute``."""
        return f"redirect_uris[{self.element.index}]"


def redirect_uris(client: Client) -> Iterator[RedirectURI]:
    """Each known redirect URI with its location and its pre-``#`` part parsed."""
    for element, raw in client.known_elements("redirect_uris"):
        try:
            url: GoURL | None = parse_request_uri(raw.partition("#")[0])
        except URLError:
            url = None
        yield RedirectURI(element, raw, url)


def redirect_urls(client: Client) -> list[GoURL] | None:
    """The redirect URIs that parse; None unless ``redirect_uris`` is unset or a known string list.

    A list with an unknown element, or a value of the wrong type (ORY101's finding), gives None,
    so that rules asking "does the client have a redirect URI like this" stay silent.
    """
    if client.is_set("redirect_uris") and client.strings("redirect_uris") is None:
        return None
    return [uri.url for uri in redirect_uris(client) if uri.url is not None]


# --------------------------------------------------------------------------
# Native apps (RFC 8252)
# --------------------------------------------------------------------------

NativeRedirect = Literal["loopback address", "private-use scheme"]


def native_redirect(url: GoURL | None) -> NativeRedirect | None:
    """What makes a parsed redirect URI one that an app on the user's device receives, or None.

    A loopback address (``localhost`` in any spelling, or a loopback IP literal) or a private-use
    scheme (``com.example.app:/cb``) is delivered to whichever app on the device listens on that
    port or claims that scheme (RFC 8252 §7.1, §7.3, §8.4): unlike an https URI on a public host,
    it does not prove who receives the response (§8.6). None for a web URI and for one that does
    not parse (ORY402 reports those).
    """
    if url is None or not url.scheme:
        return None
    if url.scheme in ("http", "https"):
        return "loopback address" if is_loopback_host(url.hostname()) else None
    return "private-use scheme"


def native_app(client: Client) -> str | None:
    """How the configuration shows that the client is a native app (RFC 8252), or None.

    None means "not shown", not "not native": a rule that warns about a failure only a native app
    can have (a port picked at run time, a secret shipped inside the app) needs this to hold. The
    client must redirect *only* to :func:`native_redirect` URIs, set no ``allowed_cors_origins``
    (a browser app calls Hydra's endpoints through CORS), and register at least one URI that only
    a native app needs:

    * a private-use scheme: only an installed app can claim one (RFC 8252 §7.1);
    * a loopback IP literal without a port (``http://127.0.0.1/cb``): fosite matches it on any
      port (``isMatchingAsLoopback``), which is what an app that takes an ephemeral port from the
      OS needs (§7.3), while a web server listens on a fixed port;
    * on a public client (``token_endpoint_auth_method = "none"``), ``localhost`` without a port,
      written the §7.3 way although fosite matches a name exactly.

    ``http://localhost:3000/callback`` alone proves nothing: it is also how web apps and SPAs
    register a development server on a fixed port, where exact matching works. A value orylint
    cannot resolve (an unknown redirect URI, CORS list or method) gives None.
    """
    if not client.strings("redirect_uris"):
        return None
    cors = client.attr("allowed_cors_origins")
    if cors is not None and cors.value != []:
        return None  # a browser app, or unknown
    sensitive = is_sensitive(client, "redirect_uris")
    method = auth_method(client)
    evidence = None
    for uri in redirect_uris(client):
        kind = native_redirect(uri.url)
        if kind is None or uri.url is None:
            return None
        if evidence is not None:
            continue
        shown = show(uri.raw, sensitive=sensitive)
        host, port = uri.url.hostname(), uri.url.port()
        if kind == "private-use scheme":
            evidence = f"its redirect URI {shown} uses a private-use scheme"
        elif uri.url.scheme == "http" and not port and is_loopback_ip_literal(host):
            evidence = f"its redirect URI {shown} is a loopback IP literal without a port"
        elif uri.url.scheme == "http" and not port and method == "none":
            evidence = f"it is public and its redirect URI {shown} is loopback without a port"
    if evidence is None:
        return None
    return f"{evidence}, and every redirect URI stays on the device"

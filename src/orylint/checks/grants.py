"""ORY102-ORY104, ORY301, ORY304-ORY306: grant types, response types and auth methods.

Hydra stores these fields verbatim and checks none of their consistency at registration, so a
mistake shows up only when a flow fails at runtime. The rules reason over *effective* values
(``orylint.effective``), which is what Hydra uses.
"""

from __future__ import annotations

from collections.abc import Iterator

from orylint import effective
from orylint.effective import (
    AUTHORIZATION_CODE,
    CLIENT_CREDENTIALS,
    DEVICE_CODE,
    IMPLICIT,
    REDIRECT_GRANTS,
    REFRESH_TOKEN,
    RESPONSE_TYPE_TOKENS,
    SUPPORTED_AUTH_METHODS,
    SUPPORTED_GRANTS,
)
from orylint.findings import Violation
from orylint.model import Client, Span
from orylint.registry import client_rule
from orylint.settings import Settings

_GRANT_HINTS = {
    "password": "the resource owner password grant has no handler in Hydra and RFC 9700 forbids it",
    "authorization-code": 'use "authorization_code"',
    "client-credentials": 'use "client_credentials"',
    "refresh": 'use "refresh_token"',
    "device_code": f'use "{DEVICE_CODE}"',
    "device-code": f'use "{DEVICE_CODE}"',
    "jwt-bearer": f'use "{effective.JWT_BEARER}"',
    "jwt_bearer": f'use "{effective.JWT_BEARER}"',
}
_AUTH_HINTS = {
    "client_secret_jwt": "Hydra does not support client_secret_jwt",
    "tls_client_auth": "Hydra does not support mTLS client authentication",
    "self_signed_tls_client_auth": "Hydra does not support mTLS client authentication",
}


@client_rule("ORY102")
def unsupported_auth_method(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra stores any string, then cannot authenticate the client with it."""
    del settings
    method = client.string("token_endpoint_auth_method")
    attribute = client.attr("token_endpoint_auth_method")
    if method is None or attribute is None or method == "" or method in SUPPORTED_AUTH_METHODS:
        return
    hint = (
        _AUTH_HINTS.get(method)
        or "use one of client_secret_basic, client_secret_post, private_key_jwt or none"
    )
    yield Violation(
        f'token_endpoint_auth_method "{method}" is not supported, so the client can never '
        f"authenticate at the token endpoint: {hint}",
        attribute.value_span,
        "token_endpoint_auth_method",
    )


@client_rule("ORY103")
def unsupported_grant_type(client: Client, settings: Settings) -> Iterator[Violation]:
    """A grant type Hydra has no handler for is stored but never usable."""
    del settings
    for element, grant in client.known_elements("grant_types"):
        if grant in SUPPORTED_GRANTS:
            continue
        hint = _GRANT_HINTS.get(grant.strip().lower(), "")
        if not hint:
            hint = "supported: " + ", ".join(sorted(SUPPORTED_GRANTS))
        yield Violation(
            f'grant type "{grant}" is not supported by Ory: {hint}',
            element.span,
            f"grant_types[{element.index}]",
        )


@client_rule("ORY104")
def malformed_response_type(client: Client, settings: Settings) -> Iterator[Violation]:
    """Each entry is a space-separated set over code/token/id_token; anything else never matches."""
    del settings
    for element, entry in client.known_elements("response_types"):
        tokens = entry.split()
        problem = ""
        if not tokens:
            problem = "is empty"
        elif any(token not in RESPONSE_TYPE_TOKENS for token in tokens):
            bad = next(token for token in tokens if token not in RESPONSE_TYPE_TOKENS)
            problem = f'contains "{bad}"'
        elif len(set(tokens)) != len(tokens):
            problem = "repeats a value"
        if problem:
            yield Violation(
                f'response type "{entry}" {problem}: an entry is a space-separated set of '
                'code, token and id_token (e.g. "code" or "code id_token"), and a malformed '
                "entry never matches a request",
                element.span,
                f"response_types[{element.index}]",
            )


@client_rule("ORY301")
def client_credentials_on_public_client(client: Client, settings: Settings) -> Iterator[Violation]:
    """The token endpoint refuses client_credentials for public clients (RFC 6749 §4.4)."""
    del settings
    grants = effective.grant_types(client)
    if (
        grants is None
        or CLIENT_CREDENTIALS not in grants
        or effective.is_public(client) is not True
    ):
        return
    yield Violation(
        'a public client (token_endpoint_auth_method = "none") can never use '
        "client_credentials: Hydra refuses the grant; use client_secret_basic or "
        "private_key_jwt for machine-to-machine clients",
        _grant_span(client, CLIENT_CREDENTIALS),
        "grant_types",
    )


@client_rule("ORY304")
def grant_response_type_mismatch(client: Client, settings: Settings) -> Iterator[Violation]:
    """Response types need the matching grants, and the grants need a response type."""
    del settings
    grants = effective.grant_types(client)
    entries = effective.response_types(client)
    if grants is None or entries is None:
        return
    explicit = effective.response_types_explicit(client)
    attribute = client.attr("response_types")
    span = attribute.value_span if attribute is not None else client.span
    token_sets = [set(entry.split()) for entry in entries]
    if not set(grants) & REDIRECT_GRANTS:
        if explicit:
            yield Violation(
                "response_types is set, but none of this client's grants "
                f"({', '.join(grants)}) uses the authorization endpoint; remove it",
                span,
                "response_types",
                severity="note",
            )
        return
    for index, tokens in enumerate(token_sets):
        element_span = attribute.element_span(index) if attribute is not None else span
        entry = entries[index]
        if ("token" in tokens or tokens == {"id_token"}) and IMPLICIT not in grants:
            yield Violation(
                f'response type "{entry}" needs the "implicit" grant, which this client does '
                "not have: every such authorize request fails",
                element_span,
                f"response_types[{index}]",
            )
        if "code" in tokens and AUTHORIZATION_CODE not in grants:
            yield Violation(
                f'response type "{entry}" issues a code, but without the "authorization_code" '
                "grant the code can never be exchanged",
                element_span,
                f"response_types[{index}]",
            )
    if AUTHORIZATION_CODE in grants and explicit and not any("code" in t for t in token_sets):
        yield Violation(
            'the "authorization_code" grant is set but no response type contains "code": '
            'Hydra rejects response_type=code; add "code"',
            span,
            "response_types",
        )
    if IMPLICIT in grants and not any(t & {"token", "id_token"} for t in token_sets):
        yield Violation(
            'the "implicit" grant is set but no response type contains "token" or "id_token", '
            "so the implicit flow is unusable",
            span,
            "response_types",
        )
    if (
        {"code"} in token_sets
        and {"id_token"} in token_sets
        and not any(t == {"code", "id_token"} for t in token_sets)
    ):
        yield Violation(
            '"code" and "id_token" as separate entries do not enable the hybrid flow; register '
            'the combined entry "code id_token"',
            span,
            "response_types",
            severity="note",
        )


@client_rule("ORY305")
def refresh_token_unobtainable(client: Client, settings: Settings) -> Iterator[Violation]:
    """Only the code and device flows issue refresh tokens."""
    del settings
    grants = effective.grant_types(client)
    if grants is None or REFRESH_TOKEN not in grants:
        return
    if AUTHORIZATION_CODE in grants or DEVICE_CODE in grants:
        return
    yield Violation(
        'the "refresh_token" grant is useless here: only the authorization_code and '
        "device_code flows issue refresh tokens; remove it or add one of those grants",
        _grant_span(client, REFRESH_TOKEN),
        "grant_types",
    )


@client_rule("ORY306")
def redirect_grant_without_redirect_uris(client: Client, settings: Settings) -> Iterator[Violation]:
    """A code or implicit client with no redirect URI fails every authorize request."""
    del settings
    grants = effective.grant_types(client)
    if grants is None or not set(grants) & REDIRECT_GRANTS:
        return
    if client.is_unknown("redirect_uris"):
        return
    uris = client.strings("redirect_uris")
    if uris:
        return
    used = sorted(set(grants) & REDIRECT_GRANTS)
    if client.is_set("grant_types"):
        reason = f"its grant {' and '.join(used)} redirects to a registered URI"
        span = _grant_span(client, used[0])
    else:
        reason = (
            "without `grant_types` Hydra treats it as an authorization_code client; set "
            'grant_types (e.g. ["client_credentials"] for machine-to-machine)'
        )
        span = client.span
    yield Violation(
        f"{client.address} has no redirect_uris, but {reason}: every authorize request fails",
        span,
        "redirect_uris",
    )


def _grant_span(client: Client, grant: str) -> Span:
    """The span of one grant in ``grant_types``, else the attribute, else the block header."""
    for element, value in client.known_elements("grant_types"):
        if value == grant:
            return element.span
    attribute = client.attr("grant_types")
    return attribute.value_span if attribute is not None else client.span

"""What Hydra will actually use for a client: effective grant and response types, auth method.

The catalogue's rules are stated over *effective* values (rules.md §2): Hydra treats an empty
``grant_types`` as ``[authorization_code]`` and an empty ``response_types`` as ``[code]``, and the
provider sends ``client_secret_post`` when ``token_endpoint_auth_method`` is omitted. Computing
these in one place keeps every rule consistent. Each function returns ``None`` when the answer
depends on a value orylint cannot know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from orylint.model import Client
from orylint.settings import Settings

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
NON_INTERACTIVE_GRANTS = frozenset({CLIENT_CREDENTIALS, JWT_BEARER, DEVICE_CODE})
SUPPORTED_AUTH_METHODS = frozenset(
    {"client_secret_basic", "client_secret_post", "private_key_jwt", "none"}
)
PROVIDER_DEFAULT_AUTH_METHOD = "client_secret_post"
RESPONSE_TYPE_TOKENS = frozenset({"code", "token", "id_token"})

LIFESPAN_ATTRIBUTES = (
    "authorization_code_grant_access_token_lifespan",
    "authorization_code_grant_id_token_lifespan",
    "authorization_code_grant_refresh_token_lifespan",
    "client_credentials_grant_access_token_lifespan",
    "device_authorization_grant_access_token_lifespan",
    "device_authorization_grant_id_token_lifespan",
    "device_authorization_grant_refresh_token_lifespan",
    "implicit_grant_access_token_lifespan",
    "implicit_grant_id_token_lifespan",
    "jwt_bearer_grant_access_token_lifespan",
    "refresh_token_grant_access_token_lifespan",
    "refresh_token_grant_id_token_lifespan",
    "refresh_token_grant_refresh_token_lifespan",
)


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

OFFLINE_SCOPES = frozenset({"offline", "offline_access"})
REFRESH_ISSUING_GRANTS = frozenset({AUTHORIZATION_CODE, DEVICE_CODE})


def grant_types(client: Client) -> list[str] | None:
    """Effective grant types: the configured list, or ``[authorization_code]`` when empty."""
    if not client.is_set("grant_types"):
        return [AUTHORIZATION_CODE]
    grants = client.strings("grant_types")
    if grants is None:
        return None
    return grants or [AUTHORIZATION_CODE]


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
    """The method the provider sends: the configured one, or its default ``client_secret_post``."""
    if not client.is_set("token_endpoint_auth_method"):
        return PROVIDER_DEFAULT_AUTH_METHOD
    return client.string("token_endpoint_auth_method")


def is_public(client: Client) -> bool | None:
    """A public client authenticates with ``none``; ``None`` when the method is unknown."""
    method = auth_method(client)
    return None if method is None else method == "none"


def scope_tokens(client: Client) -> list[str] | None:
    """The configured scopes split as Hydra splits them (on whitespace); None if unset/unknown."""
    scope = client.string("scope")
    return None if scope is None else scope.split()


def allowed_scopes(client: Client, settings: Settings) -> list[str] | None:
    """The scopes the client may request, split on whitespace; None when unknown.

    Hydra fills an unset or empty ``scope`` with its default scope (``ory.default_scope``,
    ``offline_access offline openid`` unless configured), so those clients are not scope-less.
    """
    if not client.is_set("scope"):
        return settings.ory.default_scope.split()
    scope = client.string("scope")
    if scope is None:
        return None
    return (scope or settings.ory.default_scope).split()


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
    scopes = allowed_scopes(client, settings)
    return None if scopes is None else bool(OFFLINE_SCOPES & set(scopes))


def access_token_strategy(client: Client, settings: Settings) -> str | None:
    """The access-token strategy Hydra uses: the client's (any case), else the project's."""
    if not client.is_set("access_token_strategy"):
        return settings.ory.access_token_strategy
    strategy = client.string("access_token_strategy")
    if strategy is None:
        return None
    return strategy.lower() or settings.ory.access_token_strategy

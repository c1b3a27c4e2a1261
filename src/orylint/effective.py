"""What Hydra will actually use for a client: effective grant and response types, auth method.

The catalogue's rules are stated over *effective* values (rules.md §2): Hydra treats an empty
``grant_types`` as ``[authorization_code]`` and an empty ``response_types`` as ``[code]``, and the
provider sends ``client_secret_post`` when ``token_endpoint_auth_method`` is omitted. Computing
these in one place keeps every rule consistent. Each function returns ``None`` when the answer
depends on a value orylint cannot know.
"""

from __future__ import annotations

from orylint.model import Client

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

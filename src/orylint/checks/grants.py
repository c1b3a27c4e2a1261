"""ORY102-ORY104, ORY301-ORY309: grant types, response types, auth methods and client keys.

Hydra stores these fields verbatim and checks none of their consistency at registration, so a
mistake shows up only when a flow fails at runtime. The rules reason over *effective* values
(``orylint.model.effective``), which is what Hydra uses.
"""

from __future__ import annotations

from collections.abc import Iterator

from orylint.engine.findings import Violation
from orylint.engine.registry import client_rule
from orylint.model import effective
from orylint.model.effective import (
    AUTHORIZATION_CODE,
    CLIENT_CREDENTIALS,
    DEVICE_CODE,
    IMPLICIT,
    INLINE_KEY_ATTRIBUTES,
    JWT_BEARER,
    PRIVATE_KEY_JWT,
    REDIRECT_GRANTS,
    REFRESH_TOKEN,
    RESPONSE_TYPE_TOKENS,
    SUPPORTED_AUTH_METHODS,
    SUPPORTED_GRANTS,
    TOKEN_ENDPOINT_GRANTS,
    certain_grants,
    certainly_set,
    grant_span,
    is_sensitive,
    show,
)
from orylint.model.project import Client
from orylint.model.settings import Settings
from orylint.terraform.provider_schema import resource_schema
from orylint.terraform.resources import client_resource

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
AUTH_METHOD = "token_endpoint_auth_method"
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
        f"token_endpoint_auth_method {show(method, sensitive=attribute.sensitive)} is not "
        f"supported, so the client can never authenticate at the token endpoint: {hint}",
        attribute.value_span,
        "token_endpoint_auth_method",
    )


@client_rule("ORY103")
def unsupported_grant_type(client: Client, settings: Settings) -> Iterator[Violation]:
    """A grant type Hydra has no handler for is stored but never usable."""
    del settings
    sensitive = is_sensitive(client, "grant_types")
    for element, grant in client.known_elements("grant_types"):
        if grant in SUPPORTED_GRANTS:
            continue
        hint = _GRANT_HINTS.get(grant.strip().lower(), "")
        if not hint:
            hint = "supported: " + ", ".join(sorted(SUPPORTED_GRANTS))
        yield Violation(
            f"grant type {show(grant, sensitive=sensitive)} is not supported by Ory: {hint}",
            element.span,
            f"grant_types[{element.index}]",
        )


@client_rule("ORY104")
def malformed_response_type(client: Client, settings: Settings) -> Iterator[Violation]:
    """Each entry is a space-separated set over code/token/id_token; anything else never matches."""
    del settings
    sensitive = is_sensitive(client, "response_types")
    for element, entry in client.known_elements("response_types"):
        tokens = entry.split()
        problem = ""
        if not tokens:
            problem = "is empty"
        elif any(token not in RESPONSE_TYPE_TOKENS for token in tokens):
            bad = next(token for token in tokens if token not in RESPONSE_TYPE_TOKENS)
            problem = f"contains {show(bad, sensitive=sensitive)}"
        elif len(set(tokens)) != len(tokens):
            problem = "repeats a value"
        if problem:
            yield Violation(
                f"response type {show(entry, sensitive=sensitive)} {problem}: an entry is a "
                'space-separated set of code, token and id_token (e.g. "code" or "code id_token"), '
                "and a malformed entry never matches a request",
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
        grant_span(client, CLIENT_CREDENTIALS),
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
    sensitive = attribute is not None and attribute.sensitive
    for index, tokens in enumerate(token_sets):
        element_span = attribute.element_span(index) if attribute is not None else span
        entry = show(entries[index], sensitive=sensitive)
        if ("token" in tokens or tokens == {"id_token"}) and IMPLICIT not in grants:
            yield Violation(
                f'response type {entry} needs the "implicit" grant, which this client does '
                "not have: every such authorize request fails",
                element_span,
                f"response_types[{index}]",
            )
        if "code" in tokens and AUTHORIZATION_CODE not in grants:
            yield Violation(
                f'response type {entry} issues a code, but without the "authorization_code" '
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


@client_rule("ORY302")
def private_key_jwt_key_material(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra rejects private_key_jwt without keys, and a key URL together with inline keys."""
    del settings
    sources = effective.key_sources(client)
    method = client.attr("token_endpoint_auth_method")
    if (
        method is not None
        and client.string("token_endpoint_auth_method") == PRIVATE_KEY_JWT
        and all(state is False for state in sources.values())
        and not effective.key_attribute_written(client)  # ORY604-ORY607 say what is wrong
    ):
        yield Violation(
            'token_endpoint_auth_method "private_key_jwt" needs the public keys that verify the '
            f"client's assertions, {_no_key_source(client)}",
            method.value_span,
            "token_endpoint_auth_method",
        )
    conflicting = [name for name in INLINE_KEY_ATTRIBUTES if certainly_set(client, name)]
    uri_attribute = client.attr("jwks_uri")
    if conflicting and uri_attribute is not None and certainly_set(client, "jwks_uri"):
        inline = " and ".join(_spelled(client, name) or name for name in conflicting)
        rejected = (
            "the ory/ory provider refuses the combination at plan time and Hydra rejects it"
            if client_resource(client.resource_type).provider == "ory/ory"
            else "Hydra rejects the client"
        )
        yield Violation(
            f"jwks_uri and {inline} are both set, but a key URL and inline keys are mutually "
            f"exclusive (RFC 7591 §2): {rejected} (HTTP 400); keep one key source",
            uri_attribute.value_span,
            "jwks_uri",
        )


def _no_key_source(client: Client) -> str:
    """Why no key is registered, and what to do, in the arguments of the client's resource."""
    spelled = [
        name
        for name in (_spelled(client, model) for model in ("jwks_uri", *INLINE_KEY_ATTRIBUTES))
        if name is not None
    ]
    if not spelled:
        return (
            f"and {client.resource_type} has no argument for a key URL or inline keys: Hydra "
            "rejects the client (HTTP 400); use a shared-secret method such as "
            '"client_secret_basic", or a resource that can register keys'
        )
    empty = " (jwks_uri is empty, which Hydra treats as unset)" if client.is_set("jwks_uri") else ""
    listed = ", ".join(spelled[:-1]) + " or " + spelled[-1] if len(spelled) > 1 else spelled[0]
    advice = f"set {spelled[0]}"
    if len(spelled) > 1:
        advice += f", or the public keys in {spelled[1]}"
    return f"but none of {listed} is set{empty}: Hydra rejects the client (HTTP 400); {advice}"


def _spelled(client: Client, model: str) -> str | None:
    """How the client's resource spells a key attribute (``jwk`` blocks), None if it has none."""
    resource = client_resource(client.resource_type)
    schema = resource_schema(client.resource_type)
    written = resource.written_name(model)
    if written in schema.get("x-terraform-nested-blocks", ()):
        return f"{written} blocks"
    return written if written in schema["properties"] else None


@client_rule("ORY303")
def key_material_notes(client: Client, settings: Settings) -> Iterator[Violation]:
    """Unused keys mislead reviewers; private_key_jwt here needs an RSA key for RS256.

    (b) is judged only on a known inline set that Hydra accepts as written: a ``jwks_uri``
    serves keys orylint cannot see, and a set that ORY604-ORY607 report is rewritten anyway.
    """
    del settings
    method = effective.auth_method(client)
    if method is None:
        return
    if method == PRIVATE_KEY_JWT:
        yield from _no_rs256_key(client)
        return
    sources = effective.key_sources(client)
    keys = [name for name, state in sources.items() if state]
    if not keys:
        return
    # Point at the first key attribute that may be set, known or not, so the finding stays on
    # the same attribute whatever orylint learns about the others.
    anchor = next(name for name, state in sources.items() if state is not False)
    alg = client.string("request_object_signing_alg")
    if client.is_set("request_object_signing_alg") and alg not in ("", "none"):
        return  # pinned to a signing algorithm (or unknown): the keys verify request objects
    if alg == "none":
        usage = (
            'and request_object_signing_alg = "none" admits only unsigned request objects, '
            "so the keys are never used"
        )
    else:
        usage = (
            "so the keys serve only to verify signed request objects, which few clients send; "
            "if this one does, pin request_object_signing_alg"
        )
    key_attribute = client.attr(anchor)
    shown = show(method, sensitive=is_sensitive(client, AUTH_METHOD))
    yield Violation(
        f"{' and '.join(keys)} {'is' if len(keys) == 1 else 'are'} set, but the client "
        f"authenticates with {shown} rather than private_key_jwt, {usage}; otherwise "
        "remove the keys or switch to private_key_jwt",
        key_attribute.value_span if key_attribute is not None else client.span,
        anchor,
    )


def _no_rs256_key(client: Client) -> Iterator[Violation]:
    """A private_key_jwt client whose only keys are inline and none can verify RS256.

    The provider cannot set ``token_endpoint_auth_signing_alg``, so Hydra requires RS256
    (``Client.GetTokenEndpointAuthSigningAlgorithm``), and fosite verifies an RS256 assertion
    only with a public RSA key whose ``use`` is ``sig`` (``findPublicKey``). Every token request
    then fails with invalid_client; an implicit-only client never authenticates, so it is not
    judged.
    """
    if not certain_grants(client) & TOKEN_ENDPOINT_GRANTS:
        return
    sources = effective.key_sources(client)
    for name in INLINE_KEY_ATTRIBUTES:
        attribute = client.attr(name)
        verdict = effective.inline_jwks(client, name)
        if attribute is None or verdict is None or verdict.stage != "ok" or not verdict.keys:
            continue  # unset, unknown, or reported by ORY604-ORY606
        if name == "jwks" and verdict.read_back not in (None, client.string(name)):
            continue  # ORY607: the set is rewritten anyway
        if any(state is not False for other, state in sources.items() if other != name):
            continue  # jwks_uri (or the other inline set) may hold the RSA key
        if any(key.rs256_verifier for key in verdict.keys):
            continue
        sensitive = attribute.sensitive
        held = ", ".join(
            f"keys[{key.index}] is {show(key.kty, sensitive=sensitive)}"
            + ("" if key.kty != "RSA" or key.use == "sig" else f" for use {show(key.use)}")
            for key in verdict.keys[:3]
        ) + (", ..." if len(verdict.keys) > 3 else "")
        yield Violation(
            f'{name} holds no public RSA key with use "sig" ({held}), but with '
            'token_endpoint_auth_method "private_key_jwt" Hydra accepts only RS256 client '
            "assertions (the provider cannot set token_endpoint_auth_signing_alg) and fosite "
            "verifies them only with such a key: every token request fails with invalid_client; "
            'add the public RSA signing key (kty "RSA", use "sig", alg "RS256") and sign the '
            "assertions with RS256",
            attribute.value_span,
            name,
            severity="error",
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
        grant_span(client, REFRESH_TOKEN),
        "grant_types",
    )


@client_rule("ORY306")
def redirect_grant_without_redirect_uris(client: Client, settings: Settings) -> Iterator[Violation]:
    """A code or implicit client with no redirect URI fails every authorize request."""
    del settings
    grants = effective.grant_types(client)
    if grants is None or not set(grants) & REDIRECT_GRANTS:
        return
    if client.is_set("redirect_uris") and client.strings("redirect_uris") is None:
        return  # unknown, or not a list of strings (ORY101 reports the type)
    if client.strings("redirect_uris"):
        return
    used = sorted(set(grants) & REDIRECT_GRANTS)
    if client.is_set("grant_types"):
        reason = f"its grant {' and '.join(used)} redirects to a registered URI"
        span = grant_span(client, used[0])
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


@client_rule("ORY307")
def auth_method_omitted(client: Client, settings: Settings) -> Iterator[Violation]:
    """The provider defaults to client_secret_post where Hydra and the RFCs default to basic."""
    del settings
    if client.is_set("token_endpoint_auth_method"):
        return
    used = sorted(certain_grants(client) & TOKEN_ENDPOINT_GRANTS)
    if not used:
        return
    yield Violation(
        f"token_endpoint_auth_method is omitted on a client that authenticates at the token "
        f'endpoint ({", ".join(used)}): the provider then registers "client_secret_post", '
        'while Hydra, RFC 7591 and OIDC Core default to "client_secret_basic", so libraries '
        "that send HTTP Basic credentials get invalid_client; set it explicitly (normally "
        '"client_secret_basic")',
        client.span,
        "token_endpoint_auth_method",
    )


@client_rule("ORY308")
def public_client_pkce_not_enforced(client: Client, settings: Settings) -> Iterator[Violation]:
    """Public clients must use PKCE (RFC 9700 §2.1.1); Hydra enforces it only when configured."""
    if settings.ory.pkce_enforced or settings.ory.pkce_enforced_for_public_clients:
        return
    if AUTHORIZATION_CODE not in certain_grants(client) or effective.is_public(client) is not True:
        return
    where = (
        "the Ory project (`oauth2_pkce_enforced_for_public_clients = true` in "
        "ory_project_config; for a project managed elsewhere, say so with "
        "`pkce_enforced_for_public_clients = true` under [ory] in the orylint configuration)"
        if client_resource(client.resource_type).provider == "ory/ory"
        else "Hydra's configuration (`oauth2.pkce.enforced_for_public_clients: true`; say so "
        "with `pkce_enforced_for_public_clients = true` under [ory] in the orylint "
        "configuration)"
    )
    yield Violation(
        'a public client (token_endpoint_auth_method = "none") uses authorization_code, and '
        f"only PKCE protects its codes from interception: enforce it for public clients in "
        f"{where} and use S256, since Hydra always refuses plain",
        grant_span(client, AUTHORIZATION_CODE),
        "grant_types",
    )


@client_rule("ORY309")
def device_or_jwt_bearer_caveats(client: Client, settings: Settings) -> Iterator[Violation]:
    """Device secrets are extractable, device clients never redirect, jwt-bearer needs issuers."""
    grants = certain_grants(client)
    if DEVICE_CODE in grants and effective.is_public(client) is False:
        yield Violation(
            "the device_code grant runs on devices whose embedded secrets can be extracted "
            "(RFC 8628 §5.6), so this client's credential is not really confidential; make it "
            'public (token_endpoint_auth_method = "none") and rely on the device flow instead',
            grant_span(client, DEVICE_CODE),
            "grant_types",
        )
    full = effective.grant_types(client)
    redirects = client.attr("redirect_uris")
    if (
        full is not None
        and DEVICE_CODE in full
        and not set(full) & REDIRECT_GRANTS
        and redirects is not None
        and any(True for _ in client.known_elements("redirect_uris"))
        and not client.is_set("post_logout_redirect_uris")
    ):
        yield Violation(
            "redirect_uris is set, but the device flow never redirects to the client and this "
            "client has no authorization_code or implicit grant, so the URIs are unused and only "
            "widen what an attacker can try; remove them",
            redirects.value_span,
            "redirect_uris",
        )
    if JWT_BEARER in grants and not settings.ory.trusted_jwt_grant_issuers:
        yield Violation(
            "the jwt-bearer grant accepts assertions only from issuers registered as trusted "
            "(ory_trusted_oauth2_jwt_grant_issuer, with the subject and scopes they may "
            "assert); without one every assertion gets invalid_grant",
            grant_span(client, JWT_BEARER),
            "grant_types",
        )

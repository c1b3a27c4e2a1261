"""ORY801, ORY802: settings Hydra stores but never uses for this client.

Hydra validates none of these against the client's grants: a lifespan for a grant the client does
not have, or a redirect URI on a machine client, is accepted and silently ignored. Dead settings
mislead reviewers (tokens seem to live shorter than they do) and, for redirect URIs, widen the
attack surface for nothing.
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
    LIFESPAN_USES,
    NON_INTERACTIVE_GRANTS,
    OFFLINE_SCOPES,
    REFRESH_ISSUING_GRANTS,
    REFRESH_TOKEN,
    SUPPORTED_GRANTS,
    LifespanUse,
    is_sensitive,
    show,
)
from orylint.model.project import Client
from orylint.model.settings import Settings

_GRANT_NAMES = {
    DEVICE_CODE: "device_code",
    effective.JWT_BEARER: "jwt-bearer",
}


@client_rule("ORY801")
def lifespan_never_applies(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra looks a lifespan up only for the grant and token actually issued (§5.4)."""
    grants = effective.grant_types(client)
    if grants is None:
        return
    for name, use in LIFESPAN_USES.items():
        attribute = client.attr(name)
        if attribute is None or client.string(name) is None:
            continue
        reason = _why_unused(client, settings, grants, use)
        if reason:
            yield Violation(
                f"`{name}` never applies: {reason}; remove it (or set the lifespan of the grant "
                "this client uses)",
                attribute.span,
                name,
            )


def _why_unused(
    client: Client, settings: Settings, grants: list[str], use: LifespanUse
) -> str | None:
    """Why Hydra never reads a lifespan with this use, or None when it may (or cannot tell)."""
    if use.grant not in grants:
        hybrid = _hybrid_id_token(client, grants) if use.hybrid else False
        if hybrid is None:
            return None
        if not hybrid:
            grants_text = _grants(client, grants)
            if use.hybrid:
                return (
                    f'the client has neither the "{_show_grant(use.grant)}" grant nor a hybrid '
                    f'"code id_token" response type ({grants_text})'
                )
            return f'the client does not have the "{_show_grant(use.grant)}" grant ({grants_text})'
    if use.grant == CLIENT_CREDENTIALS and effective.is_public(client) is True:
        return "a public client can never use client_credentials (ORY301)"
    if use.token == "refresh" or use.grant == REFRESH_TOKEN:
        reason = _why_no_refresh_tokens(client, settings, grants)
        if reason:
            return reason
    if use.token == "id":
        scope = effective.scope(client, settings)
        if scope is not None and "openid" not in scope.tokens:
            return f"{_scope_text(scope)} does not allow `openid`, so no ID token is ever issued"
    return None


def _hybrid_id_token(client: Client, grants: list[str]) -> bool | None:
    """Whether a ``code id_token`` response type lets the hybrid flow issue ID tokens."""
    if AUTHORIZATION_CODE not in grants:
        return False
    entries = effective.response_types(client)
    if entries is None:
        return None
    return any({"code", "id_token"} <= set(entry.split()) for entry in entries)


def _why_no_refresh_tokens(client: Client, settings: Settings, grants: list[str]) -> str | None:
    """The reason refresh tokens are never issued, or None (issuable, or not knowable)."""
    if effective.refresh_tokens_issuable(client, settings) is not False:
        return None
    if REFRESH_TOKEN not in grants:
        return 'without the "refresh_token" grant Hydra issues no refresh tokens'
    if not REFRESH_ISSUING_GRANTS & set(grants):
        return (
            "only the authorization_code and device_code flows issue refresh tokens, and the "
            f"client has neither ({_grants(client, grants)}; ORY305)"
        )
    scope = effective.scope(client, settings)
    return (
        f"{_scope_text(scope)} allows neither "
        f"{' nor '.join(f'`{scope}`' for scope in sorted(OFFLINE_SCOPES))}, so no refresh token "
        "is ever issued (ORY501)"
    )


def _scope_text(scope: effective.Scope | None) -> str:
    if scope is not None and scope.configured:
        return f"scope {show(scope.text, sensitive=scope.sensitive)}"
    return "the default scope"


def _grants(client: Client, grants: list[str]) -> str:
    shown = ", ".join(_show_grant(grant, client) for grant in grants)
    if client.strings("grant_types"):
        return f"grant_types: {shown}"
    return f"grant_types is unset, so Hydra uses {shown}"


def _show_grant(grant: str, client: Client | None = None) -> str:
    """A grant for a message: short names for the URNs, anything unsupported quoted."""
    if grant in SUPPORTED_GRANTS:
        return _GRANT_NAMES.get(grant, grant)
    return show(grant, sensitive=client is not None and is_sensitive(client, "grant_types"))


# Settings only the authorization endpoint's flows use: a browser is sent back to the client.
_BROWSER_REDIRECT = ("redirect_uris", "post_logout_redirect_uris")
# Settings of a user's login and consent session, and of browser apps. Dead for client_credentials
# and jwt-bearer, which act without a user; live with device_code, whose user logs in and consents
# on a second device (Hydra runs its login and consent flow and ties the device's consent to that
# login session) and whose browser-based device apps (smart-TV web apps) poll the token endpoint
# through CORS.
_USER_SESSION = (
    "allowed_cors_origins",
    "skip_consent",
    "skip_logout_consent",
    "frontchannel_logout_uri",
    "backchannel_logout_uri",
    "userinfo_signed_response_alg",
    "subject_type",
)


@client_rule("ORY802")
def interactive_settings_on_machine_client(
    client: Client, settings: Settings
) -> Iterator[Violation]:
    """Redirects, browser logout, consent and CORS belong to flows with a user at a browser."""
    del settings
    grants = effective.grant_types(client)
    if grants is None:
        return
    # refresh_token only renews what another grant issued, so it does not make a client interactive.
    flows = set(grants) - {REFRESH_TOKEN}
    if not flows or not flows <= NON_INTERACTIVE_GRANTS:
        return
    shown = ", ".join(_show_grant(grant, client) for grant in grants)
    if DEVICE_CODE in flows:
        # The device flow never redirects; ORY309 reports its redirect_uris, so only the
        # post-logout redirect is left here. Consent, logout and CORS settings stay live.
        names: tuple[str, ...] = ("post_logout_redirect_uris",)
    else:
        names = _BROWSER_REDIRECT + _USER_SESSION
    for name in names:
        attribute = client.attr(name)
        if attribute is None or not _configured(client, name):
            continue
        if name == "post_logout_redirect_uris" and not any(client.known_elements("redirect_uris")):
            continue  # with no redirect URI Hydra rejects the client (ORY407's error), or unknown
        if name in _BROWSER_REDIRECT:
            why = (
                "none of this client's grants "
                f"({shown}) sends a browser back to the client (only authorization_code and "
                "implicit do)"
            )
        else:
            why = (
                f"this client's grants ({shown}) act without a user, so there is no consent "
                "screen, login session or browser for it to apply to"
            )
        yield Violation(f"`{name}` is never used: {why}; remove it", attribute.span, name)


def _configured(client: Client, name: str) -> bool:
    """Whether a setting is known to be in effect: true flags, non-empty URIs and lists."""
    attribute = client.attr(name)
    if attribute is None:
        return False
    if name.startswith("skip_"):
        return client.boolean(name) is True
    if name == "subject_type":
        return client.string(name) == "pairwise"  # "public" is Hydra's default
    if isinstance(attribute.value, list):
        return len(attribute.value) > 0
    return bool(client.string(name))

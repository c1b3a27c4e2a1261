"""ORY501-ORY504: the ``scope`` allow-list, offline access and OIDC-only settings.

Hydra treats a client's ``scope`` as the allow-list of what it may request, split on whitespace,
and never validates it. Refresh tokens need both the ``refresh_token`` grant and a granted
``offline``/``offline_access`` scope (fosite's ``GetRefreshTokenScopes``), and ID tokens need
``openid`` and an end user, so a mismatch between ``scope`` and the rest of the client shows up
only as tokens that silently never appear. An unset (or ``""``) scope is replaced by the
project's default scope, which the setting ``ory.default_scope`` describes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from orylint.engine.findings import Violation
from orylint.engine.registry import client_rule
from orylint.model import effective
from orylint.model.effective import (
    IMPLICIT,
    REDIRECT_GRANTS,
    REFRESH_TOKEN,
    USER_GRANTS,
    grant_span,
    show,
)
from orylint.model.project import Client
from orylint.model.settings import Settings
from orylint.terraform.values import Attribute

_OIDC_STRINGS = (
    "frontchannel_logout_uri",
    "backchannel_logout_uri",
    "userinfo_signed_response_alg",
)
_SEPARATORS = re.compile(r"[\s,;]+")


@client_rule("ORY501")
def refresh_token_without_offline_scope(client: Client, settings: Settings) -> Iterator[Violation]:
    """Refresh tokens need a granted offline scope, and a client gets only scopes it allows."""
    grants = effective.grant_types(client)
    scope = effective.scope(client, settings)
    if grants is None or REFRESH_TOKEN not in grants or scope is None or scope.offline:
        return
    attribute = client.attr("scope")
    if scope.configured and attribute is not None:
        span = attribute.value_span
        fix = 'add "offline_access" to scope, or remove the "refresh_token" grant'
    else:
        span = grant_span(client, REFRESH_TOKEN)
        fix = 'set scope to include "offline_access", or remove the "refresh_token" grant'
    yield Violation(
        f"{scope.describe()} contains neither offline_access nor offline, so the client can "
        'never be granted offline access and the "refresh_token" grant never yields a refresh '
        f"token: {fix}",
        span,
        "scope",
    )


@client_rule("ORY502")
def offline_scope_without_refresh_grant(client: Client, settings: Settings) -> Iterator[Violation]:
    """Offline scopes promise refresh tokens that the grants cannot deliver (OIDC Core §11)."""
    scope = effective.scope(client, settings)
    attribute = client.attr("scope")
    grants = effective.grant_types(client)
    if scope is None or not scope.configured or attribute is None or grants is None:
        return  # unset or "": the project default applies, which the user did not write
    if not scope.offline:
        return
    named = " and ".join(scope.offline)
    if REFRESH_TOKEN not in grants:
        yield Violation(
            f'{scope.describe()} allows {named}, but the client has no "refresh_token" grant, so '
            'no refresh token is ever issued: add the "refresh_token" grant if the client needs '
            f"long sessions, otherwise drop {named}",
            attribute.value_span,
            "scope",
        )
    elif IMPLICIT in grants and not set(grants) & (USER_GRANTS - {IMPLICIT}):
        yield Violation(
            f'{scope.describe()} allows {named}, but the only user-facing grant is "implicit", '
            "which never returns a code, so offline access is ignored (OIDC Core §11): use "
            f'"authorization_code" with PKCE, or drop {named}',
            attribute.value_span,
            "scope",
        )


@client_rule("ORY503")
def oidc_settings_without_id_tokens(client: Client, settings: Settings) -> Iterator[Violation]:
    """ID tokens need ``openid``; without it OIDC-only settings of a user-facing client do nothing.

    Logout, signed UserInfo and pairwise subjects all belong to OpenID Connect sessions. The same
    settings on a client without an end user (client_credentials, jwt-bearer) are ORY802's, and
    ID-token lifespans are ORY801's, which knows every reason a lifespan goes unused: one finding
    per attribute.
    """
    scope = effective.scope(client, settings)
    if scope is None or "openid" in scope.tokens:
        return
    grants = effective.certain_grants(client)
    if not USER_GRANTS & grants:
        return  # no end user (ORY802's, or ORY305's for refresh_token alone), or not known
    redirects = bool(REDIRECT_GRANTS & grants)
    for name, attribute in _oidc_settings(client):
        if name == "post_logout_redirect_uris" and not redirects:
            continue  # no flow sends a browser back to the client: ORY802
        yield Violation(
            f"`{name}` has no effect: {client.address} can never get ID tokens because "
            f'{scope.describe()} lacks openid; add "openid" to scope if the client signs users '
            "in, otherwise remove it",
            attribute.span,
            name,
        )


def _oidc_settings(client: Client) -> Iterator[tuple[str, Attribute]]:
    """The OIDC-only settings that are known to be set (unknown values are skipped)."""
    for name in (
        "frontchannel_logout_uri",
        "backchannel_logout_uri",
        "userinfo_signed_response_alg",
    ):
        attribute = client.attr(name)
        if attribute is not None and client.string(name):
            yield name, attribute
    logout = client.attr("post_logout_redirect_uris")
    if logout is not None and isinstance(logout.value, list) and logout.value:
        yield "post_logout_redirect_uris", logout
    subject = client.attr("subject_type")
    if subject is not None and client.string("subject_type") == "pairwise":
        yield "subject_type", subject
    skip = client.attr("skip_logout_consent")
    if skip is not None and client.boolean("skip_logout_consent") is True:
        yield "skip_logout_consent", skip


@client_rule("ORY504")
def scope_not_space_separated(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra splits ``scope`` on whitespace only (strings.Fields), so `a,b` is one scope."""
    scope = effective.scope(client, settings)
    attribute = client.attr("scope")
    if scope is None or not scope.configured or attribute is None:
        return
    text = scope.text
    stripped = text.strip()
    list_like = len(stripped) >= 2 and stripped[0] == "[" and stripped[-1] == "]"
    separators = [char for char in ",;" if char in text]
    if not list_like and not separators:
        return
    if list_like:
        problem = "looks like a list literal"
        stripped = stripped[1:-1]
    else:
        problem = "contains " + " and ".join(show(char) for char in separators)
    tokens = [token.strip("\"'") for token in _SEPARATORS.split(stripped)]
    suggestion = " ".join(dict.fromkeys(token for token in tokens if token))
    if suggestion:
        fix = f": use {show(suggestion, sensitive=attribute.sensitive)}"
    else:
        fix = ": separate scopes with single spaces"
    yield Violation(
        f"{scope.describe()} {problem}, but Hydra splits scope on whitespace only, so these are "
        f"not the scopes you meant and requests for them are refused{fix}",
        attribute.value_span,
        "scope",
    )

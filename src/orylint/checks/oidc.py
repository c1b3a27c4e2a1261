"""ORY601-ORY603: OpenID Connect specifics: pairwise subjects and inline JWK sets.

Pairwise subjects interact with two things the provider cannot fix: Hydra drops pairwise from the
supported subject types whenever access tokens are JWTs (a HARD 400), and it derives the pairwise
sector from the single redirect URI because the provider cannot set ``sector_identifier_uri``.
Inline JWK sets (``jwks``/``jwks_wo``, later ``ory/ory`` provider only) must hold public keys only.
"""

from __future__ import annotations

from collections.abc import Iterator

from orylint.engine.findings import Violation
from orylint.engine.registry import client_rule
from orylint.golang import gojson
from orylint.model import effective
from orylint.model.effective import USER_GRANTS, show
from orylint.model.project import Client
from orylint.model.settings import Settings

_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth")
_KID_DISPLAY_LIMIT = 64


@client_rule("ORY601")
def pairwise_with_jwt_access_tokens(client: Client, settings: Settings) -> Iterator[Violation]:
    """With JWT access tokens Hydra supports only public subjects, so pairwise is a 400."""
    subject = client.attr("subject_type")
    if subject is None or client.string("subject_type") != "pairwise":
        return
    if effective.access_token_strategy(client, settings) != "jwt":
        return
    strategy = client.string("access_token_strategy")
    if strategy:
        shown = show(strategy, sensitive=effective.is_sensitive(client, "access_token_strategy"))
        yield Violation(
            'subject_type "pairwise" cannot be combined with access_token_strategy '
            f"{shown}: Hydra supports only public subjects for clients with JWT access "
            'tokens and rejects the client (HTTP 400); use access_token_strategy = "opaque" '
            'or subject_type = "public"',
            subject.value_span,
            "subject_type",
        )
    else:
        yield Violation(
            'subject_type "pairwise" with access_token_strategy unset: the project issues JWT '
            "access tokens (setting ory.access_token_strategy), so Hydra supports only public "
            'subjects and rejects the client (HTTP 400); set access_token_strategy = "opaque" '
            'or use subject_type = "public"',
            subject.value_span,
            "subject_type",
            severity="warning",
        )


@client_rule("ORY602")
def pairwise_redirect_uri_count(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra takes the pairwise sector from the only redirect URI; none or several fail login.

    The sector could come from ``sector_identifier_uri`` instead, but this provider cannot set it.
    """
    del settings
    subject = client.attr("subject_type")
    grants = effective.grant_types(client)
    if subject is None or client.string("subject_type") != "pairwise" or grants is None:
        return
    if not set(grants) & USER_GRANTS:
        return  # no end user ever logs in, so no pairwise subject is computed (ORY503)
    redirects = client.attr("redirect_uris")
    if redirects is None:
        count = 0
    elif isinstance(redirects.value, list):
        # The length of a list literal is known even when some of its items are not.
        count = len(redirects.value)
    else:
        return  # the whole list is unknown
    if count == 1:
        return
    if redirects is None or count == 0:
        yield Violation(
            f'subject_type "pairwise" needs exactly one redirect URI, and {client.address} has '
            "none: Hydra derives the pairwise sector from it (this provider cannot set "
            "sector_identifier_uri), so every login fails; register one redirect URI or use "
            'subject_type = "public"',
            redirects.value_span if redirects is not None else subject.value_span,
            "redirect_uris",
        )
        return
    hosts = {uri.url.host.lower() for uri in effective.redirect_uris(client) if uri.url}
    spread = (
        " (they are on different hosts, so OIDC Core §8.1 requires a sector identifier too)"
        if len(hosts) > 1
        else " (even on one host: Hydra is stricter than OIDC Core §8.1, ory/hydra#3898)"
    )
    yield Violation(
        f'subject_type "pairwise" needs exactly one redirect URI, and redirect_uris has {count}'
        f"{spread}: without sector_identifier_uri, which this provider cannot set, Hydra "
        "refuses every login or consent; keep one redirect URI or use "
        'subject_type = "public"',
        redirects.value_span,
        "redirect_uris",
    )


@client_rule("ORY603")
def jwks_private_key_material(client: Client, settings: Settings) -> Iterator[Violation]:
    """OIDC Registration §2: a client's JWK Set MUST NOT contain private or symmetric keys.

    Messages name members and key ids only, never a key's values.
    """
    del settings
    for name in ("jwks", "jwks_wo"):
        attribute = client.attr(name)
        text = client.string(name)
        if attribute is None or text is None:
            continue
        keys = _keys(text, sensitive=attribute.sensitive)
        if keys is None:
            continue  # not a JWK set orylint can read; Hydra's own validation reports it
        several = len(keys) > 1
        readers = "this configuration" + (" or the Terraform state" if name == "jwks" else "")
        for label, key in keys:
            where = f"{name}: {label}"
            private = [member for member in _PRIVATE_MEMBERS if member in key]
            if private:
                yield Violation(
                    f"{where} contains private key members ({', '.join(private)}): a client's "
                    "JWK set must hold public keys only (OIDC Registration §2), and this private "
                    f"key is now exposed to Ory and to everyone who can read {readers}; register "
                    "only the public part and rotate the key",
                    attribute.value_span,
                    name,
                )
            if key.get("kty") == "oct" or "k" in key:
                yield Violation(
                    f'{where} is a symmetric key (kty "oct"): a client\'s JWK set must not hold '
                    f"shared secrets (OIDC Registration §2), and this one is now exposed to Ory "
                    f"and to everyone who can read {readers}; use an asymmetric key, register "
                    "only its public part and rotate the secret",
                    attribute.value_span,
                    name,
                )
            missing = [m for m in ("kid", "use") if not (isinstance(key.get(m), str) and key[m])]
            if several and missing:
                yield Violation(
                    f"{where} has no {' and no '.join(missing)} although the set holds "
                    f"{len(keys)} keys, so the key for a signature or encryption cannot be "
                    'picked reliably; give every key a unique "kid" and a "use" ("sig" or "enc")',
                    attribute.value_span,
                    name,
                )


def _keys(text: str, *, sensitive: bool) -> list[tuple[str, dict[str, object]]] | None:
    """The keys of a JWK set (or of a single JWK) with a label each, or None if not JSON."""
    try:
        document = gojson.unmarshal(text)
    except gojson.GoJSONError:
        return None
    if not isinstance(document, dict):
        return None
    if "keys" not in document and "kty" in document:
        return [(_label("the key", document, sensitive), document)]
    keys = document.get("keys")
    if not isinstance(keys, list):
        return None
    return [
        (_label(f"keys[{index}]", key, sensitive), key)
        for index, key in enumerate(keys)
        if isinstance(key, dict)
    ]


def _label(base: str, key: dict[str, object], sensitive: bool) -> str:
    """Name a key by position and ``kid`` (a public identifier, never key material).

    A set that Terraform marks sensitive is named by position only: nothing of it is shown.
    """
    kid = key.get("kid")
    if not isinstance(kid, str) or not kid or sensitive:
        return base
    return f"{base} (kid {show(kid, limit=_KID_DISPLAY_LIMIT)})"

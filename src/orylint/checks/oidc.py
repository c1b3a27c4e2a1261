"""ORY601-ORY607: OpenID Connect specifics: pairwise subjects and inline JWK sets.

Pairwise subjects interact with two things the provider cannot fix: Hydra drops pairwise from the
supported subject types whenever access tokens are JWTs (a HARD 400), and it derives the pairwise
sector from the single redirect URI because the provider cannot set ``sector_identifier_uri``.
Inline JWK sets (``jwks``/``jwks_wo``, later ``ory/ory`` provider only) must hold public keys only
(ORY603) and pass four decoders (:mod:`orylint.model.jwk`). Each failure has one rule, in the
order the apply meets them: the provider's SDK (ORY604), Hydra's go-jose decoding and
``Valid()`` (ORY605), a set without keys (ORY606), and the provider's read-back of ``jwks``
(ORY607). Every key is judged on its own, so two bad keys give two findings; a key the
provider rejects is not judged by Hydra's rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from orylint.engine.findings import Violation
from orylint.engine.registry import client_rule
from orylint.golang import gojson
from orylint.model import effective, jwk
from orylint.model.effective import PRIVATE_KEY_JWT, USER_GRANTS, show
from orylint.model.project import Client
from orylint.model.settings import Settings
from orylint.terraform.provider_schema import resource_schema
from orylint.terraform.values import Attribute

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

    The sector could come from ``sector_identifier_uri`` instead: ``ory_oauth2_client`` and
    ``oryhydra_oauth2_client`` cannot set it, ``hydra_oauth2_client`` can (set, even to a value
    orylint cannot know, it silences the rule).
    """
    del settings
    if client.is_set("sector_identifier_uri"):
        return
    settable = "sector_identifier_uri" in resource_schema(client.resource_type)["properties"]
    without = (
        "no sector_identifier_uri is set"
        if settable
        else "this provider cannot set sector_identifier_uri"
    )
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
            f"none: Hydra derives the pairwise sector from it ({without}), so every login "
            'fails; register one redirect URI or use subject_type = "public"',
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
        f"{spread}: {without}, so Hydra refuses every login or consent; keep one redirect URI "
        'or use subject_type = "public"',
        redirects.value_span,
        "redirect_uris",
    )


@client_rule("ORY603")
def jwks_private_key_material(client: Client, settings: Settings) -> Iterator[Violation]:
    """OIDC Registration §2: a client's JWK Set MUST NOT contain private or symmetric keys.

    A symmetric key that reaches Hydra is ORY605's (Hydra rejects every one); this rule reports
    it only when an earlier failure stops the set before Hydra, as its secret is exposed all the
    same. Messages name members and key ids only, never a key's values.
    """
    del settings
    for name, attribute, verdict in _inline_sets(client):
        text = client.string(name)
        keys = _keys(text or "", sensitive=attribute.sensitive)
        if keys is None:
            continue  # not a JWK set orylint can read; ORY604 reports it
        sent = verdict.stage in ("ok", "response", jwk.UNDECIDED)
        readers = "this configuration" + (
            " or the Terraform state" if name == "jwks" and sent else ""
        )
        exposed = f"{'to Ory and ' if sent else ''}to everyone who can read {readers}"
        for index, label, key in keys:
            where = f"{name}: {label}"
            private = [member for member in _PRIVATE_MEMBERS if member in key]
            if private:
                yield Violation(
                    f"{where} contains private key members ({', '.join(private)}): a client's "
                    "JWK set must hold public keys only (OIDC Registration §2), and this private "
                    f"key is now exposed {exposed}; register only the public part and rotate "
                    "the key",
                    attribute.value_span,
                    name,
                )
            elif (key.get("kty") == "oct" or "k" in key) and not _rejected_by_hydra(verdict, index):
                yield Violation(
                    f'{where} is a symmetric key (kty "oct"): a client\'s JWK set must not hold '
                    f"shared secrets (OIDC Registration §2), and this one is now exposed "
                    f"{exposed}; use an asymmetric key, register only its public part and "
                    "rotate the secret",
                    attribute.value_span,
                    name,
                )


@client_rule("ORY604")
def jwks_rejected_by_provider(client: Client, settings: Settings) -> Iterator[Violation]:
    """The provider's SDK decodes the set at apply and needs alg, kid, kty and use on each key.

    ``terraform plan`` passes; the apply fails with "Invalid JWKS JSON" before anything is sent,
    or, for an empty ``alg``/``kid``/``use``, after Hydra stored the client, when the SDK cannot
    read Hydra's answer (go-jose omits empty members).
    """
    del settings
    for name, attribute, verdict in _inline_sets(client):
        if verdict.stage == "provider" and not verdict.keys:
            yield Violation(
                f"{name} {_set_problem(verdict, attribute.sensitive, client.string(name) or '')}: "
                'terraform plan passes, then apply fails with "Invalid JWKS JSON"; build it '
                "with jsonencode({ keys = [{ kty, kid, use, alg, ... }] })",
                attribute.value_span,
                name,
            )
            continue
        raw = _keys(client.string(name) or "", sensitive=attribute.sensitive) or []
        written = {index: key for index, _, key in raw}
        for key in verdict.keys:
            label = f"{name}: {_key_label(key, attribute.sensitive)}"
            member = key.member or ""
            if key.stage == "provider" and key.code and key.code.startswith("required:"):
                present = written.get(key.index, {})
                missing = [m for m in _SDK_REQUIRED if m not in present] or [member]
                quoted = [f'"{m}"' for m in missing]
                listed = " or ".join(
                    [", ".join(quoted[:-1]), quoted[-1]] if quoted[:-1] else quoted
                )
                hints = "".join(_MEMBER_HINTS.get(m, "") for m in missing[:1])
                yield Violation(
                    f"{label} has no {listed} member, but the provider's SDK (ory/client-go "
                    'JsonWebKey) requires "alg", "kid", "kty" and "use" on every key: terraform '
                    f'plan passes, then apply fails with "Invalid JWKS JSON"; add {listed}{hints}',
                    attribute.value_span,
                    name,
                )
            elif key.stage == "provider":
                what, fix = (
                    (
                        f'member "{member}" is',
                        "write it as a list of strings"
                        if member == "x5c"
                        else "write it as a string",
                    )
                    if member
                    else ("the key is", 'write each key as an object, e.g. { kty = "RSA", ... }')
                )
                yield Violation(
                    f"{label}: {what} not of the JSON type the provider's SDK expects (a key is "
                    'an object of strings, x5c a list of strings): apply fails with "Invalid '
                    f'JWKS JSON"; {fix}',
                    attribute.value_span,
                    name,
                )
            elif key.stage == "response":
                yield Violation(
                    f'{label} has an empty "{member}": Hydra stores the client but leaves the '
                    "empty member out of its answer, which the provider's SDK then refuses "
                    f'("no value given for required property {member}"), so apply fails after '
                    "the client was created and every later refresh fails too; give "
                    f'"{member}" a value{_MEMBER_HINTS.get(member, "")}',
                    attribute.value_span,
                    name,
                )


@client_rule("ORY605")
def jwks_key_rejected_by_hydra(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra decodes every key with go-jose v3 and rejects the client (400) if one fails."""
    del settings
    for name, attribute, verdict in _inline_sets(client):
        if verdict.stage == "hydra" and verdict.code == "type" and verdict.key is None:
            yield Violation(
                f"{name} has a member that Hydra reads as the key list but cannot decode as "
                'one: Hydra rejects the client (HTTP 400); name the list "keys" exactly',
                attribute.value_span,
                name,
            )
        for key in verdict.keys:
            if key.stage != "hydra":
                continue
            label = f"{name}: {_key_label(key, attribute.sensitive)}"
            yield Violation(
                f"{label} {_hydra_problem(key, attribute.sensitive)}: Hydra rejects the client "
                "(HTTP 400) and terraform apply fails; "
                f"{_HYDRA_FIXES.get(key.code or '', _THUMBPRINT_FIX)}",
                attribute.value_span,
                name,
            )


@client_rule("ORY606")
def jwks_without_keys(client: Client, settings: Settings) -> Iterator[Violation]:
    """An inline set with no key: Hydra rejects it, the provider cannot store it, or it is idle.

    Without a ``keys`` member the provider sends ``"jwks":{}`` and Hydra holds no set (400 for
    private_key_jwt); with ``jwks`` the provider writes null to state after create whenever the
    set holds no key, which Terraform reports as an inconsistent result.
    """
    del settings
    method = effective.auth_method(client)
    for name, attribute, verdict in _inline_sets(client):
        if not verdict.holds_no_key:
            continue
        shape = 'has no "keys" member' if verdict.stage == "hydra" else "has an empty key list"
        if method == PRIVATE_KEY_JWT and verdict.stage == "hydra":
            outcome = (
                "so Hydra holds no key set and rejects private_key_jwt (HTTP 400: either jwks "
                "or jwks_uri must be set)"
            )
        elif name == "jwks":
            outcome = (
                "so Hydra stores no key and the provider writes null to state after create: "
                'apply fails with "Provider produced inconsistent result after apply"'
            )
        elif method == PRIVATE_KEY_JWT:
            outcome = (
                "so the client registers no key and every private_key_jwt assertion fails "
                "with invalid_client"
            )
        elif method is not None:
            yield Violation(
                f"{name} {shape}: the client registers no key, so the attribute does nothing; "
                "remove it, or add the public keys",
                attribute.value_span,
                name,
                severity="note",
            )
            continue
        else:
            continue
        yield Violation(
            f'{name} {shape}, {outcome}; add the public keys under "keys", or use jwks_uri',
            attribute.value_span,
            name,
        )


@client_rule("ORY607")
def jwks_not_read_back_verbatim(client: Client, settings: Settings) -> Iterator[Violation]:
    """After create the provider stores Hydra's answer, re-encoded; Terraform wants the plan.

    ``Create`` replaces the planned ``jwks`` with the set Hydra returns (go-jose re-encodes each
    key, drops unknown members, omits nothing else), marshalled compact with sorted keys. Any
    other spelling makes Terraform fail the apply ("Provider produced inconsistent result after
    apply"). ``jwks_wo`` is never written back, so it is exempt.
    """
    del settings
    attribute = client.attr("jwks")
    verdict = effective.inline_jwks(client, "jwks")
    text = client.string("jwks")
    if attribute is None or verdict is None or text is None:
        return
    if verdict.stage != "ok" or verdict.read_back is None or verdict.read_back == text:
        return
    yield Violation(
        f"jwks is not what the provider stores after create ({_rewrites(text, verdict.read_back)}"
        "): the provider replaces it with Hydra's answer, compact with sorted keys, so apply "
        'fails with "Provider produced inconsistent result after apply"; '
        + (
            "write the members as Hydra returns them"
            if attribute.from_jsonencode
            else "build it with jsonencode({ keys = [...] })"
        ),
        attribute.value_span,
        "jwks",
    )


_SDK_REQUIRED = ("alg", "kid", "kty", "use")
_QUOTED_CHARACTER = re.compile(r"invalid character '(?:[^'\\]|\\.)*' ")
_MEMBER_HINTS = {
    "alg": ' (e.g. "RS256", the algorithm the key signs with)',
    "kid": " (a unique key id)",
    "use": ' ("sig" for a signing key)',
    "kty": ' ("RSA", "EC" or "OKP")',
}

_HYDRA_PROBLEMS = {
    "base64": 'has a member "{member}" that is not base64url (go-jose decodes only the '
    "URL-safe alphabet, with no padding inside)",
    "unknown-kty": "has kty {kty}, which go-jose v3 does not know (RSA, EC, OKP and oct, "
    "case-sensitive)",
    "ec-curve": "is an EC key on an unsupported curve (go-jose v3 knows P-256, P-384 and P-521)",
    "ec-missing": 'is an EC key without "{member}"',
    "ec-length": 'is an EC key whose "{member}" does not have the full size of a coordinate of '
    "its curve (RFC 7518 §6.2.1.2)",
    "ec-not-on-curve": "is an EC key whose point is not on its curve",
    "rsa-missing": 'is an RSA key without "{member}"',
    "oct-missing": 'is a symmetric key without "k"',
    "okp-curve": 'is an OKP key that is not an Ed25519 key with "x" (the only OKP key go-jose '
    "v3 reads)",
    "x5c": "has an x5c entry that is not standard, padded base64",
    "x5u": "has an x5u that is not a URL Go can parse",
    "type": 'has a member "{member}" of the wrong JSON type (go-jose expects a string)',
}

_THUMBPRINT_FIX = "drop the thumbprint, or give the SHA digest in base64url"
_HYDRA_FIXES = {
    "invalid": "use an asymmetric key and register only its public part",
    "base64": "encode it with the base64url alphabet (- and _) and no padding",
    "unknown-kty": 'write kty "RSA", "EC" or "OKP"',
    "ec-curve": 'use crv "P-256", "P-384" or "P-521"',
    "ec-length": "encode the coordinate with its leading zero bytes",
    "ec-not-on-curve": "publish the key's real coordinates",
    "okp-curve": 'use crv "Ed25519" with "x", or an EC or RSA key',
    "ec-missing": "add the missing public coordinate",
    "rsa-missing": 'add the missing member (a public RSA key needs "n" and "e")',
    "oct-missing": "use an asymmetric key and register only its public part",
    "x5c": "encode each certificate in standard base64 with padding, or drop x5c",
    "x5u": "fix the URL or drop x5u",
    "type": "write the member as a string",
}


def _inline_sets(client: Client) -> Iterator[tuple[str, Attribute, jwk.KeySetVerdict]]:
    """``jwks`` and ``jwks_wo`` with a known value, and what becomes of each."""
    for name in effective.INLINE_KEY_ATTRIBUTES:
        attribute = client.attr(name)
        verdict = effective.inline_jwks(client, name)
        if attribute is not None and verdict is not None:
            yield name, attribute, verdict


def _set_problem(verdict: jwk.KeySetVerdict, sensitive: bool, text: str) -> str:
    if verdict.code == "syntax":
        try:
            gojson.unmarshal(text)
        except gojson.GoJSONError as error:
            # Go quotes the offending character; in a key set that may be key material.
            reason = _QUOTED_CHARACTER.sub("invalid character ", str(error))
            if sensitive:
                reason = "details not shown: the value is sensitive"
            return f"is not valid JSON ({reason})"
    if verdict.member == "keys":
        return 'has a "keys" member that is not a list of keys'
    return 'is not a JSON object with a "keys" list'


def _hydra_problem(key: jwk.KeyVerdict, sensitive: bool) -> str:
    if key.code == "invalid":
        if key.kty == "oct":
            return (
                'is a symmetric key (kty "oct"): go-jose\'s JSONWebKey.Valid() accepts no '
                'symmetric key (Hydra: "Invalid JSON web key in set"), and a client\'s JWK '
                "set must not hold shared secrets (OIDC Registration §2)"
            )
        return 'is an RSA key whose "e" decodes to 0, which go-jose\'s Valid() refuses'
    if key.code and key.code.startswith(("x5t", "x5t#S256")):
        return f'has an invalid "{key.member}" thumbprint (base64url of a SHA digest)'
    template = _HYDRA_PROBLEMS.get(key.code or "", "cannot be decoded by go-jose v3")
    return template.format(member=key.member, kty=show(key.kty, sensitive=sensitive))


def _key_label(key: jwk.KeyVerdict, sensitive: bool) -> str:
    """Name a key by position and ``kid`` (a public identifier, never key material)."""
    if not key.kid or sensitive:
        return f"keys[{key.index}]"
    return f"keys[{key.index}] (kid {show(key.kid, limit=_KID_DISPLAY_LIMIT)})"


def _rejected_by_hydra(verdict: jwk.KeySetVerdict, index: int) -> bool:
    return any(key.index == index and key.stage == "hydra" for key in verdict.keys)


def _rewrites(text: str, read_back: str) -> str:
    """What differs between the written set and the read-back, by member name only."""
    written = gojson.unmarshal(text)
    back = gojson.unmarshal(read_back)
    assert isinstance(written, dict)
    assert isinstance(back, dict)
    changes: list[str] = []
    dropped = sorted(set(written) - {"keys"})
    if dropped:
        changes.append(f"Hydra drops {', '.join(dropped)} from the set")
    written_keys, back_keys = written.get("keys"), back.get("keys")
    if isinstance(written_keys, list) and isinstance(back_keys, list):
        for index, (mine, theirs) in enumerate(zip(written_keys, back_keys, strict=False)):
            if not isinstance(mine, dict) or not isinstance(theirs, dict):
                continue
            gone = sorted(set(mine) - set(theirs))
            changed = sorted(m for m in set(mine) & set(theirs) if mine[m] != theirs[m])
            if gone:
                changes.append(f"keys[{index}] loses {', '.join(gone)}")
            if changed:
                changes.append(f"keys[{index}] gets {', '.join(changed)} re-encoded")
    if not changes:
        changes.append("spaces or member order differ")
    return "; ".join(changes[:3])


def _keys(text: str, *, sensitive: bool) -> list[tuple[int, str, dict[str, object]]] | None:
    """The keys of a JWK set (or of a single JWK) with a label each, or None if not JSON."""
    try:
        document = gojson.unmarshal(text)
    except gojson.GoJSONError:
        return None
    if not isinstance(document, dict):
        return None
    if "keys" not in document and "kty" in document:
        return [(0, _label("the key", document, sensitive), document)]
    keys = document.get("keys")
    if not isinstance(keys, list):
        return None
    return [
        (index, _label(f"keys[{index}]", key, sensitive), key)
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

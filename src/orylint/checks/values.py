"""ORY105-ORY110: enumerated values, ``metadata`` JSON and empty strings.

The provider validates none of these attributes, so a wrong value surfaces only during
``terraform apply``: as a Hydra 400 (strategy, UserInfo algorithm, subject type), as the
provider's own "Invalid Metadata JSON", or as "Provider produced inconsistent result after apply"
when Hydra replaces an empty string with its default. Some values are accepted but never usable
(request-object algorithms) or drift forever (mixed case, hand-written JSON).
"""

from __future__ import annotations

from collections.abc import Iterator

from orylint.engine import fixes
from orylint.engine.findings import Violation
from orylint.engine.registry import client_rule
from orylint.golang import gojson
from orylint.model import effective
from orylint.model.effective import show
from orylint.model.project import Client
from orylint.model.settings import Settings
from orylint.terraform.values import Attribute, Unknown

ACCESS_TOKEN_STRATEGIES = ("jwt", "opaque")
USERINFO_SIGNING_ALGS = ("none", "RS256")
REQUEST_OBJECT_SIGNING_ALGS = frozenset(
    {"none", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
SUBJECT_TYPES = ("public", "pairwise")


def _known_value(client: Client, name: str) -> tuple[Attribute, str] | None:
    """The attribute and its known, non-empty string value (empty means "use the default")."""
    attribute = client.attr(name)
    value = client.string(name)
    if attribute is None or value is None or value == "":
        return None
    return attribute, value


@client_rule("ORY105")
def invalid_access_token_strategy(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra parses the strategy case-insensitively (400 otherwise) and stores it lower-cased."""
    del settings
    known = _known_value(client, "access_token_strategy")
    if known is None:
        return
    attribute, value = known
    lowered = value.lower()
    shown = show(lowered, sensitive=attribute.sensitive)
    if lowered not in ACCESS_TOKEN_STRATEGIES:
        yield Violation(
            f"access_token_strategy {show(value, sensitive=attribute.sensitive)} is neither "
            '"jwt" nor "opaque": Hydra rejects the '
            'client with HTTP 400 (invalid access token strategy); use "opaque" or "jwt", or '
            "omit it to use the project's strategy",
            attribute.value_span,
            "access_token_strategy",
        )
    elif value != lowered:
        yield Violation(
            f"access_token_strategy {show(value, sensitive=attribute.sensitive)} is stored by "
            f"Hydra as {shown}, so the provider reads back {shown} and every plan shows a "
            f"change; write {shown}",
            attribute.value_span,
            "access_token_strategy",
            severity="warning",
            fix=fixes.replace_value(client, attribute, lowered, f"write {shown}"),
        )


@client_rule("ORY106")
def unsupported_userinfo_signing_alg(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra's validator accepts exactly ``none`` and ``RS256``; the provider docs suggest ES256."""
    del settings
    known = _known_value(client, "userinfo_signed_response_alg")
    if known is None:
        return
    attribute, value = known
    if value in USERINFO_SIGNING_ALGS:
        return
    spelled = {alg.lower(): alg for alg in USERINFO_SIGNING_ALGS}.get(value.lower())
    if spelled is not None:
        hint = f'write "{spelled}": the comparison is case-sensitive'
    else:
        hint = 'Hydra signs UserInfo only with RS256: use "RS256", or omit it for plain JSON'
    yield Violation(
        f"userinfo_signed_response_alg {show(value, sensitive=attribute.sensitive)} is "
        "rejected by Hydra with HTTP 400 "
        f'(invalid_client_metadata): only "none" and "RS256" are accepted; {hint}',
        attribute.value_span,
        "userinfo_signed_response_alg",
    )


@client_rule("ORY107")
def unusable_request_object_signing_alg(client: Client, settings: Settings) -> Iterator[Violation]:
    """Request objects are verified only with asymmetric algorithms and registered keys."""
    del settings
    known = _known_value(client, "request_object_signing_alg")
    if known is None:
        return
    attribute, value = known
    if value not in REQUEST_OBJECT_SIGNING_ALGS:
        spelled = {alg.lower(): alg for alg in REQUEST_OBJECT_SIGNING_ALGS}.get(value.lower())
        if spelled is not None:
            hint = f'write "{spelled}": algorithm names are case-sensitive'
        elif value.upper().startswith("HS"):
            hint = 'HMAC algorithms are not supported; use an asymmetric one such as "RS256"'
        else:
            hint = "use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 or ES512"
        yield Violation(
            f"request_object_signing_alg {show(value, sensitive=attribute.sensitive)} is not "
            "an algorithm Hydra verifies request "
            f"objects with, so every request object is rejected; {hint}",
            attribute.value_span,
            "request_object_signing_alg",
        )
    elif all(
        state is False for state in effective.key_sources(client).values()
    ) and not effective.key_attribute_written(client):  # ORY604-ORY607 say what is wrong
        yield Violation(
            f"request_object_signing_alg {show(value, sensitive=attribute.sensitive)} is set, "
            "but the client registers no keys "
            "(neither jwks_uri nor jwks): Hydra refuses every request object, even an unsigned "
            "one; add jwks_uri or remove the attribute",
            attribute.value_span,
            "request_object_signing_alg",
        )
    elif value == "none":
        yield Violation(
            'request_object_signing_alg "none" accepts unsigned request objects, whose '
            'parameters then carry no proof of origin (and the provider does not read "none" '
            'back); use an asymmetric algorithm such as "RS256"',
            attribute.value_span,
            "request_object_signing_alg",
            severity="note",
        )


@client_rule("ORY108")
def unsupported_subject_type(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra rejects a subject type the project does not support (``ory.subject_types``)."""
    known = _known_value(client, "subject_type")
    if known is None:
        return
    attribute, value = known
    supported = settings.ory.subject_types
    if value not in SUBJECT_TYPES:
        spelled = {kind.lower(): kind for kind in SUBJECT_TYPES}.get(value.strip().lower())
        hint = (
            f'write "{spelled}": the comparison is exact and case-sensitive'
            if spelled is not None
            else 'use "public" or "pairwise"'
        )
        yield Violation(
            f"subject_type {show(value, sensitive=attribute.sensitive)} is not a subject type: "
            "Hydra rejects the client with "
            f"HTTP 400; {hint}",
            attribute.value_span,
            "subject_type",
        )
    elif value not in supported:
        listed = ", ".join(f'"{kind}"' for kind in supported)
        yield Violation(
            f"subject_type {show(value, sensitive=attribute.sensitive)} is not enabled in this "
            "Ory project (ory.subject_types = "
            f"[{listed}]): Hydra rejects the client with HTTP 400; enable it in "
            "oidc.subject_identifiers.supported_types and in orylint's ory.subject_types, or "
            f'use "{supported[0]}"',
            attribute.value_span,
            "subject_type",
        )


@client_rule("ORY109")
def metadata_not_json_object(client: Client, settings: Settings) -> Iterator[Violation]:
    """The provider unmarshals ``metadata`` into a map at apply and reads it back re-encoded."""
    del settings
    attribute = client.attr("metadata")
    text = client.string("metadata")
    if attribute is None or text is None:
        return
    try:
        parsed = gojson.unmarshal(text)
    except gojson.GoJSONError as error:
        reason = "details not shown: the value is sensitive" if attribute.sensitive else str(error)
        yield Violation(
            f"metadata is not valid JSON ({reason}): terraform plan passes, then apply fails "
            'with "Invalid Metadata JSON"; build it with jsonencode({ ... })',
            attribute.value_span,
            "metadata",
        )
        return
    if parsed is None:
        yield Violation(
            "metadata is JSON null: the provider sends no metadata and Hydra stores {}; omit the "
            "attribute, or use jsonencode({ ... }) with the keys you need",
            attribute.value_span,
            "metadata",
            severity="note",
        )
        return
    if not isinstance(parsed, dict):
        yield Violation(
            f"metadata is {_json_kind(parsed)}, not an object: the provider only accepts a JSON "
            'object, so apply fails with "Invalid Metadata JSON"; wrap it in an object, e.g. '
            "jsonencode({ ... })",
            attribute.value_span,
            "metadata",
        )
        return
    yield from _metadata_form(attribute, text, parsed)


def _metadata_form(
    attribute: Attribute, text: str, parsed: dict[str, object]
) -> Iterator[Violation]:
    """The note: hand-written JSON, or JSON the provider reads back differently (drift).

    Read writes the metadata back only when the object is non-empty, re-encoded by Go. A value
    from ``jsonencode(...)`` (or a plan value whose source is not known) is judged on its
    structure and on float64 precision, never on how its numbers are spelled: that spelling is
    Terraform's, not the user's.
    """
    read_back = gojson.marshal(parsed) if parsed else text
    lossy = gojson.loses_precision(parsed)
    if attribute.from_jsonencode:
        drifts = bool(parsed) and (
            lossy or gojson.marshal(parsed, exact=True) != gojson.respell_numbers(text)
        )
    else:
        drifts = read_back != text
    if drifts:
        fix = (
            "use numbers a float64 holds exactly (or strings)"
            if lossy
            else "build it with jsonencode({ ... })"
        )
        yield Violation(
            f"metadata is read back as {show(read_back, sensitive=attribute.sensitive, limit=60)} "
            "(compact, keys sorted, numbers as "
            f"float64), so every plan shows a change; {fix}",
            attribute.value_span,
            "metadata",
            severity="note",
        )
    elif not attribute.from_jsonencode:
        written = "a heredoc" if attribute.heredoc else "a hand-written JSON string"
        yield Violation(
            f"metadata is {written}: build it with jsonencode({{ ... }}) so Terraform checks "
            "the syntax and produces the compact, key-sorted form the provider reads back",
            attribute.value_span,
            "metadata",
            severity="note",
        )


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return "a JSON string"
    if isinstance(value, bool):
        return "a JSON boolean"
    return "a JSON number"


_EMPTY_STRING_DEFAULTS = ("scope", "token_endpoint_auth_method", "subject_type")


@client_rule("ORY110")
def empty_string_replaced_by_default(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra replaces ``""`` with a default and the provider copies it to state at create."""
    for name in _EMPTY_STRING_DEFAULTS:
        attribute = client.attr(name)
        if attribute is None or isinstance(attribute.value, Unknown) or attribute.value != "":
            continue
        yield Violation(
            f'{name} = "" is replaced by Hydra with {_hydra_default(name, settings)}, and the '
            'provider copies that into state at create, so apply fails with "Provider produced '
            f'inconsistent result after apply"; {_empty_fix(name)}',
            attribute.value_span,
            name,
        )


def _hydra_default(name: str, settings: Settings) -> str:
    if name == "scope":
        return f"the default scope {show(settings.ory.default_scope)}"
    if name == "token_endpoint_auth_method":
        return '"client_secret_basic"'
    kinds = settings.ory.subject_types
    return f'"{"public" if "public" in kinds else kinds[0]}"'


def _empty_fix(name: str) -> str:
    if name == "scope":
        return "omit `scope` (or set it to null), or list the scopes the client needs"
    if name == "token_endpoint_auth_method":
        return (
            'set the method explicitly (e.g. "client_secret_basic"), or omit it for the '
            'provider default "client_secret_post"'
        )
    return 'omit `subject_type` (or set it to null), or set "public"'

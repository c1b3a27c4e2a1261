"""ORY105-ORY110: enumerated values, ``metadata`` JSON and empty strings.

The provider validates none of these attributes, so a wrong value surfaces only during
``terraform apply``: as a Hydra 400 (strategy, UserInfo algorithm, subject type), as the
provider's own "Invalid Metadata JSON", or as "Provider produced inconsistent result after apply"
when Hydra replaces an empty string with its default. Some values are accepted but never usable
(request-object algorithms) or drift forever (mixed case, hand-written JSON).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from orylint.findings import Violation
from orylint.model import Attribute, Client, Unknown
from orylint.registry import client_rule
from orylint.settings import Settings

ACCESS_TOKEN_STRATEGIES = ("jwt", "opaque")
USERINFO_SIGNING_ALGS = ("none", "RS256")
REQUEST_OBJECT_SIGNING_ALGS = frozenset(
    {"none", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
SUBJECT_TYPES = ("public", "pairwise")
KEY_ATTRIBUTES = ("jwks_uri", "jwks", "jwks_wo")


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
    if lowered not in ACCESS_TOKEN_STRATEGIES:
        yield Violation(
            f'access_token_strategy "{value}" is neither "jwt" nor "opaque": Hydra rejects the '
            'client with HTTP 400 (invalid access token strategy); use "opaque" or "jwt", or '
            "omit it to use the project's strategy",
            attribute.value_span,
            "access_token_strategy",
        )
    elif value != lowered:
        yield Violation(
            f'access_token_strategy "{value}" is stored by Hydra as "{lowered}", so the '
            f'provider reads back "{lowered}" and every plan shows a change; write "{lowered}"',
            attribute.value_span,
            "access_token_strategy",
            severity="warning",
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
        f'userinfo_signed_response_alg "{value}" is rejected by Hydra with HTTP 400 '
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
            f'request_object_signing_alg "{value}" is not an algorithm Hydra verifies request '
            f"objects with, so every request object is rejected; {hint}",
            attribute.value_span,
            "request_object_signing_alg",
        )
    elif not _has_keys(client):
        yield Violation(
            f'request_object_signing_alg "{value}" is set, but the client registers no keys '
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


def _has_keys(client: Client) -> bool:
    """Whether the client registers keys; unknown values count as keys (unknown is not wrong)."""
    for name in KEY_ATTRIBUTES:
        attribute = client.attr(name)
        if attribute is None:
            continue
        value = client.string(name)
        if not attribute.known or value is None or value.strip():
            return True
    return False


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
            f'subject_type "{value}" is not a subject type: Hydra rejects the client with '
            f"HTTP 400; {hint}",
            attribute.value_span,
            "subject_type",
        )
    elif value not in supported:
        listed = ", ".join(f'"{kind}"' for kind in supported)
        yield Violation(
            f'subject_type "{value}" is not enabled in this Ory project (ory.subject_types = '
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
        parsed = go_unmarshal(text)
    except (GoJSONError, json.JSONDecodeError) as error:
        reason = str(error)
        if isinstance(error, json.JSONDecodeError):
            reason = f"{error.msg} at line {error.lineno} column {error.colno}"
        yield Violation(
            f"metadata is not valid JSON ({reason}): terraform plan passes, then apply fails "
            'with "Invalid Metadata JSON"; build it with jsonencode({ ... })',
            attribute.value_span,
            "metadata",
        )
        return
    except RecursionError:
        return  # nested too deeply to judge here
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
    read_back = go_marshal(parsed) if parsed else text
    lossy = _loses_precision(parsed)
    if attribute.from_jsonencode:
        drifts = bool(parsed) and (lossy or go_marshal(parsed, exact=True) != _respelled(text))
    else:
        drifts = read_back != text
    if drifts:
        fix = (
            "use numbers a float64 holds exactly (or strings)"
            if lossy
            else "build it with jsonencode({ ... })"
        )
        yield Violation(
            f"metadata is read back as {_excerpt(read_back)} (compact, keys sorted, numbers as "
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


class GoJSONError(ValueError):
    """JSON that Python accepts but Go's ``encoding/json`` rejects (NaN, out-of-range numbers)."""


@dataclass(frozen=True)
class JSONNumber:
    """A decoded number: Go holds it as a float64; ``exact`` is what the text said."""

    exact: Decimal


def go_unmarshal(text: str) -> object:
    """Decode like Go's ``json.Unmarshal`` into ``interface{}``: numbers are float64.

    Numbers are kept as exact :class:`JSONNumber` values so precision loss can be detected; a
    number that does not fit a float64 and the non-JSON constants ``NaN``/``Infinity`` are errors.
    """

    def number(token: str) -> JSONNumber:
        exact = Decimal(token)
        if math.isinf(float(exact)):
            raise GoJSONError(f"number {token} does not fit a float64")
        return JSONNumber(exact)

    def constant(token: str) -> object:
        raise GoJSONError(f"{token} is not JSON")

    result: object = json.loads(text, parse_int=number, parse_float=number, parse_constant=constant)
    return result


def go_marshal(value: object, *, exact: bool = False) -> str:
    """Encode like Go's ``json.Marshal`` of a decoded value: compact, keys sorted, HTML escaped.

    With ``exact``, numbers keep their decoded value (as a normalised decimal) instead of going
    through float64, which is how ``jsonencode`` differs from the provider's read-back.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, JSONNumber):
        return _exact_number(value.exact) if exact else go_float(float(value.exact))
    if isinstance(value, str):
        return _go_string(value)
    if isinstance(value, list):
        return "[" + ",".join(go_marshal(item, exact=exact) for item in value) + "]"
    if isinstance(value, dict):
        items = (
            f"{_go_string(key)}:{go_marshal(value[key], exact=exact)}" for key in sorted(value)
        )
        return "{" + ",".join(items) + "}"
    raise TypeError(f"not a decoded JSON value: {value!r}")


def _respelled(text: str) -> str:
    """``text`` with each number normalised (``1e3`` -> ``1000``) and everything else kept."""
    out: list[str] = []
    index = 0
    in_string = False
    while index < len(text):
        char = text[index]
        if in_string:
            out.append(char)
            if char == "\\":
                out.append(text[index + 1 : index + 2])
                index += 2
                continue
            if char == '"':
                in_string = False
            index += 1
            continue
        if char == '"':
            in_string = True
            out.append(char)
            index += 1
            continue
        match = _NUMBER.match(text, index)
        if match:
            out.append(_exact_number(Decimal(match.group(0))))
            index = match.end()
            continue
        out.append(char)
        index += 1
    return "".join(out)


_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _exact_number(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: ``1e3`` and ``1000.0`` are both ``1000``."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def go_float(number: float) -> str:
    """Go's float64 JSON form: shortest round-trip digits, exponent only below 1e-6 or from 1e21."""
    if number == 0:
        return "-0" if math.copysign(1.0, number) < 0 else "0"
    sign = "-" if number < 0 else ""
    magnitude = abs(number)
    exact = Decimal(repr(magnitude)).normalize()
    if 1e-6 <= magnitude < 1e21:
        return sign + format(exact, "f")
    digits = "".join(str(digit) for digit in exact.as_tuple().digits)
    exponent = int(exact.as_tuple().exponent) + len(digits) - 1
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    if exponent < 0:
        suffix = f"e-{-exponent}" if exponent > -10 else f"e-{-exponent:02d}"
    else:
        suffix = f"e+{exponent:02d}"
    return sign + mantissa + suffix


def _go_string(text: str) -> str:
    encoded = json.dumps(text, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        encoded = encoded.replace(char, escaped)
    return encoded.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _loses_precision(value: object) -> bool:
    """Whether a number changes when it goes through float64 (large integers, long decimals)."""
    if isinstance(value, JSONNumber):
        return Decimal(go_float(float(value.exact))) != value.exact
    if isinstance(value, list):
        return any(_loses_precision(item) for item in value)
    if isinstance(value, dict):
        return any(_loses_precision(item) for item in value.values())
    return False


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return "a JSON string"
    if isinstance(value, bool):
        return "a JSON boolean"
    return "a JSON number"


def _excerpt(text: str, limit: int = 60) -> str:
    return f"`{text}`" if len(text) <= limit else f"`{text[: limit - 3]}...`"


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
        return f'the default scope "{settings.ory.default_scope}"'
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

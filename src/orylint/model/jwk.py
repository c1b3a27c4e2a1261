r"""What happens to an inline ``jwks`` on its way through the provider to Hydra and back.

Why this module exists: a ``jwks`` value passes four decoders before the client exists, and each
rejects something different. orylint reproduces them in order, exactly, so that a rule can say
which step fails and never claims a rejection for a key that passes:

1. **The provider** (``ory/terraform-provider-ory``, ``internal/resources/oauth2client/
   resource.go``, ``Create``/``Update``) unmarshals the string into the SDK's ``JsonWebKeySet``
   (``ory/client-go`` ``model_json_web_key_set.go``, ``model_json_web_key.go``) and fails the
   apply with "Invalid JWKS JSON" on any error. Go's ``encoding/json`` matches member names
   case-insensitively there; the SDK's ``JsonWebKey.UnmarshalJSON`` requires the members
   ``alg``, ``kid``, ``kty`` and ``use`` to be present (``null`` counts as present) and types
   the known members as strings. It re-encodes the set (known members plus every other member
   verbatim) and sends it; a set without ``keys`` (``{}``, ``null``, ``{"keys":null}``) is sent
   as ``"jwks":{}``.
2. **Hydra** decodes the body into ``x.JoseJSONWebKeySet`` (``x/sqlx.go``), which embeds a
   ``*jose.JSONWebKeySet``: without a ``keys`` member no set is allocated and
   ``Client.GetJSONWebKeys()`` is nil. Each key goes through go-jose v3's
   ``JSONWebKey.UnmarshalJSON`` (``jwk.go``), whose own JSON decoder matches member names
   case-sensitively; a failure is an HTTP 400 ("Unable to decode the request body").
3. **Hydra's validator** (``client/validator.go`` ``Validate``) rejects a set in which a key is
   not ``Valid()``: symmetric (``oct``) keys never are, nor RSA keys whose ``e`` decodes to 0.
4. **The response**: Hydra writes each key back with go-jose's ``MarshalJSON`` (members
   re-encoded from the parsed key, empty ``kid``/``alg``/``use`` omitted, unknown members
   dropped), the SDK decodes it (again requiring ``alg``, ``kid``, ``kty``, ``use``) and the
   provider stores the set re-encoded compactly with sorted keys (:attr:`KeySetVerdict.
   read_back`), or null when it holds no key.

go-jose's base64url (``base64URLDecode`` in ``encoding.go``): trailing ``=`` are stripped, then
``base64.RawURLEncoding`` decodes: url alphabet only, ``\r``/``\n`` ignored, non-zero trailing
bits accepted, a length of 4n+1 rejected. An empty string is "present but empty". ``x5c`` entries
are standard, padded base64 of DER certificates.

Two things orylint does not decide (:data:`UNDECIDED`): whether an RSA *private* key passes Go's
``rsa.PrivateKey.Validate`` (its checks changed between Go releases), and anything that depends
on parsing an X.509 certificate from ``x5c``. A key orylint can read but whose read-back it cannot
compute (an ``x5u`` URL, which Go re-serializes) yields a verdict without ``read_back``.

Nothing here puts key material into a reason: reasons name members and key positions only.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from orylint.golang import gojson
from orylint.golang.urls import URLError, parse

__all__ = [
    "UNDECIDED",
    "KeySetVerdict",
    "assess",
]

UNDECIDED = "undecided"

# The SDK's JsonWebKey members (client-go model_json_web_key.go), in its ToMap order.
_SDK_REQUIRED = ("alg", "kid", "kty", "use")
_SDK_POINTERS = ("crv", "d", "dp", "dq", "e", "k", "n", "p", "q", "qi", "x", "y")
_SDK_FIELDS = (*_SDK_REQUIRED, *_SDK_POINTERS, "x5c")

# go-jose's rawJSONWebKey members.
_JOSE_STRINGS = ("use", "kty", "kid", "crv", "alg", "x5u", "x5t", "x5t#S256")
_JOSE_BUFFERS = ("k", "x", "y", "n", "e", "d", "p", "q", "dp", "dq", "qi")

# Go's encoding/json folds a member name with ASCII upper-casing and, for other runes,
# unicode.ToUpper(unicode.ToLower(r)); these are the runes that fold onto an ASCII letter.
_FOLD_TO_ASCII = {"\u017f": "S", "\u212a": "K", "\u0130": "I", "\u0131": "I"}


@dataclass(frozen=True)
class _Curve:
    name: str
    p: int
    b: int
    size: int  # bytes of a coordinate and of d (go-jose curveSize and dSize agree here)


_CURVES = {
    curve.name: curve
    for curve in (
        _Curve(
            "P-256",
            2**256 - 2**224 + 2**192 + 2**96 - 1,
            0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
            32,
        ),
        _Curve(
            "P-384",
            2**384 - 2**128 - 2**96 + 2**32 - 1,
            int(
                "B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875A"
                "C656398D8A2ED19D2A85C8EDD3EC2AEF",
                16,
            ),
            48,
        ),
        _Curve(
            "P-521",
            2**521 - 1,
            int(
                "0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF1"
                "09E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B50"
                "3F00",
                16,
            ),
            66,
        ),
    )
}


@dataclass(frozen=True)
class KeyVerdict:
    """One key of the set: where it ends (as :class:`KeySetVerdict`, for this key alone).

    Every key is followed as far as it goes on its own, so that each problem of each key is
    known even when Go would stop at the first one: a key the provider rejects has a
    ``"provider"`` verdict, and the keys after it still get the verdict Hydra would give them.
    ``private`` lists the private members the key holds (``d``, ``p``, ``q``, ``dp``, ``dq``,
    ``qi``, ``oth``); ``kid``, ``kty`` and ``use`` are as written (empty when absent or not a
    string).
    """

    index: int
    stage: str
    code: str | None = None
    member: str | None = None
    kty: str = ""
    kid: str = ""
    private: tuple[str, ...] = ()
    use: str = ""

    @property
    def rs256_verifier(self) -> bool:
        """Whether fosite can verify an RS256 client assertion with this key.

        fosite's ``findPublicKey`` (``client_authentication.go``) takes only keys with
        ``use == "sig"`` whose go-jose key is an ``*rsa.PublicKey``: a public RSA key that Hydra
        accepted. A private RSA key decodes to ``*rsa.PrivateKey`` and does not count.
        """
        return self.stage == "ok" and self.kty == "RSA" and self.use == "sig" and not self.private


@dataclass(frozen=True)
class KeySetVerdict:
    """The outcome for one ``jwks`` string, as Go reports it: the first failure.

    ``stage`` says where it ends:

    * ``"provider"``: the provider's "Invalid JWKS JSON" (``code``: ``syntax``, ``type`` or
      ``required:<member>``);
    * ``"hydra"``: Hydra answers 400 (``code``: ``noset`` when the set has no ``keys`` member,
      ``invalid`` for a key that is not ``Valid()``, else the go-jose decoding failure such as
      ``rsa-missing``, ``ec-curve``, ``base64``);
    * ``"response"``: Hydra stores the client but the SDK cannot read it back (``code``
      ``required:<member>``: go-jose omits an empty ``kid``, ``alg`` or ``use``);
    * ``"ok"``: the client is created; ``read_back`` is the set the provider then stores, None
      when the set holds no key (the provider stores null) or when orylint cannot compute it;
    * :data:`UNDECIDED`: it depends on something orylint does not decide.

    ``key`` and ``member`` locate the failure; ``keys`` holds each key's own verdict (empty
    when the set itself fails: not JSON, not an object, ``keys`` not an array).
    """

    stage: str
    code: str | None = None
    key: int | None = None
    member: str | None = None
    read_back: str | None = None
    keys: tuple[KeyVerdict, ...] = field(default=())

    @property
    def holds_no_key(self) -> bool:
        """Whether Hydra ends up without any key: no ``keys`` member, or an empty one."""
        return (self.stage, self.code) == ("hydra", "noset") or (
            self.stage == "ok" and not self.keys
        )


class _Undecided(Exception):
    """A check whose outcome orylint does not decide."""


class _Fail(Exception):
    """A failure of one key (or of the whole set) at one stage."""

    def __init__(self, stage: str, code: str, member: str | None = None) -> None:
        super().__init__(code)
        self.stage, self.code, self.member = stage, code, member


@dataclass
class _Key:
    """A key go-jose decoded: ``Valid()`` and what ``MarshalJSON`` writes back.

    ``exact`` is False when orylint knows the members but not their exact spelling (an ``x5u``
    URL that Go re-serializes).
    """

    valid: bool
    written: dict[str, str]
    exact: bool = True


@lru_cache(maxsize=512)
def assess(text: str) -> KeySetVerdict:
    """Follow ``text`` (a ``jwks`` value) through the provider, Hydra and back."""
    try:
        document = gojson.unmarshal(text)
    except gojson.GoJSONError:
        return KeySetVerdict("provider", "syntax")
    if document is None:
        document = {}
    if not isinstance(document, dict):
        return KeySetVerdict("provider", "type")
    # 1. The SDK: every member matching "keys" (case-insensitively) in order, the last wins.
    provider_failure: KeyVerdict | None = None
    set_type_error = False
    sdk_keys: list[dict[str, object] | _Fail] | None = None
    for name, value in document.items():
        if _match(name, ("keys",)) is None:
            continue
        if value is None:
            sdk_keys = None
        elif isinstance(value, list):
            sdk_keys = [_sdk_key(element) for element in value]
            failed = next((i for i, k in enumerate(sdk_keys) if isinstance(k, _Fail)), None)
            if failed is not None and provider_failure is None:
                failure = sdk_keys[failed]
                assert isinstance(failure, _Fail)
                provider_failure = KeyVerdict(failed, "provider", failure.code, failure.member)
        else:
            set_type_error = True
    if provider_failure is None and set_type_error:
        return KeySetVerdict("provider", "type", member="keys")
    sent: dict[str, object] = {name: value for name, value in document.items() if name != "keys"}
    if sdk_keys is not None:
        sent["keys"] = sdk_keys
    # 2. Hydra: the last member matching "keys" in the (sorted) body the SDK sends.
    matches = [name for name in sorted(sent) if _match(name, ("keys",)) is not None]
    if not matches:
        if provider_failure is not None:
            return _first_failure(provider_failure, ())
        return KeySetVerdict("hydra", "noset")
    hydra_keys = sent[matches[-1]]
    if hydra_keys is None:
        hydra_keys = []
    if not isinstance(hydra_keys, list):
        return KeySetVerdict("hydra", "type", member="keys")
    verdicts: list[KeyVerdict] = []
    decoded: list[_Key | None] = []
    for index, key in enumerate(hydra_keys):
        verdict, jose_key = _key_verdict(index, key)
        verdicts.append(verdict)
        decoded.append(jose_key)
    if provider_failure is not None:
        return _first_failure(provider_failure, tuple(verdicts))
    return _set_verdict(tuple(verdicts), decoded)


def _first_failure(failure: KeyVerdict, keys: tuple[KeyVerdict, ...]) -> KeySetVerdict:
    return KeySetVerdict(failure.stage, failure.code, failure.index, failure.member, keys=keys)


def _set_verdict(keys: tuple[KeyVerdict, ...], decoded: list[_Key | None]) -> KeySetVerdict:
    """The first failure in Go's order.

    Hydra decodes every key (the first failure is the 400), then checks ``Valid()`` key by key,
    then the SDK reads the answer back. A key orylint cannot decide may fail decoding itself,
    which is a 400 all the same, so a later failing key still decides that Hydra rejects.
    """
    decoding = next((k for k in keys if k.stage == "hydra" and k.code != "invalid"), None)
    invalid = next((k for k in keys if k.stage == "hydra"), None)
    for failure in (decoding, invalid):
        if failure is not None:
            return _first_failure(failure, keys)
    if any(k.stage == UNDECIDED for k in keys):
        return KeySetVerdict(UNDECIDED, keys=keys)
    response = next((k for k in keys if k.stage == "response"), None)
    if response is not None:
        return _first_failure(response, keys)
    written = [key for key in decoded if key is not None]
    if not keys or not all(key.exact for key in written):
        return KeySetVerdict("ok", keys=keys)
    read_back = gojson.marshal({"keys": [key.written for key in written]})
    return KeySetVerdict("ok", read_back=read_back, keys=keys)


def _key_verdict(index: int, key: object) -> tuple[KeyVerdict, _Key | None]:
    """One key from the provider's decoding to the SDK's reading of Hydra's answer."""
    if isinstance(key, _Fail):
        return KeyVerdict(index, key.stage, key.code, key.member), None
    if key is None:
        key = {}  # go-jose decodes a null key as an empty object
    if not isinstance(key, dict):
        return KeyVerdict(index, "hydra", "type"), None
    kty, kid, use = key.get("kty"), key.get("kid"), key.get("use")
    base = KeyVerdict(
        index,
        "ok",
        kty=kty if isinstance(kty, str) else "",
        kid=kid if isinstance(kid, str) else "",
        use=use if isinstance(use, str) else "",
        private=tuple(m for m in ("d", "p", "q", "dp", "dq", "qi", "oth") if m in key),
    )
    try:
        jose_key = _jose_decode(key)
    except _Fail as failure:
        return replace(base, stage=failure.stage, code=failure.code, member=failure.member), None
    if jose_key is None:
        return replace(base, stage=UNDECIDED), None
    if not jose_key.valid:
        return replace(base, stage="hydra", code="invalid", member="kty"), jose_key
    missing = next((m for m in _SDK_REQUIRED if m not in jose_key.written), None)
    if missing is not None:
        return replace(base, stage="response", code=f"required:{missing}", member=missing), None
    return base, jose_key


# --------------------------------------------------------------------------
# 1. The provider: json.Unmarshal into the SDK's JsonWebKeySet, then json.Marshal
# --------------------------------------------------------------------------


def _fold(name: str) -> str:
    return "".join(
        char.upper() if char < "\x80" else _FOLD_TO_ASCII.get(char, char) for char in name
    )


def _match(name: str, fields: tuple[str, ...]) -> str | None:
    """The struct field Go's encoding/json assigns ``name`` to: exact match first, then fold."""
    if name in fields:
        return name
    folded = _fold(name)
    return next((f for f in fields if _fold(f) == folded), None)


def _sdk_key(element: object) -> dict[str, object] | _Fail:
    """``JsonWebKey.UnmarshalJSON`` then ``ToMap`` (client-go v1.22)."""
    if element is None:
        return _Fail("provider", "required:alg", "alg")
    if not isinstance(element, dict):
        return _Fail("provider", "type")
    for name in _SDK_REQUIRED:
        if name not in element:
            return _Fail("provider", f"required:{name}", name)
    values: dict[str, object] = {name: "" for name in _SDK_REQUIRED}
    type_member: str | None = None
    for name, value in element.items():
        target = _match(name, _SDK_FIELDS)
        if target is None:
            continue
        if target == "x5c":
            if value is None:
                values.pop("x5c", None)
            elif isinstance(value, list) and all(
                isinstance(item, str) or item is None for item in value
            ):
                values["x5c"] = ["" if item is None else item for item in value]
            else:
                type_member = type_member or name
        elif value is None:
            if target in _SDK_POINTERS:
                values.pop(target, None)
        elif isinstance(value, str):
            values[target] = value
        else:
            type_member = type_member or name
    if type_member is not None:
        return _Fail("provider", "type", type_member)
    extra = {name: value for name, value in element.items() if name not in _SDK_FIELDS}
    return {**values, **extra}


# --------------------------------------------------------------------------
# 2. and 3. Hydra: x.JoseJSONWebKeySet, go-jose's UnmarshalJSON, Valid()
# --------------------------------------------------------------------------


_URL_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")
_STD_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9._~/-]*)?")
"""An ``x5u`` that Go's ``URL.String()`` writes back unchanged (others: read-back unknown)."""
_HEX = re.compile(rb"[0-9a-fA-F]*")
_THUMBPRINTS = (("x5t", 20), ("x5t#S256", 32))


def base64url_decode(value: str) -> bytes | None:
    """go-jose's ``base64URLDecode``: None where Go reports ``illegal base64 data``."""
    value = value.rstrip("=").replace("\r", "").replace("\n", "")
    if len(value) % 4 == 1 or not _URL_ALPHABET.fullmatch(value):
        return None
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _std_base64_ok(value: str) -> bool:
    """Whether Go's ``base64.StdEncoding.DecodeString`` accepts ``value``."""
    return _STD_BASE64.fullmatch(value.replace("\r", "").replace("\n", "")) is not None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _minimal(number: int) -> bytes:
    return number.to_bytes((number.bit_length() + 7) // 8, "big")


def _jose_decode(key: dict[str, object]) -> _Key | None:
    """``JSONWebKey.UnmarshalJSON`` and ``Valid()``; None where orylint cannot decide."""
    strings, buffers = _raw_members(key)
    certificates = key.get("x5c")
    if isinstance(certificates, list) and certificates:
        if not all(isinstance(c, str) and _std_base64_ok(c) for c in certificates):
            raise _Fail("hydra", "x5c", "x5c")
        return None  # an X.509 certificate: orylint does not parse it
    try:
        valid, written = _key_members(strings.get("kty", ""), strings.get("crv", ""), buffers)
    except _Undecided:
        valid, written, undecided = True, {}, True
    else:
        undecided = False
    x5u = strings.get("x5u", "")
    if x5u:
        try:
            parse(x5u)
        except URLError:
            raise _Fail("hydra", "x5u", "x5u") from None
        written["x5u"] = x5u
    written.update(_thumbprints(strings))
    if undecided:
        return None
    for name in ("kid", "alg", "use"):
        if strings.get(name):
            written[name] = strings[name]
    return _Key(valid, written, exact=not x5u or _PLAIN_URL.fullmatch(x5u) is not None)


def _raw_members(key: dict[str, object]) -> tuple[dict[str, str], dict[str, bytes]]:
    """go-jose's ``rawJSONWebKey``: its string members and its decoded base64url members.

    go-jose's JSON decoder aborts on a member whose ``UnmarshalJSON`` fails (the base64url
    members) but only records a type error of a plain member and reports it at the end.
    """
    strings: dict[str, str] = {}
    buffers: dict[str, bytes] = {}
    type_member: str | None = None
    for name in sorted(key):  # the SDK sends the members sorted; go-jose reads them in order
        value = key[name]
        if name in _JOSE_BUFFERS:
            if value is None:
                continue
            if not isinstance(value, str):
                raise _Fail("hydra", "type", name)
            decoded = base64url_decode(value) if value else b""
            if decoded is None:
                raise _Fail("hydra", "base64", name)
            buffers[name] = decoded
        elif name in _JOSE_STRINGS:
            if isinstance(value, str):
                strings[name] = value
            elif value is not None:
                type_member = type_member or name
        elif name == "x5c" and not _string_list(value):
            type_member = type_member or name
    if type_member is not None:
        raise _Fail("hydra", "type", type_member)
    return strings, buffers


def _string_list(value: object) -> bool:
    """Whether Go decodes ``value`` into a ``[]string`` (null elements become "")."""
    return value is None or (
        isinstance(value, list) and all(isinstance(v, str) or v is None for v in value)
    )


def _thumbprints(strings: dict[str, str]) -> dict[str, str]:
    """``x5t`` and ``x5t#S256`` checked as go-jose does, and as ``MarshalJSON`` writes them.

    A digest is base64url; one of twice the digest size is taken as hex (RFC 7517 §4.8 is
    ambiguous). Both are decoded before either size is checked.
    """
    digests: dict[str, bytes] = {}
    for name, size in _THUMBPRINTS:
        digest = base64url_decode(strings.get(name, ""))
        if digest is None:
            raise _Fail("hydra", f"{name}-encoding", name)
        if len(digest) == 2 * size:
            if not _HEX.fullmatch(digest):
                raise _Fail("hydra", f"{name}-hex", name)
            digest = bytes.fromhex(digest.decode("ascii"))
        digests[name] = digest
    for name, size in _THUMBPRINTS:
        if digests[name] and len(digests[name]) != size:
            raise _Fail("hydra", f"{name}-size", name)
    return {name: _b64(digest) for name, digest in digests.items() if digest}


def _key_members(kty: str, crv: str, buffers: dict[str, bytes]) -> tuple[bool, dict[str, str]]:
    """The key type's checks in go-jose's order; (Valid(), members MarshalJSON writes)."""
    if kty == "EC":
        return True, _ec(crv, buffers)
    if kty == "RSA":
        return _rsa(buffers)
    if kty == "oct":
        if "k" not in buffers:
            raise _Fail("hydra", "oct-missing", "k")
        return False, {}
    if kty == "OKP":
        if crv != "Ed25519" or "x" not in buffers:
            raise _Fail("hydra", "okp-curve", "crv")
        written = {"kty": "OKP", "crv": "Ed25519", "x": _b64((buffers["x"] + bytes(32))[:32])}
        if "d" in buffers:
            written["d"] = _b64((buffers["d"] + bytes(32))[:32])
        return True, written
    raise _Fail("hydra", "unknown-kty", "kty")


def _ec(crv: str, buffers: dict[str, bytes]) -> dict[str, str]:
    curve = _CURVES.get(crv)
    if curve is None:
        raise _Fail("hydra", "ec-curve", "crv")
    needed = ("x", "y", "d") if "d" in buffers else ("x", "y")
    missing = next((m for m in needed if m not in buffers), None)
    if missing is not None:
        raise _Fail("hydra", "ec-missing", missing)
    for member in needed:
        if len(buffers[member]) != curve.size:
            raise _Fail("hydra", "ec-length", member)
    x, y = int.from_bytes(buffers["x"], "big"), int.from_bytes(buffers["y"], "big")
    if x >= curve.p or y >= curve.p or (y * y - (x**3 - 3 * x + curve.b)) % curve.p:
        raise _Fail("hydra", "ec-not-on-curve", "x")
    return {member: _b64(buffers[member]) for member in needed} | {"kty": "EC", "crv": crv}


def _rsa(buffers: dict[str, bytes]) -> tuple[bool, dict[str, str]]:
    needed = ("n", "e", "d", "p", "q") if "d" in buffers else ("n", "e")
    missing = next((m for m in needed if m not in buffers), None)
    if missing is not None:
        raise _Fail("hydra", "rsa-missing", missing)
    if "d" in buffers:
        raise _Undecided  # rsa.PrivateKey.Validate differs between Go releases
    # E is int(big.Int.Int64()), the low 64 bits; Valid() requires E != 0.
    exponent = int.from_bytes(buffers["e"], "big") & (2**64 - 1)
    modulus = int.from_bytes(buffers["n"], "big")
    written = {"kty": "RSA", "n": _b64(_minimal(modulus)), "e": _b64(_minimal(exponent))}
    return exponent != 0, written

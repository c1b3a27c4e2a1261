"""orylint.model.jwk against real Go: the provider's SDK, Hydra, go-jose v3 and the read-back.

``fixtures/jwk/go_jose_v3.json`` holds 887 ``jwks`` inputs (every key type and curve, each member
missing, null, empty, mistyped, padded, in the standard alphabet, with a newline, too short or
too long; unknown ``kty``/``crv``; points off the curve; ``x5c``/``x5t``/``x5u`` variants; sets
that are not sets) with the verdict a throw-away Go 1.27.3 program gave for each by running the
real code: ``ory/client-go`` v1.22.52 ``JsonWebKeySet`` as the provider decodes and re-encodes it,
Hydra's ``x.JoseJSONWebKeySet`` with go-jose v3.0.5 and ``JSONWebKey.Valid()``, then go-jose's
``MarshalJSON`` read back through the SDK and normalised as the provider's ``Create`` does. The
verdicts are literals; nothing here recomputes them.

At the time of writing 770 inputs agree exactly (stage, code, key position and read-back), 111
are ones orylint deliberately leaves undecided (an RSA private key, whose ``Validate`` differs
between Go releases, or a base64-valid ``x5c`` certificate), 5 are accepted keys whose ``x5u``
Go re-serializes (orylint then gives no read-back) and 1 is a set rejected by Hydra in which an
undecided key precedes the key orylint names. No input disagrees otherwise.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from orylint.engine.selection import RuleSelection
from orylint.model import jwk
from orylint.scan import ScanOptions, scan

TABLE = json.loads(
    (Path(__file__).parent / "fixtures" / "jwk" / "go_jose_v3.json").read_text(encoding="utf-8")
)["cases"]


def _classify(case: dict[str, object]) -> str:
    """How orylint's verdict relates to Go's; raises AssertionError on a real disagreement."""
    verdict = jwk.assess(str(case["input"]))
    go = (case["stage"], case.get("code"), case.get("read_back"))
    mine = (verdict.stage, verdict.code, verdict.read_back)
    if mine == go:
        if "key" in case and verdict.key is not None:
            assert verdict.key == case["key"], case["label"]
        return "exact"
    text = str(case["input"])
    if verdict.stage == jwk.UNDECIDED:
        assert case["stage"] != "provider", case["label"]
        undecided = [k for k in verdict.keys if k.stage == jwk.UNDECIDED]
        assert undecided, case["label"]
        assert all((k.kty == "RSA" and "d" in k.private) or '"x5c"' in text for k in undecided), (
            case["label"]
        )
        return "undecided"
    if verdict.stage == "ok" and verdict.keys and verdict.read_back is None:
        assert case["stage"] == "ok" and case.get("read_back"), case["label"]
        assert '"x5u"' in text, case["label"]
        return "read-back unknown"
    if verdict.stage == "hydra" and case["stage"] == "hydra":
        assert verdict.key is not None
        assert any(k.stage == jwk.UNDECIDED for k in verdict.keys[: verdict.key]), case["label"]
        return "rejected, earlier key undecided"
    raise AssertionError(f"{case['label']}: Go says {go}, orylint says {mine}")


def test_every_input_agrees_with_go() -> None:
    counts = Counter(_classify(case) for case in TABLE)
    assert counts == {
        "exact": 770,
        "undecided": 111,
        "read-back unknown": 5,
        "rejected, earlier key undecided": 1,
    }


def test_table_covers_every_stage_and_code() -> None:
    codes = {(case["stage"], case.get("code")) for case in TABLE}
    for expected in [
        ("provider", "syntax"),
        ("provider", "type"),
        ("provider", "required:alg"),
        ("provider", "required:kid"),
        ("provider", "required:kty"),
        ("provider", "required:use"),
        ("hydra", "noset"),
        ("hydra", "invalid"),
        ("hydra", "base64"),
        ("hydra", "unknown-kty"),
        ("hydra", "ec-curve"),
        ("hydra", "ec-length"),
        ("hydra", "ec-missing"),
        ("hydra", "ec-not-on-curve"),
        ("hydra", "rsa-missing"),
        ("hydra", "oct-missing"),
        ("hydra", "okp-curve"),
        ("hydra", "x5c"),
        ("hydra", "x5u"),
        ("hydra", "x5t-encoding"),
        ("hydra", "x5t-hex"),
        ("hydra", "x5t-size"),
        ("response", "required:kid"),
        ("ok", None),
    ]:
        assert expected in codes


def _rsa(**members: object) -> str:
    key = {"kty": "RSA", "alg": "RS256", "kid": "k", "use": "sig", "n": "sXch", "e": "AQAB"}
    key.update(members)  # type: ignore[arg-type]
    return json.dumps({"keys": [{k: v for k, v in key.items() if v is not ...}]})


@pytest.mark.parametrize(
    ("text", "stage", "code"),
    [
        # The cases: no keys member at all, and an empty one.
        ("{}", "hydra", "noset"),
        ('{"keys":null}', "hydra", "noset"),
        ("null", "hydra", "noset"),
        ('{"keys":[]}', "ok", None),
        # The provider's SDK requires alg, kid, kty and use on every key.
        (_rsa(alg=...), "provider", "required:alg"),
        (_rsa(use=None), "ok", None),  # present as null: the SDK sends "", go-jose omits it ...
        (_rsa(e=...), "hydra", "rsa-missing"),
        (_rsa(n=...), "hydra", "rsa-missing"),
        (_rsa(kty="rsa"), "hydra", "unknown-kty"),
        (_rsa(e="AA"), "hydra", "invalid"),  # E decodes to 0, so Valid() is false
        (_rsa(e="AQAB=="), "ok", None),  # padding is stripped
        (_rsa(e="AQ+B"), "hydra", "base64"),  # the standard alphabet is not base64url
        (_rsa(d="AQAB", p=..., q=...), "hydra", "rsa-missing"),  # private key without primes
    ],
)
def test_hand_made_cases(text: str, stage: str, code: str | None) -> None:
    verdict = jwk.assess(text)
    if (stage, code) == ("ok", None) and '"use": null' in text:
        # ... and the SDK then cannot read Hydra's answer back.
        assert (verdict.stage, verdict.code) == ("response", "required:use")
        return
    assert (verdict.stage, verdict.code) == (stage, code)


def test_every_key_is_followed_on_its_own() -> None:
    """The provider stops at the first bad key; each later key still gets its own verdict."""
    text = json.dumps(
        {
            "keys": [
                {"kty": "RSA", "kid": "a", "use": "sig", "n": "sXch", "e": "AQAB"},
                {"kty": "oct", "alg": "HS256", "kid": "b", "use": "sig", "k": "c2VjcmV0"},
                {"kty": "EC", "alg": "ES256", "kid": "c", "use": "sig", "crv": "P-192"},
            ]
        }
    )
    verdict = jwk.assess(text)
    assert (verdict.stage, verdict.code, verdict.key) == ("provider", "required:alg", 0)
    assert [(k.stage, k.code) for k in verdict.keys] == [
        ("provider", "required:alg"),
        ("hydra", "invalid"),
        ("hydra", "ec-curve"),
    ]
    assert [k.kid for k in verdict.keys] == ["", "b", "c"]


def test_rs256_verifier_is_a_public_rsa_key_for_signing() -> None:
    """fosite's findPublicKey: use "sig" and an *rsa.PublicKey (ORY303 reads this)."""
    rsa = {"kty": "RSA", "alg": "RS256", "kid": "a", "use": "sig", "n": "sXch", "e": "AQAB"}
    ec = {
        "kty": "EC",
        "alg": "ES256",
        "kid": "b",
        "use": "sig",
        "crv": "P-256",
        "x": "-xajG-RGn1_7aqaywPQZRV8yXfXLYH2HneK5MbVFKIw",
        "y": "6XglXY31gXQzVWgeIBGVwKWwQiGQf1Mj9iYXoz-aqHw",
    }
    verdict = jwk.assess(json.dumps({"keys": [rsa, {**rsa, "use": "enc"}, ec]}))
    assert verdict.stage == "ok"
    assert [k.use for k in verdict.keys] == ["sig", "enc", "sig"]
    assert [k.rs256_verifier for k in verdict.keys] == [True, False, False]


def test_private_members_are_listed_but_never_kept_as_values() -> None:
    text = _rsa(d="AQAB", p="AQAB", q="AQAB", dp="AQ")
    verdict = jwk.assess(text)
    assert verdict.keys[0].private == ("d", "p", "q", "dp")
    assert "AQAB" not in repr(verdict.keys[0])


@pytest.mark.parametrize(
    ("value", "decoded"),
    [
        ("", b""),
        ("AQAB", b"\x01\x00\x01"),
        ("AQAB=", b"\x01\x00\x01"),
        ("AQ==", b"\x01"),
        ("AQ\n", b"\x01"),
        ("A\r\nQ", b"\x01"),
        ("AR", b"\x01"),  # non-zero trailing bits are accepted
        ("A", None),  # 4n+1 characters
        ("AQ+/", None),
        ("A=Q", None),
        ("-_-_", b"\xfb\xff\xbf"),
    ],
)
def test_base64url_as_go_jose(value: str, decoded: bytes | None) -> None:
    assert jwk.base64url_decode(value) == decoded


def test_no_key_is_called_rejected_by_hydra_when_go_jose_accepts_the_set() -> None:
    """Where Go says Hydra accepted every key, no key may carry a Hydra rejection (ORY605)."""
    accepted = [case for case in TABLE if case["stage"] in ("ok", "response")]
    assert len(accepted) > 300
    for case in accepted:
        verdict = jwk.assess(str(case["input"]))
        assert all(key.stage != "hydra" for key in verdict.keys), case["label"]


def test_messages_never_quote_key_material() -> None:
    """ORY603-ORY607 name members and key ids; no base64 value of a key reaches a message."""
    fixtures = Path(__file__).parent / "fixtures" / "rules"
    paths = [str(fixtures / f"ORY60{n}") for n in range(3, 8)]
    selection = RuleSelection(select=tuple(f"ORY60{n}" for n in range(3, 8)))
    result = scan(ScanOptions(paths, selection=selection))
    assert len(result.findings) > 40
    material = set()
    for path in paths:
        for file in Path(path).glob("*.tf"):
            material.update(re.findall(r'"([A-Za-z0-9_+/=-]{16,})', file.read_text("utf-8")))
            material.update(re.findall(r'\\"([A-Za-z0-9_+/=-]{16,})', file.read_text("utf-8")))
    material -= {"private_key_jwt", "client_credentials", "authorization_code"}
    material = {m for m in material if not m.startswith(("client_", "https"))}
    assert len(material) > 10
    for finding in result.findings:
        assert not [m for m in material if m in finding.message], finding.message
    syntax = [f for f in result.findings if "not valid JSON" in f.message]
    assert syntax and all("invalid character '" not in f.message for f in syntax)

"""orylint.golang.gojson: Go's encoding/json and Terraform's jsonencode, for values bound for Go."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from orylint.golang.gojson import (
    MAX_DEPTH,
    GoJSONError,
    JSONNumber,
    go_float,
    loses_precision,
    marshal,
    respell_numbers,
    unmarshal,
)
from orylint.terraform.functions import call


def n(text: str) -> JSONNumber:
    return JSONNumber(Decimal(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a":1}', {"a": n("1")}),
        (' [true, false, null, "x"] ', [True, False, None, "x"]),
        ('{"a":{},"b":[],"c":[[]]}', {"a": {}, "b": [], "c": [[]]}),
        ('{"a":1,"a":2}', {"a": n("2")}),  # the last duplicate wins, as in Go
        ('"\\u00e9\\ud83d\\ude00\\/"', "é😀/"),
        ('"\\ud800x"', "\ufffdx"),  # Go replaces an unpaired surrogate escape
        ('"\\udc00\\ud800"', "\ufffd\ufffd"),
        ("-0.5e+3", n("-0.5e+3")),
        ("12345678901234567890", n("12345678901234567890")),
    ],
)
def test_unmarshal_like_go(text: str, expected: object) -> None:
    assert unmarshal(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "unexpected end of JSON input"),
        ("{", "unexpected end of JSON input"),
        ("[1,]", "invalid character ']' looking for beginning of value at line 1 column 4"),
        ('{"a"}', "invalid character '}' after object key"),
        ('{"a":1,}', "invalid character '}' looking for beginning of object key string"),
        ("[1 2]", "invalid character '2' after array element"),
        ('{"a":1 "b"}', "invalid character '\"' after object key:value pair"),
        ("NaN", "invalid character 'N' looking for beginning of value"),
        ("Infinity", "invalid character 'I' looking for beginning of value"),
        ("trux", "invalid character 'x' in literal true (expecting 'e')"),
        ("01", "invalid character '1' after top-level value"),
        ("1.x", "invalid character 'x' after decimal point in numeric literal"),
        ("1ex", "invalid character 'x' in exponent of numeric literal"),
        ("-x", "invalid character 'x' in numeric literal"),
        ('"a\nb"', "invalid character '\\n' in string literal at line 1 column 3"),
        ('"\\x"', "invalid character 'x' in string escape code"),
        ('"\\u12x4"', "invalid character 'x' in \\u hexadecimal character escape"),
        ("{}\n  x", "invalid character 'x' after top-level value at line 2 column 3"),
        ("1e999", "number 1e999 does not fit a float64"),
    ],
)
def test_unmarshal_rejects_what_go_rejects(text: str, reason: str) -> None:
    with pytest.raises(GoJSONError) as error:
        unmarshal(text)
    assert reason in str(error.value)


def test_syntax_errors_win_over_number_errors_as_in_go() -> None:
    with pytest.raises(GoJSONError, match="looking for beginning of value"):
        unmarshal("[1e999, x]")


def test_depth_limit_is_gos_and_nothing_recurses() -> None:
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    value = unmarshal(deep)
    assert marshal(value) == deep  # encoding is iterative too
    with pytest.raises(GoJSONError, match="exceeded max depth"):
        unmarshal("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    with pytest.raises(GoJSONError, match="exceeded max depth"):
        unmarshal('{"a":' * (MAX_DEPTH + 1))
    nested: object = n("1")
    for _ in range(5000):
        nested = [nested]
    assert not loses_precision(nested)


def test_marshal_reads_back_like_go() -> None:
    value = unmarshal('{"b":1e3,"a":0.1,"c":12345678901234567890,"d":"<&>\\u2028","e":1e-7}')
    assert marshal(value) == (
        '{"a":0.1,"b":1000,"c":12345678901234567000,"d":"\\u003c\\u0026\\u003e\\u2028","e":1e-7}'
    )
    assert loses_precision(value)
    assert not loses_precision(unmarshal('{"a":1000,"b":[0.5]}'))


def test_marshal_exact_writes_numbers_as_terraform_does() -> None:
    value = unmarshal('{"a":1e3,"b":1.50,"c":12345678901234567890123456789012345}')
    assert (
        marshal(value, exact=True) == '{"a":1000,"b":1.5,"c":12345678901234567890123456789012345}'
    )
    assert respell_numbers('{"a":1e3, "s":"1e3"}') == '{"a":1000, "s":"1e3"}'


def test_go_float_notation() -> None:
    assert [go_float(x) for x in (0.0, -0.0, 1e21, 1e20, 1e-7, 1.5e-6, 123.0)] == [
        "0",
        "-0",
        "1e+21",
        "100000000000000000000",
        "1e-7",  # Go trims the exponent's leading zero
        "0.0000015",
        "123",
    ]


def go_json(value: object) -> object:
    return call("jsonencode", [value])


def test_hcl_jsonencode_uses_the_shared_encoder() -> None:
    value = {"z": 1, "a": [1.5, True, None, "<a&b>"], "big": 1e21, "small": 1e-7}
    assert go_json(value) == marshal(value, exact=True)
    assert go_json(value) == (
        '{"a":[1.5,true,null,"\\u003ca\\u0026b\\u003e"],"big":1000000000000000000000,'
        '"small":0.0000001,"z":1}'
    )
    # Everything json.dumps agrees on stays the same.
    plain = {"k": ["x", 2, False, {"n": None}], "é": "\u2029"}
    expected = json.dumps(plain, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    assert go_json(plain) == expected.replace("\u2029", "\\u2029")


def test_marshal_rejects_non_json() -> None:
    with pytest.raises(TypeError):
        marshal({"a": object()})
    with pytest.raises(ValueError, match="JSON has no"):
        marshal(float("nan"))

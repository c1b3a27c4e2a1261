"""Tests for orylint.golang.durations: Go's ParseDuration, Duration.String() and the
provider's normalised form.

Every expected value below is what Go's time package returns (checked
against Go's own tests in src/time/time_test.go and against a real Go 1.19
toolchain), written as a literal so that a bug in the module's constants
cannot hide a bug in the parser.
"""

from __future__ import annotations

import pickle

import pytest

from orylint.golang.durations import (
    HOUR,
    MAX_DURATION,
    MICROSECOND,
    MILLISECOND,
    MIN_DURATION,
    MINUTE,
    NANOSECOND,
    SECOND,
    DurationError,
    go_duration_string,
    parse_go_duration,
    provider_canonical,
)

INT64_MAX = 9_223_372_036_854_775_807
INT64_MIN = -9_223_372_036_854_775_808

# (input, nanoseconds Go returns)
VALID: list[tuple[str, int]] = [
    # the only unit-less forms
    ("0", 0),
    ("+0", 0),
    ("-0", 0),
    # zero with units; leading zeros are fine once a unit follows
    ("0s", 0),
    ("00s", 0),
    ("0h0m", 0),
    # every unit, including both micro signs
    ("1ns", 1),
    ("1us", 1_000),
    ("1\u00b5s", 1_000),
    ("1\u03bcs", 1_000),
    ("12\u00b5s", 12_000),
    ("1ms", 1_000_000),
    ("300ms", 300_000_000),
    ("1s", 1_000_000_000),
    ("1m", 60_000_000_000),
    ("1h", 3_600_000_000_000),
    ("720h", 2_592_000_000_000_000),
    # fractions: digits on either side of the point suffice
    ("1.5h", 5_400_000_000_000),
    (".5h", 1_800_000_000_000),
    ("5.h", 18_000_000_000_000),
    ("5.0s", 5_000_000_000),
    ("1.004s", 1_004_000_000),
    ("100.00100s", 100_001_000_000),
    ("1.1h", 3_960_000_000_000),
    ("1.5\u00b5s", 1_500),
    # precision beyond a nanosecond is dropped, never an error
    ("0.0000000001s", 0),
    ("1.0000000001s", 1_000_000_000),
    ("1.000000001s", 1_000_000_001),
    ("0.1ns", 0),
    ("1.9ns", 1),
    ("1.18446744073709551616ns", 1),
    # Go's float64 fraction arithmetic, bit for bit
    ("0.3333333333333333333h", 1_200_000_000_000),
    ("0.100000000000000000000h", 360_000_000_000),
    ("0.830103483285477580700h", 2_988_372_539_827),
    ("0.9999999999999999999h", 3_600_000_000_000),
    ("1.99999999999999999999999h", 7_200_000_000_000),
    ("2562047.7880152155h", 9_223_372_036_854_775_800),
    # several components, any order, repeats allowed
    ("1h30m", 5_400_000_000_000),
    ("1m1h", 3_660_000_000_000),
    ("1h1h", 7_200_000_000_000),
    ("1h0m0s", 3_600_000_000_000),
    ("10.5s4m", 250_500_000_000),
    ("5.s4m", 245_000_000_000),
    ("1.5h1.5h", 10_800_000_000_000),
    ("1h2m3s4ms5us6ns", 3_723_004_005_006),
    ("39h9m14.425s", 140_954_425_000_000),
    # signs
    ("-5m", -300_000_000_000),
    ("+30m", 1_800_000_000_000),
    ("-1.5h", -5_400_000_000_000),
    ("-2m3.4s", -123_400_000_000),
    # more than float64 can hold exactly
    ("9007199254740993ns", 9_007_199_254_740_993),
    # int64 limits
    ("2562047h", 9_223_369_200_000_000_000),
    ("153722867m", 9_223_372_020_000_000_000),
    ("9223372036s", 9_223_372_036_000_000_000),
    ("9223372036854775807ns", INT64_MAX),
    ("9223372036854775.807us", INT64_MAX),
    ("9223372036s854ms775us807ns", INT64_MAX),
    ("2562047h47m16.854775807s", INT64_MAX),
    ("-9223372036854775808ns", INT64_MIN),
    ("-9223372036854775.808us", INT64_MIN),
    ("-2562047h47m16.854775808s", INT64_MIN),
    ("-4611686018427387904ns4611686018427387904ns", INT64_MIN),
    # Go sums in uint64 and 2**63 + 2**63 wraps to 0 unnoticed: Hydra
    # accepts this, so the port must too.
    ("9223372036854775808ns9223372036854775808ns", 0),
    ("-9223372036854775808ns9223372036854775808ns", 0),
]

# (input, a fragment the error message must contain)
INVALID: list[tuple[str, str]] = [
    # empty, even after a sign
    ("", "empty duration"),
    ("+", "missing duration after the sign"),
    ("-", "missing duration after the sign"),
    ("   ", "whitespace is not allowed"),
    # a number without a unit; only a lone "0" may omit it
    ("3600", 'only "0" may omit the unit'),
    ("3", 'missing unit in "3"'),
    ("00", 'missing unit in "00"'),
    ("-00", 'missing unit in "-00"'),
    ("1.5", 'missing unit in "1.5"'),
    ("1h30", 'missing unit after "30" in "1h30"'),
    (".5.5s", 'missing unit after ".5"'),
    # no digits at all
    (".h", "has no digits"),
    (".", "has no digits"),
    ("-.", "has no digits"),
    ("+.s", "has no digits"),
    # no number first
    ("s", "must start with a number"),
    ("h", "must start with a number"),
    ("\u00b5s", "must start with a number"),
    ("never", "must start with a number"),
    ("--1h", "only one leading sign"),
    ("+-1h", "only one leading sign"),
    # units Go does not have
    ("1d", 'unknown unit "d"'),
    ("2w", 'unknown unit "w"'),
    ("1y", 'unknown unit "y"'),
    ("1mo", 'unknown unit "mo"'),
    ("1\u00b5", 'unknown unit "\u00b5"'),
    ("1x", 'unknown unit "x"'),
    # units are case-sensitive
    ("1H", 'unknown unit "H"'),
    ("1S", 'unknown unit "S"'),
    ("1MS", 'unknown unit "MS"'),
    ("1Hr", 'unknown unit "Hr"'),
    # long spellings
    ("1sec", 'unknown unit "sec"'),
    ("1min", 'unknown unit "min"'),
    ("2hours", 'unknown unit "hours"'),
    # whitespace anywhere becomes part of a unit
    ("1h 30m", "whitespace is not allowed"),
    ("1h ", "whitespace is not allowed"),
    (" 1h", "whitespace is not allowed"),
    ("1h\t", "whitespace is not allowed"),
    ("1h\u00a0", "whitespace is not allowed"),
    # other notations
    ("PT1H", "ISO-8601"),
    ("P1D", "ISO-8601"),
    ("1e3s", "exponents are not supported"),
    ("1h-30m", "sign is only allowed at the start"),
    ("1h,30m", "no separator"),
    # overflow of int64 nanoseconds
    ("2562048h", "overflows int64"),
    ("3000000h", "overflows int64"),
    ("153722868m", "overflows int64"),
    ("9223372037s", "overflows int64"),
    ("9223372036854775808ns", "overflows int64"),
    ("9223372036854775810ns", "overflows int64"),
    ("-9223372036854775809ns", "overflows int64"),
    ("9223372036854776us", "overflows int64"),
    ("9223372036854775.808us", "overflows int64"),
    ("9223372036854ms775us808ns", "overflows int64"),
    ("2562047h47m16.854775808s", "overflows int64"),
    ("-2562047.7880152156h", "overflows int64"),
    ("4611686018427387904ns4611686018427387904ns", "overflows int64"),
    ("18446744073709551616ns", "overflows int64"),
    ("1" + "0" * 30 + "s", "overflows int64"),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_parse_valid(text: str, expected: int) -> None:
    assert parse_go_duration(text) == expected


@pytest.mark.parametrize(("text", "fragment"), INVALID)
def test_parse_invalid(text: str, fragment: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_go_duration(text)
    assert fragment in str(caught.value)
    assert caught.value.text == text


def test_tables_are_large_and_disjoint() -> None:
    valid = {text for text, _ in VALID}
    invalid = {text for text, _ in INVALID}
    assert len(valid) == len(VALID)
    assert len(invalid) == len(INVALID)
    assert not valid & invalid
    assert len(valid) + len(invalid) >= 60


def test_constants() -> None:
    assert NANOSECOND == 1
    assert MICROSECOND == 1_000
    assert MILLISECOND == 1_000_000
    assert SECOND == 1_000_000_000
    assert MINUTE == 60_000_000_000
    assert HOUR == 3_600_000_000_000
    assert MAX_DURATION == INT64_MAX
    assert MIN_DURATION == INT64_MIN


def test_duration_error_is_value_error() -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        parse_go_duration("1d")


def test_duration_error_survives_pickling() -> None:
    """Errors may cross process boundaries when files are parsed in parallel."""
    with pytest.raises(DurationError) as caught:
        parse_go_duration("1d")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert str(copy) == str(caught.value)
    assert copy.text == "1d"
    assert copy.suggestion == "24h"


# (input, exact message): the wording users see, including the fix.
MESSAGES: list[tuple[str, str]] = [
    ("", "empty duration"),
    ("1d", 'unknown unit "d" in "1d" (Go durations have no day unit: use "24h")'),
    ("3600", 'missing unit in "3600" (only "0" may omit the unit; for seconds use "1h")'),
    ("1H", 'unknown unit "H" in "1H" (units are case-sensitive: use "1h")'),
    ("1h 30m", 'whitespace is not allowed in "1h 30m": use "1h30m"'),
    ("PT1H", 'ISO-8601 durations like "PT1H" are not supported: use "1h"'),
    (
        "2562048h",
        'duration "2562048h" overflows int64 nanoseconds (the limit is ±2562047h47m16.854775807s)',
    ),
]


@pytest.mark.parametrize(("text", "message"), MESSAGES)
def test_exact_messages(text: str, message: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_go_duration(text)
    assert str(caught.value) == message


# (input, a hint the message must contain, the suggestion offered or None)
HINTS: list[tuple[str, str, str | None]] = [
    ("1d", "no day unit", "24h"),
    ("30d", "no day unit", "720h"),
    ("1d12h", "no day unit", "36h"),
    ("1.5d", "no day unit", "36h"),
    ("2w", "no week unit", "336h"),
    ("1y", "365 days", "8760h"),
    ("1H", "case-sensitive", "1h"),
    ("1H30M", "case-sensitive", "1h30m"),
    ("1.5S", "case-sensitive", "1.5s"),
    ("500MS", "case-sensitive", "500ms"),
    ("1M", "no month unit", None),
    ("1mo", "no month unit", None),
    ("1Hr", 'Go writes hours as "h"', "1h"),
    ("1sec", 'Go writes seconds as "s"', "1s"),
    ("90min", 'Go writes minutes as "m"', "1h30m"),
    ("1e3s", "exponents", "16m40s"),
    ("1e-3s", "exponents", "1ms"),
    ("PT1H", "ISO-8601", "1h"),
    ("PT1H30M", "ISO-8601", "1h30m"),
    ("P1D", "ISO-8601", "24h"),
    ("P1Y", "ISO-8601", None),
    ("1h ", "whitespace", "1h"),
    ("90 m", "whitespace", "1h30m"),
    (" 1d", "no day unit", "24h"),
    ("3600", "for seconds", "1h"),
    ("1h,30m", "no separator", "1h30m"),
    ("1x", "valid units are", None),
]


@pytest.mark.parametrize(("text", "hint", "suggestion"), HINTS)
def test_hints_and_suggestions(text: str, hint: str, suggestion: str | None) -> None:
    with pytest.raises(DurationError) as caught:
        parse_go_duration(text)
    error = caught.value
    assert hint in str(error)
    assert error.suggestion == suggestion
    if suggestion is not None:
        assert f'use "{suggestion}"' in str(error)
        # A suggestion is valid, and drift-free whenever the provider's form
        # keeps the value (it truncates fractions of a second, so "1.5s"
        # must stay as it is).
        value = parse_go_duration(suggestion)
        canonical = provider_canonical(suggestion)
        assert canonical == suggestion or parse_go_duration(canonical) != value


def test_long_input_is_shortened_in_message() -> None:
    text = "1x" * 100
    with pytest.raises(DurationError) as caught:
        parse_go_duration(text)
    assert text not in str(caught.value)
    assert len(str(caught.value)) < 200


# (nanoseconds, Duration.String())
GO_STRINGS: list[tuple[int, str]] = [
    (0, "0s"),
    (1, "1ns"),
    (999, "999ns"),
    (1_000, "1\u00b5s"),
    (1_100, "1.1\u00b5s"),
    (2_200_000, "2.2ms"),
    (300_000_000, "300ms"),
    (999_999_999, "999.999999ms"),
    (1_000_000_000, "1s"),
    (1_500_000_000, "1.5s"),
    (3_300_000_000, "3.3s"),
    (59_000_000_000, "59s"),
    (60_000_000_000, "1m0s"),
    (245_000_000_000, "4m5s"),
    (245_001_000_000, "4m5.001s"),
    (480_000_000_001, "8m0.000000001s"),
    (1_800_000_000_000, "30m0s"),
    (3_600_000_000_000, "1h0m0s"),
    (5_400_000_000_000, "1h30m0s"),
    (18_367_001_000_000, "5h6m7.001s"),
    (2_592_000_000_000_000, "720h0m0s"),
    (-1, "-1ns"),
    (-300_000_000_000, "-5m0s"),
    (-5_400_000_000_000, "-1h30m0s"),
    (INT64_MAX, "2562047h47m16.854775807s"),
    (INT64_MIN, "-2562047h47m16.854775808s"),
]


@pytest.mark.parametrize(("ns", "expected"), GO_STRINGS)
def test_go_duration_string(ns: int, expected: str) -> None:
    assert go_duration_string(ns) == expected


@pytest.mark.parametrize(("ns", "text"), GO_STRINGS)
def test_go_duration_string_parses_back(ns: int, text: str) -> None:
    assert parse_go_duration(go_duration_string(ns)) == ns


@pytest.mark.parametrize("ns", [INT64_MAX + 1, INT64_MIN - 1, 10**30])
def test_go_duration_string_rejects_out_of_range(ns: int) -> None:
    with pytest.raises(ValueError, match="int64"):
        go_duration_string(ns)


# (configured value, what the provider writes back to state)
CANONICAL: list[tuple[str, str]] = [
    # the ORY204 examples in spec/rules.md §4.2
    ("1.5h", "1h30m"),
    ("90m", "1h30m"),
    ("60m", "1h"),
    ("3600s", "1h"),
    ("1h0m0s", "1h"),
    ("+30m", "30m"),
    (".5h", "30m"),
    ("0", "0s"),
    ("-5m", "-5m0s"),
    ("1500ms", "1s"),
    # already canonical
    ("1h", "1h"),
    ("30m", "30m"),
    ("720h", "720h"),
    ("1h30m", "1h30m"),
    ("45s", "45s"),
    ("0s", "0s"),
    ("300ms", "300ms"),
    ("1h1m1s", "1h1m1s"),
    ("-5m0s", "-5m0s"),
    ("1\u00b5s", "1\u00b5s"),
    # other spellings
    ("1m1h", "1h1m"),
    ("24h0m0s", "24h"),
    ("1h0.5s", "1h"),
    ("61s", "1m1s"),
    ("86400s", "24h"),
    ("1s500ms", "1s"),
    ("0h0m", "0s"),
    ("-0", "0s"),
    ("1us", "1\u00b5s"),
    ("0.5s", "500ms"),
    ("-1h30m", "-1h30m0s"),
    ("-500ms", "-500ms"),
    ("2562047h47m16.854775807s", "2562047h47m16s"),
    ("-2562047h47m16.854775808s", "-2562047h47m16.854775808s"),
    # invalid input is kept verbatim
    ("1d", "1d"),
    ("", ""),
    ("1h ", "1h "),
    ("3600", "3600"),
]


@pytest.mark.parametrize(("text", "expected"), CANONICAL)
def test_provider_canonical(text: str, expected: str) -> None:
    assert provider_canonical(text) == expected


@pytest.mark.parametrize(("text", "expected"), CANONICAL)
def test_provider_canonical_is_stable(text: str, expected: str) -> None:
    """Applying the normalisation to its own output changes nothing, so a
    value equal to its canonical form never drifts."""
    assert provider_canonical(provider_canonical(text)) == expected


@pytest.mark.parametrize(
    ("text", "lost_ns"),
    [("1500ms", 500_000_000), ("1h0.5s", 500_000_000), ("45s", 0), ("90m", 0)],
)
def test_provider_canonical_truncates_subseconds(text: str, lost_ns: int) -> None:
    canonical = provider_canonical(text)
    assert parse_go_duration(text) - parse_go_duration(canonical) == lost_ns

"""orylint.golang.glob against the real gobwas/glob v0.2.3, and Hydra's CORS use of it.

``fixtures/gobwas_glob_cases.json`` holds Go's answers: every row was produced by a one-off Go
program (not part of the project) that called ``glob.Compile(pattern, separators...)`` and
``Match`` from gobwas/glob v0.2.3 with Go 1.27.3. The patterns cover the stored CORS origin
shapes Hydra can hold (exact, ``*.``, ``**``, empty port, IPv6 literal, trailing ``?``), the
syntax corners (classes, ranges, negation, alternatives, escapes, unclosed brackets) and random
patterns over the metacharacters.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orylint.golang.glob import GlobError, compile_glob
from orylint.golang.urls import parse
from orylint.model import cors

CASES = json.loads(
    (Path(__file__).parent / "fixtures" / "gobwas_glob_cases.json").read_text("utf-8")
)

# Where the compiled gobwas/glob matchers contradict the pattern's own meaning (bugs of its
# optimizer); orylint keeps the documented meaning. None of these shapes can be a stored CORS
# origin, which always starts with literal "http" text and never contains "{".
KNOWN_GO_BUGS = {
    # A pattern that is a single one-character matcher also matches "" (Single/List.Match
    # decode utf8.RuneError from an empty string and accept it).
    ("?", "", ""),
    ("?", ".", ""),
    ("[!!]", "", ""),
    ("[!!]", ".", ""),
    ("[!a-z]", "", ""),
    ("[!a-z]", ".", ""),
    ("[!b-d]", "", ""),
    ("[!b-d]", ".", ""),
    ("{?\\", ".", ""),
    # BTree.Match never runs its loop on an empty input.
    ("***", ".", ""),
    # PrefixSuffix does not check that prefix and suffix fit without overlapping.
    (".*.", "", "."),
    # AnyOf inside a BTree: the search for the fixed part skips valid splits.
    ("{*,a}b", "", "a*b"),
    ("{*,a}b", "", "a,b"),
    ("{*,a}b", "", "a.b"),
    ("{*,a}b", "", "acb"),
    ("{*,a}b", "", "b"),
    ("{*,a}b", ".", "a*b"),
    ("{*,a}b", ".", "a,b"),
    ("{*,a}b", ".", "acb"),
    ("{*,a}b", ".", "b"),
    ("{{,!{}??", ".", "!!,"),
    # An unclosed "{" at the end adds a Nothing matcher that no split satisfies.
    ("b*{,", ".", "b"),
    *(
        ("*?{", ".", text)
        for text in (
            "!",
            ",",
            ",,",
            "-,,",
            "--b",
            "-a",
            "a",
            "a!a-",
            "aa",
            "ab",
            "b!,",
            "b-",
            "b-bb",
        )
    ),
}


def test_the_table_is_large_enough() -> None:
    assert len(CASES["compiles"]) >= 400
    assert len(CASES["matches"]) >= 3000
    assert sum(1 for *_, matched in CASES["matches"] if matched) >= 300


@pytest.mark.parametrize(("pattern", "separators", "compiles"), CASES["compiles"])
def test_compiles_like_go(pattern: str, separators: str, compiles: bool) -> None:
    try:
        compile_glob(pattern, separators)
    except GlobError:
        assert not compiles
    else:
        assert compiles


def test_matches_like_go() -> None:
    deviations = set()
    for pattern, separators, text, matched in CASES["matches"]:
        if compile_glob(pattern, separators).match(text) != matched:
            deviations.add((pattern, separators, text))
    assert deviations == KNOWN_GO_BUGS


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("[abc", "unexpected end of input"),
        ("[]", "could not parse range"),
        ("[!]", "could not parse range"),
        ("[a-zA-Z]", "expected close range character"),
        ("[z-a]", "hi character 'a' should be greater than lo 'z'"),
        ("a\ufffd", "could not read rune"),
    ],
)
def test_compile_errors_say_what_go_says(pattern: str, message: str) -> None:
    with pytest.raises(GlobError, match=message.replace("[", r"\[")):
        compile_glob(pattern)


# --------------------------------------------------------------------------
# Hydra's use: stored form, pattern rewrite, classification
# --------------------------------------------------------------------------

# Go's u.String() after the validator trimmed the path (Go 1.27.3, one-off program).
STORED = [
    ("https://spa.example.com", "https://spa.example.com"),
    ("https://spa.example.com/", "https://spa.example.com"),
    ("HTTPS://Spa.Example.com", "https://Spa.Example.com"),
    ("https://bücher.example", "https://b%C3%BCcher.example"),
    ("https://spa.example.com?", "https://spa.example.com?"),
    ("https://spa.example.com:", "https://spa.example.com:"),
    ("http://[::1]:3000", "http://[::1]:3000"),
    ("https://@h", "https://@h"),
    ("https://", "https:"),
    ("https://[fe80::1%25en0]:8080", "https://[fe80::1%25en0]:8080"),
    ("https:*", "https:*"),
]


@pytest.mark.parametrize(("origin", "stored"), STORED)
def test_stored_form_is_gos_string(origin: str, stored: str) -> None:
    assert cors.stored_form(parse(origin)) == stored


@pytest.mark.parametrize(
    ("stored", "origin", "expected"),
    [
        ("https://*", "https://a.b.example.com", True),  # rewritten to https://**
        ("https://*", "http://a.example.com", False),
        ("https://*.example.com", "https://a.example.com", True),
        ("https://*.example.com", "https://a.b.example.com", False),  # * stops at a dot
        ("https://**.example.com", "https://a.b.example.com", True),
        ("https://SPA.example.com", "https://spa.example.com", True),  # both lowercased
        ("https://spa.example.com", "HTTPS://SPA.EXAMPLE.COM", True),
        ("https://spa.example.com?", "https://spa.example.com", False),
        ("https://spa.example.com?", "https://spa.example.comx", True),
        ("http://[::1]:3000", "http://[::1]:3000", False),  # [::1] is a class
        ("http://[::1]:3000", "http://1:3000", True),
        ("https:[", "https://a", False),  # does not compile: never matches
    ],
)
def test_matches_as_hydra(stored: str, origin: str, expected: bool) -> None:
    assert cors.matches(stored, origin) is expected


@pytest.mark.parametrize(
    ("stored", "wildcard", "bounded", "base"),
    [
        ("https://spa.example.com", False, False, ""),
        ("https://*.example.com", True, True, "example.com"),
        ("https://*.example.com:8443", True, True, "example.com"),
        ("https://app.*.example.com", True, True, "example.com"),
        ("https://*.*.example.com", True, True, "example.com"),
        ("https://**.example.com", True, True, "example.com"),
        ("https://*foo.com", True, False, "com"),
        ("https://*.com", True, False, "com"),
        ("https://www.example.*", True, False, ""),
        ("https://*", True, False, ""),
        ("https://*:8443", True, False, ""),
        ("http://*.localhost:3000", True, False, "localhost"),
        ("https://*.example..com", True, False, "example..com"),
        ("https://*.Example.COM", True, True, "example.com"),
        ("https://*.co.uk", True, False, "co.uk"),
        ("https://*.example.co.uk", True, True, "example.co.uk"),
        ("https://*.vercel.app", True, False, "vercel.app"),
        ("https://*.my-app.vercel.app", True, True, "my-app.vercel.app"),
    ],
)
def test_classify_as_corsx(stored: str, wildcard: bool, bounded: bool, base: str) -> None:
    pattern = cors.classify(stored)
    assert (pattern.wildcard, pattern.bounded, pattern.base) == (wildcard, bounded, base)
    assert pattern.unsafe is (wildcard and not bounded)


# golang.org/x/net v0.56.0 publicsuffix.EffectiveTLDPlusOne: does it succeed (one-off program).
REGISTRABLE = [
    ("com", False),
    ("co.uk", False),
    ("example.co.uk", True),
    ("vercel.app", False),
    ("my-app.vercel.app", True),
    ("github.io", False),
    ("octocat.github.io", True),
    ("netlify.app", False),
    ("pages.dev", False),
    ("herokuapp.com", False),
    ("azurewebsites.net", False),
    ("cloudfront.net", False),
    ("firebaseapp.com", False),
    ("web.app", False),
    ("appspot.com", False),
    ("example.com", True),
    ("apps.example.com", True),
    ("a.b.example.com", True),
    ("localhost", False),
    ("internal", False),
    ("example.internal", True),
    ("1.2.3.4", False),
    ("::1", False),
    ("com.au", False),
    ("example.com.au", True),
    ("ck", False),
    ("www.ck", True),
    ("test.ck", False),
    ("b.test.ck", True),
    ("", False),
    ("example..com", False),
    (".example.com", False),
    ("example.com.", False),
    ("s3.amazonaws.com", False),
    ("onrender.com", False),
    ("fly.dev", False),
    ("workers.dev", False),
    ("ngrok.io", False),
    ("ngrok-free.app", False),
    ("example.org", True),
    ("gov.uk", False),
    ("service.gov.uk", False),
    ("blogspot.com", False),
]


@pytest.mark.parametrize(("domain", "expected"), REGISTRABLE)
def test_is_registrable_like_go(domain: str, expected: bool) -> None:
    assert cors.is_registrable(domain) is expected


@pytest.mark.parametrize(
    ("origin", "header"),
    [
        ("https://Spa.Example.com", "https://spa.example.com"),
        ("https://spa.example.com:443", "https://spa.example.com"),
        ("http://spa.example.com:443", "http://spa.example.com:443"),
        ("http://[0:0::1]:3000", "http://[::1]:3000"),
        ("https://bücher.example", None),
        ("https://[fe80::1%25en0]", None),
        ("https:spa.example.com", None),
    ],
)
def test_origin_header(origin: str, header: str | None) -> None:
    assert cors.origin_header(parse(origin)) == header

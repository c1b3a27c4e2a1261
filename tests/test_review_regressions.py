"""Regression tests for the bugs a code review found in the check modules (A-H).

Each test failed before its fix. Clients are built from HCL text (``_client``) or, for plan-like
sensitive values, from ``orylint.model`` objects directly, and the rule functions are called as
the engine calls them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orylint.checks.grants import (
    private_key_jwt_key_material,
    redirect_grant_without_redirect_uris,
)
from orylint.checks.imports import client_id_change_replaces
from orylint.checks.logout import (
    frontchannel_logout_origin_mismatch,
    logout_session_flag_without_effect,
    post_logout_origin_mismatch,
)
from orylint.checks.oidc import (
    jwks_private_key_material,
    jwks_rejected_by_provider,
    jwks_without_keys,
)
from orylint.checks.redirects import redirect_uri_fragment
from orylint.checks.schema import configuration_matches_schema
from orylint.checks.scopes import scope_not_space_separated
from orylint.checks.security import skip_consent_public_client
from orylint.checks.values import metadata_not_json_object, unusable_request_object_signing_alg
from orylint.engine.findings import Violation
from orylint.engine.registry import all_rules
from orylint.engine.selection import RuleSelection
from orylint.golang.gojson import MAX_DEPTH
from orylint.model import effective
from orylint.model.extract import add_documents
from orylint.model.project import Client, Project
from orylint.model.settings import ProviderSettings, Settings
from orylint.scan import ScanOptions, scan
from orylint.terraform.document import Document
from orylint.terraform.hcl_loader import load_hcl
from orylint.terraform.values import Attribute, Element, Span

SETTINGS = Settings()


def _project(hcl: str) -> Project:
    document = load_hcl("main.tf", hcl)
    assert isinstance(document, Document), document
    project = Project()
    add_documents(project, ".", [document], "hcl")
    return project


def _client(body: str) -> Client:
    """One client whose block body is ``body`` (``client_name`` is added)."""
    project = _project(
        'resource "ory_oauth2_client" "c" {\n  client_name = "Regression"\n' + body + "}\n"
    )
    [client] = project.clients
    return client


def _hcl_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


# --------------------------------------------------------------------------
# A: ORY603 decodes jwks with the shared Go decoder, which never recurses
# --------------------------------------------------------------------------


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_deeply_nested_jwks_does_not_crash_ory603() -> None:
    deep_member = (
        f'{{\\"keys\\":[{{\\"kty\\":\\"RSA\\",\\"d\\":\\"x\\",\\"x5c\\":{_deep(3000)}}}]}}'
    )
    client = _client(f'  jwks = "{deep_member}"\n')
    found = list(jwks_private_key_material(client, SETTINGS))  # RecursionError before
    assert [v.attribute for v in found] == ["jwks"]
    assert "private key members (d)" in found[0].message


def test_a_jwks_deeper_than_go_allows_is_not_a_jwk_set() -> None:
    client = _client(f'  jwks = "{_deep(MAX_DEPTH + 1)}"\n')
    assert list(jwks_private_key_material(client, SETTINGS)) == []


def test_a_deep_jwks_through_the_engine_reports_no_internal_error(tmp_path: Path) -> None:
    jwks = f'{{\\"keys\\":[{{\\"kty\\":\\"oct\\",\\"k\\":\\"x\\",\\"x\\":{_deep(5000)}}}]}}'
    (tmp_path / "main.tf").write_text(
        f'resource "ory_oauth2_client" "c" {{\n  client_name = "x"\n  jwks = "{jwks}"\n}}\n',
        encoding="utf-8",
    )
    result = scan(ScanOptions([str(tmp_path)], selection=RuleSelection(select=("ORY603",))))
    assert result.fatal_errors == []
    assert [f.rule_id for f in result.findings] == ["ORY603"]


def test_a_metadata_nested_beyond_go_limit_is_invalid_json() -> None:
    client = _client(f'  metadata = "{{\\"a\\":{_deep(MAX_DEPTH)}}}"\n')
    [violation] = metadata_not_json_object(client, SETTINGS)
    assert "exceeded max depth" in violation.message


# --------------------------------------------------------------------------
# B: ORY407/ORY408 read a redirect URI without its fragment, as ORY401 leaves it
# --------------------------------------------------------------------------


def test_b_fragment_in_redirect_uri_is_reported_once() -> None:
    client = _client(
        '  redirect_uris = ["https://app.example.com#"]\n'
        '  post_logout_redirect_uris = ["https://app.example.com/bye"]\n'
        '  frontchannel_logout_uri = "https://app.example.com/logout"\n'
    )
    assert list(post_logout_origin_mismatch(client, SETTINGS)) == []
    assert list(frontchannel_logout_origin_mismatch(client, SETTINGS)) == []
    assert len(list(redirect_uri_fragment(client, SETTINGS))) == 1


def test_b_every_rule_parses_redirect_uris_through_one_helper() -> None:
    client = _client('  redirect_uris = ["https://app.example.com/cb#x", "not a uri"]\n')
    parsed = list(effective.redirect_uris(client))
    assert [uri.head for uri in parsed] == ["https://app.example.com/cb", "not a uri"]
    assert parsed[0].url is not None and parsed[0].url.hostname() == "app.example.com"
    assert parsed[1].url is None
    assert effective.redirect_urls(client) == [parsed[0].url]


# --------------------------------------------------------------------------
# C: a redirect_uris of the wrong type is ORY101's, not "has no redirect_uris"
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ['"https://app.example.com/cb"', "[null]", "{ a = 1 }"])
def test_c_wrong_type_redirect_uris_is_not_missing(value: str) -> None:
    client = _client(
        '  grant_types = ["authorization_code"]\n'
        f"  redirect_uris = {value}\n"
        '  post_logout_redirect_uris = ["https://app.example.com/bye"]\n'
        '  frontchannel_logout_uri = "https://app.example.com/logout"\n'
    )
    assert list(redirect_grant_without_redirect_uris(client, SETTINGS)) == []
    assert list(post_logout_origin_mismatch(client, SETTINGS)) == []
    assert list(frontchannel_logout_origin_mismatch(client, SETTINGS)) == []
    assert list(configuration_matches_schema(client, SETTINGS)) != []  # ORY101 says it


def test_c_missing_and_empty_redirect_uris_still_reported() -> None:
    for body in ("", "  redirect_uris = []\n"):
        client = _client(
            '  grant_types = ["authorization_code"]\n'
            '  post_logout_redirect_uris = ["https://app.example.com/bye"]\n' + body
        )
        assert len(list(redirect_grant_without_redirect_uris(client, SETTINGS))) == 1
        [violation] = post_logout_origin_mismatch(client, SETTINGS)
        assert "has no redirect_uris" in violation.message


# --------------------------------------------------------------------------
# D0: ORY107, ORY302 and ORY303 agree on whether the client registers keys
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jwks", "reported_by"),
    [
        ('" "', jwks_rejected_by_provider),
        ('""', jwks_rejected_by_provider),
        ('"{}"', jwks_without_keys),
    ],
)
def test_d0_key_rules_agree_on_a_blank_jwks(
    jwks: str, reported_by: Callable[[Client, Settings], Iterator[Violation]]
) -> None:
    """A blank jwks gives no keys, and exactly one rule says why (issue 10: precedence)."""
    client = _client(
        '  token_endpoint_auth_method = "private_key_jwt"\n'
        '  request_object_signing_alg = "RS256"\n'
        f"  jwks = {jwks}\n"
    )
    assert effective.key_sources(client)["jwks"] is False
    ory302 = list(private_key_jwt_key_material(client, SETTINGS))
    ory107 = [
        v
        for v in unusable_request_object_signing_alg(client, SETTINGS)
        if "registers no keys" in v.message
    ]
    assert ory302 == [] and ory107 == []  # ORY107 said "registers no keys" before
    assert len(list(reported_by(client, SETTINGS))) == 1


def test_d0_key_rules_agree_on_no_keys() -> None:
    client = _client(
        '  token_endpoint_auth_method = "private_key_jwt"\n'
        '  request_object_signing_alg = "RS256"\n'
        '  jwks_uri = ""\n'
    )
    assert len(list(private_key_jwt_key_material(client, SETTINGS))) == 1
    [ory107] = unusable_request_object_signing_alg(client, SETTINGS)
    assert "registers no keys" in ory107.message


# --------------------------------------------------------------------------
# E: configured values are quoted by one helper: escaped, shortened, never sensitive
# --------------------------------------------------------------------------


def test_e_heredoc_scope_keeps_the_message_on_one_line() -> None:
    client = _client('  scope = <<EOT\nopenid,email\nEOT\n  grant_types = ["authorization_code"]\n')
    [violation] = scope_not_space_separated(client, SETTINGS)
    assert "\n" not in violation.message
    assert '"openid,email\\n"' in violation.message


def test_e_show_escapes_shortens_and_hides() -> None:
    assert effective.show('a\nb\u202e"c') == '"a\\nb\\u202e\\"c"'
    long = effective.show("x" * 500)
    assert len(long) < 110 and long.endswith('…"')
    assert effective.show("top secret value", sensitive=True) == "(sensitive value)"
    assert effective.show(3000) == "3000"


_SPAN = Span("main.tf", 1, 1, 1, 2)
SECRETS = {
    "metadata": '{ "team" : "zq-secret-metadata-1234567890" }',
    "redirect_uris": [
        "http://zq-secret-host-0987654321.zqdomain.com:8080/cb#zq-secret-frag-5555",
        "zq-secret-noscheme-host.example/cb",
        "http://localhost:4242/zq-secret-path-77777777",
        "http://127.0.0.1:4343/zq-secret-loop-88888888",
        "zqsecretscheme://app/zq-secret-path-333333",
        "https://*.zq-secret-wild-4444.zqdomain.com/cb",
    ],
    "post_logout_redirect_uris": [
        "http://zq-secret-logout-host-1111.zqdomain.org/bye",
        "http://[zq-secret-bad-host]/x",
    ],
    "frontchannel_logout_uri": "http://zq-secret-fc-host-2222.zqdomain.org/fc#x",
    "backchannel_logout_uri": "zq-secret-bc-relative-value",
    "scope": "openid,zq-secret-scope-444444 offline_access",
    "allowed_cors_origins": [
        "https://zq-secret-cors-6666.zqdomain.com/path",
        "HTTPS://zq-secret-cors-drift-6767.zqdomain.com:443/",
        "https://zq-secret-w*ild-6868.zqdomain.com",
        "ftp://zq-secret-cors-scheme-6969",
    ],
    "audience": ["zq secret audience 7777777"],
    "client_uri": "data:zq-secret-client-uri-8888",
    "logo_uri": "https://zq-secret-logo-9999.zqdomain.net/l.png",
    "policy_uri": "https://[zq-secret-policy-bad]/p",
    "jwks_uri": "http://10.0.0.1/zq-secret-jwks-uri-121212",
    "jwks": '{"keys":[{"kty":"oct","k":"zq-secret-k-value","kid":"zq-secret-kid-000000"}]}',
    "authorization_code_grant_access_token_lifespan": "zq-secret-lifespan-123",
    "implicit_grant_access_token_lifespan": "9999h0m0s",
    "access_token_strategy": "JWT-zq-secret-strategy",
    "grant_types": ["authorization_code", "implicit", "refresh_token", "zq-secret-grant-121212"],
    "response_types": ["code zq-secret-rt-343434", "token"],
    "subject_type": "zq-secret-subject-565656",
    "userinfo_signed_response_alg": "zq-secret-userinfo-787878",
    "request_object_signing_alg": "zq-secret-roalg-909090",
    "token_endpoint_auth_method": "zq-secret-auth-method-1313",
    "client_id": "zq-secret-client-id-242424",
}


def _attribute(name: str, value: object) -> Attribute:
    elements = None
    if isinstance(value, list):
        elements = tuple(Element(index, item, _SPAN) for index, item in enumerate(value))
    return Attribute(name, value, _SPAN, _SPAN, elements=elements, sensitive=True)


def _sensitive_client(**overrides: object) -> Client:
    values: dict[str, object] = {**SECRETS, **overrides}
    return Client(
        address="ory_oauth2_client.c",
        name="c",
        span=_SPAN,
        origin="plan",
        module_dir=".",
        attributes={name: _attribute(name, value) for name, value in values.items()},
        source_mapped=False,
    )


def _every_violation(client: Client) -> Iterator[Violation]:
    project = Project()
    project.module(".").clients.append(client)
    for rule in all_rules().values():
        if rule.scope == "client":
            yield from rule.check(client, SETTINGS)  # type: ignore[call-arg,arg-type,misc]
        else:
            yield from rule.check(project, SETTINGS)  # type: ignore[call-arg,arg-type,misc]


def _windows(value: str, size: int = 10) -> set[str]:
    """Every ``size``-character substring that overlaps a ``zq...`` marker of the value.

    Substrings made only of generic parts (``https://*.``) may legitimately occur in a message.
    """
    windows = set()
    for match in re.finditer(r"zq[^/:#\s]*", value):
        for start in range(max(match.start() - size + 1, 0), match.end()):
            window = value[start : start + size]
            if len(window) == size:
                windows.add(window)
    return windows


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"token_endpoint_auth_method": "none", "skip_consent": True},
        {"jwks_uri": None, "token_endpoint_auth_method": "private_key_jwt"},
        {"scope": "openid zq-secret-scope-only-5151", "grant_types": ["client_credentials"]},
        {"metadata": "zq-secret-not-json-value-3434"},
        {"metadata": '{"zq-secret-key": 12345678901234567890123}'},
    ],
)
def test_e_sensitive_plan_values_never_reach_a_message(overrides: dict[str, object]) -> None:
    client = _sensitive_client(**overrides)
    secrets: list[str] = []
    for value in {**SECRETS, **overrides}.values():
        items = value if isinstance(value, list) else [value]
        secrets += [item for item in items if isinstance(item, str) and "zq" in item]
    violations = list(_every_violation(client))
    assert len(violations) > 20  # the client breaks many rules: each message is checked
    for violation in violations:
        for secret in secrets:
            leaked = [w for w in _windows(secret) if w in violation.message]
            assert not leaked, (violation.message, secret, leaked)


# --------------------------------------------------------------------------
# F: a dynamic block is not suggested as `dynamic = ...`
# --------------------------------------------------------------------------


def test_f_dynamic_block_message_does_not_suggest_a_dynamic_argument() -> None:
    client = _client('  dynamic "redirect_uris" {\n    for_each = var.x\n    content {}\n  }\n')
    [violation] = configuration_matches_schema(client, SETTINGS)
    assert "dynamic = ..." not in violation.message
    assert "redirect_uris = [for" in violation.message


# --------------------------------------------------------------------------
# G: ORY705 and ORY101 agree on which releases make client_id read-only
# --------------------------------------------------------------------------

_IMPORTED = """
import {
  to = ory_oauth2_client.c
  id = "from-hydra"
}

resource "ory_oauth2_client" "c" {
  client_name = "Imported"
  client_id   = "configured"
}
"""


@pytest.mark.parametrize(
    ("version", "read_only"),
    [("0.0.0", True), ("0.0.3", True), ("v0.0.2", True), ("0.1.0", False), ("latest", False)],
)
def test_g_ory705_follows_the_schema_release_data(version: str, read_only: bool) -> None:
    settings = Settings(provider=ProviderSettings(version=version))
    project = _project(_IMPORTED)
    [client] = project.clients
    ory101 = [
        v for v in configuration_matches_schema(client, settings) if v.attribute == "client_id"
    ]
    ory705 = list(client_id_change_replaces(project, settings))
    assert bool(ory101) is read_only
    assert bool(ory705) is not read_only  # 0.0.0 gave both findings before


# --------------------------------------------------------------------------
# H: ORY902 and ORY803's `= false` point at the value
# --------------------------------------------------------------------------


def test_h_value_spans() -> None:
    client = _client(
        '  token_endpoint_auth_method = "none"\n'
        '  redirect_uris = ["com.example.app:/cb"]\n'
        "  skip_consent = true\n"
        '  backchannel_logout_uri = "https://app.example.com/bc"\n'
        "  backchannel_logout_session_required = false\n"
    )
    spans = {v.attribute: v.span for v in skip_consent_public_client(client, SETTINGS)}
    attribute = client.attr("skip_consent")
    assert attribute is not None and spans == {"skip_consent": attribute.value_span}
    [flag] = logout_session_flag_without_effect(client, SETTINGS)
    attribute = client.attr("backchannel_logout_session_required")
    assert attribute is not None and flag.span == attribute.value_span


# --------------------------------------------------------------------------
# Structure: check modules share knowledge through orylint.model.effective, not each other
# --------------------------------------------------------------------------


def test_check_modules_do_not_import_each_other() -> None:
    checks = Path(effective.__file__).parents[1] / "checks"
    modules = sorted(checks.glob("*.py"))
    assert len(modules) > 5, checks  # the glob must see the rule modules, or this checks nothing
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("orylint.checks"), (path.name, node.module)

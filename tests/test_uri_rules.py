"""Table tests for the URI rules (ORY401-ORY406, ORY410-ORY413), through the real scan.

Each case writes a one-client Terraform configuration, lints it with ``orylint.scan`` (optionally
with an ``.orylint.toml``) and compares the rule ids (and, where a rule has sub-severities, the
severities) that fire. The tables cover every trap the catalogue names in §4.4, so a change in
Go URL semantics or in a rule shows up as a named case.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from orylint.config import load_config
from orylint.engine.findings import Finding
from orylint.engine.selection import RuleSelection
from orylint.model.settings import Settings
from orylint.scan import ScanOptions, scan

REDIRECT_RULES = ("ORY401", "ORY402", "ORY403", "ORY404", "ORY405", "ORY406")


def _hcl_string(value: str) -> str:
    """A Terraform string literal holding exactly ``value`` (no template interpolation)."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    text = "".join(out).replace("${", "$${").replace("%{", "\\u0025{")
    return f'"{text}"'


def _lint(
    tmp_path: Path, attributes: dict[str, str | list[str]], rules: tuple[str, ...], toml: str = ""
) -> list[Finding]:
    lines = ['resource "ory_oauth2_client" "c" {', '  client_name = "Table test"']
    for name, value in attributes.items():
        if isinstance(value, list):
            rendered = "[" + ", ".join(_hcl_string(item) for item in value) + "]"
        else:
            rendered = _hcl_string(value)
        lines.append(f"  {name} = {rendered}")
    lines.append("}")
    (tmp_path / "main.tf").write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = Settings()
    if toml:
        (tmp_path / ".orylint.toml").write_text(toml, encoding="utf-8")
        settings = load_config(tmp_path / ".orylint.toml").settings
    result = scan(
        ScanOptions([str(tmp_path)], selection=RuleSelection(select=rules), settings=settings)
    )
    assert not result.fatal_errors
    assert [f for f in result.findings if f.rule_id == "ORY001"] == []
    return [f for f in result.findings if f.rule_id in rules]


# --------------------------------------------------------------------------------------------
# Redirect URIs: URI -> the rules among ORY401-ORY406 that fire
# --------------------------------------------------------------------------------------------

REDIRECT_CASES: list[tuple[str, set[str]]] = [
    # ORY402 HARD: Go url.ParseRequestURI fails, Hydra answers 400.
    ("app.example.com/cb", {"ORY402"}),
    ("example.org", {"ORY402"}),
    ("https://app.example.com:abc/cb", {"ORY402"}),  # non-numeric port
    ("https://app.example.com:/cb", set()),  # an empty port is valid in Go
    ("https://app example.com/cb", {"ORY402"}),  # space in the host
    ("https://app_example^.com/cb", {"ORY402"}),  # other illegal host character
    ("https://app.example.com/cb\n", {"ORY402"}),  # control characters
    ("https://app.example.com/\tcb", {"ORY402"}),
    ("https://app.example.com/cb\x7f", {"ORY402"}),
    ("", {"ORY402"}),  # empty string
    ("https://app.example.com/%zz", {"ORY402"}),  # bad escape
    ("https://[::1/cb", {"ORY402"}),
    ("https://[127.0.0.1]/cb", {"ORY402"}),  # IPv4 in brackets (Go >= 1.25.2)
    ("http://::1/cb", {"ORY402"}),  # http host with more than one colon (Go >= 1.26)
    ("127.0.0.1:8080/cb", {"ORY402"}),  # a scheme cannot start with a digit
    # ORY402 RUNTIME traps: Hydra accepts them, no request can use them.
    ("/callback", {"ORY402"}),  # absolute path
    ("//app.example.com/cb", {"ORY402"}),  # a path for ParseRequestURI
    ("localhost:3000/cb", {"ORY402"}),  # host:port without //, scheme "localhost"
    ("localhost:3000", {"ORY402"}),
    ("app.example.com:8443/cb", {"ORY402"}),  # a host name as the scheme
    ("localhost:/cb", {"ORY402"}),
    ("*", {"ORY402"}),  # lone wildcard: the OPTIONS * target
    ("https:/cb", {"ORY402"}),  # https without a host
    ("http:///cb", {"ORY402"}),
    ("http://:80/cb", {"ORY402"}),  # a port but no host
    # ORY401: any '#', even an empty fragment; ORY402 does not report the same '#'.
    ("https://app.example.com/cb#", {"ORY401"}),
    ("https://app.example.com/#/cb", {"ORY401"}),
    ("https://app.example.com#cb", {"ORY401"}),  # ParseRequestURI fails only because of '#'
    ("#", {"ORY401", "ORY402"}),  # nothing before the fragment
    ("/callback#x", {"ORY401", "ORY402"}),  # independent problems
    ("https://app example.com/#x", {"ORY401", "ORY402"}),
    ("http://app.example.com/cb#x", {"ORY401", "ORY403"}),
    ("https://app.example.com/cb?x=%23", set()),  # an escaped '#' is not a fragment
    # Origin traps of §4.4 (ORY407 for post-logout URIs) are fine as redirect URIs.
    ("https://a.com:443/x", set()),
    ("https://App.Example.com/cb", set()),  # host case
    ("https://app.example.com/callback", set()),
    # ORY403: plain http to anything but localhost, *.localhost, 127.0.0.0/8, [::1].
    ("http://app.example.com/cb", {"ORY403"}),
    ("HTTP://app.example.com/cb", {"ORY403"}),  # the scheme is case-insensitive
    ("http://10.0.0.5/cb", {"ORY403"}),  # private is not loopback
    ("http://192.168.1.1/", {"ORY403"}),
    ("http://0.0.0.0:8080/cb", {"ORY403"}),
    ("http://127.1/cb", {"ORY403"}),  # net.ParseIP refuses the short form
    ("http://localhost./cb", {"ORY403"}),  # fosite: not localhost (ORY403 owns it, not ORY404)
    ("http://LOCALHOST/cb", {"ORY403"}),  # fosite's IsLocalhost is case-sensitive
    ("http://[::ffff:127.0.0.1]/cb", set()),  # IPv4-mapped loopback
    ("http://127.255.255.254/cb", set()),
    # ORY404 judges native apps only; next to an https redirect URI this client is a web app, so
    # a development server on a fixed localhost port is fine (test_loopback_severity: native).
    ("http://localhost:3000/cb", set()),
    ("http://localhost/cb", set()),
    ("http://foo.localhost/cb", set()),
    ("http://127.0.0.1:8080/cb", set()),
    ("http://127.0.0.1:9090/cb", set()),  # loopback with a different port
    ("http://[::1]:8080/cb", set()),
    ("http://127.0.0.1/cb", set()),
    ("http://[::1]/cb", set()),
    ("https://localhost:8443/cb", set()),  # only http loopback redirects
    ("http://localhost.example.com/cb", {"ORY403"}),
    # ORY405: '*' anywhere but alone.
    ("https://*.example.com/cb", {"ORY405"}),
    ("https://app.example.com/*", {"ORY405"}),
    ("https://app.example.com/cb?scope=*", {"ORY405"}),
    ("https://*", {"ORY405"}),
    ("*.example.com", {"ORY402", "ORY405"}),
    ("https://app.example.com/cb#*", {"ORY401"}),  # in the fragment: ORY401's
    ("*#", {"ORY401", "ORY402"}),
    # ORY406: private-use schemes without a dot; the slashes after the scheme are not judged.
    ("myapp://callback", {"ORY406"}),
    ("myapp:/callback", {"ORY406"}),
    ("com.example.app:/callback", set()),
    ("com.example.app:callback", set()),
    ("com.example.app://callback", set()),
    ("com.example.app:///callback", set()),
    ("javascript:alert(1)", {"ORY406"}),
    ("file:///etc/passwd", {"ORY406"}),
    ("ftp://files.example.com/cb", {"ORY406"}),
    ("data:text/html,<script>alert(1)</script>", {"ORY406"}),
    ("urn:ietf:wg:oauth:2.0:oob", {"ORY406"}),
]


@pytest.mark.parametrize(
    ("uri", "expected"), REDIRECT_CASES, ids=[repr(c[0]) for c in REDIRECT_CASES]
)
def test_redirect_uri_table(tmp_path: Path, uri: str, expected: set[str]) -> None:
    attributes: dict[str, str | list[str]] = {
        "grant_types": ["authorization_code"],
        "redirect_uris": ["https://ok.example.com/callback", uri],
    }
    found = _lint(tmp_path, attributes, REDIRECT_RULES)
    assert {f.rule_id for f in found} == expected, [f.message for f in found]
    for finding in found:
        # Only the bad element is reported: it is the second one on line 4.
        assert finding.span.start_line == 4
        assert finding.span.start_column > len(
            '  redirect_uris = ["https://ok.example.com/callback"'
        )
        assert finding.attribute == "redirect_uris[1]"


@pytest.mark.parametrize(
    ("uri", "severity"),
    [
        ("http://localhost:3000/cb", "warning"),
        ("http://localhost/cb", "warning"),
        ("http://foo.localhost/cb", "warning"),
        ("http://127.0.0.1:8080/cb", "note"),
        ("http://[::1]:8080/cb", "note"),
        ("http://LocalHost/cb", None),  # fosite refuses it as insecure: ORY403's
        ("http://127.0.0.1/cb", None),
    ],
)
def test_loopback_severity(tmp_path: Path, uri: str, severity: str | None) -> None:
    # The private-use scheme shows a native app, the only kind of client ORY404 judges.
    native = {"redirect_uris": ["com.example.app:/cb", uri]}
    found = _lint(tmp_path, native, ("ORY404",))
    assert [f.severity for f in found] == ([severity] if severity else [])
    web = {"redirect_uris": ["https://app.example.com/cb", uri]}
    (tmp_path / "web").mkdir()
    assert _lint(tmp_path / "web", web, ("ORY404",)) == []


@pytest.mark.parametrize(
    ("uri", "suggestion"),
    [
        # fosite compares the hostname, path and query of a loopback redirect and ignores only
        # the port (isMatchingAsLoopback), so the suggestion keeps all three.
        ("http://[::1]:8123/callback", '"http://[::1]/callback"'),
        ("http://127.0.0.1:8123/cb?tenant=a", '"http://127.0.0.1/cb?tenant=a"'),
        ("http://127.0.0.2:8123?x=1", '"http://127.0.0.2?x=1"'),
        ("http://[::1]:8123", '"http://[::1]"'),
        # A localhost name is the finding: the host becomes the IP literal, the query stays.
        ("http://localhost:8085/cb?x=1", '"http://127.0.0.1/cb?x=1"'),
        ("http://localhost/", '"http://127.0.0.1/"'),
    ],
)
def test_loopback_suggestion_keeps_host_path_and_query(
    tmp_path: Path, uri: str, suggestion: str
) -> None:
    native = {"redirect_uris": ["com.example.app:/cb", uri]}
    [finding] = _lint(tmp_path, native, ("ORY404",))
    assert f"register {suggestion} " in finding.message


def test_unknown_redirect_uris_are_not_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "ory_oauth2_client" "c" {\n'
        '  client_name   = "Unknown"\n'
        '  redirect_uris = [var.a, "http://${var.host}/cb", "${var.x}#", "*${var.y}"]\n'
        '  client_uri    = "javascript:${var.js}"\n'
        '  jwks_uri      = "http://${var.jwks_host}/jwks"\n'
        "}\n",
        encoding="utf-8",
    )
    selection = RuleSelection(select=(*REDIRECT_RULES, "ORY410", "ORY411", "ORY412", "ORY413"))
    result = scan(ScanOptions([str(tmp_path)], selection=selection))
    assert result.findings == []


# --------------------------------------------------------------------------------------------
# ORY410: server-fetched URIs, under both SSRF settings
# --------------------------------------------------------------------------------------------

SSRF_ON = "[ory]\ndisallow_private_ip_ranges = true\n"

SERVER_FETCHED_CASES: list[tuple[str, str, str | None, str | None]] = [
    # attribute, URI, severity by default, severity with disallow_private_ip_ranges
    ("jwks_uri", "http://10.0.0.5/jwks", "warning", "error"),
    ("jwks_uri", "http://192.168.1.1/", "warning", "error"),
    ("jwks_uri", "https://[fd00::1]/", "warning", "error"),
    ("jwks_uri", "https://172.16.0.1/jwks", "warning", "error"),
    ("jwks_uri", "https://172.31.255.255/jwks", "warning", "error"),
    ("jwks_uri", "https://[::1]/jwks", "warning", "error"),
    ("jwks_uri", "https://127.0.0.1:8443/jwks", "warning", "error"),
    ("jwks_uri", "https://169.254.169.254/latest", "warning", "error"),
    ("jwks_uri", "https://[::ffff:10.0.0.1]/jwks", "warning", "error"),
    ("backchannel_logout_uri", "https://localhost/logout", "warning", "error"),
    ("backchannel_logout_uri", "https://api.localhost/logout", "warning", "error"),
    ("backchannel_logout_uri", "http://10.1.2.3/logout", "warning", "error"),
    # The rest of code.dny.dev/ssrf's list (Go-checked in tests/fixtures/ssrf_cases.json).
    ("jwks_uri", "https://[2001:db8::1]/jwks", "warning", "error"),
    ("jwks_uri", "https://100.64.0.1/jwks", "warning", "error"),
    ("jwks_uri", "https://198.18.0.1/jwks", "warning", "error"),
    ("jwks_uri", "https://[::ffff:8.8.8.8]/jwks", "warning", "error"),
    ("backchannel_logout_uri", "https://[fe80::1%25eth0]/logout", "warning", "error"),
    ("backchannel_logout_uri", "https://bücher.example/logout", "warning", "error"),
    # http to a public host: a warning either way (SSRF protection ignores the scheme).
    ("jwks_uri", "http://keys.example.com/jwks", "warning", "warning"),
    ("backchannel_logout_uri", "http://app.example.com/logout", "warning", "warning"),
    # Public https: nothing.
    ("jwks_uri", "https://keys.example.com/jwks", None, None),
    ("jwks_uri", "https://172.32.0.1/jwks", None, None),
    ("jwks_uri", "https://11.0.0.1/jwks", None, None),
    ("jwks_uri", "https://[2606:4700::1111]/jwks", None, None),
    ("jwks_uri", "https://100.128.0.1/jwks", None, None),
    ("jwks_uri", "keys.example.com/jwks", None, None),  # not an http(s) URL: ORY413's
    ("jwks_uri", "ftp://10.0.0.5/jwks", None, None),  # ORY413's
    ("backchannel_logout_uri", "https://app.example.com/logout", None, None),
    ("backchannel_logout_uri", "10.0.0.5/logout", None, None),  # not a URI: ORY409's
]


@pytest.mark.parametrize(
    ("attribute", "uri", "default", "with_ssrf_protection"),
    SERVER_FETCHED_CASES,
    ids=[f"{c[0]}={c[1]}" for c in SERVER_FETCHED_CASES],
)
def test_server_fetched_uri_table(
    tmp_path: Path,
    attribute: str,
    uri: str,
    default: str | None,
    with_ssrf_protection: str | None,
) -> None:
    attributes: dict[str, str | list[str]] = {
        "grant_types": ["authorization_code"],
        "redirect_uris": ["https://app.example.com/callback"],
        attribute: uri,
    }
    plain = _lint(tmp_path, attributes, ("ORY410",))
    assert [f.severity for f in plain] == ([default] if default else [])
    protected = _lint(tmp_path, attributes, ("ORY410",), SSRF_ON)
    assert [f.severity for f in protected] == ([with_ssrf_protection] if default else [])
    for finding in plain + protected:
        assert finding.attribute == attribute


# --------------------------------------------------------------------------------------------
# ORY411: client metadata URIs, by Hydra version
# --------------------------------------------------------------------------------------------

METADATA_ATTRIBUTES = ("client_uri", "logo_uri", "policy_uri", "tos_uri")
METADATA_URI_CASES: list[tuple[str, bool]] = [
    ("javascript:alert(1)", True),
    ("file:///etc/passwd", True),
    ("ftp://files.example.com/terms", True),
    ("data:text/html,<script>alert(1)</script>", True),
    ("example.org", True),
    ("example.org/terms", True),
    ("/terms", True),
    ("//app.example.com/terms", True),
    ("https://app.example.com:abc/terms", True),
    ("mailto:legal@example.com", True),
    ("https://app.example.com/terms", False),
    ("http://app.example.com/terms", False),
    ("HTTPS://app.example.com/terms", False),
]


@pytest.mark.parametrize("attribute", METADATA_ATTRIBUTES)
@pytest.mark.parametrize(("uri", "bad"), METADATA_URI_CASES, ids=[c[0] for c in METADATA_URI_CASES])
def test_metadata_uri_table(tmp_path: Path, attribute: str, uri: str, bad: bool) -> None:
    attributes: dict[str, str | list[str]] = {
        "redirect_uris": ["https://app.example.com/callback"],
        attribute: uri,
    }
    found = _lint(tmp_path, attributes, ("ORY411",))
    assert [f.rule_id for f in found] == (["ORY411"] if bad else [])
    assert all(f.severity == "error" for f in found)


@pytest.mark.parametrize(
    ("attribute", "version", "severity"),
    [
        ("tos_uri", "v26.2.0", "error"),
        ("tos_uri", "v25.4.0", "error"),
        ("tos_uri", "25.4.0", "error"),
        ("tos_uri", "v25.3.9", "warning"),
        ("tos_uri", "v2.3.0", "warning"),
        ("client_uri", "v27.0.0", "error"),
        ("client_uri", "v26.2.0", "error"),
        ("client_uri", "v26.1.0", "warning"),
        ("logo_uri", "v25.4.0", "warning"),
        ("policy_uri", "v2.3.0", "warning"),
    ],
)
def test_metadata_uri_severity_by_hydra_version(
    tmp_path: Path, attribute: str, version: str, severity: str
) -> None:
    attributes: dict[str, str | list[str]] = {attribute: "javascript:alert(1)"}
    toml = f'[ory]\nhydra_version = "{version}"\n'
    found = _lint(tmp_path, attributes, ("ORY411",), toml)
    assert [f.severity for f in found] == [severity]


# --------------------------------------------------------------------------------------------
# ORY412: metadata URI site/scheme against the redirect URIs
# --------------------------------------------------------------------------------------------

HOST_MISMATCH_CASES: list[tuple[list[str] | None, str, bool]] = [
    (["https://app.example.com/cb"], "https://cdn.example.net/logo.png", True),
    (["https://app.example.com/cb"], "https://www.example.com/", False),  # same site
    (["https://app.example.com/cb"], "https://cdn.example.com/logo.png", False),
    (["https://app.example.com/cb"], "https://www.example.org/", True),  # another site
    (["https://app.example.com/cb"], "http://app.example.com/logo.png", True),  # scheme
    (["https://app.example.com/cb"], "https://app.example.com.evil/logo.png", True),
    (["https://app.example.com/cb"], "https://app.example.com/logo.png", False),
    (["https://app.example.com/cb"], "https://APP.Example.com/logo.png", False),
    (["https://app.example.com/cb"], "https://app.example.com:8443/logo.png", False),
    (["https://a.example.com/cb", "https://b.example.com/cb"], "https://b.example.com/", False),
    (["http://127.0.0.1/cb"], "https://example.com/", False),  # loopback names no site
    (["https://10.0.0.1/cb"], "https://10.0.0.2/", True),  # IP literals compare whole
    (["com.example.app:/cb", "https://app.example.com/cb"], "https://example.com/", False),
    (["com.example.app:/cb", "https://app.example.com/cb"], "https://example.net/", True),
    (["com.example.app:/cb"], "https://example.com/", False),  # no host to compare with
    (None, "https://cdn.example.net/logo.png", False),  # no redirect URIs
    (["https://app.example.com/cb"], "javascript:alert(1)", False),  # ORY411's
    (["https://app.example.com/cb"], "cdn.example.net/logo.png", False),  # ORY411's
]


@pytest.mark.parametrize("attribute", METADATA_ATTRIBUTES)
@pytest.mark.parametrize(
    ("redirects", "uri", "mismatch"),
    HOST_MISMATCH_CASES,
    ids=[f"{c[0]}-{c[1]}" for c in HOST_MISMATCH_CASES],
)
def test_metadata_uri_host_table(
    tmp_path: Path, attribute: str, redirects: list[str] | None, uri: str, mismatch: bool
) -> None:
    attributes: dict[str, str | list[str]] = {attribute: uri}
    if redirects is not None:
        attributes["redirect_uris"] = redirects
    found = _lint(tmp_path, attributes, ("ORY412",))
    assert [(f.rule_id, f.severity) for f in found] == ([("ORY412", "note")] if mismatch else [])

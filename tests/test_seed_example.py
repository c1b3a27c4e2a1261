"""Acceptance: the provider documentation's example, linted as the catalogue predicts.

``tests/fixtures/seed/main.tf`` is a copy of the example configuration in the provider's
resource documentation (five clients, two outputs). The expected findings below were derived by
hand from the catalogue's conditions (rules.md), not from orylint's output.
"""

from __future__ import annotations

from pathlib import Path

from orylint.engine.selection import RuleSelection
from orylint.scan import ScanOptions, scan

SEED = Path(__file__).parent / "fixtures" / "seed" / "main.tf"

# The rule families of the foundation issue.
FOUNDATION_RULES = (
    "ORY101", "ORY102", "ORY103", "ORY104",
    "ORY201", "ORY202", "ORY203", "ORY204", "ORY205", "ORY206",
    "ORY301", "ORY304", "ORY305", "ORY306",
    "ORY407", "ORY408", "ORY409", "ORY803",
    "ORY901", "ORY701", "ORY702",
)  # fmt: skip

# cli_tool registers response_types = ["code"] although its grants (device_code, refresh_token)
# never use the authorization endpoint: ORY304 sub-rule (e), a note, on the attribute value.
# Everything else in the example satisfies these rules: lifespans are canonical and within the
# defaults (1h, 720h are not "longer than"), the web app's post-logout and front-channel URIs
# share https://app.example.com with its redirect URIs, both session flags come with their URIs,
# and the only secret output is marked sensitive.
EXPECTED = {
    ("ORY304", "note", 98, 32, 98, 40, "ory_oauth2_client.cli_tool"),
}


# With the whole catalogue, derived clause by clause from rules.md (§4 and §6) and the precision
# decisions of docs/precision.md:
CATALOGUE = EXPECTED | {
    # api_service: a service client with a secret, audience and "admin" scope is what
    # client_secret_* is for; no finding (ORY906 judges native apps only, ORY706 literal keys only).
    # web_app: pairwise with two redirect URIs (§6 item 6: the docs example hits it). Its CORS
    # origins do not make it a browser app holding the secret (ORY906), and skip_consent on a
    # confidential client is fine (ORY902).
    ("ORY602", "error", 20, 19, 23, 4, "ory_oauth2_client.web_app"),
    # api_gateway: auth method omitted (§6 item 3), and a back-channel logout URI on a
    # client_credentials client: no user, so ORY802 reports it and ORY503 stays silent.
    ("ORY307", "warning", 68, 1, 68, 43, "ory_oauth2_client.api_gateway"),
    ("ORY802", "note", 77, 3, 77, 77, "ory_oauth2_client.api_gateway"),
    # spa: public code flow (PKCE), refresh_token without offline_access (§6 item 5: the
    # provider's own SPA example). Its localhost:3000 dev server is a web app's: no ORY404.
    ("ORY308", "note", 84, 21, 84, 41, "ory_oauth2_client.spa"),
    ("ORY501", "warning", 91, 32, 91, 54, "ory_oauth2_client.spa"),
}


def findings(path: Path, rules: tuple[str, ...] = FOUNDATION_RULES) -> set[tuple[object, ...]]:
    result = scan(ScanOptions([str(path)], selection=RuleSelection(select=rules)))
    assert not result.fatal_errors
    return {
        (
            f.rule_id,
            f.severity,
            f.span.start_line,
            f.span.start_column,
            f.span.end_line,
            f.span.end_column,
            f.address,
        )
        for f in result.findings
    }


def test_seed_example_findings() -> None:
    assert findings(SEED) == EXPECTED


def test_seed_example_with_the_whole_catalogue() -> None:
    assert findings(SEED, ()) == CATALOGUE


def test_seed_example_without_sensitive_reports_the_secret_output(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    marked = "  value     = ory_oauth2_client.api_service.client_secret\n  sensitive = true\n"
    assert marked in text
    copy = tmp_path / "main.tf"
    copy.write_text(
        text.replace(marked, "  value     = ory_oauth2_client.api_service.client_secret\n"),
        encoding="utf-8",
    )
    # The reference on line 108, `ory_oauth2_client.api_service.client_secret`, starts at
    # column 15 and is 43 characters long.
    leak = ("ORY701", "error", 108, 15, 108, 58, "output.api_service_client_secret")
    assert findings(copy) == EXPECTED | {leak}
    assert findings(copy, ()) == CATALOGUE | {leak}

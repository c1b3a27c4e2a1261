"""Acceptance: the provider documentation's example, linted as the catalogue predicts.

``tests/fixtures/seed/main.tf`` is a copy of the example configuration in the provider's
resource documentation (five clients, two outputs). The expected findings below were derived by
hand from the catalogue's conditions (rules.md), not from orylint's output.
"""

from __future__ import annotations

from pathlib import Path

from orylint.engine import RuleSelection
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


def findings(path: Path) -> set[tuple[object, ...]]:
    result = scan(ScanOptions([str(path)], selection=RuleSelection(select=FOUNDATION_RULES)))
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
    assert findings(copy) == EXPECTED | {
        ("ORY701", "error", 108, 15, 108, 58, "output.api_service_client_secret"),
    }

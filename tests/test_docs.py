"""The generated docs are current, and the hand-written docs exist."""

from __future__ import annotations

from pathlib import Path

from orylint.engine.metadata import load_metadata
from orylint.report.docs_gen import render_all

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_generated_rule_pages_are_current() -> None:
    stale = []
    for relative, text in render_all().items():
        path = DOCS / relative
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(relative)
    assert not stale, f"run `python -m orylint.report.docs_gen` to refresh: {stale}"


def test_no_orphan_rule_pages() -> None:
    expected = {f"{rule_id}.md" for rule_id in load_metadata()} | {"README.md"}
    actual = {path.name for path in (DOCS / "rules").glob("*.md")}
    assert actual == expected


def test_rule_list_links_every_rule() -> None:
    index = (DOCS / "rules" / "README.md").read_text(encoding="utf-8")
    for rule_id in load_metadata():
        assert f"[{rule_id}]({rule_id}.md)" in index


def test_hand_written_pages_exist() -> None:
    for name in (
        "getting-started.md",
        "json-format.md",
        "architecture.md",
        "configuration.md",
        "suppressions.md",
        "baseline.md",
        "pre-commit.md",
        "github-action.md",
        "gitlab.md",
        "contributing-rules.md",
        "policies.md",
    ):
        assert (DOCS / name).is_file(), name

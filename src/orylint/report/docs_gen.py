"""Generate ``docs/rules/`` from the rule metadata: one page per rule and the rule list.

Run ``python -m orylint.report.docs_gen`` after changing anything in ``rules/``; a test fails
while the committed pages differ from what this renders, so docs cannot go stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from orylint.engine.atomic import write_atomic
from orylint.engine.metadata import RuleMeta, load_metadata
from orylint.report.rule_docs import rule_markdown

_FAMILY_TITLES = {
    "tool": "orylint itself",
    "schema": "Schema, types, enums (ORY1xx)",
    "durations": "Durations (ORY2xx)",
    "grants": "Grants, response types, auth methods (ORY3xx)",
    "uris": "Redirect and logout URIs (ORY4xx)",
    "scopes": "Scopes, refresh, offline (ORY5xx)",
    "oidc": "OIDC specifics (ORY6xx)",
    "secrets": "Secrets, outputs, import (ORY7xx)",
    "dead-config": "Dead configuration (ORY8xx)",
    "security": "Security best practice (ORY9xx)",
}


def render_all() -> dict[str, str]:
    """Every generated page, keyed by its path relative to ``docs/``."""
    metadata = load_metadata()
    pages = {
        f"rules/{meta.id}.md": rule_markdown(meta, rule_page=True) for meta in metadata.values()
    }
    pages["rules/README.md"] = _index(list(metadata.values()))
    return pages


def _index(rules: list[RuleMeta]) -> str:
    lines = [
        "# Rules",
        "",
        "Generated from `rules/*.yaml` by `python -m orylint.report.docs_gen`;"
        " do not edit by hand.",
        "Run `orylint explain ORYnnn` for the same text in a terminal.",
        "",
    ]
    by_group: dict[str, list[RuleMeta]] = {}
    for meta in sorted(rules, key=lambda item: item.id):
        group = meta.id[:4] if meta.family not in ("tool",) else "ORY0"
        by_group.setdefault(group, []).append(meta)
    for group in sorted(by_group):
        family = by_group[group][0].family
        lines += [f"## {_FAMILY_TITLES.get(family, family)}", ""]
        lines += ["| Rule | Name | Severity | Summary |", "| --- | --- | --- | --- |"]
        for meta in by_group[group]:
            summary = meta.summary.replace("|", "\\|")
            lines.append(
                f"| [{meta.id}]({meta.id}.md) | `{meta.name}` | {meta.severity} | {summary} |"
            )
        lines.append("")
    return "\n".join(lines)


def write_all(docs: Path) -> list[Path]:
    """Write the pages under ``docs`` and return the files that changed."""
    changed = []
    for relative, text in render_all().items():
        path = docs / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, text.encode("utf-8"))
            changed.append(path)
    return changed


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")
    for path in write_all(target):
        print(f"wrote {path}")

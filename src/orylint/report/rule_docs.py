"""Render a rule's metadata as markdown or terminal text.

The same rendering feeds ``docs/rules/ORYnnn.md``, SARIF ``help.markdown`` and ``orylint
explain``, in the order ruff uses: what it does, why it is bad, example, use instead.
"""

from __future__ import annotations

from orylint.engine.metadata import RuleMeta

DOCS_BASE_URL = "https://github.com/orylint/orylint/blob/main/docs/rules/"


def help_uri(meta: RuleMeta) -> str | None:
    """Where a rule's documentation page lives (SARIF ``helpUri``); policies have none."""
    if meta.is_policy:
        return None
    return f"{DOCS_BASE_URL}{meta.id}.md"


def rule_markdown(meta: RuleMeta, *, heading: bool = True) -> str:
    """The full markdown page of a rule."""
    lines: list[str] = []
    if heading:
        lines += [f"# {meta.id} `{meta.name}`", ""]
    lines += [
        f"**{meta.summary}**",
        "",
        f"- Default severity: `{meta.severity}`",
        f"- Basis: {meta.basis}",
        f"- Family: `{meta.family}`",
    ]
    if meta.is_policy:
        lines.append(f"- Defined in: `{meta.origin}`")
    if meta.tags:
        lines.append("- Tags: " + ", ".join(f"`{tag}`" for tag in meta.tags))
    if meta.security_severity:
        lines.append(f"- Security severity: {meta.security_severity}")
    if meta.config:
        lines.append("- Configuration: " + ", ".join(f"`{key}`" for key in meta.config))
    lines += ["", "## What it does", "", meta.what_it_does, ""]
    if meta.rationale:
        lines += ["## Why is this bad?", "", meta.rationale, ""]
    if meta.bad_example:
        lines += ["## Example", "", "```terraform", meta.bad_example.rstrip(), "```", ""]
    if meta.good_example:
        lines += ["## Use instead", "", "```terraform", meta.good_example.rstrip(), "```", ""]
    if meta.fix:
        lines += ["## How to fix", "", meta.fix, ""]
    if meta.references:
        lines += ["## References", ""]
        lines += [f"- [{ref.title}]({ref.url})" for ref in meta.references]
        lines.append("")
    return "\n".join(lines)


def rule_text(meta: RuleMeta) -> str:
    """A plain-text rendering for terminals and SARIF ``help.text``."""
    parts = [f"{meta.id} {meta.name} ({meta.severity})", meta.summary]
    if meta.is_policy:
        parts.append(f"Policy defined in {meta.origin}")
    parts += ["", "What it does:", meta.what_it_does]
    if meta.rationale:
        parts += ["", "Why is this bad?", meta.rationale]
    if meta.bad_example:
        parts += ["", "Example:", meta.bad_example.rstrip()]
    if meta.good_example:
        parts += ["", "Use instead:", meta.good_example.rstrip()]
    if meta.fix:
        parts += ["", f"Fix: {meta.fix}"]
    if meta.references:
        parts += ["", "References:"] + [f"  {ref.title}: {ref.url}" for ref in meta.references]
    return "\n".join(parts) + "\n"

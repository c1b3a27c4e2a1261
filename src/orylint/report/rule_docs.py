"""Render a rule's metadata as markdown or terminal text.

The same rendering feeds ``docs/rules/ORYnnn.md``, SARIF ``help.markdown`` and ``orylint
explain``, in the order ruff uses: what it does, why it is bad, example, use instead.
"""

from __future__ import annotations

from orylint.engine.metadata import RuleMeta
from orylint.terraform.resources import CLIENT_RESOURCES

DOCS_BASE_URL = "https://github.com/orylint/orylint/blob/main/docs/rules/"


def help_uri(meta: RuleMeta) -> str:
    """Where a rule's documentation page lives (SARIF ``helpUri``)."""
    return f"{DOCS_BASE_URL}{meta.id}.md"


def applies_to(meta: RuleMeta) -> list[str]:
    """The client resource types the rule judges, in the order orylint documents them."""
    return [name for name in CLIENT_RESOURCES if meta.applies_to(name)]


def applies_to_label(meta: RuleMeta) -> str:
    """``all`` for a rule about Hydra's behaviour, else the resource types, short, for tables.

    ``hydra`` is ``hydra_oauth2_client``, ``ory_oidc_dynamic`` is ``ory_oidc_dynamic_client``.
    """
    if not meta.resources:
        return "all"
    return ",".join(
        name.removesuffix("_oauth2_client").removesuffix("_client") for name in applies_to(meta)
    )


def _applies_to_markdown(meta: RuleMeta) -> str:
    if not meta.resources:
        return "- Applies to: every client resource that has the attributes it reads"
    names = ", ".join(f"`{name}` ({CLIENT_RESOURCES[name].provider})" for name in applies_to(meta))
    return f"- Applies to: {names} only (the rule is about that provider's behaviour)"


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
    if meta.tags:
        lines.append("- Tags: " + ", ".join(f"`{tag}`" for tag in meta.tags))
    if meta.security_severity:
        lines.append(f"- Security severity: {meta.security_severity}")
    if meta.config:
        lines.append("- Configuration: " + ", ".join(f"`{key}`" for key in meta.config))
    if meta.family != "tool":
        lines.append(_applies_to_markdown(meta))
    lines += ["", "## What it does", "", meta.what_it_does, "", "## Why is this bad?", ""]
    lines += [meta.rationale, ""]
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
    parts = [
        f"{meta.id} {meta.name} ({meta.severity})",
        meta.summary,
    ]
    if meta.family != "tool":
        parts.append(_applies_to_markdown(meta)[2:].replace("`", ""))
    parts += [
        "",
        "What it does:",
        meta.what_it_does,
        "",
        "Why is this bad?",
        meta.rationale,
    ]
    if meta.bad_example:
        parts += ["", "Example:", meta.bad_example.rstrip()]
    if meta.good_example:
        parts += ["", "Use instead:", meta.good_example.rstrip()]
    if meta.fix:
        parts += ["", f"Fix: {meta.fix}"]
    if meta.references:
        parts += ["", "References:"] + [f"  {ref.title}: {ref.url}" for ref in meta.references]
    return "\n".join(parts) + "\n"

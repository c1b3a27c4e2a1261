"""Render a rule's metadata as markdown or terminal text.

The same rendering feeds ``docs/rules/ORYnnn.md``, SARIF ``help.markdown`` and ``orylint
explain``, in the order ruff uses: what it does, why it is bad, example, use instead.
"""

from __future__ import annotations

from orylint import __version__
from orylint.engine.metadata import RuleMeta
from orylint.terraform.resources import CLIENT_RESOURCES

REPOSITORY_URL = "https://github.com/orylint/orylint"
TREE_URL = f"{REPOSITORY_URL}/blob/v{__version__}/"
"""orylint's files at the installed version's release tag: a rule's page describes the rule as
this version runs it, and ``main`` may already say something else (or the rule may be gone)."""
_MAIN_URL = f"{REPOSITORY_URL}/blob/main/"


def help_uri(meta: RuleMeta) -> str | None:
    """Where a rule's documentation page lives (SARIF ``helpUri``, ``orylint rules``).

    Policies have none: their help is their own ``description``, shipped with the policy.
    """
    if meta.is_policy:
        return None
    return f"{TREE_URL}docs/rules/{meta.id}.md"


def link(url: str, *, from_rule_page: bool = False) -> str:
    """A reference URL as shown: orylint's own documentation at the installed version.

    Rule metadata names orylint's pages on ``main`` (one spelling for the files' authors); what
    users are sent to is the release tag of the version they run, and a rule page in the
    repository links its neighbours relatively (``docs/rules/`` to ``docs/``), so that it is
    right on every branch and tag.
    """
    if not url.startswith(_MAIN_URL):
        return url
    path = url.removeprefix(_MAIN_URL)
    if from_rule_page and path.startswith("docs/"):
        return "../" + path.removeprefix("docs/")
    return TREE_URL + path


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


def rule_markdown(meta: RuleMeta, *, heading: bool = True, rule_page: bool = False) -> str:
    """The full markdown page of a rule (``rule_page``: the file in ``docs/rules/``)."""
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
    if meta.family != "tool":
        lines.append(_applies_to_markdown(meta))
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
        lines += [
            f"- [{ref.title}]({link(ref.url, from_rule_page=rule_page)})" for ref in meta.references
        ]
        lines.append("")
    return "\n".join(lines)


def rule_text(meta: RuleMeta) -> str:
    """A plain-text rendering for terminals and SARIF ``help.text``."""
    parts = [f"{meta.id} {meta.name} ({meta.severity})", meta.summary]
    if meta.is_policy:
        parts.append(f"Policy defined in {meta.origin}")
    if meta.family != "tool":
        parts.append(_applies_to_markdown(meta)[2:].replace("`", ""))
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
        parts += ["", "References:"] + [
            f"  {ref.title}: {link(ref.url)}" for ref in meta.references
        ]
    uri = help_uri(meta)
    if uri is not None:
        parts += ["", f"Documentation: {uri}"]
    return "\n".join(parts) + "\n"

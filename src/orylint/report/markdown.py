"""GitHub-flavoured Markdown: the GitHub Action's job summary, or a merge-request comment.

The summary line of the text format, the errors that stopped part of the run, and a table of
the findings, most severe first, cut at :data:`TABLE_LIMIT` rows (a job summary is limited to
1 MiB, and nobody reads row 500) with a count of the rest.

Every value from the linted files (paths, messages, addresses) is escaped: a redirect URI or a
client name written in a pull request must not become a link, an image, HTML or a broken table
in the summary of the job that lints it.
"""

from __future__ import annotations

from orylint.engine.findings import SEVERITY_RANK, Finding
from orylint.engine.metadata import load_metadata
from orylint.engine.result import ScanResult
from orylint.model.display import escape_terminal
from orylint.report.rule_docs import help_uri
from orylint.report.text import summary_line

TABLE_LIMIT = 50
"""Rows in the findings table; the rest are counted below it."""

# What Markdown (CommonMark plus GitHub's extensions: tables, strikethrough, autolinks, math,
# emoji shortcodes, references) can read as syntax inside a table cell. All are ASCII
# punctuation, which CommonMark lets a backslash turn into a literal character.
_SPECIAL = frozenset("\\`*_[]<>#|~&@:$.")


def escape(text: str) -> str:
    """``text`` as literal inline Markdown on one line (a table cell, a list item).

    Control and bidirectional characters are shown as escapes first, as in the terminal: on a
    web page they mislead just as much.
    """
    one_line = escape_terminal(" ".join(text.splitlines()))
    return "".join(f"\\{char}" if char in _SPECIAL else char for char in one_line)


def render_markdown(result: ScanResult) -> str:
    """The summary, the errors of an incomplete run, and the first findings as a table."""
    lines = ["### orylint", ""]
    if result.fatal_errors:
        lines += [f"- error: {escape(message)}" for message in result.fatal_errors]
        lines.append("")
    lines += [escape(summary_line(result)), ""]
    if result.findings:
        ranked = sorted(result.findings, key=lambda f: (-SEVERITY_RANK[f.severity], f.sort_key))
        lines += ["| Severity | Rule | Location | Message |", "| --- | --- | --- | --- |"]
        lines += [_row(finding, _page(result, finding.rule_id)) for finding in ranked[:TABLE_LIMIT]]
        rest = len(ranked) - TABLE_LIMIT
        if rest > 0:
            lines += [
                "",
                f"… and {rest} more (the table shows the first {TABLE_LIMIT}, most severe first).",
            ]
        lines.append("")
    return "\n".join(lines)


def _page(result: ScanResult, rule_id: str) -> str | None:
    """The rule's documentation page; a policy has none (its help is its own description)."""
    meta = next((meta for meta in result.rules if meta.id == rule_id), None)
    if meta is None:
        meta = load_metadata().get(rule_id)
    return help_uri(meta) if meta is not None else None


def _row(finding: Finding, page: str | None) -> str:
    span = finding.span
    where = escape(f"{span.path}:{span.start_line}:{span.start_column}")
    rule = f"[{finding.rule_id}]({page})" if page else finding.rule_id
    return f"| {finding.severity} | {rule} | {where} | {escape(finding.full_message)} |"

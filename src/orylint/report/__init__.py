"""Output formats. Each reporter turns a :class:`~orylint.engine.result.ScanResult` into text.

Reporters are imported on demand: a text run should not pay for the SARIF machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from orylint.engine.result import ScanResult

FORMATS = ("text", "concise", "json", "sarif", "github", "junit", "gitlab", "markdown")
TERMINAL_FORMATS = frozenset({"text", "concise"})
"""Formats for people: coloured on a terminal, with a summary line that ``-q`` leaves out."""


def render(
    name: str,
    result: ScanResult,
    *,
    exit_code: int,
    colour: bool = False,
    summary: bool = True,
    sarif_category: str = "orylint",
    source_root: Path | None = None,
    fail_on: str = "error",
) -> str:
    """Render ``result`` in format ``name`` (one of :data:`FORMATS`).

    ``colour`` and ``summary`` apply to the :data:`TERMINAL_FORMATS` only. ``fail_on`` is the
    threshold of the exit code: JUnit fails a file only at or above it.
    """
    if name == "text":
        from orylint.report.text import render_text

        return render_text(result, colour=colour, summary=summary)
    if name == "concise":
        from orylint.report.concise import render_concise

        return render_concise(result, colour=colour, summary=summary)
    if name == "sarif":
        from orylint.report.sarif import render_sarif

        return render_sarif(result, exit_code=exit_code, category=sarif_category, root=source_root)
    if name == "gitlab":
        from orylint.report.gitlab import render_gitlab

        return render_gitlab(result, root=source_root)
    if name == "junit":
        from orylint.report.junit import render_junit

        return render_junit(result, fail_on=fail_on)
    module = importlib.import_module(f"orylint.report.{'json_report' if name == 'json' else name}")
    renderer = getattr(module, f"render_{name}")
    text: str = renderer(result)
    return text

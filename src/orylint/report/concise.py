"""The concise format: one line per finding, ``path:line:col: ORY201 error: message [address]``.

Like ruff's ``--output-format concise``: the text format without the source excerpts, for
editors, ``grep`` and logs where one finding per line matters more than seeing the code.
"""

from __future__ import annotations

from orylint.engine.result import ScanResult
from orylint.report.text import render_text


def render_concise(result: ScanResult, *, colour: bool = False, summary: bool = True) -> str:
    """One line per finding, then the summary line (unless ``summary`` is off: ``-q``)."""
    return render_text(result, colour=colour, excerpts=False, summary=summary)

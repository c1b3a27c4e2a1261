"""What a scan produced: findings and everything a reporter needs to show them.

It lives in the engine, below the reporters and below :mod:`orylint.scan`, so that reporters
depend on the result, not on the code that computed it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from orylint.engine.findings import SEVERITY_RANK, Finding
from orylint.engine.metadata import RuleMeta
from orylint.engine.suppressions import Suppression
from orylint.terraform.document import LoadError


@dataclass
class Trace:
    """What a scan did, for ``-v``: inputs read and skipped (with why), and time per stage.

    Any stage records into it with :meth:`note` under a topic (``read``, ``skipped``, ...); a
    new kind of detail is a new topic, and the CLI prints every topic without knowing them.
    """

    entries: list[tuple[str, str]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    _since: float = field(default_factory=time.perf_counter, repr=False)

    def note(self, topic: str, message: str) -> None:
        """Record one line of detail under ``topic``."""
        self.entries.append((topic, message))

    def lap(self, stage: str) -> None:
        """Charge the time since the previous lap (or since the start) to ``stage``."""
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._since
        self._since = now


@dataclass
class ScanResult:
    """Findings and everything a reporter needs to show them."""

    findings: list[Finding] = field(default_factory=list)
    rules: list[RuleMeta] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    files_scanned: int = 0
    fatal_errors: list[str] = field(default_factory=list)
    load_errors: list[LoadError] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    baselined: int = 0
    trace: Trace = field(default_factory=Trace)

    def exit_code(self, fail_on: str) -> int:
        """0 clean, 1 findings at or above ``fail_on``, 2 when inputs could not be linted."""
        if self.fatal_errors:
            return 2
        if fail_on == "never":
            return 0
        threshold = SEVERITY_RANK[fail_on]
        if any(SEVERITY_RANK[finding.severity] >= threshold for finding in self.findings):
            return 1
        return 0

    def counts(self) -> dict[str, int]:
        """Findings per severity, for summaries."""
        counts = {"error": 0, "warning": 0, "note": 0}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

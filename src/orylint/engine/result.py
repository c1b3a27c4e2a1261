"""What a scan produced: findings and everything a reporter needs to show them.

It lives in the engine, below the reporters and below :mod:`orylint.scan`, so that reporters
depend on the result, not on the code that computed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orylint.engine.findings import SEVERITY_RANK, Finding
from orylint.engine.metadata import RuleMeta
from orylint.engine.suppressions import Suppression
from orylint.terraform.document import LoadError


@dataclass
class ScanResult:
    """Findings and everything a reporter needs to show them."""

    findings: list[Finding] = field(default_factory=list)
    rules: list[RuleMeta] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    """Display paths of the files linted: every Terraform file and plan read and reported on
    (whether parsed or passed over by the pre-filter), and any other file a finding points at
    (a tfvars file). Files read only as context of a named file are not among them. Summaries
    count these, and JUnit has one test case for each."""
    seconds: float = 0.0
    """How long the scan took (JUnit's ``time``)."""
    fatal_errors: list[str] = field(default_factory=list)
    load_errors: list[LoadError] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    baselined: int = 0

    @property
    def files_scanned(self) -> int:
        """How many files the summaries say were linted."""
        return len(self.files)

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

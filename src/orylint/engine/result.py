"""What a scan produced: findings and everything a reporter needs to show them.

It lives in the engine, below the reporters and below :mod:`orylint.scan`, so that reporters
depend on the result, not on the code that computed it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from orylint.engine.findings import SEVERITY_RANK, Finding, pack, unpack
from orylint.engine.metadata import RuleMeta
from orylint.engine.redaction import Secrets
from orylint.engine.suppressions import Suppression
from orylint.terraform.document import LoadError
from orylint.terraform.provider_schema import sensitive_attributes
from orylint.terraform.source import line_table

_ASSIGNS_SECRET = re.compile(
    r'(?<![\w-])"?(?:' + "|".join(sorted(sensitive_attributes())) + r'|[\w-]*api_key)"?\s*[=:](?!=)'
)
"""A line that sets a sensitive argument, in HCL (``name =``) or JSON (``"name":``) syntax.

The model knows the spans of the attributes it read; this catches the lines it did not read (a
file that failed to parse, a block of another resource type) so that no excerpt shows them.
"""


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
    trace: Trace = field(default_factory=Trace)
    terraform_files: int = 0
    """Every ``.tf``/``.tf.json`` file read, parsed or not (the pre-filter skips most)."""
    clients: int = 0
    """Client resource instances linted; none in Terraform files is said, never silent."""
    resource_types: dict[str, int] = field(default_factory=dict)
    """Resource types seen in the files read, with how many blocks, when ``-v`` asks
    (``ScanOptions.resource_types``), so a user sees what orylint did read."""
    sensitive_lines: dict[str, set[int]] = field(default_factory=dict)
    redactions: set[str] = field(default_factory=set)
    _secrets: Secrets | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, object]:
        """What pickling stores (the result cache): the findings by column (:func:`pack`)."""
        state = dict(self.__dict__)
        state["findings"] = pack(self.findings)
        state["suppressed"] = pack(self.suppressed)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["findings"] = unpack(state["findings"])
        state["suppressed"] = unpack(state["suppressed"])
        self.__dict__.update(state)

    def holds_secret(self, path: str, line: int) -> bool:
        """Whether line ``line`` of ``path`` holds a sensitive value, so it must not be shown.

        The one place that decides it, for every excerpt and diff: the lines of sensitive
        attributes the model read (``sensitive_lines``), any line holding a value Terraform
        marks sensitive in a plan (``redactions``, which messages are redacted of too), and any
        line that assigns a sensitive argument.
        """
        if line in self.sensitive_lines.get(path, ()):
            return True
        lines = line_table(self.sources.get(path, ""))  # the text report's table, not a copy
        if not 1 <= line <= len(lines):
            return False
        text = lines.line(line)
        if _ASSIGNS_SECRET.search(text):
            return True
        if self._secrets is None:
            self._secrets = Secrets(self.redactions)
        return self._secrets.found_in(text)

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

"""``orylint policy test``: a policy's own examples are its unit tests (conftest's ``verify``).

Each ``examples.pass`` snippet must give no finding of its policy and each ``examples.fail``
snippet at least one. A snippet is linted as the only file of a module directory, by the same
scan a user runs (loading, evaluation, the model, the policy), so an example that passes here
behaves the same in a real repository. Only the policy under test runs on its snippets.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from orylint.engine.atomic import write_atomic
from orylint.engine.result import ScanResult
from orylint.engine.selection import RuleSelection
from orylint.model.settings import Settings
from orylint.options import ScanOptions
from orylint.policies.loader import as_rules
from orylint.policies.policy import Policy
from orylint.scan import scan

Kind = Literal["pass", "fail"]


@dataclass(frozen=True)
class ExampleOutcome:
    """One example of one policy: whether it behaved as its kind says, and why not."""

    policy: Policy
    kind: Kind
    index: int
    ok: bool
    detail: str = ""

    @property
    def name(self) -> str:
        """``policies/owners.yaml::ACME001::fail[1]``, as pytest names a test."""
        return f"{self.policy.path}::{self.policy.id}::{self.kind}[{self.index}]"


def run_examples(
    policies: Sequence[Policy], settings: Settings | None = None
) -> Iterator[ExampleOutcome]:
    """Lint every example of every policy, in file order."""
    with tempfile.TemporaryDirectory(prefix="orylint-policy-test-") as temp:
        for policy, rule in zip(policies, as_rules(policies), strict=True):
            examples: tuple[tuple[Kind, tuple[str, ...]], ...] = (
                ("pass", policy.passing),
                ("fail", policy.failing),
            )
            for kind, snippets in examples:
                for index, snippet in enumerate(snippets):
                    directory = Path(temp) / f"{policy.id}-{kind}-{index}"
                    directory.mkdir()
                    write_atomic(directory / "main.tf", snippet.encode("utf-8"))
                    result = scan(
                        ScanOptions(
                            paths=[str(directory)],
                            selection=RuleSelection(select=(policy.id, "ORY001")),
                            settings=settings or Settings(),
                            policies=[rule],
                        )
                    )
                    yield _outcome(policy, kind, index, result)


def _outcome(policy: Policy, kind: Kind, index: int, result: ScanResult) -> ExampleOutcome:
    if result.load_errors:
        problems = "; ".join(f"line {e.line}: {e.message}" for e in result.load_errors)
        detail = f"the example is not valid Terraform: {problems}"
        return ExampleOutcome(policy, kind, index, False, detail)
    if result.fatal_errors:  # the policy crashed on it: a bug to report, never a pass
        return ExampleOutcome(policy, kind, index, False, "; ".join(result.fatal_errors))
    own = [finding for finding in result.findings if finding.rule_id == policy.id]
    if kind == "pass" and own:
        lines = "\n".join(f"  line {f.span.start_line}: {f.message}" for f in own)
        return ExampleOutcome(
            policy, kind, index, False, f"expected no finding of {policy.id}, got:\n{lines}"
        )
    if kind == "fail" and not own:
        return ExampleOutcome(
            policy, kind, index, False, f"expected a finding of {policy.id}, got none"
        )
    return ExampleOutcome(policy, kind, index, True)


def report(outcomes: Sequence[ExampleOutcome], seconds: float, untested: int = 0) -> str:
    """A pytest-like report: a line of dots per file, the failures, a summary line."""
    lines: list[str] = []
    by_file: dict[str, list[ExampleOutcome]] = {}
    for outcome in outcomes:
        by_file.setdefault(outcome.policy.path, []).append(outcome)
    for path, results in by_file.items():
        marks = "".join("." if result.ok else "F" for result in results)
        lines.append(f"{path} {marks}")
    failed = [outcome for outcome in outcomes if not outcome.ok]
    if failed:
        lines += ["", " FAILURES ".center(70, "=")]
        for outcome in failed:
            lines += [f" {outcome.name} ".center(70, "_"), outcome.detail, ""]
    passed = len(outcomes) - len(failed)
    parts = [f"{len(failed)} failed"] if failed else []
    parts.append(f"{passed} passed")
    if untested:
        parts.append(f"{untested} {'policy' if untested == 1 else 'policies'} without examples")
    lines.append(f" {', '.join(parts)} in {seconds:.2f}s ".center(70, "="))
    return "\n".join(lines) + "\n"


def timed_report(policies: Sequence[Policy], settings: Settings | None = None) -> tuple[str, bool]:
    """Run the examples and render the report; the flag says whether every example behaved.

    A policy without examples is listed: nothing shows that it does what it says.
    """
    start = time.perf_counter()
    outcomes = list(run_examples(policies, settings))
    untested = [policy for policy in policies if not policy.passing and not policy.failing]
    text = report(outcomes, time.perf_counter() - start, len(untested))
    notes = "".join(f"{p.path}:{p.line}: {p.id} has no examples\n" for p in untested)
    return notes + text, all(outcome.ok for outcome in outcomes)

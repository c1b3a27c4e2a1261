"""Which rules run, and which ids name a rule: what a configuration needs to know of the engine.

Kept apart from :mod:`orylint.engine.runner` (which imports every rule's registry, the model
and the plan loader) because a configuration is read by every run, also one the result cache
serves without running a rule.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orylint.engine.metadata import rule_ids

if TYPE_CHECKING:
    from orylint.engine.findings import Severity
    from orylint.engine.metadata import RuleMeta
    from orylint.engine.registry import Rule


@dataclass(frozen=True)
class RuleSelection:
    """Which rules run and at what severity.

    ``select`` and ``ignore`` take rule ids or prefixes (``ORY2`` selects every duration rule),
    the way ruff does.
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)

    def enabled(self, rule_id: str) -> bool:
        """Whether ``rule_id`` runs under this selection."""
        if self.select and not any(rule_id.startswith(prefix) for prefix in self.select):
            return False
        return not any(rule_id.startswith(prefix) for prefix in self.ignore)

    def severity_of(self, meta: RuleMeta, own: Severity | None) -> Severity:
        """The user's override wins; else a rule's sub-condition severity; else the default."""
        override = self.severity.get(meta.id)
        if override is not None:
            return override
        if own is not None:
            return own
        return meta.severity  # type: ignore[return-value]


def known_rule_ids(policies: Sequence[Rule] = ()) -> set[str]:
    """Every rule id a user may name: orylint's rules, its own tool rules and loaded policies.

    The one answer to "is this a rule?" for selections, severities, ignores and suppressions.
    Read from the metadata, which has a file for every rule (a test holds them equal), so that
    naming rules does not import them: a run the result cache serves never does.
    """
    return set(rule_ids()) | {rule.id for rule in policies if rule.meta is not None}


def rule_id_problem(
    code: str, *, prefix: bool = True, known: Collection[str] | None = None
) -> str | None:
    """Why ``code`` names no rule (with a did-you-mean suggestion), or ``None`` if it does.

    ``known`` defaults to :func:`known_rule_ids` without policies; callers that loaded policies
    pass ``known_rule_ids(policies)``. With ``prefix``, a code that starts at least one rule id
    (``ORY2``, ``ACME``) is valid, as ruff accepts code prefixes; a selection that matches
    nothing (``ORY2O1``, ``ORY99``) would silently check or ignore nothing, so it is an error.
    """
    ids = sorted(known_rule_ids() if known is None else known)
    if code in ids or (prefix and any(rule_id.startswith(code) for rule_id in ids)):
        return None
    what = "no rule or rule prefix" if prefix else "no rule"
    import difflib  # here: only a mistyped id needs it

    close = difflib.get_close_matches(code.upper(), ids, n=1)
    hint = f"did you mean {close[0]}?" if close else "see `orylint rules`"
    return f"{what} {code} ({hint})"

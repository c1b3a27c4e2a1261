"""The rule registry: rules register themselves with a decorator, next to their code.

Adding a rule means writing its function in a module of :mod:`orylint.checks` and its metadata
in ``rules/``; nothing else lists rules. Rule modules are imported on first use.

The rule package is loaded by name (:data:`RULE_PACKAGE`), like a plugin: rules import this
registry, so a static import of them here would make the engine depend on its own plugins.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # (loading policies makes rules before the model is imported)
    from orylint.engine.findings import Violation
    from orylint.engine.metadata import RuleMeta
    from orylint.model.project import Client, Project
    from orylint.model.settings import Settings

ClientCheck = Callable[["Client", "Settings"], Iterable["Violation"]]
ProjectCheck = Callable[["Project", "Settings"], Iterable["Violation"]]


@dataclass(frozen=True)
class Rule:
    """A registered rule: its id and the pure function that checks it.

    ``meta`` is set for rules that bring their own metadata (policies, loaded from the user's
    files at run time); orylint's rules take theirs from ``rules/``.
    """

    id: str
    scope: Literal["client", "project"]
    check: ClientCheck | ProjectCheck
    meta: RuleMeta | None = None


RULE_PACKAGE = "orylint.checks"
_RULES: dict[str, Rule] = {}


def client_rule(rule_id: str) -> Callable[[ClientCheck], ClientCheck]:
    """Register a rule that looks at one client at a time."""

    def register(function: ClientCheck) -> ClientCheck:
        _register(Rule(rule_id, "client", function))
        return function

    return register


def project_rule(rule_id: str) -> Callable[[ProjectCheck], ProjectCheck]:
    """Register a rule that needs the whole project (outputs, locals, module calls)."""

    def register(function: ProjectCheck) -> ProjectCheck:
        _register(Rule(rule_id, "project", function))
        return function

    return register


def _register(rule: Rule) -> None:
    if rule.id in _RULES:
        raise ValueError(f"rule {rule.id} is registered twice")
    _RULES[rule.id] = rule


@functools.cache
def all_rules() -> dict[str, Rule]:
    """Import every check module once and return the rules by id, sorted."""
    import pkgutil

    package = importlib.import_module(RULE_PACKAGE)
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    return dict(sorted(_RULES.items()))

"""The rule registry: rules register themselves with a decorator, next to their code.

Adding a rule means writing its function in a module of :mod:`orylint.checks` and its metadata
in ``rules/``; nothing else lists rules. Rule modules are imported on first use.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from orylint.findings import Violation
from orylint.model import Client, Project
from orylint.settings import Settings

ClientCheck = Callable[[Client, Settings], Iterable[Violation]]
ProjectCheck = Callable[[Project, Settings], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    """A registered rule: its id and the pure function that checks it."""

    id: str
    scope: Literal["client", "project"]
    check: ClientCheck | ProjectCheck


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
    import orylint.checks as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    return dict(sorted(_RULES.items()))

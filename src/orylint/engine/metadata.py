"""Rule metadata (``rules/*.yaml``): the one source of every rule's text.

SARIF rule descriptors, ``orylint rules``, ``orylint explain`` and the ``docs/rules`` pages are all
rendered from these files, so no rule text is written twice. The files ship inside the wheel as
``orylint/_rules``; in a source checkout the top-level ``rules/`` directory is used.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orylint.terraform.cache import Cache, default_directory


@dataclass(frozen=True)
class Reference:
    """A source that backs a rule: an RFC section, a Hydra file, a Go doc page."""

    title: str
    url: str


@dataclass(frozen=True)
class RuleMeta:
    """Everything a user reads about a rule."""

    id: str
    name: str
    family: str
    severity: str
    basis: str
    summary: str
    what_it_does: str
    rationale: str
    fix: str
    bad_example: str
    good_example: str
    references: tuple[Reference, ...]
    tags: tuple[str, ...]
    security_severity: str | None
    config: tuple[str, ...]
    resources: tuple[str, ...] = ()
    """The client resources a provider-specific rule applies to; empty means all of them."""

    def applies_to(self, resource_type: str) -> bool:
        """Whether the rule judges clients of ``resource_type``.

        A rule about Hydra's behaviour applies to every client resource (it then fires only
        where the resource has the attributes it reads); a rule about one provider's behaviour
        (defaults, read-back forms, write-only arguments) names its resources in its YAML.
        """
        return not self.resources or resource_type in self.resources

    origin: str = ""
    """Where a policy (an organisation's rule) is defined, ``file:line``; empty for orylint's."""

    @property
    def is_policy(self) -> bool:
        """Policies come from the user's files, not from orylint's catalogue."""
        return bool(self.origin)

    @property
    def is_security(self) -> bool:
        """Security rules get a ``security-severity`` in SARIF."""
        return self.security_severity is not None


def rules_directory() -> Path:
    """Locate the metadata: inside the installed package, else the checkout's ``rules/``.

    A path next to this module rather than ``importlib.resources``, which every run would
    import (with ``tempfile`` and ``zipfile``) to read a directory that is on disk: orylint is
    installed as files (its cache stamps its own modules the same way).
    """
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_rules"
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "rules"


@functools.cache
def rule_ids() -> frozenset[str]:
    """Every rule's id, from the names of the metadata files (each is named for its rule).

    Telling whether a configuration names a rule comes before a scan starts; reading the
    metadata itself can wait.
    """
    return frozenset(
        entry.name.removesuffix(".yaml")
        for entry in os.scandir(rules_directory())
        if entry.name.startswith("ORY") and entry.name.endswith(".yaml")
    )


@functools.cache
def load_metadata() -> dict[str, RuleMeta]:
    """Load every ``ORYnnn.yaml`` once per process, keyed by rule id.

    Importing PyYAML and parsing the files was a third of a one-file run (what pre-commit pays
    per commit), so the parsed metadata is kept in orylint's cache directory, keyed by the
    bytes of every file; reading them costs little.
    """
    texts = {
        entry.name: entry.read_bytes()
        for entry in sorted(rules_directory().iterdir(), key=lambda item: item.name)
        if entry.name.startswith("ORY") and entry.name.endswith(".yaml")
    }
    cache = Cache(default_directory())
    key = cache.key(
        "rules", b"\0".join(name.encode() + b"\0" + text for name, text in texts.items())
    )
    cached = cache.get(key)
    if isinstance(cached, dict) and all(isinstance(meta, RuleMeta) for meta in cached.values()):
        return cached
    import yaml

    try:  # the C loader is several times faster; fall back where libyaml is missing
        from yaml import CSafeLoader as Loader
    except ImportError:  # pragma: no cover - depends on the PyYAML build
        from yaml import SafeLoader as Loader  # type: ignore[assignment]
    result: dict[str, RuleMeta] = {}
    for text in texts.values():
        meta = _meta(yaml.load(text.decode("utf-8"), Loader=Loader))
        result[meta.id] = meta
    cache.put(key, result)
    return result


def _meta(data: dict[str, Any]) -> RuleMeta:
    examples = data.get("examples") or {}
    return RuleMeta(
        id=data["id"],
        name=data["name"],
        family=data["family"],
        severity=data["severity"],
        basis=str(data.get("basis", "")),
        summary=data["summary"],
        what_it_does=str(data.get("what_it_does", "")).strip(),
        rationale=str(data.get("rationale", "")).strip(),
        fix=str(data.get("fix", "")).strip(),
        bad_example=str(examples.get("bad", "")),
        good_example=str(examples.get("good", "")),
        references=tuple(
            Reference(str(item["title"]), str(item["url"])) for item in data.get("references", [])
        ),
        tags=tuple(str(tag) for tag in data.get("tags", [])),
        security_severity=(
            str(data["security_severity"]) if data.get("security_severity") else None
        ),
        config=tuple(str(key) for key in data.get("config", []) or []),
        resources=tuple(str(item) for item in data.get("resources", []) or []),
    )

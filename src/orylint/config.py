"""orylint's configuration: ``[tool.orylint]`` in ``pyproject.toml``, or ``.orylint.toml``.

The file is found from the linted path upward (the first ``.orylint.toml``, or the first
``pyproject.toml`` that has a ``[tool.orylint]`` table), the way ruff finds its settings. It is
validated against ``schemas/config.schema.json``; a malformed file is an error naming the file,
the key and the reason, never silently ignored.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

from orylint.engine.findings import Severity
from orylint.engine.runner import RuleSelection
from orylint.golang.durations import DurationError, parse_go_duration
from orylint.model.settings import (
    LifespanThresholds,
    OrySettings,
    ProviderSettings,
    Settings,
)


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names file, key and reason."""


@dataclass(frozen=True)
class Config:
    """The effective configuration of one run."""

    path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "error"
    exclude: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    per_path_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    require_suppression_reason: bool = True
    unsuppressible: tuple[str, ...] = ()
    settings: Settings = field(default_factory=Settings)
    var_files: tuple[str, ...] = ()
    vars: Mapping[str, str] = field(default_factory=dict)
    policy_dirs: tuple[str, ...] = ()
    policy_packs: tuple[str, ...] = ()

    def selection(self) -> RuleSelection:
        """The rule selection this configuration describes."""
        return RuleSelection(select=self.select, ignore=self.ignore, severity=self.severity)

    def as_dict(self) -> dict[str, Any]:
        """The effective configuration as plain data (for ``orylint config --show``)."""
        ory = self.settings.ory
        lifespans = self.settings.lifespans
        return {
            "config_file": str(self.path) if self.path else None,
            "select": list(self.select),
            "ignore": list(self.ignore),
            "fail_on": self.fail_on,
            "exclude": list(self.exclude),
            "severity": dict(self.severity),
            "per_path_ignores": {k: list(v) for k, v in self.per_path_ignores.items()},
            "require_suppression_reason": self.require_suppression_reason,
            "unsuppressible": list(self.unsuppressible),
            "var_files": list(self.var_files),
            "policy_dirs": list(self.policy_dirs),
            "policy_packs": list(self.policy_packs),
            # Names only: a variable's value may be a secret.
            "vars": sorted(self.vars),
            "ory": {
                "subject_types": list(ory.subject_types),
                "access_token_strategy": ory.access_token_strategy,
                "pkce_enforced_for_public_clients": ory.pkce_enforced_for_public_clients,
                "pkce_enforced": ory.pkce_enforced,
                "disallow_private_ip_ranges": ory.disallow_private_ip_ranges,
                "hydra_version": ory.hydra_version,
                "default_scope": ory.default_scope,
            },
            "provider": {"version": self.settings.provider.version},
            "lifespans": {
                "access_note": lifespans.access_note,
                "access_warning": lifespans.access_warning,
                "refresh_note": lifespans.refresh_note,
                "refresh_warning": lifespans.refresh_warning,
            },
        }


def find_config(paths: Sequence[str]) -> Path | None:
    """The configuration file for the first linted path, searching upward."""
    # realpath, not resolve(): a symlink loop must not raise here (reading reports it)
    start = Path(os.path.realpath(paths[0] if paths else "."))
    try:
        directory = start if start.is_dir() else start.parent
        for candidate in (directory, *directory.parents):
            dotfile = candidate / ".orylint.toml"
            if dotfile.is_file():
                return dotfile
            pyproject = candidate / "pyproject.toml"
            if pyproject.is_file() and _has_tool_table(pyproject):
                return pyproject
    except OSError:  # a path too long to look at: discovery reports it
        return None
    return None


def _has_tool_table(pyproject: Path) -> bool:
    import tomllib  # here and in load_config: a run without a configuration file skips it

    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "orylint" in data["tool"]


def load_config(path: Path | None) -> Config:
    """Read and validate a configuration file (``None``: the defaults)."""
    if path is None:
        return Config()
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    table: Any = data
    prefix = ""
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("orylint", {})
        prefix = "tool.orylint."
    return parse_config(_normalise(table), path, prefix)


def parse_config(table: dict[str, Any], path: Path | None, prefix: str = "") -> Config:
    """Validate a normalised table and build the configuration."""
    where = str(path) if path else "configuration"
    errors = sorted(_validator().iter_errors(table), key=lambda e: [str(p) for p in e.path])
    if errors:
        error = errors[0]
        key = prefix + ".".join(str(part) for part in error.absolute_path) or prefix.rstrip(".")
        raise ConfigError(f"{where}: {key or '(top level)'}: {_reason(error.message)}")
    ory_table: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in table.get("ory", {}).items()
    }
    ory = OrySettings(**ory_table)
    lifespans = LifespanThresholds(**table.get("lifespans", {}))
    for name, value in table.get("lifespans", {}).items():
        try:
            parse_go_duration(value)
        except DurationError as error:
            raise ConfigError(f"{where}: {prefix}lifespans.{name}: {error}") from None
    return Config(
        path=path,
        select=tuple(table.get("select", ())),
        ignore=tuple(table.get("ignore", ())),
        fail_on=table.get("fail_on", "error"),
        exclude=tuple(table.get("exclude", ())),
        severity=dict(table.get("severity", {})),
        per_path_ignores={k: tuple(v) for k, v in table.get("per_path_ignores", {}).items()},
        require_suppression_reason=table.get("require_suppression_reason", True),
        unsuppressible=tuple(table.get("unsuppressible", ())),
        var_files=tuple(
            str(path.parent / name) if path is not None else name
            for name in table.get("var_files", ())
        ),
        vars=dict(table.get("vars", {})),
        policy_dirs=tuple(
            str(path.parent / name) if path is not None else name
            for name in table.get("policy_dirs", ())
        ),
        policy_packs=tuple(table.get("policy_packs", ())),
        settings=Settings(
            ory=ory,
            lifespans=lifespans,
            provider=ProviderSettings(**table.get("provider", {})),
        ),
    )


_USER_KEYED_TABLES = frozenset({"severity", "per_path_ignores", "vars"})


def _normalise(table: Any) -> Any:
    """Accept ``fail-on`` and ``fail_on`` alike; user-named keys (paths, ids) stay as written."""
    if not isinstance(table, dict):
        return table
    result: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if isinstance(value, dict) and name not in _USER_KEYED_TABLES:
            result[name] = {k.replace("-", "_"): v for k, v in value.items()}
        else:
            result[name] = value
    return result


def _reason(message: str) -> str:
    match = re.search(r"\('([^']+)' (?:was|were) unexpected\)", message)
    if "Additional properties are not allowed" in message and match:
        return f"unknown key {match.group(1)!r}"
    return message


@functools.cache
def _validator() -> Draft202012Validator:
    # Imported here: jsonschema costs a noticeable part of start-up, and most runs have no
    # configuration file to validate.
    from jsonschema import Draft202012Validator

    text = resources.files("orylint.schemas").joinpath("config.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))

"""orylint's configuration: ``[tool.orylint]`` in ``pyproject.toml``, or ``.orylint.toml``.

Each linted file uses the nearest file above it (the first ``.orylint.toml``, or the first
``pyproject.toml`` that has a ``[tool.orylint]`` table), the way ruff finds its settings, so a
file's result never depends on what is linted with it. A file is validated against
``schemas/config.schema.json`` (the schema editors use) as written; a malformed file is an error
naming the file, the key as written and the reason, never silently ignored.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

from orylint.engine.findings import Severity
from orylint.engine.selection import RuleSelection, known_rule_ids, rule_id_problem
from orylint.golang.durations import DurationError, parse_go_duration
from orylint.model.settings import (
    LifespanThresholds,
    OrySettings,
    ProviderSettings,
    Settings,
)
from orylint.terraform import recorder


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names file, key and reason."""


CONFIG_FILE_NAMES = frozenset({".orylint.toml", "pyproject.toml"})
"""The files that can hold a configuration: a directory without either has its parent's."""

RUN_KEYS = frozenset({"fail-on", "policy-dirs", "policy-packs"})
"""Keys that apply to a whole run, taken from the configuration of the first path (or of the
working directory). Every other key applies to each file from its nearest configuration."""


@dataclass(frozen=True)
class Config:
    """The configuration of the files below one configuration file (or the defaults)."""

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
    """Policy directories or files, anchored at this file's directory (run-level)."""
    policy_packs: tuple[str, ...] = ()
    """Shipped policy packs enabled by name (run-level)."""
    sources: Mapping[str, str] = field(default_factory=dict)
    """Where each value that is not a default came from, by documented key (``fail-on``,
    ``ory.pkce_enforced``): ``FILE: KEY`` as written there, or a command-line option."""

    @property
    def base(self) -> Path | None:
        """The directory ``exclude`` and ``per-path-ignores`` patterns are relative to."""
        return self.path.parent if self.path is not None else None

    def selection(self) -> RuleSelection:
        """The rule selection this configuration describes."""
        return RuleSelection(select=self.select, ignore=self.ignore, severity=self.severity)

    def values(self) -> dict[str, Any]:
        """Every key's effective value as plain data, by documented key, defaults included."""
        ory = self.settings.ory
        lifespans = self.settings.lifespans
        return {
            "select": list(self.select),
            "ignore": list(self.ignore),
            "fail-on": self.fail_on,
            "exclude": list(self.exclude),
            "severity": dict(self.severity),
            "per-path-ignores": {k: list(v) for k, v in self.per_path_ignores.items()},
            "require-suppression-reason": self.require_suppression_reason,
            "unsuppressible": list(self.unsuppressible),
            "var-files": list(self.var_files),
            "policy-dirs": list(self.policy_dirs),
            "policy-packs": list(self.policy_packs),
            # Names only: a variable's value may be a secret.
            "vars": sorted(self.vars),
            "ory.subject_types": list(ory.subject_types),
            "ory.access_token_strategy": ory.access_token_strategy,
            "ory.pkce_enforced_for_public_clients": ory.pkce_enforced_for_public_clients,
            "ory.pkce_enforced": ory.pkce_enforced,
            "ory.disallow_private_ip_ranges": ory.disallow_private_ip_ranges,
            "ory.hydra_version": ory.hydra_version,
            "ory.default_scope": ory.default_scope,
            "provider.version": self.settings.provider.version,
            "lifespans.access_note": lifespans.access_note,
            "lifespans.access_warning": lifespans.access_warning,
            "lifespans.refresh_note": lifespans.refresh_note,
            "lifespans.refresh_warning": lifespans.refresh_warning,
        }

    def explain(self) -> dict[str, dict[str, Any]]:
        """Each key's value, where it came from, and whether it applies per file or per run."""
        return {
            key: {
                "value": value,
                "source": self.sources.get(key, "default"),
                "scope": "run" if key in RUN_KEYS else "file",
            }
            for key, value in self.values().items()
        }


class Configurations:
    """The configuration of every linted path, in ruff's model.

    Each file uses the nearest configuration above it (``.orylint.toml``, or a
    ``pyproject.toml`` with a ``[tool.orylint]`` table), so the result for a file does not
    depend on which other paths are linted with it. ``forced`` (``--config FILE``) is used for
    every path instead. The command line's ``--select``, ``--ignore`` and ``--fail-on`` replace
    each file's values.
    Each directory is looked up once, and each configuration file read once.
    """

    def __init__(
        self,
        forced: Path | None = None,
        *,
        select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        fail_on: str | None = None,
        known: Collection[str] | None = None,
    ) -> None:
        """Read ``forced`` now, so that a broken file is reported before anything is linted.

        ``known`` is every rule id a file may name (``known_rule_ids(policies)`` once the run's
        policies are loaded); by default orylint's own rules.
        """
        self._known = known
        given: dict[str, Any] = {
            "select": tuple(select),
            "ignore": tuple(ignore),
            "fail_on": fail_on,
        }
        self._overrides = {key: value for key, value in given.items() if value}
        self._override_sources = {
            key.replace("_", "-"): "--" + key.replace("_", "-") for key in self._overrides
        }
        self._forced = self._apply(load_config(forced, known)) if forced is not None else None
        self._nearest: dict[str, Path | None] = {}
        self._by_directory: dict[str, Config] = {}
        self._by_path: dict[str, tuple[str, Config]] = {}
        self._loaded: dict[Path | None, Config] = {}

    def for_path(self, path: str | Path) -> Config:
        """The configuration of a file or directory (raises ``ConfigError`` for a broken one)."""
        if self._forced is not None:
            return self._forced
        # memoised like ``for_directory``: a scan asks for every finding and every client's rule
        # (hundreds of thousands of times for a large plan), and each answer costs a ``stat``;
        # the recorder still hears of every probe (it keeps the first of each run)
        key = os.fspath(path)
        known = self._by_path.get(key)
        if known is None:
            absolute = os.path.abspath(key)
            known = self._by_path[key] = (
                absolute,
                self.for_directory(
                    absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
                ),
            )
        recorder.probe(known[0])
        return known[1]

    def for_directory(self, directory: str | Path) -> Config:
        """The configuration of the files in a directory (a walk asks once per directory).

        Paths are taken as written, not with symlinks resolved, as git and ruff see the tree.
        """
        if self._forced is not None:
            return self._forced
        key = os.fspath(directory)
        config = self._by_directory.get(key)
        if config is None:
            found = self._nearest_file(os.path.abspath(key))
            if found not in self._loaded:
                self._loaded[found] = self._apply(load_config(found, self._known))
            config = self._by_directory[key] = self._loaded[found]
        return config

    def fingerprint(self) -> tuple[object, ...]:
        """What this object decides besides the files it finds (the result cache's key).

        The forced configuration, the command line's overrides and the rule ids files may name;
        not ``fail-on``, which applies to a result after the scan (the exit code, JUnit).
        """
        known = None if self._known is None else sorted(self._known)
        overrides = {key: value for key, value in self._overrides.items() if key != "fail_on"}
        forced = self._forced
        if forced is not None:
            sources = {key: value for key, value in forced.sources.items() if key != "fail-on"}
            forced = dataclasses.replace(forced, fail_on=Config().fail_on, sources=sources)
        return (forced, overrides, known)

    def loaded(self) -> list[Config]:
        """Every configuration used so far (the files a run read, and the defaults)."""
        return [self._forced] if self._forced is not None else list(self._loaded.values())

    def files(self) -> list[Path]:
        """The configuration files read so far (not a forced one)."""
        return [path for path in self._loaded if path is not None]

    def locate(self, path: str | Path) -> Path | None:
        """The nearest configuration file at or above a file or directory, if any."""
        absolute = os.path.abspath(path)
        recorder.probe(absolute)
        return self._nearest_file(
            absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        )

    def _nearest_file(self, directory: str) -> Path | None:
        """The nearest configuration file at or above an absolute directory, memoised.

        A walk meets each parent many times; strings, not ``Path``, because this runs for every
        directory of a repository.
        """
        if directory not in self._nearest:
            found = _config_file_in(directory)
            parent = os.path.dirname(directory)
            if found is None and parent != directory:
                found = self._nearest_file(parent)
            self._nearest[directory] = found
        return self._nearest[directory]

    def _apply(self, config: Config) -> Config:
        if not self._overrides:
            return config
        return dataclasses.replace(
            config, **self._overrides, sources={**config.sources, **self._override_sources}
        )


def find_config(paths: Sequence[str]) -> Path | None:
    """The configuration file of the first path (or the working directory), searching upward."""
    return Configurations().locate(paths[0] if paths else ".")


def _config_file_in(directory: str) -> Path | None:
    # os.path.isfile is False for a path too long to look at: discovery reports it. This runs
    # for many directories of a scan, where neither file usually is: strings, a Path only for a
    # file found, and `os.access` first, which says "no" without raising and catching an
    # exception as `isfile` does.
    dotfile = os.path.join(directory, ".orylint.toml")
    recorder.probe(dotfile)
    if os.access(dotfile, os.F_OK) and os.path.isfile(dotfile):
        return Path(dotfile)
    pyproject = os.path.join(directory, "pyproject.toml")
    recorder.probe(pyproject)
    if os.access(pyproject, os.F_OK) and os.path.isfile(pyproject):
        return Path(pyproject) if _has_tool_table(Path(pyproject)) else None
    return None


def _has_tool_table(pyproject: Path) -> bool:
    import tomllib  # here and in load_config: a run without a configuration file skips it

    recorder.file(pyproject)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "orylint" in data["tool"]


def load_config(
    path: Path | None, known: Collection[str] | None = None, *, check_ids: bool = True
) -> Config:
    """Read and validate a configuration file (``None``: the defaults).

    Rule ids are checked against ``known`` (default: orylint's own rules); ``check_ids=False``
    reads the run's configuration for its policies, before the ids they add are known.
    """
    if path is None:
        return Config()
    import tomllib

    recorder.file(path)
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
    return parse_config(table, path, prefix, known, check_ids=check_ids)


def parse_config(
    table: dict[str, Any],
    path: Path | None,
    prefix: str = "",
    known: Collection[str] | None = None,
    *,
    check_ids: bool = True,
) -> Config:
    """Validate a table as written in the file, then build the configuration.

    Validation runs before the ``-``/``_`` normalisation, so that an error names the key the
    way the user wrote it (``per-path-ignores``, as documented), and the schema that editors use
    is the one the loader applies.
    """
    where = str(path) if path else "configuration"
    errors = sorted(_validator().iter_errors(table), key=lambda e: [str(p) for p in e.path])
    if errors:
        error = errors[0]
        inside = ".".join(str(part) for part in error.absolute_path)
        key = prefix + inside if inside else prefix.rstrip(".")
        raise ConfigError(f"{where}: {key or '(top level)'}: {_reason(error)}")
    duplicates = _duplicates(table)
    if duplicates:
        spelled, other = duplicates[0]
        raise ConfigError(f"{where}: {prefix}{spelled}: the same key as {prefix}{other}; keep one")
    sources = _sources(table, f"{where}: {prefix}")
    table = _normalise(table)
    if check_ids:
        _check_rule_ids(table, where, prefix, known_rule_ids() if known is None else known)
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
        sources=sources,
    )


_SETTING_TABLES = frozenset({"ory", "provider", "lifespans"})


def _sources(table: dict[str, Any], where: str) -> dict[str, str]:
    """Each key of a validated table by documented name, and where it is written."""
    sources = {}
    for key, value in table.items():
        name = key.replace("_", "-")
        if name in _SETTING_TABLES:
            for inner in value:
                sources[f"{name}.{inner.replace('-', '_')}"] = f"{where}{key}.{inner}"
        else:
            sources[name] = f"{where}{key}"
    return sources


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


def _check_rule_ids(table: dict[str, Any], where: str, prefix: str, known: Collection[str]) -> None:
    """Rule ids that name no rule are errors: they would silently select or ignore nothing."""
    places: list[tuple[str, str, bool]] = [
        (key, code, True)
        for key in ("select", "ignore", "unsuppressible")
        for code in table.get(key, ())
    ]
    places += [("severity", code, False) for code in table.get("severity", {})]
    places += [
        (f"per-path-ignores.{toml_value(pattern)}", code, True)
        for pattern, codes in table.get("per_path_ignores", {}).items()
        for code in codes
    ]
    for key, code, is_prefix in places:
        problem = rule_id_problem(code, prefix=is_prefix, known=known)
        if problem:
            raise ConfigError(f"{where}: {prefix}{key}: {problem}")


def _duplicates(table: dict[str, Any]) -> list[tuple[str, str]]:
    """Keys written twice, once with ``-`` and once with ``_`` (``fail-on`` and ``fail_on``)."""
    found = []
    for outer, inner in [("", table)] + [
        (f"{key}.", value)
        for key, value in table.items()
        if isinstance(value, dict) and key.replace("-", "_") not in _USER_KEYED_TABLES
    ]:
        seen: dict[str, str] = {}
        for key in inner:
            name = key.replace("-", "_")
            if name in seen:
                found.append((outer + key, outer + seen[name]))
            seen[name] = key
    return found


def _reason(error: ValidationError) -> str:
    """The schema's complaint in the file's own terms: TOML values, the key as written."""
    value = toml_value(error.instance)
    expected: Any = error.validator_value
    schema: Any = error.schema
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = schema.get("properties", {})
        unknown = [key for key in error.instance if key not in allowed]
        return "unknown key " + ", ".join(toml_value(key) for key in unknown)
    if error.validator == "type":
        return f"{value} is not {_ARTICLE.get(expected, expected)}"
    if error.validator == "enum":
        return f"{value} is not one of {', '.join(toml_value(item) for item in expected)}"
    if error.validator == "pattern":
        return f"{value} does not match {toml_value(expected)}"
    if error.validator == "minLength":
        return "must not be empty"
    if error.validator == "minItems":
        return "must not be an empty list"
    if error.validator == "uniqueItems":
        return f"{value} repeats an item"
    return error.message


_ARTICLE = {
    "string": "a string",
    "boolean": "a boolean (true or false)",
    "array": "a list",
    "object": "a table",
    "integer": "an integer",
    "number": "a number",
}


def toml_value(value: object) -> str:
    """``value`` as it would be written in TOML (``true``, ``"text"``, ``["a", "b"]``).

    Messages quote what the user wrote; Python's ``True`` or ``{'a': 1}`` would read as a
    different language.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{toml_value(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{" + items + "}"
    return str(value)


@functools.cache
def _validator() -> Draft202012Validator:
    # Imported here: jsonschema costs a noticeable part of start-up, and most runs have no
    # configuration file to validate.
    from importlib import resources

    from jsonschema import Draft202012Validator

    text = resources.files("orylint.schemas").joinpath("config.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))

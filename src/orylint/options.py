"""What a scan is asked to do: :class:`ScanOptions`.

Its own module, below :mod:`orylint.scan`, so that the command line can build the options and
ask the result cache (:mod:`orylint.result_cache`) without importing the scan, which brings the
parsers, the evaluator, the model and the rules: a run whose result is cached needs none of them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from orylint.config import Config, Configurations
from orylint.engine.selection import RuleSelection
from orylint.model.settings import Settings
from orylint.terraform.source import MAX_FILE_SIZE, FileIdentity

if TYPE_CHECKING:
    from orylint.engine.registry import Rule

STDIN = "-"


@dataclass(frozen=True)
class ScanOptions:
    """What to scan and how."""

    paths: Sequence[str]
    excludes: Sequence[str] = ()
    """``--exclude`` patterns, relative to the scanned directory."""
    configs: Configurations | None = None
    """Each file's configuration (the nearest file above it). Without it, every file uses
    ``selection``, ``settings``, ``require_suppression_reason`` and ``unsuppressible``."""
    selection: RuleSelection = field(default_factory=RuleSelection)
    settings: Settings = field(default_factory=Settings)
    plans: Sequence[str] = ()
    chdir: str | None = None
    stdin: bytes | None = None
    stdin_identity: FileIdentity | None = None
    """The file standard input was redirected from (``< plan.json``), so it is not read twice."""
    force_exclude: bool = False
    require_suppression_reason: bool = True
    unsuppressible: Sequence[str] = ()
    var_files: Sequence[str] = ()
    """``--var-file`` files for root variables, after the configuration's, lowest first."""
    variables: Mapping[str, str] = field(default_factory=dict)
    """Root variable values as ``--var NAME=VALUE`` gives them; above every file."""
    max_file_size: int = MAX_FILE_SIZE
    """Files larger than this many bytes are refused (ORY001), not read."""
    jobs: int | None = None
    """Worker processes for parsing (``--jobs``); None: ``ORYLINT_JOBS``, else up to 4 CPUs."""
    policies: Sequence[Rule] = ()
    """The organisation's policies as rules (:func:`orylint.policies.loader.as_rules`)."""
    resource_types: bool = False
    """Count the resource types of every file read (``-v`` lists them)."""
    cache_dir: str | None = None
    """Where loaded files are cached by content (``terraform/cache.py``); None: no cache."""

    def config_of(self, path: str | Path, *, is_dir: bool = False) -> Config:
        """The configuration of a file or directory (a ``ConfigError`` for a broken one)."""
        if self.configs is None:
            return self._fixed_config
        if is_dir:
            return self.configs.for_directory(path)
        return self.configs.for_path(path)

    @functools.cached_property
    def _fixed_config(self) -> Config:
        return Config(
            select=self.selection.select,
            ignore=self.selection.ignore,
            severity=self.selection.severity,
            settings=self.settings,
            require_suppression_reason=self.require_suppression_reason,
            unsuppressible=tuple(self.unsuppressible),
        )

    def workers(self) -> int:
        """How many processes a scan may use: ``jobs``, else ``ORYLINT_JOBS``, else up to 4 CPUs."""
        if self.jobs:
            return self.jobs
        configured = os.environ.get("ORYLINT_JOBS", "")
        if configured.isdigit():
            return max(int(configured), 1)
        return min(_usable_cpus(), 4)

    def run_config(self) -> Config:
        """The configuration of the first path (or the working directory): run-level keys."""
        first = next((path for path in self.paths if path != STDIN), self.chdir or ".")
        return self.config_of(first)


def _usable_cpus() -> int:
    """The CPUs this process may run on (a container or ``taskset`` may allow fewer than exist)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on macOS or Windows
        return os.cpu_count() or 1

"""A whole scan's result, served again while nothing it depended on has changed.

The parse cache (``terraform/cache.py``) saves parsing, but a warm run still discovered, read,
evaluated and ran every rule: a warm scan of 10,000 files was only 2.6 times faster than a cold
one. Like git's index, ruff and mypy, a run now records every input its result depends on
(``terraform/recorder.py``: the files read, the directories listed, the paths probed, including
absent ones), and stores the result under a key of everything else it depends on:

- every field of :class:`~orylint.options.ScanOptions` (``KEYED``), except those that cannot
  change the result (``IRRELEVANT``; a test holds every field to one of the two);
- the environment Terraform and orylint read (``TF_*``: ``TF_VAR_``, ``TF_WORKSPACE``);
- the working directory (display paths are relative to it) and the date (a suppression's
  ``until`` expires);
- orylint's code and rule metadata, its parsers' and libraries' versions, and Python's (the
  parse cache's header, and a stamp of every file of the package and of each library).

The next run with the same key checks the recorded inputs (a ``stat`` each, a digest where the
stat differs or is racy) and, if none changed, returns the stored result without importing the
scan, the parsers, the evaluator or the rules. Reporting options (format, output, colour, the
baseline) apply to the result afterwards and are not part of the key.

Entries live beside the parse cache's, written, checked and evicted the same way (atomic
writes, magic, versions and checksum before unpickling, least recently used first), in their
own directory bounded like the parse cache. A result with fatal errors is not stored (its run
exits 2 whatever the cache), nor is a scan of standard input or a run that does not record.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import importlib.util
import os
import pickle
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orylint import collector
from orylint.config import Configurations
from orylint.engine.metadata import rules_directory
from orylint.engine.result import ScanResult, Trace
from orylint.options import ScanOptions
from orylint.terraform import recorder
from orylint.terraform.cache import MAGIC, Cache, tree_stamp, versions

if TYPE_CHECKING:
    from orylint.engine.registry import Rule

FORMAT = 4

IRRELEVANT: Mapping[str, str] = {
    "jobs": "how many processes parse, not what they find",
    "cache_dir": "where results are kept, not what they are",
    "stdin_identity": "only used with standard input, which is never cached",
}
"""Options that cannot change a scan's result, and why."""


def _canonical(value: object) -> object:
    """A value as plain, ordered data: its ``repr`` is stable across runs and hash seeds."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__qualname__,
            [(f.name, _canonical(getattr(value, f.name))) for f in dataclasses.fields(value)],
        )
    if isinstance(value, Mapping):
        return sorted((repr(_canonical(k)), _canonical(v)) for k, v in value.items())
    if isinstance(value, set | frozenset):
        return sorted(repr(_canonical(item)) for item in value)
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, str | int | float | bool | bytes) or value is None:
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return repr(value)


def _policies(value: Sequence[Rule]) -> object:
    """Policies by id, scope and metadata; their files are recorded when the loader reads them."""
    return [(rule.id, rule.scope, _canonical(rule.meta)) for rule in value]


def _configs(value: Configurations | None) -> object:
    """The configuration the command line forces and overrides; the files found are recorded."""
    return None if value is None else _canonical(value.fingerprint())


KEYED: Mapping[str, Callable[[Any], object]] = {
    "paths": _canonical,
    "excludes": _canonical,
    "configs": _configs,
    "selection": _canonical,
    "settings": _canonical,
    "plans": _canonical,
    "chdir": _canonical,
    "stdin": _canonical,
    "force_exclude": _canonical,
    "require_suppression_reason": _canonical,
    "unsuppressible": _canonical,
    "var_files": _canonical,
    "variables": _canonical,
    "max_file_size": _canonical,
    "policies": _policies,
    "resource_types": _canonical,
}
"""Options the result depends on, each with how it enters the key."""


def key(options: ScanOptions) -> str:
    """The key of a scan: its options, environment, working directory and orylint."""
    digest = hashlib.blake2b(_header(), digest_size=20)
    for option in dataclasses.fields(ScanOptions):
        if option.name not in IRRELEVANT:
            encode = KEYED[option.name]  # a KeyError: a new option must be classified
            digest.update(repr((option.name, encode(getattr(options, option.name)))).encode())
    environment = sorted((k, v) for k, v in os.environ.items() if k.startswith("TF_"))
    today = datetime.date.today().isoformat()  # a suppression's ``until`` expires (ORY003)
    digest.update(repr((os.getcwd(), environment, today)).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


_header_bytes: list[bytes] = []


def _header() -> bytes:
    """The versions of everything a stored result depends on besides its inputs (memoised)."""
    if not _header_bytes:
        stamp = f"results {FORMAT}|{_code_stamp()}|".encode()
        _header_bytes.append(MAGIC + stamp + versions() + b"\n")
    return _header_bytes[0]


def _code_stamp() -> str:
    """The code of orylint, its rule metadata and libraries, besides what the parse cache stamps.

    A checkout keeps its version while its code changes, so every file of the package and of
    the rule metadata is stamped by name, size and mtime (a ``stat`` each, a few milliseconds);
    each library by the file it is imported from, found without importing it.
    """
    digest = hashlib.blake2b(digest_size=12)
    for place in (os.path.dirname(__file__), os.fspath(rules_directory())):
        digest.update(f"{place}\0{tree_stamp(place)}".encode("utf-8", "surrogateescape"))
    for package in _LIBRARIES:
        spec = importlib.util.find_spec(package)  # finds, does not import
        origin = spec.origin if spec is not None else None
        try:
            found = os.stat(origin) if origin else None
        except OSError:
            found = None
        size, mtime = (found.st_size, found.st_mtime_ns) if found else (0, 0)
        digest.update(f"{package}:{origin}:{size}:{mtime};".encode())
    return digest.hexdigest()


_LIBRARIES = (
    "jsonschema",
    "jsonschema_rs",
    "pathspec",
    "publicsuffixlist",
    "regex",
    "tree_sitter",
    "tree_sitter_hcl",
    "yaml",
)
"""Libraries whose answers reach a result (besides python-hcl2 and lark, which the parse cache
stamps): an upgrade rewrites their files, which changes the stamp of their ``__init__``."""


class _Results(Cache):
    """The parse cache's storage, for whole results: their own directory, one LRU bound."""

    def _path(self, key: str) -> Path:
        return self.directory / f"results-{FORMAT}" / key

    def _share(self) -> int:
        return self.max_bytes


def scan(options: ScanOptions, run: Callable[[ScanOptions], ScanResult]) -> ScanResult:
    """``run(options)``, or the result an earlier run stored for the same key and inputs.

    Only while this process records its reads (the command line starts recording before it
    reads any configuration or policy) and never for standard input.
    """
    recording = recorder.active()
    if recording is None or options.stdin is not None or options.cache_dir is None:
        return run(options)
    started = time.perf_counter()
    results = _Results(Path(options.cache_dir), header=_header())
    entry = key(options)
    stored = results.get(entry)
    if isinstance(stored, tuple) and len(stored) == 2:
        inputs, data = stored
        if isinstance(inputs, recorder.Recording) and isinstance(data, bytes):
            unchanged, refreshed = inputs.unchanged()
            served = _loads(data) if unchanged else None
            if served is not None:
                if refreshed:
                    results.put(entry, (inputs, data))  # new stats, no longer racy
                recording.merge(inputs)  # a report must not overwrite them either
                return _served(served, inputs, time.perf_counter() - started)
    result = run(options)
    data = _dumps(result) if not result.fatal_errors else None
    if data is not None:
        results.put(entry, (recording.compacted(), data))
    return result


def _dumps(result: ScanResult) -> bytes | None:
    """The result pickled on its own, inside the entry (``None``: it cannot be).

    An entry is read on every run, also by one whose inputs changed: there only the record
    is unpickled, not a result of thousands of findings that is then thrown away.
    """
    try:
        with collector.paused():  # what pickling allocates lives on (orylint.collector)
            return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None


def _loads(data: bytes) -> ScanResult | None:
    """The stored result (its entry's checksum held), or ``None`` if it is not one."""
    try:
        result = pickle.loads(data)
    except Exception:  # a damaged entry is a miss, whatever unpickling raises
        return None
    return result if isinstance(result, ScanResult) else None


def _served(result: ScanResult, inputs: recorder.Recording, seconds: float) -> ScanResult:
    """A stored result as this run's: its trace says where it came from (``-v``)."""
    trace = Trace(entries=list(result.trace.entries))
    trace.note(
        "cache",
        f"the result of an earlier run: {len(inputs.files)} file(s), "
        f"{len(inputs.directories)} directory(ies) and {len(inputs.probes)} other path(s) "
        "unchanged; nothing was parsed, evaluated or checked",
    )
    trace.timings = {"result cache": seconds}
    result.trace = trace
    result.seconds = seconds
    return result

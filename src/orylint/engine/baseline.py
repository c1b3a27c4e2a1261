"""Baselines: accept today's findings, report only new ones.

``--write-baseline FILE`` records every current finding by its logical key (rule, module
directory, resource address, attribute; see :mod:`orylint.engine.fingerprints`), not by line,
so the recorded findings stay matched when code moves. ``--baseline FILE`` then drops findings
found in it; keys are counted, so a second identical finding is still new.

Format 1 (orylint 0.1) keyed findings without their module directory, so the same address in
``prod/`` and ``staging/`` shared a key. Such a file is still read, so that upgrading does not
flood a repository with accepted findings: an entry matches a finding with its key in the
directory of the entry's ``file`` (both as the command line showed them, so from the same
working directory); failing that, it matches when its key is unambiguous, that is when the
findings that share it all lie in one module directory. Anything else is reported as new.
``--write-baseline`` always writes format 2.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from orylint import __version__
from orylint.engine.atomic import write_atomic
from orylint.engine.findings import Finding
from orylint.engine.fingerprints import legacy_key, logical_key, repository_path
from orylint.terraform.source import UnreadableFile, read_regular_file

VERSION = 2
_READABLE = (1, VERSION)


class BaselineError(Exception):
    """A baseline file that cannot be read; the message says which and why."""


@dataclass(frozen=True)
class Baseline:
    """The keys recorded in a baseline file, with their counts.

    ``legacy`` holds the entries of a format-1 file instead: (key, directory of the entry's
    ``file``).
    """

    keys: Counter[str]
    legacy: Counter[tuple[str, str]] | None = None


def key(finding: Finding, root: Path) -> str:
    """The baseline key of a finding (``root``: the repository the paths are relative to)."""
    return logical_key(finding.rule_id, finding.address, finding.attribute, finding.span.path, root)


def write(path: Path, findings: Iterable[Finding], root: Path) -> int:
    """Write a baseline of ``findings``; returns how many were recorded."""
    entries = [
        {
            "key": key(finding, root),
            "rule_id": finding.rule_id,
            "directory": os.path.dirname(repository_path(finding.span.path, root)) or ".",
            "address": finding.address,
            "attribute": finding.attribute,
            "file": finding.span.path,
            "message": finding.message,
        }
        for finding in findings
    ]
    document = {
        "version": VERSION,
        "tool": {"name": "orylint", "version": __version__},
        "findings": entries,
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode("utf-8", "backslashreplace"))
    return len(entries)


def read(path: Path) -> Baseline:
    """The keys recorded in a baseline file (format 1 or 2), with their counts."""
    try:
        document = json.loads(read_regular_file(path).decode("utf-8"))
    except UnreadableFile as error:
        raise BaselineError(f"{path}: {error.reason}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BaselineError(f"{path}: not a baseline file ({error})") from None
    except (ValueError, RecursionError):  # an integer of over 4,300 digits, deep nesting
        raise BaselineError(f"{path}: not a baseline file (unreadable JSON)") from None
    version = document.get("version") if isinstance(document, dict) else None
    if version not in _READABLE or isinstance(version, bool):
        raise BaselineError(f"{path}: not an orylint baseline (version 1 or {VERSION} expected)")
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("key"), str) for entry in entries
    ):
        raise BaselineError(f"{path}: malformed baseline: `findings` must list objects with `key`")
    if version == 1:
        legacy = Counter((entry["key"], _directory(entry.get("file"))) for entry in entries)
        return Baseline(Counter(), legacy)
    return Baseline(Counter(entry["key"] for entry in entries))


def _directory(file: object) -> str:
    """The directory of a display path (``.`` for the working directory); ``""`` if none."""
    if not isinstance(file, str):
        return ""
    return os.path.dirname(file) or "."


def split(findings: Sequence[Finding], baseline: Baseline, root: Path) -> tuple[list[Finding], int]:
    """Findings not in the baseline, and how many were matched by it."""
    if baseline.legacy is not None:
        return _split_legacy(findings, baseline.legacy)
    remaining = Counter(baseline.keys)
    new: list[Finding] = []
    for finding in findings:
        finding_key = key(finding, root)
        if remaining[finding_key] > 0:
            remaining[finding_key] -= 1
        else:
            new.append(finding)
    return new, len(findings) - len(new)


def _split_legacy(
    findings: Sequence[Finding], entries: Counter[tuple[str, str]]
) -> tuple[list[Finding], int]:
    """Match a format-1 baseline: by key and recorded directory, else by unambiguous key."""
    remaining = Counter(entries)
    keyed = [
        (
            finding,
            legacy_key(finding.rule_id, finding.address, finding.attribute, finding.span.path),
        )
        for finding in findings
    ]
    directories: dict[str, set[str]] = defaultdict(set)
    for finding, legacy in keyed:
        directories[legacy].add(_directory(finding.span.path))
    pending = []
    for finding, legacy in keyed:
        recorded = (legacy, _directory(finding.span.path))
        if remaining[recorded] > 0:
            remaining[recorded] -= 1
        else:
            pending.append((finding, legacy))
    new: list[Finding] = []
    for finding, legacy in pending:
        left = [entry for entry in remaining if entry[0] == legacy and remaining[entry] > 0]
        if left and len(directories[legacy]) == 1:
            remaining[left[0]] -= 1
        else:
            new.append(finding)
    return new, len(findings) - len(new)

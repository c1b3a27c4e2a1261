"""Baselines: accept today's findings, report only new ones.

``--write-baseline FILE`` records every current finding by its logical key (rule, resource
address, attribute; see :mod:`orylint.engine.fingerprints`), not by line, so the recorded
findings stay matched when code moves. ``--baseline FILE`` then drops findings found in it; keys
are counted, so a second identical finding is still new.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from orylint import __version__
from orylint.engine.atomic import write_atomic
from orylint.engine.findings import Finding
from orylint.engine.fingerprints import logical_key
from orylint.terraform.source import UnreadableFile, read_regular_file

VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read; the message says which and why."""


def key(finding: Finding) -> str:
    """The baseline key of a finding."""
    return logical_key(finding.rule_id, finding.address, finding.attribute, finding.span.path)


def write(path: Path, findings: Iterable[Finding]) -> int:
    """Write a baseline of ``findings``; returns how many were recorded."""
    entries = [
        {
            "key": key(finding),
            "rule_id": finding.rule_id,
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


def read(path: Path) -> Counter[str]:
    """The keys recorded in a baseline file, with their counts."""
    try:
        document = json.loads(read_regular_file(path).decode("utf-8"))
    except UnreadableFile as error:
        raise BaselineError(f"{path}: {error.reason}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BaselineError(f"{path}: not a baseline file ({error})") from None
    except (ValueError, RecursionError):  # an integer of over 4,300 digits, deep nesting
        raise BaselineError(f"{path}: not a baseline file (unreadable JSON)") from None
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise BaselineError(f"{path}: not an orylint baseline (version {VERSION} expected)")
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("key"), str) for entry in entries
    ):
        raise BaselineError(f"{path}: malformed baseline: `findings` must list objects with `key`")
    return Counter(entry["key"] for entry in entries)


def split(findings: Iterable[Finding], baseline: Counter[str]) -> tuple[list[Finding], int]:
    """Findings not in the baseline, and how many were matched by it."""
    remaining = Counter(baseline)
    new: list[Finding] = []
    matched = 0
    for finding in findings:
        finding_key = key(finding)
        if remaining[finding_key] > 0:
            remaining[finding_key] -= 1
            matched += 1
        else:
            new.append(finding)
    return new, matched

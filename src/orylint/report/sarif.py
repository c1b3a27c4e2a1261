"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Shaped after what GitHub reads (``spec/ecosystem.md`` §2.2-2.3): every enabled rule is listed (so
closed alerts can be shown), each with help text and markdown, a default level, tags and, for
security rules, a ``security-severity``; results point at the offending attribute with real
columns (``columnKind: unicodeCodePoints``) and name the resource in ``logicalLocations``; URIs are
relative to the git top level and declared against ``%SRCROOT%``. Output is deterministic.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

from orylint import __version__
from orylint.engine.findings import ORDER, Finding
from orylint.engine.fingerprints import line_hashes, logical_key
from orylint.engine.fixer import resolved_edit
from orylint.engine.metadata import RuleMeta
from orylint.engine.result import ScanResult
from orylint.report.rule_docs import REPOSITORY_URL, help_uri, rule_markdown, rule_text

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = REPOSITORY_URL
_PRECISION = {"HARD": "very-high", "TF": "very-high", "RUNTIME": "high"}


def source_root(start: str | None = None) -> Path:
    """The git top level (what GitHub resolves relative URIs against), else the working dir.

    Called by the CLI, which does I/O; reporters receive the root and stay pure.
    """
    cwd = Path(start or os.getcwd()).resolve()
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return cwd
    if completed.returncode == 0 and completed.stdout.strip():
        return Path(completed.stdout.strip()).resolve()
    return cwd


def render_sarif(
    result: ScanResult, *, exit_code: int, root: Path | None = None, category: str = "orylint"
) -> str:
    """Render the result as one SARIF run.

    ``category`` becomes ``automationDetails.id`` (``<category>/``): GitHub keeps one set of
    alerts per tool and category, so two orylint runs over different roots need two categories.
    """
    root = root or Path.cwd().resolve()
    rules = result.rules
    cache: dict[str, dict[int, str]] = {}

    def hashes(path: str) -> dict[int, str]:
        if path not in cache:
            source = result.sources.get(path)
            cache[path] = line_hashes(_without_secrets(result, path, source)) if source else {}
        return cache[path]

    index = {meta.id: position for position, meta in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "orylint",
                "semanticVersion": __version__,
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(meta) for meta in rules],
            }
        },
        "automationDetails": {"id": f"{category.rstrip('/')}/"},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
        "invocations": [
            {
                "executionSuccessful": exit_code != 2,
                "exitCode": exit_code,
                "toolExecutionNotifications": _notifications(result, root),
            }
        ],
        "results": [
            _result(finding, index, root, hashes(finding.span.path), result.sources)
            for finding in sorted([*result.findings, *result.suppressed], key=ORDER)
        ],
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _descriptor(meta: RuleMeta) -> dict[str, Any]:
    tags = list(meta.tags)
    if meta.is_security and "security" not in tags:
        tags.append("security")
    properties: dict[str, Any] = {
        "tags": tags[:20],
        "precision": _PRECISION.get(meta.basis.split()[0].split("/")[0], "high"),
    }
    if meta.security_severity:
        properties["security-severity"] = meta.security_severity
    else:
        properties["problem.severity"] = (
            "recommendation" if meta.severity == "note" else meta.severity
        )
    descriptor: dict[str, Any] = {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.summary[:1024]},
        "fullDescription": {"text": (meta.what_it_does or meta.summary)[:1024]},
        "helpUri": help_uri(meta),
        "help": {"text": rule_text(meta), "markdown": rule_markdown(meta)},
        "defaultConfiguration": {"level": meta.severity},
        "properties": properties,
    }
    if descriptor["helpUri"] is None:  # a policy: its help is its description, no page
        del descriptor["helpUri"]
    return descriptor


def artifact_uri(path: str, root: Path) -> str:
    """A file's URI relative to the source root (percent-encoded, forward slashes)."""
    absolute = Path(os.path.realpath(path))  # resolve() raises on a symlink loop
    try:
        relative = absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_uri()
    # A file name that is not UTF-8 holds surrogate escapes: its original bytes are quoted.
    return quote(relative, errors="surrogateescape")


def _result(
    finding: Finding,
    index: dict[str, int],
    root: Path,
    hashes_by_line: dict[int, str],
    sources: dict[str, str],
) -> dict[str, Any]:
    span = finding.span
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": _artifact(span.path, root),
            "region": {
                "startLine": span.start_line,
                "startColumn": span.start_column,
                "endLine": span.end_line,
                "endColumn": max(span.end_column, span.start_column + 1)
                if span.end_line == span.start_line
                else span.end_column,
            },
        }
    }
    if finding.address:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.address, "kind": "resource"}]
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": finding.severity,
        "message": {"text": finding.full_message},
        "locations": [location],
    }
    if finding.related:
        result["relatedLocations"] = [
            {
                "id": number,
                "physicalLocation": {
                    "artifactLocation": _artifact(where.path, root),
                    "region": {"startLine": where.start_line, "startColumn": where.start_column},
                },
                "message": {"text": text},
            }
            for number, (where, text) in enumerate(finding.related, start=1)
        ]
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    fingerprints = {
        "orylint/v1": logical_key(
            finding.rule_id, finding.address, finding.attribute, span.path, root
        )
    }
    if span.start_line in hashes_by_line:
        fingerprints["primaryLocationLineHash"] = hashes_by_line[span.start_line]
    result["partialFingerprints"] = fingerprints
    if finding.fix is not None:
        result["fixes"] = [_fix(finding, root, sources)]
    if finding.suppression is not None:
        result["suppressions"] = [
            {"kind": "inSource", "status": "accepted", "justification": finding.suppression}
        ]
    return result


def _artifact(path: str, root: Path) -> dict[str, str]:
    """An artifactLocation: relative to %SRCROOT% unless the file lies outside it."""
    uri = artifact_uri(path, root)
    return {"uri": uri} if uri.startswith("file:") else {"uri": uri, "uriBaseId": "%SRCROOT%"}


def _fix(finding: Finding, root: Path, sources: dict[str, str]) -> dict[str, Any]:
    """A finding's fix as SARIF ``fixes``: replacements per file, in SARIF regions."""
    assert finding.fix is not None
    changes: dict[str, list[dict[str, Any]]] = {}
    for edit in finding.fix.edits:
        text = sources.get(edit.span.path)
        span, replacement = (
            resolved_edit(text, edit) if text is not None else (edit.span, edit.replacement)
        )
        changes.setdefault(artifact_uri(span.path, root), []).append(
            {
                "deletedRegion": {
                    "startLine": span.start_line,
                    "startColumn": span.start_column,
                    "endLine": span.end_line,
                    "endColumn": span.end_column,
                },
                "insertedContent": {"text": replacement},
            }
        )
    return {
        "description": {"text": finding.fix.description},
        "artifactChanges": [
            {"artifactLocation": {"uri": uri} | _base(uri), "replacements": replacements}
            for uri, replacements in changes.items()
        ],
    }


def _base(uri: str) -> dict[str, str]:
    return {} if uri.startswith("file:") else {"uriBaseId": "%SRCROOT%"}


def _notifications(result: ScanResult, root: Path) -> list[dict[str, Any]]:
    """Files that could not be linted, and fatal errors, as tool execution notifications."""
    notifications: list[dict[str, Any]] = []
    for error in result.load_errors:
        uri = artifact_uri(error.path, root)
        notifications.append(
            {
                "level": "error",
                "message": {"text": f"{error.path}: {error.message}"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri}
                            | ({} if uri.startswith("file:") else {"uriBaseId": "%SRCROOT%"}),
                            "region": {"startLine": error.line, "startColumn": error.column},
                        }
                    }
                ],
                "descriptor": {"id": "ORY001"},
            }
        )
    known = {f"{e.path}:{e.line}:{e.column}: {e.message}" for e in result.load_errors}
    notifications.extend(
        {"level": "error", "message": {"text": message}}
        for message in result.fatal_errors
        if message not in known
    )
    return notifications


def _without_secrets(result: ScanResult, path: str, source: str) -> str:
    """The source with every line that holds a secret emptied, for the line hashes.

    A line hash covers 100 characters from the line on, and a hash of a known line with a
    short secret in it can be reversed by trying candidates; hashing the file without those
    lines keeps the hash stable across runs and says nothing about the secret.
    """
    return "\n".join(
        "" if result.holds_secret(path, number) else line
        for number, line in enumerate(source.split("\n"), start=1)
    )

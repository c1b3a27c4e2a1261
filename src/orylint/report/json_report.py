"""The JSON format: a documented, versioned structure for scripts (see ``docs/json-format.md``).

``schema_version`` changes only when a field is removed or changes meaning; fields may be added.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

from orylint import __version__
from orylint.engine.findings import Finding
from orylint.engine.result import ScanResult

SCHEMA_VERSION = 1


def render_json(result: ScanResult) -> str:
    """Render the whole result as one JSON document (stable key order, trailing newline).

    What ``json.dumps(document, indent=2, ensure_ascii=False)`` writes, byte for byte; the
    findings, nearly all of it, are written by one template each rather than built as
    dictionaries and walked value by value (9,345 findings: 49 ms before, 15 ms so).
    """
    summary = (
        {"files": result.files_scanned, "findings": len(result.findings)}
        | result.counts()
        | {"suppressed": len(result.suppressed), "baselined": result.baselined}
    )
    return (
        f'{{\n  "schema_version": {SCHEMA_VERSION},\n'
        f'  "tool": {dumps({"name": "orylint", "version": __version__}, "  ")},\n'
        f'  "summary": {dumps(summary, "  ")},\n'
        f'  "findings": {_findings(result.findings, justified=False)},\n'
        f'  "suppressed": {_findings(result.suppressed, justified=True)},\n'
        f'  "errors": {dumps(list(result.fatal_errors), "  ")}\n}}\n'
    )


def dumps(value: Any, indent: str = "") -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)`` for JSON data, several times faster.

    The standard library uses its C encoder only without ``indent``; with it, a report of 50,000
    findings spent more than a second in the pure-Python encoder. Strings here go through the
    same C escaper and numbers through the same ``repr``; only the indenting is done here
    (tested equal to ``json.dumps`` on generated documents).
    """
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = indent + "  "
        members = ",\n".join(
            f"{inner}{encode_basestring(key)}: {dumps(item, inner)}" for key, item in value.items()
        )
        return f"{{\n{members}\n{indent}}}"
    if kind is list:
        if not value:
            return "[]"
        inner = indent + "  "
        items = ",\n".join(inner + dumps(item, inner) for item in value)
        return f"[\n{items}\n{indent}]"
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return json.dumps(value)  # booleans and floats (NaN and infinities as json writes them)


def _findings(findings: list[Finding], *, justified: bool) -> str:
    """The list of findings as ``dumps`` indents it at the document's second level.

    A report repeats a few rules and files thousands of times: the text up to the message
    is made once per rule and severity, and each file's name is escaped once.
    """
    if not findings:
        return "[]"
    heads: dict[tuple[str, str, str], str] = {}
    files: dict[str, str] = {}
    items = []
    for finding in findings:
        key = (finding.rule_id, finding.rule_name, finding.severity)
        head = heads.get(key)
        if head is None:
            head = heads[key] = _head(*key)
        path = finding.span.path
        file = files.get(path)
        if file is None:
            file = files[path] = encode_basestring(path)
        items.append(_finding_text(finding, head, file, justified))
    return "[\n" + ",\n".join(items) + "\n  ]"


def _head(rule_id: str, rule_name: str, severity: str) -> str:
    """A finding's object up to its message: ``rule_id``, ``rule_name``, ``severity``."""
    return (
        f'    {{\n      "rule_id": {encode_basestring(rule_id)},'
        f'\n      "rule_name": {encode_basestring(rule_name)},'
        f'\n      "severity": {encode_basestring(severity)},'
    )


def _finding_text(finding: Finding, head: str, file: str, justified: bool) -> str:
    """One finding's object at the list's indent; ``justification`` only for suppressed ones.

    The fields, in order: ``rule_id``, ``rule_name``, ``severity`` (``head``), ``message``,
    ``file`` (escaped), ``start_line``, ``start_column``, ``end_line``, ``end_column``,
    ``address``, ``attribute`` (``docs/json-format.md``).
    """
    span = finding.span
    justification = f',\n      "justification": {_text(finding.suppression)}' if justified else ""
    return (
        f'{head}\n      "message": {encode_basestring(finding.message)},'
        f'\n      "file": {file},'
        f'\n      "start_line": {span.start_line},'
        f'\n      "start_column": {span.start_column},'
        f'\n      "end_line": {span.end_line},'
        f'\n      "end_column": {span.end_column},'
        f'\n      "address": {_text(finding.address)},'
        f'\n      "attribute": {_text(finding.attribute)}{justification}\n    }}'
    )


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)

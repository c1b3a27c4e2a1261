"""Unknown is not wrong: every finding of every trigger fixture disappears when the value it
judges becomes ``var.orylint_unknown`` (a variable without default, unknown to orylint).

For each finding that names an attribute, the fixture is rewritten with that attribute's value
replaced, and the rule must no longer report that attribute of that resource. ORY101 is left
out: an unsupported or read-only argument is wrong whatever its value.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from orylint.config import find_config, load_config
from orylint.engine.selection import RuleSelection
from orylint.scan import ScanOptions, scan
from orylint.terraform.document import Document
from orylint.terraform.hcl_loader import load_hcl
from orylint.terraform.values import Span
from tests.test_rule_fixtures import _cases

UNKNOWN = "var.orylint_unknown"


def _offset(text: str, line: int, column: int) -> int:
    lines = text.splitlines(keepends=True)
    return sum(len(item) for item in lines[: line - 1]) + column - 1


def _value_span(document: Document, address: str, attribute: str) -> Span | None:
    parts = address.split(".")
    for block in document.blocks:
        is_output = parts[0] == "output" and block.type == "output" and block.labels == parts[1:2]
        if is_output or (block.type == "resource" and block.labels == parts[-2:]):
            found = block.attributes.get(attribute)
            return found.attribute.value_span if found else None
    return None


def _triggers() -> list[tuple[str, Path]]:
    return [
        (rule, entry)
        for rule, entry in _cases()
        if entry.is_file() and entry.name.startswith("trigger") and rule != "ORY101"
    ]


def _scan(path: Path, rule_id: str) -> list[tuple[str | None, str]]:
    settings = load_config(find_config([str(path)])).settings
    result = scan(
        ScanOptions([str(path)], selection=RuleSelection(select=(rule_id,)), settings=settings)
    )
    return [
        (f.address, (f.attribute or "").split("[")[0])
        for f in result.findings
        if f.rule_id == rule_id and f.attribute
    ]


@pytest.mark.parametrize(
    ("rule_id", "entry"), _triggers(), ids=lambda value: getattr(value, "name", value)
)
def test_finding_disappears_when_its_value_is_unknown(
    rule_id: str, entry: Path, tmp_path: Path
) -> None:
    text = entry.read_text(encoding="utf-8")
    findings = sorted(set(_scan(entry, rule_id)), key=str)
    checked = 0
    for address, attribute in findings:
        if address is None:
            continue
        document = load_hcl(entry.name, text)
        assert isinstance(document, Document)
        span = _value_span(document, address, attribute)
        if span is None:
            continue  # the finding is about an attribute that is not written (e.g. missing)
        start = _offset(text, span.start_line, span.start_column)
        end = _offset(text, span.end_line, span.end_column)
        rewritten = tmp_path / str(checked) / entry.name  # alone: siblings would be context
        rewritten.parent.mkdir()
        rewritten.write_text(text[:start] + UNKNOWN + text[end:], encoding="utf-8")
        after = _scan(rewritten, rule_id)
        assert (address, attribute) not in after, (address, attribute)
        checked += 1


def _fixture_files() -> list[Path]:
    return sorted({entry for _, entry in _cases() if entry.is_file()})


def _all_findings(path: Path) -> set[tuple[str, str | None, str]]:
    settings = load_config(find_config([str(path)])).settings
    result = scan(ScanOptions([str(path)], settings=settings))
    return {(f.rule_id, f.address, (f.attribute or "").split("[")[0]) for f in result.findings}


@pytest.mark.parametrize("entry", _fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_making_any_value_unknown_never_adds_a_finding(entry: Path, tmp_path: Path) -> None:
    """Monotonicity: knowing less can only remove findings, for every attribute of every client."""
    text = entry.read_text(encoding="utf-8")
    document = load_hcl(entry.name, text)
    assert isinstance(document, Document)
    before = _all_findings(entry)
    attributes = [
        (block, name, attribute.attribute.value_span)
        for block in document.blocks
        if block.type == "resource" and block.labels[:1] == ["ory_oauth2_client"]
        for name, attribute in block.attributes.items()
        if name not in ("count", "for_each", "depends_on", "provider")
    ]
    for index, (block, name, span) in enumerate(attributes):
        start = _offset(text, span.start_line, span.start_column)
        end = _offset(text, span.end_line, span.end_column)
        rewritten = tmp_path / str(index) / entry.name  # alone: siblings would be context
        rewritten.parent.mkdir()
        rewritten.write_text(text[:start] + UNKNOWN + text[end:], encoding="utf-8")
        added = {
            (rule, address, attribute)
            for rule, address, attribute in _all_findings(rewritten) - before
            if rule not in ("ORY002", "ORY003", "ORY004")
        }
        assert not added, f"{'.'.join(block.labels)}.{name} unknown adds {sorted(added)}"

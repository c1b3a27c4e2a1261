"""Every rule against its annotated fixtures in tests/fixtures/rules/ORYnnn/.

A fixture line ending in ``# expect: ORY201`` must get exactly one finding of that rule starting
on that line (``ORY201@53`` also pins the column); ``ok*`` fixtures must get none.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from orylint.config import find_config, load_config
from orylint.engine.selection import RuleSelection
from orylint.scan import ScanOptions, scan

RULES_FIXTURES = Path(__file__).parent / "fixtures" / "rules"
EXPECT = re.compile(r"#\s*expect:\s*(.+)$")


def _cases() -> list[tuple[str, Path]]:
    cases = []
    for rule_dir in sorted(p for p in RULES_FIXTURES.iterdir() if p.is_dir()):
        for entry in sorted(rule_dir.iterdir()):
            if entry.name.startswith(("trigger", "ok")):
                cases.append((rule_dir.name, entry))
    return cases


def _expectations(
    entry: Path, rule_id: str
) -> tuple[Counter[tuple[str, int]], set[tuple[str, int, int]]]:
    files = [entry] if entry.is_file() else sorted(entry.rglob("*.tf"))
    lines: Counter[tuple[str, int]] = Counter()
    columns: set[tuple[str, int, int]] = set()
    severities: set[tuple[str, int, str]] = set()
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            match = EXPECT.search(line)
            if not match:
                continue
            for annotation in match.group(1).split():
                token, _, severity = annotation.partition(":")
                rule, _, column = token.partition("@")
                assert rule.startswith("ORY"), f"bad annotation {token!r} in {file}:{number}"
                if rule != rule_id:
                    continue
                lines[(file.resolve().as_posix(), number)] += 1
                if column:
                    columns.add((file.resolve().as_posix(), number, int(column)))
                if severity:
                    severities.add((file.resolve().as_posix(), number, severity))
    return lines, columns, severities


@pytest.mark.parametrize(
    ("rule_id", "entry"), _cases(), ids=lambda value: getattr(value, "name", value)
)
def test_rule_fixture(rule_id: str, entry: Path) -> None:
    expected_lines, expected_columns, expected_severities = _expectations(entry, rule_id)
    if entry.name.startswith("trigger"):
        assert expected_lines, f"{entry} is a trigger fixture without annotations"
    else:
        assert not expected_lines, f"{entry} is a near-miss fixture with annotations"
    settings = load_config(find_config([str(entry)])).settings
    result = scan(
        ScanOptions([str(entry)], selection=RuleSelection(select=(rule_id,)), settings=settings)
    )
    assert not result.fatal_errors
    assert [f for f in result.findings if f.rule_id == "ORY001"] == []
    found = [f for f in result.findings if f.rule_id == rule_id]
    actual_lines = Counter(
        (Path(f.span.path).resolve().as_posix(), f.span.start_line) for f in found
    )
    assert actual_lines == expected_lines, "\n".join(
        f"{f.span.path}:{f.span.start_line}:{f.span.start_column} {f.message}" for f in found
    )
    actual_columns = {
        (Path(f.span.path).resolve().as_posix(), f.span.start_line, f.span.start_column)
        for f in found
    }
    assert expected_columns <= actual_columns
    actual_severities = {
        (Path(f.span.path).resolve().as_posix(), f.span.start_line, f.severity) for f in found
    }
    assert expected_severities <= actual_severities
    for finding in found:
        assert finding.message
        assert finding.span.end_line >= finding.span.start_line


def test_every_rule_with_a_check_has_both_kinds_of_fixture() -> None:
    from orylint.engine.registry import all_rules

    for rule_id in all_rules():
        directory = RULES_FIXTURES / rule_id
        assert directory.is_dir(), f"{rule_id} has no fixtures"
        names = [entry.name for entry in directory.iterdir()]
        assert any(name.startswith("trigger") for name in names), f"{rule_id}: no trigger fixture"
        assert any(name.startswith("ok") for name in names), f"{rule_id}: no near-miss fixture"

"""Parsing in worker processes gives exactly the findings of parsing in one."""

from __future__ import annotations

from pathlib import Path

import pytest

from orylint import scan as scan_module
from orylint.scan import ScanOptions, scan
from tests.helpers import REPO


def _findings(monkeypatch: pytest.MonkeyPatch, jobs: str) -> list[tuple[object, ...]]:
    monkeypatch.setenv("ORYLINT_JOBS", jobs)
    monkeypatch.setattr(scan_module, "PARALLEL_THRESHOLD", 2)
    result = scan(ScanOptions([str(REPO / "tests" / "fixtures" / "rules")]))
    return [(f.rule_id, f.span, f.message, f.address) for f in result.findings]


def test_parallel_and_serial_parsing_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = _findings(monkeypatch, "1")
    parallel = _findings(monkeypatch, "2")
    assert len(serial) > 500
    assert parallel == serial


def test_parse_errors_survive_the_worker_boundary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for index in range(4):
        (tmp_path / f"bad{index}.tf").write_text('resource "ory_oauth2_client" "x" {\n', "utf-8")
    monkeypatch.setenv("ORYLINT_JOBS", "2")
    monkeypatch.setattr(scan_module, "PARALLEL_THRESHOLD", 2)
    result = scan(ScanOptions([str(tmp_path)]))
    assert sorted(f.span.path for f in result.findings if f.rule_id == "ORY001") == sorted(
        str(tmp_path / f"bad{index}.tf") for index in range(4)
    )

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


def test_expressions_survive_the_worker_boundary_packed() -> None:
    """Parsed in a worker, an expression travels packed and evaluates to the same value."""
    import pickle

    from orylint.terraform.document import Document
    from orylint.terraform.evaluator import HclExpression
    from orylint.terraform.hcl_loader import load_hcl

    text = (
        'locals {\n  a = [for s in ["x", "y"] : upper(s) if s != "y"]\n'
        '  b = "${local.a[0]}-%{ if true }on%{ endif }"\n  c = [1, {k = "v"}]\n}\n'
    )
    document = load_hcl("main.tf", text)
    assert isinstance(document, Document)
    copy = pickle.loads(pickle.dumps(document))
    for name, attribute in document.blocks[0].attributes.items():
        packed = copy.blocks[0].attributes[name].expression
        assert isinstance(packed, HclExpression) and packed._node is None  # not unpacked yet
        assert attribute.expression is not None
        assert packed.value() == attribute.expression.value()
        assert packed.elements() == attribute.expression.elements()


def test_a_deeply_nested_expression_crosses_the_boundary_as_unknown() -> None:
    import pickle

    from lark import Tree

    from orylint.terraform.evaluator import HclExpression
    from orylint.terraform.hcl_tree import SourceMap
    from orylint.terraform.values import Unknown

    node: Tree[object] = Tree("tuple", [])
    for _ in range(5000):
        node = Tree("tuple", [node])
    expression = HclExpression(SourceMap("main.tf", ""), node)  # type: ignore[arg-type]
    copy = pickle.loads(pickle.dumps(expression))
    assert isinstance(copy.value(), Unknown)

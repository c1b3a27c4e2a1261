"""orylint's function library against real Terraform: tests/fixtures/console/expected.json.

``scripts/terraform-console-cases`` records what ``terraform console`` (1.11.4) makes of each
expression of ``cases.txt``; here orylint evaluates the same expressions and must agree:

* a value: the same JSON (``jsonencode``), the same top-level sensitivity (``issensitive``) and
  the same "marked anywhere" (``issensitive(jsonencode(...))``);
* an error or a value Terraform leaves unknown: Unknown (never an exception, never a guess).

Numbers: orylint's non-integral numbers are float64, Terraform's have 512 bits of mantissa; a
number matches when it is written the same, or when it is the float64 nearest to Terraform's
(``range(0, 1, 0.3)`` ends in ``0.9000…0004`` in Terraform and ``0.9`` here). Integers and the
decimals written in a configuration compare exactly.

Each expression is evaluated by the evaluator a scan uses (``orylint.terraform.evaluator``)
with the function library, so the table covers both: functions, and the language around them
(operators, conditionals, templates with directives, ``for`` expressions, splats, ``try``/``can``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from orylint.golang import gojson
from orylint.terraform.evaluator import Evaluator, render_template_file
from orylint.terraform.functions import Context, call_strict
from orylint.terraform.hcl_parser import parse_tree
from orylint.terraform.hcl_tree import SourceMap, trees
from orylint.terraform.values import Sensitive, Unknown, is_known, unmark_deep

REPO = Path(__file__).resolve().parent.parent
CONSOLE = REPO / "tests" / "fixtures" / "console"
FILES = CONSOLE / "files"
SCRIPT = REPO / "scripts" / "terraform-console-cases"
EXPECTED = json.loads((CONSOLE / "expected.json").read_text(encoding="utf-8"))
CASES: dict[str, dict[str, object]] = EXPECTED["cases"]


class ConsoleScope:
    """The scope of a console case: no variables; functions read files from ``files/``."""

    def root(self, name: str) -> object:
        """No names are declared in a case."""
        return Unknown(f"reference to {name}")

    def call(self, name: str, args: Sequence[object]) -> object:
        """Orylint's function library, with the evaluator's templatefile()."""
        return call_strict(name, args, CONTEXT)


def render(template: str, variables: Mapping[str, object]) -> object:
    """``templatefile()`` renders with the evaluator, as in a scan."""
    return render_template_file(str(FILES), template, variables, CONTEXT)


CONTEXT = Context(module_dir=str(FILES), render_template=render)

#: Cases where orylint is knowingly not Terraform, with the reason. Each must still be in the
#: table and still differ (so the list cannot rot).
KNOWN_DIFFERENCES = {
    'format("%v|%v|%v", "s", true, null)': (
        "a literal null has no type in Terraform, and format() of an untyped value is unknown "
        "until apply; orylint's null is typed (a variable's null), which %v prints as null"
    ),
}


#: Cases where orylint knowingly stays unknown although Terraform knows the value: Terraform's
#: ``==`` compares collection types too (``tolist([]) == []`` is false, a list is never a
#: tuple), and orylint's values do not keep collection types, so it does not decide ``==`` on
#: collections. Unknown is never wrong; each must still be in the table and still be unknown.
CONSERVATIVE = {
    '[1, "a"] == [1, "a"]',
    "{a = 1} == {a = 1}",
    "{a = 1} != {a = 2}",
}


def evaluate(expression: str) -> object:
    """Evaluate a case expression as a scan would: orylint's evaluator and function library."""
    text = f"x = {expression}\n"
    tree = parse_tree(text)
    attribute = next(tree.find_data("attribute"))
    return Evaluator(SourceMap("case.tf", text), ConsoleScope()).value(trees(attribute)[-1])


def _numbers_match(expected: Decimal, actual: Decimal) -> bool:
    if expected == actual:
        return True
    if expected == expected.to_integral_value() and actual == actual.to_integral_value():
        return False  # integers are exact on both sides
    return float(expected) == float(actual)


def same_json(expected: object, actual: object) -> bool:
    """Structural equality of decoded JSON, numbers compared as the module docstring says."""
    if isinstance(expected, gojson.JSONNumber) and isinstance(actual, gojson.JSONNumber):
        return _numbers_match(expected.exact, actual.exact)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            same_json(e, a) for e, a in zip(expected, actual, strict=True)
        )
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            same_json(expected[k], actual[k]) for k in expected
        )
    return type(expected) is type(actual) and expected == actual


def test_the_table_is_large_enough() -> None:
    values = [case for case in CASES.values() if "json" in case]
    failures = [case for case in CASES.values() if "json" not in case]
    assert len(CASES) >= 150
    assert len(values) >= 150 and len(failures) >= 30


@pytest.mark.parametrize("expression", sorted(CASES))
def test_orylint_agrees_with_terraform(expression: str) -> None:
    expected = CASES[expression]
    result = evaluate(expression)
    if expression in KNOWN_DIFFERENCES:
        # Terraform: unknown; orylint: a value. Anything else: update KNOWN_DIFFERENCES.
        assert "json" not in expected, "Terraform now knows it: remove it from KNOWN_DIFFERENCES"
        assert is_known(result), "orylint now agrees: remove it from KNOWN_DIFFERENCES"
        return
    if "json" not in expected:
        assert not is_known(result), f"Terraform fails or leaves it unknown; orylint: {result!r}"
        return
    if expression in CONSERVATIVE:
        assert not is_known(result), "orylint now decides it: remove it from CONSERVATIVE"
        return
    assert is_known(result), f"orylint cannot evaluate it: {result!r}"
    plain, marked = unmark_deep(result)
    actual = gojson.marshal(plain, exact=True)
    expected_json = expected["json"]
    assert isinstance(expected_json, str)
    assert same_json(gojson.unmarshal(expected_json), gojson.unmarshal(actual)), (
        f"Terraform: {expected_json}\norylint:   {actual}"
    )
    assert isinstance(result, Sensitive) == expected["sensitive"], "issensitive() differs"
    assert marked == expected["marked"], "a mark inside the value differs"


def test_number_tolerance_is_only_float64_rounding() -> None:
    assert _numbers_match(Decimal("0.3"), Decimal("0.3"))
    assert _numbers_match(Decimal("0.9" + "0" * 150 + "4"), Decimal("0.9"))
    assert not _numbers_match(Decimal("0.9"), Decimal("0.90000000000001"))
    assert not _numbers_match(Decimal("12345678901234567890"), Decimal("12345678901234567891"))


def _terraform_missing() -> str | None:
    if shutil.which("terraform") is None:
        return "terraform is not on PATH"
    return None


def test_expected_json_is_current(tmp_path: Path) -> None:
    """Re-run the generator with real Terraform and compare (CI makes this mandatory)."""
    missing = _terraform_missing()
    if missing:
        if os.environ.get("ORYLINT_REQUIRE_TERRAFORM"):
            pytest.fail(f"ORYLINT_REQUIRE_TERRAFORM is set but {missing}")
        pytest.skip(f"cannot regenerate console cases: {missing}")
    output = tmp_path / "expected.json"
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    current = (CONSOLE / "expected.json").read_text(encoding="utf-8")
    assert output.read_text(encoding="utf-8") == current, (
        "tests/fixtures/console/expected.json is stale: run scripts/terraform-console-cases"
    )

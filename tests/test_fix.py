"""--fix and --diff: minimal edits, formatting and comments kept, fixed rules then clean.

``tests/fixtures/fix/after.tf`` is the expected result of fixing ``before.tf`` (reviewed by hand:
a canonical duration, a lower-cased strategy, a fragment stripped, a fragment-only duplicate
dropped with its separator, ``sensitive = true`` added under ``value`` and a literal ``false``
flipped; the one-line output and the variable are left alone).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from orylint.engine import fixer
from orylint.engine.findings import Edit, Finding, Fix
from orylint.terraform.document import Document
from orylint.terraform.hcl_loader import load_hcl
from orylint.terraform.values import Span
from tests.helpers import REPO, assert_valid_sarif, run_cli

FIXTURES = REPO / "tests" / "fixtures" / "fix"
FIXED_RULES = ("ORY105", "ORY204", "ORY401", "ORY701")


def copy(tmp_path: Path) -> Path:
    target = tmp_path / "main.tf"
    shutil.copy(FIXTURES / "before.tf", target)
    return target


def test_fix_matches_the_golden_file(tmp_path: Path) -> None:
    target = copy(tmp_path)
    result = run_cli("check", "main.tf", "--fix", "--select", ",".join(FIXED_RULES), cwd=tmp_path)
    assert "fixed 7 problem(s) in 1 file(s)" in result.stderr
    assert target.read_text(encoding="utf-8") == (FIXTURES / "after.tf").read_text(encoding="utf-8")
    # what is left is exactly what cannot be fixed mechanically: the one-line output
    assert result.returncode == 1
    assert result.stdout.count("ORY701") == 1 and "one_line" in result.stdout


def test_fixed_file_parses_and_keeps_every_comment(tmp_path: Path) -> None:
    after = (FIXTURES / "after.tf").read_text(encoding="utf-8")
    before = (FIXTURES / "before.tf").read_text(encoding="utf-8")
    document = load_hcl("after.tf", after)
    assert isinstance(document, Document)
    kept = [c.text for c in document.comments]
    original = load_hcl("before.tf", before)
    assert isinstance(original, Document)
    dropped = {"# the fragment-free form is already registered"}  # belonged to the dropped element
    assert kept == [c.text for c in original.comments if c.text not in dropped]


def test_fixed_rules_are_clean_afterwards(tmp_path: Path) -> None:
    target = tmp_path / "main.tf"
    target.write_text((FIXTURES / "after.tf").read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli(
        "check", "main.tf", "--select", ",".join(FIXED_RULES), "--format", "json", cwd=tmp_path
    )
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule_id"], f["address"]) for f in findings] == [("ORY701", "output.one_line")]


def test_diff_changes_nothing_and_exits_1(tmp_path: Path) -> None:
    target = copy(tmp_path)
    result = run_cli("check", "main.tf", "--diff", "--select", ",".join(FIXED_RULES), cwd=tmp_path)
    assert result.returncode == 1
    assert target.read_text(encoding="utf-8") == (FIXTURES / "before.tf").read_text(
        encoding="utf-8"
    )
    assert result.stdout.startswith("--- a/main.tf\n+++ b/main.tf\n")
    assert '+  access_token_strategy      = "jwt"' in result.stdout
    clean = run_cli("check", "main.tf", "--diff", "--select", "ORY201", cwd=tmp_path)
    assert clean.returncode == 0 and clean.stdout == ""


def test_sarif_carries_the_fixes(tmp_path: Path) -> None:
    copy(tmp_path)
    result = run_cli(
        "check", "main.tf", "--format", "sarif", "--select", ",".join(FIXED_RULES), cwd=tmp_path
    )
    document = json.loads(result.stdout)
    assert_valid_sarif(document)
    fixes = {
        r["ruleId"]: r["fixes"][0]["artifactChanges"][0]["replacements"][0]
        for r in document["runs"][0]["results"]
        if "fixes" in r and r["ruleId"] in ("ORY105", "ORY401")
    }
    assert fixes["ORY105"]["insertedContent"]["text"] == '"jwt"'
    dropped = [
        r["fixes"][0]["artifactChanges"][0]["replacements"][0]
        for r in document["runs"][0]["results"]
        if r["ruleId"] == "ORY401"
        and r["fixes"][0]["description"]["text"].startswith("remove the duplicate")
    ]
    # the deletion takes the element's separator along, so applying it leaves a valid list
    region = dropped[0]["deletedRegion"]
    assert (region["startLine"], region["endLine"]) == (7, 8)
    assert dropped[0]["insertedContent"]["text"] == ""


def test_plan_and_variable_values_are_never_fixed(tmp_path: Path) -> None:
    plans = REPO / "tests" / "fixtures" / "plans"
    result = run_cli("check", str(plans / "root_basic.plan.json"), "--diff")
    assert result.stdout == ""


def _terraform_fmt_check(path: Path) -> subprocess.CompletedProcess[str]:
    config = path.parent / "terraformrc"
    config.touch()
    return subprocess.run(
        ["terraform", "fmt", "-check", "-diff", path.name],
        cwd=path.parent,
        env={**os.environ, "TF_CLI_CONFIG_FILE": str(config)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_fix_keeps_a_fmt_clean_file_fmt_clean(tmp_path: Path) -> None:
    """`sensitive = true` is aligned as `terraform fmt` aligns it, checked by real terraform.

    Otherwise pre-commit-terraform's `terraform_fmt` hook and orylint's fight over the file.
    """
    if shutil.which("terraform") is None:
        if os.environ.get("ORYLINT_REQUIRE_TERRAFORM"):
            pytest.fail("ORYLINT_REQUIRE_TERRAFORM is set but terraform is not on PATH")
        pytest.skip("terraform is not on PATH")
    target = tmp_path / "main.tf"
    shutil.copy(FIXTURES / "fmt" / "main.tf", target)
    assert _terraform_fmt_check(target).returncode == 0  # the fixture is fmt-clean
    result = run_cli("check", "main.tf", "--fix", "--select", "ORY701", cwd=tmp_path)
    assert "fixed 8 problem(s) in 1 file(s)" in result.stderr
    assert result.returncode == 0, result.stdout
    formatted = _terraform_fmt_check(target)
    assert formatted.returncode == 0, formatted.stdout
    text = target.read_text(encoding="utf-8")
    assert len(re.findall(r"(?m)^  sensitive +=", text)) == 8
    # a trailing comment stays on its own line, not after the inserted one
    assert "client_secret # a comment that stays on this line\n  sensitive  = true\n" in text


def test_diff_and_sarif_show_the_aligned_insertion(tmp_path: Path) -> None:
    target = tmp_path / "main.tf"
    shutil.copy(FIXTURES / "fmt" / "main.tf", target)
    diff = run_cli("check", "main.tf", "--diff", "--select", "ORY701", cwd=tmp_path).stdout
    assert "-  value = ory_oauth2_client.web.client_secret\n" in diff
    assert "+  value     = ory_oauth2_client.web.client_secret\n+  sensitive = true\n" in diff
    sarif = json.loads(
        run_cli("check", "main.tf", "--format", "sarif", "--select", "ORY701", cwd=tmp_path).stdout
    )
    assert_valid_sarif(sarif)
    inserted = [
        replacement["insertedContent"]["text"]
        for result in sarif["runs"][0]["results"]
        for change in result["fixes"][0]["artifactChanges"]
        for replacement in change["replacements"]
    ]
    assert "  value     = ory_oauth2_client.web.client_secret\n  sensitive = true" in inserted


def test_a_heredoc_value_keeps_its_group_aligned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A heredoc is one line to terraform fmt; the line after its end marker joins its group."""
    if shutil.which("terraform") is None:
        pytest.fail("terraform is needed to judge the alignment")
    target = tmp_path / "main.tf"
    target.write_text(
        'output "command" {\n'
        '  description = "a value written as a heredoc"\n'
        "  value       = <<-EOT\n"
        "    curl -H 'x: y' ${var.url}\n"
        "  EOT\n"
        "}\n",
        encoding="utf-8",
    )
    assert _terraform_fmt_check(target).returncode == 0
    end = Span("main.tf", 5, 6, 5, 6)  # where the value ends: after the end marker
    edit = Edit(end, "\n  sensitive = true", new_attribute=True)
    finding = Finding(end, "ORY701", "m", "error", fix=Fix("mark the output sensitive", (edit,)))
    monkeypatch.chdir(tmp_path)
    [fixed] = fixer.plan_fixes([finding])
    fixer.write([fixed])
    assert "  EOT\n  sensitive   = true\n}\n" in target.read_text(encoding="utf-8")
    assert _terraform_fmt_check(target).returncode == 0


def test_the_inserted_line_keeps_the_files_crlf_line_endings(tmp_path: Path) -> None:
    text = (FIXTURES / "fmt" / "main.tf").read_text(encoding="utf-8")
    target = tmp_path / "main.tf"
    target.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    result = run_cli("check", "main.tf", "--fix", "--select", "ORY701", cwd=tmp_path)
    assert "fixed 8 problem(s)" in result.stderr
    data = target.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")  # no bare line feed was added
    assert b"  value     = ory_oauth2_client.web.client_secret\r\n  sensitive = true\r\n}" in data

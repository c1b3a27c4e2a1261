"""What keeps a scan fast: the work per file, the cache, the pre-filter and linear algorithms.

No test here times anything (a shared machine makes timings flaky); each counts the work that
made a scan slow, or checks that a faster path gives exactly the answer of the slow one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orylint.scan import ScanOptions, scan
from orylint.terraform.discover import discover

CLIENT = """\
resource "ory_oauth2_client" "web" {
  client_name   = "web"
  grant_types   = ["authorization_code"]
  redirect_uris = ["http://example.com/callback"]
}
"""


def _tree(root: Path, directories: int, files: int) -> None:
    for index in range(directories):
        directory = root / f"module_{index}"
        directory.mkdir()
        for number in range(files):
            (directory / f"file_{number}.tf").write_text(f'locals {{ n = "{number}" }}\n')


def test_discovery_resolves_directories_not_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: os.path.realpath per file, three times over (discovery, context, module sources):
    # 1.85 s of a 2.9 s scan of the real corpus.
    _tree(tmp_path, directories=3, files=20)
    calls: list[str] = []
    realpath = os.path.realpath

    def counting(path: str | os.PathLike[str], **kwargs: bool) -> str:
        calls.append(os.fspath(path))
        return realpath(path, **kwargs)

    monkeypatch.setattr(os.path, "realpath", counting)
    inputs = discover([str(tmp_path)])
    assert len(inputs.tf_files) == 60
    assert len(calls) == 1  # the root, once; the rest are joined to it
    calls.clear()
    scan(ScanOptions(paths=[str(tmp_path)]))
    assert len(calls) <= 4  # the root and the per-path-ignores base, never per file


def test_a_symlinked_file_is_listed_once(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CLIENT)
    (tmp_path / "link.tf").symlink_to("main.tf")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "other.tf").symlink_to("../main.tf")
    inputs = discover([str(tmp_path), str(tmp_path / "main.tf")])
    assert [path.name for path in inputs.tf_files] == ["link.tf"]  # found first, in name order
    assert inputs.explicit == set()  # the named file was already listed from its directory


def test_a_symlinked_directory_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "main.tf").write_text(CLIENT)
    (tmp_path / "alias").symlink_to("real")
    (tmp_path / "alias.tf").symlink_to("real")  # a directory with a .tf name is no file either
    inputs = discover([str(tmp_path)])
    assert [path.relative_to(tmp_path).as_posix() for path in inputs.tf_files] == ["real/main.tf"]


def _many_clients(count: int) -> str:
    duration = '  authorization_code_grant_access_token_lifespan = "90m"\n'
    return "".join(
        f"# orylint:ignore ORY403 -- client {n}\n"
        + CLIENT.replace('"web"', f'"web_{n}"', 1).replace("}\n", duration + "}\n", 1)
        for n in range(count)
    )


def test_reports_and_fixes_build_one_line_table_per_file(tmp_path: Path) -> None:
    # Was: every SARIF fix, every text excerpt rescanned the whole file (quadratic: 1,000
    # clients in one file took 18.8 s as SARIF against 1.9 s as JSON).
    from orylint.engine import fixer
    from orylint.report import render
    from orylint.terraform.source import line_table

    (tmp_path / "main.tf").write_text(_many_clients(40))
    result = scan(ScanOptions(paths=[str(tmp_path)]))
    fixable = [finding for finding in result.findings if finding.fix is not None]
    assert len(fixable) >= 40
    for name in ("sarif", "text"):
        line_table.cache_clear()
        render(name, result, exit_code=1)
        assert line_table.cache_info().misses == 1, name
    line_table.cache_clear()
    [fixed] = fixer.plan_fixes(result.findings)
    assert line_table.cache_info().misses == 1
    assert fixed.applied == len(fixable)
    assert '"90m"' not in fixed.after and fixed.after.count('"1h30m"') == 40


def test_a_fix_on_a_list_element_takes_the_comma_before_it(tmp_path: Path) -> None:
    # The separator before an element is found backwards from it (a search from the top of the
    # file for every fix was quadratic); the result is the same list, still valid.
    from orylint.engine import fixer
    from orylint.engine.findings import Edit
    from orylint.terraform.values import Span

    text = 'x = [\n  "a",\n  "b" ,\n  "c"\n]\n'
    (tmp_path / "l.tf").write_text(text)
    last = Edit(Span(str(tmp_path / "l.tf"), 4, 3, 4, 6), "", list_element=True)
    assert fixer._apply(text, [last]) == ('x = [\n  "a",\n  "b" \n]\n', 1)
    first = Edit(Span(str(tmp_path / "l.tf"), 2, 3, 2, 6), "", list_element=True)
    assert fixer._apply(text, [first]) == ('x = [\n  "b" ,\n  "c"\n]\n', 1)


def test_suppressions_match_as_before_when_indexed_by_line(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(_many_clients(30))
    result = scan(ScanOptions(paths=[str(tmp_path)]))
    assert len(result.suppressed) == 30
    assert {finding.rule_id for finding in result.suppressed} == {"ORY403"}
    assert "ORY403" not in {finding.rule_id for finding in result.findings}
    assert "ORY002" not in {finding.rule_id for finding in result.findings}  # each one used


def test_plan_lines_are_counted_once_and_right() -> None:
    # Was: each resource's line counted from the top of the plan (71 s for 20,000 resources).
    from orylint.terraform.plan_loader import _address_lines

    text = "".join(
        f'{{\n  "address": "ory_oauth2_client.c{n}",\n  "x": 1\n}}\n' for n in range(200)
    )
    lines = _address_lines(text)
    assert lines == {f"ory_oauth2_client.c{n}": 4 * n + 2 for n in range(200)}

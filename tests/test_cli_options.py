"""Command-line polish: -q/-qq, -v, --jobs and ORYLINT_JOBS, colour conventions, the concise
format under --format and --output-format, shell completion, and `explain` by id or name."""

from __future__ import annotations

import concurrent.futures
import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from orylint import gathering
from orylint import scan as scan_module
from orylint.cli import main
from tests.helpers import REPO, run_cli

EXAMPLES = REPO / "examples"
ANSI = "\x1b["


def _examples(tmp_path: Path) -> Path:
    target = tmp_path / "infra"
    shutil.copytree(EXAMPLES, target)
    return target


def test_quiet_prints_only_the_findings(tmp_path: Path) -> None:
    infra = _examples(tmp_path)
    full = run_cli("check", ".", "--format", "concise", cwd=infra)
    quiet = run_cli("check", ".", "--format", "concise", "-q", cwd=infra)
    assert quiet.returncode == full.returncode == 1
    assert full.stdout.splitlines()[-1].startswith("Found ")
    assert quiet.stdout.splitlines() == full.stdout.splitlines()[:-1]  # no summary line
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "vpc.tf").write_text('resource "aws_vpc" "x" {}\n', encoding="utf-8")
    summary = run_cli("check", ".", cwd=tmp_path / "clean")
    assert summary.returncode == 0 and summary.stdout.strip()  # the summary line alone
    clean = run_cli("check", ".", "-q", cwd=tmp_path / "clean")
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")


def test_double_quiet_prints_nothing_but_errors_and_still_writes_files(tmp_path: Path) -> None:
    infra = _examples(tmp_path)
    silent = run_cli("check", ".", "-qq", "--format", "text", "--format", "json:r.json", cwd=infra)
    assert (silent.returncode, silent.stdout, silent.stderr) == (1, "", "")
    assert json.loads((infra / "r.json").read_text(encoding="utf-8"))["findings"]
    missing = run_cli("check", "nowhere", "-qq", cwd=infra)
    assert missing.returncode == 2
    assert missing.stdout == "" and "nowhere: no such file" in missing.stderr


def test_quiet_hides_progress_lines_of_fix_and_baseline(tmp_path: Path) -> None:
    infra = _examples(tmp_path)
    fixed = run_cli("check", ".", "--fix", "-q", cwd=infra)
    assert "fixed" not in fixed.stderr and "clients.tf" in fixed.stdout
    written = run_cli("check", ".", "-q", "--write-baseline", "b.json", cwd=infra)
    assert (written.returncode, written.stderr) == (0, "")
    assert (infra / "b.json").exists()


def test_verbose_says_what_was_read_skipped_and_why_with_timings(tmp_path: Path) -> None:
    infra = _examples(tmp_path)
    (infra / "network").mkdir()
    (infra / "network" / "vpc.tf").write_text('resource "aws_vpc" "main" {}\n', encoding="utf-8")
    (infra / "legacy").mkdir()
    (infra / "legacy" / "old.tf").write_text("", encoding="utf-8")
    plain = run_cli("check", ".", "--exclude", "legacy/", "--format", "json", cwd=infra)
    verbose = run_cli("check", ".", "--exclude", "legacy/", "--format", "json", "-v", cwd=infra)
    assert verbose.stdout == plain.stdout  # -v writes to stderr only
    lines = verbose.stderr.splitlines()
    assert lines[0] == "config: none found (defaults)"
    assert re.fullmatch(r"rules: [1-9][0-9]+ enabled", lines[1])
    selected = run_cli("check", ".", "--select", "ORY201,ORY204", "-v", cwd=infra)
    assert "rules: 2 enabled" in selected.stderr.splitlines()
    assert "read: clients.tf" in lines
    assert "read: modules/machine_client/main.tf" in lines
    assert "skipped: legacy/: excluded" in lines
    assert (
        "skipped: network/ (1 file): no client or Ory project resource in this module and no "
        "call to a module with one"
    ) in lines
    [timing] = [line for line in lines if line.startswith("timing: ")]
    assert "parse " in timing and "rules " in timing and "total " in timing


def test_verbose_names_context_files_and_quiet_excludes_verbose(tmp_path: Path) -> None:
    infra = _examples(tmp_path)
    named = run_cli("check", "clients.tf", "-v", cwd=infra)
    assert "context: outputs.tf (read with the named files of its module, not reported)" in (
        named.stderr.splitlines()
    )
    both = run_cli("check", ".", "-q", "-v", cwd=infra)
    assert both.returncode == 2 and "contradict" in both.stderr


def _workers(monkeypatch: pytest.MonkeyPatch, *args: str, env: dict[str, str]) -> list[int]:
    """The worker counts of the process pools a CLI run starts (parsing tests/fixtures/rules)."""
    started: list[int] = []

    class Pool:
        def __init__(self, max_workers: int, **_: object) -> None:
            started.append(max_workers)

        def map(self, function, *iterables, chunksize: int = 1):  # type: ignore[no-untyped-def]
            return map(function, *iterables)

        def shutdown(self, **_: object) -> None:
            pass

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(scan_module, "PARALLEL_THRESHOLD", 2)
    # gathered in this process: a child's files, parsed as they come, would leave the pool a
    # number of files that depends on timing (tests/test_gathering.py covers the child)
    monkeypatch.setattr(gathering, "start", lambda options: None)
    target = str(REPO / "tests" / "fixtures" / "rules" / "ORY201")
    result = CliRunner().invoke(main, ["check", target, "-qq", "--no-cache", *args], env=env)
    assert result.exit_code in (0, 1), result.output
    return started


def test_jobs_flag_wins_over_orylint_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _workers(monkeypatch, "--jobs", "2", env={"ORYLINT_JOBS": "3"}) == [2]
    assert _workers(monkeypatch, env={"ORYLINT_JOBS": "3"}) == [3]
    assert _workers(monkeypatch, "-j", "1", env={"ORYLINT_JOBS": "3"}) == []  # 1: no workers


def test_bad_jobs_values_are_usage_errors() -> None:
    for args, env in ((["--jobs", "0"], {}), ([], {"ORYLINT_JOBS": "many"})):
        result = run_cli_env(env, "check", str(EXAMPLES), *args)
        assert result.returncode == 2
        assert "--jobs" in result.stderr and "Traceback" not in result.stderr


def run_cli_env(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI with exactly the colour variables given (none inherited)."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    return subprocess.run(
        [sys.executable, "-m", "orylint", *args],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=120,
        check=False,
    )


def _coloured_on_a_terminal(env: dict[str, str], *args: str) -> bool:
    """Run with standard output on a pseudo-terminal; whether the report has ANSI colour."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    leader, follower = pty.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "orylint", "check", str(EXAMPLES), *args],
            stdout=follower,
            stderr=subprocess.DEVNULL,
            env={**base, **env},
            timeout=120,
            check=False,
        )
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(leader)
    assert b"ORY201" in output
    return ANSI.encode() in output


@pytest.mark.parametrize(
    ("env", "args", "coloured"),
    [
        ({}, [], True),
        ({"NO_COLOR": "1"}, [], False),
        ({"NO_COLOR": ""}, [], True),  # an empty value is no value (no-color.org)
        ({"TERM": "dumb"}, [], False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, [], True),  # force-color.org
        ({"FORCE_COLOR": "1"}, ["--color", "never"], False),  # the flag wins
        ({"NO_COLOR": "1"}, ["--color", "always"], True),
    ],
)
def test_colour_on_a_terminal(env: dict[str, str], args: list[str], coloured: bool) -> None:
    assert _coloured_on_a_terminal(env, *args) is coloured


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({}, False),
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "0"}, True),
        ({"FORCE_COLOR": ""}, False),
    ],
)
def test_force_color_through_a_pipe(env: dict[str, str], coloured: bool) -> None:
    """FORCE_COLOR, present and not empty whatever its value, colours even a pipe."""
    result = run_cli_env(env, "check", str(EXAMPLES))
    assert (ANSI in result.stdout) is coloured
    to_file = run_cli_env(env, "check", str(EXAMPLES), "--format", "text:/dev/stdout")
    assert ANSI not in to_file.stdout  # a report file is never coloured unless --color always


def test_concise_is_one_line_per_finding_under_either_option_name(tmp_path: Path) -> None:
    infra = _examples(tmp_path)
    concise = run_cli("check", ".", "--format", "concise", cwd=infra)
    alias = run_cli("check", ".", "--output-format", "concise", cwd=infra)
    assert alias.stdout == concise.stdout and alias.returncode == concise.returncode == 1
    findings = json.loads(run_cli("check", ".", "--format", "json", cwd=infra).stdout)["findings"]
    lines = concise.stdout.splitlines()
    assert len(lines) == len(findings) + 1  # and the summary
    for line, finding in zip(lines, findings, strict=False):
        assert line.startswith(
            f"{finding['file']}:{finding['start_line']}:{finding['start_column']}: "
            f"{finding['rule_id']} {finding['severity']}: "
        )
    assert " | " not in concise.stdout  # no excerpts


@pytest.mark.parametrize(
    ("shell", "marker"), [("bash", "complete "), ("zsh", "#compdef orylint"), ("fish", "complete ")]
)
def test_shell_completion_scripts(shell: str, marker: str) -> None:
    """`_ORYLINT_COMPLETE=<shell>_source orylint` (docs/getting-started.md) emits a script."""
    orylint = Path(sys.executable).parent / "orylint"
    assert orylint.exists(), "the orylint console script is installed with the package"
    env = {**os.environ, "_ORYLINT_COMPLETE": f"{shell}_source"}
    result = subprocess.run([str(orylint)], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert marker in result.stdout and "_ORYLINT_COMPLETE" in result.stdout


@pytest.mark.parametrize(
    ("words", "expected"),
    [("orylint check --format c", "concise"), ("orylint explain ory20", "ORY201")],
)
def test_shell_completion_offers_formats_and_rules(words: str, expected: str) -> None:
    orylint = Path(sys.executable).parent / "orylint"
    env = {
        **os.environ,
        "_ORYLINT_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    result = subprocess.run([str(orylint)], env=env, capture_output=True, text=True, check=False)
    assert f"plain,{expected}" in result.stdout.splitlines()


@pytest.mark.parametrize(
    "query",
    [
        "ORY201",
        "ory201",
        "Ory201",
        "lifespan-not-go-duration",
        "Lifespan-Not-Go-Duration",
        "LIFESPAN_NOT_GO_DURATION",
    ],
)
def test_explain_matches_ids_and_names_case_insensitively(query: str) -> None:
    expected = run_cli("explain", "ORY201")
    assert expected.returncode == 0 and "ORY201" in expected.stdout
    result = run_cli("explain", query)
    assert (result.returncode, result.stdout) == (0, expected.stdout)


def test_documented_bash_completion_line_registers_the_completion() -> None:
    """The ```bash line of docs/getting-started.md, run by real bash, defines `orylint`'s."""
    if shutil.which("bash") is None:
        pytest.fail("bash is needed to check the documented completion line")
    text = (REPO / "docs" / "getting-started.md").read_text(encoding="utf-8")
    [snippet] = [
        block.split("```", 1)[0] for block in text.split("```bash\n")[1:] if "_COMPLETE" in block
    ]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-c", f"{snippet}\ncomplete -p orylint"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "-F _orylint_completion orylint" in result.stdout


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [("ORY2O1", "ORY201"), ("Lifespan-Not-Go-Duratoin", "lifespan-not-go-duration")],
)
def test_explain_suggests_the_closest_rule_in_its_own_spelling(query: str, suggestion: str) -> None:
    result = run_cli("explain", query)
    assert result.returncode == 2
    assert f"did you mean {suggestion}?" in result.stderr

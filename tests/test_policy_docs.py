"""docs/policies.md is executed: its files are written, its commands run, their output compared.

A block fenced as ```` ```yaml file=PATH ```` (any language) writes PATH in a fresh directory
(``append`` adds to it); a ```` ```console ```` block runs each ``$ orylint ...`` line there, after
the files above it, and its output must be the lines that follow. Timings are normalised.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from orylint.policies.facts import FACTS
from orylint.policies.loader import PACKS, load_policies
from tests.helpers import REPO, run_cli

PAGE = REPO / "docs" / "policies.md"
_BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)
_TIMING = re.compile(r"=+ (.*) in [0-9.]+s =+")


def _normalise(text: str) -> str:
    return _TIMING.sub(r"== \1 ==", text)


def test_the_tutorial_runs_as_written(tmp_path: Path) -> None:
    commands = 0
    for language, info, body in _BLOCK.findall(PAGE.read_text(encoding="utf-8")):
        words = info.split()
        target = next((w.removeprefix("file=") for w in words if w.startswith("file=")), None)
        if target is not None:
            path = tmp_path / target
            path.parent.mkdir(parents=True, exist_ok=True)
            previous = path.read_text(encoding="utf-8") if "append" in words else ""
            path.write_text(previous + body, encoding="utf-8")
        elif language == "console":
            for command, expected in re.findall(r"^\$ (.*)\n((?:(?!\$ ).*\n)*)", body, re.M):
                argv = shlex.split(command)
                assert argv[0] == "orylint"
                run = run_cli(*argv[1:], cwd=tmp_path)
                assert _normalise(run.stdout) == _normalise(expected), command
                commands += 1
    assert commands == 3


def test_the_reference_lists_every_fact_and_pack_policy() -> None:
    page = PAGE.read_text(encoding="utf-8")
    for name, (meaning, _) in FACTS.items():
        assert f"| `{name}` | " in page, name
        assert meaning.split(",")[0].split(":")[0] in page, name
    for pack in PACKS:
        for policy in load_policies(packs=[pack]):
            assert f"| {policy.id} | `{policy.name}` | {policy.severity} |" in page

"""Every shell snippet and configuration block of the docs works as the docs say.

Fenced blocks are read from ``README.md`` and ``docs/**/*.md`` when the tests are collected, so a
block added to any page is tested without listing it here. Conventions, in the Markdown source:

- Shell blocks (```` ```sh ````, ``bash``, ``shell``): each command runs with ``bash`` in a fresh
  sandbox per block (a copy of ``examples/``, also as ``infra/``, ``main.tf``/``other.tf``, the
  example policies as ``policies/``, a real plan as ``plan.json`` and ``envs/prod.tfvars``), in
  order, and must exit 0, or N when its trailing comment says ``exit N``.
- ``<!-- docs-test: exit N -->`` on the line before a block makes N the default for its commands.
- ``<!-- docs-test: not run: REASON -->`` on the line before a block leaves it out; the reason is
  required (a test checks it), and says where the command is tested instead.
- ```` ```toml ```` blocks must parse; those that are orylint configuration (a leading comment
  names ``.orylint.toml``, or they have a ``[tool.orylint]`` table) must load with orylint and
  validate against the shipped JSON Schema; a schema ``path``/``#:schema`` must be its ``$id``.
- ```` ```yaml ```` blocks must parse; pre-commit configuration (``repos:``, or a hook fragment
  ``- id: orylint...``) must pass ``pre-commit validate-config`` with hook ids that
  ``.pre-commit-hooks.yaml`` defines, and a hook's ``args`` must be accepted by its entry.

A failure names the page and line of the block.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from orylint.config import load_config
from tests.helpers import REPO

PAGES = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])
SHELL = frozenset({"sh", "bash", "shell"})
_FENCE = re.compile(r"^(`{3,})([\w.+-]*)[^\n]*$")
_DIRECTIVE = re.compile(r"^<!--\s*docs-test:\s*(.*?)\s*-->$")
_EXIT = re.compile(r"\bexits? (\d+)\b")
_COMMENT = re.compile(r"\s#\s(.*)$")


@dataclass(frozen=True)
class Block:
    """A fenced block: where it is, its language, its text and the directive before it."""

    page: Path
    line: int
    language: str
    text: str
    directive: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO).as_posix()}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a page (the line is the opening fence's, 1-based)."""
    found = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, language = opening.groups()
        end = index + 1
        while end < len(lines) and not lines[end].startswith(fence):
            end += 1
        before = lines[index - 1].strip() if index else ""
        directive = _DIRECTIVE.match(before)
        found.append(
            Block(
                page,
                index + 1,
                language.lower(),
                "\n".join(lines[index + 1 : end]) + "\n",
                directive.group(1) if directive else "",
            )
        )
        index = end + 1
    return found


ALL = [block for page in PAGES for block in blocks(page)]


def of(*languages: str) -> list[Any]:
    return [pytest.param(b, id=b.where) for b in ALL if b.language in languages]


def not_run_reason(block: Block) -> str | None:
    if block.directive.startswith("not run"):
        return block.directive.removeprefix("not run").lstrip(":, ").strip()
    return None


def commands(block: Block) -> list[tuple[str, int]]:
    """The block's commands (continuation lines joined) and the exit code each must give."""
    default = re.fullmatch(r"exit (\d+)", block.directive)
    expected_default = int(default.group(1)) if default else 0
    result = []
    pending = ""
    for raw in block.text.splitlines():
        line = pending + raw
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        comment = _COMMENT.search(line)
        said = _EXIT.search(comment.group(1)) if comment else None
        result.append((line, int(said.group(1)) if said else expected_default))
    return result


def sandbox(root: Path) -> Path:
    """A directory where the docs' commands find what they name."""
    examples = REPO / "examples"
    shutil.copytree(examples, root / "examples")
    shutil.copytree(examples, root / "infra")
    shutil.copytree(examples / "policies", root / "policies")
    shutil.copy(examples / "clients.tf", root / "main.tf")
    shutil.copy(examples / "outputs.tf", root / "other.tf")
    shutil.copy(REPO / "tests" / "fixtures" / "plans" / "equivalence.plan.json", root / "plan.json")
    (root / "envs").mkdir()
    (root / "envs" / "prod.tfvars").write_text('environment = "prod"\n', encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def environment() -> dict[str, str]:
    """orylint of this checkout first on PATH, no colour, and git able to commit."""
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "NO_COLOR": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }


@pytest.mark.parametrize("block", of(*SHELL))
def test_shell_snippets_exit_as_documented(block: Block, tmp_path: Path) -> None:
    if not_run_reason(block) is not None:
        return  # test_every_shell_snippet_runs_or_says_why holds it to a reason
    root = sandbox(tmp_path / "sandbox")
    for command, expected in commands(block):
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=root,
            env=environment(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == expected, (
            f"{block.where}: `{command}` exited {done.returncode}, the docs say {expected}\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
        assert "Traceback" not in done.stderr, f"{block.where}: `{command}`\n{done.stderr}"


def test_every_shell_snippet_runs_or_says_why() -> None:
    shell = [block for block in ALL if block.language in SHELL]
    assert shell, "no shell snippets found: the extraction is broken"
    silent = [b.where for b in shell if not_run_reason(b) == ""]
    assert not silent, f"`docs-test: not run` needs a reason: {silent}"
    unknown = [
        b.where
        for b in ALL
        if b.directive and not re.fullmatch(r"exit \d+", b.directive) and not_run_reason(b) is None
    ]
    assert not unknown, f"unknown docs-test directive: {unknown}"
    assert all(commands(b) for b in shell if not_run_reason(b) is None)


def shipped_schema() -> dict[str, Any]:
    text = resources.files("orylint.schemas").joinpath("config.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def is_orylint_config(block: Block) -> bool:
    """A ``[tool.orylint]`` table, or a block whose leading comments name ``.orylint.toml``."""
    leading = itertools.takewhile(lambda line: line.startswith("#"), block.text.splitlines())
    return any(".orylint.toml" in line for line in leading) or "[tool.orylint" in block.text


@pytest.mark.parametrize("block", of("toml"))
def test_toml_blocks_parse_and_configurations_load(block: Block, tmp_path: Path) -> None:
    try:
        data = tomllib.loads(block.text)
    except tomllib.TOMLDecodeError as error:
        pytest.fail(f"{block.where}: not valid TOML: {error}")
    schema = shipped_schema()
    for match in re.finditer(
        r"(?:#:schema\s+|path\s*=\s*\")(\S+?config\.schema\.json)", block.text
    ):
        assert match.group(1) == schema["$id"], f"{block.where}: schema URL is not the $id"
    if not is_orylint_config(block):
        return
    pyproject = "[tool.orylint" in block.text
    path = tmp_path / ("pyproject.toml" if pyproject else ".orylint.toml")
    path.write_text(block.text, encoding="utf-8")
    try:
        load_config(path)
    except Exception as error:
        pytest.fail(f"{block.where}: orylint refuses this configuration: {error}")
    table = data["tool"]["orylint"] if pyproject else data
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(table)]
    assert not errors, f"{block.where}: the shipped schema refuses it: {errors}"


def is_pre_commit(block: Block) -> bool:
    return "repos:" in block.text or bool(re.search(r"^\s*- id: orylint", block.text, re.M))


def hook_ids() -> dict[str, dict[str, Any]]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in hooks}


@pytest.mark.parametrize("block", of("yaml", "yml"))
def test_yaml_blocks_parse_and_pre_commit_configs_validate(block: Block, tmp_path: Path) -> None:
    try:
        data = yaml.safe_load(block.text)
    except yaml.YAMLError as error:
        pytest.fail(f"{block.where}: not valid YAML: {error}")
    if not is_pre_commit(block):
        return
    if isinstance(data, dict):
        config = data
    else:  # a fragment of the hooks list, as the docs show it
        config = {
            "repos": [{"repo": "https://github.com/orylint/orylint", "rev": "v0", "hooks": data}]
        }
    path = tmp_path / ".pre-commit-config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    validated = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert validated.returncode == 0, f"{block.where}: {validated.stdout}{validated.stderr}"
    known = hook_ids()
    root = sandbox(tmp_path / "sandbox")
    for repo in config["repos"]:
        if "orylint" not in repo["repo"]:
            continue
        for hook in repo["hooks"]:
            assert hook["id"] in known, f"{block.where}: no hook {hook['id']!r}"
            if "args" not in hook:
                continue
            entry = known[hook["id"]]["entry"].split()
            done = subprocess.run(
                [*entry, *hook["args"], "infra/clients.tf"],
                cwd=root,
                env=environment(),
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode in (0, 1), f"{block.where}: {hook['args']}: {done.stderr}"


def test_configuration_blocks_are_recognised() -> None:
    found = {b.where.split(":")[0] for b in ALL if b.language == "toml" and is_orylint_config(b)}
    assert {"docs/configuration.md", "docs/pre-commit.md"} <= found
    taplo = [b for b in ALL if b.language == "toml" and "[[rule]]" in b.text]
    assert taplo and not any(is_orylint_config(b) for b in taplo)

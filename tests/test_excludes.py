"""Excludes and per-path ignores mean what they mean in a .gitignore: git itself is the oracle.

Files are compared with ``git ls-files --ignored`` (what git really leaves out, directories
above included) and directories with ``git check-ignore``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from orylint.terraform.discover import Excludes, discover, is_excluded

FILES = (
    "main.tf",
    "other.tf",
    "z.tf",
    "x.generated.tf",
    "axxb.tf",
    "legacy/a.tf",
    "legacy/keep.tf",
    "modules/legacy/a.tf",
    "modules/keep/a.tf",
    "modules/x/main.tf",
    "envs/old/main.tf",
    "a/envs/old/main.tf",
    "gen/a.tf",
    "y/gen/a.tf",
    "a/c.tf",
    "a/b/b/c.tf",
    "a/x.tf",
    "b/x.tf",
    "c/x.tf",
    "deep/x.tf",
    "deep/1/2/x.tf",
    "dir/keep.tf",
    "dir/other.tf",
    "dir/sub/y.tf",
)

PATTERNS = [
    ["/legacy/"],
    ["legacy/"],
    ["legacy"],
    ["envs/old/"],
    ["*.generated.tf"],
    ["**/gen/*.tf"],
    ["gen/"],
    ["modules/**"],
    ["modules/**", "!modules/keep/", "!modules/keep/**"],
    ["modules/**", "!modules/keep/"],
    ["**/gen/**", "!y/gen/a.tf"],
    ["**", "!*/", "!main.tf"],
    ["a/**/"],
    ["dir/**/", "*/"],
    ["modules/*/main.tf"],
    ["legacy", "!legacy/"],
    ["modules/", "!modules/keep/"],
    ["/legacy/", "!legacy/keep.tf"],
    ["*.tf", "!main.tf"],
    ["a/****/c.tf"],
    ["a/**/c.tf"],
    ["a**b.tf"],
    ["[ab]/x.tf"],
    ["?.tf"],
    ["deep/**/x.tf"],
    ["dir/*", "!dir/keep.tf"],
    ["dir/*/"],
    ["/*.tf"],
    ["**/x.tf", "!/deep/**"],
]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("# nothing\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


DIRECTORIES = sorted({str(parent) for name in FILES for parent in Path(name).parents} - {"."})


def git_check_ignore(root: Path, patterns: list[str], paths: list[str]) -> set[str]:
    """The paths ``git check-ignore`` says these .gitignore lines exclude (not re-include)."""
    (root / ".gitignore").write_text("\n".join(patterns) + "\n", encoding="utf-8")
    verbose = subprocess.run(
        ["git", "check-ignore", "--stdin", "--verbose", "--non-matching"],
        cwd=root,
        input="\n".join(paths) + "\n",
        capture_output=True,
        text=True,
        check=False,  # exit 1 when nothing matches
    ).stdout
    excluded = set()
    for line in verbose.splitlines():
        source, path = line.split("\t")
        if source != "::" and not source.split(":", 2)[2].startswith("!"):
            excluded.add(path)
    return excluded


def git_ignored(root: Path, patterns: list[str]) -> set[str]:
    """The files git itself ignores with these lines in the root's .gitignore."""
    (root / ".gitignore").write_text("\n".join(patterns) + "\n", encoding="utf-8")
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return set(listed) - {".gitignore"}


@pytest.mark.parametrize("patterns", PATTERNS, ids=" ".join)
def test_excludes_agree_with_git(tree: Path, patterns: list[str]) -> None:
    expected = git_ignored(tree, patterns)
    matched = {name for name in FILES if is_excluded(name, patterns, is_dir=False)}
    assert matched == expected
    # discovery prunes excluded directories and keeps the rest, as git does
    found = discover([str(tree)], Excludes(tuple(patterns))).tf_files
    assert {Path(path).relative_to(tree).as_posix() for path in found} == set(FILES) - expected


@pytest.mark.parametrize("patterns", PATTERNS, ids=" ".join)
def test_directory_excludes_agree_with_git_check_ignore(tree: Path, patterns: list[str]) -> None:
    expected = git_check_ignore(tree, patterns, DIRECTORIES)
    assert {d for d in DIRECTORIES if is_excluded(d, patterns, is_dir=True)} == expected


def test_anchored_legacy_does_not_exclude_a_nested_legacy() -> None:
    assert is_excluded("legacy/a.tf", ["/legacy/"], is_dir=False)
    assert not is_excluded("modules/legacy/a.tf", ["/legacy/"], is_dir=False)
    assert is_excluded("modules/legacy/a.tf", ["legacy/"], is_dir=False)
    assert not is_excluded("legacy", ["legacy/"], is_dir=False)  # a file named legacy

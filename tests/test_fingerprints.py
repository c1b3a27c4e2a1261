"""GitHub's line hash, checked against the published vectors of github/codeql-action's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from orylint.engine.fingerprints import line_hashes, logical_key

# Expected values published in github/codeql-action src/fingerprints.test.ts.
VECTORS = [
    ("", ["c129715d7a2bc9a3:1"]),
    (
        " a\nb\n  \t\tc\n d",
        ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
    ),
    (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
        [
            "e9496ae3ebfced30:1",
            "fb7c023a8b9ccb3f:1",
            "ce8ba1a563dcdaca:1",
            "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1",
            "c8e28b0b4002a3a0:1",
            "c129715d7a2bc9a3:1",
        ],
    ),
    (
        "Lorem ipsum dolor sit amet.\n" * 10,
        [
            "a7f2ff13bc495cf2:1",
            "a7f2ff13bc495cf2:2",
            "a7f2ff13bc495cf2:3",
            "a7f2ff13bc495cf2:4",
            "a7f2ff13bc495cf2:5",
            "a7f2ff13bc495cf2:6",
            "a7f2ff1481e87703:1",
            "a9cf91f7bbf1862b:1",
            "55ec222b86bcae53:1",
            "cc97dc7b1d7d8f7b:1",
            "c129715d7a2bc9a3:1",
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), VECTORS)
def test_line_hashes_match_github(text: str, expected: list[str]) -> None:
    hashes = line_hashes(text)
    assert [hashes[line] for line in sorted(hashes)] == expected


@pytest.mark.parametrize(
    "variant",
    [
        " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
        " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
        " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
    ],
)
def test_line_endings_are_normalised(variant: str) -> None:
    assert line_hashes(variant) == line_hashes(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n")


def test_logical_key_ignores_lines_but_not_meaning() -> None:
    key = logical_key("ORY201", "ory_oauth2_client.web", "scope", "a.tf", Path.cwd())
    assert key == logical_key("ORY201", "ory_oauth2_client.web", "scope", "b.tf", Path.cwd())
    assert key != logical_key("ORY204", "ory_oauth2_client.web", "scope", "a.tf", Path.cwd())
    assert key != logical_key("ORY201", "ory_oauth2_client.api", "scope", "a.tf", Path.cwd())
    assert logical_key("ORY001", None, None, "a.tf", Path.cwd()) != logical_key(
        "ORY001", None, None, "b.tf", Path.cwd()
    )


def test_logical_key_tells_module_directories_apart_relative_to_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same address in prod/ and staging/ is two findings; where orylint runs is not."""
    (tmp_path / "envs").mkdir()
    monkeypatch.chdir(tmp_path)
    prod = logical_key("ORY201", "ory_oauth2_client.web", "scope", "envs/prod/main.tf", tmp_path)
    staging = logical_key(
        "ORY201", "ory_oauth2_client.web", "scope", "envs/staging/main.tf", tmp_path
    )
    assert prod != staging
    monkeypatch.chdir(tmp_path / "envs")
    assert prod == logical_key("ORY201", "ory_oauth2_client.web", "scope", "prod/main.tf", tmp_path)
    assert prod == logical_key(
        "ORY201", "ory_oauth2_client.web", "scope", str(tmp_path / "envs/prod/other.tf"), tmp_path
    )

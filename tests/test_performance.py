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

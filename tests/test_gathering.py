"""Gathering in a child process (``orylint.gathering``) gives exactly what gathering in one does."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import orylint.gather
from orylint import gathering
from orylint.cli import main
from orylint.config import Configurations
from orylint.engine.result import ScanResult, Trace
from orylint.scan import ScanOptions, scan
from orylint.terraform import recorder
from orylint.terraform.document import Document
from tests.helpers import REPO

EXAMPLES = REPO / "examples"

CLIENT = """\
resource "ory_oauth2_client" "web" {
  client_name    = "web"
  grant_types    = ["authorization_code"]
  response_types = ["code"]
  redirect_uris  = ["http://app.example.com/callback"]
}
"""


def _described(result: ScanResult) -> dict[str, object]:
    """Everything a scan reports, for comparing two scans."""
    return {
        "findings": result.findings,
        "suppressed": result.suppressed,
        "files": result.files,
        "fatal_errors": result.fatal_errors,
        "load_errors": result.load_errors,
        "trace": result.trace.entries,
        "terraform_files": result.terraform_files,
        "clients": result.clients,
        "resource_types": result.resource_types,
        "sources": result.sources,
    }


def _both(options: ScanOptions) -> tuple[dict[str, object], dict[str, object]]:
    """The scan gathering in a child, and gathering itself."""
    child = gathering.start(options)
    assert child is not None  # else this test compares nothing
    return _described(scan(options, child)), _described(scan(options))


def _tree(root: Path) -> Path:
    """Modules that exercise every part of gathering."""
    (root / "app").mkdir(parents=True)
    (root / "app" / "main.tf").write_text(CLIENT, "utf-8")
    (root / "app" / "versions.tf").write_text('terraform {\n  required_version = ">= 1"\n}\n')
    (root / "app" / "latin1.tf").write_bytes(b'locals {\n  x = "caf\xe9"\n}\n')  # not UTF-8
    (root / "app" / "outputs.tf").write_text(
        'output "id" {\n  value = ory_oauth2_client.web.client_id\n}\n', "utf-8"
    )
    (root / "app" / "fifo.tf").symlink_to(root / "nowhere.tf")  # dangling: unreadable
    (root / "caller").mkdir()
    (root / "caller" / "main.tf").write_text('module "app" {\n  source = "../app"\n}\n')
    (root / "other").mkdir()
    (root / "other" / "bucket.tf").write_text('resource "aws_s3_bucket" "b" {}\n', "utf-8")
    (root / "other" / "bad.tf").write_bytes(b"\xff\xfe\x00")  # decoded, and refused
    (root / "legacy").mkdir()
    (root / "legacy" / "main.tf").write_text(CLIENT, "utf-8")
    (root / "legacy" / ".orylint.toml").write_text('exclude = ["skipped.tf"]\n', "utf-8")
    (root / "legacy" / "skipped.tf").write_text(CLIENT, "utf-8")
    (root / "vendor" / "pkg").mkdir(parents=True)  # a configuration only the walk reads
    (root / "vendor" / ".orylint.toml").write_text('exclude = ["pkg/"]\n', "utf-8")
    (root / "vendor" / "pkg" / "main.tf").write_text(CLIENT, "utf-8")
    (root / "tofu").mkdir()
    (root / "tofu" / "main.tf").write_text(CLIENT, "utf-8")
    (root / "tofu" / "main.tofu").write_text(CLIENT.replace('"web"', '"tofu"'), "utf-8")
    return root


def _slow_tree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seconds: float) -> Path:
    """:func:`_tree` with a directory walked last that the child (only) takes long to read."""
    root = _tree(tmp_path / "tree")
    (root / "zzz").mkdir()
    (root / "zzz" / "main.tf").write_text("locals {}\n", "utf-8")
    parent, read = os.getpid(), orylint.gather.read_regular_file

    def slow_in_the_child(path: str, limit: int) -> bytes:
        if os.getpid() != parent and "zzz" in path:
            time.sleep(seconds)
        return read(path, limit)

    monkeypatch.setattr(orylint.gather, "read_regular_file", slow_in_the_child)
    return root


@pytest.mark.parametrize("resource_types", [False, True])
def test_a_child_gathers_what_the_scan_would(tmp_path: Path, resource_types: bool) -> None:
    root = _tree(tmp_path / "tree")
    options = ScanOptions(
        [str(root), str(REPO / "tests" / "fixtures" / "rules"), str(EXAMPLES), "missing.tf"],
        excludes=["other/bucket.tf"],
        configs=Configurations(None),
        jobs=2,
        resource_types=resource_types,
    )
    in_child, here = _both(options)
    assert in_child == here
    assert len(here["findings"]) > 500  # type: ignore[arg-type]
    assert here["fatal_errors"] and here["load_errors"]  # the missing path, the dangling link
    assert bool(here["resource_types"]) is resource_types


def test_a_child_gathers_what_the_scan_would_with_plans(tmp_path: Path) -> None:
    # plans among the inputs: their module sources are read after them, by the scan
    root = _tree(tmp_path / "tree")
    options = ScanOptions(
        [str(root), str(REPO / "tests" / "fixtures" / "plans")],
        configs=Configurations(None),
        jobs=2,
    )
    in_child, here = _both(options)
    assert in_child == here
    assert any(name.endswith(".plan.json") for name in here["files"])  # type: ignore[attr-defined]


def test_a_scan_of_named_files_gathers_in_this_process(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CLIENT, "utf-8")
    assert gathering.start(ScanOptions([str(tmp_path / "main.tf")], jobs=2)) is None
    assert gathering.start(ScanOptions([str(tmp_path)], jobs=1)) is None  # --jobs 1: no child
    assert gathering.start(ScanOptions([str(tmp_path)], jobs=2)) is not None


def test_a_failing_child_leaves_the_gathering_to_the_scan(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = _tree(tmp_path / "tree")
    parent = os.getpid()
    gather = orylint.gather.gather

    def fails_in_the_child(options: ScanOptions) -> orylint.gather.Gathered:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return gather(options)

    monkeypatch.setattr(orylint.gather, "gather", fails_in_the_child)
    options = ScanOptions([str(root)], configs=Configurations(None), jobs=2)
    in_child, here = _both(options)
    assert in_child == here and here["findings"]


def test_a_broken_configuration_is_reported_as_without_a_child(tmp_path: Path) -> None:
    root = _tree(tmp_path / "tree")
    (root / "legacy" / ".orylint.toml").write_text("exclude = 3\n", "utf-8")  # met by the walk
    runs = [
        CliRunner().invoke(main, ["check", str(root), "--no-cache", "-j", jobs])
        for jobs in ("1", "2")
    ]
    assert runs[0].exit_code == runs[1].exit_code == 2
    assert runs[0].output == runs[1].output and ".orylint.toml" in runs[0].output


def test_what_the_child_read_is_recorded_and_its_configuration_files_known(
    tmp_path: Path,
) -> None:
    root = _tree(tmp_path / "tree")
    recordings = []
    known = []
    for child in (True, False):
        configs = Configurations(None)
        options = ScanOptions([str(root)], configs=configs, jobs=2)
        with recorder.recording() as recording:
            scan(options, gathering.start(options) if child else None)
        recordings.append((recording.files.keys(), recording.directories, recording.probes))
        known.append(configs.files())
    assert recordings[0] == recordings[1]
    assert (root / "vendor" / ".orylint.toml").resolve() in {
        path.resolve() for path in known[0]
    }  # read by the walk alone (its excludes), in the child
    assert sorted(known[0]) == sorted(known[1])
    assert str(root / "other" / "bucket.tf") in recordings[0][0]  # read, not parsed


def test_a_child_whose_result_is_not_taken_is_stopped(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CLIENT, "utf-8")
    child = gathering.start(ScanOptions([str(tmp_path)], jobs=2))
    assert child is not None
    pid = child._pid
    child.close()
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)
    child.close()  # twice is harmless


def test_files_certain_to_be_parsed_are_parsed_while_the_child_reads_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from orylint.scan import _gather

    root = _slow_tree(monkeypatch, tmp_path, seconds=1)  # the parent gets the files before
    options = ScanOptions([str(root)], configs=Configurations(None), jobs=2)
    gathered, early = _gather(options, gathering.start(options), None, Trace())
    assert gathered.files is not None
    to_parse = dict(gathered.files.to_parse)
    app = {name for name in to_parse if "/app/" in name}
    assert app == {name for name in early if "/app/" in name}  # every file of it that can matter
    assert not any("/caller/" in name for name in early)  # a caller: known only at the end
    assert all(to_parse[name] == data for name, (data, _) in early.items())
    here = scan(dataclasses.replace(options, jobs=1))
    for name, (_, loaded) in early.items():
        if isinstance(loaded, Document):
            assert loaded.text == here.sources[name]
        else:  # latin1.tf: not UTF-8
            assert loaded in here.load_errors


def test_one_usable_cpu_means_no_child(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ORYLINT_JOBS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    options = ScanOptions([str(tmp_path)])
    assert options.workers() == 1  # a container allowed one CPU of many
    assert gathering.start(options) is None
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    child = gathering.start(options)
    assert child is not None
    child.close()


def test_ctrl_c_while_the_child_gathers_leaves_no_child_behind(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import signal

    from orylint import cli

    root = _slow_tree(monkeypatch, tmp_path, seconds=30)
    started: list[int] = []
    start = gathering.start

    def recorded(options: ScanOptions) -> gathering.Gathering | None:
        child = start(options)
        assert child is not None
        started.append(child._pid)
        return child

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(gathering, "start", recorded)
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        with pytest.raises(KeyboardInterrupt):
            cli.scan(ScanOptions([str(root)], configs=Configurations(None), jobs=2))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    [pid] = started
    with pytest.raises(ChildProcessError):  # stopped and reaped, not left reading
        os.waitpid(pid, os.WNOHANG)

"""What keeps a scan fast: the work per file, the cache, the pre-filter and linear algorithms.

No test here times anything (a shared machine makes timings flaky); each counts the work that
made a scan slow, or checks that a faster path gives exactly the answer of the slow one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from orylint.config import CONFIG_FILE_NAMES, Configurations
from orylint.scan import ScanOptions, scan
from orylint.terraform.cache import Cache
from orylint.terraform.discover import Excludes, discover
from tests.helpers import run_cli

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
    scanned = [path for path in calls if path.startswith(str(tmp_path))]  # not orylint's own
    assert len(scanned) <= 4  # the root and the per-path-ignores base, never per file


def test_the_walk_asks_for_the_configuration_only_where_one_can_be(tmp_path: Path) -> None:
    # Was: a configuration lookup (two stats) for every directory, and before that for every
    # file, of a repository: a third of discovery on the real corpus.
    _tree(tmp_path, directories=6, files=2)
    (tmp_path / "module_3" / ".orylint.toml").write_text('exclude = ["file_1.tf"]\n')
    (tmp_path / "module_3" / "nested").mkdir()
    (tmp_path / "module_3" / "nested" / "file_1.tf").write_text("locals {}\n")
    (tmp_path / "module_4" / "pyproject.toml").write_text("[tool.other]\n")  # no orylint table
    configs = Configurations(None)
    asked: list[str] = []

    def anchored(directory: Path) -> tuple[Sequence[str], Path]:
        asked.append(os.path.relpath(directory, tmp_path))
        config = configs.for_directory(directory)
        return config.exclude, config.base or Path()

    excludes = Excludes((), anchored, anchored_by=CONFIG_FILE_NAMES)
    inputs = discover([str(tmp_path)], excludes)
    assert sorted(asked) == [".", "module_3", "module_4"]
    listed = {Path(path).relative_to(tmp_path).as_posix() for path in inputs.tf_files}
    # module_3's exclude holds below it (nested/ inherits it) and nowhere else
    assert "module_3/file_1.tf" not in listed and "module_3/nested/file_1.tf" not in listed
    assert {"module_3/file_0.tf", "module_4/file_1.tf", "module_5/file_1.tf"} <= listed
    assert listed == {
        path.relative_to(tmp_path).as_posix()
        for path in map(Path, discover([str(tmp_path)], Excludes((), anchored)).tf_files)
    }  # the same files as asking for every directory


def test_a_symlinked_file_is_listed_once(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CLIENT)
    (tmp_path / "link.tf").symlink_to("main.tf")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "other.tf").symlink_to("../main.tf")
    inputs = discover([str(tmp_path), str(tmp_path / "main.tf")])
    assert [Path(path).name for path in inputs.tf_files] == [
        "link.tf"
    ]  # found first, in name order
    assert inputs.explicit == set()  # the named file was already listed from its directory


def test_a_symlinked_directory_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "main.tf").write_text(CLIENT)
    (tmp_path / "alias").symlink_to("real")
    (tmp_path / "alias.tf").symlink_to("real")  # a directory with a .tf name is no file either
    inputs = discover([str(tmp_path)])
    assert [Path(path).relative_to(tmp_path).as_posix() for path in inputs.tf_files] == [
        "real/main.tf"
    ]


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


# --- the cache ------------------------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _findings(paths: list[str], cache: Path | None) -> str:
    """Everything a scan reports, as the JSON report (what users and CI compare)."""
    from orylint.report import render

    result = scan(ScanOptions(paths=paths, cache_dir=str(cache) if cache else None))
    return render("json", result, exit_code=0)


def _entries(cache: Path) -> list[Path]:
    return sorted(path for path in cache.glob("entries-*/*/*") if path.is_file())


def _inputs() -> list[str]:
    fixtures = Path(__file__).parent / "fixtures"
    return [str(EXAMPLES), str(fixtures / "kitchen_sink"), str(fixtures / "seed")]


def test_findings_are_identical_cold_warm_and_with_a_corrupted_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import orylint.scan

    cache = tmp_path / "cache"
    uncached = _findings(_inputs(), None)
    assert _findings(_inputs(), cache) == uncached  # cold: parses and fills the cache
    entries = _entries(cache)
    assert len(entries) >= 5

    def no_parsing(name: str, data: bytes) -> None:
        raise AssertionError(f"{name} parsed although it is cached")

    with monkeypatch.context() as patch:
        patch.setattr(orylint.scan, "load_file", no_parsing)
        assert _findings(_inputs(), cache) == uncached  # warm: nothing parsed

    # Damage every entry a different way: flipped bytes, truncation, a foreign file, another
    # version's header, a valid header over a body that is not ours.
    header = Cache(cache).header
    for number, entry in enumerate(entries):
        blob = entry.read_bytes()
        damaged = [
            blob[:-10] + bytes(b ^ 0xFF for b in blob[-10:]),
            blob[: len(blob) // 2],
            b"not a cache entry at all",
            blob.replace(b"orylint 0", b"orylint 9", 1),
            header + blob[len(header) : len(header) + 20] + b"\x80\x05garbage",
        ][number % 5]
        entry.write_bytes(damaged)
    assert _findings(_inputs(), cache) == uncached  # corrupt: ignored and rebuilt
    with monkeypatch.context() as patch:
        patch.setattr(orylint.scan, "load_file", no_parsing)
        assert _findings(_inputs(), cache) == uncached  # rebuilt entries are good again


def test_concurrent_runs_share_one_cache(tmp_path: Path) -> None:
    # Writers race on the same entries: each writes a temporary file and renames it into
    # place, so no run ever reads half an entry and all agree.
    cache = tmp_path / "cache"
    command = [
        sys.executable,
        "-m",
        "orylint",
        "check",
        *_inputs(),
        "--format",
        "json",
        "--fail-on",
        "never",
        "--cache-dir",
        str(cache),
    ]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1
    assert (
        json.loads(outputs[0][0])["findings"] == json.loads(_findings(_inputs(), None))["findings"]
    )
    assert not list(cache.glob("entries-*/*/.tmp-*"))  # no temporary file left behind
    assert all(
        Cache(cache).get(entry.parent.name + entry.name) is not None for entry in _entries(cache)
    )


def test_the_cache_stays_within_its_bound_and_keeps_the_recent_entries(tmp_path: Path) -> None:
    cache = Cache(tmp_path, max_bytes=256 * 4096)  # 4 KiB per bucket
    keys = [cache.key(f"file_{n}.tf", b"x" * n) for n in range(3000)]
    for key in keys:
        cache.put(key, "v" * 300)
    total = sum(path.stat().st_size for path in _entries(tmp_path))
    assert total <= cache.max_bytes
    assert len(_entries(tmp_path)) < 3000  # old entries were evicted
    assert cache.get(keys[-1]) == "v" * 300  # the newest is kept


def test_entries_of_another_version_are_not_read(tmp_path: Path) -> None:
    ours = Cache(tmp_path)
    key = ours.key("main.tf", b"locals {}")
    ours.put(key, "value")
    assert ours.get(key) == "value"
    other = Cache(tmp_path, header=ours.header.replace(b"orylint ", b"orylint 99."))
    assert other.get(key) is None  # same file, another version's entry: not trusted
    assert other.key("main.tf", b"locals {}") != key  # and never the same key anyway


def test_no_cache_writes_nothing_and_cache_dir_is_honoured(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.tf").write_text(CLIENT)
    cache = tmp_path / "cache"
    base = ["check", str(tmp_path / "src"), "--fail-on", "never", "--cache-dir", str(cache)]
    main = tmp_path / "src" / "main.tf"
    key = Cache(cache).key(main.as_posix(), main.read_bytes())
    assert run_cli(*base, "--no-cache").returncode == 0
    assert Cache(cache).get(key) is None  # only orylint's own metadata and tables are kept
    assert run_cli(*base).returncode == 0
    assert Cache(cache).get(key) is not None


def test_a_tf_json_document_crosses_processes_and_the_cache(tmp_path: Path) -> None:
    # Was: "Can't pickle local object '_parse.<locals>.span'": a scan of 48 files or more (parsed
    # in worker processes) with a .tf.json client failed, and such a file could not be cached.
    import pickle

    from orylint.scan import load_file

    text = json.dumps(
        {
            "locals": {"host": "example.com"},
            "resource": {
                "ory_oauth2_client": {
                    "web": {
                        "client_name": "web",
                        "grant_types": ["authorization_code"],
                        "redirect_uris": ["http://${local.host}/callback"],
                    }
                }
            },
        }
    )
    document = load_file("main.tf.json", text.encode())
    assert not hasattr(document, "fatal")
    copied = pickle.loads(pickle.dumps(document))

    def shape(loaded: object) -> list[tuple[str, list[str], list[str]]]:
        return [(b.type, b.labels, list(b.attributes)) for b in loaded.blocks]  # type: ignore[attr-defined]

    assert shape(copied) == shape(document)
    (tmp_path / "main.tf.json").write_text(text)
    for number in range(50):  # enough files to parse in worker processes
        (tmp_path / f"other_{number}.tf").write_text(f"locals {{ n{number} = {number} }}\n")
    cache = tmp_path / ".cache"
    cold = _findings([str(tmp_path)], cache)
    assert "ORY403" in cold  # plain http to a remote host: evaluated through the local
    assert len(_entries(cache)) == 51
    assert _findings([str(tmp_path)], cache) == cold == _findings([str(tmp_path)], None)


# --- the pre-filter inside directories that mention Ory -------------------------------------------


def _every_input() -> list[str]:
    return [str(Path(__file__).parent / "fixtures"), str(EXAMPLES)]


def test_findings_are_identical_with_and_without_the_file_pre_filter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import re

    import orylint.gather

    def findings() -> tuple[list[object], list[object]]:
        result = scan(ScanOptions(paths=_every_input()))
        return result.findings, result.suppressed

    filtered = findings()
    monkeypatch.setattr(orylint.gather, "_CAN_MATTER", re.compile(b""))  # every file matters
    assert findings() == filtered
    assert len(filtered[0]) > 1000  # the comparison covers every rule fixture and example


def test_files_that_cannot_matter_are_not_parsed(tmp_path: Path) -> None:
    texts = {
        "main.tf": CLIENT,
        "versions.tf": 'terraform {\n  required_version = ">= 1.5"\n}\n',
        "moved.tf": "moved {\n  from = aws_s3_bucket.a\n  to   = aws_s3_bucket.b\n}\n",
        "buckets.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
        "broken.tf": 'resource "aws_s3_bucket" "c" {\n',  # not parsed, so not reported
        "sink.tf": 'resource "local_file" "f" {\n  content = local.secret\n}\n',
        "locals.tf": "locals {\n  secret = ory_oauth2_client.web.client_secret\n}\n",
        "ignore.tf": "# ORYLINT:ignore ORY403 -- a directive is read wherever it is\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
    result = scan(ScanOptions(paths=[str(tmp_path)]))
    assert sorted(Path(name).name for name in result.sources) == [
        "ignore.tf",
        "locals.tf",
        "main.tf",
        "sink.tf",
    ]
    rules = {finding.rule_id for finding in result.findings}
    assert "ORY702" in rules  # the secret written to a file, through a local of another file
    assert "ORY002" in rules  # the directive was read: it covers nothing in its own file
    named = scan(ScanOptions(paths=[str(tmp_path / "broken.tf")]))
    assert "ORY001" not in {finding.rule_id for finding in named.findings}  # named: the same


# What a warm one-file text run (pre-commit's case) must not load: the parser stack, the
# formats it did not select, the configuration and schema machinery it has no file for, what
# only one rule needs, what only another option needs (excludes, a baseline, fixes, a report
# file, a mistyped rule id), and installed packages' metadata (the version is a constant).
NOT_AT_START_UP = (
    "hcl2",
    "orylint.terraform.hcl_parser",
    "tree_sitter",
    "orylint.report.sarif",
    "orylint.report.json_report",
    "jsonschema",
    "tomllib",
    "yaml",
    "publicsuffixlist",
    "platformdirs",
    "pathspec",
    "difflib",
    "orylint.engine.baseline",
    "orylint.engine.fixer",
    "orylint.engine.atomic",
    "importlib.metadata",
)

# What a run the result cache serves does not load either: it neither scans nor parses,
# evaluates, builds the model or runs a rule.
NOT_ON_A_RESULT_CACHE_HIT = (
    "lark",
    "orylint.checks",
    "orylint.model.effective",
    "pathspec",
    "orylint.scan",
    "orylint.terraform.hcl_loader",
    "orylint.terraform.tfjson_loader",
    "orylint.terraform.evaluator",
    "orylint.terraform.modules",
    "orylint.terraform.variables",
    "orylint.model.extract",
    "orylint.model.instances",
    "orylint.model.adapters",
)

_RUN_AND_LIST_MODULES = """\
import gc, sys
from orylint.cli import main
try:
    main(sys.argv[1:])  # click's entry point: sys.argv[1:] is the command line
except SystemExit:
    pass
print("\\n".join(sorted(sys.modules)), file=sys.stderr)
print(f"frozen:{gc.get_freeze_count()}", file=sys.stderr)
"""


def test_a_warm_one_file_run_imports_only_what_it_needs(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CLIENT)
    environ = {**os.environ, "ORYLINT_CACHE_DIR": str(tmp_path / "cache")}

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", _RUN_AND_LIST_MODULES, *arguments]
        return subprocess.run(
            command, cwd=tmp_path, env=environ, capture_output=True, text=True, check=False
        )

    cold = run("check", "main.tf", "--format", "text")
    assert "orylint.terraform.hcl_parser" in cold.stderr.split()  # the cold run parses
    assert "tree_sitter" not in cold.stderr.split()  # with python-hcl2: no fallback needed
    warm = run("check", "main.tf", "--format", "text")
    assert warm.stdout == cold.stdout and "ORY" in warm.stdout
    loaded = set(warm.stderr.split())
    assert "orylint.result_cache" in loaded
    assert loaded.isdisjoint(NOT_AT_START_UP), sorted(loaded.intersection(NOT_AT_START_UP))
    # The result cache served it: no scan, no parser, no evaluator, no model building.
    assert loaded.isdisjoint(NOT_ON_A_RESULT_CACHE_HIT), sorted(
        loaded.intersection(NOT_ON_A_RESULT_CACHE_HIT)
    )
    (tmp_path / "main.tf").write_text(CLIENT.replace('"web"', '"web2"', 1))  # an edit: a miss
    edited = run("check", "main.tf", "--format", "text")
    assert "orylint.scan" in edited.stderr.split()
    assert "web2" in edited.stdout and "web2" not in warm.stdout
    # A run that scans imports the pipeline and freezes what that built: neither the scan's
    # collections nor the interpreter's exit walk it again.
    [frozen] = [line for line in edited.stderr.split() if line.startswith("frozen:")]
    assert int(frozen.removeprefix("frozen:")) > 10_000


def test_version_and_help_load_nothing_of_the_scan(tmp_path: Path) -> None:
    """`orylint --version` and `--help` answer from click and the command definitions alone."""
    for arguments, answer in (
        (["--version"], "orylint, version"),
        (["--help"], "Usage:"),
        (["check", "--help"], "--format"),
    ):
        listed = subprocess.run(
            [sys.executable, "-c", _RUN_AND_LIST_MODULES, *arguments],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert answer in listed.stdout
        loaded = {line for line in listed.stderr.split() if line.startswith("orylint.")}
        assert loaded <= {
            "orylint.cli",
            "orylint.engine",
            "orylint.engine.findings",
            "orylint.model",
            "orylint.model.display",
            "orylint.report",
            "orylint.terraform",
            "orylint.terraform.document",
            "orylint.terraform.recorder",
            "orylint.terraform.source",
            "orylint.terraform.values",
        }, sorted(loaded)


def test_the_rules_run_with_the_collector_paused_and_it_is_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: the findings of 20 policies set off a full collection in the rules stage, which
    # walked the whole model of 10,000 files again (0.1-0.2 s of a 1.9 s scan).
    import gc

    import orylint.scan

    (tmp_path / "main.tf").write_text(CLIENT)
    seen: list[bool] = []
    run_rules = orylint.scan.run_rules

    def recording(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return run_rules(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(orylint.scan, "run_rules", recording)
    assert gc.isenabled()
    result = scan(ScanOptions(paths=[str(tmp_path)]))
    assert seen == [False]
    assert gc.isenabled()  # restored
    assert result.findings  # the rules ran as ever
    gc.disable()
    try:  # a caller that had it off keeps it off
        scan(ScanOptions(paths=[str(tmp_path)]))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_result_is_pickled_for_the_cache_with_the_collector_paused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: pickling gives every finding its attribute dictionary, and with a policy set's
    # thousands of findings that set off a full collection (0.03 s on the dense bench).
    import gc
    import pickle

    from orylint import result_cache
    from orylint.engine.result import ScanResult

    seen: list[bool] = []
    dumps = pickle.dumps

    def recording(value: object, protocol: int | None = None) -> bytes:
        seen.append(gc.isenabled())
        return dumps(value, protocol=protocol)

    monkeypatch.setattr(result_cache.pickle, "dumps", recording)
    data = result_cache._dumps(ScanResult(files=["main.tf"]))
    assert seen == [False] and gc.isenabled()
    loaded = result_cache._loads(data) if data is not None else None
    assert loaded is not None and loaded.files == ["main.tf"]


_COLLECTOR_DURING_THE_SCAN = """\
import gc, sys
import orylint.cli, orylint.scan
scan = orylint.scan.scan
def recording(*args, **kwargs):
    print(f"collecting:{gc.isenabled()}", file=sys.stderr)
    return scan(*args, **kwargs)
orylint.scan.scan = recording
sys.argv = ["orylint", *sys.argv[1:]]
getattr(orylint.cli, sys.argv.pop(1))()
"""


@pytest.mark.parametrize(("entry", "collecting"), [("run", False), ("main", True)])
def test_the_command_runs_without_the_collector_and_main_keeps_it(
    tmp_path: Path, entry: str, collecting: bool
) -> None:
    # A whole check leaves a few dozen objects in cycles; every full collection walked the model
    # again (0.12 s of a 1.0 s dense scan after an edit). The console script (run) turns the
    # collector off; a caller of main (tests, an editor) keeps its own.
    (tmp_path / "main.tf").write_text(CLIENT)
    listed = subprocess.run(
        [sys.executable, "-c", _COLLECTOR_DURING_THE_SCAN, entry, "check", "main.tf", "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 1, listed.stderr  # the client has findings
    assert "ORY" in listed.stdout
    assert f"collecting:{collecting}" in listed.stderr.split(), listed.stderr

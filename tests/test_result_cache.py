"""The result cache: a warm run serves the stored result only while no input has changed.

Every test runs the real command line; ``-v`` says whether the result came from the cache (the
trace's ``cache:`` line). Each change of an input must give a fresh, correct result; whatever
the cache holds must never change an answer (``--no-cache`` is the reference).
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from orylint import cli, result_cache
from orylint.options import ScanOptions
from orylint.report import FORMATS
from orylint.terraform import recorder

SECRET = "ory_pat_9c4d1e7a2b8f6053result-cache-test"

CLIENTS = f"""\
provider "ory" {{
  project_api_key = "{SECRET}"
}}

resource "ory_oauth2_client" "web" {{
  client_name   = "web"
  grant_types   = ["authorization_code"]
  redirect_uris = ["http://example.com/callback"]
}}

# orylint:ignore ORY403 -- the staging host is internal
resource "ory_oauth2_client" "staging" {{
  client_name   = "staging"
  grant_types   = ["authorization_code"]
  redirect_uris = ["http://staging.example.com/callback"]
}}
"""

FROM_VARIABLE = """\
variable "callback" {
  type    = string
  default = "https://example.com/callback"
}

resource "ory_oauth2_client" "configured" {
  client_name   = "configured"
  grant_types   = ["authorization_code"]
  redirect_uris = [var.callback]
}
"""

FROM_FILE = """\
resource "ory_oauth2_client" "from_file" {
  client_name   = "from_file"
  grant_types   = ["authorization_code"]
  redirect_uris = [trimspace(file("${path.module}/callback.txt"))]
}
"""

POLICY = """\
id: ACME001
name: names-start-with-team
severity: error
message: "{address}: client names start with the team's name"
description: The team owns the client.
require:
  properties:
    client_name: {pattern: "^PREFIX"}
"""

HIT = "cache: the result of an earlier run"


@dataclasses.dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def hit(self) -> bool:
        return HIT in self.stderr


def check(*args: str, env: dict[str, str] | None = None) -> Run:
    """``orylint check -v ARGS`` in this process (in the working directory the test chose)."""
    result = CliRunner().invoke(cli.main, ["check", "-v", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return Run(result.exit_code, result.stdout, result.stderr)


def rules(run: Run) -> list[str]:
    return re.findall(r"\bORY\d{3}\b|\bACME\d{3}\b", run.stdout)


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one module of clients, scanned from the module's directory."""
    module = tmp_path / "repo" / "infra"
    module.mkdir(parents=True)
    (module / "clients.tf").write_text(CLIENTS)
    (module / "variables.tf").write_text(FROM_VARIABLE)
    (module / "from_file.tf").write_text(FROM_FILE)
    (module / "callback.txt").write_text("https://example.com/file-callback\n")
    monkeypatch.chdir(module)
    return module


def test_a_second_run_is_served_from_the_cache_with_the_same_answer(tree: Path) -> None:
    cold = check(".")
    warm = check(".")
    assert not cold.hit and warm.hit
    assert (warm.code, warm.stdout) == (cold.code, cold.stdout)
    assert "ORY403" in cold.stdout and "ORY706" in cold.stdout
    assert "nothing was parsed" in warm.stderr


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_is_the_same_from_the_cache(tree: Path, name: str) -> None:
    check(".")  # fills the cache; the format is not part of the key
    warm = check(".", "--format", name)
    reference = check(".", "--format", name, "--no-cache")
    assert warm.hit and not reference.hit
    assert warm.code == reference.code

    def timeless(text: str) -> str:  # JUnit says how long the scan took
        return re.sub(r'time="[0-9.]+"', 'time=""', text)

    assert timeless(warm.stdout) == timeless(reference.stdout)
    assert SECRET not in warm.stdout + warm.stderr  # never shown, from the cache either


def _edit(tree: Path) -> None:
    text = (tree / "clients.tf").read_text()
    (tree / "clients.tf").write_text(text.replace("http://example.com", "https://example.com"))


def _touch_same_content(tree: Path) -> None:
    path = tree / "clients.tf"
    data = path.read_bytes()
    path.unlink()  # a new inode, new times: what a fresh checkout gives
    path.write_bytes(data)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))


def _add_file(tree: Path) -> None:
    (tree / "more.tf").write_text(
        'resource "ory_oauth2_client" "more" {\n  client_name = "more"\n'
        '  grant_types = ["implicit"]\n}\n'
    )


def _delete_file(tree: Path) -> None:
    (tree / "clients.tf").unlink()


def _parent_config(tree: Path) -> None:
    (tree.parent / ".orylint.toml").write_text('ignore = ["ORY706"]\n')


def _own_config(tree: Path) -> None:
    # looked for when the directory was walked, absent: the stored result keeps no probe of it
    # (the directory's listing answers for it, Recording.compacted)
    (tree / ".orylint.toml").write_text('ignore = ["ORY706"]\n')


def _tfvars(tree: Path) -> None:
    (tree / "terraform.tfvars").write_text('callback = "http://tfvars.example.com/cb"\n')


def _file_function(tree: Path) -> None:
    (tree / "callback.txt").write_text("http://file.example.com/callback\n")


CHANGES = {
    "edit": (_edit, False),
    "add a file": (_add_file, False),
    "delete a file": (_delete_file, False),
    "a configuration file in a parent directory": (_parent_config, False),
    "a configuration file in the scanned directory": (_own_config, False),
    "terraform.tfvars": (_tfvars, False),
    "a file read by file()": (_file_function, False),
    "same bytes, new inode and times": (_touch_same_content, True),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_changed_input_gives_a_fresh_correct_result(tree: Path, change: str) -> None:
    apply, still_served = CHANGES[change]
    check(".")
    assert check(".").hit
    apply(tree)
    after = check(".")
    reference = check(".", "--no-cache")
    assert after.hit == still_served
    assert (after.code, after.stdout) == (reference.code, reference.stdout)
    if not still_served:
        assert check(".").hit  # and the new result is stored


def test_a_changed_input_changes_the_findings(tree: Path) -> None:
    # The reference comparison above is only as strong as the changes are visible: each one
    # here changes what orylint reports.
    before = check(".", "--no-cache")
    for change in ("edit", "add a file", "a configuration file in a parent directory"):
        CHANGES[change][0](tree)
        after = check(".")
        assert not after.hit and rules(after) != rules(before), change
        before = after
    _tfvars(tree)
    assert "tfvars.example.com" in check(".").stdout
    _file_function(tree)
    assert "file.example.com" in check(".").stdout


def test_a_changed_environment_variable_gives_a_fresh_result(tree: Path) -> None:
    first = check(".", env={"TF_VAR_callback": "http://one.example.com/cb"})
    assert "one.example.com" in first.stdout
    again = check(".", env={"TF_VAR_callback": "http://one.example.com/cb"})
    assert again.hit
    second = check(".", env={"TF_VAR_callback": "http://two.example.com/cb"})
    assert not second.hit and "two.example.com" in second.stdout
    unset = check(".", env={"TF_VAR_callback": None})  # type: ignore[dict-item]
    assert not unset.hit and "one.example.com" not in unset.stdout


def test_a_changed_policy_gives_a_fresh_result(tree: Path) -> None:
    policies = tree.parent / "policies"
    policies.mkdir()
    (policies / "names.yaml").write_text(POLICY.replace("PREFIX", "web"))
    first = check(".", "--policy-dir", str(policies))
    assert check(".", "--policy-dir", str(policies)).hit
    (policies / "names.yaml").write_text(POLICY.replace("PREFIX", "nobody"))
    second = check(".", "--policy-dir", str(policies))
    assert not second.hit
    assert rules(first).count("ACME001") < rules(second).count("ACME001")
    (policies / "more.yaml").write_text(POLICY.replace("ACME001", "ACME002"))
    third = check(".", "--policy-dir", str(policies))
    assert not third.hit and "ACME002" in third.stdout


def test_another_working_directory_is_another_result(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = check(".")
    monkeypatch.chdir(tree.parent)
    outside = check("infra")
    assert not outside.hit
    assert "infra/clients.tf" in outside.stdout and "infra/clients.tf" not in inside.stdout
    monkeypatch.chdir(tree)
    assert check(".").hit


def test_options_are_part_of_the_key(tree: Path) -> None:
    check(".")
    ignoring = check(".", "--ignore", "ORY403")
    assert not ignoring.hit and "ORY403" not in rules(ignoring)
    assert check(".", "--var", "callback=http://var.example.com/x").hit is False


def test_reporting_options_are_not(tree: Path) -> None:
    check(".")
    assert check(".", "--fail-on", "never").hit
    assert check(".", "--color", "always").hit
    assert check(".", "-o", str(tree.parent / "report.txt")).hit


def test_no_cache_neither_reads_nor_writes_results(tree: Path) -> None:
    results = Path(os.environ["ORYLINT_CACHE_DIR"]) / f"results-{result_cache.FORMAT}"
    before = set(results.iterdir()) if results.exists() else set()
    check(".", "--no-cache")
    check(".", env={"ORYLINT_NO_CACHE": "1"})
    after = set(results.iterdir()) if results.exists() else set()
    assert after == before
    check(".")
    assert check(".").hit
    assert not check(".", "--no-cache").hit


def test_standard_input_is_never_cached(tree: Path) -> None:
    plan = Path(__file__).parent / "fixtures" / "plans" / "equivalence.plan.json"
    runs = [
        CliRunner().invoke(cli.main, ["check", "-v", "-"], input=plan.read_bytes())
        for _ in range(2)
    ]
    assert all(HIT not in run.stderr for run in runs)
    assert runs[0].stdout == runs[1].stdout and "ORY" in runs[0].stdout


def _entries() -> list[Path]:
    results = Path(os.environ["ORYLINT_CACHE_DIR"]) / f"results-{result_cache.FORMAT}"
    return sorted(results.iterdir())


@pytest.mark.parametrize("damage", ["truncated", "flipped", "foreign", "not a pickle"])
def test_a_damaged_entry_is_ignored_and_rebuilt(tree: Path, damage: str) -> None:
    cold = check(".")
    assert check(".").hit  # a hit touches its entry: the newest one is this test's
    entry = max(_entries(), key=lambda path: path.stat().st_mtime_ns)
    data = entry.read_bytes()
    damaged = {
        "truncated": data[: len(data) // 2],
        "flipped": data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:],
        "foreign": b"orylint-cache\nresults 0|someone else's\n" + data[200:],
        "not a pickle": data[: data.index(b"\n", 20) + 1] + os.urandom(200),
    }[damage]
    entry.write_bytes(damaged)
    again = check(".")
    assert not again.hit and (again.code, again.stdout) == (cold.code, cold.stdout)
    assert "Traceback" not in again.stderr
    assert check(".").hit  # rebuilt


def test_a_run_whose_inputs_changed_does_not_unpickle_the_stored_result(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: every run unpickled the stored result, findings and all, before checking its
    # inputs; after an edit (pre-commit's case) it was thrown away at once.
    loaded: list[bytes] = []
    loads = result_cache._loads

    def counting(data: bytes) -> object:
        loaded.append(data)
        return loads(data)

    monkeypatch.setattr(result_cache, "_loads", counting)
    cold = check(".")
    (tree / "clients.tf").write_text(CLIENTS + "\n# an edit\n")
    edited = check(".")
    assert not edited.hit and loaded == []
    assert (edited.code, edited.stdout) == (cold.code, cold.stdout)
    served = check(".")
    assert served.hit and len(loaded) == 1 and served.stdout == cold.stdout


def test_two_concurrent_runs(tree: Path) -> None:
    command = [sys.executable, "-m", "orylint", "check", "-v", "."]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    reference = check(".", "--no-cache")
    for stdout, stderr in outputs:
        assert stdout == reference.stdout and "Traceback" not in stderr
    served = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert HIT in served.stderr and served.stdout == reference.stdout


def test_a_racy_edit_of_the_same_size_is_caught(tree: Path) -> None:
    # The edit lands within the same timestamp as the run that read the file: the stored stat
    # is the edited file's, only the content differs. A stat within RACY_NS of the recording's
    # start is never trusted, so the digest catches it.
    path = tree / "clients.tf"
    with recorder.recording() as recording:
        recorder.file(path)
    path.write_text(CLIENTS.replace("web", "bew"))  # same size
    status = os.stat(path)
    stored = recording.files[os.fspath(path)]
    recording.files[os.fspath(path)] = (recorder._stat_key(status), *stored[1:])
    assert recording.unchanged() == (False, False)
    # Without the racy rule the stat would have been trusted:
    recording.started_ns = status.st_mtime_ns + 10 * recorder.RACY_NS
    assert recording.unchanged() == (True, False)


def test_a_racy_edit_end_to_end(tree: Path) -> None:
    path = tree / "clients.tf"
    cold = check(".")
    mtime = os.stat(path).st_mtime_ns
    path.write_text(CLIENTS.replace("http://example.com", "https://example.co"))  # same size
    os.utime(path, ns=(mtime, mtime))
    after = check(".")
    assert not after.hit and rules(after) != rules(cold)


def test_a_new_stat_with_the_same_bytes_is_verified_then_refreshed(tree: Path) -> None:
    path = tree / "clients.tf"
    old = 1_000_000_000
    os.utime(path, ns=(old, old))
    with recorder.recording() as recording:
        recorder.file(path)
    assert recording.unchanged() == (True, False)  # the stat is trusted: nothing read
    os.utime(path, ns=(old + 1, old + 1))  # a restored checkout: new times, same bytes
    assert recording.unchanged() == (True, True)  # read, found the same, stat refreshed
    assert recording.unchanged() == (True, False)
    young = recording.started_ns
    os.utime(path, ns=(young, young))  # as new as the check: racy
    assert recording.unchanged() == (True, True)
    assert recording.started_ns > young  # the check is the recording's new start


def test_probes_a_listing_answers_for_are_not_kept(tmp_path: Path) -> None:
    scanned, outside = tmp_path / "scanned", tmp_path / "outside"
    scanned.mkdir()
    outside.mkdir()
    (scanned / "found.toml").write_text("")
    (outside / "target.toml").write_text("")
    (scanned / "link.toml").symlink_to(outside / "target.toml")
    with recorder.recording() as recording:
        recorder.listed(scanned, list(os.scandir(scanned)))
        for name in ("absent.toml", "found.toml", "link.toml"):
            recorder.probe(scanned / name)
        recorder.probe(outside / "other.toml")  # its directory was not listed
    kept = recording.compacted()
    assert set(kept.probes) == {str(scanned / "link.toml"), str(outside / "other.toml")}
    assert kept.files is recording.files and kept.directories is recording.directories
    assert kept.unchanged()[0]
    (scanned / "absent.toml").write_text("")  # appears: the listing changes
    assert not kept.unchanged()[0]
    (scanned / "absent.toml").unlink()
    assert kept.unchanged()[0]
    (outside / "target.toml").unlink()  # the link dangles: the listing is the same, its probe not
    assert not kept.unchanged()[0]


def test_every_scan_option_is_keyed_or_declared_irrelevant() -> None:
    names = {option.name for option in dataclasses.fields(ScanOptions)}
    keyed, irrelevant = set(result_cache.KEYED), set(result_cache.IRRELEVANT)
    assert not keyed & irrelevant
    assert names == keyed | irrelevant, (
        "a new ScanOptions field must be part of the result cache's key (KEYED) or declared "
        f"irrelevant (IRRELEVANT): {sorted(names ^ (keyed | irrelevant))}"
    )


# --- every place that looks at a user's files reports to the recorder ----------------------------

SRC = Path(cli.__file__).resolve().parent

#: Calls that open, list or stat a path.
_FILESYSTEM = {
    "open",
    "os.open",
    "os.stat",
    "os.lstat",
    "os.scandir",
    "os.listdir",
    "os.walk",
    "os.path.isfile",
    "os.path.isdir",
    "os.path.exists",
    "os.path.lexists",
    "os.path.getsize",
}
_PATH_METHODS = {
    "read_text",
    "read_bytes",
    "is_file",
    "is_dir",
    "exists",
    "iterdir",
    "stat",
    "glob",
    "rglob",
}

#: Functions that look at files that are not a scan's input, and why.
NOT_INPUTS = {
    "terraform/recorder.py": "the recorder itself",
    "terraform/cache.py": "orylint's cache directory and its own code",
    "result_cache.py": "orylint's cache directory and its own code",
    "engine/atomic.py": "writes reports, baselines and fixes",
    "engine/metadata.py": "orylint's rule metadata (stamped in the result's key)",
    "terraform/provider_schema.py": "orylint's packaged schema",
    "terraform/hcl_parser.py": "python-hcl2's grammar",
    "report/docs_gen.py": "writes the documentation",
    "engine/fixer.py": "--fix and --diff read the files they fix after the scan",
    "engine/baseline.py": "the baseline applies to the result after the scan, uncached",
    "cli.py": "standard input, report destinations (not inputs of the scan)",
    "policy_tests.py": "`orylint policy test`, which has no result cache",
    "config.py:_validator": "orylint's packaged schema",
    "policies/loader.py:_validation_stamp": "orylint's own modules",
    "policies/loader.py:_format_schema_text": "orylint's packaged schema",
    "gathering.py:start": "a directory named decides where gathering runs, not what it finds",
}


def _calls(function: ast.AST) -> tuple[set[str], bool]:
    """The filesystem calls of a function (by name), and whether it reports to the recorder."""
    found: set[str] = set()
    reports = False
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        if name.startswith("recorder."):
            reports = True
        if name in _FILESYSTEM or (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in _PATH_METHODS
            and not name.startswith("entry.")  # a listed directory's entries: the listing
        ):
            found.add(name)
    return found, reports


def test_every_read_of_a_user_file_reports_to_the_recorder() -> None:
    for name in NOT_INPUTS:  # no stale exemption
        module, _, function = name.partition(":")
        text = (SRC / module).read_text("utf-8")
        assert not function or f"def {function}(" in text, name
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        module = path.relative_to(SRC).as_posix()
        if module in NOT_INPUTS:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if f"{module}:{function.name}" in NOT_INPUTS:
                continue
            calls, reports = _calls(function)
            if calls and not reports:
                missing.append(f"{module}:{function.name} {sorted(calls)}")
    assert not missing, "report these reads to terraform/recorder.py:\n" + "\n".join(missing)


def test_the_recorder_check_finds_a_read_that_does_not_report() -> None:
    unreported = ast.parse("def f(p):\n    return p.read_text()\n").body[0]
    reported = ast.parse("def f(p):\n    recorder.file(p)\n    return p.read_text()\n").body[0]
    assert _calls(unreported) == ({"p.read_text"}, False)
    assert _calls(reported) == ({"p.read_text"}, True)


def test_rule_ids_are_known_without_importing_the_rules() -> None:
    # known_rule_ids reads the metadata so that a cached run never imports the checks; that is
    # only right while the metadata and the registered rules name the same ids.
    from orylint.engine.registry import all_rules
    from orylint.engine.runner import TOOL_RULES
    from orylint.engine.selection import known_rule_ids

    assert known_rule_ids() == set(all_rules()) | set(TOOL_RULES)


def test_an_expiring_suppression_is_judged_on_the_day_of_the_run(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime

    text = (tree / "clients.tf").read_text()
    expiring = text.replace("-- the staging host", "until=2030-06-01 -- the staging host")
    (tree / "clients.tf").write_text(expiring)
    before = check(".")
    assert check(".").hit and "ORY003" not in rules(before)

    class Later(datetime.date):
        @classmethod
        def today(cls) -> Later:
            return cls(2030, 6, 2)

    monkeypatch.setattr(datetime, "date", Later)
    after = check(".")
    assert not after.hit and "ORY003" in rules(after)


def test_a_report_is_refused_over_an_input_of_a_result_from_the_cache(tree: Path) -> None:
    # A configuration file found during the scan (not by the command line) is an input: a
    # served result knows it from its record.
    sub = tree / "sub"
    sub.mkdir()
    (sub / "main.tf").write_text(FROM_VARIABLE.replace("configured", "sub"))
    (sub / ".orylint.toml").write_text('ignore = ["ORY706"]\n')
    check(".")
    served = check(".", "-o", "sub/.orylint.toml")
    assert served.code == 2 and "it is one of the inputs" in served.stderr
    assert (sub / ".orylint.toml").read_text() == 'ignore = ["ORY706"]\n'
    assert check(".", "-o", "report.txt").hit  # any other destination is written
    assert "ORY403" in (tree / "report.txt").read_text()


def test_a_changed_plan_gives_a_fresh_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = Path(__file__).parent / "fixtures" / "plans" / "equivalence.plan.json"
    text = plan.read_text()
    (tmp_path / "plan.json").write_text(text)
    monkeypatch.chdir(tmp_path)
    first = check("plan.json")
    assert check("plan.json").hit and "ORY" in first.stdout
    (tmp_path / "plan.json").write_text(text.replace('"90m"', '"1h30m"'))
    second = check("plan.json")
    assert not second.hit
    reference = check("plan.json", "--no-cache")
    assert (second.code, second.stdout) == (reference.code, reference.stdout)
    assert rules(second) != rules(first)


def test_each_keyed_option_changes_the_key(tmp_path: Path) -> None:
    # Classified is not enough: each option in KEYED must reach the key.
    from orylint.config import Configurations
    from orylint.engine.registry import Rule
    from orylint.engine.selection import RuleSelection
    from orylint.model.settings import ProviderSettings, Settings

    (tmp_path / "forced.toml").write_text('ignore = ["ORY403"]\n')
    base = ScanOptions(paths=["."])
    changed = {
        "paths": ["infra"],
        "excludes": ["legacy/"],
        "configs": Configurations(tmp_path / "forced.toml"),
        "selection": RuleSelection(select=("ORY2",)),
        "settings": Settings(provider=ProviderSettings(version="0.1.0")),
        "plans": ["plan.json"],
        "chdir": "infra",
        "stdin": b"{}",
        "force_exclude": True,
        "require_suppression_reason": False,
        "unsuppressible": ["ORY706"],
        "var_files": ["prod.tfvars"],
        "variables": {"environment": "prod"},
        "max_file_size": 1024,
        "policies": [Rule("ACME001", "client", lambda client, settings: [])],
        "resource_types": True,
    }
    assert set(changed) == set(result_cache.KEYED)
    for name, value in changed.items():
        variant = dataclasses.replace(base, **{name: value})
        assert result_cache.key(variant) != result_cache.key(base), name
    for name in result_cache.IRRELEVANT:
        value = {"jobs": 3, "cache_dir": str(tmp_path), "stdin_identity": (1, 2)}[name]
        assert result_cache.key(dataclasses.replace(base, **{name: value})) == result_cache.key(
            base
        ), name

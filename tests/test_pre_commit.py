"""The pre-commit hooks in ``.pre-commit-hooks.yaml``, validated and run end to end.

The end-to-end tests use real pre-commit and real ``git commit`` in throwaway repositories.
pre-commit installs the hook from a *commit* of orylint (never the working tree): by default
the HEAD of this checkout, so the hooks file must be committed. To try uncommitted changes,
commit them in a clone and point ``ORYLINT_PRE_COMMIT_REPO`` at it::

    git clone -q . /tmp/orylint-hookrepo && cp .pre-commit-hooks.yaml /tmp/orylint-hookrepo/
    git -C /tmp/orylint-hookrepo commit -qam wip   # (git add new files first)
    ORYLINT_PRE_COMMIT_REPO=/tmp/orylint-hookrepo pytest tests/test_pre_commit.py

The hook environment (a virtualenv with orylint pip-installed, which needs the package index)
is built once per session in a private ``PRE_COMMIT_HOME`` and shared by every scenario.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from orylint.scan import ScanOptions, scan
from tests.helpers import REPO

MANIFEST = REPO / ".pre-commit-hooks.yaml"
HOOK_REPO = Path(os.environ.get("ORYLINT_PRE_COMMIT_REPO") or REPO).resolve()

INSTALL_TIMEOUT = 600  # building the hook's virtualenv: pip, hatchling, dependencies
COMMIT_TIMEOUT = 120

# What pre-commit itself keeps from the environment when it runs git (pre_commit.git.no_git_env):
# anything else, such as GIT_DIR or GIT_INDEX_FILE when pytest runs inside a git hook, would
# point our git commands at the wrong repository.
_KEPT_GIT_VARIABLES = {
    "GIT_EXEC_PATH",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_SSL_CAINFO",
    "GIT_SSL_NO_VERIFY",
    "GIT_CONFIG_COUNT",
    "GIT_HTTP_PROXY_AUTHMETHOD",
    "GIT_ALLOW_PROTOCOL",
    "GIT_ASKPASS",
}

BAD_CLIENT = """\
resource "ory_oauth2_client" "billing" {
  client_name                = "Billing service"
  grant_types                = ["client_credentials"]
  token_endpoint_auth_method = "private_key_jwt"
  jwks_uri                   = "https://billing.example.com/.well-known/jwks.json"
  scope                      = "billing:read"

  client_credentials_grant_access_token_lifespan = "1d"
}
"""
GOOD_CLIENT = BAD_CLIENT.replace('"1d"', '"24h"')
LEAKING_OUTPUT = """\
output "billing_client_secret" {
  value = ory_oauth2_client.billing.client_secret
}
"""


def _git() -> str:
    git = shutil.which("git")
    if git is None:
        pytest.fail("git is not on PATH: the pre-commit hook tests need git (CI provides it)")
    return git


def _env(pre_commit_home: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GIT_")
        or key in _KEPT_GIT_VARIABLES
        or key.startswith("GIT_CONFIG_KEY_")
        or key.startswith("GIT_CONFIG_VALUE_")
    }
    env.update(
        PRE_COMMIT_HOME=str(pre_commit_home),
        PRE_COMMIT_COLOR="never",
        NO_COLOR="1",
    )
    return env


def _run(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = COMMIT_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _checked(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = COMMIT_TIMEOUT
) -> str:
    result = _run(args, cwd, env, timeout)
    assert result.returncode == 0, (
        f"{' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def _hook_rev(git: str) -> str:
    """HEAD of the orylint checkout, which must contain the hooks file (pre-commit reads it)."""
    env = _env(Path(os.devnull))
    rev = _checked([git, "-C", str(HOOK_REPO), "rev-parse", "HEAD"], HOOK_REPO, env).strip()
    has_manifest = _run(
        [git, "-C", str(HOOK_REPO), "cat-file", "-e", f"{rev}:.pre-commit-hooks.yaml"],
        HOOK_REPO,
        env,
    )
    if has_manifest.returncode != 0:
        pytest.fail(
            f"{HOOK_REPO} HEAD ({rev[:12]}) has no committed .pre-commit-hooks.yaml; pre-commit "
            "installs hooks from a commit. Commit it, or set ORYLINT_PRE_COMMIT_REPO to a clone "
            "where it is committed."
        )
    return rev


@dataclass
class HookSetup:
    """Everything a scenario needs to make a repository that uses the orylint hook."""

    git: str
    env: dict[str, str]
    repo: str
    rev: str

    def repository(self, path: Path, *hooks: dict[str, object]) -> Repo:
        """A fresh git repository at ``path`` with the hooks (default: orylint) installed."""
        config = {
            "repos": [
                {"repo": self.repo, "rev": self.rev, "hooks": list(hooks or [{"id": "orylint"}])}
            ]
        }
        path.mkdir(parents=True, exist_ok=True)
        _checked([self.git, "init", "-q"], path, self.env)
        for key, value in (
            ("user.name", "orylint tests"),
            ("user.email", "tests@orylint.invalid"),
            ("commit.gpgsign", "false"),
        ):
            _checked([self.git, "config", key, value], path, self.env)
        (path / ".pre-commit-config.yaml").write_text(
            yaml.safe_dump(config, sort_keys=False), encoding="utf-8"
        )
        _checked([sys.executable, "-m", "pre_commit", "install"], path, self.env)
        return Repo(path, self)


@dataclass
class Repo:
    """A throwaway git repository with the orylint pre-commit hook installed."""

    path: Path
    setup: HookSetup

    def write(self, name: str, text: str) -> None:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def git(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run([self.setup.git, *args], self.path, self.setup.env)

    def commit(
        self, message: str, *files: str, verify: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """``git add`` the files and ``git commit``: the installed hook runs unless not verify."""
        added = self.git("add", "--", *files)
        assert added.returncode == 0, added.stderr
        return self.git("commit", "-m", message, *([] if verify else ["--no-verify"]))

    def baseline(self, files: dict[str, str]) -> None:
        """Commit the starting state without running the hook (it may be deliberately bad)."""
        for name, text in files.items():
            self.write(name, text)
        result = self.commit("baseline", ".", verify=False)
        assert result.returncode == 0, result.stdout + result.stderr

    def head_subject(self) -> str:
        result = self.git("log", "-1", "--format=%s")
        return result.stdout.strip() if result.returncode == 0 else ""


def _output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def _hook_line(result: subprocess.CompletedProcess[str]) -> str:
    """pre-commit's status line for the hook, e.g. ``orylint......Passed``."""
    lines = [line for line in _output(result).splitlines() if line.startswith("orylint")]
    assert lines, f"pre-commit did not mention the hook:\n{_output(result)}"
    return lines[0]


@pytest.fixture(scope="module")
def hook_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HookSetup]:
    """Install the hook's environment once, in a private PRE_COMMIT_HOME, for every scenario."""
    git = _git()
    rev = _hook_rev(git)
    home = tmp_path_factory.mktemp("pre-commit-home")
    setup = HookSetup(git=git, env=_env(home), repo=str(HOOK_REPO), rev=rev)
    # Both hooks share one environment (same repository, revision and language): one install.
    warmup = setup.repository(
        tmp_path_factory.mktemp("warmup"), {"id": "orylint"}, {"id": "orylint-all"}
    )
    _checked(
        [sys.executable, "-m", "pre_commit", "install-hooks"],
        warmup.path,
        setup.env,
        timeout=INSTALL_TIMEOUT,
    )
    yield setup


def test_manifest_is_valid(tmp_path: Path) -> None:
    # Every pre-commit command opens its store: keep it out of the user's ~/.cache.
    result = _run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)],
        REPO,
        _env(tmp_path / "pre-commit-home"),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_declares_both_hooks() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}
    assert set(hooks) == {"orylint", "orylint-all"}
    changed, whole = hooks["orylint"], hooks["orylint-all"]
    assert changed["entry"] == "orylint check --force-exclude"
    assert changed["pass_filenames"] is True
    assert whole["entry"] == "orylint check"
    assert whole["pass_filenames"] is False
    assert whole["always_run"] is False
    for hook in (changed, whole):
        assert hook["language"] == "python"
        assert hook["require_serial"] is True
        assert hook["minimum_pre_commit_version"]
        assert hook["description"]
        assert hook["files"] == changed["files"]
        assert hook["exclude"] == changed["exclude"]


@pytest.mark.parametrize(
    ("path", "selected"),
    [
        ("main.tf", True),
        ("envs/prod/clients.tf", True),
        ("clients.tf.json", True),
        ("main.tofu", True),
        ("envs/prod/clients.tofu.json", True),
        ("main.tofu.bak", False),
        ("main.tfvars", True),
        ("envs/prod/terraform.tfvars.json", True),
        ("main.tf.bak", False),
        ("main.tfstate", False),
        ("notes.json", False),
        ("README.md", False),
        (".terraform/modules/x/main.tf", False),
        ("envs/prod/.terraform/modules/x/main.tf", False),
        ("my.terraform/main.tf", True),
    ],
)
def test_manifest_file_patterns(path: str, selected: bool) -> None:
    """pre-commit matches ``files`` and ``exclude`` with ``re.search`` on repo-relative paths."""
    for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8")):
        chosen = bool(re.search(hook["files"], path)) and not re.search(hook["exclude"], path)
        assert chosen is selected, (hook["id"], path)


def test_bad_change_blocks_the_commit_and_the_fix_passes(
    hook_setup: HookSetup, tmp_path: Path
) -> None:
    repo = hook_setup.repository(tmp_path / "repo")
    repo.baseline({"README.md": "# infra\n"})

    repo.write("clients/main.tf", BAD_CLIENT)
    blocked = repo.commit("add billing client", "clients/main.tf")
    assert blocked.returncode != 0, _output(blocked)
    assert "Failed" in _hook_line(blocked)
    assert "ORY201" in _output(blocked)
    assert "clients/main.tf:8:" in _output(blocked)
    assert repo.head_subject() == "baseline"

    repo.write("clients/main.tf", GOOD_CLIENT)
    passed = repo.commit("add billing client", "clients/main.tf")
    assert passed.returncode == 0, _output(passed)
    assert "Passed" in _hook_line(passed)
    assert repo.head_subject() == "add billing client"


VARIABLE_CLIENT = BAD_CLIENT.replace('"1d"', "var.token_lifespan") + (
    'variable "token_lifespan" {\n  type    = string\n  default = "1h"\n}\n'
)


def test_a_changed_tfvars_file_lints_its_root_module_with_its_values(
    hook_setup: HookSetup, tmp_path: Path
) -> None:
    repo = hook_setup.repository(tmp_path / "repo")
    repo.baseline({"infra/main.tf": VARIABLE_CLIENT})  # the default "1h" is fine

    repo.write("infra/terraform.tfvars", 'token_lifespan = "1d"\n')
    blocked = repo.commit("longer tokens", "infra/terraform.tfvars")
    assert blocked.returncode != 0, _output(blocked)
    assert "ORY201" in _output(blocked)
    assert "infra/main.tf:8:" in _output(blocked)  # the attribute that uses the value
    assert "terraform.tfvars:1" in _output(blocked)  # and where the value came from
    assert repo.head_subject() == "baseline"

    repo.write("infra/terraform.tfvars", 'token_lifespan = "24h"\n')
    passed = repo.commit("longer tokens", "infra/terraform.tfvars")
    assert passed.returncode == 0, _output(passed)
    assert repo.head_subject() == "longer tokens"


def test_unrelated_change_does_not_run_the_hook(hook_setup: HookSetup, tmp_path: Path) -> None:
    repo = hook_setup.repository(tmp_path / "repo")
    repo.baseline({"README.md": "# infra\n", "main.tf": BAD_CLIENT})  # bad, but not changed

    repo.write("README.md", "# infra\n\nBilling clients live in main.tf.\n")
    result = repo.commit("docs", "README.md")
    assert result.returncode == 0, _output(result)
    assert "Skipped" in _hook_line(result)
    assert "ORY201" not in _output(result)
    assert repo.head_subject() == "docs"


def test_config_excludes_apply_to_changed_files(hook_setup: HookSetup, tmp_path: Path) -> None:
    repo = hook_setup.repository(tmp_path / "repo")
    repo.baseline({".orylint.toml": 'exclude = ["legacy/"]\n'})

    repo.write("legacy/main.tf", BAD_CLIENT)
    result = repo.commit("legacy client", "legacy/main.tf")
    assert result.returncode == 0, _output(result)
    assert "Passed" in _hook_line(result)  # the hook ran, and --force-exclude dropped the file
    assert "ORY201" not in _output(result)
    assert repo.head_subject() == "legacy client"

    repo.write("current/main.tf", BAD_CLIENT)
    control = repo.commit("current client", "current/main.tf")
    assert control.returncode != 0, _output(control)
    assert "current/main.tf:8:" in _output(control)


def test_changed_files_are_reported_with_their_module_as_context(
    hook_setup: HookSetup, tmp_path: Path
) -> None:
    repo = hook_setup.repository(tmp_path / "repo")
    repo.baseline({"main.tf": GOOD_CLIENT, "outputs.tf": LEAKING_OUTPUT})

    # The leak is in the unchanged outputs.tf: a commit touching only main.tf does not report it.
    repo.write("main.tf", GOOD_CLIENT.replace("billing:read", "billing:read billing:write"))
    main_only = repo.commit("widen scope", "main.tf")
    assert main_only.returncode == 0, _output(main_only)
    assert "Passed" in _hook_line(main_only)
    assert "ORY701" not in _output(main_only)
    assert repo.head_subject() == "widen scope"

    # Touching outputs.tf reports it; the client it leaks is defined in main.tf (module context).
    repo.write("outputs.tf", "# Credentials for the billing service.\n" + LEAKING_OUTPUT)
    outputs = repo.commit("document outputs", "outputs.tf")
    assert outputs.returncode != 0, _output(outputs)
    assert "ORY701" in _output(outputs)
    assert "outputs.tf:3:" in _output(outputs)
    assert "main.tf:" not in _output(outputs)
    assert repo.head_subject() == "widen scope"


def test_whole_repository_hook_runs_only_when_terraform_changed(
    hook_setup: HookSetup, tmp_path: Path
) -> None:
    repo = hook_setup.repository(tmp_path / "repo", {"id": "orylint-all"})
    repo.baseline({"README.md": "# infra\n", "legacy/main.tf": BAD_CLIENT})

    repo.write("README.md", "# infra\n\nSee legacy/.\n")
    docs = repo.commit("docs", "README.md")
    assert docs.returncode == 0, _output(docs)
    assert "Skipped" in _hook_line(docs)

    # A harmless Terraform change elsewhere: the whole repository is linted, old problems too.
    repo.write("current/main.tf", GOOD_CLIENT)
    scan = repo.commit("current client", "current/main.tf")
    assert scan.returncode != 0, _output(scan)
    assert "legacy/main.tf:8:" in _output(scan)
    assert "ORY201" in _output(scan)
    assert repo.head_subject() == "docs"


def test_args_reach_the_command_line(hook_setup: HookSetup, tmp_path: Path) -> None:
    """``args: [--fail-on, warning]`` (docs/pre-commit.md) makes a warning block the commit."""
    warning = GOOD_CLIENT.replace('"24h"', '"90m"')  # ORY204: read back as "1h30m"
    lenient = hook_setup.repository(tmp_path / "lenient")
    lenient.write("main.tf", warning)
    assert lenient.commit("client", "main.tf").returncode == 0

    strict = hook_setup.repository(
        tmp_path / "strict", {"id": "orylint", "args": ["--fail-on", "warning"]}
    )
    strict.write("main.tf", warning)
    blocked = strict.commit("client", "main.tf")
    assert blocked.returncode != 0, _output(blocked)
    assert "ORY204" in _output(blocked)


#: Valid Terraform that neither of orylint's parsers reads (python-hcl2: the newline before "(";
#: tree-sitter-hcl 1.2.0: an exponent without a fraction); tests/test_hcl_fallback.py checks
#: that ``terraform fmt`` accepts it.
UNREADABLE_NETWORK = "locals {\n  sizes = [try\n  (1e3)]\n}\n"
#: The bad client again, written the way python-hcl2 cannot read and tree-sitter-hcl can.
FALLBACK_CLIENT = BAD_CLIENT.replace('"billing:read"', 'coalesce(try\n    ("billing:read"))')


def test_a_file_orylint_has_no_business_with_never_fails_the_commit(
    hook_setup: HookSetup, tmp_path: Path
) -> None:
    repo = hook_setup.repository(tmp_path / "repo")
    repo.baseline({"README.md": "# infra\n"})

    # A valid non-Ory module no parser of orylint's reads, and an Ory module only the fallback
    # parser reads: the commit is judged on the client alone.
    repo.write("network/main.tf", UNREADABLE_NETWORK)
    repo.write("clients/main.tf", FALLBACK_CLIENT)
    blocked = repo.commit("network and billing", "network/main.tf", "clients/main.tf")
    assert blocked.returncode != 0, _output(blocked)
    assert "ORY201" in _output(blocked)
    assert "clients/main.tf:9:" in _output(blocked)  # one line down: the scope spans two
    assert "ORY001" not in _output(blocked)
    assert "network/main.tf" not in _output(blocked)

    repo.write("clients/main.tf", FALLBACK_CLIENT.replace('"1d"', '"1h"'))
    passed = repo.commit("network and billing", "network/main.tf", "clients/main.tf")
    assert passed.returncode == 0, _output(passed)
    assert "Passed" in _hook_line(passed)
    assert repo.head_subject() == "network and billing"


def test_a_monorepo_commit_uses_each_files_nearest_configuration(
    hook_setup: HookSetup, tmp_path: Path
) -> None:
    repo = hook_setup.repository(tmp_path / "repo")
    repo.baseline(
        {
            ".orylint.toml": 'exclude = ["/legacy/"]\n',
            "teams/b/.orylint.toml": 'ignore = ["ORY201"]\n',
        }
    )
    modules = ["teams/a/main.tf", "teams/b/main.tf", "legacy/main.tf", "teams/c/legacy/main.tf"]
    for name in modules:
        repo.write(name, BAD_CLIENT)
    repo.write("network/main.tf", UNREADABLE_NETWORK)  # valid, not Ory's: never an ORY001
    modules.append("network/main.tf")
    # a module with the plan real Terraform made of it beside its sources (not a hook input)
    planned = REPO / "tests" / "fixtures" / "plans" / "src" / "equivalence" / "main.tf"
    repo.write("teams/d/main.tf", planned.read_text(encoding="utf-8"))
    shutil.copy(
        REPO / "tests" / "fixtures" / "plans" / "equivalence.plan.json",
        repo.path / "teams/d/plan.json",
    )
    modules.append("teams/d/main.tf")
    result = repo.commit("three modules, two configurations", *modules, "teams/d/plan.json")
    assert result.returncode != 0, _output(result)
    found = re.compile(r"^(\S+):(\d+):\d+: (ORY\d+) ", re.M)
    planned_findings = scan(ScanOptions([str(planned)])).findings
    assert planned_findings, "the planned module should have findings of its own"
    expected = {("teams/a/main.tf", "8", "ORY201"), ("teams/c/legacy/main.tf", "8", "ORY201")} | {
        ("teams/d/main.tf", str(f.span.start_line), f.rule_id) for f in planned_findings
    }
    # b ignores ORY201 in its own configuration; /legacy/ is anchored at the root configuration;
    # the plan beside d's sources neither doubles d's findings nor is reported itself
    for order in (None, modules, modules[::-1]):
        run = (
            result
            if order is None
            else _run(
                [sys.executable, "-m", "pre_commit", "run", "orylint", "--files", *order],
                repo.path,
                hook_setup.env,
            )
        )
        reported = found.findall(_output(run))
        assert set(reported) == expected, _output(run)
        assert len(reported) == len(set(reported)), _output(run)

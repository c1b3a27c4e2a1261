"""The ``.tf`` files alone give the findings of the plan Terraform makes from them (issue 9).

Every ``tests/fixtures/plans/src/eval_*`` directory is a root module that real Terraform 1.11.4
planned (``scripts/make-plan-fixtures``, with the case's ``TF_VAR_*`` and ``-var``/``-var-file``
options from its ``case.json``). In each one a rule fires only because of a value Terraform
computes: a variable from a default, a tfvars file, the command line or the environment, a local,
a function, a conditional, a ``for`` expression, a splat, a template directive, a module argument,
a module output, a ``count``/``for_each`` instance, a sensitivity mark.

For every case the (address, rule) set orylint finds in the source directory must equal the set it
finds in the plan JSON alone, and both must equal the set written here. The literal sets were
worked out from the configurations (which value is wrong, and which rule says so); they keep
the test from passing when both sides are equally wrong. The plan side needs no evaluation at all
(Terraform has evaluated every value), so it checks the expected sets independently of the
evaluator.

The plan JSON does not record locals, and its ``configuration`` never names functions. Where a
secret reaches an output only through a local, the plan alone cannot tell that it does;
:data:`PLAN_CANNOT_SEE` lists those findings, with the reason, and the plan side must give the
expected set without them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from orylint.engine.selection import RuleSelection
from orylint.scan import ScanOptions, scan
from orylint.terraform.document import LoadError
from orylint.terraform.hcl_loader import load_hcl
from orylint.terraform.modules import InstanceTree, ModuleConfig
from orylint.terraform.values import Unknown
from tests.helpers import REPO

PLANS = REPO / "tests" / "fixtures" / "plans"
SOURCES = PLANS / "src"
CASE_DIRS = sorted(path for path in SOURCES.iterdir() if path.name.startswith("eval_"))

Finding = tuple[str | None, str]
"""(address, rule id); findings on outputs carry the output's address (``output.name``)."""

R = "ory_oauth2_client."

EXPECTED: dict[str, set[Finding]] = {
    # --- 1 and 10: variables, from each source Terraform reads, in its order of precedence ---
    "eval_var_default": {(R + "storefront", "ORY201")},
    "eval_var_tfvars": {(R + "billing", "ORY201")},
    # terraform.tfvars < 10-network.auto.tfvars (http) < 20-... < 30-sessions-override ("1d")
    "eval_var_auto_tfvars": {
        (R + "dashboard", "ORY201"),
        (R + "dashboard", "ORY403"),
    },
    # -var-file=staging.tfvars (http) beats terraform.tfvars and defaults.auto.tfvars (https)
    "eval_var_file": {(R + "partner_portal", "ORY403")},
    # -var-file=ops.tfvars (http, "4h") then -var=token_lifespan=1d: the later option wins
    "eval_var_cli": {
        (R + "ops_console", "ORY201"),
        (R + "ops_console", "ORY403"),
    },
    # TF_VAR_token_lifespan=1d applies; TF_VAR_callback_host loses to terraform.tfvars, so
    # mobile_web keeps an https callback (a localhost one would give ORY404)
    "eval_var_env": {
        (R + "mobile_backend", "ORY201"),
    },
    # TF_VAR_public_client="true" becomes true through type = bool: auth method "none"
    "eval_var_env_bool": {(R + "cli_tool", "ORY301")},
    # optional(string, "1d") fills the lifespan of the entry that omits it
    "eval_var_optional": {
        (R + 'app["wiki"]', "ORY201"),
    },
    # token_minutes = "0" converted to the number 0: "0m" is zero and reads back as "0s"
    "eval_var_type_conversion": {
        (R + "kiosk", "ORY202"),
        (R + "kiosk", "ORY204"),
    },
    "eval_var_sensitive": {(R + "admin_tool", "ORY403")},
    # --- 2: locals in any order, merged maps ---
    "eval_locals_chain": {
        (R + 'app["exports"]', "ORY201"),
    },
    # --- 3: expressions ---
    "eval_conditional_env": {(R + "accounts", "ORY403")},
    "eval_for_expressions": {(R + "frontend", "ORY403")},
    "eval_splat": {(R + "helpdesk", "ORY401")},
    "eval_template_directives": {
        (R + "newsletter", "ORY403"),
        (R + "newsletter", "ORY504"),
    },
    # 15 - 30 = -15 minutes ("-15m", negative, read back as "-15m0s"); then "0h" (zero, "0s")
    "eval_operators_index": {
        (R + "tenant_app", "ORY202"),
        (R + "tenant_app", "ORY203"),
        (R + "tenant_app", "ORY204"),
    },
    # --- 4: functions ---
    "eval_fn_format": {(R + "grafana", "ORY403")},
    "eval_fn_join": {
        (R + "orders_sync", "ORY504"),
    },
    "eval_fn_merge_lookup": {
        (R + 'payments["sandbox"]', "ORY201"),
    },
    "eval_fn_collections": {(R + "portal", "ORY403")},
    "eval_fn_jsonencode_metadata": {
        (R + "directory_sync", "ORY109"),
    },
    "eval_fn_try_coalesce": {
        (R + "survey", "ORY201"),
        (R + "survey", "ORY403"),
    },
    "eval_fn_strings": {
        (R + "status_page", "ORY201"),
        (R + "status_page", "ORY403"),
    },
    # --- 5: modules with count/for_each, nesting, outputs ---
    "eval_module_for_each_envs": {
        ('module.app["staging"].ory_oauth2_client.this', "ORY201"),
    },
    "eval_module_count": {
        ("module.region[1].ory_oauth2_client.this", "ORY403"),
    },
    "eval_module_nested": {
        ("module.platform.module.api.ory_oauth2_client.this", "ORY201"),
    },
    "eval_module_outputs": {(R + "billing_ui", "ORY403")},
    "eval_module_secret_output": {
        ("output.storefront_secret", "ORY701"),
    },
    "eval_module_for_each_nested": {
        ('module.tenant["globex"].ory_oauth2_client.app["admin"]', "ORY201"),
    },
    "eval_resource_for_each": {
        (R + 'service["legacy-crm"]', "ORY403"),
    },
    # debug enabled by terraform.tfvars; legacy (count = 0) is not created, so not linted
    "eval_resource_count": {
        (R + "debug[0]", "ORY403"),
        (R + "worker[1]", "ORY201"),
    },
    # --- 6: resource attributes are unknown and produce nothing ---
    "eval_refs_unknown": {
        (R + "frontend", "ORY201"),
    },
    # --- 8: sensitivity ---
    # nonsensitive() removes only the top-level mark: the object's secret attribute stays
    # sensitive, and Terraform fails the plan with "Output refers to sensitive values"
    "eval_nonsensitive_object": {("output.creds", "ORY701")},
    "eval_secret_through_locals": {
        ("output.auth_header", "ORY701"),
    },
    "eval_nonsensitive_local": {("output.ci_client_secret", "ORY702")},
    "eval_sensitive_wrapped": {(R + "reports", "ORY403")},
}

PLAN_CANNOT_SEE: dict[str, set[Finding]] = {
    # The output's only reference is `local.creds`; the plan JSON has no locals, and the errored
    # plan has neither output_changes nor relevant_attributes.
    "eval_nonsensitive_object": {("output.creds", "ORY701")},
    "eval_secret_through_locals": {("output.auth_header", "ORY701")},
    # The output references `local.ci_secret`; `nonsensitive()` leaves no trace in the plan
    # (after_unknown true, after_sensitive false, exactly like a plain local).
    "eval_nonsensitive_local": {("output.ci_client_secret", "ORY702")},
}


def _case(directory: Path) -> dict[str, Any]:
    path = directory / "case.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}


def _source_findings(directory: Path) -> set[Finding]:
    """Lint the source directory alone, with the case's variables given as Terraform got them.

    Cases with ``TF_VAR_*`` or ``-var``/``-var-file`` options run the CLI in the case directory
    (Terraform's working directory), mapping ``-var-file=F`` to ``--var-file F`` and ``-var=K=V``
    to ``--var K=V`` in the same order.
    """
    case = _case(directory)
    env = {str(k): str(v) for k, v in case.get("env", {}).items()}
    args = [str(a) for a in case.get("args", [])]
    if not env and not args:
        result = scan(ScanOptions([str(directory)]))
        assert not result.fatal_errors, result.fatal_errors
        return {(f.address, f.rule_id) for f in result.findings}
    options: list[str] = []
    for arg in args:
        option, _, value = arg.partition("=")
        options += [f"-{option}", value]  # -var-file=x -> --var-file x, -var=k=v -> --var k=v
    # the caller's own TF_VAR_* must not leak in (the generator drops them too)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TF_VAR_")}
    command = [sys.executable, "-m", "orylint", "check", "--format", "json", "--fail-on", "never"]
    completed = subprocess.run(
        [*command, *options, "."],
        cwd=directory,
        env={**environment, **env, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    report = json.loads(completed.stdout)
    assert not report["errors"], report["errors"]
    return {(f["address"], f["rule_id"]) for f in report["findings"]}


def _plan_findings(name: str) -> set[Finding]:
    result = scan(ScanOptions([str(PLANS / f"{name}.plan.json")]))
    assert not result.fatal_errors, result.fatal_errors
    return {(f.address, f.rule_id) for f in result.findings}


def test_every_case_has_a_plan_and_an_expected_set() -> None:
    names = {path.name for path in CASE_DIRS}
    assert names == set(EXPECTED)
    assert set(PLAN_CANNOT_SEE) <= names
    for name in names:
        assert (PLANS / f"{name}.plan.json").is_file(), name
        assert EXPECTED[name], name
        assert PLAN_CANNOT_SEE.get(name, set()) <= EXPECTED[name], name
    # the acceptance criterion: at least 30 configurations where the two sides must agree
    assert len(names - set(PLAN_CANNOT_SEE)) >= 30


@pytest.mark.parametrize("directory", CASE_DIRS, ids=lambda path: path.name)
def test_plan_gives_the_expected_findings(directory: Path) -> None:
    expected = EXPECTED[directory.name] - PLAN_CANNOT_SEE.get(directory.name, set())
    assert _plan_findings(directory.name) == expected


@pytest.mark.parametrize("directory", CASE_DIRS, ids=lambda path: path.name)
def test_tf_files_alone_give_the_plan_findings(directory: Path) -> None:
    from_tf = _source_findings(directory)
    assert from_tf == EXPECTED[directory.name]
    if directory.name not in PLAN_CANNOT_SEE:
        assert from_tf == _plan_findings(directory.name)


def test_module_for_each_over_three_environments_flags_one_instance() -> None:
    directory = SOURCES / "eval_module_for_each_envs"
    for findings in (_source_findings(directory), _plan_findings(directory.name)):
        assert [address for address, rule in findings if rule == "ORY201"] == [
            'module.app["staging"].ory_oauth2_client.this'
        ]


def test_nonsensitive_over_an_object_is_ory701_on_the_output() -> None:
    name = "eval_nonsensitive_object"
    plan = json.loads((PLANS / f"{name}.plan.json").read_text(encoding="utf-8"))
    # Terraform itself refused it: nonsensitive() removed only the object's own mark
    assert plan["errored"] is True
    assert "creds" in plan["configuration"]["root_module"]["outputs"]
    rules = {(address, rule) for address, rule in _source_findings(SOURCES / name)}
    assert ("output.creds", "ORY701") in rules
    assert not any(rule == "ORY702" for _, rule in rules)


CYCLE = """\
locals {
  name     = "${local.prefix}-app"
  prefix   = "${local.name}-"
  lifespan = "1d"
}

resource "ory_oauth2_client" "app" {
  client_name                                     = local.name
  grant_types                                     = ["client_credentials", "refresh_token"]
  token_endpoint_auth_method                      = "client_secret_basic"
  client_credentials_grant_access_token_lifespan  = local.lifespan
  refresh_token_grant_access_token_lifespan       = "${local.prefix}1d"
}
"""


def test_a_cycle_between_locals_is_unknown_and_reported_once(tmp_path: Path) -> None:
    """Scope item 2's cycle, which cannot be a plan fixture.

    Terraform refuses to plan it ("Error: Cycle: local.prefix (expand), local.name (expand)")
    and writes no plan file. The values in the cycle are unknown (no finding from them), the
    rest of the module is linted, and the cycle is recorded once.
    """
    document = load_hcl("main.tf", CYCLE)
    assert not isinstance(document, LoadError)
    root = InstanceTree({".": ModuleConfig.from_documents(".", [document])}).root(".")
    assert isinstance(root.local("name"), Unknown)
    assert isinstance(root.local("prefix"), Unknown)
    assert root.local("lifespan") == "1d"
    assert len(root.problems) == 1
    message, span = root.problems[0]
    assert "local.name" in message and "local.prefix" in message
    assert span is not None and span.path == "main.tf"
    (tmp_path / "main.tf").write_text(CYCLE, encoding="utf-8")
    result = scan(ScanOptions([str(tmp_path)], selection=RuleSelection(select=("ORY2",))))
    assert [(f.rule_id, f.attribute) for f in result.findings] == [
        ("ORY201", "client_credentials_grant_access_token_lifespan")
    ]

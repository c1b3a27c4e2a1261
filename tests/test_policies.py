"""Policies (issue 14): the format, its errors, unknown values, positions, packs and the tooling.

Every expected finding below was worked out from the policy and the Terraform text by hand (the
column is where the judged value, list element or block header starts), not copied from output.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from orylint.engine.selection import RuleSelection
from orylint.policies.facts import address_parts
from orylint.policies.loader import PolicyError, as_rules, load_policies, parse_policies
from orylint.policies.policy import reads
from orylint.scan import ScanOptions, scan
from tests.helpers import REPO, assert_valid_sarif, run_cli

PLANS = REPO / "tests" / "fixtures" / "plans"


def write(directory: Path, name: str, content: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(content), encoding="utf-8")
    return path


def findings(paths: list[str], policy_text: str, tmp_path: Path, **options: object) -> list[tuple]:
    """(rule, address, line, column, attribute) of each policy finding of a scan."""
    policies = parse_policies(str(tmp_path / "p.yaml"), textwrap.dedent(policy_text), user=True)
    result = scan(
        ScanOptions(
            paths=paths,
            selection=RuleSelection(select=tuple(p.id for p in policies)),
            policies=as_rules(policies),
            **options,  # type: ignore[arg-type]
        )
    )
    return [
        (f.rule_id, f.address, f.span.start_line, f.span.start_column, f.attribute, f.message)
        for f in result.findings
    ]


# --------------------------------------------------------------------------
# The example policies, the pack and `orylint policy test`
# --------------------------------------------------------------------------


def test_the_six_example_policies_pass_their_own_examples() -> None:
    run = run_cli("policy", "test", "examples/policies", cwd=REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "18 passed" in run.stdout
    assert {p.id for p in load_policies(["examples/policies"])} == {
        f"ACME00{n}" for n in range(1, 7)
    }


def test_the_production_pack_passes_its_own_examples() -> None:
    run = run_cli("policy", "test", "--pack", "production", cwd=REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "12 passed" in run.stdout


def test_a_misbehaving_example_fails_the_run_like_pytest(tmp_path: Path) -> None:
    write(
        tmp_path,
        "policies/owners.yaml",
        """\
        id: ACME010
        name: owner-in-contacts
        severity: warning
        message: "{address} has no contacts"
        description: Clients list contacts.
        require: {required: [contacts]}
        examples:
          pass:
            - |
              resource "ory_oauth2_client" "a" {
                client_name = "a"
              }
          fail:
            - |
              resource "ory_oauth2_client" "a" {
                client_name = "a"
                contacts    = ["x@example.com"]
              }
            - |
              resource "ory_oauth2_client" "a" {
        """,
    )
    run = run_cli("policy", "test", "policies", cwd=tmp_path)
    assert run.returncode == 1
    assert "policies/owners.yaml FFF" in run.stdout
    assert "policies/owners.yaml::ACME010::pass[0]" in run.stdout
    assert "expected no finding of ACME010, got:" in run.stdout
    assert "expected a finding of ACME010, got none" in run.stdout
    assert "the example is not valid Terraform" in run.stdout
    assert "3 failed, 0 passed" in run.stdout


# --------------------------------------------------------------------------
# Bad policies: file, line, reason; exit 2; nothing linted
# --------------------------------------------------------------------------

VALID = """\
id: ACME001
name: https-only
severity: error
message: "{attribute} = {value} is not https"
description: Redirect URIs use https.
require:
  properties:
    redirect_uris: {items: {pattern: "^https://"}}
"""


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("id: ACME001\nname: [oops\n", 3, "invalid YAML"),
        (VALID + "owner: me\n", 1, "unknown key 'owner'"),
        (VALID.replace("pattern:", "patern:"), 8, "items: unknown JSON Schema keyword 'patern'"),
        (VALID.replace('pattern: "^https://"', 'pattern: "^(https"'), 8, "require.properties"),
        (VALID.replace("{items:", "{type: strng, items:"), 8, "not a valid JSON Schema"),
        (VALID.replace("ACME001", "ORY403"), 1, "ORY403 is orylint's rule http-redirect-uri"),
        (VALID.replace("ACME001", "ORYX001"), 1, "in orylint's namespace"),
        (VALID.replace("{value}", "{client}"), 4, "unknown placeholder {client}"),
        (VALID.replace("severity: error", "severity: fatal"), 3, "severity"),
        (
            VALID.replace("description: Redirect URIs use https.\n", ""),
            1,
            "'description' is required",
        ),
        (VALID + "name: again\n", 9, "key 'name' is repeated"),
        (VALID.replace("ACME001", "acme-1"), 1, "is not an id like ACME001"),
    ],
)
def test_a_bad_policy_is_an_error_naming_file_line_and_reason(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    write(tmp_path, "policies/bad.yaml", text)
    write(tmp_path, "main.tf", 'resource "ory_oauth2_client" "a" {\n  client_name = "a"\n}\n')
    run = run_cli("check", ".", "--policy-dir", "policies", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stdout == ""  # nothing was linted
    assert run.stderr.startswith(f"error: policies/bad.yaml:{line}: "), run.stderr
    assert reason in run.stderr
    assert "Traceback" not in run.stderr


def test_an_id_used_twice_names_both_places(tmp_path: Path) -> None:
    write(tmp_path, "policies/a.yaml", VALID)
    write(tmp_path, "policies/b.yaml", "# the same id\n" + VALID)
    with pytest.raises(PolicyError) as caught:
        load_policies([str(tmp_path / "policies")])
    assert caught.value.path.endswith("b.yaml")
    assert caught.value.line == 2
    assert "ACME001 is already the id of the policy at" in caught.value.reason
    assert "a.yaml:1" in caught.value.reason


def test_a_list_of_policies_gives_each_its_line(tmp_path: Path) -> None:
    text = (
        "- "
        + VALID.replace("\n", "\n  ").rstrip()
        + "\n- "
        + VALID.replace("ACME001", "ACME002")
        .replace("\n", "\n  ")
        .rstrip()
        .replace("{value}", "{nope}")
    )
    with pytest.raises(PolicyError) as caught:
        parse_policies("p.yaml", text + "\n")
    assert caught.value.line == 12
    assert "unknown placeholder {nope}" in caught.value.reason


def test_an_unknown_pack_is_an_error() -> None:
    with pytest.raises(PolicyError, match="no policy pack 'staging'; available: production"):
        load_policies(packs=["staging"])


# --------------------------------------------------------------------------
# Validated policy files are cached: a warm run is the cold run, errors included
# --------------------------------------------------------------------------


def test_a_warm_run_gives_the_same_policy_findings_and_errors(tmp_path: Path) -> None:
    write(tmp_path, "policies/a.yaml", VALID)
    write(
        tmp_path,
        "main.tf",
        'resource "ory_oauth2_client" "a" {\n  redirect_uris = ["http://a.example.com/cb"]\n}\n',
    )
    check = ("check", ".", "--policy-dir", "policies", "--cache-dir", "cache", "--format", "json")
    cold = run_cli(*check, cwd=tmp_path)
    assert cold.returncode == 1, cold.stderr
    assert [f["rule_id"] for f in json.loads(cold.stdout)["findings"]].count("ACME001") == 1
    entries = sorted(path for path in (tmp_path / "cache").rglob("*") if path.is_file())
    for run in (run_cli(*check, cwd=tmp_path) for _ in range(2)):
        assert (run.returncode, run.stdout, run.stderr) == (cold.returncode, cold.stdout, "")
    # Corrupt entries are misses: the policies are validated again, with the same result.
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:-3] + b"bad")
    again = run_cli(*check, cwd=tmp_path)
    assert (again.returncode, again.stdout, again.stderr) == (cold.returncode, cold.stdout, "")

    # A bad file is an error on every run; so is an id clash between files cached as valid.
    for name, text, reason in [
        ("b.yaml", VALID.replace("pattern:", "patern:"), "policies/b.yaml:8: "),
        ("b.yaml", "# the same id\n" + VALID, "policies/b.yaml:2: id: ACME001 is already"),
    ]:
        write(tmp_path, f"policies/{name}", text)
        for _ in range(2):
            run = run_cli(*check, cwd=tmp_path)
            assert (run.returncode, run.stdout) == (2, "")
            assert run.stderr.startswith(f"error: {reason}"), run.stderr


def test_a_cached_policy_file_is_not_validated_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orylint.policies import loader
    from orylint.terraform.cache import Cache

    path = write(tmp_path, "policies/a.yaml", VALID)
    cache = Cache(tmp_path / "cache")
    cold = load_policies([str(path)], ["production"], cache)

    def validate(*_: object, **__: object) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr(loader, "parse_policies", validate)
    warm = load_policies([str(path)], ["production"], cache)
    assert warm == cold
    assert [policy.compiled.inputs for policy in warm] == [p.compiled.inputs for p in cold]
    path.write_text(VALID.replace("https.", "https only."), encoding="utf-8")  # a new content
    with pytest.raises(AssertionError, match="validated again"):
        load_policies([str(path)], cache=cache)
    with pytest.raises(AssertionError, match="validated again"):
        load_policies(packs=["production"])  # no cache: always validated


# --------------------------------------------------------------------------
# Unknown is not wrong; evaluated values are checked
# --------------------------------------------------------------------------

UNKNOWN_POLICIES = """\
- id: ACME001
  name: app-redirects
  severity: error
  message: "{attribute} = {value}"
  description: Redirects go to app.example.com.
  require:
    properties:
      redirect_uris: {items: {pattern: "^https://app\\\\.example\\\\.com/"}}
- id: ACME002
  name: named-clients
  severity: error
  message: "{attribute} = {value}"
  description: Client names are lower case.
  require:
    properties:
      client_name: {pattern: "^[a-z]+$"}
- id: ACME003
  name: team-metadata
  severity: error
  message: "{attribute} is missing"
  description: Metadata names a team.
  require:
    properties:
      metadata: {required: [team]}
- id: ACME004
  name: machine-jwt
  severity: error
  message: "{address}: {value}"
  description: Machine clients use private_key_jwt.
  when: {properties: {effective_grant_types: {contains: {const: client_credentials}}}}
  require: {properties: {effective_auth_method: {const: private_key_jwt}}}
"""


def test_a_plan_with_unknown_attributes_gives_findings_only_on_known_values(
    tmp_path: Path,
) -> None:
    """unknowns.plan.json: child's name and metadata, one redirect URI and machine's grants are
    unknown. Every policy would fire on any other value there; only known values are judged."""
    found = findings([str(PLANS / "unknowns.plan.json")], UNKNOWN_POLICIES, tmp_path)
    assert sorted((rule, address) for rule, address, *_ in found) == [
        ("ACME002", "ory_oauth2_client.machine"),  # "Machine": known, upper case
        ("ACME002", "ory_oauth2_client.parent"),  # "Parent"
        ("ACME004", "ory_oauth2_client.parent"),  # client_credentials, client_secret_post
    ]


def test_unresolved_variables_give_no_finding_and_tfvars_values_do(tmp_path: Path) -> None:
    policy = """\
    id: ACME001
    name: app-redirects
    severity: error
    message: "{attribute} = {value} leaves app.example.com"
    description: Redirects go to app.example.com.
    require:
      required: [contacts]
      properties:
        redirect_uris: {items: {pattern: "^https://app\\\\.example\\\\.com/"}}
    """
    write(
        tmp_path,
        "infra/main.tf",
        """\
        variable "uris" {
          type = list(string)
        }

        variable "contacts" {
          type = list(string)
        }

        resource "ory_oauth2_client" "web" {
          client_name   = "web"
          redirect_uris = var.uris
          contacts      = var.contacts
        }
        """,
    )
    infra = str(tmp_path / "infra")
    # Unresolved: the list is unknown, and `required` counts contacts (set to an unknown) present.
    assert findings([infra], policy, tmp_path) == []
    write(
        tmp_path,
        "infra/terraform.tfvars",
        'uris     = ["https://app.example.com/cb", "https://evil.example.net/cb"]\n'
        'contacts = ["team@example.com"]\n',
    )
    [(rule, address, line, column, attribute, message)] = findings([infra], policy, tmp_path)
    assert (rule, address, line, column, attribute) == (
        "ACME001",
        "ory_oauth2_client.web",
        11,
        19,
        "redirect_uris[1]",
    )
    assert message.startswith('redirect_uris[1] = "https://evil.example.net/cb" leaves')
    assert "terraform.tfvars" in message  # where the value came from


def test_a_condition_that_reads_an_unknown_never_applies(tmp_path: Path) -> None:
    policy = """\
    id: ACME001
    name: jwt-for-machines
    severity: error
    message: "{address}"
    description: Machine clients use private_key_jwt.
    require:
      if: {properties: {grant_types: {contains: {const: client_credentials}}}}
      then: {properties: {token_endpoint_auth_method: {const: private_key_jwt}}}
    """
    write(
        tmp_path,
        "main.tf",
        """\
        variable "grants" {
          type = list(string)
        }

        resource "ory_oauth2_client" "unknown" {
          client_name                = "a"
          grant_types                = var.grants
          token_endpoint_auth_method = "client_secret_basic"
        }

        resource "ory_oauth2_client" "known" {
          client_name                = "b"
          grant_types                = ["client_credentials"]
          token_endpoint_auth_method = "client_secret_basic"
        }
        """,
    )
    found = findings([str(tmp_path / "main.tf")], policy, tmp_path)
    assert [(address, line, column) for _, address, line, column, *_ in found] == [
        ("ory_oauth2_client.known", 14, 32)
    ]


# --------------------------------------------------------------------------
# Positions and facts
# --------------------------------------------------------------------------


def test_an_element_violation_points_at_the_element_and_a_missing_one_at_the_label(
    tmp_path: Path,
) -> None:
    policy = """\
    id: ACME001
    name: https-and-owner
    severity: error
    message: "{attribute} = {value}"
    description: Redirect URIs use https; an owner is listed.
    require:
      required: [contacts]
      properties:
        redirect_uris: {items: {pattern: "^https://"}}
        metadata: {properties: {team: {type: string}}}
        lifespans:
          properties:
            authorization_code_grant_access_token_lifespan: {maximum: 3600}
    """
    write(
        tmp_path,
        "main.tf",
        """\
        resource "ory_oauth2_client" "web" {
          client_name   = "web"
          redirect_uris = [
            "https://a.example.com/cb",
            "https://b.example.com/cb",
            "http://c.example.com/cb",
          ]
          metadata = jsonencode({ team = 7 })
          authorization_code_grant_access_token_lifespan = "90m"
        }
        """,
    )
    found = findings([str(tmp_path / "main.tf")], policy, tmp_path)
    assert [
        (line, column, attribute, message) for _, _, line, column, attribute, message in found
    ] == [
        (1, 1, None, "contacts = (unset)"),
        (6, 5, "redirect_uris[2]", 'redirect_uris[2] = "http://c.example.com/cb"'),
        (8, 14, "metadata", "metadata.team = 7"),
        (
            9,
            52,
            "authorization_code_grant_access_token_lifespan",
            "lifespans.authorization_code_grant_access_token_lifespan = 5400",
        ),
    ]


def test_derived_facts_of_a_module_instance(tmp_path: Path) -> None:
    policy = """\
    id: ACME001
    name: facts
    severity: note
    message: "{value}"
    description: Shows the facts.
    require:
      properties:
        module_path: {const: nothing}
        instance_key: {const: nothing}
        resource_type: {const: nothing}
        public: {const: nothing}
        effective_response_types: {const: nothing}
    """
    write(
        tmp_path,
        "main.tf",
        """\
        module "apps" {
          source   = "./app"
          for_each = toset(["web"])
        }
        """,
    )
    write(
        tmp_path,
        "app/main.tf",
        """\
        resource "ory_oauth2_client" "this" {
          count                      = 1
          client_name                = "app"
          token_endpoint_auth_method = "none"
        }
        """,
    )
    found = findings([str(tmp_path)], policy, tmp_path)
    assert {message for *_, message in found} == {
        '"module.apps[\\"web\\"]"',
        "0",
        '"ory_oauth2_client"',
        "true",
        '["code"]',
    }
    assert {address for _, address, *_ in found} == {'module.apps["web"].ory_oauth2_client.this[0]'}


@pytest.mark.parametrize(
    ("address", "parts"),
    [
        ("ory_oauth2_client.web", ("", None)),
        ('module.a["x.y"].ory_oauth2_client.b[0]', ('module.a["x.y"]', 0)),
        (
            'module.a.module.b.ory_oauth2_client.c["k\\"1"]',
            ("module.a.module.b", 'k"1'),
        ),
    ],
)
def test_address_parts(address: str, parts: tuple[object, ...]) -> None:
    assert address_parts(address) == parts


def test_reads_names_what_a_root_condition_depends_on() -> None:
    assert reads(
        {"properties": {"a": {}}, "required": ["b"], "anyOf": [{"properties": {"c": {}}}]}
    ) == {"a", "b", "c"}
    assert reads({"not": {"additionalProperties": False}}) is None
    assert reads({"dependentRequired": {"a": ["b"]}}) == {"a", "b"}


# --------------------------------------------------------------------------
# The production pack on examples/ and on a production fixture
# --------------------------------------------------------------------------


def _pack_findings(*paths: str) -> list[tuple[str, str, int, int]]:
    rules = as_rules(load_policies(packs=["production"]))
    result = scan(
        ScanOptions(paths=list(paths), selection=RuleSelection(select=("ORYP",)), policies=rules)
    )
    return [
        (f.rule_id, f.span.path, f.span.start_line, f.span.start_column) for f in result.findings
    ]


def test_the_production_pack_on_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert _pack_findings("examples") == [
        # web: refresh tokens, refresh_token_grant_refresh_token_lifespan unset; no contacts.
        ("ORYP003", "examples/clients.tf", 2, 1),
        ("ORYP004", "examples/clients.tf", 2, 1),
        # mobile: refresh tokens with neither refresh lifespan set; no contacts.
        ("ORYP003", "examples/clients.tf", 16, 1),
        ("ORYP003", "examples/clients.tf", 16, 1),
        ("ORYP004", "examples/clients.tf", 16, 1),
        # legacy_spa: no contacts (its implicit flow is ORY901's).
        ("ORYP004", "examples/clients.tf", 26, 1),
        # billing module: a machine client with client_secret_basic; no contacts.
        ("ORYP004", "examples/modules/machine_client/main.tf", 17, 1),
        ("ORYP002", "examples/modules/machine_client/main.tf", 20, 32),
    ]


def test_the_production_pack_on_clean_and_deliberate_clients(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    path = "tests/fixtures/policies/production/main.tf"
    assert _pack_findings(path) == [
        ("ORYP001", path, 30, 72),  # dev_portal: http://127.0.0.1 (ORY403 allows loopback)
        ("ORYP002", path, 39, 32),  # sync: client_secret_basic
        ("ORYP004", path, 41, 33),  # sync: "nobody" is not an email address
    ]


# --------------------------------------------------------------------------
# Policies behave like rules: configuration, suppressions, baselines, formats, rules, explain
# --------------------------------------------------------------------------

HTTP_CLIENT = """\
resource "ory_oauth2_client" "web" {
  client_name                = "web"
  token_endpoint_auth_method = "client_secret_basic"
  redirect_uris              = ["https://app.example.com/cb"]
}
"""


def test_policy_dirs_severity_and_per_path_ignores_in_the_configuration(tmp_path: Path) -> None:
    write(tmp_path, "conf/policies/p.yaml", VALID.replace("^https://", "^https://other"))
    write(tmp_path, "infra/main.tf", HTTP_CLIENT)
    write(tmp_path, "legacy/main.tf", HTTP_CLIENT)
    write(
        tmp_path,
        ".orylint.toml",
        'policy-dirs = ["conf/policies"]\n[severity]\nACME001 = "note"\n'
        '[per-path-ignores]\n"legacy/**" = ["ACME"]\n',
    )
    # Run from a subdirectory: policy-dirs are relative to the configuration file.
    run = run_cli("check", ".", "../legacy", "--format", "json", cwd=tmp_path / "infra")
    report = json.loads(run.stdout)
    assert [(f["rule_id"], f["severity"], f["file"]) for f in report["findings"]] == [
        ("ACME001", "note", "main.tf")
    ]
    assert run.returncode == 0  # a note does not fail the default threshold


def test_policy_ids_are_known_rule_ids_only_when_their_policies_are_loaded(
    tmp_path: Path,
) -> None:
    write(tmp_path, "policies/p.yaml", VALID.replace("^https://", "^https://other"))
    write(tmp_path, "main.tf", HTTP_CLIENT)
    # Without the policy, ACME001 names no rule: a usage error with a suggestion, not a no-op.
    refused = run_cli("check", ".", "--select", "ACME001", cwd=tmp_path)
    assert refused.returncode == 2
    assert "no rule or rule prefix ACME001" in refused.stderr
    selected = run_cli(
        "check",
        ".",
        "--policy-dir",
        "policies",
        "--select",
        "ACME001",
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert selected.returncode == 1, selected.stderr
    assert [f["rule_id"] for f in json.loads(selected.stdout)["findings"]] == ["ACME001"]
    # A nested configuration naming the run's policy by prefix is valid too.
    write(tmp_path, "team/.orylint.toml", 'select = ["ACME"]\n[severity]\nACME001 = "note"\n')
    write(tmp_path, "team/main.tf", HTTP_CLIENT)
    write(tmp_path, ".orylint.toml", 'policy-dirs = ["policies"]\n')
    run = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    found = sorted(
        (f["file"], f["rule_id"], f["severity"]) for f in json.loads(run.stdout)["findings"]
    )
    assert found == [("main.tf", "ACME001", "error"), ("team/main.tf", "ACME001", "note")]
    # policy-dirs is run-level: linting team/ alone uses team's configuration, which loads no
    # policy, so its ids are unknown there, unless --policy-dir loads the policy.
    alone = run_cli("check", ".", cwd=tmp_path / "team")
    assert alone.returncode == 2
    assert "select: no rule or rule prefix ACME" in alone.stderr
    assert run_cli("config", "team/main.tf", cwd=tmp_path).returncode == 2
    shown = run_cli("config", "team/main.tf", "--policy-dir", "policies", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    named = run_cli("check", ".", "--policy-dir", "../policies", cwd=tmp_path / "team")
    assert named.returncode == 0, named.stderr  # a note does not fail the run


def test_suppressions_and_baselines_apply_to_policies(tmp_path: Path) -> None:
    write(tmp_path, "policies/p.yaml", VALID.replace("^https://", "^https://other"))
    write(
        tmp_path,
        "main.tf",
        HTTP_CLIENT.replace(
            "  redirect_uris", "  # orylint:ignore ACME001 -- migrating in Q3\n  redirect_uris"
        ),
    )
    run = run_cli("check", ".", "--policy-dir", "policies", "--format", "json", cwd=tmp_path)
    report = json.loads(run.stdout)
    assert report["findings"] == []
    assert [f["rule_id"] for f in report["suppressed"]] == ["ACME001"]
    write(tmp_path, "main.tf", HTTP_CLIENT)
    assert run_cli("check", ".", "--policy-dir", "policies", cwd=tmp_path).returncode == 1
    run_cli("check", ".", "--policy-dir", "policies", "--write-baseline", "b.json", cwd=tmp_path)
    again = run_cli("check", ".", "--policy-dir", "policies", "--baseline", "b.json", cwd=tmp_path)
    assert again.returncode == 0


def test_sarif_lists_each_policy_as_a_rule_with_its_help(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", HTTP_CLIENT.replace("example.com", "example.org"))
    run = run_cli(
        "check",
        ".",
        "--policy-dir",
        str(REPO / "examples/policies"),
        "--format",
        "sarif",
        "--select",
        "ACME002",
        cwd=tmp_path,
    )
    document = json.loads(run.stdout)
    assert_valid_sarif(document)
    [rule] = document["runs"][0]["tool"]["driver"]["rules"]
    assert rule["id"] == "ACME002"
    assert rule["name"] == "redirect-uris-on-company-domains"
    assert "helpUri" not in rule
    assert "hands that host the login" in rule["help"]["text"]
    assert "uris.yaml:2" in rule["help"]["text"]
    [result] = document["runs"][0]["results"]
    assert result["ruleId"] == "ACME002"
    assert result["locations"][0]["physicalLocation"]["region"]["startColumn"] == 33


def test_rules_and_explain_show_policies(tmp_path: Path) -> None:
    listing = run_cli("rules", "--policy-dir", "examples/policies", cwd=REPO)
    assert listing.returncode == 0
    assert any(
        line.split()[:3] == ["ACME004", "team-in-metadata", "error"]
        for line in listing.stdout.splitlines()
    )
    explained = run_cli("explain", "ACME004", "--policy-dir", "examples/policies", cwd=REPO)
    assert explained.returncode == 0
    assert explained.stdout.startswith("ACME004 team-in-metadata (error)\n")
    assert "Policy defined in examples/policies/ownership.yaml:2" in explained.stdout
    missing = run_cli("explain", "ACME004", cwd=tmp_path)
    assert missing.returncode == 2


def test_a_policy_never_prints_a_secret(tmp_path: Path) -> None:
    write(
        tmp_path,
        "policies/p.yaml",
        """\
        - id: ACME001
          name: long-secrets
          severity: error
          message: "{attribute} = {value}: {reason}"
          description: Secrets are long.
          require: {properties: {client_secret: {minLength: 40}}}
        - id: ACME002
          name: no-secret-at-all
          severity: error
          message: "{attribute} {value}: {reason}"
          description: No literal secrets (the whole client is judged).
          require: {not: {properties: {client_secret: {type: string}}, required: [client_secret]}}
        """,
    )
    write(
        tmp_path,
        "main.tf",
        """\
        resource "ory_oauth2_client" "api" {
          client_name                = "api"
          grant_types                = ["client_credentials"]
          token_endpoint_auth_method = "client_secret_basic"
          client_secret              = "hunter2-but-longer"
        }
        """,
    )
    for output in ("text", "json", "sarif", "github", "junit", "gitlab"):
        run = run_cli(
            "check",
            ".",
            "--policy-dir",
            "policies",
            "--select",
            "ACME",
            "--format",
            output,
            cwd=tmp_path,
        )
        assert run.returncode == 1, output
        assert "ACME001" in run.stdout and "ACME002" in run.stdout, output
        assert "hunter2" not in run.stdout + run.stderr, output
    text = run_cli("check", ".", "--policy-dir", "policies", "--select", "ACME", cwd=tmp_path)
    assert "client_secret = (sensitive value): fails minLength" in text.stdout
    assert "(the client): fails not" in text.stdout


def test_the_known_elements_of_a_partly_known_list_are_judged(tmp_path: Path) -> None:
    policy = """\
    id: ACME001
    name: https-only
    severity: error
    message: "{attribute} = {value}"
    description: Redirect URIs use https.
    require:
      properties:
        redirect_uris: {items: {pattern: "^https://"}, maxItems: 1}
    """
    write(
        tmp_path,
        "main.tf",
        """\
        variable "host" {
          type = string
        }

        resource "ory_oauth2_client" "web" {
          client_name   = "web"
          redirect_uris = ["http://a.example.com/cb", "http://${var.host}/cb"]
        }
        """,
    )
    # Element 0 is known and judged; element 1 is unknown, and so is whatever depends on it
    # (maxItems fails on the list, whose elements are partly unknown: no finding).
    found = findings([str(tmp_path / "main.tf")], policy, tmp_path)
    assert [(line, column, attribute) for _, _, line, column, attribute, _ in found] == [
        (7, 20, "redirect_uris[0]")
    ]


def test_an_empty_policy_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    with pytest.raises(PolicyError, match=r"no policy files \(\*\.yaml, \*\.yml\) here"):
        load_policies([str(tmp_path / "policies")])


def test_packs_and_dirs_from_the_configuration_reach_every_command(tmp_path: Path) -> None:
    write(tmp_path, "policies/p.yaml", VALID)
    write(tmp_path, ".orylint.toml", 'policy-dirs = ["policies"]\npolicy-packs = ["production"]\n')
    keys = json.loads(run_cli("config", cwd=tmp_path).stdout)["keys"]
    assert keys["policy-dirs"]["value"] == [str(tmp_path / "policies")]
    assert keys["policy-packs"]["value"] == ["production"]
    listing = json.loads(run_cli("rules", "--format", "json", cwd=tmp_path).stdout)
    by_id = {rule["id"]: rule for rule in listing}
    assert by_id["ACME001"]["family"] == "policy"
    assert by_id["ACME001"]["help_uri"] is None
    assert by_id["ORYP002"]["name"] == "machine-clients-use-private-key-jwt"
    tested = run_cli("policy", "test", cwd=tmp_path)  # the configured dirs and packs
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "orylint:packs/production.yaml ..........." in tested.stdout
    assert tested.stdout.startswith("policies/p.yaml:1: ACME001 has no examples\n")
    assert "12 passed, 1 policy without examples" in tested.stdout


def test_an_unknown_pack_in_the_configuration_is_refused(tmp_path: Path) -> None:
    write(tmp_path, ".orylint.toml", 'policy-packs = ["staging"]\n')
    write(tmp_path, "main.tf", HTTP_CLIENT)
    run = run_cli("check", ".", cwd=tmp_path)
    assert run.returncode == 2
    assert "policy_packs" in run.stderr or "policy-packs" in run.stderr


def test_explain_knows_the_pack_policies_without_enabling_them(tmp_path: Path) -> None:
    explained = run_cli("explain", "ORYP002", cwd=tmp_path)
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout.startswith("ORYP002 machine-clients-use-private-key-jwt (warning)\n")
    assert "Policy defined in orylint:packs/production.yaml:" in explained.stdout


def test_policy_text_reaches_the_terminal_escaped(tmp_path: Path) -> None:
    hostile = VALID.replace("Redirect URIs use https.", '"Redirect URIs\\e[2J use https.\\u202e"')
    write(tmp_path, "policies/p.yaml", hostile)
    for command in (("explain", "ACME001"), ("rules",)):
        run = run_cli(*command, "--policy-dir", "policies", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        assert "\x1b" not in run.stdout and "\u202e" not in run.stdout
        assert "Redirect URIs\\u001b[2J use https.\\u202e" in run.stdout


def test_policies_judge_every_client_resource_in_the_models_terms(tmp_path: Path) -> None:
    policy = """\
    id: ACME001
    name: openid-only-on-hydra
    severity: error
    message: "{address} ({value})"
    description: Self-hosted Hydra clients only get openid.
    when: {properties: {resource_type: {const: hydra_oauth2_client}}}
    require: {properties: {effective_scopes: {items: {const: openid}}}}
    """
    write(
        tmp_path,
        "main.tf",
        """\
        resource "hydra_oauth2_client" "legacy" {
          client_name = "legacy"
          scopes      = ["openid", "admin"]
        }

        resource "ory_oauth2_client" "cloud" {
          client_name = "cloud"
          scope       = "openid admin"
        }
        """,
    )
    found = findings([str(tmp_path / "main.tf")], policy, tmp_path)
    assert [(address, line, message) for _, address, line, _, _, message in found] == [
        ("hydra_oauth2_client.legacy", 3, 'hydra_oauth2_client.legacy ("admin")')
    ]


def test_policies_reading_the_same_attributes_keep_their_own_outcomes(tmp_path: Path) -> None:
    # Outcomes are remembered per policy and value of what it reads, and the key is worked out
    # once per client for every policy reading the same attributes: sharing the key must not
    # share outcomes between policies, nor between clients whose values differ.
    write(
        tmp_path,
        "main.tf",
        """\
        resource "ory_oauth2_client" "web" {
          grant_types = ["authorization_code", "refresh_token"]
          scope       = "openid"
        }
        resource "ory_oauth2_client" "machine" {
          grant_types = ["client_credentials"]
          scope       = "openid"
        }
        resource "ory_oauth2_client" "web_too" {
          grant_types = ["authorization_code", "refresh_token"]
          scope       = "offline"
        }
        """,
    )
    policy = """\
    - id: ACME001
      name: one-grant
      severity: error
      message: "{address}: one grant"
      description: One grant.
      require: {properties: {grant_types: {maxItems: 1}}}
    - id: ACME002
      name: no-refresh
      severity: error
      message: "{address}: no refresh"
      description: No refresh.
      require: {properties: {grant_types: {items: {not: {const: refresh_token}}}}}
    - id: ACME003
      name: openid-for-web
      severity: error
      message: "{address}: openid"
      description: Web clients ask for openid.
      when: {properties: {grant_types: {contains: {const: authorization_code}}}}
      require: {properties: {scope: {const: openid}}}
    """
    found = sorted(
        (rule, address) for rule, address, *_ in findings([str(tmp_path)], policy, tmp_path)
    )
    assert found == [
        ("ACME001", "ory_oauth2_client.web"),
        ("ACME001", "ory_oauth2_client.web_too"),
        ("ACME002", "ory_oauth2_client.web"),
        ("ACME002", "ory_oauth2_client.web_too"),
        ("ACME003", "ory_oauth2_client.web_too"),
    ]


def test_a_rule_that_crashes_keeps_what_it_found_and_stops_no_other(tmp_path: Path) -> None:
    # The engine appends each rule's findings as the rule yields them: a crash midway is an
    # internal error (exit 2) that keeps what came before it and every other rule's findings.
    from orylint.engine.findings import Violation
    from orylint.engine.registry import Rule

    write(
        tmp_path,
        "main.tf",
        """\
        resource "ory_oauth2_client" "web" {
          grant_types   = ["authorization_code"]
          redirect_uris = ["http://example.com/callback"]
        }
        """,
    )
    (policy,) = parse_policies(
        "p.yaml",
        "id: ACME009\nname: crashes\nseverity: error\nmessage: m\ndescription: d\nrequire: {}\n",
        user=True,
    )

    def crashing(client: object, settings: object) -> Iterator[Violation]:
        yield Violation("before the crash", client.span)  # type: ignore[attr-defined]
        raise RuntimeError("a bug")

    rule = Rule(policy.id, "client", crashing, policy.meta)
    # -j 2: the policy runs in a child process beside the built-in rules; -j 1: here
    result, alone = (
        scan(ScanOptions(paths=[str(tmp_path)], policies=[rule], jobs=jobs)) for jobs in (2, 1)
    )
    assert result.fatal_errors == alone.fatal_errors == ["rule ACME009 failed: RuntimeError"]
    assert result.findings == alone.findings
    messages = {(f.rule_id, f.message) for f in result.findings}
    assert ("ACME009", "before the crash") in messages
    assert any(rule_id == "ORY403" for rule_id, _ in messages)  # http redirect: others ran

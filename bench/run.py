#!/usr/bin/env python3
"""Measure every performance goal of orylint in one run, next to anchors taken in the same run.

    python bench/run.py                          # every case, generated inputs
    python bench/run.py --corpus /work/corpus    # the real-corpus case on a real tree
    python bench/run.py --json                   # machine-readable
    python bench/run.py --policies 20            # also: the dense scan with 20 policies

Absolute times drift on a shared machine, so each goal is a ratio to an anchor measured in the
same run: reading every file plus a substring scan in a fresh Python process (the floor for a
linter that only needs what mentions Ory) and ``terraform fmt -check -recursive`` (Go). Every
orylint run is a real ``python -m orylint`` process; its peak RSS comes from ``wait4``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PLAN_FIXTURE = REPO / "tests" / "fixtures" / "plans" / "equivalence.plan.json"

GENERIC = """\
variable "name_{i}" {{
  type    = string
  default = "svc-{i}"
}}

locals {{
  tags_{i} = {{
    team        = "platform"
    environment = var.environment
    index       = {i}
  }}
}}

resource "aws_s3_bucket" "bucket_{i}" {{
  bucket = "${{var.name_{i}}}-bucket"
  tags   = local.tags_{i}
}}

resource "aws_iam_role" "role_{i}" {{
  name = "role-{i}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Action    = "sts:AssumeRole"
      Effect    = "Allow"
      Principal = {{ Service = "lambda.amazonaws.com" }}
    }}]
  }})
}}
"""

OUTPUTS = """\
output "bucket_{i}_arn" {{
  value = aws_s3_bucket.bucket_{i}.arn
}}
"""

PROVIDERS = """\
terraform {{
  required_version = ">= 1.5"
}}

moved {{
  from = aws_s3_bucket.old_{i}
  to   = aws_s3_bucket.bucket_{i}
}}
"""

CLIENT = """\
resource "ory_oauth2_client" "{name}" {{
  client_name                = "Client {name}"
  grant_types                = ["authorization_code", "refresh_token"]
  response_types             = ["code"]
  redirect_uris              = ["https://{name}.example.com/oauth/callback"]
  post_logout_redirect_uris  = ["https://{name}.example.com:8443/signed-out"]
  token_endpoint_auth_method = "client_secret_basic"
  scope                      = "openid profile email offline_access"

  authorization_code_grant_access_token_lifespan  = "90m"
  authorization_code_grant_refresh_token_lifespan = "${{local.refresh}}"
}}
"""

ORY_EXTRAS = """\
locals {{
  refresh = "720h"
}}

output "client_{i}_id" {{
  value = ory_oauth2_client.c{i}_0.client_id
}}
"""


def build_sparse(root: Path, dirs: int) -> None:
    """A real-corpus-like tree: many module directories, almost none mentioning Ory."""
    for index in range(dirs):
        directory = root / f"module_{index:04d}"
        directory.mkdir(parents=True)
        (directory / "main.tf").write_text(GENERIC.format(i=index))
        (directory / "outputs.tf").write_text(OUTPUTS.format(i=index))
        (directory / "variables.tf").write_text('variable "environment" {}\n')
        if index % 500 == 0:
            (directory / "ory.tf").write_text(ORY_EXTRAS.format(i=index) + _clients(index, 1))


def build_dense(root: Path, files: int, ory_share: float) -> int:
    """An Ory-dense monorepo of ``files`` ``.tf`` files in module directories of four files.

    Every ``1/ory_share``-th directory holds one to four clients, a local they read and an output;
    the others hold generic resources, variables, outputs, a ``terraform`` and a ``moved`` block.
    Returns the number of clients.
    """
    every = max(1, round(1 / ory_share))
    clients = 0
    for index in range(files // 4):
        directory = root / f"module_{index:05d}"
        directory.mkdir(parents=True)
        texts = {
            "main.tf": GENERIC.format(i=index),
            "outputs.tf": OUTPUTS.format(i=index),
            "variables.tf": 'variable "environment" {}\n',
            "versions.tf": PROVIDERS.format(i=index),
        }
        if index % every == 0:
            count = 1 + index // every % 4
            texts["main.tf"] += ORY_EXTRAS.format(i=index) + _clients(index, count)
            clients += count
        for name, text in texts.items():
            (directory / name).write_text(text)
    return clients


def _clients(index: int, count: int) -> str:
    return "\n".join(CLIENT.format(name=f"c{index}_{n}") for n in range(count))


def build_clients_file(path: Path, clients: int) -> None:
    """One file of ``clients`` clients, each with a fixable finding (a duration, ORY204)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = 'locals {\n  refresh = "720h"\n}\n\n' + "\n".join(
        CLIENT.format(name=f"c{n}") for n in range(clients)
    )
    path.write_text(text)


def build_plan(path: Path, resources: int, client_share: float = 0.2) -> None:
    """A ``terraform show -json`` plan of ``resources`` resources, grown from a real one.

    The client is the fixture's (made by real Terraform, ``scripts/make-plan-fixtures``), renamed
    per copy; the other resources are S3 buckets in the same shape (planned values, a change with
    ``after_unknown`` and sensitivity, a configuration entry). Indented as Terraform writes it
    when piped through ``jq``, the form people commit and CI passes around.
    """
    template = json.loads(PLAN_FIXTURE.read_text())
    client_change = template["resource_changes"][0]
    client_value = template["planned_values"]["root_module"]["resources"][0]
    client_config = template["configuration"]["root_module"]["resources"][0]
    changes, values, configs = [], [], []
    every = max(1, round(1 / client_share))
    for index in range(resources):
        if index % every == 0:
            name = f"client_{index}"
            change, value, config = (
                copy.deepcopy(client_change),
                copy.deepcopy(client_value),
                copy.deepcopy(client_config),
            )
            for item in (change, value, config):
                item["address"] = f"ory_oauth2_client.{name}"
                item["name"] = name
            change["change"]["after"]["client_name"] = f"Client {index}"
        else:
            name = f"bucket_{index}"
            after = {
                "bucket": f"bucket-{index}",
                "force_destroy": False,
                "tags": {"index": str(index)},
            }
            unknown = {"arn": True, "id": True, "region": True, "tags": {}}
            base = {"address": f"aws_s3_bucket.{name}", "mode": "managed", "type": "aws_s3_bucket"}
            change = base | {
                "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": after,
                    "after_unknown": unknown,
                    "before_sensitive": False,
                    "after_sensitive": {"tags": {}},
                },
            }
            value = base | {
                "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "schema_version": 0,
                "values": after,
                "sensitive_values": {"tags": {}},
            }
            config = base | {
                "name": name,
                "provider_config_key": "aws",
                "expressions": {"bucket": {"constant_value": after["bucket"]}},
                "schema_version": 0,
            }
        changes.append(change)
        values.append(value)
        configs.append(config)
    plan = template | {
        "planned_values": {"root_module": {"resources": values}},
        "resource_changes": changes,
        "configuration": template["configuration"] | {"root_module": {"resources": configs}},
    }
    path.write_text(json.dumps(plan, indent=2))


@dataclass
class Sample:
    """One case: wall seconds of each repetition and the peak RSS of the largest run."""

    seconds: list[float] = field(default_factory=list)
    peak_mb: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def run(
    command: list[str], env: dict[str, str] | None = None, ok: frozenset[int] = frozenset({0, 1})
) -> tuple[float, float]:
    """Wall time and peak RSS (MiB) of one process, stdout discarded."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=errors, env=env or os.environ.copy()
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in ok:
            errors.seek(0)
            message = errors.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{command} failed ({process.returncode}): {message}")
    return elapsed, usage.ru_maxrss / 1024


def measure(
    command: list[str],
    repeat: int,
    env: dict[str, str] | None = None,
    ok: frozenset[int] = frozenset({0, 1}),
) -> Sample:
    sample = Sample()
    for _ in range(repeat):
        seconds, peak = run(command, env, ok)
        sample.seconds.append(seconds)
        sample.peak_mb = max(sample.peak_mb, peak)
    return sample


def alternate(
    commands: dict[str, list[str]],
    repeat: int,
    env: dict[str, str],
    before: Callable[[], None] | None = None,
) -> dict[str, Sample]:
    """Each command ``repeat`` times, taking turns, so a load that comes and goes on a shared
    machine weighs on all of them alike: the i-th runs of each form a pair. ``before`` runs
    before each run, untimed (an edit, so that every run has something new to lint)."""
    samples = {name: Sample() for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            if before is not None:
                before()
            seconds, peak = run(command, env)
            samples[name].seconds.append(seconds)
            samples[name].peak_mb = max(samples[name].peak_mb, peak)
    return samples


FLOOR = """\
import os, sys
hits = 0
for directory, _, names in os.walk(sys.argv[1]):
    for name in names:
        if name.endswith(".tf"):
            with open(os.path.join(directory, name), "rb") as handle:
                hits += b"ory_oauth2_client" in handle.read()
"""


def floor(root: Path) -> list[str]:
    """Read every ``.tf`` file and test for the marker, in a fresh interpreter."""
    return [sys.executable, "-c", FLOOR, str(root)]


def write_policies(directory: Path, count: int) -> None:
    """``count`` policies: the example policies and the production pack's, renumbered in turn.

    Realistic policies (conditions, derived facts, list items, decoded metadata) rather than
    trivial ones, so the overhead measured is what an organisation's policy set costs.
    """
    import yaml

    bodies: list[dict[str, object]] = []
    sources = sorted((REPO / "examples" / "policies").glob("*.yaml"))
    sources.append(REPO / "src" / "orylint" / "policies" / "packs" / "production.yaml")
    for source in sources:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        bodies.extend(data if isinstance(data, list) else [data])
    policies = []
    for index in range(count):
        body = dict(bodies[index % len(bodies)])
        body.pop("examples", None)
        body["id"] = f"BENCH{index + 1:03d}"
        body["name"] = f"{body['name']}-{index + 1}"
        policies.append(body)
    directory.mkdir(parents=True)
    (directory / "bench.yaml").write_text(yaml.safe_dump(policies), encoding="utf-8")


def orylint(*arguments: str, output: str = "json") -> list[str]:
    return [
        sys.executable,
        "-m",
        "orylint",
        "check",
        *arguments,
        "--format",
        output,
        "--fail-on",
        "never",
    ]


def fmt(root: Path) -> list[str]:
    return ["terraform", "fmt", "-check", "-recursive", str(root)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="a real tree for the real-corpus case")
    parser.add_argument("--sparse-dirs", type=int, default=1500)
    parser.add_argument("--dense-files", type=int, default=10_000)
    parser.add_argument("--ory-share", type=float, default=0.1)
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--plan-resources", type=int, default=20_000)
    parser.add_argument("--big-mb", type=float, default=10.0, help="size of the one big .tf")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--policies", type=int, default=0, help="also time the dense warm scan with N policies"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="orylint-bench-") as temp:
        rows, notes = _measure(args, Path(temp))
    table = _goals(rows, args)
    result = {
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "inputs": notes,
        "cases": {
            name: {"median_s": round(s.median, 3), "peak_mb": round(s.peak_mb)}
            for name, s in rows.items()
        },
        "goals": table,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"machine: {result['machine']}; date: {result['date']}")
    print(f"inputs: {json.dumps(notes)}")
    for name, sample in rows.items():
        print(f"  {name:<52} {sample.median:8.3f} s  {sample.peak_mb:7.0f} MiB")
    print("goals:")
    for goal, (value, target, met) in table.items():
        print(f"  {'MET ' if met else 'MISS'} {goal:<58} {value:>10} (goal {target})")
    return 0


def _environments(work: Path) -> tuple[dict[str, str], ...]:
    """The environments: plain, orylint with a cache, orylint without one, terraform."""
    terraformrc = work / "terraformrc"
    terraformrc.write_text("")
    # Bytecode as an installed orylint has it (pip compiles on install), even where the
    # environment says PYTHONDONTWRITEBYTECODE: the prefix keeps it out of the checkout.
    base = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    base["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env = {**base, "ORYLINT_CACHE_DIR": str(work / "cache")}
    cold = {**env, "ORYLINT_NO_CACHE": "1"}
    env_fmt = {**base, "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": str(terraformrc)}
    return base, env, cold, env_fmt


def _measure(args: argparse.Namespace, work: Path) -> tuple[dict[str, Sample], dict[str, Any]]:
    """Run every case; returns the samples and what the inputs were."""
    has_fmt = shutil.which("terraform") is not None
    rows: dict[str, Sample] = {}
    notes: dict[str, Any] = {}
    base, env, cold, env_fmt = _environments(work)
    fmt_codes = frozenset({0, 3})  # 3: files that fmt would change; it still read them all

    def case(
        name: str,
        command: list[str],
        environ: dict[str, str],
        repeat: int = args.repeat,
        ok: frozenset[int] = frozenset({0, 1}),
    ) -> None:
        rows[name] = measure(command, repeat, environ, ok)
        print(f"  {name:<52} {rows[name].median:8.3f} s", file=sys.stderr)

    warm_up = work / "warm-up" / "main.tf"
    build_clients_file(warm_up, 1)
    run(orylint(str(warm_up)), env)  # bytecode, parser tables, rule metadata: as installed
    sparse = args.corpus or work / "sparse"
    if args.corpus is None:
        build_sparse(sparse, args.sparse_dirs)
    notes["sparse"] = _describe(sparse)
    case("sparse: floor (read + substring scan, process)", floor(sparse), base)
    case("sparse: orylint check (no cache)", orylint(str(sparse)), cold)
    # one process: gathering is not run in a child (no second CPU, --jobs 1); no goal, a fact
    case("sparse: orylint check -j 1 (no cache)", orylint(str(sparse), "-j", "1"), cold)
    run(orylint(str(sparse)), env)  # fills the cache
    case("sparse: orylint check (cache)", orylint(str(sparse)), env)
    if has_fmt:
        case("sparse: terraform fmt -check -recursive", fmt(sparse), env_fmt, ok=fmt_codes)

    dense = work / "dense"
    notes["dense_clients"] = build_dense(dense, args.dense_files, args.ory_share)
    notes["dense"] = _describe(dense)
    case("dense: floor (read + substring scan, process)", floor(dense), base)
    case("dense: orylint check cold (no cache)", orylint(str(dense)), cold)
    run(orylint(str(dense)), env)  # fills the cache
    for name, sample in _dense_warm(args, dense, work, env).items():
        rows[name] = sample
        print(f"  {name:<52} {sample.median:8.3f} s", file=sys.stderr)
    if has_fmt:
        case("dense: terraform fmt -check -recursive", fmt(dense), env_fmt, ok=fmt_codes)

    one = dense / "module_00000" / "main.tf"
    case("one file: orylint check one.tf (warm)", orylint(str(one), output="text"), env)
    case("one file: python -c pass (interpreter)", [sys.executable, "-c", "pass"], base)

    many = work / "many" / "clients.tf"
    build_clients_file(many, args.clients)
    notes["clients_file_mb"] = round(many.stat().st_size / 1e6, 2)
    clients = f"{args.clients} clients in one file"
    for output in ("json", "sarif", "text"):
        case(f"{clients}: {output}", orylint(str(many), output=output), cold, repeat=1)

    plan = work / "plan" / "plan.json"
    plan.parent.mkdir()
    build_plan(plan, args.plan_resources)
    notes["plan_mb"] = round(plan.stat().st_size / 1e6, 2)
    case(f"plan of {args.plan_resources} resources: json", orylint(str(plan)), cold, repeat=1)

    big = work / "big" / "big.tf"
    build_clients_file(big, int(args.big_mb * 1e6 / len(CLIENT.format(name="c00000"))))
    notes["big_file_mb"] = round(big.stat().st_size / 1e6, 2)
    case("big .tf: orylint check (text)", orylint(str(big), output="text"), cold, repeat=1)
    return rows, notes


WARM = "dense: orylint check warm (cache)"
EDITED = "dense: warm after a one-file edit"


def _dense_warm(
    args: argparse.Namespace, dense: Path, work: Path, env: dict[str, str]
) -> dict[str, Sample]:
    """The dense warm scan, served by the result cache; then the same scan after an edit.

    Between the runs of the second case one client file changes (pre-commit's case): the
    result cache misses, the parse cache serves every other file, and the scan evaluates and
    runs every rule again. With ``--policies N`` that re-evaluating scan also runs with N
    policies, in turns with the plain one: a result-cache hit would skip the policies, so only
    this case measures what they cost.
    """
    samples = {WARM: measure(orylint(str(dense)), args.repeat, env)}
    commands = {EDITED: orylint(str(dense))}
    if args.policies:
        directory = work / "policies"
        write_policies(directory, args.policies)
        command = orylint(str(dense), "--policy-dir", str(directory))
        run(command, env)  # validates the policy files once, as any earlier run would have
        commands[_policies_case(args.policies)] = command
    edited = dense / "module_00000" / "main.tf"
    original = edited.read_text()
    edits = iter(range(1, 1_000_000))

    def edit() -> None:
        edited.write_text(f"{original}\n# edit {next(edits)}\n")

    samples.update(alternate(commands, args.repeat, env, before=edit))
    edited.write_text(original)
    return samples


def _policies_case(count: int) -> str:
    return f"{EDITED}, {count} policies"


def _describe(root: Path) -> dict[str, float]:
    files = [path for path in root.rglob("*.tf") if path.is_file()]
    return {
        "tf_files": len(files),
        "mb": round(sum(path.stat().st_size for path in files) / 1e6, 2),
        "mention_ory": sum(b"ory_oauth2_client" in path.read_bytes() for path in files),
    }


def _goals(rows: dict[str, Sample], args: argparse.Namespace) -> dict[str, tuple[str, str, bool]]:
    """Each goal of issue 13 as (measured, target, met)."""

    def ratio(name: str, anchor: str) -> float:
        return rows[name].median / rows[anchor].median

    goals: dict[str, tuple[str, str, bool]] = {}

    def goal(name: str, value: float, target: float, unit: str, smaller: bool = True) -> None:
        met = value <= target if smaller else value >= target
        goals[name] = (f"{value:.2f}{unit}", f"{'<=' if smaller else '>='} {target}{unit}", met)

    sparse_floor = "sparse: floor (read + substring scan, process)"
    for cached in ("cache", "no cache"):
        name = f"sparse: orylint check ({cached})"
        goal(f"sparse ({cached}): check / floor", ratio(name, sparse_floor), 3, "x")
    if "dense: terraform fmt -check -recursive" in rows:
        fmt_row = "dense: terraform fmt -check -recursive"
        goal("dense: cold / fmt", ratio("dense: orylint check cold (no cache)", fmt_row), 2, "x")
        goal(
            "dense: fmt / warm",
            1 / ratio(WARM, fmt_row),
            2,
            "x",
            smaller=False,
        )
    goal(
        "dense: cold / warm",
        ratio("dense: orylint check cold (no cache)", WARM),
        10,
        "x",
        smaller=False,
    )
    if args.policies:
        pairs = zip(rows[_policies_case(args.policies)].seconds, rows[EDITED].seconds, strict=True)
        overhead = statistics.median(policies / plain for policies, plain in pairs) - 1
        goal(
            f"{args.policies} policies: added to the dense scan after an edit",
            overhead * 100,
            15,
            "%",
        )
    goal("one file: wall", rows["one file: orylint check one.tf (warm)"].median, 0.15, " s")
    dense_peak = max(
        rows[name].peak_mb for name in rows if name.startswith(("dense: orylint", EDITED))
    )
    goal("dense: peak RSS", dense_peak, 300, " MiB")
    clients = f"{args.clients} clients in one file"
    goal(f"{clients}: sarif / json", ratio(f"{clients}: sarif", f"{clients}: json"), 1.5, "x")
    plan = f"plan of {args.plan_resources} resources: json"
    goal(f"{plan}", rows[plan].median, 5, " s")
    goal("big .tf: peak RSS", rows["big .tf: orylint check (text)"].peak_mb, 1024, " MiB")
    return goals


if __name__ == "__main__":
    sys.exit(main())

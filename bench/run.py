#!/usr/bin/env python3
"""Benchmark orylint on a generated corpus and compare it with anchors measured in the same run.

    python bench/run.py                 # default corpus: 400 module dirs, 10% mention Ory
    python bench/run.py --dirs 1500 --ory-share 0.02 --repeat 5
    python bench/run.py --json          # machine-readable
    python bench/run.py --policies 20   # also time a scan with 20 policies enabled

Absolute times drift on a shared machine, so every number is reported next to anchors taken in
the same run: reading every file plus a substring scan (the floor for a linter that only needs what
mentions Ory) and, when Terraform is installed, ``terraform fmt -check -recursive``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ORY_SOURCES = [
    REPO / "tests" / "fixtures" / "seed" / "main.tf",
    REPO / "examples" / "clients.tf",
    REPO / "examples" / "outputs.tf",
]

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

output "bucket_{i}_arn" {{
  value = aws_s3_bucket.bucket_{i}.arn
}}
"""


def build_corpus(root: Path, dirs: int, ory_share: float) -> tuple[int, int]:
    """Write ``dirs`` module directories; every ``1/ory_share``-th one holds Ory clients."""
    every = max(1, round(1 / ory_share)) if ory_share > 0 else 0
    files = size = 0
    for index in range(dirs):
        directory = root / f"module_{index:04d}"
        directory.mkdir(parents=True)
        texts = {"main.tf": GENERIC.format(i=index), "variables.tf": 'variable "environment" {}\n'}
        if every and index % every == 0:
            for source in ORY_SOURCES:
                texts[f"ory_{source.name}"] = source.read_text(encoding="utf-8")
        for name, text in texts.items():
            (directory / name).write_text(text, encoding="utf-8")
            files += 1
            size += len(text.encode())
    return files, size


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


def paired(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[list[float], list[float]]:
    """Time two commands alternately: the fair way to compare them on a busy machine."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        a.extend(timed(first, 1))
        b.extend(timed(second, 1))
    return a, b


def in_process(root: Path, policies: Path, count: int, repeat: int) -> dict[str, list[float]]:
    """The scan alone, in this process and without workers: what evaluating policies costs.

    The CLI rows include what a run pays once (importing jsonschema, validating the policy
    files) and reporting the extra findings; these leave both out, and time loading apart.
    """
    sys.path.insert(0, str(REPO / "src"))
    from orylint.policies.loader import as_rules, load_policies
    from orylint.scan import ScanOptions, scan

    start = time.perf_counter()
    loaded = load_policies([str(policies)])
    loading = time.perf_counter() - start
    jobs = os.environ.get("ORYLINT_JOBS")
    os.environ["ORYLINT_JOBS"] = "1"
    try:
        scan(ScanOptions(paths=[str(root)]))  # warm: the parser and the rule modules
        without, with_policies = paired(
            lambda: scan(ScanOptions(paths=[str(root)])),
            lambda: scan(ScanOptions(paths=[str(root)], policies=as_rules(loaded))),
            repeat,
        )
    finally:
        if jobs is None:
            del os.environ["ORYLINT_JOBS"]
        else:
            os.environ["ORYLINT_JOBS"] = jobs
    return {
        "scan (in process, 1 process, paired run without policies)": without,
        f"scan (in process, 1 process, {count} policies)": with_policies,
        f"loading {count} policies (in process, once, after import)": [loading],
    }


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def floor(root: Path) -> None:
    """Read every .tf file and test for the marker: the least a linter must do."""
    hits = 0
    for path in root.rglob("*.tf"):
        hits += b"ory_oauth2_client" in path.read_bytes()


def cli(root: Path, *extra: str, jobs: str | None = None) -> None:
    env = {**os.environ, "ORYLINT_JOBS": jobs} if jobs else None
    subprocess.run(
        [
            sys.executable,
            "-m",
            "orylint",
            "check",
            str(root),
            "--format",
            "json",
            "--fail-on",
            "never",
            *extra,
        ],
        check=True,
        capture_output=True,
        env=env,
    )


def fmt(root: Path) -> None:
    env = {**os.environ, "CHECKPOINT_DISABLE": "1"}
    subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", str(root)],
        capture_output=True,
        env=env,
        check=False,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dirs", type=int, default=400)
    parser.add_argument("--ory-share", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--policies", type=int, default=0, help="also time a scan with this many policies"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="orylint-bench-") as temp:
        root = Path(temp)
        files, size = build_corpus(root, args.dirs, args.ory_share)
        rows: dict[str, list[float]] = {
            "floor: read + substring scan (in process)": timed(lambda: floor(root), args.repeat),
            "orylint check (CLI, whole corpus)": timed(lambda: cli(root), args.repeat),
            "orylint check (CLI, whole corpus, 1 process)": timed(
                lambda: cli(root, jobs="1"), args.repeat
            ),
            "orylint check (CLI, one Ory module)": timed(
                lambda: cli(root / "module_0000"), args.repeat
            ),
        }
        if args.policies:
            policies = root.parent / f"{root.name}-policies"
            write_policies(policies, args.policies)
            # Interleaved, so that load from other processes hits both alike.
            without, with_policies = paired(
                lambda: cli(root),
                lambda: cli(root, "--policy-dir", str(policies)),
                args.repeat,
            )
            rows["orylint check (CLI, whole corpus, paired run without policies)"] = without
            rows[f"orylint check (CLI, whole corpus, {args.policies} policies)"] = with_policies
            rows.update(in_process(root, policies, args.policies, args.repeat))
            shutil.rmtree(policies)
        if shutil.which("terraform"):
            rows["terraform fmt -check -recursive"] = timed(lambda: fmt(root), args.repeat)
    result = {
        "corpus": {"dirs": args.dirs, "files": files, "bytes": size, "ory_share": args.ory_share},
        "median_seconds": {name: statistics.median(samples) for name, samples in rows.items()},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"corpus: {files} files, {size / 1e6:.2f} MB in {args.dirs} module dirs "
        f"({args.ory_share:.0%} mention ory_oauth2_client)"
    )
    medians = result["median_seconds"]
    base = medians["floor: read + substring scan (in process)"]
    for name, value in medians.items():
        print(f"  {name:<66} {value:8.3f} s   {value / base:8.1f}x floor")
    if args.policies:
        for label, what in (
            ("orylint check (CLI, whole corpus, {} policies)", "a whole-corpus scan"),
            ("scan (in process, 1 process, {} policies)", "the scan itself (evaluation only)"),
        ):
            with_policies = rows[label.format(args.policies)]
            without = rows[label.format("paired run without")]
            ratios = [after / before for before, after in zip(without, with_policies, strict=True)]
            print(
                f"  {args.policies} policies add {statistics.median(ratios) - 1:.1%} to {what} "
                f"(median of {len(ratios)} paired runs; range {min(ratios) - 1:.0%} to "
                f"{max(ratios) - 1:.0%})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""How many ``.tf`` files of a corpus each of orylint's HCL parsers accepts, and how fast.

    python bench/parsers.py /work/corpus            # every .tf file under the path
    python bench/parsers.py /work/corpus --json

Each parser is timed on text already in memory (decoding included, disk reads excluded):
python-hcl2 alone (orylint's lark parser, the primary), tree-sitter-hcl alone (orylint's
fallback, including the conversion to python-hcl2's tree shape; "tree-sitter parse" is its parse
alone) and the two combined as orylint parses (python-hcl2, then tree-sitter where python-hcl2
fails). A file "accepted" is a file the parser returns a tree for. The anchor, measured in the
same run, is a substring scan for ``ory_oauth2_client`` (what the pre-filter costs). Absolute
times drift on a shared machine: compare the rows of one run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lark.exceptions import UnexpectedInput

from orylint.terraform import hcl_fallback, hcl_parser


def _python_hcl2(text: str) -> object:
    return hcl_parser.parser().parse(text + "\n")


def _tree_sitter_only(text: str) -> object:
    """tree-sitter's own parse, without the conversion to python-hcl2's tree."""
    root = hcl_fallback._parser().parse(text.encode("utf-8")).root_node
    if root.has_error:
        raise hcl_fallback.HclSyntaxError(1, 1, "", "")
    return root


PARSERS: dict[str, Callable[[str], object]] = {
    "python-hcl2": _python_hcl2,
    "tree-sitter-hcl": hcl_fallback.parse_tree,
    "tree-sitter parse": _tree_sitter_only,
    "combined": hcl_parser.parse_tree,
}
REJECTIONS = (
    UnexpectedInput,
    hcl_fallback.HclSyntaxError,
    hcl_parser.HclParseError,
    RecursionError,
)


def measure(files: list[tuple[str, bytes]]) -> dict[str, object]:
    """Accepted and rejected files and seconds per parser, plus the substring-scan anchor."""
    started = time.perf_counter()
    hits = sum(b"ory_oauth2_client" in data for _, data in files)
    anchor = time.perf_counter() - started
    hcl_parser.parser()  # build (or load) the tables outside the timings
    hcl_fallback.parse_tree("a = 1\n")
    results: dict[str, object] = {
        "files": len(files),
        "megabytes": round(sum(len(data) for _, data in files) / 1e6, 2),
        "anchor_substring_scan_seconds": round(anchor, 4),
        "files_mentioning_ory_oauth2_client": hits,
    }
    for name, parse in PARSERS.items():
        rejected = []
        started = time.perf_counter()
        for path, data in files:
            try:
                parse(data.decode("utf-8-sig"))
            except (*REJECTIONS, UnicodeDecodeError):
                rejected.append(path)
            except Exception as error:  # a converter bug: count it, name it
                rejected.append(f"{path} ({type(error).__name__}: {error})")
        seconds = time.perf_counter() - started
        results[name] = {
            "accepted": len(files) - len(rejected),
            "rejected": rejected,
            "seconds": round(seconds, 2),
        }
    return results


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("corpus", type=Path, help="directory holding the .tf files")
    arguments.add_argument("--json", action="store_true", help="print JSON")
    options = arguments.parse_args()
    paths = sorted(options.corpus.rglob("*.tf"))
    if not paths:
        print(f"no .tf files under {options.corpus}", file=sys.stderr)
        return 2
    files = [(str(path.relative_to(options.corpus)), path.read_bytes()) for path in paths]
    results = measure(files)
    if options.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"{results['files']} .tf files, {results['megabytes']} MB; anchor: substring scan "
        f"{results['anchor_substring_scan_seconds']} s"
    )
    for name in PARSERS:
        row = results[name]
        assert isinstance(row, dict)
        print(
            f"{name:17} accepted {row['accepted']:5} rejected {len(row['rejected']):3} "
            f"in {row['seconds']:7.2f} s"
        )
        for path in row["rejected"]:
            print(f"    {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

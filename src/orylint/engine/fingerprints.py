"""Stable identities for findings: GitHub's line hash and orylint's own logical key.

``primaryLocationLineHash`` is what GitHub code scanning uses to recognise an alert across
commits. upload-sarif computes it itself when it can read the file, but only when the SARIF is
uploaded through the action from a checkout; computing it here makes API uploads and other
consumers behave the same. The algorithm is GitHub's: a base-37 rolling hash, modulo 2**64, over
the first 100 characters of the file starting at the line, skipping spaces and tabs, with all
line endings read as line feeds, the end of the file as the value 65535, then zeros; ``:n`` counts
identical hashes within the file.

``orylint/v1`` hashes the rule id, the module directory, the resource address and the
attribute: it survives edits that move lines, which is what a baseline needs, and tells apart
the same address in two root modules (``prod/`` and ``staging/``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

_BLOCK = 100
_BASE = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_BASE, _BLOCK, 1 << 64)
_END_OF_FILE = 65535
_SPACE, _TAB, _LF, _CR = 0x20, 0x09, 0x0A, 0x0D


def _code_units(text: str) -> Iterator[int]:
    """UTF-16 code units, because the reference implementation reads JavaScript strings."""
    data = text.encode("utf-16-le", errors="surrogatepass")
    for index in range(0, len(data), 2):
        yield data[index] | (data[index + 1] << 8)


def line_hashes(text: str) -> dict[int, str]:
    """``{line: "hash:n"}`` for every line of ``text`` (1-based lines)."""
    window = [0] * _BLOCK
    starts = [-1] * _BLOCK
    value = 0
    index = 0
    line = 0
    at_line_start = True
    after_cr = False
    counts: dict[str, int] = {}
    result: dict[int, str] = {}

    def emit() -> None:
        digest = format(value, "x")
        counts[digest] = counts.get(digest, 0) + 1
        result[starts[index]] = f"{digest}:{counts[digest]}"
        starts[index] = -1

    def push(unit: int) -> None:
        nonlocal value, index
        oldest = window[index]
        window[index] = unit
        value = (_BASE * value + unit - _FIRST_MOD * oldest) & _MASK
        index = (index + 1) % _BLOCK

    def feed(unit: int) -> None:
        nonlocal after_cr, at_line_start, line
        if unit in (_SPACE, _TAB) or (after_cr and unit == _LF):
            after_cr = False
            return
        after_cr = unit == _CR
        if after_cr:
            unit = _LF
        if starts[index] != -1:
            emit()
        if at_line_start:
            at_line_start = False
            line += 1
            starts[index] = line
        if unit == _LF:
            at_line_start = True
        push(unit)

    for unit in _code_units(text):
        feed(unit)
    feed(_END_OF_FILE)
    for _ in range(_BLOCK):
        if starts[index] != -1:
            emit()
        push(0)
    return result


def logical_key(
    rule_id: str, address: str | None, attribute: str | None, path: str, root: Path
) -> str:
    """A key that identifies a finding by meaning, not by line (``orylint/v1``).

    The module directory (the directory of ``path``, relative to ``root``, the repository) is
    part of the key: ``prod/`` and ``staging/`` often hold the same addresses, and a baseline
    that accepted a finding in one must not hide it in the other. It is relative to the
    repository, not to the working directory, so a key does not change with where orylint runs.
    Findings without a resource (parse errors) are keyed by their file, whose name may hold the
    surrogate escapes of a name that is not UTF-8: those are hashed as their code units.
    """
    file = repository_path(path, root)
    directory = os.path.dirname(file) or "."
    subject = address if address else f"file:{file}"
    return _digest(rule_id, directory, subject, attribute or "")


def legacy_key(rule_id: str, address: str | None, attribute: str | None, path: str) -> str:
    """The key of baselines written by orylint 0.1 (format 1): without the module directory."""
    subject = address if address else f"file:{path}"
    return _digest(rule_id, subject, attribute or "")


def repository_path(path: str, root: Path) -> str:
    """``path`` relative to ``root`` (POSIX), or absolute when it lies outside."""
    absolute = Path(os.path.realpath(path))  # resolve() raises on a symlink loop
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def _digest(*parts: str) -> str:
    text = "\x1f".join(parts).encode("utf-8", "surrogatepass")  # file names not in UTF-8
    return hashlib.sha256(text).hexdigest()[:32]

"""The python-hcl2 parser, built once per process with its tables in orylint's cache directory.

python-hcl2 8.1.4 writes its LALR table cache into site-packages; where that is read-only (system
installs, containers, pre-commit's venvs owned by another user) every run pays 2-3 s to rebuild the
tables. We build the same parser (same grammar, same post-lexer) with the tables in orylint's cache
directory (``terraform/cache.py``: ``--cache-dir``, ``$ORYLINT_CACHE_DIR`` or the user cache
directory) instead. We use the raw lark tree (``parses_to_tree``): it carries the same positions as
python-hcl2's typed tree, costs about 40% less, and avoids the typed tree's serialisers, which are
not thread-safe.
"""

from __future__ import annotations

import functools

import hcl2
import hcl2.parser
from hcl2.postlexer import PostLexer
from lark import Lark, Token, Tree

from orylint.terraform.cache import default_directory


def _cache_file() -> str | None:
    """Return a user-private cache path for the parse tables, or None if none can be made."""
    directory = default_directory()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    version = getattr(hcl2, "__version__", "unknown")
    return str(directory / f"hcl2-{version}.lark.bin")


@functools.cache
def parser() -> Lark:
    """Return the process-wide HCL parser (lark parsers are safe to reuse sequentially)."""
    cache = _cache_file()
    return Lark.open(
        "hcl2.lark",
        rel_to=hcl2.parser.__file__,
        parser="lalr",
        propagate_positions=True,
        postlex=PostLexer(),
        cache=cache if cache is not None else False,
    )


def parse_tree(text: str) -> Tree[Token]:
    """Parse HCL source into a raw lark tree.

    python-hcl2 appends a newline before parsing so that a file without a final newline parses;
    offsets into ``text`` stay valid because the newline is added at the end.
    """
    return parser().parse(text + "\n")

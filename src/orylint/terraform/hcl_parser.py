"""The python-hcl2 parser, built once per process with its tables in orylint's cache directory.

python-hcl2 8.1.4 writes its LALR table cache into site-packages; where that is read-only (system
installs, containers, pre-commit's venvs owned by another user) every run pays 2-3 s to rebuild the
tables. We build the same parser (same grammar, same post-lexer) with the tables in orylint's cache
directory (``terraform/cache.py``: ``--cache-dir``, ``$ORYLINT_CACHE_DIR`` or the user cache
directory) instead. We use the raw lark tree (``parses_to_tree``): it carries the same positions as
python-hcl2's typed tree, costs about 40% less, and avoids the typed tree's serialisers, which are
not thread-safe.

When python-hcl2 rejects a text, :func:`parse_tree` asks tree-sitter-hcl
(:mod:`orylint.terraform.hcl_fallback`), which returns the same lark tree; only when both reject
it is the text a syntax error (:class:`HclParseError`). Both are pure functions of the text, so
a parse can be cached by content.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

import hcl2
import hcl2.parser
from hcl2.postlexer import PostLexer
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from orylint.terraform.cache import default_directory
from orylint.terraform.hcl_fallback import HclSyntaxError
from orylint.terraform.hcl_fallback import parse_tree as fallback_parse_tree
from orylint.terraform.hcl_tree import NEWLINE_NODES


def _cache_file() -> str | None:
    """Return a user-private cache path for the parse tables, or None if none can be made."""
    directory = default_directory()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    version = getattr(hcl2, "__version__", "unknown")
    digest = hashlib.sha256(grammar().encode("utf-8")).hexdigest()[:12]
    return str(directory / f"hcl2-{version}-{digest}.lark.bin")


#: python-hcl2's escaped ``$${`` and ``%%{`` run on to the next ``}``, past the closing quote
#: (``"%%{"`` swallowed the lines after it); in HCL each is three literal characters.
_GRAMMAR_FIXES = (
    (r"ESCAPED_INTERPOLATION.2: /\$\$\{[^}]*\}/", r"ESCAPED_INTERPOLATION.2: /\$\$\{/"),
    (r"ESCAPED_DIRECTIVE.2: /%%\{[^}]*\}/", r"ESCAPED_DIRECTIVE.2: /%%\{/"),
)


@functools.cache
def grammar() -> str:
    """python-hcl2's grammar with :data:`_GRAMMAR_FIXES` applied."""
    text = (Path(hcl2.parser.__file__).parent / "hcl2.lark").read_text("utf-8")
    for old, new in _GRAMMAR_FIXES:
        text = text.replace(old, new)
    return text


@functools.cache
def parser() -> Lark:
    """Return the process-wide HCL parser (lark parsers are safe to reuse sequentially)."""
    cache = _cache_file()
    return Lark(
        grammar(),
        parser="lalr",
        propagate_positions=True,
        postlex=PostLexer(),
        cache=cache if cache is not None else False,
    )


def warm(stop: Callable[[], bool]) -> None:
    """Build the lexer's scanners before the first parse needs them, until ``stop()`` says enough.

    lark compiles a parser state's scanner (one regular expression of every terminal the state
    accepts) when a parse first reaches that state: a quarter of a scan's first small parse. A
    scan that waits for its inputs (gathered in a child process) builds them meanwhile, and
    stops as soon as the inputs are there. Built or not, a parse is the same.
    """
    lexer = getattr(getattr(parser().parser, "lexer", None), "lexer", None)
    scanners = {id(basic): basic for basic in getattr(lexer, "lexers", {}).values()}
    for basic in scanners.values():
        if stop():
            return
        getattr(basic, "scanner", None)  # built on first access (lark's BasicLexer.scanner)


class HclParseError(ValueError):
    """Both parsers rejected a text.

    ``primary`` is python-hcl2's error (the precise position), ``fallback`` tree-sitter's
    (Terraform's wording where the kind of error can be told).
    """

    def __init__(self, primary: UnexpectedInput, fallback: HclSyntaxError) -> None:
        super().__init__(str(fallback))
        self.primary = primary
        self.fallback = fallback


def parse_tree(text: str) -> Tree[Token]:
    """Parse HCL source into a raw lark tree: python-hcl2 first, tree-sitter where it fails.

    python-hcl2 appends a newline before parsing so that a file without a final newline parses;
    offsets into ``text`` stay valid because the newline is added at the end. Raises
    :class:`HclParseError` when neither parser accepts the text.
    """
    try:
        return parser().parse(text + "\n")
    except UnexpectedInput as primary:
        try:
            return fallback_parse_tree(text)
        except HclSyntaxError as fallback:
            raise HclParseError(primary, fallback) from None


def parse_piece(text: str, start: int, end: int, lines: int) -> Tree[Token] | None:
    """Parse ``text[start:end]``, a run of whole top-level blocks, with python-hcl2 alone.

    ``start`` is the beginning of a line, after ``lines`` line breaks. The tokens' offsets are
    those of the whole text, so the tree is the part of the whole file's tree that these blocks
    are, but for position metadata nothing reads (see :func:`_place`). None where python-hcl2
    rejects the piece: the caller then parses the file whole, with the fallback parser and the
    exact error, as any file.
    """
    piece = text[start:end] if end < len(text) else text[start:] + "\n"  # as parse_tree does
    try:
        tree = parser().parse(piece)
    except UnexpectedInput:
        return None
    _place(tree, start, lines)
    return tree


#: Position attributes of lark's ``Meta`` (``propagate_positions``), by what they count.
_META_OFFSETS = ("start_pos", "end_pos", "container_start_pos", "container_end_pos")
_META_LINES = ("line", "end_line", "container_line", "container_end_line")


def _place(tree: Tree[Token], offset: int, lines: int) -> None:
    """Move every position in ``tree`` by ``offset`` characters and ``lines`` lines.

    What nothing reads is dropped rather than moved, because the trees of every attribute's
    expression live as long as the document: a tree's metadata (a dict of a dozen positions, most
    of a tree's memory) is read only for a tree without a token of its own to be located by
    (``hcl_tree.start_offset``), and a token's line numbers never (spans come from offsets).
    """
    stack = [tree]
    while stack:
        node = stack.pop()
        located = False
        for child in node.children:
            if isinstance(child, Tree):
                stack.append(child)
                located = located or child.data not in NEWLINE_NODES
            else:
                child.start_pos = (child.start_pos or 0) + offset
                child.end_pos = (child.end_pos or 0) + offset
                child.line = child.end_line = None  # read by nothing: spans come from offsets
                located = located or child.type != "NL_OR_COMMENT"
        meta = getattr(node, "_meta", None)  # not ``node.meta``, which would make an empty one
        if located:
            node._meta = None
        elif meta is not None and not meta.empty:
            fields = vars(meta)
            for name in _META_OFFSETS:
                if name in fields:
                    fields[name] += offset
            for name in _META_LINES:
                if name in fields:
                    fields[name] += lines

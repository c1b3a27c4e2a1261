"""python-hcl2's raw lark tree, as the loader and the evaluator walk it.

The grammar wraps expressions in layers (``expr_term``, parentheses, ``object_elem_key``) and
threads newline-and-comment nodes through everything; the helpers here see past both, and
:class:`SourceMap` turns lark's character offsets into orylint's 1-based spans.
"""

from __future__ import annotations

import bisect
import re

from lark import Token, Tree

from orylint.terraform.values import Span

Node = Tree[Token] | Token
NEWLINE_NODES = frozenset({"new_line_or_comment"})
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class LineIndex:
    """Offsets of line starts, to turn a character offset into (line, column) in O(log n)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and code-point column of a character offset."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


class SourceMap:
    """Spans and source text of lark nodes of one file.

    The loader and the expression evaluator both point findings at nodes, so the offset
    arithmetic lives here once.
    """

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = LineIndex(text)

    def span(self, node: Node) -> Span:
        """The span of a node, without the newlines and comments the grammar attaches to it."""
        return self.trimmed_span(start_offset(node), end_offset(node))

    def trimmed_span(self, start: int, end: int) -> Span:
        """Span from offsets, with trailing blanks and newlines dropped from the end."""
        end = max(end, start)
        while end > start and self.text[end - 1 : end] in (" ", "\t", "\r", "\n"):
            end -= 1
        return self.span_of_offsets(start, end)

    def span_of_offsets(self, start: int, end: int) -> Span:
        """The span between two character offsets, end exclusive."""
        start_line, start_column = self.lines.position(start)
        end_line, end_column = self.lines.position(end)
        return Span(self.path, start_line, start_column, end_line, end_column)

    def source(self, node: Node) -> str:
        """The source text of a node, for messages and for ``Unknown.text``."""
        start = start_offset(node)
        return self.text[start : max(end_offset(node), start)].strip()


def decode_escapes(text: str) -> str:
    """Decode HCL string escapes (newline, tab, quote, ``u``/``U`` code points) in a literal.

    A code point UTF-8 cannot encode (a surrogate, or above U+10FFFF) is a parse error for
    Terraform, which the loader reports (:func:`invalid_escape`); should one reach here anyway
    it becomes U+FFFD, never an exception or a lone surrogate that no report could print.
    """

    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape[0] in "uU" and len(escape) > 1:
            code = int(escape[1:], 16)
            return "\ufffd" if _unencodable(code) else chr(code)
        return _SIMPLE_ESCAPES.get(escape, "\\" + escape)

    return _ESCAPE_RE.sub(replace, text)


def invalid_escape(text: str) -> tuple[int, int] | None:
    r"""The offset and code point of the first ``\u``/``\U`` escape UTF-8 cannot encode.

    hclsyntax (``parser.go``, ``decodeQuotedLit``) rejects these with "Invalid escape sequence:
    Cannot encode character U+d800 in UTF-8." (``utf8.RuneLen`` is -1 for surrogates and for
    code points above U+10FFFF).
    """
    for match in _ESCAPE_RE.finditer(text):
        escape = match.group(1)
        if escape[0] in "uU" and len(escape) > 1 and _unencodable(int(escape[1:], 16)):
            return match.start(), int(escape[1:], 16)
    return None


def _unencodable(code: int) -> bool:
    return code > 0x10FFFF or 0xD800 <= code <= 0xDFFF


def plain_string(node: Tree[Token]) -> str:
    """The text of a string without interpolations (block labels are such strings)."""
    return "".join(
        decode_escapes(str(child.value))
        for part in trees(node)
        for child in part.children
        if isinstance(child, Token)
    )


def function_name(node: Node) -> str:
    """The name of a function call, provider-namespaced ones joined with ``::``."""
    if not isinstance(node, Tree):
        return ""
    names = [token_text(child) for child in trees(node) if child.data == "identifier"]
    return "::".join(names)


def token_text(node: Node) -> str:
    """The text of the first token under a node (identifiers, literals)."""
    if isinstance(node, Token):
        return str(node.value)
    for child in node.children:
        if isinstance(child, Token):
            return str(child.value)
        return token_text(child)
    return ""


def trees(node: Tree[Token] | None) -> list[Tree[Token]]:
    """Child subtrees, without newlines and comments."""
    if node is None:
        return []
    return [
        child
        for child in node.children
        if isinstance(child, Tree) and child.data not in NEWLINE_NODES
    ]


def first_tree(node: Tree[Token], data: str) -> Tree[Token] | None:
    """The first child subtree of a given rule, if any."""
    return next((child for child in trees(node) if child.data == data), None)


def last_tree(node: Tree[Token]) -> Tree[Token]:
    """The last child subtree: the expression of an attribute or interpolation."""
    return trees(node)[-1]


def unwrap(node: Node) -> Node:
    """Strip ``expr_term`` wrappers and parentheses, which carry no meaning of their own."""
    while isinstance(node, Tree) and node.data in ("expr_term", "object_elem_key"):
        inner = trees(node)
        if len(inner) != 1:
            break
        node = inner[0]
    return node


def start_offset(node: Node) -> int:
    """Character offset where a node starts, skipping leading newline and comment nodes."""
    if isinstance(node, Token):
        return node.start_pos or 0
    for child in node.children:
        if isinstance(child, Tree) and child.data in NEWLINE_NODES:
            continue
        if isinstance(child, Token) and child.type == "NL_OR_COMMENT":
            continue
        return start_offset(child)
    return node.meta.start_pos if not node.meta.empty else 0


def end_offset(node: Node) -> int:
    """Character offset where a node ends, skipping trailing newline and comment nodes."""
    if isinstance(node, Token):
        if node.end_pos is None:  # lost when a tree comes back from a worker process (pickle)
            return (node.start_pos or 0) + len(node)
        return node.end_pos
    for child in reversed(node.children):
        if isinstance(child, Tree) and child.data in NEWLINE_NODES:
            continue
        if isinstance(child, Token) and child.type == "NL_OR_COMMENT":
            continue
        return end_offset(child)
    return node.meta.end_pos if not node.meta.empty else 0

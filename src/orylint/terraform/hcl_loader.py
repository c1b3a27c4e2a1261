"""Native HCL (``.tf``) to :class:`~orylint.terraform.document.Document`, with exact positions.

This module gives a file its structure: blocks, labels, attributes (duplicates kept apart),
nested blocks and comments. Each attribute's expression is handed to
:class:`~orylint.terraform.evaluator.HclExpression` (its references to
:class:`~orylint.terraform.hcl_references.ReferenceCollector`), and positions to
:class:`~orylint.terraform.hcl_tree.SourceMap`.

Positions come from lark's metadata on the raw parse tree: character offsets, converted to
1-based line and code-point column. Two quirks of the grammar are trimmed: binary operations
absorb the newline and comment that follow them, and heredoc tokens include their final newline.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from orylint.terraform.document import Block, BlockAttribute, Comment, Document, LoadError
from orylint.terraform.evaluator import HclExpression
from orylint.terraform.hcl_references import ReferenceCollector
from orylint.terraform.hcl_tree import (
    SourceMap,
    first_tree,
    function_name,
    invalid_escape,
    last_tree,
    plain_string,
    start_offset,
    token_text,
    trees,
    unwrap,
)
from orylint.terraform.values import Attribute

if TYPE_CHECKING:
    from orylint.terraform.hcl_parser import HclParseError

_NOT_USED = "This character is not used within the language."
#: Characters HCL's scanner accepts nowhere outside strings and comments, with hclsyntax's detail
#: for each ("Invalid character"; checked against ``terraform fmt``).
_INVALID_CHARACTERS = {
    "@": _NOT_USED,
    "\\": _NOT_USED,
    "$": _NOT_USED,
    "`": 'The "`" character is not valid. To create a multi-line string, use the "heredoc" '
    'syntax, like "<<EOT".',
    "'": 'Single quotes are not valid. Use double quotes (") to enclose strings.',
    ";": 'The ";" character is not valid. Use newlines to separate arguments and blocks, and '
    "commas to separate items in collection values.",
}
_COMMENT_RE = re.compile(r"#[^\n]*|//[^\n]*|/\*.*?\*/", re.DOTALL)


#: Files of at least this many characters are parsed one run of top-level blocks at a time
#: (:func:`_load_in_pieces`); smaller ones whole. Large enough that real files keep the path
#: every test exercises, small enough that a file which would need hundreds of megabytes as one
#: tree does not.
PIECEWISE_THRESHOLD = 512 * 1024
#: A piece gathers top-level blocks up to about this many characters: one lark parse per block
#: would cost more in calls than it saves in memory.
PIECE_SIZE = 32 * 1024


def load_hcl(path: str, text: str) -> Document | LoadError:
    """Parse ``text`` (already decoded) into a document, or describe why it cannot be parsed.

    A pure function of its arguments, so that a load can be cached by content. A large text is
    read in pieces where that is certain to give the same document (else, and for any error,
    whole).
    """
    # Imported here: python-hcl2 and its parser cost a run that finds every file in the cache.
    from orylint.terraform.hcl_parser import HclParseError, parse_tree

    if len(text) >= PIECEWISE_THRESHOLD:
        document = _load_in_pieces(path, text)
        if document is not None:
            return document
    try:
        tree = parse_tree(text)
    except HclParseError as error:
        return _syntax_error(path, text, error)
    except RecursionError:
        return LoadError(path, 1, 1, "expressions are nested too deeply for orylint to parse")
    escape_error = _invalid_escape(path, text, tree)
    if escape_error is not None:
        return escape_error
    try:
        return _Builder(path, text).document(tree)
    except RecursionError:
        return LoadError(path, 1, 1, "expressions are nested too deeply for orylint to parse")


def _load_in_pieces(path: str, text: str) -> Document | None:
    """The document of ``text``, parsed in runs of top-level blocks, each tree dropped in turn.

    python-hcl2's tree of a whole file costs about 100 times its size; in pieces, only the
    document and one piece's tree are alive at a time. None where the pieces cannot be found with
    certainty (``hcl_blocks``), or where any piece is not plain valid HCL to python-hcl2 (an
    error, an invalid escape, the fallback parser's syntax): the whole-file path then gives the
    exact error or document.
    """
    from orylint.terraform.hcl_blocks import split_points
    from orylint.terraform.hcl_parser import parse_piece

    points = split_points(text)
    if points is None or len(points) < 2:
        return None
    starts = [0]
    for point in points:  # runs of about PIECE_SIZE characters
        if point - starts[-1] >= PIECE_SIZE:
            starts.append(point)
    builder = _Builder(path, text)
    document = Document(path, text)
    lines = previous = 0
    collecting = gc.isenabled()
    gc.disable()  # the pieces' trees die by reference counting: the collector would only
    try:  # walk them again and again while they are alive (it took a third of the time)
        for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
            lines += text.count("\n", previous, start)
            previous = start
            tree = parse_piece(text, start, end, lines)
            if tree is None or _invalid_escape(path, text, tree) is not None:
                return None
            builder.add(document, tree)
    except RecursionError:
        return None
    finally:
        if collecting:
            gc.enable()
    return document


def _invalid_escape(path: str, text: str, tree: Tree[Token]) -> LoadError | None:
    r"""A ``\u``/``\U`` escape of a code point UTF-8 cannot encode: Terraform's parse error."""
    for token in tree.scan_values(lambda value: isinstance(value, Token)):
        if not isinstance(token, Token) or token.type != "STRING_CHARS":
            continue
        found = invalid_escape(str(token.value))
        if found is None:
            continue
        offset, code = found
        start = (token.start_pos or 0) + offset
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        return LoadError(
            path,
            line,
            column,
            f"Invalid escape sequence: Cannot encode character U+{code:04x} in UTF-8.",
        )
    return None


def _syntax_error(path: str, text: str, failure: HclParseError) -> LoadError:
    """Describe a text both parsers reject, never with the grammar's token names.

    In Terraform's words where tree-sitter's error tells which of Terraform's errors it is, else
    in plain words from python-hcl2's error, whose position is the more precise.
    """
    fallback, error = failure.fallback, failure.primary
    offset = getattr(error, "pos_in_stream", None)
    char = text[offset : offset + 1] if isinstance(offset, int) else ""
    if char in _INVALID_CHARACTERS and not text.startswith("${", offset or 0):
        return LoadError(
            path,
            max(error.line, 1),
            max(error.column, 1),
            f"Invalid character: {_INVALID_CHARACTERS[char]}",
        )
    if fallback.summary:
        return LoadError(
            path, fallback.line, fallback.column, f"{fallback.summary}: {fallback.detail}"
        )
    line = max(getattr(error, "line", 1) or 1, 1)
    column = max(getattr(error, "column", 1) or 1, 1)
    last_line = text.count("\n") + 1
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        what = (
            "the file ends before a block, list or string is closed (a missing '}', ']' or '\"'?)"
        )
        line = min(line, last_line)
    elif isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream or 0
        char = text[position] if 0 <= position < len(text) else ""
        what = f"unexpected character {char!r}" if char.strip() else "unexpected character"
    elif isinstance(error, UnexpectedToken):
        value = str(error.token.value).strip()
        shown = value.splitlines()[0] if value else ""
        what = f"unexpected {shown!r}" if shown else "unexpected end of line"
    else:
        what = "invalid syntax"
    message = (
        f"cannot parse this file: {what}. Neither of orylint's HCL parsers (python-hcl2, "
        "tree-sitter-hcl) reads it; if `terraform fmt` accepts the file, the limitation is "
        "orylint's, and `terraform fmt` shows Terraform's own message if it does not"
    )
    return LoadError(path, line, column, message)


class _Builder:
    """Walks the raw lark tree of one file and builds its document."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.source_map = SourceMap(path, text)

    # --- structure -----------------------------------------------------------------------

    def document(self, tree: Tree[Token]) -> Document:
        document = Document(self.path, self.text)
        self.add(document, tree)
        return document

    def add(self, document: Document, tree: Tree[Token]) -> None:
        """Add the blocks, attributes and comments of a file's tree (or of a piece's)."""
        body = first_tree(tree, "body")
        if body is not None:
            for child in trees(body):
                if child.data == "block":
                    document.blocks.append(self.block(child))
                elif child.data == "attribute":
                    document.attributes.append(self.attribute(child))
        document.comments.extend(self.comments(tree))

    def block(self, tree: Tree[Token]) -> Block:
        labels: list[str] = []
        block_type = ""
        body: Tree[Token] | None = None
        header_end = start_offset(tree)
        for child in tree.children:
            if isinstance(child, Token):
                if child.type == "LBRACE":
                    header_end = child.start_pos or header_end
                continue
            if child.data == "body":
                body = child
            elif child.data in ("identifier", "keyword", "literal_value"):
                name = token_text(child)
                if not block_type:
                    block_type = name
                else:
                    labels.append(name)
            elif child.data == "string":
                labels.append(plain_string(child))
        header = self.source_map.trimmed_span(start_offset(tree), header_end)
        block = Block(block_type, labels, self.source_map.span(tree), header)
        if body is not None:
            for child in trees(body):
                if child.data == "attribute":
                    attribute = self.attribute(child)
                    name = attribute.attribute.name
                    if name in block.attributes:
                        block.duplicates.append(attribute)
                    else:
                        block.attributes[name] = attribute
                elif child.data == "block":
                    block.blocks.append(self.block(child))
        return block

    def attribute(self, tree: Tree[Token]) -> BlockAttribute:
        name_node = tree.children[0]
        expression = last_tree(tree)
        name = token_text(name_node)
        collector = ReferenceCollector(self.source_map)
        references = collector.references(expression)
        handle = HclExpression(self.source_map, expression)
        value = handle.value()
        elements = handle.elements()
        unwrapped = unwrap(expression)
        is_call = isinstance(unwrapped, Tree) and unwrapped.data == "function_call"
        attribute = Attribute(
            name=name,
            value=value,
            span=self.source_map.span(tree),
            value_span=self.source_map.span(expression),
            source=self.source_map.source(expression),
            elements=elements,
            from_jsonencode=is_call and function_name(unwrapped) == "jsonencode",
            heredoc=isinstance(unwrapped, Tree) and unwrapped.data.startswith("heredoc"),
        )
        return BlockAttribute(attribute, references, collector.members(expression), handle)

    def comments(self, tree: Tree[Token]) -> Iterator[Comment]:
        for token in tree.scan_values(lambda value: isinstance(value, Token)):
            if not isinstance(token, Token) or token.start_pos is None:
                continue
            value = str(token.value)
            if token.type != "NL_OR_COMMENT" and value[:1] not in ("\n", "#", "/"):
                continue
            if "#" not in value and "//" not in value and "/*" not in value:
                continue
            for match in _COMMENT_RE.finditer(value):
                start = token.start_pos + match.start()
                if token.type != "NL_OR_COMMENT":
                    # python-hcl2's post-lexer merged the newline and comment before an operator
                    # (`?`, `&&`, ...) into the operator's token, which keeps the operator's
                    # position: the comment is the nearest one before it
                    start = self.text.rfind(match.group(0), 0, token.start_pos)
                end = start + len(match.group(0))
                yield Comment(self.source_map.span_of_offsets(start, end), match.group(0))

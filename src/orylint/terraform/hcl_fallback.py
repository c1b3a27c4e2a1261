"""tree-sitter-hcl as the second HCL parser, for valid Terraform that python-hcl2 rejects.

python-hcl2 stays the primary parser; this one reads what its grammar does not (a line break
inside a bracketed expression, ``${~ x ~}``, a comment between ``=`` and the value, ``"%%{"``,
non-ASCII identifiers and heredoc markers). The seam is the **tree**: tree-sitter's concrete
syntax tree is converted into the raw lark tree python-hcl2's grammar would have produced for the
same text (same rule names, same token types, tokens that are slices of the text at their
character offsets). The loader, the evaluator, the reference collector and the type reader then
run unchanged, so a file gives the same document whichever parser read it: one evaluator, not
two to keep in step (``tests/test_hcl_fallback.py`` compares both on every ``.tf`` fixture).

tree-sitter counts bytes; lark, and orylint's spans, count code points, so every offset is
converted. tree-sitter never raises: a tree with an ``ERROR`` or ``MISSING`` node is a syntax
error, reported with Terraform's own words where the kind of error can be told
(:class:`HclSyntaxError`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lark import Token, Tree

if TYPE_CHECKING:
    import tree_sitter

Node = Tree[Token] | Token

#: Token types of python-hcl2's grammar for tree-sitter's anonymous nodes.
_TOKEN_TYPES = {
    "=": "EQ",
    ":": "COLON",
    ",": "COMMA",
    "(": "LPAR",
    ")": "RPAR",
    "[": "LSQB",
    "]": "RSQB",
    "{": "LBRACE",
    "}": "RBRACE",
    ".": "DOT",
    "?": "QMARK",
    "=>": "FOR_OBJECT_ARROW",
    "...": "ELLIPSIS",
    "for": "FOR",
    "in": "IN",
    "if": "IF",
    "else": "ELSE",
    "endif": "ENDIF",
    "endfor": "ENDFOR",
    ".*": "ATTR_SPLAT",
    "[*]": "FULL_SPLAT_START",
    "~": "STRIP_MARKER",
    "${": "INTERP_START",
    "%{": "DIRECTIVE_START",
    '"': "DBLQUOTE",
    "==": "DOUBLE_EQ",
    "!=": "NEQ",
    "<": "LT",
    ">": "GT",
    "<=": "LEQ",
    ">=": "GEQ",
    "-": "MINUS",
    "*": "ASTERISK",
    "/": "SLASH",
    "%": "PERCENT",
    "&&": "DOUBLE_AMP",
    "||": "DOUBLE_PIPE",
    "+": "PLUS",
    "!": "NOT",
}
_LITERAL_TOKENS = {"true": "TRUE", "false": "FALSE", "null": "NULL"}
#: Rules python-hcl2's grammar wraps in ``expr_term`` (operators and conditionals it does not).
_UNWRAPPED = frozenset({"binary_op", "unary_op", "conditional", "expr_term"})
_ESCAPED_TEMPLATE = re.compile(r"\$\$\{|%%\{")
#: A heredoc whose marker is not ASCII (tree-sitter-hcl's scanner reads ASCII markers only).
_HEREDOC = re.compile(r"<<-?([^\W\d]\w*(?:-\w*)*)[ \t]*\r?\n", re.UNICODE)
_INTEGER = re.compile(r"[0-9]+")


class HclSyntaxError(Exception):
    """A syntax error found by tree-sitter: where, and Terraform's summary and detail."""

    def __init__(self, line: int, column: int, summary: str, detail: str) -> None:
        super().__init__(f"{summary}: {detail}")
        self.line = line
        self.column = column
        self.summary = summary
        self.detail = detail


@functools.cache
def _parser() -> tree_sitter.Parser:
    # Imported here: the fallback reads only what python-hcl2 rejects, and most scans never
    # need it.
    import tree_sitter
    import tree_sitter_hcl

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


def parse_tree(text: str) -> Tree[Token]:
    """Parse HCL source into the raw lark tree python-hcl2's grammar would give.

    A newline is appended, as python-hcl2 does, so offsets into ``text`` stay valid. Raises
    :class:`HclSyntaxError` when the text is not valid HCL (for tree-sitter either).
    """
    source = text + "\n"
    shadow = _ascii_heredoc_markers(source)  # same characters at the same offsets
    data = shadow.encode("utf-8", errors="surrogatepass")
    root = _parser().parse(data).root_node
    offsets = _CharOffsets(shadow, data)
    if root.has_error:
        raise _syntax_error(root, source, offsets)
    try:
        return _Converter(source, offsets).start(root)
    except (_Unsupported, ValueError, IndexError, KeyError, StopIteration) as error:
        # a shape the converter does not know: the file is reported, never misread
        node = error.node if isinstance(error, _Unsupported) else root
        line, column = node.start_point.row + 1, node.start_point.column + 1
        raise HclSyntaxError(line, column, "", "") from error


def _ascii_heredoc_markers(text: str) -> str:
    """The text with non-ASCII heredoc markers spelled in ASCII, character for character.

    Terraform accepts any identifier as a heredoc marker; tree-sitter-hcl's scanner only ASCII
    letters. The stand-in keeps every character offset (the converter takes token text from the
    original), and is chosen so that no line of the body spells it.
    """
    if text.isascii():
        return text
    result = text
    for match in _HEREDOC.finditer(text):
        marker = match.group(1)
        if marker.isascii():
            continue
        closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*\r?$", re.MULTILINE)
        end = closing.search(text, match.end())
        if end is None:
            continue
        body_lines = set(text[match.end() : end.start()].split("\n"))
        for letter in "XYZQWVK":
            stand_in = "".join(c if c.isascii() else letter for c in marker)
            if stand_in not in {line.strip() for line in body_lines}:
                break
        start = match.start(1)
        close = end.start() + end.group(0).index(marker)
        result = (
            result[:start]
            + stand_in
            + result[start + len(marker) : close]
            + stand_in
            + result[close + len(marker) :]
        )
    return result


class _CharOffsets:
    """Byte offsets of the UTF-8 encoding to character offsets of the text."""

    def __init__(self, text: str, data: bytes) -> None:
        self.identity = len(text) == len(data)
        self.table: list[int] = []
        if not self.identity:
            for index, char in enumerate(text):
                self.table.extend([index] * len(char.encode("utf-8", errors="surrogatepass")))
            self.table.append(len(text))

    def __call__(self, byte: int) -> int:
        return byte if self.identity else self.table[byte]


def _children(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    """Children without comments (the converter collects those separately)."""
    return [child for child in node.children if child.type != "comment"]


def _named(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    return [child for child in _children(node) if child.is_named]


class _Converter:
    """Builds python-hcl2's raw lark tree from a tree-sitter tree of the same text."""

    def __init__(self, text: str, offsets: _CharOffsets) -> None:
        self.text = text
        self.offsets = offsets

    # --- tokens -------------------------------------------------------------------------------

    def token(self, kind: str, start: int, end: int) -> Token:
        """A token of ``kind`` over the characters from ``start`` to ``end``."""
        return Token(kind, self.text[start:end], start_pos=start, end_pos=end)

    def leaf(self, node: tree_sitter.Node, kind: str | None = None) -> Token:
        start, end = self.offsets(node.start_byte), self.offsets(node.end_byte)
        if kind is None:
            kind = _TOKEN_TYPES.get(self.text[start:end], "NAME")
        return self.token(kind, start, end)

    def identifier(self, node: tree_sitter.Node) -> Tree[Token]:
        return Tree("identifier", [self.leaf(node, "NAME")])

    # --- structure ----------------------------------------------------------------------------

    def start(self, root: tree_sitter.Node) -> Tree[Token]:
        body = next((child for child in root.children if child.type == "body"), None)
        children: list[Node] = [self.body(body)]
        comments = [self.leaf(comment, "NL_OR_COMMENT") for comment in _comments(root)]
        if comments:
            children.append(Tree("new_line_or_comment", list(comments)))
        return Tree("start", children)

    def body(self, node: tree_sitter.Node | None) -> Tree[Token]:
        items: list[Node] = []
        for child in _named(node) if node is not None else []:
            if child.type == "attribute":
                items.append(self.attribute(child))
            elif child.type == "block":
                items.append(self.block(child))
            else:
                raise _Unsupported(child)
        return Tree("body", items)

    def attribute(self, node: tree_sitter.Node) -> Tree[Token]:
        name, equals, expression = _children(node)
        children: list[Node] = [
            self.identifier(name),
            self.leaf(equals, "EQ"),
            self.expression(expression),
        ]
        return Tree("attribute", children)

    def block(self, node: tree_sitter.Node) -> Tree[Token]:
        children: list[Node] = []
        body: tree_sitter.Node | None = None
        for child in _children(node):
            if child.type == "identifier":
                children.append(self.identifier(child))
            elif child.type == "string_lit":
                children.append(self.string(child))
            elif child.type == "block_start":
                children.append(self.leaf(child, "LBRACE"))
            elif child.type == "body":
                body = child
            elif child.type == "block_end":
                children.extend([self.body(body), self.leaf(child, "RBRACE")])
            else:
                raise _Unsupported(child)
        return Tree("block", children)

    # --- expressions --------------------------------------------------------------------------

    def expression(self, node: tree_sitter.Node) -> Node:
        """An ``expression`` node (or any single expression node)."""
        if node.type != "expression":
            return self.term(node)
        return self.sequence(_children(node))

    def sequence(self, children: list[tree_sitter.Node]) -> Node:
        """A term or a parenthesised expression, then traversal steps (``.a``, ``[0]``, splats).

        tree-sitter-hcl lists the steps as siblings of the term, also directly inside an
        operation; python-hcl2's grammar nests them, one ``*_expr_term`` per step.
        """
        if children[0].type == "(":
            close = next(i for i, child in enumerate(children) if child.type == ")")
            current: Node = Tree(
                "expr_term",
                [
                    self.leaf(children[0], "LPAR"),
                    self.expression(children[1]),
                    self.leaf(children[close], "RPAR"),
                ],
            )
            steps = children[close + 1 :]
        else:
            current, steps = self.term(children[0]), children[1:]
        for step in steps:
            current = self.traversal(_wrap(current), step)
        return current

    def term(self, node: tree_sitter.Node) -> Node:
        """A term, wrapped in ``expr_term`` where python-hcl2's grammar wraps it."""
        return _wrap(self.bare_term(node))

    def bare_term(self, node: tree_sitter.Node) -> Node:
        kind = node.type
        if kind == "expression":
            return self.expression(node)
        if kind in ("literal_value", "collection_value", "template_expr", "for_expr", "operation"):
            return self.bare_term(_named(node)[0])
        if kind == "numeric_lit":
            return self.number(node)
        if kind in ("bool_lit", "null_lit"):
            leaf = self.leaf(node)
            return Tree("literal_value", [self.token(_LITERAL_TOKENS[leaf.value], *_span(leaf))])
        if kind in ("string_lit", "quoted_template"):
            return self.string(node)
        if kind == "heredoc_template":
            return self.heredoc(node)
        if kind == "variable_expr":
            return self.identifier(_named(node)[0])
        if kind == "tuple":
            return self.collection("tuple", node)
        if kind == "object":
            return self.collection("object", node)
        if kind == "function_call":
            return self.function_call(node)
        if kind in ("for_tuple_expr", "for_object_expr"):
            return self.for_expression(node)
        if kind == "conditional":
            condition, question, true, colon, false = _children(node)
            return Tree(
                "conditional",
                [
                    self.expression(condition),
                    self.leaf(question, "QMARK"),
                    self.expression(true),
                    self.leaf(colon, "COLON"),
                    self.expression(false),
                ],
            )
        if kind == "unary_operation":
            operator, *operand = _children(node)
            return Tree("unary_op", [self.leaf(operator), _wrap(self.sequence(operand))])
        if kind == "binary_operation":
            children = _children(node)
            split = next(  # the operator: the only unnamed child that is not a parenthesis
                i
                for i, child in enumerate(children)
                if not child.is_named and child.type not in ("(", ")")
            )
            return self.binary(children[:split], children[split], children[split + 1 :])
        raise _Unsupported(node)

    def binary(
        self,
        left: list[tree_sitter.Node],
        operator: tree_sitter.Node,
        right: list[tree_sitter.Node],
    ) -> Tree[Token]:
        symbol: list[Node] = [self.leaf(operator)]
        term: list[Node] = [Tree("binary_operator", symbol), _wrap(self.sequence(right))]
        return Tree("binary_op", [_wrap(self.sequence(left)), Tree("binary_term", term)])

    def number(self, node: tree_sitter.Node) -> Tree[Token]:
        start, end = self.offsets(node.start_byte), self.offsets(node.end_byte)
        if _INTEGER.fullmatch(self.text[start:end]):
            return Tree("int_lit", [self.token("INT_LITERAL", start, end)])
        return Tree("float_lit", [self.token("FLOAT_LITERAL", start, end)])

    def collection(self, rule: str, node: tree_sitter.Node) -> Tree[Token]:
        children: list[Node] = []
        for child in _children(node):
            if child.type in ("tuple_start", "tuple_end", "object_start", "object_end"):
                children.append(self.leaf(child))
            elif child.type == ",":
                children.append(self.leaf(child, "COMMA"))
            elif child.type == "object_elem":
                key, separator, value = _children(child)
                children.append(
                    Tree(
                        "object_elem",
                        [
                            Tree("object_elem_key", [self.expression(key)]),
                            self.leaf(separator),
                            self.expression(value),
                        ],
                    )
                )
            else:
                children.append(self.expression(child))
        return Tree(rule, children)

    def function_call(self, node: tree_sitter.Node) -> Tree[Token]:
        children: list[Node] = []
        for child in _children(node):
            if child.type == "identifier":  # provider::name::function is one node here
                start = self.offsets(child.start_byte)
                for index, part in enumerate(self.leaf(child).value.split("::")):
                    if index:
                        children.append(self.token("COLONS", start, start + 2))
                        start += 2
                    children.append(
                        Tree("identifier", [self.token("NAME", start, start + len(part))])
                    )
                    start += len(part)
            elif child.type == "function_arguments":
                children.append(self.arguments(child))
            else:
                children.append(self.leaf(child))
        return Tree("function_call", children)

    def arguments(self, node: tree_sitter.Node) -> Tree[Token]:
        children: list[Node] = []
        for child in _children(node):
            if child.type == "expression":
                children.append(self.expression(child))
            else:
                children.append(self.leaf(child, "ELLIPSIS" if child.type == "ellipsis" else None))
        return Tree("arguments", children)

    def for_expression(self, node: tree_sitter.Node) -> Tree[Token]:
        children: list[Node] = []
        for child in _children(node):
            if child.type in ("for_intro", "for_cond"):
                children.append(Tree(child.type, self.clause(child)))
            elif child.type in ("tuple_start", "tuple_end", "object_start", "object_end"):
                children.append(self.leaf(child))
            elif child.type == "ellipsis":
                children.append(self.leaf(child, "ELLIPSIS"))
            elif child.is_named:
                children.append(self.expression(child))
            else:
                children.append(self.leaf(child))
        return Tree(node.type, children)

    def clause(self, node: tree_sitter.Node) -> list[Node]:
        """The parts of ``for k, v in x :``, ``if c`` or a template directive, in order."""
        children: list[Node] = []
        for child in _children(node):
            if child.type == "identifier":
                children.append(self.identifier(child))
            elif child.type == "expression":
                children.append(self.expression(child))
            elif child.type == "template_directive_end":
                children.append(self.leaf(child, "RBRACE"))
            else:
                children.append(self.leaf(child))
        return children

    def traversal(self, base: Tree[Token], step: tree_sitter.Node) -> Tree[Token]:
        """One traversal step applied to ``base``: ``.name``, ``[key]``, ``.0``, a splat."""
        if step.type == "splat":
            splat = _named(step)[0]
            operator, *accessors = _children(splat)
            return Tree(
                f"{splat.type}_expr_term",
                [base, Tree(splat.type, [self.leaf(operator), *map(self.accessor, accessors)])],
            )
        accessor = self.accessor(step)
        rule = "get_attr_expr_term" if accessor.data == "get_attr" else "index_expr_term"
        return Tree(rule, [base, accessor])

    def accessor(self, node: tree_sitter.Node) -> Tree[Token]:
        if node.type == "get_attr":
            dot, name = _children(node)
            return Tree("get_attr", [self.leaf(dot, "DOT"), self.identifier(name)])
        inner = _named(node)[0] if node.type == "index" else node
        if inner.type == "new_index":
            opening, key, closing = _children(inner)
            return Tree(
                "braces_index",
                [self.leaf(opening, "LSQB"), self.expression(key), self.leaf(closing, "RSQB")],
            )
        if inner.type == "legacy_index":
            start, end = self.offsets(inner.start_byte), self.offsets(inner.end_byte)
            return Tree(
                "short_index",
                [self.token("DOT", start, start + 1), self.token("INT_LITERAL", start + 1, end)],
            )
        raise _Unsupported(node)

    # --- strings, templates and heredocs ------------------------------------------------------

    def string(self, node: tree_sitter.Node) -> Tree[Token]:
        """A quoted string or template: python-hcl2's flat ``string_part`` sequence.

        Literal text is taken from the source between the template's structural parts (and not
        from tree-sitter's ``template_literal`` nodes, which leave out white space next to them).
        """
        children = _children(node)
        opening, closing = children[0], children[-1]
        parts: list[Node] = [self.leaf(opening, "DBLQUOTE")]
        position = self.offsets(opening.end_byte)
        for marker in _template_markers(children[1:-1]):
            start = self.offsets(marker.start_byte)
            if self.text[start - 1] in "$%":
                # "$$${x}": tree-sitter-hcl reads "$$" as an escape and "${x}" as a sequence;
                # HCL reads "$", then the escape "$${", so "${x}" is literal text
                if marker.type != "template_interpolation" or '"' in self.leaf(marker).value:
                    raise _Unsupported(marker)
                continue
            parts.extend(self.literal(position, start))
            parts.append(Tree("string_part", [self.template_part(marker)]))
            position = self.offsets(marker.end_byte)
        parts.extend(self.literal(position, self.offsets(closing.start_byte)))
        parts.append(self.leaf(closing, "DBLQUOTE"))
        return Tree("string", parts)

    def literal(self, start: int, end: int) -> Iterator[Tree[Token]]:
        """Literal template text, with ``$${`` and ``%%{`` as the escapes they are."""
        for match in _ESCAPED_TEMPLATE.finditer(self.text, start, end):
            if match.start() > start:
                yield Tree("string_part", [self.token("STRING_CHARS", start, match.start())])
            kind = "ESCAPED_INTERPOLATION" if match.group(0)[0] == "$" else "ESCAPED_DIRECTIVE"
            yield Tree("string_part", [self.token(kind, match.start(), match.end())])
            start = match.end()
        if end > start:
            yield Tree("string_part", [self.token("STRING_CHARS", start, end)])

    def template_part(self, node: tree_sitter.Node) -> Tree[Token]:
        """An interpolation or one directive of a template."""
        rule = _TEMPLATE_RULES[node.type]
        if node.type == "template_interpolation":
            children: list[Node] = []
            for child in _children(node):
                if child.type == "expression":
                    children.append(self.expression(child))
                else:
                    kind = {"template_interpolation_end": "RBRACE"}.get(child.type)
                    children.append(self.leaf(child, kind))
            return Tree(rule, children)
        return Tree(rule, self.clause(node))

    def heredoc(self, node: tree_sitter.Node) -> Tree[Token]:
        """A heredoc: one token from ``<<`` to the newline after the closing marker."""
        start = self.offsets(node.start_byte)
        end = self.offsets(node.end_byte)
        newline = re.compile(r"[ \t]*\r?\n").match(self.text, end)
        if newline is not None:
            end = newline.end()
        trim = self.text.startswith("<<-", start)
        return Tree(
            "heredoc_template_trim" if trim else "heredoc_template",
            [self.token("HEREDOC_TEMPLATE_TRIM" if trim else "HEREDOC_TEMPLATE", start, end)],
        )


_TEMPLATE_RULES = {
    "template_interpolation": "interpolation",
    "template_if_intro": "template_if_start",
    "template_else_intro": "template_else",
    "template_if_end": "template_endif",
    "template_for_start": "template_for_start",
    "template_for_end": "template_endfor",
}


def _template_markers(nodes: list[tree_sitter.Node]) -> Iterator[tree_sitter.Node]:
    """Interpolations and directive parts in source order (tree-sitter nests the directives)."""
    for node in nodes:
        if node.type in _TEMPLATE_RULES:
            yield node
        elif node.type in ("template_directive", "template_if", "template_for"):
            yield from _template_markers(_children(node))
        elif node.type != "template_literal":
            raise _Unsupported(node)


def _wrap(node: Node) -> Tree[Token]:
    if isinstance(node, Tree) and node.data in _UNWRAPPED:
        return node
    return Tree("expr_term", [node])


def _span(token: Token) -> tuple[int, int]:
    start = token.start_pos or 0
    return start, start + len(token)


def _comments(root: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            yield node
        else:
            stack.extend(reversed(node.children))


class _Unsupported(Exception):
    """A node the converter does not know: the file is reported, never misread."""

    def __init__(self, node: tree_sitter.Node) -> None:
        super().__init__(node.type)
        self.node = node


# --- errors -----------------------------------------------------------------------------------


def _errors(root: tree_sitter.Node) -> list[tree_sitter.Node]:
    """The ``ERROR`` and ``MISSING`` nodes, in source order."""
    found = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(node)
        elif node.has_error:
            stack.extend(reversed(node.children))
    return found


def _syntax_error(root: tree_sitter.Node, text: str, offsets: _CharOffsets) -> HclSyntaxError:
    """Terraform's words for the error tree-sitter found, where its kind can be told.

    Each case is checked against ``terraform fmt`` on the same input
    (``tests/test_hcl_fallback.py``). An error of any other kind has an empty summary: the
    loader then describes it from python-hcl2's error, whose position is the more precise.
    """
    errors = _errors(root) or [root]
    first = errors[0]
    position = offsets(first.start_byte)
    summary = detail = ""
    if all(node.is_missing and node.type == "}" for node in errors):
        summary, detail = _UNCLOSED_BLOCK
        blocks = [_enclosing_block(node) for node in errors]
        position = min(offsets(block.start_byte) for block in blocks if block is not None)
    elif all(node.is_missing and node.type == "heredoc_identifier" for node in errors):
        summary = "Unterminated template string"
        detail = "No closing marker was found for the string."
        position = len(text) - 1  # the end of the file, as Terraform reports it
    else:
        line_start = text.rfind("\n", 0, position) + 1
        line_end = text.find("\n", position)
        escape = _INVALID_ESCAPE.search(text, line_start, line_end if line_end >= 0 else len(text))
        if escape is not None:
            summary = "Invalid escape sequence"
            detail = f'The symbol "{escape.group(1)}" is not a valid escape sequence selector.'
            position = escape.start(1) - 1
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return HclSyntaxError(line, column, summary, detail)


def _enclosing_block(node: tree_sitter.Node) -> tree_sitter.Node | None:
    parent = node.parent
    while parent is not None and parent.type != "block":
        parent = parent.parent
    return parent


_UNCLOSED_BLOCK = (
    "Unclosed configuration block",
    "There is no closing brace for this block before the end of the file. This may be caused by "
    "incorrect brace nesting elsewhere in this file.",
)
_INVALID_ESCAPE = re.compile(r'"[^"\n]*?\\([^nrt"\\uU\n])')

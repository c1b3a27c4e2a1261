"""Native HCL (``.tf``) to :class:`~orylint.terraform.document.Document`, with exact positions.

Values are evaluated only where Terraform would know them before apply without running anything:
literals, lists, objects, heredocs, string templates made of literals, ``jsonencode`` of those,
and arithmetic sign on numbers. Everything else is :class:`~orylint.terraform.values.Unknown`
with its source text kept, because "unknown is not wrong": a rule must never guess.

Positions come from lark's metadata on the raw parse tree: character offsets, converted to
1-based line and code-point column. Two quirks of the grammar are trimmed: binary operations
absorb the newline and comment that follow them, and heredoc tokens include their final newline.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from orylint.golang import gojson
from orylint.terraform.document import Block, BlockAttribute, Comment, Document, LoadError
from orylint.terraform.hcl_parser import parse_tree
from orylint.terraform.provider_schema import is_whole_client
from orylint.terraform.values import Attribute, Element, Reference, Span, Unknown, is_known

Node = Tree[Token] | Token
_NEWLINE_NODES = frozenset({"new_line_or_comment"})
_COMMENT_RE = re.compile(r"#[^\n]*|//[^\n]*|/\*.*?\*/", re.DOTALL)
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_UNRESOLVED_TEMPLATE = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")


class _LineIndex:
    """Offsets of line starts, to turn a character offset into (line, column) in O(log n)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def load_hcl(path: str, text: str) -> Document | LoadError:
    """Parse ``text`` (already decoded) into a document, or describe why it cannot be parsed."""
    try:
        tree = parse_tree(text)
    except UnexpectedInput as error:
        return _syntax_error(path, text, error)
    except RecursionError:
        return LoadError(path, 1, 1, "expressions are nested too deeply for orylint to parse")
    try:
        return _Builder(path, text).document(tree)
    except RecursionError:
        return LoadError(path, 1, 1, "expressions are nested too deeply for orylint to parse")


def _syntax_error(path: str, text: str, error: UnexpectedInput) -> LoadError:
    """Describe a parse failure in plain words, never with the grammar's token names."""
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
        f"cannot parse this file: {what}. Either it has a syntax error, or it is valid "
        "Terraform that orylint's HCL parser does not support yet (e.g. a line break inside "
        "a bracketed expression); `terraform fmt` tells which"
    )
    return LoadError(path, line, column, message)


class _Builder:
    """Walks the raw lark tree of one file and builds its document."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = _LineIndex(text)

    # --- positions -----------------------------------------------------------------------

    def span(self, node: Node) -> Span:
        return self.trimmed_span(_start_offset(node), _end_offset(node))

    def trimmed_span(self, start: int, end: int) -> Span:
        """Span from offsets, with trailing blanks and newlines dropped from the end."""
        end = max(end, start)
        while end > start and self.text[end - 1 : end] in (" ", "\t", "\r", "\n"):
            end -= 1
        return self.span_of_offsets(start, end)

    def span_of_offsets(self, start: int, end: int) -> Span:
        start_line, start_column = self.lines.position(start)
        end_line, end_column = self.lines.position(end)
        return Span(self.path, start_line, start_column, end_line, end_column)

    def source(self, node: Node) -> str:
        start = _start_offset(node)
        return self.text[start : max(_end_offset(node), start)].strip()

    # --- structure -----------------------------------------------------------------------

    def document(self, tree: Tree[Token]) -> Document:
        document = Document(self.path, self.text)
        body = _first_tree(tree, "body")
        if body is not None:
            for child in _trees(body):
                if child.data == "block":
                    document.blocks.append(self.block(child))
        document.comments = list(self.comments(tree))
        return document

    def block(self, tree: Tree[Token]) -> Block:
        labels: list[str] = []
        block_type = ""
        body: Tree[Token] | None = None
        header_end = _start_offset(tree)
        for child in tree.children:
            if isinstance(child, Token):
                if child.type == "LBRACE":
                    header_end = child.start_pos or header_end
                continue
            if child.data == "body":
                body = child
            elif child.data in ("identifier", "keyword", "literal_value"):
                name = _token_text(child)
                if not block_type:
                    block_type = name
                else:
                    labels.append(name)
            elif child.data == "string":
                labels.append(_plain_string(child))
        header = self.trimmed_span(_start_offset(tree), header_end)
        block = Block(block_type, labels, self.span(tree), header)
        if body is not None:
            for child in _trees(body):
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
        expression = _last_tree(tree)
        name = _token_text(name_node)
        evaluator = _Evaluator(self)
        value, references = evaluator.evaluate(expression, {})
        elements = evaluator.elements(expression)
        unwrapped = _unwrap(expression)
        is_call = isinstance(unwrapped, Tree) and unwrapped.data == "function_call"
        attribute = Attribute(
            name=name,
            value=value,
            span=self.span(tree),
            value_span=self.span(expression),
            source=self.source(expression),
            elements=elements,
            from_jsonencode=is_call and _function_name(unwrapped) == "jsonencode",
            heredoc=isinstance(unwrapped, Tree) and unwrapped.data.startswith("heredoc"),
        )
        return BlockAttribute(attribute, references, evaluator.members(expression))

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
                end = token.start_pos + match.end()
                yield Comment(self.span_of_offsets(start, end), match.group(0))


class _Evaluator:
    """Evaluates one expression to a value and collects the references it contains."""

    def __init__(self, builder: _Builder) -> None:
        self.builder = builder

    def elements(self, node: Node) -> tuple[Element, ...] | None:
        node = _unwrap(node)
        if not isinstance(node, Tree) or node.data != "tuple":
            return None
        result = []
        for index, item in enumerate(_trees(node)):
            value, _ = self.evaluate(item, {})
            result.append(Element(index, value, self.builder.span(item)))
        return tuple(result)

    def members(self, node: Node) -> dict[str, list[Reference]] | None:
        """The references of each key of an object literal (None for anything else)."""
        node = _unwrap(node)
        if not isinstance(node, Tree) or node.data != "object":
            return None
        result: dict[str, list[Reference]] = {}
        for element in _trees(node):
            if element.data != "object_elem":
                continue
            refs: list[Reference] = []
            key = self.object_key(_trees(element)[0], {}, refs)
            if key is None:
                return None  # a computed key: any member may hold anything
            result[key] = refs + self.evaluate(_trees(element)[-1], {})[1]
        return result

    def unknown(self, node: Node, reason: str) -> Unknown:
        return Unknown(reason, self.builder.source(node))

    def evaluate(
        self, node: Node, env: dict[str, list[tuple[str, ...]]]
    ) -> tuple[object, list[Reference]]:
        """Return ``(value, references)`` for an expression node."""
        if isinstance(node, Token):
            return self.unknown(node, "unsupported expression"), []
        kind = node.data
        if kind == "expr_term":
            inner = [child for child in _trees(node)]
            if len(inner) == 1:
                return self.evaluate(inner[0], env)
            return self.unknown(node, "unsupported expression"), []
        if kind == "string":
            return self.string(node, env)
        if kind == "int_lit":
            return int(_token_text(node)), []
        if kind == "float_lit":
            return _float(_token_text(node)), []
        if kind == "literal_value":
            text = _token_text(node)
            return {"true": True, "false": False}.get(text), []
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return self.heredoc(node), []
        if kind == "tuple":
            values: list[object] = []
            references: list[Reference] = []
            for item in _trees(node):
                value, refs = self.evaluate(item, env)
                values.append(value)
                references.extend(refs)
            return values, references
        if kind == "object":
            return self.object_value(node, env)
        if kind == "function_call":
            return self.function_call(node, env)
        if kind == "unary_op":
            return self.unary(node, env)
        if kind in _TRAVERSALS or kind == "identifier":
            return self.traversal(node, env)
        if kind in ("for_tuple_expr", "for_object_expr"):
            return self.unknown(node, "for expression"), self.for_expression(node, env)
        # conditionals, binary operations, template strings, anything else: unknown
        references = []
        for child in _trees(node):
            references.extend(self.evaluate(child, env)[1])
        return self.unknown(node, "expression evaluated at apply time"), references

    def string(
        self, node: Tree[Token], env: dict[str, list[tuple[str, ...]]]
    ) -> tuple[object, list[Reference]]:
        parts: list[str] = []
        references: list[Reference] = []
        known = True
        for part in _trees(node):
            for child in part.children:
                if isinstance(child, Token):
                    if child.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                        parts.append(str(child.value)[1:])
                    else:
                        parts.append(_decode_escapes(str(child.value)))
                    continue
                if child.data == "interpolation":
                    inner = _last_tree(child)
                    value, refs = self.evaluate(inner, env)
                    references.extend(refs)
                    text = _template_text(value)
                    if text is None:
                        known = False
                    else:
                        parts.append(text)
                else:  # a template directive: evaluated at apply time
                    known = False
                    for sub in _trees(child):
                        references.extend(self.evaluate(sub, env)[1])
        if not known:
            return self.unknown(node, "string template with references"), references
        return "".join(parts), references

    def heredoc(self, node: Tree[Token]) -> object:
        raw = _token_text(node)
        lines = raw.split("\n")
        body = lines[1:-2] if len(lines) >= 3 else []
        if node.data == "heredoc_template_trim":
            indents = [len(line) - len(line.lstrip(" \t")) for line in body if line.strip()]
            cut = min(indents, default=0)
            body = [line[cut:] for line in body]
        text = "".join(line.rstrip("\r") + "\n" for line in body)
        if _UNRESOLVED_TEMPLATE.search(text):
            return self.unknown(node, "heredoc template with references")
        return text.replace("$${", "${").replace("%%{", "%{")

    def object_value(
        self, node: Tree[Token], env: dict[str, list[tuple[str, ...]]]
    ) -> tuple[object, list[Reference]]:
        result: dict[str, object] = {}
        references: list[Reference] = []
        known_keys = True
        for element in _trees(node):
            if element.data != "object_elem":
                continue
            key_node, value_node = _trees(element)[0], _trees(element)[-1]
            key = self.object_key(key_node, env, references)
            value, refs = self.evaluate(value_node, env)
            references.extend(refs)
            if key is None:
                known_keys = False
            else:
                result[key] = value
        if not known_keys:
            return self.unknown(node, "object with computed keys"), references
        return result, references

    def object_key(
        self, node: Tree[Token], env: dict[str, list[tuple[str, ...]]], references: list[Reference]
    ) -> str | None:
        inner = _unwrap(node)
        if isinstance(inner, Tree) and inner.data in ("identifier", "keyword"):
            return _token_text(inner)
        value, refs = self.evaluate(inner, env)
        references.extend(refs)
        return _template_text(value)

    def function_call(
        self, node: Tree[Token], env: dict[str, list[tuple[str, ...]]]
    ) -> tuple[object, list[Reference]]:
        name = _function_name(node)
        arguments_node = _first_tree(node, "arguments")
        arguments = _trees(arguments_node) if arguments_node is not None else []
        values: list[object] = []
        references: list[Reference] = []
        for argument in arguments:
            value, refs = self.evaluate(argument, env)
            values.append(value)
            references.extend(refs)
        if name == "nonsensitive":
            references = [Reference(ref.parts, ref.span, unmasked=True) for ref in references]
        if name == "jsonencode" and len(values) == 1 and is_known(values[0]):
            return go_json(values[0]), references
        return self.unknown(node, f"result of {name}()"), references

    def unary(
        self, node: Tree[Token], env: dict[str, list[tuple[str, ...]]]
    ) -> tuple[object, list[Reference]]:
        operator = next((str(c.value) for c in node.children if isinstance(c, Token)), "")
        operand = _last_tree(node)
        value, references = self.evaluate(operand, env)
        if operator == "-" and isinstance(value, int | float) and not isinstance(value, bool):
            return -value, references
        if operator == "!" and isinstance(value, bool):
            return not value, references
        return self.unknown(node, "expression evaluated at apply time"), references

    def traversal(
        self, node: Tree[Token], env: dict[str, list[tuple[str, ...]]]
    ) -> tuple[object, list[Reference]]:
        """Turn ``a.b[0].c`` into a reference; indexes are dropped, index expressions searched."""
        base, suffix, references = self.flatten(node, env)
        span = self.builder.span(node)
        if base is not None:
            references.extend(self.bind(base + tuple(suffix), span, env))
        return self.unknown(node, f"reference to {self.builder.source(node)}"), references

    def flatten(
        self, node: Node, env: dict[str, list[tuple[str, ...]]]
    ) -> tuple[tuple[str, ...] | None, list[str], list[Reference]]:
        """Split a traversal into (root parts, attribute suffix, references found on the way).

        When the root is not a name (``values(ory_oauth2_client.x)[*].client_id``), the suffix is
        applied to the whole-object references found in the root, so that picking ``client_id``
        out of a whole resource does not count as exposing its secret.
        """
        node = _unwrap(node)
        if isinstance(node, Tree) and node.data == "identifier":
            return (_token_text(node),), [], []
        if not isinstance(node, Tree) or node.data not in _TRAVERSALS:
            _, references = self.evaluate(node, env)
            return None, [], references
        children = _trees(node)
        base, suffix, references = self.flatten(children[0], env)
        for accessor in children[1:]:
            names, index_refs = self.accessor_names(accessor, env)
            suffix.extend(names)
            references.extend(index_refs)
        if base is None and suffix:
            extended = []
            for reference in references:
                if is_whole_client(reference.parts):
                    extended.append(
                        Reference(
                            reference.parts + tuple(suffix), reference.span, reference.unmasked
                        )
                    )
                else:
                    extended.append(reference)
            references = extended
            suffix = []
        return base, suffix, references

    def accessor_names(
        self, node: Tree[Token], env: dict[str, list[tuple[str, ...]]]
    ) -> tuple[list[str], list[Reference]]:
        names: list[str] = []
        references: list[Reference] = []
        if node.data == "get_attr":
            names.append(_token_text(_trees(node)[0]))
        elif node.data == "braces_index":
            references.extend(self.evaluate(_trees(node)[0], env)[1])
        elif node.data in ("attr_splat", "full_splat"):
            for child in _trees(node):
                sub_names, sub_refs = self.accessor_names(child, env)
                names.extend(sub_names)
                references.extend(sub_refs)
        return names, references

    def bind(
        self, parts: tuple[str, ...], span: Span, env: dict[str, list[tuple[str, ...]]]
    ) -> list[Reference]:
        """Resolve a for-expression variable to what it iterates over."""
        if parts[0] in env:
            return [Reference(base + parts[1:], span) for base in env[parts[0]]]
        return [Reference(parts, span)]

    def for_expression(
        self, node: Tree[Token], env: dict[str, list[tuple[str, ...]]]
    ) -> list[Reference]:
        """Collect references of a for expression, binding its variables to the collection.

        Iterating over ``ory_oauth2_client.x`` exposes nothing by itself; the body decides:
        ``c.client_secret`` or ``c`` alone exposes the secret, ``c.client_id`` does not.
        """
        intro = _first_tree(node, "for_intro")
        if intro is None:
            return []
        names = [_token_text(child) for child in _trees(intro) if child.data == "identifier"]
        collection = [child for child in _trees(intro) if child.data != "identifier"][-1]
        _, collection_refs = self.evaluate(collection, env)
        bases = [ref.parts for ref in collection_refs if is_whole_client(ref.parts)]
        references = [ref for ref in collection_refs if not is_whole_client(ref.parts)]
        inner_env = dict(env)
        if names:
            inner_env[names[-1]] = bases
            if len(names) == 2:
                inner_env[names[0]] = []
        for child in _trees(node):
            if child.data == "for_intro":
                continue
            references.extend(self.evaluate(child, inner_env)[1])
        return references


_TRAVERSALS = frozenset(
    {"get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"}
)


def go_json(value: object) -> str:
    """Encode like Terraform's ``jsonencode``: compact, keys sorted, HTML characters escaped."""
    return gojson.marshal(value, exact=True)


def _template_text(value: object) -> str | None:
    """Render a known primitive inside a string template, or None when it cannot be known."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else repr(value)
    return None


def _float(text: str) -> float | int:
    """A number literal; integral values become ints, as Terraform prints them (``1e3`` → 1000)."""
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _decode_escapes(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape[0] in "uU" and len(escape) > 1:
            return chr(int(escape[1:], 16))
        return _SIMPLE_ESCAPES.get(escape, "\\" + escape)

    return _ESCAPE_RE.sub(replace, text)


def _plain_string(node: Tree[Token]) -> str:
    return "".join(
        _decode_escapes(str(child.value))
        for part in _trees(node)
        for child in part.children
        if isinstance(child, Token)
    )


def _function_name(node: Node) -> str:
    if not isinstance(node, Tree):
        return ""
    names = [_token_text(child) for child in _trees(node) if child.data == "identifier"]
    return "::".join(names)


def _token_text(node: Node) -> str:
    if isinstance(node, Token):
        return str(node.value)
    for child in node.children:
        if isinstance(child, Token):
            return str(child.value)
        return _token_text(child)
    return ""


def _trees(node: Tree[Token] | None) -> list[Tree[Token]]:
    """Child subtrees, without newlines and comments."""
    if node is None:
        return []
    return [
        child
        for child in node.children
        if isinstance(child, Tree) and child.data not in _NEWLINE_NODES
    ]


def _first_tree(node: Tree[Token], data: str) -> Tree[Token] | None:
    return next((child for child in _trees(node) if child.data == data), None)


def _last_tree(node: Tree[Token]) -> Tree[Token]:
    return _trees(node)[-1]


def _unwrap(node: Node) -> Node:
    """Strip ``expr_term`` wrappers and parentheses, which carry no meaning of their own."""
    while isinstance(node, Tree) and node.data in ("expr_term", "object_elem_key"):
        inner = _trees(node)
        if len(inner) != 1:
            break
        node = inner[0]
    return node


def _start_offset(node: Node) -> int:
    if isinstance(node, Token):
        return node.start_pos or 0
    for child in node.children:
        if isinstance(child, Tree) and child.data in _NEWLINE_NODES:
            continue
        if isinstance(child, Token) and child.type == "NL_OR_COMMENT":
            continue
        return _start_offset(child)
    return node.meta.start_pos if not node.meta.empty else 0


def _end_offset(node: Node) -> int:
    if isinstance(node, Token):
        return node.end_pos or 0
    for child in reversed(node.children):
        if isinstance(child, Tree) and child.data in _NEWLINE_NODES:
            continue
        if isinstance(child, Token) and child.type == "NL_OR_COMMENT":
            continue
        return _end_offset(child)
    return node.meta.end_pos if not node.meta.empty else 0

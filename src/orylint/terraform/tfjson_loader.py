"""Terraform's JSON syntax (``.tf.json``) to a :class:`~.document.Document`, with positions.

Python's ``json`` module keeps no positions, so this module parses JSON itself (a small
recursive-descent parser over the decoded text) and keeps the span of every value. Strings that
contain ``${...}`` or ``%{...}`` are expressions, as in Terraform's JSON syntax; they are
evaluated by the HCL loader so that references and unknowns are handled exactly as in ``.tf``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from orylint.terraform.document import Block, BlockAttribute, Comment, Document, LoadError
from orylint.terraform.evaluator import Scope, evaluate_template, quote_template
from orylint.terraform.hcl_loader import load_hcl
from orylint.terraform.source import LineTable
from orylint.terraform.values import Attribute, Element, Reference, Span, Unknown

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_WHITESPACE = " \t\r\n"
_TEMPLATE = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")
_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_INT_DIGITS = 4000
"""Python refuses to convert integers of over 4,300 digits; longer ones are read as floats."""
# Block types whose labels are object keys in JSON syntax, and how many labels they take.
_LABELS = {"resource": 2, "data": 2, "output": 1, "module": 1, "variable": 1, "provider": 1}


class _JSONError(Exception):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


@dataclass
class _Node:
    """A JSON value with its span (offsets into the text)."""

    value: Any
    start: int
    end: int
    items: list[_Node] = field(default_factory=list)
    members: list[tuple[str, _Node, _Node]] = field(default_factory=list)  # key, key node, value


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse(self) -> _Node:
        node = self.value()
        self.skip()
        if self.pos != len(self.text):
            raise _JSONError(self.pos, "unexpected data after the JSON document")
        return node

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
            self.pos += 1

    def value(self) -> _Node:
        self.skip()
        if self.pos >= len(self.text):
            raise _JSONError(self.pos, "the file ends where a value was expected (truncated?)")
        char = self.text[self.pos]
        if char == "{":
            return self.object()
        if char == "[":
            return self.array()
        if char == '"':
            start = self.pos
            return _Node(self.string(), start, self.pos)
        for literal, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(literal, self.pos):
                start = self.pos
                self.pos += len(literal)
                return _Node(value, start, self.pos)
        match = _NUMBER.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            literal = match.group(0)
            # HCL reads a number into a 512-bit big.Float, so a huge integer is a valid number;
            # as a float it stays a number (infinite beyond float64, which evaluation treats as
            # unknown) instead of overflowing Python's int-string limit.
            number = float(literal) if len(literal) > _MAX_INT_DIGITS else json.loads(literal)
            return _Node(number, match.start(), match.end())
        raise _JSONError(self.pos, f"unexpected character {char!r}")

    def string(self) -> str:
        start = self.pos
        self.pos += 1
        while True:
            end = self.text.find('"', self.pos)
            if end < 0:
                raise _JSONError(start, "unterminated string (truncated?)")
            backslashes = 0
            while self.text[end - 1 - backslashes] == "\\":
                backslashes += 1
            self.pos = end + 1
            if backslashes % 2 == 0:
                break
        try:
            decoded: str = json.loads(self.text[start : self.pos])
        except json.JSONDecodeError as error:
            raise _JSONError(start + error.pos, f"invalid string ({error.msg})") from None
        # Go's encoding/json (which HCL's JSON parser uses for strings) decodes an unpaired
        # surrogate escape as U+FFFD; Python keeps it, and no report could then print it.
        return _SURROGATE.sub("\ufffd", decoded)

    def expect(self, char: str) -> None:
        self.skip()
        if self.pos >= len(self.text):
            raise _JSONError(self.pos, f"the file ends where {char!r} was expected (truncated?)")
        if self.text[self.pos] != char:
            raise _JSONError(self.pos, f"expected {char!r}, found {self.text[self.pos]!r}")
        self.pos += 1

    def object(self) -> _Node:
        start = self.pos
        self.pos += 1
        node = _Node({}, start, start)
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        while True:
            self.skip()
            if self.pos >= len(self.text):
                raise _JSONError(self.pos, "the file ends inside an object (truncated?)")
            if not self.text.startswith('"', self.pos):
                raise _JSONError(self.pos, "expected a quoted object key")
            key_start = self.pos
            key = self.string()
            key_node = _Node(key, key_start, self.pos)
            self.expect(":")
            value = self.value()
            node.members.append((key, key_node, value))
            node.value[key] = value.value
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            self.expect("}")
            node.end = self.pos
            return node

    def array(self) -> _Node:
        start = self.pos
        self.pos += 1
        node = _Node([], start, start)
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        while True:
            item = self.value()
            node.items.append(item)
            node.value.append(item.value)
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            self.expect("]")
            node.end = self.pos
            return node


def load_tf_json(path: str, text: str) -> Document | LoadError:
    """Parse a ``.tf.json`` file into blocks with attribute and element spans."""
    parsed = _parse(path, text)
    if isinstance(parsed, LoadError):
        return parsed
    root, span = parsed
    document = Document(path, text)
    builder = _Builder(path, span)
    for block_type, key_node, body in root.members:
        document.blocks.extend(builder.blocks(block_type, key_node, body))
    comments = [
        Comment(span(value.start, value.end), str(value.value))
        for key, _, value in root.members
        if key == "//"
    ]
    document.comments = comments + builder.comments
    return document


def load_tfvars_json(path: str, text: str) -> Document | LoadError:
    """Parse a ``.tfvars.json`` file: its top-level members are the document's attributes."""
    parsed = _parse(path, text)
    if isinstance(parsed, LoadError):
        return parsed
    root, span = parsed
    builder = _Builder(path, span)
    document = Document(path, text)
    document.attributes = [
        builder.attribute(name, name_node, value) for name, name_node, value in root.members
    ]
    return document


def _parse(path: str, text: str) -> tuple[_Node, Callable[[int, int], Span]] | LoadError:
    """The JSON object at the top of a file, and the span function of the file."""
    span = _SpanOf(path, LineTable(text))
    try:
        root = _Parser(text).parse()
    except _JSONError as error:
        line, column = span.lines.position(min(error.offset, len(text)))
        return LoadError(path, line, column, f"cannot parse this JSON configuration: {error}")
    except RecursionError:
        return LoadError(path, 1, 1, "cannot parse this JSON configuration: nested too deeply")
    if not isinstance(root.value, dict):
        return LoadError(path, 1, 1, "a .tf.json file must hold a JSON object at the top level")
    return root, span


@dataclass(frozen=True)
class _SpanOf:
    """The span of offsets in one file; a class, not a closure, so documents can be pickled.

    Expressions keep it to place what they evaluate, and documents travel between processes
    (parallel parsing) and into the cache.
    """

    path: str
    lines: LineTable

    def __call__(self, start: int, end: int) -> Span:
        (sl, sc), (el, ec) = self.lines.position(start), self.lines.position(end)
        return Span(self.path, sl, sc, el, ec)


class _Builder:
    def __init__(self, path: str, span: Callable[[int, int], Span]) -> None:
        self.path = path
        self.span = span
        self.comments: list[Comment] = []

    def blocks(self, block_type: str, key_node: _Node, body: _Node) -> list[Block]:
        """A top-level key: labels are nested object keys, bodies may be lists of objects."""
        if block_type == "//":
            return []
        depth = _LABELS.get(block_type, 0)
        return self._labelled(block_type, [], depth, key_node, body)

    def _labelled(
        self, block_type: str, labels: list[str], depth: int, key_node: _Node, body: _Node
    ) -> list[Block]:
        if isinstance(body.value, list):
            # HCL's JSON syntax allows an array of objects wherever an object of labels or a
            # block body is expected (``"resource": [{...}, {...}]``): each is read in turn.
            return [
                block
                for item in body.items
                for block in self._labelled(block_type, labels, depth, key_node, item)
            ]
        if depth == 0:
            return [self._block(block_type, labels, key_node, body)]
        result = []
        for label, label_node, inner in body.members:
            result.extend(
                self._labelled(block_type, [*labels, label], depth - 1, label_node, inner)
            )
        return result

    def _block(self, block_type: str, labels: list[str], key_node: _Node, body: _Node) -> Block:
        block = Block(
            type=block_type,
            labels=labels,
            span=self.span(key_node.start, body.end),
            header_span=self.span(key_node.start, key_node.end),
        )
        for name, name_node, value in body.members:
            if name == "//":
                if isinstance(value.value, str):
                    self.comments.append(
                        Comment(self.span(value.start, value.end), value.value, block.span)
                    )
                continue
            if block_type != "locals" and name in ("lifecycle", "provisioner", "connection"):
                block.blocks.append(
                    Block(
                        name,
                        [],
                        self.span(name_node.start, value.end),
                        self.span(name_node.start, name_node.end),
                    )
                )
                continue
            attribute = self.attribute(name, name_node, value)
            if name in block.attributes:
                block.duplicates.append(attribute)
            else:
                block.attributes[name] = attribute
        return block

    def attribute(self, name: str, name_node: _Node, node: _Node) -> BlockAttribute:
        value, references, from_jsonencode = self._evaluate(node)
        elements = None
        if isinstance(node.value, list):
            elements = tuple(
                Element(index, self._evaluate(item)[0], self.span(item.start, item.end))
                for index, item in enumerate(node.items)
            )
        attribute = Attribute(
            name=name,
            value=value,
            span=self.span(name_node.start, node.end),
            value_span=self.span(node.start, node.end),
            source=json.dumps(node.value),
            elements=elements,
            from_jsonencode=from_jsonencode,
        )
        return BlockAttribute(attribute, references, expression=_JsonExpression(self, node))

    def _evaluate(self, node: _Node) -> tuple[object, list[Reference], bool]:
        """A JSON value as Terraform reads it: strings with templates are expressions."""
        value = node.value
        if isinstance(value, str) and _TEMPLATE.search(value):
            return self._template(value, node)
        if isinstance(value, list):
            results = [self._evaluate(item) for item in node.items]
            return [r[0] for r in results], [ref for r in results for ref in r[1]], False
        if isinstance(value, dict):
            members = {key: self._evaluate(item) for key, _, item in node.members}
            return (
                {key: r[0] for key, r in members.items()},
                [ref for r in members.values() for ref in r[1]],
                False,
            )
        if isinstance(value, str):
            return value.replace("$${", "${").replace("%%{", "%{"), [], False
        return _number(value), [], False

    def _template(self, value: str, node: _Node) -> tuple[object, list[Reference], bool]:
        """Evaluate a template string with the HCL loader; positions fall back to the string."""
        escaped = quote_template(value)
        if escaped is None:
            return Unknown("template that orylint cannot parse", value), [], False
        parsed = load_hcl(self.path, f'template {{\n  x = "{escaped}"\n}}\n')
        span = self.span(node.start, node.end)
        if isinstance(parsed, LoadError) or not parsed.blocks:
            return Unknown("template that orylint cannot parse", value), [], False
        attribute = parsed.blocks[0].attributes["x"]
        references = [
            Reference(ref.parts, span, ref.unmasked, ref.shallow) for ref in attribute.references
        ]
        inner = attribute.attribute
        result = (
            inner.value
            if not isinstance(inner.value, Unknown)
            else Unknown(inner.value.reason, value)
        )
        from_jsonencode = value.strip().startswith("${jsonencode(")
        return result, references, from_jsonencode


@dataclass(frozen=True)
class _JsonExpression:
    """A ``.tf.json`` value to evaluate again in a module instance: its strings are templates."""

    builder: _Builder
    node: _Node

    @property
    def syntax(self) -> object:
        """The decoded JSON value (a ``type`` constraint is a string such as ``"list(string)"``)."""
        return self.node.value

    def value(self, scope: Scope | None = None) -> object:
        """The value in ``scope``: templates evaluated, everything else as written."""
        return self._value(self.node, scope)

    def elements(self, scope: Scope | None = None) -> tuple[Element, ...] | None:
        """Each element of a JSON array with its own span, evaluated in ``scope``."""
        if not isinstance(self.node.value, list):
            return None
        return tuple(
            Element(index, self._value(item, scope), self.builder.span(item.start, item.end))
            for index, item in enumerate(self.node.items)
        )

    def _value(self, node: _Node, scope: Scope | None) -> object:
        value = node.value
        if isinstance(value, str) and _TEMPLATE.search(value):
            return evaluate_template(self.builder.path, value, scope)
        if isinstance(value, list):
            return [self._value(item, scope) for item in node.items]
        if isinstance(value, dict):
            return {key: self._value(item, scope) for key, _, item in node.members}
        if isinstance(value, str):
            return value.replace("$${", "${").replace("%%{", "%{")
        return _number(value)


def _number(value: object) -> object:
    """A number beyond float64 (read from a huge literal) is one orylint cannot evaluate."""
    if isinstance(value, float) and not math.isfinite(value):
        return Unknown("a number too large for orylint to evaluate")
    return value

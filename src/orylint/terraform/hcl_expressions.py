"""Evaluating one HCL expression of python-hcl2's raw tree: a value and its references.

Values are evaluated only where Terraform would know them before apply without running anything:
literals, lists, objects, heredocs, string templates made of literals, ``jsonencode`` of those,
and arithmetic sign on numbers. Everything else is :class:`~orylint.terraform.values.Unknown`
with its source text kept, because "unknown is not wrong": a rule must never guess. References
are collected on the way, for secret flow and for whatever reads the configuration around a
client.
"""

from __future__ import annotations

import re

from lark import Token, Tree

from orylint.golang import gojson
from orylint.terraform.hcl_tree import (
    Node,
    SourceMap,
    decode_escapes,
    first_tree,
    function_name,
    last_tree,
    token_text,
    trees,
    unwrap,
)
from orylint.terraform.provider_schema import is_whole_client
from orylint.terraform.values import Element, Reference, Span, Unknown, is_known

_UNRESOLVED_TEMPLATE = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")


class ExpressionEvaluator:
    """Evaluates one expression to a value and collects the references it contains."""

    def __init__(self, source_map: SourceMap) -> None:
        self.source_map = source_map

    def elements(self, node: Node) -> tuple[Element, ...] | None:
        """Each element of a list literal with its own span, so list rules can point at one."""
        node = unwrap(node)
        if not isinstance(node, Tree) or node.data != "tuple":
            return None
        result = []
        for index, item in enumerate(trees(node)):
            value, _ = self.evaluate(item, {})
            result.append(Element(index, value, self.source_map.span(item)))
        return tuple(result)

    def members(self, node: Node) -> dict[str, list[Reference]] | None:
        """The references of each key of an object literal (None for anything else)."""
        node = unwrap(node)
        if not isinstance(node, Tree) or node.data != "object":
            return None
        result: dict[str, list[Reference]] = {}
        for element in trees(node):
            if element.data != "object_elem":
                continue
            refs: list[Reference] = []
            key = self.object_key(trees(element)[0], {}, refs)
            if key is None:
                return None  # a computed key: any member may hold anything
            result[key] = refs + self.evaluate(trees(element)[-1], {})[1]
        return result

    def unknown(self, node: Node, reason: str) -> Unknown:
        """An unknown that keeps the source text of its expression."""
        return Unknown(reason, self.source_map.source(node))

    def evaluate(
        self, node: Node, env: dict[str, list[tuple[str, ...]]]
    ) -> tuple[object, list[Reference]]:
        """Return ``(value, references)`` for an expression node."""
        if isinstance(node, Token):
            return self.unknown(node, "unsupported expression"), []
        kind = node.data
        if kind == "expr_term":
            inner = [child for child in trees(node)]
            if len(inner) == 1:
                return self.evaluate(inner[0], env)
            return self.unknown(node, "unsupported expression"), []
        if kind == "string":
            return self.string(node, env)
        if kind == "int_lit":
            return int(token_text(node)), []
        if kind == "float_lit":
            return _float(token_text(node)), []
        if kind == "literal_value":
            text = token_text(node)
            return {"true": True, "false": False}.get(text), []
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return self.heredoc(node), []
        if kind == "tuple":
            values: list[object] = []
            references: list[Reference] = []
            for item in trees(node):
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
        for child in trees(node):
            references.extend(self.evaluate(child, env)[1])
        return self.unknown(node, "expression evaluated at apply time"), references

    def string(
        self, node: Tree[Token], env: dict[str, list[tuple[str, ...]]]
    ) -> tuple[object, list[Reference]]:
        """A quoted string or template; known only when every interpolation is known."""
        parts: list[str] = []
        references: list[Reference] = []
        known = True
        for part in trees(node):
            for child in part.children:
                if isinstance(child, Token):
                    if child.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                        parts.append(str(child.value)[1:])
                    else:
                        parts.append(decode_escapes(str(child.value)))
                    continue
                if child.data == "interpolation":
                    inner = last_tree(child)
                    value, refs = self.evaluate(inner, env)
                    references.extend(refs)
                    text = _template_text(value)
                    if text is None:
                        known = False
                    else:
                        parts.append(text)
                else:  # a template directive: evaluated at apply time
                    known = False
                    for sub in trees(child):
                        references.extend(self.evaluate(sub, env)[1])
        if not known:
            return self.unknown(node, "string template with references"), references
        return "".join(parts), references

    def heredoc(self, node: Tree[Token]) -> object:
        """A heredoc: its lines (``<<-`` trimmed of the common indent); unknown if templated."""
        raw = token_text(node)
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
        """An object literal; unknown as a whole when a key is computed."""
        result: dict[str, object] = {}
        references: list[Reference] = []
        known_keys = True
        for element in trees(node):
            if element.data != "object_elem":
                continue
            key_node, value_node = trees(element)[0], trees(element)[-1]
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
        """The key of an object element: a bare name, or an expression that must be known."""
        inner = unwrap(node)
        if isinstance(inner, Tree) and inner.data in ("identifier", "keyword"):
            return token_text(inner)
        value, refs = self.evaluate(inner, env)
        references.extend(refs)
        return _template_text(value)

    def function_call(
        self, node: Tree[Token], env: dict[str, list[tuple[str, ...]]]
    ) -> tuple[object, list[Reference]]:
        """A function call: ``jsonencode`` of a known value is evaluated, the rest is unknown."""
        name = function_name(node)
        arguments_node = first_tree(node, "arguments")
        arguments = trees(arguments_node) if arguments_node is not None else []
        values: list[object] = []
        references: list[Reference] = []
        for argument in arguments:
            value, refs = self.evaluate(argument, env)
            values.append(value)
            references.extend(refs)
        if name == "nonsensitive":
            only = unwrap(arguments[0]) if len(arguments) == 1 else None
            shallow = isinstance(only, Tree) and (
                only.data in _TRAVERSALS or only.data == "identifier"
            )
            references = [
                Reference(ref.parts, ref.span, unmasked=True, shallow=shallow) for ref in references
            ]
        if name == "jsonencode" and len(values) == 1 and is_known(values[0]):
            return go_json(values[0]), references
        return self.unknown(node, f"result of {name}()"), references

    def unary(
        self, node: Tree[Token], env: dict[str, list[tuple[str, ...]]]
    ) -> tuple[object, list[Reference]]:
        """Negation of a known number and ``!`` of a known bool; anything else is unknown."""
        operator = next((str(c.value) for c in node.children if isinstance(c, Token)), "")
        operand = last_tree(node)
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
        span = self.source_map.span(node)
        if base is not None:
            references.extend(self.bind(base + tuple(suffix), span, env))
        return self.unknown(node, f"reference to {self.source_map.source(node)}"), references

    def flatten(
        self, node: Node, env: dict[str, list[tuple[str, ...]]]
    ) -> tuple[tuple[str, ...] | None, list[str], list[Reference]]:
        """Split a traversal into (root parts, attribute suffix, references found on the way).

        When the root is not a name (``values(ory_oauth2_client.x)[*].client_id``), the suffix is
        applied to the whole-object references found in the root, so that picking ``client_id``
        out of a whole resource does not count as exposing its secret.
        """
        node = unwrap(node)
        if isinstance(node, Tree) and node.data == "identifier":
            return (token_text(node),), [], []
        if not isinstance(node, Tree) or node.data not in _TRAVERSALS:
            _, references = self.evaluate(node, env)
            return None, [], references
        children = trees(node)
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
                            reference.parts + tuple(suffix),
                            reference.span,
                            reference.unmasked,
                            reference.shallow,
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
        """Attribute names of one accessor (``.x``, splats); references of index expressions."""
        names: list[str] = []
        references: list[Reference] = []
        if node.data == "get_attr":
            names.append(token_text(trees(node)[0]))
        elif node.data == "braces_index":
            references.extend(self.evaluate(trees(node)[0], env)[1])
        elif node.data in ("attr_splat", "full_splat"):
            for child in trees(node):
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
        intro = first_tree(node, "for_intro")
        if intro is None:
            return []
        names = [token_text(child) for child in trees(intro) if child.data == "identifier"]
        collection = [child for child in trees(intro) if child.data != "identifier"][-1]
        _, collection_refs = self.evaluate(collection, env)
        bases = [ref.parts for ref in collection_refs if is_whole_client(ref.parts)]
        references = [ref for ref in collection_refs if not is_whole_client(ref.parts)]
        inner_env = dict(env)
        if names:
            inner_env[names[-1]] = bases
            if len(names) == 2:
                inner_env[names[0]] = []
        for child in trees(node):
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

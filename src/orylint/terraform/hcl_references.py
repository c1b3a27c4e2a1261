"""The references of an HCL expression: what secret flow and the model follow.

Values are the evaluator's business (:mod:`orylint.terraform.evaluator`); this walk answers a
different question that needs no scope: which traversals an expression contains, with their
spans, so that rules can follow ``client_secret`` through locals, outputs and module calls.
Indexes are dropped from references (``ory_oauth2_client.x["a"].client_secret`` is
``("ory_oauth2_client", "x", "client_secret")``), ``for`` variables are bound to what they iterate
over, and references inside ``nonsensitive()`` are marked unmasked.

A heredoc is one token to the grammar; its interpolations are parsed on their own, so that
``secret=${ory_oauth2_client.x.client_secret}`` in a heredoc output is seen as in a quoted one.
"""

from __future__ import annotations

import re

from lark import Token, Tree

from orylint.terraform.evaluator import Evaluator, template_sequences
from orylint.terraform.functions import EvaluationError
from orylint.terraform.hcl_tree import (
    Node,
    SourceMap,
    end_offset,
    first_tree,
    function_name,
    last_tree,
    start_offset,
    token_text,
    trees,
    unwrap,
)
from orylint.terraform.provider_schema import is_whole_client
from orylint.terraform.values import Reference, Span, unmark

#: ``for`` variables bound to the whole-client references their collection holds.
Env = dict[str, list[tuple[str, ...]]]


class ReferenceCollector:
    """Collects the references of expressions of one file."""

    def __init__(self, source_map: SourceMap) -> None:
        self.source_map = source_map

    def references(self, node: Node) -> list[Reference]:
        """Every reference of an expression, in source order."""
        return self.collect(node, {})

    def members(self, node: Node) -> dict[str, list[Reference]] | None:
        """The references of each key of an object literal (None for anything else)."""
        node = unwrap(node)
        if not isinstance(node, Tree) or node.data != "object":
            return None
        result: dict[str, list[Reference]] = {}
        for element in trees(node):
            if element.data != "object_elem":
                continue
            key_node, value_node = trees(element)[0], trees(element)[-1]
            key = self.key(key_node)
            if key is None:
                return None  # a computed key: any member may hold anything
            result[key] = self.key_references(key_node) + self.collect(value_node, {})
        return result

    def key(self, node: Tree[Token]) -> str | None:
        """An object key as written, or None when it is known only at apply time."""
        try:
            key = Evaluator(self.source_map).object_key(node, _NO_BINDINGS)
        except (EvaluationError, RecursionError):
            return None
        plain, _ = unmark(key)
        return plain if isinstance(plain, str) else None

    def key_references(self, node: Tree[Token]) -> list[Reference]:
        """References in a computed key (``(local.prefix) = ...``); a bare name has none."""
        inner = unwrap(node)
        if isinstance(inner, Tree) and inner.data in ("identifier", "keyword"):
            return []
        return self.collect(inner, {})

    def collect(self, node: Node, env: Env) -> list[Reference]:
        """The references of an expression node."""
        if isinstance(node, Token):
            return []
        kind = node.data
        if kind in _TRAVERSALS or kind == "identifier":
            return self.traversal(node, env)
        if kind == "function_call":
            return self.function_call(node, env)
        if kind in ("for_tuple_expr", "for_object_expr"):
            return self.for_expression(node, env)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return self.heredoc(node, env)
        if kind == "object":
            references: list[Reference] = []
            for element in trees(node):
                if element.data == "object_elem":
                    key_node, value_node = trees(element)[0], trees(element)[-1]
                    references += self.key_references(key_node) + self.collect(value_node, env)
            return references
        references = []
        for child in trees(node):
            references.extend(self.collect(child, env))
        return references

    def heredoc(self, node: Tree[Token], env: Env) -> list[Reference]:
        """The references of a heredoc's interpolations and ``if``/``for`` directives.

        Each expression is parsed alone and its spans shifted to where it stands in the file,
        so a finding points into the heredoc exactly. A ``%{ for }`` directive binds its
        variables up to its ``%{ endfor }`` as a ``for`` expression does. An expression
        python-hcl2 cannot read adds nothing (the evaluator makes such a template Unknown).
        """
        start = start_offset(node)
        raw = self.source_map.text[start : end_offset(node)]
        offset = raw.find("\n") + 1  # the body starts after the "<<EOT" line
        references: list[Reference] = []
        scopes = [env]
        for opener, begin, end in template_sequences(raw[offset:]):
            if end is None:
                break  # not closed: Terraform rejects the heredoc
            text = raw[offset + begin : offset + end]
            lead = len(text) - len(text.lstrip("~ \t\r\n"))
            text = text[lead:].rstrip("~ \t\r\n")
            names: list[str] = []
            if opener == "%":
                directive = _DIRECTIVE.match(text)
                if directive is None:  # else, endif, endfor
                    if _ENDFOR.match(text) and len(scopes) > 1:
                        scopes.pop()
                    continue
                if directive.group("names") is not None:
                    names = re.findall(r"\w+", directive.group("names"))
                lead += directive.start("expression")
                text = directive.group("expression")
            found = self.expression_at(text, start + offset + begin + lead, scopes[-1])
            if names:
                bases = [ref.parts for ref in found if is_whole_client(ref.parts)]
                found = [ref for ref in found if not is_whole_client(ref.parts)]
                inner = dict(scopes[-1])
                inner[names[-1]] = bases
                if len(names) == 2:
                    inner[names[0]] = []
                scopes.append(inner)
            references.extend(found)
        return references

    def expression_at(self, text: str, offset: int, env: Env) -> list[Reference]:
        """The references of expression ``text``, which stands at ``offset`` in the file."""
        from orylint.terraform.hcl_parser import parse_tree  # the parser is heavy: load late

        try:
            tree = parse_tree(f"x = {text}\n")
        except Exception:  # not python-hcl2's to read: the evaluator says Unknown
            return []
        attribute = next(iter(tree.find_data("attribute")), None)
        if attribute is None:
            return []
        collector = ReferenceCollector(_ShiftedMap(self.source_map, offset - len("x = ")))
        return collector.collect(last_tree(attribute), env)

    def function_call(self, node: Tree[Token], env: Env) -> list[Reference]:
        """The arguments' references; inside ``nonsensitive()`` they are unmasked.

        ``nonsensitive(x)`` of a bare reference removes only the mark on that value
        (``shallow``); of a computed value (``jsonencode(...)``), the mark on the result.
        """
        arguments_node = first_tree(node, "arguments")
        arguments = trees(arguments_node) if arguments_node is not None else []
        references = [ref for argument in arguments for ref in self.collect(argument, env)]
        if function_name(node) == "nonsensitive":
            only = unwrap(arguments[0]) if len(arguments) == 1 else None
            shallow = isinstance(only, Tree) and (
                only.data in _TRAVERSALS or only.data == "identifier"
            )
            references = [
                Reference(ref.parts, ref.span, unmasked=True, shallow=shallow) for ref in references
            ]
        return references

    def traversal(self, node: Tree[Token], env: Env) -> list[Reference]:
        """Turn ``a.b[0].c`` into a reference; indexes are dropped, index expressions searched."""
        base, suffix, references = self.flatten(node, env)
        span = self.source_map.span(node)
        if base is not None:
            references.extend(self.bind(base + tuple(suffix), span, env))
        return references

    def flatten(
        self, node: Node, env: Env
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
            return None, [], self.collect(node, env)
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

    def accessor_names(self, node: Tree[Token], env: Env) -> tuple[list[str], list[Reference]]:
        """Attribute names of one accessor (``.x``, splats); references of index expressions."""
        names: list[str] = []
        references: list[Reference] = []
        if node.data == "get_attr":
            names.append(token_text(trees(node)[0]))
        elif node.data == "braces_index":
            references.extend(self.collect(trees(node)[0], env))
        elif node.data in ("attr_splat", "full_splat"):
            for child in trees(node):
                sub_names, sub_refs = self.accessor_names(child, env)
                names.extend(sub_names)
                references.extend(sub_refs)
        return names, references

    def bind(self, parts: tuple[str, ...], span: Span, env: Env) -> list[Reference]:
        """Resolve a for-expression variable to what it iterates over."""
        if parts[0] in env:
            return [Reference(base + parts[1:], span) for base in env[parts[0]]]
        return [Reference(parts, span)]

    def for_expression(self, node: Tree[Token], env: Env) -> list[Reference]:
        """Collect references of a for expression, binding its variables to the collection.

        Iterating over ``ory_oauth2_client.x`` exposes nothing by itself; the body decides:
        ``c.client_secret`` or ``c`` alone exposes the secret, ``c.client_id`` does not.
        """
        intro = first_tree(node, "for_intro")
        if intro is None:
            return []
        names = [token_text(child) for child in trees(intro) if child.data == "identifier"]
        collection = [child for child in trees(intro) if child.data != "identifier"][-1]
        collection_refs = self.collect(collection, env)
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
            references.extend(self.collect(child, inner_env))
        return references


class _ShiftedMap(SourceMap):
    """The file's source map, for nodes parsed from a piece of it that starts at ``shift``."""

    def __init__(self, base: SourceMap, shift: int) -> None:
        self.path = base.path
        self.text = base.text
        self.lines = base.lines
        self.shift = shift

    def span(self, node: Node) -> Span:
        return self.trimmed_span(start_offset(node) + self.shift, end_offset(node) + self.shift)

    def source(self, node: Node) -> str:
        start = start_offset(node) + self.shift
        return self.text[start : max(end_offset(node) + self.shift, start)].strip()


_DIRECTIVE = re.compile(
    r"(?:if\s+|for\s+(?P<names>\w+(?:\s*,\s*\w+)?)\s+in\s+)(?P<expression>.+)", re.DOTALL
)
_ENDFOR = re.compile(r"endfor\b")


_TRAVERSALS = frozenset(
    {"get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"}
)
_NO_BINDINGS = Evaluator.no_bindings()

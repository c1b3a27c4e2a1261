"""Evaluating HCL expressions as Terraform would before apply: values in a scope.

The loader evaluates every attribute once without a scope (references are unknown); module
evaluation evaluates client attributes again in the scope of one module instance, where
``var.``, ``local.``, ``each.``, ``count.index``, ``module.`` and ``path.`` have values. The
language is HCL's: templates with interpolations and ``%{ if }``/``%{ for }`` directives,
heredocs, conditionals, ``for`` expressions (list and object forms, ``if`` filters, grouping
``...``), splats, index and attribute access, arithmetic, comparison and logical operators,
function calls (the function library decides what is known) and ``try``/``can``.

Three outcomes are kept apart. A *value* is known. :class:`~orylint.terraform.values.Unknown`
is a value Terraform itself would only know at apply time (a resource attribute, a root variable
without a value): it propagates and never produces a finding. An :class:`EvaluationError` is what
Terraform would report as an error (an undeclared name, a missing attribute, a bad index, a
function failing): ``try``/``can`` observe it, and everywhere else it becomes an ``Unknown`` with
Terraform's reason, because orylint lints what Terraform would create, not Terraform's errors.
Sensitivity marks (:class:`~orylint.terraform.values.Sensitive`) travel with values the way
Terraform's do: operators and functions mark their whole result when an operand is marked, and
indexing a marked collection marks the element.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

from lark import Token, Tree

from orylint.terraform import functions
from orylint.terraform.functions import Context, EvaluationError
from orylint.terraform.hcl_tree import (
    Node,
    SourceMap,
    decode_escapes,
    function_name,
    last_tree,
    token_text,
    trees,
    unwrap,
)
from orylint.terraform.values import (
    Element,
    Sensitive,
    TfSet,
    Unknown,
    is_known,
    mark,
    unmark,
    unmark_deep,
)

_MAX_INT_DIGITS = 4000
"""Integer literals longer than this are unknown: Python converts at most 4,300 digits."""

#: Expressions nested deeper than this are unknown rather than a RecursionError.
MAX_DEPTH = 200
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


#: The reason of an unknown reference; the evaluator adds the reference's source text.
REFERENCE = "reference"


class Scope(Protocol):
    """What names and functions mean while evaluating one module instance."""

    def root(self, name: str) -> object:
        """The value of a root name (``var``, ``local``, ``each``, a resource type, …).

        Raises :class:`EvaluationError` for a name Terraform would not know.
        """

    def call(self, name: str, args: Sequence[object]) -> object:
        """Call a function on evaluated arguments (marks and unknowns included)."""


@dataclass
class Namespace:
    """A name whose attributes are looked up on demand (``var``, ``local``, ``module``, …).

    ``lookup`` returns the value of one attribute or raises :class:`EvaluationError`; lazy lookup
    lets locals refer to each other in any order and lets a cycle be detected where it closes.
    """

    name: str
    lookup: Callable[[str], object]

    def attribute(self, key: str) -> object:
        """The value of ``name.key``."""
        return self.lookup(key)


class NoScope:
    """The scope of a file read on its own: every reference is unknown, functions still run.

    This is what the loader uses, so a literal such as ``upper("a")`` or ``"a" == "a"`` is known
    even before a module instance gives ``var.`` values.
    """

    def root(self, name: str) -> object:
        """Every reference is unknown here (the caller names the whole reference)."""
        return Unknown(REFERENCE)

    def call(self, name: str, args: Sequence[object]) -> object:
        """Functions run as in any scope; files are not read (no module directory is known)."""
        return functions.call_strict(name, args, Context())


@dataclass
class _Bindings:
    """Names bound by ``for`` expressions and template ``for`` directives."""

    values: dict[str, object] = field(default_factory=dict)

    def with_(self, **names: object) -> _Bindings:
        return _Bindings({**self.values, **names})


class Evaluator:
    """Evaluates expression nodes of one file in one scope."""

    def __init__(self, source_map: SourceMap, scope: Scope | None = None) -> None:
        self.source_map = source_map
        self.scope: Scope = scope if scope is not None else NoScope()
        self.depth = 0

    # --- entry points -----------------------------------------------------------------------

    @staticmethod
    def no_bindings() -> _Bindings:
        """Bindings with no ``for`` variables, for callers outside an expression."""
        return _Bindings()

    def value(self, node: Node) -> object:
        """The value of an expression; Terraform errors become :class:`Unknown`."""
        try:
            result = self.evaluate(node, _Bindings())
            if isinstance(result, Unknown):  # quoted in messages and fixes as written
                return Unknown(result.reason, self.source_map.source(node))
            return result
        except EvaluationError as error:
            return Unknown(f"Terraform would fail here: {error}", self.source_map.source(node))
        except RecursionError:
            return Unknown("expression nested too deeply", self.source_map.source(node))

    def evaluate(self, node: Node, bound: _Bindings) -> object:
        """The value of an expression, raising :class:`EvaluationError` as Terraform would fail."""
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                return Unknown("expression nested too deeply", self.source_map.source(node))
            return self._evaluate(node, bound)
        finally:
            self.depth -= 1

    # --- dispatch -----------------------------------------------------------------------------

    def _evaluate(self, node: Node, bound: _Bindings) -> object:
        if isinstance(node, Token):
            return Unknown("unsupported expression", str(node.value))
        kind = node.data
        if kind in ("expr_term", "object_elem_key"):
            inner = trees(node)
            if len(inner) == 1:
                return self.evaluate(inner[0], bound)
            return Unknown("unsupported expression", self.source_map.source(node))
        handler = _HANDLERS.get(kind)
        if handler is not None:
            return handler(self, node, bound)
        return Unknown("unsupported expression", self.source_map.source(node))

    # --- literals -----------------------------------------------------------------------------

    def _int(self, node: Tree[Token], bound: _Bindings) -> object:
        text = token_text(node)
        if len(text) > _MAX_INT_DIGITS:  # Terraform reads it (a big.Float); Python's int() refuses
            return Unknown("a number too large for orylint to evaluate", text[:20] + "...")
        return int(text)

    def _float(self, node: Tree[Token], bound: _Bindings) -> object:
        return number(Fraction(token_text(node)))

    def _literal(self, node: Tree[Token], bound: _Bindings) -> object:
        return {"true": True, "false": False}.get(token_text(node))

    def _tuple(self, node: Tree[Token], bound: _Bindings) -> object:
        return [self.evaluate(item, bound) for item in trees(node)]

    def _object(self, node: Tree[Token], bound: _Bindings) -> object:
        result: dict[str, object] = {}
        marked = False
        for element in trees(node):
            if element.data != "object_elem":
                continue
            key_node, value_node = trees(element)[0], trees(element)[-1]
            key = self.object_key(key_node, bound)
            if isinstance(key, Unknown):
                return Unknown("object with a key known only at apply time", key.text)
            key, key_marked = unmark(key)
            marked = marked or key_marked
            assert isinstance(key, str)
            result[key] = self.evaluate(value_node, bound)
        return mark(result, marked)

    def object_key(self, node: Tree[Token], bound: _Bindings) -> object:
        """An object key: a bare name is itself, anything else is an expression to a string."""
        inner = unwrap(node)
        if isinstance(inner, Tree) and inner.data in ("identifier", "keyword"):
            return token_text(inner)
        key = self.evaluate(inner, bound)
        plain, marked = unmark(key)
        if isinstance(plain, Unknown):
            return plain
        text = template_text(plain)
        if text is None:
            raise EvaluationError("object keys must be strings")
        return mark(text, marked)

    # --- strings, templates and heredocs ------------------------------------------------------

    def _string(self, node: Tree[Token], bound: _Bindings) -> object:
        return self.template([part for part in trees(node)], bound)

    def _heredoc(self, node: Tree[Token], bound: _Bindings) -> object:
        raw = token_text(node)
        lines = raw.split("\n")
        body = lines[1:-2] if len(lines) >= 3 else []
        if node.data == "heredoc_template_trim":
            indents = [len(line) - len(line.lstrip(" \t")) for line in body if line.strip()]
            cut = min(indents, default=0)
            body = [line[cut:] for line in body]
        text = "".join(line.rstrip("\r") + "\n" for line in body)
        if "${" not in text and "%{" not in text:
            return text
        return self.template_source(text, bound)

    def template_source(self, text: str, bound: _Bindings) -> object:
        """Evaluate template text (a heredoc body, a ``.tf.json`` string, a template file)."""
        from orylint.terraform.hcl_parser import parse_tree  # the parser is heavy: load late

        escaped = quote_template(text)
        if escaped is None:
            return Unknown("template that orylint cannot parse", text)
        try:
            tree = parse_tree(f'x = "{escaped}"\n')
        except Exception:  # a template python-hcl2 cannot read: not Terraform's error
            return Unknown("template that orylint cannot parse", text)
        attribute = next(iter(tree.find_data("attribute")), None)
        if attribute is None:
            return Unknown("template that orylint cannot parse", text)
        inner = Evaluator(SourceMap(self.source_map.path, f'x = "{escaped}"\n'), self.scope)
        inner.depth = self.depth
        return inner.evaluate(last_tree(attribute), bound)

    def template(self, parts: list[Tree[Token]], bound: _Bindings) -> object:
        """A template: literal parts, interpolations and ``%{ if }`` / ``%{ for }`` directives."""
        items = _apply_strip_markers(list(_template_items(parts)))
        if len(items) == 1 and items[0].kind == "interpolation":
            # "${x}" alone is x itself, not its string form (HCL's template wrap)
            return self.evaluate(_node(items[0]), bound)
        pieces, marked = self._render(items, bound)
        if any(isinstance(piece, Unknown) for piece in pieces):
            unknown = next(piece for piece in pieces if isinstance(piece, Unknown))
            return Unknown("string template with values known only at apply time", unknown.text)
        return mark("".join(str(piece) for piece in pieces), marked)

    def _render(self, items: list[_TemplateItem], bound: _Bindings) -> tuple[list[object], bool]:
        pieces: list[object] = []
        marked = False
        index = 0
        while index < len(items):
            item = items[index]
            if item.kind == "text":
                pieces.append(item.text)
            elif item.kind == "interpolation":
                assert item.node is not None
                value, is_marked = unmark_deep(self.evaluate(item.node, bound))
                marked = marked or is_marked
                if isinstance(value, Unknown) or not is_known(value):
                    pieces.append(Unknown("interpolation", self.source_map.source(item.node)))
                else:
                    text = template_text(value)
                    if text is None:
                        raise EvaluationError(
                            "Invalid template interpolation value: "
                            + ("null" if value is None else "not a string, number or bool")
                        )
                    pieces.append(text)
            elif item.kind == "if":
                end = _matching(items, index, "if", "endif")
                middle = _else(items, index, end)
                condition, is_marked = unmark(self.evaluate(_node(item), bound))
                marked = marked or is_marked
                if isinstance(condition, Unknown):
                    pieces.append(
                        Unknown("template condition", self.source_map.source(_node(item)))
                    )
                else:
                    truth = to_bool(condition)
                    chosen = (
                        items[index + 1 : middle if middle is not None else end]
                        if truth
                        else (items[middle + 1 : end] if middle is not None else [])
                    )
                    inner, inner_marked = self._render(chosen, bound)
                    pieces.extend(inner)
                    marked = marked or inner_marked
                index = end
            elif item.kind == "for":
                end = _matching(items, index, "for", "endfor")
                body = items[index + 1 : end]
                collection, is_marked = unmark(self.evaluate(_node(item), bound))
                marked = marked or is_marked
                if isinstance(collection, Unknown):
                    pieces.append(Unknown("template loop", self.source_map.source(_node(item))))
                else:
                    for key, value in iterate(collection):
                        names = item.names
                        scope = (
                            bound.with_(**{names[0]: key, names[1]: value})
                            if len(names) == 2
                            else bound.with_(**{names[0]: value})
                        )
                        inner, inner_marked = self._render(body, scope)
                        pieces.extend(inner)
                        marked = marked or inner_marked
                index = end
            index += 1
        return pieces, marked

    # --- operators ------------------------------------------------------------------------------

    def _unary(self, node: Tree[Token], bound: _Bindings) -> object:
        operator = next((str(c.value) for c in node.children if isinstance(c, Token)), "")
        value, marked = unmark_deep(self.evaluate(last_tree(node), bound))
        if isinstance(value, Unknown):
            return value
        if operator == "-":
            return mark(number(-as_fraction(value)), marked)
        return mark(not to_bool(value), marked)

    def _binary(self, node: Tree[Token], bound: _Bindings) -> object:
        left_node, term = trees(node)[0], trees(node)[-1]
        operator_node, right_node = trees(term)[0], trees(term)[-1]
        operator = token_text(operator_node)
        left, left_marked = unmark_deep(self.evaluate(left_node, bound))
        right, right_marked = unmark_deep(self.evaluate(right_node, bound))
        marked = left_marked or right_marked
        if operator in ("==", "!="):
            if not is_known(left) or not is_known(right):
                return Unknown("comparison with a value known only at apply time", "")
            if isinstance(left, list | dict) or isinstance(right, list | dict):
                # Terraform compares types too (a list is never equal to a tuple), and orylint's
                # values do not keep collection types: not decidable here
                return Unknown("comparison of collections whose types orylint does not track", "")
            equal = terraform_equal(left, right)
            return mark(equal if operator == "==" else not equal, marked)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return Unknown("operation on a value known only at apply time", "")
        if operator in ("&&", "||"):
            a, b = to_bool(left), to_bool(right)
            return mark(a and b if operator == "&&" else a or b, marked)
        x, y = as_fraction(left), as_fraction(right)
        if operator in ("<", ">", "<=", ">="):
            result = {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[operator]
            return mark(result, marked)
        if operator == "+":
            return mark(number(x + y), marked)
        if operator == "-":
            return mark(number(x - y), marked)
        if operator == "*":
            return mark(number(x * y), marked)
        if y == 0:
            if operator == "/":
                raise EvaluationError("Division by zero")
            raise EvaluationError("Integer division by zero")
        if operator == "/":
            return mark(number(x / y), marked)
        # Terraform's % keeps the sign of the dividend (Go's Rem / math.Mod)
        quotient = x / y
        truncated = quotient.numerator // quotient.denominator
        if quotient < 0 and truncated != quotient:
            truncated += 1
        return mark(number(x - y * truncated), marked)

    def _conditional(self, node: Tree[Token], bound: _Bindings) -> object:
        condition_node, true_node, false_node = trees(node)[0], trees(node)[-2], trees(node)[-1]
        condition, marked = unmark(self.evaluate(condition_node, bound))
        if isinstance(condition, Unknown):
            return Unknown("condition known only at apply time", self.source_map.source(node))
        chosen = true_node if to_bool(condition) else false_node
        return mark(self.evaluate(chosen, bound), marked)

    # --- functions ------------------------------------------------------------------------------

    def _function_call(self, node: Tree[Token], bound: _Bindings) -> object:
        name = function_name(node)
        arguments_node = next((c for c in trees(node) if c.data == "arguments"), None)
        arguments = trees(arguments_node) if arguments_node is not None else []
        expand = arguments_node is not None and any(
            isinstance(c, Token) and c.type == "ELLIPSIS" for c in arguments_node.children
        )
        if name == "try":
            return self._try(arguments, bound)
        if name == "can":
            return self._can(arguments, bound)
        values = [self.evaluate(argument, bound) for argument in arguments]
        if expand and values:
            last, marked = unmark(values[-1])
            if isinstance(last, Unknown):
                return Unknown(f"result of {name}()", self.source_map.source(node))
            if not isinstance(last, list):
                raise EvaluationError("the final argument of an expanded call must be a list")
            values = values[:-1] + [mark(item, marked) for item in last]
        result = self.scope.call(name, values)
        if isinstance(result, Unknown) and not result.text:
            return Unknown(result.reason, self.source_map.source(node))
        return result

    def _try(self, arguments: list[Tree[Token]], bound: _Bindings) -> object:
        errors = []
        for argument in arguments:
            try:
                value = self.evaluate(argument, bound)
            except EvaluationError as error:
                errors.append(str(error))
                continue
            if isinstance(value, Unknown):
                return value
            return value
        raise EvaluationError(
            "no expression in try() could be evaluated: " + "; ".join(errors)
            if errors
            else "try() needs at least one argument"
        )

    def _can(self, arguments: list[Tree[Token]], bound: _Bindings) -> object:
        if len(arguments) != 1:
            raise EvaluationError("can() takes exactly one argument")
        try:
            value = self.evaluate(arguments[0], bound)
        except EvaluationError:
            return False
        if isinstance(value, Unknown):
            return value
        return True

    # --- references, indexes and splats -------------------------------------------------------

    def _identifier(self, node: Tree[Token], bound: _Bindings) -> object:
        name = token_text(node)
        if name in bound.values:
            return bound.values[name]
        return self._named(_whole(self.scope.root(name)), node)

    def _named(self, value: object, node: Node) -> object:
        """An unknown reference says which reference it is, in the source's words."""
        if isinstance(value, Unknown) and not value.text:
            source = self.source_map.source(node)
            reason = f"reference to {source}" if value.reason == REFERENCE else value.reason
            return Unknown(reason, source)
        return value

    def _traversal(self, node: Tree[Token], bound: _Bindings) -> object:
        return self._named(_whole(self._reference(node, bound)), node)

    def _reference(self, node: Node, bound: _Bindings) -> object:
        """A traversal's value, which may still be a namespace (``var``, a resource object)."""
        node = unwrap(node)
        if isinstance(node, Tree) and node.data == "identifier":
            name = token_text(node)  # the root of a reference: var, local, a resource type
            return bound.values[name] if name in bound.values else self.scope.root(name)
        if not isinstance(node, Tree) or node.data not in _TRAVERSALS:
            return self.evaluate(node, bound)
        children = trees(node)
        base = self._reference(children[0], bound)
        if isinstance(base, Unknown) and base.reason.startswith("reference to "):
            base = Unknown(REFERENCE)  # name the whole traversal, not only its root
        for accessor in children[1:]:
            base = self.access(base, accessor, bound)
        return base

    def access(self, value: object, accessor: Tree[Token], bound: _Bindings) -> object:
        """Apply one accessor (``.name``, ``[index]``, ``.*``, ``[*]``) to a value."""
        kind = accessor.data
        if kind in ("attr_splat", "full_splat"):
            return self.splat(_whole(value), trees(accessor), bound)
        if kind == "get_attr":
            return get_attribute(value, token_text(trees(accessor)[0]))
        if kind == "short_index":
            return get_index(value, int(str(accessor.children[-1])))  # DOT, INT_LITERAL
        if kind == "braces_index":
            key, key_marked = unmark(self.evaluate(trees(accessor)[0], bound))
            return mark(get_index(value, key), key_marked)
        return Unknown("unsupported accessor", self.source_map.source(accessor))

    def splat(self, value: object, accessors: list[Tree[Token]], bound: _Bindings) -> object:
        """``x[*].a``: the accessors applied to each element; a single value acts as a list."""
        plain, marked = unmark(value)
        if isinstance(plain, Unknown):
            return plain
        if plain is None:
            return mark([], marked)
        items = plain if isinstance(plain, list) else [plain]
        result = []
        for item in items:
            element = item
            for accessor in accessors:
                element = self.access(element, accessor, bound)
            result.append(element)
        return mark(result, marked)

    # --- for expressions ----------------------------------------------------------------------

    def _for(self, node: Tree[Token], bound: _Bindings) -> object:
        intro = next(c for c in trees(node) if c.data == "for_intro")
        names = [token_text(child) for child in trees(intro) if child.data == "identifier"]
        collection_node = [child for child in trees(intro) if child.data != "identifier"][-1]
        rest = [child for child in trees(node) if child.data != "for_intro"]
        condition = next((c for c in rest if c.data == "for_cond"), None)
        bodies = [c for c in rest if c.data != "for_cond"]
        grouping = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children)
        collection, marked = unmark(self.evaluate(collection_node, bound))
        if isinstance(collection, Unknown):
            return Unknown("for expression over a value known only at apply time", "")
        tuple_result: list[object] = []
        object_result: dict[str, object] = {}
        for key, item in iterate(collection):
            scope = (
                bound.with_(**{names[0]: key, names[1]: item})
                if len(names) == 2
                else bound.with_(**{names[0]: item})
            )
            if condition is not None:
                keep, keep_marked = unmark(self.evaluate(trees(condition)[-1], scope))
                if isinstance(keep, Unknown):
                    return Unknown("for expression filter known only at apply time", "")
                marked = marked or keep_marked
                if not to_bool(keep):
                    continue
            if node.data == "for_tuple_expr":
                tuple_result.append(self.evaluate(bodies[0], scope))
                continue
            result_key, key_marked = unmark(self.evaluate(bodies[0], scope))
            if isinstance(result_key, Unknown):
                return Unknown("for expression key known only at apply time", "")
            marked = marked or key_marked
            text = template_text(result_key)
            if text is None:
                raise EvaluationError("for expression keys must be strings")
            value = self.evaluate(bodies[1], scope)
            if grouping:
                group = object_result.setdefault(text, [])
                assert isinstance(group, list)
                group.append(value)
            elif text in object_result:
                raise EvaluationError(
                    f'Duplicate object key "{text}"; use "..." after the value to group'
                )
            else:
                object_result[text] = value
        if node.data == "for_tuple_expr":
            return mark(tuple_result, marked)
        return mark(object_result, marked)


_TRAVERSALS = frozenset(
    {"get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"}
)
_Handler = Callable[[Evaluator, Tree[Token], _Bindings], object]
_HANDLERS: Mapping[str, _Handler] = {
    "int_lit": Evaluator._int,
    "float_lit": Evaluator._float,
    "literal_value": Evaluator._literal,
    "string": Evaluator._string,
    "heredoc_template": Evaluator._heredoc,
    "heredoc_template_trim": Evaluator._heredoc,
    "tuple": Evaluator._tuple,
    "object": Evaluator._object,
    "unary_op": Evaluator._unary,
    "binary_op": Evaluator._binary,
    "conditional": Evaluator._conditional,
    "function_call": Evaluator._function_call,
    "identifier": Evaluator._identifier,
    "get_attr_expr_term": Evaluator._traversal,
    "index_expr_term": Evaluator._traversal,
    "attr_splat_expr_term": Evaluator._traversal,
    "full_splat_expr_term": Evaluator._traversal,
    "for_tuple_expr": Evaluator._for,
    "for_object_expr": Evaluator._for,
}


# --- templates --------------------------------------------------------------------------------


@dataclass
class _TemplateItem:
    """One flat part of a template: text, an interpolation or a directive."""

    kind: str  # text, interpolation, if, else, endif, for, endfor
    text: str = ""
    node: Tree[Token] | None = None
    names: tuple[str, ...] = ()
    strip_before: bool = False
    strip_after: bool = False


def _template_items(parts: list[Tree[Token]]) -> Iterator[_TemplateItem]:
    for part in parts:
        for child in part.children:
            if isinstance(child, Token):
                if child.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    yield _TemplateItem("text", str(child.value)[1:])
                else:
                    yield _TemplateItem("text", decode_escapes(str(child.value)))
                continue
            strip_before = _is_strip_marker(child.children[1:2])
            strip_after = len(child.children) > 2 and _is_strip_marker(child.children[-2:-1])
            if child.data == "interpolation":  # strip markers only where tree-sitter read it
                yield _TemplateItem(
                    "interpolation",
                    node=last_tree(child),
                    strip_before=strip_before,
                    strip_after=strip_after,
                )
            elif child.data == "template_if_start":
                expression = [c for c in trees(child)][-1]
                yield _TemplateItem(
                    "if", node=expression, strip_before=strip_before, strip_after=strip_after
                )
            elif child.data == "template_for_start":
                names = tuple(token_text(c) for c in trees(child) if c.data == "identifier")
                expression = [c for c in trees(child) if c.data != "identifier"][-1]
                yield _TemplateItem(
                    "for",
                    node=expression,
                    names=names,
                    strip_before=strip_before,
                    strip_after=strip_after,
                )
            else:
                kind = child.data.removeprefix("template_")
                yield _TemplateItem(kind, strip_before=strip_before, strip_after=strip_after)


def _is_strip_marker(nodes: list[Node]) -> bool:
    """Whether the one node in ``nodes`` is a ``~`` next to a template sequence's brace."""
    return bool(nodes) and isinstance(nodes[0], Token) and nodes[0].type == "STRIP_MARKER"


def _node(item: _TemplateItem) -> Tree[Token]:
    assert item.node is not None
    return item.node


def _matching(items: list[_TemplateItem], start: int, opening: str, closing: str) -> int:
    """The index of the directive that closes the one at ``start``."""
    depth = 0
    for index in range(start + 1, len(items)):
        kind = items[index].kind
        if kind == opening:
            depth += 1
        elif kind == closing:
            if depth == 0:
                return index
            depth -= 1
    raise EvaluationError(f"template %{{ {opening} }} without %{{ {closing} }}")


def _else(items: list[_TemplateItem], start: int, end: int) -> int | None:
    """The index of the ``%{ else }`` of the ``%{ if }`` at ``start``, if it has one."""
    depth = 0
    for index in range(start + 1, end):
        kind = items[index].kind
        if kind == "if":
            depth += 1
        elif kind == "endif":
            depth -= 1
        elif kind == "else" and depth == 0:
            return index
    return None


def _apply_strip_markers(items: list[_TemplateItem]) -> list[_TemplateItem]:
    """``%{~ if x ~}``: a ``~`` removes the white space on its side of the directive."""
    result = list(items)
    for index, item in enumerate(result):
        if item.strip_before and index > 0 and result[index - 1].kind == "text":
            previous = result[index - 1]
            result[index - 1] = _TemplateItem("text", previous.text.rstrip(" \t\r\n"))
        if item.strip_after and index + 1 < len(result) and result[index + 1].kind == "text":
            following = result[index + 1]
            result[index + 1] = _TemplateItem("text", following.text.lstrip(" \t\r\n"))
    return result


# --- value helpers shared with the function library -------------------------------------------


def _whole(value: object) -> object:
    """A namespace taken whole (``var``, ``ory_project_config.main``) is no value of its own."""
    if isinstance(value, Namespace):
        return Unknown(f"the whole {value.name} object is known only at apply time")
    return value


def number(value: Fraction | int | float) -> int | float:
    """A Terraform number as orylint keeps it: ``int`` when integral, else the nearest float."""
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        return value
    if isinstance(value, int):
        return value
    if value.denominator == 1:
        return value.numerator
    return float(value)


def as_fraction(value: object) -> Fraction:
    """A number operand: numbers, and strings Terraform converts (``"5"``); else an error."""
    if isinstance(value, bool):
        raise EvaluationError("a bool is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EvaluationError("not a finite number")
        return Fraction(str(value))
    if isinstance(value, str):
        if _NUMBER.fullmatch(value):
            return Fraction(value)
        raise EvaluationError(f'a number is required, got "{value}"')
    raise EvaluationError("a number is required")


def to_bool(value: object) -> bool:
    """A bool operand: bools, and the strings ``"true"``/``"false"`` Terraform converts."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    if value is None:
        raise EvaluationError("a null value cannot be used as a condition")
    raise EvaluationError("a bool is required")


def template_text(value: object) -> str | None:
    """A primitive as Terraform writes it into a string; ``None`` for anything else."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


def terraform_equal(left: object, right: object) -> bool:
    """``==`` as Terraform compares: types matter (``1 != "1"``), collections deeply."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return Fraction(str(left)) == Fraction(str(right))
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            terraform_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(
            terraform_equal(left[key], right[key]) for key in left
        )
    return type(left) is type(right) and left == right


def iterate(collection: object) -> Iterator[tuple[object, object]]:
    """(key, value) pairs as ``for`` sees them: lists by index, maps in key order."""
    if isinstance(collection, TfSet):  # a set: the element is its own key
        yield from ((item, item) for item in collection)
    elif isinstance(collection, list):
        yield from enumerate(collection)
    elif isinstance(collection, dict):
        for key in sorted(collection):
            yield key, collection[key]
    elif collection is None:
        raise EvaluationError("cannot iterate over a null value")
    else:
        raise EvaluationError("a for expression needs a list, set, map or object")


def get_attribute(value: object, name: str) -> object:
    """``value.name``: a namespace's member, an object's attribute or a map's element."""
    if isinstance(value, Sensitive):
        return mark(get_attribute(value.value, name))
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Namespace):
        return value.attribute(name)
    if isinstance(value, dict):
        if name not in value:
            raise EvaluationError(f'This object does not have an attribute named "{name}"')
        return value[name]
    if value is None:
        raise EvaluationError("Attempt to get attribute from null value")
    raise EvaluationError(f'Unsupported attribute "{name}"')


def get_index(value: object, key: object) -> object:
    """``value[key]``: list elements by number, map elements by string."""
    if isinstance(value, Sensitive):
        return mark(get_index(value.value, key))
    if isinstance(value, Unknown) or isinstance(key, Unknown):
        return value if isinstance(value, Unknown) else key
    if isinstance(value, Namespace):
        if not isinstance(key, str):
            raise EvaluationError("a namespace is indexed by name")
        return value.attribute(key)
    if isinstance(value, dict):
        text = template_text(key)
        if text is None or text not in value:
            raise EvaluationError(f"The given key does not identify an element: {key!r}")
        return value[text]
    if isinstance(value, list):
        position = as_fraction(key)
        if position.denominator != 1:
            raise EvaluationError("a list index must be a whole number")
        index = position.numerator
        if not 0 <= index < len(value):
            raise EvaluationError("The given key does not identify an element in this collection")
        return value[index]
    if value is None:
        raise EvaluationError("Attempt to index null value")
    raise EvaluationError("This value does not have any indices")


#: A lark node packed into a flat list of integers and its names, in preorder: a tree is
#: ``2 * name, child count``, a token ``2 * name + 1, start, end`` (its text is the source
#: between the offsets). A list of small integers crosses a process boundary many times faster
#: than lark's objects, and most expressions are never evaluated again after loading.
Packed = tuple[tuple[str, ...], list[int]]


def _pack(node: Node) -> Packed:
    names: dict[str, int] = {}
    codes: list[int] = []
    stack: list[Node] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Token):
            start = item.start_pos or 0
            index = names.setdefault(item.type, len(names))
            codes += (2 * index + 1, start, start + len(item))
        else:
            index = names.setdefault(str(item.data), len(names))
            codes += (2 * index, len(item.children))
            stack.extend(reversed(item.children))
    return tuple(names), codes


def _unpack(packed: Packed, text: str) -> Node:
    names, codes = packed
    position = 0

    def build() -> Node:
        nonlocal position
        code = codes[position]
        if code % 2:
            start, end = codes[position + 1], codes[position + 2]
            position += 3
            return Token(names[code // 2], text[start:end], start_pos=start, end_pos=end)
        count = codes[position + 1]
        position += 2
        return Tree(names[code // 2], [build() for _ in range(count)])

    return build()


class HclExpression:
    """An expression of a ``.tf`` file, kept to be evaluated in any module instance's scope.

    When a file is parsed in a worker process, the expression travels packed and is unpacked
    only if it is evaluated again (:meth:`__reduce__`).
    """

    __slots__ = ("_node", "_packed", "source_map")

    def __init__(
        self, source_map: SourceMap, node: Node | None = None, packed: Packed | None = None
    ) -> None:
        self.source_map = source_map
        self._node = node
        self._packed = packed

    def __reduce__(self) -> tuple[object, ...]:
        try:
            packed: Packed | None = _pack(self.node) if self.node is not None else None
        except RecursionError:  # nested too deeply to pack: unknown after the boundary
            packed = None
        return (HclExpression, (self.source_map, None, packed))

    @property
    def node(self) -> Node | None:
        """The lark node (unpacked on first use)."""
        if self._node is None and self._packed is not None:
            try:
                self._node = _unpack(self._packed, self.source_map.text)
            except RecursionError:
                self._node = None
            self._packed = None
        return self._node

    @property
    def syntax(self) -> object:
        """The lark node, for what Terraform reads as syntax (a ``type`` constraint)."""
        return self.node

    def value(self, scope: Scope | None = None) -> object:
        """The value in ``scope``; Terraform errors become unknowns."""
        node = self.node
        if node is None:
            return Unknown("expression nested too deeply")
        return Evaluator(self.source_map, scope).value(node)

    def elements(self, scope: Scope | None = None) -> tuple[Element, ...] | None:
        """Each element of a list literal with its own span, evaluated in ``scope``."""
        node = unwrap(self.node) if self.node is not None else None
        if not isinstance(node, Tree) or node.data != "tuple":
            return None
        evaluator = Evaluator(self.source_map, scope)
        return tuple(
            Element(index, evaluator.value(item), self.source_map.span(item))
            for index, item in enumerate(trees(node))
        )


def evaluate_template(path: str, text: str, scope: Scope | None = None) -> object:
    """The value of template text written outside HCL (a ``.tf.json`` string, a template file)."""
    evaluator = Evaluator(SourceMap(path, text), scope)
    try:
        result = evaluator.template_source(text, _Bindings())
    except EvaluationError as error:
        return Unknown(f"Terraform would fail here: {error}", text)
    except RecursionError:
        return Unknown("expression nested too deeply", text)
    if isinstance(result, Unknown):
        return Unknown(result.reason, text)
    return result


class TemplateScope:
    """The scope of ``templatefile()``: only the variables it is given, and the functions."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def root(self, name: str) -> object:
        """A name the template was not given: Terraform refuses the template."""
        raise EvaluationError(f'the template refers to "{name}", which it was not given')

    def call(self, name: str, args: Sequence[object]) -> object:
        """Functions, reading files relative to the same directory."""
        return functions.call_strict(name, args, self.context)


def render_template_file(
    path: str, text: str, variables: Mapping[str, object], context: Context
) -> object:
    """``templatefile(path, vars)``: the template text evaluated with ``vars`` as its names."""
    evaluator = Evaluator(SourceMap(path, text), TemplateScope(context))
    return evaluator.template_source(text, _Bindings(dict(variables)))


_LITERAL_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quote_template(text: str) -> str | None:
    """Template text as the body of a quoted HCL string, to parse it with the HCL grammar.

    Only the literal parts are escaped: ``${ ... }`` and ``%{ ... }`` sequences are kept as
    written, since their expressions may hold quoted strings of their own
    (``${join(",", var.x)}``). None when a sequence is not closed.
    """
    out: list[str] = []
    index = 0
    for _, start, end in template_sequences(text):
        if end is None:
            return None
        out.append(_escape_literal(text[index : start - 2]))
        out.append(text[start - 2 : end + 1])
        index = end + 1
    out.append(_escape_literal(text[index:]))
    return "".join(out)


def _escape_literal(text: str) -> str:
    return "".join(_LITERAL_ESCAPES.get(char, char) for char in text)


def template_sequences(text: str) -> Iterator[tuple[str, int, int | None]]:
    """The ``${ ... }`` and ``%{ ... }`` sequences of template text: (opener, start, end).

    ``start`` and ``end`` delimit what is between the braces; escaped openers (``$${``,
    ``%%{``) are literal text. A sequence that is not closed (Terraform rejects it) comes last,
    with ``end`` None.
    """
    index = 0
    while index < len(text):
        if text.startswith(("$${", "%%{"), index):
            index += 3
        elif text.startswith(("${", "%{"), index):
            end = _closing_brace(text, index + 2)
            yield text[index], index + 2, end
            if end is None:
                return
            index = end + 1
        else:
            index += 1


def _closing_brace(text: str, index: int) -> int | None:
    """The index of the brace that closes a sequence opened before ``index``."""
    depth = 1
    while index < len(text):
        char = text[index]
        if char == '"':
            after = _end_of_string(text, index + 1)
            if after is None:
                return None
            index = after
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def _end_of_string(text: str, index: int) -> int | None:
    """The index after the quote that ends a string starting at ``index`` (templates inside)."""
    while index < len(text):
        if text[index] == "\\":
            index += 2
        elif text[index] == '"':
            return index + 1
        elif text.startswith(("${", "%{"), index):
            end = _closing_brace(text, index + 2)
            if end is None:
                return None
            index = end + 1
        else:
            index += 1
    return None

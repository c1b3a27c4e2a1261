"""Terraform type constraints and cty's value conversion, for variables before apply.

A ``variable`` block's ``type`` (``list(string)``, ``object({ a = optional(number, 5) })``…) is
a *type constraint*: a value given for the variable is converted to it exactly as Terraform does
before any expression sees it, so ``"true"`` given for a ``bool`` is ``True`` and ``5`` given for
a ``string`` is ``"5"``. Getting this wrong would make rules check values Terraform never uses.

Two Go packages are ported here, as pinned by Terraform 1.11:

- ``hashicorp/hcl`` ``ext/typeexpr``: ``get_type.go`` (parsing a type expression, ``optional()``
  attributes with defaults) and ``defaults.go`` (``Defaults.Apply``: filling optional
  attributes, deeply, *before* conversion);
- ``zclconf/go-cty`` ``cty/convert``: ``conversion*.go``, ``unify.go``, ``compare_types.go``,
  ``sort_types.go`` and ``mismatch_msg.go`` (the error messages).

orylint's values carry no cty type (a ``list`` is a list, tuple or set; a ``dict`` a map or
object), so conversion works on *typed pairs* internally: an input value's type is the one its
literal has in HCL or JSON (:func:`type_of`: ``[...]`` is a tuple, ``{...}`` an object, ``null``
of dynamic type), which is exactly how Terraform sees the values of ``.tfvars`` files, ``-var``
arguments and ``default`` expressions. Conversions then track the types of their results so that
``list(any)`` unifies its elements as cty does (``[1, "a"]`` becomes ``["1", "a"]``).

Unknown stays unknown (of the target type), ``null`` stays ``null`` (Terraform decides later
whether a ``null`` is acceptable), and sensitivity marks stay where they are: cty unmarks a value,
converts it and puts the marks back on the result. A set built from elements that are not all
known is unknown as a whole here, since neither its length nor its order can be known.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from lark import Token, Tree

from orylint.terraform.evaluator import Evaluator
from orylint.terraform.hcl_references import ReferenceCollector
from orylint.terraform.hcl_tree import (
    Node,
    SourceMap,
    first_tree,
    function_name,
    token_text,
    trees,
    unwrap,
)
from orylint.terraform.values import Sensitive, TfSet, Unknown, is_known, mark, unmark_deep

# --- types --------------------------------------------------------------------------------------


class Type:
    """A cty type: the primitives, ``any`` (dynamic), collections and structural types."""

    def friendly_name(self, constraint: bool = False) -> str:
        """How cty names the type in messages (``constraint``: as a type constraint)."""
        if isinstance(self, Primitive):
            return self.name
        if isinstance(self, Dynamic):
            return "any type" if constraint else "dynamic"
        if isinstance(self, Collection):
            if constraint and isinstance(self.element, Dynamic):
                return f"{self.kind} of any single type"
            return f"{self.kind} of {self.element.friendly_name(constraint)}"
        return "object" if isinstance(self, ObjectType) else "tuple"


@dataclass(frozen=True)
class Primitive(Type):
    """``string``, ``number`` or ``bool``."""

    name: str

    def __repr__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Dynamic(Type):
    """``any``: cty's DynamicPseudoType, also the type of a literal ``null``."""

    def __repr__(self) -> str:
        return "any"


@dataclass(frozen=True)
class Collection(Type):
    """``list(T)``, ``set(T)`` or ``map(T)``."""

    kind: str
    element: Type

    def __repr__(self) -> str:
        return f"{self.kind}({self.element!r})"


@dataclass(frozen=True)
class ObjectType(Type):
    """``object({...})``; ``optional`` names the attributes that may be absent."""

    attributes: tuple[tuple[str, Type], ...]
    optional: frozenset[str] = frozenset()

    @staticmethod
    def of(attributes: Mapping[str, Type], optional: Sequence[str] = ()) -> ObjectType:
        """An object type with its attributes in a canonical (sorted) order."""
        return ObjectType(tuple(sorted(attributes.items())), frozenset(optional))

    @property
    def types(self) -> dict[str, Type]:
        """The attribute types by name."""
        return dict(self.attributes)

    def __repr__(self) -> str:
        inner = ", ".join(
            f"{name} = optional({ty!r})" if name in self.optional else f"{name} = {ty!r}"
            for name, ty in self.attributes
        )
        return f"object({{{inner}}})"


@dataclass(frozen=True)
class TupleType(Type):
    """``tuple([...])``."""

    elements: tuple[Type, ...]

    def __repr__(self) -> str:
        return f"tuple([{', '.join(repr(element) for element in self.elements)}])"


STRING = Primitive("string")
NUMBER = Primitive("number")
BOOL = Primitive("bool")
DYNAMIC = Dynamic()


def list_of(element: Type) -> Collection:
    """``list(element)``."""
    return Collection("list", element)


def set_of(element: Type) -> Collection:
    """``set(element)``."""
    return Collection("set", element)


def map_of(element: Type) -> Collection:
    """``map(element)``."""
    return Collection("map", element)


def _is(ty: Type, kind: str) -> bool:
    return isinstance(ty, Collection) and ty.kind == kind


def without_optional_attributes(ty: Type) -> Type:
    """The concrete type of a constraint (``WithoutOptionalAttributesDeep``)."""
    if isinstance(ty, Collection):
        return Collection(ty.kind, without_optional_attributes(ty.element))
    if isinstance(ty, ObjectType):
        return ObjectType(
            tuple((name, without_optional_attributes(aty)) for name, aty in ty.attributes)
        )
    if isinstance(ty, TupleType):
        return TupleType(tuple(without_optional_attributes(ety) for ety in ty.elements))
    return ty


def type_of(value: object) -> Type:
    """The type of a literal value as HCL and JSON give it (``[...]`` tuple, ``{...}`` object).

    ``null`` and unknown values are of dynamic type, as a literal ``null`` is in HCL.
    """
    if isinstance(value, Sensitive):
        return type_of(value.value)
    if value is None or isinstance(value, Unknown):
        return DYNAMIC
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        return TupleType(tuple(type_of(item) for item in value))
    if isinstance(value, dict):
        return ObjectType.of({str(key): type_of(item) for key, item in value.items()})
    raise TypeError(f"not a Terraform value: {type(value).__name__}")


# --- type constraints: parsing -----------------------------------------------------------------


class TypeExpressionError(ValueError):
    """A ``type`` argument Terraform rejects ("Invalid type specification")."""


class UnresolvedTypeError(ValueError):
    """A type constraint orylint cannot evaluate (an ``optional()`` default it cannot compute).

    Not an error in the configuration: the variable stays unknown.
    """


@dataclass(frozen=True)
class Defaults:
    """typeexpr's ``Defaults``: default values of optional attributes, at any depth.

    ``children`` is keyed by attribute name (objects), element index (tuples) or ``""``
    (the element of a list, set or map).
    """

    type: Type
    values: Mapping[str, object] = field(default_factory=dict)
    children: Mapping[str, Defaults] = field(default_factory=dict)

    def apply(self, value: object) -> object:
        """Fill absent or ``null`` optional attributes with their defaults, deeply.

        Like ``Defaults.Apply``, this runs *before* conversion and is permissive: a value
        of the wrong shape is left for the conversion to reject. Null and unknown values are
        left alone (so a nullable variable can still be set to ``null``).
        """
        if isinstance(value, Sensitive):
            return mark(self.apply(value.value))
        if isinstance(value, list):
            return [
                child.apply(item) if (child := self._child(index)) is not None else item
                for index, item in enumerate(value)
            ]
        if isinstance(value, dict):
            result = {
                key: child.apply(item) if (child := self._child(str(key))) is not None else item
                for key, item in value.items()
            }
            for name, default in self.values.items():
                if result.get(name) is None:
                    child = self.children.get(name)
                    result[name] = child.apply(default) if child is not None else default
            return result
        return value

    def _child(self, key: int | str) -> Defaults | None:
        """``getChild``: by index for tuples, by name for objects, else the element's."""
        if isinstance(key, int) and isinstance(self.type, TupleType):
            return self.children.get(str(key))
        if isinstance(key, str) and isinstance(self.type, ObjectType):
            return self.children.get(key)
        return self.children.get("")


@dataclass(frozen=True)
class TypeConstraint:
    """A variable's ``type``: the constraint, its defaults, and how ``-var`` strings parse.

    ``literal_strings`` is Terraform's ``VariableParseLiteral`` mode: a ``-var`` or ``TF_VAR_``
    value is taken as a string as it is (primitive types and variables without ``type``);
    otherwise it is parsed as an HCL expression (``VariableParseHCL``).
    """

    type: Type
    defaults: Defaults | None = None
    literal_strings: bool = True


NO_CONSTRAINT = TypeConstraint(DYNAMIC, None, True)
"""A variable without ``type``: any value, and ``-var`` strings stay strings."""


def parse_type_constraint(node: Node, source_map: SourceMap | None = None) -> TypeConstraint:
    """Parse a ``variable`` block's ``type`` from python-hcl2's raw tree (``decodeVariableType``).

    ``source_map`` is needed only to evaluate ``optional()`` defaults; without it a default's
    source text is not kept (it is never shown). Raises :class:`TypeExpressionError` where
    Terraform reports an invalid type, :class:`UnresolvedTypeError` where orylint cannot tell.
    """
    node = unwrap(node)
    if isinstance(node, Tree) and node.data == "string":
        raise TypeExpressionError(
            "a type constraint is not quoted since Terraform 0.12: remove the quotes around "
            f"{_source(node, source_map)!r}"
        )
    keyword = _keyword(node)
    if keyword == "list":
        return TypeConstraint(list_of(DYNAMIC), None, False)
    if keyword == "map":
        return TypeConstraint(map_of(DYNAMIC), None, False)
    ty, defaults = _get_type(node, source_map or SourceMap("", ""))
    return TypeConstraint(ty, defaults, isinstance(ty, Primitive))


def parse_type_string(text: str) -> TypeConstraint:
    """Parse the string form of a type, as ``.tf.json`` writes it (``"list(string)"``).

    In JSON syntax Terraform reads the string as a native-syntax expression.
    """
    if "\n" in text or "\r" in text:
        raise TypeExpressionError("a type expression must be on one line here")
    source = f"type = {text}\n"
    # Imported here: only a type written as a .tf.json string needs the parser.
    from orylint.terraform.hcl_parser import HclParseError, parse_tree

    try:
        tree = parse_tree(source)
    except (HclParseError, RecursionError) as error:
        raise TypeExpressionError(f"cannot parse the type expression {text!r}") from error
    body = first_tree(tree, "body")
    attributes = [child for child in trees(body) if child.data == "attribute"] if body else []
    if len(attributes) != 1 or len(trees(body)) != 1:
        raise TypeExpressionError(f"cannot parse the type expression {text!r}")
    return parse_type_constraint(trees(attributes[0])[-1], SourceMap("<type>", source))


_KEYWORD_ONLY = {
    "list": "The list type constructor requires one argument specifying the element type.",
    "map": "The map type constructor requires one argument specifying the element type.",
    "set": "The set type constructor requires one argument specifying the element type.",
    "object": "The object type constructor requires one argument specifying the attribute "
    "types and values as a map.",
    "tuple": "The tuple type constructor requires one argument specifying the element types "
    "as a list.",
}


def _get_type(node: Node, source_map: SourceMap) -> tuple[Type, Defaults | None]:
    """``getType`` with ``constraint`` and ``withDefaults`` set, as Terraform calls it."""
    node = unwrap(node)
    keyword = _keyword(node)
    if keyword in ("bool", "string", "number"):
        return Primitive(keyword), None
    if keyword == "any":
        return DYNAMIC, None
    if keyword in _KEYWORD_ONLY:
        raise TypeExpressionError(_KEYWORD_ONLY[keyword])
    if keyword:
        raise TypeExpressionError(f"The keyword {keyword!r} is not a valid type specification.")
    if not isinstance(node, Tree) or node.data != "function_call":
        raise TypeExpressionError(
            "A type specification is either a primitive type keyword (bool, number, string) "
            "or a complex type constructor call, like list(string)."
        )
    name = function_name(node)
    arguments_node = first_tree(node, "arguments")
    arguments = trees(arguments_node) if arguments_node is not None else []
    if arguments_node is not None and any(
        isinstance(child, Token) and child.type == "ELLIPSIS" for child in arguments_node.children
    ):
        raise TypeExpressionError("A type constructor does not take expanded arguments.")
    if name in ("bool", "string", "number"):
        raise TypeExpressionError(f"Primitive type keyword {name!r} does not expect arguments.")
    if name == "any":
        raise TypeExpressionError(f"Type constraint keyword {name!r} does not expect arguments.")
    if name == "optional":
        raise TypeExpressionError(
            'Keyword "optional" is valid only as a modifier for object type attributes.'
        )
    if name not in ("list", "set", "map", "object", "tuple"):
        raise TypeExpressionError(f"Keyword {name!r} is not a valid type constructor.")
    if len(arguments) != 1:
        raise TypeExpressionError(_KEYWORD_ONLY[name])
    argument = arguments[0]
    if name in ("list", "set", "map"):
        element, element_defaults = _get_type(argument, source_map)
        collection = Collection(name, element)
        if element_defaults is None:
            return collection, None
        return collection, Defaults(collection, children={"": element_defaults})
    if name == "object":
        return _object_type(argument, source_map)
    return _tuple_type(argument, source_map)


def _object_type(node: Node, source_map: SourceMap) -> tuple[Type, Defaults | None]:
    node = unwrap(node)
    if not isinstance(node, Tree) or node.data != "object":
        raise TypeExpressionError(
            "Object type constructor requires a map whose keys are attribute names and whose "
            "values are the corresponding attribute types."
        )
    types: dict[str, Type] = {}
    optional: list[str] = []
    values: dict[str, object] = {}
    children: dict[str, Defaults] = {}
    for element in trees(node):
        if element.data != "object_elem":
            continue
        key_node, type_node = trees(element)[0], unwrap(trees(element)[-1])
        name = _keyword(unwrap(key_node))
        if not name:
            raise TypeExpressionError("Object constructor map keys must be attribute names.")
        if name in types:
            raise TypeExpressionError("Object constructor map keys must be unique.")
        default_node: Node | None = None
        if (
            isinstance(type_node, Tree)
            and type_node.data == "function_call"
            and function_name(type_node) == "optional"
        ):
            arguments_node = first_tree(type_node, "arguments")
            arguments = trees(arguments_node) if arguments_node is not None else []
            if not arguments:
                raise TypeExpressionError(
                    "Optional attribute modifier requires the attribute type as its argument."
                )
            if len(arguments) > 2:
                raise TypeExpressionError(
                    "Optional attribute modifier expects at most two arguments: the "
                    "attribute type, and a default value."
                )
            optional.append(name)
            type_node = arguments[0]
            default_node = arguments[1] if len(arguments) == 2 else None
        attribute_type, attribute_defaults = _get_type(type_node, source_map)
        if default_node is not None:
            default = _literal(default_node, source_map)
            try:
                values[name] = convert(default, attribute_type)
            except ConversionError as error:
                raise TypeExpressionError(
                    "This default value is not compatible with the attribute's type "
                    f"constraint: {error}."
                ) from None
        types[name] = attribute_type
        if attribute_defaults is not None:
            children[name] = attribute_defaults
    ty = ObjectType.of(types, optional)
    if not values and not children:
        return ty, None
    return ty, Defaults(ty, values, children)


def _tuple_type(node: Node, source_map: SourceMap) -> tuple[Type, Defaults | None]:
    node = unwrap(node)
    if not isinstance(node, Tree) or node.data != "tuple":
        raise TypeExpressionError("Tuple type constructor requires a list of element types.")
    elements: list[Type] = []
    children: dict[str, Defaults] = {}
    for index, item in enumerate(trees(node)):
        element, element_defaults = _get_type(item, source_map)
        elements.append(element)
        if element_defaults is not None:
            children[str(index)] = element_defaults
    ty = TupleType(tuple(elements))
    return ty, (Defaults(ty, children=children) if children else None)


def _keyword(node: Node) -> str:
    """``hcl.ExprAsKeyword``: the name of a bare identifier, else empty."""
    node = unwrap(node)
    if isinstance(node, Tree) and node.data in ("identifier", "keyword"):
        return token_text(node)
    return ""


def _source(node: Node, source_map: SourceMap | None) -> str:
    return source_map.source(node) if source_map is not None else token_text(node)


def _literal(node: Node, source_map: SourceMap) -> object:
    """An ``optional()`` default: a constant expression (no references, no function calls)."""
    if contains_call(node):
        raise TypeExpressionError("Functions may not be called here.")
    if ReferenceCollector(source_map).references(node):
        raise TypeExpressionError("Variables may not be used here.")
    value = Evaluator(source_map).value(node)
    if not is_known(value):
        raise UnresolvedTypeError("an optional() default orylint cannot evaluate")
    return value


def contains_call(node: object) -> bool:
    """Whether an expression calls a function (not allowed where Terraform has no scope)."""
    if not isinstance(node, Tree):
        return False
    return any(subtree.data == "function_call" for subtree in node.iter_subtrees())


# --- conversion ---------------------------------------------------------------------------------


class ConversionError(ValueError):
    """A value that cannot be converted to a type, with cty's message and the path to it."""

    def __init__(self, message: str, path: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    @property
    def where(self) -> str:
        """The path in HCL syntax (``.a[0]["k"]``), as Terraform's ``format.CtyPath``."""
        return "".join(self.path)

    def prefixed(self, prefix: str) -> str:
        """``format.ErrorDiagPrefixed``: ``var.x.a[0]: a number is required``."""
        return f"{prefix}{self.where}: {self.message}"


Typed = tuple[object, Type]
Conversion = Callable[[object, tuple[str, ...]], Typed]


def convert(value: object, target: Type | TypeConstraint) -> object:
    """Convert ``value`` to a type (or a constraint, applying its defaults first) like cty.

    Raises :class:`ConversionError` when Terraform would reject the value.
    """
    if isinstance(target, TypeConstraint):
        if target.defaults is not None and value is not None:
            value = target.defaults.apply(value)
        target = target.type
    return convert_typed(value, type_of(value), target)[0]


def convert_typed(value: object, value_type: Type, target: Type) -> Typed:
    """``convert.Convert`` on a typed pair: the converted value and its type."""
    if value_type == without_optional_attributes(target):
        return value, value_type
    conversion = _get_conversion(value_type, target, True)
    if conversion is None:
        raise ConversionError(mismatch_message(value_type, target))
    return conversion(value, ())


def _get_conversion(source: Type, target: Type, unsafe: bool) -> Conversion | None:
    """``getConversion``: the known-value conversion wrapped in marks, null and unknown."""
    inner = _get_conversion_known(source, target, unsafe)
    if inner is None:
        return None
    known = inner

    def conversion(value: object, path: tuple[str, ...]) -> Typed:
        if isinstance(value, Sensitive):
            result, ty = conversion(value.value, path)
            return mark(result), ty
        if isinstance(target, Dynamic):
            return value, source
        if value is None or isinstance(value, Unknown):
            return value, _dynamic_replace(source, without_optional_attributes(target))
        return known(value, path)

    return conversion


def _get_conversion_known(source: Type, target: Type, unsafe: bool) -> Conversion | None:
    if isinstance(target, Dynamic):
        return lambda value, path: (value, source)
    if unsafe and isinstance(source, Dynamic):
        return _dynamic_fixup(target)
    if isinstance(source, Primitive) and isinstance(target, Primitive):
        return _primitive_conversion(source, target, unsafe)
    if isinstance(target, ObjectType) and isinstance(source, ObjectType):
        return _object_to_object(source, target, unsafe)
    if isinstance(target, TupleType) and isinstance(source, TupleType):
        return _tuple_to_tuple(source, target, unsafe)
    if isinstance(target, Collection) and isinstance(source, Collection):
        if target.kind in ("list", "set") and source.kind in ("list", "set"):
            if target.kind == "set" and source.kind == "list" and not unsafe:
                return None
            if source.element == target.element:
                return _collection_to_sequence(target, None)
            element = _get_conversion(source.element, target.element, unsafe)
            return None if element is None else _collection_to_sequence(target, element)
        if target.kind == "map" and source.kind == "map":
            element = _get_conversion(source.element, target.element, unsafe)
            return None if element is None else _collection_to_map(target.element, element)
        return None
    if isinstance(target, Collection) and isinstance(source, TupleType):
        if target.kind in ("list", "set"):
            return _tuple_to_sequence(source, target.kind, target.element, unsafe)
        return None
    if isinstance(target, Collection) and isinstance(source, ObjectType):
        if target.kind == "map":
            return _object_to_map(source, target.element, unsafe)
        return None
    if isinstance(target, ObjectType) and _is(source, "map") and unsafe:
        assert isinstance(source, Collection)
        return _map_to_object(source, target, unsafe)
    return None


def _dynamic_fixup(target: Type) -> Conversion:
    def conversion(value: object, path: tuple[str, ...]) -> Typed:
        try:
            return convert_typed(value, type_of(value), target)
        except ConversionError as error:
            raise ConversionError(error.message, path + error.path) from None

    return conversion


def _dynamic_replace(source: Type, target: Type) -> Type:
    """``dynamicReplace``: the target type with its ``any`` parts taken from the source."""
    if isinstance(source, Dynamic):
        return target
    if isinstance(target, Dynamic):
        return source
    if isinstance(target, Primitive):
        return target
    if isinstance(target, Collection):
        if target.kind == "map":
            if _is(source, "map"):
                assert isinstance(source, Collection)
                return map_of(_dynamic_replace(source.element, target.element))
            if isinstance(source, ObjectType):
                unified = _unify([ty for _, ty in source.attributes], True)
                return map_of(_dynamic_replace(unified or DYNAMIC, target.element))
            return target
        if isinstance(source, Collection) and source.kind in ("list", "set"):
            return Collection(target.kind, _dynamic_replace(source.element, target.element))
        if isinstance(source, TupleType):
            unified = _unify(list(source.elements), True)
            return Collection(target.kind, _dynamic_replace(unified or DYNAMIC, target.element))
        return target
    if isinstance(target, ObjectType):
        types: dict[str, Type] = {}
        for name, aty in target.attributes:
            if isinstance(source, Collection) and source.kind == "map":
                types[name] = _dynamic_replace(source.element, aty)
            elif isinstance(source, ObjectType) and name in source.types:
                types[name] = _dynamic_replace(source.types[name], aty)
            else:
                types[name] = aty
        return ObjectType.of(types)
    if isinstance(target, TupleType) and isinstance(source, TupleType):
        return TupleType(
            tuple(
                _dynamic_replace(s, t)
                for s, t in zip(source.elements, target.elements, strict=True)
            )
        )
    return target


# primitives


_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _primitive_conversion(source: Primitive, target: Primitive, unsafe: bool) -> Conversion | None:
    if source == target:
        return lambda value, path: (value, target)
    if target == STRING:
        if source == NUMBER:
            return lambda value, path: (number_text(value), STRING)
        return lambda value, path: ("true" if value else "false", STRING)
    if not unsafe or source != STRING:
        return None
    if target == NUMBER:

        def to_number(value: object, path: tuple[str, ...]) -> Typed:
            number = parse_number(str(value))
            if number is None:
                raise ConversionError("a number is required", path)
            return number, NUMBER

        return to_number

    def to_bool(value: object, path: tuple[str, ...]) -> Typed:
        text = str(value)
        if text in ("true", "1"):
            return True, BOOL
        if text in ("false", "0"):
            return False, BOOL
        if text.lower() in ("true", "false"):
            raise ConversionError(
                f'a bool is required; to convert from string, use lowercase "{text.lower()}"',
                path,
            )
        raise ConversionError("a bool is required", path)

    return to_bool


def number_text(value: object) -> str:
    """A number as Terraform writes it in a string (big.Float ``Text('f', -1)``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    assert isinstance(value, float)
    if math.isnan(value) or math.isinf(value):
        raise ConversionError("a finite number is required")
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def parse_number(text: str) -> int | float | Unknown | None:
    """``cty.ParseNumberVal`` (Go's ``big.ParseFloat`` in base 10); None when not a number.

    Integral results are exact ``int``; others the nearest ``float``. Absurd exponents, which
    Terraform accepts but which would cost orylint unbounded memory, are unknown.
    """
    if text in ("Inf", "inf", "+Inf", "+inf", "-Inf", "-inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if not _NUMBER_TEXT.fullmatch(text):
        return None
    try:
        decimal = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None
    if abs(decimal.adjusted()) > 4000:
        return Unknown("a number too large for orylint to represent exactly", text)
    if decimal == decimal.to_integral_value():
        return int(decimal)
    return float(Fraction(decimal))


# structural


def _object_to_object(source: ObjectType, target: ObjectType, unsafe: bool) -> Conversion | None:
    source_types = source.types
    conversions: dict[str, Conversion | None] = {}
    for name, target_type in target.attributes:
        if name not in source_types:
            if name in target.optional:
                continue
            return None
        if source_types[name] == target_type:
            conversions[name] = None
            continue
        conversion = _get_conversion(source_types[name], target_type, unsafe)
        if conversion is None:
            return None
        conversions[name] = conversion
    target_types = target.types

    def convert_object(value: object, path: tuple[str, ...]) -> Typed:
        assert isinstance(value, dict)
        result: dict[str, object] = {}
        types: dict[str, Type] = {}
        for name in sorted(value):
            if name not in conversions:
                continue
            conversion = conversions[name]
            item: object = value[name]
            ty = source_types[name]
            if conversion is not None:
                item, ty = conversion(item, (*path, "." + name))
            if item is None:
                ty = without_optional_attributes(ty)
            result[name], types[name] = item, ty
        for name in sorted(target.optional):
            if name not in result:
                result[name] = None
                types[name] = without_optional_attributes(target_types[name])
        ordered = {name: result[name] for name in sorted(result)}
        return ordered, ObjectType.of(types)

    return convert_object


def _tuple_to_tuple(source: TupleType, target: TupleType, unsafe: bool) -> Conversion | None:
    if len(source.elements) != len(target.elements):
        return None
    conversions: list[Conversion | None] = []
    for source_type, target_type in zip(source.elements, target.elements, strict=True):
        if source_type == target_type:
            conversions.append(None)
            continue
        conversion = _get_conversion(source_type, target_type, unsafe)
        if conversion is None:
            return None
        conversions.append(conversion)

    def convert_tuple(value: object, path: tuple[str, ...]) -> Typed:
        assert isinstance(value, list)
        items: list[object] = []
        types: list[Type] = []
        for index, (given, conversion) in enumerate(zip(value, conversions, strict=True)):
            item, ty = given, source.elements[index]
            if conversion is not None:
                item, ty = conversion(given, (*path, f"[{index}]"))
            items.append(item)
            types.append(ty)
        return items, TupleType(tuple(types))

    return convert_tuple


# collections


def _collection_to_sequence(target: Collection, element: Conversion | None) -> Conversion:
    """``conversionCollectionToList``/``ToSet``: from a list or set."""

    def convert_collection(value: object, path: tuple[str, ...]) -> Typed:
        assert isinstance(value, list) and isinstance(target.element, Type)
        items: list[Typed] = []
        for index, given in enumerate(value):
            item, ty = given, target.element
            if element is not None:
                item, ty = element(given, (*path, f"[{index}]"))
            items.append((item, ty))
        if not items:
            return [], Collection(target.kind, without_optional_attributes(target.element))
        return _make_sequence(target.kind, items, path)

    return convert_collection


def _tuple_to_sequence(
    source: TupleType, kind: str, element_type: Type, unsafe: bool
) -> Conversion | None:
    """``conversionTupleToList``/``ToSet``: ``list(any)`` unifies the element types first."""
    if not source.elements:
        empty = Collection(kind, without_optional_attributes(element_type))
        return lambda value, path: ([], empty)
    if isinstance(element_type, Dynamic):
        unified = _unify(list(source.elements), unsafe)
        if unified is None:
            return None
        if isinstance(unified, Dynamic) and any(
            not isinstance(ety, Dynamic) for ety in source.elements
        ):
            return None
        element_type = unified
    conversions: list[Conversion | None] = []
    for ety in source.elements:
        if ety == element_type:
            conversions.append(None)
            continue
        conversion = _get_conversion(ety, element_type, unsafe)
        if conversion is None:
            return None
        conversions.append(conversion)

    def convert_tuple(value: object, path: tuple[str, ...]) -> Typed:
        assert isinstance(value, list)
        items: list[Typed] = []
        for index, (given, conversion) in enumerate(zip(value, conversions, strict=True)):
            item, ty = given, source.elements[index]
            if conversion is not None:
                item, ty = conversion(given, (*path, f"[{index}]"))
            items.append((item, ty))
        if kind == "list":
            items = _unify_elements(items, path, unsafe)
        return _make_sequence(kind, items, path)

    return convert_tuple


def _make_sequence(kind: str, items: list[Typed], path: tuple[str, ...]) -> Typed:
    """``cty.ListVal``/``SetVal`` after ``CanListVal``: one element type for all."""
    element_type = _common_type([ty for _, ty in items])
    if element_type is None:
        raise ConversionError(f"element types must all match for conversion to {kind}", path)
    values = [item for item, _ in items]
    if kind == "set":
        return make_set(values), set_of(element_type)
    return values, list_of(element_type)


def _common_type(types: Sequence[Type]) -> Type | None:
    """The single element type of a collection, ``null``/unknown of dynamic type aside."""
    concrete = [ty for ty in types if not isinstance(ty, Dynamic)]
    if not concrete:
        return DYNAMIC
    first = without_optional_attributes(concrete[0])
    if all(without_optional_attributes(ty) == first for ty in concrete):
        return first
    return None


def _collection_to_map(element_type: Type, element: Conversion) -> Conversion:
    def convert_map(value: object, path: tuple[str, ...]) -> Typed:
        assert isinstance(value, dict)
        items = {key: element(item, (*path, _key(key))) for key, item in sorted(value.items())}
        return _make_map(items, element_type, path, False)

    return convert_map


def _object_to_map(source: ObjectType, element_type: Type, unsafe: bool) -> Conversion | None:
    if not source.attributes:
        empty = map_of(without_optional_attributes(element_type))
        return lambda value, path: ({}, empty)
    if isinstance(element_type, Dynamic):
        unified = _unify([ty for _, ty in source.attributes], unsafe)
        if unified is None:
            return None
        element_type = unified
    conversions: dict[str, Conversion | None] = {}
    for name, aty in source.attributes:
        if aty == element_type:
            conversions[name] = None
            continue
        conversion = _get_conversion(aty, element_type, unsafe)
        if conversion is None:
            return None
        conversions[name] = conversion
    source_types = source.types
    final_element = element_type

    def convert_object(value: object, path: tuple[str, ...]) -> Typed:
        assert isinstance(value, dict)
        items: dict[str, Typed] = {}
        for name, given in sorted(value.items()):
            conversion = conversions.get(name)
            item, ty = given, source_types[name]
            if conversion is not None:
                item, ty = conversion(given, (*path, _key(name)))
            items[name] = (item, ty)
        return _make_map(items, final_element, path, unsafe, "attribute")

    return convert_object


def _make_map(
    items: dict[str, Typed],
    element_type: Type,
    path: tuple[str, ...],
    unsafe: bool,
    noun: str = "element",
) -> Typed:
    if not items:
        return {}, map_of(without_optional_attributes(element_type))
    if isinstance(element_type, Collection | ObjectType):
        unified = _unify([ty for _, ty in items.values()], unsafe)
        if unified is None:
            raise ConversionError("cannot find a common base type for all elements", path)
        items = {
            key: _to_type(item, ty, unified, (*path, _key(key)), unsafe)
            for key, (item, ty) in items.items()
        }
    common = _common_type([ty for _, ty in items.values()])
    if common is None:
        raise ConversionError(f"{noun} types must all match for conversion to map", path)
    return {key: item for key, (item, _) in sorted(items.items())}, map_of(common)


def _map_to_object(source: Collection, target: ObjectType, unsafe: bool) -> Conversion | None:
    conversions: dict[str, Conversion | None] = {}
    impossible: set[str] = set()
    for name, aty in target.attributes:
        if aty == source.element:
            continue
        conversion = _get_conversion(source.element, aty, unsafe)
        if conversion is None:
            if name in target.optional and unsafe:
                impossible.add(name)
                continue
            return None
        conversions[name] = conversion
    target_types = target.types

    def convert_map(value: object, path: tuple[str, ...]) -> Typed:
        assert isinstance(value, dict)
        result: dict[str, Typed] = {}
        for name, given in sorted(value.items()):
            if name not in target_types:
                continue
            item, ty = given, source.element
            if name in impossible:
                raise ConversionError(
                    f"map element type is incompatible with attribute {_quote(name)}: "
                    + mismatch_message(source.element, target_types[name]),
                    path,
                )
            conversion = conversions.get(name)
            if conversion is not None:
                item, ty = conversion(given, (*path, _key(name)))
            result[name] = (item, without_optional_attributes(ty) if item is None else ty)
        for name, aty in target.attributes:
            if name not in result:
                if name in target.optional:
                    result[name] = (None, aty)
                else:
                    raise ConversionError(
                        f"map has no element for required attribute {_quote(name)}", path
                    )
        return (
            {name: result[name][0] for name in sorted(result)},
            ObjectType.of({name: ty for name, (_, ty) in result.items()}),
        )

    return convert_map


def _to_type(
    value: object, value_type: Type, target: Type, path: tuple[str, ...], unsafe: bool
) -> Typed:
    if value_type == target:
        return value, value_type
    conversion = _get_conversion(value_type, target, unsafe)
    if conversion is None:  # cty would panic here; unification promised a conversion
        raise ConversionError(mismatch_message(value_type, target), path)
    return conversion(value, path)


def _unify_elements(items: list[Typed], path: tuple[str, ...], unsafe: bool) -> list[Typed]:
    """``conversionUnifyListElements``."""
    unified = _unify([ty for _, ty in items], unsafe)
    if unified is None:
        raise ConversionError("cannot find a common base type for all elements", path)
    return [
        _to_type(item, ty, unified, (*path, f"[{index}]"), unsafe)
        for index, (item, ty) in enumerate(items)
    ]


def _key(name: str) -> str:
    return f"[{_quote(name)}]"


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- unification (unify.go, compare_types.go, sort_types.go) -----------------------------------


def unify(types: Sequence[Type]) -> Type | None:
    """The most general type all of ``types`` convert to (unsafe conversions allowed)."""
    return _unify(list(types), True)


def _unify(types: list[Type], unsafe: bool) -> Type | None:
    if not types:
        return None
    counts = {"map": 0, "list": 0, "set": 0, "object": 0, "tuple": 0, "dynamic": 0}
    for ty in types:
        if isinstance(ty, Collection):
            counts[ty.kind] += 1
        elif isinstance(ty, ObjectType):
            counts["object"] += 1
        elif isinstance(ty, TupleType):
            counts["tuple"] += 1
        elif isinstance(ty, Dynamic):
            counts["dynamic"] += 1
    total, dynamic = len(types), counts["dynamic"]
    if counts["map"] and counts["map"] + dynamic == total:
        return _unify_collections("map", types, unsafe, dynamic > 0)
    if counts["map"] and counts["map"] + counts["object"] + dynamic == total:
        unified = _unify_objects_as_maps(types, unsafe)
        if _is(unified or DYNAMIC, "map"):
            return unified
    elif counts["list"] and counts["list"] + dynamic == total:
        return _unify_collections("list", types, unsafe, dynamic > 0)
    elif counts["list"] and counts["list"] + counts["tuple"] + dynamic == total:
        unified = _unify_tuples_as_list(types, unsafe)
        if _is(unified or DYNAMIC, "list"):
            return unified
    elif counts["set"] and counts["set"] + dynamic == total:
        return _unify_collections("set", types, unsafe, dynamic > 0)
    elif counts["object"] and counts["object"] + dynamic == total:
        return _unify_objects([t for t in types], unsafe, dynamic > 0)
    elif counts["tuple"] and counts["tuple"] + dynamic == total:
        return _unify_tuples(types, unsafe, dynamic > 0)
    elif counts["object"] and counts["tuple"]:
        return None
    for index in _sort_types(types):
        wanted = types[index]
        if all(ty == wanted or _get_conversion(ty, wanted, unsafe) is not None for ty in types):
            return wanted
    return None


def _unify_collections(kind: str, types: list[Type], unsafe: bool, dynamic: bool) -> Type | None:
    if dynamic:
        return DYNAMIC
    elements = [ty.element for ty in types if isinstance(ty, Collection)]
    element = _unify(elements, unsafe)
    if element is None:
        return None
    result = Collection(kind, element)
    if any(ty != result and _get_conversion(ty, result, unsafe) is None for ty in types):
        return None
    return result


def _unify_objects(types: list[Type], unsafe: bool, dynamic: bool) -> Type | None:
    if dynamic:
        return DYNAMIC
    objects = [ty for ty in types if isinstance(ty, ObjectType)]
    names = set(objects[0].types)
    if any(set(ty.types) != names for ty in objects[1:]):
        return _unify_objects_to_map(types, unsafe)
    attributes: dict[str, Type] = {}
    for name in sorted(names):
        unified = _unify([ty.types[name] for ty in objects], unsafe)
        if unified is None:
            return None
        attributes[name] = unified
    result = ObjectType.of(attributes)
    if any(ty != result and _get_conversion(ty, result, unsafe) is None for ty in types):
        return _unify_objects_to_map(types, unsafe)
    return result


def _unify_objects_to_map(types: list[Type], unsafe: bool) -> Type | None:
    attributes = [aty for ty in types if isinstance(ty, ObjectType) for _, aty in ty.attributes]
    element = _unify(attributes, unsafe)
    if element is None:
        return None
    result = map_of(element)
    if any(ty != result and _get_conversion(ty, result, unsafe) is None for ty in types):
        return None
    return result


def _unify_tuples(types: list[Type], unsafe: bool, dynamic: bool) -> Type | None:
    if dynamic:
        return DYNAMIC
    tuples = [ty for ty in types if isinstance(ty, TupleType)]
    length = len(tuples[0].elements)
    if any(len(ty.elements) != length for ty in tuples[1:]):
        return _unify_tuples_to_list(types, unsafe)
    elements: list[Type] = []
    for index in range(length):
        unified = _unify([ty.elements[index] for ty in tuples], unsafe)
        if unified is None:
            return None
        elements.append(unified)
    result = TupleType(tuple(elements))
    if any(ty != result and _get_conversion(ty, result, unsafe) is None for ty in types):
        return _unify_tuples_to_list(types, unsafe)
    return result


def _unify_tuples_to_list(types: list[Type], unsafe: bool) -> Type | None:
    elements = [ety for ty in types if isinstance(ty, TupleType) for ety in ty.elements]
    element = _unify(elements, unsafe)
    if element is None:
        return None
    result = list_of(element)
    if any(ty != result and _get_conversion(ty, result, unsafe) is None for ty in types):
        return None
    return result


def _unify_tuples_as_list(types: list[Type], unsafe: bool) -> Type | None:
    tuples = [ty for ty in types if isinstance(ty, TupleType)]
    as_list = _unify_tuples_to_list(list(tuples), unsafe)
    if as_list is None or not _is(as_list, "list"):
        return None
    result = _unify([as_list if isinstance(ty, TupleType) else ty for ty in types], unsafe)
    return result if result is not None and _is(result, "list") else None


def _unify_objects_as_maps(types: list[Type], unsafe: bool) -> Type | None:
    objects = [ty for ty in types if isinstance(ty, ObjectType)]
    as_map = _unify_objects_to_map(list(objects), unsafe)
    if as_map is None or not _is(as_map, "map"):
        return None
    result = _unify([as_map if isinstance(ty, ObjectType) else ty for ty in types], unsafe)
    return result if result is not None and _is(result, "map") else None


def _sort_types(types: list[Type]) -> list[int]:
    """``sortTypes``: a topological order, most general type first."""
    count = len(types)
    edges: list[list[int]] = [[] for _ in range(count)]
    for i in range(count - 1):
        for j in range(i + 1, count):
            comparison = _compare_types(types[i], types[j])
            if comparison < 0:
                edges[i].append(j)
            elif comparison > 0:
                edges[j].append(i)
    in_degree = [0] * count
    for outs in edges:
        for j in outs:
            in_degree[j] += 1
    queue = [i for i in range(count) if in_degree[i] == 0]
    result: list[int] = []
    while queue:
        i = queue.pop(0)
        result.append(i)
        for j in edges[i]:
            in_degree[j] -= 1
            if in_degree[j] == 0:
                queue.append(j)
    return result


def _compare_types(a: Type, b: Type) -> int:
    if isinstance(a, Dynamic) or isinstance(b, Dynamic):
        if not isinstance(a, Dynamic):
            return -1
        if not isinstance(b, Dynamic):
            return 1
        return 0
    if isinstance(a, Primitive) and isinstance(b, Primitive) and STRING in (a, b):
        if a != STRING:
            return 1
        if b != STRING:
            return -1
        return 0
    if isinstance(a, Collection) and isinstance(b, Collection) and a.kind == b.kind:
        return _compare_types(a.element, b.element)
    swap = 1
    if (
        (isinstance(a, TupleType) and _is(b, "list"))
        or (isinstance(a, ObjectType) and _is(b, "map"))
        or (_is(a, "set") and isinstance(b, TupleType))
        or (_is(a, "set") and _is(b, "list"))
    ):
        a, b = b, a
        swap = -1
    if _is(b, "set") and (isinstance(a, TupleType) or _is(a, "list")):
        return -1 * swap
    if _is(a, "list") and isinstance(b, TupleType):
        return -1 * swap
    if _is(a, "map") and isinstance(b, ObjectType):
        return -1 * swap
    pairs: list[tuple[Type, Type]] | None = None
    if isinstance(a, ObjectType) and isinstance(b, ObjectType):
        a_types, b_types = a.types, b.types
        if set(a_types) != set(b_types):
            return 0
        pairs = [(a_types[name], b_types[name]) for name in a_types]
    elif isinstance(a, TupleType) and isinstance(b, TupleType):
        if len(a.elements) != len(b.elements):
            return 0
        pairs = list(zip(a.elements, b.elements, strict=True))
    if pairs is None:
        return 0
    comparisons = [_compare_types(x, y) for x, y in pairs]
    a_super, b_super = any(c < 0 for c in comparisons), any(c > 0 for c in comparisons)
    if a_super and b_super:
        return 0
    if a_super:
        return -1 * swap
    if b_super:
        return 1 * swap
    return 0


# --- mismatch messages (mismatch_msg.go) -------------------------------------------------------


def mismatch_message(got: Type, want: Type) -> str:
    """Say, as cty's ``MismatchMessage`` does,: why ``got`` does not conform to ``want``.

    As in the cty that Terraform 1.11 vendors (v1.16): ``string required``, not the later
    ``string required, but have tuple``.
    """
    if isinstance(got, ObjectType) and isinstance(want, ObjectType):
        return _mismatch_objects(got, want)
    if isinstance(want, Collection) and isinstance(want.element, Dynamic):
        if isinstance(got, TupleType) and want.kind in ("list", "set"):
            return f"all {want.kind} elements must have the same type"
        if isinstance(got, ObjectType) and want.kind == "map":
            return "all map elements must have the same type"
    if isinstance(got, TupleType | ObjectType) and isinstance(want, Collection):
        return _mismatch_from_structural(got, want)
    if isinstance(got, Collection) and isinstance(want, Collection):
        return _mismatch_from_collection(got, want)
    return want.friendly_name(constraint=True) + " required"


def _mismatch_objects(got: ObjectType, want: ObjectType) -> str:
    got_types = got.types
    missing: list[str] = []
    unsafe_mismatch = ""
    safe_mismatch = ""
    for name, want_type in want.attributes:
        if name not in got_types:
            if name not in want.optional:
                missing.append(name)
            continue
        got_type = got_types[name]
        if got_type == want_type:
            continue
        if unsafe_mismatch:
            continue
        if _get_conversion(got_type, want_type, True) is None:
            unsafe_mismatch = f"attribute {_quote(name)}: {mismatch_message(got_type, want_type)}"
        if safe_mismatch:
            continue
        if _get_conversion(got_type, want_type, False) is None:
            safe_mismatch = f"attribute {_quote(name)}: {mismatch_message(got_type, want_type)}"
    if missing:
        quoted = [_quote(name) for name in sorted(missing)]
        if len(quoted) == 1:
            return f"attribute {quoted[0]} is required"
        if len(quoted) == 2:
            return f"attributes {quoted[0]} and {quoted[1]} are required"
        return f"attributes {', '.join(quoted[:-1])}, and {quoted[-1]} are required"
    return unsafe_mismatch or safe_mismatch or "incorrect object attributes"


def _mismatch_from_structural(got: TupleType | ObjectType, want: Collection) -> str:
    if want.kind in ("list", "set") and not isinstance(got, TupleType):
        return want.friendly_name(constraint=True) + " required"
    if want.kind == "map" and not isinstance(got, ObjectType):
        return want.friendly_name(constraint=True) + " required"
    element = want.element
    if isinstance(got, TupleType):
        for index, ety in enumerate(got.elements):
            if ety == element or _get_conversion(ety, element, True) is not None:
                continue
            return f"element {index}: {mismatch_message(ety, element)}"
    else:
        for name, aty in got.attributes:
            if aty == element or _get_conversion(aty, element, True) is not None:
                continue
            return f"element {_quote(name)}: {mismatch_message(aty, element)}"
    return f"all elements must be {element.friendly_name(constraint=True)}"


def _mismatch_from_collection(got: Collection, want: Collection) -> str:
    if want.kind in ("list", "set") and got.kind not in ("list", "set"):
        return want.friendly_name(constraint=True) + " required"
    if want.kind == "map" and got.kind != "map":
        return want.friendly_name(constraint=True) + " required"
    return f"incorrect {want.kind} element type: {mismatch_message(got.element, want.element)}"


# --- sets ---------------------------------------------------------------------------------------


def make_set(values: Sequence[object]) -> object:
    """A cty set of same-typed values: deduplicated, in cty's order, marks hoisted to the set.

    Strings sort by code point, numbers ascending, ``false`` before ``true``, ``null`` last;
    other element types in cty's "consistent but undefined" order of their hash strings. A set
    with an unknown element is unknown as a whole (its length and order are not known).
    """
    plain, marked = unmark_deep(list(values))
    assert isinstance(plain, list)
    if not is_known(plain):
        return mark(Unknown("a set with unknown elements"), marked)
    unique: list[object] = []
    for value in plain:
        if not any(_equal(value, seen) for seen in unique):
            unique.append(value)
    unique.sort(key=functools.cmp_to_key(_set_compare))
    return mark(TfSet(unique), marked)


def _equal(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _set_compare(a: object, b: object) -> int:
    if _equal(a, b):
        return 0
    if a is None:
        return 1
    if b is None:
        return -1
    if isinstance(a, str) and isinstance(b, str):
        return -1 if a < b else 1
    if isinstance(a, bool) and isinstance(b, bool):
        return -1 if not a else 1
    if isinstance(a, int | float) and isinstance(b, int | float):
        return -1 if Fraction(a) < Fraction(b) else 1
    hash_a, hash_b = _set_hash(a).encode(), _set_hash(b).encode()
    return -1 if hash_a < hash_b else (1 if hash_a > hash_b else 0)


def _set_hash(value: object) -> str:
    """The hash of cty's ``appendSetHashBytes``: what orders sets of non-primitive elements."""
    if value is None:
        return "~"
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, int | float):
        return _go_float_string(value)
    if isinstance(value, str):
        return _go_quote(value)
    if isinstance(value, list):
        return "[" + "".join(_set_hash(item) + ";" for item in value) + "]"
    if isinstance(value, dict):
        return "<" + "".join(_set_hash(value[key]) + ";" for key in sorted(value)) + ">"
    return "?"


def _go_float_string(value: int | float) -> str:
    """``big.Float.String()``: ``Text('g', 10)``."""
    text = format(Decimal(value) if isinstance(value, int) else Decimal(repr(value)), ".10g")
    mantissa, _, exponent = text.partition("E")
    if not exponent:
        return mantissa
    sign = "-" if exponent.startswith("-") else "+"
    return f"{mantissa}e{sign}{exponent.lstrip('+-').zfill(2)}"


def _go_quote(text: str) -> str:
    """Go's ``%q`` for printable text (escapes for quotes, backslashes and control characters)."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char in "\a\b\f\n\r\t\v":
            out.append("\\" + "abfnrtv"["\a\b\f\n\r\t\v".index(char)])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        elif not char.isprintable():
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)

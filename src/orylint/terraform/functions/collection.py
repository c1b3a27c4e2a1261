"""Collection functions and type conversions: lists, sets, maps, objects, and marks.

Values carry no static type here: a Python list may be a Terraform list, tuple or set, a dict a
map or object. Where cty's result depends on the static type alone (``concat`` of two lists of
different element types gives a list of strings, of two tuples a tuple), orylint keeps the
elements as they are, which is what the tuple and object literals of a configuration give.
Functions with typed parameters (``distinct``, ``sort``, ``toset``, …) convert as cty does.
"""

from __future__ import annotations

import itertools

from orylint.terraform.functions._core import (
    BOOL,
    DYNAMIC,
    STRING,
    EvaluationError,
    FunctionContext,
    Value,
    check_size,
    convert,
    describe,
    function,
    go_int,
    key,
    mapping,
    same,
    sequence,
    set_order,
    strings,
    to_bool,
    to_list,
    to_number,
    to_string,
    type_of,
    unify,
)
from orylint.terraform.functions.strings import graphemes
from orylint.terraform.values import (
    Sensitive,
    Unknown,
    is_known,
    mark,
    unmark,
    unmark_deep,
)

# --------------------------------------------------------------------------
# Marks (these see the marks, so they are raw)
# --------------------------------------------------------------------------


@function("sensitive", 1, raw=True)
def _sensitive(args: list[Value], _: FunctionContext) -> Value:
    return mark(args[0])


@function("nonsensitive", 1, raw=True)
def _nonsensitive(args: list[Value], _: FunctionContext) -> Value:
    # Terraform 1.11 accepts a value that is not sensitive; only the top-level mark goes
    return unmark(args[0])[0]


@function("issensitive", 1, raw=True)
def _issensitive(args: list[Value], _: FunctionContext) -> Value:
    if isinstance(args[0], Sensitive):
        return True
    if isinstance(args[0], Unknown):
        return Unknown("issensitive() of a value known only after apply")
    return False  # marks inside a collection do not make the collection sensitive


@function("ephemeralasnull", 1, allow_null=True, raw=True)
def _ephemeralasnull(args: list[Value], _: FunctionContext) -> Value:
    return args[0]  # orylint evaluates no ephemeral values (ephemeral resources, variables)


# --------------------------------------------------------------------------
# Functions that keep what is known
# --------------------------------------------------------------------------


def _top(value: Value) -> tuple[Value, bool]:
    """The value without its own mark, and whether it had one (marks inside stay)."""
    return unmark(value)


@function("length", 1, raw=True)
def _length(args: list[Value], _: FunctionContext) -> Value:
    value, marked = _top(args[0])
    if isinstance(value, Unknown):
        return mark(Unknown("length() of a value known only after apply"), marked)
    if value is None:
        raise EvaluationError("argument must not be null")
    if isinstance(value, str):
        return mark(len(graphemes(value)), marked)
    if isinstance(value, list | dict):
        return mark(len(value), marked)
    raise EvaluationError(f"argument must be a string, a collection type, or a structural type, "
                          f"not {describe(value)}")  # fmt: skip


@function("concat", 1, None, raw=True)
def _concat(args: list[Value], _: FunctionContext) -> Value:
    result: list[Value] = []
    marked = False
    for argument in args:
        value, had_mark = _top(argument)
        marked = marked or had_mark
        if isinstance(value, Unknown):
            return mark(Unknown("concat() of a list known only after apply"), marked)
        if value is None:
            raise EvaluationError("argument must not be null")
        if not isinstance(value, list):
            raise EvaluationError(f"all arguments must be lists or tuples, not {describe(value)}")
        result.extend(value)
        check_size(len(result))
    return mark(result, marked)


@function("merge", 0, None, allow_null=True, raw=True)
def _merge(args: list[Value], _: FunctionContext) -> Value:
    result: dict[str, Value] = {}
    marked = False
    for argument in args:
        value, had_mark = _top(argument)
        marked = marked or had_mark
        if isinstance(value, Unknown):
            return mark(Unknown("merge() of a map known only after apply"), marked)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise EvaluationError(f"arguments must be maps or objects, got {describe(value)}")
        result.update(value)
    return mark({name: result[name] for name in sorted(result)}, marked)


@function("coalesce", 1, None, allow_null=True, raw=True)
def _coalesce(args: list[Value], _: FunctionContext) -> Value:
    plain: list[Value] = []
    marked = False
    for argument in args:
        value, had_mark = unmark_deep(argument)
        plain.append(value)
        marked = marked or had_mark
    target = unify([type_of(value) for value in plain if is_known(value)])
    for value in plain:
        if not is_known(value):
            # an unknown before the first usable value could be that value
            return mark(Unknown("coalesce() of a value known only after apply"), marked)
        if value is None:
            continue
        converted = convert(value, target)
        if converted == "":
            continue
        return mark(converted, marked)
    raise EvaluationError("no non-null, non-empty-string arguments")


# --------------------------------------------------------------------------
# Lists, tuples and sets
# --------------------------------------------------------------------------


@function("coalescelist", 1, None)
def _coalescelist(args: list[Value], _: FunctionContext) -> Value:
    for argument in args:
        if sequence(argument):
            return argument
    raise EvaluationError("no non-null arguments")


@function("compact", 1)
def _compact(args: list[Value], _: FunctionContext) -> Value:
    items = to_list(args[0], STRING)
    return [item for item in items if item is not None and item != ""]


@function("contains", 2)
def _contains(args: list[Value], _: FunctionContext) -> Value:
    return any(same(item, args[1]) for item in sequence(args[0]))


@function("distinct", 1)
def _distinct(args: list[Value], _: FunctionContext) -> Value:
    seen: dict[str, Value] = {}
    for item in to_list(args[0]):
        seen.setdefault(key(item), item)
    return list(seen.values())


@function("element", 2, keep_marks=True, partial=(0,))
def _element(args: list[Value], _: FunctionContext) -> Value:
    items = sequence(args[0])
    index = go_int(to_number(args[1]), "index")
    if index < 0:
        raise EvaluationError("cannot use element function with a negative index")
    if not items:
        raise EvaluationError("cannot use element function with an empty list")
    return items[index % len(items)]


@function("flatten", 1, keep_marks=True)
def _flatten(args: list[Value], _: FunctionContext) -> Value:
    result: list[Value] = []
    pending: list[Value] = list(reversed(sequence(args[0])))
    while pending:
        item = pending.pop()
        inner, marked = unmark(item)
        if isinstance(inner, list):
            pending.extend(reversed([mark(element, marked) for element in inner]))
        else:
            result.append(item)
    return result


@function("index", 2, allow_null=True)
def _index(args: list[Value], _: FunctionContext) -> Value:
    if args[0] is None:
        raise EvaluationError("argument must not be null")
    if isinstance(args[0], dict):
        raise EvaluationError("argument must be a list or tuple")
    for position, item in enumerate(sequence(args[0])):
        if same(item, args[1]):
            return position
    raise EvaluationError("item not found")


@function("one", 1)
def _one(args: list[Value], _: FunctionContext) -> Value:
    items = sequence(args[0])
    if len(items) > 1:
        raise EvaluationError("must be a list, set, or tuple value with either zero or one "
                              "elements")  # fmt: skip
    return items[0] if items else None


@function("reverse", 1, keep_marks=True, partial=(0,))
def _reverse(args: list[Value], _: FunctionContext) -> Value:
    return list(reversed(sequence(args[0])))


@function("slice", 3, keep_marks=True, partial=(0,))
def _slice(args: list[Value], _: FunctionContext) -> Value:
    items = sequence(args[0])
    start = go_int(to_number(args[1]), "start index")
    end = go_int(to_number(args[2]), "end index")
    if start < 0:
        raise EvaluationError("the start index must not be less than zero")
    if end > len(items):
        raise EvaluationError("the end index must not be greater than the length of the list")
    if start > end:
        raise EvaluationError("the start index must not be greater than the end index")
    return items[start:end]


@function("sort", 1)
def _sort(args: list[Value], _: FunctionContext) -> Value:
    items = to_list(args[0], STRING)
    if any(item is None for item in items):
        raise EvaluationError("a null string cannot be sorted")
    return sorted(items, key=str)


@function("chunklist", 2, keep_marks=True)
def _chunklist(args: list[Value], _: FunctionContext) -> Value:
    items = to_list(args[0])
    size = go_int(to_number(args[1]), "size")
    if size < 0:
        raise EvaluationError("the size argument must be positive")
    if not items:
        return []
    if size == 0:
        return [items]
    return [items[start : start + size] for start in range(0, len(items), size)]


def _bools(value: Value) -> list[Value]:
    return to_list(value, BOOL)


@function("alltrue", 1)
def _alltrue(args: list[Value], _: FunctionContext) -> Value:
    return all(item is True for item in _bools(args[0]))


@function("anytrue", 1)
def _anytrue(args: list[Value], _: FunctionContext) -> Value:
    return any(item is True for item in _bools(args[0]))


@function("matchkeys", 3)
def _matchkeys(args: list[Value], _: FunctionContext) -> Value:
    values, keys, search = to_list(args[0]), to_list(args[1]), to_list(args[2])
    if len(values) != len(keys):
        raise EvaluationError("length of keys and values should be equal")
    target = unify([type_of(item) for item in [*keys, *search]])
    keys = [convert(item, target) for item in keys]
    search = [convert(item, target) for item in search]
    return [
        value
        for value, item in zip(values, keys, strict=True)
        if any(same(item, wanted) for wanted in search)
    ]


# --------------------------------------------------------------------------
# Sets
# --------------------------------------------------------------------------


def _sets(args: list[Value]) -> list[list[Value]]:
    """All arguments as sets of one unified element type."""
    lists = [to_list(argument) for argument in args]
    target = unify([type_of(item) for items in lists for item in items])
    return [set_order([convert(item, target) for item in items]) for items in lists]


@function("setunion", 1, None)
def _setunion(args: list[Value], _: FunctionContext) -> Value:
    return set_order([item for items in _sets(args) for item in items])


@function("setintersection", 1, None)
def _setintersection(args: list[Value], _: FunctionContext) -> Value:
    sets = _sets(args)
    others = [{key(item) for item in items} for items in sets[1:]]
    return [item for item in sets[0] if all(key(item) in other for other in others)]


@function("setsubtract", 2)
def _setsubtract(args: list[Value], _: FunctionContext) -> Value:
    first, second = _sets(args)
    removed = {key(item) for item in second}
    return [item for item in first if key(item) not in removed]


@function("setproduct", 2, None, keep_marks=True)
def _setproduct(args: list[Value], _: FunctionContext) -> Value:
    lists = [sequence(argument) for argument in args]
    size = 1
    for items in lists:
        size *= len(items)
        check_size(size)
    return [list(combination) for combination in itertools.product(*lists)]


# --------------------------------------------------------------------------
# Maps and objects
# --------------------------------------------------------------------------


@function("keys", 1, keep_marks=True, partial=(0,))
def _keys(args: list[Value], _: FunctionContext) -> Value:
    return sorted(mapping(args[0]))


@function("values", 1, keep_marks=True, partial=(0,))
def _values(args: list[Value], _: FunctionContext) -> Value:
    value = mapping(args[0])
    return [value[name] for name in sorted(value)]


@function("lookup", 2, 3, allow_null=True, keep_marks=True, partial=(0,))
def _lookup(args: list[Value], _: FunctionContext) -> Value:
    if args[0] is None or args[1] is None:
        raise EvaluationError("argument must not be null")
    value = mapping(args[0])
    name = to_string(args[1])
    if name in value:
        return value[name]
    if len(args) == 3:
        return args[2]
    raise EvaluationError("lookup failed to find the key")


@function("zipmap", 2, keep_marks=True, partial=(1,))
def _zipmap(args: list[Value], _: FunctionContext) -> Value:
    names = strings(args[0])
    values = sequence(args[1])
    if len(names) != len(values):
        raise EvaluationError("number of keys and values must be equal")
    result = dict(zip(names, values, strict=True))
    return {name: result[name] for name in sorted(result)}


@function("transpose", 1)
def _transpose(args: list[Value], _: FunctionContext) -> Value:
    value = mapping(args[0])
    result: dict[str, list[str]] = {}
    for name in sorted(value):
        for item in strings(value[name]):
            result.setdefault(item, []).append(name)
    return {name: result[name] for name in sorted(result)}


# --------------------------------------------------------------------------
# Type conversions
# --------------------------------------------------------------------------


@function("tostring", 1, allow_null=True)
def _tostring(args: list[Value], _: FunctionContext) -> Value:
    return convert(args[0], STRING)


@function("tonumber", 1, allow_null=True)
def _tonumber(args: list[Value], _: FunctionContext) -> Value:
    return None if args[0] is None else to_number(args[0])


@function("tobool", 1, allow_null=True)
def _tobool(args: list[Value], _: FunctionContext) -> Value:
    return None if args[0] is None else to_bool(args[0])


@function("tolist", 1, allow_null=True, keep_marks=True)
def _tolist(args: list[Value], _: FunctionContext) -> Value:
    return convert(args[0], ("list", DYNAMIC))


@function("toset", 1, allow_null=True)
def _toset(args: list[Value], _: FunctionContext) -> Value:
    return convert(args[0], ("set", DYNAMIC))


@function("tomap", 1, allow_null=True, keep_marks=True)
def _tomap(args: list[Value], _: FunctionContext) -> Value:
    return convert(args[0], ("map", DYNAMIC))

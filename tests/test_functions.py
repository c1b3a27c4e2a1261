"""The function library's contract beyond single values: every name, marks, unknowns, files.

What Terraform computes is tested against ``terraform console`` in test_console_cases.py; here:

* every name in ``FUNCTION_NAMES`` answers plausible and wrong-typed arguments with a value or
  Unknown, never an exception, and property-based fuzzing finds no exception other than
  ``EvaluationError`` (which ``call`` turns into Unknown);
* marks (``sensitive``, ``nonsensitive``, the default whole-result mark, marks left in place)
  and unknowns (the default, and the functions that keep what is known);
* what can never be known before apply (``timestamp``, provider functions) and what orylint does
  not evaluate, and the file functions' limits (regular files only, a base directory needed).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orylint.terraform.functions import (
    CHANGING,
    FUNCTION_NAMES,
    Context,
    EvaluationError,
    call,
    call_strict,
)
from orylint.terraform.functions._core import REGISTRY
from orylint.terraform.functions.filesystem import MAX_FILE_SIZE
from orylint.terraform.values import Sensitive, Unknown, is_known, is_sensitive

FILES = Path(__file__).resolve().parent / "fixtures" / "console" / "files"
CONTEXT = Context(module_dir=str(FILES), render_template=lambda text, variables: text)

# --------------------------------------------------------------------------
# Every name
# --------------------------------------------------------------------------

S = Sensitive
U = Unknown("test")

#: Plausible arguments for every function, then a few wrong-typed ones.
ARGUMENTS: dict[str, list[tuple[object, ...]]] = {
    "abs": [(-1.5,), ("x",)],
    "abspath": [("/a/../b",), ("rel",)],
    "alltrue": [([True, "true"],), ("x",)],
    "anytrue": [([False],), ({"a": 1},)],
    "base64decode": [("aGk=",), ("%%%",)],
    "base64encode": [("hi",), ([1],)],
    "base64gzip": [("hi",)],
    "base64sha256": [("hi",), (None,)],
    "base64sha512": [("hi",)],
    "basename": [("a/b",), (1,)],
    "bcrypt": [("secret",)],
    "can": [(1,)],
    "ceil": [(1.2,), ("1.2",), ([],)],
    "chomp": [("a\n",), ({},)],
    "chunklist": [(["a", "b"], 1), ("a", 1)],
    "cidrhost": [("10.0.0.0/8", 2)],
    "cidrnetmask": [("10.0.0.0/8",)],
    "cidrsubnet": [("10.0.0.0/8", 8, 2)],
    "cidrsubnets": [("10.0.0.0/8", 8, 8)],
    "coalesce": [(None, "a"), ([], {})],
    "coalescelist": [([], ["a"]), ("a",)],
    "compact": [(["a", ""],), ("a",)],
    "concat": [(["a"], [1]), ("a",)],
    "contains": [(["a"], "a"), ("a", "a")],
    "csvdecode": [("a,b\n1,2\n",)],
    "dirname": [("a/b",), (True,)],
    "distinct": [(["a", "a"],), ({"a": 1},)],
    "element": [(["a"], 3), (["a"], "x")],
    "endswith": [("ab", "b"), ([], "b")],
    "ephemeralasnull": [("x",)],
    "file": [("hello.txt",), ("missing",), ([],)],
    "filebase64": [("binary.dat",)],
    "filebase64sha256": [("hello.txt",)],
    "filebase64sha512": [("hello.txt",)],
    "fileexists": [("hello.txt",), ("sub",)],
    "filemd5": [("hello.txt",)],
    "fileset": [(".", "*.txt")],
    "filesha1": [("hello.txt",)],
    "filesha256": [("hello.txt",)],
    "filesha512": [("hello.txt",)],
    "flatten": [([["a"], "b"],), ("a",)],
    "floor": [(1.8,), (None,)],
    "format": [("%s-%d", "a", 1), ("%d", "x"), (1, 2)],
    "formatdate": [("YYYY", "2024-01-01T00:00:00Z")],
    "formatlist": [("%s", ["a", "b"]), ("%s", ["a"], ["b", "c"])],
    "indent": [(2, "a\nb"), ("x", "a")],
    "index": [(["a"], "a"), (["a"], "b")],
    "issensitive": [(S("x"),), ("x",)],
    "join": [(",", ["a", 1]), (",", "a")],
    "jsondecode": [('{"a": [1]}',), ("{",)],
    "jsonencode": [({"a": [1, None]},), (float("nan"),)],
    "keys": [({"b": 1, "a": 2},), ([1],)],
    "length": [("héllo",), (5,)],
    "log": [(8, 2), (0, 0)],
    "lookup": [({"a": 1}, "a"), ({"a": 1}, "b")],
    "lower": [("ABC",), ([],)],
    "matchkeys": [(["a"], ["x"], ["x"]), (["a"], [], [])],
    "max": [(1, "2"), ()],
    "md5": [("a",), (S("a"),)],
    "merge": [({"a": 1}, None), ([1],)],
    "min": [(1, 2), ("x",)],
    "nonsensitive": [(S("x"),), ("x",)],
    "one": [(["a"],), (["a", "b"],)],
    "parseint": [("ff", 16), ("zz", 2)],
    "pathexpand": [("~/x",), ("/x",)],
    "plantimestamp": [()],
    "pow": [(2, 10), (-8, 0.5)],
    "range": [(3,), (0, 10**9)],
    "regex": [("(a)(b)", "ab"), ("(", "a")],
    "regexall": [("a", "aa"), ("(a+)+", "aa")],
    "replace": [("abc", "/b/", "x"), ("abc", "b", [])],
    "reverse": [(["a", "b"],), ("ab",)],
    "rsadecrypt": [("x", "key")],
    "sensitive": [("x",), (None,)],
    "setintersection": [(["a"], ["a"]), (["a"], [[1]])],
    "setproduct": [(["a"], ["b"]), (["a"],)],
    "setsubtract": [(["a"], ["a"]), ("a", "b")],
    "setunion": [(["a"], [1]), ([1], [True])],
    "sha1": [("a",)],
    "sha256": [("a",)],
    "sha512": [("a",)],
    "signum": [(-2,), (0.5,)],
    "slice": [(["a", "b"], 0, 1), (["a"], 1, 0)],
    "sort": [(["b", "a"],), ([None],)],
    "split": [(",", "a,b"), (",", None)],
    "startswith": [("ab", "a"), (1, 1)],
    "strcontains": [("ab", "b"), ({}, "b")],
    "strrev": [("ab",), ([],)],
    "substr": [("hello", 1, 2), ("hello", 1.5, 1)],
    "sum": [([1, 2.5],), ([],)],
    "templatefile": [("greeting.tftpl", {"name": "x"}), ("greeting.tftpl", "x")],
    "templatestring": [("${a}", {"a": 1})],
    "textdecodebase64": [("aGk=", "UTF-8")],
    "textencodebase64": [("hi", "UTF-16LE")],
    "timeadd": [("2024-01-01T00:00:00Z", "1h")],
    "timecmp": [("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z")],
    "timestamp": [()],
    "title": [("hello world",), (1,)],
    "tobool": [("true",), ("yes",)],
    "tolist": [(["a", 1],), ([1, True],)],
    "tomap": [({"a": 1},), (["a"],)],
    "tonumber": [("1e3",), ("x",)],
    "toset": [(["b", "a"],), ("a",)],
    "tostring": [(1.5,), ([],)],
    "transpose": [({"a": ["1"]},), ({"a": 1},)],
    "trim": [("?a?", "?"), ("a", [])],
    "trimprefix": [("ab", "a"), (None, "a")],
    "trimspace": [(" a ",), ({},)],
    "trimsuffix": [("ab", "b"), ("ab", {})],
    "try": [(1,)],
    "upper": [("abc",), ([],)],
    "urlencode": [("a b",), ([],)],
    "uuid": [()],
    "uuidv5": [("dns", "example.com"), ("nope", "x")],
    "values": [({"a": 1},), ("a",)],
    "yamldecode": [("a: 1",)],
    "yamlencode": [({"a": 1},)],
    "zipmap": [(["a"], [1]), (["a"], [])],
}


ISSUE_LIST = frozenset(
    """jsonencode jsondecode join split concat format formatlist lower upper trimspace trim
    trimprefix trimsuffix replace regex regexall distinct flatten toset tolist tomap tostring
    tonumber tobool merge lookup coalesce coalescelist compact contains length keys values
    element slice sort reverse zipmap setunion setintersection setsubtract startswith endswith
    strcontains substr title chomp indent base64encode base64decode urlencode sensitive
    nonsensitive one range min max abs ceil floor parseint index chunklist transpose alltrue
    anytrue sum file fileexists templatefile md5 sha1 sha256 sha512""".split()  # noqa: SIM905
)


def test_the_argument_table_covers_every_function() -> None:
    assert set(ARGUMENTS) == FUNCTION_NAMES


def test_every_registered_function_is_a_terraform_function() -> None:
    assert set(REGISTRY) <= FUNCTION_NAMES
    # the issue's list, all evaluated (not merely named)
    missing = ISSUE_LIST - set(REGISTRY)
    assert not missing


@pytest.mark.parametrize("name", sorted(FUNCTION_NAMES))
def test_every_function_answers_without_raising(name: str) -> None:
    for arguments in ARGUMENTS[name]:
        result = call(name, arguments, CONTEXT)
        assert result is not None or name in ("one", "ephemeralasnull", "lookup", "coalesce")
        # and the same through every argument made unknown or sensitive
        for index in range(len(arguments)):
            changed = list(arguments)
            changed[index] = U
            call(name, changed, CONTEXT)
            changed[index] = S(arguments[index])
            call(name, changed, CONTEXT)


def test_wrong_arguments_are_unknown_with_terraforms_reason() -> None:
    assert call("element", [["a"], -1]) == Unknown(
        "element(): cannot use element function with a negative index"
    )
    assert isinstance(call("tonumber", ["x"]), Unknown)
    assert isinstance(call("upper", []), Unknown)  # wrong number of arguments
    assert isinstance(call("upper", ["a", "b"]), Unknown)
    with pytest.raises(EvaluationError, match="negative index"):
        call_strict("element", [["a"], -1])


def test_reasons_never_quote_a_value() -> None:
    secret = "s3cr3t-value"
    for name, arguments in [
        ("tonumber", [secret]),
        ("parseint", [secret, 10]),
        ("lookup", [{"a": 1}, secret]),
        ("tobool", [secret]),
        ("base64decode", [secret]),
        ("jsondecode", [secret]),
        ("element", [[], secret]),
    ]:
        result = call(name, arguments)
        assert isinstance(result, Unknown) and secret not in result.reason, name


def test_what_changes_every_run_is_unknown() -> None:
    for name in sorted(CHANGING):
        assert isinstance(call(name, []), Unknown), name
    assert isinstance(call("bcrypt", ["secret"]), Unknown)


def test_names_outside_the_library() -> None:
    assert call("core::upper", ["a"]) == "A"
    assert isinstance(call("provider::terraform::encode_tfvars", [{}]), Unknown)
    assert isinstance(call("provider::aws::arn_parse", ["x"]), Unknown)
    assert isinstance(call("no_such_function", []), Unknown)
    assert isinstance(call("try", [1]), Unknown)  # the evaluator's, lazily
    assert isinstance(call("can", [1]), Unknown)
    assert isinstance(call("cidrhost", ["10.0.0.0/8", 2]), Unknown)  # not evaluated by orylint


# --------------------------------------------------------------------------
# Fuzzing
# --------------------------------------------------------------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([5000, 4000, 63]).map(lambda digits: -(10**digits)),  # too long to print
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["", "a", "%s", "%d", "%.2f", "/a+/", "(a)", "hello.txt", "1e3", "true"]),
    st.text(alphabet="ab()[]{}*+?|^$.\\-:,0123456789dswbpPQEzAx<>?imsU", max_size=10),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
        inner.map(Sensitive),
        st.just(Unknown("fuzz")),
    ),
    max_leaves=8,
)


@settings(
    max_examples=2000,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    name=st.sampled_from(sorted(FUNCTION_NAMES)),
    arguments=st.lists(_VALUES, max_size=4),
)
def test_fuzz_no_exception_but_evaluation_error(name: str, arguments: list[object]) -> None:
    with contextlib.suppress(EvaluationError):
        call_strict(name, arguments, CONTEXT)
    assert call(name, arguments, CONTEXT) is not ...  # and call() never raises


@settings(max_examples=800, deadline=None, database=None)
@given(
    pattern=st.text(alphabet="ab()[]{}*+?|^$.\\-:,0123dswbBpQEzAx<>PimsU", max_size=14),
    text=st.text(alphabet="ab\n -_1", max_size=12),
)
def test_fuzz_regular_expressions(pattern: str, text: str) -> None:
    for name in ("regex", "regexall"):
        call(name, [pattern, text])
    call("replace", [text, f"/{pattern}/", "$1-${0}"])


# --------------------------------------------------------------------------
# Marks
# --------------------------------------------------------------------------


def test_sensitive_and_nonsensitive() -> None:
    assert call("sensitive", ["s"]) == Sensitive("s")
    assert call("sensitive", [Sensitive("s")]) == Sensitive("s")  # marked once
    assert call("nonsensitive", [Sensitive("s")]) == "s"
    assert call("nonsensitive", ["s"]) == "s"  # Terraform 1.11 accepts it
    # only the mark on the value itself goes: marks inside stay (as in Terraform)
    assert call("nonsensitive", [{"a": Sensitive(1)}]) == {"a": Sensitive(1)}
    assert call("issensitive", [Sensitive(1)]) is True
    assert call("issensitive", [{"a": Sensitive(1)}]) is False
    assert isinstance(call("issensitive", [U]), Unknown)
    assert call("issensitive", [Sensitive(U)]) is True
    assert call("sensitive", [U]) == Sensitive(U)


def test_marks_mark_the_whole_result_by_default() -> None:
    assert call("upper", [Sensitive("a")]) == Sensitive("A")
    assert call("join", [",", ["a", Sensitive("b")]]) == Sensitive("a,b")
    assert call("jsonencode", [{"a": Sensitive("s")}]) == Sensitive('{"a":"s"}')
    assert call("toset", [["b", Sensitive("a")]]) == Sensitive(["a", "b"])
    assert call("upper", ["a"]) == "A"


def test_functions_that_move_elements_leave_their_marks_in_place() -> None:
    assert call("concat", [[Sensitive("a")], ["b"]]) == [Sensitive("a"), "b"]
    assert call("concat", [Sensitive(["a"]), ["b"]]) == Sensitive(["a", "b"])
    assert call("merge", [{"a": Sensitive(1)}, {"b": 2}]) == {"a": Sensitive(1), "b": 2}
    assert call("element", [[Sensitive("a"), "b"], 1]) == "b"
    assert call("element", [[Sensitive("a"), "b"], 0]) == Sensitive("a")
    assert call("lookup", [{"a": Sensitive("x"), "b": "y"}, "b"]) == "y"
    assert call("tolist", [[Sensitive("a"), "b"]]) == [Sensitive("a"), "b"]
    assert call("tolist", [[Sensitive(1), "b"]]) == [Sensitive("1"), "b"]  # converted in place
    assert call("flatten", [[Sensitive(["a"]), ["b"]]]) == [Sensitive("a"), "b"]
    assert call("length", [[Sensitive("a"), "b"]]) == 2
    assert call("length", [Sensitive(["a"])]) == Sensitive(1)
    assert call("keys", [{"a": Sensitive(1)}]) == ["a"]


# --------------------------------------------------------------------------
# Unknowns
# --------------------------------------------------------------------------


def test_an_unknown_argument_makes_the_result_unknown() -> None:
    assert isinstance(call("upper", [U]), Unknown)
    assert isinstance(call("join", [",", ["a", U]]), Unknown)
    assert isinstance(call("jsonencode", [{"a": [U]}]), Unknown)
    marked = call("upper", [Sensitive(U)])
    assert not is_known(marked) and is_sensitive(marked)


def test_functions_that_keep_what_is_known() -> None:
    assert call("length", [["a", U]]) == 2
    assert isinstance(call("length", [U]), Unknown)
    assert call("concat", [["a"], [U]]) == ["a", U]
    assert isinstance(call("concat", [["a"], U]), Unknown)
    assert call("merge", [{"a": 1}, {"b": U}]) == {"a": 1, "b": U}
    assert isinstance(call("merge", [{"a": 1}, U]), Unknown)
    assert call("coalesce", [None, "a", U]) == "a"
    assert isinstance(call("coalesce", [U, "a"]), Unknown)
    assert call("element", [["a", U], 0]) == "a"


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------


def test_files_need_a_base_directory_and_stay_regular(tmp_path: Path) -> None:
    assert isinstance(call("file", ["hello.txt"], Context()), Unknown)
    assert call("file", [str(FILES / "hello.txt")], Context()) == "héllo, wörld\nsecond line\n"
    assert isinstance(call("file", ["~/.ssh/id_rsa"], CONTEXT), Unknown)
    assert isinstance(call("fileexists", ["~/x"], CONTEXT), Unknown)
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (MAX_FILE_SIZE + 1))
    result = call("file", ["big.txt"], Context(module_dir=str(tmp_path)))
    assert isinstance(result, Unknown) and "too large" in result.reason
    assert isinstance(call("file", ["/dev/zero"], CONTEXT), Unknown)
    assert isinstance(call("file", ["sub"], CONTEXT), Unknown)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = call("file", ["pipe"], Context(module_dir=str(tmp_path)))
    assert isinstance(result, Unknown) and "not a regular file" in result.reason
    assert time.monotonic() - started < 5


def test_templatefile_uses_the_evaluators_renderer() -> None:
    seen: list[tuple[str, object]] = []

    def render(text: str, variables: object) -> object:
        seen.append((text, variables))
        return "rendered"

    context = Context(module_dir=str(FILES), render_template=render)
    assert call("templatefile", ["greeting.tftpl", {"name": "x"}], context) == "rendered"
    assert seen == [("Hello, ${name}! Redirect: ${uri}\n", {"name": "x"})]
    without = Context(module_dir=str(FILES))
    assert isinstance(call("templatefile", ["greeting.tftpl", {}], without), Unknown)
    assert call("templatefile", ["greeting.tftpl", {"n": Sensitive("x")}], context) == Sensitive(
        "rendered"
    )


# --------------------------------------------------------------------------
# Regular expressions orylint refuses rather than guesses
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [r"(a+)+b", r"(a*)*", r"\pL", r"\p{Greek}", r"(?U)a+", r"a(?i)b", r"[[:^alpha:]]", r"\1"],
)
def test_untranslatable_patterns_are_unknown(pattern: str) -> None:
    started = time.monotonic()
    result = call("regex", [pattern, "a" * 40 + "!"])
    assert isinstance(result, Unknown)
    assert time.monotonic() - started < 1


def test_numbers_too_long_to_print_are_unknown() -> None:
    # Python refuses to print integers of more than 4300 digits; orylint never tries
    for name, arguments in [
        ("tostring", [10**5000]),
        ("format", ["%d", 10**5000]),
        ("tonumber", ["1e5000"]),
        ("parseint", ["9" * 5000, 10]),
        ("abs", [-(10**5000)]),
    ]:
        assert isinstance(call(name, arguments), Unknown), name
    assert call("abs", [-(10**3000)]) == 10**3000


def test_values_nested_too_deeply_are_unknown() -> None:
    deep: list[object] = []
    inner = deep
    for _ in range(5000):
        inner.append([])
        inner = inner[0]  # type: ignore[assignment]
    assert isinstance(call("distinct", [[deep]]), Unknown)
    assert isinstance(call("jsondecode", ["[" * 300 + "]" * 300]), Unknown)
    decoded = call("jsondecode", ["[" * 200 + "]" * 200])
    assert isinstance(decoded, list) and len(decoded) == 1


def test_huge_results_are_unknown_not_built() -> None:
    assert isinstance(call("indent", [10**6, "a\n" * 1000]), Unknown)
    assert isinstance(call("range", [0, 10**9]), Unknown)
    assert isinstance(call("setproduct", [list(range(1000)), list(range(1000)), [1, 2]]), Unknown)
    assert isinstance(call("format", ["%999999999d", 1]), Unknown)

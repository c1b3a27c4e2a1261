"""Root variables: type constraints, cty conversion, precedence, provenance (issue 9, part B).

Every expected value below was recorded from real Terraform 1.11.4, offline (``terraform
console`` with ``TF_CLI_CONFIG_FILE`` pointing at an empty file, a ``variable`` block and a
``terraform.tfvars``/``-var``/``TF_VAR_``), as the JSON that ``jsonencode(var.x)`` printed or the
reason of Terraform's "Invalid value for input variable" error. None is computed by orylint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from orylint.terraform.document import Document
from orylint.terraform.hcl_loader import load_hcl
from orylint.terraform.tfjson_loader import load_tf_json
from orylint.terraform.types import (
    NUMBER,
    STRING,
    ConversionError,
    TypeExpressionError,
    convert,
    list_of,
    make_set,
    parse_type_string,
    set_of,
)
from orylint.terraform.values import Sensitive, Unknown, is_known, is_sensitive
from orylint.terraform.variables import (
    NO_VALUE,
    ResolvedVariable,
    VariableDiagnostic,
    resolve_root_variables,
)


@dataclass(frozen=True)
class Case:
    """A type constraint, a value as written in a .tfvars file, and what Terraform made of it."""

    type: str
    value: str
    json: str | None = None
    error: str | None = None


def canonical(value: object) -> str:
    """JSON that tells ``1`` from ``1.0`` from ``true``, as ``jsonencode`` does."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def tfvars_value(text: str) -> object:
    document = load_hcl("t.tfvars", f"x = {text}\n")
    assert isinstance(document, Document)
    return document.attributes[0].attribute.value


# Recorded with `terraform console`: `variable "x" { type = TYPE }`, `x = VALUE` in
# terraform.tfvars, `jsonencode(var.x)`.
CONVERSIONS = [
    Case("string", "5", json='"5"'),
    Case("string", "true", json='"true"'),
    Case("string", "1.5", json='"1.5"'),
    Case("string", "1e3", json='"1000"'),
    Case("string", "0.1", json='"0.1"'),
    Case("string", "1e-7", json='"0.0000001"'),
    Case("string", "123456789012345678901234567890", json='"123456789012345678901234567890"'),
    Case("string", "null", json="null"),
    Case("string", "[1]", error="string required"),
    Case("string", "{a = 1}", error="string required"),
    Case("number", '"42"', json="42"),
    Case("number", '"1e3"', json="1000"),
    Case("number", '"0.1"', json="0.1"),
    Case("number", '"abc"', error="a number is required"),
    Case("number", "true", error="number required"),
    Case("number", '" 5"', error="a number is required"),
    Case("number", '"+5"', json="5"),
    Case("number", '"-0.5"', json="-0.5"),
    Case("number", '".5"', json="0.5"),
    Case("number", '"5."', json="5"),
    Case("number", '"0x10"', error="a number is required"),
    Case("number", '"1_000"', error="a number is required"),
    Case("number", '"123456789012345678901234567890"', json="123456789012345678901234567890"),
    Case("bool", '"true"', json="true"),
    Case("bool", '"1"', json="true"),
    Case("bool", '"0"', json="false"),
    Case(
        "bool", '"True"', error='a bool is required; to convert from string, use lowercase "true"'
    ),
    Case(
        "bool", '"FALSE"', error='a bool is required; to convert from string, use lowercase "false"'
    ),
    Case("bool", '"yes"', error="a bool is required"),
    Case("bool", "1", error="bool required"),
    Case("list(string)", '[1, true, "a"]', json='["1","true","a"]'),
    Case("list(number)", '["1", 2]', json="[1,2]"),
    Case("list(number)", '[1, "a"]', error="a number is required"),
    Case("list(any)", '[1, "a"]', json='["1","a"]'),
    Case("list(any)", "[1, 2]", json="[1,2]"),
    Case("list(any)", "[1, true]", error="all list elements must have the same type"),
    Case("list(any)", '[[1], ["a"]]', json='[["1"],["a"]]'),
    Case("list(any)", '[{a = 1}, {a = "x"}]', json='[{"a":"1"},{"a":"x"}]'),
    Case("list(any)", "[{a = 1}, {b = 2}]", json='[{"a":1},{"b":2}]'),
    Case("list(any)", '[{a = 1}, {b = "x"}]', json='[{"a":"1"},{"b":"x"}]'),
    Case("list(string)", '"a"', error="list of string required"),
    Case("list(string)", "[]", json="[]"),
    Case("list(any)", "[]", json="[]"),
    Case("list(any)", "[null, 1]", json="[null,1]"),
    Case("set(string)", '["b", "a", "b"]', json='["a","b"]'),
    Case("set(number)", "[10, 9, 100, 9.5]", json="[9,9.5,10,100]"),
    Case("set(bool)", "[true, false, true]", json="[false,true]"),
    Case("set(string)", '["b", null, "a"]', json='["a","b",null]'),
    Case("set(any)", '[1, "1"]', json='["1"]'),
    Case(
        "set(object({a = string}))",
        '[{a = "y"}, {a = "x"}, {a = "y"}]',
        json='[{"a":"x"},{"a":"y"}]',
    ),
    Case("map(string)", "{a = 1, b = true}", json='{"a":"1","b":"true"}'),
    Case("map(number)", '{a = "1"}', json='{"a":1}'),
    Case("map(any)", '{a = 1, b = "x"}', json='{"a":"1","b":"x"}'),
    Case("map(any)", '{a = [1], b = ["x"]}', json='{"a":["1"],"b":["x"]}'),
    Case("map(string)", "{a = [1]}", error='element "a": string required'),
    Case("map(list(string))", "{a = [1, 2], b = []}", json='{"a":["1","2"],"b":[]}'),
    Case("map(any)", "{a = 1, b = true}", error="all map elements must have the same type"),
    Case("map(string)", "{}", json="{}"),
    Case("map(string)", '["a"]', error="map of string required"),
    Case("list(set(string))", '[["b", "a"]]', json='[["a","b"]]'),
    Case("list(map(string))", "[{a = 1}]", json='[{"a":"1"}]'),
    Case("list(list(any))", '[[1], ["a"]]', json='[["1"],["a"]]'),
    Case("object({a = string})", "{a = 1, b = 2}", json='{"a":"1"}'),
    Case("object({a = string, b = number})", '{a = "x"}', error='attribute "b" is required'),
    Case(
        "object({a = string, b = number, c = bool})",
        "{}",
        error='attributes "a", "b", and "c" are required',
    ),
    Case("object({a = string, b = number})", "{}", error='attributes "a" and "b" are required'),
    Case("object({a = optional(string)})", "{}", json='{"a":null}'),
    Case('object({a = optional(string, "d")})', "{}", json='{"a":"d"}'),
    Case('object({a = optional(string, "d")})', "{a = null}", json='{"a":"d"}'),
    Case("object({a = optional(number, 1)})", '{a = "7"}', json='{"a":7}'),
    Case(
        'object({o = optional(object({p = optional(string, "pp"), q = optional(number)}), {})})',
        "{}",
        json='{"o":{"p":"pp","q":null}}',
    ),
    Case(
        'object({o = optional(object({p = optional(string, "pp"), q = optional(number)}), {})})',
        "{o = {}}",
        json='{"o":{"p":"pp","q":null}}',
    ),
    Case(
        'object({o = optional(object({p = optional(string, "pp"), q = optional(number)}), {})})',
        '{o = {q = "1"}}',
        json='{"o":{"p":"pp","q":1}}',
    ),
    Case(
        'object({o = optional(object({p = optional(string, "pp"), q = optional(number)}))})',
        "{}",
        json='{"o":null}',
    ),
    Case(
        "list(object({n = string, port = optional(number, 443)}))",
        '[{n = "a"}, {n = "b", port = 8443}]',
        json='[{"n":"a","port":443},{"n":"b","port":8443}]',
    ),
    Case(
        "map(object({uris = optional(list(string), [])}))",
        '{web = {}, api = {uris = ["x"]}}',
        json='{"api":{"uris":["x"]},"web":{"uris":[]}}',
    ),
    Case("object({a = number})", '{a = "x"}', error="a number is required"),
    Case("object({a = string})", '"str"', error="object required"),
    Case("object({a = list(string)})", '{a = "x"}', error='attribute "a": list of string required'),
    Case("object({a = object({b = number})})", '{a = {b = "no"}}', error="a number is required"),
    Case("list(object({a = number}))", '[{a = 1}, {a = "x"}]', error="a number is required"),
    Case("object({l = optional(list(string), [1])})", "{}", json='{"l":["1"]}'),
    Case("object({a = optional(list(string))})", "{a = null}", json='{"a":null}'),
    Case("tuple([string, number])", '[1, "2"]', json='["1",2]'),
    Case("tuple([string, number])", "[1]", error="tuple required"),
    Case("tuple([string])", '"x"', error="tuple required"),
    Case("any", '[1, "a"]', json='[1,"a"]'),
    Case("any", "{a = 1}", json='{"a":1}'),
    Case("any", "null", json="null"),
    Case("", '[1, "a"]', json='[1,"a"]'),
    Case(
        'map(object({a = optional(string, "z")}))',
        '{k = {}, l = {a = "b"}}',
        json='{"k":{"a":"z"},"l":{"a":"b"}}',
    ),
    Case('set(object({a = optional(string, "z")}))', '[{}, {a = "z"}]', json='[{"a":"z"}]'),
    Case("object({a = map(string)})", '{a = {x = 1, y = "2"}}', json='{"a":{"x":"1","y":"2"}}'),
    Case("list(string)", '["a", null]', json='["a",null]'),
    Case("list(number)", '["1.50"]', json="[1.5]"),
]


@pytest.mark.parametrize("case", CONVERSIONS, ids=lambda c: f"{c.type or 'untyped'}<-{c.value}")
def test_conversion_matches_terraform(case: Case) -> None:
    constraint = parse_type_string(case.type) if case.type else None
    value = tfvars_value(case.value)
    if case.error is None:
        assert constraint is not None or case.type == ""
        result = convert(value, constraint) if constraint else value
        assert canonical(result) == canonical(json.loads(case.json or "null"))
    else:
        assert constraint is not None
        with pytest.raises(ConversionError) as caught:
            convert(value, constraint)
        assert caught.value.message == case.error


def test_the_table_is_big_enough() -> None:
    assert len(CONVERSIONS) >= 60
    assert sum(case.error is not None for case in CONVERSIONS) >= 15
    assert sum("optional(" in case.type for case in CONVERSIONS) >= 10


def resolve(
    tmp_path: Path,
    declarations: str,
    files: dict[str, str] | None = None,
    **kwargs: object,
) -> tuple[dict[str, ResolvedVariable], list[VariableDiagnostic]]:
    """Write the module and its files into ``tmp_path`` and resolve its root variables there."""
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = str(tmp_path / "variables.tf")
    document = load_hcl(path, declarations)
    assert isinstance(document, Document)
    diagnostics: list[VariableDiagnostic] = []
    resolved = resolve_root_variables(
        document.blocks,
        str(tmp_path),
        diagnostics=diagnostics,
        **kwargs,  # type: ignore[arg-type]
    )
    return resolved, diagnostics


@pytest.mark.parametrize(
    "case", [c for c in CONVERSIONS if c.type][::3], ids=lambda c: f"{c.type}<-{c.value}"
)
def test_conversion_end_to_end_through_terraform_tfvars(tmp_path: Path, case: Case) -> None:
    """The same cases through a real declaration (native syntax) and terraform.tfvars."""
    resolved, diagnostics = resolve(
        tmp_path,
        f'variable "x" {{\n  type = {case.type}\n}}\n',
        {"terraform.tfvars": f"x = {case.value}\n"},
    )
    variable = resolved["x"]
    if case.error is None:
        assert not diagnostics
        assert canonical(variable.value) == canonical(json.loads(case.json or "null"))
        assert variable.source == "file"
    else:
        assert isinstance(variable.value, Unknown)
        [diagnostic] = diagnostics
        assert case.error in diagnostic.message
        assert diagnostic.span is not None and diagnostic.span.path.endswith("terraform.tfvars")


# --- precedence -----------------------------------------------------------------------------------

# Every source sets var.x to its own name. Recorded with Terraform by enabling two sources at a
# time: the later one in this list won every pair (TF_VAR_ is the lowest after the default).
SOURCES = [
    "default",
    "TF_VAR_x",
    "terraform.tfvars",
    "terraform.tfvars.json",
    "a.auto.tfvars",
    "b.auto.tfvars.json",
    "c.auto.tfvars",
    "one.tfvars",  # --var-file
    "-var",
]
SOURCE_FILES = {
    "terraform.tfvars": 'x = "terraform.tfvars"\n',
    "terraform.tfvars.json": '{"x": "terraform.tfvars.json"}\n',
    "a.auto.tfvars": 'x = "a.auto.tfvars"\n',
    "b.auto.tfvars.json": '{"x": "b.auto.tfvars.json"}\n',
    "c.auto.tfvars": 'x = "c.auto.tfvars"\n',
    "one.tfvars": 'x = "one.tfvars"\n',
}
DECLARATION = 'variable "x" {\n  default = "default"\n}\n'


def resolve_sources(tmp_path: Path, enabled: set[str]) -> ResolvedVariable:
    files = {name: text for name, text in SOURCE_FILES.items() if name in enabled}
    resolved, diagnostics = resolve(
        tmp_path,
        DECLARATION,
        files,
        var_files=[str(tmp_path / "one.tfvars")] if "one.tfvars" in enabled else [],
        vars={"x": "-var"} if "-var" in enabled else {},
        environ={"TF_VAR_x": "TF_VAR_x", "HOME": "/"} if "TF_VAR_x" in enabled else {},
    )
    assert not diagnostics
    return resolved["x"]


@pytest.mark.parametrize(
    ("lower", "higher"),
    [(a, b) for i, a in enumerate(SOURCES) for b in SOURCES[i + 1 :]],
)
def test_precedence_every_source_against_every_other(
    tmp_path: Path, lower: str, higher: str
) -> None:
    assert resolve_sources(tmp_path, {lower, higher}).value == higher


def test_all_sources_at_once_the_command_line_wins(tmp_path: Path) -> None:
    assert resolve_sources(tmp_path, set(SOURCES)).value == "-var"
    assert resolve_sources(tmp_path, set(SOURCES) - {"-var"}).value == "one.tfvars"


def test_later_var_files_win_and_undeclared_values_in_files_are_ignored(tmp_path: Path) -> None:
    # Recorded: `-var-file one.tfvars -var-file two.tfvars` gives "two.tfvars", reversed "one".
    files = {"one.tfvars": 'x = "one"\nundeclared = 1\n', "two.tfvars": 'x = "two"\n'}
    for order, expected in ((["one", "two"], "two"), (["two", "one"], "one")):
        resolved, diagnostics = resolve(
            tmp_path,
            DECLARATION,
            files,
            var_files=[str(tmp_path / f"{name}.tfvars") for name in order],
        )
        assert resolved["x"].value == expected
        assert not diagnostics  # Terraform only warns about undeclared names in files


def test_auto_files_are_read_in_lexical_order_and_other_tfvars_are_not(tmp_path: Path) -> None:
    files = {
        "B.auto.tfvars": 'x = "B"\n',
        "a.auto.tfvars": 'x = "a"\n',  # "B" < "a" by code point
        "prod.tfvars": 'x = "prod"\n',
    }
    resolved, _ = resolve(tmp_path, DECLARATION, files)
    assert resolved["x"].value == "a"
    assert resolved["x"].origin == f"{tmp_path}/a.auto.tfvars:1"


# --- strings from -var and TF_VAR_ ----------------------------------------------------------------

# (type, the string given, what Terraform made of it with -var and with TF_VAR_x alike).
STRING_VALUES = [
    ("", "5", '"5"'),
    ("", "[1]", '"[1]"'),
    ("string", '["a"]', '"[\\"a\\"]"'),
    ("string", "null", '"null"'),
    ("number", "5", "5"),
    ("bool", "true", "true"),
    ("bool", "1", "true"),
    ("any", "5", "5"),
    ("any", '[1, "a"]', '[1,"a"]'),
    ("any", '"foo"', '"foo"'),
    ("any", "null", "null"),
    ("list(string)", '["a", 1]', '["a","1"]'),
    ("list(string)", '[\n"a"\n]', '["a"]'),
    ("map(number)", '{a = "1"}', '{"a":1}'),
    ('object({a = optional(string, "d")})', "{}", '{"a":"d"}'),
    ("list", '[1, "a"]', '["1","a"]'),
    ("map", "{a = 1}", '{"a":1}'),
]
# Terraform's errors for the same: conversion errors and expressions it refuses without scope.
STRING_ERRORS = [
    ("number", "0x10", "a number is required"),
    ("number", "", "a number is required"),
    ("any", "foo", "variables may not be used"),
    ("list(string)", "a", "variables may not be used"),
    ("any", 'upper("a")', "functions may not be called"),
]


@pytest.mark.parametrize(("type_", "text", "expected"), STRING_VALUES)
@pytest.mark.parametrize("via", ["-var", "TF_VAR_x"])
def test_strings_are_literal_for_primitive_types_and_hcl_otherwise(
    tmp_path: Path, type_: str, text: str, expected: str, via: str
) -> None:
    declaration = f'variable "x" {{\n  type = {type_}\n}}\n' if type_ else 'variable "x" {}\n'
    given = {"vars": {"x": text}} if via == "-var" else {"environ": {"TF_VAR_x": text}}
    resolved, diagnostics = resolve(tmp_path, declaration, **given)  # type: ignore[arg-type]
    assert not diagnostics
    assert canonical(resolved["x"].value) == expected
    assert resolved["x"].origin == via
    assert resolved["x"].span is None


@pytest.mark.parametrize(("type_", "text", "reason"), STRING_ERRORS)
def test_strings_terraform_rejects_leave_the_variable_unknown(
    tmp_path: Path, type_: str, text: str, reason: str
) -> None:
    declaration = f'variable "x" {{\n  type = {type_}\n}}\n'
    resolved, diagnostics = resolve(tmp_path, declaration, vars={"x": text})
    assert isinstance(resolved["x"].value, Unknown)
    [diagnostic] = diagnostics
    assert reason in diagnostic.message and "var.x" in diagnostic.message


def test_an_undeclared_var_is_an_error_and_an_undeclared_tf_var_is_ignored(
    tmp_path: Path,
) -> None:
    resolved, diagnostics = resolve(
        tmp_path, DECLARATION, vars={"nope": "1"}, environ={"TF_VAR_other": "1"}
    )
    assert set(resolved) == {"x"}
    [diagnostic] = diagnostics
    assert "'nope'" in diagnostic.message and "--var" in diagnostic.message


# --- defaults, nullable, sensitive ----------------------------------------------------------------


def test_no_value_at_all_is_unknown(tmp_path: Path) -> None:
    resolved, diagnostics = resolve(tmp_path, 'variable "x" {\n  type = string\n}\n')
    assert resolved["x"].value == Unknown(NO_VALUE, "var.x")
    assert resolved["x"].source == "none"
    assert not diagnostics  # Terraform would prompt for it


def test_nullable_false_null_takes_the_default(tmp_path: Path) -> None:
    # Recorded: {"ok": "d"}; with nullable left true, null stays null.
    declaration = 'variable "x" {\n  nullable = false\n  default = "d"\n}\n'
    resolved, _ = resolve(tmp_path, declaration, {"terraform.tfvars": "x = null\n"})
    assert resolved["x"].value == "d"
    assert resolved["x"].source == "default"
    nullable = 'variable "x" {\n  default = "d"\n}\n'
    resolved, _ = resolve(tmp_path, nullable, {"terraform.tfvars": "x = null\n"})
    assert resolved["x"].value is None
    assert resolved["x"].source == "file"


def test_nullable_false_null_without_default_is_an_error(tmp_path: Path) -> None:
    # Recorded: "required variable may not be set to null".
    declaration = 'variable "x" {\n  nullable = false\n}\n'
    resolved, diagnostics = resolve(tmp_path, declaration, {"terraform.tfvars": "x = null\n"})
    assert isinstance(resolved["x"].value, Unknown)
    [diagnostic] = diagnostics
    assert "null" in diagnostic.message and "not nullable" in diagnostic.message


def test_defaults_are_converted_with_optional_attributes(tmp_path: Path) -> None:
    # Recorded: default {} gives {"a":3}; default null stays null.
    declaration = (
        'variable "x" {\n  type = object({a = optional(number, 3)})\n  default = {}\n}\n'
        'variable "y" {\n  type = object({a = optional(number, 3)})\n  default = null\n}\n'
    )
    resolved, diagnostics = resolve(tmp_path, declaration)
    assert resolved["x"].value == {"a": 3}
    assert resolved["y"].value is None
    assert not diagnostics


@pytest.mark.parametrize(
    ("declaration", "reason"),
    [
        # Recorded: "This default value is not compatible with the variable's type
        # constraint: a number is required."
        ('variable "x" {\n  type = number\n  default = "abc"\n}\n', "a number is required"),
        # Recorded: "A null default value is not valid when nullable=false."
        (
            'variable "x" {\n  nullable = false\n  type = string\n  default = null\n}\n',
            "nullable = false",
        ),
        ('variable "x" {\n  type = strin\n}\n', "'strin' is not a valid type"),
        ('variable "x" {\n  type = "string"\n}\n', "quotes"),
        ('variable "x" {\n  type = list(string, number)\n}\n', "requires one argument"),
        ('variable "x" {\n  type = object({a = optional()})\n}\n', "requires the attribute"),
        ('variable "x" {\n  type = optional(string)\n}\n', "only as a modifier"),
        ('variable "x" {\n  sensitive = var.y\n}\n', "sensitive must be true or false"),
        ('variable "x" {\n  default = upper("a")\n}\n', "functions may not be called"),
        ('variable "x" {\n  default = local.y\n}\n', "variables may not be used"),
    ],
)
def test_an_invalid_declaration_leaves_the_variable_unknown(
    tmp_path: Path, declaration: str, reason: str
) -> None:
    resolved, diagnostics = resolve(tmp_path, declaration, vars={"x": "1"})
    assert isinstance(resolved["x"].value, Unknown)
    [diagnostic] = diagnostics
    assert reason in diagnostic.message, diagnostic.message


def test_sensitive_marks_the_value_and_messages_never_show_it(tmp_path: Path) -> None:
    declaration = 'variable "x" {\n  type = list(string)\n  sensitive = true\n}\n'
    resolved, _ = resolve(tmp_path, declaration, {"terraform.tfvars": 'x = ["s3cr3t", 1]\n'})
    assert resolved["x"].value == Sensitive(["s3cr3t", "1"])
    assert resolved["x"].sensitive
    resolved, diagnostics = resolve(
        tmp_path, declaration, {"terraform.tfvars": 'x = {k = "s3cr3t"}\n'}
    )
    assert is_sensitive(resolved["x"].value) and not is_known(resolved["x"].value)
    [diagnostic] = diagnostics
    assert "s3cr3t" not in diagnostic.message and "sensitive" in diagnostic.message


# --- .tfvars files: positions, provenance, broken files -------------------------------------------


def test_tfvars_positions_and_provenance(tmp_path: Path) -> None:
    declaration = (
        'variable "ttl" {\n  type = string\n}\n'
        'variable "uris" {\n  type    = list(string)\n  default = ["https://a.example/cb"]\n}\n'
        'variable "mode" {\n  default = "x"\n}\n'
    )
    files = {
        "terraform.tfvars": '# lifespans\n\nttl = "1d"\n',
        "prod.tfvars.json": '{\n  "uris": [\n    "https://b.example/cb"\n  ]\n}\n',
    }
    resolved, diagnostics = resolve(
        tmp_path,
        declaration,
        files,
        var_files=[str(tmp_path / "prod.tfvars.json")],
        environ={"TF_VAR_mode": "y"},
    )
    assert not diagnostics
    ttl, uris, mode = resolved["ttl"], resolved["uris"], resolved["mode"]
    assert ttl.origin == f"{tmp_path}/terraform.tfvars:3"
    assert ttl.describe('"1d"') == f'var.ttl = "1d" ({tmp_path}/terraform.tfvars:3)'
    assert ttl.span is not None
    assert (ttl.span.start_line, ttl.span.start_column, ttl.span.end_column) == (3, 7, 11)
    assert ttl.declaration.path.endswith("variables.tf") and ttl.declaration.start_line == 1
    assert uris.value == ["https://b.example/cb"]
    assert uris.origin == f"{tmp_path}/prod.tfvars.json:2"
    assert uris.span is not None and (uris.span.start_line, uris.span.end_line) == (2, 4)
    assert (mode.value, mode.source, mode.origin, mode.span) == (
        "y",
        "environment",
        "TF_VAR_mode",
        None,
    )


def test_default_provenance_points_at_the_default(tmp_path: Path) -> None:
    declaration = '\nvariable "uris" {\n  type    = list(string)\n  default = ["a"]\n}\n'
    resolved, _ = resolve(tmp_path, declaration)
    uris = resolved["uris"]
    assert (uris.value, uris.source) == (["a"], "default")
    assert uris.origin == f"{tmp_path}/variables.tf:4 (default)"
    assert uris.span is not None and (uris.span.start_line, uris.span.start_column) == (4, 13)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('x = "unterminated\n', "cannot parse"),
        ('variable "x" {\n  default = 1\n}\n', "a variable block ('x') in a .tfvars file"),
        ('x = "a"\nx = "b"\n', "assigned twice"),
    ],
)
def test_a_broken_tfvars_file_makes_what_it_could_set_unknown(
    tmp_path: Path, text: str, reason: str
) -> None:
    files = {"terraform.tfvars": text, "z.auto.tfvars": 'y = "later"\n'}
    declaration = DECLARATION + 'variable "y" {}\n'
    resolved, diagnostics = resolve(tmp_path, declaration, files)
    assert isinstance(resolved["x"].value, Unknown)  # not the default: Terraform stops here
    assert resolved["y"].value == "later"  # a later source still counts
    [diagnostic] = diagnostics
    assert reason in diagnostic.message
    assert diagnostic.span is not None and diagnostic.span.path.endswith("terraform.tfvars")


def test_references_and_calls_in_tfvars_are_errors_for_that_variable(tmp_path: Path) -> None:
    files = {"terraform.tfvars": 'x = var.y\ny = upper("a")\nz = "fine"\n'}
    declaration = DECLARATION + 'variable "y" {}\nvariable "z" {}\n'
    resolved, diagnostics = resolve(tmp_path, declaration, files)
    assert isinstance(resolved["x"].value, Unknown)
    assert isinstance(resolved["y"].value, Unknown)
    assert resolved["z"].value == "fine"
    assert sorted(d.message.split(" in ")[0] for d in diagnostics) == [
        "functions may not be called",
        "variables may not be used",
    ]


def test_a_missing_var_file_is_reported(tmp_path: Path) -> None:
    resolved, diagnostics = resolve(
        tmp_path, DECLARATION, var_files=[str(tmp_path / "missing.tfvars")]
    )
    assert isinstance(resolved["x"].value, Unknown)
    [diagnostic] = diagnostics
    assert "does not exist" in diagnostic.message


def test_tf_json_declarations_give_the_type_as_a_string(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "variable": {
                "uris": {"type": "list(string)", "default": [1, "b"]},
                "legacy": {"type": "map"},
                "bad": {"type": ["string"]},
            }
        }
    )
    document = load_tf_json(str(tmp_path / "variables.tf.json"), text)
    assert isinstance(document, Document)
    diagnostics: list[VariableDiagnostic] = []
    resolved = resolve_root_variables(
        document.blocks,
        str(tmp_path),
        vars={"legacy": '{a = 1, b = "x"}', "bad": "s"},
        diagnostics=diagnostics,
    )
    assert resolved["uris"].value == ["1", "b"]
    assert resolved["legacy"].value == {"a": "1", "b": "x"}  # `map` is map(any)
    assert isinstance(resolved["bad"].value, Unknown)
    [diagnostic] = diagnostics
    assert "'bad'" in diagnostic.message and "type" in diagnostic.message


# --- conversion details the table does not show ---------------------------------------------------


def test_unknown_stays_unknown_and_marks_stay_where_they_are() -> None:
    unknown = Unknown("reference", "var.y")
    assert convert(unknown, NUMBER) is unknown
    assert convert([unknown, 1], list_of(STRING)) == [unknown, "1"]
    assert convert([Sensitive(1), 2], list_of(STRING)) == [Sensitive("1"), "2"]
    assert convert(Sensitive({"a": 1}), parse_type_string("map(string)")) == Sensitive({"a": "1"})
    # A set's marks move to the set (cty's SetVal); unknown elements make the set unknown.
    assert convert(["b", Sensitive("a")], set_of(STRING)) == Sensitive(["a", "b"])
    assert isinstance(convert(["b", unknown], set_of(STRING)), Unknown)


def test_set_order_of_complex_elements_and_numbers() -> None:
    # Recorded: set(object({a = string})) of y, x, y gives [{"a":"x"},{"a":"y"}];
    # set(number) of 10, 9, 100, 9.5 gives [9,9.5,10,100].
    assert make_set([{"a": "y"}, {"a": "x"}, {"a": "y"}]) == [{"a": "x"}, {"a": "y"}]
    assert make_set([10, 9, 100, 9.5]) == [9, 9.5, 10, 100]
    assert make_set([True, False]) == [False, True]


@pytest.mark.parametrize(
    "text",
    ["list(list)", "set", "object", "tuple", "list(string", "foo(string)", "string(1)", "any()"],
)
def test_invalid_type_strings(text: str) -> None:
    with pytest.raises(TypeExpressionError):
        parse_type_string(text)


def test_path_of_a_nested_error() -> None:
    constraint = parse_type_string("object({a = list(object({b = number}))})")
    with pytest.raises(ConversionError) as caught:
        convert({"a": [{"b": 1}, {"b": "x"}]}, constraint)
    assert caught.value.message == "a number is required"
    assert caught.value.prefixed("var.x") == "var.x.a[1].b: a number is required"

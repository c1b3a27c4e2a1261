"""The HCL loader: values, unknowns, references, comments and exact positions."""

from __future__ import annotations

import pytest

from orylint.terraform.document import Document, LoadError
from orylint.terraform.functions import call
from orylint.terraform.hcl_loader import load_hcl
from orylint.terraform.values import Span, Unknown


def load(text: str) -> Document:
    document = load_hcl("main.tf", text)
    assert isinstance(document, Document), document
    return document


def attrs(text: str) -> dict[str, object]:
    block = load(text).blocks[0]
    return {name: value.attribute.value for name, value in block.attributes.items()}


def test_literals() -> None:
    values = attrs(
        'resource "x" "y" {\n'
        '  s = "a\\"b\\n\\u00e9 $${lit} %%{dir}"\n'
        "  i = 42\n"
        "  n = -1\n"
        "  f = 1.5\n"
        "  e = 1e3\n"
        "  t = true\n"
        "  z = null\n"
        '  l = ["a", 1, false]\n'
        '  o = { a = 1, "b" = [true], c = { d = "e" } }\n'
        '  p = ("paren")\n'
        '  tpl = "a-${"b"}-${1}"\n'
        "  neg = !false\n"
        "}\n"
    )
    assert values["s"] == 'a"b\né ${lit} %{dir}'
    assert values["i"] == 42
    assert values["n"] == -1
    assert values["f"] == 1.5
    assert values["e"] == 1000
    assert isinstance(values["e"], int)
    assert values["t"] is True
    assert values["z"] is None
    assert values["l"] == ["a", 1, False]
    assert values["o"] == {"a": 1, "b": [True], "c": {"d": "e"}}
    assert values["p"] == "paren"
    assert values["tpl"] == "a-b-1"
    assert values["neg"] is True


def test_heredocs() -> None:
    values = attrs(
        'resource "x" "y" {\n'
        "  plain = <<EOT\n"
        "hello\n"
        "  world\n"
        "EOT\n"
        "  trimmed = <<-EOT\n"
        "    a\n"
        "      b\n"
        "    EOT\n"
        "  ref = <<EOT\n"
        "${var.x}\n"
        "EOT\n"
        "  escaped = <<EOT\n"
        "$${not_a_ref}\n"
        "EOT\n"
        "}\n"
    )
    assert values["plain"] == "hello\n  world\n"
    assert values["trimmed"] == "a\n  b\n"
    assert isinstance(values["ref"], Unknown)
    assert values["escaped"] == "${not_a_ref}\n"


def test_jsonencode_of_literals_matches_terraform() -> None:
    values = attrs(
        'resource "x" "y" {\n'
        '  m = jsonencode({ b = 2, a = "<&>", c = [1.0, true, null] })\n'
        "  u = jsonencode({ a = var.x })\n"
        "}\n"
    )
    assert values["m"] == '{"a":"\\u003c\\u0026\\u003e","b":2,"c":[1,true,null]}'
    assert isinstance(values["u"], Unknown)
    assert call("jsonencode", [{"z": 1, "a": [1]}]) == '{"a":[1],"z":1}'


@pytest.mark.parametrize(
    "expression",
    [
        "var.x",
        "local.y",
        'var.on ? "a" : "b"',
        '"${var.x}-suffix"',
        "[for x in var.l : x]",
        '"%{if var.a}x%{endif}"',
        "ory_oauth2_client.a.client_id",
        "{ (var.k) = 1 }",
    ],
)
def test_references_are_unknown_with_their_source_text(expression: str) -> None:
    value = attrs(f'resource "x" "y" {{\n  v = {expression}\n}}\n')["v"]
    assert isinstance(value, Unknown)
    assert value.text == expression


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2", 3),
        ('true ? "a" : "b"', "a"),
        ('"${1}-x"', "1-x"),
        ('[for s in ["a", "b"] : "${s}!"]', ["a!", "b!"]),
        ("{ a = 1 }.a == 1 && !false", True),
    ],
)
def test_expressions_without_references_are_evaluated(expression: str, expected: object) -> None:
    assert attrs(f'resource "x" "y" {{\n  v = {expression}\n}}\n')["v"] == expected


def test_list_with_an_unknown_element_keeps_known_elements() -> None:
    block = load('resource "x" "y" {\n  l = ["a", var.b, "c"]\n}\n').blocks[0]
    attribute = block.attributes["l"].attribute
    assert not attribute.known
    assert attribute.elements is not None
    assert [e.value for e in attribute.elements][0::2] == ["a", "c"]
    assert isinstance(attribute.elements[1].value, Unknown)


def test_positions_of_blocks_attributes_values_and_elements() -> None:
    text = (
        "# header comment\n"
        'resource "ory_oauth2_client" "web" {\n'
        '  client_name = "Web" # trailing\n'
        "  grant_types = [\n"
        '    "authorization_code",\n'
        '    "refresh_token",\n'
        "  ]\n"
        "  n = 1 + 2 # absorbed by the grammar, trimmed here\n"
        "}\n"
    )
    block = load(text).blocks[0]
    assert block.type == "resource"
    assert block.labels == ["ory_oauth2_client", "web"]
    assert block.header_span == Span("main.tf", 2, 1, 2, 35)
    assert block.span == Span("main.tf", 2, 1, 9, 2)
    name = block.attributes["client_name"].attribute
    assert name.span == Span("main.tf", 3, 3, 3, 22)
    assert name.value_span == Span("main.tf", 3, 17, 3, 22)
    grants = block.attributes["grant_types"].attribute
    assert grants.value_span == Span("main.tf", 4, 17, 7, 4)
    assert grants.elements is not None
    assert [e.span for e in grants.elements] == [
        Span("main.tf", 5, 5, 5, 25),
        Span("main.tf", 6, 5, 6, 20),
    ]
    binary = block.attributes["n"].attribute
    assert binary.value_span == Span("main.tf", 8, 7, 8, 12)


def test_columns_count_code_points_and_crlf_is_handled() -> None:
    text = 'resource "x" "y" {\r\n  a = "é😀"\r\n  b = "x"\r\n}\r\n'
    block = load(text).blocks[0]
    assert block.attributes["a"].attribute.value == "é😀"
    assert block.attributes["a"].attribute.value_span == Span("main.tf", 2, 7, 2, 11)
    assert block.attributes["b"].attribute.value_span == Span("main.tf", 3, 7, 3, 10)


def test_heredoc_span_ends_on_the_marker_line() -> None:
    text = 'resource "x" "y" {\n  h = <<EOT\nbody\nEOT\n  z = 1\n}\n'
    span = load(text).blocks[0].attributes["h"].attribute.value_span
    assert span == Span("main.tf", 2, 7, 4, 4)


def test_references_through_functions_splats_for_and_nonsensitive() -> None:
    text = (
        'output "o" {\n'
        "  value = {\n"
        "    a = ory_oauth2_client.x[*].client_secret\n"
        '    b = ory_oauth2_client.y["k"].client_id\n'
        "    c = values(ory_oauth2_client.z)[*].client_id\n"
        "    d = [for k, c in ory_oauth2_client.w : c.client_secret]\n"
        "    e = [for c in ory_oauth2_client.v : c.client_id]\n"
        "    f = nonsensitive(ory_oauth2_client.u.client_secret)\n"
        "    g = jsonencode(ory_oauth2_client.t)\n"
        "    h = local.m[var.key].client_secret\n"
        "  }\n"
        "}\n"
    )
    refs = load(text).blocks[0].attributes["value"].references
    found = {(ref.text, ref.unmasked) for ref in refs}
    assert ("ory_oauth2_client.x.client_secret", False) in found
    assert ("ory_oauth2_client.y.client_id", False) in found
    assert ("ory_oauth2_client.z.client_id", False) in found
    assert ("ory_oauth2_client.z", False) not in found
    assert ("ory_oauth2_client.w.client_secret", False) in found
    assert ("ory_oauth2_client.w", False) not in found
    assert ("ory_oauth2_client.v.client_id", False) in found
    assert ("ory_oauth2_client.v", False) not in found
    assert ("ory_oauth2_client.u.client_secret", True) in found
    assert ("ory_oauth2_client.t", False) in found
    assert ("local.m.client_secret", False) in found
    assert ("var.key", False) in found


def test_references_inside_heredocs_with_exact_spans() -> None:
    text = (
        'output "o" {\n'
        "  value = <<-EOT\n"
        "    a=${~ ory_oauth2_client.x.client_secret ~}\n"
        "    $${ory_oauth2_client.literal.client_secret}\n"
        "    %{ for k, c in ory_oauth2_client.w }${c.client_secret}${k}%{ endfor }\n"
        '    %{ if var.on }${c.client_id}%{ else }${join(",", local.l)}%{ endif }\n'
        "  EOT\n"
        "}\n"
    )
    refs = load(text).blocks[0].attributes["value"].references
    assert [(ref.text, ref.span.start_line, ref.span.start_column) for ref in refs] == [
        ("ory_oauth2_client.x.client_secret", 3, 11),
        ("ory_oauth2_client.w.client_secret", 5, 43),
        ("var.on", 6, 11),
        ("c.client_id", 6, 21),
        ("local.l", 6, 54),
    ]


def test_comments_are_collected_with_positions() -> None:
    text = '# one\nresource "x" "y" { // two\n  a = 1 /* three */\n  b = 1 + 2 # four\n}\n'
    comments = load(text).comments
    assert [(c.text, c.span.start_line, c.span.start_column) for c in comments] == [
        ("# one", 1, 1),
        ("// two", 2, 20),
        ("/* three */", 3, 9),
        ("# four", 4, 13),
    ]


def test_duplicate_attributes_are_kept() -> None:
    block = load('resource "x" "y" {\n  a = 1\n  a = 2\n}\n').blocks[0]
    assert block.attributes["a"].attribute.value == 1
    assert [d.attribute.value for d in block.duplicates] == [2]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ('resource "a" "b" {\n  x = @\n}\n', 2, 7, "Invalid character: "),
        ('resource "a" "b" {\n  x = 1\n', 1, 1, "Unclosed configuration block: "),
        ('resource "a" "b" {\n  x = (1 + )\n}\n', 2, 12, "cannot parse this file: "),
        ('x = "unterminated\n', 1, 6, "cannot parse this file: "),
    ],
)
def test_syntax_errors_are_plain_and_positioned(
    text: str, line: int, column: int, message: str
) -> None:
    """Terraform's words where tree-sitter tells the kind (tests/test_hcl_fallback.py checks
    them against ``terraform fmt``), else python-hcl2's position in plain words."""
    error = load_hcl("bad.tf", text)
    assert isinstance(error, LoadError)
    assert (error.line, error.column) == (line, column)
    assert error.message.startswith(message)
    for internal in ("Token(", "STRING_CHARS", "$END", "Expected one of", "RBRACE"):
        assert internal not in error.message


def test_empty_file_is_an_empty_document() -> None:
    assert load("").blocks == []
    assert load("\n\n# only a comment\n").blocks == []

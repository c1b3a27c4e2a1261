"""A large ``.tf`` file is parsed in pieces, and gives the very document it gives parsed whole.

``hcl_loader`` parses files above ``PIECEWISE_THRESHOLD`` one run of top-level blocks at a time
(``hcl_blocks.split_points`` finds where), so that a 10 MB file does not need a gigabyte. Here
the threshold is forced to 0 and the pieces to single blocks, and every ``.tf`` fixture, and
generated files with every construct the scanner must follow (strings with templates and
escapes, heredocs, comments, nested braces, CRLF, damaged text), are loaded both ways: the
documents (blocks, spans, values, references, comments) and the errors must be equal.
"""

from __future__ import annotations

import contextlib
import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orylint.cli import printable
from orylint.report import render
from orylint.scan import ScanOptions, scan
from orylint.terraform import hcl_loader
from orylint.terraform.document import Document, LoadError
from orylint.terraform.hcl_blocks import split_points
from orylint.terraform.hcl_loader import load_hcl
from tests.helpers import REPO, document_snapshot
from tests.test_properties import EXAMPLES, LABEL, SETTINGS, clients, damaged, tf_text

FIXTURES = sorted(
    path
    for path in [*REPO.glob("tests/fixtures/**/*.tf"), *REPO.glob("examples/**/*.tf")]
    if ".terraform" not in path.parts
)


@contextlib.contextmanager
def in_pieces() -> Iterator[None]:
    """Every file parsed in pieces, each top-level block a piece of its own."""
    saved = hcl_loader.PIECEWISE_THRESHOLD, hcl_loader.PIECE_SIZE
    hcl_loader.PIECEWISE_THRESHOLD, hcl_loader.PIECE_SIZE = 0, 0
    try:
        yield
    finally:
        hcl_loader.PIECEWISE_THRESHOLD, hcl_loader.PIECE_SIZE = saved


def snapshot(loaded: Document | LoadError) -> object:
    return loaded if isinstance(loaded, LoadError) else document_snapshot(loaded)


def assert_same_both_ways(name: str, text: str) -> Document | LoadError:
    whole = load_hcl(name, text)
    with in_pieces():
        pieces = load_hcl(name, text)
    assert snapshot(pieces) == snapshot(whole)
    return pieces


def test_the_fixtures_cover_many_files() -> None:
    assert len(FIXTURES) > 200


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(REPO)))
def test_fixture_parsed_in_pieces_equals_whole(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    assert_same_both_ways(str(path.relative_to(REPO)), text)


def test_most_fixtures_do_take_the_pieces_path() -> None:
    """The equality above is not vacuous: most fixtures of more than one block are cut."""
    cut = 0
    for path in FIXTURES:
        text = path.read_bytes().decode("utf-8-sig")
        with in_pieces():
            cut += hcl_loader._load_in_pieces("x.tf", text) is not None
    assert cut > 200


#: Separators between generated blocks: what the scanner must step over without cutting.
SEPARATORS = st.sampled_from(
    [
        "\n",
        "\n\n",
        "\n  \n\t\n",
        "\n# a comment with } and {\n",
        '\n// resource "x" "y" {\n',
        '\n/* spans lines\n}\nresource "x" "y" {\n*/\n',
        "/* before the break */\n",
        " # on the closing line\n",
        "\r\n",
        "\n\n# a comment before the next block\n",
    ]
)
#: Blocks that hold what could fool a scanner: braces in strings, templates and heredocs,
#: lines that look like the start of a block inside a heredoc or a comment.
TRICKY_BLOCKS = st.sampled_from(
    [
        'locals {\n  doc = <<EOF\n}\nresource "x" "y" {\nEOF\n}\n',
        'locals {\n  doc = <<-EOT\n    }\n    output "o" {\n    EOT\n}\n',
        'locals {\n  t = "${ {a = "}"}.a }"\n  u = "%{ if true }}{%{ endif }"\n}\n',
        'locals {\n  e = "$${x} %%{y} $$${z} \\"}\\" \\\\"\n}\n',
        'locals {\n  m = { a = { b = [1, (2), { c = "}" }] } }\n}\n',
        "top = {\n}\n",
        'variable "v" {\n  default = "a/b" // c\n  d = 4 / 2\n}\n',
        '  output "indented" {\n    value = 1\n  }\n',
        "locals {\r\n  crlf = 1\r\n}\r\n",
        'resource "x" "y" {\n  a = 1 +\n  2\n  b = true ? "}" : "{"\n}\n',
        "locals {\n  h = <<EOF\nno end\n}\n",  # a heredoc that never ends
        'locals {\n  s = "unterminated\n}\n',  # a line break in a string
        "locals {\n  x = 1\n",  # a block that never closes
        "/* never closed\n",
        "locals {\n  x = 1\n}\n}\n",  # one brace too many
        "locals {\n  x = 'single'\n}\n",
    ]
)


@st.composite
def many_blocks(draw: st.DrawFn) -> str:
    """A file of generated clients and tricky blocks, with assorted separators."""
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            parts.append(tf_text(draw(LABEL), draw(clients())))
        else:
            parts.append(draw(TRICKY_BLOCKS))
        parts.append(draw(SEPARATORS))
    return "".join(parts)


#: Fewer examples than the scan properties: each is a few blocks from short lists.
PIECES_SETTINGS = settings(SETTINGS, max_examples=max(EXAMPLES // 4, 1))


@PIECES_SETTINGS
@given(text=many_blocks())
def test_generated_file_parsed_in_pieces_equals_whole(text: str) -> None:
    assert_same_both_ways("main.tf", text)


@PIECES_SETTINGS
@given(data=st.data())
def test_damaged_file_parsed_in_pieces_equals_whole(data: st.DataObject) -> None:
    """Errors too: a damaged file gives the same error, at the same line and column."""
    text = data.draw(many_blocks())
    mutated = data.draw(damaged(text.encode("utf-8", "surrogatepass")))
    assert_same_both_ways("main.tf", mutated.decode("utf-8", "surrogateescape"))


def test_pieces_start_at_top_level_blocks_only() -> None:
    text = (
        'locals {\n  doc = <<EOF\n}\nresource "x" "y" {\nEOF\n}\n'  # 0: no cut in the heredoc
        "# between\n"
        'resource "a" "b" {\n  s = "${ {k = "}"}.k }"\n}\n'  # cut before this line
        "/* }\nlocals {\n*/\n"
        "locals {\n}\n"  # and before this one
    )
    points = split_points(text)
    assert points == [0, text.index('resource "a"'), text.index("locals {\n}")]


@pytest.mark.parametrize(
    "text",
    [
        'locals {\n  s = "a\nb"\n}\nlocals {\n}\n',
        "locals {\n  h = <<EOF\nx\n}\nlocals {\n}\n",
        "locals {\n  x = 1\n}\n}\nlocals {\n}\n",
        "locals {\n  x = 1\n/* open\n}\nlocals {\n}\n",
        'locals {\n  t = "%{ if x == \\"a\\" }y%{ endif }"\n}\nlocals {\n}\n',
    ],
)
def test_anything_uncertain_is_parsed_whole(text: str) -> None:
    assert split_points(text) is None


def test_a_large_file_is_cut_and_its_error_keeps_its_position(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pieces of the default size (many blocks each), above a threshold lowered to 64 KB."""
    monkeypatch.setattr(hcl_loader, "PIECEWISE_THRESHOLD", 64 * 1024)
    block = 'resource "ory_oauth2_client" "c{n}" {{\n  client_name = "c{n}"\n}}\n\n'
    text = "".join(block.format(n=n) for n in range(2000))
    assert len(text) > 2 * hcl_loader.PIECE_SIZE
    assert hcl_loader._load_in_pieces("big.tf", text) is not None
    document = assert_same_both_ways("big.tf", text)
    assert isinstance(document, Document)
    assert len(document.blocks) == 2000
    last = document.blocks[-1]
    assert last.span.start_line == 4 * 1999 + 1  # four lines a block
    assert last.attributes["client_name"].attribute.value_span.start_column == 17
    broken = text.replace('"c1999"\n}', '"c1999"\n  x = ;\n}')
    error = load_hcl("big.tf", broken)
    assert isinstance(error, LoadError)
    assert (error.line, error.column) == (4 * 1999 + 3, 7)
    assert error.message.startswith("Invalid character")


def test_a_document_read_in_pieces_survives_the_cache(tmp_path: Path) -> None:
    """The cache pickles documents: one read in pieces comes back the same."""
    text = (REPO / "examples" / "clients.tf").read_text("utf-8")
    with in_pieces():
        document = load_hcl("clients.tf", text)
    assert isinstance(document, Document)
    restored = pickle.loads(pickle.dumps(document))
    assert document_snapshot(restored) == document_snapshot(document)
    values = [
        item.expression.value() if item.expression is not None else None
        for block in restored.blocks
        for item in block.attributes.values()
    ]
    assert values == [
        item.expression.value() if item.expression is not None else None
        for block in document.blocks
        for item in block.attributes.values()
    ]


def _reports(path: Path) -> dict[str, str]:
    result = scan(ScanOptions(paths=[str(path)]))
    code = result.exit_code("error")
    return {name: printable(render(name, result, exit_code=code)) for name in ("text", "json")}


def test_reports_are_the_same_in_pieces(tmp_path: Path) -> None:
    """Excerpts, suppressions, fixes and parse errors: the whole scan sees no difference."""
    source = (REPO / "examples" / "clients.tf").read_text("utf-8")
    suppressed = source.replace(
        'resource "ory_oauth2_client"',
        '# orylint: ignore[ORY204] reason: kept as written\nresource "ory_oauth2_client"',
        1,
    )
    (tmp_path / "clients.tf").write_text(suppressed + "\n" + source.replace('"web"', '"web2"'))
    (tmp_path / "broken.tf").write_text("locals {\n  a = 1\n}\n\nlocals {\n  b = @\n}\n")
    whole = _reports(tmp_path)
    with in_pieces():
        pieces = _reports(tmp_path)
    assert pieces == whole
    findings = json.loads(whole["json"])["findings"]
    assert {"ORY001", "ORY204"} <= {finding["rule_id"] for finding in findings}

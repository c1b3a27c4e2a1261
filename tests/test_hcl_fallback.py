"""The tree-sitter fallback parser: valid Terraform python-hcl2 rejects is linted, not ORY001.

Three kinds of evidence: the fallback gives the very document python-hcl2 gives on every ``.tf``
fixture of the repository (same blocks, attributes, spans, values, references, comments); each
class of valid Terraform python-hcl2 rejects is linted end to end with exact spans (values are
checked against ``terraform console`` in ``tests/fixtures/console/cases.txt``); and where both
parsers reject a file, the message is Terraform's own, compared with ``terraform fmt``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lark.exceptions import UnexpectedInput

from orylint.terraform import hcl_fallback, hcl_parser
from orylint.terraform.document import Document, LoadError
from orylint.terraform.hcl_fallback import HclSyntaxError
from orylint.terraform.hcl_loader import load_hcl
from orylint.terraform.hcl_parser import parser
from tests.helpers import REPO, document_snapshot, run_cli

FIXTURES = sorted(
    path
    for path in [*REPO.glob("tests/fixtures/**/*.tf"), *REPO.glob("examples/**/*.tf")]
    if ".terraform" not in path.parts
)
#: Fixtures tree-sitter-hcl 1.2.0 rejects although Terraform accepts them, and why. Such a file
#: still loads (python-hcl2 reads it); it would be ORY001 only if python-hcl2 rejected it too.
FALLBACK_REJECTS = {
    "tests/fixtures/rules/ORY109/ok.tf": "a number with an exponent and no fraction (1e3)",
}


def _primary_only(text: str) -> object:
    return parser().parse(text + "\n")


def test_the_differential_covers_the_fixtures() -> None:
    assert len(FIXTURES) > 200


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(REPO)))
def test_fallback_document_equals_python_hcl2s(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    name = str(path.relative_to(REPO))
    monkeypatch.setattr(hcl_parser, "parse_tree", _primary_only)
    primary = load_hcl(name, text)
    assert isinstance(primary, Document), primary
    if name in FALLBACK_REJECTS:
        with pytest.raises(HclSyntaxError):
            hcl_fallback.parse_tree(text)
        return
    monkeypatch.setattr(hcl_parser, "parse_tree", hcl_fallback.parse_tree)
    fallback = load_hcl(name, text)
    assert isinstance(fallback, Document), fallback
    assert document_snapshot(fallback) == document_snapshot(primary)


# --- valid Terraform python-hcl2 rejects: linted, with exact spans ---------------------------

CLIENT = """\
resource "ory_oauth2_client" "billing" {
  client_name                = "Billing service"
  grant_types                = ["client_credentials"]
  token_endpoint_auth_method = "private_key_jwt"
  jwks_uri                   = "https://billing.example.com/.well-known/jwks.json"

  client_credentials_grant_access_token_lifespan = LIFESPAN
}
"""

#: name → (locals block or "", the lifespan expression; both evaluate to "1d", which Hydra
#: rejects: ORY201 on the lifespan's value)
CLASSES = {
    "comment between = and the value": ("", '/* Go has no day unit */ "1d"'),
    "strip markers in an interpolation": (
        'locals {\n  lifespan = "${~ "1" ~}  d"\n}\n',
        "local.lifespan",
    ),
    "strip markers in a heredoc (python-hcl2 reads the file, not the template)": (
        'locals {\n  lifespan = <<EOT\n  ${~ "1d" ~}\n  EOT\n}\n',
        "local.lifespan",
    ),
    "non-ASCII identifier": ('locals {\n  срок = "1d"\n}\n', "local.срок"),
    "non-ASCII heredoc marker": (
        "locals {\n  lifespan = trimspace(<<ЖЩЯ\n1d\nЖЩЯ\n  )\n  ok = true\n}\n",
        "local.lifespan",
    ),
    "function name and ( on two lines": ("", 'coalesce(try\n    ("1d"))'),
    "traversal continued on the next line": (
        'locals {\n  settings = { lifespan = "1d" }\n}\n',
        "try(\n    local.settings\n    .lifespan, null)",
    ),
    "newline before => in a for expression": (
        'locals {\n  by_env = { for e in ["prod"] : e\n    => "1d" }\n}\n',
        'local.by_env["prod"]',
    ),
}


def _value_span(text: str) -> tuple[int, int, int, int]:
    """1-based span of the lifespan attribute's value (code-point columns)."""
    start = text.index("lifespan = ", text.index("resource")) + len("lifespan = ")
    end = text.index("\n}\n", start)
    if text.startswith(("/*", "#"), start):  # the value begins after the comment
        start = text.index('"1d"', start)

    def position(offset: int) -> tuple[int, int]:
        line_start = text.rfind("\n", 0, offset) + 1
        return text.count("\n", 0, offset) + 1, offset - line_start + 1

    return (*position(start), *position(end))


@pytest.mark.parametrize("name", CLASSES)
def test_valid_terraform_python_hcl2_rejects_is_linted(name: str, tmp_path: Path) -> None:
    prelude, lifespan = CLASSES[name]
    text = prelude + CLIENT.replace("LIFESPAN", lifespan)
    if "python-hcl2 reads the file" not in name:
        with pytest.raises(UnexpectedInput):  # the fallback is what reads it
            _primary_only(text)
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    assert _terraform_fmt(tmp_path).returncode in (0, 3)  # Terraform: valid (3: unformatted)
    result = run_cli("check", str(tmp_path / "main.tf"), "--format", "json")
    report = json.loads(result.stdout)
    assert result.returncode == 1, result.stdout + result.stderr
    assert [f["rule_id"] for f in report["findings"]] == ["ORY201"]
    finding = report["findings"][0]
    span = (
        finding["start_line"],
        finding["start_column"],
        finding["end_line"],
        finding["end_column"],
    )
    assert span == _value_span(text)


def test_non_ascii_columns_are_code_points() -> None:
    text = 'l = ["ёж", try\n("x")]\nz = "日本"\n'
    document = load_hcl("a.tf", text)
    assert isinstance(document, Document)
    elements = document.attributes[0].attribute.elements
    assert elements is not None
    assert [(e.value, e.span.start_column, e.span.end_column) for e in elements] == [
        ("ёж", 6, 10),
        ("x", 12, 6),
    ]
    last = document.attributes[1].attribute
    assert (last.value, last.value_span.start_column, last.value_span.end_column) == ("日本", 5, 9)


def test_percent_escape_does_not_swallow_the_next_lines() -> None:
    """python-hcl2 read ``"100%%{"`` up to the next ``}``, lines away; it is three characters."""
    text = 'a = "100%%{"\nb = "$${"\nc = { d = 1 }\n'
    document = load_hcl("a.tf", text)
    assert isinstance(document, Document)
    assert [(a.attribute.name, a.attribute.value) for a in document.attributes] == [
        ("a", "100%{"),
        ("b", "${"),
        ("c", {"d": 1}),
    ]


def test_a_dollar_before_an_escape_is_literal_as_in_hcl(monkeypatch: pytest.MonkeyPatch) -> None:
    """``"$$${x}"`` is ``$`` and the escape ``$${``: tree-sitter-hcl reads an interpolation."""
    text = 'a = "$$${region}-x"\nb = "$${x} $x ${"y"}"\n'
    values = []
    for parse in (_primary_only, hcl_fallback.parse_tree):
        monkeypatch.setattr(hcl_parser, "parse_tree", parse)
        document = load_hcl("a.tf", text)
        assert isinstance(document, Document)
        values.append([a.attribute.value for a in document.attributes])
        assert document.attributes[0].references == []
    assert values == [["$${region}-x", "${x} $x y"]] * 2


def test_comments_read_by_the_fallback_are_suppressions(tmp_path: Path) -> None:
    text = CLIENT.replace(
        "  client_credentials", "  /* orylint:ignore ORY201 -- OPS-1 */\n  client_credentials"
    ).replace("LIFESPAN", 'coalesce(try\n    ("1d"))')
    with pytest.raises(UnexpectedInput):
        _primary_only(text)
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    result = run_cli("check", str(tmp_path), "--format", "json")
    report = json.loads(result.stdout)
    assert report["findings"] == []
    assert [s["rule_id"] for s in report["suppressed"]] == ["ORY201"]


# --- both parsers reject: Terraform's words -----------------------------------------------------

#: (source, Terraform's summary, line) where the kind of error can be told; Terraform's detail is
#: read from ``terraform fmt`` in the test, not copied here.
TERRAFORM_ERRORS = [
    ('resource "a" "b" {\n  x = 1\n', "Unclosed configuration block", 1),
    ("a = 1\nb {\n  c {\n    d = 1\n  }\n", "Unclosed configuration block", 2),
    ("a = 1\nb = @\n", "Invalid character", 2),
    ("a = x ; b\n", "Invalid character", 1),
    ("a = 'x'\n", "Invalid character", 1),
    ("a = `x`\n", "Invalid character", 1),
    ('a = [try\n(1)]\nb = "\\q"\n', "Invalid escape sequence", 3),
    ("a = <<EOT\nhi\n", "Unterminated template string", 3),
]


def _terraform_fmt(directory: Path) -> subprocess.CompletedProcess[str]:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.fail("terraform is not on PATH: this test compares messages with terraform fmt")
    config = directory / ".terraformrc"
    config.write_text("", encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TF_")},
        "TF_CLI_CONFIG_FILE": str(config),
        "CHECKPOINT_DISABLE": "1",
    }
    return subprocess.run(
        [terraform, "fmt", "-check", "-no-color", "."],
        cwd=directory,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(("text", "summary", "line"), TERRAFORM_ERRORS)
def test_both_parsers_reject_in_terraforms_words(
    text: str, summary: str, line: int, tmp_path: Path
) -> None:
    module = tmp_path / "module"
    module.mkdir()
    (module / "main.tf").write_text(text, encoding="utf-8")
    result = _terraform_fmt(module)
    assert result.returncode == 2, result.stdout + result.stderr  # a syntax error
    said = " ".join(result.stderr.split())
    error = load_hcl("main.tf", text)
    assert isinstance(error, LoadError)
    ours_summary, _, ours_detail = error.message.partition(": ")
    assert ours_summary == summary
    assert f"Error: {summary} on main.tf line {line}" in said
    assert re.sub(r"\s+", " ", ours_detail) in said
    assert error.line == line


def test_an_error_of_another_kind_is_described_plainly() -> None:
    error = load_hcl("main.tf", "a = (1 + )\n")
    assert isinstance(error, LoadError)
    assert (error.line, error.column) == (1, 10)
    assert error.message.startswith("cannot parse this file: unexpected ')'.")
    assert "Neither of orylint's HCL parsers (python-hcl2, tree-sitter-hcl) reads it" in (
        error.message
    )


#: Valid Terraform (``terraform fmt`` accepts it) that neither parser reads: python-hcl2 fails on
#: the newline before "(", tree-sitter-hcl 1.2.0 on an exponent without a fraction.
UNREADABLE = "locals {\n  sizes = [try\n  (1e3)]\n}\n"


def test_a_named_file_orylint_has_no_business_with_is_not_parsed(tmp_path: Path) -> None:
    """pre-commit names files; one that neither holds nor feeds an Ory resource is skipped,
    as ``orylint check .`` skips its module, whatever orylint's parsers make of it."""
    assert _terraform_fmt_module(tmp_path / "valid", UNREADABLE).returncode == 0
    assert isinstance(load_hcl("main.tf", UNREADABLE), LoadError)
    network = tmp_path / "network"
    network.mkdir()
    (network / "main.tf").write_text(UNREADABLE, encoding="utf-8")
    named = run_cli("check", str(network / "main.tf"), "--format", "json")
    whole = run_cli("check", str(tmp_path), "--format", "json")
    for result in (named, whole):
        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads(result.stdout)["findings"] == []


@pytest.mark.parametrize(
    "module",
    [
        {"main.tf": UNREADABLE + CLIENT.replace("LIFESPAN", '"1h"')},  # holds a client
        {"main.tf": UNREADABLE, "clients.tf": CLIENT.replace("LIFESPAN", '"1h"')},  # its module
        {"main.tf": UNREADABLE + 'resource "ory_project_config" "p" {\n}\n'},
        {
            "main.tf": UNREADABLE,
            "../caller/main.tf": 'module "n" {\n  source = "../net"\n}\n'
            + CLIENT.replace("LIFESPAN", '"1h"'),
        },  # called by a module that holds a client
    ],
    ids=["client", "module-with-client", "project-config", "called-by-client-module"],
)
def test_a_named_file_that_must_be_parsed_says_why_it_cannot(
    module: dict[str, str], tmp_path: Path
) -> None:
    directory = tmp_path / "net"
    for name, text in module.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text, encoding="utf-8")
    named = [str((directory / name).resolve()) for name in module]  # as pre-commit names them
    result = run_cli("check", *named, "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule_id"], f["start_line"], f["start_column"]) for f in findings] == [
        ("ORY001", 3, 3)
    ]
    assert (
        "Neither of orylint's HCL parsers (python-hcl2, tree-sitter-hcl)" in findings[0]["message"]
    )


def _terraform_fmt_module(directory: Path, text: str) -> subprocess.CompletedProcess[str]:
    directory.mkdir()
    (directory / "main.tf").write_text(text, encoding="utf-8")
    return _terraform_fmt(directory)


def test_a_tree_the_converter_does_not_know_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unknown_shape(self: object, node: object) -> object:
        raise ValueError("not enough values to unpack")

    monkeypatch.setattr(hcl_fallback._Converter, "body", unknown_shape)
    error = load_hcl("a.tf", "a = [try\n(1)]\n")
    assert isinstance(error, LoadError)
    assert (error.line, error.column) == (2, 1)
    assert error.message.startswith("cannot parse this file: unexpected '('.")


def test_a_comment_before_an_operator_line_keeps_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """python-hcl2's post-lexer merges it into the operator's token (4 corpus files had the
    comment one line late); the fallback parser, which has no post-lexer, is the check."""
    text = "a = (\n  var.x == null\n  # why\n  ? 1\n  : 2\n)\n"
    spans = []
    for parse in (_primary_only, hcl_fallback.parse_tree):
        monkeypatch.setattr(hcl_parser, "parse_tree", parse)
        document = load_hcl("a.tf", text)
        assert isinstance(document, Document)
        spans.append(
            [
                (c.text, c.span.start_line, c.span.start_column, c.span.end_column)
                for c in document.comments
            ]
        )
    assert spans == [[("# why", 3, 3, 8)]] * 2

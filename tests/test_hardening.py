"""Issue 12, the rest: secrets in excerpts and diffs, --fix damage, atomic writes, escaping.

Each test starts from the minimal input that showed the failure, and says what used to happen.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner, Result

from orylint.cli import main
from orylint.engine import atomic, fixer
from orylint.engine.findings import Finding
from orylint.engine.result import ScanResult
from orylint.model.display import escape_terminal, escape_xml
from orylint.report import FORMATS, render
from orylint.scan import ScanOptions, scan
from orylint.terraform.values import Span

CANARY = "CANARY-s3cr3t-9f8e7d"


def _cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return CliRunner().invoke(main, ["check", *args])


def _text(path: Path) -> str:
    result = scan(ScanOptions(paths=[str(path)]))
    return render("text", result, exit_code=0)


# --- 1. secrets in excerpts and diffs ----------------------------------------------------------


def test_a_one_line_block_with_a_secret_shows_no_excerpt_for_other_findings(
    tmp_path: Path,
) -> None:
    # Was: ORY307 (about the whole block) printed the block's only line, secret included.
    (tmp_path / "main.tf").write_text(
        f'resource "ory_oauth2_client" "x" {{ client_secret = "{CANARY}" }}\n', encoding="utf-8"
    )
    text = _text(tmp_path)
    assert "ORY" in text  # there are findings on that line
    assert CANARY not in text
    assert "(source line not shown: it holds a sensitive value)" in text


def test_a_minified_tf_json_with_a_private_key_shows_no_excerpt(tmp_path: Path) -> None:
    key = {"kty": "RSA", "use": "sig", "kid": "k", "n": "AQAB", "e": "AQAB", "d": CANARY}
    document = {
        "resource": {
            "ory_oauth2_client": {
                "x": {"client_name": "x", "grant_types": ["implicit"], "jwks": {"keys": [key]}}
            }
        }
    }
    (tmp_path / "main.tf.json").write_text(json.dumps(document), encoding="utf-8")
    text = _text(tmp_path)
    assert text.count("ORY") >= 2
    assert CANARY not in text


def test_the_lines_of_a_multi_line_private_key_are_never_shown(tmp_path: Path) -> None:
    # The `d = "..."` line does not name `jwks`: only the model's span of the attribute knows.
    (tmp_path / "main.tf").write_text(
        'resource "ory_oauth2_client" "x" {\n'
        '  grant_types = ["implicit"]\n'
        "  jwks = jsonencode({ keys = [{\n"
        f'    kty = "RSA", d = "{CANARY}", n = "AQAB", e = "AQAB" }}] }})\n'
        "}\n",
        encoding="utf-8",
    )
    result = scan(ScanOptions(paths=[str(tmp_path)]))
    assert result.sensitive_lines == {str(tmp_path / "main.tf"): {3, 4}}
    assert result.holds_secret(str(tmp_path / "main.tf"), 4)
    assert not result.holds_secret(str(tmp_path / "main.tf"), 2)
    assert CANARY not in render("text", result, exit_code=0)


def test_the_default_of_a_sensitive_variable_is_a_sensitive_line(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "key" {\n  sensitive = true\n  default   = "x"\n}\n'
        'variable "name" {\n  default = "y"\n}\n'
        'resource "ory_oauth2_client" "x" {\n  client_name = var.name\n}\n',
        encoding="utf-8",
    )
    result = scan(ScanOptions(paths=[str(tmp_path)]))
    assert result.sensitive_lines == {str(tmp_path / "main.tf"): {3}}


def test_an_excerpt_never_prints_what_its_own_message_redacts() -> None:
    # A plan value marked sensitive, also written in a .tf line a finding points at.
    source = f'resource "x" "y" {{ name = "{CANARY}" }}\n'
    finding = Finding(
        span=Span("a.tf", 1, 1, 1, 5),
        rule_id="ORY100",
        message="(sensitive value)",
        severity="error",
    )
    result = ScanResult(findings=[finding], sources={"a.tf": source}, redactions={CANARY})
    text = render("text", result, exit_code=1)
    assert CANARY not in text
    assert "source line not shown" in text


def test_diff_hides_context_lines_that_hold_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: --diff printed the client_secret line as context around a duration fix.
    (tmp_path / "main.tf").write_text(
        'resource "ory_oauth2_client" "x" {\n'
        f'  client_secret = "{CANARY}"\n'
        '  authorization_code_grant_access_token_lifespan = "90m"\n'
        "}\n",
        encoding="utf-8",
    )
    result = _cli(tmp_path, monkeypatch, "main.tf", "--diff", "--select", "ORY204")
    assert result.exit_code == 1, result.output
    assert '+  authorization_code_grant_access_token_lifespan = "1h30m"' in result.output
    assert CANARY not in result.output
    assert " (line not shown: it holds a sensitive value)" in result.output


def test_diff_counts_lines_as_spans_do() -> None:
    # splitlines() would also split at the form feed and show line 3, the secret, as line 2's.
    before = f'a = "\x0c"\nb = "90m"\nclient_secret = "{CANARY}"\n'
    file = fixer.FixedFile("x.tf", before, before.replace("90m", "1h30m"), 1)
    diff = file.diff(lambda line: line == 3)
    assert CANARY not in diff
    assert '+b = "1h30m"' in diff and "\\u000c" in diff


def test_diff_hides_a_changed_line_that_held_a_secret(tmp_path: Path) -> None:
    before = f'{{"a": "90m", "client_secret": "{CANARY}"}}\n'
    file = fixer.FixedFile("x.tf.json", before, before.replace("90m", "1h30m0s"), 1)
    diff = file.diff(lambda line: line == 1)
    assert CANARY not in diff
    assert diff.count("(line not shown: it holds a sensitive value)") == 2


# --- 2. --fix damage ---------------------------------------------------------------------------

FIXABLE = (
    'resource "ory_oauth2_client" "x" {{{nl}'
    '  grant_types   = ["authorization_code"]{nl}'
    '  redirect_uris = ["https://app.example.com/😀#x"]{nl}'
    '  token_endpoint_auth_method = "client_secret_basic"{nl}'
    "}}{nl}"
    'output "secret" {{{nl}'
    "  value = ory_oauth2_client.x.client_secret{nl}"
    "}}{nl}"
)


def test_fix_writes_non_bmp_characters_raw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Was: "\ud83d\ude00", a surrogate pair escape that Terraform rejects.
    target = tmp_path / "main.tf"
    target.write_text(FIXABLE.format(nl="\n"), encoding="utf-8")
    result = _cli(tmp_path, monkeypatch, "main.tf", "--fix", "--select", "ORY401")
    assert "fixed 1 problem(s) in 1 file(s)" in result.output
    assert '"https://app.example.com/😀"' in target.read_text(encoding="utf-8")


def test_the_fixed_value_is_what_terraform_reads(tmp_path: Path) -> None:
    from orylint.engine.fixes import quote

    value = 'a"b\\c\n\t\x08\x0c😀${x}%{y}é\u202e'
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(tmp_path / "none.tfrc")}
    expression = f"jsonencode({quote(value)})"
    console = subprocess.run(
        ["terraform", "console"],
        input=expression,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
        timeout=120,
    )
    assert json.loads(json.loads(console.stdout)) == value
    assert json.loads(quote(value)) == value.replace("${", "$${").replace("%{", "%%{")


def test_a_crlf_file_gets_crlf_insertions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "main.tf"
    target.write_bytes(FIXABLE.format(nl="\r\n").encode("utf-8"))
    result = _cli(tmp_path, monkeypatch, "main.tf", "--fix", "--select", "ORY701")
    assert "fixed 1 problem(s)" in result.output
    data = target.read_bytes()
    assert b"sensitive = true" in data
    assert data.count(b"\n") == data.count(b"\r\n")


def test_a_failed_write_leaves_the_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: the .tf was truncated, then the write failed (a full disk).
    target = tmp_path / "main.tf"
    original = FIXABLE.format(nl="\n")
    target.write_text(original, encoding="utf-8")

    def full_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    result = _cli(tmp_path, monkeypatch, "main.tf", "--fix", "--select", "ORY401")
    assert result.exit_code == 2
    assert "main.tf: cannot write the fixes: No space left on device" in result.output
    assert target.read_text(encoding="utf-8") == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.tf"]  # no temporary file left


def test_a_read_only_file_is_reported_and_the_others_are_fixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    locked, free = tmp_path / "a" / "main.tf", tmp_path / "b" / "main.tf"
    for path in (locked, free):
        path.write_text(FIXABLE.format(nl="\n"), encoding="utf-8")
    locked.chmod(0o444)
    result = _cli(tmp_path, monkeypatch, "a/main.tf", "b/main.tf", "--fix", "--select", "ORY401")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "a/main.tf: cannot write the fixes: Permission denied" in result.output
    assert "fixed 1 problem(s) in 1 file(s)" in result.output
    assert "#x" in locked.read_text(encoding="utf-8")
    assert "#x" not in free.read_text(encoding="utf-8")
    assert stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert result.exit_code == 2


@pytest.mark.parametrize("option", ["-o", "--format=json:", "--write-baseline"])
def test_a_report_over_a_scanned_input_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str
) -> None:
    target = tmp_path / "main.tf"
    original = FIXABLE.format(nl="\n")
    target.write_text(original, encoding="utf-8")
    args = [option + "main.tf"] if option.endswith(":") else [option, "./main.tf"]
    result = _cli(tmp_path, monkeypatch, ".", *args)
    assert result.exit_code == 2
    assert "it is one of the inputs" in result.output
    assert target.read_text(encoding="utf-8") == original


def test_a_report_named_like_terraform_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "main.tf").write_text(FIXABLE.format(nl="\n"), encoding="utf-8")
    result = _cli(tmp_path, monkeypatch, "main.tf", "-o", "report.tf")
    assert result.exit_code == 2
    assert "it would be read as Terraform" in result.output
    assert not (tmp_path / "report.tf").exists()


# --- 3. atomic writes --------------------------------------------------------------------------


def test_atomic_write_keeps_the_mode_and_follows_links(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    atomic.write_atomic(link, b"new")
    assert target.read_text(encoding="utf-8") == "new"
    assert link.is_symlink()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_device_is_written_to_not_replaced(tmp_path: Path) -> None:
    atomic.write_atomic("/dev/null", b"report")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        atomic.write_atomic(tmp_path / "new.json", b"{}")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640


@pytest.mark.parametrize("option", ["-o", "--write-baseline"])
def test_an_earlier_report_survives_a_failed_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str
) -> None:
    (tmp_path / "main.tf").write_text(FIXABLE.format(nl="\n"), encoding="utf-8")
    report = tmp_path / "report.json"
    report.write_text("earlier report", encoding="utf-8")

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", fail)
    result = _cli(tmp_path, monkeypatch, "main.tf", option, "report.json")
    assert result.exit_code == 2
    assert "No space left on device" in result.output
    assert report.read_text(encoding="utf-8") == "earlier report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.tf", "report.json"]


def test_one_helper_writes_every_file() -> None:
    # Reports, baselines and fixes go through engine/atomic.py; nothing else opens for writing
    # but the parse cache (terraform/, below engine/), whose entries are written to a temporary
    # file and renamed into place too, without fsync: a torn entry fails its checksum.
    source = Path(__file__).resolve().parent.parent / "src" / "orylint"
    writing = re.compile(r"""open\([^)]*["'][wax]|\.write_(?:text|bytes)\(""")
    writers = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if writing.search(path.read_text(encoding="utf-8"))
    ]
    assert sorted(writers) == ["engine/atomic.py", "terraform/cache.py"]


# --- 4. one escape for terminals, one for XML --------------------------------------------------

HOSTILE = "a\x1b[2J\x1b]8;;http://x\x07b\u202ec\u2066d\u200be\x85f\x00g\ud800h\ufffe"


def test_terminal_escape_leaves_no_control_or_bidi_character() -> None:
    escaped = escape_terminal(HOSTILE)
    assert escaped.isprintable()
    assert escaped == (
        "a\\u001b[2J\\u001b]8;;http://x\\u0007b\\u202ec\\u2066d\\u200be\\u0085f\\u0000g"
        "\\ud800h\\ufffe"
    )
    assert escape_terminal("é😀 日本") == "é😀 日本"


def test_xml_escape_always_parses() -> None:
    for code in [*range(0x20), 0x7F, 0x85, 0xD800, 0xDFFF, 0xFFFE, 0xFFFF, 0x202E]:
        element = ElementTree.Element("x", a=escape_xml(chr(code)))
        element.text = escape_xml(chr(code) + "\n\t")
        ElementTree.fromstring(ElementTree.tostring(element, encoding="unicode"))


@pytest.mark.parametrize("report_format", ["text", "concise", "github", "junit"])
def test_labels_file_names_and_messages_reach_reports_escaped(
    tmp_path: Path, report_format: str
) -> None:
    # Was: an escape sequence or a right-to-left override in a label or file name reached the
    # terminal raw, and JUnit XML with a control character did not parse.
    directory = tmp_path / "d\u202e"
    directory.mkdir()
    (directory / "main\x1b[31m.tf").write_text(
        "# orylint:ignore ORY307 until=\x1b[2J\u202e -- a comment quoted in a message\n"
        'resource "ory_oauth2_client" "x\x1b[2J\u2066" {\n'
        '  client_name = "\x1b]0;title\x07"\n'
        '  grant_types = ["client_credentials", "\x1b[31mnope\u202e"]\n'
        "}\n",
        encoding="utf-8",
    )
    result = scan(ScanOptions(paths=[str(directory)]))
    assert any("until=\x1b[2J\u202e" in finding.message for finding in result.findings)
    output = render(report_format, result, exit_code=1)
    for char in "\x1b\x07\u202e\u2066":
        assert char not in output, (char, output)
    if report_format == "junit":
        ElementTree.fromstring(output.split("\n", 1)[1])


def test_every_format_is_parseable_with_hostile_text() -> None:
    finding = Finding(
        span=Span("f\x01\udce9.tf", 1, 1, 1, 2),
        rule_id="ORY100",
        message=HOSTILE,
        severity="error",
        address=f"ory_oauth2_client.{HOSTILE}",
    )
    result = ScanResult(
        findings=[finding], sources={"f\x01\udce9.tf": HOSTILE}, fatal_errors=[HOSTILE]
    )
    for name in FORMATS:
        output = render(name, result, exit_code=2)
        if name in ("json", "sarif", "gitlab"):
            json.loads(output)
        elif name == "junit":
            ElementTree.fromstring(output.split("\n", 1)[1])
        else:
            assert "\x1b" not in output and "\u202e" not in output


def test_error_lines_on_stderr_are_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _cli(tmp_path, monkeypatch, "x\x1b[2J\u202e.tf")
    assert result.exit_code == 2
    assert "x\\u001b[2J\\u202e.tf: no such file" in result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output

"""One bad input never stops the scan (issue 12): each failure class, from a minimal input.

Every test names what used to happen: a traceback, a hang, a silently ignored file, a wrong
message. The fixed behaviour is a clear message (ORY001 for a file, exit 2 for input orylint
cannot use) while the other files are still linted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from xml.dom import minidom

import pytest

from orylint.engine.result import ScanResult
from orylint.model.plan import module_directories
from orylint.scan import ScanOptions, _ignore_interrupts, scan
from orylint.terraform import source
from orylint.terraform.discover import is_excluded
from orylint.terraform.document import Document, LoadError
from orylint.terraform.hcl_loader import load_hcl
from orylint.terraform.plan_loader import PlanDocument, load_plan
from orylint.terraform.tfjson_loader import load_tf_json
from orylint.terraform.values import Unknown
from tests.helpers import REPO, run_cli

# A client with one warning (ORY307): proof that a sibling file was still linted.
SIBLING = """\
resource "ory_oauth2_client" "sibling" {
  client_name = "x"
  grant_types = ["client_credentials"]
}
"""
FORMATS = ("text", "concise", "json", "sarif", "junit", "github", "gitlab", "markdown")


def _scan(*paths: Path | str, **options: Any) -> ScanResult:
    return scan(ScanOptions(paths=[str(path) for path in paths], **options))


def _rules(result: ScanResult, path: Path | None = None) -> list[str]:
    return [
        finding.rule_id
        for finding in result.findings
        if path is None or Path(finding.span.path).name == path.name
    ]


def _messages(result: ScanResult, rule: str = "ORY001") -> list[str]:
    return [finding.message for finding in result.findings if finding.rule_id == rule]


def _module(tmp_path: Path, name: str, content: str | bytes) -> Path:
    (tmp_path / "main.tf").write_text(SIBLING, encoding="utf-8")
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _assert_sibling_linted(result: ScanResult, tmp_path: Path) -> None:
    assert "ORY307" in _rules(result, tmp_path / "main.tf")


def _no_traceback(output: str) -> None:
    assert "Traceback" not in output
    assert 'File "' not in output


# --- escapes UTF-8 cannot encode ----------------------------------------------------------------


@pytest.mark.parametrize(("escape", "shown"), [(r"\U0011FFFF", "U+11ffff"), (r"\ud800", "U+d800")])
def test_an_escape_utf8_cannot_encode_is_terraforms_parse_error(
    tmp_path: Path, escape: str, shown: str
) -> None:
    # Was: ValueError from chr() (exit 2, "failed unexpectedly"), or a lone surrogate that
    # crashed every output writer. hclsyntax's decodeQuotedLit rejects both.
    bad = _module(tmp_path, "bad.tf", f'locals {{\n  a = "ok {escape}"\n}}\n')
    result = _scan(tmp_path)
    [error] = [f for f in result.findings if f.rule_id == "ORY001"]
    assert error.span.path.endswith("bad.tf")
    assert (error.span.start_line, error.span.start_column) == (2, 11)
    assert error.message == f"Invalid escape sequence: Cannot encode character {shown} in UTF-8."
    _assert_sibling_linted(result, tmp_path)
    assert not result.fatal_errors
    # Named alone, the sibling is still linted with the broken file as context.
    named = _scan(tmp_path / "main.tf")
    assert _rules(named) == ["ORY307"]
    assert bad.exists()


def test_valid_escapes_and_escapes_in_comments_are_not_errors() -> None:
    text = (
        '# "\\ud800" in a comment\nlocals {\n  a = "\\u00e9\\U0001F600"\n'
        "  b = <<EOT\n\\ud800\nEOT\n}\n"
    )
    document = load_hcl("ok.tf", text)
    assert isinstance(document, Document)
    attributes = document.blocks[0].attributes
    assert attributes["a"].attribute.value == "é😀"
    assert attributes["b"].attribute.value == "\\ud800\n"  # heredocs take no escapes


def test_a_lone_surrogate_in_tf_json_is_the_replacement_character_as_in_go() -> None:
    # HCL's JSON parser decodes strings with Go's encoding/json: an unpaired surrogate is U+FFFD.
    text = (
        '{"resource": {"ory_oauth2_client": {"\\ud800": {"client_name": "a\\udc00b",'
        ' "description": "\\ud83d\\ude00"}}}}'
    )
    document = load_tf_json("x.tf.json", text)
    assert isinstance(document, Document)
    [block] = document.blocks
    assert block.labels == ["ory_oauth2_client", "\ufffd"]
    assert block.attributes["client_name"].attribute.value == "a\ufffdb"
    assert block.attributes["description"].attribute.value == "😀"


def _plan(resource_name: str, values: str) -> str:
    return (
        '{"format_version": "1.2", "terraform_version": "1.9.0", "values": {"root_module": '
        '{"resources": [{"address": "ory_oauth2_client.' + resource_name + '", "mode": "managed",'
        ' "type": "ory_oauth2_client", "name": "'
        + resource_name
        + '", "values": '
        + values
        + "}]}}}"
    )


def test_a_lone_surrogate_in_a_plan_is_the_replacement_character() -> None:
    plan = load_plan(
        "p.json", _plan("\\ud800", '{"client_name": "\\udfff", "x": ["\\ud800"]}').encode()
    )
    assert isinstance(plan, PlanDocument)
    [resource] = plan.resources
    assert resource.address == "ory_oauth2_client.\ufffd"
    assert resource.values == {"client_name": "\ufffd", "x": ["\ufffd"]}


@pytest.mark.parametrize("report_format", FORMATS)
def test_every_format_writes_a_file_name_that_is_not_utf8(
    tmp_path: Path, report_format: str
) -> None:
    # Python decodes such a name with surrogate escapes; every writer failed on them, after
    # truncating the -o file to 0 bytes.
    directory = tmp_path / "src"
    directory.mkdir()
    name = os.fsdecode(b"caf\xe9.tf")
    (directory / name).write_text(SIBLING, encoding="utf-8")
    output = tmp_path / f"report.{report_format}"
    output.write_text("earlier report", encoding="utf-8")
    # Run inside the directory: SARIF then writes a relative URI, quoted from the name.
    result = run_cli("check", "src", "--format", report_format, "-o", output.name, cwd=tmp_path)
    _no_traceback(result.stdout + result.stderr)
    assert result.returncode == 0, result.stderr
    written = output.read_text(encoding="utf-8")
    if report_format == "sarif":
        json.loads(written)
        assert "caf%E9.tf" in written  # the URI quotes the original bytes
    elif report_format in ("json", "gitlab"):
        document = json.loads(written)
        assert "caf\udce9.tf" in json.dumps(document, ensure_ascii=False)  # the same code unit
    elif report_format == "junit":
        minidom.parseString(written)
        assert "caf\\udce9.tf" in written
    elif report_format == "markdown":
        # shown as an escape (as in the terminal), whose backslash Markdown then escapes
        assert "caf\\\\udce9\\.tf" in written
    else:
        assert "caf\\udce9.tf" in written


# --- numbers Python will not convert -----------------------------------------------------------

HUGE = "9" * 5000
LARGE = "9" * 4000  # below Python's limit of 4,300 digits


def test_a_huge_integer_in_hcl_is_unknown_not_a_crash(tmp_path: Path) -> None:
    # Was: ValueError (exceeds the limit for integer string conversion), exit 2.
    _module(tmp_path, "bad.tf", f"locals {{\n  a = {HUGE}\n  b = {LARGE}\n}}\n")
    document = load_hcl("bad.tf", (tmp_path / "bad.tf").read_text())
    assert isinstance(document, Document)
    attributes = document.blocks[0].attributes
    assert isinstance(attributes["a"].attribute.value, Unknown)
    assert attributes["b"].attribute.value == int(LARGE)
    result = _scan(tmp_path)
    assert not result.fatal_errors
    assert "ORY001" not in _rules(result)
    _assert_sibling_linted(result, tmp_path)


def test_a_huge_integer_in_tf_json_is_unknown_not_a_crash(tmp_path: Path) -> None:
    _module(tmp_path, "bad.tf.json", f'{{"locals": {{"a": {HUGE}, "b": {LARGE}}}}}')
    document = load_tf_json("bad.tf.json", (tmp_path / "bad.tf.json").read_text())
    assert isinstance(document, Document)
    attributes = document.blocks[0].attributes
    assert isinstance(attributes["a"].attribute.value, Unknown)
    assert attributes["b"].attribute.value == int(LARGE)
    result = _scan(tmp_path)
    assert not result.fatal_errors
    _assert_sibling_linted(result, tmp_path)


def test_a_huge_integer_in_a_plan_is_read(tmp_path: Path) -> None:
    plan = load_plan(
        "p.json", _plan("c", f'{{"client_name": "x", "n": {HUGE}, "m": {LARGE}}}').encode()
    )
    assert isinstance(plan, PlanDocument)
    assert plan.resources[0].values["n"] == float("inf")
    assert plan.resources[0].values["m"] == int(LARGE)


def test_jsonencode_of_a_number_beyond_float64_is_evaluated() -> None:
    # Terraform keeps numbers as 512-bit big.Float and jsonencode writes Text('f', -1).
    document = load_hcl("x.tf", "locals {\n  a = jsonencode(1e400)\n}\n")
    assert isinstance(document, Document)
    assert document.blocks[0].attributes["a"].attribute.value == "1" + "0" * 400


# --- what is read: regular files, bounded -------------------------------------------------------


def test_a_symlink_loop_is_ory001_and_the_scan_goes_on(tmp_path: Path) -> None:
    # Was: RuntimeError from Path.resolve() ("Symlink loop"), exit 2 with no finding at all.
    _module(tmp_path, "main.tf", SIBLING)
    (tmp_path / "a.tf").symlink_to("b.tf")
    (tmp_path / "b.tf").symlink_to("a.tf")
    result = _scan(tmp_path)
    assert sorted(_rules(result)) == ["ORY001", "ORY001", "ORY307"]
    assert all("symbolic links" in message for message in _messages(result))
    assert len(result.fatal_errors) == 2  # input orylint cannot read: exit 2
    named = run_cli("check", str(tmp_path / "a.tf"), "--format", "sarif")
    _no_traceback(named.stderr)
    assert named.returncode == 2


def test_a_path_too_long_is_a_clear_error(tmp_path: Path) -> None:
    # Was: OSError (ENAMETOOLONG) from the configuration search, a traceback.
    result = run_cli("check", str(tmp_path / ("a" * 5000)))
    _no_traceback(result.stdout + result.stderr)
    assert result.returncode == 2
    assert "File name too long" in result.stdout
    assert "no Terraform files" not in result.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifos_are_reported_and_skipped_not_read(tmp_path: Path) -> None:
    # Was: the scan blocked forever opening the FIFO (a .tf, or a .json sniffed for a plan).
    _module(tmp_path, "main.tf", SIBLING)
    os.mkfifo(tmp_path / "pipe.tf")
    os.mkfifo(tmp_path / "pipe.json")
    started = time.monotonic()
    result = _scan(tmp_path)
    assert time.monotonic() - started < 30
    assert _messages(result) == ["not a regular file (a FIFO); orylint reads only regular files"]
    assert next(f.span.path for f in result.findings if f.rule_id == "ORY001").endswith("pipe.tf")
    assert result.fatal_errors  # exit 2
    _assert_sibling_linted(result, tmp_path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_tf_symlinked_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    # Was: read until memory ran out.
    _module(tmp_path, "main.tf", SIBLING)
    (tmp_path / "zero.tf").symlink_to("/dev/zero")
    result = _scan(tmp_path)
    assert _messages(result) == [
        "not a regular file (a character device); orylint reads only regular files"
    ]
    _assert_sibling_linted(result, tmp_path)


def test_files_over_the_size_limit_are_refused(tmp_path: Path) -> None:
    big = _module(tmp_path, "big.tf", "# padding\n" * 120_000)  # 1.2 MB
    result = _scan(tmp_path, max_file_size=2**20)
    [message] = _messages(result)
    assert message.startswith("the file is larger than the limit of 1,048,576 bytes")
    assert "--max-file-size" in message
    _assert_sibling_linted(result, tmp_path)
    assert "ORY001" not in _rules(_scan(tmp_path, max_file_size=2 * 2**20))
    cli = run_cli("check", str(big), "--max-file-size", "1")
    assert cli.returncode == 2
    assert "larger than the limit" in cli.stdout


@pytest.mark.parametrize("reported", [0, 5, 10_000])
def test_a_file_is_read_whole_whatever_size_fstat_gave(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reported: int
) -> None:
    """A file read by its size grew or shrank since ``fstat``, or has no size (``/proc``)."""
    path = tmp_path / "main.tf"
    path.write_bytes(b"# line\n" * 3000)  # 21,000 bytes
    real_fstat = os.fstat

    def fstat(descriptor: int) -> os.stat_result:
        status = list(real_fstat(descriptor))
        status[6] = reported  # st_size
        return os.stat_result(status)

    monkeypatch.setattr(source.os, "fstat", fstat)
    assert source.read_regular_file(path) == path.read_bytes()
    with pytest.raises(source.UnreadableFile, match="larger than the limit of 20,000 bytes"):
        source.read_regular_file(path, limit=20_000)


def test_modules_json_with_null_modules_falls_back_to_the_sources(tmp_path: Path) -> None:
    # Was: TypeError iterating None, exit 2.
    manifest = tmp_path / ".terraform" / "modules" / "modules.json"
    manifest.parent.mkdir(parents=True)
    plan_text = (
        '{"format_version": "1.2", "configuration": {"root_module": {"module_calls": '
        '{"m": {"source": "./mod", "module": {}}}}}}'
    )
    plan = load_plan("p.json", plan_text.encode())
    assert isinstance(plan, PlanDocument)
    root = tmp_path.as_posix()
    for content in ('{"Modules": null}', '{"Modules": [null, 1]}', "[]", "null"):
        manifest.write_text(content, encoding="utf-8")
        assert module_directories(plan, root) == {(): root, ("m",): f"{root}/mod"}
    manifest.write_text('{"Modules": [{"Key": "m", "Dir": "elsewhere"}]}', encoding="utf-8")
    assert module_directories(plan, root)[("m",)] == f"{root}/elsewhere"


@pytest.mark.parametrize(
    "content",
    [
        '{"version": 1, "findings": [], "n": ' + HUGE + "}",
        "[" * 100_000,
        '{"version": 1, "findings": null}',
    ],
)
def test_a_malformed_baseline_is_a_clear_error(tmp_path: Path, content: str) -> None:
    _module(tmp_path, "main.tf", SIBLING)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content, encoding="utf-8")
    result = run_cli("check", str(tmp_path / "main.tf"), "--baseline", str(baseline))
    _no_traceback(result.stderr)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {baseline}: ")


# --- standard streams and Ctrl-C ----------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_standard_output_is_exit_2_with_a_message(tmp_path: Path) -> None:
    _module(tmp_path, "main.tf", SIBLING)
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "orylint", "check", str(tmp_path)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr == (
        "error: cannot write the report to standard output: No space left on device\n"
    )


def test_a_closed_standard_output_is_exit_2_with_a_message(tmp_path: Path) -> None:
    _module(tmp_path, "main.tf", SIBLING)
    result = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -m orylint check "{tmp_path}" >&-'],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == "error: cannot write the report: standard output is closed\n"


def test_ctrl_c_exits_130_with_one_line() -> None:
    # Was: click's "Aborted!" and exit 1. orylint blocks reading a plan from standard input,
    # which never ends here, so the interrupt lands there deterministically.
    process = subprocess.Popen(
        [sys.executable, "-m", "orylint", "check", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        # A shell may start tests with SIGINT ignored; Python then never raises KeyboardInterrupt.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )
    try:
        time.sleep(2)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert stderr.decode() == "error: interrupted\n"
    assert stdout == b""


def test_parse_workers_leave_ctrl_c_to_the_main_process() -> None:
    with ProcessPoolExecutor(max_workers=1, initializer=_ignore_interrupts) as pool:
        handler = pool.submit(signal.getsignal, signal.SIGINT).result(timeout=60)
    assert handler == signal.SIG_IGN


def test_repeated_globstars_do_not_backtrack_exponentially() -> None:
    path = "a/" + "b/" * 25 + "c.tf"
    started = time.monotonic()
    assert not is_excluded(path, ["a/" + "**/" * 30 + "x"], is_dir=False)
    assert not is_excluded(path, ["**/" * 30 + "x/**"], is_dir=False)
    assert time.monotonic() - started < 1
    for pattern in ("a/**/**/c.tf", "**/**/c.tf", "a/****/c.tf"):
        assert is_excluded(path, [pattern], is_dir=False)
    assert not is_excluded(path, ["a/**/**/d.tf"], is_dir=False)


# --- HCL-JSON's array forms ---------------------------------------------------------------------


def test_hcl_json_array_forms_are_read() -> None:
    # Was: silently ignored, so their clients were never linted.
    text = json.dumps(
        {
            "resource": [
                {"ory_oauth2_client": [{"a": {"client_name": "A"}}]},
                {"ory_oauth2_client": {"b": [{"client_name": "B1"}, {"client_name": "B2"}]}},
            ],
            "variable": [{"v": {"default": 1}}],
        }
    )
    document = load_tf_json("x.tf.json", text)
    assert isinstance(document, Document)
    found = [
        (block.type, block.labels, block.attributes.get("client_name")) for block in document.blocks
    ]
    assert [(kind, labels) for kind, labels, _ in found] == [
        ("resource", ["ory_oauth2_client", "a"]),
        ("resource", ["ory_oauth2_client", "b"]),
        ("resource", ["ory_oauth2_client", "b"]),
        ("variable", ["v"]),
    ]
    names = [name.attribute.value for _, _, name in found[:3] if name is not None]
    assert names == ["A", "B1", "B2"]


def test_hcl_json_arrays_are_linted(tmp_path: Path) -> None:
    content = {
        "resource": [{"ory_oauth2_client": {"c": [{"grant_types": ["client_credentials"]}]}}]
    }
    (tmp_path / "main.tf.json").write_text(json.dumps(content), encoding="utf-8")
    assert "ORY101" in _rules(_scan(tmp_path))  # no client_name


# --- messages -----------------------------------------------------------------------------------


def test_a_utf16_file_is_called_utf16_not_binary(tmp_path: Path) -> None:
    _module(tmp_path, "utf16.tf", 'locals {\n  a = "x"\n}\n'.encode("utf-16"))
    result = _scan(tmp_path)
    assert _messages(result) == [
        "the file is UTF-16 encoded; Terraform requires UTF-8 (convert it)"
    ]
    _module(tmp_path, "utf16.tf", b"\x00\x01binary")
    assert _messages(_scan(tmp_path)) == ["this is a binary file, not Terraform configuration"]


def test_files_that_fail_to_load_are_counted(tmp_path: Path) -> None:
    # Was: "Found 1 problem (1 error) in 0 files."
    plan = tmp_path / "plan.json"
    plan.write_text('{"format_version": null}', encoding="utf-8")
    result = run_cli("check", str(plan))
    assert result.returncode == 2
    assert "in 1 file." in result.stdout


@pytest.mark.parametrize(("version", "shown"), [("null", "null"), ('["1.2"]', '["1.2"]')])
def test_format_versions_are_shown_as_json(version: str, shown: str) -> None:
    error = load_plan("p.json", f'{{"format_version": {version}}}'.encode())
    assert isinstance(error, LoadError)
    assert error.fatal
    assert f"`format_version` is {shown}, not a version string" in error.message
    assert "None" not in error.message
    assert "'" not in error.message


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null here")
def test_plan_on_a_device_or_fifo_says_what_it_is(tmp_path: Path) -> None:
    # Was: "no such file", about a file that exists.
    result = _scan(plans=["/dev/null"])
    assert result.fatal_errors == [
        "/dev/null:1:1: not a regular file (a character device); orylint reads only regular files"
    ]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "plan.json")
        fifo = _scan(plans=[str(tmp_path / "plan.json")])
        assert "not a regular file (a FIFO)" in fifo.fatal_errors[0]
    missing = _scan(plans=[str(tmp_path / "missing.json")])
    assert missing.fatal_errors == [f"{tmp_path / 'missing.json'}: no such file"]


def test_an_unreadable_tf_exits_2_like_an_unreadable_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _module(tmp_path, "secret.tf", SIBLING)
    real_open = os.open

    def refuse(file: object, flags: int, *args: object, **kwargs: object) -> int:
        # chmod 0 does not stop root (CI runs as root): refuse the open itself instead
        if os.fspath(file) == str(path):  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied")
        return real_open(file, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    result = _scan(tmp_path)
    assert _messages(result) == ["cannot read the file: Permission denied"]
    assert result.fatal_errors


def test_a_dangling_symlink_is_the_same_error_named_or_in_a_directory(tmp_path: Path) -> None:
    # Was: ORY001 in a directory but "no such file" when named.
    _module(tmp_path, "main.tf", SIBLING)
    (tmp_path / "gone.tf").symlink_to("nowhere.tf")
    message = "cannot read the file: it is a symbolic link to a file that does not exist"
    in_directory = _scan(tmp_path)
    named = _scan(tmp_path / "gone.tf")
    assert _messages(in_directory) == _messages(named) == [message]
    assert in_directory.fatal_errors and named.fatal_errors
    assert not any("no such file" in error for error in named.fatal_errors)

"""File and path functions: read regular files, relative to the directory the evaluator gives.

Terraform resolves a relative path against its base directory (where it runs, the root module's
directory; configurations use ``"${path.module}/x"`` for anything else); the evaluator passes
that directory as :attr:`FunctionContext.module_dir`. orylint reads only regular files (no
devices, FIFOs or sockets, which could block or never end) of at most :data:`MAX_FILE_SIZE`
bytes; anything else, and any file that cannot be read, is Terraform's error or Unknown. Paths
starting with ``~`` depend on the machine that runs Terraform: Unknown.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat

from orylint.terraform import recorder
from orylint.terraform.functions._core import (
    EvaluationError,
    FunctionContext,
    Value,
    function,
    mapping,
    to_string,
)
from orylint.terraform.functions.encoding import decode_utf8
from orylint.terraform.values import Unknown

MAX_FILE_SIZE = 4 * 1024 * 1024
"""Files larger than this are not read (their content is Unknown)."""


class _NotKnowable(Exception):
    """The path cannot be known here (no base directory, a home directory)."""


def _resolve(path: str, context: FunctionContext) -> str:
    if path.startswith("~"):
        raise _NotKnowable("a path in the home directory of the machine running Terraform")
    if "\x00" in path:
        raise EvaluationError("invalid path")
    if os.path.isabs(path):
        return path
    if context.module_dir is None:
        raise _NotKnowable("a relative path without a known base directory")
    return os.path.join(context.module_dir, path)


def read_file(path: str, context: FunctionContext) -> bytes:
    """The bytes of a regular file, or :class:`EvaluationError`/:class:`_NotKnowable`."""
    resolved = _resolve(path, context)
    try:
        info = os.stat(resolved)
    except OSError as error:
        recorder.probe(resolved)
        raise EvaluationError(f"no file exists at {path!r}") from error
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_SIZE:
        recorder.probe(resolved)
        if info.st_size > MAX_FILE_SIZE:
            raise _NotKnowable("a file too large to read")
        raise EvaluationError(f"{path!r} is not a regular file")
    try:
        descriptor = os.open(resolved, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        recorder.probe(resolved)
        raise EvaluationError(f"cannot read {path!r}") from error
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):  # replaced since the stat above
            raise EvaluationError(f"{path!r} is not a regular file")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_SIZE + 1)
    except OSError as error:
        raise EvaluationError(f"cannot read {path!r}") from error
    finally:
        os.close(descriptor)
    if len(data) > MAX_FILE_SIZE:
        raise _NotKnowable("a file too large to read")
    recorder.read(resolved, status, data)
    return data


def _file_bytes(args: list[Value], context: FunctionContext) -> bytes | Unknown:
    try:
        return read_file(to_string(args[0]), context)
    except _NotKnowable as reason:
        return Unknown(f"file: {reason}")


def _on_file(args: list[Value], context: FunctionContext, render: str) -> Value:
    data = _file_bytes(args, context)
    if isinstance(data, Unknown):
        return data
    if render == "text":
        return decode_utf8(data, "the file")
    if render == "base64":
        return base64.b64encode(data).decode("ascii")
    if render.startswith("base64"):
        return base64.b64encode(hashlib.new(render[6:], data).digest()).decode("ascii")
    return hashlib.new(render, data).hexdigest()


@function("file", 1)
def _file(args: list[Value], context: FunctionContext) -> Value:
    return _on_file(args, context, "text")


@function("filebase64", 1)
def _filebase64(args: list[Value], context: FunctionContext) -> Value:
    return _on_file(args, context, "base64")


@function("filemd5", 1)
def _filemd5(args: list[Value], context: FunctionContext) -> Value:
    return _on_file(args, context, "md5")


@function("filesha1", 1)
def _filesha1(args: list[Value], context: FunctionContext) -> Value:
    return _on_file(args, context, "sha1")


@function("filesha256", 1)
def _filesha256(args: list[Value], context: FunctionContext) -> Value:
    return _on_file(args, context, "sha256")


@function("filesha512", 1)
def _filesha512(args: list[Value], context: FunctionContext) -> Value:
    return _on_file(args, context, "sha512")


@function("filebase64sha256", 1)
def _filebase64sha256(args: list[Value], context: FunctionContext) -> Value:
    return _on_file(args, context, "base64sha256")


@function("filebase64sha512", 1)
def _filebase64sha512(args: list[Value], context: FunctionContext) -> Value:
    return _on_file(args, context, "base64sha512")


@function("fileexists", 1)
def _fileexists(args: list[Value], context: FunctionContext) -> Value:
    path = to_string(args[0])
    try:
        resolved = _resolve(path, context)
    except _NotKnowable as reason:
        return Unknown(f"fileexists: {reason}")
    recorder.probe(resolved)
    try:
        info = os.stat(resolved)
    except FileNotFoundError:
        return False
    except OSError as error:
        raise EvaluationError(f"cannot stat {path!r}") from error
    if not stat.S_ISREG(info.st_mode):
        raise EvaluationError(f"{path!r} is not a regular file")
    return True


@function("templatefile", 2)
def _templatefile(args: list[Value], context: FunctionContext) -> Value:
    variables = mapping(args[1])
    data = _file_bytes(args, context)
    if isinstance(data, Unknown):
        return data
    text = decode_utf8(data, "the template")
    if context.render_template is None:
        return Unknown("templatefile() without a template renderer")
    return context.render_template(text, variables)


def _go_clean(path: str) -> str:
    """Go's ``filepath.Clean`` on a slash-separated path."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    cleaned = ("/" if rooted else "") + "/".join(parts)
    return cleaned or "."


@function("basename", 1)
def _basename(args: list[Value], _: FunctionContext) -> Value:
    path = to_string(args[0])
    if path == "":
        return "."
    stripped = path.rstrip("/")
    if stripped == "":
        return "/"
    return stripped.rsplit("/", 1)[-1]


@function("dirname", 1)
def _dirname(args: list[Value], _: FunctionContext) -> Value:
    path = to_string(args[0])
    head = path[: path.rfind("/") + 1]
    return _go_clean(head)


@function("pathexpand", 1)
def _pathexpand(args: list[Value], _: FunctionContext) -> Value:
    path = to_string(args[0])
    if path.startswith("~"):
        return Unknown("pathexpand() of the home directory of the machine running Terraform")
    return path


@function("abspath", 1)
def _abspath(args: list[Value], _: FunctionContext) -> Value:
    path = to_string(args[0])
    if os.path.isabs(path):
        return _go_clean(path)
    return Unknown("abspath() depends on the directory Terraform runs in")

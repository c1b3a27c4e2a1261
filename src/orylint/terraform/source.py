"""Read a configuration file as text, or say in plain words why it is not text.

Terraform reads files as UTF-8; we accept (and drop) a byte-order mark because editors on Windows
write one. A NUL byte means a binary file, which Terraform would reject too.
"""

from __future__ import annotations

from orylint.terraform.document import LoadError


def decode_source(path: str, data: bytes) -> str | LoadError:
    """Decode file bytes as ``utf-8-sig``; point at the first bad byte when that fails."""
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        return LoadError(path, line, 1, "this is a binary file, not Terraform configuration")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        byte = data[error.start]
        return LoadError(
            path,
            line,
            column,
            f"the file is not valid UTF-8 (byte 0x{byte:02x}); Terraform requires UTF-8",
        )


def read_source(path: str, real_path: str | None = None) -> str | LoadError:
    """Read and decode a file; an unreadable file becomes a load error, never an exception."""
    try:
        with open(real_path or path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return LoadError(path, 1, 1, f"cannot read the file: {error.strerror or error}")
    return decode_source(path, data)

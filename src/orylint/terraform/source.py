"""Read a configuration file as text, or say in plain words why it is not text.

Terraform reads files as UTF-8; we accept (and drop) a byte-order mark because editors on Windows
write one. A NUL byte means a binary file, which Terraform would reject too.
"""

from __future__ import annotations

import bisect
import errno
import functools
import os
import stat

from orylint.terraform import recorder
from orylint.terraform.document import LoadError

MAX_FILE_SIZE = 64 * 1024 * 1024
"""Default per-file size limit (``--max-file-size``): a larger input is refused, not read."""


class UnreadableFile(Exception):
    """A file orylint does not read: not a regular file, too large, or an OS error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_regular_file(path: str | os.PathLike[str], limit: int = MAX_FILE_SIZE) -> bytes:
    """Read a regular file of at most ``limit`` bytes; raise :class:`UnreadableFile` otherwise.

    Only regular files are read: a FIFO would block forever and a device (``/dev/zero``) never
    ends. The file is opened without blocking and checked with ``fstat`` on the open descriptor,
    so a path swapped for a FIFO after discovery cannot hang the scan either.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise UnreadableFile(_os_reason(path, error)) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            kind = file_kind(status.st_mode)
            raise UnreadableFile(f"not a regular file ({kind}); orylint reads only regular files")
        if status.st_size > limit:
            raise UnreadableFile(_too_large(status.st_size, limit))
        # ``os.read`` of the size ``fstat`` gave, not a file object: a scan reads thousands of
        # files, and the buffered reader cost three times the read itself. A read that does
        # not return exactly that size (a file that grew or shrank since, or a file whose size
        # is not known, as in /proc) reads on to the end, or past the limit.
        data = os.read(descriptor, status.st_size + 1)
        if len(data) != status.st_size:
            data += _read_to_end(descriptor, limit + 1 - len(data))
    except OSError as error:
        raise UnreadableFile(_os_reason(path, error)) from None
    finally:
        os.close(descriptor)
    if len(data) > limit:  # grew while being read
        raise UnreadableFile(_too_large(len(data), limit))
    recorder.read(path, status, data)
    return data


def _read_to_end(descriptor: int, budget: int) -> bytes:
    """What is left of an open file, up to ``budget`` bytes, read a MiB at a time."""
    chunks = []
    while budget > 0 and (chunk := os.read(descriptor, min(budget, 2**20))):
        chunks.append(chunk)
        budget -= len(chunk)
    return b"".join(chunks)


FileIdentity = tuple[int, int]
"""A file's device and inode: the same file under two names (a link, ``a/../a``) has one."""


def file_identity(path: str | os.PathLike[str] | int) -> FileIdentity | None:
    """The identity of a regular file (a path or an open descriptor), or None.

    Only regular files have one here: a pipe read twice does not hold the same data twice, so
    two pipes are never "the same input".
    """
    if not isinstance(path, int):
        recorder.file(path)  # which plans are the same decides what is read
    try:
        status = os.fstat(path) if isinstance(path, int) else os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return (status.st_dev, status.st_ino)


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, kind in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return kind
    return "not a file"


def _too_large(size: int, limit: int) -> str:
    return (
        f"the file is larger than the limit of {limit:,} bytes ({size:,} bytes or more); "
        "raise the limit with --max-file-size"
    )


def _os_reason(path: str | os.PathLike[str], error: OSError) -> str:
    if error.errno == errno.ENOENT and os.path.islink(path):
        return "cannot read the file: it is a symbolic link to a file that does not exist"
    return f"cannot read the file: {error.strerror or error}"


def decode_source(path: str, data: bytes) -> str | LoadError:
    """Decode file bytes as ``utf-8-sig``; point at the first bad byte when that fails."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(data) >= 2 and data[0] != 0 and data[1] == 0
    ):
        return LoadError(
            path, 1, 1, "the file is UTF-16 encoded; Terraform requires UTF-8 (convert it)"
        )
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
        data = read_regular_file(real_path or path)
    except UnreadableFile as error:
        return LoadError(path, 1, 1, error.reason)
    return decode_source(path, data)


class LineTable:
    """Where each line of a text starts, so that a line or a position costs a bisection.

    Reporters, fixes and fingerprints look up thousands of positions in one file; scanning the
    text again for each made them quadratic (SARIF of 5,000 clients in one file ran past two
    minutes). Lines end at newlines only, as spans count them.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        found = text.find("\n")
        while found >= 0:
            starts.append(found + 1)
            found = text.find("\n", found + 1)
        self.starts = starts

    def __len__(self) -> int:
        return len(self.starts)

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) without its newline."""
        start = self.starts[number - 1]
        end = self.starts[number] - 1 if number < len(self.starts) else len(self.text)
        return self.text[start:end]

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based line and column; past the last line, the end of the text."""
        if line > len(self.starts):
            return len(self.text)
        return self.starts[line - 1] + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of an offset."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


@functools.lru_cache(maxsize=16)
def line_table(text: str) -> LineTable:
    """The line table of a text, built once however often it is asked for.

    The key is the text itself: a string caches its hash, and a lookup compares by identity
    first, so a hit costs no rescan.
    """
    return LineTable(text)

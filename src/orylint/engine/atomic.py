"""Writing a file so that it is either the old one or the new one, never half of each.

Reports, baselines and fixed ``.tf`` files are all written here. Writing in place truncates the
file first, so a full disk, a killed process or an encoding error leaves an empty report or a cut
``.tf``; instead the new content goes to a temporary file in the same directory (the same file
system, so the rename is atomic) and replaces the old file with ``os.replace`` only once it is
complete and on disk.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, data: bytes) -> None:
    """Replace the file at ``path`` with ``data``, or raise :class:`OSError` and change nothing.

    A symbolic link is followed (its target is replaced, the link stays); what is not a regular
    file (``/dev/stdout``, a named pipe) is simply written to. An existing file keeps
    its permission bits; a new one gets the mode ``open`` would give it (0666 less the umask). A
    file without any write permission bit is refused with ``EACCES``, even for root: a rename
    would otherwise replace a file its owner marked read-only.
    """
    target = os.path.realpath(path)
    try:
        status = os.stat(target)
    except FileNotFoundError:
        mode: int | None = None
    else:
        if not stat.S_ISREG(status.st_mode):  # -o /dev/stdout, a pipe: nothing to replace
            with open(target, "wb") as handle:
                handle.write(data)
            return
        mode = stat.S_IMODE(status.st_mode)
    if mode is not None and (
        not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK)
    ):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    directory, name = os.path.split(target)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise

"""Gathering (:mod:`orylint.gather`) in a child process, while this one loads the rest of the scan.

On a large repository an uncached scan is mostly two things that do not depend on each other:
gathering (listing, reading and pre-filtering thousands of files: system calls and substring
scans) and loading the scan (importing the parser, the evaluator, the model and the rules, and
building the parser's tables). :func:`start` forks a child that gathers, before the parent
imports any of that; the scan then takes the child's result (:meth:`Gathering.result`). The child
runs the very function the scan would run itself, and where no child can be had (no ``fork``,
one CPU, ``--jobs 1``, other threads running) or it fails in any way, the scan gathers in its
own process, where any error is reported as it always is.

This module imports nothing of the scan, so that the child starts as early as possible; the
child imports :mod:`orylint.gather` itself.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from orylint.engine import forking
from orylint.options import STDIN, ScanOptions
from orylint.terraform import recorder

if TYPE_CHECKING:
    from orylint.gather import Gathered


_FILE, _RESULT = 0, 1
"""Frames on the pipe: a file certain to be parsed, then the result (empty: the child failed)."""
_HEADER = struct.Struct("<BQ")


class Gathering:
    """:func:`orylint.gather.gather` running in a child process (see :func:`start`).

    The child sends each file certain to be parsed as soon as it knows (:meth:`early`), then the
    whole result (:meth:`result`); it also writes a byte to a second pipe the moment it has
    finished gathering, so the parent knows when parsing early no longer gains anything.
    """

    def __init__(self, options: ScanOptions, pid: int, data: int, finished: int) -> None:
        self._options = options
        self._pid = pid
        self._data = data
        self._finished = finished
        self._result: bytes | None = None

    def idle(self) -> bool:
        """Whether nothing has arrived from the child yet (the parent may do other work)."""
        return not _ready(self._data)

    def early(self) -> Iterator[tuple[str, bytes]]:
        """The files certain to be parsed, as they arrive, while the child still gathers.

        Once it has finished, the files still on their way are left to the scan, which parses
        the rest (in worker processes where there are many).
        """
        while self._result is None and self._pid:
            kind, payload = self._frame()
            if kind != _FILE:
                self._result = payload
            elif not _ready(self._finished):
                name, data = pickle.loads(payload)
                yield name, data  # (once the child has finished, the rest are read past)

    def result(self) -> Gathered:
        """The child's result; gathered here instead if the child could not give one."""
        try:
            for _ in self.early():
                pass
        except (OSError, EOFError, pickle.UnpicklingError):
            pass
        finally:  # Ctrl-C while waiting too: the child must not outlive the run
            self.close()
        try:
            gathered, recording, configurations = pickle.loads(self._result or b"")
        except Exception:  # the child failed (an error, a signal): what it met is met again here
            from orylint.gather import gather

            return gather(self._options)
        _adopt(self._options, recording, configurations)
        return gathered  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the child if it still runs and release it (a scan that failed before waiting)."""
        if self._pid:
            pid, self._pid = self._pid, 0
            os.close(self._data)
            os.close(self._finished)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # (it has exited if its result was read)
            os.waitpid(pid, 0)

    def _frame(self) -> tuple[int, bytes]:
        kind, size = _HEADER.unpack(self._read(_HEADER.size))
        return kind, self._read(size)

    def _read(self, size: int) -> bytes:
        chunks = []
        while size:
            chunk = os.read(self._data, min(size, 1 << 20))
            if not chunk:
                raise EOFError("the child stopped before sending its result")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)


def _ready(pipe: int) -> bool:
    """Whether a pipe has something to read (or has been closed), without waiting.

    ``poll``, not ``select``: a process with many files open has descriptors past
    ``select``'s limit.
    """
    poller = select.poll()
    poller.register(pipe, select.POLLIN)
    return bool(poller.poll(0))


def start(options: ScanOptions) -> Gathering | None:
    """Gather in a child process where that can save time; None where the scan should gather.

    Worth it when a directory is to be walked (pre-commit names files: nothing to overlap) and
    a second CPU can run it (:func:`orylint.engine.forking.usable`).
    """
    if not forking.usable(options.workers()) or not any(
        path != STDIN and os.path.isdir(path) for path in options.paths
    ):
        return None
    data, finished = os.pipe(), os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no processes here (sandboxes): gather in this one
        for end in (*data, *finished):
            os.close(end)
        return None
    if pid == 0:
        os.close(data[0])
        os.close(finished[0])
        _child(options, data[1], finished[1])
    os.close(data[1])
    os.close(finished[1])
    return Gathering(options, pid, data[0], finished[0])


def _child(options: ScanOptions, data: int, finished: int) -> NoReturn:
    """Gather, send the result to the parent, and exit without running the parent's cleanup.

    Files certain to be parsed are sent as they are found, without ever waiting for the parent
    to take them (it parses each before reading the next): what the pipe cannot take now waits
    in memory, so reading goes on at full speed. Any failure sends an empty result, and the
    parent gathers itself. Ctrl-C is the parent's to report.
    """
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        queued = bytearray()
        result = b""
        with contextlib.suppress(BaseException):
            from orylint.gather import gather

            os.set_blocking(data, False)

            def early(name: str, text: bytes) -> None:
                queued.extend(_frame(_FILE, pickle.dumps((name, text), pickle.HIGHEST_PROTOCOL)))
                with contextlib.suppress(BlockingIOError):
                    del queued[: os.write(data, queued)]

            gathered = gather(options, early)
            os.write(finished, b"\0")
            result = pickle.dumps(
                (_portable(gathered), recorder.active(), _configuration_files(options)),
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        os.set_blocking(data, True)
        view = memoryview(queued + _frame(_RESULT, result))
        while view:
            view = view[os.write(data, view) :]
    finally:
        os._exit(0)


def _frame(kind: int, payload: bytes) -> bytes:
    return _HEADER.pack(kind, len(payload)) + payload


def _portable(gathered: Gathered) -> Gathered:
    """Leave out what the parent does not read once the files are read: the discovered paths.

    A repository has thousands, and the parent reads only the display names.
    """
    if gathered.files is not None:
        inputs = gathered.inputs
        inputs.tf_files, inputs.tf_json_files, inputs.identities = [], [], {}
    return gathered


def _configuration_files(options: ScanOptions) -> list[Path]:
    return [] if options.configs is None else options.configs.files()


def _adopt(
    options: ScanOptions, recording: recorder.Recording | None, configurations: list[Path]
) -> None:
    """Take over what the child read: its recorded inputs, its configuration files."""
    active = recorder.active()
    if active is not None and recording is not None:
        active.merge(recording)
    if options.configs is not None:
        for path in configurations:
            options.configs.for_directory(path.parent)

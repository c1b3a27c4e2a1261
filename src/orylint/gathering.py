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
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from orylint.options import STDIN, ScanOptions
from orylint.terraform import recorder

if TYPE_CHECKING:
    from orylint.gather import Gathered


class Gathering:
    """:func:`orylint.gather.gather` running in a child process (see :func:`start`)."""

    def __init__(self, options: ScanOptions, pid: int, pipe: int) -> None:
        self._options = options
        self._pid = pid
        self._pipe = pipe

    def done(self) -> bool:
        """Whether the child has finished (its result waits in the pipe)."""
        return bool(select.select([self._pipe], [], [], 0)[0])

    def result(self) -> Gathered:
        """The child's result; gathered here instead if the child could not give one."""
        chunks = []
        try:
            while chunk := os.read(self._pipe, 1 << 20):
                chunks.append(chunk)
        finally:  # Ctrl-C while waiting too: the child must not outlive the run
            self.close()
        try:
            gathered, recording, configurations = pickle.loads(b"".join(chunks))
        except Exception:  # the child failed (an error, a signal): what it met is met again here
            from orylint.gather import gather

            return gather(self._options)
        _adopt(self._options, recording, configurations)
        return gathered  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the child if it still runs and release it (a scan that failed before waiting)."""
        if self._pid:
            pid, self._pid = self._pid, 0
            os.close(self._pipe)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # (it has exited if its result was read)
            os.waitpid(pid, 0)


def start(options: ScanOptions) -> Gathering | None:
    """Gather in a child process where that can save time; None where the scan should gather.

    Worth it when a directory is to be walked (pre-commit names files: nothing to overlap) and
    a second CPU can run it. ``fork`` only: the child needs the parent's options as they are,
    and starting an interpreter would cost more than the overlap saves; not on macOS, whose
    system libraries are not safe to use in a forked child, and not while other threads run
    (a lock one of them holds would stay held in the child).
    """
    if (
        not hasattr(os, "fork")
        or sys.platform == "darwin"
        or options.workers() < 2
        or _threads_running()
        or not any(path != STDIN and os.path.isdir(path) for path in options.paths)
    ):
        return None
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no processes here (sandboxes): gather in this one
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:
        _child(options, read_end, write_end)
    os.close(write_end)
    return Gathering(options, pid, read_end)


def _threads_running() -> bool:
    threading = sys.modules.get("threading")
    return threading is not None and threading.active_count() > 1


def _child(options: ScanOptions, read_end: int, write_end: int) -> NoReturn:
    """Gather, send the result to the parent, and exit without running the parent's cleanup.

    Any failure sends nothing, and the parent gathers itself. Ctrl-C is the parent's to report.
    """
    try:
        os.close(read_end)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        payload = b""  # nothing, on any failure: the parent gathers again and reports it
        with contextlib.suppress(BaseException):
            from orylint.gather import gather

            payload = pickle.dumps(
                (_portable(gather(options)), recorder.active(), _configuration_files(options)),
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        view = memoryview(payload)
        while view:
            view = view[os.write(write_end, view) :]
    finally:
        os._exit(0)


def _portable(gathered: Gathered) -> Gathered:
    """Leave out what the parent does not read once the files are read: the discovered paths.

    Thousands of ``Path`` objects cost more to send than the rest together.
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

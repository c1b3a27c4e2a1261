"""Work handed to a forked child process, and when a scan may fork at all.

A scan has two pieces of work that need a second CPU and nothing else of each other: gathering
(:mod:`orylint.gathering`) while the parent loads the scan, and the organisation's policies
(:mod:`orylint.engine.runner`) while the parent runs the built-in rules. Both use ``fork``:
the child needs the parent's objects as they are (the options, the model, compiled
validators), and starting an interpreter would cost more than the overlap saves.

This module imports nothing of the scan, so that gathering can start before the scan is loaded.
It lives in the engine, the lowest stage that forks; gathering, above it, may use it too.
"""

from __future__ import annotations

import contextlib
import gc
import mmap
import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable
from typing import Generic, NoReturn, TypeVar

T = TypeVar("T")


def usable(workers: int) -> bool:
    """Whether work may go to a forked child: ``fork`` exists and a second CPU may run it.

    Not on macOS, whose system libraries are not safe to use in a forked child, and not while
    other threads run (a lock one of them holds would stay held in the child).
    """
    return (
        hasattr(os, "fork") and sys.platform != "darwin" and workers >= 2 and not _threads_running()
    )


def _threads_running() -> bool:
    threading = sys.modules.get("threading")
    return threading is not None and threading.active_count() > 1


_SHARED_BYTES = 64 << 20
"""Shared memory a child's answer may fill; a larger one goes through the pipe. Only the pages
written are ever allocated: a scan's policies send one or two megabytes."""

_HEADER = struct.Struct("=Q?")
"""What the child writes to the pipe first: its answer's size, and whether the answer is in the
shared memory (else it follows in the pipe)."""


class Forked(Generic[T]):
    """One call running in a forked child; :meth:`result` is what it returned, pickled back.

    The child ignores Ctrl-C (the parent reports it), runs with the collector off (a collection
    would touch, and so copy, every page the parent's objects live on) and exits without the
    parent's cleanup. Anything that goes wrong in it, an exception or a signal, makes
    :meth:`result` ``None``: the caller then does the work itself, where an error is reported
    as it always is.

    The answer comes back through memory shared with the child, its size through the pipe.
    Through the pipe alone, a 64 KiB buffer, a megabyte of findings took 17 turns of one
    process waking the other (8 ms on the bench's VM), and the end of the answer was known only
    when the pipe closed, that is when the child had unmapped its copy of the parent's memory.
    """

    def __init__(self, pid: int, pipe: int, shared: mmap.mmap | None) -> None:
        self._pid = pid
        self._pipe = pipe
        self._shared = shared

    def result(self) -> T | None:
        """What the call returned, once it has; ``None`` if the child gave nothing."""
        try:
            header = self._read(_HEADER.size)
            if header is None:
                return None
            size, in_shared = _HEADER.unpack(header)
            if in_shared and self._shared is not None:
                data: bytes | None = self._shared[:size]
            else:
                data = self._read(size)
            # unpickled while the child exits: ``close`` then has little or nothing to wait for
            return pickle.loads(data) if data is not None else None
        except Exception:  # a child killed half-way through its answer
            return None
        finally:  # Ctrl-C while waiting too: the child must not outlive the run
            self.close()

    def _read(self, size: int) -> bytes | None:
        """Exactly ``size`` bytes of the pipe; ``None`` if it closes before."""
        chunks = []
        while size:
            chunk = os.read(self._pipe, min(size, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        """Stop the child if it still runs and release it."""
        if self._pid:
            pid, self._pid = self._pid, 0
            os.close(self._pipe)
            if self._shared is not None:
                self._shared.close()
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # (it is exiting if its answer was read)
            os.waitpid(pid, 0)


def fork(call: Callable[[], T]) -> Forked[T] | None:
    """``call()`` in a forked child; ``None`` where no process can be had (the caller calls it).

    The caller has checked :func:`usable`.
    """
    try:
        shared: mmap.mmap | None = mmap.mmap(-1, _SHARED_BYTES)  # anonymous, and shared
    except (OSError, ValueError):  # a strict memory limit: the pipe carries the answer
        shared = None
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no processes here (sandboxes)
        os.close(read)
        os.close(write)
        if shared is not None:
            shared.close()
        return None
    if pid == 0:
        os.close(read)
        _child(call, write, shared)
    os.close(write)
    return Forked(pid, read, shared)


def _child(call: Callable[[], object], pipe: int, shared: mmap.mmap | None) -> NoReturn:
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        gc.disable()
        with contextlib.suppress(BaseException):  # nothing written: the parent does the work
            data = pickle.dumps(call(), protocol=pickle.HIGHEST_PROTOCOL)
            if shared is not None and len(data) <= len(shared):
                shared[: len(data)] = data
                message = _HEADER.pack(len(data), True)
            else:
                message = _HEADER.pack(len(data), False) + data
            view = memoryview(message)
            while view:
                view = view[os.write(pipe, view) :]
    finally:
        os._exit(0)

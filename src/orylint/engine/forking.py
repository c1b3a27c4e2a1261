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
import os
import pickle
import signal
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


class Forked(Generic[T]):
    """One call running in a forked child; :meth:`result` is what it returned, pickled back.

    The child ignores Ctrl-C (the parent reports it), runs with the collector off (a collection
    would touch, and so copy, every page the parent's objects live on) and exits without the
    parent's cleanup. Anything that goes wrong in it, an exception or a signal, makes
    :meth:`result` ``None``: the caller then does the work itself, where an error is reported
    as it always is.
    """

    def __init__(self, pid: int, pipe: int) -> None:
        self._pid = pid
        self._pipe = pipe

    def result(self) -> T | None:
        """What the call returned, once it has; ``None`` if the child gave nothing."""
        chunks = []
        try:
            while chunk := os.read(self._pipe, 1 << 20):
                chunks.append(chunk)
            return pickle.loads(b"".join(chunks)) if chunks else None
        except Exception:  # a child killed half-way through its answer
            return None
        finally:  # Ctrl-C while waiting too: the child must not outlive the run
            self.close()

    def close(self) -> None:
        """Stop the child if it still runs and release it."""
        if self._pid:
            pid, self._pid = self._pid, 0
            os.close(self._pipe)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # (it has exited if its result was read)
            os.waitpid(pid, 0)


def fork(call: Callable[[], T]) -> Forked[T] | None:
    """``call()`` in a forked child; ``None`` where no process can be had (the caller calls it).

    The caller has checked :func:`usable`.
    """
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no processes here (sandboxes)
        os.close(read)
        os.close(write)
        return None
    if pid == 0:
        os.close(read)
        _child(call, write)
    os.close(write)
    return Forked(pid, read)


def _child(call: Callable[[], object], pipe: int) -> NoReturn:
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        gc.disable()
        with contextlib.suppress(BaseException):  # nothing written: the parent does the work
            view = memoryview(pickle.dumps(call(), protocol=pickle.HIGHEST_PROTOCOL))
            while view:
                view = view[os.write(pipe, view) :]
    finally:
        os._exit(0)

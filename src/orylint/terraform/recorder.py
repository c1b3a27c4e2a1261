"""What a run read: every file, directory listing and probed path its result depends on.

The result cache (``orylint/result_cache.py``) stores a whole scan's result and serves it again
only if nothing the scan depended on has changed, as git's index, ruff and mypy do. That needs a
list of the inputs, and only the code that reads an input knows it read it; so every place that
opens, lists or probes a user's path reports here (``tests/test_result_cache.py`` checks that
each of them does), at the lowest layer that reads it: ``source.read_regular_file``, discovery,
the file functions, root variables, and, through the same functions, the configuration and
policy loaders above.

Recording is off unless a run starts it (:func:`start`), so a library call or a run without the
cache pays one global lookup per read. What is kept is cheap to check again:

- a file: its ``os.stat`` (size, mtime, ctime, inode, device) and a blake2b digest of the bytes
  that mattered (all of them, or the first ``prefix`` bytes a sniffing read looked at);
- a listed directory: its mtime and a digest of its entries (name, kind, symlink target);
- a probed path (``isfile``, ``exists``): what it was, or that it was absent, which a later run
  could find.

A stat that differs is not yet a change: the digest decides (a CI checkout restored from a cache
has new times and the same bytes), and the entry takes the new stat. Like git's "racily clean"
entries, a file or directory whose mtime is not safely older than the moment the recording
began may have changed again within the same timestamp, so it is always checked by content.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

RACY_NS = 2_000_000_000
"""An mtime within this of the recording's start is not trusted (FAT keeps 2-second times)."""

Stat = tuple[int, int, int, int, int]
"""Size, mtime, ctime (ns), inode and device: what a file's ``os.stat`` is compared on."""


def _stat_key(status: os.stat_result) -> Stat:
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _kind(path: str) -> int:
    """What a path is: its ``lstat`` file type, with a symlink's target type in the high bits.

    0 is absent; a dangling symlink is a link to nothing.
    """
    try:
        link = os.lstat(path)
    except (OSError, ValueError):
        return 0
    kind = stat.S_IFMT(link.st_mode)
    if not stat.S_ISLNK(link.st_mode):
        return kind
    try:
        target = os.stat(path)
    except (OSError, ValueError):
        return kind
    return kind | stat.S_IFMT(target.st_mode) << 16


def _listing_digest(entries: Iterable[os.DirEntry[str]]) -> bytes:
    """The names, kinds and symlink targets of a directory's entries, in name order."""
    digest = hashlib.blake2b(digest_size=16)
    for entry in sorted(entries, key=lambda item: item.name):
        try:
            link = entry.is_symlink()
            kind = "l" if link else "d" if entry.is_dir(follow_symlinks=False) else "f"
            target = os.readlink(entry.path) if link else ""
        except OSError:
            kind, target = "?", ""
        digest.update(f"{entry.name}\0{kind}\0{target}\0".encode("utf-8", "surrogateescape"))
    return digest.digest()


def _list(path: str) -> bytes | None:
    try:
        with os.scandir(path) as entries:
            return _listing_digest(entries)
    except OSError:
        return None


def _read_digest(path: str, prefix: int) -> bytes | None:
    """The digest of a file's bytes (its first ``prefix`` bytes; -1: all of them), or None."""
    try:
        with open(path, "rb") as handle:
            return _digest(handle.read(prefix))
    except OSError:
        return None


@dataclass
class Recording:
    """The inputs of one run, and the time its recording began."""

    started_ns: int = field(default_factory=time.time_ns)
    files: dict[str, tuple[Stat, bytes, int]] = field(default_factory=dict)
    """Path: stat, digest, how many bytes the digest covers (-1: all)."""
    directories: dict[str, tuple[int, bytes | None]] = field(default_factory=dict)
    """Path: mtime, listing digest (None: it could not be listed)."""
    probes: dict[str, int] = field(default_factory=dict)
    """Path: its kind when probed (:func:`_kind`; 0: absent)."""

    def merge(self, other: Recording) -> None:
        """Add what ``other`` read: a stored result's inputs, or what a child process read."""
        self.files.update(other.files)
        self.directories.update(other.directories)
        self.probes.update(other.probes)

    def compacted(self) -> Recording:
        """The recording without the probes that its directory listings already answer for.

        A scan looks for configuration files in every directory it walks, found or (mostly)
        not; such a path changes only with its directory's entries, which the listing's digest
        holds (each name, its kind, a symlink's target), so checking it again is a system call
        for nothing: thousands per run on a large repository. A symlink's probe also holds its
        target's kind, which no listing does: it stays.
        """
        listed = {
            os.path.abspath(path) for path, (_, listing) in self.directories.items() if listing
        }
        probes = {
            path: kind
            for path, kind in self.probes.items()
            if stat.S_ISLNK(kind & 0xFFFF) or os.path.dirname(os.path.abspath(path)) not in listed
        }
        return Recording(self.started_ns, self.files, self.directories, probes)

    def identities(self) -> set[tuple[int, int]]:
        """The device and inode of every file read."""
        return {(status[4], status[3]) for status, _, _ in self.files.values()}

    def unchanged(self) -> tuple[bool, bool]:
        """Whether every input is as recorded; and whether entries were refreshed on the way.

        One ``stat`` per file and directory; a file is read only when its stat differs or its
        mtime is racy, a directory listed again only then. A refreshed recording begins at this
        check: every entry was verified after it started.
        """
        checked = time.time_ns()
        refreshed = False
        trusted_before = self.started_ns - RACY_NS  # an mtime from then on is racy
        status_of = os.stat  # (looked up once: this loop runs for every file of a repository)
        for path, kind in self.probes.items():
            if _kind(path) != kind:
                return False, False
        for path, (mtime, listing) in self.directories.items():
            try:
                now = status_of(path).st_mtime_ns
            except OSError:
                return False, False
            if now == mtime and mtime < trusted_before:
                continue
            if _list(path) != listing:
                return False, False
            self.directories[path] = (now, listing)
            refreshed = True
        for path, (recorded, digest, prefix) in self.files.items():
            try:
                status = status_of(path)
            except OSError:
                return False, False
            current = _stat_key(status)
            if current == recorded and recorded[1] < trusted_before:
                continue
            if not stat.S_ISREG(status.st_mode) or _read_digest(path, prefix) != digest:
                return False, False
            self.files[path] = (current, digest, prefix)
            refreshed = True
        if refreshed:
            self.started_ns = checked
        return True, refreshed


_active: list[Recording] = []


def start() -> Recording:
    """Begin recording this process's reads (a run that may store its result does this first)."""
    _active[:] = [Recording()]
    return _active[0]


def stop() -> None:
    """Stop recording."""
    _active.clear()


def active() -> Recording | None:
    """The recording in progress, if any."""
    return _active[0] if _active else None


@contextlib.contextmanager
def recording() -> Iterator[Recording]:
    """Record the reads of a block (tests, library callers)."""
    started = start()
    try:
        yield started
    finally:
        stop()


def read(
    path: str | os.PathLike[str], status: os.stat_result, data: bytes, prefix: int = -1
) -> None:
    """A regular file was read: ``status`` from its open descriptor, ``data`` what was used.

    ``prefix`` says the read looked only at the first bytes (a plan sniffed by its head).
    """
    if not _active:
        return
    files = _active[0].files
    name = os.fspath(path)
    if prefix >= 0 and name in files and files[name][2] < 0:
        return  # already read whole: a sniff of its head must not weaken that
    files[name] = (_stat_key(status), _digest(data), prefix)


def file(path: str | os.PathLike[str]) -> None:
    """A file was read (or looked for) by code that does not hold its bytes: read it here.

    A path that is not a regular file is recorded as what it is (absent, a directory, ...).
    """
    if not _active:
        return
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            status = os.fstat(handle.fileno())
            if stat.S_ISREG(status.st_mode):
                read(name, status, handle.read())
                return
    except (OSError, ValueError):
        pass
    probe(name)


def probe(path: str | os.PathLike[str]) -> None:
    """A path was tested for existence or kind (``isfile``, ``lexists``, ``is_dir``).

    Once per path and run: the configuration is asked about every finding's file.
    """
    if _active:
        probes = _active[0].probes
        name = os.fspath(path)
        if name not in probes:
            probes[name] = _kind(name)


def listed(path: str | os.PathLike[str], entries: Iterable[os.DirEntry[str]]) -> None:
    """A directory was listed, with these ``os.scandir`` entries."""
    _record_directory(path, lambda _: _listing_digest(entries))


def directory(path: str | os.PathLike[str]) -> None:
    """A directory was listed by code that does not hold the entries: list it here."""
    _record_directory(path, _list)


def _record_directory(path: str | os.PathLike[str], listing: Callable[[str], bytes | None]) -> None:
    """Record a directory's mtime and the digest ``listing`` gives (absent: a probe)."""
    if not _active:
        return
    name = os.fspath(path)
    try:
        mtime = os.stat(name).st_mtime_ns
    except OSError:
        probe(name)
        return
    _active[0].directories[name] = (mtime, listing(name))

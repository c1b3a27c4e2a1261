"""A cache of loaded files, keyed by their content, so an unchanged file is parsed once.

Parsing HCL in Python is the cost of a scan (python-hcl2 reads about 0.16 MB/s), and pre-commit
and CI lint mostly unchanged files again and again. An entry is the result of loading one file
(a ``Document`` or the ``LoadError`` that says why it could not be loaded), pickled, under a key
that hashes everything the result depends on: the display name (spans carry it), the bytes, and
the versions of orylint, python-hcl2, lark and Python.

The cache is a directory of files, one per entry, in 256 buckets:

- safe under concurrent runs: an entry is written to a temporary file in its bucket and renamed
  into place (``os.replace``), so a reader sees a whole entry or none (not through
  ``engine/atomic.py``, which lies above this package and syncs every file to disk: an entry
  torn by a crash only fails its checksum and is rebuilt);
- bounded: when a bucket outgrows its share of ``max_bytes``, its least recently used entries go
  (a hit refreshes an entry's time), so the bound costs one small directory listing per write;
- an entry is trusted only with the magic, the format and the versions in its header and a
  checksum of its body; anything else (a foreign, truncated or corrupted file) is ignored and
  rebuilt. Only entries of the cache directory orylint was given are ever unpickled.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path

from orylint import __version__

MAGIC = b"orylint-cache\n"
FORMAT = 1
MAX_BYTES = 256 * 1024 * 1024
"""Default bound on the size of the cache directory."""
_BUCKETS = 256
_DIGEST = 20


_chosen: list[Path] = []


def use_directory(directory: Path) -> None:
    """Make ``directory`` (``--cache-dir``) this process's cache directory."""
    _chosen[:] = [directory]


def default_directory() -> Path:
    """The cache directory: ``--cache-dir``, ``$ORYLINT_CACHE_DIR``, or the user cache directory.

    Besides the cached files of a scan, it holds what orylint derives from itself: the parser's
    tables and the parsed rule metadata. Those are kept even with ``--no-cache``, which is about
    the user's files: they depend only on the installed orylint, and rebuilding the tables alone
    costs seconds.
    """
    if _chosen:
        return _chosen[0]
    configured = os.environ.get("ORYLINT_CACHE_DIR")
    if configured:
        return Path(configured)
    import platformdirs  # only when no directory is given: it costs start-up time

    return Path(platformdirs.user_cache_dir("orylint", appauthor=False))


@functools.cache
def versions() -> bytes:
    """What a cached result depends on besides the file: orylint, its parsers, Python.

    tree-sitter and tree-sitter-hcl (the fallback parser) are pinned by orylint's release.

    orylint's version alone is not enough where it runs from a checkout (the version stays while
    the loading code changes), so the loading code itself is stamped too: the size and time of
    every module of ``terraform/`` and ``golang/``, which the loaders use. Once per process:
    a run opens the cache for the rule metadata and for the scan.
    """
    return (
        f"{FORMAT}|orylint {__version__} {_code_stamp()}|"
        f"python-hcl2 {_package_text('hcl2', 'version.py')}|"
        f"lark {_package_text('lark', '__init__.py')}|"
        f"{sys.implementation.cache_tag}|pickle {pickle.HIGHEST_PROTOCOL}"
    ).encode()


def _package_text(package: str, name: str) -> str:
    """A file of an installed package that holds its version, read without importing it.

    Importing python-hcl2 loads its transformer and rule classes, and lark its parsers, which a
    run that finds everything in a cache never uses (lark's ``__init__.py`` is short and sets
    ``__version__``; python-hcl2 keeps its version in ``version.py``).
    """
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return "?"
    try:
        return (Path(spec.origin).parent / name).read_text(encoding="utf-8")
    except OSError:
        return "?"


def _code_stamp() -> str:
    """The loading code (what a cached document is made by), stamped by :func:`tree_stamp`."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    stamp = "".join(
        tree_stamp(os.path.join(package, part), ".py") for part in ("terraform", "golang")
    )
    return hashlib.blake2b(stamp.encode(), digest_size=8).hexdigest()


def tree_stamp(root: str, suffix: str = "") -> str:
    """The name, size and mtime of every file under ``root`` (ending in ``suffix``), in order.

    What stamps code that can change while its version does not (a checkout): a ``stat`` per
    file, not a read. ``os.walk`` rather than ``Path.rglob``, whose pattern machinery (a regex
    compiled per call) cost more than the stats it drives, on every run.
    """
    parts = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        for name in sorted(names):
            if not name.endswith(suffix):
                continue
            path = os.path.join(directory, name)
            try:
                status = os.stat(path)
            except OSError:  # removed while the stamp is taken (an upgrade): stamped as absent
                parts.append(f"{os.path.relpath(path, root)}:-;")
                continue
            parts.append(f"{os.path.relpath(path, root)}:{status.st_size}:{status.st_mtime_ns};")
    return "".join(parts)


@dataclass
class Cache:
    """One cache directory; ``get`` and ``put`` never raise for what is on disk."""

    directory: Path
    max_bytes: int = MAX_BYTES
    header: bytes = field(default_factory=lambda: MAGIC + versions() + b"\n")

    def key(self, name: str, data: bytes) -> str:
        """The entry key of a file: its name and bytes, under this version of everything."""
        digest = hashlib.blake2b(self.header, digest_size=_DIGEST)
        digest.update(name.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / f"entries-{FORMAT}" / key[:2] / key[2:]

    def get(self, key: str) -> object | None:
        """The value stored under ``key``, or None (missing, foreign, corrupt, unreadable)."""
        path = self._path(key)
        try:
            with open(path, "rb") as handle:
                blob = handle.read()
        except OSError:
            return None
        if not blob.startswith(self.header):
            return None
        checksum = blob[len(self.header) : len(self.header) + _DIGEST]
        body = blob[len(self.header) + _DIGEST :]
        if hashlib.blake2b(body, digest_size=_DIGEST).digest() != checksum:
            return None
        try:
            value: object = pickle.loads(body)
        except Exception:  # a damaged entry is a miss, whatever unpickling raises
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: evicted last
        return value

    def put(self, key: str, value: object) -> None:
        """Store ``value`` atomically; a cache that cannot be written is silently not used."""
        path = self._path(key)
        try:
            body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return
        checksum = hashlib.blake2b(body, digest_size=_DIGEST).digest()
        import tempfile  # here: a run that finds everything in the cache writes nothing

        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(self.header + checksum + body)
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
            self._bound(path.parent)
        except OSError:
            return

    def _share(self) -> int:
        """How many bytes one bucket may hold."""
        return self.max_bytes // _BUCKETS

    def _bound(self, bucket: Path) -> None:
        """Evict the least recently used entries of a bucket over its share of the bound."""
        share = self._share()
        entries = []
        total = 0
        for entry in os.scandir(bucket):
            try:
                status = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            entries.append((status.st_mtime_ns, status.st_size, entry.path))
            total += status.st_size
        if total <= share:
            return
        for _, size, path in sorted(entries):
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
            if total <= share:
                return

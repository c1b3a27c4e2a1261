"""Find what to lint: configuration files (grouped by module directory) and plan JSON.

Configuration files are Terraform's ``.tf`` and ``.tf.json`` and OpenTofu's ``.tofu`` and
``.tofu.json``, read alike. OpenTofu's extension precedence applies: where ``foo.tofu`` and
``foo.tf`` are in the same directory, OpenTofu loads ``foo.tofu`` only (``foo.tofu.json``
likewise replaces ``foo.tf.json``), so ``foo.tf`` is not linted.

Discovery only lists paths; it reads no more than the first bytes of ``.json`` files to tell a
Terraform plan or state from any other JSON document (by content, never by name).
"""

from __future__ import annotations

import errno
import functools
import operator
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

from orylint.terraform import recorder

HCL_SUFFIXES = (".tf", ".tofu")
"""Configuration in HCL's native syntax: Terraform's and OpenTofu's extensions."""
JSON_SUFFIXES = (".tf.json", ".tofu.json")
"""Configuration in HCL's JSON syntax."""
CONFIG_SUFFIXES = HCL_SUFFIXES + JSON_SUFFIXES
_TOFU_ALTERNATIVES = {".tf": ".tofu", ".tf.json": ".tofu.json"}
_TOFU_SUFFIXES = tuple(_TOFU_ALTERNATIVES.values())

SKIPPED_DIRECTORIES = frozenset({".terraform", ".git", ".terragrunt-cache", "node_modules"})
_PLAN_MARKERS = (b'"format_version"', b'"terraform_version"')


@dataclass
class Inputs:
    """The files a scan will load, and the problems found while looking for them."""

    tf_files: list[str] = field(default_factory=list)
    """``.tf`` and ``.tofu`` files, as path strings: a repository has thousands, and a ``Path``
    per file (made, hashed, turned back into a string) was a fifth of gathering them."""
    tf_json_files: list[str] = field(default_factory=list)
    plan_files: list[Path] = field(default_factory=list)
    explicit: set[str] = field(default_factory=set)
    """The identities (see ``identities``) of the files named explicitly."""
    identities: dict[str, str] = field(default_factory=dict)
    """Every listed file's identity: its real path, so that one file is never listed twice.

    Computed without a ``realpath`` per file: a directory is resolved once and its entries are
    joined to it, and only an entry that is itself a symlink is resolved (``realpath`` costs a
    system call per path component, and was most of a scan of a large repository).
    """
    var_files: list[Path] = field(default_factory=list)
    """``.tfvars`` files named explicitly: their module is linted with their values."""
    missing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unusable: list[str] = field(default_factory=list)
    """Named paths that cannot even be looked at, with the reason (``ENAMETOOLONG``)."""
    excluded: list[str] = field(default_factory=list)
    """Paths an exclude pattern removed while walking (directories end with ``/``)."""
    overridden: list[Path] = field(default_factory=list)
    """``.tf``/``.tf.json`` files not linted: a ``.tofu`` file of the same name replaces them."""

    @property
    def empty(self) -> bool:
        """Whether nothing lintable was found."""
        return not (self.tf_files or self.tf_json_files or self.plan_files)


ExcludeScope = Callable[[Path], tuple[Sequence[str], Path]]
"""For a directory: the exclude patterns that govern what it holds and the directory they are
relative to (the nearest configuration file's ``exclude`` and that file's directory)."""


@dataclass(frozen=True)
class Excludes:
    """Exclude patterns and what they are relative to.

    ``patterns`` (``--exclude``) are relative to the scanned directory, or to the working
    directory for files named explicitly; ``anchored`` gives, for each directory, the patterns
    of the configuration that governs it, relative to that configuration file's directory, as
    ruff anchors its excludes.
    """

    patterns: Sequence[str] = ()
    anchored: ExcludeScope | None = None
    anchored_by: frozenset[str] = frozenset()
    """Names of the files that can change ``anchored``'s answer in a directory that holds them
    (configuration files). A walk asks only for such directories: every other one has its
    parent's answer. Empty: ask for every directory."""

    def match(self, path: Path, relative: str, *, is_dir: bool) -> bool:
        """Whether ``path`` (shown as ``relative`` to the scan root) is excluded."""
        return self.match_in(self.scope(path.parent), path, relative, is_dir=is_dir)

    def scope(self, directory: Path) -> tuple[Sequence[str], Path] | None:
        """The patterns that govern the entries of ``directory``; None where none applies.

        The configuration's patterns come with the directory they are anchored at. A walk asks
        once per directory rather than once per entry: looking up the governing configuration
        was most of the cost of listing a large repository.
        """
        anchored = self.anchored(directory) if self.anchored is not None else ((), Path())
        return anchored if self.patterns or anchored[0] else None

    def match_in(
        self,
        scope: tuple[Sequence[str], Path] | None,
        path: Path,
        relative: str,
        *,
        is_dir: bool,
    ) -> bool:
        """:meth:`match`, for an entry of a directory whose :meth:`scope` is known."""
        if scope is None:
            return False
        if is_excluded(relative, self.patterns, is_dir=is_dir):
            return True
        patterns, base = scope
        if not patterns:
            return False
        try:
            inside = real_path(path).relative_to(real_path(base)).as_posix()
        except ValueError:
            return False
        return is_excluded(inside, patterns, is_dir=is_dir)


def discover(
    paths: Sequence[str],
    excludes: Sequence[str] | Excludes = (),
    *,
    force_exclude: bool = False,
) -> Inputs:
    """List the inputs under ``paths`` (files or directories), honouring exclude patterns.

    Files named explicitly are linted even when an exclude pattern matches them, unless
    ``force_exclude`` is set: pre-commit passes every changed file, and the configuration's
    excludes must still apply to those (ruff's ``--force-exclude``).
    """
    rules = excludes if isinstance(excludes, Excludes) else Excludes(tuple(excludes))
    inputs = Inputs()
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        recorder.probe(path)
        try:
            os.lstat(path)
        except OSError as error:
            if error.errno == errno.ENOENT:
                inputs.missing.append(raw)
            else:  # a path too long, a directory that cannot be searched
                inputs.unusable.append(f"{raw}: {error.strerror or error}")
            continue
        # A dangling symlink or a symlink loop is named, so it is not missing: it is listed
        # as a file, and reading it says why it cannot be read (as in a scanned directory).
        if path.is_dir():
            for file, identity in _walk(path, rules, inputs):
                _add(inputs, file, identity, seen, explicit=False)
        elif force_exclude and rules.match(path, path.as_posix(), is_dir=False):
            inputs.skipped.append(raw)  # excluded
        elif path.name.endswith(_VARIABLE_FILES):
            inputs.var_files.append(path)  # values for its root module: lint that module
        else:
            _add(inputs, str(path), real_path(path).as_posix(), seen, explicit=True)
    return inputs


_VARIABLE_FILES = (".tfvars", ".tfvars.json")

#: The variable files Terraform loads by itself from the root module's directory, in this order.
AUTOMATIC_VAR_FILES = ("terraform.tfvars", "terraform.tfvars.json")
AUTOMATIC_VAR_SUFFIXES = (".auto.tfvars", ".auto.tfvars.json")


def real_path(path: Path) -> Path:
    """``path`` with symlinks resolved; a symlink loop stays as far as it resolves.

    ``Path.resolve`` raises ``RuntimeError`` on a loop (Python 3.11); ``os.path.realpath``
    stops there instead, and reading the file then reports the loop.
    """
    return Path(os.path.realpath(path))


def _tofu_name(name: str) -> str | None:
    """The name of the OpenTofu file that would replace ``name`` (``foo.tofu`` for ``foo.tf``)."""
    for suffix, alternative in _TOFU_ALTERNATIVES.items():
        if name.endswith(suffix):
            return name.removesuffix(suffix) + alternative
    return None


def tofu_alternative(path: Path) -> Path | None:
    """The OpenTofu file that replaces ``path`` (``foo.tofu`` for ``foo.tf``) if there is one."""
    name = _tofu_name(path.name)
    if name is not None:
        recorder.probe(path.with_name(name))
    if name is None or not os.path.lexists(path.with_name(name)):
        return None
    return path.with_name(name)


def _add(inputs: Inputs, path: str, identity: str, seen: set[str], *, explicit: bool) -> None:
    if identity in seen:
        return
    name = os.path.basename(path)
    if explicit and name.endswith(CONFIG_SUFFIXES) and tofu_alternative(Path(path)) is not None:
        inputs.overridden.append(Path(path))  # (a walk leaves such files out itself)
        return
    if name.endswith(JSON_SUFFIXES):
        inputs.tf_json_files.append(path)
    elif name.endswith(HCL_SUFFIXES):
        inputs.tf_files.append(path)
    elif explicit or (name.endswith(".json") and looks_like_plan(Path(path))):
        # An explicit file of another kind is read as a plan: the loader says clearly when
        # it is not one, which is better than ignoring a file the user named.
        inputs.plan_files.append(Path(path))
    else:
        return
    seen.add(identity)
    inputs.identities[path] = identity
    if explicit:
        inputs.explicit.add(identity)


def directory_files(directory: Path) -> Iterable[tuple[Path, str]]:
    """The configuration files of one directory, sorted, each with its identity.

    Both Terraform and OpenTofu read ``.tf``/``.tf.json``; OpenTofu also reads
    ``.tofu``/``.tofu.json`` and then skips a ``.tf`` file that a ``.tofu`` file of the same
    name replaces.
    """
    real_directory = real_path(directory).as_posix()
    try:
        entries = sorted(os.scandir(directory), key=_NAME)
    except OSError:
        recorder.probe(directory)
        return
    recorder.listed(directory, entries)
    names = {entry.name for entry in entries}
    for entry in entries:
        if entry.name.endswith(CONFIG_SUFFIXES) and _tofu_name(entry.name) not in names:
            yield directory / entry.name, _identity(entry, real_directory)


def _identity(entry: os.DirEntry[str], real_directory: str) -> str:
    """An entry's real path: its directory's joined to its name unless it is a symlink itself."""
    if entry.is_symlink():
        return real_path(Path(entry.path)).as_posix()
    return _joined(real_directory, entry.name)


def _joined(directory: str, name: str) -> str:
    """``posixpath.join`` for a name without a slash, without its checks (once per file)."""
    return f"{directory}{name}" if directory.endswith("/") else f"{directory}/{name}"


_PLAN_HEAD = 4096
"""How many bytes of a ``.json`` file tell a plan from other JSON."""


def looks_like_plan(path: Path) -> bool:
    """Tell a ``terraform show -json`` document from other JSON by its first bytes."""
    try:
        status = os.stat(path)
    except OSError:
        recorder.probe(path)
        return False
    if not stat.S_ISREG(status.st_mode):  # a FIFO would block the scan; a device never ends
        recorder.probe(path)
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(_PLAN_HEAD)
    except OSError:
        recorder.probe(path)
        return False
    recorder.read(path, status, head, prefix=_PLAN_HEAD)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode()
    return all(marker in head for marker in _PLAN_MARKERS)


def _walk(root: Path, excludes: Excludes, inputs: Inputs) -> Iterable[tuple[str, str]]:
    """Files under ``root`` that may be inputs, with their identities, in a stable order.

    Like ``os.walk`` (symlinked directories are not followed), but each directory is listed with
    ``os.scandir`` once: an entry says whether it is a symlink without another system call.
    What an exclude removes, and a ``.tf`` file a ``.tofu`` file replaces, are recorded in
    ``inputs`` (for ``-v``). Paths are strings, made by joining; a ``Path`` only where an
    exclude pattern is to be matched.
    """
    pending: list[tuple[str, str, str, _Scope | None]] = [
        (str(root), real_path(root).as_posix(), "", None)
    ]
    while pending:
        directory, real_directory, relative_dir, inherited = pending.pop()
        try:
            entries = sorted(os.scandir(directory), key=_NAME)
        except OSError:  # as os.walk: a directory that cannot be listed is skipped
            recorder.probe(directory)
            continue
        recorder.listed(directory, entries)
        subdirectories = []
        names = {entry.name for entry in entries}
        if inherited is None or not excludes.anchored_by or names & excludes.anchored_by:
            inherited = _Scope(excludes.scope(Path(directory)))
        scope = inherited.value
        # Per entry only what each needs: this loop runs for every file of a repository.
        tofu = any(name.endswith(_TOFU_SUFFIXES) for name in names)
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:  # a symlink to a directory is not followed, as in os.walk
                if entry.is_symlink() or name in SKIPPED_DIRECTORIES:
                    continue
                child = entry.path
                if scope and excludes.match_in(
                    scope, Path(child), relative_dir + name, is_dir=True
                ):
                    inputs.excluded.append(f"{Path(child).as_posix()}/")
                else:
                    subdirectories.append((child, name))
                continue
            if not name.endswith(_LISTED_SUFFIXES):
                continue
            path = entry.path
            if scope and excludes.match_in(scope, Path(path), relative_dir + name, is_dir=False):
                inputs.excluded.append(Path(path).as_posix())
            elif tofu and _tofu_name(name) in names:
                inputs.overridden.append(Path(path))
            else:
                yield path, _identity(entry, real_directory)
        pending.extend(
            (child, _joined(real_directory, name), f"{relative_dir}{name}/", inherited)
            for child, name in reversed(subdirectories)
        )


@dataclass(frozen=True)
class _Scope:
    """A directory's :meth:`Excludes.scope`, which its subdirectories may inherit."""

    value: tuple[Sequence[str], Path] | None


_LISTED_SUFFIXES = (*CONFIG_SUFFIXES, ".json")
_NAME = operator.attrgetter("name")
"""Directory entries' sort key (a function in C: a walk sorts every directory's entries)."""
"""What a walk lists: configuration files, and JSON that may be a plan."""


def is_excluded(relative: str, patterns: Sequence[str], *, is_dir: bool) -> bool:
    """Whether ``.gitignore`` patterns exclude a path (``relative`` to where they are written).

    Git's semantics, through ``pathspec``: a pattern without a slash matches at any depth, one
    with a slash (``/legacy/``, ``envs/old/``) is anchored, ``**`` spans directories, a trailing
    slash matches directories only and ``!`` re-includes. As in git, nothing inside an excluded
    directory can be re-included, so the directories above the path are tested first.
    """
    if not patterns:
        return False
    parts = relative.removeprefix("./").split("/")
    for depth in range(1, len(parts)):
        if _matches(tuple(patterns), "/".join(parts[:depth]) + "/"):
            return True
    return _matches(tuple(patterns), relative.removeprefix("./") + ("/" if is_dir else ""))


def _matches(patterns: tuple[str, ...], query: str) -> bool:
    """Whether the last pattern that matches ``query`` itself excludes it (git's rule).

    pathspec translates each glob; the decision is taken here, because pathspec also matches
    the contents of a matched directory (so ``!X/`` would re-include ``X/a.tf``) and lets
    ``X/**`` match ``X/`` itself, where git matches neither. Directories above the path are
    tested by the caller, as git stops at an excluded directory.
    """
    excluded = False
    for line, pattern in zip(patterns, _compiled(patterns), strict=True):
        if pattern.include is not None and _pattern_matches(line, pattern.regex, query):
            excluded = pattern.include
    return excluded


def _pattern_matches(line: str, regex: re.Pattern[str] | None, query: str) -> bool:
    """Whether one pattern matches the path itself (a directory ends with ``/``).

    pathspec's regexes also match a path through a directory above it; git does not, so a
    match counts only where it ends with the path. ``X/**`` and ``X/**/`` become the prefix
    ``X/`` in pathspec: they match what is inside ``X``, never ``X``.
    """
    body = line.rstrip()
    if regex is None or (body.endswith("/") and not query.endswith("/")):
        return False  # a directory-only pattern never matches a file
    if body.endswith(("/**", "/**/")):
        found = regex.search(query)
        return found is not None and found.end() < len(query)
    return any(found.end() == len(query) for found in regex.finditer(query))


@functools.cache
def _compiled(patterns: tuple[str, ...]) -> list[pathspec.RegexPattern]:
    import pathspec  # here: most runs have no exclude pattern, and pathspec costs start-up

    lines = [_ASTERISKS.sub(_asterisks, line) for line in patterns]
    return [
        pattern
        for pattern in pathspec.GitIgnoreSpec.from_lines(lines).patterns
        if isinstance(pattern, pathspec.RegexPattern)
    ]


_ASTERISKS = re.compile(r"\*{2,}")


def _asterisks(match: re.Match[str]) -> str:
    """A run of asterisks as git's wildmatch reads it, which pathspec does not for three or more.

    A run that is a whole path segment (``a/****/c.tf``) spans directories like ``**``; any
    other run (``a**b``) is one ``*``.
    """
    text = match.string
    whole = (match.start() == 0 or text[match.start() - 1] == "/") and (
        match.end() == len(text) or text[match.end()] == "/"
    )
    return "**" if whole else "*"

"""Gather what a scan reads: discover the inputs, read the configuration, pick what to parse.

Gathering is system calls and substring scans: on a large repository it is most of an uncached
scan, and it needs none of the parser, the evaluator, the model or the rules, so the CLI runs it
in a child process while it loads those (:mod:`orylint.gathering`).

A plan's module calls add the calls' source directories to what is read, so a scan with plans
reads the configuration files only after reading the plans (:func:`read_configuration`); every
other scan has them read here.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from orylint.config import CONFIG_FILE_NAMES
from orylint.options import STDIN, ScanOptions
from orylint.terraform import recorder
from orylint.terraform.discover import (
    AUTOMATIC_VAR_FILES,
    AUTOMATIC_VAR_SUFFIXES,
    JSON_SUFFIXES,
    Excludes,
    Inputs,
    directory_files,
    discover,
)
from orylint.terraform.document import LoadError
from orylint.terraform.resources import CLIENT_RESOURCE_TYPES, PROJECT_RESOURCES
from orylint.terraform.source import (
    FileIdentity,
    UnreadableFile,
    decode_source,
    file_identity,
    read_regular_file,
)


@dataclass
class Log:
    """What gathering has to say: ``-v`` lines, fatal errors, files that cannot be read."""

    notes: list[tuple[str, str]] = field(default_factory=list)
    fatal_errors: list[str] = field(default_factory=list)
    load_errors: list[LoadError] = field(default_factory=list)

    def note(self, topic: str, message: str) -> None:
        """One ``-v`` line under ``topic`` (the scan's ``Trace`` topics)."""
        self.notes.append((topic, message))


@dataclass
class ConfigurationFiles:
    """Every configuration file read, and those of them worth parsing."""

    read: set[str]
    """Display names of every file read: parsed, passed over by the pre-filter, or unreadable."""
    to_parse: list[tuple[str, bytes]]
    """The files that can change what orylint reports (:func:`relevant_directories`,
    :func:`can_matter`), with their bytes, in module directory and name order."""
    terraform_files: int
    """How many files were read and are reported on (not only context of a named file)."""
    configured: list[str]
    """One module directory of the files read for each configuration they use, in name order:
    the rules to run are those some file's configuration enables."""
    resource_types: dict[str, int]
    """Resource types in every file read, when ``ScanOptions.resource_types`` asks."""
    log: Log


@dataclass
class Gathered:
    """What discovery found, and (without plans) the configuration files read."""

    inputs: Inputs
    module_var_files: dict[str, list[str]]
    """Per root module directory, a ``.tfvars`` file named on the command line."""
    context: set[str]
    """Display names of the files read only as context of a named file (not reported)."""
    plans: list[PlanInput]
    empty: bool
    """Whether discovery found nothing lintable."""
    log: Log
    files: ConfigurationFiles | None = None
    """None where plans are read first (:func:`read_configuration`)."""


Early = Callable[[str, bytes], None]
"""Told of each file certain to be parsed as soon as that is known, while gathering goes on (a
file of a directory that mentions a client or project resource, and can matter)."""


def gather(options: ScanOptions, early: Early | None = None) -> Gathered:
    """Discover the inputs of ``options.paths``; read the configuration unless plans come first.

    ``early`` hears of the files certain to be parsed while the others are still being read (see
    :func:`read_configuration`).
    """
    paths = [path for path in options.paths if path != STDIN]
    inputs = (
        discover(
            paths,
            Excludes(
                options.excludes,
                functools.partial(_config_excludes, options),
                anchored_by=CONFIG_FILE_NAMES,
            ),
            force_exclude=options.force_exclude,
        )
        if paths
        else Inputs()
    )
    module_var_files = _named_var_files(inputs)
    context = _add_context(inputs)
    log = Log()
    _trace_discovery(log, inputs)
    log.fatal_errors.extend(f"{missing}: no such file or directory" for missing in inputs.missing)
    log.fatal_errors.extend(inputs.unusable)
    plans = _plan_inputs(options, inputs, log)
    gathered = Gathered(inputs, module_var_files, context, plans, inputs.empty, log)
    if not plans:
        gathered.files = read_configuration(inputs, context, options, early)
    return gathered


def read_configuration(
    inputs: Inputs, context: set[str], options: ScanOptions, early: Early | None = None
) -> ConfigurationFiles:
    """Read every configuration file of ``inputs``; keep those of the modules that can matter.

    Input orylint cannot read is a fatal error (exit 2), whatever its kind; a module with
    nothing Ory in it is linted, and passes, without being parsed. Files come directory by
    directory (as a walk lists them), so a directory that mentions a marker is known as soon
    as it is read: its files that can matter go to ``early`` then, and the rest of the
    repository is read meanwhile (callers and callees are known only at the end).
    """
    log = Log()
    read: set[str] = set()
    by_directory: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
    directories: set[str] = set()
    marked: set[str] = set()
    batch: list[tuple[str, bytes]] = []  # the files of the directory being read
    current = ""
    for path, directory, name in _display_names(inputs.tf_files + inputs.tf_json_files):
        if directory != current:
            if current in marked:
                _send_early(early, batch)
            batch, current = [], directory
        read.add(name)
        directories.add(directory)
        try:
            data = read_regular_file(path, options.max_file_size)
        except UnreadableFile as error:
            log.load_errors.append(LoadError(name, 1, 1, error.reason, fatal=True))
            log.note("failed", f"{name}: {error.reason}")
            continue
        by_directory[directory].append((name, data))
        batch.append((name, data))
        if directory not in marked and _mentions_a_marker(data):
            marked.add(directory)
    if current in marked:
        _send_early(early, batch)
    wanted = relevant_directories(by_directory, marked)
    to_parse: list[tuple[str, bytes]] = []
    for directory in sorted(by_directory):
        if directory not in wanted:
            count = len(by_directory[directory])
            log.note(
                "skipped",
                f"{directory}/ ({count} file{'s' * (count != 1)}): no client or Ory project "
                "resource in this module and no call to a module with one",
            )
        for name, data in sorted(by_directory[directory]):
            if directory in wanted and can_matter(data):
                to_parse.append((name, data))
                continue
            # Not parsed (nothing Ory in this module or this file), named or not: a file that
            # neither holds nor feeds an Ory resource is none of orylint's business, and
            # pre-commit must not fail a commit on it because orylint's parsers cannot read it
            # (`orylint check .` skips the same file). But a file Terraform cannot even read is
            # worth reporting: decoding is cheap next to parsing, and ASCII without a NUL byte,
            # what nearly every file is, always decodes.
            if data.isascii() and b"\0" not in data:
                continue
            decoded = decode_source(name, data)
            if isinstance(decoded, LoadError):
                log.load_errors.append(decoded)
    files = [file for files in by_directory.values() for file in files]
    return ConfigurationFiles(
        read=read,
        to_parse=to_parse,
        terraform_files=len({name for name, _ in files} - context),
        configured=_one_per_configuration(sorted(directories), options),
        resource_types=resource_types(files) if options.resource_types else {},
        log=log,
    )


def _send_early(early: Early | None, batch: list[tuple[str, bytes]]) -> None:
    """The files of a directory that mentions a marker, that can matter: certain to be parsed."""
    if early is not None:
        for name, data in sorted(batch):
            if can_matter(data):
                early(name, data)


def _one_per_configuration(directories: list[str], options: ScanOptions) -> list[str]:
    """The first of ``directories`` to use each configuration.

    A repository has thousands of directories and a few configurations; they are looked up
    here, where gathering may run in a child process while the parent loads the scan.
    """
    seen: dict[int, str] = {}
    for directory in directories:
        seen.setdefault(id(options.config_of(directory, is_dir=True)), directory)
    return list(seen.values())


# --- discovery, plans, display names -------------------------------------------------------


_MODULE_SOURCE = re.compile(rb'source\s*=\s*"(\.{1,2}/[^"]*)"')


def display_path(path: str | os.PathLike[str]) -> str:
    """Paths as users typed them: relative to the working directory when inside it.

    A scan names thousands of files in a few directories, so each directory is worked out once.
    """
    cwd = os.getcwd()
    parent, name = os.path.split(os.fspath(path))
    if name in {"", ".", ".."}:
        return _display(os.fspath(path), cwd)
    return _joined(_display(parent or ".", cwd), name)


def _display_names(paths: Iterable[str]) -> Iterator[tuple[str, str, str]]:
    """Each file's path, its directory's display path and its own (:func:`display_path`).

    For the thousands of files of a walk: the working directory is asked for once, and each
    directory looked up once.
    """
    cwd = os.getcwd()
    shown: dict[str, str] = {}
    for path in paths:
        parent, name = os.path.split(path)
        directory = shown.get(parent)
        if directory is None:
            directory = shown[parent] = _display(parent or ".", cwd)
        yield path, directory, _joined(directory, name)


def _joined(directory: str, name: str) -> str:
    if directory == ".":
        return name
    return f"{directory}{name}" if directory.endswith("/") else f"{directory}/{name}"


@functools.lru_cache(maxsize=4096)
def _display(path: str, cwd: str) -> str:
    absolute = os.path.normpath(os.path.join(cwd, path))
    folded, here = os.path.normcase(absolute), os.path.normcase(cwd)
    if folded != here and not folded.startswith(os.path.join(here, "")):
        return _posix(absolute)  # outside: what relpath would give starts with ".."
    try:
        relative = os.path.relpath(absolute, cwd)
    except ValueError:  # another drive on Windows
        return _posix(absolute)
    return _posix(absolute if relative.startswith("..") else relative)


def _posix(normal: str) -> str:
    """A normalised path with ``/`` (a ``Path`` only where the separator is another)."""
    return normal if os.sep == "/" else Path(normal).as_posix()


PlanInput = tuple[str, bytes | None, str | None]
"""A plan to read: its display name, its data (``None``: read the file), its source root."""


def is_dir(path: str | Path) -> bool:
    """``os.path.isdir``, recorded: the answer is part of the result (what the scan read)."""
    recorder.probe(path)
    return os.path.isdir(path)


def _config_excludes(options: ScanOptions, directory: Path) -> tuple[Sequence[str], Path]:
    """The exclude patterns that govern a directory's entries, and where they are anchored."""
    config = options.config_of(directory, is_dir=True)
    return config.exclude, config.base or Path()


def _trace_discovery(log: Log, inputs: Inputs) -> None:
    """What discovery left out, and why (``-v``)."""
    for excluded in inputs.excluded:
        slash = "/" if excluded.endswith("/") else ""
        log.note("skipped", f"{display_path(Path(excluded))}{slash}: excluded")
    for raw in inputs.skipped:
        log.note("skipped", f"{raw}: excluded (--force-exclude)")
    for path in inputs.overridden:
        name = display_path(path)
        log.note("skipped", f"{name}: OpenTofu reads the .tofu file of the same name instead")
    for var_file in inputs.var_files:
        log.note("read", f"{display_path(var_file)} (values for the root module it sits in)")


def _plan_inputs(options: ScanOptions, inputs: Inputs, log: Log) -> list[PlanInput]:
    """Every plan to read, once: ``(name, data or None to read the file, source root)``.

    A plan can reach the scan three ways: ``--plan FILE``, ``--plan -`` and discovery by content
    in a scanned directory (``orylint check . --plan plan.json``, the Action's ``paths: infra``
    with ``plan: infra/plan.json``). Read twice, it would report every finding twice, once on
    ``plan.json``; so each file is read once, by identity (device and inode), under the name the
    user gave it. Piped standard input has no identity: a file with the same bytes is the same
    plan.
    """
    plans: list[PlanInput] = []
    seen: set[FileIdentity] = set()
    reads_stdin = STDIN in options.paths or STDIN in options.plans

    def add(path: Path) -> None:
        identity = file_identity(path)
        if identity is not None:
            if identity in seen or (reads_stdin and _same_bytes(path, options.stdin or b"")):
                log.note("skipped", f"{display_path(path)}: already read as a plan")
                return
            seen.add(identity)
        plans.append((display_path(path), None, _plan_source_root(options, path)))

    if reads_stdin and options.stdin_identity is not None:
        seen.add(options.stdin_identity)
    for plan in options.plans:
        if plan == STDIN:
            continue
        recorder.probe(plan)
        if os.path.lexists(plan):  # reading says why a FIFO, a device or a dangling link is not
            add(Path(plan))
        else:
            log.fatal_errors.append(f"{plan}: no such file")
    for path in inputs.plan_files:
        add(path)
    if reads_stdin:
        plans.append(("<stdin>", options.stdin or b"", _plan_source_root(options, None)))
    return plans


def _same_bytes(path: Path, data: bytes) -> bool:
    """Whether the regular file ``path`` holds exactly ``data`` (read only if the size agrees)."""
    recorder.file(path)
    try:
        return os.path.getsize(path) == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _plan_source_root(options: ScanOptions, plan: Path | None) -> str | None:
    """Where the root module's ``.tf`` files of a plan are, if anywhere.

    ``--chdir`` names it; with ``--plan``, the first directory linted is it; otherwise a plan
    that sits in a directory of ``.tf`` files belongs to that directory.
    """
    if options.chdir:
        return display_path(Path(options.chdir))
    if options.plans:
        for path in options.paths:
            if path != STDIN and is_dir(path):
                return display_path(Path(path))
    if plan is not None and any(directory_files(plan.parent)):
        return display_path(plan.parent)
    return None


def _add_context(inputs: Inputs) -> set[str]:
    """Add the other files of each explicitly named file's module, for context only.

    Outputs, locals and variables usually live in other files of the same directory, so a file
    passed alone (pre-commit passes only the changed ones) is linted with its whole module; only
    the named files are reported. Returns the display paths of the context-only files.
    """
    directories = {
        Path(path).parent
        for path in inputs.tf_files + inputs.tf_json_files
        if inputs.identities[path] in inputs.explicit
    }
    return {display_path(path) for path in _add_directory_files(inputs, directories)}


def add_module_sources(inputs: Inputs, directories: set[str]) -> None:
    """Load the sources of a plan's modules, so its findings land on ``.tf`` lines.

    The directories come from the plan's module calls (or ``.terraform/modules/modules.json``),
    so they may lie inside ``.terraform/``, which discovery otherwise skips.
    """
    _add_directory_files(inputs, {Path(directory) for directory in directories})


def _add_directory_files(inputs: Inputs, directories: set[Path]) -> list[str]:
    """Add the configuration files of ``directories`` not yet listed; return those added."""
    known = set(inputs.identities.values())
    added = []
    for directory in sorted(directories):
        for path, identity in directory_files(directory):
            if identity not in known:
                known.add(identity)
                _add_file(inputs, path, identity)
                added.append(str(path))
    return added


def _add_file(inputs: Inputs, path: Path, identity: str) -> None:
    name = str(path)
    inputs.identities[name] = identity
    (inputs.tf_json_files if name.endswith(".json") else inputs.tf_files).append(name)


_RESOURCE_BLOCK = re.compile(rb'^[ \t]*resource[ \t]+"([^"\n]+)"', re.MULTILINE)


def resource_types(files: list[tuple[str, bytes]]) -> dict[str, int]:
    """How many ``resource`` blocks of each type the files hold, from their text.

    Only for telling the user what a scan saw, so a pattern is enough (no parse): a block header
    at the start of a line in ``.tf``/``.tofu``, the keys of ``resource`` in JSON syntax.
    """
    counts: dict[str, int] = defaultdict(int)
    for name, data in files:
        if name.endswith(JSON_SUFFIXES):
            for resource_type, count in _json_resource_types(data):
                counts[resource_type] += count
            continue
        for match in _RESOURCE_BLOCK.finditer(data):
            counts[match.group(1).decode("utf-8", "replace")] += 1
    return dict(sorted(counts.items()))


def _json_resource_types(data: bytes) -> list[tuple[str, int]]:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return []  # the loader reports it (ORY001) when the directory is linted
    blocks = document.get("resource") if isinstance(document, dict) else None
    items = blocks if isinstance(blocks, list) else [blocks]
    found: list[tuple[str, int]] = []
    for item in items:
        if isinstance(item, dict):
            found.extend(
                (str(key), len(value) if isinstance(value, dict) else 1)
                for key, value in item.items()
            )
    return found


def _named_var_files(inputs: Inputs) -> dict[str, list[str]]:
    """A ``.tfvars`` file named on the command line (pre-commit passes a changed one).

    Its values change what every client of its root module becomes, so the module's files are
    linted and reported as if they had been named too; a file Terraform does not load by itself
    (``prod.tfvars``, for ``-var-file``) is applied to that module only.
    """
    result: dict[str, list[str]] = {}
    known = set(inputs.identities.values())
    for path in inputs.var_files:
        directory = path.parent
        for file, identity in directory_files(directory):
            recorder.probe(file)
            if identity not in inputs.explicit and file.is_file():
                inputs.explicit.add(identity)
                if identity not in known:
                    known.add(identity)
                    _add_file(inputs, file, identity)
        name = path.name
        automatic = name in AUTOMATIC_VAR_FILES or name.endswith(AUTOMATIC_VAR_SUFFIXES)
        if not automatic:
            result.setdefault(posix_dirname(display_path(path)), []).append(display_path(path))
    # Several var files of one module changed together are alternatives (prod.tfvars,
    # staging.tfvars): Terraform never runs with all of them, so none is applied.
    return {directory: files for directory, files in result.items() if len(files) == 1}


def posix_dirname(name: str) -> str:
    """The module directory of a display path, ``.`` for the working directory."""
    parent = os.path.dirname(name)
    return parent or "."


def relevant_directories(
    by_directory: dict[str, list[tuple[str, bytes]]], marked: set[str]
) -> set[str]:
    """Module directories worth parsing: those mentioning the resource, their callers and callees.

    ``marked`` are the directories with a file that mentions a marker (:func:`_mentions_a_marker`).

    Parsing HCL in Python is the whole cost of a scan, and most directories of a real repository
    never mention a client resource type (or the project resources that decide its settings,
    ``ory_project_config`` and trusted issuers); a substring test is thousands of times faster
    than a parse. Outputs and locals live in other files of the same module, so the unit is the
    directory. A directory that calls a relevant module (``source = "./..."``) is relevant too,
    because its outputs may expose the module's secrets, and so is a module a relevant directory
    calls, because its outputs may feed a client and its variables may receive a secret.
    """
    wanted = set(marked)
    calls = {
        directory: {
            posix_normpath(directory, match.decode("utf-8", "replace"))
            for _, data in files
            for match in _MODULE_SOURCE.findall(data)
        }
        for directory, files in by_directory.items()
    }
    changed = True
    while changed:
        changed = False
        for directory, targets in calls.items():
            if directory not in wanted and targets & wanted:
                wanted.add(directory)  # a caller: its outputs may expose the module's secrets
                changed = True
            elif directory in wanted and not targets & by_directory.keys() <= wanted:
                # a callee: its outputs and variables feed the clients (module.x.y, var.x)
                wanted.update(targets & by_directory.keys())
                changed = True
    return wanted


_MARKERS = tuple(sorted(name.encode() for name in {*CLIENT_RESOURCE_TYPES, *PROJECT_RESOURCES}))
"""The pre-filter's substrings: each client resource type (``_oauth2_client`` is not enough:
``ory_oidc_dynamic_client`` does not contain it) and each project resource."""


def _hints(markers: Sequence[bytes]) -> tuple[bytes, ...]:
    """Short substrings one of which every marker holds.

    Each marker's first word and its ``_`` (``ory_``, ``hydra_``), without those that hold
    another (``oryhydra_``).
    """
    words = {marker[: marker.index(b"_") + 1] for marker in markers}
    return tuple(sorted(w for w in words if not any(o != w and o in w for o in words)))


_MARKER_HINTS = _hints(_MARKERS)


def _mentions_a_marker(data: bytes) -> bool:
    """Whether a file holds a marker.

    Most files of a repository hold no hint, and two substring scans cost a third of the six
    for the markers.
    """
    for hint in _MARKER_HINTS:  # a loop, not any(): this runs for every file read
        if hint in data:
            return any(marker in data for marker in _MARKERS)
    return False


_CAN_MATTER = re.compile(
    b"|".join(
        [
            *(re.escape(marker) for marker in _MARKERS),
            rb"ory_|\b(?:ory|hydra|oryhydra)\b",  # other Ory resources, the providers' blocks
            rb"\b(?:locals?|var|variable|module|output|import)\b",
            rb"(?i:orylint)",
        ]
    )
)


def can_matter(data: bytes) -> bool:
    """Whether a file of a relevant module directory can change what orylint reports.

    Inside a directory that mentions Ory, a file is parsed only if it holds something the model
    reads: client and project resources (``_MARKERS``) or their providers' blocks, locals,
    variables, outputs, module calls, ``import`` blocks, references that can carry a client or
    its secret to another resource (``local.``, ``var.``, ``module.``), or an ``orylint:``
    directive. What is left (``terraform``, ``moved``, other providers, and resources and data
    sources that refer to none of these) can reach a client only through references, which
    orylint treats as unknown. A word test over the bytes decides, at the cost of a substring
    scan; a false match only parses a file for nothing.
    """
    return _CAN_MATTER.search(data) is not None


def posix_normpath(directory: str, relative: str) -> str:
    """Join and normalise like Terraform resolves a local module ``source``."""
    joined = os.path.normpath(os.path.join(directory, relative))
    return joined if os.sep == "/" else Path(joined).as_posix()  # a Path costs, on every call

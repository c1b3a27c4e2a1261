"""One scan, end to end: discover, load, model, rules. Reporters take the result from here.

Loading is where files fail; every failure becomes a finding of rule ORY001 (or, for inputs that
cannot be linted at all, a fatal error) and the scan goes on with the other files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import json
import os
import re
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from orylint.config import CONFIG_FILE_NAMES, Config
from orylint.engine import suppressions
from orylint.engine.findings import Finding, Severity, Violation
from orylint.engine.registry import Rule
from orylint.engine.result import ScanResult, Trace
from orylint.engine.runner import (
    TOOL_RULES,
    RuleSelection,
    enabled_rules,
    known_rule_ids,
    run_rules,
    tool_finding,
)
from orylint.model.adapters import adapt_project
from orylint.model.extract import add_documents, mark_roots
from orylint.model.instances import expand_module_calls
from orylint.model.ory_project import PROJECT_RESOURCES
from orylint.model.plan import add_plan, module_directories
from orylint.model.project import Project
from orylint.model.settings import Settings
from orylint.options import STDIN
from orylint.options import ScanOptions as ScanOptions  # noqa: PLC0414 (re-exported)
from orylint.terraform import recorder
from orylint.terraform.cache import Cache
from orylint.terraform.discover import (
    JSON_SUFFIXES,
    Excludes,
    Inputs,
    directory_files,
    discover,
    is_excluded,
    real_path,
)
from orylint.terraform.document import Block, Document, LoadError
from orylint.terraform.hcl_loader import load_hcl
from orylint.terraform.modules import Provenance
from orylint.terraform.plan_loader import PlanDocument, load_plan
from orylint.terraform.resources import CLIENT_RESOURCE_TYPES
from orylint.terraform.source import (
    FileIdentity,
    UnreadableFile,
    decode_source,
    file_identity,
    read_regular_file,
)
from orylint.terraform.tfjson_loader import load_tf_json
from orylint.terraform.values import Span
from orylint.terraform.variables import (
    AUTOMATIC_VAR_FILES,
    AUTOMATIC_VAR_SUFFIXES,
    VariableDiagnostic,
    resolve_root_variables,
)

if TYPE_CHECKING:
    import multiprocessing.context

_MODULE_SOURCE = re.compile(rb'source\s*=\s*"(\.{1,2}/[^"]*)"')


def display_path(path: Path) -> str:
    """Paths as users typed them: relative to the working directory when inside it.

    A scan names thousands of files in a few directories, so each directory is worked out once.
    """
    cwd = os.getcwd()
    parent, name = os.path.split(os.fspath(path))
    if name in {"", ".", ".."}:
        return _display(os.fspath(path), cwd)
    directory = _display(parent or ".", cwd)
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


_PlanInput = tuple[str, bytes | None, str | None]
"""A plan to read: its display name, its data (``None``: read the file), its source root."""


def scan(options: ScanOptions) -> ScanResult:
    """Lint everything under ``options.paths`` (``-`` reads a plan from ``options.stdin``)."""
    started = time.perf_counter()
    result = ScanResult()
    trace = result.trace
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
    _trace_discovery(trace, inputs)
    trace.lap("discover")
    for missing in inputs.missing:
        result.fatal_errors.append(f"{missing}: no such file or directory")
    result.fatal_errors.extend(inputs.unusable)
    plans = _plan_inputs(options, inputs, result)
    documents = _read_plans(plans, result, options.max_file_size)
    _add_module_sources(
        inputs,
        {d for document, root in documents for d in module_directories(document, root).values()},
    )
    trace.lap("read plans")
    project = Project()
    cache = Cache(Path(options.cache_dir)) if options.cache_dir is not None else None
    read, contents = _load_tf(inputs, project, result, options, cache)
    for name in sorted(context & read):
        trace.note("context", f"{name} (read with the named files of its module, not reported)")
    trace.lap("parse")
    mark_roots(project)
    values, provenance = _root_variables(project, options, module_var_files)
    expand_module_calls(project, values, provenance)
    for document, root in documents:
        add_plan(project, document, root)
    adapt_project(project)
    result.clients = sum(len(module.clients) for module in project.modules.values())
    result.terraform_files = len({name for name, _ in contents} - context)
    if options.resource_types or (contents and not result.clients):
        result.resource_types = resource_types(contents)
    trace.lap("evaluate")
    named = (
        options.plans or inputs.missing or inputs.skipped or inputs.unusable or inputs.overridden
    )
    if inputs.empty and not plans and not named:  # each named input says what is wrong
        result.fatal_errors.append(
            "no Terraform files (.tf, .tf.json, .tofu, .tofu.json) or plan JSON found in "
            + ", ".join(paths)
        )
    run = options.run_config()
    selection = _union(
        [options.config_of(name, is_dir=True) for name in _input_directories(inputs, plans)]
        or [run],
        options.policies,
    )
    result.rules = enabled_rules(
        dataclasses.replace(selection, severity=run.severity), options.policies
    )
    with _collector_paused():
        _judge(project, result, options, selection, run.settings, context)
    # Context files are not reported on; a plan is, read or not; so is any file a finding
    # points at (a tfvars file), so that no summary says "1 problem in 0 files". (A finding
    # about a whole module points at its directory, which is no file.)
    result.files = sorted(
        (read - context)
        | {name for name, _, _ in plans}
        | {
            path
            for path in {finding.span.path for finding in [*result.findings, *result.suppressed]}
            if not _is_dir(path)
        }
    )
    trace.lap("filter")
    result.seconds = time.perf_counter() - started
    return result


def _judge(
    project: Project,
    result: ScanResult,
    options: ScanOptions,
    selection: RuleSelection,
    settings: Settings,
    context: set[str],
) -> None:
    """The rules over the model, then each finding through its file's configuration."""
    engine = run_rules(
        project,
        settings,
        selection,
        options.policies,
        settings_of=lambda client: options.config_of(client.span.path).settings,
    )
    result.trace.lap("rules")
    result.sensitive_lines = project.sensitive_lines()
    result.redactions = project.redactions
    result.fatal_errors.extend(engine.internal_errors)
    result.load_errors = [e for e in result.load_errors if e.path not in context]
    findings = [f for f in engine.findings if f.span.path not in context]
    findings.extend(_load_error_findings(result, selection))
    findings.extend(_evaluation_findings(project, selection))
    paths = _PathRules(options)
    _filter(result, _per_file_selection(findings, paths), paths, options, context)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector off while the rules run and their findings are filtered.

    What this stage makes (findings, policy instances, violations) is nearly all acyclic and
    lives until the result is built, so a collection in it frees next to nothing (any cycle
    waits for the next one after it); but a full one walks the whole
    model again (a tenth of a second on 10,000 files), and the many findings of a policy set
    were enough to set one off. When the scan returns, reference counting frees most of the
    model, so a later collection has far less to walk.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _is_dir(path: str | Path) -> bool:
    """``os.path.isdir``, recorded: the answer is part of the result (what the scan read)."""
    recorder.probe(path)
    return os.path.isdir(path)


def _config_excludes(options: ScanOptions, directory: Path) -> tuple[Sequence[str], Path]:
    """The exclude patterns that govern a directory's entries, and where they are anchored."""
    config = options.config_of(directory, is_dir=True)
    return config.exclude, config.base or Path()


def _input_directories(inputs: Inputs, plans: Sequence[_PlanInput]) -> list[str]:
    """The directories of every input a finding can point at (source files and plans).

    Each directory is shown once (``posix_dirname(display_path(file))`` of each of its files
    is its own display path), not each of thousands of files.
    """
    cwd = os.getcwd()
    parents = {os.path.dirname(path) for path in map(os.fspath, inputs.tf_files)}
    parents.update(os.path.dirname(path) for path in map(os.fspath, inputs.tf_json_files))
    directories = {_display(parent or ".", cwd) for parent in parents}
    return sorted(directories | {posix_dirname(name) for name, _, _ in plans})


def _union(configs: Sequence[Config], policies: Sequence[Rule]) -> RuleSelection:
    """The rules to run: every rule that the configuration of some input enables.

    Each finding is then kept or dropped by its own file's configuration, which also sets its
    severity (``_per_file_selection``); reports describe the rules at the run's severities.
    """
    distinct = {id(config): config.selection() for config in configs}
    if len(distinct) == 1:
        [only] = distinct.values()
        return only
    known = sorted(known_rule_ids(policies))
    enabled = tuple(r for r in known if any(s.enabled(r) for s in distinct.values()))
    return RuleSelection(select=enabled, ignore=() if enabled else tuple(known))


def _per_file_selection(findings: list[Finding], paths: _PathRules) -> list[Finding]:
    """Each finding as its file's configuration has it: selected, not ignored, at its severity."""
    kept = []
    for finding in findings:
        reported, override = paths.verdict(finding.rule_id, finding.span.path)
        if not reported:
            continue
        if override is None or override == finding.severity:
            kept.append(finding)
        else:
            kept.append(dataclasses.replace(finding, severity=override))
    return kept


class _PathRules:
    """What a path's configuration says of rules, worked out once per path and rule in a run.

    A path's configuration, its selection and its ``per-path-ignores`` are the same for every
    finding on it during a run; a policy set adds thousands of findings on a few hundred
    files, and each was asked of the configuration three times.
    """

    def __init__(self, options: ScanOptions) -> None:
        self._options = options
        self._configs: dict[str, tuple[Config, RuleSelection]] = {}
        self._verdicts: dict[tuple[str, str], tuple[bool, Severity | None]] = {}

    def config(self, path: str) -> Config:
        """``options.config_of(path)``."""
        return self._config(path)[0]

    def _config(self, path: str) -> tuple[Config, RuleSelection]:
        known = self._configs.get(path)
        if known is None:
            config = self._options.config_of(path)
            known = self._configs[path] = (config, config.selection())
        return known

    def reports(self, rule_id: str, path: str) -> bool:
        """Whether the path's configuration selects the rule and does not ignore it there."""
        return self.verdict(rule_id, path)[0]

    def verdict(self, rule_id: str, path: str) -> tuple[bool, Severity | None]:
        """:meth:`reports`, and the severity the path's configuration gives the rule if any."""
        key = (rule_id, path)
        verdict = self._verdicts.get(key)
        if verdict is None:
            config, selection = self._config(path)
            reported = selection.enabled(rule_id) and not _ignored(config, rule_id, path)
            verdict = self._verdicts[key] = (reported, selection.severity.get(rule_id))
        return verdict


def _trace_discovery(trace: Trace, inputs: Inputs) -> None:
    """What discovery left out, and why (``-v``)."""
    for excluded in inputs.excluded:
        slash = "/" if excluded.endswith("/") else ""
        trace.note("skipped", f"{display_path(Path(excluded))}{slash}: excluded")
    for raw in inputs.skipped:
        trace.note("skipped", f"{raw}: excluded (--force-exclude)")
    for path in inputs.overridden:
        name = display_path(path)
        trace.note("skipped", f"{name}: OpenTofu reads the .tofu file of the same name instead")
    for var_file in inputs.var_files:
        trace.note("read", f"{display_path(var_file)} (values for the root module it sits in)")


def _plan_inputs(options: ScanOptions, inputs: Inputs, result: ScanResult) -> list[_PlanInput]:
    """Every plan to read, once: ``(name, data or None to read the file, source root)``.

    A plan can reach the scan three ways: ``--plan FILE``, ``--plan -`` and discovery by content
    in a scanned directory (``orylint check . --plan plan.json``, the Action's ``paths: infra``
    with ``plan: infra/plan.json``). Read twice, it would report every finding twice, once on
    ``plan.json``; so each file is read once, by identity (device and inode), under the name the
    user gave it. Piped standard input has no identity: a file with the same bytes is the same
    plan.
    """
    plans: list[_PlanInput] = []
    seen: set[FileIdentity] = set()
    reads_stdin = STDIN in options.paths or STDIN in options.plans

    def add(path: Path) -> None:
        identity = file_identity(path)
        if identity is not None:
            if identity in seen or (reads_stdin and _same_bytes(path, options.stdin or b"")):
                result.trace.note("skipped", f"{display_path(path)}: already read as a plan")
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
            result.fatal_errors.append(f"{plan}: no such file")
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


def _filter(
    result: ScanResult,
    findings: list[Finding],
    paths: _PathRules,
    options: ScanOptions,
    context: set[str],
) -> None:
    """Inline suppressions, each by its file's configuration.

    ``findings`` are those their file's configuration reports (:func:`_per_file_selection`).
    """
    groups: dict[Path | None, tuple[Config, list[Finding], list[suppressions.Suppression]]] = {}
    for finding in findings:
        config = paths.config(finding.span.path)
        groups.setdefault(config.path, (config, [], []))[1].append(finding)
    for suppression in result.suppressions:
        if suppression.comment.path not in context:
            config = paths.config(suppression.comment.path)
            groups.setdefault(config.path, (config, [], []))[2].append(suppression)
    result.findings = []
    result.suppressed = []
    known = known_rule_ids(options.policies)
    for config, kept, comments in groups.values():
        outcome = suppressions.apply(
            kept,
            comments,
            enabled=paths.reports,
            require_reason=config.require_suppression_reason,
            unsuppressible=config.unsuppressible,
            known_rules=known,
        )
        result.findings.extend(outcome.kept)
        for rule_id, violation in outcome.about_suppressions:
            about = tool_finding(rule_id, violation, config.selection())
            if about is not None:
                result.findings.append(about)
        result.suppressed.extend(outcome.suppressed)
    result.suppressed.sort(key=lambda finding: finding.sort_key)
    result.findings.sort(key=lambda finding: finding.sort_key)


def _ignored(config: Config, rule_id: str, path: str) -> bool:
    """``per-path-ignores`` of the file's configuration, relative to that file's directory."""
    if not config.per_path_ignores:
        return False
    try:
        relative = real_path(Path(path)).relative_to(real_path(config.base or Path())).as_posix()
    except ValueError:
        return False
    return any(
        rule_id.startswith(rules) and is_excluded(relative, [pattern], is_dir=False)
        for pattern, rules in config.per_path_ignores.items()
    )


def _plan_source_root(options: ScanOptions, plan: Path | None) -> str | None:
    """Where the root module's ``.tf`` files of a plan are, if anywhere.

    ``--chdir`` names it; with ``--plan``, the first directory linted is it; otherwise a plan
    that sits in a directory of ``.tf`` files belongs to that directory.
    """
    if options.chdir:
        return display_path(Path(options.chdir))
    if options.plans:
        for path in options.paths:
            if path != STDIN and _is_dir(path):
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
        path.parent
        for path in inputs.tf_files + inputs.tf_json_files
        if inputs.identities[path] in inputs.explicit
    }
    return {display_path(path) for path in _add_directory_files(inputs, directories)}


def _add_module_sources(inputs: Inputs, directories: set[str]) -> None:
    """Load the sources of a plan's modules, so its findings land on ``.tf`` lines.

    The directories come from the plan's module calls (or ``.terraform/modules/modules.json``),
    so they may lie inside ``.terraform/``, which discovery otherwise skips.
    """
    _add_directory_files(inputs, {Path(directory) for directory in directories})


def _add_directory_files(inputs: Inputs, directories: set[Path]) -> list[Path]:
    """Add the configuration files of ``directories`` not yet listed; return those added."""
    known = set(inputs.identities.values())
    added = []
    for directory in sorted(directories):
        for path, identity in directory_files(directory):
            if identity not in known:
                known.add(identity)
                inputs.identities[path] = identity
                target = inputs.tf_json_files if path.name.endswith(".json") else inputs.tf_files
                target.append(path)
                added.append(path)
    return added


def _read_plans(
    plans: list[_PlanInput], result: ScanResult, limit: int
) -> list[tuple[PlanDocument, str | None]]:
    documents = []
    for name, given, root in plans:
        data = given
        if data is None:
            try:
                data = read_regular_file(name, limit)
            except UnreadableFile as error:
                result.load_errors.append(LoadError(name, 1, 1, error.reason, fatal=True))
                result.trace.note("failed", f"{name}: {error.reason}")
                continue
        document = load_plan(name, data)
        if isinstance(document, LoadError):
            result.load_errors.append(document)
            result.trace.note("failed", f"{name}: {document.message}")
        else:
            documents.append((document, root))
            result.trace.note("read", f"{name} (plan or state)")
    return documents


def _load_tf(
    inputs: Inputs,
    project: Project,
    result: ScanResult,
    options: ScanOptions,
    cache: Cache | None,
) -> tuple[set[str], list[tuple[str, bytes]]]:
    """Load the ``.tf`` files of every module directory that can matter to orylint.

    Returns the display names of every file read: parsed, passed over by the pre-filter (a
    module with nothing Ory in it is linted, and passes), or reported as unreadable (input
    orylint cannot read is a fatal error, exit 2, whatever its kind); and every file read, with
    its bytes.
    """
    read: set[str] = set()
    by_directory: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
    for path in inputs.tf_files + inputs.tf_json_files:
        name = display_path(path)
        read.add(name)
        try:
            data = read_regular_file(path, options.max_file_size)
        except UnreadableFile as error:
            result.load_errors.append(LoadError(name, 1, 1, error.reason, fatal=True))
            result.trace.note("failed", f"{name}: {error.reason}")
            continue
        by_directory[posix_dirname(name)].append((name, data))
    wanted = relevant_directories(by_directory)
    to_parse: list[tuple[str, bytes]] = []
    for directory in sorted(by_directory):
        if directory not in wanted:
            count = len(by_directory[directory])
            result.trace.note(
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
                result.load_errors.append(decoded)
    documents: dict[str, list[Document]] = defaultdict(list)
    for (name, _), loaded in zip(to_parse, _parse_all(to_parse, cache, options.jobs), strict=True):
        if isinstance(loaded, LoadError):
            result.load_errors.append(loaded)
            result.trace.note("failed", f"{name}:{loaded.line}:{loaded.column}: {loaded.message}")
            continue
        result.trace.note("read", name)
        documents[posix_dirname(name)].append(loaded)
        result.sources[name] = loaded.text
        result.suppressions.extend(suppressions.collect(loaded))
    for directory in sorted(documents):
        add_documents(project, directory, documents[directory], "hcl")
    return read, [file for files in by_directory.values() for file in files]


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


PARALLEL_THRESHOLD = 48
"""Below this many files, starting worker processes costs more than parsing in one."""


def _parse_all(
    files: list[tuple[str, bytes]], cache: Cache | None = None, jobs: int | None = None
) -> list[Document | LoadError]:
    """Parse files, in worker processes when there are many (parsing is the cost of a scan).

    What the cache holds is not parsed again; what is parsed is added to it by whoever parsed
    it. Processes, not threads: python-hcl2's serialisers are not thread-safe and the GIL would
    serialise the parsing anyway. ``jobs`` (``--jobs``), else ``ORYLINT_JOBS``, sets the number
    of workers (1: none).
    """
    results: list[Document | LoadError | None] = [None] * len(files)
    keys: list[str | None] = [None] * len(files)
    if cache is not None:
        for index, (name, data) in enumerate(files):
            keys[index] = key = cache.key(name, data)
            cached = cache.get(key)
            if isinstance(cached, Document | LoadError) and cached.path == name:
                results[index] = cached
    missing = [index for index, loaded in enumerate(results) if loaded is None]
    parsed = _parse_missing(
        [files[index][0] for index in missing],
        [files[index][1] for index in missing],
        cache,
        [keys[index] for index in missing],
        jobs or _default_jobs(),
    )
    for index, loaded in zip(missing, parsed, strict=True):
        results[index] = loaded
    return [loaded for loaded in results if loaded is not None]


def _parse_missing(
    names: list[str],
    contents: list[bytes],
    cache: Cache | None,
    keys: list[str | None],
    jobs: int,
) -> list[Document | LoadError]:
    caches = [cache] * len(names)
    if jobs <= 1 or len(names) < PARALLEL_THRESHOLD:
        return list(map(_load_and_store, names, contents, caches, keys))
    # Imported here: a run that parses little (pre-commit, a warm cache) never pays for them.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from orylint.terraform.hcl_parser import parser

    parser()  # built once here, inherited by forked workers
    try:
        pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=_context(), initializer=_ignore_interrupts
        )
        try:
            return list(pool.map(_load_and_store, names, contents, caches, keys, chunksize=8))
        except KeyboardInterrupt:  # Ctrl-C: stop the workers now, report in the main process
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            pool.shutdown(wait=True)
    except (OSError, BrokenProcessPool):  # no processes here (sandboxes): parse in this one
        return list(map(_load_and_store, names, contents, caches, keys))


def _load_and_store(
    name: str, data: bytes, cache: Cache | None, key: str | None
) -> Document | LoadError:
    """Load one file and cache the result (in the worker that parsed it, when there are any)."""
    loaded = load_file(name, data)
    if cache is not None and key is not None:
        cache.put(key, loaded)
    return loaded


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process, which exits with one line, not N tracebacks."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _default_jobs() -> int:
    configured = os.environ.get("ORYLINT_JOBS", "")
    if configured.isdigit():
        return max(int(configured), 1)
    return min(os.cpu_count() or 1, 4)


def _context() -> multiprocessing.context.BaseContext:
    """Fork where available: workers inherit the loaded parser instead of rebuilding it."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def load_file(name: str, data: bytes) -> Document | LoadError:
    """Decode and parse one configuration file (pure, so it can run in a worker)."""
    text = decode_source(name, data)
    if isinstance(text, LoadError):
        return text
    loaded = load_tf_json(name, text) if name.endswith(JSON_SUFFIXES) else load_hcl(name, text)
    if isinstance(loaded, Document):
        _keep_expressions_for_evaluation(loaded)
    return loaded


#: Blocks whose expressions module evaluation reads again; every other block keeps only its
#: load-time values (the parse trees cost memory, and pickling when parsed in a worker).
_EVALUATED_BLOCKS = frozenset({"variable", "locals", "output", "module"})
_EVALUATED_RESOURCES = frozenset({*CLIENT_RESOURCE_TYPES, *PROJECT_RESOURCES})


def _keep_expressions_for_evaluation(document: Document) -> None:
    for block in document.blocks:
        if block.type in _EVALUATED_BLOCKS or (
            block.type == "resource"
            and block.labels[:1]
            and block.labels[0] in _EVALUATED_RESOURCES
        ):
            continue
        _drop_expressions(block)


def _drop_expressions(block: Block) -> None:
    for attribute in [*block.attributes.values(), *block.duplicates]:
        attribute.expression = None
    for nested in block.blocks:
        _drop_expressions(nested)


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
                    inputs.identities[file] = identity
                    target = (
                        inputs.tf_json_files if file.name.endswith(".json") else inputs.tf_files
                    )
                    target.append(file)
        name = path.name
        automatic = name in AUTOMATIC_VAR_FILES or name.endswith(AUTOMATIC_VAR_SUFFIXES)
        if not automatic:
            result.setdefault(posix_dirname(display_path(path)), []).append(display_path(path))
    # Several var files of one module changed together are alternatives (prod.tfvars,
    # staging.tfvars): Terraform never runs with all of them, so none is applied.
    return {directory: files for directory, files in result.items() if len(files) == 1}


def _root_variables(
    project: Project, options: ScanOptions, module_var_files: Mapping[str, list[str]]
) -> tuple[dict[str, dict[str, object]], dict[str, dict[str, Provenance]]]:
    """Root variables of every root module: tfvars, ``--var``, ``TF_VAR_`` and defaults.

    Problems (a value its type refuses, a broken tfvars file) are Terraform errors: they become
    ORY005 findings where they are written, and the variable stays unknown.
    """
    values: dict[str, dict[str, object]] = {}
    provenance: dict[str, dict[str, Provenance]] = {}
    roots = [m for m in project.modules.values() if m.is_root and m.config is not None]
    for module in sorted(roots, key=lambda m: m.directory):
        assert module.config is not None
        config = options.config_of(module.directory)  # var-files and vars of the root module
        problems: list[VariableDiagnostic] = []
        resolved = resolve_root_variables(
            module.config.variables.values(),
            module.directory,
            var_files=[
                *(display_path(Path(name)) for name in config.var_files),
                *options.var_files,
                *module_var_files.get(module.directory, []),
            ],
            vars={**config.vars, **options.variables},
            environ=os.environ,
            diagnostics=problems,
        )
        values[module.directory] = {name: item.value for name, item in resolved.items()}
        provenance[module.directory] = {
            name: Provenance(item.origin, item.span) for name, item in resolved.items()
        }
        for problem in problems:
            if problem.span is None and len(roots) > 1:
                continue  # e.g. a --var that only one of several root modules declares
            module.evaluation_problems.append((problem.message, problem.span))
    return values, provenance


def posix_dirname(name: str) -> str:
    """The module directory of a display path, ``.`` for the working directory."""
    parent = os.path.dirname(name)
    return parent or "."


def relevant_directories(by_directory: dict[str, list[tuple[str, bytes]]]) -> set[str]:
    """Module directories worth parsing: those mentioning the resource, their callers and callees.

    Parsing HCL in Python is the whole cost of a scan, and most directories of a real repository
    never mention a client resource type (or the project resources that decide its settings,
    ``ory_project_config`` and trusted issuers); a substring test is thousands of times faster
    than a parse. Outputs and locals live in other files of the same module, so the unit is the
    directory. A directory that calls a relevant module (``source = "./..."``) is relevant too,
    because its outputs may expose the module's secrets, and so is a module a relevant directory
    calls, because its outputs may feed a client and its variables may receive a secret.
    """
    wanted = {
        directory
        for directory, files in by_directory.items()
        if any(_mentions_a_marker(data) for _, data in files)
    }
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
    return any(hint in data for hint in _MARKER_HINTS) and any(m in data for m in _MARKERS)


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


def _evaluation_findings(project: Project, selection: RuleSelection) -> list[Finding]:
    """What Terraform would refuse while evaluating (ORY005), once per problem and place."""
    findings = []
    seen: set[tuple[str, Span | None]] = set()
    for directory in sorted(project.modules):
        for message, span in project.modules[directory].evaluation_problems:
            if (message, span) in seen:
                continue
            seen.add((message, span))
            where = span or Span.file_start(directory)
            finding = tool_finding(TOOL_RULES[4], Violation(message, where), selection)
            if finding is not None:
                findings.append(finding)
    return findings


def _load_error_findings(result: ScanResult, selection: RuleSelection) -> list[Finding]:
    """Files that could not be read or parsed: ORY001 findings (fatal ones also exit 2)."""
    findings = []
    for error in result.load_errors:
        if error.fatal:
            result.fatal_errors.append(f"{error.path}:{error.line}:{error.column}: {error.message}")
        span = Span(error.path, error.line, error.column, error.line, error.column)
        finding = tool_finding(TOOL_RULES[0], Violation(error.message, span), selection)
        if finding is not None:
            findings.append(finding)
    return findings

"""One scan, end to end: discover, load, model, rules. Reporters take the result from here.

Loading is where files fail; every failure becomes a finding of rule ORY001 (or, for inputs that
cannot be linted at all, a fatal error) and the scan goes on with the other files.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from orylint import collector
from orylint.config import Config
from orylint.engine import suppressions
from orylint.engine.findings import ORDER, Finding, Severity, Violation
from orylint.engine.registry import Rule
from orylint.engine.result import ScanResult, Trace
from orylint.engine.runner import TOOL_RULES, enabled_rules, run_rules, tool_finding
from orylint.engine.selection import RuleSelection, known_rule_ids
from orylint.gather import (
    Gathered,
    Log,
    PlanInput,
    add_module_sources,
    display_path,
    gather,
    is_dir,
    posix_dirname,
    read_configuration,
)
from orylint.model.adapters import adapt_project
from orylint.model.extract import add_documents, mark_roots
from orylint.model.instances import expand_module_calls
from orylint.model.plan import add_plan, module_directories
from orylint.model.project import Project
from orylint.model.settings import Settings
from orylint.options import STDIN
from orylint.options import ScanOptions as ScanOptions  # noqa: PLC0414 (re-exported)
from orylint.terraform.cache import Cache
from orylint.terraform.discover import JSON_SUFFIXES, is_excluded, real_path
from orylint.terraform.document import Block, Document, LoadError
from orylint.terraform.hcl_loader import load_hcl
from orylint.terraform.hcl_parser import warm
from orylint.terraform.modules import Provenance
from orylint.terraform.plan_loader import PlanDocument, load_plan
from orylint.terraform.resources import CLIENT_RESOURCE_TYPES, PROJECT_RESOURCES
from orylint.terraform.source import UnreadableFile, decode_source, read_regular_file
from orylint.terraform.tfjson_loader import load_tf_json
from orylint.terraform.values import Span
from orylint.terraform.variables import VariableDiagnostic, resolve_root_variables

if TYPE_CHECKING:
    import multiprocessing.context

    from orylint.gathering import Gathering


def scan(options: ScanOptions, gathering: Gathering | None = None) -> ScanResult:
    """Lint everything under ``options.paths`` (``-`` reads a plan from ``options.stdin``).

    ``gathering`` is discovery and reading already running in a child process (the CLI's
    :func:`orylint.gathering.start`); without one, the scan gathers itself.
    """
    started = time.perf_counter()
    result = ScanResult()
    trace = result.trace
    cache = Cache(Path(options.cache_dir)) if options.cache_dir is not None else None
    gathered, early = _gather(options, gathering, cache, trace)
    _merge(result, gathered.log)
    trace.lap("discover")
    inputs, plans, context = gathered.inputs, gathered.plans, gathered.context
    documents = _read_plans(plans, result, options.max_file_size)
    add_module_sources(
        inputs,
        {d for document, root in documents for d in module_directories(document, root).values()},
    )
    trace.lap("read plans")
    files = gathered.files or read_configuration(inputs, context, options)
    _merge(result, files.log)
    project = Project()
    _load_tf(files.to_parse, project, result, options, cache, early)
    read = files.read
    for name in sorted(context & read):
        trace.note("context", f"{name} (read with the named files of its module, not reported)")
    trace.lap("parse")
    mark_roots(project)
    values, provenance = _root_variables(project, options, gathered.module_var_files)
    expand_module_calls(project, values, provenance)
    for document, root in documents:
        add_plan(project, document, root)
    adapt_project(project)
    result.clients = sum(len(module.clients) for module in project.modules.values())
    result.terraform_files = files.terraform_files
    result.resource_types = files.resource_types
    trace.lap("evaluate")
    named = (
        options.plans or inputs.missing or inputs.skipped or inputs.unusable or inputs.overridden
    )
    if gathered.empty and not plans and not named:  # each named input says what is wrong
        result.fatal_errors.append(
            "no Terraform files (.tf, .tf.json, .tofu, .tofu.json) or plan JSON found in "
            + ", ".join(path for path in options.paths if path != STDIN)
        )
    run = options.run_config()
    directories = sorted({*files.configured, *(posix_dirname(name) for name, _, _ in plans)})
    selection = _union(
        [options.config_of(name, is_dir=True) for name in directories] or [run],
        options.policies,
    )
    result.rules = enabled_rules(
        dataclasses.replace(selection, severity=run.severity), options.policies
    )
    with collector.paused():  # the rules' findings live on (orylint.collector)
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
            if not is_dir(path)
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
        workers=options.workers(),
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


_Early = dict[str, tuple[bytes, Document | LoadError]]
"""Files parsed while gathering went on, by name, with the bytes they were parsed from."""


def _gather(
    options: ScanOptions, gathering: Gathering | None, cache: Cache | None, trace: Trace
) -> tuple[Gathered, _Early]:
    """What gathering found, here or in the child; and what was parsed while the child read on.

    Waiting for the child, this process builds the parser and its scanners, then parses each
    file the child is certain of as it arrives (charged to ``parse`` in ``-v``'s timings).
    """
    if gathering is None:
        return gather(options), {}
    early: _Early = {}
    if gathering.idle():
        warm(lambda: not gathering.idle())
    for name, data in gathering.early():
        trace.lap("discover")
        early[name] = (data, _parse_all([(name, data)], cache)[0])
        trace.lap("parse")
    return gathering.result(), early


def _merge(result: ScanResult, log: Log) -> None:
    """Add what gathering had to say to the result, in the order it was said."""
    result.trace.entries.extend(log.notes)
    result.fatal_errors.extend(log.fatal_errors)
    result.load_errors.extend(log.load_errors)


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
    verdict = paths.verdict
    for finding in findings:
        reported, override = verdict(finding.rule_id, finding.span.path)
        if not reported:
            continue
        if override is None or override == finding.severity:
            kept.append(finding)
        else:
            kept.append(finding._replace(severity=override))
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
    by_path: dict[str, list[Finding]] = {}  # thousands of findings, a few hundred files
    for finding in findings:
        path = finding.span.path
        on_path = by_path.get(path)
        if on_path is None:
            on_path = by_path[path] = []
        on_path.append(finding)
    groups: dict[Path | None, tuple[Config, list[Finding], list[suppressions.Suppression]]] = {}
    for path, on_path in by_path.items():
        config = paths.config(path)
        groups.setdefault(config.path, (config, [], []))[1].extend(on_path)
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
    result.suppressed.sort(key=ORDER)
    result.findings.sort(key=ORDER)


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


def _read_plans(
    plans: list[PlanInput], result: ScanResult, limit: int
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
    to_parse: list[tuple[str, bytes]],
    project: Project,
    result: ScanResult,
    options: ScanOptions,
    cache: Cache | None,
    early: _Early,
) -> None:
    """Parse the files gathering picked, and add each module directory's documents.

    ``early`` holds the files parsed while gathering went on, with the bytes they were parsed
    from (a file gathered again after a failed child is parsed again if it changed).
    """
    documents: dict[str, list[Document]] = defaultdict(list)
    missing = [file for file in to_parse if early.get(file[0], (None,))[0] != file[1]]
    parsed = iter(_parse_all(missing, cache, options.workers()))
    loaded_files = [
        early[name][1] if early.get(name, (None,))[0] == data else next(parsed)
        for name, data in to_parse
    ]
    for (name, _), loaded in zip(to_parse, loaded_files, strict=True):
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


PARALLEL_THRESHOLD = 48
"""Below this many files, starting worker processes costs more than parsing in one."""


def _parse_all(
    files: list[tuple[str, bytes]], cache: Cache | None = None, jobs: int = 1
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
        jobs,
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

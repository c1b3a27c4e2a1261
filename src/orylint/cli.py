"""The ``orylint`` command line.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage error, nothing to lint, an
input that cannot be read, a report that cannot be written, or an internal error; 130 on Ctrl-C.
Errors are one line each on stderr, never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import click

from orylint import __version__
from orylint.engine.findings import SEVERITIES
from orylint.model.display import escape_terminal
from orylint.report import FORMATS, TERMINAL_FORMATS, render
from orylint.terraform import recorder
from orylint.terraform.source import MAX_FILE_SIZE, FileIdentity, file_identity

# The scan's modules (the configuration, the engine, the model, the loaders) are imported by the
# commands that use them, not here: `orylint --version`, `--help` and completion do not load
# them, and `check` loads the pipeline in one go with the garbage collector off
# (`_load_the_scan`), when the result cache does not serve the run.
if TYPE_CHECKING:
    from orylint.config import Config, Configurations
    from orylint.engine.registry import Rule
    from orylint.engine.result import ScanResult
    from orylint.options import ScanOptions

T = TypeVar("T")

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
"""128 + SIGINT, as shells report a command stopped by Ctrl-C."""


class _Main(click.Group):
    """The command group; Ctrl-C ends any command with one line and exit 130.

    click would print "Aborted!" and exit 1, which scripts cannot tell from findings.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _error("interrupted")
            sys.exit(EXIT_INTERRUPTED)


_POLICY_DIR = click.option(
    "--policy-dir",
    "policy_dirs",
    multiple=True,
    metavar="DIR",
    type=click.Path(exists=True),
    help="Also apply the policies in this directory's *.yaml files (or this file); repeatable, "
    "added to the configuration's policy-dirs.",
)


def run() -> NoReturn:
    """The ``orylint`` command: :func:`main`, then exit without tearing the interpreter down.

    A scan leaves hundreds of thousands of objects behind (a result, a model, the loaded
    modules); freeing them one by one as the interpreter finalises is work for nothing, the
    operating system takes the memory back at once: 16 ms of a 0.17 s run the result cache
    served on a tree of 10,000 files. Nothing of orylint's waits for the interpreter's exit
    (reports and caches are written, worker processes joined, the gathering child reaped), so
    only the output streams are flushed first; where that fails (a closed pipe), or the exit
    status is a message, the interpreter exits as usual and says so.

    For the same reason the garbage collector is off for the whole command. Nearly everything a
    run makes lives until it exits, and what dies is freed by reference counting: a whole
    ``check`` of the dense bench, of a 20,000-resource plan or of ``examples/`` leaves 30 to 80
    objects in cycles. Every full collection walked the whole model again for nothing: on the
    dense bench three of them, 0.12 s of a 1.0 s scan after an edit; on a 10 MB ``.tf``, a
    fifth of the run. Peak memory is the same with and without them. A process that calls
    :func:`main` itself (tests, an editor plugin) keeps its collector.
    """
    gc.disable()
    try:
        main()
    except SystemExit as stop:
        code = stop.code
        if code is not None and not isinstance(code, int):
            raise
        try:
            for stream in (sys.stdout, sys.stderr):
                if stream is not None:
                    stream.flush()
        except (OSError, ValueError):
            raise stop from None
        os._exit(code or 0)
    raise AssertionError("click's main always exits")  # pragma: no cover


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="orylint")
def main() -> None:
    """Lint Terraform ory_oauth2_client resources before Ory (Hydra) rejects them."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--format",
    "--output-format",
    "formats",
    multiple=True,
    metavar="FORMAT[:FILE]",
    shell_complete=lambda _ctx, _param, incomplete: [
        name for name in FORMATS if name.startswith(incomplete)
    ],
    help=f"Report format: {', '.join(FORMATS)} (default text; concise: one line per finding). "
    "Repeatable; FORMAT:FILE writes that report to FILE, e.g. --format text --format "
    "sarif:orylint.sarif. --output-format is the same option, under ruff's name.",
)
@click.option(
    "-q",
    "--quiet",
    count=True,
    help="Print the findings only, without summary or progress lines (-q); print nothing but "
    "errors, and let the exit code speak (-qq). Reports to files are still written.",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Also say, on standard error, which configuration was used, what was read (files, "
    "client resources, resource types), what was skipped and why, and how long each stage "
    "took.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    envvar="ORYLINT_JOBS",
    show_envvar=True,
    metavar="N",
    help="Use up to N processes: files are read in a second one while the scan loads, and parsed "
    "in N (default: the usable CPUs, at most 4; 1: everything in one process).",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), help="Write the report here, not stdout."
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour in the text and concise formats. auto: on a terminal; FORCE_COLOR (any "
    "non-empty value) turns it on, else NO_COLOR (non-empty) or TERM=dumb turn it off; a "
    "report written to a file is coloured only with always. always and never win over the "
    "environment.",
)
@click.option(
    "--exclude",
    multiple=True,
    help="Skip paths matching this .gitignore-style pattern (repeatable).",
)
@click.option("--select", multiple=True, help="Run only rules with these ids or prefixes.")
@click.option("--ignore", multiple=True, help="Skip rules with these ids or prefixes.")
@click.option(
    "--fail-on",
    type=click.Choice([*SEVERITIES, "never"]),
    default=None,
    help="Exit 1 when a finding has at least this severity (default: error).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Use this configuration file for every path (default: for each file, the nearest "
    ".orylint.toml or pyproject.toml with [tool.orylint] above it).",
)
@click.option(
    "--plan",
    "plans",
    multiple=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="A `terraform show -json` plan or state to lint with the sources in PATHS "
    "(repeatable; - reads standard input).",
)
@click.option(
    "--chdir",
    type=click.Path(file_okay=False, exists=True),
    help="The root module directory of the plans (to point plan findings at .tf lines).",
)
@click.option(
    "--var-file",
    "var_files",
    multiple=True,
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False),
    help="Root variable values from this .tfvars or .tfvars.json file, as terraform's "
    "-var-file (repeatable; a later file wins). terraform.tfvars and *.auto.tfvars of the "
    "root module are read without it, as Terraform reads them.",
)
@click.option(
    "--var",
    "variables",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a root variable, as terraform's -var (repeatable; wins over every --var-file). "
    "VALUE is a plain string for string, number, bool and untyped variables, an HCL "
    "expression otherwise: --var 'redirect_uris=[\"https://app.example.com/cb\"]'.",
)
@click.option("--fix", is_flag=True, help="Apply the mechanical fixes, then report what is left.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; change nothing.")
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False),
    help="Report only findings that are not in this baseline file.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False),
    help="Record the current findings as accepted in this file, and exit 0.",
)
@click.option(
    "--sarif-category",
    default="orylint",
    show_default=True,
    help="SARIF automationDetails.id category (one per scanned root in GitHub code scanning).",
)
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=MAX_FILE_SIZE // 2**20,
    show_default=True,
    metavar="MIB",
    help="Refuse (ORY001, exit 2) files larger than this many MiB instead of reading them.",
)
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply excludes to files named on the command line too (for pre-commit).",
)
@_POLICY_DIR
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    envvar="ORYLINT_CACHE_DIR",
    help="Cache parsed files here, by content (default: the user cache directory, "
    "$ORYLINT_CACHE_DIR).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="ORYLINT_NO_CACHE",
    help="Parse every file again; read and write no cached results ($ORYLINT_NO_CACHE=1).",
)
def check(
    paths: Sequence[str],
    formats: Sequence[str],
    quiet: int,
    verbose: bool,
    jobs: int | None,
    output: str | None,
    color: str,
    exclude: Sequence[str],
    select: Sequence[str],
    ignore: Sequence[str],
    fail_on: str | None,
    config_file: str | None,
    plans: Sequence[str],
    chdir: str | None,
    var_files: Sequence[str],
    variables: Sequence[str],
    force_exclude: bool,
    max_file_size: int,
    sarif_category: str,
    baseline_file: str | None,
    write_baseline: str | None,
    fix: bool,
    diff: bool,
    policy_dirs: Sequence[str],
    cache_dir: str | None,
    no_cache: bool,
) -> None:
    """Lint Terraform files, directories and plan JSON (default: the current directory).

    PATHS may name .tf, .tf.json, .tofu and .tofu.json files, directories, and `terraform
    show -json` plan or state files (recognised by content); `-` reads a plan from standard
    input.
    """
    if quiet and verbose:
        raise click.UsageError("-q/--quiet and -v/--verbose contradict each other")
    if not (no_cache or fix):  # --fix writes the inputs: its result is never stored
        recorder.start()  # before any configuration or policy is read: they are inputs too
        click.get_current_context().call_on_close(recorder.stop)
    from orylint.options import ScanOptions

    reports = _parse_formats(formats, output)
    assignments = _parse_vars(variables)
    targets = list(paths) or ([] if plans else ["."])
    stdin, stdin_identity = _read_stdin() if "-" in targets or "-" in plans else (None, None)
    first = next((path for path in targets if path != "-"), chdir or ".")
    cache_directory = _cache_directory(cache_dir, no_cache=no_cache)
    policies = _policy_rules(_load(config_file, [first]), policy_dirs, cache_directory)
    configs = _configurations(config_file, select, ignore, fail_on, policies)
    options = ScanOptions(
        paths=targets,
        excludes=list(exclude),
        configs=configs,
        plans=list(plans),
        chdir=chdir,
        stdin=stdin,
        stdin_identity=stdin_identity,
        force_exclude=force_exclude,
        var_files=list(var_files),
        variables=assignments,
        max_file_size=max_file_size * 2**20,
        jobs=jobs,
        policies=policies,
        resource_types=verbose,
        cache_dir=cache_directory,
    )
    run_config = _config_of(options.run_config)
    result = _scan_or_exit(options)
    _refuse_to_overwrite_inputs(
        [*(destination for _, destination in reports if destination), write_baseline or ""],
        [
            *result.sources,
            *(error.path for error in result.load_errors),
            *targets,
            *plans,
            *options.var_files,
            *(str(used.path) for used in configs.loaded() if used.path),
            *(name for used in configs.loaded() for name in used.var_files),
        ],
    )
    if diff or fix:
        result = _fix(result, options, diff_only=diff, quiet=quiet > 0)
    if verbose:
        _print_trace(result, run_config)
    if baseline_file:
        _apply_baseline(result, baseline_file)
    if write_baseline:
        from orylint.engine import baseline

        try:
            count = baseline.write(Path(write_baseline), result.findings, _repository())
        except OSError as error:
            _error(f"cannot write {write_baseline}: {error.strerror}")
            sys.exit(EXIT_USAGE)
        if not quiet:
            click.echo(f"wrote {count} finding(s) to the baseline {write_baseline}", err=True)
        sys.exit(2 if result.fatal_errors else 0)
    code = result.exit_code(fail_on := run_config.fail_on)
    to_stdout = _write_reports(reports, result, code, color, quiet, sarif_category, fail_on)
    if not to_stdout:
        for message in result.fatal_errors:
            _error(message)
    sys.exit(code)


def _load_the_scan() -> None:
    """Import what a scan runs on and its rules, with the collector off, then freeze it all.

    Importing builds some ten thousand objects (classes, functions, dataclasses' generated
    methods, compiled patterns) that live as long as the process: collecting while they are
    made only walks them again and again, and after the run the collector would walk them once
    more while the interpreter exits. Frozen (``gc.freeze``), no collection walks them; together
    that was about a tenth of a one-file run. Only the first run in a process pays the import,
    so only it freezes: a process that runs orylint in-process (tests) keeps its own garbage
    collectable.
    """
    if "orylint.scan" in sys.modules:
        return
    collecting = gc.isenabled()  # (the command's is off: :func:`run`)
    gc.disable()
    try:
        import orylint.scan  # noqa: F401  (the whole pipeline)
        from orylint.engine.registry import all_rules

        all_rules()  # the rules, loaded by name
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _apply_baseline(result: ScanResult, baseline_file: str) -> None:
    """Move the findings the baseline accepts out of ``result``; a bad baseline exits 2."""
    from orylint.engine import baseline

    try:
        result.findings, result.baselined = baseline.split(
            result.findings, baseline.read(Path(baseline_file)), _repository()
        )
    except baseline.BaselineError as error:
        _error(str(error))
        sys.exit(EXIT_USAGE)


def _write_reports(
    reports: Sequence[tuple[str, str | None]],
    result: ScanResult,
    code: int,
    color: str,
    quiet: int,
    sarif_category: str,
    fail_on: str,
) -> bool:
    """Write every report; returns whether a terminal report (with the errors) went to stdout.

    ``fail_on`` is the exit code's threshold, which JUnit fails a file at.
    """
    to_stdout = False
    for name, destination in reports:
        if destination is None and quiet > 1:
            continue  # -qq: the exit code says it all
        colour = _use_colour(color, destination)
        report = render(
            name,
            result,
            exit_code=code,
            colour=colour,
            summary=not quiet,
            sarif_category=sarif_category,
            source_root=_repository() if name in ("sarif", "gitlab") else None,
            fail_on=fail_on,
        )
        if destination is None:
            _write_stdout(report, colour)
            to_stdout = name in TERMINAL_FORMATS
            continue
        from orylint.engine.atomic import write_atomic

        try:
            write_atomic(destination, printable(report).encode("utf-8"))
        except OSError as error:
            _error(f"cannot write {destination}: {error.strerror or error}")
            sys.exit(EXIT_USAGE)
    return to_stdout


@functools.cache
def _repository() -> Path:
    """The root that report paths and finding keys are relative to: the git top level.

    Imported here, not at the top, so that a run without SARIF, GitLab or a baseline does not
    load the SARIF reporter.
    """
    from orylint.report.sarif import source_root

    return source_root()


def _fix(result: ScanResult, options: ScanOptions, *, diff_only: bool, quiet: bool) -> ScanResult:
    """``--diff`` prints the fixes and exits; ``--fix`` writes them and scans again.

    A file that cannot be written (read-only, a full disk) is left as it was and reported as an
    error of the run (exit 2); the other files are still fixed.
    """
    from orylint.engine import fixer

    fixed = fixer.plan_fixes(result.findings)
    if diff_only:
        diffs = (file.diff(functools.partial(result.holds_secret, file.path)) for file in fixed)
        click.echo("".join(diffs), nl=False)
        sys.exit(1 if fixed else 0)
    if not fixed:
        return result
    count, failures = fixer.write(fixed)
    if not quiet:
        click.echo(f"fixed {count} problem(s) in {len(fixed) - len(failures)} file(s)", err=True)
    result = _scan_or_exit(options)
    result.fatal_errors.extend(failures)
    return result


def _refuse_to_overwrite_inputs(destinations: Sequence[str], inputs: Sequence[str]) -> None:
    """Exit 2 before writing anything when a report or baseline would replace a scanned input.

    ``-o main.tf`` is a slip of the keyboard that would silently destroy the configuration; a
    report named like Terraform or OpenTofu configuration (``*.tf``, ``*.tofu.json``, ...)
    would break the next ``terraform plan`` even where it is new. Every file the result
    depends on, as recorded, is an input too (of a result served from the cache as well).
    """
    destinations = [destination for destination in destinations if destination]
    if not destinations:
        return  # the common case: no path of every input resolved for nothing
    from orylint.terraform.discover import CONFIG_SUFFIXES  # (and pathspec) only here

    existing = {os.path.realpath(name) for name in inputs if name and os.path.isfile(name)}
    recorded = _recorded_inputs()
    for destination in destinations:
        if os.path.realpath(destination) in existing or _identity(destination) in recorded:
            _error(f"refusing to write a report over {destination}: it is one of the inputs")
            sys.exit(EXIT_USAGE)
        if destination.endswith(CONFIG_SUFFIXES):
            _error(
                f"refusing to write a report to {destination}: it would be read as Terraform "
                "or OpenTofu configuration"
            )
            sys.exit(EXIT_USAGE)


def printable(text: str) -> str:
    r"""``text`` with lone surrogates written as ``\udXXX`` escapes.

    They come from file names that are not UTF-8 (Python decodes those with surrogateescape)
    and no encoder can write them. As an escape they stay valid in every format: JSON and SARIF
    read ``\ud800`` as the same code unit, text and XML show it literally.
    """
    if text.isascii():  # nearly every report, and a glance at one of megabytes
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _write_stdout(text: str, colour: bool) -> None:
    """Write a report to standard output; a closed or full one is an error (exit 2)."""
    if sys.stdout is None:
        _error("cannot write the report: standard output is closed")
        sys.exit(EXIT_USAGE)
    # Without colour, click strips ANSI codes with a regular expression over the whole text:
    # 3 ms of a 5 MB report that has none (reports escape what the inputs hold).
    strip = not colour and "\x1b" in text
    try:
        click.echo(printable(text), nl=False, color=not strip)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped reading (``| head``): nothing is lost that it wanted. Point the
        # stream at /dev/null so that Python's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as error:
        _error(f"cannot write the report to standard output: {error.strerror or error}")
        sys.exit(EXIT_USAGE)


def _read_stdin() -> tuple[bytes, FileIdentity | None]:
    """Standard input, and the file it is redirected from if any (``--plan - < plan.json``).

    The identity lets the scan skip that file when a scanned directory also holds it.
    """
    try:
        identity = file_identity(sys.stdin.fileno())
    except (AttributeError, OSError, ValueError):  # a replaced or closed stdin
        identity = None
    return sys.stdin.buffer.read(), identity


def _error(message: str) -> None:
    """One ``error:`` line on stderr; a closed or full stderr must not add a traceback."""
    with contextlib.suppress(OSError):
        click.echo(f"error: {escape_terminal(message)}", err=True)


def _cache_directory(given: str | None, *, no_cache: bool) -> str | None:
    """The directory of the scan's cache, None with ``--no-cache``.

    ``--cache-dir`` also holds orylint's own derived files (parser tables, rule metadata), which
    are kept even with ``--no-cache`` (``terraform/cache.py``).
    """
    from orylint.terraform.cache import default_directory, use_directory

    if given:
        use_directory(Path(given))
    return None if no_cache else str(default_directory())


def _identity(path: str) -> FileIdentity | None:
    """A destination's device and inode, if it exists (it is no input: not recorded)."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    return (status.st_dev, status.st_ino)


def _recorded_inputs() -> set[FileIdentity]:
    """Every file this run's result depends on, as recorded (with the result cache)."""
    recording = recorder.active()
    return set() if recording is None else recording.identities()


def scan(options: ScanOptions) -> ScanResult:
    """Scan; imported here, so that a run the result cache serves never loads the scan.

    Discovery and reading start first, in a child process where that helps
    (:func:`orylint.gathering.start`), while this one imports the rest of the scan.
    """
    from orylint import gathering as background

    gathering = background.start(options)
    try:
        _load_the_scan()
        from orylint.scan import scan as run

        return run(options, gathering)
    finally:
        if gathering is not None:
            gathering.close()


def _scan_or_exit(options: ScanOptions) -> ScanResult:
    from orylint.config import ConfigError

    try:
        if recorder.active() is None:  # --no-cache, --fix: no result to look up or store
            return scan(options)
        from orylint import result_cache

        return result_cache.scan(options, scan)
    except ConfigError as error:  # a configuration file found below a scanned directory
        _error(str(error))
        sys.exit(EXIT_USAGE)
    except Exception as error:  # a bug must end in a message and exit 2, never a traceback
        _error(
            f"orylint failed unexpectedly ({type(error).__name__}: {error}); please "
            "report this with the input that caused it"
        )
        sys.exit(EXIT_USAGE)


@main.command("rules")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Table for people, JSON for scripts.",
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this file.")
@_POLICY_DIR
def rules_command(output_format: str, config_file: str | None, policy_dirs: Sequence[str]) -> None:
    """List every rule and policy: id, name, severity, the resources it applies to, summary."""
    import json

    from orylint.engine.runner import enabled_rules
    from orylint.engine.selection import RuleSelection
    from orylint.report.rule_docs import applies_to, applies_to_label

    policies = _policy_rules(_load(config_file, ["."]), policy_dirs)
    rules = enabled_rules(RuleSelection(), policies)
    if output_format == "json":
        from orylint.report.rule_docs import help_uri

        data = [
            {
                "id": meta.id,
                "name": meta.name,
                "severity": meta.severity,
                "family": meta.family,
                "summary": meta.summary,
                "tags": list(meta.tags),
                "security_severity": meta.security_severity,
                "resources": applies_to(meta),
                "help_uri": help_uri(meta),
            }
            for meta in rules
        ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    width = max(len(meta.name) for meta in rules)
    labels = {meta.id: applies_to_label(meta) for meta in rules}
    applies_width = max(len(label) for label in labels.values())
    for meta in rules:
        summary = escape_terminal(meta.summary)  # a policy's is the user's text
        click.echo(
            f"{meta.id}  {meta.name:<{width}}  {meta.severity:<7}  "
            f"{labels[meta.id]:<{applies_width}}  {summary}"
        )


def _complete_rule(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of rule ids and names (``orylint explain ORY2<TAB>``)."""
    del ctx, param
    from orylint.engine.metadata import load_metadata

    words = [word for meta in load_metadata().values() for word in (meta.id, meta.name)]
    return [word for word in words if word.lower().startswith(incomplete.lower())]


@main.command("explain")
@click.argument("rule_id", shell_complete=_complete_rule)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this file.")
@_POLICY_DIR
def explain_command(rule_id: str, config_file: str | None, policy_dirs: Sequence[str]) -> None:
    """Print a rule's or policy's documentation: what it does, why, examples, references."""
    import difflib

    from orylint.engine.metadata import load_metadata
    from orylint.report.rule_docs import rule_text

    policies = _policy_rules(_load(config_file, ["."]), policy_dirs)
    metadata = {**load_metadata(), **{rule.id: rule.meta for rule in policies if rule.meta}}
    key = rule_id.strip().upper()
    if key.startswith("ORYP") and key not in metadata:  # a pack's policy, enabled or not
        from orylint.policies.loader import PACKS, load_policies

        metadata.update({policy.id: policy.meta for policy in load_policies(packs=PACKS)})

    def normal(word: str) -> str:
        # ids and names in any case, and names with `_` for `-` (as in `ory201`, `Lifespan_Not...`)
        return word.strip().lower().replace("_", "-")

    words = {word: meta for meta in metadata.values() for word in (meta.id, meta.name)}
    normalised = {normal(word): word for word in words}
    query = normal(rule_id)
    if query not in normalised:
        close = difflib.get_close_matches(query, list(normalised), n=1)
        hint = f"; did you mean {normalised[close[0]]}?" if close else "; see `orylint rules`"
        click.echo(f"error: no rule {rule_id!r}{hint}", err=True)
        sys.exit(EXIT_USAGE)
    meta = words[normalised[query]]
    click.echo(escape_terminal(rule_text(meta), keep="\n"), nl=False)  # policy text


@main.command("config")
@click.argument("path", required=False, default=".", type=click.Path())
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this file.")
@click.option("--select", multiple=True, help="As `orylint check --select`.")
@click.option("--ignore", multiple=True, help="As `orylint check --ignore`.")
@click.option(
    "--fail-on", type=click.Choice([*SEVERITIES, "never"]), help="As `orylint check --fail-on`."
)
@_POLICY_DIR
def config_command(
    path: str,
    config_file: str | None,
    select: Sequence[str],
    ignore: Sequence[str],
    fail_on: str | None,
    policy_dirs: Sequence[str],
) -> None:
    """Print the configuration PATH is linted with, as JSON.

    Every key is listed with its value, where it came from (the file and key, a command-line
    option, or the default) and whether it applies per file or per run.
    """
    import json

    policies = _policy_rules(_load(config_file, [path]), policy_dirs)
    configs = _configurations(config_file, select, ignore, fail_on, policies)
    config = _config_of(lambda: configs.for_path(path))
    shown = {
        "path": path,
        "config_file": str(config.path) if config.path else None,
        "keys": config.explain(),
    }
    click.echo(json.dumps(shown, indent=2, ensure_ascii=False))


def _configurations(
    config_file: str | None,
    select: Sequence[str],
    ignore: Sequence[str],
    fail_on: str | None,
    policies: Sequence[Rule] = (),
) -> Configurations:
    """Each path's configuration, with the command line's options over the files' keys.

    Rule ids, on the command line and in every file, may name the run's ``policies``.
    """
    from orylint.config import Configurations
    from orylint.engine.selection import known_rule_ids

    known = known_rule_ids(policies)
    return _config_of(
        lambda: Configurations(
            Path(config_file) if config_file else None,
            select=_rule_codes(select, "--select", known),
            ignore=_rule_codes(ignore, "--ignore", known),
            fail_on=fail_on,
            known=known,
        )
    )


@main.group("policy")
def policy_group() -> None:
    """Work with policies, the organisation's own rules (docs/policies.md)."""


@policy_group.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--pack", "packs", multiple=True, metavar="NAME", help="Test a shipped policy pack too."
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this file.")
def policy_test_command(
    paths: Sequence[str], packs: Sequence[str], config_file: str | None
) -> None:
    """Run the pass and fail examples of the policies in PATHS (default: policy-dirs).

    Exit 1 when an example misbehaves: a pass example with a finding of its policy, or a fail
    example without one; exit 2 when a policy file is invalid.
    """
    from orylint.policies.loader import PolicyError, load_policies
    from orylint.policy_tests import timed_report

    config = _load(config_file, list(paths) or ["."])
    directories = list(paths) or list(config.policy_dirs)
    names = list(packs) or ([] if paths else list(config.policy_packs))
    if not directories and not names:
        _error("no policies to test: name a directory or file, or set policy-dirs")
        sys.exit(EXIT_USAGE)
    try:
        policies = load_policies(directories, names)
    except PolicyError as error:
        _error(str(error))
        sys.exit(EXIT_USAGE)
    text, ok = timed_report(policies, config.settings)
    click.echo(escape_terminal(text, keep="\n"), nl=False)
    sys.exit(0 if ok else 1)


def _policy_rules(
    config: Config, policy_dirs: Sequence[str], cache_dir: str | None = None
) -> list[Rule]:
    """The configured and named policies as rules; a bad policy stops the run (exit 2).

    With the scan's ``cache_dir`` (not with ``--no-cache``: policy files are the user's), a
    policy file validated by an earlier run is not validated again.
    """
    directories = [*config.policy_dirs, *policy_dirs]
    if not directories and not config.policy_packs:
        return []  # no policy: jsonschema is not even imported
    from orylint.policies.loader import PolicyError, as_rules, load_policies
    from orylint.terraform.cache import Cache

    cache = Cache(Path(cache_dir)) if cache_dir is not None else None
    try:
        rules = as_rules(load_policies(directories, config.policy_packs, cache))
    except PolicyError as error:
        _error(str(error))
        sys.exit(EXIT_USAGE)
    return rules  # (no collection walks them: the command runs without the collector, run())


def _load(config_file: str | None, paths: Sequence[str]) -> Config:
    """The run's configuration (``--config``, or the first path's), read for its policies.

    Its rule ids are not checked here: they may name the policies it loads. A broken file is
    a usage error (exit 2), never ignored.
    """
    from orylint.config import find_config, load_config

    return _config_of(
        lambda: load_config(
            Path(config_file) if config_file else find_config(paths), check_ids=False
        )
    )


def _config_of(load: Callable[[], T]) -> T:
    """Load configuration; a broken file is a usage error (exit 2), never ignored."""
    from orylint.config import ConfigError

    try:
        return load()
    except ConfigError as error:
        _error(str(error))
        sys.exit(EXIT_USAGE)


def _parse_formats(values: Sequence[str], output: str | None) -> list[tuple[str, str | None]]:
    """``text``, ``sarif:out.sarif`` → (format, file or None); at most one goes to stdout."""
    reports: list[tuple[str, str | None]] = []
    for value in values or ["text"]:
        name, _, destination = value.partition(":")
        if name not in FORMATS:
            raise click.BadParameter(
                f"{name!r} is not one of {', '.join(FORMATS)}", param_hint="'--format'"
            )
        reports.append((name, destination or None))
    unnamed = [index for index, (_, destination) in enumerate(reports) if destination is None]
    if output is not None:
        if len(unnamed) != 1:
            raise click.BadParameter(
                "--output needs exactly one --format without a file", param_hint="'--output'"
            )
        reports[unnamed[0]] = (reports[unnamed[0]][0], output)
    elif len(unnamed) > 1:
        raise click.BadParameter(
            "only one format can go to standard output; give the others a file (FORMAT:FILE)",
            param_hint="'--format'",
        )
    return reports


def _parse_vars(values: Sequence[str]) -> dict[str, str]:
    """``--var NAME=VALUE`` as terraform parses ``-var``: split at the first ``=``.

    A later ``--var`` for the same name wins, as on Terraform's command line.
    """
    result: dict[str, str] = {}
    for value in values:
        name, equals, text = value.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(
                f"{value!r} is not NAME=VALUE (a variable name and a value separated by '=')",
                param_hint="'--var'",
            )
        if name != name.strip():
            raise click.BadParameter(
                f"the variable name {name!r} has spaces around it; did you mean "
                f"--var '{name.strip()}={text.lstrip()}'?",
                param_hint="'--var'",
            )
        result.pop(name, None)
        result[name] = text
    return result


def _rule_codes(values: Sequence[str], option: str, known: Collection[str]) -> tuple[str, ...]:
    """Accept both ``--select ORY2 --select ORY7`` and ``--select ORY2,ORY7``.

    A code that names no rule and no rule prefix is a usage error: ``--select ORY2O1`` would
    otherwise check nothing and pass.
    """
    from orylint.engine.selection import rule_id_problem

    codes = [item.strip().upper() for value in values for item in value.split(",") if item.strip()]
    for code in codes:
        problem = rule_id_problem(code, known=known)
        if problem:
            raise click.BadParameter(problem, param_hint=f"'{option}'")
    return tuple(codes)


def _use_colour(choice: str, output: str | None) -> bool:
    """Whether a report is coloured, by the conventions of no-color.org and force-color.org.

    ``--color always``/``never`` win; a file is never coloured otherwise; then FORCE_COLOR
    (present and not empty) forces colour, even through a pipe; then NO_COLOR (likewise) and
    ``TERM=dumb`` disable it; else colour goes only to a terminal.
    """
    if choice != "auto":
        return choice == "always"
    if output:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout is not None and sys.stdout.isatty()


def _print_trace(result: ScanResult, config: Config) -> None:
    """``-v`` on stderr: the configuration, what was read, what was skipped and why, timings.

    What was read covers files, client resources and resource types; then every topic the scan
    recorded. Lines are escaped for the terminal: names come from the files.
    """
    types = ", ".join(f"{name} ({count})" for name, count in result.resource_types.items())
    lines = [
        f"config: {config.path or 'none found (defaults)'}",
        f"rules: {len(result.rules)} enabled",
        f"read {result.terraform_files} Terraform file(s), parsed {len(result.sources)}; "
        f"{result.clients} client resource instance(s) linted",
        f"resource types seen: {types or 'none'}",
    ]
    lines.extend(f"{topic}: {message}" for topic, message in result.trace.entries)
    timings = result.trace.timings
    if timings:
        stages = ", ".join(f"{stage} {seconds:.3f}s" for stage, seconds in timings.items())
        lines.append(f"timing: {stages}; total {sum(timings.values()):.3f}s")
    with contextlib.suppress(OSError):
        for line in lines:
            click.echo(escape_terminal(printable(line)), err=True)

"""JUnit XML, as CI systems (Jenkins, GitLab, Azure DevOps) read test reports.

One test case per linted file, so a run that passes shows passed tests and the number of tests
does not depend on how many problems there are; a file fails only for findings at or above
``--fail-on``, the threshold that decides the exit code, so the test report and the job agree.
Findings below it are listed in the test case's ``system-out``: visible, not failing. Inputs that
could not be linted (exit code 2) are test cases with an ``error``.

Every string from the input passes :func:`~orylint.model.display.escape_xml`: a character XML 1.0
forbids would make the whole report unreadable.
"""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree

from orylint.engine.findings import SEVERITY_RANK, Finding
from orylint.engine.result import ScanResult
from orylint.model.display import escape_xml

SUITE = "orylint"


def render_junit(result: ScanResult, *, fail_on: str = "error") -> str:
    """A ``testsuites`` document: one ``testsuite``, in it one ``testcase`` per linted file."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_file[finding.span.path].append(finding)
    # An unreadable file's error belongs to its own test case; other errors get one each, and
    # so does a module directory with findings about it as a whole (they may fail the run).
    errors_of: dict[str, list[str]] = defaultdict(list)
    for message in result.fatal_errors:
        path = next((p for p in result.files if message.startswith(f"{p}:")), None)
        errors_of[path or message.partition(": ")[0]].append(message)
    others = sorted((by_file.keys() | errors_of.keys()) - set(result.files))
    suite = ElementTree.Element("testsuite", name=SUITE)
    failures = errors = 0
    for path in [*result.files, *others]:
        case = ElementTree.SubElement(suite, "testcase", classname=SUITE, name=escape_xml(path))
        if path in result.files:  # GitLab shows it; a missing path or a directory is none
            case.set("file", escape_xml(path))
        failing = [f for f in by_file[path] if _fails(f, fail_on)]
        passing = [f for f in by_file[path] if not _fails(f, fail_on)]
        if errors_of[path]:
            errors += 1
            message = escape_xml("\n".join(errors_of[path]))
            ElementTree.SubElement(case, "error", message=message, type="not linted").text = message
        elif failing:
            failures += 1
            worst = max(failing, key=lambda finding: SEVERITY_RANK[finding.severity])
            count = len(failing)
            failure = ElementTree.SubElement(
                case,
                "failure",
                message=f"{count} finding{'' if count == 1 else 's'} at or above {fail_on}",
                type=worst.severity,
            )
            failure.text = "\n".join(map(_line, failing))
        if passing:
            ElementTree.SubElement(case, "system-out").text = "\n".join(map(_line, passing))
    counts = {
        "tests": str(len(suite)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": "0",
        "time": f"{result.seconds:.3f}",
    }
    suite.attrib.update(counts)
    root = ElementTree.Element("testsuites", {"name": SUITE, **counts})
    root.append(suite)
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )


def _fails(finding: Finding, fail_on: str) -> bool:
    return fail_on != "never" and SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[fail_on]


def _line(finding: Finding) -> str:
    span = finding.span
    address = f" [{finding.address}]" if finding.address else ""
    return escape_xml(
        f"{span.path}:{span.start_line}:{span.start_column}: {finding.rule_id} "
        f"{finding.severity}: {finding.message}{address}"
    )

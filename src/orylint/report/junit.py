"""JUnit XML, for CI systems that show test reports: one test case per finding, by file.

Every string from the input passes :func:`~orylint.model.display.escape_xml`: a character XML 1.0
forbids would make the whole report unreadable.
"""

from __future__ import annotations

from itertools import groupby
from xml.etree import ElementTree

from orylint.engine.result import ScanResult
from orylint.model.display import escape_xml


def render_junit(result: ScanResult) -> str:
    """A ``testsuites`` document; every finding is a failed test case of its file's suite."""
    root = ElementTree.Element(
        "testsuites",
        name="orylint",
        tests=str(len(result.findings)),
        failures=str(len(result.findings)),
        errors=str(len(result.fatal_errors)),
    )
    for raw_path, group in groupby(result.findings, key=lambda finding: finding.span.path):
        findings = list(group)
        path = escape_xml(raw_path)
        suite = ElementTree.SubElement(
            root, "testsuite", name=path, tests=str(len(findings)), failures=str(len(findings))
        )
        for finding in findings:
            span = finding.span
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=path,
                name=f"{finding.rule_id} {escape_xml(finding.address or raw_path)}:"
                f"{span.start_line}:{span.start_column}",
                file=path,
                line=str(span.start_line),
            )
            message = escape_xml(finding.full_message)
            failure = ElementTree.SubElement(
                case, "failure", message=message, type=finding.severity
            )
            failure.text = (
                f"{path}:{span.start_line}:{span.start_column}: {finding.rule_id} "
                f"{finding.severity}: {message}"
            )
    if result.fatal_errors:
        suite = ElementTree.SubElement(
            root, "testsuite", name="orylint", tests="1", errors=str(len(result.fatal_errors))
        )
        case = ElementTree.SubElement(suite, "testcase", classname="orylint", name="inputs")
        error = ElementTree.SubElement(case, "error", message="inputs could not be linted")
        error.text = escape_xml("\n".join(result.fatal_errors))
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )

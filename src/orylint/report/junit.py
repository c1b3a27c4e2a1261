"""JUnit XML, for CI systems that show test reports: one test case per finding, by file."""

from __future__ import annotations

from itertools import groupby
from xml.etree import ElementTree

from orylint.engine.result import ScanResult


def render_junit(result: ScanResult) -> str:
    """A ``testsuites`` document; every finding is a failed test case of its file's suite."""
    root = ElementTree.Element(
        "testsuites",
        name="orylint",
        tests=str(len(result.findings)),
        failures=str(len(result.findings)),
        errors=str(len(result.fatal_errors)),
    )
    for path, group in groupby(result.findings, key=lambda finding: finding.span.path):
        findings = list(group)
        suite = ElementTree.SubElement(
            root, "testsuite", name=path, tests=str(len(findings)), failures=str(len(findings))
        )
        for finding in findings:
            span = finding.span
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=path,
                name=f"{finding.rule_id} {finding.address or path}:{span.start_line}:"
                f"{span.start_column}",
                file=path,
                line=str(span.start_line),
            )
            failure = ElementTree.SubElement(
                case, "failure", message=finding.full_message, type=finding.severity
            )
            failure.text = (
                f"{path}:{span.start_line}:{span.start_column}: {finding.rule_id} "
                f"{finding.severity}: {finding.full_message}"
            )
    if result.fatal_errors:
        suite = ElementTree.SubElement(
            root, "testsuite", name="orylint", tests="1", errors=str(len(result.fatal_errors))
        )
        case = ElementTree.SubElement(suite, "testcase", classname="orylint", name="inputs")
        error = ElementTree.SubElement(case, "error", message="inputs could not be linted")
        error.text = "\n".join(result.fatal_errors)
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )

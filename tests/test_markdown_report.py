"""The Markdown report (the GitHub Action's job summary), rendered by GitHub's own cmark-gfm.

What a pull request writes into a linted file (a redirect URI, a client name) reaches the
summary of the job that lints it; rendered with the extensions GitHub enables, it must come out
as the same text in the same table cell: no link, no HTML, no extra column.
"""

from __future__ import annotations

from html.parser import HTMLParser

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from orylint.engine.findings import Finding
from orylint.engine.result import ScanResult
from orylint.report.markdown import TABLE_LIMIT, escape, render_markdown
from orylint.terraform.values import Span

HOSTILE = [
    'redirect "https://evil.example/cb?a=1|b" www.evil.example <img src=x onerror=alert(1)>',
    "`code` **bold** _em_ ~~gone~~ [link](https://evil.example) ![i](https://evil.example/i.png)",
    "&copy; &#64; :smile: $x^2$ #12 \\| \\ trailing backslash \\",
    "two\nlines\r\nand | pipes || and <!-- a comment -->",
]


class Cells(HTMLParser):
    """The text of every table cell, and every element other than the table's own."""

    TABLE = frozenset({"table", "thead", "tbody", "tr", "th", "td", "h3", "p", "ul", "li"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.others: list[str] = []
        self.in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.rows[-1].append("")
            self.in_cell = True
        elif tag not in self.TABLE:
            self.others.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.in_cell = False

    def handle_data(self, data: str) -> None:
        if self.in_cell:
            self.rows[-1][-1] += data

    def handle_comment(self, data: str) -> None:
        self.others.append("comment")


def github_html(markdown: str) -> str:
    """cmark-gfm with the extensions github.com enables."""
    return cmarkgfm.markdown_to_html_with_extensions(
        markdown,
        options=Options.CMARK_OPT_UNSAFE,  # show what raw HTML would do; GitHub then sanitises
        extensions=["table", "autolink", "strikethrough", "tagfilter", "tasklist"],
    )


def finding(message: str, line: int = 1, severity: str = "error") -> Finding:
    return Finding(
        Span("infra/main.tf", line, 3, line, 9),
        "ORY201",
        message,
        severity,  # type: ignore[arg-type]
        address="ory_oauth2_client.web",
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_renders_as_itself_in_one_cell(text: str) -> None:
    table = f"| a | b |\n| --- | --- |\n| {escape(text)} | after |\n"
    parser = Cells()
    parser.feed(github_html(table))
    assert parser.others == []  # no link, image, code, emphasis, HTML or comment
    assert parser.rows[1] == [" ".join(text.splitlines()), "after"]


def test_the_escaping_has_teeth() -> None:
    """Without it, the same text makes links, HTML and extra cells."""
    parser = Cells()
    parser.feed(github_html(f"| a | b |\n| --- | --- |\n| {HOSTILE[0]} | after |\n"))
    assert "a" in parser.others
    assert parser.rows[1] != [HOSTILE[0], "after"]


def test_report_table_escapes_findings_and_links_rules() -> None:
    result = ScanResult(findings=[finding(text, n) for n, text in enumerate(HOSTILE, 1)])
    result.files = ["infra/main.tf"]
    html = github_html(render_markdown(result))
    parser = Cells()
    parser.feed(html)
    assert parser.others == ["a"] * len(HOSTILE)  # only the rule links, which orylint writes
    header, *rows = parser.rows
    assert header == ["Severity", "Rule", "Location", "Message"]
    assert [row[3] for row in rows] == [
        " ".join(text.splitlines()) + " [ory_oauth2_client.web]" for text in HOSTILE
    ]
    assert rows[0][:3] == ["error", "ORY201", "infra/main.tf:1:3"]
    assert 'href="https://github.com/orylint/orylint/blob/v' in html


def test_first_fifty_most_severe_then_a_count() -> None:
    findings = [
        finding(f"note {n}", line=n, severity="note") for n in range(1, TABLE_LIMIT + 11)
    ] + [finding("the error", line=999)]
    result = ScanResult(findings=findings, files=["infra/main.tf"])
    markdown = render_markdown(result)
    parser = Cells()
    parser.feed(github_html(markdown))
    rows = parser.rows[1:]
    assert len(rows) == TABLE_LIMIT
    assert rows[0][0] == "error"  # the most severe first, whatever its line
    assert markdown.rstrip().endswith(
        f"… and 11 more (the table shows the first {TABLE_LIMIT}, most severe first)."
    )
    assert "Found 61 problems (1 error, 60 notes) in 1 file" in parser_text(markdown)


def test_errors_of_an_incomplete_run_come_first() -> None:
    result = ScanResult(fatal_errors=["no|such: no such file or directory"])
    markdown = render_markdown(result)
    text = parser_text(markdown)
    assert "error: no|such: no such file or directory" in text
    assert "Nothing could be linted (1 error above, exit code 2)." in text
    assert "|" not in markdown.split("\n", 3)[2].replace("\\|", "")  # no table from the error


def parser_text(markdown: str) -> str:
    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []

        def handle_data(self, data: str) -> None:
            self.parts.append(data)

    parser = Text()
    parser.feed(github_html(markdown))
    return "".join(parser.parts)


def test_control_and_bidi_characters_are_shown_not_obeyed() -> None:
    """A right-to-left override would reorder the cell on the page; an escape would not."""
    escaped = escape("client\u202eevil\x1b[31m")
    assert "\u202e" not in escaped and "\x1b" not in escaped
    parser = Cells()
    parser.feed(github_html(f"| a |\n| --- |\n| {escaped} |\n"))
    assert parser.rows[1][0].startswith("client\\")

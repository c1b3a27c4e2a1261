"""Where a large ``.tf`` file can be cut into top-level blocks that parse alone.

python-hcl2 builds one lark tree for a whole file, and the tree with its position metadata costs
about 100 times the size of the text: a 10 MB file of clients needed more than a gigabyte, and its
parse grew faster than the file. The loader therefore parses a large file one piece at a time
(``hcl_loader.load_hcl``) and drops each piece's tree before the next, which needs to know where a
top-level block ends without parsing it. :func:`split_points` answers that with a scanner that
follows python-hcl2's lexer exactly where it matters: quoted strings with escapes and ``${}`` /
``%{}`` templates (``$${`` and ``%%{`` are literal), heredocs (``<<EOF`` and ``<<-EOF``, ended by
the first line holding only the marker, as python-hcl2's terminal finds it), comments (``#``,
``//``, ``/* */``) and nested brackets.

A piece starts at the beginning of a line that begins with a name (a block type) right after a
top-level block's closing brace, with nothing but blank lines and comments between; everything
between two such points is one piece, so the tokens of the pieces are exactly the tokens of the
file. Whenever the scanner meets something it does not follow with certainty (a backslash or a
line break where python-hcl2 reads neither, an unterminated comment or heredoc, unbalanced
brackets) it gives up and the file is parsed whole, as it always was.
"""

from __future__ import annotations

import re

#: In code: what changes the scanner's state. Everything else (names, numbers, operators, blanks)
#: is skipped in one jump.
_CODE = re.compile(r"""[{}()\[\]"#\n\\]|/[/*]|<<""")
#: In a quoted string: a run of plain characters, an escape, an (escaped) template opener, a
#: lone ``$`` or ``%``, the closing quote or a line break. Order matters: ``$${`` before ``${``.
_STRING = re.compile(r"""[^"\\$%\n]+|\\.|\$\$\{|%%\{|\$\{|%\{|[$%]|"|\n|\\""")
#: python-hcl2's heredoc terminals, from the opening ``<<`` to the line after the closing marker.
_HEREDOC = re.compile(r"<<-?([a-zA-Z][a-zA-Z0-9._-]*)\r?\n(?:[\s\S]*?\r?\n)??\s*\1\r?\n")
_BLOCK_COMMENT_END = "*/"
_CLOSING = {"}": "{", ")": "(", "]": "["}
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
#: A template opened in a string (``${`` or ``%{``): its closing brace returns to the string.
_TEMPLATE = "template"


def split_points(text: str) -> list[int] | None:
    """The offsets where the top-level pieces of ``text`` start (the first is 0).

    None when the text holds anything the scanner does not follow with certainty; the caller
    then parses the file whole.
    """
    scanner = _Scanner(text)
    try:
        return scanner.run()
    except _Uncertain:
        return None


class _Uncertain(Exception):
    """Something the scanner does not follow with certainty: the file is parsed whole."""


class _Scanner:
    """One pass over a text, in code or in a quoted string, with the open brackets on a stack."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.points = [0]
        self.stack: list[str] = []  # open brackets, strings and templates, innermost last
        self.after_block = False  # the last thing at the top level was a block's closing brace
        self.position = 0

    def run(self) -> list[int]:
        while self.position < len(self.text):
            if self.stack and self.stack[-1] == '"':
                self._string()
            elif not self._code():
                break
        if self.stack:
            raise _Uncertain
        return self.points

    def _string(self) -> None:
        match = _STRING.match(self.text, self.position)
        if match is None:
            raise _Uncertain
        token = match.group()
        self.position = match.end()
        if token == '"':
            self.stack.pop()
        elif token in ("${", "%{"):
            self.stack.append(_TEMPLATE)
        elif token in ("\n", "\\"):
            raise _Uncertain  # a line break in a quoted string (escaped or not)

    def _code(self) -> bool:
        """Step to and over the next token of code that matters; False at the end."""
        text = self.text
        match = _CODE.search(text, self.position)
        if match is None:
            return False
        start = match.start()
        if self.after_block and text[self.position : start].strip(" \t\r"):
            self.after_block = False  # something other than blanks followed the closing brace
        token = match.group()
        self.position = match.end()
        if token == "\n":
            next_char = text[self.position : self.position + 1]
            if not self.stack and self.after_block and next_char in _NAME_START:
                self.points.append(self.position)
                self.after_block = False
        elif token in ('"', "{", "(", "["):
            self.after_block = False
            self.stack.append(token)
        elif token in _CLOSING:
            self._close(token)
        elif token in ("#", "//"):
            end = text.find("\n", self.position)  # the line break ends the comment's token
            self.position = len(text) if end < 0 else end
        elif token == "/*":
            end = text.find(_BLOCK_COMMENT_END, self.position)
            if end < 0:
                raise _Uncertain
            self.position = end + len(_BLOCK_COMMENT_END)
        elif token == "<<":
            heredoc = _HEREDOC.match(text, start)
            if heredoc is None:
                raise _Uncertain
            self.after_block = False
            self.position = heredoc.end()
        else:  # a backslash outside a string: python-hcl2's escaped template strings
            raise _Uncertain
        return True

    def _close(self, token: str) -> None:
        if not self.stack:
            raise _Uncertain
        opened = self.stack.pop()
        if opened == _TEMPLATE and token == "}":
            return  # back in the string that opened the template
        if opened != _CLOSING[token]:
            raise _Uncertain
        self.after_block = not self.stack and token == "}"

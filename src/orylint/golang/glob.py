"""gobwas/glob v0.2.3 semantics: which patterns compile, and what a compiled pattern matches.

Why this module exists: Hydra matches a client's ``allowed_cors_origins`` against the request's
``Origin`` with ``glob.Compile(strings.ToLower(origin), '.')`` (hydra ``x/oauth2cors/cors.go``),
so a stored origin is a *glob*, not a string: ``[::1]`` is a character class that matches one
character, a trailing ``?`` matches any one character, ``*`` stops at a dot and ``**`` does not.
No Python library implements gobwas/glob's syntax (``fnmatch`` has no separators, no ``{a,b}``,
``[!...]`` only at the start, and different escapes), so this is a port of its lexer and parser
(``syntax/lexer/lexer.go``, ``syntax/ast/parser.go``) for the compile errors, and a translation
of the parsed tree into a Python regular expression for matching:

* ``*`` is any run of characters that are not separators; ``**`` any run at all;
* ``?`` is one character that is not a separator;
* ``[abc]``, ``[!abc]``, ``[a-z]``, ``[!a-z]`` are one character, separators included; a class
  holds either one range or a list of characters, never both;
* ``{a,b}`` are alternatives (nesting allowed; an unclosed ``{`` is closed at the end);
* a backslash escapes the next character; ``,`` and ``}`` are plain text outside ``{...}``,
  and ``]`` outside ``[...]``.

Compile errors (all of which Hydra logs and treats as "no match"): an unterminated class
(``[abc``), a class with nothing in it (``[]``, ``[!]``), a range followed by more characters
(``[a-zA-Z]``), a range whose end precedes its start (``[z-a]``) and U+FFFD, which Go's decoder
cannot tell from invalid UTF-8. The tests compare this port with the real library
(``tests/test_glob.py``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

__all__ = ["Glob", "GlobError", "compile_glob"]


class GlobError(ValueError):
    """A pattern gobwas/glob's ``Compile`` refuses; ``str()`` is the library's message."""


@dataclass
class _Node:
    """A node of gobwas/glob's syntax tree (``ast.Node``): its kind, value and children."""

    kind: str  # pattern, anyof, text, any, super, single, list, range
    value: str = ""
    negated: bool = False
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)

    def add(self, child: _Node) -> _Node:
        child.parent = self
        self.children.append(child)
        return child


_TEXT_BREAKERS = "?*[{"
_TERMS_BREAKERS = _TEXT_BREAKERS + "},"


class _Lexer:
    """``syntax/lexer/lexer.go``: yields ``(type, text)`` tokens, or raises on a lexing error."""

    def __init__(self, source: str) -> None:
        self.data = source
        self.pos = 0
        self.terms = 0
        self.queue: list[tuple[str, str]] = []

    def _read(self) -> str:
        """The next character, ``""`` at the end; U+FFFD is Go's ``utf8.RuneError``."""
        if self.pos >= len(self.data):
            return ""
        char = self.data[self.pos]
        if char == "\ufffd" or "\ud800" <= char <= "\udfff":
            raise GlobError("could not read rune")
        self.pos += 1
        return char

    def _peek(self) -> str:
        char = self._read()
        self.pos -= len(char)
        return char

    def next(self) -> tuple[str, str]:
        while not self.queue:
            self._fetch_item()
        return self.queue.pop(0)

    def _fetch_item(self) -> None:
        char = self._read()
        if char == "":
            self.queue.append(("eof", ""))
        elif char == "{":
            self.terms += 1
            self.queue.append(("terms_open", char))
        elif char == "," and self.terms:
            self.queue.append(("separator", char))
        elif char == "}" and self.terms:
            self.queue.append(("terms_close", char))
            self.terms -= 1
        elif char == "[":
            self.queue.append(("range_open", char))
            self._fetch_range()
        elif char == "?":
            self.queue.append(("single", char))
        elif char == "*":
            if self._peek() == "*":
                self.pos += 1
                self.queue.append(("super", "**"))
            else:
                self.queue.append(("any", char))
        else:
            self.pos -= 1
            self._fetch_text(_TERMS_BREAKERS if self.terms else _TEXT_BREAKERS)

    def _fetch_range(self) -> None:
        want_hi = want_close = seen_not = False
        while True:
            char = self._read()
            if char == "":
                raise GlobError("unexpected end of input")
            if want_close:
                if char != "]":
                    raise GlobError("expected close range character")
                self.queue.append(("range_close", char))
                return
            if want_hi:
                self.queue.append(("range_hi", char))
                want_close = True
                continue
            if not seen_not and char == "!":
                self.queue.append(("not", char))
                seen_not = True
                continue
            if self._peek() == "-":
                self.pos += 1
                self.queue.append(("range_lo", char))
                want_hi = True
                continue
            self.pos -= 1
            self._fetch_text("]")
            want_close = True

    def _fetch_text(self, breakers: str) -> None:
        data: list[str] = []
        escaped = False
        while True:
            char = self._read()
            if char == "":
                break
            if not escaped:
                if char == "\\":
                    escaped = True
                    continue
                if char in breakers:
                    self.pos -= 1
                    break
            escaped = False
            data.append(char)
        if data:
            self.queue.append(("text", "".join(data)))


def _parse(pattern: str) -> _Node:
    """``syntax/ast/parser.go``: the tree, or :class:`GlobError`."""
    lexer = _Lexer(pattern)
    root = tree = _Node("pattern")
    while True:
        kind, raw = lexer.next()
        if kind == "eof":
            return root
        if kind == "text":
            tree.add(_Node("text", raw))
        elif kind in ("any", "super", "single"):
            tree.add(_Node(kind))
        elif kind == "range_open":
            tree.add(_parse_range(lexer))
        elif kind == "terms_open":
            tree = tree.add(_Node("anyof")).add(_Node("pattern"))
        elif kind == "separator":
            assert tree.parent is not None
            tree = tree.parent.add(_Node("pattern"))
        elif kind == "terms_close":
            assert tree.parent is not None and tree.parent.parent is not None
            tree = tree.parent.parent
        else:  # pragma: no cover - the lexer emits no other token outside a class
            raise GlobError(f"unexpected token: {raw}")


def _parse_range(lexer: _Lexer) -> _Node:
    """``parserRange``: a class is one ``lo-hi`` range or a list of characters."""
    negated = False
    lo = hi = chars = ""
    while True:
        kind, raw = lexer.next()
        if kind == "not":
            negated = True
        elif kind == "range_lo":
            lo = raw
        elif kind == "range_hi":
            hi = raw
            if hi < lo:
                raise GlobError(f"hi character '{hi}' should be greater than lo '{lo}'")
        elif kind == "text":
            chars = raw
        elif kind == "range_close":
            # Go tests lo != 0 && hi != 0, so a NUL bound makes the class invalid.
            is_range = lo not in ("", "\0") and hi not in ("", "\0")
            if bool(chars) == is_range:
                raise GlobError("could not parse range")
            if is_range:
                return _Node("range", lo + hi, negated)
            return _Node("list", chars, negated)


def _class(chars: str, negated: bool) -> str:
    body = "".join(re.escape(char) for char in chars)
    if not body:
        return "(?s:.)" if negated else "(?!)"
    return f"[{'^' if negated else ''}{body}]"


def _regex(node: _Node, separators: str) -> str:
    """The regular expression equivalent of *node* with gobwas/glob's matcher semantics."""
    if node.kind == "pattern":
        return "".join(_regex(child, separators) for child in node.children)
    if node.kind == "anyof":
        return "(?:" + "|".join(_regex(child, separators) for child in node.children) + ")"
    if node.kind == "text":
        return re.escape(node.value)
    if node.kind == "super":
        return "(?s:.*)"
    if node.kind == "any":
        return f"{_class(separators, True)}*"
    if node.kind == "single":
        return _class(separators, True)
    if node.kind == "list":
        return _class(node.value, node.negated)
    lo, hi = node.value[0], node.value[1]
    span = f"[{'^' if node.negated else ''}{re.escape(lo)}-{re.escape(hi)}]"
    return span


@dataclass(frozen=True)
class Glob:
    """A compiled pattern: ``match`` answers as gobwas/glob's ``Glob.Match`` does."""

    pattern: str
    separators: str
    _compiled: re.Pattern[str]

    def match(self, text: str) -> bool:
        """Whether the whole of *text* matches (gobwas/glob has no partial matches)."""
        return self._compiled.fullmatch(text) is not None


@functools.lru_cache(maxsize=1024)
def compile_glob(pattern: str, separators: str = "") -> Glob:
    """``glob.Compile(pattern, separators...)``: a :class:`Glob`, or :class:`GlobError`.

    Memoised (a :class:`Glob` is immutable): every client of a large configuration tends to list
    the same origins, and several rules ask about each.
    """
    tree = _parse(pattern)
    return Glob(pattern, separators, re.compile(_regex(tree, separators), re.DOTALL))

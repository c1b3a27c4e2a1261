r"""``regex``, ``regexall`` and ``replace``: Go's RE2 syntax, translated to Python's ``re``.

Terraform compiles patterns with Go's ``regexp``. Python's ``re`` agrees with it on matching
(leftmost-first, like Perl) but not on syntax: ``$`` is the end of the text in Go and may match
before a final newline in Python, ``\b``, ``\d``, ``\s``, ``\w`` are ASCII in Go (and Go's
``\s`` has no ``\v``), ``{,3}`` is a literal in Go, ``x**`` an error. So a pattern is translated
piece by piece, and what cannot be translated exactly is refused (Unknown, never a guess):
Unicode classes (``\pL``), octal escapes, the ``U`` flag, flags set in the middle of a pattern,
negated POSIX classes. Nested repetition (``(a+)+``) is refused too: Go runs it in linear time,
Python's backtracking can take exponential time, and a scan must not hang.

Iterating over matches follows Go's ``FindAll`` and ``ReplaceAll`` (an empty match right after a
match is skipped), and ``$1``/``${name}`` in a replacement are expanded as Go's ``Expand`` does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from orylint.terraform.functions._core import (
    EvaluationError,
    FunctionContext,
    Value,
    check_size,
    function,
    nfc,
    to_string,
)

_WORD = "0-9A-Za-z_"
_SPACE = "\\t\\n\\f\\r "
_PERL = {"d": "0-9", "s": _SPACE, "w": _WORD}
_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": _WORD,
    "xdigit": "0-9A-Fa-f",
}
_SIMPLE_ESCAPES = {"a": "\a", "f": "\f", "t": "\t", "n": "\n", "r": "\r", "v": "\v"}
_MAX_REPEAT = 1000
_REPEAT = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")
_GROUP_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Unsupported(EvaluationError):
    """A pattern orylint does not translate exactly (the call is Unknown either way)."""


class _Translator:
    """One pass over a Go pattern, writing the Python pattern with the same meaning."""

    def __init__(self, pattern: str) -> None:
        self.src = pattern
        self.pos = 0
        self.out: list[str] = []
        # per open group: (flags in force, whether it holds a repetition, out index of its start)
        self.groups: list[tuple[frozenset[str], bool, int]] = []
        self.flags: frozenset[str] = frozenset()
        self.repeated = False  # the current group holds a repetition
        self.last_atom: tuple[int, bool] | None = None  # out index, whether it holds a repetition

    def translate(self) -> str:
        prefix = ""
        match = re.match(r"(?:\(\?[imsU]+\))+", self.src)  # flags for the whole pattern
        if match:
            flags = set(match.group(0)) - set("(?)")
            if "U" in flags:
                raise Unsupported("the U flag is not supported")
            self.flags = frozenset(flags)
            self.pos = match.end()
            prefix = "(?" + "".join(sorted(flags)) + ":"
        while self.pos < len(self.src):
            self.step()
        if self.groups:
            raise EvaluationError("missing closing )")
        body = "".join(self.out)
        return prefix + body + ")" if prefix else body

    def atom(self, text: str, repeated: bool = False) -> None:
        self.last_atom = (len(self.out), repeated)
        self.out.append(text)

    def step(self) -> None:
        char = self.src[self.pos]
        self.pos += 1
        if char == "\\":
            self.escape()
        elif char == "[":
            self.atom(self.char_class())
        elif char == "(":
            self.open_group()
        elif char == ")":
            self.close_group()
        elif char in "*+?":
            self.repeat(char)
        elif char == "{":
            match = _REPEAT.match(self.src, self.pos - 1)
            if match is None:
                self.atom("\\{")
            else:
                low = int(match.group(1))
                high = match.group(3)
                if low > _MAX_REPEAT or (high and int(high) > _MAX_REPEAT):
                    raise EvaluationError("invalid repeat count")
                if high and int(high) < low:
                    raise EvaluationError("invalid repeat count")
                self.pos = match.end()
                self.repeat(match.group(0))
        elif char == "|":
            self.last_atom = None
            self.out.append("|")
        elif char == "^":
            self.last_atom = None
            self.out.append("^")
        elif char == "$":
            self.last_atom = None
            self.out.append("$" if "m" in self.flags else "\\Z")
        elif char == ".":
            self.atom(".")
        else:
            self.atom(re.escape(char))

    def repeat(self, operator: str) -> None:
        if self.last_atom is None:
            raise EvaluationError("missing argument to repetition operator")
        _, holds_repeat = self.last_atom
        if holds_repeat:
            raise Unsupported("nested repetition is not evaluated (exponential in Python)")
        lazy = self.src.startswith("?", self.pos)
        if lazy:
            self.pos += 1
            operator += "?"
        if self.src[self.pos : self.pos + 1] in ("*", "+", "?") or (
            self.src.startswith("{", self.pos) and _REPEAT.match(self.src, self.pos)
        ):
            raise EvaluationError("invalid nested repetition operator")
        self.out.append(operator)
        self.repeated = True
        self.last_atom = None  # a repeated atom cannot be repeated again

    def open_group(self) -> None:
        start = len(self.out)
        if self.src.startswith("?", self.pos):
            match = re.match(r"\?(?:P?<([^>]*)>|([imsU-]*)(:|\)))", self.src[self.pos :])
            if match is None:
                raise EvaluationError("invalid or unsupported Perl syntax")
            self.pos += match.end()
            if match.group(3) == ")":
                raise Unsupported("flags set in the middle of a pattern are not evaluated")
            if match.group(1) is not None:
                name = match.group(1)
                if not _GROUP_NAME.fullmatch(name):
                    raise Unsupported("capture group name not supported")
                self.out.append(f"(?P<{name}>")
                self.push(start, self.flags)
                return
            flags_text = match.group(2)
            if "U" in flags_text:
                raise Unsupported("the U flag is not supported")
            on, _, off = flags_text.partition("-")
            if flags_text.count("-") > 1 or (flags_text.endswith("-")):
                raise EvaluationError("invalid or unsupported Perl syntax")
            flags = (self.flags | set(on)) - set(off)
            self.out.append(f"(?{on}{'-' + off if off else ''}:" if flags_text else "(?:")
            self.push(start, frozenset(flags))
            return
        self.out.append("(")
        self.push(start, self.flags)

    def push(self, start: int, flags: frozenset[str]) -> None:
        self.groups.append((self.flags, self.repeated, start))
        self.flags = flags
        self.repeated = False
        self.last_atom = None

    def close_group(self) -> None:
        if not self.groups:
            raise EvaluationError("unexpected )")
        outer_flags, outer_repeated, start = self.groups.pop()
        self.out.append(")")
        inner_repeated = self.repeated
        self.flags = outer_flags
        self.repeated = outer_repeated or inner_repeated
        self.last_atom = (start, inner_repeated)

    def escape(self) -> None:
        if self.pos >= len(self.src):
            raise EvaluationError("trailing backslash at end of expression")
        char = self.src[self.pos]
        self.pos += 1
        if char in _PERL:
            self.atom(f"[{_PERL[char]}]")
        elif char.lower() in _PERL:
            self.atom(f"[^{_PERL[char.lower()]}]")
        elif char == "b":
            self.last_atom = None
            self.out.append(f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))")
        elif char == "B":
            self.last_atom = None
            self.out.append(f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))")
        elif char == "A":
            self.last_atom = None
            self.out.append("\\A")
        elif char == "z":
            self.last_atom = None
            self.out.append("\\Z")
        elif char == "Q":
            end = self.src.find("\\E", self.pos)
            literal = self.src[self.pos :] if end < 0 else self.src[self.pos : end]
            self.pos = len(self.src) if end < 0 else end + 2
            for item in literal:
                self.atom(re.escape(item))
        else:
            self.atom(re.escape(self.literal_escape(char)))

    def literal_escape(self, char: str) -> str:
        """The character an escape stands for, inside or outside a class."""
        if char in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[char]
        if char == "x":
            if self.src.startswith("{", self.pos):
                end = self.src.find("}", self.pos)
                digits = self.src[self.pos + 1 : end] if end > 0 else ""
                self.pos = end + 1
            else:
                digits = self.src[self.pos : self.pos + 2]
                self.pos += 2
                if len(digits) != 2:
                    raise EvaluationError("invalid escape sequence")
            if not digits or not re.fullmatch("[0-9A-Fa-f]+", digits) or int(digits, 16) > 0x10FFFF:
                raise EvaluationError("invalid escape sequence")
            return chr(int(digits, 16))
        if char.isascii() and not char.isalnum():
            return char  # Go allows escaping any ASCII punctuation
        if char in "pP" or char.isdigit():
            raise Unsupported("Unicode classes and octal escapes are not evaluated")
        raise EvaluationError(f"invalid escape sequence \\{char}")

    def char_class(self) -> str:
        parts: list[str] = []
        negated = self.src.startswith("^", self.pos)
        if negated:
            self.pos += 1
        first = True
        while True:
            if self.pos >= len(self.src):
                raise EvaluationError("missing closing ]")
            char = self.src[self.pos]
            if char == "]" and not first:
                self.pos += 1
                break
            first = False
            if self.src.startswith("[:", self.pos):
                end = self.src.find(":]", self.pos + 2)
                name = self.src[self.pos + 2 : end] if end > 0 else ""
                if name in _POSIX:
                    parts.append(_POSIX[name])
                    self.pos = end + 2
                    continue
                if name.startswith("^"):
                    raise Unsupported("negated POSIX classes are not evaluated")
            low = self.class_char(parts)
            if low is None:
                continue
            if self.src.startswith("-", self.pos) and not self.src.startswith("-]", self.pos):
                self.pos += 1
                high = self.class_char(parts, in_range=True)
                if high is None or ord(high) < ord(low):
                    raise EvaluationError("invalid character class range")
                parts.append(_class_escape(low) + "-" + _class_escape(high))
            else:
                parts.append(_class_escape(low))
        if not parts:
            raise EvaluationError("missing closing ]")
        body = "".join(parts)
        return f"[{'^' if negated else ''}{body}]"

    def class_char(self, parts: list[str], in_range: bool = False) -> str | None:
        r"""One character of a class; a Perl class (``\d``) goes to ``parts`` as None."""
        if self.pos >= len(self.src):
            raise EvaluationError("missing closing ]")
        char = self.src[self.pos]
        self.pos += 1
        if char != "\\":
            return char
        if self.pos >= len(self.src):
            raise EvaluationError("trailing backslash at end of expression")
        escape = self.src[self.pos]
        self.pos += 1
        if escape in _PERL and not in_range:
            parts.append(_PERL[escape])
            return None
        if escape.lower() in _PERL or escape in "pPbBAzQ":
            raise Unsupported("this class escape is not evaluated")
        return self.literal_escape(escape)


def _class_escape(char: str) -> str:
    return "\\" + char if char in "\\]^-[" else char


@functools.lru_cache(maxsize=256)
def compile_go(pattern: str) -> re.Pattern[str]:
    """A Python pattern that matches exactly what Go's ``regexp.Compile(pattern)`` matches."""
    if len(pattern) > 10_000:
        raise Unsupported("pattern too long")
    translated = _Translator(pattern).translate()
    try:
        return re.compile(translated)
    except (re.error, RecursionError, OverflowError) as error:
        raise EvaluationError(f"invalid regular expression: {error}") from error


def _matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Go's ``FindAll``: non-overlapping matches, no empty match right after a match."""
    pos = 0
    previous_end = -1
    while pos <= len(text):
        match = pattern.search(text, pos)
        if match is None:
            return
        accept = True
        if match.end() == match.start():
            if match.start() == previous_end:
                accept = False
            pos = match.end() + 1
        else:
            pos = match.end()
        previous_end = match.end()
        if accept:
            yield match


def _groups(pattern: re.Pattern[str]) -> tuple[bool, bool]:
    """Whether the pattern has named and unnamed capture groups."""
    named = len(pattern.groupindex)
    return named > 0, pattern.groups > named


def _result(pattern: re.Pattern[str], match: re.Match[str]) -> Value:
    """One match as cty shapes it: the string, a list of groups, or an object of named groups."""
    named, unnamed = _groups(pattern)
    if named and unnamed:
        raise EvaluationError("invalid regular expression: cannot mix both named and unnamed "
                              "capture groups")  # fmt: skip
    if named:
        return {name: match.group(name) for name in sorted(pattern.groupindex)}
    if unnamed:
        return list(match.groups())  # a group that took no part is null
    return match.group(0)


@function("regex", 2)
def _regex(args: list[Value], _: FunctionContext) -> Value:
    pattern = compile_go(to_string(args[0]))
    match = pattern.search(to_string(args[1]))
    _result_shape_check(pattern)
    if match is None:
        raise EvaluationError("pattern did not match any part of the given string")
    return _result(pattern, match)


def _result_shape_check(pattern: re.Pattern[str]) -> None:
    named, unnamed = _groups(pattern)
    if named and unnamed:
        raise EvaluationError("cannot mix both named and unnamed capture groups")


@function("regexall", 2)
def _regexall(args: list[Value], _: FunctionContext) -> Value:
    pattern = compile_go(to_string(args[0]))
    _result_shape_check(pattern)
    results = []
    for match in _matches(pattern, to_string(args[1])):
        results.append(_result(pattern, match))
        check_size(len(results))
    return results


def expand(template: str, match: re.Match[str]) -> str:
    """Go's ``Regexp.Expand``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``.

    ``$name`` takes the longest run of letters, digits and underscores, so ``$1x`` is the
    group named ``1x`` (empty when there is none), as in Go.
    """
    out: list[str] = []
    index = 0
    while index < len(template):
        dollar = template.find("$", index)
        if dollar < 0:
            out.append(template[index:])
            break
        out.append(template[index:dollar])
        rest = template[dollar + 1 :]
        if rest.startswith("$"):
            out.append("$")
            index = dollar + 2
            continue
        braced = re.match(r"\{([A-Za-z0-9_]+)\}", rest)
        plain = re.match(r"[A-Za-z0-9_]+", rest)
        found = braced or plain
        if found is None:
            out.append("$")  # Go writes a lone "$" as it is
            index = dollar + 1
            continue
        name = found.group(1) if braced else found.group(0)
        index = dollar + 1 + found.end()
        out.append(_group_text(match, name))
    return "".join(out)


def _group_text(match: re.Match[str], name: str) -> str:
    if name.isdigit():
        number = int(name)
        if number <= (match.re.groups or 0):
            return match.group(number) or ""
        return ""
    if name in match.re.groupindex:
        return match.group(name) or ""
    return ""


def replace_all(pattern: re.Pattern[str], text: str, template: str) -> str:
    """Go's ``ReplaceAllString``."""
    out: list[str] = []
    last_end = 0
    search = 0
    size = 0
    while search <= len(text):
        match = pattern.search(text, search)
        if match is None:
            break
        out.append(text[last_end : match.start()])
        if match.end() > last_end or match.start() == 0:
            piece = expand(template, match)
            size += len(piece)
            check_size(size)
            out.append(piece)
        last_end = match.end()
        search = search + 1 if search + 1 > match.end() else match.end()
    out.append(text[last_end:])
    return "".join(out)


@function("replace", 3)
def _replace(args: list[Value], _: FunctionContext) -> Value:
    text, substring, replacement = (to_string(argument) for argument in args)
    if len(substring) > 1 and substring.startswith("/") and substring.endswith("/"):
        return nfc(replace_all(compile_go(substring[1:-1]), text, replacement))
    if substring == "":
        check_size(len(text) * (len(replacement) + 1))
    elif replacement:
        check_size(len(text) // len(substring) * len(replacement) + len(text))
    return nfc(text.replace(substring, replacement))

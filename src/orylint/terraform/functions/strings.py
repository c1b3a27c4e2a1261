"""String functions: Go's ``strings`` package as cty wraps it, counting grapheme clusters.

Terraform counts "characters" as grapheme clusters (``length("🇩🇪")`` is 1) and stores every
string in NFC. Case mapping is Go's (one code point to one code point: ``upper("ß")`` stays
``ß``), blanks are Go's ``unicode.IsSpace``, and ``title`` is Go's deprecated ``strings.Title``.
"""

from __future__ import annotations

from orylint.terraform.functions._core import (
    MAX_RESULT,
    EvaluationError,
    FunctionContext,
    Value,
    check_size,
    function,
    go_int,
    nfc,
    strings,
    to_number,
    to_string,
)

try:  # the `regex` module (a dependency of python-hcl2) knows extended grapheme clusters
    import regex as _regex  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - python-hcl2 always brings it
    _regex = None

_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # noqa: E501
"""Go's ``unicode.IsSpace`` (the White_Space property); Python's ``str.isspace`` differs."""


def graphemes(text: str) -> list[str]:
    """The extended grapheme clusters of ``text`` (UAX #29), as go-textseg splits them."""
    if _regex is None:  # pragma: no cover
        raise EvaluationError("grapheme clusters cannot be counted")
    found: list[str] = _regex.findall(r"\X", text)
    return found


def _simple_case(text: str, upper: bool) -> str:
    """Go's ``strings.ToUpper``/``ToLower``: per code point, simple mappings only."""
    out = []
    for char in text:
        if char == "\u0130" and not upper:
            out.append("i")  # U+0130's simple lowercase; Python's full mapping adds a dot
            continue
        mapped = char.upper() if upper else char.lower()
        out.append(mapped if len(mapped) == 1 else char)
    return "".join(out)


def _one_string(args: list[Value]) -> str:
    return to_string(args[0])


@function("upper", 1)
def _upper(args: list[Value], _: FunctionContext) -> Value:
    return nfc(_simple_case(_one_string(args), upper=True))


@function("lower", 1)
def _lower(args: list[Value], _: FunctionContext) -> Value:
    return nfc(_simple_case(_one_string(args), upper=False))


def _is_separator(char: str) -> bool:
    """Go's ``strings.Title`` word separator test."""
    if char.isascii():
        return not (char.isalnum() or char == "_")
    if char.isalpha() or char.isdigit() or char.isnumeric():
        return False
    return char in _GO_SPACE


def _title_case(char: str) -> str:
    mapped = char.title()
    return mapped if len(mapped) == 1 else char


@function("title", 1)
def _title(args: list[Value], _: FunctionContext) -> Value:
    text = _one_string(args)
    out = []
    previous = " "
    for char in text:
        out.append(_title_case(char) if _is_separator(previous) else char)
        previous = char
    return nfc("".join(out))


@function("trimspace", 1)
def _trimspace(args: list[Value], _: FunctionContext) -> Value:
    return _one_string(args).strip(_GO_SPACE)


@function("trim", 2)
def _trim(args: list[Value], _: FunctionContext) -> Value:
    return nfc(to_string(args[0]).strip(to_string(args[1])))


@function("trimprefix", 2)
def _trimprefix(args: list[Value], _: FunctionContext) -> Value:
    return nfc(to_string(args[0]).removeprefix(to_string(args[1])))


@function("trimsuffix", 2)
def _trimsuffix(args: list[Value], _: FunctionContext) -> Value:
    return nfc(to_string(args[0]).removesuffix(to_string(args[1])))


@function("chomp", 1)
def _chomp(args: list[Value], _: FunctionContext) -> Value:
    # cty removes ``(?:\r\n?|\n)*\z``: any run of CR and LF at the end
    return _one_string(args).rstrip("\r\n")


@function("indent", 2)
def _indent(args: list[Value], _: FunctionContext) -> Value:
    spaces = go_int(to_number(args[0]), "spaces")
    text = to_string(args[1])
    if spaces < 0:
        raise EvaluationError("spaces must not be negative")
    check_size(len(text) + text.count("\n") * spaces)
    return text.replace("\n", "\n" + " " * spaces)


@function("strrev", 1)
def _strrev(args: list[Value], _: FunctionContext) -> Value:
    return nfc("".join(reversed(graphemes(_one_string(args)))))


@function("substr", 3)
def _substr(args: list[Value], _: FunctionContext) -> Value:
    clusters = graphemes(to_string(args[0]))
    offset = go_int(to_number(args[1]), "offset")
    length = go_int(to_number(args[2]), "length")
    if offset < 0:
        offset += len(clusters)
    elif length == 0:
        return ""
    if offset > 0:
        if offset >= len(clusters):
            return ""
        clusters = clusters[offset:]
    if length < 0:
        return nfc("".join(clusters))
    # cty walks at least one cluster before comparing with the length, so 0 takes everything
    taken = clusters if length == 0 else clusters[:length]
    return nfc("".join(taken))


@function("startswith", 2)
def _startswith(args: list[Value], _: FunctionContext) -> Value:
    return nfc(to_string(args[0])).startswith(nfc(to_string(args[1])))


@function("endswith", 2)
def _endswith(args: list[Value], _: FunctionContext) -> Value:
    return nfc(to_string(args[0])).endswith(nfc(to_string(args[1])))


@function("strcontains", 2)
def _strcontains(args: list[Value], _: FunctionContext) -> Value:
    return nfc(to_string(args[1])) in nfc(to_string(args[0]))


@function("split", 2)
def _split(args: list[Value], _: FunctionContext) -> Value:
    separator, text = to_string(args[0]), to_string(args[1])
    if separator == "":
        # Go splits into UTF-8 sequences (code points); an empty string gives no element
        check_size(len(text))
        return list(text)
    return [nfc(part) for part in text.split(separator)]


@function("join", 2, None)
def _join(args: list[Value], _: FunctionContext) -> Value:
    separator = to_string(args[0])
    items: list[str] = []
    for argument in args[1:]:
        items.extend(strings(argument))
        check_size(len(items))
    result = separator.join(items)
    if len(result) > MAX_RESULT:
        raise EvaluationError("result too large to evaluate")
    return nfc(result)

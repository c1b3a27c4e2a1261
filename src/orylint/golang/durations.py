"""Go duration strings, exactly as Ory Hydra and the Terraform provider see them.

Every ``*_lifespan`` attribute of ``ory_oauth2_client`` is a Go duration string.
Hydra decodes it with Go's ``time.ParseDuration`` while it decodes the request
body, so a value that Go rejects makes ``terraform apply`` fail with HTTP 400.
A linter that is more lenient than Go misses those failures, and one that is
stricter reports values that work. So the parser here is a faithful port of
Go's algorithm, including its quirks: how it rounds long fractions, where it
detects overflow, and even a wrap-around that Go does not catch.

Three views of a duration matter to the rules:

* :func:`parse_go_duration` -- what Hydra accepts, and the value in nanoseconds
  (ORY201 invalid, ORY202 zero, ORY203 negative, ORY205/ORY206 thresholds).
* :func:`go_duration_string` -- Go's ``Duration.String()``, which is what
  Hydra returns in its responses.
* :func:`provider_canonical` -- what the provider writes back into state after
  a read; a configured value that differs from it drifts on every plan
  (ORY204).

Only the standard library is used, so the module can be tested, and reasoned
about, on its own.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Final

__all__ = [
    "HOUR",
    "MAX_DURATION",
    "MICROSECOND",
    "MILLISECOND",
    "MINUTE",
    "MIN_DURATION",
    "NANOSECOND",
    "SECOND",
    "DurationError",
    "go_duration_string",
    "parse_go_duration",
    "provider_canonical",
]

NANOSECOND: Final = 1
MICROSECOND: Final = 1000 * NANOSECOND
MILLISECOND: Final = 1000 * MICROSECOND
SECOND: Final = 1000 * MILLISECOND
MINUTE: Final = 60 * SECOND
HOUR: Final = 60 * MINUTE

#: Go's ``time.Duration`` is an int64 count of nanoseconds.
MAX_DURATION: Final = (1 << 63) - 1
MIN_DURATION: Final = -(1 << 63)

# Go accumulates the magnitude in a uint64 and allows it to reach 2**63 (the
# magnitude of the most negative int64) before it applies the sign.
_MAGNITUDE_LIMIT: Final = 1 << 63
_UINT64_MASK: Final = (1 << 64) - 1

# The unit table of time.ParseDuration. Keys are case-sensitive; both the
# micro sign (U+00B5) and the Greek small letter mu (U+03BC) are accepted.
_GO_UNITS: Final[dict[str, int]] = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "\u00b5s": MICROSECOND,
    "\u03bcs": MICROSECOND,
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}

_DAY: Final = 24 * HOUR
_WEEK: Final = 7 * _DAY
_YEAR: Final = 365 * _DAY  # only used to suggest a replacement, and said so

# Spellings people write instead of Go's units, keyed in lower case. Used to
# explain an unknown unit and to compute a replacement the user can paste.
_DAY_ALIASES: Final = frozenset({"d", "day", "days"})
_WEEK_ALIASES: Final = frozenset({"w", "wk", "wks", "week", "weeks"})
_YEAR_ALIASES: Final = frozenset({"y", "yr", "yrs", "year", "years"})
_MONTH_ALIASES: Final = frozenset({"mo", "mos", "mon", "month", "months"})
_LONG_UNIT_ALIASES: Final[dict[str, str]] = {
    **dict.fromkeys(("nsec", "nsecs", "nanosecond", "nanoseconds"), "ns"),
    **dict.fromkeys(("usec", "usecs", "microsecond", "microseconds"), "us"),
    **dict.fromkeys(("msec", "msecs", "millis", "millisecond", "milliseconds"), "ms"),
    **dict.fromkeys(("sec", "secs", "second", "seconds"), "s"),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), "m"),
    **dict.fromkeys(("hr", "hrs", "hour", "hours"), "h"),
}
_UNIT_NAMES: Final[dict[str, str]] = {
    "ns": "nanoseconds",
    "us": "microseconds",
    "ms": "milliseconds",
    "s": "seconds",
    "m": "minutes",
    "h": "hours",
}
_VALID_UNITS_TEXT: Final = 'valid units are "ns", "us" (or "µs"), "ms", "s", "m" and "h"'
_SEPARATORS: Final = ",;_/&"
_LIMIT_TEXT: Final = "the limit is ±2562047h47m16.854775807s"

# The longest input quoted verbatim in a message; longer values are cut.
_QUOTE_LIMIT: Final = 48


class DurationError(ValueError):
    """A string that Go's ``time.ParseDuration`` rejects.

    ``str(error)`` is a short reason in plain English meant to be shown to the
    user as is: Go's own messages ("time: invalid duration") do not say what
    is wrong, and the common mistakes (days, uppercase units, ISO-8601, a
    bare number of seconds) each have an obvious fix worth spelling out.

    Attributes:
        text: the rejected input.
        suggestion: a valid Go duration with the value the user most likely
            meant (``"24h"`` for ``"1d"``), or ``None`` when there is no
            unambiguous one. It is already in the provider's canonical form
            whenever that form keeps the value exactly, so it does not drift.

    """

    def __init__(self, message: str, text: str = "", suggestion: str | None = None) -> None:
        super().__init__(message)
        self.text = text
        self.suggestion = suggestion


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------


class _Failure(Exception):
    """Where and why the Go algorithm stopped; turned into a message later.

    Go reports almost every failure as "invalid duration". Keeping the reason
    and position apart from the wording lets the same scanner serve both the
    exact parse and the lenient one used to compute suggestions.
    """

    def __init__(self, kind: str, start: int = 0, end: int = 0) -> None:
        super().__init__(kind)
        self.kind = kind
        self.start = start  # start of the offending component
        self.end = end  # end of the offending token (the unit, for units)


def _is_digit(char: str) -> bool:
    # Not str.isdigit(): Go accepts ASCII digits only, while Python's
    # isdigit() is also true for superscripts and other scripts' digits.
    return "0" <= char <= "9"


def _scan_integer(text: str, pos: int, start: int) -> tuple[int, int]:
    """Read ``[0-9]*`` at ``pos``; an overflow past 2**63 is an error here.

    Returns the value and the position after the digits.
    """
    value = 0
    while pos < len(text) and _is_digit(text[pos]):
        if value > _MAGNITUDE_LIMIT // 10:
            raise _Failure("overflow", start)
        value = value * 10 + (ord(text[pos]) - ord("0"))
        if value > _MAGNITUDE_LIMIT:
            raise _Failure("overflow", start)
        pos += 1
    return value, pos


def _scan_fraction(text: str, pos: int) -> tuple[int, float, int]:
    """Read the ``[0-9]*`` after a ".", never failing, as Go does.

    Go keeps the digits while they fit in an int64 (together with a float64
    power of ten as the scale) and then silently ignores the rest, so a long
    fraction loses precision instead of being rejected. Returns the digits
    kept as an integer, the scale and the position after all the digits.
    """
    fraction = 0
    scale = 1.0
    saturated = False
    while pos < len(text) and _is_digit(text[pos]):
        if not saturated:
            # Go needs this first test to avoid uint64 wrap-around in the
            # multiplication; in Python the second test alone would do.
            if fraction > MAX_DURATION // 10:
                saturated = True
            else:
                candidate = fraction * 10 + (ord(text[pos]) - ord("0"))
                if candidate > _MAGNITUDE_LIMIT:
                    saturated = True
                else:
                    fraction = candidate
                    scale *= 10
        pos += 1
    return fraction, scale, pos


def _scan_component(text: str, pos: int, unit_of: Callable[[str], int | None]) -> tuple[int, int]:
    """Read one ``number unit`` component; return its magnitude and the end."""
    start = pos
    if not (text[pos] == "." or _is_digit(text[pos])):
        raise _Failure("bad-start", start, pos + 1)
    whole, pos = _scan_integer(text, pos, start)
    has_digits = pos > start
    fraction = 0
    scale = 1.0
    if pos < len(text) and text[pos] == ".":
        fraction_start = pos + 1
        fraction, scale, pos = _scan_fraction(text, fraction_start)
        has_digits = has_digits or pos > fraction_start
    if not has_digits:  # "." alone, as in ".h"
        raise _Failure("no-digits", start, pos)

    # The unit is the longest run of characters that are neither digits nor
    # ".", so spaces, commas and signs become part of it (and make it fail).
    unit_start = pos
    while pos < len(text) and not (text[pos] == "." or _is_digit(text[pos])):
        pos += 1
    if pos == unit_start:
        raise _Failure("missing-unit", start, unit_start)
    unit = unit_of(text[unit_start:pos])
    if unit is None:
        raise _Failure("unknown-unit", start, pos)

    if whole > _MAGNITUDE_LIMIT // unit:
        raise _Failure("overflow", start)
    value = whole * unit
    if fraction > 0:
        # The same float64 arithmetic as Go, then truncation toward zero, so
        # results agree to the nanosecond: Python floats are IEEE binary64
        # too, and int-to-float conversion rounds to nearest-even in both.
        value += int(float(fraction) * (float(unit) / scale))
        if value > _MAGNITUDE_LIMIT:
            raise _Failure("overflow", start)
    return value, pos


def _scan(text: str, unit_of: Callable[[str], int | None]) -> int:
    """Run Go's ParseDuration algorithm on ``text``; raise :class:`_Failure`.

    ``unit_of`` maps a unit token to its length in nanoseconds, or ``None``
    if unknown: Go's table for the real parse, a forgiving one when we look
    for a suggestion. Go works on UTF-8 bytes; scanning code points instead
    is equivalent because every non-ASCII character is neither a digit nor a
    ".", so it always lands inside a unit token, whole.
    """
    pos = 0
    negative = False
    if text and text[0] in "+-":
        negative = text[0] == "-"
        pos = 1
    rest = text[pos:]
    # A lone zero is the only value allowed without a unit ("00" is not).
    if rest == "0":
        return 0
    if not rest:
        raise _Failure("empty" if not text else "sign-only")

    # Go keeps the running total in a uint64: every intermediate value may
    # reach 2**63 (the magnitude of math.MinInt64) but not exceed it.
    total = 0
    while pos < len(text):
        start = pos
        value, pos = _scan_component(text, pos, unit_of)
        # Go adds in uint64 arithmetic and only checks afterwards, so
        # 2**63 + 2**63 wraps to 0 unnoticed ("9223372036854775808ns" twice
        # parses as 0). Hydra would accept that value, so we do too.
        total = (total + value) & _UINT64_MASK
        if total > _MAGNITUDE_LIMIT:
            raise _Failure("overflow", start)

    if negative:
        return -total
    if total > MAX_DURATION:
        raise _Failure("overflow", 0)
    return total


def parse_go_duration(text: str) -> int:
    """Parse ``text`` exactly as Go's ``time.ParseDuration`` does.

    Returns the duration in nanoseconds (an int64 value). Raises
    :class:`DurationError`, with a readable reason and a suggested fix when
    one is obvious, for every input Go rejects, and for nothing else: Hydra
    runs this very algorithm on each lifespan and answers 400 when it fails.

    Grammar: an optional sign; then either a lone ``0`` or one or more
    components, each a decimal number (``5``, ``5.``, ``.5``, ``5.5``)
    followed by one of the units ``ns``, ``us``, ``µs``, ``μs``, ``ms``,
    ``s``, ``m``, ``h``. Units are case-sensitive and may repeat in any
    order. The sum must fit in int64 nanoseconds; fraction digits beyond
    what Go keeps are dropped without error.
    """
    outcome = _parse_outcome(text)
    if isinstance(outcome, int):
        return outcome
    raise DurationError(*outcome)


@functools.lru_cache(maxsize=4096)
def _parse_outcome(text: str) -> int | tuple[str, str, str | None]:
    """The nanoseconds, or the error's arguments.

    Memoised, because every client of a large configuration tends to repeat the same few
    lifespans, and each rule about lifespans parses them again (a fresh error is raised each
    time, never one shared traceback).
    """
    try:
        return _scan(text, _GO_UNITS.get)
    except _Failure as failure:
        error = _describe(text, failure)
        return str(error), error.text, error.suggestion


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------


def _with_fraction(value: int, digits: int) -> str:
    """``value / 10**digits`` in decimal, without trailing zeros (as Go)."""
    whole, fraction = divmod(value, 10**digits)
    fraction_text = f"{fraction:0{digits}d}".rstrip("0")
    return f"{whole}.{fraction_text}" if fraction_text else str(whole)


def go_duration_string(ns: int) -> str:
    """Format ``ns`` like Go's ``Duration.String()``.

    This is the spelling Hydra returns for every lifespan (``1h0m0s``,
    ``1.5s``, ``300ms``), so it is what a plan or state shows before the
    provider rewrites it, and what the provider falls back to for sub-second
    and negative values. Sub-second values use the largest of ns, µs (U+00B5)
    and ms that keeps the number at least 1; anything longer is written in
    h, m and s, where minutes and hours appear only when non-zero but always
    keep the smaller units (``1h0m0s``).

    Raises ValueError if ``ns`` does not fit in an int64, because no Go
    ``Duration`` has that value.
    """
    if not MIN_DURATION <= ns <= MAX_DURATION:
        raise ValueError(f"{ns} does not fit in an int64 Go duration")
    sign = "-" if ns < 0 else ""
    magnitude = abs(ns)
    if magnitude == 0:
        return "0s"
    if magnitude < MICROSECOND:
        body = f"{magnitude}ns"
    elif magnitude < MILLISECOND:
        body = _with_fraction(magnitude, 3) + "\u00b5s"
    elif magnitude < SECOND:
        body = _with_fraction(magnitude, 6) + "ms"
    else:
        minutes, rest = divmod(magnitude, MINUTE)
        body = _with_fraction(rest, 9) + "s"
        if minutes:
            hours, minutes = divmod(minutes, 60)
            body = f"{minutes}m{body}"
            if hours:
                body = f"{hours}h{body}"
    return sign + body


def _truncating_divmod(value: int, unit: int) -> tuple[int, int]:
    # Go's integer division truncates toward zero; Python's // floors.
    quotient = abs(value) // unit
    if value < 0:
        quotient = -quotient
    return quotient, value - quotient * unit


def _canonical_from_ns(ns: int) -> str:
    """Spell a parsed duration as the provider does (rules.md §5.3)."""
    if ns == 0:
        return "0s"
    hours, rest = _truncating_divmod(ns, HOUR)
    minutes, rest = _truncating_divmod(rest, MINUTE)
    seconds, _ = _truncating_divmod(rest, SECOND)
    parts = [f"{hours}h" if hours > 0 else "", f"{minutes}m" if minutes > 0 else ""]
    parts.append(f"{seconds}s" if seconds > 0 else "")
    return "".join(parts) or go_duration_string(ns)


def provider_canonical(text: str) -> str:
    """Predict what the Terraform provider stores in state for ``text``.

    After every read the provider rewrites Hydra's ``Duration.String()`` into
    ``<h>h<m>m<s>s`` with zero parts left out (``1h0m0s`` becomes ``1h``).
    Terraform compares that with the configuration, so any other spelling of
    the same value (``60m``, ``3600s``, ``1.5h``) shows a change on every
    plan. Sub-second remainders are truncated (``1500ms`` becomes ``1s``, so
    the state even misreports the value). Values with no positive h, m or s
    part (sub-second or negative) keep Go's spelling, ``0`` becomes ``0s``,
    and input Go cannot parse is returned unchanged, as the provider does.
    """
    try:
        ns = parse_go_duration(text)
    except DurationError:
        return text
    return _canonical_from_ns(ns)


# --------------------------------------------------------------------------
# Error messages and suggestions
# --------------------------------------------------------------------------


def _quote(text: str) -> str:
    """Double-quote ``text`` for a message, escaping control characters."""
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1] + "…"
    return json.dumps(text, ensure_ascii=False)


def _lenient_unit(token: str) -> int | None:
    """Look up a unit, also understanding the usual non-Go spellings."""
    lowered = token.lower()
    canonical = _LONG_UNIT_ALIASES.get(lowered, lowered)
    if canonical in _GO_UNITS:
        return _GO_UNITS[canonical]
    if lowered in _DAY_ALIASES:
        return _DAY
    if lowered in _WEEK_ALIASES:
        return _WEEK
    if lowered in _YEAR_ALIASES:
        return _YEAR
    return None


def _render_suggestion(ns: int) -> str | None:
    """Spell ``ns`` so that it parses back to ``ns`` and, ideally, no drift."""
    if not MIN_DURATION <= ns <= MAX_DURATION:
        return None
    canonical = _canonical_from_ns(ns)
    # The canonical form truncates fractions of a second; never suggest a
    # spelling that changes the value.
    if _scan(canonical, _GO_UNITS.get) == ns:
        return canonical
    return go_duration_string(ns)


def _lenient_suggestion(text: str) -> str | None:
    """Return a Go duration for what ``text`` plausibly means, if unambiguous."""
    compact = "".join(char for char in text if not char.isspace())
    try:
        return _render_suggestion(_scan(compact, _lenient_unit))
    except _Failure:
        return None


_ISO_8601 = re.compile(
    r"(?P<sign>[+-]?)P"
    r"(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?",
    re.IGNORECASE | re.ASCII,
)


def _iso_suggestion(text: str) -> str | None:
    """Convert a simple ISO-8601 duration; years and months are ambiguous."""
    match = _ISO_8601.fullmatch(text)
    if match is None or match["years"] or match["months"]:
        return None
    if not any(match[name] for name in ("weeks", "days", "hours", "minutes", "seconds")):
        return None
    ns = (
        int(match["weeks"] or 0) * _WEEK
        + int(match["days"] or 0) * _DAY
        + int(match["hours"] or 0) * HOUR
        + int(match["minutes"] or 0) * MINUTE
        + int(Decimal((match["seconds"] or "0").replace(",", ".")) * SECOND)
    )
    return _render_suggestion(-ns if match["sign"] == "-" else ns)


_EXPONENT = re.compile(
    r"(?P<sign>[+-]?)(?P<mantissa>\d+\.?\d*|\.\d+)[eE](?P<exponent>[+-]?\d{1,3})"
    r"(?P<unit>ns|us|\u00b5s|\u03bcs|ms|s|m|h)",
    re.ASCII,
)


def _exponent_suggestion(text: str) -> str | None:
    """Write out ``1e3s`` as a plain duration (``16m40s``)."""
    match = _EXPONENT.fullmatch(text)
    if match is None:
        return None
    try:
        scaled = Decimal(match["mantissa"]).scaleb(int(match["exponent"]))
        ns = int(scaled * _GO_UNITS[match["unit"]])
    except (InvalidOperation, OverflowError):  # pragma: no cover - defensive
        return None
    if ns == 0:
        return None
    return _render_suggestion(-ns if match["sign"] == "-" else ns)


def _explain_unit(unit: str, text: str, unit_end: int) -> tuple[str, str | None, str]:
    """Say why ``unit`` (found in ``text``) is not a Go unit, and what to write.

    Returns a few words of explanation, a suggested replacement for the
    whole value (or ``None``), and a note to print after the suggestion.
    """
    lowered = unit.lower()
    if unit == "M":
        # Minutes or months? Too ambiguous to suggest anything.
        return 'units are case-sensitive: "m" is minutes, and there is no month unit', None, ""
    if lowered in _MONTH_ALIASES:
        return "Go durations have no month unit, and months differ in length", None, ""
    if lowered in {"e", "e+", "e-"} and _is_digit(text[unit_end : unit_end + 1]):
        return "exponents are not supported", _exponent_suggestion(text), ""
    if lowered in _GO_UNITS:
        explanation, note = "units are case-sensitive", ""
    elif lowered in _DAY_ALIASES:
        explanation, note = "Go durations have no day unit", ""
    elif lowered in _WEEK_ALIASES:
        explanation, note = "Go durations have no week unit", ""
    elif lowered in _YEAR_ALIASES:
        explanation, note = "Go durations have no year unit", " for 365 days"
    elif lowered in _LONG_UNIT_ALIASES:
        short = _LONG_UNIT_ALIASES[lowered]
        explanation, note = f'Go writes {_UNIT_NAMES[short]} as "{short}"', ""
    elif any(char in "+-" for char in unit):
        return "a sign is only allowed at the start of the value", None, ""
    elif any(char in _SEPARATORS for char in unit):
        compact = "".join(char for char in text if char not in _SEPARATORS)
        explanation = "components are written together, with no separator"
        return explanation, _lenient_suggestion(compact), ""
    else:
        return _VALID_UNITS_TEXT, None, ""
    return explanation, _lenient_suggestion(text), note


def _with_suggestion(reason: str, suggestion: str | None) -> str:
    return f"{reason}: use {_quote(suggestion)}" if suggestion is not None else reason


def _describe(text: str, failure: _Failure) -> DurationError:
    """Turn a scan failure into a :class:`DurationError` a person can act on."""
    quoted = _quote(text)
    body = text[1:] if text[:1] in ("+", "-") else text

    if failure.kind == "empty":
        return DurationError("empty duration", text)
    if failure.kind == "sign-only":
        return DurationError(f"missing duration after the sign in {quoted}", text)
    if not text.strip():
        return DurationError(f"blank duration {quoted} (whitespace is not allowed)", text)
    if any(char.isspace() for char in text):
        compact = "".join(char for char in text if not char.isspace())
        try:
            suggestion = _render_suggestion(_scan(compact, _GO_UNITS.get))
        except _Failure as inner_failure:
            # Something else is wrong too: report that as well.
            inner = _describe(compact, inner_failure)
            message = f"whitespace is not allowed in {quoted}, and {inner}"
            return DurationError(message, text, inner.suggestion)
        message = _with_suggestion(f"whitespace is not allowed in {quoted}", suggestion)
        return DurationError(message, text, suggestion)
    if body[:1] in ("P", "p") and failure.kind in ("bad-start", "unknown-unit"):
        suggestion = _iso_suggestion(text)
        reason = f"ISO-8601 durations like {quoted} are not supported"
        if suggestion is None:
            reason += ' (write hours, minutes and seconds, like "1h30m")'
        return DurationError(_with_suggestion(reason, suggestion), text, suggestion)

    if failure.kind == "overflow":
        return DurationError(f"duration {quoted} overflows int64 nanoseconds ({_LIMIT_TEXT})", text)
    if failure.kind == "no-digits":
        token = _quote(text[failure.start : failure.end])
        return DurationError(f"number {token} has no digits in {quoted}", text)
    if failure.kind == "missing-unit":
        number = text[failure.start : failure.end]
        if number == body:
            # A bare number: almost always meant as seconds.
            suggestion = _lenient_suggestion(f"{text}s")
            hint = 'only "0" may omit the unit'
            if suggestion is not None:
                hint += f"; for seconds use {_quote(suggestion)}"
            return DurationError(f"missing unit in {quoted} ({hint})", text, suggestion)
        return DurationError(f"missing unit after {_quote(number)} in {quoted}", text)
    if failure.kind == "bad-start":
        char = text[failure.start]
        if char in "+-":
            return DurationError(f"only one leading sign is allowed in {quoted}", text)
        return DurationError(
            f'{quoted} must start with a number followed by a unit, like "30m"', text
        )

    # unknown-unit
    unit_start = failure.start
    while unit_start < failure.end and (text[unit_start] == "." or _is_digit(text[unit_start])):
        unit_start += 1
    unit = text[unit_start : failure.end]
    explanation, suggestion, note = _explain_unit(unit, text, failure.end)
    hint = _with_suggestion(explanation, suggestion) + (note if suggestion else "")
    message = f"unknown unit {_quote(unit)} in {quoted} ({hint})"
    return DurationError(message, text, suggestion)

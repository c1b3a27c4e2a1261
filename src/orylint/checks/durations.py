"""ORY201-ORY206: the 13 ``*_lifespan`` attributes are Go durations Hydra parses at apply.

The provider validates nothing, so a day unit (``1d``) fails only as a Hydra 400 in the middle of
``terraform apply``; a valid but non-canonical spelling (``90m``) drifts on every plan because the
provider reads back its own canonical form. See ``orylint.golang.durations`` for the exact grammar.
"""

from __future__ import annotations

from collections.abc import Iterator

from orylint.engine import fixes
from orylint.engine.findings import Violation
from orylint.engine.registry import client_rule
from orylint.golang.durations import SECOND, DurationError, parse_go_duration, provider_canonical
from orylint.model import effective
from orylint.model.effective import LIFESPAN_ATTRIBUTES, LIFESPAN_USES, show
from orylint.model.project import Client
from orylint.model.settings import Settings
from orylint.terraform.values import Attribute


def _lifespans(client: Client) -> Iterator[tuple[Attribute, str]]:
    """Each lifespan attribute with a known value, as the string the provider sends."""
    for name in LIFESPAN_ATTRIBUTES:
        attribute = client.attr(name)
        value = client.string(name)
        if attribute is not None and value is not None:
            yield attribute, value


def _parsed(client: Client) -> Iterator[tuple[Attribute, str, int]]:
    """Each lifespan that Go can parse, with its value in nanoseconds."""
    for attribute, value in _lifespans(client):
        try:
            yield attribute, value, parse_go_duration(value)
        except DurationError:
            continue


@client_rule("ORY201")
def lifespan_not_go_duration(client: Client, settings: Settings) -> Iterator[Violation]:
    """A lifespan that Go's ``time.ParseDuration`` rejects makes Hydra answer 400."""
    del settings
    for attribute, value in _lifespans(client):
        try:
            parse_go_duration(value)
        except DurationError as error:
            # The reason quotes the value, so a sensitive one keeps only the verdict.
            reason = "the details are not shown because the value is sensitive"
            yield Violation(
                f"`{attribute.name}` = {_shown(attribute, value)} is not a Go "
                f"duration: {reason if attribute.sensitive else error}; "
                "Hydra rejects the client at apply",
                attribute.value_span,
                attribute.name,
            )


@client_rule("ORY202")
def lifespan_zero(client: Client, settings: Settings) -> Iterator[Violation]:
    """A zero lifespan is accepted, and every token expires the moment it is issued."""
    del settings
    for attribute, value, nanoseconds in _parsed(client):
        if nanoseconds == 0:
            yield Violation(
                f"`{attribute.name}` = {_shown(attribute, value)} is zero: tokens expire when "
                "issued; omit the attribute to use the project default",
                attribute.value_span,
                attribute.name,
            )


@client_rule("ORY203")
def lifespan_negative(client: Client, settings: Settings) -> Iterator[Violation]:
    """Negative lifespans: expired access/ID tokens, or refresh tokens that never expire.

    An expired access or ID token is a client that certainly cannot work (error). A refresh
    token that never expires still works, so that case is a warning: Hydra accepts the value and
    nothing fails, but the token stays usable until it is rotated or revoked.
    """
    del settings
    for attribute, value, nanoseconds in _parsed(client):
        if nanoseconds >= 0:
            continue
        refresh = LIFESPAN_USES[attribute.name].token == "refresh"
        if refresh:
            effect = (
                "Hydra accepts it, but refresh tokens then never expire and stay usable until "
                "they are rotated or revoked"
            )
        else:
            effect = "tokens are already expired when issued"
        yield Violation(
            f"`{attribute.name}` = {_shown(attribute, value)} is negative: {effect}; use a "
            'positive duration such as "1h"',
            attribute.value_span,
            attribute.name,
            severity="warning" if refresh else None,
        )


@client_rule("ORY204")
def lifespan_not_canonical(client: Client, settings: Settings) -> Iterator[Violation]:
    """A spelling that differs from what the provider reads back shows a diff on every plan.

    A negative value is ORY203's: rewriting it into its canonical form would recommend a value
    that rule calls wrong, so this rule stays silent on it (one problem, one finding).
    """
    del settings
    for attribute, value, nanoseconds in _parsed(client):
        if nanoseconds < 0:
            continue  # ORY203
        canonical = provider_canonical(value)
        if canonical != value:
            written = _shown(attribute, canonical)
            yield Violation(
                f"`{attribute.name}` = {_shown(attribute, value)} is read back as "
                f"{written}, so every plan shows a change; write {written}",
                attribute.value_span,
                attribute.name,
                fix=fixes.replace_value(client, attribute, canonical, f"write {written}"),
            )


@client_rule("ORY205")
def lifespan_too_long(client: Client, settings: Settings) -> Iterator[Violation]:
    """Long-lived tokens widen the window in which a leaked token is useful."""
    for attribute, value, nanoseconds in _parsed(client):
        excess = effective.lifespan_excess(attribute.name, nanoseconds, settings)
        if excess is None:
            continue
        severity, limit = excess
        yield Violation(
            f"`{attribute.name}` = {_shown(attribute, value)} is longer than {limit}: a leaked "
            "token stays usable that long; prefer shorter tokens (Hydra's defaults: 1h access "
            "and ID, 720h refresh)",
            attribute.value_span,
            attribute.name,
            severity=severity,
        )


@client_rule("ORY206")
def lifespan_sub_second(client: Client, settings: Settings) -> Iterator[Violation]:
    """Below one second, ``expires_in`` rounds to 0 and the token is unusable."""
    del settings
    for attribute, value, nanoseconds in _parsed(client):
        if 0 < nanoseconds < SECOND:
            yield Violation(
                f"`{attribute.name}` = {_shown(attribute, value)} is shorter than one second: "
                '`expires_in` is reported as 0 and the token is unusable; use at least "1s"',
                attribute.value_span,
                attribute.name,
            )


def _shown(attribute: Attribute, value: str) -> str:
    """A lifespan (or its rewrite) quoted for a message, hidden when sensitive."""
    return show(value, sensitive=attribute.sensitive)

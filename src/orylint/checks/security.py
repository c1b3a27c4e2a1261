"""ORY901: implicit flow and tokens in the front channel (RFC 9700 §2.1.2)."""

from __future__ import annotations

from collections.abc import Iterator

from orylint.effective import IMPLICIT
from orylint.findings import Violation
from orylint.model import Client
from orylint.registry import client_rule
from orylint.settings import Settings


@client_rule("ORY901")
def implicit_flow(client: Client, settings: Settings) -> Iterator[Violation]:
    """The implicit grant and ``token`` response types put access tokens in the URL."""
    del settings
    for element, grant in client.known_elements("grant_types"):
        if grant == IMPLICIT:
            yield Violation(
                'the "implicit" grant is deprecated (RFC 9700 §2.1.2: access tokens in the '
                "front channel leak); use authorization_code with PKCE",
                element.span,
                f"grant_types[{element.index}]",
            )
    for element, entry in client.known_elements("response_types"):
        if "token" in entry.split():
            yield Violation(
                f'response type "{entry}" returns an access token from the authorization '
                'endpoint (RFC 9700 §2.1.2); use "code" with PKCE',
                element.span,
                f"response_types[{element.index}]",
            )

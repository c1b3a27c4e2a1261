"""ORY407-ORY409, ORY803: logout URIs and the flags that go with them.

Hydra enforces an origin rule on post-logout redirect URIs that no spec asks for (HARD), and none
of the origin rule that Front-Channel Logout does ask for; the session flags are described as
switches but Hydra always sends ``sid``.
"""

from __future__ import annotations

from collections.abc import Iterator

from orylint.engine.findings import Violation
from orylint.engine.registry import client_rule
from orylint.golang.urls import URLError, parse, parse_request_uri
from orylint.model import effective
from orylint.model.effective import REDIRECT_GRANTS, is_sensitive, show
from orylint.model.hosts import browser_origin, is_loopback_host, same_origin_hydra
from orylint.model.project import Client
from orylint.model.settings import Settings
from orylint.terraform.values import Span


@client_rule("ORY407")
def post_logout_origin_mismatch(client: Client, settings: Settings) -> Iterator[Violation]:
    """Hydra: a post-logout URI must share scheme, host and port (as strings) with a redirect."""
    del settings
    redirects = effective.redirect_urls(client)
    sensitive = is_sensitive(client, "post_logout_redirect_uris")
    for element, uri in client.known_elements("post_logout_redirect_uris"):
        where = f"post_logout_redirect_uris[{element.index}]"
        shown = show(uri, sensitive=sensitive)
        try:
            url = parse_request_uri(uri)
        except URLError as error:
            reason = "details not shown: the value is sensitive" if sensitive else str(error)
            yield Violation(
                f"post-logout redirect URI {shown} does not parse ({reason}): Hydra rejects "
                "the client",
                element.span,
                where,
            )
            continue
        if redirects is None:
            continue
        if not redirects:
            yield Violation(
                f"post-logout redirect URI {shown} needs a redirect URI with the same scheme, "
                f"host and port, and {client.address} has no redirect_uris: Hydra rejects the "
                "client",
                element.span,
                where,
            )
        elif not any(same_origin_hydra(url, redirect) for redirect in redirects):
            yield Violation(
                f"post-logout redirect URI {shown} shares scheme, host and port with no "
                "redirect URI (compared as written: `:443`, host case and loopback ports "
                "count): Hydra rejects the client",
                element.span,
                where,
            )


@client_rule("ORY408")
def frontchannel_logout_origin_mismatch(client: Client, settings: Settings) -> Iterator[Violation]:
    """Front-Channel Logout 1.0 §2: the URI must share scheme, host and port with a redirect.

    Only clients that log users in through a browser redirect (authorization_code, implicit) are
    judged: on a client_credentials or jwt-bearer client the setting is dead, which ORY802
    reports, and a device-flow app has no redirect URI whose origin the iframe could share.
    """
    del settings
    if not REDIRECT_GRANTS & effective.certain_grants(client):
        return
    uri = client.string("frontchannel_logout_uri")
    attribute = client.attr("frontchannel_logout_uri")
    redirects = effective.redirect_urls(client)
    if uri is None or attribute is None or redirects is None or not uri:
        return
    try:
        url = parse_request_uri(uri)
    except URLError:
        return  # ORY409 reports URIs that do not parse
    if any(browser_origin(url) == browser_origin(redirect) for redirect in redirects):
        return
    reason = "no redirect URI" if not redirects else "a different origin than every redirect URI"
    yield Violation(
        f"frontchannel_logout_uri {show(uri, sensitive=attribute.sensitive)} has {reason}; "
        "OIDC Front-Channel Logout requires the same scheme, host and port, or the logout "
        "iframe cannot clear the session",
        attribute.value_span,
        "frontchannel_logout_uri",
    )


@client_rule("ORY409")
def logout_uri_form(client: Client, settings: Settings) -> Iterator[Violation]:
    """Logout URIs must be absolute without fragment and should use https.

    ``post_logout_redirect_uris`` are not judged here: Hydra requires each to share scheme, host
    and port with a redirect URI (ORY407), so a plain-http one to a public host always comes with
    an http redirect URI that ORY403 reports, or with ORY407's rejection.
    """
    del settings
    public = effective.is_public(client) is True
    for name in ("frontchannel_logout_uri", "backchannel_logout_uri"):
        uri = client.string(name)
        attribute = client.attr(name)
        if uri is None or attribute is None:
            continue
        yield from _check_logout_uri(name, uri, attribute.sensitive, attribute.value_span, public)


def _check_logout_uri(
    kind: str, uri: str, sensitive: bool, span: Span, public: bool
) -> Iterator[Violation]:
    shown = show(uri, sensitive=sensitive)
    try:
        url = parse(uri)
    except URLError as error:
        # Go's reason quotes part of the URI, so a sensitive URI hides it too.
        reason = "details not shown: the value is sensitive" if sensitive else str(error)
        yield Violation(f"{kind} {shown} is not a valid URI ({reason})", span, kind)
        return
    if not url.is_abs() or url.opaque or not url.host:
        yield Violation(
            f"{kind} {shown} must be an absolute https URI (OIDC logout specs); Ory calls it "
            "as given",
            span,
            kind,
        )
        return
    if "#" in uri:
        yield Violation(
            f"{kind} {shown} must not contain a fragment: Ory appends `iss` and `sid` query "
            "parameters and the OIDC logout specs forbid fragments",
            span,
            kind,
        )
    if url.scheme == "http" and not is_loopback_host(url.hostname()):
        if kind == "frontchannel_logout_uri":
            failure = (
                "browsers block an http iframe on Ory's https logout page, so the logout never "
                "reaches the app, and the session id would travel unencrypted"
            )
        else:
            failure = "logout tokens travel unencrypted and can be read or replayed on the way"
        stronger = (
            " This is a public client, so nothing else protects the logout flow." if public else ""
        )
        yield Violation(
            f"{kind} {shown} uses plain http to a non-loopback host: {failure}; use "
            f"https.{stronger}",
            span,
            kind,
        )


@client_rule("ORY803")
def logout_session_flag_without_effect(client: Client, settings: Settings) -> Iterator[Violation]:
    """A session flag without its logout URI does nothing; ``false`` does nothing either."""
    del settings
    for channel in ("frontchannel", "backchannel"):
        flag_name = f"{channel}_logout_session_required"
        flag = client.boolean(flag_name)
        attribute = client.attr(flag_name)
        if flag is None or attribute is None:
            continue
        uri_name = f"{channel}_logout_uri"
        if not client.is_set(uri_name):
            yield Violation(
                f"`{flag_name}` has no effect without `{uri_name}`; remove it or set the URI",
                attribute.span,
                flag_name,
            )
        elif flag is False:
            yield Violation(
                f"`{flag_name} = false` has no effect: Ory always sends `sid` in "
                f"{channel} logout notifications; remove it",
                attribute.value_span,
                flag_name,
            )

"""Offline mock of the ``ory/ory`` Terraform provider, for orylint's plan fixtures.

It declares the ``ory_oauth2_client`` resource (and data source) schema of the
later ory/terraform-provider-ory, and its ``ory_oidc_dynamic_client``, and
imitates what terraform-plugin-framework does at plan time, so that
``terraform plan`` / ``terraform show -json`` produce the same shapes as the
real provider would:

* Optional+Computed attributes left unset are *unknown* in a create plan, and
  in an update plan whenever the resource has changes (MarkComputedNilsAsUnknown);
* ``id``, ``client_id``, ``client_secret`` and ``scope`` keep their state
  value on update (UseStateForUnknown);
* ``client_id`` forces replacement when it changes (RequiresReplace);
* ``token_endpoint_auth_method`` defaults to ``client_secret_post``;
* ``client_secret`` and ``jwks``/``project_api_key`` are sensitive;
* Read normalises the 13 ``*_lifespan`` values like the real provider does,
  so a non-canonical duration such as ``90m`` drifts after a refresh.

Nothing talks to a network.  Create returns a deterministic client id (uuid5
of the client name) and a recognisable fake secret,
``ORYLINT-TEST-SECRET-<slug of client_name>-do-not-leak`` (``""`` for public
``none`` clients), so tests can assert that orylint never echoes it.

Needs the PyPI package ``tf`` (tested with 1.2.0).  Run through the
``terraform-provider-ory`` wrapper next to this file.
"""

from __future__ import annotations

import re
import threading
import uuid
from typing import Any

from tf import provider as tf_provider
from tf.iface import (
    Config,
    CreateContext,
    DataSource,
    DeleteContext,
    ImportContext,
    PlanContext,
    Provider,
    ReadContext,
    ReadDataContext,
    Resource,
    State,
    UpdateContext,
)
from tf.runner import run_provider
from tf.schema import Attribute, Schema
from tf.types import Bool, List, Number, String, Unknown
from tf.utils import Diagnostics, read_dynamic_value

FULL_NAME = "registry.terraform.io/ory/ory"
ID_NAMESPACE = uuid.UUID("6f7279ab-11e7-4c1a-9b5e-0000000000a1")  # arbitrary, fixed

LIFESPANS = [
    "authorization_code_grant_access_token_lifespan",
    "authorization_code_grant_id_token_lifespan",
    "authorization_code_grant_refresh_token_lifespan",
    "client_credentials_grant_access_token_lifespan",
    "device_authorization_grant_access_token_lifespan",
    "device_authorization_grant_id_token_lifespan",
    "device_authorization_grant_refresh_token_lifespan",
    "implicit_grant_access_token_lifespan",
    "implicit_grant_id_token_lifespan",
    "jwt_bearer_grant_access_token_lifespan",
    "refresh_token_grant_access_token_lifespan",
    "refresh_token_grant_id_token_lifespan",
    "refresh_token_grant_refresh_token_lifespan",
]

STRING_LISTS = [
    "allowed_cors_origins",
    "audience",
    "contacts",
    "grant_types",
    "post_logout_redirect_uris",
    "redirect_uris",
    "response_types",
]

PLAIN_STRINGS = [
    *LIFESPANS,
    "access_token_strategy",
    "backchannel_logout_uri",
    "client_uri",
    "frontchannel_logout_uri",
    "jwks_uri",
    "logo_uri",
    "metadata",
    "policy_uri",
    "project_slug",
    "request_object_signing_alg",
    "tos_uri",
    "userinfo_signed_response_alg",
]

# Attributes with UseStateForUnknown in the real provider.
USE_STATE_FOR_UNKNOWN = ("id", "client_id", "client_secret", "scope")

# What the (mock) API fills in for Optional+Computed attributes left unset.
API_DEFAULTS: dict[str, Any] = {
    "scope": "offline_access offline openid",  # Hydra's default_scope
    "skip_consent": False,
    "skip_logout_consent": False,
    "subject_type": "public",
    "frontchannel_logout_session_required": False,
    "backchannel_logout_session_required": False,
}


def _client_schema() -> Schema:
    attrs = [
        Attribute(
            "id", String(), computed=True, description="Internal Terraform ID (same as client_id)."
        ),
        Attribute(
            "client_id",
            String(),
            optional=True,
            computed=True,
            requires_replace=True,
            description="The OAuth2 client ID. Changing it forces a new client.",
        ),
        Attribute(
            "client_secret",
            String(),
            computed=True,
            sensitive=True,
            description="The OAuth2 client secret. Only returned on creation.",
        ),
        Attribute(
            "client_name",
            String(),
            required=True,
            description="Human-readable name for the client.",
        ),
        Attribute(
            "scope",
            String(),
            optional=True,
            computed=True,
            description="Space-separated OAuth2 scopes.",
        ),
        Attribute(
            "token_endpoint_auth_method",
            String(),
            optional=True,
            computed=True,
            default="client_secret_post",
            description="Token endpoint authentication method.",
        ),
        Attribute("skip_consent", Bool(), optional=True, computed=True),
        Attribute("skip_logout_consent", Bool(), optional=True, computed=True),
        Attribute("subject_type", String(), optional=True, computed=True),
        Attribute("frontchannel_logout_session_required", Bool(), optional=True, computed=True),
        Attribute("backchannel_logout_session_required", Bool(), optional=True, computed=True),
        Attribute(
            "jwks", String(), optional=True, sensitive=True, description="Inline JSON Web Key Set."
        ),
        Attribute("project_api_key", String(), optional=True, sensitive=True),
    ]
    attrs += [Attribute(name, List(String()), optional=True) for name in STRING_LISTS]
    attrs += [Attribute(name, String(), optional=True) for name in PLAIN_STRINGS]
    attrs.sort(key=lambda a: a.name)
    return Schema(version=0, attributes=attrs, description="Manages an Ory Network OAuth2 client.")


CLIENT_SCHEMA = _client_schema()
CLIENT_ATTRS = {a.name: a for a in CLIENT_SCHEMA.attributes}

DATA_SCHEMA = Schema(
    version=0,
    attributes=[
        Attribute("id", String(), required=True, description="The OAuth2 client ID to look up."),
        Attribute("client_name", String(), computed=True),
        Attribute("grant_types", List(String()), computed=True),
        Attribute("response_types", List(String()), computed=True),
        Attribute("scope", String(), computed=True),
        Attribute("redirect_uris", List(String()), computed=True),
        Attribute("token_endpoint_auth_method", String(), computed=True),
        Attribute("audience", List(String()), computed=True),
    ],
)

PROVIDER_SCHEMA = Schema(
    attributes=[
        Attribute("workspace_api_key", String(), optional=True, sensitive=True),
        Attribute("project_api_key", String(), optional=True, sensitive=True),
        Attribute("project_id", String(), optional=True),
        Attribute("project_slug", String(), optional=True),
        Attribute("workspace_id", String(), optional=True),
        Attribute("allowed_project_ids", List(String()), optional=True),
        Attribute("console_api_url", String(), optional=True),
        Attribute("project_api_url", String(), optional=True),
        Attribute("max_retries", Number(), optional=True),
    ]
)


# --------------------------------------------------------------------------- #
# Go duration handling (for the refresh-time normalisation of lifespans)
# --------------------------------------------------------------------------- #

_UNIT_NS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # micro sign
    "\u03bcs": 1_000,  # greek mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3600 * 1_000_000_000,
}
_COMPONENT = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")


def parse_go_duration(text: str) -> int | None:
    """Go's time.ParseDuration, in nanoseconds; None when invalid."""
    s = text
    neg = False
    if s[:1] in ("+", "-"):
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        return None
    total = 0
    pos = 0
    while pos < len(s):
        m = _COMPONENT.match(s, pos)
        if not m or m.group(1) in ("", "."):
            return None
        number, unit = m.group(1), m.group(2)
        whole, _, frac = number.partition(".")
        scale = _UNIT_NS[unit]
        total += int(whole or "0") * scale
        if frac:
            total += int(frac) * scale // (10 ** len(frac))
        pos = m.end()
    return -total if neg else total


def go_duration_string(ns: int) -> str:
    """Go's time.Duration.String()."""
    if ns == 0:
        return "0s"
    neg = ns < 0
    u = -ns if neg else ns

    def frac(v: int, digits: int) -> tuple[str, int]:
        out = ""
        printed = False
        for _ in range(digits):
            d = v % 10
            printed = printed or d != 0
            if printed:
                out = str(d) + out
            v //= 10
        return (("." + out) if printed else ""), v

    if u < 1_000_000_000:
        if u < 1_000:
            body = f"{u}ns"
        elif u < 1_000_000:
            f, w = frac(u, 3)
            body = f"{w}{f}\u00b5s"
        else:
            f, w = frac(u, 6)
            body = f"{w}{f}ms"
    else:
        f, w = frac(u, 9)
        secs = w % 60
        mins_total = w // 60
        body = f"{secs}{f}s"
        if mins_total > 0:
            body = f"{mins_total % 60}m" + body
            hours = mins_total // 60
            if hours > 0:
                body = f"{hours}h" + body
    return ("-" if neg else "") + body


def normalize_duration(text: str) -> str:
    """The provider's normalizeDuration: canonical h/m/s form, invalid kept verbatim."""
    ns = parse_go_duration(text)
    if ns is None:
        return text
    if ns == 0:
        return "0s"
    hour, minute, second = 3600 * 10**9, 60 * 10**9, 10**9

    def trunc_div(a: int, b: int) -> int:
        q = abs(a) // b
        return -q if a < 0 else q

    h = trunc_div(ns, hour)
    rest = ns - h * hour
    m = trunc_div(rest, minute)
    rest -= m * minute
    s = trunc_div(rest, second)
    out = (f"{h}h" if h > 0 else "") + (f"{m}m" if m > 0 else "") + (f"{s}s" if s > 0 else "")
    return out or go_duration_string(ns)


# --------------------------------------------------------------------------- #
# Resource
# --------------------------------------------------------------------------- #

_plan_config = threading.local()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "client"


def fake_client_id(client_name: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, client_name))


def fake_secret(client_name: str, auth_method: Any) -> str:
    if auth_method == "none":
        return ""
    return f"ORYLINT-TEST-SECRET-{_slug(client_name)}-do-not-leak"


def _fill_api_defaults(state: State) -> None:
    for name, value in API_DEFAULTS.items():
        if state.get(name) is Unknown:
            state[name] = value


class OAuth2Client(Resource):
    def __init__(self, provider: Provider):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "oauth2_client"

    @classmethod
    def get_schema(cls) -> Schema:
        return CLIENT_SCHEMA

    def validate(self, diags: Diagnostics, type_name: str, config: Config):
        super().validate(diags, type_name, config)
        jwks, jwks_uri = config.get("jwks"), config.get("jwks_uri")
        if jwks is not None and jwks_uri is not None:
            diags.add_error(
                "Invalid Attribute Combination",
                'Attribute "jwks_uri" cannot be specified when "jwks" is specified',
                path=["jwks"],
            )

    def plan(self, ctx: PlanContext, current: State | None, planned: State) -> State | None:
        """Update plans only (tf plans creates itself): mimic terraform-plugin-framework."""
        config: dict = getattr(_plan_config, "value", None) or {}
        if current is None:
            return planned

        def config_null(name: str) -> bool:
            return config.get(name) is None

        # 1. Defaults for attributes that are null in config.
        for name, attr in CLIENT_ATTRS.items():
            if attr.default is not Unknown and config_null(name):
                planned[name] = attr.default

        # 2. Resource has changes: computed attributes null in config become unknown.
        if planned != current:
            for name, attr in CLIENT_ATTRS.items():
                if attr.computed and attr.default is Unknown and config_null(name):
                    planned[name] = Unknown

        # 3. UseStateForUnknown.
        for name in USE_STATE_FOR_UNKNOWN:
            if (
                planned.get(name) is Unknown
                and config.get(name) is not Unknown
                and current.get(name) is not None
            ):
                planned[name] = current[name]
        return planned

    def create(self, ctx: CreateContext, planned: State) -> State | None:
        state = dict(planned)
        name = state["client_name"]
        if state.get("client_id") in (None, Unknown):
            state["client_id"] = fake_client_id(name)
        state["id"] = state["client_id"]
        state["client_secret"] = fake_secret(name, state.get("token_endpoint_auth_method"))
        _fill_api_defaults(state)
        return state

    def read(self, ctx: ReadContext, current: State) -> State | None:
        state = dict(current)
        for name in LIFESPANS:
            value = state.get(name)
            if isinstance(value, str) and value:
                state[name] = normalize_duration(value)
        return state

    def update(self, ctx: UpdateContext, current: State, planned: State) -> State | None:
        state = dict(planned)
        for name in ("id", "client_id", "client_secret"):
            if state.get(name) is Unknown:
                state[name] = current.get(name)
        _fill_api_defaults(state)
        return state

    def delete(self, ctx: DeleteContext, current: State):
        return None

    def import_(self, ctx: ImportContext, id: str) -> State | None:
        # What the mock "API" holds for an existing client; the secret is never returned.
        state: State = {name: None for name in CLIENT_ATTRS}
        state.update(
            {
                "id": id,
                "client_id": id,
                "client_name": "Imported client",
                "grant_types": ["client_credentials"],
                "scope": "read",
                "token_endpoint_auth_method": "client_secret_basic",
                "skip_consent": False,
                "skip_logout_consent": False,
                "subject_type": "public",
                "frontchannel_logout_session_required": False,
                "backchannel_logout_session_required": False,
                "client_credentials_grant_access_token_lifespan": "1h",
            }
        )
        return state


class OAuth2ClientData(DataSource):
    def __init__(self, provider: Provider):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "oauth2_client"

    @classmethod
    def get_schema(cls) -> Schema:
        return DATA_SCHEMA

    def read(self, ctx: ReadDataContext, config: Config) -> State | None:
        client_id = config["id"]
        return {
            "id": client_id,
            "client_name": f"Existing client {client_id}",
            "grant_types": ["client_credentials"],
            "response_types": None,
            "scope": "read",
            "redirect_uris": None,
            "token_endpoint_auth_method": "client_secret_basic",
            "audience": None,
        }


DYNAMIC_SCHEMA = Schema(
    version=0,
    attributes=sorted(
        [
            Attribute("id", String(), computed=True),
            Attribute("project_slug", String(), optional=True),
            Attribute("project_api_key", String(), optional=True, sensitive=True),
            Attribute("client_id", String(), computed=True),
            Attribute("client_secret", String(), computed=True, sensitive=True),
            Attribute("registration_access_token", String(), computed=True, sensitive=True),
            Attribute("registration_client_uri", String(), computed=True),
            Attribute("client_name", String(), required=True),
            Attribute("grant_types", List(String()), optional=True),
            Attribute("response_types", List(String()), optional=True),
            Attribute("redirect_uris", List(String()), optional=True),
            Attribute("scope", String(), optional=True, computed=True),
            Attribute("token_endpoint_auth_method", String(), optional=True, computed=True),
        ],
        key=lambda a: a.name,
    ),
    description="Manages an Ory Network OIDC dynamic client (RFC 7591).",
)


class OIDCDynamicClient(Resource):
    """``ory_oidc_dynamic_client``: registered through RFC 7591, managed through the admin API.

    Create returns the client id, a fake secret (none for ``none`` clients), a fake registration
    access token ``ORYLINT-TEST-RAT-<slug>-do-not-leak`` and Hydra's defaults for the scope and
    the auth method when the configuration leaves them out.
    """

    def __init__(self, provider: Provider):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "oidc_dynamic_client"

    @classmethod
    def get_schema(cls) -> Schema:
        return DYNAMIC_SCHEMA

    def create(self, ctx: CreateContext, planned: State) -> State | None:
        state = dict(planned)
        name = state["client_name"]
        state["client_id"] = state["id"] = fake_client_id(name)
        if state.get("token_endpoint_auth_method") is Unknown:
            state["token_endpoint_auth_method"] = "client_secret_basic"
        if state.get("scope") is Unknown:
            state["scope"] = API_DEFAULTS["scope"]
        secret = fake_secret(name, state["token_endpoint_auth_method"])
        state["client_secret"] = secret or None
        state["registration_access_token"] = f"ORYLINT-TEST-RAT-{_slug(name)}-do-not-leak"
        state["registration_client_uri"] = (
            f"https://mock.projects.oryapis.com/oauth2/register/{state['client_id']}"
        )
        return state

    def read(self, ctx: ReadContext, current: State) -> State | None:
        return dict(current)

    def update(self, ctx: UpdateContext, current: State, planned: State) -> State | None:
        state = dict(planned)
        for name in ("id", "client_id", "client_secret", "registration_access_token"):
            if state.get(name) is Unknown:
                state[name] = current.get(name)
        return state

    def delete(self, ctx: DeleteContext, current: State):
        return None


class OryMockProvider(Provider):
    def get_model_prefix(self) -> str:
        return "ory_"

    def full_name(self) -> str:
        return FULL_NAME

    def get_provider_schema(self, diags: Diagnostics) -> Schema:
        return PROVIDER_SCHEMA

    def validate_config(self, diags: Diagnostics, config: Config):
        pass

    def configure_provider(self, diags: Diagnostics, config: Config):
        pass

    def get_data_sources(self):
        return [OAuth2ClientData]

    def get_resources(self):
        return [OAuth2Client, OIDCDynamicClient]


class _Servicer(tf_provider.ProviderServicer):
    """Hands the raw resource config to OAuth2Client.plan (tf 1.2.0 does not pass it)."""

    def PlanResourceChange(self, request, context):
        _plan_config.value = read_dynamic_value(request.config)
        try:
            return super().PlanResourceChange(request, context)
        finally:
            _plan_config.value = None


def main() -> None:
    # run_provider imports ProviderServicer from tf.provider at call time.
    tf_provider.ProviderServicer = _Servicer  # type: ignore[misc]
    run_provider(OryMockProvider())


if __name__ == "__main__":
    main()

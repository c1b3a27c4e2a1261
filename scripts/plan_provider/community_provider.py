"""Offline mocks of the community Hydra providers, for orylint's plan fixtures.

``svrakitin/hydra`` (``hydra_oauth2_client``) and ``hypnoglow/oryhydra``
(``oryhydra_oauth2_client``) are terraform-plugin-sdk providers: their schemas are declared here
from the resource code (``internal/provider/resource_oauth2_client.go`` at 06516b4 and
``oryhydra/resource_oryhydra_oauth2_client.go`` at 263a510), and what a create plan and an
apply produce is imitated:

* Optional+Computed attributes left unset are unknown in a create plan and filled by the
  (mock) Hydra on create: a client id (uuid5 of the client name), a recognisable fake secret
  (``ORYLINT-TEST-SECRET-<slug>-do-not-leak``, none for ``none`` clients), Hydra's default
  scopes, ``client_secret_basic``, ``public``;
* ``client_id`` forces replacement; ``client_secret`` is sensitive.

The ``jwk`` block list of ``hydra_oauth2_client`` is not declared: the ``tf`` package has no
list nesting mode for blocks. Run through ``terraform-provider-hydra`` or
``terraform-provider-oryhydra`` next to this file (the wrapper passes the provider's name).
"""

from __future__ import annotations

import sys
from typing import Any

from provider import _slug, fake_client_id
from tf.iface import (
    Config,
    CreateContext,
    DeleteContext,
    PlanContext,
    Provider,
    ReadContext,
    Resource,
    State,
    UpdateContext,
)
from tf.runner import run_provider
from tf.schema import Attribute, Schema
from tf.types import Bool, List, Map, Number, String, Unknown
from tf.utils import Diagnostics

COMMON_LISTS = [
    "allowed_cors_origins",
    "audience",
    "contacts",
    "grant_types",
    "post_logout_redirect_uris",
    "redirect_uris",
    "response_types",
]
COMMON_STRINGS = ["client_name", "client_uri", "logo_uri", "owner", "policy_uri", "tos_uri"]

HYDRA_DEFAULTS: dict[str, Any] = {
    "scopes": ["offline_access", "offline", "openid"],
    "subject_type": "public",
    "token_endpoint_auth_method": "client_secret_basic",
    "userinfo_signed_response_alg": "none",
}


def _computed_common() -> list[Attribute]:
    return [
        Attribute("id", String(), computed=True),
        Attribute("client_id", String(), optional=True, computed=True, requires_replace=True),
        Attribute("client_secret", String(), optional=True, computed=True, sensitive=True),
        Attribute("scopes", List(String()), optional=True, computed=True),
        Attribute("subject_type", String(), optional=True, computed=True),
        Attribute("token_endpoint_auth_method", String(), optional=True, computed=True),
    ]


def hydra_schema() -> Schema:
    attrs = _computed_common()
    attrs += [Attribute(name, List(String()), optional=True) for name in COMMON_LISTS]
    attrs += [Attribute("request_uris", List(String()), optional=True)]
    attrs += [Attribute(name, String(), optional=True) for name in COMMON_STRINGS]
    attrs += [
        Attribute(name, String(), optional=True)
        for name in (
            "backchannel_logout_uri",
            "frontchannel_logout_uri",
            "jwks_uri",
            "request_object_signing_alg",
            "sector_identifier_uri",
            "token_endpoint_auth_signing_alg",
        )
    ]
    attrs += [
        Attribute("backchannel_logout_session_required", Bool(), optional=True),
        Attribute("frontchannel_logout_session_required", Bool(), optional=True),
        Attribute("client_secret_expires_at", Number(), optional=True),
        Attribute("metadata", Map(String()), optional=True),
        Attribute("userinfo_signed_response_alg", String(), optional=True, computed=True),
    ]
    attrs.sort(key=lambda a: a.name)
    return Schema(version=0, attributes=attrs)


def oryhydra_schema() -> Schema:
    attrs = _computed_common()
    attrs += [Attribute(name, List(String()), optional=True) for name in COMMON_LISTS]
    attrs += [Attribute(name, String(), optional=True) for name in COMMON_STRINGS]
    attrs += [Attribute("client_metadata", Map(String()), optional=True)]
    attrs.sort(key=lambda a: a.name)
    return Schema(version=0, attributes=attrs)


def make_resource(schema: Schema) -> type[Resource]:
    names = [attribute.name for attribute in schema.attributes]

    class OAuth2Client(Resource):
        def __init__(self, provider: Provider):
            self.provider = provider

        @classmethod
        def get_name(cls) -> str:
            return "oauth2_client"

        @classmethod
        def get_schema(cls) -> Schema:
            return schema

        def plan(self, ctx: PlanContext, current: State | None, planned: State) -> State | None:
            return planned

        def create(self, ctx: CreateContext, planned: State) -> State | None:
            state = dict(planned)
            name = state.get("client_name") or "client"
            if state.get("client_id") in (None, Unknown):
                state["client_id"] = fake_client_id(name)
            state["id"] = state["client_id"]
            for key, value in HYDRA_DEFAULTS.items():
                if key in names and state.get(key) is Unknown:
                    state[key] = value
            if state.get("client_secret") is Unknown:
                method = state.get("token_endpoint_auth_method")
                state["client_secret"] = (
                    None if method == "none" else f"ORYLINT-TEST-SECRET-{_slug(name)}-do-not-leak"
                )
            return state

        def read(self, ctx: ReadContext, current: State) -> State | None:
            return dict(current)

        def update(self, ctx: UpdateContext, current: State, planned: State) -> State | None:
            state = dict(planned)
            for key in ("id", "client_id", "client_secret"):
                if state.get(key) is Unknown:
                    state[key] = current.get(key)
            return state

        def delete(self, ctx: DeleteContext, current: State):
            return None

    return OAuth2Client


class CommunityProvider(Provider):
    def __init__(self, name: str, source: str, schema: Schema):
        self.name = name
        self.source = source
        self.resource = make_resource(schema)

    def get_model_prefix(self) -> str:
        return f"{self.name}_"

    def full_name(self) -> str:
        return f"registry.terraform.io/{self.source}"

    def get_provider_schema(self, diags: Diagnostics) -> Schema:
        return Schema(attributes=[Attribute("url", String(), optional=True)])

    def validate_config(self, diags: Diagnostics, config: Config):
        pass

    def configure_provider(self, diags: Diagnostics, config: Config):
        pass

    def get_data_sources(self):
        return []

    def get_resources(self):
        return [self.resource]


PROVIDERS = {
    "hydra": ("svrakitin/hydra", hydra_schema),
    "oryhydra": ("hypnoglow/oryhydra", oryhydra_schema),
}


def main() -> None:
    name = sys.argv[1]
    source, schema = PROVIDERS[name]
    run_provider(CommunityProvider(name, source, schema()))


if __name__ == "__main__":
    main()

"""The Terraform resources that create an OAuth2 client on Ory or Hydra, and how each is shaped.

Hydra validates every client the same way whichever resource created it, so the rules are stated
once, over the attributes of ``ory_oauth2_client`` (the model's names). Each other resource gets a
small declarative adapter here: which of its arguments is which client attribute, how its shape
becomes the model's (a ``scopes`` list is joined into the ``scope`` string, a ``metadata`` map
becomes JSON, ``jwk`` blocks a key set), which provider default applies when the auth method is
omitted, and which attributes hold secrets. The list of supported types lives only here: the
pre-filter, the loaders and secret flow all read :data:`CLIENT_RESOURCES`.

Provider sources read (docs and resource code, November 2026):

- ``ory/ory`` — ``ory/terraform-provider-ory`` (``ory_oauth2_client``, and
  ``ory_oidc_dynamic_client`` from ``internal/resources/oidcdynamicclient/resource.go``);
- ``svrakitin/hydra`` — ``svrakitin/terraform-provider-hydra`` v0.x
  (``internal/provider/resource_oauth2_client.go`` at 06516b4, SDK v2, Hydra client-go v1);
- ``hypnoglow/oryhydra`` — ``hypnoglow/terraform-provider-oryhydra``
  (``oryhydra/resource_oryhydra_oauth2_client.go`` at 263a510, SDK v1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Shape = Literal["join", "json", "jwk_blocks"]
"""How a written value becomes the model's: a list joined with spaces, a map encoded as a JSON
object, or ``jwk`` blocks gathered into a JWK set."""

PROJECT_CONFIG = "ory_project_config"
TRUSTED_ISSUER = "ory_trusted_oauth2_jwt_grant_issuer"
PROJECT_RESOURCES = frozenset({PROJECT_CONFIG, TRUSTED_ISSUER})
"""The Ory project resources whose settings decide what a client's attributes mean (the model reads
them in ``model/ory_project.py``); named here with the client types, for the pre-filter."""

HYDRA_DEFAULT_AUTH_METHOD = "client_secret_basic"
"""What Hydra stores when a client is created without ``token_endpoint_auth_method``."""


@dataclass(frozen=True)
class ClientResource:
    """One Terraform resource type that creates an OAuth2 client, and how to read it.

    ``renames`` maps an argument as written to the model's attribute, ``shapes`` says how its
    value is converted. An argument of the resource's schema without a rename has the model's
    name already; anything outside the schema is left to ORY101 and never reaches other rules.
    """

    type: str
    provider: str
    repository: str
    versions: str
    schema_file: str
    default_auth_method: str
    secret_attributes: tuple[str, ...] = ("client_secret",)
    renames: Mapping[str, str] = field(default_factory=dict)
    shapes: Mapping[str, Shape] = field(default_factory=dict)
    dynamic: bool = False
    description: str = ""

    def model_name(self, written: str) -> str:
        """The model's attribute for an argument as written (``scopes`` -> ``scope``)."""
        return self.renames.get(written, written)

    def written_name(self, model: str) -> str:
        """The argument as this resource spells it (``scope`` -> ``scopes``)."""
        for written, name in self.renames.items():
            if name == model:
                return written
        return model


ORY_OAUTH2_CLIENT = "ory_oauth2_client"

CLIENT_RESOURCES: Mapping[str, ClientResource] = MappingProxyType(
    {
        resource.type: resource
        for resource in (
            ClientResource(
                type=ORY_OAUTH2_CLIENT,
                provider="ory/ory",
                repository="ory/terraform-provider-ory",
                versions="terraform-provider-orynetwork 0.0.1 to 0.0.3 and ory/ory (latest)",
                schema_file="ory_oauth2_client.schema.json",
                default_auth_method="client_secret_post",
                description="Ory Network OAuth2 client (admin API)",
            ),
            ClientResource(
                type="ory_oidc_dynamic_client",
                provider="ory/ory",
                repository="ory/terraform-provider-ory",
                versions="ory/ory (latest; the resource is new in the renamed provider)",
                schema_file="ory_oidc_dynamic_client.schema.json",
                default_auth_method=HYDRA_DEFAULT_AUTH_METHOD,
                secret_attributes=("client_secret", "registration_access_token"),
                dynamic=True,
                description="Ory Network client registered through RFC 7591 dynamic registration",
            ),
            ClientResource(
                type="hydra_oauth2_client",
                provider="svrakitin/hydra",
                repository="svrakitin/terraform-provider-hydra",
                versions="svrakitin/hydra 0.x (resource code at commit 06516b4)",
                schema_file="hydra_oauth2_client.schema.json",
                default_auth_method=HYDRA_DEFAULT_AUTH_METHOD,
                renames=MappingProxyType({"scopes": "scope", "jwk": "jwks"}),
                shapes=MappingProxyType(
                    {"scopes": "join", "metadata": "json", "jwk": "jwk_blocks"}
                ),
                description="self-hosted Ory Hydra client (community provider)",
            ),
            ClientResource(
                type="oryhydra_oauth2_client",
                provider="hypnoglow/oryhydra",
                repository="hypnoglow/terraform-provider-oryhydra",
                versions="hypnoglow/oryhydra 0.x (resource code at commit 263a510)",
                schema_file="oryhydra_oauth2_client.schema.json",
                default_auth_method=HYDRA_DEFAULT_AUTH_METHOD,
                renames=MappingProxyType({"scopes": "scope", "client_metadata": "metadata"}),
                shapes=MappingProxyType({"scopes": "join", "client_metadata": "json"}),
                description="self-hosted Ory Hydra client (community provider)",
            ),
        )
    }
)

CLIENT_RESOURCE_TYPES = frozenset(CLIENT_RESOURCES)


def client_resource(resource_type: str) -> ClientResource:
    """The adapter of a supported client resource type (``ory_oauth2_client`` otherwise)."""
    return CLIENT_RESOURCES.get(resource_type, CLIENT_RESOURCES[ORY_OAUTH2_CLIENT])

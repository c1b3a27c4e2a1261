"""Facts about the Ory project that the configuration itself states.

Teams that manage clients with Terraform often manage the project too: ``ory_project_config``
sets PKCE enforcement, the access-token strategy and the subject types, and
``ory_trusted_oauth2_jwt_grant_issuer`` registers the issuers a jwt-bearer client may accept.
Rules that depend on those facts (the CONFIG rules, ORY308, ORY309) must read them from there
rather than ask the user to repeat them in ``[ory]`` of orylint's configuration.

**Which wins.** A fact the scanned configuration sets on the project is what ``terraform apply``
will make true, so it wins over the ``[ory]`` settings of the orylint configuration; those keep
describing projects that are not managed in the scanned Terraform. A fact set to a value orylint
cannot know, or set differently by two resources of the same project, is not used.

**Several projects.** Clients and project resources are grouped by the provider configuration
they use (the ``provider`` meta-argument: ``ory`` or ``ory.<alias>``), which is what decides the
project they are created in; facts never cross from one group to another.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from orylint.model.settings import Settings
from orylint.terraform.values import Unknown, unmark_deep

DEFAULT_PROVIDER = "ory"

#: ``ory_project_config`` attribute → the ``[ory]`` setting it decides, and the type it must have.
PROJECT_SETTINGS: dict[str, tuple[str, type]] = {
    "oauth2_pkce_enforced": ("pkce_enforced", bool),
    "oauth2_pkce_enforced_for_public_clients": ("pkce_enforced_for_public_clients", bool),
    "oauth2_strategies_access_token": ("access_token_strategy", str),
    "oidc_subject_identifiers_supported_types": ("subject_types", tuple),
}


@dataclass
class ProjectFacts:
    """What the configuration sets on one project (one provider configuration)."""

    provider: str
    settings: dict[str, object] = field(default_factory=dict)
    conflicting: set[str] = field(default_factory=set)
    trusted_issuers: int = 0

    def add_setting(self, name: str, value: object) -> None:
        """Record a known setting; a second, different value makes it unusable."""
        if name in self.conflicting:
            return
        if name in self.settings and self.settings[name] != value:
            del self.settings[name]
            self.conflicting.add(name)
            return
        self.settings[name] = value


def provider_key(provider_source: str | None, resource_type: str = "") -> str:
    """The provider configuration a resource uses, from its ``provider`` meta-argument.

    Without one, Terraform uses the provider named by the type's prefix: ``ory`` for
    ``ory_oauth2_client``, ``hydra`` for ``hydra_oauth2_client``, so a self-hosted Hydra's clients
    never take the facts of an Ory Network project.
    """
    if not provider_source:
        return resource_type.split("_", 1)[0] if resource_type else DEFAULT_PROVIDER
    return provider_source.strip()


def setting_value(attribute: str, value: object) -> object | None:
    """A project attribute's value as the ``[ory]`` setting it decides, or None if unusable."""
    name_type = PROJECT_SETTINGS.get(attribute)
    plain, _ = unmark_deep(value)
    if name_type is None or isinstance(plain, Unknown):
        return None
    _, kind = name_type
    if kind is tuple:
        if isinstance(plain, list) and all(isinstance(item, str) for item in plain):
            return tuple(plain)
        return None
    if kind is bool and plain in ("true", "false"):
        return plain == "true"
    if kind is str and isinstance(plain, str):
        return plain.lower()
    return plain if isinstance(plain, kind) else None


def settings_for(settings: Settings, facts: ProjectFacts | None) -> Settings:
    """The settings a client's rules see: the project's own facts over ``[ory]``."""
    if facts is None or (not facts.settings and not facts.trusted_issuers):
        return settings
    ory = settings.ory
    if facts.trusted_issuers:
        ory = dataclasses.replace(ory, trusted_jwt_grant_issuers=True)
    for name, value in facts.settings.items():
        ory = dataclasses.replace(ory, **{PROJECT_SETTINGS[name][0]: value})  # type: ignore[arg-type]
    return dataclasses.replace(settings, ory=ory)

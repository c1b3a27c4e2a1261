"""Settings that rules read: the user's Ory project facts and thresholds.

Defaults describe Ory Network (current Hydra, public and pairwise subjects, opaque tokens), so a
user who states nothing gets the behaviour of the hosted product.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OrySettings:
    """Facts about the Ory project the clients are created in (the CONFIG rules read these)."""

    subject_types: tuple[str, ...] = ("public", "pairwise")
    access_token_strategy: str = "opaque"
    pkce_enforced_for_public_clients: bool = False
    pkce_enforced: bool = False
    disallow_private_ip_ranges: bool = False
    hydra_version: str = "v26.2.0"
    default_scope: str = "offline_access offline openid"
    trusted_jwt_grant_issuers: bool = False


@dataclass(frozen=True)
class LifespanThresholds:
    """ORY205 thresholds, in Go duration syntax."""

    access_note: str = "1h"
    access_warning: str = "24h"
    refresh_note: str = "720h"
    refresh_warning: str = "2160h"


@dataclass(frozen=True)
class ProviderSettings:
    """Which provider release the configuration targets (attributes differ between releases).

    ``latest`` means the current ``ory/ory`` provider; ``0.0.1``..``0.0.3`` are the
    ``orynetwork`` releases, which lack later attributes and treat ``client_id`` as read-only.
    """

    version: str = "latest"


@dataclass(frozen=True)
class Settings:
    """Everything a rule may consult besides the model."""

    ory: OrySettings = field(default_factory=OrySettings)
    lifespans: LifespanThresholds = field(default_factory=LifespanThresholds)
    provider: ProviderSettings = field(default_factory=ProviderSettings)

"""The registry's one settings class (environment prefix ``TESSERA_REGISTRY_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from gatekeeper.settings_fields import CommaList, NetworkEntries, OriginEntries
from registry.domain.element_name import DEFAULT_PLATFORM_TEAMS


class RegistrySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_REGISTRY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8001
    database_url: str = "sqlite:///var/registry.db"
    require_tokens: bool = Field(
        default=True,
        description="Team tokens on every write (401 without a valid one, 403 on another team's widget). "
        "false opens writes to anyone who can reach the registry (a trusted local network only): the team "
        "a manifest claims is then believed, but one team still cannot take another's widget.",
    )
    reservation_seconds: float = Field(
        default=7 * 24 * 3600,
        ge=0,
        description="How long a removed or expired widget id stays reserved to its team.",
    )
    platform_teams: CommaList = Field(
        default_factory=lambda: sorted(DEFAULT_PLATFORM_TEAMS),
        description="Comma-separated teams that may announce tessera-* element names (the built-in widgets' teams).",
    )
    max_json_depth: int = Field(default=40, gt=0, le=200, description="Deepest JSON nesting a request body may have.")
    grace_seconds: float = Field(default=30.0, gt=0, description="How long an expired lease stays stale before gone.")
    max_manifest_bytes: int = Field(default=64 * 1024, gt=0)
    allowed_origins: OriginEntries = Field(
        default_factory=list,
        description="Comma-separated origins widgets may load from: exact origins (trusted even on loopback or a "
        "private network), `https://*.example.com` wildcards or `*` (public addresses only). Empty: each widget's "
        "own announcing origin, public addresses only.",
    )
    allowed_networks: NetworkEntries = Field(
        default_factory=list,
        description="Comma-separated networks (CIDR) whose internal addresses widget hosts may use, e.g. 10.0.0.0/8.",
    )
    sweep_interval_seconds: float = Field(default=1.0, gt=0, description="How often stale/gone is recomputed.")
    lease_flush_seconds: float = Field(default=5.0, gt=0, description="Write-behind period for heartbeat times.")
    token_cache_seconds: float = Field(default=5.0, ge=0, description="How long a verified token is trusted without a DB read.")

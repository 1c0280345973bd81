"""The registry's one settings class (environment prefix ``TESSERA_REGISTRY_``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class RegistrySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_REGISTRY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8001
    database_url: str = "sqlite:///var/registry.db"
    require_tokens: bool = Field(
        default=False,
        description="Enforce team tokens (401 without a valid one, 403 on another team's widget).",
    )
    grace_seconds: float = Field(default=30.0, gt=0, description="How long an expired lease stays stale before gone.")
    max_manifest_bytes: int = Field(default=64 * 1024, gt=0)
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated origins widgets may load from."
    )
    sweep_interval_seconds: float = Field(default=1.0, gt=0, description="How often stale/gone is recomputed.")
    lease_flush_seconds: float = Field(default=5.0, gt=0, description="Write-behind period for heartbeat times.")
    token_cache_seconds: float = Field(default=5.0, ge=0, description="How long a verified token is trusted without a DB read.")

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

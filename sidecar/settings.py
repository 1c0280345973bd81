"""Sidecar settings: flags override ``TESSERA_SIDECAR_*`` env, which override defaults.

The lab's variables (``ID``, ``BODY``, ``HOSTPORT``, ``FREQUENCY_IN_SECONDS``) are read
too; when ``ID`` and ``BODY`` are set and no manifest is given, the sidecar runs in lab
mode and announces through the registry's compatibility route.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, PositiveFloat, PositiveInt, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_REGISTRY_URL = "http://127.0.0.1:8001"


class SidecarSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_SIDECAR_", populate_by_name=True, extra="ignore")

    registry_url: str = DEFAULT_REGISTRY_URL
    manifest: Path | None = None
    widget_url: str | None = None
    origin: str | None = None
    token: SecretStr | None = None
    token_file: Path | None = None
    interval: PositiveFloat = 3.0
    jitter: float = Field(0.2, ge=0.0, lt=1.0)
    health_interval: PositiveFloat = 2.0
    startup_timeout: float = Field(0.0, ge=0.0)
    request_timeout: PositiveFloat = 2.0
    failure_threshold: PositiveInt = 3
    reset_timeout: PositiveFloat = 5.0
    backoff_base: PositiveFloat = 0.2
    backoff_cap: PositiveFloat = 10.0
    log_level: str = "INFO"

    lab_id: str | None = Field(None, validation_alias=AliasChoices("ID", "TESSERA_SIDECAR_LAB_ID"))
    lab_body: str | None = Field(None, validation_alias=AliasChoices("BODY", "TESSERA_SIDECAR_LAB_BODY"))
    lab_hostport: str | None = Field(None, validation_alias=AliasChoices("HOSTPORT", "TESSERA_SIDECAR_LAB_HOSTPORT"))
    lab_frequency: PositiveFloat | None = Field(
        None, validation_alias=AliasChoices("FREQUENCY_IN_SECONDS", "TESSERA_SIDECAR_LAB_FREQUENCY")
    )

    def team_token(self) -> str | None:
        """``token``, else the first line of ``token_file`` (how ``make up`` hands it over,
        so it never shows in a process listing); raises OSError if the file is unreadable."""
        if self.token is not None:
            return self.token.get_secret_value() or None
        if self.token_file is not None:
            return self.token_file.read_text(encoding="utf-8").strip() or None
        return None

    @property
    def lab_mode(self) -> bool:
        return self.manifest is None and bool(self.lab_id) and bool(self.lab_body)

    @property
    def effective_registry_url(self) -> str:
        """An explicit registry URL wins; else the lab's ``HOSTPORT``; else the default."""
        if "registry_url" not in self.model_fields_set and self.lab_hostport:
            hostport = self.lab_hostport
            return hostport if "://" in hostport else f"http://{hostport}"
        return self.registry_url

    @property
    def heartbeat_interval(self) -> float:
        if self.lab_mode and self.lab_frequency and "interval" not in self.model_fields_set:
            return self.lab_frequency
        return self.interval

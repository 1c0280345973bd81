"""The limits every service's HTTP edge enforces, read per service from its own prefix.

One class for all services, so the numbers and their names are the same everywhere;
``EdgeLimits.of("collector")`` reads ``TESSERA_COLLECTOR_MAX_HEADERS`` and friends. A
service passes its own defaults (the collector's body limit is its batch limit); an
environment variable still wins over them.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EdgeLimits(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    max_request_line: int = Field(default=8 * 1024, gt=0, description="URL bytes in the request line (414 beyond)")
    max_header_bytes: int = Field(default=32 * 1024, gt=0, description="request line plus headers (431 beyond)")
    max_headers: int = Field(default=100, gt=0, description="header fields per request (431 beyond)")
    max_body_bytes: int = Field(default=1024 * 1024, gt=0, description="request body bytes (413 beyond)")
    max_json_depth: int = Field(default=64, ge=0, description="JSON nesting of a JSON body (400 beyond; 0 = off)")
    keep_alive_timeout: float = Field(default=5.0, gt=0, description="idle seconds before a connection is closed")
    header_timeout: float = Field(default=10.0, gt=0, description="seconds to receive a request's headers (408)")
    body_timeout: float = Field(default=30.0, gt=0, description="seconds to receive a request's body (408)")

    @classmethod
    def of(cls, service: str, **defaults: Any) -> EdgeLimits:
        """The limits of ``service`` from ``TESSERA_<SERVICE>_*``, over ``defaults``, over the class's."""
        prefix = f"TESSERA_{service.upper()}_"
        from_env = cls(_env_prefix=prefix)
        unset = {k: v for k, v in defaults.items() if k not in from_env.model_fields_set}
        return from_env.model_copy(update=unset) if unset else from_env

"""The query API's settings (``TESSERA_QUERY_*``); built in ``main()``, passed to the app factory."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tracker.writer.settings import default_dsn, normalise_dsn


class QuerySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_QUERY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8003
    olap_backend: Literal["chdb", "clickhouse", "pinot"] = "chdb"
    olap_dsn: str = ""  # chdb://..., http(s)://user:pass@host:8123, or pinot http(s)://broker:8099
    olap_database: str = "tessera"
    pinot_table: str = "tessera_events"
    max_points: int = 10_000  # series buckets per answer
    max_top: int = 100
    live_window_s: int = 300
    stream_ring: int = 1_000  # SSE events kept for Last-Event-ID resume
    stream_heartbeat_s: float = 15.0
    # open SSE streams per client address (429 beyond): at least the dashboard's stream_concurrency,
    # since every browser's stream reaches this API through the dashboard's one address
    max_streams_per_client: int = 64
    max_streams: int = 512  # open SSE streams in all (503 beyond)

    @field_validator("olap_dsn")
    @classmethod
    def _dsn(cls, value: str) -> str:
        return normalise_dsn(value) if value else default_dsn()

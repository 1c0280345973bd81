"""The query API's settings (``TESSERA_QUERY_*``); built in ``main()``, passed to ``tracker.bootstrap``.

The OLAP fields come from ``tracker.settings.OlapSettings``. The writer process serves this
API too: there its limits come from here and its OLAP from the writer's settings.
"""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from tracker.settings import OlapSettings


class QuerySettings(OlapSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_QUERY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8003
    max_points: int = 10_000  # series buckets per answer
    max_top: int = 100
    live_window_s: int = 300
    stream_ring: int = 1_000  # SSE events kept for Last-Event-ID resume
    stream_heartbeat_s: float = 15.0
    # open SSE streams per client address (429 beyond): at least the dashboard's stream_concurrency,
    # since every browser's stream reaches this API through the dashboard's one address
    max_streams_per_client: int = 64
    max_streams: int = 512  # open SSE streams in all (503 beyond)

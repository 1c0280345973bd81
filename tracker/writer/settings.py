"""The writer's settings (``TESSERA_WRITER_*``); built in ``main()``, passed to ``tracker.bootstrap.writer``.

The stream fields come from ``tracker.settings.StreamSettings``, the OLAP fields from
``OlapSettings``; what is the writer's own sits here, one field a line.
"""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from tracker.settings import OlapSettings, StreamSettings


class WriterSettings(StreamSettings, OlapSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_WRITER_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8003
    group_id: str = "tessera-writer"
    batch_max_rows: int = 200_000  # per flush, all partitions: ~50k-row blocks at 4 (chDB pays ~60 ms CPU an insert)
    batch_max_age_ms: int = 800  # the longest a record waits from its append to its flush, less a flush's time (freshness <= 1 s)
    batch_busy_age_ms: int = 400  # ... from ~1,000 events/s up (freshness <= 500 ms)
    batch_cpu_share: float = 0.03  # hold batches until inserts cost this share of a core (0: always max age); 3 % leaves room for the idle loop
    idle_poll_ms: int = 1000  # an idle writer's poll: appends wake it anyway (inotify, aiokafka); the idle watermark and a stop wait up to this
    events_ttl_days: int = 0  # 0: keep events forever
    retry_base_ms: int = 50
    retry_cap_ms: int = 5_000

"""The writer's settings (``TESSERA_WRITER_*``); built in ``main()``, passed to ``bootstrap``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_dsn() -> str:
    return f"chdb://{Path('var/olap').resolve()}"


class WriterSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_WRITER_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8003
    stream_backend: Literal["local", "kafka", "memory"] = "local"
    stream_dir: Path = Path("var/stream")
    stream_partitions: int = 4
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    group_id: str = "tessera-writer"
    batch_max_rows: int = 200_000  # per flush, all partitions: ~50k-row blocks at 4 (chDB pays ~60 ms CPU an insert)
    batch_max_age_ms: int = 700  # the longest a batch is held, less a flush's time (freshness <= 1 s)
    batch_busy_age_ms: int = 400  # ... from ~1,000 events/s up (freshness <= 500 ms)
    batch_cpu_share: float = 0.05  # hold batches until inserts cost this share of a core (0: always max age)
    idle_poll_ms: int = 100
    olap_backend: Literal["chdb", "clickhouse", "pinot"] = "chdb"
    olap_dsn: str = ""  # empty: chdb://<abs>/var/olap
    olap_database: str = "tessera"
    events_ttl_days: int = 0  # 0: keep events forever
    retry_base_ms: int = 50
    retry_cap_ms: int = 5_000

    @field_validator("olap_dsn")
    @classmethod
    def _dsn(cls, value: str) -> str:
        return normalise_dsn(value) if value else default_dsn()

    @field_validator("olap_database")
    @classmethod
    def _database(cls, value: str) -> str:
        if not value.replace("_", "").isalnum():
            raise ValueError("olap_database must be letters, digits and underscores")
        return value


def normalise_dsn(dsn: str) -> str:
    """``chdb:////abs`` and ``chdb:///abs`` both mean the absolute path ``/abs``."""
    if dsn.startswith("chdb:"):
        path = dsn[len("chdb:"):].lstrip("/")
        return f"chdb:///{path}"
    return dsn

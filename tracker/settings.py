"""Settings the tracker's processes share, each declared once.

``StreamSettings`` is what every process on the stream reads (collector, writer);
``OlapSettings`` is what every process on OLAP reads (writer, query API). They are
bases, not services: each service's class adds its own fields and its own prefix, so
the variables keep their names (``TESSERA_COLLECTOR_KAFKA_IDEMPOTENCE``,
``TESSERA_WRITER_KAFKA_IDEMPOTENCE``, ``TESSERA_QUERY_OLAP_DSN``, ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class StreamSettings(BaseSettings):
    """Which stream adapter, and how to reach it (``tracker.stream.factory`` reads these)."""

    model_config = SettingsConfigDict(extra="ignore")

    stream_backend: Literal["local", "kafka", "memory"] = "local"
    stream_dir: Path = Path("var/stream")  # the local log
    stream_partitions: int = Field(default=4, ge=1, le=1024)
    stream_retention_hours: float = Field(default=168.0, gt=0)  # the local log's segments
    stream_timeout_ms: int = Field(default=5000, ge=1)  # a producer request slower than this fails
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Idempotent producers need the broker's InitProducerId (Kafka, Redpanda); tansu has none: false there.
    kafka_idempotence: bool = True
    kafka_session_timeout_ms: int = Field(default=10_000, ge=100)  # consumers: group membership

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _servers(cls, value: str) -> str:
        servers = [s.strip() for s in value.split(",") if s.strip()]
        if not servers or any(s.rpartition(":")[0] == "" or not s.rpartition(":")[2].isdigit() for s in servers):
            raise ValueError("kafka_bootstrap_servers must be host:port[,host:port...]")
        return ",".join(servers)


def default_dsn() -> str:
    return f"chdb://{Path('var/olap').resolve()}"


def normalise_dsn(dsn: str) -> str:
    """``chdb:////abs`` and ``chdb:///abs`` both mean the absolute path ``/abs``."""
    if dsn.startswith("chdb:"):
        path = dsn[len("chdb:"):].lstrip("/")
        return f"chdb:///{path}"
    return dsn


class OlapSettings(BaseSettings):
    """Which OLAP adapter, and where (``tracker.olap.factory.open_store`` reads these)."""

    model_config = SettingsConfigDict(extra="ignore")

    olap_backend: Literal["chdb", "clickhouse", "pinot"] = "chdb"
    olap_dsn: str = ""  # empty: chdb://<abs>/var/olap; http(s)://user:pass@host:8123; Pinot's broker URL
    olap_database: str = "tessera"
    pinot_table: str = "tessera_events"

    @field_validator("olap_dsn")
    @classmethod
    def _dsn(cls, value: str) -> str:
        return normalise_dsn(value) if value else default_dsn()

    @field_validator("olap_database", "pinot_table")
    @classmethod
    def _name(cls, value: str, info) -> str:
        if not value or not value.replace("_", "").isalnum():
            raise ValueError(f"{info.field_name} must be letters, digits and underscores")
        return value

"""The tracking event: one model, the single source of truth for the stream's
records, the collector's validation and the OLAP table's columns.

Storage details ride along as ``Annotated`` markers (``Column``), so the DDL is
derived from this class instead of being written a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import msgspec


PAST_SKEW_S = 24 * 3600  # a client timestamp older than this (before its receipt) is not believed
FUTURE_SKEW_S = 60  # nor one later than this


@dataclass(frozen=True)
class Column:
    """How a field is stored in OLAP: its ClickHouse type, and an optional codec."""

    clickhouse: str
    codec: str | None = None


class TrackingEvent(msgspec.Struct, kw_only=True, omit_defaults=False):
    """A hit after the collector enriched it; never carries a raw IP address."""

    event_id: Annotated[str, Column("UUID")]
    ts: Annotated[datetime, Column("DateTime64(3, 'UTC')", "Delta, ZSTD")]
    received_at: Annotated[datetime, Column("DateTime64(3, 'UTC')", "Delta, ZSTD")]
    site: Annotated[str, Column("LowCardinality(String)")]
    name: Annotated[str, Column("LowCardinality(String)")] = "pageview"
    url: Annotated[str, Column("String", "ZSTD")] = ""
    path: Annotated[str, Column("String", "ZSTD")] = "/"
    referrer: Annotated[str, Column("String", "ZSTD")] = ""
    referrer_host: Annotated[str, Column("LowCardinality(String)")] = ""
    title: Annotated[str, Column("String", "ZSTD")] = ""
    visitor: Annotated[str, Column("FixedString(16)")] = ""
    user_agent: Annotated[str, Column("String", "ZSTD")] = ""
    browser: Annotated[str, Column("LowCardinality(String)")] = ""
    os: Annotated[str, Column("LowCardinality(String)")] = ""
    device: Annotated[str, Column("LowCardinality(String)")] = ""
    is_bot: Annotated[bool, Column("Bool")] = False
    utm_source: Annotated[str, Column("LowCardinality(String)")] = ""
    utm_medium: Annotated[str, Column("LowCardinality(String)")] = ""
    utm_campaign: Annotated[str, Column("LowCardinality(String)")] = ""
    props: Annotated[dict[str, str], Column("Map(String, String)")] = msgspec.field(default_factory=dict)


class DeadLetter(msgspec.Struct, kw_only=True):
    """What could not become a TrackingEvent, and why."""

    reason: str
    raw: str
    source: str = ""
    received_at: datetime | None = None


EVENTS_TOPIC = "tessera.events"
DEAD_LETTER_TOPIC = "tessera.events.dlq"


def stream_key(site: str, visitor: str) -> bytes:
    """Partition key: a site's visitor always lands in one partition, in order."""
    return f"{site}\0{visitor}".encode()

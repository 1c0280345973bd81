"""A chDB store seeded with 40 page views (three paths, seven visitors, one referrer) every
30 s from ``start``: enough for every metric route to answer with data."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

from tracker.event import TrackingEvent
from tracker.olap.clickhouse import ClickHouseStore
from tracker.olap.port import StagedBatch


@contextlib.contextmanager
def seeded_store(chdb_client, start: datetime, checkpoint: str) -> Iterator[ClickHouseStore]:
    """A fresh database holding the seed (written under ``checkpoint``), dropped afterwards."""
    store = ClickHouseStore(chdb_client, f"t_{uuid.uuid4().hex[:12]}")
    store.migrate()
    batch = StagedBatch()
    for i in range(40):
        ts = start + timedelta(seconds=30 * i)
        batch.append(TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts, site="demo.local",
                                   path=f"/p{i % 3}", visitor=f"{i % 7:016x}", referrer_host="news.example"),
                     "tessera.events", 0, i)
    store.insert(batch, checkpoint)
    try:
        yield store
    finally:
        chdb_client.command(f"DROP DATABASE IF EXISTS {store.db} SYNC")

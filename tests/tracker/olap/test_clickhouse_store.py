"""The ClickHouse adapter on real chDB: dedup tokens (through the materialized views),
stored offsets, rollup queries."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tracker.event import TrackingEvent
from tracker.olap.port import StagedBatch
from tracker.model import Range, SeriesQuery, TopQuery

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def batch(n, start=0, partition=0, **kw) -> StagedBatch:
    b = StagedBatch()
    for i in range(start, start + n):
        ts = T0 + timedelta(seconds=i * 7 % 3600)
        e = TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts, site="s", path=f"/p{i % 4}",
                          visitor=f"{i % 10:016x}", referrer_host=f"r{i % 2}", props={"k": str(i)}, **kw)
        b.append(e, "tessera.events", partition, i)
    return b


def count(store, table):
    return store.client.query(f"SELECT count() FROM {store.db}.{table}").result_rows[0][0]


def views(store):
    return store.client.query(f"SELECT sum(views) FROM {store.db}.site_minute").result_rows[0][0]


DAY = Range("s", T0 - timedelta(hours=1), T0 + timedelta(hours=2))


def test_the_same_token_inserts_once_also_in_the_rollups(chdb_store):
    b = batch(100)
    chdb_store.insert(b, "tessera.events/0/0-99")
    chdb_store.insert(b, "tessera.events/0/0-99")
    assert count(chdb_store, "events") == 100
    assert views(chdb_store) == 100
    assert chdb_store.client.query(f"SELECT sum(views) FROM {chdb_store.db}.dim_minute WHERE dim = 'path'").result_rows[0][0] == 100


def test_a_new_token_inserts_again(chdb_store):
    b = batch(10)
    chdb_store.insert(b, "a")
    chdb_store.insert(b, "b")
    assert views(chdb_store) == 20  # why the writer's replay guard exists
    assert chdb_store.client.query(f"SELECT count() FROM {chdb_store.db}.events FINAL").result_rows[0][0] == 10


def test_stored_blocks(chdb_store):
    chdb_store.insert(batch(5, partition=2), "tessera.events/2/0-4")
    chdb_store.insert(batch(5, start=5, partition=2), "tessera.events/2/5-9")
    assert chdb_store.stored_blocks("tessera.events", 2, 3) == {"tessera.events/2/0-4", "tessera.events/2/5-9"}
    assert chdb_store.stored_blocks("tessera.events", 2, 5) == {"tessera.events/2/5-9"}
    assert chdb_store.stored_blocks("tessera.events", 1, 0) == set()


def test_series_top_totals_from_rollups(chdb_store):
    chdb_store.insert(batch(600), "t")
    minute = chdb_store.series(SeriesQuery(DAY, "1m"))
    hourly = chdb_store.series(SeriesQuery(DAY, "1h"))
    assert sum(b.views for b in minute) == sum(b.views for b in hourly) == 600
    assert all(b.t.tzinfo is not None for b in minute)
    assert {b.visitors for b in hourly} <= set(range(1, 11))
    pages = chdb_store.top(TopQuery(DAY, "path", 10))
    assert [p.key for p in pages][:1] and sum(p.views for p in pages) == 600
    refs = chdb_store.top(TopQuery(DAY, "referrer_host", 1))
    assert len(refs) == 1 and refs[0].views == 300
    t = chdb_store.totals(DAY)
    assert (t.views, t.visitors) == (600, 10)
    assert chdb_store.watermark() == max(e.received_at for e in batch(600).events)


def test_filters_choose_the_right_source(chdb_store):
    chdb_store.insert(batch(400), "t")
    by_path = Range("s", DAY.start, DAY.end, path="/p1")
    by_ref = Range("s", DAY.start, DAY.end, referrer="r0")
    both = Range("s", DAY.start, DAY.end, path="/p1", referrer="r1")
    assert chdb_store.totals(by_path).views == 100
    assert chdb_store.totals(by_ref).views == 200
    assert chdb_store.totals(both).views == 100  # i%4==1 implies i%2==1
    assert sum(b.views for b in chdb_store.series(SeriesQuery(both, "1h"))) == 100
    assert chdb_store.top(TopQuery(by_ref, "path", 10))[0].views == 100


def test_bots_and_custom_events_are_not_views(chdb_store):
    chdb_store.insert(batch(10, is_bot=True), "a")
    chdb_store.insert(batch(10, start=10, name="signup"), "b")
    assert chdb_store.totals(DAY).views == 0
    assert chdb_store.client.query(f"SELECT sum(events) FROM {chdb_store.db}.site_minute").result_rows[0][0] == 20


def test_empty_store(chdb_store):
    assert chdb_store.watermark() is None
    assert chdb_store.series(SeriesQuery(DAY, "1m")) == []
    assert chdb_store.totals(DAY).views == 0


def test_long_ranges_use_the_hourly_rollup_with_minute_edges(chdb_store):
    from tracker.olap import sql

    chdb_store.insert(batch(600), "t")  # T0 .. T0+70min, one event every 7 s
    ragged = Range("s", T0 + timedelta(minutes=13), T0 + timedelta(minutes=67))
    assert [s[0] for s in sql._segments(ragged)] == ["minute"]
    wide = Range("s", T0 - timedelta(minutes=30), T0 + timedelta(minutes=61))
    assert [s[0] for s in sql._segments(wide)] == ["minute", "hour", "minute"]
    exact = sum(1 for i in range(600) if wide.start <= T0 + timedelta(seconds=i * 7 % 3600) < wide.end)
    assert chdb_store.totals(wide).views == exact
    hourly = chdb_store.series(SeriesQuery(wide, "1h"))
    assert sum(b.views for b in hourly) == exact
    minute = chdb_store.series(SeriesQuery(wide, "1m"))
    assert sum(b.views for b in minute) == exact
    assert chdb_store.totals(wide).visitors == 10


def test_hourly_backfill_runs_once(chdb_client):
    """Migration 5 run again (a crash before it was recorded) backfills the hourly rollup once."""
    import uuid as _uuid

    from tracker.olap import migrations
    from tracker.olap.clickhouse import ClickHouseStore

    store = ClickHouseStore(chdb_client, f"t_{_uuid.uuid4().hex[:12]}")
    hourly = migrations.MIGRATIONS[4]
    assert hourly.version == 5
    try:
        for statement in migrations.bootstrap_statements(store.db):  # the store as migration 5 left it
            chdb_client.command(statement)
        for m in migrations.MIGRATIONS[:5]:
            for statement in m.statements(store.db, 0):
                chdb_client.command(statement)
        store.insert(batch(50), "t")
        chdb_client.command(f"TRUNCATE TABLE {store.db}.site_hour")
        for _ in range(2):  # re-applied: backfills the empty hourly rollup from events, then nothing more
            for statement in hourly.statements(store.db, 0):
                chdb_client.command(statement)
        assert chdb_client.query(f"SELECT sum(views) FROM {store.db}.site_hour").result_rows[0][0] == 50
    finally:
        chdb_client.command(f"DROP DATABASE IF EXISTS {store.db} SYNC")


def test_closed_minutes_serve_the_same_series_and_notice_later_writes(chdb_store):
    chdb_store.insert(batch(600), "a")
    q = SeriesQuery(DAY, "1m")
    merged = chdb_store.series(q)
    chdb_store.close_minutes(DAY.start, DAY.end)
    assert count(chdb_store, "site_minute_closed") == len(merged)
    assert chdb_store.series(q) == merged
    chdb_store.close_minutes(DAY.start, DAY.end)  # nothing changed: nothing written
    assert count(chdb_store, "site_minute_closed") == len(merged)
    late = StagedBatch()  # a new visitor in the first minute, after it was closed
    late.append(TrackingEvent(event_id=str(uuid.uuid4()), ts=T0, received_at=T0 + timedelta(hours=1), site="s",
                              visitor="f" * 16), "tessera.events", 0, 10_000)
    chdb_store.insert(late, "late")
    first = chdb_store.series(q)[0]
    assert (first.views, first.visitors) == (merged[0].views + 1, merged[0].visitors + 1)
    chdb_store.close_minutes(DAY.start, DAY.end)
    assert chdb_store.series(q)[0] == first
    assert chdb_store.client.query(
        f"SELECT count() FROM {chdb_store.db}.site_minute_closed FINAL").result_rows[0][0] == len(merged)

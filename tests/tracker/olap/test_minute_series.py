"""The per-minute site series on real chDB: what the cache, the closings, the events (for
recent minutes) and the states answer must equal a scan of the events, as writes arrive."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tracker.event import TrackingEvent
from tracker.model import Bucket, Range, SeriesQuery
from tracker.olap import sql
from tracker.olap.port import StagedBatch
from tracker.olap.schema import COUNTED

pytestmark = pytest.mark.integration
OLD = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # older than RAW_RECENT_S: closings and states
_offset = iter(range(10**9))


def events(start, n, visitors=7, seconds=11, first=0, **kw) -> StagedBatch:
    b = StagedBatch()
    for i in range(n):
        ts = start + timedelta(seconds=i * seconds % 600)  # ten minutes from start
        b.append(TrackingEvent(event_id=str(uuid.uuid4()), ts=ts, received_at=ts, site="s",
                               visitor=f"{i % visitors + first:016x}", **kw),
                 "tessera.events", 0, next(_offset))
    return b


def scan(store, r: Range) -> list[Bucket]:
    """The answer from the events alone."""
    rows = store.client.query(
        f"SELECT toStartOfMinute(ts) AS t, count(), uniqCombined(12)(visitor) FROM {store.db}.events FINAL "
        f"WHERE site = {{site:String}} AND ts >= {{start:DateTime64(3, 'UTC')}} AND ts < {{end:DateTime64(3, 'UTC')}} "
        f"AND {COUNTED} GROUP BY t ORDER BY t", parameters=sql._params(r)).result_rows
    return [Bucket(t.replace(tzinfo=UTC), v, u) for t, v, u in rows]


def this_minute() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


def series(store, r):
    return store.series(SeriesQuery(r, "1m"))


@pytest.mark.parametrize("old", [False, True], ids=["recent", "old"])
def test_the_series_equals_a_scan_as_writes_arrive(chdb_store, old):
    start = OLD if old else this_minute() - timedelta(minutes=8)
    r = Range("s", start - timedelta(minutes=5), start + timedelta(minutes=15))
    chdb_store.insert(events(start, 300), "a")
    chdb_store.insert(events(start, 20, is_bot=True), "bots")  # events, not views or visitors
    first = series(chdb_store, r)
    assert first == scan(chdb_store, r) and len(first) == 10
    assert series(chdb_store, r) == first  # from the cache now
    chdb_store.close_minutes(r.start, r.end)
    assert series(chdb_store, r) == first
    chdb_store.insert(events(start + timedelta(minutes=3), 5, seconds=1, visitors=5, first=100), "late")
    later = series(chdb_store, r)
    assert later == scan(chdb_store, r)
    changed = [b for b, a in zip(later, first, strict=True) if a != b]
    assert [(b.t, b.views, b.visitors) for b in changed] == [
        (start + timedelta(minutes=3), first[3].views + 5, first[3].visitors + 5)]
    chdb_store.insert(events(start, 10, name="signup"), "custom")  # events only: cached buckets recomputed, same
    assert series(chdb_store, r) == later


def test_the_open_minute_is_read_with_the_sums_and_follows_each_write(chdb_store):
    now = this_minute()
    r = Range("s", now - timedelta(minutes=30), now + timedelta(minutes=1))
    chdb_store.insert(events(now - timedelta(minutes=20), 200), "a")
    chdb_store.insert(events(now, 3, seconds=1), "open")
    series(chdb_store, r)
    queries = []
    rows = chdb_store._rows
    chdb_store._rows = lambda text, params: queries.append(text) or rows(text, params)
    for k in range(3):
        chdb_store.insert(events(now, 2, seconds=1, visitors=2, first=50 + 2 * k), f"more{k}")
        got = series(chdb_store, r)
        assert got == scan(chdb_store, r)
        assert got[-1] == Bucket(now, 3 + 2 * (k + 1), 3 + 2 * (k + 1))
    assert len(queries) == 3  # one query a read: nothing else changed


def test_a_replayed_block_counts_twice_as_before_and_the_events_dropping_it_changes_nothing(chdb_store):
    start = this_minute() - timedelta(minutes=5)
    r = Range("s", start, start + timedelta(minutes=10))
    b = events(start, 100)
    chdb_store.insert(b, "a")
    chdb_store.insert(b, "b")  # a replay under a new token: the rollup counts it again (see the writer's guard)
    doubled = series(chdb_store, r)
    assert sum(x.views for x in doubled) == 200
    chdb_store.client.command(f"OPTIMIZE TABLE {chdb_store.db}.events FINAL")  # the events drop the copy
    chdb_store.minutes = type(chdb_store.minutes)()  # a fresh process: the events no longer match the sums
    assert series(chdb_store, r) == doubled  # served from the states instead
    assert [(x.t, x.visitors) for x in doubled] == [(x.t, x.visitors) for x in scan(chdb_store, r)]


def test_a_range_not_on_minute_boundaries_counts_whole_minutes(chdb_store):
    now = this_minute()
    start = now - timedelta(minutes=4)
    chdb_store.insert(events(start, 120, seconds=3), "a")
    r = Range("s", start + timedelta(seconds=30), now + timedelta(seconds=30))
    whole = Range("s", start + timedelta(minutes=1), now + timedelta(minutes=1))
    assert series(chdb_store, r) == scan(chdb_store, whole)

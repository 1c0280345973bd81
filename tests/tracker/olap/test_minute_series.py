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


def spy(store) -> list[str]:
    """The text of every read the store runs from now on."""
    queries = []
    rows, raw = store._rows, store._bytes
    store._rows = lambda text, params: queries.append(text) or rows(text, params)
    store._bytes = lambda text, params: queries.append(text) or raw(text, params)
    return queries


def test_the_open_minute_is_read_after_the_sums_and_follows_each_write(chdb_store):
    now = this_minute()
    r = Range("s", now - timedelta(minutes=30), now + timedelta(minutes=1))
    chdb_store.insert(events(now - timedelta(minutes=20), 200), "a")
    chdb_store.insert(events(now, 3, seconds=1), "open")
    series(chdb_store, r)
    queries = spy(chdb_store)
    for k in range(3):
        chdb_store.insert(events(now, 2, seconds=1, visitors=2, first=50 + 2 * k), f"more{k}")
        got = series(chdb_store, r)
        assert got == scan(chdb_store, r)
        assert got[-1] == Bucket(now, 3 + 2 * (k + 1), 3 + 2 * (k + 1))
    assert len(queries) == 6  # the sums, then the open minutes (written to): nothing else changed
    assert series(chdb_store, r) == got and len(queries) == 7  # nothing written: the sums alone


def test_a_store_with_read_connections_reads_the_open_minutes_beside_the_sums(chdb_client):
    import clickhouse_connect

    from tracker.olap.clickhouse import ClickHouseStore

    readers = [clickhouse_connect.get_client(dsn=f"chdb://{chdb_client.path}") for _ in range(2)]
    store = ClickHouseStore(chdb_client, f"t_{uuid.uuid4().hex[:12]}", readers)
    try:
        store.migrate()
        now = this_minute()
        r = Range("s", now - timedelta(minutes=30), now + timedelta(minutes=1))
        store.insert(events(now - timedelta(minutes=20), 200), "a")
        assert series(store, r) == scan(store, r)
        queries = spy(store)
        for k in range(3):
            store.insert(events(now, 2, seconds=1, visitors=2, first=50 + 2 * k), f"more{k}")
            got = series(store, r)
            assert got == scan(store, r) and got[-1] == Bucket(now, 2 * (k + 1), 2 * (k + 1))
        assert len(queries) == 6  # two a read, side by side
        store.insert(events(now - timedelta(minutes=25), 4, seconds=1, visitors=4, first=900), "late")
        assert series(store, r) == scan(store, r)
    finally:
        store._side.shutdown()
        store.reads.close()  # the session's client (the writer) stays open for the other tests
        chdb_client.command(f"DROP DATABASE IF EXISTS {store.db} SYNC")


@pytest.mark.parametrize("old", [False, True], ids=["recent", "old"])
def test_a_late_event_into_a_cached_minute_is_seen_on_the_next_read(chdb_store, old):
    """Every minute of the range cached (and, when old, closed): a late event into one of them
    moves its count, so that minute alone is recounted; a second one into the same minute too."""
    start = OLD if old else this_minute() - timedelta(minutes=40)
    r = Range("s", start, start + timedelta(minutes=30))
    for k in range(3):
        chdb_store.insert(events(start + timedelta(minutes=10 * k), 200, visitors=40, first=100 * k), f"a{k}")
    first = series(chdb_store, r)
    chdb_store.close_minutes(r.start, r.end)
    assert series(chdb_store, r) == first == scan(chdb_store, r) and len(first) == 30
    queries = spy(chdb_store)
    late = start + timedelta(minutes=17)
    chdb_store.insert(events(late, 1, visitors=1, first=5000), "late")
    second = series(chdb_store, r)
    assert second == scan(chdb_store, r)
    assert [(b.t, b.views, b.visitors) for b, a in zip(second, first, strict=True) if a != b] == [
        (late, first[17].views + 1, first[17].visitors + 1)]
    # the sums, then that one minute: from the events when recent; when old, its closing (stale
    # now) and its states
    assert len(queries) == (3 if old else 2)
    chdb_store.insert(events(late, 1, visitors=1, first=5000), "again")  # a known visitor: a view, no visitor
    third = series(chdb_store, r)
    assert third == scan(chdb_store, r) and third[17] == Bucket(late, first[17].views + 2, first[17].visitors + 1)


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


def test_minute_sums_bind_whole_seconds_and_keep_the_bounds_of_a_fractional_range(chdb_store):
    start = OLD.replace(minute=30)
    chdb_store.insert(events(start, 60, seconds=20), "a")  # minutes 10:30-10:39, six events each

    def minutes(r):
        text, params = sql.minute_sums(chdb_store.db, r)
        assert "DateTime64" not in text and isinstance(params["lo"], int)
        t, v, e = sql.columns(chdb_store.client.raw_query(text, parameters=params, fmt="RowBinary"), sql.MINUTE_SUMS_ROW)
        return [(datetime.fromtimestamp(int(x), UTC).minute, int(n)) for x, n in zip(t, v)]

    assert minutes(Range("s", start, start + timedelta(minutes=3))) == [(30, 6), (31, 6), (32, 6)]
    ms = timedelta(milliseconds=1)  # a bound a millisecond past a minute leaves that minute out, as before
    assert minutes(Range("s", start + ms, start + timedelta(minutes=3) + ms)) == [(31, 6), (32, 6), (33, 6)]
    with pytest.raises(ValueError):
        sql.minute_sums(chdb_store.db, Range("s", start, start + timedelta(minutes=3), path="/"))

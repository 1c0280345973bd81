"""The hourly and daily site series on real chDB: served from the bucket cache, the rollups and
(for the open hour) the events, they must equal a scan of the events as writes arrive."""

from datetime import UTC, datetime, timedelta

import pytest

from tracker.model import Bucket, Range, SeriesQuery
from tracker.olap import sql
from tracker.olap.clickhouse import _runs
from tracker.olap.schema import COUNTED

from .test_minute_series import events, this_minute

pytestmark = pytest.mark.integration
OLD = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)


def scan(store, r: Range, interval: str) -> list[Bucket]:
    bucket = {"1h": "toStartOfHour", "1d": "toStartOfDay"}[interval]
    rows = store.client.query(
        f"SELECT {bucket}(ts) AS t, count(), uniqCombined(12)(visitor) FROM {store.db}.events FINAL "
        f"WHERE site = {{site:String}} AND toStartOfMinute(ts) >= {{start:DateTime64(3, 'UTC')}} "
        f"AND toStartOfMinute(ts) < {{end:DateTime64(3, 'UTC')}} AND {COUNTED} GROUP BY t ORDER BY t",
        parameters=sql._params(r)).result_rows
    return [Bucket(t.replace(tzinfo=UTC), v, u) for t, v, u in rows]


def spread(store, start, hours, token):
    for h in range(hours):  # ten minutes of events at the top of each hour
        store.insert(events(start + timedelta(hours=h, minutes=h % 50), 40 + h, visitors=5 + h % 7, first=h), f"{token}{h}")


@pytest.mark.parametrize("interval", ["1h", "1d"])
@pytest.mark.parametrize("old", [False, True], ids=["recent", "old"])
def test_hourly_and_daily_series_equal_a_scan_as_writes_arrive(chdb_store, interval, old):
    end = (OLD + timedelta(days=2) if old else this_minute() + timedelta(minutes=1))
    start = end - timedelta(hours=30, minutes=17)  # ragged at both ends
    spread(chdb_store, start, 31, "a")
    last_minute = end - timedelta(minutes=1)
    chdb_store.insert(events(last_minute, 4, seconds=1), "tail")
    r = Range("s", start, end)
    q = SeriesQuery(r, interval)
    first = chdb_store.series(q)
    assert first == scan(chdb_store, r, interval) and len(first) > 1
    assert chdb_store.series(q) == first  # from the cache
    chdb_store.insert(events(last_minute, 3, seconds=1, visitors=3, first=1000), "open")
    later = chdb_store.series(q)
    assert later == scan(chdb_store, r, interval)
    assert (later[-1].views, later[-1].visitors) == (first[-1].views + 3, first[-1].visitors + 3)
    assert later[:-1] == first[:-1]
    moved = Range("s", start + timedelta(minutes=1), end)  # the window slides: a new first span
    assert chdb_store.series(SeriesQuery(moved, interval)) == scan(chdb_store, moved, interval)


def test_a_read_with_nothing_changed_is_one_query(chdb_store):
    end = this_minute().replace(minute=0) - timedelta(hours=1)  # before the last hour: nothing from the events
    spread(chdb_store, end - timedelta(hours=5), 5, "a")
    q = SeriesQuery(Range("s", end - timedelta(hours=5, minutes=30), end), "1h")
    chdb_store.series(q)
    queries = []
    rows = chdb_store._rows
    chdb_store._rows = lambda text, params: queries.append(text) or rows(text, params)
    chdb_store.series(q)
    assert len(queries) == 1 and "uniqCombined" not in queries[0]


def test_runs_of_consecutive_buckets():
    assert _runs([0, 3600, 7200, 18000, 86400], 3600) == [(0, 10800), (18000, 21600), (86400, 90000)]
    assert _runs([], 3600) == []


@pytest.mark.parametrize("interval", ["1h", "1d"])
def test_a_sole_writer_reads_only_the_buckets_from_the_one_under_way(chdb_store, monkeypatch, interval):
    """The writer's own store keeps a series' finished buckets' plain sums: while inserts touch
    only the bucket under way, a read skips the sums read and recomputes that bucket alone; a
    late event in a finished hour, or a repair, brings the sums read back. Each answer equals a
    scan of the events."""
    import types

    from tracker.olap import clickhouse

    chdb_store.sole_writer()
    now = this_minute()
    frozen = now.timestamp() + 20  # the store's clock: an hour or a day turning over mid-test would move the bucket under way
    monkeypatch.setattr(clickhouse, "time", types.SimpleNamespace(time=lambda: frozen))
    step = 3600 if interval == "1h" else 86400
    start = datetime.fromtimestamp((now.timestamp() - 30 * 3600) // step * step, UTC)  # whole buckets from the start
    end = now + timedelta(minutes=1)
    spread(chdb_store, start, 30, "a")
    chdb_store.insert(events(now, 4, seconds=1), "tail")
    r = Range("s", start, end)
    q = SeriesQuery(r, interval)
    assert chdb_store.series(q) == scan(chdb_store, r, interval)  # reads the sums, keeps the finished ones
    texts = []
    rows = chdb_store._rows
    monkeypatch.setattr(chdb_store, "_rows", lambda text, params, *a: texts.append(text) or rows(text, params, *a))
    sums_text = sql.bucket_sums(chdb_store.db, q)[0]
    for i in range(2):  # only the bucket under way grows
        chdb_store.insert(events(now, 3, seconds=1, visitors=3, first=1000 + 10 * i), f"open{i}")
        assert chdb_store.series(q) == scan(chdb_store, r, interval)
    assert texts and sums_text not in texts
    later = Range("s", start + timedelta(seconds=step), end)  # the window moves on by a bucket: still kept
    assert chdb_store.series(SeriesQuery(later, interval)) == scan(chdb_store, later, interval)
    assert sums_text not in texts and sql.bucket_sums(chdb_store.db, SeriesQuery(later, interval))[0] not in texts
    chdb_store.insert(events(start + timedelta(hours=3), 5, seconds=1, visitors=5, first=2000), "late")  # a finished hour
    assert chdb_store.series(q) == scan(chdb_store, r, interval)
    assert texts.count(sums_text) == 1
    assert chdb_store.series(q) == scan(chdb_store, r, interval)  # kept again
    assert texts.count(sums_text) == 1
    chdb_store._changed()  # a repair or a restore: nothing kept holds
    assert chdb_store.series(q) == scan(chdb_store, r, interval)
    assert texts.count(sums_text) == 2

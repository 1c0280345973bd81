"""The closed minutes' sums a sole-writer store keeps between minute-series reads (tracker.olap.minute_sums)."""

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tracker.event import TrackingEvent
from tracker.model import Range, SeriesQuery
from tracker.olap.minute_sums import MinuteSums
from tracker.olap.port import StagedBatch


def test_kept_sums_are_served_until_an_insert_touches_their_minutes():
    sums = MinuteSums()
    as_of = sums.mark()
    sums.put("s", 600, np.array([1, 2, 3]), np.array([1, 2, 4]), as_of)
    views, events = sums.get("s", 660, 780)
    assert views.tolist() == [2, 3] and events.tolist() == [2, 4]
    assert sums.get("s", 540, 780) is None and sums.get("s", 600, 840) is None  # outside the window
    sums.touch([("s", 900), ("t", 660)])  # other minutes, another site
    assert sums.get("s", 600, 780) is not None
    sums.touch([("s", 660)])
    assert sums.get("s", 600, 780) is None and sums.get("s", 720, 780) is not None
    sums.drop()
    assert sums.get("s", 720, 780) is None


def test_sums_read_before_an_insert_noted_after_the_mark_are_not_trusted():
    sums = MinuteSums()
    as_of = sums.mark()
    sums.touch([("s", 600)])  # landed while the read ran: its sums may or may not hold it
    sums.put("s", 600, np.array([1]), np.array([1]), as_of)
    assert sums.get("s", 600, 660) is None


def _events(n, at, start=0):
    b = StagedBatch()
    for i in range(start, start + n):
        ts = at + timedelta(seconds=i % 50)
        b.append(TrackingEvent(event_id=str(uuid.uuid4()), ts=ts, received_at=ts, site="s", path="/",
                               visitor=f"{i % 7:016x}"), "tessera.events", 0, i)
    return b


@pytest.mark.integration
def test_a_sole_writer_store_reads_only_the_open_minutes_and_still_answers_exactly(chdb_store, monkeypatch):
    from tracker.olap import sql

    import types

    from tracker.olap import clickhouse

    chdb_store.sole_writer()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    frozen = now.timestamp() + 20  # the store's clock: a minute turning over mid-test would move open_from
    monkeypatch.setattr(clickhouse, "time", types.SimpleNamespace(time=lambda: frozen))
    day = Range("s", now - timedelta(hours=3), now + timedelta(minutes=1))
    chdb_store.insert(_events(30, now - timedelta(hours=2)), "tessera.events/0/0-29")
    chdb_store.insert(_events(10, now, start=30), "tessera.events/0/30-39")
    reads = []
    real = sql.minute_sums
    monkeypatch.setattr(sql, "minute_sums", lambda *a: reads.append(a) or real(*a))

    def total():
        return sum(b.views for b in chdb_store.series(SeriesQuery(day, "1m")))

    assert total() == 40 and len(reads) == 1
    chdb_store.insert(_events(5, now, start=40), "tessera.events/0/40-44")  # the open minute
    assert total() == 45 and len(reads) == 1  # closed minutes untouched: no sums read
    chdb_store.insert(_events(3, now - timedelta(hours=2), start=45), "tessera.events/0/45-47")  # a late event
    assert total() == 48 and len(reads) == 2
    assert total() == 48 and len(reads) == 2


def test_the_hours_an_insert_touched_since_a_mark_are_known_per_site():
    sums = MinuteSums()
    sums.touch([("s", 3600 + 60), ("s", 7200 + 120)])
    mark = sums.mark()
    assert not sums.hours_touched("s", mark, 7200 + 3600)  # nothing since the mark
    sums.touch([("s", 7200 + 180), ("t", 60)])  # the hour from 7200 again; another site's hour 0
    assert not sums.hours_touched("s", mark, 7200)  # hours before 7200 untouched since
    assert sums.hours_touched("s", mark, 7200 + 3600)
    assert sums.hours_touched("t", mark, 3600) and not sums.hours_touched("u", mark, 10**9)
    later = sums.mark()
    sums.drop()  # a repair: nothing noted before it holds
    assert sums.hours_touched("s", later, 0) and not sums.hours_touched("s", sums.mark(), 10**9)


def test_a_site_touching_more_hours_than_kept_counts_as_touching_every_earlier_hour():
    from tracker.olap import minute_sums

    sums = MinuteSums()
    mark = sums.mark()
    sums.touch([("s", 3600 * (100 + i)) for i in range(minute_sums.HOURS_KEPT + 1)])  # a replayed backlog
    assert sums.hours_touched("s", mark, 1)  # collapsed: before any hour
    assert not sums.hours_touched("s", sums.mark(), 10**9)

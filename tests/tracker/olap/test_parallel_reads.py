"""Reads on the store's pool of chDB connections run side by side, while the writer inserts:
each answer equals the one a serial run gave, the rows being written show up whole, never
half (real chDB, one engine, real rows through the real insert)."""

import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from tracker.event import TrackingEvent
from tracker.olap.clickhouse import ClickHouseStore
from tracker.olap.port import StagedBatch
from tracker.model import BreakdownQuery, Range, Scope, SeriesQuery, TopQuery

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # the settled day the reads ask about
SITE = "demo.local"
PAGES = ["/", "/pricing", "/blog", "/about"]
AGENTS = [("Chrome", "Windows", "desktop"), ("Safari", "iOS", "mobile"), ("Firefox", "Linux", "desktop")]


def rows(n: int, start: datetime, first_id: int, seed: int, span_s: int = 8 * 3600) -> list[TrackingEvent]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        ts = start + timedelta(seconds=rng.randrange(span_s))
        browser, os_, device = rng.choice(AGENTS)
        out.append(TrackingEvent(event_id=str(uuid.UUID(int=first_id + i)), ts=ts, received_at=ts, site=SITE,
                                 path=rng.choice(PAGES), referrer_host=rng.choice(["", "news.example"]),
                                 visitor=f"{rng.randrange(80):016x}", browser=browser, os=os_, device=device))
    return out


def insert(store: ClickHouseStore, events: list[TrackingEvent], token: str) -> None:
    b = StagedBatch()
    for i, e in enumerate(events):
        b.append(e, "tessera.events", 0, i)
    store.insert(b, token)


DAY = Range(SITE, T0, T0 + timedelta(hours=8))
SCOPE = Scope(SITE, T0, T0 + timedelta(hours=8))


def dashboard(store: ClickHouseStore) -> list:
    """The reads of the default layout: series, top pages and referrers, totals, breakdowns, summary."""
    return [
        lambda: store.series(SeriesQuery(DAY, "1h")),
        lambda: store.series(SeriesQuery(Range(SITE, T0, T0 + timedelta(hours=2)), "1m")),
        lambda: store.series(SeriesQuery(Range(SITE, T0, DAY.end, filters=(("browser", "Chrome"),)), "1h")),
        lambda: store.top(TopQuery(DAY, "path", 10)),
        lambda: store.top(TopQuery(DAY, "referrer_host", 10)),
        lambda: store.totals(DAY),
        lambda: store.breakdown(BreakdownQuery(SCOPE, "device", 10)),
        lambda: store.breakdown(BreakdownQuery(Scope(SITE, T0, DAY.end, (("path", "/pricing"),)), "browser", 10)),
        lambda: store.summary(SCOPE),
    ]


def test_concurrent_reads_while_inserting_equal_a_serial_run(pooled):
    insert(pooled, rows(3000, T0, 1, seed=1), "settled")
    reads = dashboard(pooled)
    serial = [read() for read in reads]
    assert serial[5].views == 3000 and sum(r.views for r in serial[6]) == 3000

    # the writer keeps inserting into the current hour of the same site (the same tables and rollups)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    live = Range(SITE, now - timedelta(hours=1), now + timedelta(hours=2))
    stop, inserted, seen, errors = threading.Event(), [0], [], []

    def writer():
        try:
            k = 0
            while not stop.is_set() or k < 3:
                insert(pooled, rows(200, now, 1_000_000 + k * 200, seed=100 + k, span_s=3000), f"live-{k}")
                k += 1
                inserted[0] = k * 200
        except Exception as exc:  # surfaced by the assertions below
            errors.append(exc)

    def watch():  # the live range only grows, a batch at a time: each insert shows whole or not at all
        while not stop.is_set():
            before = inserted[0]
            views = pooled.totals(live).views
            seen.append((before, views))

    w = threading.Thread(target=writer)
    w.start()
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(6) as pool:
            for _ in range(4):
                futures = [pool.submit(read) for read in reads * 2]
                answers = [f.result() for f in futures]
                assert answers == serial * 2
    finally:
        stop.set()
        w.join()
        watcher.join()
    assert not errors
    assert len({v for _, v in seen}) > 1  # the reads ran while rows landed
    assert seen and all(v % 200 == 0 and v >= before for before, v in seen)
    assert [v for _, v in seen] == sorted(v for _, v in seen)
    assert pooled.totals(live).views == inserted[0]
    assert [read() for read in reads] == serial  # the settled day is untouched


def test_reads_on_distinct_connections_overlap(pooled):
    """The pool is what makes them parallel: four reads of 0.4 s each on its four connections
    take about 0.4 s, not the 1.6 s they take one after the other on one client."""
    text = "SELECT sleep({s:Float64})"
    spans = []

    def timed(_):
        a = time.perf_counter()
        pooled._rows(text, {"s": 0.4})
        spans.append((a, time.perf_counter()))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(timed, range(4)))
    assert all(a1 < b0 and a0 < b1 for i, (a0, b0) in enumerate(spans) for a1, b1 in spans[i + 1:])
    assert max(b for _, b in spans) - min(a for a, _ in spans) < 1.2


def test_migrate_holds_every_read_connection(pooled):
    got = []
    with pooled.lock, pooled.reads.exclusive():
        t = threading.Thread(target=lambda: got.append(pooled.totals(DAY)))
        t.start()
        t.join(0.3)
        assert t.is_alive() and not got  # waits for the migration
    t.join()
    assert got[0].views == 0


def test_a_store_without_readers_shares_its_client(chdb_store):
    assert len(chdb_store.reads) == 0
    with chdb_store.lock:
        t = threading.Thread(target=lambda: chdb_store.totals(DAY))
        t.start()
        t.join(0.3)
        assert t.is_alive()
    t.join()

"""Breakdowns and KPI summaries on the real ClickHouse adapter (chDB): every route through
the rollup, its ragged edges and the raw fallback gives what the exact in-memory fake gives."""

import itertools
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from tracker.event import TrackingEvent
from tracker.olap import breakdowns
from tracker.olap.memory import MemoryStore
from tracker.olap.port import StagedBatch
from tracker.query.app import create_app
from tracker.model import DIMENSIONS, BreakdownQuery, Scope
from tracker.query.settings import QuerySettings

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PAGES = ["/", "/pricing", "/blog/o'reilly", "/about"]
REFERRERS = ["", "news.example", "search.example", "back\\slash\ttab"]  # escapes in a bound key
AGENTS = [("Chrome", "Windows", "desktop"), ("Safari", "iOS", "mobile"), ("Firefox", "Linux", "desktop"),
          ("Chrome", "Android", "mobile")]
CAMPAIGNS = [("", "", ""), ("newsletter", "email", "winter"), ("google", "cpc", "tents")]


def events(n: int = 900, seed: int = 7) -> list[TrackingEvent]:
    """Visitors browsing 1-4 pages a few minutes apart, engaged time on most pages, some bots."""
    rng, out, t = random.Random(seed), [], T0
    while len(out) < n:
        visitor = f"{rng.randrange(60):016x}"
        browser, os_, device = rng.choice(AGENTS)
        source, medium, campaign = rng.choice(CAMPAIGNS)
        referrer, bot = rng.choice(REFERRERS), rng.random() < 0.05
        at = t
        for _ in range(rng.choice([1, 1, 2, 3, 4])):
            common = dict(site="demo.local", path=rng.choice(PAGES), referrer_host=referrer, visitor=visitor,
                          browser=browser, os=os_, device=device, utm_source=source, utm_medium=medium,
                          utm_campaign=campaign, is_bot=bot)
            out.append(TrackingEvent(event_id=str(uuid.UUID(int=len(out) + 1)), ts=at, received_at=at, **common))
            if rng.random() < 0.7:
                out.append(TrackingEvent(event_id=str(uuid.UUID(int=len(out) + 1)), ts=at + timedelta(seconds=20),
                                         received_at=at, name="engagement",
                                         props={"engaged_ms": str(rng.randrange(1000, 90_000))}, **common))
            at += timedelta(seconds=rng.randrange(10, 400))
        t += timedelta(seconds=rng.randrange(1, 40))
    return out


def load(store, rows):
    b = StagedBatch()
    for i, e in enumerate(rows):
        b.append(e, "tessera.events", 0, i)
    store.insert(b, "test/0")


@pytest.fixture(scope="module")
def stores(chdb_client):
    from tracker.olap.clickhouse import ClickHouseStore

    chdb = ClickHouseStore(chdb_client, f"t_{uuid.uuid4().hex[:12]}")
    chdb.migrate()
    fake, rows = MemoryStore(), events()
    load(chdb, rows)
    load(fake, rows)
    yield chdb, fake, rows
    chdb_client.command(f"DROP DATABASE IF EXISTS {chdb.db} SYNC")


RANGES = [
    (T0, T0 + timedelta(hours=8)),  # whole hours only
    (T0 + timedelta(minutes=17), T0 + timedelta(hours=3, minutes=41)),  # ragged edges around whole hours
    (T0 + timedelta(minutes=5), T0 + timedelta(minutes=50)),  # inside one hour: events only
]
FILTER_SETS = [{}, {"path": "/pricing"}, {"referrer_host": "news.example"}, {"browser": "Chrome"},
               {"path": "/", "referrer_host": ""}, {"path": "/", "device": "mobile"},
               {"browser": "Chrome", "os": "Android"}, {"utm_campaign": "winter", "utm_medium": "email"},
               {"path": "/blog/o'reilly", "os": "iOS"},  # a quote in a bound key, and a value fixed in it
               {"referrer_host": "back\\slash\ttab", "browser": "Chrome"}]


@pytest.mark.parametrize("span", RANGES, ids=["hours", "ragged", "sub-hour"])
def test_every_dimension_under_every_filter_set_matches_the_exact_fake(stores, span):
    chdb, fake, _ = stores
    for filters, dim, limit in itertools.product(FILTER_SETS, DIMENSIONS.values(), (50, 2)):
        q = BreakdownQuery(Scope("demo.local", *span, tuple(filters.items())), dim, limit)
        assert chdb.breakdown(q) == fake.breakdown(q), (filters, dim, limit)


def test_the_rollup_answers_single_filters_and_page_or_referrer_pairs_and_the_rest_scans():
    assert breakdowns.plan({}, "browser") == ("", "", "browser", None)
    assert breakdowns.plan({"browser": "Chrome"}, "browser") == ("", "", "browser", "Chrome")
    assert breakdowns.plan({"path": "/"}, "browser") == ("path", "/", "browser", None)
    assert breakdowns.plan({"path": "/", "os": "iOS"}, "os") == ("path", "/", "os", "iOS")
    assert breakdowns.plan({"browser": "Chrome"}, "os") is None  # a rare combination: raw scan
    assert breakdowns.plan({"path": "/", "os": "iOS"}, "device") is None
    assert breakdowns.plan({}, None)[:2] == ("", "")
    assert breakdowns.plan({"os": "iOS"}, None) == ("", "", "os", "iOS")
    assert breakdowns.plan({"referrer_host": "a", "os": "iOS"}, None) == ("referrer_host", "a", "os", "iOS")


@pytest.mark.parametrize("span", RANGES, ids=["hours", "ragged", "sub-hour"])
def test_summaries_match_the_exact_fake(stores, span):
    chdb, fake, _ = stores
    for filters in FILTER_SETS:
        s = Scope("demo.local", *span, tuple(filters.items()))
        assert chdb.summary(s) == fake.summary(s), filters


def test_breakdown_api_answers_rows_and_watermark(stores):
    chdb, fake, rows = stores
    app = create_app(chdb, QuerySettings(olap_dsn="chdb:///unused"), clock=lambda: T0 + timedelta(hours=8))
    with TestClient(app) as c:
        body = c.get("/api/v1/metrics/breakdown", params={
            "site": "demo.local", "dimension": "browser", "page": "/pricing", "from": "2026-11-22T09:00:00Z",
            "limit": "2"}).json()
        assert body["dimension"] == "browser" and body["filters"] == {"page": "/pricing"} and body["limit"] == 2
        assert body["watermark"] == max(e.received_at for e in rows).strftime("%Y-%m-%dT%H:%M:%SZ")
        expected = fake.breakdown(BreakdownQuery(Scope("demo.local", T0, T0 + timedelta(hours=8),
                                                       (("path", "/pricing"),)), "browser", 2))
        assert body["rows"] == [{"value": r.value, "views": r.views, "visitors": r.visitors} for r in expected]
        assert len(body["rows"]) == 2 and body["rows"][0]["views"] >= body["rows"][1]["views"] > 0
        direct = c.get("/api/v1/metrics/breakdown", params={
            "site": "demo.local", "dimension": "page", "referrer": "", "from": "2026-11-22T09:00:00Z"}).json()
        assert direct["filters"] == {"referrer": ""} and direct["rows"]


def test_summary_api_gives_kpis_and_the_previous_period(stores):
    chdb, fake, _ = stores
    app = create_app(chdb, QuerySettings(olap_dsn="chdb:///unused"), clock=lambda: T0 + timedelta(hours=8))
    with TestClient(app) as c:
        body = c.get("/api/v1/metrics/summary", params={
            "site": "demo.local", "from": "2026-11-22T10:00:00Z", "to": "2026-11-22T11:00:00Z"}).json()
    cur, prev = body["current"], body["previous"]
    assert body["watermark"] and prev["from"] == "2026-11-22T09:00:00Z" and prev["to"] == "2026-11-22T10:00:00Z"
    expected = fake.summary(Scope("demo.local", T0 + timedelta(hours=1), T0 + timedelta(hours=2)))
    assert cur["views"] == expected.views > 0 and cur["visits"] == expected.visits > 0
    assert 0 < cur["bounce_rate"] < 1 and cur["views_per_visit"] > 1 and cur["engaged_median_s"] > 1
    assert prev["views"] > 0 and prev["bounce_rate"] is not None


def test_ranges_over_days_read_the_day_rollup_and_still_match(chdb_client):
    from tracker.olap.clickhouse import ClickHouseStore

    chdb, fake = ClickHouseStore(chdb_client, f"t_{uuid.uuid4().hex[:12]}"), MemoryStore()
    chdb.migrate()
    try:
        rows = [e.__class__(**{**{f: getattr(e, f) for f in e.__struct_fields__},
                               "ts": T0 + (e.ts - T0) * 60, "received_at": T0 + (e.ts - T0) * 60})
                for e in events(700, seed=11)]  # the same journeys stretched over ~3 days
        assert rows[-1].ts - rows[0].ts > timedelta(days=2)
        load(chdb, rows)
        load(fake, rows)
        spans = [(T0 - timedelta(hours=9), T0 + timedelta(days=3)),  # hours, two whole days, hours
                 (T0.replace(hour=0) + timedelta(days=1), T0.replace(hour=0) + timedelta(days=2)),  # one day
                 (T0 + timedelta(minutes=7), T0 + timedelta(days=2, minutes=50))]  # edges too
        for span, filters in itertools.product(spans, FILTER_SETS[:6]):
            for dim in DIMENSIONS.values():
                q = BreakdownQuery(Scope("demo.local", *span, tuple(filters.items())), dim, 50)
                assert chdb.breakdown(q) == fake.breakdown(q), (span, filters, dim)
            s = Scope("demo.local", *span, tuple(filters.items()))
            assert chdb.summary(s) == fake.summary(s), (span, filters)
        text, params = breakdowns.breakdown(chdb.db, BreakdownQuery(Scope("demo.local", *spans[0]), "os", 5))
        assert ".breakdown_span" in text and ".events" not in text and {k[4] for k in params["keys"]} == {3600, 14400, 86400}
        text, params = breakdowns.breakdown(chdb.db, BreakdownQuery(Scope("demo.local", *spans[2]), "os", 5))
        assert 43200 in {k[4] for k in params["keys"]}  # 47 hours from 10:00: 12-hour spans among them
        assert ".breakdown_hour" not in text and ".breakdown_day" not in text  # the spans, one table
    finally:
        chdb_client.command(f"DROP DATABASE IF EXISTS {chdb.db} SYNC")


def test_the_known_values_plan_merges_only_those_and_flags_the_others(stores):
    chdb, fake, _ = stores
    q = BreakdownQuery(Scope("demo.local", T0, T0 + timedelta(hours=8)), "path", 3)
    expected = fake.breakdown(q)
    assert len(expected) == 3
    text, params = breakdowns.breakdown(chdb.db, q, known=tuple(r.value for r in expected))
    rows = chdb._rows(text, params)
    assert [(r[0], r[1], r[2]) for r in rows] == [(r.value, r.views, r.visitors) for r in expected]
    assert all(r[3] for r in rows)
    text, params = breakdowns.breakdown(chdb.db, q, known=(expected[0].value,))  # the others unknown
    rows = chdb._rows(text, params)
    assert [(r[0], r[1]) for r in rows] == [(r.value, r.views) for r in expected]
    assert [bool(r[3]) for r in rows] == [True, False, False] and rows[1][2] == rows[2][2] == 0


def test_a_breakdown_planned_from_the_last_answer_stays_exact_when_the_ranking_moves(chdb_client):
    from tracker.olap.clickhouse import ClickHouseStore

    chdb, fake = ClickHouseStore(chdb_client, f"t_{uuid.uuid4().hex[:12]}"), MemoryStore()
    chdb.migrate()
    try:
        rows = events(600, seed=5)
        load(chdb, rows)
        load(fake, rows)
        span = (T0, T0 + timedelta(hours=8))
        for filters in ({}, {"referrer_host": "news.example"}):
            q = BreakdownQuery(Scope("demo.local", *span, tuple(filters.items())), "path", 2)
            first = chdb.breakdown(q)
            assert first == fake.breakdown(q)
            shape = ("demo.local", "path", tuple(filters))
            assert chdb.answered[shape] == (tuple(r.value for r in first), False)
            assert chdb.breakdown(q) == first  # now from the one-read plan
        last = fake.breakdown(BreakdownQuery(Scope("demo.local", *span), "path", 50))[-1].value
        extra = StagedBatch()  # the least viewed page becomes the most viewed (a few visitors: uniqCombined stays exact)
        for i in range(400):
            e = TrackingEvent(event_id=str(uuid.UUID(int=10_000 + i)), ts=T0 + timedelta(minutes=30, seconds=i),
                              received_at=T0, site="demo.local", path=last, referrer_host="news.example",
                              visitor=f"{1000 + i % 10:016x}", browser="Chrome", os="Windows", device="desktop")
            extra.append(e, "tessera.events", 0, 1000 + i)
        chdb.insert(extra, "test/1")
        fake.insert(extra, "test/1")
        for filters in ({}, {"referrer_host": "news.example"}):
            q = BreakdownQuery(Scope("demo.local", *span, tuple(filters.items())), "path", 2)
            got = chdb.breakdown(q)
            assert got == fake.breakdown(q) and got[0].value == last, filters
        q = BreakdownQuery(Scope("demo.local", *span), "path", 50)  # a longer answer than the one remembered
        assert chdb.breakdown(q) == fake.breakdown(q)
    finally:
        chdb_client.command(f"DROP DATABASE IF EXISTS {chdb.db} SYNC")


def test_whole_hours_are_tiled_by_the_fewest_spans_in_one_read():
    from tracker.olap.schema import SPAN_WINDOWS

    day = datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert breakdowns._segments(day, day + timedelta(hours=25)) == [  # the API's "last 24 h": two 12-hour spans, an hour
        (43200, day, day + timedelta(hours=24)), (3600, day + timedelta(hours=24), day + timedelta(hours=25))]
    midnight = day.replace(hour=0)
    assert breakdowns._segments(midnight, midnight + timedelta(hours=25)) == [
        (86400, midnight, midnight + timedelta(days=1)), (3600, midnight + timedelta(days=1), midnight + timedelta(hours=25))]
    start = datetime(2026, 11, 22, 9, tzinfo=UTC)
    assert [(s, lo.hour, hi.hour) for s, lo, hi in breakdowns._segments(start, start + timedelta(days=7, hours=4))] == [
        (3600, 9, 12), (43200, 12, 0), (86400, 0, 0), (43200, 0, 12), (3600, 12, 13)]
    steps = dict(SPAN_WINDOWS)
    # the most rows a value, at any start hour (the aligned hour, 4-hour and day spans took 3, 4, 7, 10, 11, 16, 39)
    for hours, most in ((3, 3), (7, 4), (13, 2), (25, 3), (49, 5), (7 * 24 + 1, 14), (30 * 24 + 1, 37)):
        for h in range(24):
            lo, hi = day.replace(hour=h), day.replace(hour=h) + timedelta(hours=hours)
            runs = breakdowns._segments(lo, hi)
            assert [r[1] for r in runs] == [lo, *(r[2] for r in runs[:-1])] and runs[-1][2] == hi  # a tiling
            keys = [(span, t) for span, a, b in runs for t in range(int(a.timestamp()), int(b.timestamp()), span)]
            assert all(t % steps[span] == 0 for span, t in keys)  # of rows the view writes
            assert sum(span for span, _ in keys) == hours * 3600 and len(keys) <= most, (hours, h, keys)
    q = BreakdownQuery(Scope("demo.local", day, day + timedelta(hours=25), (("referrer_host", "x"),)), "os", 10)
    for text in (breakdowns.breakdown("db", q, narrow=True)[0], breakdowns.breakdown("db", q, known=("a",))[0],
                 breakdowns.totals("db", q.scope)[0]):
        assert text.count(" FROM ") == 1 and "UNION" not in text, text  # each more read costs ~3.5 ms to plan
    assert "ORDER BY" not in breakdowns.breakdown("db", q, narrow=True)[0]  # ranked by the store


def test_narrow_answers_are_ranked_as_the_sql_ranks_them():
    rows = [("b", 5, 1), ("é", 9, 2), ("a", 5, 3), ("z", 9, 4), ("c", 1, 1)]
    assert breakdowns.ranked(rows, 4) == [("z", 9, 4), ("é", 9, 2), ("a", 5, 3), ("b", 5, 1)]

"""``visit_hour``: KPI summary visits added up from closed hours (``olap.visits``) equal the exact
in-memory sessionisation, across hour boundaries, for visits spanning several hours, after a
late event, and for the hour under way; where they could not (a filtered visit across two or
more boundaries whose pieces match differently) the store says so and sessionises instead."""

import itertools
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tracker.event import TrackingEvent
from tracker.model import Scope
from tracker.olap import visits
from tracker.olap.memory import MemoryStore
from tracker.olap.port import StagedBatch

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
SITE = "demo.local"


def pv(n: int, visitor: int, at: datetime, path: str = "/", referrer: str = "", browser: str = "Chrome",
       received: datetime | None = None):
    return TrackingEvent(event_id=str(uuid.UUID(int=n + 1)), ts=at, received_at=received or at, site=SITE, path=path,
                         referrer_host=referrer, visitor=f"{visitor:016x}", browser=browser, device="desktop")


def load(store, rows, token):
    b = StagedBatch()
    for i, e in enumerate(rows):
        b.append(e, "tessera.events", 0, i)
    store.insert(b, token)


def expected(fake: MemoryStore, s: Scope) -> tuple[int, int, int]:
    got = fake.summary(s)
    return got.visits, got.bounces, got.visit_views


def journeys() -> list[TrackingEvent]:
    """Visits inside an hour, across one boundary, and one visitor browsing for three hours
    (gaps of 20 minutes) whose pages change: a visit across two boundaries."""
    out, m = [], lambda h, mi: T0 + timedelta(hours=h, minutes=mi)
    plan = [
        (1, [(0, 5, "/"), (0, 9, "/pricing")]),  # inside hour 0
        (2, [(0, 50, "/"), (1, 10, "/pricing"), (1, 12, "/about")]),  # across 10:00
        (3, [(1, 55, "/about")]),  # a bounce near a boundary
        (3, [(2, 40, "/")]),  # the same visitor again, 45 min later: a second visit
        (4, [(0, 20, "/blog")] + [(0, 20 + 20 * i, "/pricing" if i % 4 == 1 else "/") for i in range(1, 9)]),
        (5, [(2, 59, "/"), (3, 1, "/")]),  # across 12:00 (the last boundary)
        (6, [(3, 30, "/pricing")]),
    ]
    for visitor, views in plan:
        for h, mi, path in views:
            out.append(pv(len(out), visitor, m(h, mi), path, "news.example" if visitor % 2 else "", 
                          "Safari" if visitor > 3 else "Chrome"))
    return out


@pytest.fixture
def stores(chdb_store):
    fake, rows = MemoryStore(), journeys()
    load(chdb_store, rows, "v/0")
    load(fake, rows, "v/0")
    return chdb_store, fake


HOURS = list(itertools.combinations(range(5), 2))
SPANS = [(T0 + timedelta(hours=a), T0 + timedelta(hours=b)) for a, b in HOURS]
KEYS = [(), (("path", "/pricing"),), (("path", "/"),), (("referrer_host", ""),), (("browser", "Safari"),),
        (("path", "/nowhere"),)]


def test_unfiltered_and_single_filter_visits_add_up_from_closed_hours(stores):
    chdb, fake = stores
    answered = 0
    for span, filters in itertools.product(SPANS, KEYS):
        s = Scope(SITE, *span, filters)
        got = chdb._closed_visits(s)
        if not filters:
            assert got is not None, span  # no filter: always exact from the rows
        if got is not None:
            answered += 1
            assert got == expected(fake, s), (span, filters)
        assert chdb.summary(s) == fake.summary(s), (span, filters)
    assert answered >= len(SPANS) * (len(KEYS) - 2)  # only the three-hour visitor's pages fall back


def test_a_filtered_visit_across_two_boundaries_with_mixed_pages_falls_back(stores):
    chdb, fake = stores
    s = Scope(SITE, T0, T0 + timedelta(hours=4), (("path", "/pricing"),))
    assert chdb._closed_visits(s) is None  # visitor 4: /pricing at 09:40, 10:40, 11:40 and / between
    assert chdb.summary(s) == fake.summary(s)
    one = Scope(SITE, T0 + timedelta(hours=1), T0 + timedelta(hours=2), (("path", "/pricing"),))
    assert chdb._closed_visits(one) == expected(fake, one)  # no boundary inside: the pieces alone


def test_a_late_event_makes_its_hour_and_the_next_stale(stores):
    chdb, fake = stores
    s = Scope(SITE, T0, T0 + timedelta(hours=4))
    assert chdb._closed_visits(s) == expected(fake, s)
    late = [pv(1000, 3, T0 + timedelta(hours=2, minutes=10)), pv(1001, 7, T0 + timedelta(hours=1, minutes=59))]
    load(chdb, late, "v/1")
    load(fake, late, "v/1")
    state = chdb._rows(*visits.state(chdb.db, s))
    assert visits.stale(state, s) == [(T0 + timedelta(hours=h)).replace(tzinfo=None) for h in (1, 2, 3)]
    assert chdb._closed_visits(s) == expected(fake, s)  # visitor 3's two visits are one now
    assert visits.stale(chdb._rows(*visits.state(chdb.db, s)), s) == []


def test_the_hour_under_way_is_read_from_the_events_and_never_closed(chdb_store):
    now = datetime.now(UTC)
    hour = now.replace(minute=0, second=0, microsecond=0)
    rows = [pv(0, 1, hour - timedelta(minutes=10), "/"), pv(1, 1, hour + timedelta(seconds=1), "/pricing", received=now),
            pv(2, 2, hour - timedelta(minutes=50))]
    fake = MemoryStore()
    load(chdb_store, rows, "u/0")
    load(fake, rows, "u/0")
    spans = [Scope(SITE, hour - timedelta(hours=1), hour + timedelta(hours=1), f) for f in KEYS[:3]]
    for s in spans:
        assert chdb_store._closed_visits(s) == expected(fake, s), s.filters
    more = [pv(3, 2, hour + timedelta(seconds=2), "/pricing", received=now)]  # a second visit of visitor 2 (50 min later)
    load(chdb_store, more, "u/1")
    load(fake, more, "u/1")
    for s in spans:
        assert chdb_store._closed_visits(s) == expected(fake, s), s.filters
        assert chdb_store.summary(s) == fake.summary(s), s.filters
    closed = chdb_store._rows(f"SELECT DISTINCT hour FROM {chdb_store.db}.visit_hour ORDER BY hour", {})
    assert [h for (h,) in closed] == [(hour - timedelta(hours=1)).replace(tzinfo=None)]  # the hour before only, once
    once = chdb_store._rows(f"SELECT count() FROM {chdb_store.db}.visit_hour WHERE kind = 0", {})
    assert once == [(1,)]


def test_a_read_closes_nothing_when_only_the_hour_under_way_changed(chdb_store, monkeypatch):
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    fake = MemoryStore()
    first = [pv(10, 1, hour - timedelta(hours=2, minutes=5)), pv(11, 1, hour - timedelta(hours=1, minutes=58), "/a"),
             pv(12, 3, hour - timedelta(minutes=3)), pv(13, 3, hour + timedelta(seconds=3), "/b", received=datetime.now(UTC))]
    load(chdb_store, first, "w/0")
    load(fake, first, "w/0")
    day = Scope(SITE, hour - timedelta(hours=23), hour + timedelta(hours=1))
    assert chdb_store.summary(day) == fake.summary(day)  # closes the finished hours once
    closes = []
    monkeypatch.setattr(chdb_store, "_close_hours", lambda site, hours: closes.append(hours) or True)
    for i in range(3):  # the hour under way grows between reads: each read stays exact, closes nothing
        more = [pv(20 + i, 3 + i % 2, hour + timedelta(seconds=10 + i), "/c", received=datetime.now(UTC))]
        load(chdb_store, more, f"w/{i + 1}")
        load(fake, more, f"w/{i + 1}")
        assert chdb_store.summary(day) == fake.summary(day)
    assert closes == []


def test_an_hour_under_way_quiet_for_a_minute_is_closed_once_and_a_new_page_view_reopens_it(chdb_store, monkeypatch):
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    monkeypatch.setattr(visits, "under_way", lambda now: hour.replace(tzinfo=None))  # the clock stays in this hour
    long_ago = datetime.now(UTC) - 2 * visits.QUIET
    fake = MemoryStore()
    rows = [pv(30, 1, hour - timedelta(minutes=20)), pv(31, 1, hour + timedelta(seconds=5), "/a", received=long_ago),
            pv(32, 2, hour + timedelta(seconds=6), "/b", received=long_ago)]
    load(chdb_store, rows, "q/0")
    load(fake, rows, "q/0")
    spans = [Scope(SITE, hour - timedelta(hours=2), hour + timedelta(hours=1), f) for f in KEYS[:3]]
    for s in spans:  # the first read closes the quiet hour under way; the next ones read its rows
        assert chdb_store._closed_visits(s) == expected(fake, s), s.filters
    hour_closed = hour.replace(tzinfo=None)
    assert visits.stale(chdb_store._rows(*visits.state(chdb_store.db, spans[0])), spans[0]) == []
    assert chdb_store._rows(f"SELECT count() FROM {chdb_store.db}.visit_hour WHERE kind = 0 AND hour = {{h:DateTime('UTC')}}",
                            {"h": hour_closed}) == [(1,)]
    more = [pv(33, 2, hour + timedelta(seconds=7), "/a", received=datetime.now(UTC))]  # traffic again: live, exact
    load(chdb_store, more, "q/1")
    load(fake, more, "q/1")
    closes = []
    real_close = chdb_store._close_hours
    monkeypatch.setattr(chdb_store, "_close_hours", lambda site, hours: closes.append(hours) or real_close(site, hours))
    for s in spans:
        assert chdb_store._closed_visits(s) == expected(fake, s), s.filters
        assert chdb_store.summary(s) == fake.summary(s), s.filters
    assert closes == []  # it just had a page view: read from the events, not closed


def test_the_newest_arrival_under_way_comes_with_the_state_read(chdb_store, monkeypatch):
    """Whether the hour under way is quiet is known from the state read itself: a summary's
    visits with a live hour are two reads (state, then the rows and the live hour), not three."""
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    monkeypatch.setattr(visits, "under_way", lambda now: hour.replace(tzinfo=None))
    now = datetime.now(UTC)
    rows = [pv(40, 1, hour - timedelta(minutes=30)), pv(41, 1, hour + timedelta(seconds=5), "/a", received=now - timedelta(seconds=5)),
            pv(42, 2, hour + timedelta(seconds=6), "/b", received=now)]
    fake = MemoryStore()
    load(chdb_store, rows, "a/0")
    load(fake, rows, "a/0")
    s = Scope(SITE, hour - timedelta(hours=2), hour + timedelta(hours=1))
    state = chdb_store._rows(*visits.state(chdb_store.db, s, hour))
    newest = visits.last_arrival(state, hour)
    assert newest is not None and abs(newest - now) < timedelta(milliseconds=1)  # stored to the millisecond
    assert visits.last_arrival(state, hour + timedelta(hours=1)) is None  # nothing arrived in a later hour
    assert not visits.quiet(newest, now)
    chdb_store._closed_visits(s)  # closes the hours before
    reads = []
    real = chdb_store._rows
    monkeypatch.setattr(chdb_store, "_rows", lambda text, params: reads.append(text) or real(text, params))
    assert chdb_store._closed_visits(s) == expected(fake, s)
    assert len(reads) == 2 and "received_max" in reads[0]
    assert chdb_store._rows(f"SELECT count() FROM {chdb_store.db}.visit_hour WHERE hour = {{h:DateTime('UTC')}}",
                            {"h": hour.replace(tzinfo=None)}) == [(0,)]  # live: read from the events, not closed


def test_hours_a_read_cannot_close_are_read_from_the_events_for_its_key(stores):
    chdb, fake = stores  # what the store does when the close fails (a read-only user, say)
    for (a, b), filters in itertools.product(HOURS, KEYS[:4]):
        s = Scope(SITE, T0 + timedelta(hours=a), T0 + timedelta(hours=b), filters)
        hours = [T0 + timedelta(hours=h) for h in range(a, b)]
        n, bounces, views, risky = chdb._rows(*visits.read(chdb.db, s, visits.key(s), hours))[0]
        if not risky:
            assert (n, bounces, views) == expected(fake, s), (a, b, filters)
    assert chdb._rows(f"SELECT count() FROM {chdb.db}.visit_hour", {}) == [(0,)]


def test_more_than_one_filter_or_a_ragged_range_is_not_read_from_the_rows(stores):
    chdb, fake = stores
    two = Scope(SITE, T0, T0 + timedelta(hours=2), (("path", "/"), ("browser", "Chrome")))
    ragged = Scope(SITE, T0 + timedelta(minutes=5), T0 + timedelta(hours=2))
    assert chdb._closed_visits(two) is None and chdb._closed_visits(ragged) is None
    assert chdb.summary(two) == fake.summary(two) and chdb.summary(ragged) == fake.summary(ragged)


def test_a_range_from_1970_looks_only_at_hours_with_page_views(stores):
    chdb, fake = stores
    s = Scope(SITE, datetime(1970, 1, 1, tzinfo=UTC), T0 + timedelta(hours=5))
    assert chdb._closed_visits(s) == expected(fake, s)
    closed = chdb._rows(f"SELECT count(DISTINCT hour) FROM {chdb.db}.visit_hour", {})[0][0]
    assert closed == 5  # 09:00-12:00 with page views, and 13:00 whose joins would read 12:00 (14:00 is out)
    long = Scope(SITE, T0 - timedelta(days=30), T0 + timedelta(days=30))
    assert chdb.summary(long) == fake.summary(long)


def test_the_unfiltered_hour_under_way_reads_as_the_general_sessionisation(chdb_store, monkeypatch):
    """The one-pass read of an unfiltered hour under way (``visits._unfiltered_hour``) against
    the general per-key SQL and the in-memory sessionisation, on random visits around the
    hour's start with gaps at and beside VISIT_GAP (1800 s)."""
    rng, rows, hour = random.Random(11), [], T0 + timedelta(hours=3)
    for visitor in range(80):
        t = hour - timedelta(seconds=rng.choice([0, 1, 1799, 1800, 1801, 3599, 3600, rng.randrange(1, 9000)]))
        for _ in range(rng.choice([1, 1, 2, 3, 6])):
            rows.append(pv(len(rows), visitor, t, rng.choice(["/", "/pricing"]), received=datetime.now(UTC)))  # arriving now
            t += timedelta(seconds=rng.choice([0, 1, 60, 1799, 1800, 1801, 2400, 4000]))
    rows = [e for e in rows if e.ts < hour + timedelta(hours=1)]
    fake = MemoryStore()
    load(chdb_store, rows, "r/0")
    load(fake, rows, "r/0")
    for back in (0, 1, 3):
        s = Scope(SITE, hour - timedelta(hours=back), hour + timedelta(hours=1))
        fast = chdb_store._rows(*visits.read(chdb_store.db, s, ("", ""), [hour]))[0]
        general = chdb_store._rows(*visits.read(chdb_store.db, s, ("", ""), [hour, hour + timedelta(hours=1)]))[0]
        assert fast == general, back  # nothing closed yet: the live hour alone (its join only inside the range)
    monkeypatch.setattr(visits, "under_way", lambda now: hour.replace(tzinfo=None))  # as if it were under way
    for back in (0, 1, 3):
        s = Scope(SITE, hour - timedelta(hours=back), hour + timedelta(hours=1))
        assert chdb_store._closed_visits(s) == expected(fake, s), back
        assert chdb_store.summary(s) == fake.summary(s), back
    hours = chdb_store._rows(f"SELECT DISTINCT hour FROM {chdb_store.db}.visit_hour", {})
    assert hour.replace(tzinfo=None) not in [h for (h,) in hours]


def test_the_usual_visits_read_goes_beside_the_state_and_is_kept_only_when_the_state_agrees(pooled, monkeypatch):
    """With finished hours closed and current, the visits read guessed beside the state read is the
    answer (one read); when the state finds hours to close, the guess is dropped and read again."""
    store = pooled
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    fake = MemoryStore()
    rows = [pv(40, 1, hour - timedelta(hours=2, minutes=5)), pv(41, 1, hour - timedelta(hours=1, minutes=58), "/a"),
            pv(42, 3, hour - timedelta(minutes=3)), pv(43, 3, hour + timedelta(seconds=3), "/b", received=datetime.now(UTC))]
    load(store, rows, "g/0")
    load(fake, rows, "g/0")
    reads = []
    real_read = visits.read
    monkeypatch.setattr(visits, "read", lambda *a: reads.append(list(a[3])) or real_read(*a))
    day = Scope(SITE, hour - timedelta(hours=23), hour + timedelta(hours=1))
    assert store.summary(day) == fake.summary(day)  # closes the finished hours: the guess is not the answer
    assert len(reads) == 2 and reads[0] == [hour.replace(tzinfo=None)]
    reads.clear()
    for i in range(3):  # only the hour under way grows: the guess is the answer, one read each time
        more = [pv(50 + i, 3 + i % 2, hour + timedelta(seconds=10 + i), "/c", received=datetime.now(UTC))]
        load(store, more, f"g/{i + 1}")
        load(fake, more, f"g/{i + 1}")
        assert store.summary(day) == fake.summary(day)
    assert len(reads) == 3


def test_a_sole_writer_skips_the_state_read_until_an_insert_touches_a_finished_hour(pooled, monkeypatch):
    """The writer's own store sees every insert: once a state read found the finished hours
    current, later summaries read the visits alone while inserts touch only the hour under way;
    a late event (a finished hour), a repair (``_changed``) or a minute's age brings the state
    read back, and each answer stays the exact sessionisation."""
    from tracker.olap import clickhouse

    store = pooled
    store.sole_writer()
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    monkeypatch.setattr(visits, "under_way", lambda now: hour.replace(tzinfo=None))  # the clock stays in this hour
    fake = MemoryStore()
    rows = [pv(60, 1, hour - timedelta(hours=2, minutes=5)), pv(61, 1, hour - timedelta(hours=1, minutes=58), "/a"),
            pv(62, 3, hour - timedelta(minutes=3)), pv(63, 3, hour + timedelta(seconds=3), "/b", received=datetime.now(UTC))]
    states = []
    real_state = visits.state
    monkeypatch.setattr(visits, "state", lambda *a: states.append(a[1]) or real_state(*a))

    def batch(events, token):
        staged = StagedBatch()
        for i, e in enumerate(events):
            staged.append(e, "tessera.events", 0, i)
        staged.minutes = frozenset((e.site, e.ts.replace(second=0, microsecond=0)) for e in events)
        store.insert(staged, token)
        load(fake, events, token)

    batch(rows, "m/0")
    day = Scope(SITE, hour - timedelta(hours=23), hour + timedelta(hours=1))
    assert store.summary(day) == fake.summary(day)  # a state read: closes the finished hours
    assert len(states) == 1
    for i in range(3):  # only the hour under way grows: no state read
        batch([pv(70 + i, 3 + i % 2, hour + timedelta(seconds=10 + i), "/c", received=datetime.now(UTC))], f"m/{i + 1}")
        assert store.summary(day) == fake.summary(day)
    assert len(states) == 1
    batch([pv(80, 1, hour - timedelta(hours=1, minutes=50), "/late")], "m/4")  # a late event: visitor 1's visit grows
    assert store.summary(day) == fake.summary(day)
    assert len(states) == 2
    assert store.summary(day) == fake.summary(day)  # closed again, current again
    assert len(states) == 2
    store._changed()  # a repair or a restore: nothing kept holds
    assert store.summary(day) == fake.summary(day)
    assert len(states) == 3
    later = clickhouse.monotonic() + visits.QUIET.total_seconds()
    monkeypatch.setattr(clickhouse, "monotonic", lambda: later)  # a minute on: the state read checks for quiet
    assert store.summary(day) == fake.summary(day)
    assert len(states) == 4

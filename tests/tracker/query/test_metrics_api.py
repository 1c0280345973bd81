"""The query API's contract (docs/contracts.md) against the in-memory OLAP fake."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from starlette.responses import JSONResponse
from starlette.testclient import TestClient

from tracker.event import TrackingEvent
from tracker.olap.memory import MemoryStore
from tracker.olap.port import StagedBatch
from tracker.query.app import create_app
from tracker.query.live import LiveFeed
from tracker.query.settings import QuerySettings

NOW = datetime(2026, 11, 22, 10, 30, 20, tzinfo=UTC)
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def store_with_events():
    store = MemoryStore()
    b = StagedBatch()
    for i in range(30):
        ts = T0 + timedelta(minutes=i % 3, seconds=i)
        e = TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts + timedelta(seconds=1),
                          site="demo.local", path=f"/p{i % 2}", visitor=f"{i % 5:016x}",
                          referrer_host="news.example" if i % 3 == 0 else "")
        b.append(e, "tessera.events", 0, i)
    store.insert(b, "t")
    return store


@pytest.fixture
def client():
    store = store_with_events()
    app = create_app(store, QuerySettings(olap_dsn="chdb:///unused"), LiveFeed(), clock=lambda: NOW)
    with TestClient(app) as c:
        c.store = store
        yield c


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_pageviews_shape_and_zero_fill(client):
    r = client.get("/api/v1/metrics/pageviews", params={
        "site": "demo.local", "from": "2026-11-22T09:58:00Z", "to": "2026-11-22T10:04:00Z", "interval": "1m"})
    assert r.status_code == 200
    body = r.json()
    assert {"site", "interval", "from", "to", "watermark", "points"} <= body.keys()
    assert body["site"] == "demo.local" and body["interval"] == "1m"
    assert body["from"] == "2026-11-22T09:58:00Z" and body["to"] == "2026-11-22T10:04:00Z"
    assert [p["t"] for p in body["points"]] == [f"2026-11-22T{h}Z" for h in
                                                ("09:58:00", "09:59:00", "10:00:00", "10:01:00", "10:02:00", "10:03:00")]
    assert [p["views"] for p in body["points"]] == [0, 0, 10, 10, 10, 0]
    assert all(set(p) == {"t", "views", "visitors"} for p in body["points"])
    assert body["watermark"] == "2026-11-22T10:02:30Z"


def test_pageviews_filters(client):
    base = {"site": "demo.local", "from": "2026-11-22T10:00:00Z", "to": "2026-11-22T11:00:00Z", "interval": "1h"}
    assert client.get("/api/v1/metrics/pageviews", params={**base, "path": "/p1"}).json()["points"][0]["views"] == 15
    assert client.get("/api/v1/metrics/pageviews",
                      params={**base, "referrer": "news.example"}).json()["points"][0]["views"] == 10


@pytest.mark.parametrize("params,field", [
    ({"from": "2026-11-22T10:00:00Z"}, "site"),
    ({"site": "s", "from": "not-a-date"}, "from"),
    ({"site": "s", "to": "2026-02-30T00:00:00Z"}, "to"),
    ({"site": "s", "from": "2026-11-22T11:00:00Z", "to": "2026-11-22T10:00:00Z"}, "from"),
    ({"site": "s", "interval": "7m"}, "interval"),
    ({"site": "s", "from": "2016-11-22T00:00:00Z", "interval": "1m"}, "interval"),
])
def test_validation_is_422_naming_the_field(client, params, field):
    r = client.get("/api/v1/metrics/pageviews", params=params)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert any(e["loc"] == ["query", field] and e["msg"] and e["type"] for e in detail)


def test_top_pages_and_referrers(client):
    q = {"site": "demo.local", "from": "2026-11-22T10:00:00Z", "to": "2026-11-22T11:00:00Z"}
    pages = client.get("/api/v1/metrics/top-pages", params=q).json()
    assert pages["items"] == [{"path": "/p0", "views": 15, "visitors": 5}, {"path": "/p1", "views": 15, "visitors": 5}]
    assert "watermark" in pages
    refs = client.get("/api/v1/metrics/top-referrers", params={**q, "limit": 1}).json()
    assert refs["items"] == [{"referrer": "", "views": 20, "visitors": 5}]
    assert client.get("/api/v1/metrics/top-pages", params={**q, "limit": "0"}).status_code == 422


def test_visitors_over_a_range(client):
    body = client.get("/api/v1/metrics/visitors", params={
        "site": "demo.local", "from": "2026-11-22T10:00:00Z", "to": "2026-11-22T10:02:00Z"}).json()
    assert (body["views"], body["visitors"]) == (20, 5)
    assert body["from"] == "2026-11-22T10:00:00Z"


def test_live_counts_the_last_five_minutes(client):
    body = client.get("/api/v1/metrics/live", params={"site": "demo.local"}).json()
    assert body["window_seconds"] == 300
    assert (body["views"], body["visitors"]) == (0, 0)  # NOW is 10:30
    assert body["current_minute"] == {"t": "2026-11-22T10:30:00Z", "views": 0, "visitors": 0}
    assert client.get("/api/v1/metrics/live").status_code == 422


class Recording(MemoryStore):
    """The fake store, noting each read and making ``totals`` and ``series`` meet at a barrier:
    answered only when both run at once."""

    def __init__(self, meet: bool) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.barrier = threading.Barrier(2, timeout=5) if meet else None

    def _note(self, name: str) -> None:
        self.calls.append(name)
        if self.barrier is not None:
            self.barrier.wait()

    def totals(self, range_):
        self._note("totals")
        return super().totals(range_)

    def series(self, query):
        self._note("series")
        return super().series(query)


def test_live_reads_its_totals_and_current_minute_side_by_side():
    store = Recording(meet=True)
    app = create_app(store, QuerySettings(olap_dsn="chdb:///unused"), LiveFeed(), clock=lambda: NOW)
    with TestClient(app) as c:
        body = c.get("/api/v1/metrics/live", params={"site": "demo.local"}).json()
    assert sorted(store.calls) == ["series", "totals"]  # one after the other, each would wait 5 s and fail
    assert body["current_minute"] == {"t": "2026-11-22T10:30:00Z", "views": 0, "visitors": 0}


def test_an_in_memory_watermark_is_taken_on_the_event_loop_before_the_read():
    store, loop_thread = Recording(meet=False), []
    mark = datetime(2026, 11, 22, 10, 29, 59, tzinfo=UTC)

    def watermark():
        store.calls.append("watermark")
        loop_thread.append(threading.get_ident())
        return mark

    app = create_app(store, QuerySettings(olap_dsn="chdb:///unused"), LiveFeed(), watermark=watermark,
                     clock=lambda: NOW, watermark_in_memory=True)

    async def on_loop(request):
        return JSONResponse(threading.get_ident())

    app.add_route("/thread", on_loop)
    with TestClient(app) as c:
        body = c.get("/api/v1/metrics/visitors", params={"site": "demo.local"}).json()
        assert body["watermark"] == "2026-11-22T10:29:59Z"
        assert store.calls == ["watermark", "totals"]  # all it counts was visible to the read
        assert loop_thread == [c.get("/thread").json()]  # no thread hop for a value in memory


def test_olap_down_is_503(client):
    client.store.available = False
    r = client.get("/api/v1/metrics/pageviews", params={"site": "demo.local"})
    assert r.status_code == 503 and r.headers["retry-after"] == "1"


def test_bad_last_event_id_is_422(client):
    r = client.get("/api/v1/metrics/stream", headers={"Last-Event-ID": "abc"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["header", "Last-Event-ID"]


class FakeRequest:
    def __init__(self, polls):
        self.polls = polls

    async def is_disconnected(self):
        self.polls -= 1
        return self.polls < 0


async def test_stream_resumes_after_last_event_id_and_filters_by_site():
    feed = LiveFeed()
    app = create_app(store_with_events(), QuerySettings(olap_dsn="chdb:///unused"), feed, clock=lambda: NOW)
    api = app.state.api
    first = feed.publish("minute", {"site": "demo.local", "views": 1})
    feed.publish("minute", {"site": "other", "views": 9})
    third = feed.publish("minute", {"site": "demo.local", "views": 2})
    got = [e async for e in api._events(FakeRequest(1), "demo.local", first.id)]
    assert got[0].event == "hello"
    assert [(e.event, e.id) for e in got[1:]] == [("minute", str(third.id))]
    assert '"views":2' in got[1].data
    assert api.watchers == {}

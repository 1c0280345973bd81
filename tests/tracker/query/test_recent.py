"""``/api/v1/metrics/recent``: single page views over SSE, on the real ClickHouse adapter (chDB)
and a real uvicorn server: the opening backlog, new rows as they are stored, no visitor
fields on the wire, resume, and parameter checks."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn

from tests.support.servers import free_port, serving
from tracker.event import TrackingEvent
from tracker.olap.port import StagedBatch
from tracker.olap.recent_events import ClickHouseRecentEvents
from tracker.query.app import create_app
from tracker.query.settings import QuerySettings

pytestmark = pytest.mark.integration
SITE = "demo.local"
FIELDS = {"id", "t", "path", "referrer", "device", "browser", "os"}


def events(n: int, start: datetime, offset: int = 0, **extra) -> list[TrackingEvent]:
    return [TrackingEvent(event_id=str(uuid.uuid4()), ts=start + timedelta(milliseconds=10 * i),
                          received_at=start + timedelta(milliseconds=10 * i), site=SITE, path=f"/p{offset + i}",
                          referrer_host="news.example" if i % 2 else "", device="desktop", browser="Firefox",
                          os="Linux", visitor=f"{i:016x}", user_agent="Mozilla/5.0 secret-agent", **extra)
            for i in range(n)]


def store_events(store, items: list[TrackingEvent], token: str) -> None:
    batch = StagedBatch()
    for i, event in enumerate(items):
        batch.append(event, "tessera.events", 0, i)
    store.insert(batch, token)


def read_sse(lines, count: int) -> list[tuple[str, str, dict]]:
    """The next ``count`` named events of an SSE line iterator (skipping pings): (event, id, data)."""
    found, event, ident, data = [], None, None, []
    for line in lines:
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("id:"):
            ident = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data.append(line.split(":", 1)[1].strip())
        elif line == "" and event:
            found.append((event, ident, json.loads("\n".join(data))))
            event, ident, data = None, None, []
            if len(found) == count:
                return found
    return found


@pytest.fixture
def app(chdb_store):
    app = create_app(chdb_store, QuerySettings(olap_dsn="chdb:///unused", stream_heartbeat_s=1))
    app.state.recent.poll_s = 0.1
    return app


@pytest.fixture
def base_url(app):
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning", timeout_graceful_shutdown=1)
    with serving(config) as url:
        yield url


def test_the_reader_answers_page_views_newest_first_without_bots(chdb_store):
    now = datetime.now(UTC).replace(microsecond=0)
    store_events(chdb_store, events(5, now - timedelta(minutes=1)), "a")
    store_events(chdb_store, events(2, now - timedelta(seconds=30), offset=10, is_bot=True), "b")
    store_events(chdb_store, events(2, now - timedelta(seconds=20), offset=20, name="engagement"), "c")
    rows = ClickHouseRecentEvents(chdb_store).newest(SITE, now - timedelta(minutes=5), 3)
    assert [r.path for r in rows] == ["/p4", "/p3", "/p2"]
    assert rows[0].referrer_host == "" and rows[1].referrer_host == "news.example"
    assert ClickHouseRecentEvents(chdb_store).newest("other.site", now - timedelta(minutes=5), 3) == []


def test_the_stream_opens_with_the_newest_and_pushes_new_page_views(chdb_store, base_url):
    now = datetime.now(UTC)
    store_events(chdb_store, events(30, now - timedelta(minutes=2)), "old")
    with httpx.stream("GET", f"{base_url}/api/v1/metrics/recent", params={"site": SITE, "limit": 5},
                      timeout=10) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        [(name, ident, body)] = read_sse(lines, 1)
        assert name == "recent" and body["site"] == SITE
        assert [e["path"] for e in body["events"]] == ["/p25", "/p26", "/p27", "/p28", "/p29"]  # oldest first
        assert all(set(e) == FIELDS for e in body["events"])
        assert int(ident) == int(datetime.fromisoformat(body["events"][-1]["t"].replace("Z", "+00:00")).timestamp() * 1000)

        store_events(chdb_store, events(3, datetime.now(UTC), offset=100), "new")
        [(name, _, body)] = read_sse(lines, 1)
        assert name == "pageviews"
        assert [e["path"] for e in body["events"]] == ["/p100", "/p101", "/p102"]
        wire = json.dumps(body)
        assert "secret-agent" not in wire and "visitor" not in wire and "0000000000000001" not in wire


def test_a_resumed_stream_sends_what_came_after_its_last_event_id(chdb_store, base_url):
    start = datetime.now(UTC) - timedelta(minutes=1)
    store_events(chdb_store, events(10, start), "a")
    after = int((start + timedelta(milliseconds=70)).timestamp() * 1000)
    with httpx.stream("GET", f"{base_url}/api/v1/metrics/recent", params={"site": SITE},
                      headers={"Last-Event-ID": str(after)}, timeout=10) as response:
        [(name, _, body)] = read_sse(response.iter_lines(), 1)
    assert name == "recent" and [e["path"] for e in body["events"]] == ["/p7", "/p8", "/p9"]


@pytest.mark.parametrize(("query", "field"), [
    ({}, "site"), ({"site": SITE, "limit": "0"}, "limit"), ({"site": SITE, "limit": "101"}, "limit"),
    ({"site": SITE, "lastEventId": "soon"}, "lastEventId"), ({"site": "x" * 254}, "site")])
def test_invalid_parameters_are_a_422_naming_the_field(base_url, query, field):
    response = httpx.get(f"{base_url}/api/v1/metrics/recent", params=query, timeout=10)
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == [field]


def test_one_poll_serves_every_stream_of_a_site(chdb_store, app, base_url):
    store_events(chdb_store, events(3, datetime.now(UTC) - timedelta(seconds=5)), "a")
    with httpx.stream("GET", f"{base_url}/api/v1/metrics/recent", params={"site": SITE}, timeout=10) as first, \
            httpx.stream("GET", f"{base_url}/api/v1/metrics/recent", params={"site": SITE}, timeout=10) as second:
        one, two = first.iter_lines(), second.iter_lines()
        assert read_sse(one, 1)[0][0] == read_sse(two, 1)[0][0] == "recent"
        polls = app.state.recent.polls
        assert list(polls) == [SITE] and len(polls[SITE].queues) == 2
        store_events(chdb_store, events(2, datetime.now(UTC), offset=50), "b")
        assert [e["path"] for e in read_sse(one, 1)[0][2]["events"]] == ["/p50", "/p51"]
        assert [e["path"] for e in read_sse(two, 1)[0][2]["events"]] == ["/p50", "/p51"]


"""The kit's data client against the real query API's live stream, through the real
dashboard's metrics relay: events arrive; when the query service goes away the client polls;
when it comes back the new connection resumes after the last event it saw (?lastEventId=),
and the events published while it was down arrive once, in order."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse

from dashboard.app import create_app as create_dashboard
from dashboard.settings import DashboardSettings
from tests.dashboard.conftest import ServerThread, free_port
from tracker.olap.memory import MemoryStore
from tracker.query.app import create_app as create_query
from tracker.query.live import LiveFeed
from tracker.query.settings import QuerySettings

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]


def serve_on(app, port: int) -> ServerThread:
    server = ServerThread(app)
    server.port, server.url = port, f"http://127.0.0.1:{port}"
    server.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                                  lifespan="on", timeout_graceful_shutdown=1))
    server.thread = threading.Thread(target=server.server.run, daemon=True)
    return server


@pytest.fixture
def live(front_end, tmp_path):
    feed = LiveFeed()
    query_app = create_query(MemoryStore(), QuerySettings(olap_dsn="chdb:///unused", stream_heartbeat_s=1), feed)

    async def publish(request: Request) -> JSONResponse:  # inside the server's loop
        n = int(request.query_params["n"])
        return JSONResponse({"id": feed.publish("minute", {"site": "a.local", "n": n}).id})

    query_app.add_route("/_test/publish", publish, methods=["POST"])
    port = free_port()
    query = serve_on(query_app, port).__enter__()
    settings = DashboardSettings(registry_url=f"http://127.0.0.1:{free_port()}", query_url=query.url,
                                 database_url=f"sqlite:///{tmp_path}/d.db", read_timeout=1.0, connect_timeout=0.5,
                                 breaker_reset_seconds=0.5)
    dashboard = ServerThread(create_dashboard(settings)).__enter__()
    state = {"query": query, "port": port, "app": query_app, "feed": feed, "dashboard": dashboard}
    yield state
    dashboard.__exit__(None, None, None)
    state["query"].__exit__(None, None, None)


def test_resume_after_the_query_service_restarts_through_the_dashboard(page, live):
    page.goto(f"{live['dashboard'].url}/api/v1/schema/topics")  # any page of the dashboard's origin
    page.evaluate("""async () => {
      const kit = await import('/kit/v1/data-client.js');
      window.seen = [];
      window.sub = new kit.DataClient('/api/v1/metrics', {pollMs: 200, streamRetryMs: 500})
        .subscribe('stream', {site: 'a.local'}, (u) => seen.push([u.via, u.data?.n ?? null, u.id]), {events: ['minute']});
    }""")
    page.wait_for_function("() => sub.mode === 'sse'")
    for n in (1, 2, 3):
        httpx.post(f"{live['query'].url}/_test/publish?n={n}")
    page.wait_for_function("() => seen.filter(([via]) => via === 'sse').length === 3")
    last = page.evaluate("() => sub.lastEventId")

    live["query"].__exit__(None, None, None)  # the query service goes away
    page.wait_for_function("() => sub.mode === 'poll' && seen.some(([via]) => via === 'poll')", timeout=15_000)
    for n in (4, 5):  # published while the client cannot see them
        live["feed"].publish("minute", {"site": "a.local", "n": n})
    live["query"] = serve_on(live["app"], live["port"]).__enter__()  # back on the same address

    page.wait_for_function("() => seen.filter(([via]) => via === 'sse').length >= 5", timeout=20_000)
    httpx.post(f"{live['query'].url}/_test/publish?n=6")
    page.wait_for_function("() => seen.filter(([via]) => via === 'sse').length >= 6")
    time.sleep(0.3)
    events = [(n, event_id) for via, n, event_id in page.evaluate("() => seen") if via == "sse"]
    assert [n for n, _ in events] == [1, 2, 3, 4, 5, 6]  # once each, in order
    assert int(events[3][1]) > int(last)
    assert page.evaluate("() => sub.mode") == "sse"
    page.evaluate("() => sub.close()")

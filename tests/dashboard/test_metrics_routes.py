"""The metrics gateway maps only known routes with checked parameters: path tricks
against the real query service (in-memory store) behind a real dashboard (issue 8 §2)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dashboard.metrics_api import DIMENSIONS, InvalidQuery, upstream_query
from tests.dashboard.conftest import ServerThread
from tracker.olap.memory import MemoryStore
from tracker.query.app import create_app as create_query_app
from tracker.query.live import LiveFeed
from tracker.query.settings import QuerySettings

pytestmark = pytest.mark.integration


@pytest.fixture
def real_query() -> Iterator[ServerThread]:
    app = create_query_app(MemoryStore(), QuerySettings(olap_dsn="chdb:///unused"), LiveFeed())
    with ServerThread(app) as server:
        yield server


@pytest.fixture
def gateway(serve_dashboard, registry, real_query) -> ServerThread:
    return serve_dashboard(registry.url, real_query.url)


@pytest.mark.parametrize("trick", [
    "%2e%2e/%2e%2e/%2e%2e/healthz", "%2e%2e/%2e%2e/%2e%2e/api/v1/metrics/live?site=x",
    "%2E%2E%2F%2E%2E%2F%2E%2E%2Fhealthz", "pageviews%2f..%2f..%2f..%2fhealthz",
    "pageviews/", "Pageviews", "pageviews%00", "%01", "%ff", "stream/extra",
])
def test_path_tricks_never_reach_another_route(gateway, trick):
    response = httpx.get(f"{gateway.url}/api/v1/metrics/{trick}", timeout=10)
    assert response.status_code == 404, response.text[:300]
    assert response.json()["detail"][0]["loc"] == ["path", "route"]
    assert "status" not in response.json()


def test_known_routes_answer_through_the_real_query_service(gateway):
    for route in ("pageviews", "visitors", "top-pages", "top-referrers", "live"):
        response = httpx.get(f"{gateway.url}/api/v1/metrics/{route}", params={"site": "demo.local"}, timeout=10)
        assert response.status_code == 200, (route, response.text[:300])
        assert "watermark" in response.json()


@pytest.mark.parametrize(("query", "field"), [
    ({}, "site"), ({"site": "x", "from": "yesterday"}, "from"), ({"site": "x", "interval": "5m"}, "interval"),
    ({"site": "x", "to": "2026-13-01T00:00:00Z"}, "to"), ({"site": "x\x01"}, "site"), ({"site": "x" * 300}, "site"),
])
def test_bad_parameters_are_a_422_naming_the_field(gateway, query, field):
    response = httpx.get(f"{gateway.url}/api/v1/metrics/pageviews", params=query, timeout=10)
    assert response.status_code == 422, response.text[:300]
    assert [e["loc"] for e in response.json()["detail"]] == [["query", field]]


def test_a_repeated_parameter_and_a_bad_last_event_id_are_422s(gateway):
    response = httpx.get(f"{gateway.url}/api/v1/metrics/pageviews?site=a&site=b", timeout=10)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "site"]
    stream = httpx.get(f"{gateway.url}/api/v1/metrics/stream", headers={"Last-Event-ID": "1; drop"}, timeout=10)
    assert stream.status_code == 422 and stream.json()["detail"][0]["loc"] == ["header", "Last-Event-ID"]


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    async def answer(self, request: Request) -> JSONResponse:
        self.seen.append((request.url.path, request.url.query))
        return JSONResponse({"rows": [], "watermark": None})


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    app = Starlette(routes=[Route("/{path:path}", recorder.answer)])
    with ServerThread(app) as server:
        recorder.url = server.url
        yield recorder


def test_breakdown_forwards_only_its_allow_listed_parameters(serve_dashboard, registry, recorder):
    server = serve_dashboard(registry.url, recorder.url)
    params = {"site": "demo.local", "dimension": "browser", "from": "2026-11-22T10:00:00Z", "to": "2026-11-23T00:00:00Z",
              "page": "/pricing", "utm_source": "news", "device": "mobile", "secret": "x", "url": "http://169.254.169.254/"}
    response = httpx.get(f"{server.url}/api/v1/metrics/breakdown", params=params, timeout=10)
    assert response.status_code == 200, response.text[:300]
    [(path, query)] = recorder.seen
    assert path == "/api/v1/metrics/breakdown"
    assert query == ("site=demo.local&dimension=browser&from=2026-11-22T10%3A00%3A00Z&to=2026-11-23T00%3A00%3A00Z"
                     "&page=%2Fpricing&utm_source=news&device=mobile")
    bad = httpx.get(f"{server.url}/api/v1/metrics/breakdown", params={"site": "x", "dimension": "password"}, timeout=10)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "dimension"]
    assert len(recorder.seen) == 1  # the refused one never left the dashboard


def test_every_dimension_is_also_a_filter():
    for dimension in DIMENSIONS:
        assert dimension in upstream_query("breakdown", [("site", "s"), ("dimension", dimension), (dimension, "v")])
    with pytest.raises(InvalidQuery) as caught:
        upstream_query("breakdown", [("site", "s")])
    assert [e["loc"] for e in caught.value.errors] == [["query", "dimension"]]


def test_summary_forwards_its_range_and_filters_only(serve_dashboard, registry, recorder):
    server = serve_dashboard(registry.url, recorder.url)
    params = {"site": "demo.local", "from": "2026-11-22T10:00:00Z", "page": "/pricing", "browser": "Firefox",
              "dimension": "os", "secret": "x"}
    response = httpx.get(f"{server.url}/api/v1/metrics/summary", params=params, timeout=10)
    assert response.status_code == 200, response.text[:300]
    [(path, query)] = recorder.seen
    assert path == "/api/v1/metrics/summary"
    assert query == "site=demo.local&from=2026-11-22T10%3A00%3A00Z&page=%2Fpricing&browser=Firefox"


def test_series_and_totals_forward_their_filters():
    query = upstream_query("pageviews", [("site", "s"), ("browser", "Firefox"), ("device", "mobile"), ("page", "/x")])
    assert query == "site=s&browser=Firefox&device=mobile"  # a series filters pages by `path`, not `page`
    assert upstream_query("visitors", [("site", "s"), ("utm_campaign", "winter")]) == "site=s&utm_campaign=winter"


def test_the_recent_stream_carries_only_its_checked_parameters():
    query = upstream_query("recent", [("site", "s"), ("limit", "20"), ("lastEventId", "1764400000000"), ("visitor", "x")])
    assert query == "site=s&limit=20&lastEventId=1764400000000"
    for bad, field in [([("limit", "0")], "limit"), ([("limit", "101")], "limit"), ([("lastEventId", "soon")], "lastEventId")]:
        with pytest.raises(InvalidQuery) as caught:
            upstream_query("recent", [("site", "s"), *bad])
        assert [e["loc"][-1] for e in caught.value.errors] == [field]
    with pytest.raises(InvalidQuery) as caught:
        upstream_query("recent", [])
    assert [e["loc"][-1] for e in caught.value.errors] == ["site"]

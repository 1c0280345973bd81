"""Arbitrary query parameters against the query API on a real chDB store: a 200 with a
watermark, or a 422 naming the field; never a 5xx (bad input must not reach the SQL)."""

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tracker.event import TrackingEvent
from tracker.olap.clickhouse import ClickHouseStore
from tracker.olap.port import StagedBatch
from tracker.query.app import create_app
from tracker.query.live import LiveFeed
from tracker.query.settings import QuerySettings

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 22, 10, 30, 20, tzinfo=UTC)
ENDPOINTS = ["pageviews", "top-pages", "top-referrers", "visitors", "live", "breakdown", "summary"]
KEYS = ["site", "from", "to", "interval", "path", "referrer", "limit", "dimension", "page", "browser", "os",
        "device", "utm_source", "utm_medium", "utm_campaign"]
times = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(lambda t: t.isoformat() + "Z")
values = (st.text(max_size=30) | times | st.integers(-10**12, 10**12).map(str)
          | st.sampled_from(["1m", "1h", "1d", "1s", "demo.local", "/p0", "' OR 1=1 --", "\\", "%00", "Z", "page",
                             "referrer", "browser", "utm_campaign", "path", "Firefox", "mobile", "{f0:String}"]))
queries = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), values, max_size=7)


@pytest.fixture(scope="module")
def client(chdb_client):
    store = ClickHouseStore(chdb_client, f"t_{uuid.uuid4().hex[:12]}")
    store.migrate()
    batch = StagedBatch()
    t0 = NOW - timedelta(minutes=20)
    for i in range(40):
        ts = t0 + timedelta(seconds=30 * i)
        batch.append(TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts, site="demo.local",
                                   path=f"/p{i % 3}", visitor=f"{i % 7:016x}", referrer_host="news.example",
                                   browser=["Firefox", "Chrome"][i % 2], device="mobile", utm_campaign="winter"),
                     "tessera.events", 0, i)
    store.insert(batch, "fuzz/0")
    app = create_app(store, QuerySettings(olap_dsn="chdb:///unused"), LiveFeed(), clock=lambda: NOW)
    with TestClient(app) as c:
        yield c
    chdb_client.command(f"DROP DATABASE IF EXISTS {store.db} SYNC")


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")), deadline=None,
          derandomize=not os.environ.get("FUZZ_EXAMPLES"),  # CI: a fixed set; FUZZ_EXAMPLES=5000 searches afresh
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=st.sampled_from(ENDPOINTS), query=queries)
@example(endpoint="pageviews", query={"site": "demo.local", "to": "0001-09-30T23:00:00Z"})  # before chDB's DateTime
@example(endpoint="pageviews", query={"site": "demo.local", "to": "0001-01-01T00:30:00+01:00"})  # UTC before year 1
@example(endpoint="visitors", query={"site": "demo.local", "to": "1970-01-01T01:00:00Z"})  # default from < 1970
@example(endpoint="top-pages", query={"site": "demo.local", "from": "2200-01-01T00:00:00Z"})
@example(endpoint="breakdown", query={"site": "demo.local", "dimension": "browser", "page": "/p0", "os": "' OR 1=1 --"})
@example(endpoint="breakdown", query={"site": "demo.local", "dimension": "page", "to": "2105-12-31T23:59:00Z"})
@example(endpoint="summary", query={"site": "demo.local", "from": "1970-01-01T00:00:00Z", "referrer": "\x00"})
def test_any_query_gets_an_answer_or_a_422_naming_the_field(client, endpoint, query):
    response = client.get(f"/api/v1/metrics/{endpoint}", params=query)
    assert response.status_code in (200, 422), (response.status_code, response.text)
    body = response.json()
    if response.status_code == 200:
        assert "watermark" in body
    else:
        assert body["detail"] and all(e["loc"][0] == "query" and e["msg"] for e in body["detail"])


def test_known_good_breakdowns_answer(client):
    body = client.get("/api/v1/metrics/breakdown", params={"site": "demo.local", "dimension": "page",
                                                           "referrer": "news.example", "device": "mobile"}).json()
    assert sorted(r["views"] for r in body["rows"]) == [13, 13, 14] and body["watermark"]
    summary = client.get("/api/v1/metrics/summary", params={"site": "demo.local", "browser": "Firefox"}).json()
    assert summary["current"]["views"] == 20 and summary["current"]["visits"] >= 4


def test_the_known_good_query_answers(client):
    response = client.get("/api/v1/metrics/pageviews", params={"site": "demo.local", "interval": "1m"})
    assert response.status_code == 200 and sum(p["views"] for p in response.json()["points"]) == 40

"""The series and visitors routes take the breakdown's other filters too (browser, os,
device, utm_source, utm_medium, utm_campaign), so a widget following filter.changed can
narrow its chart; each is validated (a 422 naming it). Over chDB and the memory store."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from tracker.event import TrackingEvent
from tracker.olap.memory import MemoryStore
from tracker.olap.port import StagedBatch
from tracker.query.app import create_app
from tracker.query.settings import QuerySettings

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
WINDOW = {"site": "demo.local", "from": "2026-11-22T10:00:00Z", "to": "2026-11-22T10:03:00Z"}


def fill(store):
    b = StagedBatch()
    for i in range(120):  # 2 minutes, one hit a second; every third from Firefox on a phone via the newsletter
        ts = T0 + timedelta(seconds=i)
        third = i % 3 == 0
        b.append(TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts, site="demo.local",
                               path=f"/p{i % 2}", visitor=f"{i % 30:016x}", browser="Firefox" if third else "Chrome",
                               device="mobile" if third else "desktop", utm_source="newsletter" if third else ""),
                 "tessera.events", 0, i)
    store.insert(b, "t")


def check(store):
    fill(store)
    app = create_app(store, QuerySettings(olap_dsn="chdb:///unused"), clock=lambda: T0 + timedelta(hours=1))
    with TestClient(app) as c:
        all_views = c.get("/api/v1/metrics/pageviews", params=WINDOW).json()
        assert [p["views"] for p in all_views["points"]] == [60, 60, 0]
        firefox = c.get("/api/v1/metrics/pageviews", params={**WINDOW, "browser": "Firefox"}).json()
        assert [p["views"] for p in firefox["points"]] == [20, 20, 0]
        assert firefox["filters"] == {"browser": "Firefox"}
        both = c.get("/api/v1/metrics/pageviews", params={**WINDOW, "interval": "1m", "path": "/p0",
                                                          "device": "mobile", "utm_source": "newsletter"}).json()
        assert [p["views"] for p in both["points"]] == [10, 10, 0]  # i % 6 == 0
        hourly = c.get("/api/v1/metrics/pageviews", params={**WINDOW, "interval": "1h", "device": "mobile"}).json()
        assert [p["views"] for p in hourly["points"]] == [40]
        totals = c.get("/api/v1/metrics/visitors", params={**WINDOW, "browser": "Chrome"}).json()
        assert totals["views"] == 80 and totals["visitors"] == 20
        bad = c.get("/api/v1/metrics/pageviews", params={**WINDOW, "os": "x" * 3000})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "os"]


def test_series_filters_in_memory():
    check(MemoryStore())


@pytest.mark.integration
def test_series_filters_on_chdb(chdb_store):
    check(chdb_store)

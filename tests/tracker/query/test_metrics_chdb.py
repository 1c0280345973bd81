"""The query API over the real ClickHouse adapter on chDB (rollups, -Merge)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from tracker.event import TrackingEvent
from tracker.olap.port import StagedBatch
from tracker.query.app import create_app
from tracker.query.live import LiveFeed
from tracker.query.publisher import MinutePublisher
from tracker.query.settings import QuerySettings

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def fill(store, n):
    b = StagedBatch()
    for i in range(n):
        ts = T0 + timedelta(seconds=i)
        b.append(TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts, site="demo.local",
                               path=f"/p{i % 3}", visitor=f"{i % 40:016x}"), "tessera.events", 0, i)
    store.insert(b, "t")


def test_pageviews_from_the_rollup(chdb_store):
    fill(chdb_store, 300)  # 5 minutes of one hit per second
    app = create_app(chdb_store, QuerySettings(olap_dsn="chdb:///unused"), clock=lambda: T0 + timedelta(hours=1))
    with TestClient(app) as c:
        body = c.get("/api/v1/metrics/pageviews", params={
            "site": "demo.local", "from": "2026-11-22T09:59:00Z", "to": "2026-11-22T10:06:00Z"}).json()
        assert [p["views"] for p in body["points"]] == [0, 60, 60, 60, 60, 60, 0]
        assert all(p["visitors"] == 40 for p in body["points"][1:6])
        assert body["watermark"] == "2026-11-22T10:04:59Z"
        day = c.get("/api/v1/metrics/visitors", params={"site": "demo.local", "from": "2026-11-22T00:00:00Z"}).json()
        assert (day["views"], day["visitors"]) == (300, 40)


def test_publisher_pushes_changed_minutes(chdb_store):
    fill(chdb_store, 120)
    feed = LiveFeed()
    pub = MinutePublisher(chdb_store, feed, chdb_store.watermark)
    pub.refresh({"demo.local": {T0, T0 + timedelta(minutes=1)}})
    assert [(e.data["t"], e.data["views"]) for e in feed.since(0)] == [
        ("2026-11-22T10:00:00Z", 60), ("2026-11-22T10:01:00Z", 60)]
    pub.refresh({"demo.local": {T0}})  # unchanged: nothing new
    assert len(feed.since(0)) == 2

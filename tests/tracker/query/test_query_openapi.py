"""Schemathesis against the query API's own OpenAPI document, on a real chDB store and served
through the edge limits: no generated request causes a server error.

The live stream never ends, so its operation is left out of the generated run (its
parameter checks are covered in ``test_metrics_api`` and its quota in ``test_stream_quota``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import schemathesis

from gatekeeper import server
from gatekeeper.limits import EdgeLimits
from tests.support.openapi import assert_no_server_error
from tests.support.servers import free_port, serving
from tracker.event import TrackingEvent
from tracker.olap.clickhouse import ClickHouseStore
from tracker.olap.port import StagedBatch
from tracker.query.app import create_app
from tracker.query.settings import QuerySettings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def base_url(chdb_client):
    store = ClickHouseStore(chdb_client, f"t_{uuid.uuid4().hex[:12]}")
    store.migrate()
    batch = StagedBatch()
    t0 = datetime.now(UTC) - timedelta(minutes=20)
    for i in range(40):
        ts = t0 + timedelta(seconds=30 * i)
        batch.append(TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts, site="demo.local",
                                   path=f"/p{i % 3}", visitor=f"{i % 7:016x}", referrer_host="news.example"),
                     "tessera.events", 0, i)
    store.insert(batch, "openapi-seed")
    app = create_app(store, QuerySettings(olap_dsn="chdb:///unused"))
    with serving(server.config(app, EdgeLimits.of("query"), host="127.0.0.1", port=free_port(),
                               log_level="warning", timeout_graceful_shutdown=1)) as url:
        yield url
    chdb_client.command(f"DROP DATABASE IF EXISTS {store.db} SYNC")


def test_the_document_lists_every_route(base_url):
    paths = httpx.get(f"{base_url}/openapi.json").json()["paths"]
    assert set(paths) == {"/healthz", *(f"/api/v1/metrics/{p}" for p in
                                        ("pageviews", "top-pages", "top-referrers", "visitors", "live", "stream"))}


def test_no_generated_request_causes_a_server_error(base_url):
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json").exclude(path="/api/v1/metrics/stream")
    assert_no_server_error(schema, base_url)

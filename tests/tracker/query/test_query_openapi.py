"""Schemathesis against the query API's own OpenAPI document, on a real chDB store and served
through the edge limits: no generated request causes a server error.

The live streams never end, so their operations are left out of the generated run (their
parameter checks are covered in ``test_metrics_api`` and ``test_recent``, the quota in ``test_stream_quota``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import schemathesis

from gatekeeper import server
from gatekeeper.limits import EdgeLimits
from tests.support.openapi import assert_no_server_error
from tests.support.servers import free_port, serving
from tests.tracker.query.seed import seeded_store
from tracker.query.app import create_app
from tracker.query.settings import QuerySettings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def base_url(chdb_client):
    with seeded_store(chdb_client, datetime.now(UTC) - timedelta(minutes=20), "openapi-seed") as store:
        app = create_app(store, QuerySettings(olap_dsn="chdb:///unused"))
        with serving(server.config(app, EdgeLimits.of("query"), host="127.0.0.1", port=free_port(),
                                   log_level="warning", timeout_graceful_shutdown=1)) as url:
            yield url


def test_the_document_lists_every_route(base_url):
    paths = httpx.get(f"{base_url}/openapi.json").json()["paths"]
    assert set(paths) == {"/healthz", *(f"/api/v1/metrics/{p}" for p in
                                        ("pageviews", "top-pages", "top-referrers", "visitors", "live", "stream",
                                         "recent", "breakdown", "summary"))}


def test_no_generated_request_causes_a_server_error(base_url):
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json").exclude(path="/api/v1/metrics/stream").exclude(
        path="/api/v1/metrics/recent")
    assert_no_server_error(schema, base_url)

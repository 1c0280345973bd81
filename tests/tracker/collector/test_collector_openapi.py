"""Schemathesis against the collector's own OpenAPI document (served through the edge limits):
no generated request may cause a 5xx other than a documented 503."""

from __future__ import annotations

import httpx
import pytest
import schemathesis

from gatekeeper import server
from gatekeeper.limits import EdgeLimits
from tracker.collector.app import create_app
from tests.support.openapi import assert_no_server_error
from tests.support.servers import free_port, serving
from tracker.collector.settings import CollectorSettings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("collector-openapi")
    settings = CollectorSettings(stream_backend="memory", spill_dir=tmp / "spill", salts_dir=tmp / "salts",
                                 stream_dir=tmp / "stream")
    app = create_app(settings)
    with serving(server.config(app, EdgeLimits.of("collector", max_body_bytes=settings.max_batch_bytes),
                               host="127.0.0.1", port=free_port(), log_level="warning")) as url:
        yield url


def test_the_document_lists_every_route(base_url):
    paths = httpx.get(f"{base_url}/openapi.json").json()["paths"]
    assert set(paths) >= {"/t.gif", "/i", "/api/v1/events", "/api/event", "/com.snowplowanalytics.snowplow/tp2",
                          "/t.js", "/stats", "/healthz"}


def test_no_generated_request_causes_a_server_error(base_url):
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    assert_no_server_error(schema, base_url)

"""Schemathesis against the collector's own OpenAPI document (served through the edge limits):
no generated request may cause a 5xx other than a documented 503."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings

from gatekeeper import server
from gatekeeper.limits import EdgeLimits
from tracker.collector.app import create_app
from tracker.collector.settings import CollectorSettings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("collector-openapi")
    settings = CollectorSettings(stream_backend="memory", spill_dir=tmp / "spill", salts_dir=tmp / "salts",
                                 stream_dir=tmp / "stream")
    app = create_app(settings)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    edge = uvicorn.Server(server.config(app, EdgeLimits.of("collector", max_body_bytes=settings.max_batch_bytes),
                                        host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=edge.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not edge.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    edge.should_exit = True
    thread.join(10)


def test_the_document_lists_every_route(base_url):
    paths = httpx.get(f"{base_url}/openapi.json").json()["paths"]
    assert set(paths) >= {"/t.gif", "/i", "/api/v1/events", "/api/event", "/com.snowplowanalytics.snowplow/tp2",
                          "/t.js", "/stats", "/healthz"}


def test_no_generated_request_causes_a_server_error(base_url):
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    strategy = schema.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE) | schema.as_strategy(
        generation_mode=schemathesis.GenerationMode.NEGATIVE
    )

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=strategy)
    def check(case):
        response = case.call(base_url=base_url, timeout=10)
        assert response.status_code < 500, \
            f"{case.method} {case.formatted_path} {case.query} {case.body!r:.200} -> {response.status_code}: {response.text[:300]}"

    check()

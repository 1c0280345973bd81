"""Schemathesis against the app's own OpenAPI document: no input may cause a 5xx."""

import socket
import threading
import time

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from registry.entrypoints.app import create_app
from registry.settings import RegistrySettings

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    import uvicorn

    port = free_port()
    db = tmp_path_factory.mktemp("openapi") / "registry.db"
    app = create_app(RegistrySettings(database_url=f"sqlite:///{db}", max_manifest_bytes=8192))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_openapi_document_lists_the_contract_routes(base_url):
    paths = httpx.get(f"{base_url}/openapi.json").json()["paths"]
    for path in ("/api/v1/widgets", "/api/v1/widgets/{id}", "/api/v1/widgets/{id}/heartbeat", "/api/v1/events",
                 "/api/v1/schema/manifest", "/api/v1/registry", "/api/v1/registry/{id}", "/healthz"):
        assert path in paths


def test_manifest_schema_route_serves_a_valid_json_schema(base_url):
    from jsonschema import Draft202012Validator

    r = httpx.get(f"{base_url}/api/v1/schema/manifest")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/schema+json")
    Draft202012Validator.check_schema(r.json())
    assert set(r.json()["required"]) >= {"version", "team", "label", "element", "module"}


def test_no_generated_request_causes_a_server_error(base_url):
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json").exclude(path="/api/v1/events")
    strategy = schema.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE) | schema.as_strategy(
        generation_mode=schemathesis.GenerationMode.NEGATIVE
    )

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=strategy)
    def check(case):
        response = case.call(base_url=base_url, timeout=10)
        assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"

    check()
